//! Session operations: which session a command belongs to ([`resolve`]), starting and ending one.

use serde::Serialize;
use specwork_usage::ProgressFn;

use crate::base::diag::Diagnostic;
use crate::base::display::{CostDisplay, in_currency};
use crate::model::tasks::TaskStatus;
use crate::ops::{OpError, OpenSession};
use crate::stores::journal::{Entry, Event, Progress, Stamp, WorkspaceLock};
use crate::stores::session::{self as store, Identity, Session, SessionError, SessionIndex, StartOptions};
use crate::usage::logs::{self, Closing, Logs};
use crate::{Spec, Workspace, base::names, stores::windows};

/// How the caller names the session to record in.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionPick<'a> {
    /// An explicit session name (`--session`, `SPECWORK_SESSION`, a tool argument).
    pub name: Option<&'a str>,
    /// The agent session the caller runs in, when known: the specwork session that hooks tied to
    /// it is the one meant.
    pub agent_session: Option<&'a str>,
}

impl<'a> SessionPick<'a> {
    /// A pick by name only.
    pub fn named(name: Option<&'a str>) -> Self {
        Self { name, agent_session: None }
    }
}

fn open_session(s: &Session) -> OpenSession {
    OpenSession { name: s.name.clone(), spec: s.spec.clone(), started: s.started.hm() }
}

/// The session a command of `owner` belongs to — decided here and nowhere else:
/// 1. the session named explicitly (an ended one is an error);
/// 2. else the open session that hooks tied to the caller's agent session;
/// 3. else `owner`'s open sessions on `spec` (all of them when no spec is given):
///    - none: `Ok(None)` (the caller may start one);
///    - sessions on more than one spec: [`OpError::Ambiguous`] — a command never guesses which
///      spec it writes into;
///    - on one spec: the one where `task` is in progress, else the latest started (a new session
///      on a spec supersedes an earlier one left open, as in the guide's afternoon).
pub fn resolve<'i>(
    index: &'i SessionIndex,
    owner: &str,
    spec: Option<&str>,
    task: Option<&str>,
    pick: &SessionPick<'_>,
) -> Result<Option<&'i Session>, OpError> {
    if let Some(name) = pick.name {
        let s = index.find(owner, name).ok_or_else(|| SessionError::NoSuchSession { name: name.to_owned() })?;
        if let Some(end) = &s.ended {
            return Err(OpError::AlreadyEnded { name: s.name.clone(), at: end.minute() });
        }
        return Ok(Some(s));
    }
    let mine: Vec<&Session> = index.active().filter(|s| s.owner == owner).collect();
    if let Some(agent) = pick.agent_session.filter(|a| !a.is_empty())
        && let Some(s) = mine.iter().rev().find(|s| windows::tied_agent_sessions(s).iter().any(|id| id == agent))
    {
        return Ok(Some(s));
    }
    let mut candidates: Vec<&Session> = match spec {
        Some(sp) => mine.into_iter().filter(|s| s.spec == sp || s.touches(sp)).collect(),
        None => mine,
    };
    candidates.sort_by_key(|s| s.started.ts);
    let Some(first) = candidates.first() else { return Ok(None) };
    let one_spec = spec.is_some() || candidates.iter().all(|s| s.spec == first.spec);
    if !one_spec {
        return Err(OpError::Ambiguous { sessions: candidates.iter().map(|s| open_session(s)).collect() });
    }
    if let Some(t) = task {
        let sp = spec.unwrap_or(&first.spec);
        let busy: Vec<&&Session> = candidates
            .iter()
            .filter(|s| s.tasks.iter().any(|x| x.spec == sp && x.task == t && x.status == TaskStatus::InProgress))
            .collect();
        if let [one] = busy.as_slice() {
            return Ok(Some(one));
        }
    }
    Ok(candidates.last().copied())
}

