//! Gemini CLI chat logs: `<root>/tmp/<project name or sha256(root)>/chats/`, the way Gemini CLI
//! keeps `~/.gemini/tmp` (point a reader at `<root>/tmp` with `GEMINI_DATA_DIR`, or at `<root>/..`
//! with `GEMINI_CLI_HOME` when `<root>` is named `.gemini`). A folder named by its project's slug
//! holds `.project_root`, the project's path, as Gemini CLI's project registry writes it.
//!
//! Sessions before 2026-04-09 are `session-<time>-<id8>.json`, one pretty-printed conversation;
//! later ones are `.jsonl`: a metadata line, message records re-appended whole when their tokens
//! or tool calls update (a model message may first be written with `"tokens":null`), `$set` and
//! `$rewindTo` lines. Model messages carry `tokens {input (cached included), output, cached,
//! thoughts, tool, total}`. Subagents write `chats/<parent session>/<id>.json(l)`; `logs.json`
//! beside `chats/` is an array ccusage ignores. Variants: fallback-model switches, messages
//! without a model, long sessions past 200k prompt tokens, rewinds.
//!
//! `fault_rate`: a torn record inside a `.jsonl`, a truncated last record, and one truncated
//! `.json` file (which then counts nothing). `quirks`: legacy `.json` sessions resumed after
//! the switch, so a `.jsonl` copy of the same messages sits beside the `.json`; ccusage counts
//! both, specwork counts a message id once ([`GeminiLogs::ccusage`] and
//! [`GeminiLogs::expected`] differ by exactly those).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::expected::{Call, Expected};
use crate::synth::{Rng, day_start_ms, iso_ms, torn, write};

const M: f64 = 1e-6;

/// Google's prices per token: input, output, cache read, and the whole-call above-200k prices.
fn price(model: &str) -> (f64, f64, f64, Option<(f64, f64, f64)>) {
    match model {
        "gemini-2.5-pro" => (1.25 * M, 10.0 * M, 0.125 * M, Some((2.5 * M, 15.0 * M, 0.25 * M))),
        "gemini-2.5-flash" => (0.30 * M, 2.5 * M, 0.03 * M, None),
        "gemini-2.5-flash-lite" => (0.10 * M, 0.4 * M, 0.01 * M, None),
        "gemini-3-pro-preview" | "gemini-3.1-pro-preview" => {
            (2.0 * M, 12.0 * M, 0.2 * M, Some((4.0 * M, 18.0 * M, 0.4 * M)))
        }
        "gemini-3-flash-preview" => (0.5 * M, 3.0 * M, 0.05 * M, None),
        other => panic!("no price for {other}"),
    }
}

const MODELS: &[(&str, &str, u32)] = &[
    ("2025-06-17", "gemini-2.5-pro", 5),
    ("2025-06-17", "gemini-2.5-flash", 4),
    ("2025-07-22", "gemini-2.5-flash-lite", 1),
    ("2025-11-18", "gemini-3-pro-preview", 4),
    ("2025-12-17", "gemini-3-flash-preview", 4),
    ("2026-02-19", "gemini-3.1-pro-preview", 2),
];

/// The day Gemini CLI switched its chat recording to JSONL.
const JSONL_SINCE: &str = "2026-04-09";

/// A Gemini data folder to generate.
#[derive(Clone, Debug)]
pub struct GeminiCorpus {
    pub seed: u64,
    pub start: String,
    pub days: u32,
    pub sessions: u32,
    pub fault_rate: f64,
    pub quirks: bool,
    /// Every session in this project root (one folder, `workspace`, with its `.project_root`)
    /// instead of five made-up projects: a workspace's own Gemini logs.
    pub project: Option<String>,
}

impl Default for GeminiCorpus {
    fn default() -> Self {
        GeminiCorpus {
            seed: 7,
            start: "2026-03-20".into(),
            days: 40,
            sessions: 60,
            fault_rate: 0.0,
            quirks: false,
            project: None,
        }
    }
}

