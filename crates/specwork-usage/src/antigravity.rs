//! Google Antigravity's conversation stores: one SQLite database per conversation (a
//! sub-conversation gets its own), every `*.db` below a root's `conversations/` (else below the
//! root), roots from `ANTIGRAVITY_DATA_DIR` (comma-separated) else `~/.gemini/antigravity`,
//! `-cli`, `-ide`, `-backup` and `~/.config/antigravity`.
//!
//! Antigravity stores its metadata as raw protobuf without `.proto` files; the field numbers are
//! those ccusage 20.0.24 reads (learnt from its public source and checked against the binary):
//! - `steps.metadata` (one row per step): the call's `ModelUsageStats` (field 9), its retries
//!   (28, each a usage in field 2), the model (24: name in 12 or 8, id in 1, API provider in 7)
//!   and the time (8, else 1).
//! - `gen_metadata.data` (field 1 holds the chat-model metadata): the usage (4), retries (17),
//!   the request time (9 → 4), the model's name (19, else 21) or id (3).
//! - `trajectory_metadata_blob.data`: the conversation's time (2), used when a call has none.
//! - `ModelUsageStats`: model id 1, input 2, output 3 (thinking included), cache write 4, cache
//!   read 5, provider 6, message id 7, thinking 9, visible output 10, response id 11, provider
//!   message id 12. A timestamp is seconds 1 and nanoseconds 2.
//!
//! Every usage with a token counts once: steps first, then generations; a generation without a
//! time takes the time of a step with the same id in the file, else the conversation's, else the
//! file's. Calls are deduplicated across all databases on their response, provider-message and
//! message ids (any shared id joins two calls; the joined call keeps the larger of each count and
//! the better-ranked, then earlier, time). Output is the visible output; thinking is counted in
//! the total and billed as output. A call's model is its usage's model id, else its step's model,
//! else the generation's (the last one named in the file for a step), else
//! `gemini-internal-model`; names are normalised as ccusage does (`Gemini 3 Pro (High)` →
//! `gemini-3-pro`, placeholders → the model they stand for). The session is the database's
//! file name. The workspace (ccusage 20.0.24 records none) comes from the root's
//! `conversation_summaries.db` (`workspace_uris` of each `conversation_id`) or
//! `cache/last_conversations.json` (each workspace's latest conversation); a sub-conversation
//! in `<conversation>/` takes its parent's.
//!
//! A record whose protobuf is cut off or malformed is skipped and reported (ccusage stops with
//! an error); a database with no `gen_metadata` table (an empty file) counts nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::event::{FileData, IssueKind, MAX_TOKENS, RawEvent, StrRef};
use crate::{BillableTokens, PriceTable, Tokens, UsageRecord};

// ---------------------------------------------------------------- protobuf wire format

/// A record that does not decode.
#[derive(Debug)]
struct Malformed;

#[derive(Clone, Copy)]
enum Val<'a> {
    Int(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// The fields of one message, in order.
struct Msg<'a>(Vec<(u32, Val<'a>)>);

fn varint(b: &mut &[u8]) -> Result<u64, Malformed> {
    let mut v = 0u64;
    for i in 0..10 {
        let (&byte, rest) = b.split_first().ok_or(Malformed)?;
        *b = rest;
        let part = u64::from(byte & 0x7f);
        // The tenth byte may only carry the 64th bit.
        if i == 9 && (part > 1 || byte & 0x80 != 0) {
            return Err(Malformed);
        }
        v |= part << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(Malformed)
}

fn take<'a>(b: &mut &'a [u8], n: usize) -> Result<&'a [u8], Malformed> {
    if b.len() < n {
        return Err(Malformed);
    }
    let (v, rest) = b.split_at(n);
    *b = rest;
    Ok(v)
}

impl<'a> Msg<'a> {
    /// Decodes every field of `b`; wire types 3, 4, 6 and 7 (groups, invalid) are malformed.
    fn decode(mut b: &'a [u8]) -> Result<Self, Malformed> {
        let mut fields = Vec::new();
        while !b.is_empty() {
            let tag = varint(&mut b)?;
            let number = u32::try_from(tag >> 3).map_err(|_| Malformed)?;
            if number == 0 {
                return Err(Malformed);
            }
            let v = match tag & 7 {
                0 => Val::Int(varint(&mut b)?),
                1 => take(&mut b, 8).map(|_| Val::Fixed)?,
                2 => {
                    let n = usize::try_from(varint(&mut b)?).map_err(|_| Malformed)?;
                    Val::Bytes(take(&mut b, n)?)
                }
                5 => take(&mut b, 4).map(|_| Val::Fixed)?,
                _ => return Err(Malformed),
            };
            fields.push((number, v));
        }
        Ok(Msg(fields))
    }

