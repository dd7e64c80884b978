//! Claude Code transcripts: which lines count, and how duplicates are resolved.
//!
//! The rules are ccusage 20's (see `shared/reference/claude-code-transcripts.md` and the reference
//! accountant in `shared/tools/cc_corpus_gen.py`):
//!
//! - A candidate line contains `"usage":{`. It must be UTF-8 and must not have `null` in any of
//!   `id`, `cwd`, `model`, `speed`, `costUSD`, `version`, `sessionId`, `requestId`,
//!   `isApiErrorMessage`, `cache_read_input_tokens`, `cache_creation_input_tokens` (a textual check,
//!   as ccusage does it). It parses as JSON with `message.usage` an object and a `timestamp`, or
//!   else as a `progress` line carrying a subagent's call in `data.message.message.usage`.
//! - `input_tokens`/`output_tokens` are non-negative integers, the cache counts too when present;
//!   `speed` is `standard` or `fast`; the timestamp has ccusage's strict shape; `version` starts
//!   `d.d.d`; `sessionId`, `requestId`, `message.id` and `message.model` are not empty.
//! - Cache writes come from `cache_creation.ephemeral_5m/1h_input_tokens` when that object exists,
//!   else from the flat `cache_creation_input_tokens` at the 5-minute rate.
//! - Dedup across all files in full-path byte order: key (`message.id`, `requestId`); lines without
//!   `message.id` are never merged. Of two duplicates the larger token total wins, then the higher
//!   cost, then the one with a `speed`, else the first. A sidechain line whose `message.id` matches
//!   a kept line (with any request id) is a replay: a non-sidechain line beats a sidechain one.
//!
//! Beyond ccusage, corrupt lines and a truncated last line are reported with their line number.
//!
//! Parsing: candidate lines go through [`fastline`](crate::fastline), a validating reader of only
//! the needed keys; when it is unsure it defers to the serde derive below, which is the reference.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::bytes;
use crate::event::{F_SIDECHAIN, F_SPEED_FAST, F_SPEED_STANDARD, FileData, IssueKind, LineStats, RawEvent, StrRef};
use crate::jsonx::{AnyStr, Lenient, Str};
use crate::time::parse_strict_ms;

#[derive(Deserialize)]
pub(crate) struct Line<'a> {
    #[serde(default, borrow)]
    pub(crate) message: Lenient<Msg<'a>>,
    #[serde(default, borrow)]
    pub(crate) timestamp: Str<'a>,
    #[serde(default, borrow, rename = "requestId")]
    pub(crate) request_id: Str<'a>,
    #[serde(default, rename = "isSidechain")]
    pub(crate) is_sidechain: Option<bool>,
    #[serde(default, rename = "costUSD")]
    pub(crate) cost_usd: Option<f64>,
    #[serde(default, borrow)]
    pub(crate) version: Str<'a>,
    #[serde(default, borrow, rename = "sessionId")]
    pub(crate) session_id: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) cwd: AnyStr<'a>,
    #[serde(default, borrow)]
    pub(crate) data: Lenient<ProgressData<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct ProgressData<'a> {
    #[serde(default, borrow)]
    pub(crate) message: Lenient<Nested<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct Nested<'a> {
    #[serde(default, borrow)]
    pub(crate) message: Lenient<Msg<'a>>,
    #[serde(default, borrow)]
    pub(crate) timestamp: Str<'a>,
    #[serde(default, borrow, rename = "requestId")]
    pub(crate) request_id: Str<'a>,
    #[serde(default, rename = "isSidechain")]
    pub(crate) is_sidechain: Option<bool>,
    #[serde(default, rename = "costUSD")]
    pub(crate) cost_usd: Option<f64>,
}

#[derive(Deserialize)]
pub(crate) struct Msg<'a> {
    #[serde(default, borrow)]
    pub(crate) id: Str<'a>,
    #[serde(default, borrow)]
    pub(crate) model: Str<'a>,
    #[serde(default)]
    pub(crate) usage: Lenient<Usage<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct Usage<'a> {
    pub(crate) input_tokens: u64,
    pub(crate) output_tokens: u64,
    #[serde(default)]
    pub(crate) cache_creation_input_tokens: u64,
    #[serde(default)]
    pub(crate) cache_read_input_tokens: u64,
    #[serde(default)]
    pub(crate) cache_creation: Option<CacheCreation>,
    #[serde(default, borrow)]
    pub(crate) speed: Str<'a>,
}

