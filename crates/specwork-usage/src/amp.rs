//! Amp threads (`$AMP_DATA_DIR/threads/**/*.json`, default `~/.local/share/amp`).
//!
//! Rules (ccusage 20.0.24): a thread must parse whole and have a non-empty `id`. With a
//! `usageLedger.events` list (threads of 2025), each event with a strict RFC 3339 `timestamp`, a
//! model and a `tokens` object is one entry: input and output from `tokens`, cache write and read
//! from the usage of the assistant message its `toMessageId` names; message usage is then not
//! read. Without a ledger, each assistant message with `usage` is one entry (time
//! `usage.timestamp`, else the message's; model `usage.model`, else the message's):
//! `inputTokens` (uncached), `outputTokens`, `cacheCreationInputTokens`, `cacheReadInputTokens`.
//! A stated total above the parts adds the rest to output when output is 0, else to extra; all
//! zero is skipped. No deduplication: a forked thread repeats its parent's messages and ccusage
//! counts both copies. The session is the thread id; the project is the thread's first tree.

use rustc_hash::FxHashMap;
use serde_json::Value;

use crate::entry::{self, Counts, Entry, nonempty};
use crate::event::{FileData, IssueKind};
use crate::time::parse_strict_ms;

fn int(v: Option<&Value>) -> Option<u64> {
    v.and_then(Value::as_u64)
}

/// Parses one thread file.
pub(crate) fn parse(data: &[u8]) -> FileData {
    let mut fd = FileData::default();
    let Some(doc) = entry::json_file(data, &mut fd) else { return fd };
    let Some(id) = nonempty(doc.get("id")) else { return fd };
    let cwd = doc
        .pointer("/env/initial/trees/0/uri")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix("file://"))
        .filter(|p| p.starts_with('/'));
    let empty = Vec::new();
    let msgs = doc.get("messages").and_then(Value::as_array).unwrap_or(&empty);
    // One entry: reported when a count is out of range, skipped when all zero.
    let push = |fd: &mut FileData, ts_ms: i64, model: &str, mut c: Counts, total: u64, bad: bool| {
        fd.stats.usage_lines += 1;
        if bad {
            fd.issues.push((1, IssueKind::OutOfRange));
            return;
        }
        c.apply_total(total);
        if c.is_zero() {
            return;
        }
        entry::push(
            fd,
            Entry {
                ts_ms,
                model,
                counts: c,
                extra_billed: true,
                cost_usd: f64::NAN,
                cwd,
                session: Some(id),
                id: None,
                provider: None,
                line: 1,
            },
        );
    };
    if let Some(events) = doc.pointer("/usageLedger/events").and_then(Value::as_array) {
        let mut cache: FxHashMap<u64, (u64, u64)> = FxHashMap::default();
        let mut bad = false;
        for m in msgs {
            if m.get("role").and_then(Value::as_str) == Some("assistant")
                && let Some(mid) = int(m.get("messageId"))
            {
                let u = m.get("usage");
                let g = |k: &str, bad: &mut bool| entry::count(u.and_then(|u| u.get(k)), false, bad);
                cache.insert(mid, (g("cacheCreationInputTokens", &mut bad), g("cacheReadInputTokens", &mut bad)));
            }
        }
        for ev in events {
            let ts = nonempty(ev.get("timestamp")).and_then(parse_strict_ms);
            let model = nonempty(ev.get("model"));
            let (Some(ts_ms), Some(model), Some(tk)) = (ts, model, ev.get("tokens")) else { continue };
            let (cw, cr) = int(ev.get("toMessageId")).and_then(|to| cache.get(&to).copied()).unwrap_or((0, 0));
            let mut ebad = bad;
            let c = Counts {
                input: entry::count(tk.get("input"), false, &mut ebad),
                output: entry::count(tk.get("output"), false, &mut ebad),
                cache_write: cw,
                cache_read: cr,
                extra: 0,
            };
            let total = entry::count(tk.get("total"), false, &mut ebad);
            push(&mut fd, ts_ms, model, c, total, ebad);
        }
        return fd;
    }
    for m in msgs {
        if m.get("role").and_then(Value::as_str) != Some("assistant") {
            continue;
        }
        let Some(u) = m.get("usage") else { continue };
        let ts = nonempty(u.get("timestamp")).or_else(|| nonempty(m.get("timestamp"))).and_then(parse_strict_ms);
        let model = nonempty(u.get("model")).or_else(|| nonempty(m.get("model")));
        let (Some(ts_ms), Some(model)) = (ts, model) else { continue };
        let mut bad = false;
        let c = Counts {
            input: entry::count(u.get("inputTokens"), false, &mut bad),
            output: entry::count(u.get("outputTokens"), false, &mut bad),
            cache_write: entry::count(u.get("cacheCreationInputTokens"), false, &mut bad),
            cache_read: entry::count(u.get("cacheReadInputTokens"), false, &mut bad),
            extra: 0,
        };
        let total = entry::count(u.get("totalTokens"), false, &mut bad);
        push(&mut fd, ts_ms, model, c, total, bad);
    }
    fd
}