/// The spec of the session the caller means (see [`resolve`]), for commands that name no spec.
pub fn current_spec(ws: &Workspace, pick: &SessionPick<'_>) -> Result<String, OpError> {
    let who = Identity::detect(&ws.root, &ws.config);
    let index = SessionIndex::load_current(&ws.root);
    match resolve(&index, &who.owner, None, None, pick)? {
        Some(s) => Ok(s.spec.clone()),
        None => Err(OpError::NoCurrentSpec),
    }
}

/// A session just started.
#[derive(Clone, Debug, Serialize)]
pub struct SessionOpened {
    /// Its key (`{name}.{owner}`).
    pub session: String,
    /// Its name.
    pub name: String,
    /// The spec.
    pub spec: String,
    /// The spec's title.
    pub spec_title: String,
    /// Who runs it.
    pub user: String,
    /// The person's key on this machine.
    pub owner: String,
    /// The journal, relative to the workspace.
    pub journal: String,
    /// When it started (RFC 3339).
    pub started: String,
    /// Tasks not done yet.
    pub planned: Vec<String>,
    /// The task to continue from, when earlier work did part of the spec.
    pub continue_from: Option<String>,
    /// Tasks done of all.
    pub progress: Progress,
    /// Other active sessions on the same spec.
    pub warnings: Vec<Diagnostic>,
    /// Your sessions of earlier days left open, ended at their last activity by this start.
    pub ended_left_open: Vec<LeftOpen>,
}

/// A session of an earlier day left open, ended at its last activity by the next start.
#[derive(Clone, Debug, Serialize)]
pub struct LeftOpen {
    /// Its name.
    pub name: String,
    /// Its spec.
    pub spec: String,
    /// Its last activity, where it now ends (`YYYY-MM-DD HH:MM`).
    pub ended_at: String,
}

/// Why such a session ended, in its journal and timeline.
pub const LEFT_OPEN_REASON: &str = "left open; ended at its last activity by the next start-session";

/// Ends the person's sessions of days before today still open, each at its last activity (a
/// session left open overnight is not a night of work). Their usage is measured at the next
/// `eod`, like every ended session's. Gives the open sessions read again when it ended any.
fn end_left_open(
    ws: &Workspace,
    who: &Identity,
    index: SessionIndex,
) -> Result<(Vec<LeftOpen>, SessionIndex), OpError> {
    let today = Stamp::now().date();
    let mut out = Vec::new();
    for s in index.active().filter(|s| s.owner == who.owner && s.date() < today) {
        let entry =
            Entry { ts: s.last_event, ..Entry::now(&s.key, Event::SessionEnd { reason: LEFT_OPEN_REASON.into() }) };
        crate::stores::journal::append(&ws.abs(&s.journal), &[entry]).map_err(SessionError::from)?;
        out.push(LeftOpen { name: s.name.clone(), spec: s.spec.clone(), ended_at: s.last_event.minute() });
    }
    if out.is_empty() {
        return Ok((out, index));
    }
    let index = SessionIndex::load_current(&ws.root);
    for s in index.sessions.iter().filter(|s| out.iter().any(|o| o.name == s.name) && s.owner == who.owner) {
        crate::ops::record::refresh_for(ws, &index, &s.key)?;
    }
    Ok((out, index))
}

