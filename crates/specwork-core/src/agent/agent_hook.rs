//! Agent hooks (`specwork hook EVENT`) and the status line (`specwork statusline`): what Claude
//! Code, Codex CLI and Gemini CLI tell specwork while the agent works, turned into journal events.
//!
//! A hook reads the event's JSON (`session_id`, `transcript_path`, `cwd`, `tool_name`,
//! `tool_input` — `file_path` for Claude's Edit/Write/MultiEdit and Gemini's `write_file` and
//! `replace`, the patch text of Codex's `apply_patch`), finds the specwork session the agent
//! works in, and appends to that
//! session's journal: `agent_session` (ties the agent's session id and transcript to it, once),
//! `file_touched` for files written or edited (from the tool input, and from `git status`
//! differences between events for changes made through Bash). Tokens are not counted here: the
//! cost engine attributes the transcript's calls to task windows, preferring the windows of the
//! session an agent session is tied to (`crate::stores::windows`), when a window closes.
//!
//! Invariants:
//! * fast: no workspace loading — only the journals of active sessions
//!   (`docs/sessions/.current/*.log`), a small state file per agent session
//!   (`.specwork/hooks/{agent session id}.json`) and, on SessionStart/Stop/SessionEnd only,
//!   `git status`;
//! * the caller never fails the agent: [`handle`] returns errors for `.specwork/hook.log`, and the
//!   command exits 0 whatever happens;
//! * the journal is only appended to, in the schema of [`crate::stores::journal`]-style JSON lines, one
//!   write per line.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::stores::journal::{self, Entry, Event, JournalError, Stamp};

/// The journals of active sessions, relative to the workspace.
pub const CURRENT_DIR: &str = "docs/sessions/.current";
/// Hook state and log, relative to the workspace (derived, git-ignored).
pub const STATE_DIR: &str = crate::stores::journal::HOOKS_DIR;
/// Where hook errors go, relative to the workspace.
pub const LOG_FILE: &str = ".specwork/hook.log";
/// The most one hook may take, stdin included: past it the hook returns (exit 0) and logs why.
/// Agents wait for their hooks; a hook must never hold one up.
pub const TIME_BOUND: std::time::Duration = std::time::Duration::from_secs(10);

/// The hook events specwork acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HookEvent {
    /// The agent session started (or resumed, cleared, compacted).
    SessionStart,
    /// A tool ran (Edit, Write, MultiEdit).
    PostToolUse,
    /// The agent finished a turn.
    Stop,
    /// The agent session ended.
    SessionEnd,
}

impl HookEvent {
    /// Parses `SessionStart`, `session-start`, `session_start` (any case), and Gemini CLI's names
    /// of the same moments (`AfterTool` is PostToolUse, `AfterAgent` is Stop); `None` for events
    /// specwork ignores.
    pub fn parse(s: &str) -> Option<Self> {
        let k: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        match k.as_str() {
            "sessionstart" => Some(Self::SessionStart),
            "posttooluse" | "aftertool" => Some(Self::PostToolUse),
            "stop" | "afteragent" => Some(Self::Stop),
            "sessionend" => Some(Self::SessionEnd),
            _ => None,
        }
    }
}

/// The fields of a hook's stdin JSON that specwork reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct HookInput {
    /// The agent's session id.
    #[serde(default)]
    pub session_id: Option<String>,
    /// The agent's transcript.
    #[serde(default)]
    pub transcript_path: Option<String>,
    /// The agent's working directory.
    #[serde(default)]
    pub cwd: Option<String>,
    /// The event name as the agent gives it.
    #[serde(default)]
    pub hook_event_name: Option<String>,
    /// PostToolUse: the tool.
    #[serde(default)]
    pub tool_name: Option<String>,
    /// PostToolUse: the tool's input, as the agent sends it (see [`HookInput::files`]).
    #[serde(default)]
    pub tool_input: Option<serde_json::Value>,
    /// PostToolUse: the tool's response (`type: create|update` for Write; other shapes ignored).
    #[serde(default, deserialize_with = "lenient")]
    pub tool_response: Option<ToolResponse>,
    /// SessionStart: `startup`, `resume`, `clear`, `compact`.
    #[serde(default)]
    pub source: Option<String>,
    /// SessionEnd: why.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Reads a value of the expected shape, or `None` for any other (tools differ in what they send).
