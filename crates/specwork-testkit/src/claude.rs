//! Claude Code transcripts: `<root>/projects/<encoded cwd>/<session>.jsonl`, subagents in
//! `<session>/subagents/agent-<id>.jsonl`, the way Claude Code 1.x and 2.x lay out
//! `~/.claude/projects` (point a reader at it with `CLAUDE_CONFIG_DIR=<root>`).
//!
//! What is written: user prompts and tool results, assistant calls streamed as one line per
//! content block (the lines share `message.id` + `requestId`; output grows on partial lines, or
//! every line carries the final usage), summaries, compact boundaries, file-history snapshots.
//! With `quirks`: Task subagents (own files in 2.x, inline in 1.x, with `agent_progress` copies in
//! the parent), `/btw` sidechain replays of a parent message (same id, new request id), resumed
//! sessions that copy earlier lines of the project, API-error lines (`<synthetic>`), fast mode,
//! `costUSD` on 1.x lines. With `long_context`: 1M-context Sonnet sessions whose requests pass
//! 200k tokens. With `fault_rate`: a torn line inside files and a torn last line without newline.
//!
//! The expected calls follow ccusage 20's rules as the generator applies them to what it wrote:
//! of the streamed lines of a call the first with the largest total counts (at its own
//! timestamp); copies, progress copies and sidechain replays count once; torn lines never carry
//! the only copy of a call.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::expected::{Call, Expected};
use crate::synth::{Obj, Rng, arr, day_start_ms, iso_ms, js, parse_ms, torn, write};

const M: f64 = 1e-6;

/// USD per token: input, output, 5-minute cache write, cache read, and the above-200k rates
/// (ccusage tiers each token category separately). A 1-hour cache write costs twice the input.
struct Price {
    input: f64,
    output: f64,
    write_5m: f64,
    read: f64,
    above: Option<(f64, f64, f64, f64)>,
}

/// Anthropic's published prices for the models the generator writes.
fn price(model: &str) -> Price {
    let p = |i: f64, o: f64, w: f64, r: f64| Price {
        input: i * M,
        output: o * M,
        write_5m: w * M,
        read: r * M,
        above: None,
    };
    match model {
        "claude-sonnet-4-20250514" | "claude-sonnet-4-5-20250929" => {
            Price { above: Some((6.0 * M, 22.5 * M, 7.5 * M, 0.6 * M)), ..p(3.0, 15.0, 3.75, 0.3) }
        }
        "claude-opus-4-20250514" | "claude-opus-4-1-20250805" => p(15.0, 75.0, 18.75, 1.5),
        "claude-opus-4-5-20251101" | "claude-opus-4-6" => p(5.0, 25.0, 6.25, 0.5),
        "claude-haiku-4-5-20251001" => p(1.0, 5.0, 1.25, 0.1),
        "claude-3-5-haiku-20241022" => p(0.8, 4.0, 1.0, 0.08),
        other => panic!("no price for {other}"),
    }
}

/// Fast mode multiplies the price (Opus 4.6 only).
const FAST_MULTIPLIER: f64 = 6.0;

#[derive(Clone, Copy, Default)]
struct Usage {
    input: u64,
    output: u64,
    write_5m: u64,
    write_1h: u64,
    read: u64,
    fast: bool,
}

impl Usage {
    fn total(&self) -> u64 {
        self.input + self.output + self.write_5m + self.write_1h + self.read
    }

    /// ccusage's cost: each category's tokens above 200k at the above-200k rate.
    fn cost(&self, model: &str) -> f64 {
        let p = price(model);
        let tier = |n: u64, base: f64, above: Option<f64>| match above {
            Some(a) if n > 200_000 => 200_000.0 * base + (n - 200_000) as f64 * a,
            _ => n as f64 * base,
        };
        let a = p.above;
        let c = tier(self.input, p.input, a.map(|a| a.0))
            + tier(self.output, p.output, a.map(|a| a.1))
            + tier(self.write_5m, p.write_5m, a.map(|a| a.2))
            + tier(self.write_1h, 2.0 * p.input, a.map(|a| 2.0 * a.0))
            + tier(self.read, p.read, a.map(|a| a.3));
        if self.fast { c * FAST_MULTIPLIER } else { c }
    }
}

/// One planned session: where and when it runs, and how many prompts it has.
#[derive(Clone, Debug)]
pub struct SessionPlan {
    /// The project directory (`cwd`).
    pub cwd: String,
    /// First line's time, RFC 3339.
    pub start: String,
    /// No line after this time, RFC 3339.
    pub end: String,
    /// User prompts (each followed by up to a dozen model calls).
    pub prompts: u32,
}