#[derive(Deserialize)]
pub(crate) struct CacheCreation {
    #[serde(default)]
    pub(crate) ephemeral_5m_input_tokens: u64,
    #[serde(default)]
    pub(crate) ephemeral_1h_input_tokens: u64,
}

fn usage_finder() -> &'static Finder<'static> {
    static F: OnceLock<Finder<'static>> = OnceLock::new();
    F.get_or_init(|| Finder::new(b"\"usage\""))
}

fn null_finder() -> &'static Finder<'static> {
    static F: OnceLock<Finder<'static>> = OnceLock::new();
    F.get_or_init(|| Finder::new(b":null"))
}

const NULL_FIELDS: [&[u8]; 11] = [
    b"id",
    b"cwd",
    b"model",
    b"speed",
    b"costUSD",
    b"version",
    b"sessionId",
    b"requestId",
    b"isApiErrorMessage",
    b"cache_read_input_tokens",
    b"cache_creation_input_tokens",
];

/// ccusage's textual test for `"<field>":null` with one of [`NULL_FIELDS`].
fn has_unsupported_null(line: &[u8]) -> bool {
    let mut off = 0;
    while let Some(rel) = null_finder().find(&line[off..]) {
        let j = off + rel;
        if j >= 1 {
            let mut end = j - 1;
            if line[end] != b'"' {
                while end > 0 && line[end] != b'"' {
                    end -= 1;
                }
            }
            if line[end] == b'"' && end >= 1 {
                let mut st = end - 1;
                while st > 0 && line[st] != b'"' {
                    st -= 1;
                }
                if line[st] == b'"' && NULL_FIELDS.contains(&&line[st + 1..end]) {
                    return true;
                }
            }
        }
        off = j + 5;
    }
    false
}

fn semver_prefix(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) || b.get(i) != Some(&b'.') {
        return false;
    }
    i += 1;
    if !digits(&mut i) || b.get(i) != Some(&b'.') {
        return false;
    }
    i += 1;
    b.get(i).is_some_and(u8::is_ascii_digit)
}

/// Parses the bytes of a transcript starting at `fd.complete_len` (the part already in `fd` is
/// kept) and returns the updated file data.
pub(crate) fn parse(data: &[u8], mut fd: FileData) -> FileData {
    let complete = bytes::complete_len(data);
    let mut line_no = fd.complete_lines;
    for (_, line) in bytes::complete_lines(&data[..complete]) {
        line_no += 1;
        let mut stats = fd.stats;
        parse_line(line, line_no, false, &mut fd, &mut stats);
        fd.stats = stats;
    }
    fd.complete_len += complete as u64;
    fd.complete_lines = line_no;
    let tail = &data[complete..];
    if !tail.is_empty() {
        let (e0, i0) = (fd.events.len(), fd.issues.len());
        let mut tail_stats = LineStats::default();
        parse_line(tail, line_no + 1, true, &mut fd, &mut tail_stats);
        fd.stats.add(&tail_stats);
        fd.tail_stats = tail_stats;
        fd.tail_events = (fd.events.len() - e0) as u32;
        fd.tail_issues = (fd.issues.len() - i0) as u32;
    }
    fd
}

fn issue_kind(is_tail: bool) -> IssueKind {
    if is_tail { IssueKind::TruncatedLastLine } else { IssueKind::CorruptLine }
}