/// Starts session `opts.name` on `spec`, with planning notes for its timeline.
pub fn start(ws: &Workspace, spec: &Spec, opts: &StartOptions<'_>, notes: &[String]) -> Result<SessionOpened, OpError> {
    names::spec_name(opts.name)?;
    let who = Identity::detect(&ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let (ended_left_open, index) = end_left_open(ws, &who, SessionIndex::load_current(&ws.root))?;
    let warnings = store::overlaps(&index, None, &spec.id, &[], false).iter().map(store::Overlap::diagnostic).collect();
    let started = store::start(ws, spec, &who, &index, opts)?;
    let notes: Vec<Entry> = notes
        .iter()
        .map(|t| {
            Entry::now(
                &started.key,
                Event::Note { text: t.clone(), section: "planning".into(), spec: Some(spec.id.clone()) },
            )
        })
        .collect();
    crate::ops::record::record(ws, &started.journal, &notes)?;
    let Event::SessionStart { planned, continue_from, progress, .. } = &started.entry.event else {
        unreachable!("session::start writes a session_start")
    };
    Ok(SessionOpened {
        session: started.key.clone(),
        name: opts.name.to_owned(),
        spec: spec.id.clone(),
        spec_title: spec.title.clone(),
        user: who.user.clone(),
        owner: who.owner.clone(),
        journal: crate::base::display::slash_path(started.journal.strip_prefix(&ws.root).unwrap_or(&started.journal)),
        started: started.entry.ts.to_string(),
        planned: planned.clone(),
        continue_from: continue_from.clone(),
        progress: *progress,
        warnings,
        ended_left_open,
    })
}

/// A session just ended.
#[derive(Clone, Debug, Serialize)]
pub struct SessionEnded {
    /// Its key.
    pub session: String,
    /// Its name.
    pub name: String,
    /// Its spec.
    pub spec: String,
    /// When it started (RFC 3339).
    pub started: String,
    /// When it ended.
    pub ended: String,
    /// Minutes recorded.
    pub minutes: u64,
    /// Tasks done in it.
    pub tasks_done: usize,
    /// Tasks it worked on.
    pub tasks_total: usize,
    /// Tokens: measured, else manual.
    pub tokens: u64,
    /// Their cost.
    pub cost_usd: f64,
    /// The cost in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
    /// `measured`, `manual` or `mixed`.
    pub usage_source: Option<&'static str>,
    /// Tasks still in progress (`spec task`).
    pub in_progress: Vec<String>,
    /// Tasks left in progress, and problems measuring.
    pub warnings: Vec<Diagnostic>,
}

/// Ends the session the caller means ([`resolve`] with no spec): records the commits made since
/// its last event and the usage measured in its windows, then `session_end`.
pub fn end(ws: &Workspace, pick: &SessionPick<'_>, progress: Option<ProgressFn>) -> Result<SessionEnded, OpError> {
    let who = Identity::detect(&ws.root, &ws.config);
    // Ending a session closes its windows, which measures them (read the logs before the lock).
    let (logs, mut warnings) = Logs::for_sessions(&ws.root, &ws.config, progress);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let s = resolve(&index, &who.owner, None, None, pick)?.ok_or(OpError::NoOpenSession)?;
    let key = s.key.clone();
    let now = Stamp::now();
    let mut entries = store::commit_entries(&ws.root, &index, &key);
    entries.push(Entry { ts: now, ..Entry::now(&key, Event::SessionEnd { reason: "user".into() }) });
    if let Some(logs) = &logs {
        let closing = [(key.clone(), now)];
        let a = logs::attribute(&index, &who.owner, logs, &Closing { now, sessions: &closing, task: None });
        entries.extend(
            a.entries(logs, now.offset, |w, closed| closed && w.session == key).remove(&key).unwrap_or_default(),
        );
    }
    let index = crate::ops::record::record(ws, &ws.abs(&s.journal), &entries)?;
    let s = index.get(&key).expect("just recorded");
    let (done, total) = s.task_progress();
    let u = s.usage(None);
    let in_progress: Vec<String> = s
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::InProgress)
        .map(|t| format!("{} {}", t.spec, t.task))
        .collect();
    warnings.extend(in_progress.iter().map(|t| {
        Diagnostic::warning(
            &crate::base::display::slash_path(&s.journal),
            0,
            format!("task {t} is still in progress"),
            "finish it, or log its state, before its work is forgotten",
        )
    }));
    let ended = s.ended.expect("just ended");
    Ok(SessionEnded {
        session: key.clone(),
        name: s.name.clone(),
        spec: s.spec.clone(),
        started: s.started.to_string(),
        ended: ended.to_string(),
        minutes: s.recorded_minutes(),
        tasks_done: done,
        tasks_total: total,
        tokens: u.tokens.total,
        cost_usd: u.cost_usd,
        cost_display: in_currency(u.cost_usd, ws.config.currency.as_ref()),
        usage_source: (!u.source.is_empty()).then_some(u.source),
        in_progress,
        warnings,
    })
}
