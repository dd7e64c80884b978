//! Codebuff's chats (`$CODEBUFF_DATA_DIR/projects/<project>/chats/<chat>/chat-messages.json`,
//! default `~/.config/manicode`, `manicode-dev` and `manicode-staging`).
//!
//! Rules (ccusage 20.0.24): the file is a JSON array of messages; one whose `variant` (else
//! `role`) is `ai`, `agent` or `assistant` is a call when its usage has any tokens or credits.
//! The usage is read from `metadata.usage`, then `metadata.codebuff.usage`, then the assistant
//! entries of `metadata.runState.sessionState.mainAgentState.messageHistory` (latest first,
//! `providerOptions.usage` and `providerOptions.codebuff.usage`), each filling only the counts
//! still 0: input = `inputTokens`/`input_tokens`/`promptTokens`/`prompt_tokens`, output =
//! `outputTokens`/`output_tokens`/`completionTokens`/`completion_tokens`, cache read =
//! `cacheReadInputTokens` or the prompt details' cached tokens, cache write =
//! `cacheCreationInputTokens` and its spellings; a total (`totalTokens`/`total_tokens`/`total`)
//! above the parts adds the rest to output when output is 0, else to extra (billed as output).
//! The model is `metadata.model`, a usage object's `model`, or `codebuff-unknown`; the time the
//! message's `timestamp`, `createdAt` or `metadata.timestamp` (RFC 3339, or Unix seconds or
//! ms), else the chat folder's name (`2025-10-01T12-30-00.000Z`), else the file's modification
//! time. The session is `<channel>/<project>/<chat>`. A message id seen again in the session
//! replaces the earlier call. Priced as `<model>`, else `<provider>/<model>` with the provider
//! read from the model's name.

use serde_json::{Map, Value};

use crate::entry::{self, Counts, Entry, nonempty};
use crate::event::{FileData, IssueKind, MAX_TOKENS};
use crate::time::parse_strict_ms;

/// The model of a call that names none.
const UNKNOWN_MODEL: &str = "codebuff-unknown";

#[derive(Default)]
struct Usage {
    model: Option<String>,
    credits: f64,
    counts: Counts,
}

impl Usage {
    fn has_signal(&self) -> bool {
        !self.counts.is_zero() || self.credits > 0.0
    }

    /// Fills what is still 0 (or unset) from `other`.
    fn fill(&mut self, other: Usage) {
        let (c, o) = (&mut self.counts, other.counts);
        for (a, b) in [
            (&mut c.input, o.input),
            (&mut c.output, o.output),
            (&mut c.cache_write, o.cache_write),
            (&mut c.cache_read, o.cache_read),
            (&mut c.extra, o.extra),
        ] {
            if *a == 0 {
                *a = b;
            }
        }
        if self.credits <= 0.0 {
            self.credits = other.credits;
        }
        if self.model.is_none() {
            self.model = other.model;
        }
    }
}

fn string(o: &Map<String, Value>, k: &str) -> Option<String> {
    nonempty(o.get(k)).map(str::to_owned)
}

fn positive(o: &Map<String, Value>, k: &str) -> f64 {
    o.get(k).and_then(Value::as_f64).filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0)
}

/// The first of `keys` holding a count above 0; one above the sane range sets `bad`.
fn pick(o: &Map<String, Value>, keys: &[&str], bad: &mut bool) -> u64 {
    let v = keys.iter().filter_map(|k| o.get(*k)).find_map(|v| v.as_u64().filter(|n| *n > 0)).unwrap_or(0);
    if v > MAX_TOKENS {
        *bad = true;
        return 0;
    }
    v
}

fn usage_object(v: Option<&Value>, bad: &mut bool) -> Usage {
    let Some(o) = v.and_then(Value::as_object) else { return Usage::default() };
    let nested =
        |k: &str, keys: &[&str], bad: &mut bool| o.get(k).and_then(Value::as_object).map_or(0, |n| pick(n, keys, bad));
    let mut c = Counts {
        input: pick(o, &["inputTokens", "input_tokens", "promptTokens", "prompt_tokens"], bad),
        output: pick(o, &["outputTokens", "output_tokens", "completionTokens", "completion_tokens"], bad),
        cache_write: pick(
            o,
            &[
                "cacheCreationInputTokens",
                "cache_creation_input_tokens",
                "cacheCreationTokens",
                "cache_creation_tokens",
                "cachedTokensCreated",
                "cached_tokens_created",
            ],
            bad,
        ),
        cache_read: pick(o, &["cacheReadInputTokens", "cache_read_input_tokens"], bad)
            .max(nested("promptTokensDetails", &["cachedTokens"], bad))
            .max(nested("prompt_tokens_details", &["cached_tokens"], bad)),
        extra: 0,
    };
    c.apply_total(pick(o, &["totalTokens", "total_tokens", "total"], bad));
    Usage { model: string(o, "model"), credits: positive(o, "credits"), counts: c }
}

