//! Codex CLI rollouts (`$CODEX_HOME/sessions/**/*.jsonl` and `archived_sessions/`).
//!
//! Rules (ccusage 20.0.24, as `shared/tools/agent_logs_gen.py verify-codex --help` lists them):
//! a line counts only if its bytes contain `"type":"turn_context"`, or both `"type":"event_msg"`
//! and `"type":"token_count"`. `turn_context` sets the file's current model. A `token_count` whose
//! cumulative `total_token_usage` equals the previous one in the file is a re-emit and skipped;
//! otherwise the call's usage is `last_token_usage`, else the difference of the totals; all-zero
//! calls are skipped; cached input is capped at input. Without a model the call is priced as
//! `gpt-5` (a fallback). Events are deduplicated across files on (timestamp, model, tokens), the
//! first one winning. Files are read in `sessions/` then `archived_sessions/`, and an archived file
//! whose relative path was already seen under `sessions/` is skipped.
//!
//! **Subagents and forks (where specwork departs from ccusage):** a rollout whose first
//! `session_meta` names a parent thread (`forked_from_id`, `parent_thread_id` or
//! `source.subagent.thread_spawn.parent_thread_id`) starts with a replay of the parent's history,
//! `token_count` lines included, re-stamped at the time of the fork (ccusage issue #950: up to 91×
//! inflation). Two rules keep it out: the counters stamped with the time of the parent's
//! `session_meta` copied into the rollout are the replay (they set the counter; they are not
//! calls); and, across files, counters are cumulative over the thread, so a line carrying a
//! `total_token_usage` the parent (or an ancestor) already logged is not a call either (see the
//! scan's Codex deduplication), whatever its time.
//!
//! Codex logs input including cached input; records carry `input - cached` as input and `cached`
//! as cache reads, and output includes reasoning.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use serde_json::Value;

use crate::bytes;
use crate::event::{F_FALLBACK_MODEL, FileData, IssueKind, RawEvent, StrRef};
use crate::time::parse_lenient_ms;

struct Finders {
    ctx: Finder<'static>,
    event: Finder<'static>,
    count: Finder<'static>,
    meta: Finder<'static>,
    ty: Finder<'static>,
}

fn finders() -> &'static Finders {
    static F: OnceLock<Finders> = OnceLock::new();
    F.get_or_init(|| Finders {
        ctx: Finder::new(b"\"type\":\"turn_context\""),
        event: Finder::new(b"\"type\":\"event_msg\""),
        count: Finder::new(b"\"type\":\"token_count\""),
        meta: Finder::new(b"\"type\":\"session_meta\""),
        ty: Finder::new(b"\"type\""),
    })
}

type Usage5 = (u64, u64, u64, u64, u64);

/// The first of `keys` holding a count; a number that is negative, fractional or above
/// [`MAX_TOKENS`](crate::event::MAX_TOKENS) sets `bad` (the line is skipped and reported).
fn num(u: &serde_json::Map<String, Value>, keys: &[&str], bad: &mut bool) -> Option<u64> {
    for k in keys {
        match u.get(*k) {
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) if v <= crate::event::MAX_TOKENS => return Some(v),
                _ => *bad = true,
            },
            Some(Value::String(s)) => {
                if let Ok(v) = s.trim().parse::<u64>() {
                    return Some(v);
                }
            }
            _ => {}
        }
    }
    None
}

fn norm_usage(v: Option<&Value>, bad: &mut bool) -> Option<Usage5> {
    let u = v?.as_object()?;
    let i = num(u, &["input_tokens", "prompt_tokens", "input"], bad).unwrap_or(0);
    let o = num(u, &["output_tokens", "completion_tokens", "output"], bad).unwrap_or(0);
    let r = num(u, &["reasoning_output_tokens", "reasoning_tokens"], bad).unwrap_or(0);
    let c = num(u, &["cached_input_tokens", "cache_read_input_tokens", "cached_tokens"], bad).unwrap_or(0);
    let t = match num(u, &["total_tokens"], bad) {
        Some(t) if !(t == 0 && i + o + r != 0) => t,
        _ => i + o,
    };
    Some((i, c, o, r, t))
}

