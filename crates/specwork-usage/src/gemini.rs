//! Gemini CLI chat logs (`$GEMINI_DATA_DIR` or `~/.gemini/tmp`: `*/chats/*.json` and `*.jsonl`).
//!
//! Rules (ccusage 20.0.24, as `shared/tools/agent_logs_gen.py verify-gemini --help` lists them):
//! a `.json` file is one conversation whose `messages[]` of type `gemini` with a `tokens` object and
//! a model count; a `.jsonl` file is a stream of records where any record with a `model` sets the
//! current model and a repeated message id replaces the earlier call. `input` includes cached
//! input, which is subtracted when `total = input + output + thoughts + tool`; tool tokens count as
//! input; thoughts are billed as output; the above-200k prices apply to the whole call.
//!
//! **Where specwork departs from ccusage:** when Gemini CLI resumes a legacy `.json` session it
//! writes a `.jsonl` copy of the same messages next to it, and ccusage counts both. specwork
//! deduplicates calls by message id across files (the later file in path order wins, as a repeated
//! id within a `.jsonl` does), so such a session is counted once.
//!
//! Current Gemini CLI writes JSONL sessions: a first metadata record (`sessionId`, `projectHash`,
//! `startTime`, `kind`), message records, `{"$set": {…}}` metadata updates and
//! `{"$rewindTo": "<message id>"}` when the user rewinds; a message written again with the same id
//! (a turn rewritten as it streams) replaces the earlier one. A rewind hides messages from the
//! conversation, but their calls were made and billed: they are still counted (as ccusage 20.0.24
//! counts them); `$set` and `$rewindTo` records are neither calls nor corrupt lines.
//!
//! Subagent sessions (Gemini CLI since March 2026, `ChatRecordingService` with kind `subagent`)
//! live in `chats/<parent session id>/<agent id>.jsonl`: the folder is the main session's id (the
//! one its own file and its hooks carry), the file's `sessionId` the subagent's own. Their calls
//! carry the parent's id, so they count for the parent session and its task, as Claude Code's
//! subagent transcripts do.
//!
//! Gemini logs name the project by `projectHash` (SHA-256 of the project root). Gemini CLI also
//! writes the root itself into `<tmp>/<project folder>/.project_root` (folders named by a short
//! slug since its project registry); records get that root as `cwd`, else the root whose hash
//! matches one the caller passes in [`ScanOptions::project_roots`](crate::ScanOptions::project_roots).

use serde_json::Value;

use crate::bytes;
use crate::event::{FileData, IssueKind, RawEvent, StrRef};
use crate::time::parse_lenient_ms;

struct GemTokens {
    input: u64,
    output: u64,
    cached: u64,
    thoughts: u64,
    tool: u64,
    total: Option<u64>,
}

fn gem_num(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Some(u)
            } else if n.is_i64() {
                Some(0)
            } else {
                let f = n.as_f64()?;
                f.is_finite().then(|| f.max(0.0) as u64)
            }
        }
        _ => None,
    }
}

fn gem_tokens(v: Option<&Value>) -> Option<GemTokens> {
    let o = v?.as_object()?;
    let first = |keys: &[&str]| keys.iter().find_map(|k| gem_num(o.get(*k))).unwrap_or(0);
    Some(GemTokens {
        input: first(&["input", "prompt", "input_tokens", "prompt_tokens"]),
        output: first(&["output", "candidates", "output_tokens", "candidates_tokens"]),
        cached: first(&["cached", "cached_tokens"]),
        thoughts: first(&["thoughts", "reasoning", "thoughts_tokens", "reasoning_tokens"]),
        tool: first(&["tool", "tool_tokens"]),
        total: gem_num(o.get("total")).or_else(|| gem_num(o.get("total_tokens"))),
    })
}

fn gem_str<'a>(rec: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    match rec.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim()),
        _ => None,
    }
}

fn gem_ts(rec: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| match rec.get(*k) {
        Some(Value::String(s)) => parse_lenient_ms(s),
        _ => None,
    })
}

/// (input, output, cached, billed reasoning, reasoning counted in the total)
fn build(t: &GemTokens) -> Option<(u64, u64, u64, u64, u64)> {
    let inclusive = t.input + t.output + t.thoughts + t.tool;
    let mut inp = if t.cached > 0 && t.total == Some(inclusive) && t.total != Some(inclusive + t.cached) {
        t.input - t.input.min(t.cached)
    } else {
        t.input
    };
    inp += t.tool;
    let cr = t.cached;
    let mut out = t.output;
    let total = t.total.unwrap_or(inp + out + cr + t.thoughts);
    let mut extra = t.thoughts;
    let missing = total.saturating_sub(inp + out + cr + extra);
    if missing > 0 {
        if out == 0 {
            out = missing;
        } else {
            extra += missing;
        }
    }
    if inp == 0 && out == 0 && cr == 0 && extra == 0 {
        return None;
    }
    let counted = total.saturating_sub(inp + out + cr);
    Some((inp, out, cr, extra, counted))
}

struct Ctx {
    fd: FileData,
    session: StrRef,
    project: StrRef,
}

impl Ctx {
    fn push(&mut self, model: &str, ts_ms: i64, t: &GemTokens, id: Option<&str>, line: u32) {
        let Some((inp, out, cr, billed, counted)) = build(t) else {
            return;
        };
        let model = self.fd.arena.intern(model.as_bytes());
        let id = id.map_or(StrRef::NONE, |s| self.fd.arena.push(s.as_bytes()));
        self.fd.events.push(RawEvent {
            ts_ms,
            input: inp,
            output: out,
            cc5: 0,
            cc1h: 0,
            cr,
            aux1: billed,
            aux2: counted,
            cost_usd: f64::NAN,
            model,
            cwd: StrRef::NONE,
            session: self.session,
            id,
            req: self.project,
            line,
            flags: 0,
        });
    }

