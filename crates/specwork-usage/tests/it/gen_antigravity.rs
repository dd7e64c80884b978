//! specwork's own generator of Google Antigravity conversation stores for tests: one SQLite
//! database per conversation with `steps`, `gen_metadata` and `trajectory_metadata_blob`, their
//! metadata written as protobuf by the small encoder below (field numbers as ccusage 20.0.24
//! reads them, see `src/antigravity.rs`).
//!
//! The cases: calls recorded both as a step and as a generation (one call), background calls in
//! steps only, calls in generations only (a pruned step; some without a time, dated by the
//! conversation), failed attempts in `retry_infos`, the successful attempt repeated in a
//! generation's retries under another response id, models named by display name, by
//! `MODEL_PLACEHOLDER_M<n>`, by numeric id, not at all (the last generation's), unknown models,
//! step rows without metadata, steps without usage, sub-conversations repeating a call of their
//! parent, and a second root holding a copy of a conversation. Workspaces: in the root's
//! `conversation_summaries.db` (`workspace_uris`, as `file://` URIs) for some conversations, in
//! `cache/last_conversations.json` for others.
//!
//! With `faults`: a generation and a step whose protobuf is cut off (each with a call found
//! nowhere else) and an empty database file — ccusage stops on them; specwork skips and
//! reports them.
//!
//! Deterministic: the same seed writes the same bytes.

use std::path::{Path, PathBuf};

use crate::gen_agents::{PROJECTS, Rng, START_MS, session_start};

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A protobuf message under construction.
#[derive(Default, Clone)]
struct Pb(Vec<u8>);

impl Pb {
    fn int(mut self, field: u64, v: u64) -> Self {
        varint(field << 3, &mut self.0);
        varint(v, &mut self.0);
        self
    }

    fn bytes(mut self, field: u64, b: &[u8]) -> Self {
        varint((field << 3) | 2, &mut self.0);
        varint(b.len() as u64, &mut self.0);
        self.0.extend_from_slice(b);
        self
    }

    fn msg(self, field: u64, m: &Pb) -> Self {
        self.bytes(field, &m.0)
    }

    /// A field the reader does not know (a fixed64 and a fixed32), as real records have many.
    fn noise(mut self) -> Self {
        varint((15 << 3) | 1, &mut self.0);
        self.0.extend_from_slice(&[7; 8]);
        varint((16 << 3) | 5, &mut self.0);
        self.0.extend_from_slice(&[9; 4]);
        self
    }
}

fn stamp(ms: i64) -> Pb {
    Pb::default().int(1, (ms / 1000) as u64).int(2, (ms % 1000) as u64 * 1_000_000)
}

/// One model call: its counts and ids.
#[derive(Clone)]
struct Call {
    model_id: Option<u64>,
    input: u64,
    cache_write: u64,
    cache_read: u64,
    thinking: u64,
    visible: u64,
    /// How output is written: 0 total and split, 1 the split only, 2 the total only.
    output_form: u8,
    message: String,
    response: Option<String>,
    provider_message: Option<String>,
}

impl Call {
    fn usage(&self) -> Pb {
        let mut u = Pb::default();
        if let Some(id) = self.model_id {
            u = u.int(1, id);
        }
        u = u.int(2, self.input);
        if self.output_form != 1 {
            u = u.int(3, self.visible + self.thinking);
        }
        if self.cache_write > 0 {
            u = u.int(4, self.cache_write);
        }
        if self.cache_read > 0 {
            u = u.int(5, self.cache_read);
        }
        if self.output_form != 2 {
            if self.thinking > 0 {
                u = u.int(9, self.thinking);
            }
            u = u.int(10, self.visible);
        }
        u = u.bytes(7, self.message.as_bytes());
        if let Some(r) = &self.response {
            u = u.bytes(11, r.as_bytes());
        }
        if let Some(p) = &self.provider_message {
            u = u.bytes(12, p.as_bytes());
        }
        u
    }
}

fn retry(u: &Pb) -> Pb {
    Pb::default().int(1, 3).msg(2, u)
}