fn model_of(p: Option<&Value>) -> Option<&str> {
    let p = p?.as_object()?;
    for k in ["model", "model_name"] {
        if let Some(Value::String(s)) = p.get(k) {
            let s = s.trim();
            if !s.is_empty() {
                return Some(s);
            }
        }
    }
    if let Some(Value::String(s)) = p.get("metadata").and_then(|m| m.get("model")) {
        let s = s.trim();
        if !s.is_empty() {
            return Some(s);
        }
    }
    None
}

/// The parent thread a rollout's own `session_meta` names: `forked_from_id` (a fork) or
/// `source.subagent.thread_spawn.parent_thread_id` (a spawned subagent).
fn parent_of(meta: &Value) -> Option<&str> {
    let spawn = meta.pointer("/source/subagent/thread_spawn/parent_thread_id");
    let id = meta.get("forked_from_id").or(meta.get("parent_thread_id")).or(spawn)?.as_str()?.trim();
    (!id.is_empty()).then_some(id)
}

/// Parses a whole rollout file. Events carry their cumulative counter in `id` and, in a rollout
/// whose `session_meta` names a parent thread, the parent's id in `req`. `stem` names the session when the file has no `session_meta`.
pub(crate) fn parse(data: &[u8], stem: &str) -> FileData {
    let f = finders();
    let mut fd = FileData::default();
    let mut prev_total: Option<Usage5> = None;
    let mut cur_model: Option<StrRef> = None;
    let mut cur_fallback = false;
    let mut cwd = StrRef::NONE;
    let mut session = StrRef::NONE;
    let mut parent = StrRef::NONE;
    // When the parent's `session_meta` was copied into this rollout: the replay's time.
    let mut replay_ms: Option<i64> = None;
    let complete = bytes::complete_len(data);
    let mut no = 0u32;
    let mut lines: Vec<(&[u8], bool)> = bytes::complete_lines(&data[..complete]).map(|(_, l)| (l, false)).collect();
    if complete < data.len() {
        lines.push((&data[complete..], true));
    }
    for (raw, is_tail) in lines {
        no += 1;
        fd.stats.lines += 1;
        if !is_tail {
            fd.complete_lines = no;
        }
        let issue = if is_tail { IssueKind::TruncatedLastLine } else { IssueKind::CorruptLine };
        if raw.is_empty() {
            continue;
        }
        let typed =
            |finder: &Finder<'_>, value: &[u8]| finder.find(raw).is_some() || bytes::has_key_value(&f.ty, raw, value);
        let is_ctx = typed(&f.ctx, b"\"turn_context\"");
        let is_tc = typed(&f.event, b"\"event_msg\"") && typed(&f.count, b"\"token_count\"");
        let is_meta = typed(&f.meta, b"\"session_meta\"");
        if !(is_ctx || is_tc || is_meta) {
            if !bytes::looks_like_json_object(raw) {
                fd.issues.push((no, issue));
            }
            continue;
        }
        if is_ctx || is_tc {
            fd.stats.usage_lines += 1;
        }
        let obj: Value = match serde_json::from_slice(raw) {
            Ok(v) => v,
            Err(_) => {
                // Any JSON is a valid `Value`, so every error means the line is not JSON.
                fd.issues.push((no, issue));
                continue;
            }
        };
        let Some(obj) = obj.as_object() else { continue };
        let payload = obj.get("payload").filter(|p| p.is_object());
        let typ = obj.get("type").and_then(Value::as_str);
        if let Some(p) = payload
            && matches!(typ, Some("session_meta" | "turn_context"))
        {
            if let Some(c) = p.get("cwd").and_then(Value::as_str) {
                cwd = fd.arena.intern(c.as_bytes());
            }
            if typ == Some("session_meta")
                && session.is_none()
                && let Some(id) = p.get("id").and_then(Value::as_str)
            {
                session = fd.arena.intern(id.as_bytes());
                // A subagent or a fork names the thread whose history it starts with.
                if let Some(pid) = parent_of(p) {
                    parent = fd.arena.intern(pid.as_bytes());
                }
            } else if typ == Some("session_meta")
                && !parent.is_none()
                && p.get("id").and_then(Value::as_str).map(str::as_bytes) == fd.arena.get(parent)
            {
                replay_ms = match obj.get("timestamp") {
                    Some(Value::String(s)) => parse_lenient_ms(s),
                    _ => None,
                };
            }
        }
        if !(is_ctx || is_tc) {
            continue;
        }
        if typ == Some("turn_context") {
            if let Some(m) = model_of(payload) {
                cur_model = Some(fd.arena.intern(m.as_bytes()));
                cur_fallback = false;
            }
            continue;
        }
        let Some(p) = payload else { continue };
        if typ != Some("event_msg") || p.get("type").and_then(Value::as_str) != Some("token_count") {
            continue;
        }
        let ts_ms = match obj.get("timestamp") {
            Some(Value::String(s)) => parse_lenient_ms(s),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        };
        let Some(ts_ms) = ts_ms else {
            fd.stats.rejected += 1;
            continue;
        };
        let info = p.get("info").filter(|i| i.is_object());
        let mut bad = false;
        let total = info.and_then(|i| norm_usage(i.get("total_token_usage"), &mut bad));
        let last = info.and_then(|i| norm_usage(i.get("last_token_usage"), &mut bad));
        if bad {
            fd.issues.push((no, IssueKind::OutOfRange));
            continue;
        }
        if total.is_some() && prev_total.is_some() && total == prev_total {
            continue; // a re-emitted counter
        }
        if replay_ms == Some(ts_ms) {
            // The parent's history, copied at the spawn: it sets the counter, it is not a call.
            if total.is_some() {
                prev_total = total;
            }
            continue;
        }
        let delta = match (last, total) {
            (Some(l), _) => Some(l),
            (None, Some(t)) => {
                let p = prev_total.unwrap_or_default();
                Some((
                    t.0.saturating_sub(p.0),
                    t.1.saturating_sub(p.1),
                    t.2.saturating_sub(p.2),
                    t.3.saturating_sub(p.3),
                    t.4.saturating_sub(p.4),
                ))
            }
            (None, None) => None,
        };
        if total.is_some() {
            prev_total = total;
        }
        let Some((i, c, o, r, t)) = delta else {
            continue;
        };
        if i == 0 && c == 0 && o == 0 && r == 0 {
            continue;
        }
        let parsed = model_of(Some(p)).or_else(|| model_of(info));
        let (model, fallback) = if let Some(m) = parsed {
            let m = fd.arena.intern(m.as_bytes());
            cur_model = Some(m);
            cur_fallback = false;
            (m, false)
        } else if let Some(m) = cur_model {
            (m, cur_fallback)
        } else {
            let m = fd.arena.intern(b"gpt-5");
            cur_model = Some(m);
            cur_fallback = true;
            (m, true)
        };
        let c = c.min(i);
        // The cumulative counter identifies the call across a thread's files (a subagent's
        // rollout replays its parent's counters under new timestamps).
        let cumulative = match total {
            Some(t) => fd.arena.push(format!("{},{},{},{},{}", t.0, t.1, t.2, t.3, t.4).as_bytes()),
            None => StrRef::NONE,
        };
        fd.events.push(RawEvent {
            ts_ms,
            input: i - c,
            output: o,
            cc5: 0,
            cc1h: 0,
            cr: c,
            aux1: r,
            aux2: t,
            cost_usd: f64::NAN,
            model,
            cwd,
            session: StrRef::NONE,
            id: cumulative,
            req: parent,
            line: no,
            flags: if fallback { F_FALLBACK_MODEL } else { 0 },
        });
    }
    if session.is_none() {
        session = fd.arena.intern(stem.as_bytes());
    }
    for e in &mut fd.events {
        e.session = session;
    }
    fd.complete_len = complete as u64;
    fd
}
