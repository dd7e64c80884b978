//! Factory's Droid (`$DROID_SESSIONS_DIR/**/<session>.settings.json`, default
//! `~/.factory/sessions`).
//!
//! Droid keeps no usage per call: each session's `<session>.settings.json`, rewritten as the
//! session runs, holds its cumulative `tokenUsage`, and ccusage 20.0.24 counts it as one entry.
//! Rules: the file must parse to an object with a `tokenUsage` object: input = `inputTokens`
//! (uncached), output = `outputTokens`, cache write = `cacheCreationTokens`, cache read =
//! `cacheReadTokens`, extra = `thinkingTokens` (billed as output); a `totalTokens` above the
//! parts adds the rest to output when output is 0, else to extra; all zero is skipped. The time
//! is `providerLockTimestamp` (strict RFC 3339), else the file's modification time, so the whole
//! session lands on the day its first call was made. The model is `model`, else the first
//! `Model: <name>` within the first 500 lines of the `<session>.jsonl` transcript beside it, else
//! `claude-`/`gpt-`/`gemini-`/`grok-unknown` after `providerLock`; then normalised (`custom:` and
//! `[...]` dropped, lower case, `.`, blanks and dash runs as one `-`). Of files sharing a session
//! id (a session continued after its folder was renamed) only the latest counts, by that time,
//! ties to the last path. Priced as the first priced of `<model>`, `<provider>/<model>` and
//! `openrouter/<provider>/<model>` (Droid's provider names mapped to LiteLLM's).
//!
//! specwork also takes the session's working directory from the transcript's `session_start`
//! line (ccusage names no project). Above-200k prices apply per category to the session's whole
//! count, as ccusage applies them: the log has nothing finer.

use serde_json::Value;

use crate::entry::{self, Entry, Keys, nonempty};
use crate::event::FileData;
use crate::time::parse_strict_ms;

const KEYS: Keys = Keys {
    input: "inputTokens",
    output: "outputTokens",
    cache_write: "cacheCreationTokens",
    cache_read: "cacheReadTokens",
    extra: "thinkingTokens",
    total: "totalTokens",
};

/// Parses one settings file. `transcript(whole)` reads the `<session>.jsonl` beside it: whole
/// when the model must be looked for in it, else only its first line's bytes (up to 64 KiB).
pub(crate) fn parse(
    data: &[u8],
    mtime_ms: i64,
    session: &str,
    transcript: impl Fn(bool) -> Option<Vec<u8>>,
) -> FileData {
    let mut fd = FileData::default();
    let Some(doc) = entry::json_file(data, &mut fd) else { return fd };
    let Some(o) = doc.as_object() else { return fd };
    let Some(tu) = o.get("tokenUsage").filter(|t| t.is_object()) else { return fd };
    fd.stats.usage_lines += 1;
    let c = match entry::counts(tu, &KEYS) {
        Ok(Some(c)) => c,
        Ok(None) => {
            fd.stats.rejected += 1;
            return fd;
        }
        Err(kind) => {
            fd.issues.push((1, kind));
            return fd;
        }
    };
    let named = nonempty(o.get("model"));
    let text = transcript(named.is_none());
    let head = text.as_deref().map(Transcript::read).unwrap_or_default();
    let lock = provider(nonempty(o.get("providerLock")));
    let lock = lock.as_str();
    let model = match named {
        Some(m) => normalize_model(m),
        None => head.model.unwrap_or_default(),
    };
    let model = if model.is_empty() { default_model(lock).to_owned() } else { model };
    let provider = if lock == "unknown" { infer_provider(&model).to_owned() } else { lock.to_owned() };
    let ts_ms = nonempty(o.get("providerLockTimestamp")).and_then(parse_strict_ms).unwrap_or(mtime_ms);
    entry::push(
        &mut fd,
        Entry {
            ts_ms,
            model: &model,
            counts: c,
            extra_billed: true,
            cost_usd: f64::NAN,
            cwd: head.cwd.as_deref(),
            session: Some(session),
            id: None,
            provider: Some(&provider),
            line: 1,
        },
    );
    fd
}

/// What the transcript beside a settings file tells: the model named in its first 500 lines
/// and the working directory of its `session_start` line.
#[derive(Default)]
struct Transcript {
    model: Option<String>,
    cwd: Option<String>,
}