/// What a generated Gemini folder holds.
#[derive(Clone, Debug)]
pub struct GeminiLogs {
    /// The calls counted once per message id (specwork's rule).
    pub expected: Expected,
    /// The calls as ccusage counts them: a message stored in a `.json` and its resumed `.jsonl`
    /// copy counts twice.
    pub ccusage: Expected,
    /// The legacy `.json` files that have a resumed `.jsonl` copy (delete them and both rules agree).
    pub legacy_with_copy: Vec<PathBuf>,
    /// The project roots and their hashes (`projectHash`).
    pub projects: Vec<(String, String)>,
    /// Subagents' logs (`chats/<parent session id>/<agent id>.json[l]`) with their parent's id.
    pub subagent_files: Vec<(PathBuf, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Tokens {
    input: u64,
    output: u64,
    cached: u64,
    thoughts: u64,
    tool: u64,
}

impl Tokens {
    fn json(self) -> Value {
        json!({"input": self.input, "output": self.output, "cached": self.cached, "thoughts": self.thoughts,
               "tool": self.tool, "total": self.input + self.output + self.thoughts + self.tool})
    }
}

#[derive(Clone)]
struct Msg {
    id: String,
    ts: i64,
    typ: &'static str,
    json: Value,
    model: Option<String>,
    /// `None` for records written before the usage arrived (`"tokens":null`).
    tokens: Option<Tokens>,
}

enum Rec {
    Json(Value),
    Msg(Msg),
}

struct Session<'a> {
    r: &'a mut Rng,
    t: i64,
    sid: String,
    hash: String,
    model: &'static str,
    jsonl: bool,
    start: i64,
    kind: Option<&'static str>,
    messages: Vec<Msg>,
    records: Vec<Rec>,
    context: u64,
    prev_prompt: Option<u64>,
}

impl Session<'_> {
    fn tick(&mut self, lo: u64, hi: u64) {
        self.t += self.r.int(lo, hi) as i64;
    }

    fn push(&mut self, m: Msg) {
        self.records.push(Rec::Msg(m.clone()));
        if let Some(old) = self.messages.iter_mut().find(|o| o.id == m.id) {
            *old = m;
        } else {
            self.messages.push(m);
        }
    }

    fn set_updated(&mut self) {
        self.records.push(Rec::Json(json!({"$set": {"lastUpdated": iso_ms(self.t)}})));
    }

    fn content(&self, text: &str) -> Value {
        if self.jsonl { json!([{"text": text}]) } else { json!(text) }
    }

    fn user(&mut self, text: &str) -> String {
        self.tick(20_000, 600_000);
        let id = self.r.uuid4();
        let j = json!({"id": id, "timestamp": iso_ms(self.t), "type": "user", "content": self.content(text)});
        self.push(Msg { id: id.clone(), ts: self.t, typ: "user", json: j, model: None, tokens: None });
        self.set_updated();
        self.context += text.len() as u64 / 4 + 8;
        id
    }

    fn info(&mut self, text: &str, typ: &'static str) {
        self.tick(50, 1500);
        let id = self.r.uuid4();
        let j = json!({"id": id, "timestamp": iso_ms(self.t), "type": typ, "content": text});
        self.push(Msg { id, ts: self.t, typ, json: j, model: None, tokens: None });
        self.set_updated();
    }

    fn usage(&mut self, fin: bool) -> Tokens {
        let prompt = self.context;
        let cached = match self.prev_prompt {
            None if self.r.chance(0.7) => 0,
            None => (prompt as f64 * (0.4 + self.r.f() * 0.3)) as u64,
            Some(p) if self.r.chance(0.75) => (p as f64 * (0.5 + self.r.f() * 0.47)) as u64,
            Some(_) => 0,
        }
        .min(prompt);
        let output = if fin { self.r.int(80, 1600) } else { self.r.int(8, 240) };
        let thoughts =
            if self.model != "gemini-2.5-flash-lite" && self.r.chance(0.85) { self.r.int(30, 3500) } else { 0 };
        let tool = if self.r.chance(0.03) { self.r.int(20, 400) } else { 0 };
        self.prev_prompt = Some(prompt);
        Tokens { input: prompt, output, cached, thoughts, tool }
    }

