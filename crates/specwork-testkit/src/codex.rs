//! Codex CLI rollouts: a `CODEX_HOME` with `sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl` and a
//! few rollouts in `archived_sessions/`.
//!
//! Lines are `{timestamp, type, payload}`: `session_meta`, `response_item` (messages, reasoning,
//! function calls and outputs), `turn_context` (cwd, model, effort) once per turn, `compacted`,
//! and `event_msg` (`user_message`, `agent_reasoning`, `agent_message`, `token_count`).
//! `token_count.info` is null on the first one; every turn starts with a re-emit of the unchanged
//! counter, and some calls are re-emitted once or twice. Usage objects count input including
//! cached input and output including reasoning; `total_tokens = input + output`.
//!
//! Variants: sessions without `turn_context` or without its model (priced as `gpt-5`), counters
//! without `last_token_usage`, `/model` switches, sessions crossing midnight. `fault_rate`: a
//! torn `token_count` line inside a file (that call is lost) and a truncated last `token_count`
//! line (lost too). `quirks`: some rollouts also copied into `archived_sessions/` (a restored
//! backup; ccusage's event dedupe drops the copies).

use std::path::Path;

use crate::expected::{Call, Expected};
use crate::synth::{Obj, Rng, day_start_ms, iso_ms, torn, write};

const M: f64 = 1e-6;

/// OpenAI's prices per token: input, cached input, output.
fn price(model: &str) -> (f64, f64, f64) {
    match model {
        "gpt-5" | "gpt-5-codex" | "gpt-5.1-codex" | "gpt-5.1-codex-max" => (1.25 * M, 0.125 * M, 10.0 * M),
        "gpt-5.1-codex-mini" => (0.25 * M, 0.025 * M, 2.0 * M),
        "gpt-5.2-codex" => (1.75 * M, 0.175 * M, 14.0 * M),
        other => panic!("no price for {other}"),
    }
}

/// (release day, model, weight): a session picks among the models released by its day.
const MODELS: &[(&str, &str, u32)] = &[
    ("2025-08-07", "gpt-5", 3),
    ("2025-09-15", "gpt-5-codex", 6),
    ("2025-11-13", "gpt-5.1-codex", 7),
    ("2025-11-13", "gpt-5.1-codex-mini", 2),
    ("2025-11-19", "gpt-5.1-codex-max", 3),
    ("2025-12-11", "gpt-5.2-codex", 6),
];

fn model_on(r: &mut Rng, day: &str) -> &'static str {
    let avail: Vec<&(&str, &str, u32)> = MODELS.iter().filter(|m| m.0 <= day).collect();
    if avail.is_empty() {
        return MODELS[0].1;
    }
    let w: Vec<u32> = avail.iter().map(|m| m.2).collect();
    avail[r.weighted(&w)].1
}

/// A Codex home to generate.
#[derive(Clone, Debug)]
pub struct CodexCorpus {
    pub seed: u64,
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    pub days: u32,
    pub sessions: u32,
    /// Share of rollouts with a torn `token_count` line, and (separately) with a truncated last one.
    pub fault_rate: f64,
    /// Copies of some rollouts in `archived_sessions/`.
    pub quirks: bool,
    /// Subagent rollouts: a third of the sessions with two calls or more spawn one or two
    /// subagents whose rollout starts with the parent's `session_meta` and a replay of the
    /// parent's history up to the spawn (its `turn_context` and `token_count` lines, re-stamped
    /// at the spawn, the shape of ccusage issue #950), then the subagent's own turns, whose
    /// counters continue the parent's. The `session_meta` names the parent in
    /// `source.subagent.thread_spawn.parent_thread_id` with `thread_source: "subagent"`, or (a
    /// quarter: forks) in `forked_from_id`.
    pub subagents: bool,
}