    /// The last integer of field `n`.
    fn int(&self, n: u32) -> Option<u64> {
        self.0.iter().rev().find_map(|(k, v)| match v {
            Val::Int(x) if *k == n => Some(*x),
            _ => None,
        })
    }

    /// The last integer of field `n`, unless 0.
    fn nonzero(&self, n: u32) -> Option<u64> {
        self.int(n).filter(|x| *x != 0)
    }

    /// Every length-delimited value of field `n`.
    fn all(&self, n: u32) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.0.iter().filter_map(move |(k, v)| match v {
            Val::Bytes(b) if *k == n => Some(*b),
            _ => None,
        })
    }

    /// The first length-delimited value of field `n`.
    fn bytes(&self, n: u32) -> Option<&'a [u8]> {
        self.all(n).next()
    }

    /// The last length-delimited value of field `n` as text, unless it is not UTF-8 or blank.
    fn text(&self, n: u32) -> Option<String> {
        let last = self.0.iter().rev().find_map(|(k, v)| match v {
            Val::Bytes(b) if *k == n => Some(*b),
            _ => None,
        })?;
        std::str::from_utf8(last).ok().filter(|s| !s.trim().is_empty()).map(str::to_owned)
    }

    /// Decodes the nested message in the first value of field `n` with `f`.
    fn nested<T>(&self, n: u32, f: impl Fn(&'a [u8]) -> Result<T, Malformed>) -> Result<Option<T>, Malformed> {
        self.bytes(n).map(f).transpose()
    }
}

/// A `google.protobuf.Timestamp` in milliseconds; `None` when unset or not after 1970.
fn timestamp(b: &[u8]) -> Result<Option<i64>, Malformed> {
    let m = Msg::decode(b)?;
    let Some(secs) = m.int(1).and_then(|s| i64::try_from(s).ok()).filter(|s| *s > 0) else { return Ok(None) };
    let nanos = m.int(2).unwrap_or(0).min(999_999_999);
    Ok(Some(secs.saturating_mul(1000).saturating_add((nanos / 1_000_000) as i64)))
}

// ---------------------------------------------------------------- Antigravity's messages

/// One `ModelUsageStats`.
#[derive(Debug, Default)]
struct Usage {
    model_id: Option<u64>,
    input: u64,
    output_total: u64,
    cache_write: u64,
    cache_read: u64,
    thinking: u64,
    visible: u64,
    provider: Option<u64>,
    message_id: Option<String>,
    response_id: Option<String>,
    provider_message_id: Option<String>,
}

impl Usage {
    fn decode(b: &[u8]) -> Result<Self, Malformed> {
        let m = Msg::decode(b)?;
        let n = |k: u32| m.int(k).unwrap_or(0);
        Ok(Usage {
            model_id: m.nonzero(1),
            input: n(2),
            output_total: n(3),
            cache_write: n(4),
            cache_read: n(5),
            thinking: n(9),
            visible: n(10),
            provider: m.nonzero(6),
            message_id: m.text(7),
            response_id: m.text(11),
            provider_message_id: m.text(12),
        })
    }

    /// The usage of a `RetryInfo` (field 2), if it has one.
    fn of_retry(b: &[u8]) -> Result<Option<Self>, Malformed> {
        Msg::decode(b)?.nested(2, Usage::decode)
    }

    fn counts(&self) -> [u64; 6] {
        [self.input, self.output_total, self.cache_write, self.cache_read, self.thinking, self.visible]
    }

    /// The ids that identify the call, strongest first.
    fn identities(&self) -> Vec<String> {
        [("response:", &self.response_id), ("provider:", &self.provider_message_id), ("message:", &self.message_id)]
            .into_iter()
            .filter_map(|(k, v)| v.as_deref().filter(|s| !s.is_empty()).map(|s| format!("{k}{s}")))
            .collect()
    }
}

/// What one row of `steps` or `gen_metadata` says: its calls and their context.
#[derive(Default)]
struct Row {
    model: Option<String>,
    model_id: Option<u64>,
    provider: Option<u64>,
    /// The call, then its retries (a failed attempt used tokens too).
    usage: Option<Usage>,
    retries: Vec<Usage>,
    ts: Option<i64>,
}

