//! Sessions: who is working, on which spec, what they did — folded from the journals.
//!
//! A [`Session`] is the fold of one journal ([`crate::stores::journal`]); a [`SessionIndex`] holds every
//! session of the workspace (active and archived). Identity ([`Identity`]) names the person and
//! machine so that session keys, and with them journal file names, are unique per person and
//! machine. [`record`] is the one way to write: it appends to a journal and refreshes the derived
//! context timelines, so the CLI, the MCP server and agent hooks all leave the same trace.
//!
//! Invariants: folding never fails (a journal without a `session_start` is reported and skipped);
//! a task's usage within a session is the sum of its measured records when it has any, else its
//! last manual record; durations of active sessions in rendered files stop at the last event (so
//! files rebuild identically), while reports count up to "now".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::base::diag::Diagnostic;
use crate::base::display::{fmt_cost, fmt_tokens, round_usd};
use crate::base::write::WriteError;
use crate::model::config::Config;
use crate::model::spec::Spec;
use crate::model::tasks::{TaskList, TaskStatus};
use crate::model::workspace::{self, Workspace};
use crate::stores::journal::{self, Entry, Event, JournalError, Progress, Stamp, TaskPointer, Tokens, UsageSource};

/// Errors while recording session events.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Writing the journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Writing a derived file failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// No session of this person has that name.
    #[error("no session `{name}` of yours in this workspace")]
    NoSuchSession {
        /// The name asked for.
        name: String,
    },
    /// The session has ended.
    #[error("session `{name}` ended at {at}")]
    Ended {
        /// Its name.
        name: String,
        /// When (`YYYY-MM-DD HH:MM`).
        at: String,
    },
    /// A session with that key exists already.
    #[error("session `{name}` already exists ({key})")]
    Exists {
        /// The name asked for.
        name: String,
        /// Its key.
        key: String,
    },
}

impl From<std::io::Error> for SessionError {
    fn from(e: std::io::Error) -> Self {
        Self::Write(WriteError::Io(e))
    }
}

/// The person and machine running specwork.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    /// Display name (`Dana Lee`).
    pub user: String,
    /// Short hash of the host name (`4f1c2a`).
    pub host: String,
    /// `{user slug}-{host}`: the suffix of session keys.
    pub owner: String,
}

impl Identity {
    /// Detects the identity: the user from `SPECWORK_USER`, `[agent] user` in specwork.toml,
    /// `git config user.name`, `$USER`/`$USERNAME`, else `User`; the host from `SPECWORK_HOST`,
    /// `$HOSTNAME`, the system's host name, else `localhost`.
    pub fn detect(root: &Path, config: &Config) -> Self {
        let env = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let user = env("SPECWORK_USER")
            .or_else(|| config.agent.user.clone().filter(|u| !u.trim().is_empty()))
            .or_else(|| git_user_name(root))
            .or_else(|| env("USER"))
            .or_else(|| env("USERNAME"))
            .unwrap_or_else(|| "User".to_owned());
        let host_name = env("SPECWORK_HOST")
            .or_else(|| env("HOSTNAME"))
            .or_else(|| gethostname::gethostname().into_string().ok().map(|s| s.trim().to_owned()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "localhost".to_owned());
        Self::new(&user, &host_name)
    }

    /// The identity of `user` on the host named `host_name`.
    pub fn new(user: &str, host_name: &str) -> Self {
        let host = host_hash(host_name);
        let owner = format!("{}-{host}", slug(user));
        Self { user: user.to_owned(), host, owner }
    }

    /// The key of this person's session named `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{name}.{}", self.owner)
    }
}

/// The session name of a key (`inv-1000.dana-4f1c2a` → `inv-1000`): owners hold no `.`.
pub fn name_of(key: &str) -> &str {
    key.rsplit_once('.').map_or(key, |(n, _)| n)
}

fn git_user_name(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(root)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// Six hex digits of the FNV-1a hash of a host name: distinguishes machines without publishing
/// their names in the repository.
pub fn host_hash(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.trim().to_lowercase().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{:06x}", h & 0xff_ffff)
}

/// A file-name-safe, lowercase slug of a person's name (at most 24 characters).
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.chars().count() >= 24 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "user".to_owned() } else { out }
}

/// A gap between a session's events longer than this, with no task in progress, is not work
/// (30 minutes).
pub const IDLE_GAP_SECS: u64 = 30 * 60;
/// A gap longer than this is not work even with a task in progress: the session was left open
/// (4 hours — a long focus block without a recorded event still counts).
pub const TASK_GAP_SECS: u64 = 4 * 60 * 60;

/// Usage attributed to a task or a session.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Tokens.
    pub tokens: Tokens,
    /// Cost in USD (of the records whose cost is known).
    pub cost_usd: f64,
    /// Whether any record had no cost (an unknown model).
    pub unpriced: bool,
    /// `manual`, `measured`, or `mixed` when both feed a total.
    pub source: &'static str,
}

impl Usage {
    fn of(tokens: Tokens, cost: Option<f64>, source: UsageSource) -> Self {
        Self { tokens, cost_usd: cost.unwrap_or(0.0), unpriced: cost.is_none(), source: source.as_str() }
    }

    /// Adds another usage.
    pub fn add(&mut self, o: &Usage) {
        if self.source.is_empty() {
            *self = o.clone();
            return;
        }
        self.tokens.add(&o.tokens);
        self.cost_usd = round_usd(self.cost_usd + o.cost_usd);
        self.unpriced |= o.unpriced;
        if self.source != o.source {
            self.source = "mixed";
        }
    }
}

