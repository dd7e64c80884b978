//! Session journals: one append-only JSON Lines file per session.
//!
//! Every session writes its own journal, `docs/sessions/.current/{key}.log`, where the key is
//! `{name}.{owner}` — the session name the person chose (`inv-1000`) and an owner made of the
//! person's id and a short hash of the machine's name (`dana-4f1c2a`). Two people, or one person on
//! two machines, never write the same file, so journals merge through git without conflicts.
//! `specwork eod` moves the journals of ended sessions to `docs/sessions/archive/YYYY-MM-DD/`
//! (the day the session started). Everything else about sessions — context timelines, daily
//! summaries, `docs/PROGRESS.md`, the reports — is derived from the journals (plus the specs) and
//! can be rebuilt at any time (`specwork rebuild`).
//!
//! # Event schema (version 1)
//!
//! One JSON object per line. Every line has:
//!
//! | key | value |
//! |---|---|
//! | `v` | schema version, `1` |
//! | `ts` | RFC 3339 time with the writer's UTC offset, whole seconds (`2025-01-13T10:00:00+07:00`) |
//! | `session` | the session key (`inv-1000.dana-4f1c2a`) |
//! | `event` | one of the names below |
//!
//! and, by event:
//!
//! - `session_start`: `name`, `owner`, `user`, `host` (hash of the host name), `spec`, `spec_title`,
//!   `agent` (`Claude`), `model`?, `title`?, `agent_session_id`?, `planned` (task ids not done at the
//!   start), `continue_from`? (the next task when earlier work did part of the spec), `progress`
//!   (`{done, total}` of the spec's tasks).
//! - `task_start`: `spec`, `task`, `title`, `files` (the task's `Files:`), `forced`? (true when a
//!   done or blocked task was reopened with `--force`).
//! - `task_end`: `spec`, `task`, `title`, `status` (`done`, `in-progress`, `pending`, `blocked`),
//!   `tokens`?, `cost_usd`?, `model`?, `source`? (`manual` or `measured`), `progress`, `next`?
//!   (`{id, title}` of the spec's next task after this one).
//! - `log_task`: the fields of `task_end`, plus `note`?; written by `log-task` (source `manual`).
//! - `usage`: `tokens`, `cost_usd`?, `model`?, `source` (`measured`), `spec`?, `task`?,
//!   `agent_session_id`? — usage measured from an agent's transcript and attributed to the session
//!   (and to a task when known) after the fact.
//! - `file_touched`: `path` (workspace-relative, `/` separators), `action`? (`created`, `modified`,
//!   `deleted`), `spec`?, `task`?, `tool`?.
//! - `commit`: `hash`, `subject`, `spec`?, `task`?.
//! - `note`: `text`, `section` (`planning` or `implementation`), `spec`?.
//! - `agent_session`: `agent_session_id`, `agent`?, `transcript_path`? — ties an agent's own session
//!   to this one (written by `specwork hook`).
//! - `session_end`: `reason` (`user`, `eod`); `eod` closes a forgotten session at its last
//!   activity, so its `ts` is that activity's time.
//!
//! `tokens` is `{total, input?, output?, cache_creation?, cache_read?}` (plain integers): a manual
//! log knows only the total; measured usage fills in the split. A task's usage within a session is
//! the sum of its `measured` records when it has any, else its last `manual` record (a later manual
//! log corrects an earlier one).
//!
//! # Invariants
//!
//! - Appending is crash-safe: the file is opened with `O_APPEND`, the whole line (newline included)
//!   is written with one `write` call under an advisory lock, then synced. A process killed
//!   mid-append leaves at most one torn last line; the next append starts on a fresh line.
//! - Reading is tolerant: a torn last line is counted (`truncated`), malformed lines become
//!   diagnostics with file and line, events of unknown kinds are skipped, and every other line is
//!   still read. Reading never fails because of content.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::base::diag::Diagnostic;