impl Row {
    fn usages(self) -> impl Iterator<Item = Usage> {
        self.usage.into_iter().chain(self.retries)
    }
}

fn retries<'a>(m: &Msg<'a>, field: u32, into: &mut Vec<Usage>) -> Result<(), Malformed> {
    for b in m.all(field) {
        into.extend(Usage::of_retry(b)?);
    }
    Ok(())
}

/// A `gen_metadata` row: the chat-model metadata is its field 1.
fn generation(b: &[u8]) -> Result<Row, Malformed> {
    let chat = Msg::decode(Msg::decode(b)?.bytes(1).ok_or(Malformed)?)?;
    let mut row = Row { usage: chat.nested(4, Usage::decode)?, ..Row::default() };
    retries(&chat, 17, &mut row.retries)?;
    row.ts = chat.nested(9, |info| Msg::decode(info)?.nested(4, timestamp))?.flatten().flatten();
    row.model = chat.text(19).or_else(|| chat.text(21));
    row.model_id = chat.nonzero(3);
    Ok(row)
}

/// A `steps` row (`CortexStepMetadata`).
fn step(b: &[u8]) -> Result<Row, Malformed> {
    let m = Msg::decode(b)?;
    let mut row = Row { usage: m.nested(9, Usage::decode)?, ..Row::default() };
    retries(&m, 28, &mut row.retries)?;
    if let Some(info) = m.bytes(24) {
        let info = Msg::decode(info)?;
        row.model = info.text(12).or_else(|| info.text(8));
        row.model_id = info.nonzero(1);
        row.provider = info.nonzero(7);
    }
    row.ts = m.bytes(8).or_else(|| m.bytes(1)).map(timestamp).transpose()?.flatten();
    Ok(row)
}

// ---------------------------------------------------------------- model names

const DEFAULT_MODEL: &str = "gemini-internal-model";

/// The model Antigravity's numeric id stands for.
fn model_of_id(id: u64) -> String {
    let name = match id {
        246 => "gemini-2.5-pro",
        312 => "gemini-2.5-flash",
        313 | 329 => "gemini-2.5-flash-thinking",
        330 => "gemini-2.5-flash-lite",
        281 | 282 => "claude-4-sonnet",
        290 | 291 => "claude-4-opus",
        333 | 334 => "claude-4.5-sonnet",
        340 | 341 => "claude-4.5-haiku",
        342 => "model_openai_gpt_oss_120b_medium",
        1318 => "gemini-3.8-flash-high",
        1319 => "gemini-3.8-flash-medium",
        1320 => "gemini-3.8-flash-low",
        1298 => "gemini-3.7-flash-high",
        1299 => "gemini-3.7-flash-medium",
        1300 => "gemini-3.7-flash-low",
        1071 => "gemini-3.6-flash-high",
        1072 => "gemini-3.6-flash-medium",
        1073 => "gemini-3.6-flash-low",
        1000.. => return format!("model_placeholder_m{}", id - 1000),
        _ => return format!("antigravity-model-{id}"),
    };
    name.to_owned()
}