/// A task worked on in a session.
#[derive(Clone, Debug, Serialize)]
pub struct SessionTask {
    /// Spec id.
    pub spec: String,
    /// Task id.
    pub task: String,
    /// Title.
    pub title: String,
    /// Its last status in this session.
    pub status: TaskStatus,
    /// When work on it started in this session.
    pub started: Option<Stamp>,
    /// When it last ended or was logged.
    pub ended: Option<Stamp>,
    /// The task's `Files:` at its start.
    pub files: Vec<String>,
    /// Its usage in this session, when known.
    pub usage: Option<Usage>,
    /// Finished done: whether its `_Check:_` passed (`Some(false)`: forced past a failing
    /// one); `None` without a check or while not done.
    pub verified: Option<bool>,
}

/// One session, folded from its journal.
#[derive(Clone, Debug)]
pub struct Session {
    /// The key (`inv-1000.dana-4f1c2a`), also the journal's file stem.
    pub key: String,
    /// The name the person chose.
    pub name: String,
    /// `{user}-{host}`.
    pub owner: String,
    /// The person's display name.
    pub user: String,
    /// The agent.
    pub agent: String,
    /// Model for manual estimates.
    pub model: Option<String>,
    /// Timeline title.
    pub title: Option<String>,
    /// The spec the session was started for.
    pub spec: String,
    /// Its title at the start.
    pub spec_title: String,
    /// Task ids planned at the start (not done then). Empty when the entries are not loaded
    /// ([`Session::entries_loaded`]); [`Session::task_progress`] works either way.
    pub planned: Vec<String>,
    /// The task to continue from.
    pub continue_from: Option<String>,
    /// Start.
    pub started: Stamp,
    /// End, when ended.
    pub ended: Option<Stamp>,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// The last event's time.
    pub last_event: Stamp,
    /// Seconds between events that were not work: gaps longer than [`IDLE_GAP_SECS`] while no
    /// task was in progress, or longer than [`TASK_GAP_SECS`] while one was (a session left
    /// open overnight). [`Session::minutes`] leaves them out.
    pub idle_secs: u64,
    /// Tasks in order of first appearance.
    pub tasks: Vec<SessionTask>,
    /// Usage not tied to a task: `(spec, usage)`.
    pub loose_usage: Vec<(Option<String>, Usage)>,
    /// Agent session ids tied to this session.
    pub agent_session_ids: Vec<String>,
    /// Every entry, in file order. Empty when the entries are not loaded
    /// ([`Session::entries_loaded`]).
    pub entries: Vec<Entry>,
    /// The journal, relative to the workspace.
    pub journal: PathBuf,
    /// Whether the journal is archived.
    pub archived: bool,
    /// The start date (`YYYY-MM-DD`), computed once.
    pub(crate) day: String,
    /// Every spec touched, computed once.
    pub(crate) touched: Vec<String>,
    /// For a session read from the journal index (`stores::journal_index`): what the reports
    /// read from its entries, which are then not loaded (`entries` is empty). `None` when the
    /// entries are loaded.
    pub(crate) facts: Option<Box<crate::stores::facts::EntryFacts>>,
}

impl Session {
    /// Folds a journal. `None` when it has no `session_start`.
    pub fn fold(file: &journal::JournalFile) -> Option<Session> {
        Self::from_journal(file.clone())
    }

    /// Folds a journal, keeping its entries without copying them.
    pub fn from_journal(mut file: journal::JournalFile) -> Option<Session> {
        let entries = std::mem::take(&mut file.entries);
        let mut s = Self::fold_entries(&entries, &file)?;
        s.entries = entries;
        Some(s)
    }

