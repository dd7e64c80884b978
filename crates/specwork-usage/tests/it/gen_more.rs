//! specwork's own generator of Droid and Kimi Code CLI logs for tests (see `gen_agents.rs` for
//! the first four agents and the helpers): a few dozen sessions per agent over several days,
//! written the way each agent writes them (formats from the agents' documentation and ccusage's
//! public source), with the cases ccusage's rules decide.
//!
//! Deterministic: the same seed writes the same bytes (file times included).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::gen_agents::{PROJECTS, Rng, START_MS, compact, encode_cwd, iso, session_start, tear, write};

/// Session `s`'s file: `lines` with line `torn` cut in the middle when `s % 11 == 3` and, when
/// `s % 13 == 5`, the line `back` from the end appended cut off (a truncated last line).
fn faulty(lines: &[String], s: usize, torn: Option<usize>, back: usize) -> String {
    let mut text = lines.to_vec();
    if s % 11 == 3
        && let Some(i) = torn
    {
        text[i] = tear(&text[i]);
    }
    let mut body = text.join("\n") + "\n";
    if s % 13 == 5 {
        body.push_str(&tear(&lines[lines.len() - back]));
    }
    body
}

/// Droid: `<out>/<cwd as -path>/<uuid>.settings.json` (the session's cumulative `tokenUsage`,
/// rewritten as it runs) beside the `<uuid>.jsonl` transcript. Older sessions name no `model`
/// in their settings (the transcript's first user message says `Model: <display name>`), some
/// have no `providerLockTimestamp` (the file time is used); sessions continued after their
/// folder was renamed leave a second settings file with the same id and a later lock (only the
/// later counts); a file cut off mid-write, an empty one, one with nothing used and one with a
/// stated total above the parts.
pub fn droid(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    // (settings model, provider lock, display name in the transcript)
    let models = [
        ("claude-opus-4-5-20251101", "anthropic", "Claude-Opus-4.5-[Anthropic]"),
        ("claude-haiku-4-5-20251001", "anthropic", "Claude Haiku 4.5 [Anthropic]"),
        ("gpt-5-codex", "openai", "GPT-5-Codex [OpenAI]"),
        ("gpt-5.1-codex", "openai", "GPT-5.1-Codex [OpenAI]"),
        ("glm-4.6", "fireworks", "GLM-4.6 [Droid Core]"),
        ("custom:GLM-4.6-[Z.AI]-0", "generic-chat-completion-api", "GLM-4.6 [Z.AI]"),
    ];
    for s in 0..sessions {
        let cwd = *rng.pick(&PROJECTS);
        let id = rng.uuid();
        let (model, lock, display) = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        let lock_ts = t + rng.range(2_000, 9_000) as i64;
        let mut lines = vec![compact(&json!({"type": "session_start", "id": id, "title": "Fix the parser",
            "sessionTitle": "Fix the parser", "owner": "dev", "version": 2, "cwd": cwd}))];
        let named = s % 5 != 1;
        let reminder = if named || s % 10 == 6 {
            format!("<system-reminder>\nUser system info (linux x64)\nWorking directory: {cwd}\n</system-reminder>")
        } else {
            format!(
                "<system-reminder>\nUser system info (linux x64)\nModel: {display}\nWorking directory: {cwd}\n</system-reminder>"
            )
        };
        lines.push(compact(&json!({"type": "message", "id": rng.uuid(), "timestamp": iso(t),
            "message": {"role": "user", "content": [{"type": "text", "text": reminder}, {"type": "text", "text": "add a test"}]}})));
        let mut usage = json!({"inputTokens": 0, "outputTokens": 0, "cacheCreationTokens": 0, "cacheReadTokens": 0,
            "thinkingTokens": 0});
        let add = |usage: &mut Value, k: &str, n: u64| usage[k] = json!(usage[k].as_u64().unwrap() + n);
        let mut context = rng.range(10_000, 16_000);
        for step in 0..rng.range(1, 8) {
            t += rng.range(3_000, 60_000) as i64;
            lines.push(compact(&json!({"type": "message", "id": rng.uuid(), "timestamp": iso(t),
                "message": {"role": "assistant", "content": [{"type": "tool_use", "id": format!("toolu_{}", rng.hex(20)),
                "name": "Read", "input": {"file_path": format!("{cwd}/src/lib.rs")}}]}})));
            add(&mut usage, "inputTokens", rng.range(5, 400));
            add(&mut usage, "outputTokens", rng.range(20, 1_500));
            add(&mut usage, "cacheCreationTokens", if step == 0 { context } else { rng.range(200, 3_000) });
            add(&mut usage, "cacheReadTokens", if step == 0 { 0 } else { context });
            if lock != "fireworks" {
                add(&mut usage, "thinkingTokens", rng.range(0, 900));
            }
            context += rng.range(300, 3_000);
        }
        if s % 8 == 3 {
            let sum: u64 = usage.as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
            usage["totalTokens"] = json!(sum + rng.range(1, 500));
        }
        let mut settings = json!({"assistantActiveTimeMs": t - lock_ts, "autonomyMode": "auto-medium",
            "providerLock": lock, "tokenUsage": usage});
        if named {
            settings["model"] = json!(model);
            settings["reasoningEffort"] = json!("medium");
        }
        if s % 9 != 4 {
            settings["providerLockTimestamp"] = json!(iso(lock_ts));
        }
        let dir = out.join(encode_cwd(cwd));
        write(&dir.join(format!("{id}.jsonl")), (lines.join("\n") + "\n").as_bytes(), t);
        let body = serde_json::to_string_pretty(&settings).unwrap();
        let body = match s {
            7 => body[..body.len() / 2].to_owned(), // cut off mid-write
            13 => String::new(),
            _ => body,
        };
        write(&dir.join(format!("{id}.settings.json")), body.as_bytes(), t);
        if s % 12 == 5 {
            // Continued after the folder was renamed: usage accumulated, provider locked again later.
            let mut later = settings.clone();
            let u = &mut later["tokenUsage"];
            add(u, "outputTokens", rng.range(100, 900));
            add(u, "cacheReadTokens", rng.range(10_000, 40_000));
            later["providerLockTimestamp"] = json!(iso(t + 86_400_000));
            let moved = out.join(format!("{}-renamed", encode_cwd(cwd)));
            write(&moved.join(format!("{id}.settings.json")), later.to_string().as_bytes(), t + 86_400_000);
        }
    }
    // Nothing used yet.
    let idle = out.join("-srv-infra/00000000-0000-4000-a000-000000000000.settings.json");
    write(&idle, br#"{"model":"gpt-5-codex","providerLock":"openai","tokenUsage":{"inputTokens":0}}"#, START_MS);
    out.to_path_buf()
}

/// A Kimi corpus and what ccusage leaves out of it.
pub struct KimiCorpus {
    pub root: PathBuf,
    /// Tokens of the Task subagents' calls (inside `SubagentEvent`), which ccusage skips.
    pub subagent_tokens: u64,
}

/// 2026-04-16T08:00:00Z: Kimi corpora span the day the plan moved from K2.5 to K2.6.
const KIMI_START_MS: i64 = 1_776_326_400_000;

/// Kimi Code CLI: `<out>/config.json` and `<out>/sessions/<md5 of the work dir>/<uuid>/wire.jsonl`
/// wire records (metadata, TurnBegin, StepBegin, ContentPart, ToolCall, ToolResult,
/// StatusUpdate with `token_usage`, Task subagents' records wrapped in `SubagentEvent`,
/// TurnEnd) with a `context.jsonl` beside; a torn StatusUpdate line and a truncated last line in
/// a few files, a status with only a `total`, sessions copied under a second work-dir hash (the
/// copy counts once), a wire file nested too deep (not read). Subagents only with `subagents`.
pub fn kimi(out: &Path, seed: u64, sessions: usize, subagents: bool) -> KimiCorpus {
    let mut rng = Rng::new(seed);
    let config = json!({"default_model": "kimi-for-coding", "models": {"kimi-for-coding": {"provider": "kimi-for-coding",
        "model": "kimi-for-coding", "max_context_size": 262_144}}, "loop_control": {"max_steps_per_turn": 100}});
    write(&out.join("config.json"), serde_json::to_string_pretty(&config).unwrap().as_bytes(), KIMI_START_MS);
    let mut subagent_tokens = 0;
    for s in 0..sessions {
        let group = rng.hex(32);
        let id = rng.uuid();
        let mut t = KIMI_START_MS + (rng.range(0, 8) * 86_400_000 + rng.range(0, 12 * 3_600_000)) as i64;
        let secs = |ms: i64, rng: &mut Rng| ms as f64 / 1000.0 + rng.range(0, 999) as f64 / 1e6;
        let rec =
            |ts: f64, ty: &str, payload: Value| json!({"timestamp": ts, "message": {"type": ty, "payload": payload}});
        let mut lines = vec![compact(&json!({"type": "metadata", "protocol_version": "1.3"}))];
        let mut context = rng.range(9_000, 14_000);
        let mut status_lines = Vec::new();
        for turn in 0..rng.range(1, 4) {
            t += rng.range(20_000, 900_000) as i64;
            lines.push(compact(&rec(secs(t, &mut rng), "TurnBegin", json!({"user_input": "fix the failing test"}))));
            for step in 0..rng.range(1, 5) {
                t += rng.range(2_000, 30_000) as i64;
                let ts = secs(t, &mut rng);
                lines.push(compact(&rec(ts, "StepBegin", json!({"n": step + 1}))));
                lines.push(compact(&rec(ts, "ContentPart", json!({"type": "think", "think": "Reading the test."}))));
                let cached = if step > 0 { context * rng.range(80, 99) / 100 } else { 0 };
                let out_tokens = rng.range(10, 1_800);
                let mut tu = json!({"input_other": context - cached, "output": out_tokens, "input_cache_read": cached,
                    "input_cache_creation": if step == 0 { rng.range(0, 2_000) } else { 0 }});
                if s % 10 == 7 && turn == 0 && step == 0 {
                    tu = json!({"total": context + out_tokens});
                }
                let status = json!({"context_usage": 0.05, "token_usage": tu,
                    "message_id": format!("chatcmpl-{}", rng.hex(24))});
                status_lines.push(lines.len());
                lines.push(compact(&rec(secs(t + 900, &mut rng), "StatusUpdate", status)));
                let call = format!("Task:{}", rng.range(100, 999));
                lines.push(compact(&rec(
                    secs(t + 950, &mut rng),
                    "ToolCall",
                    json!({"type": "function", "id": call, "function": {"name": "Task", "arguments": "{}"}}),
                )));
                if rng.chance(0.25) && subagents {
                    // A Task subagent: its own calls, wrapped.
                    for _ in 0..rng.range(1, 3) {
                        t += rng.range(2_000, 20_000) as i64;
                        let (i, o, c) = (rng.range(2_000, 9_000), rng.range(30, 600), rng.range(0, 8_000));
                        subagent_tokens += i + o + c;
                        let inner = json!({"type": "StatusUpdate", "payload": {"context_usage": 0.03, "token_usage":
                            {"input_other": i, "output": o, "input_cache_read": c, "input_cache_creation": 0},
                            "message_id": format!("chatcmpl-{}", rng.hex(24))}});
                        lines.push(compact(&rec(
                            secs(t, &mut rng),
                            "SubagentEvent",
                            json!({"task_tool_call_id": call, "event": inner}),
                        )));
                    }
                }
                lines.push(compact(&rec(
                    secs(t + 1_000, &mut rng),
                    "ToolResult",
                    json!({"tool_call_id": call, "return_value": {"is_error": false, "output": "ok"}}),
                )));
                context += out_tokens + rng.range(200, 2_500);
            }
            lines.push(compact(&rec(secs(t + 1_200, &mut rng), "TurnEnd", json!({}))));
        }
        let body = faulty(&lines, s, status_lines.get(1).copied(), 1);
        let dir = out.join("sessions").join(&group).join(&id);
        write(&dir.join("wire.jsonl"), body.as_bytes(), t);
        write(&dir.join("context.jsonl"), b"{\"role\":\"user\",\"content\":\"fix the failing test\"}\n", t);
        if s % 9 == 4 {
            let copy = out.join("sessions").join(rng.hex(32)).join(&id);
            write(&copy.join("wire.jsonl"), (lines.join("\n") + "\n").as_bytes(), t);
        }
    }
    write(&out.join("sessions/a/b/c/wire.jsonl"), lines_ignored().as_bytes(), KIMI_START_MS);
    KimiCorpus { root: out.to_path_buf(), subagent_tokens }
}

/// A StatusUpdate nested too deep: not read.
fn lines_ignored() -> String {
    r#"{"timestamp":1776326400.5,"message":{"type":"StatusUpdate","payload":{"token_usage":{"input_other":5,"output":5}}}}"#
        .to_owned()
        + "\n"
}

/// pi: `<out>/--<cwd with - for />--/<time>_<uuid>.jsonl` sessions: a `session` header (with
/// `cwd`), `model_change` and `thinking_level_change` entries, user, assistant and
/// `toolResult` messages; assistant usage with the cost pi computed (`usage.cost.total`) or,
/// from older versions, without it; a stated total above the parts, a line without `type`, a
/// timestamp that is not RFC 3339 (skipped), torn and truncated lines, a session file copied
/// into a second folder (counted again: ccusage's key includes the folder) and one copied whole
/// beside itself under another time (counted once), subagent logs in `subagent-artifacts/`.
pub fn pi(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [
        ("anthropic", "claude-opus-4-5"),
        ("anthropic", "claude-haiku-4-5"),
        ("openai", "gpt-5.2-codex"),
        ("google", "gemini-2.5-pro"),
        ("openai", "gpt-5-mini"),
    ];
    for s in 0..sessions {
        let cwd = *rng.pick(&PROJECTS);
        let folder = format!("--{}--", cwd.trim_start_matches('/').replace('/', "-"));
        let id = rng.uuid();
        let (provider, model) = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        let start = t;
        let with_cost = s % 6 != 2;
        let mut lines = vec![
            compact(&json!({"type": "session", "version": 3, "id": id, "timestamp": iso(t), "cwd": cwd})),
            compact(&json!({"type": "model_change", "id": rng.hex(8), "parentId": null, "timestamp": iso(t),
                "provider": provider, "modelId": model})),
            compact(
                &json!({"type": "thinking_level_change", "id": rng.hex(8), "timestamp": iso(t), "thinkingLevel": "medium"}),
            ),
        ];
        let mut context = rng.range(6_000, 12_000);
        for turn in 0..rng.range(1, 5) {
            t += rng.range(20_000, 600_000) as i64;
            lines.push(compact(&json!({"type": "message", "id": rng.hex(8), "timestamp": iso(t),
                "message": {"role": "user", "content": [{"type": "text", "text": "make the build green"}], "timestamp": t}})));
            for step in 0..rng.range(1, 4) {
                t += rng.range(2_000, 40_000) as i64;
                let cache_read = if step > 0 || turn > 0 { context * rng.range(75, 98) / 100 } else { 0 };
                let input = context - cache_read;
                let output = rng.range(20, 2_000);
                // OpenAI's API reports no cache writes.
                let cache_write = if provider == "openai" { 0 } else { rng.range(0, 3_000) };
                let mut usage = json!({"input": input, "output": output, "cacheRead": cache_read, "cacheWrite": cache_write,
                    "totalTokens": input + output + cache_read + cache_write});
                if s % 7 == 3 && step == 0 {
                    usage["totalTokens"] = json!(input + output + cache_read + cache_write + rng.range(1, 300));
                }
                if with_cost {
                    let total = (input * 5 + output * 25 + cache_read / 2 + cache_write * 6) as f64 / 1e6;
                    usage["cost"] = json!({"input": input as f64 * 5e-6, "output": output as f64 * 25e-6,
                        "cacheRead": 0.0, "cacheWrite": 0.0, "total": total});
                }
                let mut r = json!({"type": "message", "id": rng.hex(8), "timestamp": iso(t), "message": {"role": "assistant",
                    "content": [{"type": "toolCall", "id": rng.hex(12), "name": "bash", "arguments": {"command": "cargo test"}}],
                    "api": "anthropic-messages", "provider": provider, "model": model, "usage": usage,
                    "stopReason": "toolUse", "timestamp": t}});
                if s % 10 == 4 && step == 0 {
                    r.as_object_mut().unwrap().remove("type");
                }
                if s % 10 == 8 && step == 0 {
                    r["timestamp"] = json!(iso(t).replace('T', " "));
                }
                lines.push(compact(&r));
                lines.push(compact(&json!({"type": "message", "id": rng.hex(8), "timestamp": iso(t + 500),
                    "message": {"role": "toolResult", "toolName": "bash", "content": [{"type": "text", "text": "ok"}],
                    "usage": {"input": 0}}})));
                context += output + rng.range(200, 2_500);
            }
        }
        let body = faulty(&lines, s, lines.iter().rposition(|l| l.contains("\"assistant\"")), 2);
        let stamp = iso(start).replace([':', '.'], "-");
        let file = out.join(&folder).join(format!("{stamp}_{id}.jsonl"));
        write(&file, body.as_bytes(), t);
        if s % 9 == 4 {
            // The same session beside itself under another time: counted once.
            let f = out.join(&folder).join(format!("{}_{id}.jsonl", iso(start + 1_000).replace([':', '.'], "-")));
            write(&f, (lines.join("\n") + "\n").as_bytes(), t);
        }
        if s % 12 == 7 {
            // A subagent's log.
            let f = out.join(&folder).join("subagent-artifacts").join(format!("{}_worker.jsonl", rng.hex(8)));
            let sub: Vec<&str> = lines.iter().take(1).chain(&lines[3..]).map(String::as_str).collect();
            write(&f, (sub.join("\n") + "\n").as_bytes(), t);
        }
    }
    out.to_path_buf()
}

/// OpenClaw: `<out>/agents/<agent>/sessions/<session>.jsonl` (pi's message shape): a `session`
/// header, `model_change` lines and `model-snapshot` custom entries that set the model of the
/// messages after them, assistant messages with `usage` (with or without `cost.total`, their
/// time in ms or RFC 3339, some naming their model), archives `.jsonl.deleted.<ms>` and
/// `.jsonl.reset.<time>` (one repeating its live file's records: counted once), a
/// `sessions.json` index (not read), torn and truncated lines.
pub fn openclaw(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [
        ("anthropic", "claude-opus-4-5"),
        ("anthropic", "claude-sonnet-4-5"),
        ("openai-codex", "gpt-5.2"),
        ("google", "gemini-2.5-flash"),
    ];
    let mut index = serde_json::Map::new();
    for s in 0..sessions {
        let agent = if s % 4 == 0 { "work" } else { "main" };
        let cwd = *rng.pick(&PROJECTS);
        let id = rng.uuid();
        let (mut provider, mut model) = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        let mut lines =
            vec![compact(&json!({"type": "session", "version": 3, "id": id, "timestamp": iso(t), "cwd": cwd}))];
        let change = |p: &str, m: &str, t: i64, rng: &mut Rng| {
            if rng.chance(0.5) {
                json!({"type": "model_change", "id": rng.hex(8), "timestamp": iso(t), "provider": p, "modelId": m})
            } else {
                json!({"type": "custom", "customType": "model-snapshot", "id": rng.hex(8), "timestamp": iso(t),
                    "data": {"timestamp": t, "provider": p, "modelApi": "messages", "modelId": m}})
            }
        };
        lines.push(compact(&change(provider, model, t, &mut rng)));
        let mut context = rng.range(7_000, 12_000);
        for turn in 0..rng.range(1, 5) {
            t += rng.range(20_000, 900_000) as i64;
            if turn > 0 && rng.chance(0.2) {
                (provider, model) = *rng.pick(&models);
                lines.push(compact(&change(provider, model, t, &mut rng)));
            }
            lines.push(compact(&json!({"type": "message", "id": rng.hex(8), "timestamp": iso(t),
                "message": {"role": "user", "content": [{"type": "text", "text": "what changed today?"}], "timestamp": t}})));
            for step in 0..rng.range(1, 4) {
                t += rng.range(2_000, 30_000) as i64;
                let cache_read = if step + turn > 0 { context * rng.range(75, 98) / 100 } else { 0 };
                let cache_write = if provider.starts_with("openai") { 0 } else { rng.range(0, 2_500) };
                let (input, output) = (context - cache_read, rng.range(15, 1_500));
                let mut usage = json!({"input": input, "output": output, "cacheRead": cache_read, "cacheWrite": cache_write,
                    "totalTokens": input + output + cache_read + cache_write});
                if s % 5 != 2 {
                    usage["cost"] = json!({"total": (input * 3 + output * 15 + cache_write * 4) as f64 / 1e6});
                }
                if s % 7 == 3 && step == 0 {
                    usage["totalTokens"] = json!(input + output + cache_read + cache_write + rng.range(1, 200));
                }
                let mut msg = json!({"role": "assistant", "content": [{"type": "text", "text": "Two commits."}],
                    "api": "anthropic-messages", "usage": usage, "stopReason": "stop", "timestamp": t});
                if s % 6 == 1 {
                    msg["timestamp"] = json!(iso(t));
                }
                if step == 1 {
                    msg["provider"] = json!(provider);
                    msg["model"] = json!(model);
                }
                lines.push(compact(&json!({"type": "message", "id": rng.hex(8), "timestamp": iso(t), "message": msg})));
                context += output + rng.range(200, 2_000);
            }
        }
        let body = faulty(&lines, s, lines.iter().rposition(|l| l.contains("\"assistant\"")), 1);
        let dir = out.join("agents").join(agent).join("sessions");
        let name = match s % 10 {
            6 => format!("{id}.jsonl.deleted.{t}"),
            8 => format!("{id}.jsonl.reset.{}", iso(t).replace(':', "-")),
            _ => format!("{id}.jsonl"),
        };
        write(&dir.join(&name), body.as_bytes(), t);
        if s % 9 == 4 {
            // Reset: the records so far archived, the live file going on with them.
            let archived = format!("{id}.jsonl.reset.{}", iso(t).replace(':', "-"));
            write(&dir.join(archived), (lines.join("\n") + "\n").as_bytes(), t);
        }
        index.insert(format!("agent:{agent}:{s}"), json!({"sessionId": id, "updatedAt": t}));
    }
    write(&out.join("agents/main/sessions/sessions.json"), Value::Object(index).to_string().as_bytes(), START_MS);
    out.to_path_buf()
}

/// Codebuff: `<out>/projects/<project>/chats/<chat time>/chat-messages.json` arrays of user and
/// `ai` messages, their usage in `metadata.usage` (camelCase), `metadata.codebuff.usage`
/// (OpenAI's snake_case with cached prompt details) or only in the run state's message history;
/// messages without a time (the chat folder's is used), a stated total above the parts, a
/// message stored twice under one id (the later counts), a message with credits and no tokens,
/// one naming no model, a chat file cut off mid-write.
pub fn codebuff(out: &Path, seed: u64, chats: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = ["anthropic/claude-sonnet-4.5", "claude-opus-4-5", "gpt-5.1", "gemini-2.5-pro"];
    for c in 0..chats {
        let project = *rng.pick(&["specwork", "ledger-api", "webapp"]);
        let start = session_start(&mut rng, 6);
        let chat = iso(start).replace(':', "-");
        let model = *rng.pick(&models);
        let mut t = start;
        let mut msgs: Vec<Value> = Vec::new();
        let mut context = rng.range(8_000, 14_000);
        for turn in 0..rng.range(1, 5) {
            t += rng.range(20_000, 600_000) as i64;
            msgs.push(json!({"id": rng.uuid(), "variant": "user", "content": "add the endpoint", "timestamp": iso(t)}));
            t += rng.range(3_000, 60_000) as i64;
            let cached = if turn > 0 { context * rng.range(70, 95) / 100 } else { 0 };
            let (input, output) = (context - cached, rng.range(30, 2_500));
            let write = if model.contains("claude") { rng.range(0, 3_000) } else { 0 };
            let mut m = json!({"id": rng.uuid(), "variant": "ai", "content": "Done.", "credits": rng.range(1, 40)});
            let usage = match c % 3 {
                0 => json!({"inputTokens": input, "outputTokens": output, "cacheReadInputTokens": cached,
                    "cacheCreationInputTokens": write}),
                1 => {
                    json!({"prompt_tokens": input, "completion_tokens": output, "prompt_tokens_details": {"cached_tokens": cached},
                    "cache_creation_input_tokens": write})
                }
                _ => Value::Null,
            };
            let mut meta = match c % 3 {
                0 => json!({"model": model, "usage": usage}),
                1 => json!({"model": model, "codebuff": {"usage": usage}}),
                _ => json!({"runState": {"sessionState": {"mainAgentState": {"messageHistory": [
                    {"role": "user", "content": "add the endpoint"},
                    {"role": "assistant", "content": "Done.", "providerOptions": {"codebuff": {"model": model,
                        "usage": {"inputTokens": input, "outputTokens": output, "cacheReadInputTokens": cached,
                        "cacheCreationInputTokens": write}}}}]}}}}),
            };
            if c % 8 == 5 && turn == 0 {
                let sum = input + output + cached + write;
                meta["usage"] = json!({"inputTokens": input, "outputTokens": output, "cacheReadInputTokens": cached,
                    "cacheCreationInputTokens": write, "totalTokens": sum + rng.range(1, 300)});
                meta.as_object_mut().unwrap().remove("codebuff");
            }
            if c % 10 == 7 {
                meta.as_object_mut().unwrap().remove("model");
                if let Some(h) =
                    meta.pointer_mut("/runState/sessionState/mainAgentState/messageHistory/1/providerOptions/codebuff")
                {
                    h.as_object_mut().unwrap().remove("model");
                }
            }
            m["metadata"] = meta;
            match c % 4 {
                0 => m["timestamp"] = json!(iso(t)),
                1 => m["createdAt"] = json!(t),
                2 => m["metadata"]["timestamp"] = json!(t / 1000),
                _ => {} // the chat folder's time
            }
            msgs.push(m.clone());
            if c % 9 == 4 && turn == 0 {
                // Stored again under the same id with the final counts: the later counts.
                let mut again = m.clone();
                again["metadata"]["usage"] = json!({"inputTokens": input, "outputTokens": output + 100,
                    "cacheReadInputTokens": cached, "cacheCreationInputTokens": write});
                msgs.push(again);
            }
            context += output + rng.range(200, 2_500);
        }
        if c % 7 == 2 {
            msgs.push(
                json!({"id": rng.uuid(), "variant": "ai", "content": "(cancelled)", "credits": 3, "timestamp": iso(t)}),
            );
        }
        let body = serde_json::to_string_pretty(&msgs).unwrap();
        let body = if c == 6 { body[..body.len() / 3].to_owned() } else { body };
        write(
            &out.join("projects").join(project).join("chats").join(&chat).join("chat-messages.json"),
            body.as_bytes(),
            t,
        );
    }
    out.to_path_buf()
}

/// OpenCode 1.2+: `<out>/opencode.db` (SQLite; a `message` table of `id`, `session_id`,
/// `time_created`, `time_updated` and the message as `data` JSON, in WAL mode) beside the
/// legacy `storage/message/<session>/<id>.json` files of messages written before the
/// migration; some messages are in both (the database's copy, with its final counts, counts),
/// a row whose `data` is not JSON, user messages, a zero-token assistant message.
pub fn opencode_db(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [("anthropic", "claude-sonnet-4-5"), ("anthropic", "claude-haiku-4-5"), ("openai", "gpt-5.1-codex")];
    let db = message_db(&out.join("opencode.db"));
    let insert = |id: &str, ses: &str, t: i64, data: &str| insert_message(&db, id, ses, t, data);
    for s in 0..sessions {
        let ses = format!("ses_{}", rng.hex(24));
        let (provider, model) = *rng.pick(&models);
        let cwd = *rng.pick(&PROJECTS);
        let mut t = session_start(&mut rng, 6);
        db.execute("INSERT INTO session VALUES (?1, 'global', ?2, 'work', ?3)", rusqlite::params![ses, cwd, t])
            .unwrap();
        let mut context = rng.range(8_000, 14_000);
        for m in 0..rng.range(2, 10) {
            t += rng.range(2_000, 120_000) as i64;
            let id = format!("msg_{}", rng.hex(24));
            if m % 3 == 0 {
                insert(&id, &ses, t, &json!({"role": "user", "time": {"created": t}}).to_string());
                continue;
            }
            let cache_read = if m > 1 { context * rng.range(60, 95) / 100 } else { 0 };
            let (input, output) = (context - cache_read, rng.range(20, 1_800));
            let reasoning = if provider == "openai" { rng.range(0, 900) } else { 0 };
            let cache_write = if provider == "anthropic" { rng.range(0, 3_000) } else { 0 };
            let tokens = |output: u64| {
                json!({"input": input, "output": output, "reasoning": reasoning,
                "cache": {"read": cache_read, "write": cache_write}})
            };
            let cost = if rng.chance(0.4) { 0.0 } else { (input as f64 * 3e-6 * 1e4).round() / 1e4 + 0.01 };
            let msg = |output: u64| {
                json!({"role": "assistant", "time": {"created": t, "completed": t + 900},
                "modelID": model, "providerID": provider, "mode": "build", "path": {"cwd": cwd, "root": cwd},
                "cost": cost, "tokens": tokens(output)})
            };
            let legacy_only = s % 4 == 3;
            if !legacy_only {
                insert(&id, &ses, t, &msg(output).to_string());
            }
            if legacy_only || (s % 3 == 1 && m == 2) {
                // Written before the migration (or also before it, with the counts of the moment).
                let mut old = msg(if legacy_only { output } else { output / 2 });
                old["id"] = json!(id);
                old["sessionID"] = json!(ses);
                let f = out.join("storage/message").join(&ses).join(format!("{id}.json"));
                write(&f, serde_json::to_string_pretty(&old).unwrap().as_bytes(), t);
            }
            context += output + rng.range(100, 2_500);
        }
        if s == 2 {
            insert(&format!("msg_{}", rng.hex(24)), &ses, t, "{\"role\": \"assistant\", \"tokens\": ");
            let zero = json!({"role": "assistant", "modelID": model, "providerID": provider, "time": {"created": t},
                "tokens": {"input": 0, "output": 0, "cache": {"read": 0, "write": 0}}});
            insert(&format!("msg_{}", rng.hex(24)), &ses, t, &zero.to_string());
        }
    }
    out.to_path_buf()
}

/// A new OpenCode-style database at `path` (WAL mode) with its `session` and `message` tables.
fn message_db(path: &Path) -> rusqlite::Connection {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(path).unwrap();
    db.pragma_update(None, "journal_mode", "wal").unwrap();
    db.execute_batch(
        "CREATE TABLE session (id TEXT PRIMARY KEY, project_id TEXT, directory TEXT, title TEXT, time_created INTEGER);
         CREATE TABLE message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER, time_updated INTEGER,
                               data TEXT NOT NULL);",
    )
    .unwrap();
    db
}