/// Journals of active (and ended, not yet archived) sessions.
pub const CURRENT_DIR: &str = "docs/sessions/.current";
/// Journals of archived sessions, in one folder per day.
pub const ARCHIVE_DIR: &str = "docs/sessions/archive";
/// Per-machine state of hooks and the status line (git-ignored, under `.specwork/`).
pub const HOOKS_DIR: &str = ".specwork/hooks";
/// Daily summaries.
pub const DAILY_DIR: &str = "docs/sessions/daily";
/// The overall progress file.
pub const PROGRESS_FILE: &str = "docs/PROGRESS.md";
/// The journal schema version written by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// Errors writing a journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The journal to create exists already.
    #[error("session journal {} already exists", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// An I/O error, naming the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A point in time with the UTC offset it was written with. Serialised as RFC 3339
/// (`2025-01-13T10:00:00+07:00`); the offset decides the local date and clock time shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The instant.
    pub ts: Timestamp,
    /// The writer's offset.
    pub offset: Offset,
}

impl Stamp {
    /// The current time (`SPECWORK_NOW` honoured), whole seconds.
    pub fn now() -> Self {
        let z = crate::base::clock::now();
        Self::from_zoned(&z)
    }

    /// From a zoned time, truncated to whole seconds.
    pub fn from_zoned(z: &jiff::Zoned) -> Self {
        let ts = Timestamp::from_second(z.timestamp().as_second()).unwrap_or(z.timestamp());
        Self { ts, offset: z.offset() }
    }

    /// The local date-time at the writer's offset.
    pub fn local(&self) -> jiff::civil::DateTime {
        self.offset.to_datetime(self.ts)
    }

    /// `YYYY-MM-DD` at the writer's offset.
    pub fn date(&self) -> String {
        self.local().strftime("%Y-%m-%d").to_string()
    }

    /// `HH:MM` at the writer's offset.
    pub fn hm(&self) -> String {
        self.local().strftime("%H:%M").to_string()
    }

    /// `YYYY-MM-DD HH:MM` at the writer's offset.
    pub fn minute(&self) -> String {
        self.local().strftime("%Y-%m-%d %H:%M").to_string()
    }

    /// Whole minutes from `self` to `later` (0 when `later` is earlier).
    pub fn minutes_until(&self, later: &Stamp) -> u64 {
        let secs = later.ts.as_second() - self.ts.as_second();
        u64::try_from(secs.max(0)).unwrap_or(0) / 60
    }

    /// Parses RFC 3339 with an offset (`Z` or `±HH:MM`).
    pub fn parse(s: &str) -> Option<Self> {
        let ts: Timestamp = s.parse().ok()?;
        let offset = if s.ends_with('Z') || s.ends_with('z') {
            Offset::UTC
        } else {
            let tail = s.get(s.len().checked_sub(6)?..)?;
            let sign = match tail.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let h: i32 = tail.get(1..3)?.parse().ok()?;
            let m: i32 = tail.get(4..6)?.parse().ok()?;
            Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()?
        };
        Some(Self { ts, offset })
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.ts.display_with_offset(self.offset))
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Stamp::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid RFC 3339 time `{s}`")))
    }
}

/// Token counts. A manual log knows only `total`; measured usage has the split too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// All tokens.
    pub total: u64,
    /// Input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<u64>,
    /// Output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<u64>,
    /// Cache-creation (write) tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<u64>,
    /// Cache-read tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<u64>,
}

impl Tokens {
    /// Only a total.
    pub fn total(total: u64) -> Self {
        Self { total, ..Self::default() }
    }

    /// Adds another count; a split part is known only when both sides know it.
    pub fn add(&mut self, o: &Tokens) {
        fn sum(a: Option<u64>, b: Option<u64>) -> Option<u64> {
            Some(a? + b?)
        }
        self.total += o.total;
        self.input = sum(self.input, o.input);
        self.output = sum(self.output, o.output);
        self.cache_creation = sum(self.cache_creation, o.cache_creation);
        self.cache_read = sum(self.cache_read, o.cache_read);
    }
}

/// Where a usage figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsageSource {
    /// Typed in (`log-task 1.1 done 45k`); its cost is an estimate.
    Manual,
    /// Read from the agent's own transcript.
    Measured,
}

impl UsageSource {
    /// `manual` or `measured`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Measured => "measured",
        }
    }
}

