//! ZCode's usage ledger (`$ZCODE_HOME/cli/db/db.sqlite`, default `~/.zcode`; the variable may
//! list several homes), as ccusage 20.0.24 counts it.
//!
//! One row of `model_usage` per model request; only `status = 'completed'` rows count, joined
//! with `session` for the working directory (`directory`). `input_tokens` includes the cache
//! reads and writes, which are carved out of it; `computed_total_tokens` above the parts adds the
//! rest as output (when there is none) or as extra tokens billed as output. The cache and total
//! columns are optional (older databases); the others are required, else the database is
//! reported as unreadable. A row without id, session or model, or with `started_at` (Unix ms)
//! not above 0, is skipped; a negative count reads as 0; a row id seen before (in an earlier
//! home) counts once. ZCode records no cost: rows are priced, as `zai/<model>` first, but only
//! for Z.ai's own providers (`provider_id` null, `zai`, `zai-coding-plan`,
//! `builtin:zai-coding-plan`, `builtin:bigmodel-coding-plan`); other providers' rows are unpriced.

use std::path::Path;

use rusqlite::types::ValueRef;

use crate::entry::{Counts, Entry};
use crate::event::{FileData, IssueKind, MAX_TOKENS};

/// The providers whose rows ccusage 20.0.24 prices (Z.ai's own).
const PRICED_PROVIDERS: [&str; 4] =
    ["zai", "zai-coding-plan", "builtin:zai-coding-plan", "builtin:bigmodel-coding-plan"];

/// The columns a database may lack (older ZCode versions), in query order.
const OPTIONAL: [&str; 4] =
    ["cache_creation_input_tokens", "cache_read_input_tokens", "computed_total_tokens", "provider_id"];

struct Row {
    id: Option<String>,
    session: Option<String>,
    started: i64,
    model: Option<String>,
    /// input, output, cache write, cache read, computed total.
    tokens: [i64; 5],
    provider: Option<String>,
    directory: Option<String>,
}

/// A text (or integer) column as text.
fn text(v: rusqlite::Result<ValueRef<'_>>) -> Option<String> {
    match v.ok()? {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads ZCode's `model_usage` table; a database that cannot be read is reported as unreadable.
pub(crate) fn parse_db(path: &Path) -> FileData {
    let mut fd = FileData::default();
    let probe = "SELECT name FROM pragma_table_info('model_usage')";
    let Some(columns) = crate::sqlite::rows(&mut fd, path, probe, |r| r.get::<_, String>(0)) else { return fd };
    // SQLite reads a number stored as text or real as its integer part, as ccusage does.
    let num = |c: &str| if columns.iter().any(|n| n == c) { format!("CAST(m.{c} AS INTEGER)") } else { "0".to_owned() };
    let provider = if columns.iter().any(|n| n == OPTIONAL[3]) { "m.provider_id" } else { "NULL" };
    let sql = format!(
        "SELECT m.id, m.session_id, CAST(m.started_at AS INTEGER), m.model_id, CAST(m.input_tokens AS INTEGER), \
         CAST(m.output_tokens AS INTEGER), {}, {}, {}, {provider}, s.directory \
         FROM model_usage m LEFT JOIN session s ON s.id = m.session_id WHERE m.status = 'completed'",
        num(OPTIONAL[0]),
        num(OPTIONAL[1]),
        num(OPTIONAL[2]),
    );
    let rows = crate::sqlite::rows(&mut fd, path, &sql, |r| {
        let int = |i: usize| r.get::<_, Option<i64>>(i).ok().flatten().unwrap_or(0);
        Ok(Row {
            id: text(r.get_ref(0)),
            session: text(r.get_ref(1)),
            started: int(2),
            model: text(r.get_ref(3)).map(|m| m.trim().to_owned()),
            tokens: [int(4), int(5), int(6), int(7), int(8)],
            provider: r.get::<_, Option<String>>(9).ok().flatten(),
            directory: r.get::<_, Option<String>>(10).ok().flatten(),
        })
    });
    let Some(rows) = rows else { return fd };
    for (no, row) in (1u32..).zip(rows) {
        fd.stats.lines += 1;
        let (Some(id), Some(session), Some(model)) = (row.id, row.session, row.model.filter(|m| !m.is_empty())) else {
            continue;
        };
        if row.started <= 0 || row.started >= 9_000_000_000_000_000 {
            continue;
        }
        let [input, output, write, read, total] = row.tokens.map(|n| n.max(0) as u64);
        let mut counts = Counts::from_inclusive(input, output, read, write, 0);
        counts.apply_total(total);
        if counts.is_zero() {
            continue;
        }
        fd.stats.usage_lines += 1;
        if [input, output, write, read, total].iter().any(|n| *n > MAX_TOKENS) {
            fd.issues.push((no, IssueKind::OutOfRange));
            continue;
        }
        crate::entry::push(
            &mut fd,
            Entry {
                ts_ms: row.started,
                model: &model,
                counts,
                extra_billed: true,
                cost_usd: f64::NAN,
                cwd: row.directory.as_deref().filter(|d| !d.trim().is_empty()),
                session: Some(&session),
                id: Some(&id),
                provider: row.provider.as_deref(),
                line: no,
            },
        );
    }
    fd
}

/// The names a ZCode row is priced under, first priced wins (after the model's exact entry):
/// Z.ai's entry first; none for a provider other than Z.ai's own.
pub(crate) fn price_names(model: &str, provider: Option<&str>) -> Vec<String> {
    if provider.is_some_and(|p| !PRICED_PROVIDERS.contains(&p)) {
        return Vec::new();
    }
    let lower = model.to_ascii_lowercase();
    vec![format!("zai/{model}"), format!("zai/{lower}"), lower, model.to_owned()]
}

/// Whether the model's own name is looked up exactly before [`price_names`] (a row of another
/// provider is never priced).
pub(crate) fn exact_first(provider: Option<&str>) -> bool {
    provider.is_none_or(|p| PRICED_PROVIDERS.contains(&p))
}