    fn fold_entries(entries: &[Entry], file: &journal::JournalFile) -> Option<Session> {
        let (first, rest) = entries.split_first()?;
        let Event::SessionStart {
            name,
            owner,
            user,
            spec,
            spec_title,
            agent,
            model,
            title,
            agent_session_id,
            planned,
            continue_from,
            ..
        } = &first.event
        else {
            return None;
        };
        let mut s = Session {
            key: first.session.clone(),
            name: name.clone(),
            owner: owner.clone(),
            user: user.clone(),
            agent: agent.clone(),
            model: model.clone(),
            title: title.clone(),
            spec: spec.clone(),
            spec_title: spec_title.clone(),
            planned: planned.clone(),
            continue_from: continue_from.clone(),
            started: first.ts,
            ended: None,
            end_reason: None,
            last_event: first.ts,
            idle_secs: 0,
            tasks: Vec::new(),
            loose_usage: Vec::new(),
            agent_session_ids: agent_session_id.iter().cloned().collect(),
            entries: Vec::new(),
            journal: file.path.clone(),
            archived: file.archived,
            day: first.ts.date(),
            touched: Vec::new(),
            facts: None,
        };
        // Per task: measured usages, and the last manual one.
        let mut measured: BTreeMap<usize, Usage> = BTreeMap::new();
        let mut manual: BTreeMap<usize, Usage> = BTreeMap::new();
        for e in rest {
            s.idle_secs += s.idle_gap(&e.ts);
            if e.ts.ts > s.last_event.ts {
                s.last_event = e.ts;
            }
            match &e.event {
                Event::TaskStart { spec, task, title, files, .. } => {
                    let i = s.task_index(spec, task, title);
                    let t = &mut s.tasks[i];
                    t.started.get_or_insert(e.ts);
                    t.status = TaskStatus::InProgress;
                    if t.files.is_empty() {
                        t.files.clone_from(files);
                    }
                }
                Event::TaskEnd(r) | Event::LogTask(r) => {
                    let i = s.task_index(&r.spec, &r.task, &r.title);
                    s.tasks[i].status = r.status;
                    s.tasks[i].ended = Some(e.ts);
                    s.tasks[i].verified = if r.status == TaskStatus::Done { r.verified } else { None };
                    if let Some(tokens) = r.tokens {
                        let source = r.source.unwrap_or(UsageSource::Manual);
                        let u = Usage::of(tokens, r.cost_usd, source);
                        match source {
                            UsageSource::Measured => measured.entry(i).or_default().add(&u),
                            UsageSource::Manual => {
                                manual.insert(i, u);
                            }
                        }
                    }
                }
                Event::Usage { spec, task, tokens, cost_usd, source, agent_session_id, .. } => {
                    let u = Usage::of(*tokens, *cost_usd, *source);
                    match (spec, task) {
                        (Some(sp), Some(t)) => {
                            let i = s.task_index(sp, t, "");
                            match source {
                                UsageSource::Measured => measured.entry(i).or_default().add(&u),
                                UsageSource::Manual => {
                                    manual.insert(i, u);
                                }
                            }
                        }
                        _ => s.loose_usage.push((spec.clone(), u)),
                    }
                    if let Some(id) = agent_session_id
                        && !s.agent_session_ids.contains(id)
                    {
                        s.agent_session_ids.push(id.clone());
                    }
                }
                Event::AgentSession { agent_session_id, .. } if !s.agent_session_ids.contains(agent_session_id) => {
                    s.agent_session_ids.push(agent_session_id.clone());
                }
                Event::SessionEnd { reason } => {
                    s.ended = Some(e.ts);
                    s.end_reason = Some(reason.clone());
                }
                _ => {}
            }
        }
        for (i, t) in s.tasks.iter_mut().enumerate() {
            t.usage = measured.remove(&i).or_else(|| manual.remove(&i));
        }
        let mut touched = vec![s.spec.clone()];
        let more = s.tasks.iter().map(|t| t.spec.as_str()).chain(entries.iter().filter_map(|e| entry_spec(&e.event)));
        for sp in more {
            if !touched.iter().any(|t| t == sp) {
                touched.push(sp.to_owned());
            }
        }
        s.touched = touched;
        Some(s)
    }

    fn task_index(&mut self, spec: &str, task: &str, title: &str) -> usize {
        if let Some(i) = self.tasks.iter().position(|t| t.spec == spec && t.task == task) {
            if self.tasks[i].title.is_empty() && !title.is_empty() {
                title.clone_into(&mut self.tasks[i].title);
            }
            return i;
        }
        self.tasks.push(SessionTask {
            spec: spec.to_owned(),
            task: task.to_owned(),
            title: title.to_owned(),
            status: TaskStatus::Pending,
            started: None,
            ended: None,
            files: Vec::new(),
            usage: None,
            verified: None,
        });
        self.tasks.len() - 1
    }

    /// Whether `entries` (and `planned`) hold the journal's. Sessions of archived journals read
    /// through the journal index ([`SessionIndex::load_indexed`]) carry only what the reports need
    /// from them; `journal_index::loaded` reads them again when needed.
    pub fn entries_loaded(&self) -> bool {
        self.facts.is_none()
    }

    /// Whether the session has not ended.
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }

    /// The day the session belongs to: its start date at the writer's offset.
    pub fn date(&self) -> String {
        self.day.clone()
    }

    /// Every spec the session touched: its own first, then others in order of appearance.
    pub fn specs(&self) -> Vec<&str> {
        self.touched.iter().map(String::as_str).collect()
    }

    /// Whether the session touched `spec`.
    pub fn touches(&self, spec: &str) -> bool {
        self.touched.iter().any(|t| t == spec)
    }

    /// Whether an entry belongs to `spec`'s view of this session (entries without a spec belong to
    /// the session's own spec).
    pub fn entry_is_for(&self, e: &Entry, spec: &str) -> bool {
        entry_spec(&e.event).unwrap_or(&self.spec) == spec
    }

    /// The gap from the last event to `at`, in seconds, when it is too long to be work: longer
    /// than [`IDLE_GAP_SECS`] with no task in progress, or than [`TASK_GAP_SECS`] with one;
    /// else 0.
    fn idle_gap(&self, at: &Stamp) -> u64 {
        let gap = u64::try_from(at.ts.as_second() - self.last_event.ts.as_second()).unwrap_or(0);
        let busy = self.tasks.iter().any(|t| t.status == TaskStatus::InProgress);
        if gap > if busy { TASK_GAP_SECS } else { IDLE_GAP_SECS } { gap } else { 0 }
    }

    /// Active minutes: from the start to the end (or, while active, to `now`), without the idle
    /// gaps between events ([`Session::idle_secs`]); an open session idle since its last event
    /// counts to that event.
    pub fn minutes(&self, now: &Stamp) -> u64 {
        let end = match &self.ended {
            Some(e) => e,
            None if self.idle_gap(now) > 0 => &self.last_event,
            None => now,
        };
        self.active_minutes(end)
    }

    /// Minutes as rendered in files: active minutes, an open session counted to its last event.
    pub fn recorded_minutes(&self) -> u64 {
        self.active_minutes(self.ended.as_ref().unwrap_or(&self.last_event))
    }

    fn active_minutes(&self, end: &Stamp) -> u64 {
        let span = u64::try_from(end.ts.as_second() - self.started.ts.as_second()).unwrap_or(0);
        span.saturating_sub(self.idle_secs) / 60
    }

    /// Tasks of `spec` (or of every spec with `None`) done in this session.
    pub fn done(&self, spec: Option<&str>) -> Vec<&SessionTask> {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Done && spec.is_none_or(|s| t.spec == s)).collect()
    }

    /// Usage of `spec` (or of the whole session with `None`).
    pub fn usage(&self, spec: Option<&str>) -> Usage {
        let mut u = Usage::default();
        for t in self.tasks.iter().filter(|t| spec.is_none_or(|s| t.spec == s)) {
            if let Some(tu) = &t.usage {
                u.add(tu);
            }
        }
        for (sp, lu) in &self.loose_usage {
            if spec.is_none_or(|s| sp.as_deref().unwrap_or(&self.spec) == s) {
                u.add(lu);
            }
        }
        u
    }

    /// The session's own task count for "Tasks: 2/5 done": tasks planned at the start plus any
    /// others worked on, and how many of those are done.
    pub fn task_progress(&self) -> (usize, usize) {
        if let Some(f) = &self.facts {
            return (self.done(None).len(), f.task_total);
        }
        let mut ids: Vec<(&str, &str)> = self.planned.iter().map(|t| (self.spec.as_str(), t.as_str())).collect();
        for t in &self.tasks {
            if !ids.contains(&(t.spec.as_str(), t.task.as_str())) {
                ids.push((&t.spec, &t.task));
            }
        }
        (self.done(None).len(), ids.len())
    }

    /// The participants line: the person and the agent.
    pub fn participants(&self) -> String {
        if self.agent.is_empty() { self.user.clone() } else { format!("{}, {}", self.user, self.agent) }
    }
}

