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
//! OpenCode 1.2 and later keep messages in SQLite, `<dir>/opencode.db` (else the first
//! `opencode-<channel>.db`): each row of `message` (`id`, `session_id`, `data` JSON) is read
//! with the same rules, the row's id and session standing for the message's. The database is
//! read before the message files, so a message in both counts once, as the database has it.
//! Its size and time include its write-ahead log (`-wal`), where new messages land first.
//!
//! Kilo Code's CLI, an OpenCode fork, keeps the same table in `$KILO_DATA_DIR/kilo.db` (default
//! `~/.local/share/kilo`), read with ccusage's Kilo rules: only `role` `assistant`, a time is
//! required (`time.created`, seconds or ms), the session is the message's `session_id` else the
//! row's, the id the message's `id` else `<database>:<row id>`, the provider is optional, a
//! recorded `cost` is taken even when 0, and the price is `<provider>/<model>` (provider `-` as
//! `_`, not for `kilo`) before `<model>`.

use std::path::Path;

use serde_json::Value;

use crate::entry::{self, Counts, Entry, nonempty};
use crate::event::{FileData, IssueKind};

/// Whose database it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Store {
    OpenCode,
    Kilo,
}

/// Parses one legacy message file.
pub(crate) fn parse(data: &[u8]) -> FileData {
    let mut fd = FileData::default();
    if let Some(doc) = entry::json_file(data, &mut fd) {
        message(&mut fd, &doc, Store::OpenCode, None, None, 1);
    }
    fd
}

/// A row of `message`: id, session id, data (each `None` when not text).
type Row = (Option<String>, Option<String>, Option<String>);

/// Reads the `message` table of an OpenCode database (opened read-only). A database that cannot
/// be read is reported as unreadable (and read again next time); a row whose `data` is not JSON
/// as a corrupt line, numbered by row.
pub(crate) fn parse_db(path: &Path, store: Store) -> FileData {
    let mut fd = FileData::default();
    let sql = "SELECT id, session_id, data FROM message";
    let rows = crate::sqlite::rows(&mut fd, path, sql, |r| -> rusqlite::Result<Row> {
        Ok((r.get(0).ok(), r.get(1).ok(), r.get(2).ok()))
    });
    let Some(rows) = rows else { return fd };
    for (no, (id, session, data)) in (1u32..).zip(rows) {
        fd.stats.lines += 1;
        let (Some(id), Some(session), Some(data)) = (id, session, data) else { continue };
        match serde_json::from_str::<Value>(&data) {
            Ok(doc) if store == Store::Kilo => {
                let id = nonempty(doc.get("id")).map_or_else(|| format!("{}:{id}", path.display()), str::to_owned);
                let session = nonempty(doc.get("session_id")).unwrap_or(&session).to_owned();
                message(&mut fd, &doc, store, Some(&id), Some(&session), no);
            }
            Ok(doc) => message(&mut fd, &doc, store, Some(&id), Some(&session), no),
            Err(_) => fd.issues.push((no, IssueKind::CorruptLine)),
        }
    }
    fd
}

/// The names a Kilo message is priced under, first priced wins.
pub(crate) fn kilo_price_names(model: &str, provider: Option<&str>) -> Vec<String> {
    let p = provider.map(|p| p.replace('-', "_")).filter(|p| p != "unknown" && p != "kilo");
    p.map(|p| format!("{p}/{model}")).into_iter().chain([model.to_owned()]).collect()
}

/// One message, from a file or a database row (whose id and session stand for the message's).
fn message(fd: &mut FileData, doc: &Value, store: Store, id: Option<&str>, session: Option<&str>, line: u32) {
    if store == Store::Kilo && doc.get("role").and_then(Value::as_str) != Some("assistant") {
        return;
    }
    let Some(tk) = doc.get("tokens").filter(|t| t.is_object()) else { return };
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
        fd.issues.push((line, IssueKind::OutOfRange));
        return;
    }
    c.apply_total(total);
    let provider = nonempty(doc.get("providerID"));
    let Some(model) = nonempty(doc.get("modelID")).filter(|_| provider.is_some() || store == Store::Kilo) else {
        return;
    };
    if c.is_zero() {
        fd.stats.rejected += 1;
        return;
    }
    let created = doc.pointer("/time/created").and_then(Value::as_i64);
    let (ts_ms, cost) = match store {
        Store::OpenCode => {
            (created.unwrap_or(0), doc.get("cost").and_then(Value::as_f64).filter(|c| *c > 0.0).unwrap_or(f64::NAN))
        }
        Store::Kilo => {
            let ms = created
                .filter(|t| *t > 0)
                .and_then(|t| if t < 1_000_000_000_000 { t.checked_mul(1000) } else { Some(t) });
            let Some(ms) = ms else {
                fd.stats.rejected += 1;
                return;
            };
            (ms, doc.get("cost").and_then(Value::as_f64).unwrap_or(f64::NAN))
        }
    };
    entry::push(
        fd,
        Entry {
            ts_ms,
            model,
            counts: c,
            extra_billed: true,
            cost_usd: cost,
            cwd: nonempty(doc.pointer("/path/cwd")),
            session: session.or_else(|| nonempty(doc.get("sessionID"))),
            id: id.or_else(|| nonempty(doc.get("id"))),
            provider,
            line,
        },
    );
}