fn insert_message(db: &rusqlite::Connection, id: &str, ses: &str, t: i64, data: &str) {
    db.execute("INSERT INTO message VALUES (?1, ?2, ?3, ?4, ?5)", rusqlite::params![id, ses, t, t + 900, data])
        .unwrap();
}

/// Kilo Code CLI: `<out>/kilo.db`, OpenCode's `message` table: user and assistant messages,
/// times in ms or in seconds, one without a time (skipped), a recorded cost (0 included: taken
/// as is) or none, reasoning, a stated total above the parts, the `kilo` gateway as provider,
/// messages with and without their own `id`.
pub fn kilo(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-5.1-codex"), ("kilo", "claude-haiku-4-5")];
    let db = message_db(&out.join("kilo.db"));
    for s in 0..sessions {
        let ses = format!("ses_{}", rng.hex(24));
        let (provider, model) = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        let mut context = rng.range(8_000, 14_000);
        for m in 0..rng.range(2, 9) {
            t += rng.range(2_000, 120_000) as i64;
            let id = format!("msg_{}", rng.hex(24));
            if m % 3 == 0 {
                insert_message(
                    &db,
                    &id,
                    &ses,
                    t,
                    &json!({"id": id, "role": "user", "time": {"created": t}}).to_string(),
                );
                continue;
            }
            let cache_read = if m > 1 { context * rng.range(60, 95) / 100 } else { 0 };
            let (input, output) = (context - cache_read, rng.range(20, 1_800));
            let reasoning = if provider == "openai" { rng.range(0, 900) } else { 0 };
            let cache_write = if model.starts_with("claude") { rng.range(0, 3_000) } else { 0 };
            let mut tokens = json!({"input": input, "output": output, "reasoning": reasoning,
                "cache": {"read": cache_read, "write": cache_write}});
            if m % 4 == 2 {
                tokens["total"] = json!(input + output + reasoning + cache_read + cache_write + rng.range(1, 500));
            }
            let created = if s % 5 == 2 { t / 1000 } else { t };
            let mut msg = json!({"role": "assistant", "modelID": model, "providerID": provider,
                "time": {"created": created, "completed": created + 1}, "tokens": tokens, "mode": "code"});
            match m % 5 {
                1 => msg["cost"] = json!((input as f64 * 3e-6 * 1e4).round() / 1e4 + 0.01),
                3 => msg["cost"] = json!(0),
                _ => {}
            }
            if s % 2 == 0 {
                msg["id"] = json!(id);
            }
            if s == 3 && m == 1 {
                msg["time"] = json!({});
            }
            insert_message(&db, &id, &ses, t, &msg.to_string());
            context += output + rng.range(100, 2_500);
        }
    }
    out.to_path_buf()
}