/// A model's display name, id name or placeholder as the name it is reported and priced under.
fn normalize(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    let lower = trimmed.to_ascii_lowercase();
    // "Gemini 3.6 Flash (High)": the effort is part of the name.
    for v in ["3.8", "3.7", "3.6"] {
        for effort in ["high", "medium", "low"] {
            if lower == format!("gemini {v} flash ({effort})") {
                return Some(format!("gemini-{v}-flash-{effort}"));
            }
        }
    }
    let base = lower.find('(').map_or(lower.as_str(), |i| lower[..i].trim());
    let name = match base {
        "gemini 3.8 flash" | "gemini 3.8 flash thinking" => "gemini-3.8-flash",
        "gemini 3.7 flash" | "gemini 3.7 flash thinking" => "gemini-3.7-flash",
        "gemini 3.7 pro" | "gemini 3.7 pro thinking" => "gemini-3.7-pro",
        "gemini 3.6 flash" | "gemini 3 flash" => "gemini-3.6-flash",
        "gemini 3.6 pro" => "gemini-3.6-pro",
        "gemini 3 pro" | "gemini 3 pro thinking" => "gemini-3-pro",
        "gemini 2.5 flash" => "gemini-2.5-flash",
        "gemini 2.5 pro" => "gemini-2.5-pro",
        "gemini 2.0 flash" | "gemini 2 flash" => "gemini-2.0-flash",
        "gemini 2.0 pro" => "gemini-2.0-pro",
        "gemini 1.5 flash" => "gemini-1.5-flash",
        "gemini 1.5 pro" => "gemini-1.5-pro",
        "model_placeholder_m318" => "gemini-3.8-flash-high",
        "model_placeholder_m319" => "gemini-3.8-flash-medium",
        "model_placeholder_m320" => "gemini-3.8-flash-low",
        "model_placeholder_m298" => "gemini-3.7-flash-high",
        "model_placeholder_m299" => "gemini-3.7-flash-medium",
        "model_placeholder_m300" => "gemini-3.7-flash-low",
        "model_placeholder_m71" => "gemini-3.6-flash-high",
        "model_placeholder_m72" => "gemini-3.6-flash-medium",
        "model_placeholder_m73" => "gemini-3.6-flash-low",
        "model_placeholder_m26" => "claude-opus-4-6",
        "model_placeholder_m35" => "claude-sonnet-4-6",
        "model_placeholder_m36" | "model_placeholder_m37" | "model_placeholder_m16" => "gemini-3.1-pro",
        "model_placeholder_m18" | "model_placeholder_m84" | "model_placeholder_m47" => "gemini-3-flash-preview",
        "model_placeholder_m132" | "model_placeholder_m133" => "gemini-3.5-flash-high",
        "model_placeholder_m187" => "gemini-3.5-flash-extra-low",
        "model_placeholder_m20" => "gemini-3.5-flash-medium",
        "model_openai_gpt_oss_120b_medium" => "gpt-oss-120b-medium",
        "gemini-pro-default" | "gemini-pro-agent" => "gemini-3.1-pro",
        "gemini-3-flash-agent"
        | "gemini-3-flash-agent-a"
        | "gemini-3-flash-agent-b"
        | "gemini-3-flash-a"
        | "gemini-3-flash-b" => "gemini-3.5-flash-high",
        "gemini-3-flash-c" | "gemini-3-flash" => "gemini-3-flash-preview",
        "gemini-3.5-flash-low" => "gemini-3.5-flash-medium",
        "gemini-3.1-pro-high" | "gemini-3.1-pro-low" => "gemini-3.1-pro",
        "gemini-3-pro-high" | "gemini-3-pro-low" => "gemini-3-pro",
        "claude 3.7 sonnet" | "claude 3.7 sonnet thinking" => "claude-3-7-sonnet",
        "claude 3.5 sonnet" => "claude-3-5-sonnet",
        "claude 3.5 haiku" => "claude-3-5-haiku",
        "claude 3 opus" => "claude-3-opus",
        _ => {
            let dashed = base.replace(' ', "-");
            let known = ["gemini-", "claude-", "gpt-"].iter().any(|p| dashed.starts_with(p));
            return Some(if known { dashed } else { trimmed.to_owned() });
        }
    };
    Some(name.to_owned())
}

/// A row's own model: its name, else its id.
fn model_of_row(row: &Row) -> Option<String> {
    row.model.as_deref().and_then(normalize).or_else(|| row.model_id.map(model_of_id).as_deref().and_then(normalize))
}

fn model_of_usage(u: &Usage) -> Option<String> {
    u.model_id.map(model_of_id).as_deref().and_then(normalize)
}

// ---------------------------------------------------------------- one database

/// How trustworthy a call's time is: its own (3), a step's with the same id (inherited), the
/// conversation's (1), the file's (0).
const RANK_OWN: u8 = 3;
const RANK_CONVERSATION: u8 = 1;
const RANK_FILE: u8 = 0;