fn entry_spec(e: &Event) -> Option<&str> {
    match e {
        Event::TaskStart { spec, .. } | Event::Check { spec, .. } => Some(spec),
        Event::TaskEnd(r) | Event::LogTask(r) => Some(&r.spec),
        Event::Usage { spec, .. }
        | Event::FileTouched { spec, .. }
        | Event::Commit { spec, .. }
        | Event::Note { spec, .. } => spec.as_deref(),
        _ => None,
    }
}

/// One journal read and folded: what [`SessionIndex`] keeps of it.
#[derive(Clone, Debug)]
pub(crate) struct Folded {
    /// The journal, relative to the workspace.
    pub path: PathBuf,
    /// Whether its last line was torn.
    pub truncated: bool,
    /// Its malformed lines (or why it could not be read).
    pub diagnostics: Vec<Diagnostic>,
    /// Whether it had any entry.
    pub had_entries: bool,
    /// The session, when the journal starts with `session_start` (and it was loaded).
    pub session: Option<Box<Session>>,
    /// The key of a session the journal index left unloaded.
    pub unloaded: Option<String>,
}

impl Folded {
    /// Reads and folds the journal `rel`.
    pub fn read(root: &Path, rel: &Path, archived: bool) -> Self {
        let mut file = journal::read(root, rel, archived);
        let had_entries = !file.entries.is_empty();
        let entries = std::mem::take(&mut file.entries);
        let session = Session::fold_entries(&entries, &file).map(|mut s| {
            s.entries = entries;
            Box::new(s)
        });
        Self {
            path: file.path,
            truncated: file.truncated,
            diagnostics: file.diagnostics,
            had_entries,
            session,
            unloaded: None,
        }
    }

    /// The session key, loaded or not.
    pub fn key(&self) -> Option<&str> {
        self.session.as_ref().map(|s| s.key.as_str()).or(self.unloaded.as_deref())
    }
}

/// Every session of a workspace.
#[derive(Clone, Debug, Default)]
pub struct SessionIndex {
    /// Sessions by start time (then key).
    pub sessions: Vec<Session>,
    /// Problems found in journals.
    pub diagnostics: Vec<Diagnostic>,
    /// Journals whose last line was torn.
    pub truncated: usize,
    /// Keys of sessions left out by [`SessionIndex::load_indexed_where`].
    pub(crate) unloaded: rustc_hash::FxHashSet<String>,
    /// Whether the journal index on disk matched the archive when this index was read from it.
    pub(crate) index_synced: bool,
}

impl SessionIndex {
    /// Reads every journal under `root` (active and archived).
    pub fn load(root: &Path) -> Self {
        Self::load_where(root, |_, _| true)
    }

    /// Reads the journals in `.current/` only: every active session, and ended ones not archived
    /// yet. Enough for commands that act on active sessions.
    pub fn load_current(root: &Path) -> Self {
        Self::load_current_and_days(root, &[])
    }

    /// Reads `.current/` and the archive folders of the given days (only those folders are
    /// listed, so the cost does not grow with the archive).
    pub fn load_current_and_days(root: &Path, days: &[&str]) -> Self {
        let mut current = journal::logs_in(root, Path::new(journal::CURRENT_DIR));
        current.sort();
        let mut archived = Vec::new();
        let mut days: Vec<&str> = days.to_vec();
        days.sort_unstable();
        days.dedup();
        for d in days {
            // A day is one real folder (as `journal::list` reads them): no path, no symlink.
            let dir = Path::new(journal::ARCHIVE_DIR).join(d);
            if !d.is_empty()
                && !d.starts_with('.')
                && !d.contains(['/', '\\'])
                && fs_err::symlink_metadata(root.join(&dir)).is_ok_and(|m| m.is_dir())
            {
                archived.extend(journal::logs_in(root, &dir));
            }
        }
        archived.sort();
        let files = current.into_iter().map(|p| (p, false)).chain(archived.into_iter().map(|p| (p, true))).collect();
        Self::load_files(root, files)
    }

