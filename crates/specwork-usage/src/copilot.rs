//! GitHub Copilot CLI's OpenTelemetry file export (`~/.copilot/otel/**/*.jsonl`, plus the file
//! `COPILOT_OTEL_FILE_EXPORTER_PATH` names).
//!
//! Rules (ccusage 20.0.24): per file, the lines holding `"attributes"` that parse to objects. A
//! span (`"type":"span"`, or no type and a name with a span id, trace id or time) named `chat …`
//! or with `gen_ai.operation.name` = `chat` is one model call; an `invoke_agent …` span sums a
//! turn; a non-span `gen_ai.client.inference.operation.details` log (or body `GenAI inference:`)
//! describes a call; a `copilot_chat.agent.turn` log a turn. Chat spans always count; an
//! inference log only when no chat span of the file shares its trace or response id; a turn log
//! only without chat spans or inference logs of its trace or response; an `invoke_agent` summary
//! only without any of those. Input = `gen_ai.usage.input_tokens` minus the cache reads it
//! includes; output = `output_tokens`; cache read = `cache_read.input_tokens`; cache write =
//! `cache_write.` or `cache_creation.input_tokens`; a stated total above the parts adds the rest
//! to output when output is 0, else to extra. Numbers may be strings. The model is
//! `gen_ai.response.model`, `gen_ai.request.model`, the first one seen in the trace, else
//! `unknown`; the time `endTime`, `startTime` or `hrTime` (`[s, ns]`), a scalar timestamp, else
//! the file's modification time. No deduplication across files. The session is the trace's
//! `gen_ai.conversation.id` (or another session attribute).

use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};

use crate::entry::{self, Counts, Entry};
use crate::event::{FileData, IssueKind};

fn s(v: Option<&Value>) -> Option<&str> {
    entry::nonempty(v)
}

fn num(v: Option<&Value>) -> Option<u64> {
    match v {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(t)) => {
            let t = t.trim();
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
        }
        _ => None,
    }
}

fn is_span(r: &Map<String, Value>) -> bool {
    if let Some(Value::String(t)) = r.get("type") {
        return t == "span";
    }
    s(r.get("name")).is_some()
        && (s(r.get("spanId")).is_some()
            || s(r.get("traceId")).is_some()
            || ["startTime", "endTime", "duration", "kind"].iter().any(|k| r.contains_key(*k)))
}

fn time_ms(r: &Map<String, Value>) -> Option<i64> {
    let parts = |v: Option<&Value>| {
        let a = v?.as_array()?;
        if a.len() < 2 {
            return None;
        }
        Some(num(a.first())? as i64 * 1000 + (num(a.get(1))? / 1_000_000) as i64)
    };
    for k in ["endTime", "startTime", "hrTime", "_hrTime", "time"] {
        if let Some(t) = parts(r.get(k)) {
            return Some(t);
        }
    }
    for k in ["timestamp", "observedTimestamp"] {
        if let Some(raw) = r.get(k).filter(|v| !v.is_f64()).and_then(|v| num(Some(v))) {
            let raw = raw as i64;
            return Some(match raw {
                r if r >= 100_000_000_000_000_000 => r / 1_000_000,
                r if r >= 100_000_000_000_000 => r / 1000,
                r if r >= 100_000_000_000 => r,
                r => r * 1000,
            });
        }
    }
    num(r.get("timeUnixNano")).filter(|&n| n > 0).map(|n| (n / 1_000_000) as i64)
}

const SESSION_ATTRS: [(&str, u8); 6] = [
    ("gen_ai.conversation.id", 3),
    ("copilot_chat.session_id", 3),
    ("copilot_chat.chat_session_id", 3),
    ("session.id", 3),
    ("github.copilot.interaction_id", 2),
    ("gen_ai.response.id", 1),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Src {
    Chat,
    Inference,
    Turn,
    Agent,
}

struct Cand<'a> {
    src: Src,
    trace: Option<&'a str>,
    resp: Option<&'a str>,
    model: &'a str,
    ts_ms: i64,
    counts: Counts,
    line: u32,
}

#[derive(Default)]
struct Ctx<'a> {
    model: Option<&'a str>,
    session: Option<&'a str>,
    prio: u8,
}