/// Done and total task counts of a spec at the time of an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Done tasks.
    pub done: usize,
    /// All tasks.
    pub total: usize,
}

/// A task named in an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPointer {
    /// Task id.
    pub id: String,
    /// Task title.
    pub title: String,
}

/// What happened. See the module documentation for the schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A session started.
    SessionStart {
        /// The name the person chose (`inv-1000`).
        name: String,
        /// `{user slug}-{host hash}`.
        owner: String,
        /// The person's display name.
        user: String,
        /// Short hash of the machine's host name.
        host: String,
        /// The spec the session works on.
        spec: String,
        /// Its title at the start.
        #[serde(default)]
        spec_title: String,
        /// The agent (`Claude`).
        #[serde(default)]
        agent: String,
        /// Model used for manual cost estimates (`haiku`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
        /// A title for the timeline entry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        /// The agent's own session id, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_session_id: Option<String>,
        /// Task ids not done at the start.
        #[serde(default)]
        planned: Vec<String>,
        /// The task to continue from when earlier work did part of the spec.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        continue_from: Option<String>,
        /// The spec's progress at the start.
        #[serde(default)]
        progress: Progress,
    },
    /// Work on a task started.
    TaskStart {
        /// Spec id.
        spec: String,
        /// Task id.
        task: String,
        /// Task title.
        #[serde(default)]
        title: String,
        /// The task's `Files:`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<String>,
        /// A done or blocked task reopened with `--force`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        forced: bool,
        /// The commit `HEAD` was at (the start of the task's window in git).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        head: Option<String>,
        /// Files already changed and not committed then, with their content: still the same
        /// when the task ends, they are not its work.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        dirty: Vec<FileBaseline>,
    },
    /// A task's `_Check:_` ran and failed, so the task was not finished (a passing check, or
    /// one forced past, is in the `task_end`).
    Check {
        /// Spec id.
        spec: String,
        /// Task id.
        task: String,
        /// The run.
        #[serde(flatten)]
        run: CheckRun,
    },
    /// Work on a task ended.
    TaskEnd(TaskRecord),
    /// A manual log of a task.
    LogTask(TaskRecord),
    /// Usage attributed after the fact.
    Usage {
        /// Spec id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spec: Option<String>,
        /// Task id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task: Option<String>,
        /// Tokens.
        tokens: Tokens,
        /// Cost in USD.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cost_usd: Option<f64>,
        /// Model.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        model: Option<String>,
        /// Source (normally `measured`).
        source: UsageSource,
        /// The agent session the usage came from.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent_session_id: Option<String>,
    },
    /// A file was created, modified or deleted.
    FileTouched {
        /// Workspace-relative path with `/`.
        path: String,
        /// `created`, `modified` or `deleted`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        /// Spec id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spec: Option<String>,
        /// Task id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task: Option<String>,
        /// The tool that touched it (`Edit`, `Write`, `git`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tool: Option<String>,
    },
    /// A commit made during the session.
    Commit {
        /// Abbreviated hash.
        hash: String,
        /// Subject line.
        subject: String,
        /// Spec id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spec: Option<String>,
        /// Task id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        task: Option<String>,
    },
    /// A free-text note for the timeline.
    Note {
        /// The text.
        text: String,
        /// `planning` or `implementation`.
        #[serde(default = "implementation")]
        section: String,
        /// Spec id.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spec: Option<String>,
    },
    /// The agent's own session id.
    AgentSession {
        /// The id.
        agent_session_id: String,
        /// The agent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<String>,
        /// The agent's transcript, for the cost engine.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transcript_path: Option<String>,
    },
    /// The session ended.
    SessionEnd {
        /// `user` or `eod`.
        #[serde(default = "user_reason")]
        reason: String,
    },
    /// An event of a kind this build does not know (written by a newer specwork); skipped.
    #[serde(other)]
    Unknown,
}

fn implementation() -> String {
    "implementation".to_owned()
}

fn user_reason() -> String {
    "user".to_owned()
}