    fn meta(&mut self, rec: &serde_json::Map<String, Value>) {
        if self.session.is_none()
            && let Some(s) = gem_str(rec, "sessionId")
        {
            self.session = self.fd.arena.intern(s.as_bytes());
        }
        if self.project.is_none()
            && let Some(s) = gem_str(rec, "projectHash")
        {
            self.project = self.fd.arena.intern(s.as_bytes());
        }
    }
}

/// Parses a whole Gemini log. `mtime_ms` dates calls without a timestamp; `stem` names the
/// session when the file does not; `parent` (the folder of a subagent's log inside `chats/`)
/// is the session every call counts for when given; `project_root` (from the `.project_root`
/// file of the log's project folder) becomes every call's `cwd`. Events carry the `projectHash`
/// in `req` and the message id in `id`.
pub(crate) fn parse(
    data: &[u8],
    jsonl: bool,
    mtime_ms: i64,
    stem: &str,
    parent: Option<&str>,
    project_root: Option<&str>,
) -> FileData {
    let mut cx = Ctx { fd: FileData::default(), session: StrRef::NONE, project: StrRef::NONE };
    if jsonl {
        parse_jsonl(data, mtime_ms, &mut cx);
    } else {
        parse_json(data, mtime_ms, &mut cx);
    }
    let mut fd = cx.fd;
    let session = match parent {
        Some(p) => fd.arena.intern(p.as_bytes()),
        None if cx.session.is_none() => fd.arena.intern(stem.as_bytes()),
        None => cx.session,
    };
    let cwd = project_root.map_or(StrRef::NONE, |r| fd.arena.intern(r.as_bytes()));
    for e in &mut fd.events {
        e.session = session;
        e.req = cx.project;
        e.cwd = cwd;
    }
    fd
}

fn parse_jsonl(data: &[u8], mtime_ms: i64, cx: &mut Ctx) {
    let complete = bytes::complete_len(data);
    let mut lines: Vec<(&[u8], bool)> = bytes::complete_lines(&data[..complete]).map(|(_, l)| (l, false)).collect();
    if complete < data.len() {
        lines.push((&data[complete..], true));
    }
    let mut cur_model: Option<String> = None;
    let mut no = 0u32;
    for (raw, is_tail) in lines {
        no += 1;
        cx.fd.stats.lines += 1;
        if !is_tail {
            cx.fd.complete_lines = no;
        }
        if raw.trim_ascii().is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(raw);
        let rec: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(_) => {
                let kind = if is_tail { IssueKind::TruncatedLastLine } else { IssueKind::CorruptLine };
                cx.fd.issues.push((no, kind));
                continue;
            }
        };
        let Some(rec) = rec.as_object() else { continue };
        cx.meta(rec);
        if let Some(m) = gem_str(rec, "model") {
            cur_model = Some(m.to_owned());
        }
        if rec.get("type").and_then(Value::as_str) != Some("gemini") {
            continue;
        }
        let Some(t) = gem_tokens(rec.get("tokens")) else {
            continue;
        };
        cx.fd.stats.usage_lines += 1;
        let ts = gem_ts(rec, &["timestamp", "created_at"]).unwrap_or(mtime_ms);
        let Some(model) = gem_str(rec, "model").or(cur_model.as_deref()) else {
            cx.fd.stats.rejected += 1;
            continue;
        };
        let model = model.to_owned();
        cx.push(&model, ts, &t, gem_str(rec, "id"), no);
    }
    cx.fd.complete_len = complete as u64;
}

fn parse_json(data: &[u8], mtime_ms: i64, cx: &mut Ctx) {
    cx.fd.complete_len = 0;
    let text = String::from_utf8_lossy(data);
    let rec: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            cx.fd.issues.push((e.line().max(1) as u32, IssueKind::CorruptFile));
            return;
        }
    };
    let Some(rec) = rec.as_object() else { return };
    cx.meta(rec);
    let sess_ts = gem_ts(rec, &["startTime", "lastUpdated"]).unwrap_or(mtime_ms);
    if let Some(Value::Array(msgs)) = rec.get("messages") {
        for m in msgs {
            let Some(m) = m.as_object() else { continue };
            if m.get("type").and_then(Value::as_str) != Some("gemini") {
                continue;
            }
            let Some(t) = gem_tokens(m.get("tokens")) else {
                continue;
            };
            cx.fd.stats.usage_lines += 1;
            let ts = gem_ts(m, &["timestamp", "created_at"]).unwrap_or(sess_ts);
            let Some(model) = gem_str(m, "model") else {
                cx.fd.stats.rejected += 1;
                continue;
            };
            let model = model.to_owned();
            cx.push(&model, ts, &t, gem_str(m, "id"), 0);
        }
    } else if rec.get("type").and_then(Value::as_str) == Some("gemini")
        && let Some(t) = gem_tokens(rec.get("tokens"))
    {
        let ts = gem_ts(rec, &["timestamp", "created_at"]).unwrap_or(mtime_ms);
        if let Some(model) = gem_str(rec, "model") {
            let model = model.to_owned();
            cx.push(&model, ts, &t, gem_str(rec, "id"), 0);
        }
    }
}