    /// Reads the journals for which `keep(relative path, archived)` holds, in parallel.
    pub fn load_where(root: &Path, keep: impl Fn(&Path, bool) -> bool) -> Self {
        let files: Vec<(PathBuf, bool)> = journal::list(root).into_iter().filter(|(p, a)| keep(p, *a)).collect();
        Self::load_files(root, files)
    }

    /// Reads the given journals (relative paths, in [`journal::list`]'s order), in parallel.
    fn load_files(root: &Path, files: Vec<(PathBuf, bool)>) -> Self {
        use rayon::prelude::*;
        let folded: Vec<Folded> =
            files.into_par_iter().map(|(rel, archived)| Folded::read(root, &rel, archived)).collect();
        Self::assemble(folded)
    }

    /// Builds the index from folded journals in [`journal::list`]'s order: their diagnostics, a
    /// warning for each journal without `session_start` and for each later copy of a session
    /// key, and the sessions sorted by start time (then key).
    pub(crate) fn assemble(folded: Vec<Folded>) -> Self {
        let mut idx = SessionIndex::default();
        // Which journal each key was first seen in (borrowed: no copy per journal).
        let mut seen: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
        seen.reserve(folded.len());
        let mut late: Vec<(usize, Diagnostic)> = Vec::new();
        for (i, f) in folded.iter().enumerate() {
            let Some(key) = f.key() else { continue };
            if let Some(&first) = seen.get(key) {
                late.push((
                    i,
                    Diagnostic::warning(
                        &crate::base::display::slash_path(&f.path),
                        0,
                        format!(
                            "session {key} is also journalled in {}; this copy was skipped",
                            folded[first].path.display()
                        ),
                        "delete the older copy of the journal",
                    ),
                ));
            } else {
                seen.insert(key, i);
            }
        }
        drop(seen);
        let mut late = late.into_iter().peekable();
        for (i, f) in folded.into_iter().enumerate() {
            idx.truncated += usize::from(f.truncated);
            idx.diagnostics.extend(f.diagnostics);
            if let Some((_, d)) = late.next_if(|(j, _)| *j == i) {
                idx.diagnostics.push(d);
                continue;
            }
            match (f.session, f.unloaded) {
                (Some(s), _) => idx.sessions.push(*s),
                (None, Some(key)) => {
                    idx.unloaded.insert(key);
                }
                (None, None) if f.had_entries => idx.diagnostics.push(Diagnostic::warning(
                    &crate::base::display::slash_path(&f.path),
                    1,
                    "session journal does not start with a session_start event; it was skipped",
                    "restore the journal's first line from git, or move the file out of docs/sessions/",
                )),
                (None, None) => {}
            }
        }
        idx.sessions.sort_by(|a, b| a.started.ts.cmp(&b.started.ts).then_with(|| a.key.cmp(&b.key)));
        idx
    }

    /// A session by key.
    pub fn get(&self, key: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.key == key)
    }

    /// Whether a session with this key was read, loaded or not (an index loaded with
    /// [`SessionIndex::load_indexed_where`] knows the keys of the sessions it left out).
    pub fn has_key(&self, key: &str) -> bool {
        self.unloaded.contains(key) || self.get(key).is_some()
    }

    /// Active sessions.
    pub fn active(&self) -> impl Iterator<Item = &Session> {
        self.sessions.iter().filter(|s| s.is_active())
    }

    /// Sessions that touched `spec`, by start time.
    pub fn for_spec<'a>(&'a self, spec: &'a str) -> impl Iterator<Item = &'a Session> + 'a {
        self.sessions.iter().filter(move |s| s.touches(spec))
    }

    /// Sessions that started on `date` (`YYYY-MM-DD`).
    pub fn on_date<'a>(&'a self, date: &'a str) -> impl Iterator<Item = &'a Session> + 'a {
        self.sessions.iter().filter(move |s| s.day == date)
    }

    /// Finds `owner`'s session named `name` (or with that exact key), the latest when several.
    pub fn find(&self, owner: &str, name: &str) -> Option<&Session> {
        self.sessions.iter().rev().find(|s| s.key == name || (s.owner == owner && s.name == name))
    }

    /// The session a command acts on when none is named: `owner`'s latest active session on
    /// `spec`, else `owner`'s latest active session.
    pub fn current(&self, owner: &str, spec: Option<&str>) -> Option<&Session> {
        let mine: Vec<&Session> = self.active().filter(|s| s.owner == owner).collect();
        spec.and_then(|sp| mine.iter().rev().find(|s| s.spec == sp).copied()).or_else(|| mine.last().copied())
    }

    /// Whether a key is used by a journal of this index, or by any journal on disk under `root`
    /// (an index loaded with [`SessionIndex::load_current`] does not hold the archive).
    pub fn key_exists(&self, root: &Path, key: &str) -> bool {
        self.has_key(key) || journal::key_taken(root, key)
    }
}

/// The task list of a spec as it is on disk now (the loaded workspace may be older).
pub fn fresh_tasks(ws: &Workspace, spec: &Spec) -> TaskList {
    let Some(src) = &spec.tasks_source else { return spec.tasks.clone() };
    let Ok(text) = crate::base::path_policy::read_to_string(ws.abs(&src.file)) else { return spec.tasks.clone() };
    if src.section.is_some() {
        match crate::text::markdown::section(&text, workspace::is_tasks_heading) {
            Some(r) => workspace::parse_section(&text, r, &src.file),
            None => TaskList::default(),
        }
    } else {
        crate::model::tasks::parse(&text, &src.file.display().to_string())
    }
}