/// What [`CodexCorpus::generate_logs`] wrote: the calls to count (each once), and the calls the
/// subagents' rollouts replay (at the time of the replay), which must not be counted again.
#[derive(Clone, Debug, Default)]
pub struct CodexLogs {
    /// Each call once.
    pub expected: Expected,
    /// The replayed copies of calls (a reader that counts them inflates the totals).
    pub replayed: Vec<Call>,
    /// The subagent rollouts written.
    pub subagent_files: Vec<std::path::PathBuf>,
}

impl Default for CodexCorpus {
    fn default() -> Self {
        CodexCorpus {
            seed: 7,
            start: "2025-10-20".into(),
            days: 45,
            sessions: 60,
            fault_rate: 0.0,
            quirks: false,
            subagents: false,
        }
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Other,
    /// A fresh counter: one call.
    Count,
    /// An unchanged counter re-emitted (or the first, null one).
    Reemit,
}

struct Line {
    kind: Kind,
    json: String,
    /// The call a `Count` line carries.
    call: Option<Call>,
    /// The thread's cumulative counter after this line (input, cached, output, reasoning).
    cum: [u64; 4],
    time: i64,
}

/// Where a subagent's rollout starts: its parent and the parent's counter at the spawn.
struct Spawn<'a> {
    parent: &'a str,
    cum: [u64; 4],
    /// A fork (`forked_from_id`, source `cli`) rather than a spawned subagent
    /// (`source.subagent.thread_spawn`, `thread_source: "subagent"`).
    fork: bool,
}

const CWDS: &[&str] = &[
    "/home/dev/src/specwork",
    "/home/dev/src/ledger-api",
    "/home/dev/src/webapp",
    "/home/dev/src/infra",
    "/home/dev/src/notes-cli",
];

fn usage(i: u64, c: u64, o: u64, r: u64) -> String {
    Obj::new()
        .n("input_tokens", i)
        .n("cached_input_tokens", c)
        .n("output_tokens", o)
        .n("reasoning_output_tokens", r)
        .n("total_tokens", i + o)
        .end()
}