fn run_state_usage(meta: &Map<String, Value>, bad: &mut bool) -> Option<Usage> {
    let history = meta.get("runState")?.pointer("/sessionState/mainAgentState/messageHistory")?.as_array()?;
    let mut usage = Usage::default();
    let mut found = false;
    for e in history.iter().rev().filter_map(Value::as_object) {
        if nonempty(e.get("role")) != Some("assistant") {
            continue;
        }
        let Some(po) = e.get("providerOptions").and_then(Value::as_object) else { continue };
        let mut u = usage_object(po.get("usage"), bad);
        if let Some(cb) = po.get("codebuff").and_then(Value::as_object) {
            u.fill(usage_object(cb.get("usage"), bad));
            u.model = string(cb, "model").or(u.model);
        }
        found |= u.has_signal() || u.model.is_some();
        usage.fill(u);
    }
    found.then_some(usage)
}

fn time_of(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::String(s) => parse_strict_ms(s),
        Value::Number(n) => {
            let raw = n.as_i64()?;
            let ms = if raw < 10_000_000_000 { raw.checked_mul(1000)? } else { raw };
            (ms > 0).then_some(ms)
        }
        _ => None,
    }
}

/// The time in a chat folder's name, `2025-10-01T12-30-00.000Z`.
pub(crate) fn chat_time(chat: &str) -> Option<i64> {
    let (date, time) = chat.split_once('T')?;
    let time = time.replacen('-', ":", 2);
    parse_strict_ms(&format!("{date}T{time}"))
}

/// Parses one `chat-messages.json` of session `session`; `chat_ms` is the chat folder's time.
pub(crate) fn parse(data: &[u8], session: &str, chat_ms: Option<i64>, mtime_ms: i64) -> FileData {
    let mut fd = FileData::default();
    let Some(doc) = entry::json_file(data, &mut fd) else { return fd };
    let Some(messages) = doc.as_array() else { return fd };
    for (ordinal, m) in messages.iter().enumerate() {
        let Some(m) = m.as_object() else { continue };
        let role = nonempty(m.get("variant")).or_else(|| nonempty(m.get("role")));
        if !matches!(role, Some("ai" | "agent" | "assistant")) {
            continue;
        }
        let mut bad = false;
        let mut u = Usage::default();
        let meta = m.get("metadata").and_then(Value::as_object);
        if let Some(meta) = meta {
            u.model = string(meta, "model");
            u.fill(usage_object(meta.get("usage"), &mut bad));
            u.fill(usage_object(meta.get("codebuff").and_then(|c| c.get("usage")), &mut bad));
            if let Some(r) = run_state_usage(meta, &mut bad) {
                u.fill(r);
            }
        }
        let credits = positive(m, "credits");
        if credits > 0.0 && u.credits <= 0.0 {
            u.credits = credits;
        }
        if !u.has_signal() {
            continue;
        }
        fd.stats.usage_lines += 1;
        if bad {
            fd.issues.push((1, IssueKind::OutOfRange));
            continue;
        }
        let ts_ms = time_of(m.get("timestamp"))
            .or_else(|| time_of(m.get("createdAt")))
            .or_else(|| meta.and_then(|x| time_of(x.get("timestamp"))))
            .or(chat_ms)
            .unwrap_or(mtime_ms);
        let model = u.model.unwrap_or_else(|| UNKNOWN_MODEL.to_owned());
        let id = string(m, "id").unwrap_or_else(|| format!("#{ordinal}"));
        entry::push(
            &mut fd,
            Entry {
                ts_ms,
                model: &model,
                counts: u.counts,
                extra_billed: true,
                cost_usd: f64::NAN,
                cwd: None,
                session: Some(session),
                id: Some(&id),
                provider: None,
                line: 1,
            },
        );
    }
    fd
}

/// The names a Codebuff call is priced under, first priced wins.
pub(crate) fn price_names(model: &str) -> Vec<String> {
    let m = model.to_ascii_lowercase();
    let provider = if m.starts_with("claude-") || m.starts_with("anthropic/") || m.starts_with("anthropic.") {
        "anthropic"
    } else if ["gpt-", "o1", "o3", "o4", "openai/"].iter().any(|p| m.starts_with(p)) {
        "openai"
    } else if m.starts_with("gemini") || m.starts_with("google/") {
        "google"
    } else if m.starts_with("grok") || m.starts_with("xai/") {
        "xai"
    } else if m.starts_with("openrouter/") {
        "openrouter"
    } else {
        return vec![model.to_owned()];
    };
    let mut v = vec![model.to_owned()];
    if !model.starts_with(&format!("{provider}/")) {
        v.push(format!("{provider}/{model}"));
    }
    v
}
