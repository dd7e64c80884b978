//! OpenCode messages (`$OPENCODE_DATA_DIR/storage/message/**/*.json`, default
//! `${XDG_DATA_HOME:-~/.local/share}/opencode`).
//!
//! Rules (ccusage 20.0.24): a message counts when it is an object with a `tokens` object, a
//! non-empty `modelID` and `providerID`; its time is `time.created` (ms). Input =
//! `tokens.input`, output = `tokens.output`, cache write/read = `tokens.cache.write/read`, extra
//! = `tokens.reasoning` (counted in the total, billed as output); a `tokens.total` above the
//! parts adds the rest to output when output is 0, else to extra; all zero is skipped. The cost
//! is the message's `cost` when above 0, else priced from the tokens under the first priced name
//! of `modelID`, its `claude-x-y` spelling and `<provider>/<model>`. A message id seen before is
//! skipped.
//!
//! Not read yet: `opencode.db`, the SQLite store of OpenCode 1.2 and later (ccusage reads it
//! first). Messages written only there are missing from specwork's totals.

use serde_json::Value;

use crate::entry::{self, Counts, Entry, nonempty};
use crate::event::{FileData, IssueKind};

/// Parses one legacy message file.
pub(crate) fn parse(data: &[u8]) -> FileData {
    let mut fd = FileData::default();
    let Some(doc) = entry::json_file(data, &mut fd) else { return fd };
    let Some(tk) = doc.get("tokens").filter(|t| t.is_object()) else { return fd };
    fd.stats.usage_lines += 1;
    let mut bad = false;
    let cache = tk.get("cache");
    let mut c = Counts {
        input: entry::count(tk.get("input"), false, &mut bad),
        output: entry::count(tk.get("output"), false, &mut bad),
        cache_write: entry::count(cache.and_then(|c| c.get("write")), false, &mut bad),
        cache_read: entry::count(cache.and_then(|c| c.get("read")), false, &mut bad),
        extra: entry::count(tk.get("reasoning"), false, &mut bad),
    };
    let total = entry::count(tk.get("total"), false, &mut bad);
    if bad {
        fd.issues.push((1, IssueKind::OutOfRange));
        return fd;
    }
    c.apply_total(total);
    let (Some(model), Some(provider)) = (nonempty(doc.get("modelID")), nonempty(doc.get("providerID"))) else {
        return fd;
    };
    if c.is_zero() {
        fd.stats.rejected += 1;
        return fd;
    }
    let ts_ms = doc.pointer("/time/created").and_then(Value::as_i64).unwrap_or(0);
    let cost = doc.get("cost").and_then(Value::as_f64).filter(|c| *c > 0.0).unwrap_or(f64::NAN);
    entry::push(
        &mut fd,
        Entry {
            ts_ms,
            model,
            counts: c,
            extra_billed: true,
            cost_usd: cost,
            cwd: nonempty(doc.pointer("/path/cwd")),
            session: nonempty(doc.get("sessionID")),
            id: nonempty(doc.get("id")),
            provider: Some(provider),
            line: 1,
        },
    );
    fd
}