/// Reads one conversation database. Each call is one event: input, visible output, cache write
/// (`cc5`), cache read, thinking (`aux1`), output with thinking (`aux2`), API provider (`cc1h`,
/// 0 for none), its ids (`id`, one per line), the rank of its time (`flags`), the row (`line`).
pub(crate) fn parse_db(path: &Path) -> FileData {
    let mut fd = FileData::default();
    let Some(tables) = crate::sqlite::rows(&mut fd, path, "SELECT name FROM sqlite_master WHERE type = 'table'", |r| {
        r.get::<_, String>(0)
    }) else {
        return fd;
    };
    let has = |t: &str| tables.iter().any(|n| n == t);
    if !has("gen_metadata") {
        return fd;
    }
    let blobs = |fd: &mut FileData, sql: &str| {
        crate::sqlite::rows(fd, path, sql, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?)))
    };
    let Some(gens) = blobs(&mut fd, "SELECT idx, data FROM gen_metadata ORDER BY idx ASC") else { return fd };
    let steps = if has("steps") {
        let sql = "SELECT idx, metadata FROM steps WHERE metadata IS NOT NULL ORDER BY idx ASC";
        let Some(s) = blobs(&mut fd, sql) else { return fd };
        s
    } else {
        Vec::new()
    };
    let conversation_ts = if has("trajectory_metadata_blob") {
        let sql = "SELECT rowid, data FROM trajectory_metadata_blob ORDER BY rowid ASC";
        let Some(rows) = blobs(&mut fd, sql) else { return fd };
        let mut first = None;
        for (no, data) in rows {
            match conversation_time(data.as_deref().unwrap_or_default()) {
                Ok(ts) => first = first.or(ts),
                Err(Malformed) => fd.issues.push((row_no(no), IssueKind::CorruptRecord)),
            }
        }
        first
    } else {
        None
    };
    let file_ts = fs_err::metadata(path)
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as i64);

    let steps = decode(&mut fd, steps, step);
    let gens = decode(&mut fd, gens, generation);

    let session = path.file_stem().map_or_else(|| "unknown".into(), |s| s.to_string_lossy());
    let mut cx = Context { fd: &mut fd, session: &session, conversation_ts, file_ts, times: FxHashMap::default() };
    // A step names no model: the last generation that does.
    let last_model = gens.iter().rev().find_map(|(_, r)| model_of_row(r));
    for (no, row) in steps {
        let model = model_of_row(&row).or_else(|| last_model.clone());
        let (provider, ts) = (row.provider, row.ts);
        for u in row.usages() {
            cx.push(no, u, model.as_deref(), provider, ts);
        }
    }
    let mut current = None;
    for (no, row) in gens {
        if let Some(m) = model_of_row(&row).or_else(|| row.usage.as_ref().and_then(model_of_usage)) {
            current = Some(m);
        }
        let ts = row.ts;
        for u in row.usages() {
            cx.push(no, u, current.as_deref(), None, ts);
        }
    }
    fd
}

/// Decodes each row with `f`; a row that does not decode is reported.
fn decode(
    fd: &mut FileData,
    rows: Vec<(i64, Option<Vec<u8>>)>,
    f: fn(&[u8]) -> Result<Row, Malformed>,
) -> Vec<(u32, Row)> {
    let mut out = Vec::new();
    for (idx, data) in rows {
        fd.stats.lines += 1;
        match f(data.as_deref().unwrap_or_default()) {
            Ok(row) => out.push((row_no(idx), row)),
            Err(Malformed) => fd.issues.push((row_no(idx), IssueKind::CorruptRecord)),
        }
    }
    out
}

/// A `trajectory_metadata_blob` row's time (field 2).
fn conversation_time(b: &[u8]) -> Result<Option<i64>, Malformed> {
    Ok(Msg::decode(b)?.nested(2, timestamp)?.flatten())
}

fn row_no(idx: i64) -> u32 {
    u32::try_from(idx).unwrap_or(0)
}

struct Context<'a> {
    fd: &'a mut FileData,
    session: &'a str,
    conversation_ts: Option<i64>,
    file_ts: i64,
    /// The best time seen so far for each id in this file.
    times: FxHashMap<String, (i64, u8)>,
}

