//! specwork's own generator of OpenCode, Amp, Copilot CLI and Qwen Code logs for tests: a few
//! dozen sessions per agent over several days, written the way each agent writes them (formats
//! from the agents' documentation and ccusage's public source), with the awkward cases ccusage's
//! rules decide: torn and truncated lines, stated totals above the parts, records without a
//! timestamp, forked sessions repeating their parent, messages stored twice, summaries that
//! must not count beside the calls they sum, unpriced models.
//!
//! Deterministic: the same seed writes the same bytes (file times included).

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// SplitMix64: small, deterministic, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.range(0, v.len() as u64 - 1) as usize]
    }

    pub fn hex(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from_digit(self.range(0, 15) as u32, 16).unwrap()).collect()
    }

    pub fn uuid(&mut self) -> String {
        format!("{}-{}-4{}-a{}-{}", self.hex(8), self.hex(4), self.hex(3), self.hex(3), self.hex(12))
    }
}

/// Milliseconds since the epoch as RFC 3339 with milliseconds.
pub fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// 2026-01-05T08:00:00Z, the corpora's first day.
pub const START_MS: i64 = 1_767_600_000_000;

pub const PROJECTS: [&str; 4] =
    ["/home/dev/src/specwork", "/home/dev/src/ledger-api", "/home/dev/src/webapp", "/srv/infra"];

pub fn write(path: &Path, bytes: &[u8], mtime_ms: i64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(mtime_ms as u64);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
}

pub fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// A line cut in the middle (a torn write).
pub fn tear(line: &str) -> String {
    line[..line.len() / 2].to_owned()
}

pub fn session_start(rng: &mut Rng, days: u64) -> i64 {
    START_MS + (rng.range(0, days - 1) * 86_400_000 + rng.range(0, 12 * 3_600_000)) as i64
}