/// Goose: `<out>/data/sessions/sessions.db`, its `sessions` table (one row per session with the
/// session's token counts): `created_at` as SQLite writes it (`YYYY-MM-DD HH:MM:SS`), as RFC
/// 3339 or as Unix seconds; accumulated counts or only the plain ones; a total above input and
/// output; rows without a model config, with one naming no model, with nothing used, with no
/// provider (guessed from the model).
pub fn goose(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [
        ("anthropic", "claude-opus-4-5"),
        ("anthropic", "claude-haiku-4-5"),
        ("openai", "gpt-5.1"),
        ("google", "gemini-2.5-pro"),
    ];
    let path = out.join("data/sessions/sessions.db");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
            session_type TEXT NOT NULL DEFAULT 'user', working_dir TEXT NOT NULL,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            extension_data TEXT DEFAULT '{}', total_tokens INTEGER, input_tokens INTEGER, output_tokens INTEGER,
            accumulated_total_tokens INTEGER, accumulated_input_tokens INTEGER, accumulated_output_tokens INTEGER,
            schedule_id TEXT, recipe_json TEXT, user_recipe_values_json TEXT, provider_name TEXT, model_config_json TEXT);",
    )
    .unwrap();
    for s in 0..sessions {
        let (provider, model) = *rng.pick(&models);
        let t = session_start(&mut rng, 6);
        let id = format!("{}_{}", iso(t)[..10].replace('-', ""), s + 1);
        let created: rusqlite::types::Value = match s % 3 {
            0 => iso(t)[..19].replace('T', " ").into(),
            1 => iso(t).into(),
            _ => (t / 1000).into(),
        };
        let (last_in, last_out) = (rng.range(5_000, 40_000), rng.range(50, 3_000));
        let (acc_in, acc_out) = (last_in + rng.range(10_000, 140_000), last_out + rng.range(500, 20_000));
        let extra = if s % 6 == 1 { rng.range(100, 5_000) } else { 0 };
        let accumulated = s % 4 != 2;
        let config = match s {
            5 => None,
            9 => Some(json!({"context_limit": 200_000}).to_string()),
            _ => Some(
                json!({"model_name": model, "context_limit": 200_000, "temperature": null, "toolshim": false})
                    .to_string(),
            ),
        };
        let provider = (s % 7 != 3).then_some(provider);
        let zero = s == 11;
        let n = |v: u64| if zero { 0 } else { v as i64 };
        db.execute(
            "INSERT INTO sessions (id, name, working_dir, created_at, total_tokens, input_tokens, output_tokens,
                accumulated_total_tokens, accumulated_input_tokens, accumulated_output_tokens, provider_name, model_config_json)
             VALUES (?1, 'work', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            rusqlite::params![
                id,
                *rng.pick(&PROJECTS),
                created,
                n(last_in + last_out + extra),
                n(last_in),
                n(last_out),
                accumulated.then(|| n(acc_in + acc_out + extra)),
                accumulated.then(|| n(acc_in)),
                accumulated.then(|| n(acc_out)),
                provider,
                config
            ],
        )
        .unwrap();
    }
    out.to_path_buf()
}