/// A Claude Code corpus to generate.
#[derive(Clone, Debug)]
pub struct ClaudeCorpus {
    pub seed: u64,
    /// First day, `YYYY-MM-DD` (UTC).
    pub start: String,
    pub days: u32,
    /// Project directories; empty: three made-up ones.
    pub projects: Vec<String>,
    /// Random sessions spread over the days (ignored when `plan` is not empty).
    pub sessions: u32,
    /// Prompts per random session (inclusive range).
    pub prompts: (u32, u32),
    /// Scales the size of text in lines (1.0 gives roughly 25 KB per model call).
    pub text_scale: f64,
    /// Share of files with a torn line inside, and (separately) of files whose last line is torn.
    pub fault_rate: f64,
    /// Subagents, sidechain replays, resumed copies, API errors, fast mode, `costUSD`.
    pub quirks: bool,
    /// 1M-context Sonnet sessions with requests above 200k tokens.
    pub long_context: bool,
    /// Explicit sessions instead of random ones.
    pub plan: Vec<SessionPlan>,
    /// Agent-tool subagents as Claude Code 2.1.2 and later writes them: after the corpus, a pass
    /// with its own seed gives about a third of the sessions (every session when `plan` is set)
    /// one to three `<session>/subagents/agent-a<6 hex>.jsonl` transcripts, every line a sidechain
    /// with its `agentId` and the parent's `sessionId` and `cwd`, and an `agent-<id>.meta.json`
    /// beside each (`agentType`, `spawnDepth`, `model`, `description`). The parent's transcript
    /// is not touched; the subagents' calls count for the parent session. Their files come after
    /// every session's own files in [`Expected::files`].
    pub subagents: bool,
}

impl Default for ClaudeCorpus {
    fn default() -> Self {
        ClaudeCorpus {
            seed: 7,
            start: "2025-09-01".into(),
            days: 30,
            projects: Vec::new(),
            sessions: 40,
            prompts: (2, 12),
            text_scale: 1.0,
            fault_rate: 0.0,
            quirks: true,
            long_context: false,
            plan: Vec::new(),
            subagents: false,
        }
    }
}

/// `/home/dana/src/app` → `-home-dana-src-app`, Claude Code's project folder name.
pub fn encode_project(cwd: &str) -> String {
    cwd.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

const VERSIONS: &[&str] = &["1.0.88", "1.0.113", "2.0.14", "2.0.31", "2.0.55", "2.1.3", "2.1.12"];

fn model_for(r: &mut Rng, frac: f64) -> &'static str {
    let x = r.f();
    if frac < 0.35 {
        match x {
            x if x < 0.55 => "claude-sonnet-4-20250514",
            x if x < 0.80 => "claude-opus-4-1-20250805",
            x if x < 0.90 => "claude-opus-4-20250514",
            _ => "claude-sonnet-4-5-20250929",
        }
    } else if frac < 0.7 {
        match x {
            x if x < 0.60 => "claude-sonnet-4-5-20250929",
            x if x < 0.75 => "claude-sonnet-4-20250514",
            x if x < 0.90 => "claude-opus-4-1-20250805",
            _ => "claude-opus-4-5-20251101",
        }
    } else {
        match x {
            x if x < 0.50 => "claude-sonnet-4-5-20250929",
            x if x < 0.80 => "claude-opus-4-5-20251101",
            x if x < 0.95 => "claude-opus-4-6",
            _ => "claude-sonnet-4-20250514",
        }
    }
}

/// An assistant line's parts, kept so that copies and replays can be rendered from it.
#[derive(Clone)]
struct Asst {
    parent: Option<String>,
    uuid: String,
    ts: i64,
    msg_id: String,
    req_id: String,
    model: String,
    content: String,
    stop: Option<&'static str>,
    usage: Usage,
    cost_usd: Option<f64>,
}

/// One transcript file being written.
struct File {
    path: PathBuf,
    lines: Vec<String>,
}

impl File {
    fn new(path: PathBuf) -> Self {
        File { path, lines: Vec::new() }
    }
    fn add(&mut self, line: String) {
        self.lines.push(line);
    }
}

struct Session<'a> {
    r: &'a mut Rng,
    cfg: &'a ClaudeCorpus,
    dir: PathBuf,
    cwd: String,
    sid: String,
    t: i64,
    end: i64,
    frac: f64,
    version: &'static str,
    v2: bool,
    model: &'static str,
    compact_at: u64,
    use_1h: bool,
    with_cost_usd: bool,
    branch: String,
    parent: Option<String>,
    context: u64,
    first_call: bool,
    main: File,
    extra_files: Vec<File>,
    history: Vec<Asst>,
    calls: Vec<Call>,
}