impl Context<'_> {
    fn push(&mut self, no: u32, u: Usage, model: Option<&str>, provider: Option<u64>, ts: Option<i64>) {
        if u.counts().iter().all(|n| *n == 0) {
            return;
        }
        self.fd.stats.usage_lines += 1;
        if u.counts().iter().any(|n| *n > MAX_TOKENS) {
            self.fd.issues.push((no, IssueKind::OutOfRange));
            return;
        }
        let ids = u.identities();
        let (ts, rank) = ts
            .map(|t| (t, RANK_OWN))
            .or_else(|| ids.iter().find_map(|i| self.times.get(i).copied()))
            .or_else(|| self.conversation_ts.map(|t| (t, RANK_CONVERSATION)))
            .unwrap_or((self.file_ts, RANK_FILE));
        for i in &ids {
            let better = self.times.get(i).is_none_or(|&(t0, r0)| rank > r0 || (rank == r0 && ts < t0));
            if better {
                self.times.insert(i.clone(), (ts, rank));
            }
        }
        let output_total = u.output_total.max(u.visible + u.thinking);
        let output = u.visible.max(output_total.saturating_sub(u.thinking));
        let thinking = u.thinking.max(output_total - output);
        let model = model_of_usage(&u).or_else(|| model.and_then(normalize)).unwrap_or_else(|| DEFAULT_MODEL.into());
        let a = &mut self.fd.arena;
        let model = a.intern(model.as_bytes());
        let session = a.intern(self.session.as_bytes());
        let id = if ids.is_empty() { StrRef::NONE } else { a.push(ids.join("\n").as_bytes()) };
        self.fd.events.push(RawEvent {
            ts_ms: ts,
            input: u.input,
            output,
            cc5: u.cache_write,
            cc1h: u.provider.or(provider).unwrap_or(0),
            cr: u.cache_read,
            aux1: thinking,
            aux2: output_total,
            cost_usd: f64::NAN,
            model,
            cwd: StrRef::NONE,
            session,
            id,
            req: StrRef::NONE,
            line: no,
            flags: rank,
        });
    }
}

// ---------------------------------------------------------------- across databases

// ---------------------------------------------------------------- workspaces

/// Conversation id → workspace, as Antigravity records them in a root.
type Workspaces = FxHashMap<String, Arc<str>>;

/// The workspaces of the conversations in `root`: `conversation_summaries.db` first, then
/// `cache/last_conversations.json` (`{"<workspace>": "<conversation id>"}`).
fn workspaces(root: &Path) -> Workspaces {
    let mut map = Workspaces::default();
    let summaries = root.join("conversation_summaries.db");
    if summaries.is_file() {
        let sql = "SELECT CAST(conversation_id AS TEXT), CAST(workspace_uris AS TEXT) FROM conversation_summaries";
        let mut scratch = FileData::default();
        let rows = crate::sqlite::rows(&mut scratch, &summaries, sql, |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?))
        });
        for (id, uris) in rows.unwrap_or_default() {
            if let (Some(id), Some(ws)) = (id, uris.as_deref().and_then(workspace_of)) {
                map.entry(id.trim().to_owned()).or_insert_with(|| Arc::from(ws));
            }
        }
    }
    let last = fs_err::read(root.join("cache").join("last_conversations.json")).ok();
    if let Some(serde_json::Value::Object(o)) = last.and_then(|b| serde_json::from_slice(&b).ok()) {
        for (ws, id) in o {
            if let (Some(id), Some(ws)) = (id.as_str(), local_path(&ws)) {
                map.entry(id.trim().to_owned()).or_insert_with(|| Arc::from(ws));
            }
        }
    }
    map
}

/// The first local path in a `workspace_uris` value: a JSON list of paths or `file://` URIs
/// (or of objects with a `uri`), or one path.
fn workspace_of(raw: &str) -> Option<String> {
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => {
                for k in ["uri", "workspace_uri", "workspaceUri"] {
                    if let Some(x) = o.get(k) {
                        strings(x, out);
                    }
                }
            }
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(raw.trim()) {
        Ok(v) => {
            let mut all = Vec::new();
            strings(&v, &mut all);
            all.iter().find_map(|s| local_path(s))
        }
        Err(_) => local_path(raw),
    }
}

/// An absolute local path, or a `file://` URI of one (percent-decoded).
fn local_path(s: &str) -> Option<String> {
    let s = s.trim();
    let path = match s.strip_prefix("file://") {
        Some(rest) => {
            let rest = rest.strip_prefix("localhost").unwrap_or(rest);
            if !rest.starts_with('/') || rest.contains(['?', '#']) {
                return None;
            }
            percent_encoding::percent_decode_str(rest).decode_utf8().ok()?.into_owned()
        }
        None if s.contains("://") => return None,
        None => s.to_owned(),
    };
    (Path::new(&path).is_absolute() && !path.contains('\0')).then_some(path)
}

/// The root a conversation database belongs to (the folder holding `conversations/`, else the
/// database's folder) and the ids it may be recorded under: its name, then the folders between
/// it and `conversations/` (a sub-conversation's parent).
fn root_and_ids(db: &Path) -> (PathBuf, Vec<String>) {
    let name = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let mut ids: Vec<String> = db.file_stem().map(|s| s.to_string_lossy().into_owned()).into_iter().collect();
    for dir in db.ancestors().skip(1) {
        if dir.file_name().is_some_and(|n| n == "conversations") {
            return (dir.parent().unwrap_or(dir).to_path_buf(), ids);
        }
        ids.extend(name(dir));
    }
    let folder = db.parent().unwrap_or(db).to_path_buf();
    ids.truncate(1);
    (folder, ids)
}