/// Parses one exporter file.
pub(crate) fn parse(data: &[u8], mtime_ms: i64) -> FileData {
    let mut fd = FileData::default();
    let finder = memchr::memmem::Finder::new(b"\"attributes\"");
    let mut recs: Vec<(u32, Value)> = Vec::new();
    entry::jsonl(
        data,
        &mut fd,
        |l| finder.find(l).is_some(),
        |no, v, _| {
            if v.is_object() {
                recs.push((no, v.clone()));
            }
            Ok(())
        },
    );
    let trace_of = |r: &'_ Map<String, Value>| -> Option<String> {
        s(r.get("traceId")).or_else(|| s(r.get("spanContext").and_then(|c| c.get("traceId")))).map(str::to_owned)
    };
    let objs: Vec<(u32, &Map<String, Value>, Option<String>)> =
        recs.iter().filter_map(|(no, v)| v.as_object().map(|o| (*no, o, trace_of(o)))).collect();
    let mut ctx: FxHashMap<&str, Ctx<'_>> = FxHashMap::default();
    for (_, r, tid) in &objs {
        let (Some(tid), Some(attrs)) = (tid.as_deref(), r.get("attributes").and_then(Value::as_object)) else {
            continue;
        };
        let c = ctx.entry(tid).or_default();
        if c.model.is_none() {
            c.model = s(attrs.get("gen_ai.response.model")).or_else(|| s(attrs.get("gen_ai.request.model")));
        }
        let best = SESSION_ATTRS.iter().filter_map(|(k, p)| s(attrs.get(*k)).map(|v| (v, *p))).fold(
            None::<(&str, u8)>,
            |b, x| match b {
                Some(b) if b.1 >= x.1 => Some(b),
                _ => Some(x),
            },
        );
        if let Some((v, p)) = best
            && p > c.prio
        {
            c.session = Some(v);
            c.prio = p;
        }
    }
    let mut cands: Vec<Cand<'_>> = Vec::new();
    for (no, r, tid) in &objs {
        let Some(attrs) = r.get("attributes").and_then(Value::as_object) else { continue };
        let span = is_span(r);
        let op = s(attrs.get("gen_ai.operation.name"));
        let name = s(r.get("name")).unwrap_or("");
        let body = s(r.get("body")).or_else(|| s(r.get("_body"))).unwrap_or("");
        let event = s(attrs.get("event.name"));
        let src = if span && (op == Some("chat") || name.starts_with("chat ")) {
            Src::Chat
        } else if !span
            && (event == Some("gen_ai.client.inference.operation.details") || body.starts_with("GenAI inference:"))
        {
            Src::Inference
        } else if !span && (event == Some("copilot_chat.agent.turn") || body.starts_with("copilot_chat.agent.turn")) {
            Src::Turn
        } else if span && (op == Some("invoke_agent") || name.starts_with("invoke_agent ")) {
            Src::Agent
        } else {
            continue;
        };
        let mut bad = false;
        let mut n = |k: &str| entry::count(attrs.get(k), true, &mut bad);
        let input = n("gen_ai.usage.input_tokens");
        let output = n("gen_ai.usage.output_tokens");
        let cache_read = n("gen_ai.usage.cache_read.input_tokens");
        let first = |a: u64, b: u64| if a > 0 { a } else { b };
        let cache_write =
            first(n("gen_ai.usage.cache_write.input_tokens"), n("gen_ai.usage.cache_creation.input_tokens"));
        let total = first(n("gen_ai.usage.total_tokens"), n("gen_ai.usage.total.token_count"));
        if bad {
            fd.issues.push((*no, IssueKind::OutOfRange));
            continue;
        }
        let mut c = Counts { input: input - input.min(cache_read), output, cache_write, cache_read, extra: 0 };
        c.apply_total(total);
        if c.is_zero() {
            continue;
        }
        let trace = tid.as_deref();
        let model = s(attrs.get("gen_ai.response.model"))
            .or_else(|| s(attrs.get("gen_ai.request.model")))
            .or_else(|| trace.and_then(|t| ctx.get(t)).and_then(|c| c.model))
            .unwrap_or("unknown");
        cands.push(Cand {
            src,
            trace,
            resp: s(attrs.get("gen_ai.response.id")),
            model,
            ts_ms: time_ms(r).unwrap_or(mtime_ms),
            counts: c,
            line: *no,
        });
    }
    let ids = |src: Src| -> (FxHashSet<&str>, FxHashSet<&str>) {
        let t = cands.iter().filter(|c| c.src == src).filter_map(|c| c.trace).collect();
        let r = cands.iter().filter(|c| c.src == src).filter_map(|c| c.resp).collect();
        (t, r)
    };
    let sets = [ids(Src::Chat), ids(Src::Inference), ids(Src::Turn)];
    let hit = |c: &Cand<'_>, upto: usize| {
        sets[..upto]
            .iter()
            .any(|(t, r)| c.trace.is_some_and(|x| t.contains(x)) || c.resp.is_some_and(|x| r.contains(x)))
    };
    let kept: Vec<&Cand<'_>> = cands
        .iter()
        .filter(|c| match c.src {
            Src::Chat => true,
            Src::Inference => !hit(c, 1),
            Src::Turn => !hit(c, 2),
            Src::Agent => !hit(c, 3),
        })
        .collect();
    let mut out = FileData { stats: fd.stats, issues: std::mem::take(&mut fd.issues), ..FileData::default() };
    out.complete_len = fd.complete_len;
    out.complete_lines = fd.complete_lines;
    for c in kept {
        let session = c.trace.and_then(|t| ctx.get(t)).and_then(|x| x.session);
        entry::push(
            &mut out,
            Entry {
                ts_ms: c.ts_ms,
                model: c.model,
                counts: c.counts,
                extra_billed: true,
                cost_usd: f64::NAN,
                cwd: None,
                session,
                id: None,
                provider: None,
                line: c.line,
            },
        );
    }
    out
}