    fn model_call(&mut self, fin: bool, model_less: bool) {
        self.tick(1500, 30_000);
        let tokens = self.usage(fin);
        let id = self.r.uuid4();
        let n = self.r.int(0, 2);
        let thoughts: Vec<Value> = (0..n)
            .map(|_| json!({"subject": self.r.sentence(2, 4), "description": self.r.sentence(5, 16), "timestamp": iso_ms(self.t)}))
            .collect();
        let model = (!model_less).then(|| self.model.to_owned());
        // Every record of the message carries its creation time.
        let ts = self.t;
        let mut j = json!({"id": id, "timestamp": iso_ms(ts), "type": "gemini", "content": "", "thoughts": thoughts});
        if let Some(m) = &model {
            j["model"] = json!(m);
        }
        if fin {
            j["content"] = json!(self.r.sentence(8, 60));
            if self.jsonl && self.r.chance(0.5) {
                // Recorded before the usage metadata arrived, then re-appended with tokens.
                let mut early = j.clone();
                early["tokens"] = Value::Null;
                self.push(Msg { id: id.clone(), ts, typ: "gemini", json: early, model: model.clone(), tokens: None });
                self.tick(20, 400);
            }
            j["tokens"] = tokens.json();
            self.push(Msg { id, ts, typ: "gemini", json: j, model, tokens: Some(tokens) });
            self.set_updated();
            self.context += tokens.output;
            return;
        }
        let name =
            *self.r.pick(&["read_file", "search_file_content", "run_shell_command", "replace", "read_many_files"]);
        let cid = format!("{name}-{}-{}", self.t, self.r.hex(12));
        let args = json!({"absolute_path": format!("/home/dev/src/{}", self.r.file())});
        let call = json!({"id": cid, "name": name, "args": args, "status": "executing", "timestamp": iso_ms(self.t)});
        j["toolCalls"] = json!([call.clone()]);
        j["tokens"] = tokens.json();
        if self.jsonl {
            self.push(Msg {
                id: id.clone(),
                ts,
                typ: "gemini",
                json: j.clone(),
                model: model.clone(),
                tokens: Some(tokens),
            });
        }
        self.tick(100, 9000);
        let chars = if name == "read_many_files" && self.r.chance(0.5) {
            self.r.int(20_000, 160_000)
        } else {
            self.r.int(200, 9000)
        };
        let body = self.r.text(chars.min(1200) as usize);
        let mut done = call;
        done["status"] = json!("success");
        done["result"] = json!([{"functionResponse": {"id": cid, "name": name, "response": {"output": body}}}]);
        j["toolCalls"] = json!([done]);
        self.push(Msg { id, ts, typ: "gemini", json: j, model, tokens: Some(tokens) });
        self.set_updated();
        self.context += chars / 4 + 30 + tokens.output;
    }

    fn meta(&self, last_updated: i64) -> Value {
        let mut m = json!({"sessionId": self.sid, "projectHash": self.hash, "startTime": iso_ms(self.start),
                           "lastUpdated": iso_ms(last_updated)});
        if let Some(k) = self.kind {
            m["kind"] = json!(k);
        }
        m
    }