fn parse_line(line: &[u8], no: u32, is_tail: bool, fd: &mut FileData, stats: &mut LineStats) {
    stats.lines += 1;
    if !bytes::has_key_value(usage_finder(), line, b"{") {
        if !bytes::looks_like_json_object(line) {
            fd.issues.push((no, issue_kind(is_tail)));
        }
        return;
    }
    stats.usage_lines += 1;
    let Ok(text) = std::str::from_utf8(line) else {
        fd.issues.push((no, IssueKind::InvalidUtf8));
        return;
    };
    if has_unsupported_null(line) {
        if bytes::looks_like_json_object(line) {
            stats.rejected += 1;
        } else {
            fd.issues.push((no, issue_kind(is_tail)));
        }
        return;
    }
    let parsed: Line<'_> = match crate::fastline::parse(text) {
        Some(l) => l,
        None => match serde_json::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                if crate::jsonx::is_syntax_error(&e) {
                    fd.issues.push((no, issue_kind(is_tail)));
                } else if usage_out_of_range(text) {
                    fd.issues.push((no, IssueKind::OutOfRange));
                } else {
                    stats.rejected += 1;
                }
                return;
            }
        },
    };
    if !extract(parsed, no, fd) {
        stats.rejected += 1;
    }
}

/// Whether a line that is valid JSON failed to parse because a token count of its usage is
/// negative, fractional or too large for a `u64` (the error path only).
fn usage_out_of_range(text: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let usages = [v.pointer("/message/usage"), v.pointer("/data/message/message/usage")];
    usages.into_iter().flatten().any(|u| {
        let bad = |x: &serde_json::Value| x.is_number() && x.as_u64().is_none();
        u.as_object().is_some_and(|o| o.values().any(|x| bad(x) || x.as_object().is_some_and(|c| c.values().any(bad))))
    })
}

/// Applies the selection and validation rules; pushes the event and returns true if it counts.
fn extract(l: Line<'_>, no: u32, fd: &mut FileData) -> bool {
    let Line { message, timestamp, request_id, is_sidechain, cost_usd, version, session_id, cwd, data } = l;
    // The line's own call, or a subagent call nested in a progress line.
    let top = match message.0 {
        Some(Msg { id, model, usage: Lenient(Some(u)) }) if timestamp.0.is_some() => Some((id, model, u)),
        _ => None,
    };
    let is_top = top.is_some();
    let (id, model, usage, ts, req, side, cost, version) = match top {
        Some((id, model, u)) => (id, model, u, timestamp, request_id, is_sidechain, cost_usd, version.0),
        None => {
            let Some(ProgressData { message: Lenient(Some(n)) }) = data.0 else {
                return false;
            };
            let Nested { message: Lenient(Some(m)), timestamp, request_id, is_sidechain, cost_usd } = n else {
                return false;
            };
            let Some(u) = m.usage.0 else {
                return false;
            };
            (m.id, m.model, u, timestamp, request_id, is_sidechain, cost_usd, None)
        }
    };
    // For a nested call the session is the file's (outer line's) session; ccusage checks it only
    // for the line's own call.
    let session = session_id.0;
    if let Some(s) = usage.speed.0.as_deref()
        && s != "standard"
        && s != "fast"
    {
        return false;
    }
    let Some(ts_ms) = ts.0.as_deref().and_then(parse_strict_ms) else {
        return false;
    };
    if let Some(v) = version.as_deref()
        && !semver_prefix(v)
    {
        return false;
    }
    let nonempty = |s: &Option<std::borrow::Cow<'_, str>>| s.as_deref() != Some("");
    if !((!is_top || nonempty(&session)) && nonempty(&req.0) && nonempty(&id.0) && nonempty(&model.0)) {
        return false;
    }
    let (cc5, cc1h) = match &usage.cache_creation {
        Some(c) => (c.ephemeral_5m_input_tokens, c.ephemeral_1h_input_tokens),
        None => (usage.cache_creation_input_tokens, 0),
    };
    let counts = [
        usage.input_tokens,
        usage.output_tokens,
        usage.cache_creation_input_tokens,
        usage.cache_read_input_tokens,
        cc5,
        cc1h,
    ];
    if counts.iter().any(|&n| n > crate::event::MAX_TOKENS) {
        // Skipped and reported, never summed (a 2^64-1 counter would wrap the totals).
        fd.issues.push((no, IssueKind::OutOfRange));
        return true;
    }
    let mut flags = 0;
    if side == Some(true) {
        flags |= F_SIDECHAIN;
    }
    match usage.speed.0.as_deref() {
        Some("fast") => flags |= F_SPEED_FAST,
        Some(_) => flags |= F_SPEED_STANDARD,
        None => {}
    }
    let arena = &mut fd.arena;
    let model_r = model.0.as_deref().map_or(StrRef::NONE, |m| arena.intern(m.as_bytes()));
    let cwd_r = cwd.0.as_deref().map_or(StrRef::NONE, |c| arena.intern(c.as_bytes()));
    let session_r = session.as_deref().map_or(StrRef::NONE, |s| arena.intern(s.as_bytes()));
    let id_r = id.0.as_deref().map_or(StrRef::NONE, |s| arena.push(s.as_bytes()));
    let req_r = req.0.as_deref().map_or(StrRef::NONE, |s| arena.push(s.as_bytes()));
    fd.events.push(RawEvent {
        ts_ms,
        input: usage.input_tokens,
        output: usage.output_tokens,
        cc5,
        cc1h,
        cr: usage.cache_read_input_tokens,
        aux1: 0,
        aux2: 0,
        cost_usd: cost.unwrap_or(f64::NAN),
        model: model_r,
        cwd: cwd_r,
        session: session_r,
        id: id_r,
        req: req_r,
        line: no,
        flags,
    });
    true
}