/// Hermes Agent: `<home>/state.db` for each of `homes`, its `sessions` table (one row per
/// session with its token counts and costs): `started_at` in seconds (REAL) or ms, an actual
/// cost, only an estimate, or none (priced); reasoning; rows with no model, with nothing used;
/// no billing provider (guessed from the model) or `openai-codex`. The second home repeats a
/// few of the first's sessions (they count once).
pub fn hermes(out: &Path, seed: u64, sessions: usize, homes: usize) -> Vec<PathBuf> {
    let mut rng = Rng::new(seed);
    let models =
        [("anthropic", "claude-opus-4-5"), ("openai-codex", "gpt-5.1-codex"), ("openrouter", "claude-haiku-4-5")];
    let mut rows: Vec<Vec<rusqlite::types::Value>> = Vec::new();
    for s in 0..sessions {
        let (provider, model) = *rng.pick(&models);
        let t = session_start(&mut rng, 6);
        let started: rusqlite::types::Value = if s % 3 == 0 { t.into() } else { (t as f64 / 1000.0).into() };
        let (input, output) = (rng.range(5_000, 60_000), rng.range(200, 9_000));
        let (read, write) = (rng.range(0, 150_000), if provider == "openai-codex" { 0 } else { rng.range(0, 20_000) });
        let reasoning = if provider == "openai-codex" { rng.range(0, 4_000) } else { 0 };
        let est = (input * 3 + output * 15) as f64 / 1e6;
        let (estimated, actual): (Option<f64>, Option<f64>) = match s % 4 {
            0 => (Some(est), Some(est * 1.1)),
            1 => (Some(est), None),
            _ => (None, None),
        };
        let model: Option<&str> = (s != 7).then_some(model);
        let provider: Option<&str> = (s % 5 != 2).then_some(provider);
        let zero = s == 9;
        let n = |v: u64| if zero { 0 } else { v as i64 };
        rows.push(vec![
            format!("{}_{}", iso(t)[..10].replace('-', ""), rng.hex(6)).into(),
            "cli".to_owned().into(),
            model.map(str::to_owned).into(),
            started,
            (rng.range(2, 60) as i64).into(),
            n(input).into(),
            n(output).into(),
            n(read).into(),
            n(write).into(),
            n(reasoning).into(),
            provider.map(str::to_owned).into(),
            estimated.filter(|_| !zero).into(),
            actual.filter(|_| !zero).into(),
        ]);
    }
    let mut paths = Vec::new();
    for h in 0..homes {
        let home = out.join(format!("hermes-{h}"));
        std::fs::create_dir_all(&home).unwrap();
        let db = rusqlite::Connection::open(home.join("state.db")).unwrap();
        db.execute_batch(
            "CREATE TABLE sessions (id TEXT PRIMARY KEY, source TEXT NOT NULL, model TEXT, started_at REAL NOT NULL,
                message_count INTEGER DEFAULT 0, input_tokens INTEGER DEFAULT 0, output_tokens INTEGER DEFAULT 0,
                cache_read_tokens INTEGER DEFAULT 0, cache_write_tokens INTEGER DEFAULT 0, reasoning_tokens INTEGER DEFAULT 0,
                billing_provider TEXT, estimated_cost_usd REAL, actual_cost_usd REAL);",
        )
        .unwrap();
        for (i, r) in rows.iter().enumerate() {
            if h > 0 && i % 4 != 1 {
                continue;
            }
            db.execute(
                "INSERT INTO sessions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                rusqlite::params_from_iter(r),
            )
            .unwrap();
        }
        paths.push(home);
    }
    paths
}

