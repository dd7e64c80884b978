//! Kimi Code CLI's wire logs (`$KIMI_DATA_DIR/sessions/<group>/<session>/wire.jsonl`, default
//! `~/.kimi`).
//!
//! Rules (ccusage 20.0.24): a line counts when it holds `"StatusUpdate"` and `"token_usage"`,
//! parses, and its `message.type` is `StatusUpdate`: input = `token_usage.input_other`
//! (uncached), output = `output`, cache write = `input_cache_creation`, cache read =
//! `input_cache_read`; a `total` above the parts adds the rest to output when output is 0, else
//! to extra; all zero is skipped. The time is `timestamp` (Unix seconds, truncated to the
//! millisecond), else the file's modification time; the session is the session folder's name;
//! the model is `model` of `<root>/config.json`, else `kimi-for-coding` (the Kimi Code plan's),
//! for every record. Entries are deduplicated across files on (session, `message_id`, time,
//! model, tokens) — a session copied under a second work-dir hash counts once. Priced as the
//! first priced of `<model>` → `moonshot/kimi-k2.5` before 2026-04-20T15:28:10.072Z and
//! `moonshot/kimi-k2.6` from then on (for `kimi-for-coding` only), `moonshot/<model>`,
//! `kimi/<model>`, `<model>`.
//!
//! Where specwork departs from ccusage: a Task subagent streams its own calls' status wrapped in
//! `SubagentEvent {event: {type: "StatusUpdate", …}}`; ccusage skips them (the wrapper's type is
//! not `StatusUpdate`), specwork counts them in the parent session, so its totals are higher
//! by exactly the subagents' tokens.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use serde_json::Value;

use crate::entry::{self, Entry, Keys, nonempty};
use crate::event::FileData;

/// The model Kimi Code's plan runs when `config.json` names none.
pub(crate) const DEFAULT_MODEL: &str = "kimi-for-coding";
/// When Kimi Code's plan moved from K2.5 to K2.6 (ccusage's cut-off, in ms).
const K2_6_FROM_MS: i64 = 1_776_698_890_072;

fn finders() -> &'static (Finder<'static>, Finder<'static>) {
    static F: OnceLock<(Finder<'static>, Finder<'static>)> = OnceLock::new();
    F.get_or_init(|| (Finder::new(b"\"StatusUpdate\""), Finder::new(b"\"token_usage\"")))
}

/// The model `<root>/config.json` names, else [`DEFAULT_MODEL`].
pub(crate) fn model_of_config(config: Option<&[u8]>) -> String {
    config
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| nonempty(v.get("model")).map(str::to_owned))
        .unwrap_or_else(|| DEFAULT_MODEL.to_owned())
}

/// The StatusUpdate payload of a record: its own, or a subagent's inside `SubagentEvent`.
fn status_payload(v: &Value) -> Option<&Value> {
    let m = v.get("message")?;
    match m.get("type")?.as_str()? {
        "StatusUpdate" => m.get("payload"),
        "SubagentEvent" => {
            let ev = m.pointer("/payload/event")?;
            (ev.get("type")?.as_str()? == "StatusUpdate").then(|| ev.get("payload")).flatten()
        }
        _ => None,
    }
}

const KEYS: Keys = Keys {
    input: "input_other",
    output: "output",
    cache_write: "input_cache_creation",
    cache_read: "input_cache_read",
    extra: "",
    total: "total",
};

/// Parses one wire file of session `session`, every record priced as `model`.
pub(crate) fn parse(data: &[u8], mtime_ms: i64, session: &str, model: &str) -> FileData {
    let mut fd = FileData::default();
    let (a, b) = finders();
    entry::jsonl(
        data,
        &mut fd,
        |l| a.find(l).is_some() && b.find(l).is_some(),
        |no, v, fd| {
            if v.get("type").and_then(Value::as_str) == Some("metadata") {
                return Ok(());
            }
            let Some(p) = status_payload(v) else { return Ok(()) };
            let Some(tu) = p.get("token_usage") else { return Ok(()) };
            let Some(c) = entry::counts(tu, &KEYS)? else {
                fd.stats.rejected += 1;
                return Ok(());
            };
            let ts_ms = v
                .get("timestamp")
                .and_then(Value::as_f64)
                .map(|s| (s * 1000.0).trunc())
                .filter(|ms| ms.is_finite() && ms.abs() < 9.0e15)
                .map_or(mtime_ms, |ms| ms as i64);
            let alias = (model == DEFAULT_MODEL).then_some(if ts_ms < K2_6_FROM_MS {
                "moonshot/kimi-k2.5"
            } else {
                "moonshot/kimi-k2.6"
            });
            entry::push(
                fd,
                Entry {
                    ts_ms,
                    model,
                    counts: c,
                    extra_billed: false,
                    cost_usd: f64::NAN,
                    cwd: None,
                    session: Some(session),
                    id: Some(nonempty(p.get("message_id")).unwrap_or_default()),
                    provider: alias,
                    line: no,
                },
            );
            Ok(())
        },
    );
    fd
}

/// The names a Kimi record is priced under (`alias` is the plan's model at the record's time),
/// first priced wins.
pub(crate) fn price_names(model: &str, alias: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = alias.map(str::to_owned).into_iter().collect();
    v.extend([format!("moonshot/{model}"), format!("kimi/{model}"), model.to_owned()]);
    v
}