/// A kept event: (file index, event index).
pub(crate) type Kept = (u32, u32);

/// ccusage's daily deduplication over files in order. `cost(file, event)` prices one event (it
/// takes part in tie-breaking, as in ccusage).
pub(crate) fn dedup<'a>(files: &[&'a FileData], cost: impl Fn(usize, usize) -> f64) -> Vec<Kept> {
    let n: usize = files.iter().map(|f| f.events.len()).sum();
    let mut kept: Vec<(Kept, f64)> = Vec::with_capacity(n / 2 + 16);
    // (message.id, requestId) -> kept index; message.id -> kept indexes.
    let mut exact: FxHashMap<(&'a [u8], Option<&'a [u8]>), u32> = FxHashMap::default();
    exact.reserve(n / 2);
    let mut by_msg: FxHashMap<&'a [u8], Slots> = FxHashMap::default();
    by_msg.reserve(n / 2);
    let ev = |k: Kept| -> &RawEvent { &files[k.0 as usize].events[k.1 as usize] };
    for (fi, &f) in files.iter().enumerate() {
        for (ei, e) in f.events.iter().enumerate() {
            let c = cost(fi, ei);
            let me: Kept = (fi as u32, ei as u32);
            let Some(id) = f.arena.get(e.id) else {
                kept.push((me, c));
                continue;
            };
            let req = f.arena.get(e.req);
            let side = e.flags & F_SIDECHAIN != 0;
            let mut idx = exact.get(&(id, req)).copied();
            if idx.is_none()
                && let Some(slots) = by_msg.get(id)
            {
                idx = slots.iter().find(|&i| side || ev(kept[i as usize].0).flags & F_SIDECHAIN != 0);
            }
            if let Some(i) = idx {
                let (old, old_cost) = kept[i as usize];
                let ex = ev(old);
                let ex_side = ex.flags & F_SIDECHAIN != 0;
                let replace = if side != ex_side {
                    ex_side
                } else if e.token_total() != ex.token_total() {
                    e.token_total() > ex.token_total()
                } else if c != old_cost {
                    c > old_cost
                } else {
                    e.flags & (F_SPEED_FAST | F_SPEED_STANDARD) != 0
                        && ex.flags & (F_SPEED_FAST | F_SPEED_STANDARD) == 0
                };
                if replace {
                    kept[i as usize] = (me, c);
                }
                continue;
            }
            let i = kept.len() as u32;
            kept.push((me, c));
            exact.insert((id, req), i);
            by_msg.entry(id).or_default().push(i);
        }
    }
    kept.into_iter().map(|(k, _)| k).collect()
}

/// A tiny vector of kept indexes; nearly always one.
#[derive(Default)]
struct Slots {
    first: Option<u32>,
    more: Vec<u32>,
}