/// Grok Build CLI: `<home>/sessions/<url-encoded cwd>/<session>/updates.jsonl` (the ACP display
/// log: message and tool chunks, one `turn_completed` with the turn's usage per prompt) beside
/// `summary.json`. Turns name their models in `modelUsage` (sometimes two, a main and a fast
/// one), else only the usage object (the summary's `current_model_id` is the model); Grok 1.0
/// records `costUsdTicks`, older turns none (priced; some above 200k input tokens, at the
/// long-context rates); reasoning inside output; cache creation on
/// some turns; times as `agentTimestampMs` or only the envelope's Unix seconds. Faults: torn and
/// truncated lines; an unknown model; a session exported twice (its events count once); a turn
/// without event id written twice; summaries with only `git_root_dir`, none at all, or invalid.
pub fn grok(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let home = out.join("grok-home");
    let models = ["grok-4.5-build", "grok-code-fast-1", "grok-4.3", "grok-4.20-reasoning"];
    let mut first: Option<(PathBuf, String)> = None;
    for s in 0..sessions {
        let cwd = *rng.pick(&PROJECTS);
        let folder: String =
            cwd.bytes().map(|b| if b == b'/' { "%2F".to_owned() } else { (b as char).to_string() }).collect();
        let id = rng.uuid();
        let main = if s == 17 { "grok-experimental-x" } else { *rng.pick(&models) };
        let ticked = s % 3 != 2;
        let mut t = session_start(&mut rng, 6);
        let mut lines = Vec::new();
        let update = |t: i64, u: Value, meta: Value| {
            compact(&json!({"jsonrpc": "2.0", "method": "session/update", "timestamp": t / 1000,
                "params": {"sessionId": id, "update": u, "_meta": meta}}))
        };
        for turn in 0..rng.range(1, 7) {
            t += rng.range(2_000, 90_000) as i64;
            lines.push(update(
                t,
                json!({"sessionUpdate": "user_message_chunk", "content": {"type": "text", "text": "fix the tests"}}),
                json!({}),
            ));
            t += rng.range(1_000, 20_000) as i64;
            lines.push(update(
                t,
                json!({"sessionUpdate": "tool_call", "toolCallId": rng.hex(12), "title": "read_file",
                "status": "completed"}),
                json!({"eventId": rng.uuid()}),
            ));
            lines.push(update(
                t,
                json!({"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "done"}}),
                json!({"eventId": rng.uuid()}),
            ));
            let mut per_model = serde_json::Map::new();
            let mut names = vec![main];
            if s % 4 == 1 && turn % 2 == 0 {
                names.push("grok-code-fast-1");
            }
            for (k, m) in names.iter().enumerate() {
                // Long turns (many requests) pass 200k input tokens.
                let long = !ticked && turn % 3 == 2;
                let input = if long { rng.range(150_000, 450_000) } else { rng.range(8_000, 90_000) };
                let read = if turn == 0 { 0 } else { input * rng.range(40, 90) / 100 };
                let write = if s % 6 == 5 { rng.range(0, (input - read) / 2) } else { 0 };
                let output = rng.range(50, 6_000);
                let reasoning = rng.range(0, output / 2);
                let mut u = json!({"inputTokens": input, "outputTokens": output, "cachedReadTokens": read,
                    "reasoningTokens": reasoning, "totalTokens": input + output});
                if write > 0 {
                    u["cacheCreationTokens"] = json!(write);
                }
                if ticked && *m != "grok-experimental-x" {
                    u["costUsdTicks"] = json!((input - read) * 20_000 + read * 5_000 + output * 100_000 + k as u64);
                }
                per_model.insert((*m).to_owned(), u);
            }
            t += rng.range(1_000, 30_000) as i64;
            let mut usage = json!({"inputTokens": 0, "outputTokens": 0});
            for u in per_model.values() {
                for k in ["inputTokens", "outputTokens"] {
                    usage[k] = json!(usage[k].as_u64().unwrap() + u[k].as_u64().unwrap());
                }
            }
            // Older sessions: the turn's usage alone, the model from the summary.
            let bare = s % 7 == 3;
            if !bare {
                usage["modelUsage"] = Value::Object(per_model);
            } else {
                let u = per_model.values().next().unwrap().clone();
                usage = u;
            }
            let meta = if s % 5 == 4 { json!({}) } else { json!({"eventId": rng.uuid(), "agentTimestampMs": t}) };
            let line =
                update(t, json!({"sessionUpdate": "turn_completed", "stopReason": "end_turn", "usage": usage}), meta);
            if s % 5 == 4 && turn == 0 {
                lines.push(line.clone());
            }
            lines.push(line);
        }
        let body = faulty(&lines, s, Some(1), 2);
        let dir = home.join("sessions").join(&folder).join(&id);
        write(&dir.join("updates.jsonl"), body.as_bytes(), t);
        let summary = match s % 8 {
            6 => None,
            7 => Some("{\"info\": ".to_owned()),
            5 => Some(compact(&json!({"git_root_dir": cwd, "current_model_id": main}))),
            _ => Some(compact(
                &json!({"info": {"id": id, "cwd": cwd, "title": "Fix the tests"}, "current_model_id": main,
                "git_root_dir": cwd}),
            )),
        };
        if let Some(sm) = summary {
            write(&dir.join("summary.json"), sm.as_bytes(), t);
        }
        if first.is_none() && s % 5 != 4 {
            first = Some((dir, folder));
        }
    }
    // A session exported again under another folder: its events count once.
    let (dir, _) = first.expect("a session with event ids");
    let copy = home.join("sessions").join("%2Ftmp%2Fexport").join(dir.file_name().unwrap());
    let data = std::fs::read(dir.join("updates.jsonl")).unwrap();
    write(&copy.join("updates.jsonl"), &data, START_MS + 7 * 86_400_000);
    home
}

/// ZCode: `<home>/cli/db/db.sqlite` for each of `homes`: `model_usage` (one row per request:
/// input including its cache reads and writes, `computed_total_tokens`, status, provider) and
/// `session` (its directory). Rows of Z.ai's plans, of no provider and of another provider
/// (unpriced); failed and cancelled requests; totals above input + output (with and without
/// output); a model ZCode names that no price table lists. Faults: rows without session, model
/// or time, a negative count. The second home is an older database (no provider, cache-write or
/// total columns) repeating some of the first's rows (they count once); a third holds a file
/// that is not a database.
pub fn zcode(out: &Path, seed: u64, sessions: usize) -> Vec<PathBuf> {
    let mut rng = Rng::new(seed);
    let models = ["GLM-4.6", "GLM-4.7", "GLM-4.5-Air", "GLM-5.1"];
    let providers = [Some("builtin:zai-coding-plan"), Some("builtin:bigmodel-coding-plan"), Some("zai"), None];
    type Cell = rusqlite::types::Value;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let mut dirs: Vec<(String, String)> = Vec::new();
    for s in 0..sessions {
        let session = format!("ses_{}", rng.hex(16));
        dirs.push((session.clone(), PROJECTS[s % PROJECTS.len()].to_owned()));
        let model = if s == 11 { "GLM-9-Preview" } else { *rng.pick(&models) };
        let provider = if s % 9 == 4 { Some("openrouter") } else { *rng.pick(&providers) };
        let mut t = session_start(&mut rng, 6);
        for r in 0..rng.range(1, 9) {
            t += rng.range(3_000, 120_000) as i64;
            let input = rng.range(6_000, 120_000) as i64;
            let read = if r == 0 { 0 } else { input * rng.range(30, 95) as i64 / 100 };
            let write = if s % 5 == 2 { rng.range(0, 2_000) as i64 } else { 0 };
            let output = rng.range(30, 5_000) as i64;
            let status = match (s + r as usize) % 11 {
                3 => "error",
                7 => "cancelled",
                _ => "completed",
            };
            let (output, total) = match (s + r as usize) % 13 {
                5 => (0, input + rng.range(100, 900) as i64),
                9 => (output, input + output + rng.range(100, 900) as i64),
                _ => (output, input + output),
            };
            let mut row: Vec<Cell> = vec![
                format!("mu_{}", rng.hex(20)).into(),
                session.clone().into(),
                t.into(),
                model.to_owned().into(),
                status.to_owned().into(),
                input.into(),
                output.into(),
                0i64.into(),
                write.into(),
                read.into(),
                total.into(),
                provider.map(str::to_owned).into(),
            ];
            match (s, r) {
                (3, 1) => row[1] = Cell::Null,
                (5, 1) => row[3] = "  ".to_owned().into(),
                (6, 1) => row[2] = 0i64.into(),
                (8, 1) => row[6] = (-40i64).into(),
                _ => {}
            }
            rows.push(row);
        }
    }
    let schema = "CREATE TABLE session (id TEXT PRIMARY KEY, title TEXT, directory TEXT, created_at INTEGER);";
    let mut homes = Vec::new();
    for h in 0..2 {
        let home = out.join(format!("zcode-{h}"));
        std::fs::create_dir_all(home.join("cli/db")).unwrap();
        let db = rusqlite::Connection::open(home.join("cli/db/db.sqlite")).unwrap();
        let usage = if h == 0 {
            "CREATE TABLE model_usage (id TEXT PRIMARY KEY, session_id TEXT, started_at INTEGER, model_id TEXT,
                status TEXT, input_tokens INTEGER, output_tokens INTEGER, reasoning_tokens INTEGER,
                cache_creation_input_tokens INTEGER, cache_read_input_tokens INTEGER, computed_total_tokens INTEGER,
                provider_id TEXT);"
        } else {
            "CREATE TABLE model_usage (id TEXT PRIMARY KEY, session_id TEXT, started_at INTEGER, model_id TEXT,
                status TEXT, input_tokens INTEGER, output_tokens INTEGER, reasoning_tokens INTEGER,
                cache_read_input_tokens INTEGER);"
        };
        db.execute_batch(&format!("{schema}{usage}")).unwrap();
        for (id, dir) in &dirs {
            db.execute("INSERT INTO session VALUES (?1, 'task', ?2, 0)", rusqlite::params![id, dir]).unwrap();
        }
        for (i, r) in rows.iter().enumerate() {
            if h == 0 {
                db.execute(
                    "INSERT INTO model_usage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    rusqlite::params_from_iter(r),
                )
                .unwrap();
            } else if i % 3 == 0 {
                // The older copy: no cache write, total or provider.
                let old = [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &r[9]];
                let insert = "INSERT INTO model_usage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
                db.execute(insert, rusqlite::params_from_iter(old)).unwrap();
                // And a request of its own, a day earlier.
                let rusqlite::types::Value::Integer(t) = r[2] else { continue };
                let own: [Cell; 9] = [
                    format!("old_{i}").into(),
                    r[1].clone(),
                    (t - 86_400_000).into(),
                    r[3].clone(),
                    r[4].clone(),
                    r[5].clone(),
                    r[6].clone(),
                    r[7].clone(),
                    r[9].clone(),
                ];
                db.execute(insert, rusqlite::params_from_iter(own)).unwrap();
            }
        }
        homes.push(home);
    }
    let broken = out.join("zcode-2");
    write(&broken.join("cli/db/db.sqlite"), b"not a database, a half-copied file", START_MS);
    homes.push(broken);
    homes
}