/// The body of `task_end` and `log_task`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Spec id.
    pub spec: String,
    /// Task id.
    pub task: String,
    /// Task title.
    #[serde(default)]
    pub title: String,
    /// The task's status after the event.
    #[serde(with = "status_name")]
    pub status: crate::model::tasks::TaskStatus,
    /// Tokens used, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    /// Cost in USD, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Model the cost was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Where the usage comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<UsageSource>,
    /// A note typed with the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The spec's progress after the event.
    #[serde(default)]
    pub progress: Progress,
    /// The spec's next task after the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<TaskPointer>,
    /// For a task finished done: `true` its check passed, `false` it was forced past a failing
    /// check, absent when it has no check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// The check's run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckRun>,
    /// What was measured in the task's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work: Option<WorkFacts>,
}

/// One run of a task's `_Check: <command>_`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    /// The command, as the task states it.
    pub command: String,
    /// Its exit code (`None` when it was killed: a timeout or a signal).
    pub exit_code: Option<i32>,
    /// Whether it passed (exit code 0 within the time allowed).
    pub passed: bool,
    /// Whether it ran out of time and was killed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
    /// How long it ran, in milliseconds.
    pub duration_ms: u64,
    /// The last lines of its output (stdout and stderr together), at most a few hundred bytes.
    pub tail: String,
}

impl WorkFacts {
    /// Nothing changed, linked or named.
    pub fn is_empty(&self) -> bool {
        self.files_created.is_empty()
            && self.files_modified.is_empty()
            && self.files_deleted.is_empty()
            && self.commits.is_empty()
            && self.unverified.is_empty()
    }
}

/// A file and its content at some moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileBaseline {
    /// Workspace-relative path with `/`.
    pub path: String,
    /// SHA-256 of its bytes; `None` when it does not exist (deleted).
    pub sha256: Option<String>,
}

/// What a task's window changed, measured (hooks and git), specwork's bookkeeping left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkFacts {
    /// Files created.
    #[serde(default)]
    pub files_created: Vec<String>,
    /// Files modified.
    #[serde(default)]
    pub files_modified: Vec<String>,
    /// Files deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files_deleted: Vec<String>,
    /// Lines added (git).
    #[serde(default)]
    pub lines_added: u64,
    /// Lines removed (git).
    #[serde(default)]
    pub lines_removed: u64,
    /// Commits linked to the task (abbreviated hashes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commits: Vec<String>,
    /// Files the agent named that neither git nor hooks saw change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified: Vec<String>,
    /// The implementation log written, workspace-relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
}

/// `TaskStatus` by its stable name (`in-progress`), tolerant of the aliases `TaskStatus::parse` reads.
mod status_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::model::tasks::TaskStatus;

    pub fn serialize<S: Serializer>(s: &TaskStatus, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TaskStatus, D::Error> {
        let s = String::deserialize(d)?;
        TaskStatus::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown task status `{s}`")))
    }
}

/// One journal line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Schema version.
    #[serde(default = "v1")]
    pub v: u32,
    /// When.
    pub ts: Stamp,
    /// The session key.
    pub session: String,
    /// What.
    #[serde(flatten)]
    pub event: Event,
}

fn v1() -> u32 {
    1
}

impl Entry {
    /// The entry with every one-line user field (titles, notes, reasons, commit subjects, file
    /// names) passed through [`crate::base::names::one_line`]: what reaches a journal, and so
    /// every timeline, summary and report rendered from it, cannot break a line or a block.
    pub fn sanitised(&self) -> Entry {
        use crate::base::names::one_line;
        let opt = |o: &mut Option<String>| {
            if let Some(s) = o {
                *s = one_line(s);
            }
        };
        let mut e = self.clone();
        e.session = one_line(&e.session);
        match &mut e.event {
            Event::SessionStart { name, spec_title, agent, model, title, planned, continue_from, .. } => {
                *name = one_line(name);
                *spec_title = one_line(spec_title);
                *agent = one_line(agent);
                opt(model);
                opt(title);
                opt(continue_from);
                planned.iter_mut().for_each(|p| *p = one_line(p));
            }
            Event::TaskStart { title, files, dirty, .. } => {
                *title = one_line(title);
                files.iter_mut().for_each(|f| *f = one_line(f));
                dirty.iter_mut().for_each(|f| f.path = one_line(&f.path));
            }
            Event::TaskEnd(r) | Event::LogTask(r) => {
                r.title = one_line(&r.title);
                opt(&mut r.note);
            }
            Event::FileTouched { path, .. } => *path = one_line(path),
            Event::Commit { subject, .. } => *subject = one_line(subject),
            Event::Note { text, section, .. } => {
                *text = one_line(text);
                *section = one_line(section);
            }
            Event::SessionEnd { reason } => *reason = one_line(reason),
            _ => {}
        }
        e
    }
}