    /// The file's lines (`.jsonl`) or its one pretty-printed document (`.json`), each with the
    /// message it records.
    fn chunks(&self) -> Vec<(String, Option<Msg>)> {
        if self.jsonl {
            let mut out = vec![(format!("{}\n", self.meta(self.start)), None)];
            for rec in &self.records {
                out.push(match rec {
                    Rec::Json(v) => (format!("{v}\n"), None),
                    Rec::Msg(m) => (format!("{}\n", m.json), Some(m.clone())),
                });
            }
            out
        } else {
            let mut conv = self.meta(self.t);
            conv["messages"] = Value::Array(self.messages.iter().map(|m| m.json.clone()).collect());
            vec![(serde_json::to_string_pretty(&conv).expect("serialises"), None)]
        }
    }
}

fn conversation(
    s: &mut Session<'_>,
    long: bool,
    switch: Option<(u64, &'static str)>,
    rewind: Option<u64>,
    model_less: Option<u64>,
) {
    let turns = s.r.heavy(1, 14, 1.2);
    let turns = if long { turns.max(12) } else { turns };
    if long {
        s.context += s.r.int(60_000, 140_000);
    }
    let compress_at = s.r.int(260_000, 700_000);
    let mut users = Vec::new();
    for turn in 0..turns {
        if let Some((at, m)) = switch
            && at == turn
        {
            s.info(&format!("Switched to fallback model {m} due to quota limits."), "info");
            s.model = m;
        }
        let text = s.r.sentence(5, 30);
        users.push(s.user(&text));
        let steps = s.r.heavy(1, 8, 1.3);
        for step in 0..steps {
            s.model_call(step == steps - 1, model_less == Some(turn) && step == 0);
            if s.context > compress_at {
                let before = s.context;
                s.context = s.r.int(15_000, 40_000);
                s.prev_prompt = None;
                s.info(&format!("Chat history compressed from {before} to {} tokens.", s.context), "info");
            }
        }
        if s.r.chance(0.04) {
            s.info("[API Error: 503 The model is overloaded. Please try again later.]", "error");
        }
        if rewind == Some(turn) && s.jsonl && users.len() >= 2 {
            let target = users.last().expect("a user message").clone();
            s.records.push(Rec::Json(json!({"$rewindTo": target})));
            let at = s.messages.iter().position(|m| m.id == target).expect("the target");
            s.messages.truncate(at);
        }
    }
}

fn to_call(m: &Msg, model: &str, session: &str) -> Call {
    let t = m.tokens.expect("a counted message has tokens");
    let input = (if t.cached > 0 { t.input - t.input.min(t.cached) } else { t.input }) + t.tool;
    let (pi, po, pc, above) = price(model);
    let (pi, po, pc) = match above {
        Some(a) if input + t.cached > 200_000 => a,
        _ => (pi, po, pc),
    };
    Call {
        at_ms: m.ts,
        model: Some(model.to_owned()),
        session: session.to_owned(),
        input,
        output: t.output,
        cache_creation: 0,
        cache_read: t.cached,
        total: input + t.output + t.cached + t.thoughts,
        cost: input as f64 * pi + (t.output + t.thoughts) as f64 * po + t.cached as f64 * pc,
        recorded_cost: None,
    }
}

/// The calls a file yields, by message id in first-seen order, given which chunks survived.
fn file_calls(
    chunks: &[(String, Option<Msg>)],
    kept: &[bool],
    jsonl: bool,
    messages: &[Msg],
    sid: &str,
) -> Vec<(String, Call)> {
    let mut out: Vec<(String, Call)> = Vec::new();
    if !jsonl {
        if !kept[0] {
            return out;
        }
        for m in messages {
            if let (true, Some(model), Some(_)) = (m.typ == "gemini", &m.model, m.tokens) {
                out.push((m.id.clone(), to_call(m, model, sid)));
            }
        }
        return out;
    }
    let mut current: Option<String> = None;
    for ((_, rec), ok) in chunks.iter().zip(kept) {
        let (Some(m), true) = (rec, ok) else { continue };
        if let Some(model) = &m.model {
            current = Some(model.clone());
        }
        if m.typ != "gemini" || m.tokens.is_none() {
            continue;
        }
        let Some(model) = m.model.clone().or_else(|| current.clone()) else { continue };
        let call = to_call(m, &model, sid);
        match out.iter_mut().find(|(id, _)| *id == m.id) {
            Some(slot) => slot.1 = call,
            None => out.push((m.id.clone(), call)),
        }
    }
    out
}

impl GeminiCorpus {
    /// Writes `<root>/tmp/...` and returns what must be counted.
    ///
    /// # Panics
    /// On an unwritable `root` or a malformed `start`.
    #[allow(clippy::too_many_lines)]
    pub fn generate(&self, root: &Path) -> GeminiLogs {
        let mut r = Rng::new(self.seed, "gemini");
        let mut q = Rng::new(self.seed, "gemini-quirks");
        let mut faults = Rng::new(self.seed, "gemini-faults");
        let start = day_start_ms(&self.start);
        let since = day_start_ms(JSONL_SINCE);
        let tmp = root.join("tmp");
        let mut projects: Vec<(String, String, String)> = ["specwork", "ledger-api", "webapp", "infra", "notes-cli"]
            .iter()
            .map(|n| {
                let root = format!("/home/dev/src/{n}");
                let hash = format!("{:x}", Sha256::digest(root.as_bytes()));
                let dir = if r.chance(0.7) { (*n).to_owned() } else { hash.clone() };
                (root, hash, dir)
            })
            .collect();
        if let Some(root) = &self.project {
            let hash = format!("{:x}", Sha256::digest(root.as_bytes()));
            projects = vec![(root.clone(), hash, "workspace".to_owned())];
        }
        // (path, chunks, jsonl, final messages, session, legacy twin)
        type Out = (PathBuf, Vec<(String, Option<Msg>)>, bool, Vec<Msg>, String, Option<PathBuf>);
        let mut files: Vec<Out> = Vec::new();
        let mut logs: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut session_ids = Vec::new();
        let mut subagent_files = Vec::new();
        for _ in 0..self.sessions {
            let day = r.int(0, u64::from(self.days) - 1) as i64;
            let hour = *r.pick(&[8i64, 9, 10, 11, 13, 14, 15, 16, 17, 19, 21, 22, 23]);
            let t0 = start + day * 86_400_000 + hour * 3_600_000 + r.int(0, 3_599_999) as i64;
            let day_s = crate::synth::day_of(t0, 0);
            let (_, hash, dir) = projects[r.int(0, projects.len() as u64 - 1) as usize].clone();
            let jsonl = t0 >= since;
            let avail: Vec<&(&str, &str, u32)> = MODELS.iter().filter(|m| m.0 <= day_s.as_str()).collect();
            let model = avail[r.weighted(&avail.iter().map(|m| m.2).collect::<Vec<_>>())].1;
            let sid = r.uuid4();
            let long = model.contains("pro") && r.chance(0.3);
            let switch = (model.contains("pro") && r.chance(0.1)).then(|| {
                (
                    r.int(1, 4),
                    if model.starts_with("gemini-2.5") { "gemini-2.5-flash" } else { "gemini-3-flash-preview" },
                )
            });
            let rewind = (jsonl && r.chance(0.08)).then(|| r.int(1, 3));
            let model_less = r.chance(0.05).then(|| r.int(0, 2));
            let kind = (jsonl && r.chance(0.5)).then_some("main");
            let context = r.int(9000, 15_500);
            let mut s = Session {
                r: &mut r,
                t: t0,
                sid: sid.clone(),
                hash: hash.clone(),
                model,
                jsonl,
                start: t0,
                kind,
                messages: Vec::new(),
                records: Vec::new(),
                context,
                prev_prompt: None,
            };
            conversation(&mut s, long, switch, rewind, model_less);
            let stamp = jiff::Timestamp::from_millisecond(t0).expect("time").strftime("%Y-%m-%dT%H-%M").to_string();
            let name = format!("session-{stamp}-{}.{}", &sid[..8], if jsonl { "jsonl" } else { "json" });
            let chats = tmp.join(&dir).join("chats");
            let (chunks, messages, end_t, final_model) = (s.chunks(), s.messages.clone(), s.t, s.model);
            for m in &messages {
                if m.typ == "user" {
                    let text =
                        m.json["content"].as_str().map_or_else(|| m.json["content"][0]["text"].clone(), |t| json!(t));
                    logs.entry(dir.clone()).or_default().push(
                        json!({"sessionId": sid, "messageId": 0, "type": "user", "message": text, "timestamp": iso_ms(m.ts)}),
                    );
                }
            }
            files.push((chats.join(&name), chunks, jsonl, messages.clone(), sid.clone(), None));
            session_ids.push(sid.clone());
            if t0 >= day_start_ms("2026-02-21") && r.chance(0.12) {
                let sub_id = r.uuid4();
                let sub_model = if r.chance(0.5) { "gemini-3-flash-preview" } else { final_model };
                let sub_t = t0 + r.int(1, 20) as i64 * 60_000;
                let ctx = r.int(9000, 15_500);
                let mut sub = Session {
                    r: &mut r,
                    t: sub_t,
                    sid: sub_id.clone(),
                    hash: hash.clone(),
                    model: sub_model,
                    jsonl,
                    start: sub_t,
                    kind: Some("subagent"),
                    messages: Vec::new(),
                    records: Vec::new(),
                    context: ctx,
                    prev_prompt: None,
                };
                let task = format!("Investigate the codebase: {}", sub.r.sentence(5, 15));
                sub.user(&task);
                for _ in 0..sub.r.int(2, 7) {
                    sub.model_call(false, false);
                }
                sub.model_call(true, false);
                // Gemini CLI nests a subagent's log under its parent's full session id; its calls
                // are the parent session's.
                let ext = if jsonl { "jsonl" } else { "json" };
                let path = chats.join(&sid).join(format!("{sub_id}.{ext}"));
                subagent_files.push((path.clone(), sid.clone()));
                files.push((path, sub.chunks(), jsonl, sub.messages.clone(), sid.clone(), None));
            }
            if self.quirks && !jsonl && q.chance(0.25) {
                // Resumed after the switch: the legacy .json stays, a .jsonl copies its messages.
                let resumed_at = day_start_ms(JSONL_SINCE).max(start + (day + 1) * 86_400_000) + 10 * 3_600_000;
                let mut rs = Session {
                    r: &mut q,
                    t: resumed_at,
                    sid: sid.clone(),
                    hash: hash.clone(),
                    model: final_model,
                    jsonl: true,
                    start: t0,
                    kind: None,
                    messages: Vec::new(),
                    records: Vec::new(),
                    context: 20_000,
                    prev_prompt: None,
                };
                for m in &messages {
                    rs.push(m.clone());
                }
                rs.records.push(Rec::Json(json!({"$set": {"sessionId": sid}})));
                let text = format!("Continue where we left off: {}", rs.r.sentence(4, 12));
                rs.user(&text);
                for step in 0..rs.r.int(1, 4) {
                    rs.model_call(step == 0, false);
                }
                let mut chunks = rs.chunks();
                chunks[0] = (format!("{}\n", rs.meta(end_t)), None);
                files.push((
                    chats.join(format!("{name}l")),
                    chunks,
                    true,
                    rs.messages.clone(),
                    sid.clone(),
                    Some(chats.join(&name)),
                ));
            }
        }
        // Faults, then the expected calls of what was written.
        let jsonl_idx: Vec<usize> = (0..files.len()).filter(|&i| files[i].2 && files[i].1.len() > 6).collect();
        let json_idx: Vec<usize> = (0..files.len()).filter(|&i| !files[i].2).collect();
        let pick = |f: &mut Rng, from: &[usize], rate: f64| -> Vec<usize> {
            from.iter().copied().filter(|_| f.chance(rate)).collect()
        };
        let torn_files = pick(&mut faults, &jsonl_idx, self.fault_rate);
        let trunc_files = pick(&mut faults, &jsonl_idx, self.fault_rate);
        let broken_json: Vec<usize> =
            if self.fault_rate > 0.0 && !json_idx.is_empty() { vec![json_idx[json_idx.len() / 2]] } else { Vec::new() };
        let mut per_file: Vec<(PathBuf, Vec<(String, Call)>)> = Vec::new();
        let mut legacy_with_copy = Vec::new();
        let mut written = Vec::new();
        for (i, (path, mut chunks, jsonl, messages, sid, twin)) in files.into_iter().enumerate() {
            let mut kept = vec![true; chunks.len()];
            if torn_files.contains(&i) {
                let with_tokens: Vec<usize> =
                    (1..chunks.len().saturating_sub(2)).filter(|&j| chunks[j].0.contains("\"tokens\":{")).collect();
                if let Some(&j) = with_tokens.get(with_tokens.len() / 2) {
                    chunks[j].0 = format!("{}\n", torn(chunks[j].0.trim_end(), 0.5));
                    kept[j] = false;
                }
            }
            if trunc_files.contains(&i)
                && let Some(j) = chunks.iter().rposition(|c| c.0.contains("\"tokens\":{"))
            {
                chunks.truncate(j + 1);
                kept.truncate(j + 1);
                chunks[j].0 = torn(chunks[j].0.trim_end(), 0.55).to_owned();
                kept[j] = false;
            }
            if broken_json.contains(&i) {
                chunks[0].0 = torn(&chunks[0].0, 0.6).to_owned();
                kept[0] = false;
            }
            let data: String = chunks.iter().map(|c| c.0.as_str()).collect();
            write(&path, data.as_bytes());
            per_file.push((path.clone(), file_calls(&chunks, &kept, jsonl, &messages, &sid)));
            written.push(path);
            if let Some(t) = twin {
                legacy_with_copy.push(t);
            }
        }
        for (dir, mut entries) in logs {
            entries.sort_by(|a, b| a["timestamp"].as_str().cmp(&b["timestamp"].as_str()));
            for (n, e) in entries.iter_mut().enumerate() {
                e["messageId"] = json!(n);
            }
            write(&tmp.join(dir).join("logs.json"), serde_json::to_string_pretty(&entries).expect("json").as_bytes());
        }
        let mut ccusage = Expected { files: written.clone(), sessions: session_ids.clone(), ..Expected::default() };
        for (_, calls) in &per_file {
            ccusage.calls.extend(calls.iter().map(|(_, c)| c.clone()));
        }
        // specwork: one call per message id, the later file in path order winning.
        per_file.sort_by(|a, b| a.0.as_os_str().as_encoded_bytes().cmp(b.0.as_os_str().as_encoded_bytes()));
        let mut by_id: BTreeMap<String, Call> = BTreeMap::new();
        for (_, calls) in per_file {
            for (id, c) in calls {
                by_id.insert(id, c);
            }
        }
        let mut calls: Vec<Call> = by_id.into_values().collect();
        calls.sort_by_key(|c| c.at_ms);
        // Gemini CLI's project registry marks a folder named by a slug with the root it belongs to.
        for (root, hash, dir) in &projects {
            let folder = tmp.join(dir);
            if dir != hash && folder.is_dir() {
                write(&folder.join(".project_root"), root.as_bytes());
            }
        }
        GeminiLogs {
            expected: Expected { calls, files: written, sessions: session_ids },
            ccusage,
            legacy_with_copy,
            projects: projects.into_iter().map(|(root, hash, _)| (root, hash)).collect(),
            subagent_files,
        }
    }
}
