//! Hermes Agent's state store (`$HERMES_HOME/state.db`, default `~/.hermes`; the variable may
//! list several homes).
//!
//! Hermes keeps usage per session: ccusage 20.0.24 counts each row of `sessions` with a
//! non-empty `model` as one entry at its `started_at` (Unix seconds, or ms above 10^12): input
//! = `input_tokens`, output = `output_tokens`, cache read/write = `cache_read_tokens` /
//! `cache_write_tokens`, extra = `reasoning_tokens` (billed as output); a row with no tokens and
//! no cost is skipped. The cost is `actual_cost_usd` when above 0 (an estimate alone is not
//! taken: ccusage 20.0.24 prices those sessions from their tokens), else priced as `<provider>/<model>` (`billing_provider` normalised, else guessed from the
//! model; not for `hermes`), then `<model>`. A session id seen in an earlier home is skipped.

use std::path::Path;

use rusqlite::types::ValueRef;

use crate::entry::{Counts, Entry};
use crate::event::{FileData, IssueKind, MAX_TOKENS};

const QUERY: &str = "SELECT id, model, billing_provider, started_at, input_tokens, output_tokens, \
    cache_read_tokens, cache_write_tokens, reasoning_tokens, actual_cost_usd FROM sessions \
    WHERE model IS NOT NULL AND TRIM(model) != ''";

struct Row {
    id: Option<String>,
    model: Option<String>,
    provider: Option<String>,
    started: Option<f64>,
    /// input, output, cache read, cache write, reasoning.
    tokens: [u64; 5],
    cost: Option<f64>,
}

fn number(v: ValueRef<'_>) -> Option<f64> {
    match v {
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(x) if x.is_finite() => Some(x),
        _ => None,
    }
}

/// Reads Hermes's `sessions` table; a database that cannot be read is reported as unreadable.
pub(crate) fn parse_db(path: &Path) -> FileData {
    let mut fd = FileData::default();
    let rows = crate::sqlite::rows(&mut fd, path, QUERY, |r| {
        let num = |i: usize| r.get_ref(i).ok().and_then(number);
        let count = |i: usize| match r.get_ref(i) {
            Ok(ValueRef::Integer(n)) => n.max(0) as u64,
            Ok(ValueRef::Real(x)) if x.is_finite() && x > 0.0 => x.trunc() as u64,
            _ => 0,
        };
        let cost = |i: usize| num(i).map(|c| c.max(0.0));
        Ok(Row {
            id: r.get::<_, Option<String>>(0).ok().flatten(),
            model: r.get::<_, Option<String>>(1).ok().flatten().map(|m| m.trim().to_owned()),
            provider: r.get::<_, Option<String>>(2).ok().flatten(),
            started: num(3),
            tokens: [count(4), count(5), count(6), count(7), count(8)],
            cost: cost(9),
        })
    });
    let Some(rows) = rows else { return fd };
    for (no, row) in (1u32..).zip(rows) {
        fd.stats.lines += 1;
        let (Some(id), Some(model)) = (row.id.filter(|i| !i.is_empty()), row.model.filter(|m| !m.is_empty())) else {
            continue;
        };
        let Some(ts_ms) =
            row.started.map(|s| if s > 1e12 { s } else { s * 1000.0 }).filter(|ms| *ms > 0.0 && *ms < 9e15)
        else {
            continue;
        };
        let [input, output, cache_read, cache_write, reasoning] = row.tokens;
        let counts = Counts { input, output, cache_write, cache_read, extra: reasoning };
        if counts.is_zero() && row.cost.unwrap_or(0.0) == 0.0 {
            continue;
        }
        fd.stats.usage_lines += 1;
        if row.tokens.iter().any(|n| *n > MAX_TOKENS) {
            fd.issues.push((no, IssueKind::OutOfRange));
            continue;
        }
        let provider = provider(row.provider.as_deref(), &model);
        crate::entry::push(
            &mut fd,
            Entry {
                ts_ms: ts_ms.trunc() as i64,
                model: &model,
                counts,
                extra_billed: true,
                cost_usd: row.cost.filter(|c| *c > 0.0).unwrap_or(f64::NAN),
                cwd: None,
                session: Some(&id),
                id: None,
                provider: Some(&provider),
                line: no,
            },
        );
    }
    fd
}

fn provider(raw: Option<&str>, model: &str) -> String {
    let Some(v) = raw.map(str::trim).filter(|v| !v.is_empty()) else {
        let m = model.to_ascii_lowercase();
        let o_series = m.starts_with('o') && m.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
        let p = if m.starts_with("claude-") || m.starts_with("claude/") {
            "anthropic"
        } else if m.starts_with("gpt") || m.starts_with("chatgpt") || o_series {
            "openai"
        } else if m.starts_with("gemini-") || m.starts_with("gemini/") {
            "google"
        } else {
            "hermes"
        };
        return p.to_owned();
    };
    let n = v.to_ascii_lowercase().replace('-', "_");
    match n.as_str() {
        "anthropic" | "claude" => "anthropic".to_owned(),
        "openai" | "openai_codex" => "openai".to_owned(),
        "google" | "google_ai" | "gemini" | "vertex" | "vertex_ai" => "google".to_owned(),
        _ => n,
    }
}

/// The names a Hermes session is priced under, first priced wins.
pub(crate) fn price_names(model: &str, provider: Option<&str>) -> Vec<String> {
    let p = provider.filter(|p| *p != "hermes");
    p.map(|p| format!("{p}/{model}")).into_iter().chain([model.to_owned()]).collect()
}