fn lenient<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

impl HookInput {
    /// The files a tool wrote, with what happened to each (`created`, `modified`, `deleted`):
    /// `tool_input.file_path` (Claude Code's Edit/Write/MultiEdit, Gemini CLI's `write_file` and
    /// `replace`; `created` when Claude's `tool_response.type` says so), or the files named in an
    /// `apply_patch` patch (Codex CLI: `*** Add File:`, `*** Update File:`, `*** Delete File:`,
    /// `*** Move to:`), wherever the patch text sits in the input. Other tools name none.
    pub fn files(&self) -> Vec<(String, &'static str)> {
        let Some(input) = &self.tool_input else { return Vec::new() };
        if let Some(p) = input.get("file_path").and_then(serde_json::Value::as_str) {
            let created = self.tool_response.as_ref().and_then(|r| r.kind.as_deref()) == Some("create");
            return vec![(p.to_owned(), if created { "created" } else { "modified" })];
        }
        let mut out = Vec::new();
        patch_files(input, &mut out);
        out
    }
}

/// Files named by `apply_patch` patches in any string of `v`.
fn patch_files(v: &serde_json::Value, out: &mut Vec<(String, &'static str)>) {
    match v {
        serde_json::Value::String(s) if s.contains("*** Begin Patch") => {
            for line in s.lines() {
                let heads = [
                    ("*** Add File: ", "created"),
                    ("*** Update File: ", "modified"),
                    ("*** Delete File: ", "deleted"),
                    ("*** Move to: ", "created"),
                ];
                for (head, action) in heads {
                    if let Some(p) = line.strip_prefix(head).map(str::trim).filter(|p| !p.is_empty())
                        && !out.iter().any(|(q, _)| q == p)
                    {
                        out.push((p.to_owned(), action));
                    }
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| patch_files(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| patch_files(x, out)),
        _ => {}
    }
}

/// `tool_response` of Write.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ToolResponse {
    /// `create` or `update`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// Why a hook could not do its work (logged, never shown to the agent).
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The stdin JSON does not parse.
    #[error("hook input is not valid JSON: {0}")]
    Input(#[from] serde_json::Error),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io { path: path.to_owned(), source }
}

/// What a hook did.
#[derive(Debug, Default, Serialize)]
pub struct HookOutcome {
    /// The session key the agent session is tied to.
    pub session: Option<String>,
    /// The spec worked on (the task's, else the session's).
    pub spec: Option<String>,
    /// The task in progress.
    pub task: Option<String>,
    /// The session's journal, absolute.
    #[serde(skip)]
    pub journal: Option<PathBuf>,

    /// Journal lines appended.
    pub appended: usize,
    /// Text for the agent (SessionStart only: a line of context).
    pub context: Option<String>,
}

/// An active session as the hook needs it, read from its journal.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ActiveSession {
    /// The session key (journal file stem).
    pub key: String,
    /// The name the person chose.
    pub name: String,
    /// The spec it was started for.
    pub spec: String,
    /// The task in progress: `(spec, task, title)`.
    pub task: Option<(String, String, String)>,
    /// Agent session ids tied to it.
    pub agent_session_ids: Vec<String>,
    /// Time of the session start (RFC 3339 as written).
    pub started: String,
    /// Time of the last event.
    pub last_event: String,
    /// Token totals recorded in the journal: `(day, tokens, cost_usd)` per task-or-usage record,
    /// folded to what the status line needs.
    pub usage_by_day: BTreeMap<String, (u64, f64)>,
    /// Whether the session has ended.
    pub ended: bool,
    /// The journal, absolute.
    pub journal: PathBuf,
}

/// Reads the journals of `docs/sessions/.current/` (not ended ones first, most recent start
/// first). Unreadable lines are skipped: a hook reads what it can.
pub fn active_sessions(root: &Path) -> Vec<ActiveSession> {
    let dir = root.join(CURRENT_DIR);
    let Ok(rd) = crate::base::path_policy::read_dir(&dir) else { return Vec::new() };
    let mut out: Vec<ActiveSession> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .filter_map(|p| read_session(&p))
        .collect();
    out.sort_by(|a, b| a.ended.cmp(&b.ended).then_with(|| b.started.cmp(&a.started)).then_with(|| a.key.cmp(&b.key)));
    out
}

#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    ts: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    spec: Option<String>,
    #[serde(default)]
    task: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    agent_session_id: Option<String>,
    #[serde(default)]
    tokens: Option<LineTokens>,
    #[serde(default)]
    cost_usd: Option<f64>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
struct LineTokens {
    #[serde(default)]
    total: u64,
}

/// `(spec, task)`.
type TaskKey = (String, String);
/// `(day, tokens, cost)`.
type DayUsage = (String, u64, f64);

fn read_session(path: &Path) -> Option<ActiveSession> {
    let bytes = crate::base::path_policy::read(path).ok()?;
    let key = path.file_stem()?.to_string_lossy().into_owned();
    let mut s = ActiveSession { key: key.clone(), journal: path.to_owned(), ..ActiveSession::default() };
    let mut started = false;
    // Per (spec, task): measured records add up; without them the last manual record counts.
    let mut measured: BTreeMap<TaskKey, Vec<DayUsage>> = BTreeMap::new();
    let mut manual: BTreeMap<TaskKey, DayUsage> = BTreeMap::new();
    for raw in bytes.split(|&b| b == b'\n') {
        // Most lines of a working day are files touched: skip them without parsing.
        if memchr::memmem::find(raw, b"\"event\":\"file_touched\"").is_some() {
            continue;
        }
        let Ok(l) = serde_json::from_slice::<Line>(raw) else { continue };
        if !l.ts.is_empty() {
            s.last_event.clone_from(&l.ts);
        }
        match l.event.as_str() {
            "session_start" => {
                started = true;
                s.name = l.name.unwrap_or_else(|| key.rsplit_once('.').map_or(key.clone(), |(n, _)| n.to_owned()));
                s.spec = l.spec.unwrap_or_default();
                s.started = l.ts;
                if let Some(id) = l.agent_session_id {
                    s.agent_session_ids.push(id);
                }
            }
            "task_start" => {
                let spec = l.spec.unwrap_or_else(|| s.spec.clone());
                s.task = Some((spec, l.task.unwrap_or_default(), l.title.unwrap_or_default()));
            }
            "task_end" | "log_task" => {
                let spec = l.spec.unwrap_or_else(|| s.spec.clone());
                let task = l.task.unwrap_or_default();
                if l.status.as_deref() != Some("in-progress")
                    && s.task.as_ref().is_some_and(|(sp, t, _)| *sp == spec && *t == task)
                {
                    s.task = None;
                }
                if let Some(t) = l.tokens {
                    let rec = (day(&l.ts), t.total, l.cost_usd.unwrap_or(0.0));
                    if l.source.as_deref() == Some("measured") {
                        measured.entry((spec, task)).or_default().push(rec);
                    } else {
                        manual.insert((spec, task), rec);
                    }
                }
            }
            "usage" => {
                if let Some(t) = l.tokens {
                    let key = (l.spec.unwrap_or_else(|| s.spec.clone()), l.task.unwrap_or_default());
                    measured.entry(key).or_default().push((day(&l.ts), t.total, l.cost_usd.unwrap_or(0.0)));
                }
            }
            "agent_session" => {
                if let Some(id) = l.agent_session_id
                    && !s.agent_session_ids.contains(&id)
                {
                    s.agent_session_ids.push(id);
                }
            }
            "session_end" => s.ended = true,
            _ => {}
        }
    }
    if !started {
        return None;
    }
    for (k, recs) in &measured {
        manual.remove(k);
        for (d, t, c) in recs {
            let e = s.usage_by_day.entry(d.clone()).or_default();
            e.0 += t;
            e.1 += c;
        }
    }
    for (d, t, c) in manual.into_values() {
        let e = s.usage_by_day.entry(d).or_default();
        e.0 += t;
        e.1 += c;
    }
    Some(s)
}

/// `YYYY-MM-DD` of an RFC 3339 time as written (the writer's local date).
fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or_default().to_owned()
}

/// Per agent session: which specwork session it is tied to, the transcript, and the last
/// `git status` seen.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct HookState {
    /// The session key it is tied to.
    #[serde(default)]
    pub session: Option<String>,
    /// The agent's transcript.
    #[serde(default)]
    pub transcript_path: Option<String>,
    /// How far the transcript has been searched for `start-session NAME`.
    #[serde(default)]
    pub scanned: u64,
    /// The last session name started in the transcript, with its byte offset.
    #[serde(default)]
    pub started_in_transcript: Option<(String, u64)>,
}

/// The workspace's last `git status` (`path → stamp`), shared by every agent session so that a
/// change made through Bash is recorded once, by the first hook that sees it.
const GIT_STATE: &str = "git-status.json";

/// Runs `f` on the shared `git status` snapshot under a lock, then saves what it leaves.
fn with_git_state<T>(root: &Path, f: impl FnOnce(&mut Option<BTreeMap<String, FileStamp>>) -> T) -> T {
    let dir = root.join(STATE_DIR);
    let _ = crate::base::path_policy::create_dir_all(&dir);
    let lock = crate::base::path_policy::confine(&dir).and_then(|()| {
        fs_err::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("git-status.lock"))
    });
    let _guard = lock.ok().filter(|l| l.lock().is_ok());
    let path = dir.join(GIT_STATE);
    let old: Option<BTreeMap<String, FileStamp>> =
        crate::base::path_policy::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    let mut snap = old.clone();
    let out = f(&mut snap);
    if snap != old
        && let Some(s) = &snap
        && let Ok(bytes) = serde_json::to_vec(s)
    {
        let tmp = dir.join(format!(".{GIT_STATE}.{}.tmp", std::process::id()));
        if fs_err::write(&tmp, bytes).is_ok() {
            let _ = fs_err::rename(&tmp, &path);
        }
    }
    out
}