/// A `steps.metadata` record.
fn step(ts: Option<i64>, old_time_field: bool, call: Option<&Pb>, retries: &[Pb], model: Option<(&str, u64)>) -> Pb {
    let mut m = Pb::default().int(2, 1);
    if let Some(t) = ts {
        m = m.msg(if old_time_field { 1 } else { 8 }, &stamp(t));
    }
    if let Some(c) = call {
        m = m.msg(9, c);
    }
    if let Some((name, provider)) = model {
        let mut info = Pb::default().bytes(12, name.as_bytes());
        if provider > 0 {
            info = info.int(7, provider);
        }
        m = m.msg(24, &info);
    }
    for r in retries {
        m = m.msg(28, &retry(r));
    }
    m.noise()
}

/// A `gen_metadata.data` record: the chat-model metadata in field 1, the request in field 2.
fn generation(ts: Option<i64>, call: Option<&Pb>, retries: &[Pb], model: Option<&str>, alt_name_field: bool) -> Pb {
    let mut c = Pb::default();
    if let Some(u) = call {
        c = c.msg(4, u);
    }
    if let Some(t) = ts {
        c = c.msg(9, &Pb::default().int(1, 1).msg(4, &stamp(t)));
    }
    for r in retries {
        c = c.msg(17, &retry(r));
    }
    if let Some(name) = model {
        c = c.bytes(if alt_name_field { 21 } else { 19 }, name.as_bytes());
    }
    Pb::default().msg(1, &c.noise()).bytes(2, b"request: system prompt and history")
}

/// Gives a database a fixed file time (a call with no time of its own is dated by it).
fn settle(db: &Path) {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(START_MS as u64 + 6 * 86_400_000);
    std::fs::File::options().write(true).open(db).unwrap().set_modified(t).unwrap();
}

/// What a generated corpus holds.
pub struct Corpus {
    /// The roots, for `ANTIGRAVITY_DATA_DIR` (comma-separated).
    pub roots: Vec<PathBuf>,
    /// Records written cut off (database, row), with `faults`.
    pub corrupt: Vec<(PathBuf, u32)>,
    /// The conversations whose workspace Antigravity recorded: (id, workspace).
    pub workspaces: Vec<(String, String)>,
}

impl Corpus {
    pub fn var(&self) -> String {
        self.roots.iter().map(|r| r.display().to_string()).collect::<Vec<_>>().join(",")
    }
}

fn create(path: &Path, trajectory: bool) -> rusqlite::Connection {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE steps (idx INTEGER PRIMARY KEY, step_type INTEGER, metadata BLOB, payload BLOB);
         CREATE TABLE gen_metadata (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);",
    )
    .unwrap();
    if trajectory {
        db.execute_batch("CREATE TABLE trajectory_metadata_blob (data BLOB);").unwrap();
    }
    db
}

fn put(db: &rusqlite::Connection, table: &str, idx: u32, blob: Option<&[u8]>) {
    let sql = match table {
        "steps" => "INSERT INTO steps (idx, step_type, metadata, payload) VALUES (?1, 4, ?2, x'0a00')",
        _ => "INSERT INTO gen_metadata (idx, data) VALUES (?1, ?2)",
    };
    db.execute(sql, rusqlite::params![idx, blob]).unwrap();
}

/// The models conversations use: (name in the records, numeric id of the calls, API provider).
const MODELS: [(&str, Option<u64>, u64); 8] = [
    ("Gemini 3 Pro (High)", None, 24),
    ("Gemini 2.5 Pro", Some(246), 3),
    ("Claude Sonnet 4.5", Some(333), 0),
    ("MODEL_PLACEHOLDER_M26", None, 0),
    ("gemini-3-flash", None, 24),
    ("Gemini 2.5 Flash (Thinking)", None, 0),
    ("gemini-pro-agent", None, 30),
    ("claude 3.7 sonnet thinking", None, 0),
];