/// The progress and next task of a task list.
pub fn progress_of(tasks: &TaskList) -> (Progress, Option<TaskPointer>) {
    let c = tasks.counts();
    let next = tasks.next_task().map(|t| TaskPointer { id: t.id.clone(), title: t.title.clone() });
    (Progress { done: c.done, total: c.total }, next)
}

/// Options of a new session.
#[derive(Clone, Debug, Default)]
pub struct StartOptions<'a> {
    /// The session name (`inv-1000`).
    pub name: &'a str,
    /// Timeline title.
    pub title: Option<&'a str>,
    /// Model for manual estimates.
    pub model: Option<&'a str>,
    /// The agent [default: `[agent] name`, else `Claude`].
    pub agent: Option<&'a str>,
    /// The agent's own session id.
    pub agent_session_id: Option<&'a str>,
}

/// A session just started.
#[derive(Clone, Debug)]
pub struct Started {
    /// Its key.
    pub key: String,
    /// The journal (absolute path).
    pub journal: PathBuf,
    /// The `session_start` entry written.
    pub entry: Entry,
}

/// Starts a session on `spec`: writes the journal's `session_start` with the tasks not done yet
/// and, when earlier work did part of the spec, the task to continue from. Refuses a key that any
/// journal (active or archived) already uses.
pub fn start(
    ws: &Workspace,
    spec: &Spec,
    who: &Identity,
    index: &SessionIndex,
    opts: &StartOptions<'_>,
) -> Result<Started, SessionError> {
    let key = who.key(opts.name);
    if index.key_exists(&ws.root, &key) {
        return Err(SessionError::Exists { name: opts.name.to_owned(), key });
    }
    let tasks = fresh_tasks(ws, spec);
    let (progress, next) = progress_of(&tasks);
    let planned: Vec<String> =
        tasks.tasks.iter().filter(|t| t.status != TaskStatus::Done).map(|t| t.id.clone()).collect();
    let agent =
        opts.agent.map(str::to_owned).or_else(|| ws.config.agent.name.clone()).unwrap_or_else(|| "Claude".to_owned());
    let entry = Entry::now(
        &key,
        Event::SessionStart {
            name: opts.name.to_owned(),
            owner: who.owner.clone(),
            user: who.user.clone(),
            host: who.host.clone(),
            spec: spec.id.clone(),
            spec_title: spec.title.clone(),
            agent,
            model: opts.model.map(str::to_owned),
            title: opts.title.map(str::to_owned),
            agent_session_id: opts.agent_session_id.map(str::to_owned),
            planned,
            continue_from: next.filter(|_| progress.done > 0).map(|n| n.id),
            progress,
        },
    );
    let path = journal::current_path(&ws.root, &key);
    match journal::create(&path, &entry) {
        Ok(()) => {}
        Err(JournalError::Exists { .. }) => return Err(SessionError::Exists { name: opts.name.to_owned(), key }),
        Err(e) => return Err(e.into()),
    }
    Ok(Started { key, journal: path, entry })
}

/// Another active session working on the same spec or the same files.
#[derive(Clone, Debug, Serialize)]
pub struct Overlap {
    /// Its key.
    pub session: String,
    /// Its name.
    pub name: String,
    /// Who runs it.
    pub user: String,
    /// The spec it works on, when that is the same spec.
    pub spec: Option<String>,
    /// Files both touch.
    pub files: Vec<String>,
    /// Its journal, relative to the workspace.
    pub journal: String,
}

impl Overlap {
    /// The warning shown for it.
    pub fn diagnostic(&self) -> Diagnostic {
        let what = match (&self.spec, self.files.is_empty()) {
            (Some(sp), true) => format!("works on spec {sp} too"),
            (Some(sp), false) => format!("works on spec {sp} too and touches {}", self.files.join(", ")),
            (None, _) => format!("touches {} too", self.files.join(", ")),
        };
        Diagnostic::warning(
            &self.journal,
            0,
            format!("session {} ({}) is active and {what}", self.name, self.user),
            format!(
                "parallel sessions are safe on different modules; coordinate, or end it with `specwork end-session {}` if it is over",
                self.name
            ),
        )
    }
}

/// The session a command records in.
#[derive(Clone, Debug)]
pub enum Pick {
    /// An active session (its key).
    Existing(String),
    /// None was active, so one was started.
    Started(Box<Started>),
}

impl Pick {
    /// The session key.
    pub fn key(&self) -> &str {
        match self {
            Self::Existing(k) => k,
            Self::Started(s) => &s.key,
        }
    }
}

/// The session to record work on `spec` in: the one `named` (which must be active), else the
/// person's active session on `spec`, else their latest active session, else a new session named
/// `{spec}-{HHMM}` (`-2`, `-3`… when taken).
pub fn pick_or_start(
    ws: &Workspace,
    spec: &Spec,
    who: &Identity,
    index: &SessionIndex,
    named: Option<&str>,
) -> Result<Pick, SessionError> {
    if let Some(name) = named {
        let s = index.find(&who.owner, name).ok_or_else(|| SessionError::NoSuchSession { name: name.to_owned() })?;
        if let Some(end) = &s.ended {
            return Err(SessionError::Ended { name: s.name.clone(), at: end.minute() });
        }
        return Ok(Pick::Existing(s.key.clone()));
    }
    if let Some(s) = index.current(&who.owner, Some(&spec.id)) {
        return Ok(Pick::Existing(s.key.clone()));
    }
    let now = Stamp::now();
    let base = format!("{}-{}", spec.id, now.hm().replace(':', ""));
    let mut name = base.clone();
    let mut n = 1;
    while index.key_exists(&ws.root, &who.key(&name)) {
        n += 1;
        name = format!("{base}-{n}");
    }
    let started = start(ws, spec, who, index, &StartOptions { name: &name, ..StartOptions::default() })?;
    Ok(Pick::Started(Box::new(started)))
}