impl Entry {
    /// A new entry stamped now.
    pub fn now(session: &str, event: Event) -> Self {
        Self { v: SCHEMA_VERSION, ts: Stamp::now(), session: session.to_owned(), event }
    }
}

/// The path of a session's journal in `.current`.
pub fn current_path(root: &Path, key: &str) -> PathBuf {
    root.join(CURRENT_DIR).join(format!("{key}.log"))
}

/// Whether a journal named `{key}.log` exists in `.current/` or in any archive folder.
pub fn key_taken(root: &Path, key: &str) -> bool {
    let name = format!("{key}.log");
    if root.join(CURRENT_DIR).join(&name).exists() || root.join(ARCHIVE_DIR).join(&name).exists() {
        return true;
    }
    let Ok(rd) = crate::base::path_policy::read_dir(root.join(ARCHIVE_DIR)) else { return false };
    rd.flatten().any(|e| e.path().join(&name).exists())
}

/// Creates a new journal holding its first entry; refuses to overwrite an existing one.
pub fn create(path: &Path, first: &Entry) -> Result<(), JournalError> {
    if let Some(dir) = path.parent() {
        crate::base::path_policy::create_dir_all(dir)?;
    }
    let line = line_of(first);
    crate::base::path_policy::confine(path).map_err(|e| io_at(e, path))?;
    let mut f = match fs_err::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(JournalError::Exists { path: path.to_owned() });
        }
        Err(e) => return Err(io_at(e, path)),
    };
    f.write_all(line.as_bytes()).map_err(|e| io_at(e, path))?;
    f.sync_all().map_err(|e| io_at(e, path))?;
    Ok(())
}

/// Appends entries to a journal: one `write` of whole lines under an exclusive advisory lock,
/// then `fsync`. If the file ends in a torn line (a crash mid-write), a newline is written first
/// so the new lines stay whole.
pub fn append(path: &Path, entries: &[Entry]) -> Result<(), JournalError> {
    if entries.is_empty() {
        return Ok(());
    }
    crate::base::path_policy::confine(path).map_err(|e| io_at(e, path))?;
    let mut f = fs_err::OpenOptions::new().append(true).read(true).open(path).map_err(|e| io_at(e, path))?;
    if !f.metadata().map_err(|e| io_at(e, path))?.is_file() {
        let e = std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file");
        return Err(io_at(e, path));
    }
    f.lock().map_err(|e| io_at(e, path))?;
    let mut buf = String::new();
    let len = f.metadata().map_err(|e| io_at(e, path))?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        f.seek(SeekFrom::Start(len - 1)).map_err(|e| io_at(e, path))?;
        f.read_exact(&mut last).map_err(|e| io_at(e, path))?;
        if last[0] != b'\n' {
            buf.push('\n');
        }
    }
    for e in entries {
        buf.push_str(&line_of(e));
    }
    // O_APPEND: the write goes to the end whatever the seek position.
    f.write_all(buf.as_bytes()).map_err(|e| io_at(e, path))?;
    f.sync_data().map_err(|e| io_at(e, path))?;
    let _ = f.unlock();
    Ok(())
}

fn line_of(e: &Entry) -> String {
    let e = &e.sanitised();
    let mut s = serde_json::to_string(e).expect("journal entries serialise");
    s.push('\n');
    s
}