impl Session<'_> {
    fn tick(&mut self, lo: u64, hi: u64) {
        self.t += self.r.int(lo, hi) as i64;
    }

    /// The envelope every transcript line starts with; `body` adds the type's own keys.
    fn env(&mut self, typ: &str, side: Option<&str>, body: impl FnOnce(Obj) -> Obj, uuid: Option<String>) -> String {
        let uuid = uuid.unwrap_or_else(|| self.r.uuid4());
        let line = self.envelope(self.parent.clone(), typ, side, &self.sid.clone(), body, &uuid, self.t);
        self.parent = Some(uuid);
        line
    }

    #[allow(clippy::too_many_arguments)]
    fn envelope(
        &self,
        parent: Option<String>,
        typ: &str,
        side: Option<&str>,
        sid: &str,
        body: impl FnOnce(Obj) -> Obj,
        uuid: &str,
        ts: i64,
    ) -> String {
        let mut o = Obj::new()
            .raw("parentUuid", parent.as_deref().map_or_else(|| "null".into(), js))
            .n("isSidechain", side.is_some())
            .s("userType", "external")
            .s("cwd", &self.cwd)
            .s("sessionId", sid)
            .s("version", self.version)
            .s("gitBranch", &self.branch);
        if let Some(a) = side {
            o = o.s("agentId", a);
        }
        o = o.s("type", typ);
        body(o).s("uuid", uuid).s("timestamp", &iso_ms(ts)).end()
    }

    fn usage_json(&mut self, u: &Usage) -> String {
        let mut o = Obj::new()
            .n("input_tokens", u.input)
            .n("cache_creation_input_tokens", u.write_5m + u.write_1h)
            .n("cache_read_input_tokens", u.read);
        if self.v2 {
            o = o.raw(
                "cache_creation",
                Obj::new().n("ephemeral_5m_input_tokens", u.write_5m).n("ephemeral_1h_input_tokens", u.write_1h).end(),
            );
        }
        o = o.n("output_tokens", u.output).s("service_tier", "standard");
        if self.r.chance(0.15) {
            o = o.raw("server_tool_use", r#"{"web_search_requests":0,"web_fetch_requests":0}"#);
        }
        if u.fast {
            o = o.s("speed", "fast");
        }
        o.end()
    }

    /// Renders an assistant line of `sid` (a copy may carry another session id, a replay a new
    /// request id, the sidechain flag and more cache reads).
    fn render_asst(&mut self, a: &Asst, sid: &str, side: Option<&str>) -> String {
        let usage = self.usage_json(&a.usage);
        let msg = Obj::new()
            .s("id", &a.msg_id)
            .s("type", "message")
            .s("role", "assistant")
            .s("model", &a.model)
            .raw("content", &a.content)
            .raw("stop_reason", a.stop.map_or_else(|| "null".into(), js))
            .raw("stop_sequence", "null")
            .raw("usage", usage)
            .end();
        let cost = a.cost_usd;
        self.envelope(
            a.parent.clone(),
            "assistant",
            side,
            sid,
            |o| {
                let o = o.raw("message", msg).s("requestId", &a.req_id);
                match cost {
                    Some(c) => o.n("costUSD", c),
                    None => o,
                }
            },
            &a.uuid,
            a.ts,
        )
    }

    fn user_prompt(&mut self, side: Option<&str>) -> String {
        let n = self.r.heavy(20, 3000, 1.2) as usize;
        let text = self.r.text(n);
        self.env("user", side, |o| o.raw("message", Obj::new().s("role", "user").s("content", &text).end()), None)
    }

    fn tool_result(&mut self, tool_id: &str, side: Option<&str>) -> String {
        let n = (self.r.heavy(200, 60_000, 0.95) as f64 * self.cfg.text_scale) as usize;
        let body = self.r.text(n.max(10));
        let err = self.r.chance(0.03);
        let content = arr([Obj::new()
            .s("tool_use_id", tool_id)
            .s("type", "tool_result")
            .s("content", &body)
            .n("is_error", err)
            .end()]);
        let head: String = body.chars().take(200).collect();
        self.env(
            "user",
            side,
            |o| {
                o.raw("message", Obj::new().s("role", "user").raw("content", content).end()).raw(
                    "toolUseResult",
                    Obj::new().s("stdout", &head).s("stderr", "").n("interrupted", false).n("isImage", false).end(),
                )
            },
            None,
        )
    }

    /// One API call streamed as 1–5 lines into `file` (`None`: the main transcript). Returns the
    /// tool ids it asked for and the rendered lines; records the call.
    fn api_call(
        &mut self,
        file: Option<usize>,
        model: &str,
        side: Option<&str>,
        small: bool,
    ) -> (Vec<String>, Vec<Asst>, usize) {
        let msg_id = format!("msg_01{}", self.r.token(B58, 22));
        let req_id = format!("req_011C{}", self.r.token(B58, 20));
        let (input, mut write, read) = if small {
            (self.r.int(50, 900), 0, 0)
        } else {
            let (w, rd) = if self.first_call {
                self.first_call = false;
                let rd = if self.r.chance(0.5) { 0 } else { self.r.int(self.context / 2, self.context * 9 / 10) };
                (self.context - rd, rd)
            } else {
                let added = self.r.heavy(150, 30_000, 1.2);
                let rd = self.context;
                self.context += added;
                (added, rd)
            };
            let i =
                if self.r.chance(0.9) { *self.r.pick(&[1, 2, 3, 4, 5, 6, 8, 10, 12]) } else { self.r.int(13, 4000) };
            (i, w, rd)
        };
        let out_final = if small { self.r.int(5, 80) } else { self.r.heavy(20, 16_000, 1.1) };
        let mut write_1h = 0;
        if self.use_1h && !small {
            write_1h = write;
            write = 0;
        }
        let fast = self.cfg.quirks && model == "claude-opus-4-6" && self.r.chance(0.1);
        let nb = [1, 2, 3, 4, 5][self.r.weighted(&[40, 35, 15, 7, 3])];
        let growing = self.r.chance(0.7);
        let partial = self.r.int(1, 12);
        let mut tools = Vec::new();
        let mut lines = Vec::new();
        let mut best: Option<(u64, usize, Usage)> = None;
        for i in 0..nb {
            let last = i == nb - 1;
            let kind = if i == 0 && nb > 1 && self.r.chance(0.5) {
                "thinking"
            } else if last && self.r.chance(0.7) {
                "tool_use"
            } else {
                "text"
            };
            let content = match kind {
                "thinking" => {
                    let n = self.r.heavy(200, 8000, 1.4) as usize;
                    let sig = self.r.token(B58, 120);
                    arr([Obj::new().s("type", "thinking").s("thinking", &self.r.text(n)).s("signature", &sig).end()])
                }
                "text" => {
                    let n = self.r.heavy(40, 6000, 1.3) as usize;
                    arr([Obj::new().s("type", "text").s("text", &self.r.text(n)).end()])
                }
                _ => {
                    let id = format!("toolu_01{}", self.r.token(B58, 22));
                    tools.push(id.clone());
                    let name = *self.r.pick(&["Read", "Edit", "Bash", "Grep", "Glob", "Write", "TodoWrite"]);
                    let n = (self.r.heavy(30, 5000, 1.3) as f64 * self.cfg.text_scale) as usize;
                    let path = format!("{}/{}", self.cwd, self.r.file());
                    let input = Obj::new().s("file_path", &path).s("content", &self.r.text(n)).end();
                    arr([Obj::new().s("type", "tool_use").s("id", &id).s("name", name).raw("input", input).end()])
                }
            };
            let output = if last || !growing { out_final } else { out_final.min(partial + i) };
            let usage = Usage { input, output, write_5m: write, write_1h, read, fast };
            let cost_usd = self.with_cost_usd.then(|| (usage.cost(model) * 1.05 * 1e8).round() / 1e8);
            let stop = last.then_some(if kind == "tool_use" { "tool_use" } else { "end_turn" });
            let a = Asst {
                parent: self.parent.clone(),
                uuid: self.r.uuid4(),
                ts: self.t,
                msg_id: msg_id.clone(),
                req_id: req_id.clone(),
                model: model.to_owned(),
                content,
                stop,
                usage,
                cost_usd,
            };
            self.parent = Some(a.uuid.clone());
            let line = self.render_asst(&a, &self.sid.clone(), side);
            match file {
                None => self.main.add(line),
                Some(f) => self.extra_files[f].add(line),
            }
            // ccusage keeps the first of the lines with the largest total.
            if best.is_none_or(|(t, _, _)| usage.total() > t) {
                best = Some((usage.total(), lines.len(), usage));
            }
            lines.push(a);
            self.tick(30, 2500);
        }
        let (_, kept, u) = best.expect("at least one line");
        let recorded = lines[kept].cost_usd;
        self.calls.push(Call {
            at_ms: lines[kept].ts,
            model: Some(if fast { format!("{model}-fast") } else { model.to_owned() }),
            session: self.sid.clone(),
            input: u.input,
            output: u.output,
            cache_creation: u.write_5m + u.write_1h,
            cache_read: u.read,
            total: u.total(),
            cost: u.cost(model),
            recorded_cost: recorded,
        });
        (tools, lines, kept)
    }

    fn add(&mut self, file: Option<usize>, line: String) {
        match file {
            None => self.main.add(line),
            Some(f) => self.extra_files[f].add(line),
        }
    }

    fn tool_results(&mut self, file: Option<usize>, tools: &[String], side: Option<&str>) {
        for id in tools {
            let l = self.tool_result(id, side);
            self.add(file, l);
            self.tick(200, 20_000);
        }
    }

    fn maybe_compact(&mut self) {
        if self.context < self.compact_at {
            return;
        }
        let pre = self.context;
        let l = self.env(
            "system",
            None,
            |o| {
                o.s("subtype", "compact_boundary")
                    .s("content", "Conversation compacted")
                    .n("isMeta", false)
                    .s("level", "info")
                    .raw("compactMetadata", Obj::new().s("trigger", "auto").n("preTokens", pre).end())
            },
            None,
        );
        self.main.add(l);
        let text = format!("This session is being continued from a previous conversation. {}", self.r.text(2000));
        let l = self.env(
            "user",
            None,
            |o| {
                o.raw("message", Obj::new().s("role", "user").s("content", &text).end())
                    .n("isCompactSummary", true)
                    .n("isVisibleInTranscriptOnly", true)
            },
            None,
        );
        self.main.add(l);
        self.context = self.r.int(18_000, 45_000);
        self.first_call = true;
    }

    /// An API error: an assistant line with model `<synthetic>` and zero usage, counted as a call.
    fn api_error(&mut self) {
        let limit = self.r.chance(0.3);
        let text = if limit {
            format!("Claude AI usage limit reached|{}", (self.t / 1000 / 3600 + 3) * 3600)
        } else {
            r#"API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.to_owned()
        };
        let id = self.r.uuid4();
        let msg = Obj::new()
            .s("id", &id)
            .raw("container", "null")
            .s("model", "<synthetic>")
            .s("role", "assistant")
            .s("stop_reason", "stop_sequence")
            .s("stop_sequence", "")
            .s("type", "message")
            .raw("usage", r#"{"input_tokens":0,"output_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"server_tool_use":{"web_search_requests":0,"web_fetch_requests":0},"service_tier":null,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0}}"#)
            .raw("content", arr([Obj::new().s("type", "text").s("text", &text).end()]))
            .end();
        let at = self.t;
        let l = self.env("assistant", None, |o| o.raw("message", msg).n("isApiErrorMessage", true), None);
        self.main.add(l);
        self.calls.push(Call {
            at_ms: at,
            model: None,
            session: self.sid.clone(),
            input: 0,
            output: 0,
            cache_creation: 0,
            cache_read: 0,
            total: 0,
            cost: 0.0,
            recorded_cost: None,
        });
    }

    /// A Task subagent: its own file in 2.x (with `agent_progress` copies of some of its calls
    /// in the parent), inline sidechain lines in 1.x.
    fn subagent(&mut self) {
        let agent = self.r.hex(8);
        let file = if self.v2 {
            self.extra_files
                .push(File::new(self.dir.join(&self.sid).join("subagents").join(format!("agent-{agent}.jsonl"))));
            Some(self.extra_files.len() - 1)
        } else {
            None
        };
        let saved = (self.parent.take(), self.context, self.first_call);
        self.context = self.r.int(8_000, 20_000);
        self.first_call = true;
        let sub_model = if self.r.chance(0.6) {
            if self.frac < 0.3 { "claude-3-5-haiku-20241022" } else { "claude-haiku-4-5-20251001" }
        } else {
            self.model
        };
        let l = self.user_prompt(Some(&agent));
        self.add(file, l);
        let mut progress = Vec::new();
        for _ in 0..self.r.int(2, 8) {
            let (tools, lines, kept) = self.api_call(file, sub_model, Some(&agent), false);
            if file.is_some() && self.r.chance(0.3) {
                // ccusage keeps the parent's progress copy over the sidechain line: copy the line
                // that counts, so the call keeps its time.
                progress.push(lines[kept].clone());
            }
            self.tool_results(file, &tools, Some(&agent));
        }
        (self.parent, self.context, self.first_call) = saved;
        for a in progress {
            // The nested message as the subagent wrote it, inside a progress line of the parent.
            let nested_line = self.render_asst(&a, &self.sid.clone(), Some(&agent));
            let nested: serde_json::Value = serde_json::from_str(&nested_line).expect("own line");
            let data = Obj::new()
                .raw(
                    "message",
                    Obj::new()
                        .s("type", "assistant")
                        .s("timestamp", &iso_ms(a.ts))
                        .raw("message", nested["message"].to_string())
                        .s("requestId", &a.req_id)
                        .s("uuid", &a.uuid)
                        .end(),
                )
                .s("type", "agent_progress")
                .s("agentId", &agent)
                .s("prompt", "explore")
                .end();
            let (t1, t2) = (format!("toolu_01{}", self.r.token(B58, 22)), format!("toolu_01{}", self.r.token(B58, 22)));
            let l =
                self.env("progress", None, |o| o.raw("data", data).s("toolUseID", &t1).s("parentToolUseID", &t2), None);
            self.main.add(l);
        }
    }

    /// A `/btw` aside: sidechain copies of recent parent lines (same message id, new request
    /// id, more cache reads; the parent's line counts), then one call of its own.
    fn btw_replay(&mut self) {
        if !self.v2 || self.history.is_empty() {
            return;
        }
        let agent = format!("aside_question-{}", self.r.hex(8));
        self.extra_files
            .push(File::new(self.dir.join(&self.sid).join("subagents").join(format!("agent-{agent}.jsonl"))));
        let f = self.extra_files.len() - 1;
        let recent: Vec<Asst> = self.history.iter().rev().take(20).cloned().collect();
        for _ in 0..2.min(recent.len()) {
            let mut a = self.r.pick(&recent).clone();
            a.req_id = format!("req_011C{}", self.r.token(B58, 20));
            a.usage.read += self.r.int(1000, 50_000);
            let l = self.render_asst(&a, &self.sid.clone(), Some(&agent));
            self.extra_files[f].add(l);
        }
        let saved = self.parent.take();
        let l = self.user_prompt(Some(&agent));
        self.extra_files[f].add(l);
        let model = self.model;
        self.api_call(Some(f), model, Some(&agent), false);
        self.parent = saved;
    }

    /// An Agent-tool subagent in its own transcript (Claude Code 2.1.2+), and its sidecar.
    fn subagent_file(&mut self, agent: &str, agent_type: &str) -> (PathBuf, String) {
        let dir = self.dir.join(&self.sid).join("subagents");
        self.extra_files.push(File::new(dir.join(format!("agent-{agent}.jsonl"))));
        let f = self.extra_files.len() - 1;
        self.parent = None;
        self.context = self.r.int(8_000, 20_000);
        self.first_call = true;
        let model = if agent_type == "Explore" { "claude-haiku-4-5-20251001" } else { self.model };
        let l = self.user_prompt(Some(agent));
        self.add(Some(f), l);
        for _ in 0..self.r.int(2, 12) {
            let (tools, _, _) = self.api_call(Some(f), model, Some(agent), false);
            self.tool_results(Some(f), &tools, Some(agent));
        }
        self.api_call(Some(f), model, Some(agent), false);
        let words = self.r.sentence(3, 6);
        let meta = Obj::new()
            .s("agentType", agent_type)
            .n("spawnDepth", 1)
            .s("model", model)
            .s("description", words.trim_end_matches('.'))
            .end();
        (dir.join(format!("agent-{agent}.meta.json")), meta)
    }

    fn run(&mut self, prompts: u32, copy_from: Option<&[Asst]>) {
        if let Some(copies) = copy_from {
            for _ in 0..self.r.int(1, 3) {
                let s = self.r.sentence(4, 8);
                let leaf = self.r.uuid4();
                self.main.add(Obj::new().s("type", "summary").s("summary", &s).s("leafUuid", &leaf).end());
            }
            for a in copies {
                let l = self.render_asst(a, &self.sid.clone(), None);
                self.main.add(l);
            }
            let last = copies.iter().map(|a| a.ts).max().unwrap_or(self.t);
            self.t = self.t.max(last + self.r.int(60_000, 6 * 3_600_000) as i64);
        }
        let mut done = 0;
        while done < prompts && self.t < self.end {
            done += 1;
            if self.r.chance(0.35) {
                let (m1, m2) = (self.r.uuid4(), self.r.uuid4());
                let snap = Obj::new()
                    .s("messageId", &m2)
                    .raw("trackedFileBackups", "{}")
                    .s("timestamp", &iso_ms(self.t))
                    .end();
                self.main.add(
                    Obj::new()
                        .s("type", "file-history-snapshot")
                        .s("messageId", &m1)
                        .raw("snapshot", snap)
                        .n("isSnapshotUpdate", false)
                        .end(),
                );
            }
            let l = self.user_prompt(None);
            self.main.add(l);
            self.tick(500, 4000);
            let steps = self.r.heavy(1, 12, 1.1);
            for _ in 0..steps {
                if self.t >= self.end {
                    break;
                }
                if self.cfg.quirks && self.r.chance(0.01) {
                    self.api_error();
                    self.tick(1000, 30_000);
                    continue;
                }
                let (tools, lines, _) = if self.r.chance(0.03) {
                    let m = if self.frac >= 0.3 { "claude-haiku-4-5-20251001" } else { "claude-3-5-haiku-20241022" };
                    self.api_call(None, m, None, true)
                } else {
                    let m = self.model;
                    self.api_call(None, m, None, false)
                };
                self.history.extend(lines);
                if tools.is_empty() {
                    break;
                }
                if self.cfg.quirks && self.r.chance(0.04) {
                    self.subagent();
                }
                self.tool_results(None, &tools, None);
                self.maybe_compact();
            }
            if self.cfg.quirks && self.r.chance(0.05) {
                self.btw_replay();
                self.maybe_compact();
            }
            let gap = if self.r.chance(0.97) {
                self.r.int(20_000, 15 * 60_000)
            } else {
                self.r.int(3_600_000, 4 * 3_600_000)
            };
            self.t += gap as i64;
        }
    }
}

const B58: &str = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

impl ClaudeCorpus {
    /// Writes the corpus under `root` (`root/projects/...`) and returns what must be counted.
    ///
    /// # Panics
    /// On an unwritable `root` or a malformed `start`/plan time.
    pub fn generate(&self, root: &Path) -> Expected {
        let mut r = Rng::new(self.seed, "claude");
        let start = day_start_ms(&self.start);
        let end = start + i64::from(self.days) * 86_400_000;
        let projects: Vec<String> = if self.projects.is_empty() {
            let names = ["web-app", "api-server", "billing_service", "data.etl", "notes"];
            let users = ["alice", "bob", "chen", "dana"];
            (0..3)
                .map(|i| {
                    let u = *r.pick(&users);
                    let base = *r.pick(&["/Users/{u}/code", "/home/{u}/src", "/Users/{u}/work/github.com/acme"]);
                    format!("{}/{}", base.replace("{u}", u), names[i % names.len()])
                })
                .collect()
        } else {
            self.projects.clone()
        };
        let plans: Vec<(String, i64, i64, u32)> = if self.plan.is_empty() {
            (0..self.sessions)
                .map(|i| {
                    let cwd = projects[if i == 0 { 0 } else { r.weighted(&[6, 3, 2, 1, 1][..projects.len().min(5)]) }]
                        .clone();
                    let day = r.int(0, u64::from(self.days) - 1) as i64;
                    let tz = *r.pick(&[-8i64, -5, 0, 1, 9]);
                    let hour = (14.0 + (r.f() + r.f() + r.f() - 1.5) * 6.0).clamp(0.0, 23.9);
                    let t0 = start
                        + day * 86_400_000
                        + ((hour - tz as f64) * 3_600_000.0) as i64
                        + r.int(0, 3_599_999) as i64;
                    let t0 = t0.clamp(start, end - 4 * 3_600_000);
                    (cwd, t0, end, r.int(u64::from(self.prompts.0), u64::from(self.prompts.1)) as u32)
                })
                .collect()
        } else {
            self.plan.iter().map(|p| (p.cwd.clone(), parse_ms(&p.start), parse_ms(&p.end), p.prompts)).collect()
        };
        let mut expected = Expected::default();
        let mut history: BTreeMap<String, Vec<Asst>> = BTreeMap::new();
        let mut files = Vec::new();
        // (project dir, cwd, session, first and last call, model) for the subagent pass.
        let mut spawned: Vec<(PathBuf, String, String, i64, i64, &'static str)> = Vec::new();
        for (cwd, t0, stop, prompts) in plans {
            let dir = root.join("projects").join(encode_project(&cwd));
            let frac = (t0 - start) as f64 / (end - start).max(1) as f64;
            let version = VERSIONS[((frac * VERSIONS.len() as f64) as usize).min(VERSIONS.len() - 1)];
            let v2 = !version.starts_with("1.");
            let model = model_for(&mut r, frac);
            let long = self.long_context && model.starts_with("claude-sonnet-4") && r.chance(0.3);
            let sid = r.uuid4();
            let branch = if r.chance(0.6) { "main".to_owned() } else { format!("feat/{}", r.int(1, 999)) };
            let use_1h = v2 && r.chance(0.25);
            let with_cost_usd = self.quirks && !v2 && r.chance(0.3);
            let context = r.int(13_000, 24_000);
            let main = File::new(dir.join(format!("{sid}.jsonl")));
            let copy_from = if self.quirks && r.chance(0.08) {
                history.get(&cwd).filter(|h| !h.is_empty()).map(|h| {
                    let n = r.int(1, h.len().min(40) as u64) as usize;
                    h[h.len() - n..].to_vec()
                })
            } else {
                None
            };
            let mut s = Session {
                r: &mut r,
                cfg: self,
                dir,
                cwd: cwd.clone(),
                sid,
                t: t0,
                end: stop,
                frac,
                version,
                v2,
                model,
                compact_at: if long { 450_000 } else { 160_000 },
                use_1h,
                with_cost_usd,
                branch,
                parent: None,
                context,
                first_call: true,
                main,
                extra_files: Vec::new(),
                history: Vec::new(),
                calls: Vec::new(),
            };
            expected.sessions.push(s.sid.clone());
            s.run(prompts, copy_from.as_deref());
            if let (Some(a), Some(b)) = (s.calls.iter().map(|c| c.at_ms).min(), s.calls.iter().map(|c| c.at_ms).max()) {
                spawned.push((s.dir.clone(), cwd.clone(), s.sid.clone(), a, b, model));
            }
            let Session { main, extra_files, history: h, calls, .. } = s;
            if !h.is_empty() {
                history.insert(cwd, h.into_iter().rev().take(200).rev().collect());
            }
            expected.calls.extend(calls);
            files.push(main);
            files.extend(extra_files);
        }
        let mut metas = Vec::new();
        if self.subagents {
            let mut r = Rng::new(self.seed, "claude-subagents");
            for (dir, cwd, sid, first, last, model) in spawned {
                if self.plan.is_empty() && !r.chance(0.35) {
                    continue;
                }
                for _ in 0..*r.pick(&[1, 1, 2, 3]) {
                    // Started while the parent works, done well before its last call.
                    let start = r.int(first as u64, (last - 20 * 60_000).max(first) as u64) as i64;
                    let agent = format!("a{}", r.hex(6));
                    let agent_type = *r.pick(&["Explore", "Explore", "general-purpose", "Plan"]);
                    let mut s = Session {
                        r: &mut r,
                        cfg: self,
                        dir: dir.clone(),
                        cwd: cwd.clone(),
                        sid: sid.clone(),
                        t: start,
                        end: last,
                        frac: 1.0,
                        version: "2.1.12",
                        v2: true,
                        model,
                        compact_at: u64::MAX,
                        use_1h: false,
                        with_cost_usd: false,
                        branch: "main".to_owned(),
                        parent: None,
                        context: 0,
                        first_call: true,
                        main: File::new(dir.join("unused")),
                        extra_files: Vec::new(),
                        history: Vec::new(),
                        calls: Vec::new(),
                    };
                    metas.push(s.subagent_file(&agent, agent_type));
                    let Session { extra_files, calls, .. } = s;
                    expected.calls.extend(calls);
                    files.extend(extra_files);
                }
            }
        }
        for (path, meta) in metas {
            write(&path, format!("{meta}\n").as_bytes());
        }
        let mut faults = Rng::new(self.seed, "claude-faults");
        for mut f in files {
            if f.lines.len() > 4 && faults.chance(self.fault_rate) {
                let i = faults.int(1, f.lines.len() as u64 - 2) as usize;
                let cut = torn(&f.lines[i], 0.6 + faults.f() * 0.38).to_owned();
                f.lines.insert(i, cut);
            }
            let mut data = f.lines.join("\n");
            if !f.lines.is_empty() {
                data.push('\n');
            }
            if !f.lines.is_empty() && faults.chance(self.fault_rate) {
                // The session was killed while writing a last (usage-free) line.
                let line = Obj::new()
                    .s("type", "user")
                    .raw("message", Obj::new().s("role", "user").s("content", "[Request interrupted by user]").end())
                    .s("timestamp", &iso_ms(end))
                    .end();
                data.push_str(torn(&line, 0.6 + faults.f() * 0.38));
            }
            write(&f.path, data.as_bytes());
            expected.files.push(f.path);
        }
        expected
    }
}