/// A file's `git status` code and stat, to tell whether it changed since the last look.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    /// The porcelain `XY` code.
    pub xy: String,
    /// Size in bytes (0 when missing).
    pub len: u64,
    /// Modification time in nanoseconds since the epoch (0 when missing).
    pub mtime: u128,
}

/// A file name for an agent session id: itself when it is plain, else a hash of it.
fn state_name(agent_session: &str) -> String {
    if !agent_session.is_empty()
        && agent_session.len() <= 100
        && agent_session.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        agent_session.to_owned()
    } else {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in agent_session.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("h{h:016x}")
    }
}

fn state_path(root: &Path, agent_session: &str) -> PathBuf {
    root.join(STATE_DIR).join(format!("{}.json", state_name(agent_session)))
}

/// Reads an agent session's state (default when missing or unreadable).
pub fn load_state(root: &Path, agent_session: &str) -> HookState {
    crate::base::path_policy::read(state_path(root, agent_session))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Writes the state: temp file + rename, without fsync — it is a cache (losing it costs one
/// re-binding and one git comparison), and the hook must stay fast.
fn save_state(root: &Path, agent_session: &str, state: &HookState) -> Result<(), HookError> {
    let path = state_path(root, agent_session);
    let bytes = serde_json::to_vec(state).map_err(HookError::Input)?;
    if crate::base::path_policy::read(&path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    let dir = path.parent().expect("state files live in a folder");
    crate::base::path_policy::create_dir_all(dir).map_err(io(dir))?;
    let tmp = dir.join(format!(".{}.{}.tmp", state_name(agent_session), std::process::id()));
    crate::base::path_policy::confine(&path).map_err(io(&path))?;
    fs_err::write(&tmp, &bytes).map_err(io(&tmp))?;
    fs_err::rename(&tmp, &path).map_err(io(&path))
}

/// `git status` of the workspace: `path → stamp`, `None` outside a git repository.
pub fn git_snapshot(root: &Path) -> Option<BTreeMap<String, FileStamp>> {
    let out = std::process::Command::new("git")
        .args(["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"])
        .current_dir(root)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Paths are relative to the repository's top; map them to the workspace when it is deeper.
    let prefix = git_prefix(root);
    let mut map = BTreeMap::new();
    for rec in out.stdout.split(|&b| b == 0) {
        if rec.len() < 4 {
            continue;
        }
        let xy = String::from_utf8_lossy(&rec[..2]).into_owned();
        let top_rel = String::from_utf8_lossy(&rec[3..]).into_owned();
        let Some(rel) = top_rel.strip_prefix(prefix.as_str()) else { continue };
        if ignored(rel) || spec_document(rel) {
            continue;
        }
        let (len, mtime) = stat(&root.join(rel));
        map.insert(rel.to_owned(), FileStamp { xy, len, mtime });
    }
    Some(map)
}

/// The workspace's path inside its repository (`sub/dir/`), or empty. Asked of git once and
/// kept in `.specwork/hooks/git-prefix` (a workspace does not move inside its repository).
fn git_prefix(root: &Path) -> String {
    let cache = root.join(STATE_DIR).join("git-prefix");
    if let Ok(p) = crate::base::path_policy::read_to_string(&cache) {
        return p;
    }
    let p = ask_git_prefix(root);
    if crate::base::path_policy::create_dir_all(root.join(STATE_DIR)).is_ok() {
        let _ = fs_err::write(&cache, &p);
    }
    p
}

fn ask_git_prefix(root: &Path) -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--show-prefix"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Files specwork writes itself (journals, summaries, caches) are not the agent's work.
fn ignored(rel: &str) -> bool {
    rel.starts_with("docs/sessions/") || rel.starts_with(".specwork/") || rel == "docs/PROGRESS.md"
}

/// Spec documents change under specwork's own commands (task markers, timelines, approvals):
/// seen only in `git status`, such a change is not counted as the agent's. Edits the agent makes
/// to them with Edit/Write are still recorded by PostToolUse.
fn spec_document(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    rel.starts_with(".spec-workflow/")
        || (!rel.contains("/deliverables/")
            && (name.ends_with(".spec.md")
                || name.ends_with(".context.md")
                || name == "spec.md"
                || name == "context.md"))
}

fn stat(p: &Path) -> (u64, u128) {
    match fs_err::metadata(p) {
        Ok(m) => {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            (m.len(), mtime)
        }
        Err(_) => (0, 0),
    }
}

/// Files that changed between two `git status` snapshots (by size and modification time):
/// `(path, action)`.
pub fn git_changes(
    before: &BTreeMap<String, FileStamp>,
    after: &BTreeMap<String, FileStamp>,
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (path, st) in after {
        // The stat says whether the file changed; the status code alone may differ from what a
        // tool hook guessed (a file Gemini's `write_file` created looks `modified` to it) or change
        // without the file changing (`git add`).
        if before.get(path).is_some_and(|b| (b.len, b.mtime) == (st.len, st.mtime)) {
            continue;
        }
        let action = if st.xy.contains('D') {
            "deleted"
        } else if st.xy == "??" || st.xy.starts_with('A') {
            "created"
        } else {
            "modified"
        };
        out.push((path.clone(), action));
    }
    out
}

fn journal_err(e: JournalError, path: &Path) -> HookError {
    match e {
        JournalError::Io(source) => HookError::Io { path: path.to_owned(), source },
        other => HookError::Io { path: path.to_owned(), source: std::io::Error::other(other.to_string()) },
    }
}

/// Picks the session an agent session works in: the active session whose `start-session NAME`
/// is the latest in the agent's transcript, else the one it is tied to (while active), else the
/// most recently started active session no other agent session is tied to, else the most
/// recently started one.
pub fn pick_session<'a>(
    sessions: &'a [ActiveSession],
    agent_session: &str,
    state: &HookState,
) -> Option<&'a ActiveSession> {
    let active: Vec<&ActiveSession> = sessions.iter().filter(|s| !s.ended).collect();
    if let Some((name, _)) = &state.started_in_transcript
        && let Some(s) = active.iter().find(|s| &s.name == name)
    {
        return Some(s);
    }
    if let Some(s) = active.iter().find(|s| s.agent_session_ids.iter().any(|id| id == agent_session)) {
        return Some(s);
    }
    if let Some(key) = &state.session
        && let Some(s) = active.iter().find(|s| &s.key == key)
    {
        return Some(s);
    }
    active.iter().find(|s| s.agent_session_ids.is_empty()).or_else(|| active.first()).copied()
}

/// Reads the transcript's bytes added since the last scan (at most the last MiB) and remembers
/// the last `start-session NAME` among the `names` of active sessions.
pub fn scan_transcript(state: &mut HookState, transcript: &Path, names: &[&str]) {
    use std::io::{Read, Seek, SeekFrom};
    const MAX: u64 = 1 << 20;
    // Regular files only, opened without blocking: a FIFO named as the transcript must not hang
    // the agent.
    let Ok(mut f) = crate::base::path_policy::open_regular(transcript) else { return };
    let Ok(len) = f.metadata().map(|m| m.len()) else { return };
    if len < state.scanned {
        // A new file under the same name: start over.
        state.scanned = 0;
    }
    // Start a little before the last scan so a command split across two scans is still seen.
    let from = state.scanned.saturating_sub(128).max(len.saturating_sub(MAX));
    if from >= len || f.seek(SeekFrom::Start(from)).is_err() {
        return;
    }
    let mut buf = Vec::new();
    if f.take(len - from).read_to_end(&mut buf).is_err() {
        return;
    }
    state.scanned = len;
    for at in memchr::memmem::find_iter(&buf, b"start-session") {
        let after = &buf[at + 13..buf.len().min(at + 13 + 80)];
        // Skip separators: spaces, `</command-name>`, escaped newlines, `<command-args>`.
        let text = String::from_utf8_lossy(after);
        let text = text.replace("</command-name>", " ").replace("<command-args>", " ").replace("\\n", " ");
        let Some(word) = text.split_whitespace().next() else { continue };
        let word = word.trim_matches(|c: char| c == '"' || c == '\'' || c == '`');
        let pos = from + at as u64;
        if names.contains(&word) && state.started_in_transcript.as_ref().is_none_or(|(_, p)| *p <= pos) {
            state.started_in_transcript = Some((word.to_owned(), pos));
        }
    }
}

/// Handles one hook event of `agent` (`claude`, `codex`, `gemini`: the name recorded with the
/// agent session) in the workspace at `root`.
pub fn handle(root: &Path, event: HookEvent, agent: &str, input: &HookInput) -> Result<HookOutcome, HookError> {
    crate::base::path_policy::register_root(root);
    let mut outcome = HookOutcome::default();
    let agent_session = input.session_id.clone().unwrap_or_default();
    if agent_session.is_empty() {
        return Ok(outcome);
    }
    let mut state = load_state(root, &agent_session);
    if let Some(t) = &input.transcript_path {
        state.transcript_path = Some(t.clone());
    }
    let sessions = active_sessions(root);
    if let Some(t) = state.transcript_path.clone() {
        let names: Vec<&str> = sessions.iter().filter(|s| !s.ended).map(|s| s.name.as_str()).collect();
        scan_transcript(&mut state, Path::new(&t), &names);
    }
    let picked = pick_session(&sessions, &agent_session, &state);
    let mut lines = Vec::new();

    if let Some(s) = picked {
        if !s.agent_session_ids.contains(&agent_session) {
            lines.push(Entry::now(
                &s.key,
                Event::AgentSession {
                    agent_session_id: agent_session.clone(),
                    agent: Some(agent.to_owned()),
                    transcript_path: state.transcript_path.clone(),
                },
            ));
        }
        state.session = Some(s.key.clone());
    }
    let task = picked.and_then(|s| s.task.clone());
    let touched = |lines: &mut Vec<Entry>, s: &ActiveSession, path: &str, action: &str, tool: &str| {
        lines.push(Entry::now(
            &s.key,
            Event::FileTouched {
                path: path.to_owned(),
                action: Some(action.to_owned()),
                spec: Some(task.as_ref().map_or_else(|| s.spec.clone(), |t| t.0.clone())),
                task: task.as_ref().map(|t| t.1.clone()),
                tool: Some(tool.to_owned()),
            },
        ));
    };

    match event {
        HookEvent::SessionStart => {
            // The baseline for changes made through Bash. While a session is active, changes
            // since the last hook belong to it: keep the snapshot; otherwise start afresh.
            with_git_state(root, |g| {
                if g.is_none() || picked.is_none() {
                    *g = git_snapshot(root);
                }
            });
            if let Some(s) = picked {
                let task = match &s.task {
                    Some((spec, id, title)) if *spec == s.spec => format!(", task {id} in progress ({title})"),
                    Some((spec, id, title)) => format!(", task {id} of {spec} in progress ({title})"),
                    None => String::new(),
                };
                outcome.context = Some(format!(
                    "specwork: session {} on {}{task}. Finish a task with `specwork do-task SPEC TASK --done`.",
                    s.name, s.spec
                ));
            }
        }
        HookEvent::PostToolUse => {
            for (file, action) in input.files() {
                let Some(s) = picked else { break };
                let Some(rel) = relative(root, &file).filter(|r| !ignored(r)) else { continue };
                let tool = input.tool_name.as_deref().unwrap_or("Edit");
                touched(&mut lines, s, &rel, action, tool);
                // Remember its stat so the next git comparison does not count it twice.
                with_git_state(root, |g| {
                    if let Some(g) = g.as_mut() {
                        let (len, mtime) = stat(&root.join(&rel));
                        let xy = g.get(&rel).map_or_else(
                            || match action {
                                "created" => "??".into(),
                                "deleted" => " D".into(),
                                _ => " M".into(),
                            },
                            |f| f.xy.clone(),
                        );
                        g.insert(rel, FileStamp { xy, len, mtime });
                    }
                });
            }
        }
        HookEvent::Stop | HookEvent::SessionEnd => {
            let changes = with_git_state(root, |g| {
                let now = git_snapshot(root);
                let changes = match (g.as_ref(), now.as_ref()) {
                    (Some(before), Some(after)) => git_changes(before, after),
                    _ => Vec::new(),
                };
                if now.is_some() {
                    *g = now;
                }
                changes
            });
            if let Some(s) = picked {
                for (path, action) in changes {
                    touched(&mut lines, s, &path, action, "git");
                }
            }
        }
    }
    if let Some(s) = picked {
        outcome.appended = lines.len();
        journal::append(&s.journal, &lines).map_err(|e| journal_err(e, &s.journal))?;
        outcome.session = Some(s.key.clone());
        outcome.spec = Some(task.as_ref().map_or_else(|| s.spec.clone(), |t| t.0.clone()));
        outcome.task = task.as_ref().map(|t| t.1.clone());
        outcome.journal = Some(s.journal.clone());
    }
    save_state(root, &agent_session, &state)?;
    Ok(outcome)
}

/// `file` relative to the workspace (`/` separators), or `None` outside it.
fn relative(root: &Path, file: &str) -> Option<String> {
    let p = Path::new(file);
    let abs = if p.is_absolute() { p.to_owned() } else { root.join(p) };
    let rel = match abs.strip_prefix(root) {
        Ok(r) => r.to_owned(),
        // The agent may name the file through another (symlinked) path of the workspace.
        Err(_) => {
            let root = fs_err::canonicalize(root).ok()?;
            let dir = fs_err::canonicalize(abs.parent()?).ok()?;
            dir.join(abs.file_name()?).strip_prefix(&root).ok()?.to_owned()
        }
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    (!s.is_empty() && !s.split('/').any(|c| c == "..")).then_some(s)
}

/// Appends a line to `.specwork/hook.log` (kept under 256 KiB: the old log moves to
/// `hook.log.1`). Best effort.
pub fn log_error(root: &Path, event: &str, message: &str) {
    crate::base::path_policy::register_root(root);
    let path = root.join(LOG_FILE);
    if let Some(dir) = path.parent() {
        let _ = crate::base::path_policy::create_dir_all(dir);
    }
    if crate::base::path_policy::confine(&path).is_err() {
        return;
    }
    if fs_err::metadata(&path).is_ok_and(|m| m.len() > 256 * 1024) {
        let _ = fs_err::rename(&path, root.join(".specwork/hook.log.1"));
    }
    if let Ok(mut f) = fs_err::OpenOptions::new().create(true).append(true).open(&path) {
        let _ = f.write_all(format!("{} {event}: {message}\n", Stamp::now()).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_shapes_other_than_edits_name_no_file() {
        let i: HookInput = serde_json::from_str(
            r#"{"session_id":"a","tool_name":"Bash","tool_input":{"command":"ls"},"tool_response":"done"}"#,
        )
        .unwrap();
        assert!(i.tool_response.is_none());
        assert!(i.files().is_empty());
        let i: HookInput = serde_json::from_str(r#"{"session_id":"a","tool_input":[1,2]}"#).unwrap();
        assert!(i.files().is_empty());
    }

    #[test]
    fn apply_patch_names_its_files() {
        let patch = "*** Begin Patch\n*** Add File: src/new.rs\n+x\n*** Update File: src/lib.rs\n@@\n-a\n+b\n*** Move to: src/moved.rs\n*** Delete File: old.txt\n*** End Patch";
        let i: HookInput = serde_json::from_value(serde_json::json!({
            "session_id": "a", "tool_name": "apply_patch", "tool_input": {"command": patch}
        }))
        .unwrap();
        assert_eq!(
            i.files(),
            vec![
                ("src/new.rs".into(), "created"),
                ("src/lib.rs".into(), "modified"),
                ("src/moved.rs".into(), "created"),
                ("old.txt".into(), "deleted")
            ]
        );
    }

    #[test]
    fn events_and_state_names() {
        assert_eq!(HookEvent::parse("SessionStart"), Some(HookEvent::SessionStart));
        assert_eq!(HookEvent::parse("post-tool-use"), Some(HookEvent::PostToolUse));
        assert_eq!(HookEvent::parse("session_end"), Some(HookEvent::SessionEnd));
        assert_eq!(HookEvent::parse("PreCompact"), None);
        assert_eq!(HookEvent::parse("AfterTool"), Some(HookEvent::PostToolUse));
        assert_eq!(HookEvent::parse("AfterAgent"), Some(HookEvent::Stop));
        assert_eq!(state_name("c25c1af5-1b2c"), "c25c1af5-1b2c");
        assert!(state_name("../../etc/passwd").starts_with('h'));
    }

    #[test]
    fn git_changes_by_stat() {
        let st = |xy: &str, len| FileStamp { xy: xy.into(), len, mtime: 1 };
        let before = BTreeMap::from([("a".to_owned(), st(" M", 1)), ("b".to_owned(), st("??", 2))]);
        let after = BTreeMap::from([
            ("a".to_owned(), st(" M", 1)),
            ("b".to_owned(), st("??", 3)),
            ("c".to_owned(), st(" D", 0)),
        ]);
        assert_eq!(git_changes(&before, &after), vec![("b".into(), "created"), ("c".into(), "deleted")]);
        // Staged without a change, or guessed `modified` by a tool hook: not a change.
        let staged = BTreeMap::from([("a".to_owned(), st("M ", 1)), ("b".to_owned(), st("A ", 2))]);
        assert!(git_changes(&before, &staged).is_empty());
    }
}
