//! pi's sessions and OpenClaw's (an assistant built on pi's agent core, same message shape).
//!
//! - pi: `$PI_AGENT_DIR/**/*.jsonl` (default `~/.pi/agent/sessions`; files named
//!   `<time>_<session>.jsonl` in one folder per working directory).
//! - OpenClaw: `$OPENCLAW_DIR/**/<session>.jsonl` (also `.jsonl.deleted.<time>` and
//!   `.jsonl.reset.<time>` archives; default `~/.openclaw`, `~/.clawdbot`, `~/.moltbot`,
//!   `~/.moldbot`).
//!
//! Rules (ccusage 20.0.24): an assistant `message` with a `usage` is one call: input =
//! `usage.input`, output = `output`, cache write = `cacheWrite`, cache read = `cacheRead`; a
//! `totalTokens` above the parts adds the rest to output when output is 0, else to extra
//! (counted, not billed); all zero is skipped. The cost is `usage.cost.total` when the line has
//! it, else priced from the tokens. The model is shown as ccusage names it, `[pi] <model>` or
//! `[openclaw] <model>`, so reports by model agree.
//! - pi: the line's `type` is absent or `message`; its top-level `timestamp` must be strict
//!   RFC 3339; the model is `message.model`. The session is the file stem after its first `_`;
//!   entries are deduplicated across files on (folder under `sessions`, session, time, model,
//!   tokens, cost).
//! - OpenClaw: the `type` is `message`; the time is `message.timestamp` (ms or RFC 3339), else
//!   the line's `timestamp`, else the file's modification time; the model is
//!   `message.modelId`, `message.model`, the last `model_change` (or `model-snapshot`) before
//!   it, else `unknown`. The session is the file name before `.jsonl`; entries are deduplicated
//!   across files on (session, time, model, tokens, cost).
//!
//! specwork also takes the working directory from the file's `session` header line.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use serde_json::Value;

use crate::entry::{self, Entry, Keys, nonempty};
use crate::event::FileData;
use crate::time::parse_strict_ms;

/// Which of the two agents wrote the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Pi,
    OpenClaw,
}

struct Finders {
    usage: Finder<'static>,
    message: Finder<'static>,
    change: Finder<'static>,
    snapshot: Finder<'static>,
}

fn finders() -> &'static Finders {
    static F: OnceLock<Finders> = OnceLock::new();
    F.get_or_init(|| Finders {
        usage: Finder::new(b"\"usage\""),
        message: Finder::new(b"\"message\""),
        change: Finder::new(b"\"model_change\""),
        snapshot: Finder::new(b"\"model-snapshot\""),
    })
}

/// The working directory named by the file's `session` header (its first line).
fn header_cwd(data: &[u8]) -> Option<String> {
    let first = data.split(|&b| b == b'\n').next()?;
    let v: Value = serde_json::from_slice(first).ok()?;
    (v.get("type")?.as_str()? == "session").then_some(())?;
    nonempty(v.get("cwd")).filter(|c| c.starts_with('/')).map(str::to_owned)
}

/// The session a file belongs to, from its name.
pub(crate) fn session_of(flavor: Flavor, file_name: &str) -> &str {
    match flavor {
        Flavor::Pi => {
            let stem = file_name.strip_suffix(".jsonl").unwrap_or(file_name);
            stem.split_once('_').map_or(stem, |(_, s)| s)
        }
        Flavor::OpenClaw => match file_name.find(".jsonl") {
            Some(i) if i > 0 => &file_name[..i],
            _ => file_name,
        },
    }
}

/// Whether OpenClaw keeps a session in a file of this name (live or archived).
pub(crate) fn is_openclaw_log(name: &str) -> bool {
    name.find(".jsonl").is_some_and(|i| {
        let suffix = &name[i..];
        suffix == ".jsonl" || suffix.starts_with(".jsonl.deleted.") || suffix.starts_with(".jsonl.reset.")
    })
}

fn openclaw_time(v: Option<&Value>) -> Option<i64> {
    let v = v?;
    v.as_i64().or_else(|| v.as_str().and_then(parse_strict_ms))
}

const KEYS: Keys = Keys {
    input: "input",
    output: "output",
    cache_write: "cacheWrite",
    cache_read: "cacheRead",
    extra: "",
    total: "totalTokens",
};

/// Parses one session file of session `session`.
pub(crate) fn parse(data: &[u8], flavor: Flavor, session: &str, mtime_ms: i64) -> FileData {
    let mut fd = FileData::default();
    let cwd = header_cwd(data);
    let f = finders();
    let mut current: Option<String> = None;
    entry::jsonl(
        data,
        &mut fd,
        |l| match flavor {
            Flavor::Pi => f.usage.find(l).is_some() && f.message.find(l).is_some(),
            Flavor::OpenClaw => f.usage.find(l).is_some() || f.change.find(l).is_some() || f.snapshot.find(l).is_some(),
        },
        |no, v, fd| {
            let ty = v.get("type").and_then(Value::as_str);
            if flavor == Flavor::OpenClaw
                && (ty == Some("model_change")
                    || (ty == Some("custom") && v.get("customType").and_then(Value::as_str) == Some("model-snapshot")))
            {
                let src = v.get("data").filter(|d| d.is_object()).unwrap_or(v);
                if let Some(m) = nonempty(src.get("modelId")).or_else(|| nonempty(src.get("model"))) {
                    current = Some(m.to_owned());
                }
                return Ok(());
            }
            let type_ok = match flavor {
                Flavor::Pi => v.get("type").is_none_or(|t| t.as_str() == Some("message")),
                Flavor::OpenClaw => ty == Some("message"),
            };
            let Some(m) = v.get("message").filter(|_| type_ok) else { return Ok(()) };
            if m.get("role").and_then(Value::as_str) != Some("assistant") {
                return Ok(());
            }
            let Some(u) = m.get("usage").filter(|u| flavor == Flavor::Pi || u.is_object()) else { return Ok(()) };
            let ts_ms = match flavor {
                Flavor::Pi => nonempty(v.get("timestamp")).and_then(parse_strict_ms),
                Flavor::OpenClaw => {
                    Some(openclaw_time(m.get("timestamp").or_else(|| v.get("timestamp"))).unwrap_or(mtime_ms))
                }
            };
            let Some(ts_ms) = ts_ms else {
                fd.stats.rejected += 1;
                return Ok(());
            };
            let Some(c) = entry::counts(u, &KEYS)? else {
                fd.stats.rejected += 1;
                return Ok(());
            };
            let model = match flavor {
                Flavor::Pi => nonempty(m.get("model")).map(|m| format!("[pi] {m}")),
                Flavor::OpenClaw => {
                    let named = nonempty(m.get("modelId")).or_else(|| nonempty(m.get("model")));
                    Some(format!("[openclaw] {}", named.or(current.as_deref()).unwrap_or("unknown")))
                }
            };
            let cost = u.pointer("/cost/total").and_then(Value::as_f64).unwrap_or(f64::NAN);
            entry::push(
                fd,
                Entry {
                    ts_ms,
                    model: model.as_deref().unwrap_or_default(),
                    counts: c,
                    extra_billed: false,
                    cost_usd: cost,
                    cwd: cwd.as_deref(),
                    session: Some(session),
                    id: None,
                    provider: None,
                    line: no,
                },
            );
            Ok(())
        },
    );
    fd
}