// ---------------------------------------------------------------- across databases

/// One call after deduplication.
struct Call {
    ts: i64,
    rank: u8,
    model: Arc<str>,
    session: Arc<str>,
    cwd: Option<Arc<str>>,
    provider: u64,
    /// input, visible output, cache write, cache read, thinking, output with thinking.
    n: [u64; 6],
    ids: Vec<String>,
}

impl Call {
    fn of(fd: &FileData, e: &RawEvent, cwd: Option<Arc<str>>) -> Self {
        let s = |r: StrRef| Arc::from(fd.arena.str(r).unwrap_or_default());
        let ids = fd.arena.str(e.id).map(|s| s.lines().map(str::to_owned).collect()).unwrap_or_default();
        Call {
            ts: e.ts_ms,
            rank: e.flags,
            model: s(e.model),
            session: s(e.session),
            provider: e.cc1h,
            n: [e.input, e.output, e.cc5, e.cr, e.aux1, e.aux2],
            ids,
            cwd,
        }
    }

    /// Joins `other` (the same call recorded elsewhere) into this one.
    fn join(&mut self, other: Call) {
        for i in 0..5 {
            self.n[i] = self.n[i].max(other.n[i]);
        }
        self.n[5] = self.n[5].max(other.n[5]).max(self.n[1] + self.n[4]);
        if &*self.model == DEFAULT_MODEL && &*other.model != DEFAULT_MODEL {
            self.model = other.model;
        }
        if self.provider == 0 {
            self.provider = other.provider;
        }
        if self.cwd.is_none() {
            self.cwd = other.cwd;
        }
        if other.rank > self.rank || (other.rank == self.rank && other.ts < self.ts) {
            (self.ts, self.rank) = (other.ts, other.rank);
        }
        for i in other.ids {
            if !self.ids.contains(&i) {
                self.ids.push(i);
            }
        }
    }
}

/// The calls of all databases (`dbs`, in the order ccusage reads them), calls sharing an id
/// joined. Returns them with the number of duplicates dropped.
fn dedup<'a>(dbs: impl Iterator<Item = (&'a Path, &'a FileData)>) -> (Vec<Call>, u64) {
    let mut calls: Vec<Option<Call>> = Vec::new();
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    let mut dropped = 0;
    let mut roots: FxHashMap<PathBuf, Workspaces> = FxHashMap::default();
    for (path, fd) in dbs {
        let cwd = if fd.events.is_empty() {
            None
        } else {
            let (root, ids) = root_and_ids(path);
            let map = roots.entry(root).or_insert_with_key(|r| workspaces(r));
            ids.iter().find_map(|i| map.get(i).cloned())
        };
        for e in &fd.events {
            let call = Call::of(fd, e, cwd.clone());
            let mut hits: Vec<usize> = call.ids.iter().filter_map(|i| by_id.get(i).copied()).collect();
            hits.sort_unstable();
            hits.dedup();
            let Some(&target) = hits.first() else {
                for i in &call.ids {
                    by_id.insert(i.clone(), calls.len());
                }
                calls.push(Some(call));
                continue;
            };
            let mut joined = calls[target].take().unwrap_or_else(|| unreachable!("an id points at a joined call"));
            for other in hits[1..].iter().filter_map(|&h| calls[h].take()) {
                joined.join(other);
            }
            joined.join(call);
            dropped += 1;
            for i in &joined.ids {
                by_id.insert(i.clone(), target);
            }
            calls[target] = Some(joined);
        }
    }
    (calls.into_iter().flatten().collect(), dropped)
}

/// Google's API providers (Vertex, Gemini API, Evergreen): their calls are priced under
/// `google/`, `gemini/`, `vertex_ai/` and `openrouter/google/` names too.
fn google(provider: u64) -> bool {
    matches!(provider, 3 | 24 | 30)
}