fn norm_path(p: &str) -> &str {
    p.trim().trim_start_matches("./")
}

/// Active sessions other than `own` that work on `spec` or touch any of `files` (their in-progress
/// tasks' `Files:` and the files they recorded touching). With `busy_only`, a session counts as
/// working on the spec only while one of its tasks there is in progress (an idle morning session
/// is no reason to warn at every task of the afternoon).
pub fn overlaps(
    index: &SessionIndex,
    own: Option<&str>,
    spec: &str,
    files: &[String],
    busy_only: bool,
) -> Vec<Overlap> {
    let mine: Vec<&str> = files.iter().map(|f| norm_path(f)).collect();
    let mut out = Vec::new();
    for s in index.active().filter(|s| Some(s.key.as_str()) != own) {
        let same_spec = if busy_only {
            s.tasks.iter().any(|t| t.spec == spec && t.status == TaskStatus::InProgress)
        } else {
            s.touches(spec)
        };
        let mut theirs: Vec<&str> = s
            .tasks
            .iter()
            .filter(|t| t.status == TaskStatus::InProgress)
            .flat_map(|t| t.files.iter().map(|f| norm_path(f)))
            .collect();
        for e in &s.entries {
            if let Event::FileTouched { path, .. } = &e.event {
                theirs.push(norm_path(path));
            }
        }
        let mut shared: Vec<String> = mine.iter().filter(|f| theirs.contains(f)).map(|f| (*f).to_owned()).collect();
        shared.dedup();
        if same_spec || !shared.is_empty() {
            out.push(Overlap {
                session: s.key.clone(),
                name: s.name.clone(),
                user: s.user.clone(),
                spec: same_spec.then(|| spec.to_owned()),
                files: shared,
                journal: crate::base::display::slash_path(&s.journal),
            });
        }
    }
    out
}

/// Commits made by this person in `root`'s git repository between two times (oldest first), as
/// `(abbreviated hash, subject)`, leaving out those any session already recorded. Empty when
/// `root` is not in a git work tree or git is missing: commits are facts from git, never typed in.
pub fn new_commits(root: &Path, index: &SessionIndex, since: &Stamp, until: &Stamp) -> Vec<(String, String)> {
    let git = |args: &[&str]| -> Option<String> {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    if git(&["rev-parse", "--is-inside-work-tree"]).is_none_or(|s| s.trim() != "true") {
        return Vec::new();
    }
    let since_arg = format!("--since={}", since.ts);
    let until_arg = format!("--until={}", until.ts);
    let mut args = vec!["log", "--no-merges", "--reverse", "--format=%h%x09%s", since_arg.as_str(), until_arg.as_str()];
    // The identity git commits with (GIT_AUTHOR_EMAIL included): `Name <email> 1700000000 +0000`.
    let email = git(&["var", "GIT_AUTHOR_IDENT"])
        .and_then(|id| Some(id.split_once('<')?.1.split_once('>')?.0.trim().to_owned()))
        .filter(|e| !e.is_empty());
    let author;
    if let Some(e) = &email {
        author = format!("--author={e}");
        args.push(&author);
    }
    let Some(out) = git(&args) else { return Vec::new() };
    let recorded: Vec<&str> = index
        .sessions
        .iter()
        .flat_map(|s| &s.entries)
        .filter_map(|e| match &e.event {
            Event::Commit { hash, .. } if !hash.is_empty() => Some(hash.as_str()),
            _ => None,
        })
        .collect();
    out.lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(h, _)| !recorded.iter().any(|r| r.starts_with(h) || h.starts_with(r)))
        .map(|(h, s)| (h.to_owned(), s.to_owned()))
        .collect()
}

/// `commit` entries for the commits made since `key`'s session started.
pub fn commit_entries(root: &Path, index: &SessionIndex, key: &str) -> Vec<Entry> {
    let Some(s) = index.get(key) else { return Vec::new() };
    let now = Stamp::now();
    new_commits(root, index, &s.started, &now)
        .into_iter()
        .map(|(hash, subject)| Entry::now(key, Event::Commit { hash, subject, spec: None, task: None }))
        .collect()
}

/// Parses a token count: `45k`, `45K`, `1.2M`, `45000`, `45,000`.
pub fn parse_tokens(s: &str) -> Option<u64> {
    let t: String = s.trim().chars().filter(|c| *c != ',' && *c != '_').collect();
    let (num, mult) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1_000.0),
        'm' | 'M' => (&t[..t.len() - 1], 1_000_000.0),
        _ => (t.as_str(), 1.0),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let n = (v * mult).round();
    (0.0..1e15).contains(&n).then_some(n as u64)
}

/// `(42k tokens, $0.09)`-style usage text without the parentheses: `42k tokens, $0.09`, with
/// `, manual` appended when `with_source` and the usage is manual.
pub fn fmt_usage(u: &Usage, with_source: bool) -> String {
    let mut s = format!("{} tokens", fmt_tokens(u.tokens.total));
    if !u.unpriced || u.cost_usd > 0.0 {
        s.push_str(&format!(", {}", fmt_cost(u.cost_usd)));
    }
    if with_source && u.source != "measured" {
        s.push_str(&format!(", {}", u.source));
    }
    s
}

