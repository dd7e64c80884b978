//! Grok Build CLI's session logs (`$GROK_HOME/sessions/<url-encoded cwd>/<session>/updates.jsonl`,
//! default `~/.grok`), as ccusage 20.0.24 counts them.
//!
//! `updates.jsonl` is the agent's ACP display log; only `turn_completed` updates carry usage, one
//! per turn: `params.update.usage.modelUsage` maps each model to its tokens (without it, the
//! usage object itself counts, under the summary's `current_model_id`, else `unknown`).
//! `inputTokens` includes `cachedReadTokens` and `cacheCreationTokens`, which are carved out of it;
//! `reasoningTokens` are part of `outputTokens` (reported, never added to the total);
//! `costUsdTicks` is the cost Grok recorded, in 1e-10 USD, taken when above 0 (`auto`, `display`);
//! other turns are priced as ccusage prices them, like Gemini calls: at the long-context rates as
//! a whole when input and cached input pass the threshold.
//! The time is `params._meta.agentTimestampMs`, else the line's `timestamp` (Unix seconds), else
//! the epoch, as in ccusage. The session is `params.sessionId`, else the summary's `info.id`, else
//! the session folder; the working directory is the summary's `info.cwd`, else its
//! `git_root_dir`, else the decoded project folder when it is an absolute path.

use serde_json::Value;

use crate::entry::{Counts, Entry, nonempty};
use crate::event::{FileData, IssueKind};

/// What a session's `summary.json` (beside `updates.jsonl`) says.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    session: Option<String>,
    cwd: Option<String>,
    model: Option<String>,
}

impl Summary {
    /// The summary of a session folder; an unreadable or invalid `summary.json` says nothing.
    pub fn read(session_dir: &std::path::Path) -> Summary {
        let Ok(text) = fs_err::read(session_dir.join("summary.json")) else { return Summary::default() };
        let Ok(v) = serde_json::from_slice::<Value>(&text) else { return Summary::default() };
        let info = v.get("info");
        let owned = |x: Option<&str>| x.map(str::to_owned);
        Summary {
            session: owned(nonempty(info.and_then(|i| i.get("id")))),
            cwd: owned(nonempty(info.and_then(|i| i.get("cwd"))).or_else(|| nonempty(v.get("git_root_dir")))),
            model: owned(nonempty(v.get("current_model_id"))),
        }
    }
}

/// The working directory a project folder name stands for (`%2Fhome%2Fme%2Fapp` is
/// `/home/me/app`), when it decodes to an absolute path.
fn folder_cwd(folder: &str) -> Option<String> {
    let d = percent_encoding::percent_decode_str(folder).decode_utf8().ok()?;
    let abs = d.starts_with('/') || (d.len() > 2 && d.as_bytes()[1] == b':' && d.as_bytes()[0].is_ascii_alphabetic());
    abs.then(|| d.into_owned())
}

/// A timestamp number as ccusage reads it (integer, or a float truncated).
fn int(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| v.as_f64().filter(|x| x.is_finite()).map(|x| x as i64))
}

/// Parses one `updates.jsonl`; `folder` is the project folder's name, `session_dir` the session
/// folder's.
pub(crate) fn parse(data: &[u8], summary: &Summary, folder: &str, session_dir: &str) -> FileData {
    let mut fd = FileData::default();
    let cwd = summary.cwd.clone().or_else(|| folder_cwd(folder));
    let default_model = summary.model.as_deref().unwrap_or("unknown");
    let file_session = summary.session.as_deref().unwrap_or(session_dir);
    let wanted = |l: &[u8]| memchr::memmem::find(l, b"\"turn_completed\"").is_some();
    crate::entry::jsonl(data, &mut fd, wanted, |no, v, fd| {
        let Some(params) = v.get("params") else { return Ok(()) };
        let Some(update) = params.get("update") else { return Ok(()) };
        if nonempty(update.get("sessionUpdate")) != Some("turn_completed") {
            return Ok(());
        }
        let Some(usage) = update.get("usage").filter(|u| u.is_object()) else { return Ok(()) };
        let meta = params.get("_meta");
        let event = nonempty(meta.and_then(|m| m.get("eventId")));
        let ts_ms = match int(meta.and_then(|m| m.get("agentTimestampMs"))).filter(|ms| *ms > 0) {
            Some(ms) => ms,
            None => int(v.get("timestamp")).filter(|s| *s > 0).map_or(0, |s| s.saturating_mul(1000)),
        };
        let session = nonempty(params.get("sessionId")).unwrap_or(file_session);
        // Per model, in name order; else the usage object under the session's model.
        let rows: Vec<(&str, &Value)> = match usage.get("modelUsage").and_then(Value::as_object) {
            Some(m) if !m.is_empty() => {
                let mut r: Vec<(&str, &Value)> = m.iter().map(|(k, u)| (k.as_str(), u)).collect();
                r.sort_by(|a, b| a.0.cmp(b.0));
                r
            }
            _ => vec![(default_model, usage)],
        };
        let mut parsed = Vec::with_capacity(rows.len());
        let mut bad = false;
        for (model, u) in rows {
            let mut n = |k: &str| crate::entry::count(u.get(k), false, &mut bad);
            let (input, output, read, write) =
                (n("inputTokens"), n("outputTokens"), n("cachedReadTokens"), n("cacheCreationTokens"));
            let reasoning = n("reasoningTokens");
            let ticks = u.get("costUsdTicks").and_then(Value::as_u64).unwrap_or(0);
            parsed.push((model, Counts::from_inclusive(input, output, read, write, reasoning), ticks));
        }
        if bad {
            return Err(IssueKind::OutOfRange);
        }
        for (model, counts, ticks) in parsed {
            if counts.is_zero() {
                continue;
            }
            let e = Entry {
                ts_ms,
                model,
                counts,
                // Reasoning is part of the output: reported, not billed or counted again.
                extra_billed: false,
                cost_usd: if ticks > 0 { ticks as f64 / 1e10 } else { f64::NAN },
                cwd: cwd.as_deref(),
                session: Some(session),
                id: event,
                provider: None,
                line: no,
            };
            crate::entry::push(fd, e);
        }
        Ok(())
    });
    fd
}

/// The names a Grok model is priced under, first priced wins: as logged, with `xai/` and `x-ai/`,
/// then the same without the `-build` suffix.
pub(crate) fn price_names(model: &str) -> Vec<String> {
    let m = model.strip_prefix("[grok] ").unwrap_or(model).trim();
    if m.is_empty() {
        return Vec::new();
    }
    let base = m.strip_suffix("-build").unwrap_or(m);
    let mut v: Vec<String> = Vec::new();
    for name in [m, base] {
        for n in [name.to_owned(), format!("xai/{name}"), format!("x-ai/{name}")] {
            if !v.contains(&n) {
                v.push(n);
            }
        }
    }
    v
}