/// The names a call is priced under, first priced wins.
fn price_names(model: &str, provider: u64) -> Vec<String> {
    let mut models = vec![model.to_owned()];
    // A Flash model's effort levels share its price.
    for v in ["3.8", "3.7", "3.6"] {
        if ["high", "medium", "low"].iter().any(|e| model == format!("gemini-{v}-flash-{e}")) {
            models.push(format!("gemini-{v}-flash"));
        }
    }
    let mut names = Vec::new();
    for m in models {
        names.push(m.clone());
        if google(provider) {
            names.extend(["google", "gemini", "vertex_ai", "openrouter/google"].iter().map(|p| format!("{p}/{m}")));
        }
    }
    names
}

/// The price of a call: the first priced of its names, except that a Gemini model the table
/// does not list by its name is priced as its `-preview` when the table lists that (LiteLLM
/// 1.110.2 keeps Gemini 3 Pro only as `gemini-3-pro-preview`; the longest match would otherwise
/// be a Databricks image entry at another price). ccusage's older table lists it by name.
fn price_of<'p>(prices: &'p PriceTable, model: &str, provider: u64) -> Option<&'p crate::ModelPrice> {
    let listed = |m: &str| prices.lookup(m).filter(|(k, _)| *k == m).map(|(_, p)| p);
    if model.starts_with("gemini-") && !model.ends_with("-preview") && listed(model).is_none() {
        let preview = format!("{model}-preview");
        if let Some(p) = listed(&preview) {
            return Some(p);
        }
    }
    price_names(model, provider).iter().find_map(|n| prices.lookup(n)).map(|(_, p)| p)
}

/// The records of all Antigravity databases, `dbs` in ccusage's order: joined, priced, with
/// their workspace. Returns them, the models without a price and the number of duplicates
/// dropped.
pub(crate) fn records<'a>(
    dbs: impl Iterator<Item = (&'a Path, &'a FileData)>,
    prices: &PriceTable,
) -> (Vec<UsageRecord>, Vec<String>, u64) {
    let (calls, dropped) = dedup(dbs);
    let mut unpriced: Vec<String> = Vec::new();
    let mut memo: FxHashMap<(Arc<str>, bool), Option<&crate::ModelPrice>> = FxHashMap::default();
    let records = calls
        .into_iter()
        .map(|c| {
            let [input, output, cache_write, cache_read, _, output_total] = c.n;
            let tokens = Tokens {
                input,
                output,
                cache_creation: cache_write,
                cache_read,
                reasoning: output_total - output,
                ..Tokens::default()
            };
            let price = *memo
                .entry((c.model.clone(), google(c.provider)))
                .or_insert_with(|| price_of(prices, &c.model, c.provider));
            if price.is_none() && tokens.total() > 0 && !unpriced.iter().any(|u| **u == *c.model) {
                unpriced.push(c.model.to_string());
            }
            let billable = BillableTokens {
                input,
                output,
                cache_write_5m: cache_write,
                cache_write_1h: 0,
                cache_read,
                reasoning: tokens.reasoning,
            };
            UsageRecord {
                timestamp: crate::time::ts_from_ms(c.ts),
                agent: crate::Agent::Antigravity,
                model: Some(c.model),
                cwd: c.cwd,
                session_id: c.session,
                tokens,
                cost_usd: price.map_or(0.0, |p| p.generic_cost(&billable)),
            }
        })
        .collect();
    (records, unpriced, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_off_varint_or_length_is_malformed() {
        assert!(Msg::decode(&[0x08, 0x96]).is_err());
        assert!(Msg::decode(&[0x0a, 0x05, 1, 2]).is_err());
        assert!(Msg::decode(&[0x00, 0x01]).is_err(), "field 0");
        assert!(Msg::decode(&[0x0b]).is_err(), "a group");
        assert_eq!(Msg::decode(&[0x08, 0x96, 0x01]).unwrap().int(1), Some(150));
    }

    #[test]
    fn names_are_normalised_as_ccusage_does() {
        for (raw, want) in [
            ("  Gemini 3 Pro (High)  ", "gemini-3-pro"),
            ("gemini 3.6 flash (low)", "gemini-3.6-flash-low"),
            ("MODEL_PLACEHOLDER_M20", "gemini-3.5-flash-medium"),
            ("GPT 5 High", "gpt-5-high"),
            ("o3 mini", "o3 mini"),
        ] {
            assert_eq!(normalize(raw).as_deref(), Some(want), "{raw}");
        }
        assert_eq!(model_of_id(1500), "model_placeholder_m500");
        assert_eq!(model_of_id(77), "antigravity-model-77");
    }
}
