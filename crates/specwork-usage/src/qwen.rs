//! Qwen Code chats (`$QWEN_DATA_DIR/projects/<project>/chats/<session>.jsonl`, default `~/.qwen`).
//!
//! Rules (ccusage 20.0.24): a line counts when it is an object with `"type":"assistant"` and a
//! `usageMetadata`: input = `promptTokenCount` (cached tokens are not taken out), output =
//! `candidatesTokenCount`, cache read = `cachedContentTokenCount`, extra = `thoughtsTokenCount`;
//! a `totalTokenCount` above the parts adds the rest to output when output is 0, else to extra;
//! all zero is skipped. The time is `timestamp` when it is strict RFC 3339, else the file's
//! modification time; the model is `model` or `unknown`; the session is `sessionId`, else
//! `<project>-<file stem>`. Entries are deduplicated across files on (session, time, model,
//! tokens) — a `/branch` fork repeats its parent's records under a new session id, so both
//! count, as in ccusage. Priced as the first of `<model>`, `qwen/<model>`, `alibaba/<model>`
//! that has a price.

use std::sync::OnceLock;

use memchr::memmem::Finder;

use crate::entry::{self, Entry, Keys, nonempty};
use crate::event::FileData;
use crate::time::parse_strict_ms;

fn finder() -> &'static Finder<'static> {
    static F: OnceLock<Finder<'static>> = OnceLock::new();
    F.get_or_init(|| Finder::new(b"\"usageMetadata\""))
}

const KEYS: Keys = Keys {
    input: "promptTokenCount",
    output: "candidatesTokenCount",
    cache_write: "",
    cache_read: "cachedContentTokenCount",
    extra: "thoughtsTokenCount",
    total: "totalTokenCount",
};

/// Parses one chat file. `project` and `stem` name the session of records without `sessionId`.
pub(crate) fn parse(data: &[u8], mtime_ms: i64, project: &str, stem: &str) -> FileData {
    let mut fd = FileData::default();
    let fallback_session = format!("{project}-{stem}");
    entry::jsonl(
        data,
        &mut fd,
        |l| finder().find(l).is_some(),
        |no, v, fd| {
            let Some(o) = v.as_object() else { return Ok(()) };
            if o.get("type").and_then(|t| t.as_str()) != Some("assistant") {
                return Ok(());
            }
            let Some(um) = o.get("usageMetadata") else { return Ok(()) };
            let Some(c) = entry::counts(um, &KEYS)? else {
                fd.stats.rejected += 1;
                return Ok(());
            };
            let ts_ms = nonempty(o.get("timestamp")).and_then(parse_strict_ms).unwrap_or(mtime_ms);
            entry::push(
                fd,
                Entry {
                    ts_ms,
                    model: nonempty(o.get("model")).unwrap_or("unknown"),
                    counts: c,
                    extra_billed: true,
                    cost_usd: f64::NAN,
                    cwd: nonempty(o.get("cwd")),
                    session: Some(nonempty(o.get("sessionId")).unwrap_or(&fallback_session)),
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