fn io_at(e: std::io::Error, path: &Path) -> JournalError {
    if crate::base::path_policy::refusal(&e).is_some() {
        return JournalError::Io(e);
    }
    JournalError::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// A journal as read from disk.
#[derive(Clone, Debug, Default)]
pub struct JournalFile {
    /// The file, relative to the workspace root.
    pub path: PathBuf,
    /// Whether it is in the archive.
    pub archived: bool,
    /// Entries in file order (unknown event kinds included as [`Event::Unknown`]).
    pub entries: Vec<Entry>,
    /// Whether the last line was torn (no newline and not valid JSON).
    pub truncated: bool,
    /// Malformed lines.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a journal's bytes. `rel` names the file in diagnostics.
pub fn parse(bytes: &[u8], rel: &Path) -> JournalFile {
    let shown = crate::base::display::slash_path(rel);
    let mut out = JournalFile { path: rel.to_owned(), ..JournalFile::default() };
    let mut start = 0;
    let mut lineno = 0;
    while start < bytes.len() {
        lineno += 1;
        let (end, next, has_nl) = match memchr::memchr(b'\n', &bytes[start..]) {
            Some(i) => (start + i, start + i + 1, true),
            None => (bytes.len(), bytes.len(), false),
        };
        let raw = &bytes[start..end];
        start = next;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Entry>(raw) {
            Ok(e) => out.entries.push(e),
            Err(_) if !has_nl => out.truncated = true,
            Err(err) => out.diagnostics.push(Diagnostic::warning(
                &shown,
                lineno,
                format!("unreadable journal line: {err}"),
                "the line was skipped; fix or delete it (journals are one JSON object per line)",
            )),
        }
    }
    if out.truncated {
        out.diagnostics.push(Diagnostic::warning(
            &shown,
            lineno,
            "the last line is incomplete (a write was interrupted) and was skipped",
            "nothing to do: the next event is written on a new line",
        ));
    }
    out
}

/// Reads one journal; `rel` is relative to `root`.
pub fn read(root: &Path, rel: &Path, archived: bool) -> JournalFile {
    match crate::base::path_policy::read(root.join(rel)) {
        Ok(bytes) => {
            let mut j = parse(&bytes, rel);
            j.archived = archived;
            j
        }
        Err(e) => JournalFile {
            path: rel.to_owned(),
            archived,
            diagnostics: vec![Diagnostic::error(
                &crate::base::display::slash_path(rel),
                0,
                format!("cannot read session journal: {e}"),
                "check the file's permissions",
            )],
            ..JournalFile::default()
        },
    }
}

/// Every journal in the workspace: `.current/*.log`, then `archive/**/*.log`, each sorted by path.
pub fn list(root: &Path) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    let mut current = logs_in(root, Path::new(CURRENT_DIR));
    current.sort();
    out.extend(current.into_iter().map(|p| (p, false)));
    let mut archived = Vec::new();
    let adir = Path::new(ARCHIVE_DIR);
    archived.extend(logs_in(root, adir));
    if let Ok(rd) = crate::base::path_policy::read_dir(root.join(adir)) {
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir())
                && let Some(name) = e.file_name().to_str()
                && !name.starts_with('.')
            {
                archived.extend(logs_in(root, &adir.join(name)));
            }
        }
    }
    archived.sort();
    out.extend(archived.into_iter().map(|p| (p, true)));
    out
}

/// The `*.log` regular files directly in `rel` (relative to `root`), as relative paths, unsorted.
pub(crate) fn logs_in(root: &Path, rel: &Path) -> Vec<PathBuf> {
    let Ok(rd) = crate::base::path_policy::read_dir(root.join(rel)) else { return Vec::new() };
    rd.flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (name.ends_with(".log") && !name.starts_with('.') && e.file_type().ok()?.is_file()).then(|| rel.join(name))
        })
        .collect()
}

/// An exclusive lock serialising specwork's session writers in one workspace
/// (`.specwork/sessions.lock`), held for the few milliseconds of a command's
/// read-decide-write step. Journals stay safe without it (appends are atomic); it keeps the
/// derived files and task edits of concurrent commands from retrying against each other.
pub struct WorkspaceLock {
    _file: Option<std::fs::File>,
}