pub use crate::stores::facts::Snapshot;

/// The latest snapshot of each spec's progress in one session (the daily summary merges them).
pub fn session_snapshots(s: &Session) -> Vec<Snapshot> {
    if let Some(f) = &s.facts {
        return f.snapshots.clone();
    }
    let mut out: Vec<Snapshot> = Vec::new();
    for e in &s.entries {
        let (spec, progress, next) = match &e.event {
            Event::SessionStart { spec, progress, continue_from, planned, .. } => {
                let next = continue_from
                    .clone()
                    .or_else(|| planned.first().cloned())
                    .map(|id| TaskPointer { id, title: String::new() });
                (spec, *progress, next)
            }
            Event::TaskEnd(r) | Event::LogTask(r) => (&r.spec, r.progress, r.next.clone()),
            _ => continue,
        };
        match out.iter_mut().find(|x| x.0 == *spec) {
            Some(x) if e.ts.ts >= x.1.ts => *x = (spec.clone(), e.ts, progress, next),
            Some(_) => {}
            None => out.push((spec.clone(), e.ts, progress, next)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::display::fmt_tokens_exact;

    #[test]
    fn token_counts() {
        assert_eq!(parse_tokens("45k"), Some(45_000));
        assert_eq!(parse_tokens("1.2M"), Some(1_200_000));
        assert_eq!(parse_tokens("45000"), Some(45_000));
        assert_eq!(parse_tokens("45,000"), Some(45_000));
        assert_eq!(parse_tokens("4.5K"), Some(4_500));
        for bad in ["", "k", "-5", "abc", "1e9", "1.2.3k"] {
            assert_eq!(parse_tokens(bad), None, "{bad}");
        }
        assert_eq!(fmt_tokens(42_000), "42k");
        assert_eq!(fmt_tokens(42_500), "42.5k");
        assert_eq!(fmt_tokens(195_000), "195k");
        assert_eq!(fmt_tokens(1_200_000), "1.2M");
        assert_eq!(fmt_tokens(999_999), "1M");
        assert_eq!(fmt_tokens(950), "950");
        assert_eq!(fmt_tokens_exact(195_000), "195,000");
        assert_eq!(fmt_tokens_exact(1_234_567), "1,234,567");
        assert_eq!(fmt_cost(0.17), "$0.17");
        assert_eq!(fmt_cost(0.001), "<$0.01");
    }

    #[test]
    fn measured_usage_beats_manual_and_the_last_manual_log_wins() {
        let line =
            |ts: &str, rest: &str| format!("{{\"v\":1,\"ts\":\"2025-01-13T{ts}:00Z\",\"session\":\"s.u-1\",{rest}}}\n");
        let journal = [
            line("10:00", r#""event":"session_start","name":"s","owner":"u-1","user":"U","host":"1","spec":"a","planned":["1","2","3"]"#),
            line("10:10", r#""event":"task_end","spec":"a","task":"1","status":"done","tokens":{"total":45000},"cost_usd":0.1,"source":"manual""#),
            line("10:20", r#""event":"log_task","spec":"a","task":"1","status":"done","tokens":{"total":42000},"cost_usd":0.09,"source":"manual""#),
            line("10:30", r#""event":"log_task","spec":"a","task":"2","status":"done","tokens":{"total":50000},"cost_usd":0.11,"source":"manual""#),
            line("10:40", r#""event":"usage","spec":"a","task":"2","tokens":{"total":30000,"input":10000,"output":5000,"cache_creation":5000,"cache_read":10000},"cost_usd":0.05,"source":"measured""#),
            line("10:50", r#""event":"usage","spec":"a","task":"2","tokens":{"total":10000,"input":4000,"output":1000,"cache_creation":0,"cache_read":5000},"cost_usd":0.02,"source":"measured""#),
            line("11:00", r#""event":"usage","tokens":{"total":1000},"cost_usd":0.01,"source":"measured","agent_session_id":"abc""#),
            line("11:30", r#""event":"session_end","reason":"user""#),
        ]
        .concat();
        let s = Session::fold(&journal::parse(journal.as_bytes(), Path::new("s.u-1.log"))).unwrap();
        let t1 = s.tasks[0].usage.as_ref().unwrap();
        assert_eq!((t1.tokens.total, t1.cost_usd, t1.source), (42_000, 0.09, "manual"));
        let t2 = s.tasks[1].usage.as_ref().unwrap();
        assert_eq!(
            (t2.tokens.total, t2.tokens.input, t2.cost_usd, t2.source),
            (40_000, Some(14_000), 0.07, "measured")
        );
        let all = s.usage(None);
        assert_eq!((all.tokens.total, all.cost_usd, all.source), (83_000, 0.17, "mixed"));
        assert_eq!(all.tokens.input, None, "a manual total has no split");
        assert_eq!(s.task_progress(), (2, 3));
        assert_eq!(s.agent_session_ids, ["abc"]);
        assert_eq!(s.recorded_minutes(), 90);
    }

    #[test]
    fn identity_is_file_safe_and_stable() {
        let a = Identity::new("Dana Lee", "dana-laptop");
        assert_eq!(a.owner, format!("dana-lee-{}", host_hash("dana-laptop")));
        assert_eq!(a.owner.len(), "dana-lee-".len() + 6);
        assert_ne!(Identity::new("Dana Lee", "dana-desktop").owner, a.owner);
        assert_eq!(slug("../../etc"), "etc");
        assert_eq!(slug("  "), "user");
        assert!(crate::base::names::spec_name(&a.key("inv-1000")).is_ok());
    }
}