impl Slots {
    fn push(&mut self, i: u32) {
        if self.first.is_none() {
            self.first = Some(i);
        } else {
            self.more.push(i);
        }
    }

    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.first.into_iter().chain(self.more.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_check_matches_reference() {
        assert!(has_unsupported_null(br#"{"a":1,"requestId":null}"#));
        assert!(!has_unsupported_null(br#"{"parentUuid":null,"x":1}"#));
        assert!(!has_unsupported_null(br#"{"stop_reason":null}"#));
        assert!(has_unsupported_null(br#"{"message":{"model":null}}"#));
        assert!(!has_unsupported_null(br#"{"t":"\"id\":null"}"#));
    }

    #[test]
    fn semver() {
        assert!(semver_prefix("2.1.3"));
        assert!(semver_prefix("1.0.88-beta"));
        assert!(!semver_prefix("2.1"));
        assert!(!semver_prefix("v2.1.3"));
    }
}

#[cfg(test)]
mod fastline_agrees_with_serde {
    use super::*;

    type Outcome = Option<(bool, Vec<(i64, [u64; 5], u64, u8, [Option<String>; 5])>)>;

    /// The parse result as comparable data: None for a parse error, else whether extraction kept
    /// the line and what it stored.
    fn outcome(l: Option<Line<'_>>) -> Outcome {
        let l = l?;
        let mut fd = FileData::default();
        let kept = extract(l, 1, &mut fd);
        let ev = fd
            .events
            .iter()
            .map(|e| {
                let s = |r| fd.arena.str(r).map(str::to_owned);
                (
                    e.ts_ms,
                    [e.input, e.output, e.cc5, e.cc1h, e.cr],
                    e.cost_usd.to_bits(),
                    e.flags,
                    [s(e.model), s(e.cwd), s(e.session), s(e.id), s(e.req)],
                )
            })
            .collect();
        Some((kept, ev))
    }

    fn check(line: &str, fast_hits: &mut usize) {
        let fast = crate::fastline::parse(line);
        let hit = fast.is_some();
        let f = outcome(fast);
        if hit {
            *fast_hits += 1;
            let s = outcome(serde_json::from_str::<Line<'_>>(line).ok());
            assert_eq!(f, s, "fast and serde differ on {line}");
        }
    }

    fn mutations(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let b = line.as_bytes();
        for cut in (1..b.len()).step_by(23) {
            if line.is_char_boundary(cut) {
                out.push(line[..cut].to_owned());
            }
        }
        for (i, &c) in b.iter().enumerate() {
            if matches!(c, b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"') && i % 7 == 0 {
                for r in [" ", ";", "", "\"", "}", "\\"] {
                    out.push(format!("{}{}{}", &line[..i], r, &line[i + 1..]));
                }
            }
        }
        let swaps = [
            ("\"isSidechain\":false", "\"isSidechain\":\"no\""),
            ("\"isSidechain\":false", "\"isSidechain\" : true"),
            ("\"input_tokens\":", "\"input_tokens\":-"),
            ("\"output_tokens\":", "\"output_tokens\":1e"),
            ("\"output_tokens\":", "\"output_tokens\":0."),
            ("\"output_tokens\":", "\"output_tokens\":01"),
            ("\"requestId\"", "\"request\\u0049d\""),
            ("\"model\":\"", "\"model\":\"\\u00e9\\n"),
            ("\"model\":\"", "\"model\":\"\\x"),
            ("\"cwd\":\"", "\"cwd\":\"C:\\\\Users\\\\"),
            ("\"cwd\":", "\"cwd\":7,\"x\":"),
            ("\"timestamp\":", "\"timestamp\":17,\"t\":"),
            ("\"usage\":{", "\"usage\":{\"input_tokens\":1,"),
            ("\"usage\":{", "\"usage\":{\"cache_creation\":[],"),
            ("\"usage\":{", "\"usage\":{\"speed\":\"fast\",\"cache_read_input_tokens\":18446744073709551616,"),
            ("\"message\":{", "\"message\":{\"usage\":null,"),
            ("{", "{\"costUSD\":1.5e-3,"),
            ("{", "{\"costUSD\":true,"),
            (
                "{",
                "{\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],",
            ),
            ("{", " { \"a\" : [ 1 , -2.5e+3 , true , null , { } , [ ] , \"\\ud83d\\ude00\" ] , "),
            ("{", "{\"ctl\":\"a\u{1}b\","),
        ];
        for (from, to) in swaps {
            if line.contains(from) {
                out.push(line.replacen(from, to, 1));
            }
        }
        if let Some(stripped) = line.strip_suffix('}') {
            out.push(format!("{stripped},\"requestId\":\"dup\"}}"));
            out.push(format!("{stripped},\"message\":5}}"));
            out.push(format!("{line} x"));
            out.push(format!("{line} \t"));
        }
        out
    }

    #[test]
    fn on_generated_corpora_and_mutations() {
        let tmp = tempfile::tempdir().unwrap();
        let corpus = specwork_testkit::claude::ClaudeCorpus { seed: 5, sessions: 25, ..Default::default() };
        let mut lines: Vec<String> = Vec::new();
        for p in corpus.generate(tmp.path()).files {
            let text = String::from_utf8_lossy(&fs_err::read(&p).unwrap()).into_owned();
            lines.extend(text.lines().filter(|l| l.contains("\"usage\":{")).map(str::to_owned));
        }
        assert!(lines.len() > 500, "the generated corpus has usage lines");
        lines.push(r#"{"parentUuid":null,"isSidechain":false,"cwd":"/w","sessionId":"s","version":"2.1.3","type":"assistant","message":{"id":"msg_1","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"a \"q\" \\ \n"}],"usage":{"input_tokens":1,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":2},"output_tokens":4,"service_tier":"standard"}},"requestId":"req_1","timestamp":"2025-10-24T10:15:00.783Z","costUSD":0.25}"#.to_owned());
        lines.push(r#"{"type":"progress","cwd":"/w","sessionId":"s","version":"2.1.3","data":{"message":{"type":"assistant","timestamp":"2025-10-24T10:15:00.783Z","message":{"id":"m","model":"claude-haiku-4-5","usage":{"input_tokens":5,"output_tokens":6}},"requestId":"r"},"type":"agent_progress"},"timestamp":"2025-10-24T10:15:01.000Z"}"#.to_owned());
        let mut hits = 0;
        for l in &lines {
            check(l, &mut hits);
        }
        assert!(hits * 100 >= lines.len() * 99, "the fast path takes {hits} of {} lines", lines.len());
        let mut mutated = 0;
        for l in lines.iter().step_by((lines.len() / 150).max(1)) {
            for m in mutations(l) {
                check(&m, &mut mutated);
            }
        }
        assert!(mutated > 100, "mutations reach the fast path");
    }

    /// The transcript line reader under random edits (the proptest twin of the cargo-fuzz target
    /// `transcript_lines`): whatever the fast path accepts, serde reads the same way.
    mod fuzz {
        use proptest::prelude::*;

        const BASE: &str = r#"{"parentUuid":null,"isSidechain":false,"cwd":"/w","sessionId":"s","version":"2.1.3","type":"assistant","message":{"id":"msg_1","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"a \"q\" \\ \n"}],"usage":{"input_tokens":1,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":2},"output_tokens":4,"service_tier":"standard"}},"requestId":"req_1","timestamp":"2025-10-24T10:15:00.783Z","costUSD":0.25}"#;

        /// Bytes that change a JSON line's meaning most often.
        fn piece() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(" ".to_owned()),
                Just("\n".to_owned()),
                Just("\"".to_owned()),
                Just("\\".to_owned()),
                Just(",".to_owned()),
                Just(":".to_owned()),
                Just("}".to_owned()),
                Just("-".to_owned()),
                Just("1e3".to_owned()),
                Just("18446744073709551616".to_owned()),
                Just("\\u0041".to_owned()),
                "[ -~]{0,3}",
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(600))]
            #[test]
            fn fast_path_agrees_with_serde_under_edits(
                edits in proptest::collection::vec((0usize..BASE.len(), 0usize..3, piece()), 1..4)
            ) {
                let mut line = BASE.to_owned();
                for (at, cut, with) in edits {
                    let at = at.min(line.len());
                    if !line.is_char_boundary(at) {
                        continue;
                    }
                    let end = (at + cut).min(line.len());
                    if line.is_char_boundary(end) {
                        line.replace_range(at..end, &with);
                    }
                }
                let mut hits = 0;
                super::check(&line, &mut hits);
            }
        }
    }
}