/// Antigravity: `<out>/cli/conversations/<id>.db` for each of `conversations` (sub-conversations
/// in `<id>/`) and `<out>/backup/` (no `conversations/` folder) with a copy of the first.
pub fn antigravity(out: &Path, seed: u64, conversations: usize, faults: bool) -> Corpus {
    let mut rng = Rng::new(seed);
    let cli = out.join("cli");
    let dir = cli.join("conversations");
    let mut corrupt = Vec::new();
    let mut first_db = None;
    let mut workspaces = Vec::new();
    for c in 0..conversations {
        let id = rng.uuid();
        if c % 3 != 2 && c < 12 {
            workspaces.push((id.clone(), format!("{}/c{c}", PROJECTS[c % PROJECTS.len()])));
        }
        let path = dir.join(format!("{id}.db"));
        let trajectory = c % 5 != 4;
        let db = create(&path, trajectory);
        let t0 = session_start(&mut rng, 6);
        if trajectory {
            db.execute(
                "INSERT INTO trajectory_metadata_blob (data) VALUES (?1)",
                [Pb::default().bytes(1, id.as_bytes()).msg(2, &stamp(t0)).0],
            )
            .unwrap();
        }
        let (name, model_id, provider) = match c {
            7 => ("Gemini Nova Ultra", None, 0),
            11 => ("", Some(77), 0),
            _ => MODELS[c % MODELS.len()],
        };
        let name = (!name.is_empty()).then_some(name);
        let claude = name.is_some_and(|n| n.to_ascii_lowercase().contains("claude") || n.ends_with("M26"));
        let (mut si, mut gi) = (0u32, 0u32);
        let mut t = t0;
        let mut shared: Option<(Pb, i64)> = None;
        for k in 0..rng.range(4, 14) {
            t += rng.range(15_000, 400_000) as i64;
            let thinking = if rng.chance(0.6) { rng.range(20, 3_000) } else { 0 };
            let call = Call {
                model_id,
                input: rng.range(300, 60_000),
                cache_write: if claude && rng.chance(0.5) { rng.range(100, 20_000) } else { 0 },
                cache_read: if rng.chance(0.7) { rng.range(1_000, 120_000) } else { 0 },
                thinking,
                visible: rng.range(30, 4_000),
                output_form: (rng.range(0, 5) as u8).min(2),
                message: format!("msg-{}", rng.hex(12)),
                response: rng.chance(0.9).then(|| format!("resp-{}", rng.hex(16))),
                provider_message: rng.chance(0.3).then(|| format!("prov-{}", rng.hex(10))),
            };
            let u = call.usage();
            // A step the user typed: no usage; and rows without metadata.
            si += 1;
            put(&db, "steps", si, step(Some(t - 2_000), false, None, &[], None).0.as_slice().into());
            si += 1;
            put(&db, "steps", si, None);
            let kind = rng.range(0, 9);
            let model_info = (k % 3 == 0).then(|| (name.unwrap_or("gemini 3 pro"), provider));
            let model_info = model_info.filter(|_| name.is_some());
            match kind {
                // In steps only (a background call), sometimes with a failed attempt.
                0 | 1 => {
                    let failed = Call {
                        input: call.input,
                        visible: 0,
                        thinking: 0,
                        cache_read: 0,
                        cache_write: 0,
                        output_form: 2,
                        response: Some(format!("resp-{}", rng.hex(16))),
                        message: format!("msg-{}", rng.hex(12)),
                        ..call.clone()
                    };
                    let retries = if kind == 1 { vec![failed.usage()] } else { vec![] };
                    si += 1;
                    put(&db, "steps", si, Some(&step(Some(t), k % 4 == 1, Some(&u), &retries, model_info).0));
                }
                // In generations only: the step was pruned; sometimes without a time.
                2 => {
                    gi += 1;
                    let ts = (k % 2 == 0).then_some(t);
                    put(&db, "gen_metadata", gi, Some(&generation(ts, Some(&u), &[], name, false).0));
                }
                // Both: the step with the time, the generation with the model; the generation's
                // retries repeat the call under another response id with fewer tokens.
                _ => {
                    si += 1;
                    put(&db, "steps", si, Some(&step(Some(t), false, Some(&u), &[], model_info).0));
                    let echo =
                        Call { input: call.input / 2, response: Some(format!("resp-{}", rng.hex(16))), ..call.clone() };
                    let retries = if kind == 8 { vec![echo.usage()] } else { vec![] };
                    let ts = (kind != 5).then_some(t + 800);
                    gi += 1;
                    put(&db, "gen_metadata", gi, Some(&generation(ts, Some(&u), &retries, name, kind == 6).0));
                    if shared.is_none() && call.response.is_some() {
                        shared = Some((u.clone(), t));
                    }
                }
            }
        }
        // A generation naming the model but carrying no usage (no call).
        gi += 1;
        put(&db, "gen_metadata", gi, Some(&generation(Some(t), None, &[], name, false).0));
        if faults && c % 6 == 2 {
            let lost = Call {
                model_id,
                input: 12_345,
                cache_write: 0,
                cache_read: 0,
                thinking: 0,
                visible: 678,
                output_form: 0,
                message: format!("msg-lost-{c}"),
                response: Some(format!("resp-lost-{c}")),
                provider_message: None,
            };
            let g = generation(Some(t), Some(&lost.usage()), &[], name, false).0;
            gi += 1;
            put(&db, "gen_metadata", gi, Some(&g[..g.len() - 40]));
            corrupt.push((path.clone(), gi));
            let s = step(Some(t), false, Some(&lost.usage()), &[], None).0;
            si += 1;
            put(&db, "steps", si, Some(&s[..s.len() / 2]));
            corrupt.push((path.clone(), si));
        }
        drop(db);
        settle(&path);
        // A sub-conversation repeating one call of its parent, with calls of its own.
        if c % 4 == 1
            && let Some((u, at)) = shared
        {
            let sub_path = dir.join(&id).join(format!("{}.db", rng.uuid()));
            let sub = create(&sub_path, true);
            sub.execute(
                "INSERT INTO trajectory_metadata_blob (data) VALUES (?1)",
                [Pb::default().msg(2, &stamp(at)).0],
            )
            .unwrap();
            put(&sub, "steps", 1, Some(&step(Some(at + 5_000), false, Some(&u), &[], None).0));
            let own = Call {
                model_id: None,
                input: rng.range(300, 20_000),
                cache_write: 0,
                cache_read: rng.range(0, 50_000),
                thinking: 0,
                visible: rng.range(30, 2_000),
                output_form: 0,
                message: format!("msg-{}", rng.hex(12)),
                response: Some(format!("resp-{}", rng.hex(16))),
                provider_message: None,
            };
            put(&sub, "gen_metadata", 1, Some(&generation(Some(at + 9_000), Some(&own.usage()), &[], name, false).0));
            drop(sub);
            settle(&sub_path);
        }
        if first_db.is_none() {
            first_db = Some(path);
        }
    }
    // The backup root: databases directly in it (no `conversations/`), one a copy.
    let backup = out.join("backup");
    std::fs::create_dir_all(&backup).unwrap();
    if let Some(p) = &first_db {
        let copy = backup.join(p.file_name().unwrap());
        std::fs::copy(p, &copy).unwrap();
        settle(&copy);
    }
    if faults {
        std::fs::write(dir.join("just-created.db"), b"").unwrap();
    }
    // The conversations' workspaces: the index for some (its other columns as Antigravity has
    // them), the cache of each workspace's last conversation for the others.
    let index = rusqlite::Connection::open(cli.join("conversation_summaries.db")).unwrap();
    index
        .execute_batch(
            "CREATE TABLE conversation_summaries (conversation_id TEXT PRIMARY KEY, title TEXT, step_count INTEGER,
                last_modified_time datetime, workspace_uris TEXT, status TEXT);",
        )
        .unwrap();
    let mut last = serde_json::Map::new();
    for (i, (id, ws)) in workspaces.iter().enumerate() {
        if i % 2 == 0 {
            let uris = serde_json::json!([format!("file://{ws}")]).to_string();
            index
                .execute(
                    "INSERT INTO conversation_summaries VALUES (?1, 'a title', 12, '2026-01-06 10:00:00', ?2, 'idle')",
                    [id, &uris],
                )
                .unwrap();
        } else {
            last.insert(ws.clone(), id.clone().into());
        }
    }
    std::fs::create_dir_all(cli.join("cache")).unwrap();
    std::fs::write(cli.join("cache/last_conversations.json"), serde_json::Value::Object(last).to_string()).unwrap();
    Corpus { roots: vec![cli, backup], corrupt, workspaces }
}
