//! Goose's session store (`$GOOSE_PATH_ROOT/data/sessions/sessions.db`, default
//! `~/.local/share/goose/sessions/sessions.db`, `~/Library/Application
//! Support/goose/sessions/sessions.db`, `~/.local/share/Block/goose/sessions/sessions.db`).
//!
//! Goose keeps usage per session, not per call: ccusage 20.0.24 counts each row of `sessions`
//! with a `model_config_json` naming a `model_name` as one entry at its `created_at` (Unix
//! seconds or ms, RFC 3339, `YYYY-MM-DD HH:MM:SS` as UTC, or a date): input =
//! `accumulated_input_tokens` (else `input_tokens`), output = `accumulated_output_tokens` (else
//! `output_tokens`), extra = what `accumulated_total_tokens` (else `total_tokens`) has beyond
//! them (billed as output); all zero is skipped. The session is the row's `id`. Priced as
//! `<model>`, else `<provider>/<model>` (`provider_name` with `-` as `_`, else guessed from
//! the model's name). Goose records no cache tokens.

use std::path::Path;

use rusqlite::types::ValueRef;
use serde_json::Value;

use crate::entry::{Counts, Entry};
use crate::event::{FileData, IssueKind};
use crate::time::parse_strict_ms;

const QUERY: &str = "SELECT id, model_config_json, provider_name, created_at, total_tokens, input_tokens, \
    output_tokens, accumulated_total_tokens, accumulated_input_tokens, accumulated_output_tokens FROM sessions \
    WHERE model_config_json IS NOT NULL AND TRIM(model_config_json) != ''";

/// One session row: id, model, provider, time, and the six token columns (positive or `None`).
struct Row {
    id: String,
    model: Option<String>,
    provider: Option<String>,
    ts_ms: Option<i64>,
    tokens: [Option<u64>; 6],
}

fn time_of(v: ValueRef<'_>) -> Option<i64> {
    let text = match v {
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).trim().to_owned(),
        _ => return None,
    };
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<i64>() {
        let ms = if n > 1_000_000_000_000 { n } else { n.checked_mul(1000)? };
        return (ms > 0).then_some(ms);
    }
    if let Some(ms) = parse_strict_ms(&text) {
        return Some(ms);
    }
    let b = text.as_bytes();
    if b.len() == 19 && b[4] == b'-' && b[7] == b'-' && matches!(b[10], b' ' | b'T') {
        return parse_strict_ms(&format!("{}T{}Z", &text[..10], &text[11..]));
    }
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        return parse_strict_ms(&format!("{text}T00:00:00Z"));
    }
    None
}

fn read_rows(fd: &mut FileData, path: &Path) -> Option<Vec<Row>> {
    crate::sqlite::rows(fd, path, QUERY, |r| {
        let text = |i: usize| r.get::<_, Option<String>>(i).ok().flatten();
        let positive = |i: usize| r.get::<_, Option<i64>>(i).ok().flatten().filter(|n| *n > 0).map(|n| n as u64);
        let model = text(1)
            .and_then(|c| serde_json::from_str::<Value>(&c).ok())
            .and_then(|v| v.get("model_name").and_then(Value::as_str).map(|m| m.trim().to_owned()))
            .filter(|m| !m.is_empty());
        Ok(Row {
            id: text(0).unwrap_or_default(),
            model,
            provider: text(2),
            ts_ms: r.get_ref(3).ok().and_then(time_of),
            tokens: [positive(4), positive(5), positive(6), positive(7), positive(8), positive(9)],
        })
    })
}

/// Reads Goose's `sessions` table; a database that cannot be read is reported as unreadable.
pub(crate) fn parse_db(path: &Path) -> FileData {
    let mut fd = FileData::default();
    let Some(rows) = read_rows(&mut fd, path) else { return fd };
    for (no, row) in (1u32..).zip(rows) {
        fd.stats.lines += 1;
        let (Some(model), Some(ts_ms)) = (row.model.as_deref(), row.ts_ms) else { continue };
        let [total, input, output, acc_total, acc_input, acc_output] = row.tokens;
        let input = acc_input.or(input).unwrap_or(0);
        let output = acc_output.or(output).unwrap_or(0);
        let total = acc_total.or(total).unwrap_or(input + output);
        if input == 0 && output == 0 && total == 0 {
            continue;
        }
        fd.stats.usage_lines += 1;
        if [input, output, total].iter().any(|n| *n > crate::event::MAX_TOKENS) {
            fd.issues.push((no, IssueKind::OutOfRange));
            continue;
        }
        let counts = Counts { input, output, extra: total.saturating_sub(input + output), ..Counts::default() };
        let provider = provider(row.provider.as_deref(), model);
        crate::entry::push(
            &mut fd,
            Entry {
                ts_ms,
                model,
                counts,
                extra_billed: true,
                cost_usd: f64::NAN,
                cwd: None,
                session: Some(&row.id),
                id: None,
                provider: Some(&provider),
                line: no,
            },
        );
    }
    fd
}

fn provider(name: Option<&str>, model: &str) -> String {
    if let Some(p) = name.map(str::trim).filter(|p| !p.is_empty()) {
        return p.replace('-', "_");
    }
    let p = if model.starts_with("claude-") {
        "anthropic"
    } else if model.starts_with("gpt-") || model.starts_with("chatgpt-") || model.starts_with('o') {
        "openai"
    } else if model.starts_with("gemini-") {
        "google"
    } else if model.to_ascii_lowercase().starts_with("qwen") {
        "openrouter"
    } else {
        "goose"
    };
    p.to_owned()
}

/// The names a Goose session is priced under, first priced wins.
pub(crate) fn price_names(model: &str, provider: Option<&str>) -> Vec<String> {
    let p = provider.filter(|p| *p != "goose");
    std::iter::once(model.to_owned()).chain(p.map(|p| format!("{p}/{model}"))).collect()
}