impl WorkspaceLock {
    /// Takes the lock, waiting for other holders. Where locking is impossible (read-only or
    /// exotic file systems) it degrades to no lock; the atomic writes still hold.
    pub fn acquire(root: &Path) -> Self {
        let dir = root.join(".specwork");
        let _ = crate::base::path_policy::create_dir_all(&dir);
        // Everything in `.specwork/` is derived (caches, indexes, locks): it keeps itself out of
        // git even in a workspace `init` never saw.
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            let _ = crate::base::write::create(
                &ignore,
                b"# specwork's derived state (caches, indexes, locks): never committed\n*\n",
            );
        }
        let file = crate::base::path_policy::confine(dir.join("sessions.lock"))
            .and_then(|()| {
                fs_err::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("sessions.lock"))
            })
            .ok()
            .map(fs_err::File::into_parts)
            .map(|(f, _)| f)
            .filter(|f| f.lock().is_ok());
        Self { _file: file }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(session: &str, event: Event) -> Entry {
        Entry { v: 1, ts: Stamp::parse("2025-01-13T10:00:00+07:00").unwrap(), session: session.into(), event }
    }

    #[test]
    fn stamps_keep_the_writer_offset() {
        let s = Stamp::parse("2025-01-13T23:30:00-05:00").unwrap();
        assert_eq!(s.to_string(), "2025-01-13T23:30:00-05:00");
        assert_eq!(s.date(), "2025-01-13");
        assert_eq!(Stamp::parse("2025-01-13T04:30:00Z").unwrap().to_string(), "2025-01-13T04:30:00+00:00");
        let later = Stamp::parse("2025-01-14T01:00:00-05:00").unwrap();
        assert_eq!(s.minutes_until(&later), 90);
    }

    #[test]
    fn round_trips_and_tolerates_damage() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.log");
        let e1 = entry("a", Event::Note { text: "hi".into(), section: "planning".into(), spec: None });
        create(&p, &e1).unwrap();
        assert!(matches!(create(&p, &e1), Err(JournalError::Exists { .. })));
        // A torn write, then a normal append: the torn part is counted, both whole lines read.
        fs_err::OpenOptions::new().append(true).open(&p).unwrap().write_all(b"{\"v\":1,\"ts\":\"20").unwrap();
        let j = parse(&fs_err::read(&p).unwrap(), Path::new("a.log"));
        assert!(j.truncated);
        assert_eq!(j.entries.len(), 1);
        let e2 = entry("a", Event::SessionEnd { reason: "user".into() });
        append(&p, std::slice::from_ref(&e2)).unwrap();
        let mut bytes = fs_err::read(&p).unwrap();
        bytes.extend_from_slice(b"not json\n{\"v\":1,\"ts\":\"2025-01-13T10:00:00Z\",\"session\":\"a\",\"event\":\"from_the_future\",\"x\":1}\n");
        let j = parse(&bytes, Path::new("a.log"));
        assert!(!j.truncated);
        assert_eq!(j.entries.len(), 3);
        assert_eq!(j.entries[0], e1);
        assert_eq!(j.entries[1], e2);
        assert_eq!(j.entries[2].event, Event::Unknown);
        assert_eq!(j.diagnostics.len(), 2, "{:?}", j.diagnostics);
        assert_eq!(j.diagnostics[0].line, 2);
        assert_eq!(j.diagnostics[1].line, 4);
    }

    #[test]
    fn concurrent_appends_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.log");
        create(&p, &entry("s", Event::Note { text: "start".into(), section: "planning".into(), spec: None })).unwrap();
        std::thread::scope(|sc| {
            for t in 0..8 {
                let p = &p;
                sc.spawn(move || {
                    for i in 0..50 {
                        let text = format!("{t}-{i}-{}", "x".repeat(300));
                        append(p, &[entry("s", Event::Note { text, section: "implementation".into(), spec: None })])
                            .unwrap();
                    }
                });
            }
        });
        let j = parse(&fs_err::read(&p).unwrap(), Path::new("s.log"));
        assert_eq!(j.entries.len(), 1 + 8 * 50);
        assert!(j.diagnostics.is_empty() && !j.truncated);
    }
}