pub fn encode_cwd(cwd: &str) -> String {
    cwd.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// Qwen Code: `<out>/projects/<cwd>/chats/<session>.jsonl` chat records (user, assistant with
/// `usageMetadata`, tool results, telemetry), branch forks, torn and truncated lines, records
/// without `timestamp` (the file time is used), `totalTokenCount` above the parts.
pub fn qwen(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = ["qwen3-coder-plus", "qwen3-coder-flash", "qwen3-max", "coder-model", "qwen3.5-plus"];
    for s in 0..sessions {
        let cwd = *rng.pick(&PROJECTS);
        let sid = rng.uuid();
        let model = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        let mut lines: Vec<String> = Vec::new();
        let mut context = rng.range(9_000, 14_000);
        let mut prev: Option<String> = None;
        for _turn in 0..rng.range(1, 6) {
            t += rng.range(15_000, 900_000) as i64;
            let u = rng.uuid();
            lines.push(compact(&json!({"uuid": u, "parentUuid": prev, "sessionId": sid, "timestamp": iso(t),
                "type": "user", "cwd": cwd, "version": "0.6.1", "message": {"role": "user", "parts": [{"text": "fix the failing test"}]}})));
            prev = Some(u);
            for step in 0..rng.range(1, 5) {
                t += rng.range(1_500, 40_000) as i64;
                let cached = if step > 0 { context * rng.range(70, 99) / 100 } else { 0 };
                let out_tokens = rng.range(15, 2_000);
                let thoughts = if model == "qwen3-max" || model == "qwen3.5-plus" { rng.range(0, 2_500) } else { 0 };
                let mut um = json!({"promptTokenCount": context, "candidatesTokenCount": out_tokens});
                if cached > 0 {
                    um["cachedContentTokenCount"] = json!(cached);
                }
                if thoughts > 0 {
                    um["thoughtsTokenCount"] = json!(thoughts);
                }
                match rng.range(0, 9) {
                    0 => {} // older CLI: no total
                    1 => um["totalTokenCount"] = json!(context + out_tokens + thoughts + rng.range(1, 400)),
                    _ => um["totalTokenCount"] = json!(context + out_tokens + thoughts),
                }
                let u = rng.uuid();
                let mut r = json!({"uuid": u, "parentUuid": prev, "sessionId": sid, "type": "assistant",
                    "cwd": cwd, "version": "0.6.1", "model": model, "usageMetadata": um,
                    "message": {"role": "model", "parts": [{"text": "Looking at it."}]}});
                if !rng.chance(0.03) {
                    r["timestamp"] = json!(iso(t));
                }
                lines.push(compact(&r));
                lines.push(compact(
                    &json!({"uuid": rng.uuid(), "parentUuid": u, "sessionId": sid, "timestamp": iso(t),
                    "type": "system", "subtype": "ui_telemetry", "systemPayload": {"uiEvent": {
                    "event.name": "qwen-code.api_response", "model": model, "input_token_count": context,
                    "output_token_count": out_tokens}}}),
                ));
                prev = Some(u);
                context += out_tokens + rng.range(100, 3_000);
            }
        }
        let mut text: Vec<String> = lines.clone();
        if s % 11 == 3 {
            // A torn assistant line mid-file.
            if let Some(i) = text.iter().position(|l| l.contains("\"usageMetadata\"")) {
                text[i] = tear(&text[i]);
            }
        }
        let mut body = text.join("\n") + "\n";
        if s % 13 == 5 {
            body.push_str(&tear(&lines[lines.len() - 2]));
        }
        let file = out.join("projects").join(encode_cwd(cwd)).join("chats").join(format!("{sid}.jsonl"));
        write(&file, body.as_bytes(), t);
        if s % 7 == 2 {
            // A /branch fork: the parent's records again under a new session id.
            let fork = rng.uuid();
            let forked: Vec<String> = lines.iter().map(|l| l.replace(&sid, &fork)).collect();
            let f = out.join("projects").join(encode_cwd(cwd)).join("chats").join(format!("{fork}.jsonl"));
            write(&f, (forked.join("\n") + "\n").as_bytes(), t + 60_000);
        }
        if s % 9 == 4 {
            // The same file copied under another project folder: same records, counted once.
            let f = out.join("projects").join("copy").join("chats").join(format!("{sid}.jsonl"));
            write(&f, (lines.join("\n") + "\n").as_bytes(), t);
        }
    }
    // A file deeper than chats/ is not read.
    write(&out.join("projects/x/chats/old/ignored.jsonl"), b"{}\n", START_MS);
    out.to_path_buf()
}

/// Amp: `<out>/threads/T-<uuid>.json` threads; the older ones with a `usageLedger`, whose events
/// take cache tokens from the message they point at; forks repeating messages; a truncated and
/// an empty file.
pub fn amp(out: &Path, seed: u64, threads: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models =
        ["claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001", "claude-opus-4-6"];
    for n in 0..threads {
        let id = format!("T-{}", rng.uuid());
        let cwd = *rng.pick(&PROJECTS);
        let model = *rng.pick(&models);
        let ledger = n % 3 == 0;
        let mut t = session_start(&mut rng, 6);
        let created = t;
        let mut msgs: Vec<Value> = Vec::new();
        let mut events: Vec<Value> = Vec::new();
        let mut context = rng.range(10_000, 15_000);
        let mut prev_ctx: Option<u64> = None;
        for _ in 0..rng.range(1, 5) {
            t += rng.range(15_000, 600_000) as i64;
            let uid = msgs.len();
            msgs.push(json!({"role": "user", "messageId": uid, "content": [{"type": "text", "text": "add a test"}],
                "meta": {"sentAt": t}}));
            if uid == 0 && ledger {
                events.push(
                    json!({"id": rng.uuid(), "timestamp": iso(t + 2_000), "model": "claude-haiku-4-5-20251001",
                    "credits": 0.001, "tokens": {"input": rng.range(300, 1_200), "output": rng.range(8, 24)},
                    "operationType": "title-generation", "fromMessageId": 0, "toMessageId": 0}),
                );
            }
            for step in 0..rng.range(1, 5) {
                t += rng.range(1_500, 30_000) as i64;
                let (cw, cr) = match prev_ctx {
                    Some(p) => (context - p.min(context), p.min(context)),
                    None => (context, 0),
                };
                let inp = rng.range(1, 12);
                let out_tokens = rng.range(30, 2_400);
                let mid = msgs.len();
                let mut usage = json!({"model": model, "inputTokens": inp, "outputTokens": out_tokens,
                    "cacheCreationInputTokens": cw, "cacheReadInputTokens": cr, "totalInputTokens": inp + cw + cr,
                    "timestamp": iso(t)});
                if step == 1 && rng.chance(0.5) {
                    // A stated total above the parts.
                    usage["totalTokens"] = json!(inp + out_tokens + cw + cr + 77);
                }
                msgs.push(
                    json!({"role": "assistant", "messageId": mid, "content": [{"type": "text", "text": "Done."}],
                    "state": {"type": "complete", "stopReason": "end_turn"}, "usage": usage}),
                );
                if ledger {
                    events.push(json!({"id": rng.uuid(), "timestamp": iso(t), "model": model, "credits": 0.01,
                        "tokens": {"input": inp, "output": out_tokens}, "operationType": "inference",
                        "fromMessageId": mid - 1, "toMessageId": mid}));
                }
                prev_ctx = Some(context);
                context += out_tokens + rng.range(200, 4_000);
            }
        }
        if ledger && rng.chance(0.5) {
            // A cancelled reply: an event, a message without usage.
            let mid = msgs.len();
            msgs.push(json!({"role": "assistant", "messageId": mid, "content": [], "state": {"type": "cancelled"}}));
            events.push(json!({"id": rng.uuid(), "timestamp": iso(t + 1_000), "model": model, "credits": 0.0,
                "tokens": {"input": 3, "output": 40}, "operationType": "inference", "fromMessageId": mid - 1,
                "toMessageId": mid}));
        }
        let mut doc = json!({"v": 12, "id": id, "created": created, "title": "Thread", "agentMode": "smart",
            "messages": msgs, "env": {"initial": {"trees": [{"displayName": "p", "uri": format!("file://{cwd}")}]}}});
        if ledger {
            doc["usageLedger"] = json!({"events": events});
        }
        let mut data = compact(&doc).into_bytes();
        if n % 17 == 9 {
            data.truncate(data.len() * 2 / 3);
        }
        write(&out.join("threads").join(format!("{id}.json")), &data, t);
        if n % 6 == 1 {
            // A fork: a new thread repeating the first messages, usage included.
            let mut fork = doc.clone();
            let fid = format!("T-{}", rng.uuid());
            fork["id"] = json!(fid);
            fork.as_object_mut().unwrap().remove("usageLedger");
            let keep = fork["messages"].as_array().unwrap().len().min(3);
            fork["messages"].as_array_mut().unwrap().truncate(keep);
            write(&out.join("threads").join(format!("{fid}.json")), compact(&fork).as_bytes(), t + 3_600_000);
        }
    }
    write(&out.join(format!("threads/T-{}.json", rng.uuid())), b"", START_MS);
    out.to_path_buf()
}

/// Copilot CLI: `<home>/.copilot/otel/*.jsonl` OpenTelemetry file-exporter records: per turn a
/// trace with `chat <model>` spans, an `invoke_agent` summary, inference logs; some turns only
/// with logs (spans lost), some with chat spans lacking usage (the summary counts then).
/// Returns the home directory.
pub fn copilot(home: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = ["claude-sonnet-4.5", "gpt-5-mini", "claude-haiku-4.5", "gpt-5.1-codex", "claude-opus-4.5"];
    let otel = home.join(".copilot/otel");
    let mut file_lines: Vec<String> = Vec::new();
    let mut file_no = 0;
    let mut last_t = START_MS;
    for s in 0..sessions {
        let conv = rng.uuid();
        let model = *rng.pick(&models);
        let mut t = session_start(&mut rng, 6);
        for turn in 0..rng.range(1, 4) {
            let trace = rng.hex(32);
            let root_span = rng.hex(16);
            let mut sum = (0u64, 0u64, 0u64);
            let mode = if turn == 0 && s % 5 == 3 {
                "logs-only"
            } else if turn == 1 && s % 7 == 2 {
                "no-usage"
            } else {
                "full"
            };
            for _ in 0..rng.range(1, 4) {
                t += rng.range(2_000, 30_000) as i64;
                let input = rng.range(5_000, 60_000);
                let cache_read = input * rng.range(0, 90) / 100;
                let output = rng.range(20, 1_500);
                sum = (sum.0 + input, sum.1 + output, sum.2 + cache_read);
                let resp = format!("resp_{}", rng.hex(12));
                let mut attrs = json!({"gen_ai.operation.name": "chat", "gen_ai.request.model": model,
                    "gen_ai.conversation.id": conv, "gen_ai.response.id": resp});
                if mode != "no-usage" {
                    attrs["gen_ai.usage.input_tokens"] = json!(input);
                    attrs["gen_ai.usage.output_tokens"] = json!(output.to_string());
                    attrs["gen_ai.usage.cache_read.input_tokens"] = json!(cache_read);
                    if model.starts_with("claude") {
                        attrs["gen_ai.usage.cache_creation.input_tokens"] = json!(rng.range(0, 2_000));
                    }
                    if rng.chance(0.1) {
                        attrs["gen_ai.usage.total_tokens"] = json!(input + output + 99);
                    }
                }
                let sec = t / 1000;
                let ns = (t % 1000) * 1_000_000;
                if mode != "logs-only" {
                    file_lines.push(compact(&json!({"type": "span", "traceId": trace, "spanId": rng.hex(16),
                        "parentSpanId": root_span, "name": format!("chat {model}"), "kind": 2,
                        "startTime": [sec - 2, ns], "endTime": [sec, ns], "attributes": attrs})));
                }
                if mode != "no-usage" {
                    let mut la = attrs.clone();
                    la["event.name"] = json!("gen_ai.client.inference.operation.details");
                    file_lines.push(compact(&json!({"type": "log", "hrTime": [sec, ns],
                        "spanContext": {"traceId": trace, "spanId": rng.hex(16)}, "body": "GenAI inference: chat",
                        "attributes": la})));
                }
            }
            t += 500;
            if mode != "logs-only" {
                file_lines.push(compact(&json!({"type": "span", "traceId": trace, "spanId": root_span,
                    "name": "invoke_agent copilot", "kind": 1, "startTime": [t / 1000 - 30, 0], "endTime": [t / 1000, 0],
                    "attributes": {"gen_ai.operation.name": "invoke_agent", "gen_ai.conversation.id": conv,
                        "gen_ai.usage.input_tokens": sum.0, "gen_ai.usage.output_tokens": sum.1,
                        "gen_ai.usage.cache_read.input_tokens": sum.2}})));
            }
            // A metric record without usage, and an execute_tool span (neither counts).
            file_lines.push(compact(&json!({"type": "span", "traceId": trace, "spanId": rng.hex(16),
                "name": "execute_tool bash", "startTime": [t / 1000, 0], "endTime": [t / 1000, 0],
                "attributes": {"gen_ai.tool.name": "bash"}})));
        }
        last_t = t;
        if s % 4 == 3 || s + 1 == sessions {
            file_no += 1;
            let mut body = file_lines.join("\n") + "\n";
            if file_no == 2 {
                body.push_str(&tear(&file_lines[0]));
            }
            write(&otel.join(format!("copilot-otel-{file_no:03}.jsonl")), body.as_bytes(), last_t);
            file_lines.clear();
        }
    }
    let _ = last_t;
    home.to_path_buf()
}

/// OpenCode: `<out>/storage/message/<session>/<message>.json` (the JSON store of OpenCode
/// before 1.2): assistant messages with `tokens` (input uncached, output, reasoning, cache),
/// `cost` (0 on plans and logins), the same message stored twice, user messages, a truncated and
/// an empty file.
pub fn opencode(out: &Path, seed: u64, sessions: usize) -> PathBuf {
    let mut rng = Rng::new(seed);
    let models = [
        ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-opus-4-5"),
        ("openai", "gpt-5.1-codex"),
        ("github-copilot", "claude-sonnet-4.5"),
        ("opencode", "big-pickle"),
    ];
    for s in 0..sessions {
        let ses = format!("ses_{}", rng.hex(24));
        let (provider, model) = *rng.pick(&models);
        let cwd = *rng.pick(&PROJECTS);
        let mut t = session_start(&mut rng, 6);
        let mut context = rng.range(8_000, 14_000);
        for m in 0..rng.range(2, 12) {
            t += rng.range(2_000, 120_000) as i64;
            let id = format!("msg_{}", rng.hex(24));
            let dir = out.join("storage/message").join(&ses);
            if m % 3 == 0 {
                let user = json!({"id": id, "sessionID": ses, "role": "user", "time": {"created": t}});
                write(&dir.join(format!("{id}.json")), serde_json::to_string_pretty(&user).unwrap().as_bytes(), t);
                continue;
            }
            let cache_read = if m > 1 { context * rng.range(60, 95) / 100 } else { 0 };
            let input = context - cache_read;
            let output = rng.range(20, 1_800);
            let reasoning = if provider == "openai" { rng.range(0, 900) } else { 0 };
            // OpenAI has no cache writes; Claude models report them.
            let cache_write = if model.starts_with("claude") { rng.range(0, 3_000) } else { 0 };
            let mut tokens = json!({"input": input, "output": output, "reasoning": reasoning,
                "cache": {"read": cache_read, "write": cache_write}});
            if m % 4 == 2 {
                tokens["total"] = json!(input + output + reasoning + cache_read + 1_000);
            }
            let api = provider == "anthropic" || provider == "openai";
            let cost = if api && rng.chance(0.5) { (input as f64 * 3e-6 * 1e4).round() / 1e4 + 0.01 } else { 0.0 };
            let msg = json!({"id": id, "sessionID": ses, "role": "assistant", "time": {"created": t, "completed": t + 900},
                "modelID": model, "providerID": provider, "mode": "build", "path": {"cwd": cwd, "root": cwd},
                "cost": cost, "tokens": tokens});
            let text = serde_json::to_string_pretty(&msg).unwrap();
            write(&dir.join(format!("{id}.json")), text.as_bytes(), t);
            if s % 5 == 1 && m == 2 {
                // The same message again elsewhere (a copy): counted once by its id.
                write(&out.join("storage/message/copied").join(format!("{id}.json")), text.as_bytes(), t);
            }
            context += output + rng.range(100, 2_500);
        }
    }
    write(
        &out.join("storage/message/ses_broken/msg_truncated.json"),
        b"{\"id\": \"msg_truncated\", \"tokens\": {",
        START_MS,
    );
    write(&out.join("storage/message/ses_broken/msg_empty.json"), b"", START_MS);
    out.to_path_buf()
}