#[allow(clippy::too_many_lines)]
fn session(r: &mut Rng, t0: i64, day: &str, sid: &str, spawn: Option<&Spawn<'_>>) -> (Vec<Line>, i64) {
    let mut t = t0;
    let mut lines: Vec<Line> = Vec::new();
    let mut cum = spawn.map_or([0u64; 4], |s| s.cum);
    let emit =
        |lines: &mut Vec<Line>, t: i64, typ: &str, payload: String, kind: Kind, call: Option<Call>, cum: [u64; 4]| {
            let json = Obj::new().s("timestamp", &iso_ms(t)).s("type", typ).raw("payload", payload).end();
            lines.push(Line { kind, json, call, cum, time: t });
        };
    let cwd = *r.pick(CWDS);
    let mut model = model_on(r, day);
    // A subagent is interactive and logs its model (else it would inherit the replayed one).
    let exec = spawn.is_none() && r.chance(0.1);
    let v = r.f();
    // None: turn_context with a model; Some(true): no turn_context; Some(false): one without model.
    let no_model = (v < 0.08 && spawn.is_none()).then(|| r.chance(0.5));
    let total_only = (0.08..0.13).contains(&v);
    let switch = r.chance(0.12).then(|| (r.int(1, 4), model_on(r, day)));
    let version =
        if no_model.is_some() { *r.pick(&["0.34.0", "0.36.0"]) } else { *r.pick(&["0.46.0", "0.53.0", "0.63.0"]) };
    let mut meta = Obj::new().s("id", sid);
    if let Some(sp) = spawn {
        let ts = Obj::new().s("parent_thread_id", sp.parent).n("depth", 1).s("agent_role", "default").end();
        meta = if sp.fork {
            meta.s("forked_from_id", sp.parent)
        } else {
            meta.s("thread_source", "subagent")
                .raw("source", Obj::new().raw("subagent", Obj::new().raw("thread_spawn", ts).end()).end())
        };
    }
    let meta = meta
        .s("timestamp", &iso_ms(t))
        .s("cwd", cwd)
        .s("originator", if exec { "codex_exec" } else { "codex_cli_rs" })
        .s("cli_version", version)
        .raw("instructions", "null");
    let meta = if spawn.is_some_and(|s| !s.fork) { meta } else { meta.s("source", if exec { "exec" } else { "cli" }) };
    let meta = meta.s("model_provider", "openai").end();
    emit(&mut lines, t, "session_meta", meta, Kind::Other, None, cum);
    t += r.int(20, 400) as i64;
    let env = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n</environment_context>"
    );
    let msg = |text: &str, role: &str, kind: &str| {
        Obj::new()
            .s("type", "message")
            .s("role", role)
            .raw("content", format!("[{}]", Obj::new().s("type", kind).s("text", text).end()))
            .end()
    };
    emit(&mut lines, t, "response_item", msg(&env, "user", "input_text"), Kind::Other, None, cum);
    let effort = *r.pick(&["low", "medium", "medium", "high"]);
    let turns = if exec { 1 } else { r.heavy(1, 16, 1.3) };
    let base_ctx = r.int(8500, 14_500);
    let mut context = base_ctx;
    let compact_at = r.int(200_000, 235_000);
    let mut last: Option<String> = None;
    let mut prev_input: Option<u64> = None;
    let info = |cum: &[u64; 4], last: &str| {
        let mut o = Obj::new().raw("total_token_usage", usage(cum[0], cum[1], cum[2], cum[3]));
        if !total_only {
            o = o.raw("last_token_usage", last);
        }
        o.n("model_context_window", 272_000).end()
    };
    let limits = r#"{"primary":{"used_percent":12.5,"window_minutes":300,"resets_in_seconds":9000},"secondary":{"used_percent":30.1,"window_minutes":10080,"resets_in_seconds":300000}}"#;
    for turn in 0..turns {
        if turn > 0 {
            t += if r.chance(0.85) { r.int(15_000, 900_000) } else { r.int(900_000, 4 * 3_600_000) } as i64;
        }
        if let Some((at, m)) = switch
            && at == turn
        {
            model = m;
        }
        let prompt = r.sentence(6, 40);
        emit(&mut lines, t, "response_item", msg(&prompt, "user", "input_text"), Kind::Other, None, cum);
        let um = Obj::new().s("type", "user_message").s("message", &prompt).raw("images", "[]").end();
        emit(&mut lines, t, "event_msg", um, Kind::Other, None, cum);
        t += r.int(5, 60) as i64;
        if no_model != Some(true) {
            let mut ctx = Obj::new()
                .s("cwd", cwd)
                .s("approval_policy", "on-request")
                .raw("sandbox_policy", r#"{"mode":"workspace-write","network_access":false}"#);
            if no_model.is_none() {
                ctx = ctx.s("model", model);
            }
            emit(
                &mut lines,
                t,
                "turn_context",
                ctx.s("effort", effort).s("summary", "auto").end(),
                Kind::Other,
                None,
                cum,
            );
        }
        t += r.int(100, 900) as i64;
        let i = last.as_ref().map_or_else(|| "null".to_owned(), |l| info(&cum, l));
        let tc = Obj::new().s("type", "token_count").raw("info", i).raw("rate_limits", limits).end();
        emit(&mut lines, t, "event_msg", tc, Kind::Reemit, None, cum);
        context += prompt.len() as u64 / 4 + r.int(10, 60);
        let steps = r.heavy(1, 10, 1.2);
        for step in 0..steps {
            let fin = step == steps - 1;
            t += r.int(1500, 25_000) as i64;
            let input = context;
            let cached = match prev_input {
                None => *r.pick(&[0, (base_ctx * 3 / 4) / 128 * 128]),
                Some(p) if r.chance(0.92) => ((p as f64 * (0.86 + r.f() * 0.14)) as u64) / 128 * 128,
                Some(_) if r.chance(0.5) => (base_ctx * 2 / 3) / 128 * 128,
                Some(_) => 0,
            }
            .min(input);
            let out = if fin { r.int(120, 2600) } else { r.int(18, 420) };
            let reasoning = if effort == "low" && r.chance(0.5) { 0 } else { (out as f64 * r.f() * 0.85) as u64 };
            let summary = r.sentence(3, 12);
            emit(
                &mut lines,
                t,
                "event_msg",
                Obj::new().s("type", "agent_reasoning").s("text", &summary).end(),
                Kind::Other,
                None,
                cum,
            );
            let enc =
                format!("gAAAAA{}", r.token("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 200));
            let reason = Obj::new()
                .s("type", "reasoning")
                .raw("summary", format!("[{}]", Obj::new().s("type", "summary_text").s("text", &summary).end()))
                .raw("content", "null")
                .s("encrypted_content", &enc)
                .end();
            emit(&mut lines, t, "response_item", reason, Kind::Other, None, cum);
            let call_id = format!("call_{}", r.token("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 24));
            if !fin {
                let cmd = format!("rg -n {} {}", r.sentence(1, 1).trim_end_matches('.'), r.file());
                let args = Obj::new()
                    .raw("command", format!("[\"bash\",\"-lc\",{}]", crate::synth::js(&cmd)))
                    .s("workdir", cwd)
                    .n("timeout_ms", 120_000)
                    .end();
                let fc = Obj::new()
                    .s("type", "function_call")
                    .s("name", "shell")
                    .s("arguments", &args)
                    .s("call_id", &call_id)
                    .end();
                emit(&mut lines, t, "response_item", fc, Kind::Other, None, cum);
            }
            t += r.int(50, 600) as i64;
            let l = usage(input, cached, out, reasoning);
            cum[0] += input;
            cum[1] += cached;
            cum[2] += out;
            cum[3] += reasoning;
            let m = if no_model.is_some() { "gpt-5" } else { model };
            let (pi, pc, po) = price(m);
            let call = Call {
                at_ms: t,
                model: Some(m.to_owned()),
                session: sid.to_owned(),
                input: input - cached,
                output: out,
                cache_creation: 0,
                cache_read: cached,
                total: input + out,
                cost: (input - cached) as f64 * pi + cached as f64 * pc + out as f64 * po,
                recorded_cost: None,
            };
            let tc = Obj::new().s("type", "token_count").raw("info", info(&cum, &l)).raw("rate_limits", limits).end();
            emit(&mut lines, t, "event_msg", tc, Kind::Count, Some(call), cum);
            last = Some(l.clone());
            prev_input = Some(input);
            if r.chance(0.2) {
                for _ in 0..r.int(1, 2) {
                    t += r.int(40, 2500) as i64;
                    let tc = Obj::new()
                        .s("type", "token_count")
                        .raw("info", info(&cum, &l))
                        .raw("rate_limits", limits)
                        .end();
                    emit(&mut lines, t, "event_msg", tc, Kind::Reemit, None, cum);
                }
            }
            context += out;
            if fin {
                let text = r.sentence(8, 40);
                t += r.int(20, 200) as i64;
                emit(
                    &mut lines,
                    t,
                    "event_msg",
                    Obj::new().s("type", "agent_message").s("message", &text).end(),
                    Kind::Other,
                    None,
                    cum,
                );
                emit(&mut lines, t, "response_item", msg(&text, "assistant", "output_text"), Kind::Other, None, cum);
            } else {
                let tool_tokens = r.heavy(50, 10_000, 1.2);
                let body = r.text((tool_tokens as usize * 4).min(1200));
                t += r.int(100, 8000) as i64;
                let output = Obj::new()
                    .s("output", &body)
                    .raw("metadata", Obj::new().n("exit_code", 0).n("duration_seconds", 0.4).end())
                    .end();
                let fo = Obj::new().s("type", "function_call_output").s("call_id", &call_id).s("output", &output).end();
                emit(&mut lines, t, "response_item", fo, Kind::Other, None, cum);
                context += tool_tokens + r.int(20, 80);
            }
            if context > compact_at {
                t += r.int(2000, 9000) as i64;
                emit(
                    &mut lines,
                    t,
                    "compacted",
                    Obj::new().s("message", &r.sentence(20, 60)).end(),
                    Kind::Other,
                    None,
                    cum,
                );
                context = base_ctx + r.int(2500, 9000);
                prev_input = Some(base_ctx);
            }
        }
    }
    (lines, t)
}

impl CodexCorpus {
    /// Writes a `CODEX_HOME` at `home` and returns what must be counted.
    ///
    /// # Panics
    /// On an unwritable `home` or a malformed `start`.
    pub fn generate(&self, home: &Path) -> Expected {
        self.generate_logs(home).expected
    }

    /// Writes a `CODEX_HOME` at `home` and returns what must be counted and what is replayed.
    ///
    /// # Panics
    /// On an unwritable `home` or a malformed `start`.
    #[allow(clippy::too_many_lines)]
    pub fn generate_logs(&self, home: &Path) -> CodexLogs {
        let mut logs = CodexLogs::default();
        let mut sub = Rng::new(self.seed, "codex-subagents");
        let mut r = Rng::new(self.seed, "codex");
        let mut faults = Rng::new(self.seed, "codex-faults");
        let start = day_start_ms(&self.start);
        let mut expected = Expected::default();
        let mut history = Vec::new();
        for _ in 0..self.sessions {
            let day = r.int(0, u64::from(self.days) - 1) as i64;
            let hour = *r.pick(&[8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 21, 22, 23]);
            let t0 = start + day * 86_400_000 + hour * 3_600_000 + r.int(0, 3_599_999) as i64;
            let day_s = crate::synth::day_of(t0, 0);
            let ms = t0 & ((1 << 48) - 1);
            let u = r.uuid4();
            // A UUIDv7: the time in the first 48 bits.
            let sid = format!("{:08x}-{:04x}-7{}", ms >> 16, ms & 0xffff, &u[15..]);
            let (mut lines, _) = session(&mut r, t0, &day_s, &sid, None);
            let archived = r.chance(0.06);
            // A truncated last token_count: the session died while writing it (later lines never came).
            let mut truncate = false;
            if faults.chance(self.fault_rate)
                && let Some(last) = lines.iter().rposition(|l| l.kind == Kind::Count)
            {
                lines.truncate(last + 1);
                truncate = true;
            }
            // A torn token_count inside the file: only where the next counter line is a fresh call
            // with its own `last_token_usage`, so neither a re-emit nor a difference of totals
            // brings the lost call back.
            let mut torn_at = None;
            if faults.chance(self.fault_rate) {
                let counters: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].kind != Kind::Other).collect();
                let cands: Vec<usize> = counters
                    .windows(2)
                    .filter(|w| lines[w[0]].kind == Kind::Count && lines[w[1]].kind == Kind::Count)
                    .filter(|w| lines[w[1]].json.contains("\"last_token_usage\""))
                    .map(|w| w[0])
                    .filter(|&i| i + 1 < lines.len() - usize::from(truncate))
                    .collect();
                torn_at = cands.get(cands.len() / 2).copied();
            }
            let mut data = String::new();
            for (i, l) in lines.iter().enumerate() {
                let last = i + 1 == lines.len();
                if Some(i) == torn_at {
                    data.push_str(torn(&l.json, 0.5));
                    data.push('\n');
                } else if last && truncate {
                    data.push_str(torn(&l.json, 0.6));
                } else {
                    data.push_str(&l.json);
                    data.push('\n');
                    if let Some(c) = &l.call {
                        expected.calls.push(c.clone());
                    }
                }
                if l.kind == Kind::Other && l.json.contains("\"type\":\"user_message\"") {
                    history.push(l.json.clone());
                }
            }
            let stamp = jiff::Timestamp::from_millisecond(t0).expect("time").strftime("%Y-%m-%dT%H-%M-%S").to_string();
            let name = format!("rollout-{stamp}-{sid}.jsonl");
            let rel = if archived {
                Path::new("archived_sessions").join(&name)
            } else {
                Path::new("sessions").join(&day_s[..4]).join(&day_s[5..7]).join(&day_s[8..10]).join(&name)
            };
            write(&home.join(&rel), data.as_bytes());
            expected.files.push(home.join(&rel));
            expected.sessions.push(sid.clone());
            if self.quirks && !archived && r.chance(0.08) {
                let copy = home.join("archived_sessions").join(&name);
                write(&copy, data.as_bytes());
                expected.files.push(copy);
            }
            if self.subagents && !truncate && torn_at.is_none() {
                let spawned = spawn_subagents(&mut sub, home, &sid, &lines, &mut expected, &mut logs);
                logs.subagent_files.extend(spawned);
            }
        }
        // Files ccusage and specwork ignore.
        write(&home.join("history.jsonl"), (history.join("\n") + "\n").as_bytes());
        write(&home.join("config.toml"), b"model = \"gpt-5-codex\"\nmodel_reasoning_effort = \"medium\"\n");
        logs.expected = expected;
        logs
    }
}

/// `line` with its leading `timestamp` replaced by `t`.
fn restamp(line: &str, t: i64) -> String {
    const HEAD: &str = "{\"timestamp\":\"";
    let rest = line.strip_prefix(HEAD).and_then(|r| r.split_once('"')).map_or("", |(_, rest)| rest);
    format!("{HEAD}{}\"{rest}", iso_ms(t))
}

/// A third of the sessions with at least two calls spawn one or two subagents: each rollout is
/// the subagent's `session_meta`, the parent's lines up to the spawn re-stamped at the spawn, then
/// the subagent's own session. Its own calls go to `expected`; the replayed calls (again, at the
/// spawn) to `logs.replayed`.
fn spawn_subagents(
    sub: &mut Rng,
    home: &Path,
    parent: &str,
    lines: &[Line],
    expected: &mut Expected,
    logs: &mut CodexLogs,
) -> Vec<std::path::PathBuf> {
    let counts: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].kind == Kind::Count).collect();
    if counts.len() < 2 || !sub.chance(0.33) {
        return Vec::new();
    }
    let mut files = Vec::new();
    for _ in 0..sub.int(1, 2) {
        let k = counts[sub.int(0, counts.len() as u64 - 2) as usize];
        let t0 = lines[k].time + sub.int(200, 5000) as i64;
        let day_s = crate::synth::day_of(t0, 0);
        let ms = t0 & ((1 << 48) - 1);
        let u = sub.uuid4();
        let sid = format!("{:08x}-{:04x}-7{}", ms >> 16, ms & 0xffff, &u[15..]);
        let fork = sub.chance(0.25);
        let spawn = Spawn { parent, cum: lines[k].cum, fork };
        let (own, _) = session(sub, t0, &day_s, &sid, Some(&spawn));
        let mut data = String::new();
        for (i, l) in own.iter().enumerate() {
            data.push_str(&l.json);
            data.push('\n');
            if i == 0 {
                for p in &lines[..=k] {
                    data.push_str(&restamp(&p.json, t0));
                    data.push('\n');
                    if let Some(c) = &p.call {
                        logs.replayed.push(Call { at_ms: t0, session: sid.clone(), ..c.clone() });
                    }
                }
            }
            if let Some(c) = &l.call {
                expected.calls.push(c.clone());
            }
        }
        let stamp = jiff::Timestamp::from_millisecond(t0).expect("time").strftime("%Y-%m-%dT%H-%M-%S").to_string();
        let rel = Path::new("sessions").join(&day_s[..4]).join(&day_s[5..7]).join(&day_s[8..10]);
        let path = home.join(rel).join(format!("rollout-{stamp}-{sid}.jsonl"));
        write(&path, data.as_bytes());
        expected.files.push(path.clone());
        expected.sessions.push(sid);
        files.push(path);
    }
    files
}