impl Transcript {
    fn read(text: &[u8]) -> Self {
        let mut t = Transcript::default();
        let text = String::from_utf8_lossy(text);
        for (i, line) in text.lines().take(500).enumerate() {
            if i == 0
                && let Ok(Value::Object(o)) = serde_json::from_str::<Value>(line)
                && o.get("type").and_then(Value::as_str) == Some("session_start")
            {
                t.cwd = nonempty(o.get("cwd")).filter(|c| c.starts_with('/')).map(str::to_owned);
            }
            if let Some((_, tail)) = line.split_once("Model:") {
                let raw = tail.split(['"', '\\', '[']).next().unwrap_or_default().trim();
                let m = normalize_model(raw);
                if !m.is_empty() {
                    t.model = Some(m);
                    break;
                }
            }
        }
        t
    }
}

/// `custom:Claude-Opus-4.5-Thinking-[Anthropic]-0` → `claude-opus-4-5-thinking-0`.
pub(crate) fn normalize_model(raw: &str) -> String {
    let raw = raw.strip_prefix("custom:").unwrap_or(raw);
    let mut depth = 0u32;
    let plain: String = raw
        .chars()
        .filter(|&ch| match ch {
            '[' => {
                depth += 1;
                false
            }
            ']' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect();
    let lower = plain.trim().trim_end_matches('-').to_ascii_lowercase();
    let mut out = String::with_capacity(lower.len());
    for ch in lower.chars() {
        if ch == '.' || ch == '-' || ch.is_whitespace() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(ch);
        }
    }
    out.trim_matches('-').to_owned()
}

fn provider(lock: Option<&str>) -> String {
    let v = lock.unwrap_or_default().trim().to_ascii_lowercase().replace('-', "_");
    match v.as_str() {
        "" => "unknown",
        "claude" | "anthropic" => "anthropic",
        "openai" => "openai",
        "google" | "google_ai" | "gemini" | "vertex" | "vertex_ai" => "google",
        "xai" | "x_ai" | "grok" => "xai",
        _ => return v,
    }
    .to_owned()
}

fn infer_provider(model: &str) -> &'static str {
    let o_series = model.starts_with('o') && model.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
    if ["claude", "opus", "sonnet", "haiku"].iter().any(|k| model.contains(k)) {
        "anthropic"
    } else if model.starts_with("gpt-") || model.contains("-gpt-") || model.contains("chatgpt") || o_series {
        "openai"
    } else if model.contains("gemini") {
        "google"
    } else if model.contains("grok") {
        "xai"
    } else {
        "unknown"
    }
}

fn default_model(provider: &str) -> &'static str {
    match provider {
        "anthropic" => "claude-unknown",
        "openai" => "gpt-unknown",
        "google" => "gemini-unknown",
        "xai" => "grok-unknown",
        _ => "unknown",
    }
}

/// The names a Droid session is priced under, first priced wins.
pub(crate) fn price_names(model: &str, provider: Option<&str>) -> Vec<String> {
    let mut v = vec![model.to_owned()];
    let prefixes: Vec<String> = match provider.unwrap_or("unknown") {
        "anthropic" => vec!["anthropic/".into(), "openrouter/anthropic/".into()],
        "openai" => vec!["openai/".into(), "openrouter/openai/".into()],
        "google" => vec!["google/".into(), "vertex_ai/".into(), "openrouter/google/".into()],
        "xai" => vec!["xai/".into(), "openrouter/x-ai/".into()],
        "unknown" => Vec::new(),
        p => vec![format!("{p}/"), format!("openrouter/{p}/")],
    };
    v.extend(prefixes.into_iter().map(|p| format!("{p}{model}")));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_normalised_as_ccusage_does() {
        assert_eq!(normalize_model("custom:Claude-Opus-4.5-Thinking-[Anthropic]-0"), "claude-opus-4-5-thinking-0");
        assert_eq!(normalize_model("Claude-Sonnet-4-[Anthropic]"), "claude-sonnet-4");
        assert_eq!(normalize_model("gpt-5.1-codex"), "gpt-5-1-codex");
        assert_eq!(normalize_model("Claude Sonnet 4.5 [Anthropic]"), "claude-sonnet-4-5");
    }
}
