//! Reports built from a loaded workspace: the portfolio, one spec's status (the seed's
//! `--status` view) and the resume view. Each is a plain serialisable struct; its field names
//! are the stable `--json` keys documented in README.md.

use crate::base::display;
use crate::base::display::slash_path;
use std::path::PathBuf;

use serde::Serialize;

use crate::model::spec::Spec;
use crate::model::tasks::{Task, TaskCounts, TaskStatus};
use crate::model::workspace::Workspace;
use crate::stores::approvals::{self, DocKind};
use crate::stores::journal::Stamp;
use crate::stores::session::{self, SessionIndex};
use crate::{Diagnostic, text::markdown, views::daily, views::timeline};

/// A task as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRef {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: TaskStatus,
    /// Line in the task file.
    pub line: usize,
    /// Blocked reason, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Of a done task in a status report: `true` its check passed when it was finished, `false`
    /// it was finished past a failing check, `null` it has no recorded check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<Option<bool>>,
    /// What the task used so far (status SPEC only; absent when nothing was recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<session::Usage>,
    /// Percentage points of the subscription quotas used while the task was open (status SPEC
    /// only; absent when the status line never reported quotas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<crate::stores::quota::QuotaUse>,
}

impl From<&Task> for TaskRef {
    fn from(t: &Task) -> Self {
        Self {
            id: t.id.clone(),
            title: t.title.clone(),
            status: t.status,
            line: t.line,
            reason: t.blocked_reason.clone(),
            verified: None,
            usage: None,
            quota: None,
        }
    }
}

/// One row of the portfolio.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioRow {
    /// Spec id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Layout name.
    pub layout: &'static str,
    /// Main path, relative to the workspace, with `/` separators.
    pub path: String,
    /// Parent spec id.
    pub parent: Option<String>,
    /// `planning`, `active`, `blocked` or `done`.
    pub status: &'static str,
    /// Workflow phase.
    pub phase: &'static str,
    /// Task counts (nested checkboxes included).
    pub tasks: TaskCounts,
    /// Done tasks as a percentage of all tasks, rounded down.
    pub progress_pct: u32,
    /// The next task to do.
    pub next_task: Option<TaskRef>,
    /// Blocked tasks.
    pub blocked: Vec<TaskRef>,
    /// Whether the spec is an area of the numbered tree.
    pub is_area: bool,
    /// Whether the spec is archived.
    pub archived: bool,
    /// Whether specwork only reads this spec (Kiro, spec-kit, OpenSpec imports).
    pub read_only: bool,
}

/// The portfolio of all specs.
#[derive(Clone, Debug, Serialize)]
pub struct Portfolio {
    /// Workspace root.
    pub workspace: String,
    /// Every spec.
    pub specs: Vec<PortfolioRow>,
    /// Tasks over all specs.
    pub totals: TaskCounts,
    /// Overall progress.
    pub progress_pct: u32,
    /// Problems found while reading.
    pub diagnostics: Vec<Diagnostic>,
}

/// The workflow phase a person sees: for a spec in the approval workflow, the first phase
/// document not approved as it stands ([`approvals::unapproved_phase`]: requirements waiting
/// for a decision keep the spec in `requirements`, even when design.md is already written);
/// otherwise the phase its files give ([`Spec::phase`]).
pub fn phase(ws: &Workspace, spec: &Spec) -> &'static str {
    approvals::unapproved_phase(ws, spec).map_or_else(|| spec.phase(), DocKind::as_str)
}

/// One portfolio row for a spec.
pub fn row(ws: &Workspace, spec: &Spec) -> PortfolioRow {
    let counts = spec.tasks.counts();
    PortfolioRow {
        id: spec.id.clone(),
        title: spec.title.clone(),
        layout: spec.layout.as_str(),
        path: slash_path(&spec.path),
        parent: spec.parent.clone(),
        status: spec.status().as_str(),
        phase: phase(ws, spec),
        tasks: counts,
        progress_pct: counts.progress_pct(),
        next_task: spec.tasks.next_task().map(TaskRef::from),
        blocked: spec.tasks.tasks.iter().filter(|t| t.status == TaskStatus::Blocked).map(TaskRef::from).collect(),
        is_area: spec.is_area,
        archived: spec.archived,
        read_only: !spec.layout.writable(),
    }
}

/// Builds the portfolio. Archived specs are left out unless `archived` is set.
pub fn portfolio(ws: &Workspace, archived: bool) -> Portfolio {
    let specs: Vec<PortfolioRow> = ws.specs.iter().filter(|s| archived || !s.archived).map(|s| row(ws, s)).collect();
    let mut totals = TaskCounts::default();
    for r in &specs {
        totals.merge(&r.tasks);
    }
    Portfolio {
        workspace: ws.root.display().to_string(),
        progress_pct: totals.progress_pct(),
        totals,
        specs,
        diagnostics: ws.diagnostics.clone(),
    }
}

/// Deliverables linked from a spec's `## Deliverables` section, by kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DeliverableCounts {
    /// Under `deliverables/scripts/`.
    pub scripts: Vec<String>,
    /// Under `deliverables/docs/`.
    pub docs: Vec<String>,
    /// Under `deliverables/config/`.
    pub config: Vec<String>,
    /// Other linked deliverables.
    pub other: Vec<String>,
}

/// A session as the status and resume views show it.
#[derive(Clone, Debug, Serialize)]
pub struct SessionSummary {
    /// Session number in the spec's timeline.
    pub number: u32,
    /// Date.
    pub date: String,
    /// Title.
    pub title: String,
    /// Minutes spent, when known.
    pub minutes: Option<u64>,
    /// Duration as written.
    pub duration: Option<String>,
    /// Session status.
    pub status: Option<String>,
    /// Its last activity.
    pub last_activity: Option<String>,
    /// What the session did, in a line (`Completed task 2 (Optimize network buffers) and task 3
    /// (…) · 45k tokens`), for sessions recorded in a journal; `null` for hand-written entries.
    pub summary: Option<String>,
    /// The session key, for sessions recorded in a journal (`null` for hand-written entries).
    pub session: Option<String>,
    /// Who worked in it, when recorded.
    pub user: Option<String>,
    /// Ids of the spec's tasks completed in it.
    pub tasks_done: Vec<String>,
    /// Tokens recorded for the spec in it.
    pub tokens: Option<u64>,
    /// Cost recorded for the spec in it, in USD.
    pub cost_usd: Option<f64>,
    /// `manual`, `measured` or `mixed`, when tokens are known.
    pub usage_source: Option<&'static str>,
    /// Percentage points of the subscription quotas the whole session used (to now while it is
    /// open), as `session-status` shows it; absent when the status line never reported quotas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<crate::stores::quota::QuotaUse>,
}

impl SessionSummary {
    /// The line that says what the session was: what it did when it was recorded, else a
    /// hand-written entry's last line (the resume report and the dashboard timeline show it).
    pub fn headline(&self) -> Option<&str> {
        self.summary.as_deref().or(self.last_activity.as_deref())
    }
}

/// A commit linked to the spec.
#[derive(Clone, Debug, Serialize)]
pub struct CommitRef {
    /// Abbreviated hash.
    pub hash: String,
    /// Subject line.
    pub subject: String,
}

/// One spec's status report (the seed's `--status` view).
#[derive(Clone, Debug, Serialize)]
pub struct SpecReport {
    /// The portfolio fields.
    #[serde(flatten)]
    pub row: PortfolioRow,
    /// Documents, relative to the workspace.
    pub docs: crate::model::spec::SpecDocs,
    /// Done tasks.
    pub completed: Vec<TaskRef>,
    /// In-progress tasks.
    pub in_progress: Vec<TaskRef>,
    /// Pending tasks.
    pub pending: Vec<TaskRef>,
    /// Deliverables by kind.
    pub deliverables: DeliverableCounts,
    /// Sessions from the context timeline.
    pub sessions: Vec<SessionSummary>,
    /// Minutes over all sessions whose duration is known.
    pub total_minutes: u64,
    /// Tokens over all recorded sessions.
    pub total_tokens: u64,
    /// Cost over all recorded sessions, in USD.
    pub total_cost_usd: f64,
    /// Sessions working on the spec now.
    pub active_sessions: Vec<ActiveSession>,
    /// The most recent commit linked to the spec: from git (a `Spec:` trailer or the id in the
    /// message), else the last one listed in the context timeline.
    pub last_commit: Option<CommitRef>,
    /// Child specs (numbered areas).
    pub children: Vec<String>,
    /// Where the work no longer matches what was finished or approved.
    pub drift: Vec<crate::views::drift::Drifted>,
    /// Reviewers' drift decisions, oldest first.
    pub drift_decisions: Vec<crate::views::drift::DecisionRef>,
    /// The estimate from this workspace's history beside what the tasks used.
    pub estimate: crate::views::estimate::SpecEstimate,
}

/// Done tasks with their verification from the spec's evidence.
fn verified(ws: &Workspace, spec: &Spec, done: Vec<TaskRef>) -> Vec<TaskRef> {
    let ev = crate::stores::evidence::load(ws, &spec.id).unwrap_or_default();
    done.into_iter().map(|t| TaskRef { verified: Some(ev.tasks.get(&t.id).and_then(|e| e.verified)), ..t }).collect()
}

fn deliverables(ws: &Workspace, spec: &Spec) -> DeliverableCounts {
    let mut out = DeliverableCounts::default();
    let Some(file) = crate::views::deliverables::spec_document(spec) else { return out };
    let Ok(src) = crate::base::path_policy::read_to_string(ws.abs(file)) else { return out };
    let Some(range) = markdown::section(&src, |t| t.eq_ignore_ascii_case("deliverables")) else { return out };
    for (target, _, _, _) in markdown::wiki_links(&src[range]) {
        let target = target.split('#').next().unwrap_or("").to_owned();
        let bucket = if target.contains("deliverables/scripts/") {
            &mut out.scripts
        } else if target.contains("deliverables/docs/") {
            &mut out.docs
        } else if target.contains("deliverables/config/") {
            &mut out.config
        } else {
            &mut out.other
        };
        if !bucket.contains(&target) {
            bucket.push(target);
        }
    }
    out
}

fn hand_written(s: &crate::model::context::TimelineSession) -> SessionSummary {
    SessionSummary {
        number: s.number,
        date: s.date.clone(),
        title: s.title.clone(),
        minutes: s.minutes,
        duration: s.duration.clone(),
        status: s.status.clone(),
        last_activity: s.last_activity.clone(),
        summary: None,
        session: None,
        user: None,
        tasks_done: Vec::new(),
        tokens: None,
        cost_usd: None,
        usage_source: None,
        quota: None,
    }
}

fn sessions(spec: &Spec) -> Vec<SessionSummary> {
    spec.context.iter().flat_map(|c| &c.sessions).map(hand_written).collect()
}

/// The spec's sessions: the hand-written entries of its context timeline, then the sessions its
/// journals recorded (numbered after them, as the timeline shows them). Minutes of an active
/// session count up to `now`.
pub fn sessions_with_journals(ws: &Workspace, spec: &Spec, index: &SessionIndex, now: &Stamp) -> Vec<SessionSummary> {
    let known = |k: &str| index.has_key(k);
    let text = spec.docs.context.as_ref().and_then(|c| crate::base::path_policy::read_to_string(ws.abs(c)).ok());
    let (mut out, base) = match &text {
        Some(t) => (
            timeline::user_sessions(t, known).iter().map(hand_written).collect::<Vec<_>>(),
            timeline::numbering_base(t, known),
        ),
        None => (Vec::new(), 0),
    };
    let quota = crate::stores::quota::load(&ws.root).samples;
    for (i, s) in index.for_spec(&spec.id).enumerate() {
        let u = s.usage(Some(&spec.id));
        let known_usage = !u.source.is_empty();
        out.push(SessionSummary {
            number: base + 1 + i as u32,
            date: s.date(),
            title: s.title.clone().unwrap_or_else(|| s.name.clone()),
            minutes: Some(s.minutes(now)),
            duration: Some(if s.is_active() { "In progress".to_owned() } else { display::fmt_minutes(s.minutes(now)) }),
            status: Some(if s.is_active() { "active" } else { "done" }.to_owned()),
            last_activity: timeline::last_activity(s, &spec.id),
            summary: summarize(s, &spec.id, known_usage.then_some(u.tokens.total)),
            session: Some(s.key.clone()),
            user: Some(s.user.clone()),
            tasks_done: s.done(Some(&spec.id)).iter().map(|t| t.task.clone()).collect(),
            tokens: known_usage.then_some(u.tokens.total),
            cost_usd: known_usage.then_some(u.cost_usd),
            usage_source: known_usage.then_some(u.source),
            quota: crate::stores::quota::of_session(&quota, s, now),
        });
    }
    out.sort_by_key(|s| s.number);
    out
}

/// One line of what session `s` did for `spec`: the tasks it completed (or, failing that, the
/// tasks it worked on) and its tokens; `None` when it did neither.
fn summarize(s: &session::Session, spec: &str, tokens: Option<u64>) -> Option<String> {
    let tasks: Vec<&session::SessionTask> = s.tasks.iter().filter(|t| t.spec == spec).collect();
    let list = |ts: &[&session::SessionTask]| {
        let named: Vec<String> = ts
            .iter()
            .take(3)
            .map(|t| if t.title.is_empty() { format!("task {}", t.task) } else { format!("{} ({})", t.task, t.title) })
            .collect();
        let more = ts.len().saturating_sub(3);
        match (named.as_slice(), more) {
            ([one], _) => one.clone(),
            (_, 0) => {
                let (last, rest) = named.split_last().expect("two or more");
                format!("{} and {last}", rest.join(", "))
            }
            _ => format!("{} and {more} more", named.join(", ")),
        }
    };
    let done: Vec<&session::SessionTask> = tasks.iter().copied().filter(|t| t.status == TaskStatus::Done).collect();
    let worked: Vec<&session::SessionTask> = tasks.iter().copied().filter(|t| t.status != TaskStatus::Done).collect();
    let mut parts = Vec::new();
    if !done.is_empty() {
        parts.push(format!("Completed {}", list(&done)));
    }
    if !worked.is_empty() {
        let verb = if done.is_empty() { "Worked on" } else { "worked on" };
        parts.push(format!("{verb} {}", list(&worked)));
    }
    let (deliverables, commits) = crate::stores::activity::delivered(s, spec);
    let mut made = Vec::new();
    if deliverables > 0 {
        made.push(format!("{deliverables} deliverable{}", if deliverables == 1 { "" } else { "s" }));
    }
    if commits > 0 {
        made.push(format!("{commits} commit{}", if commits == 1 { "" } else { "s" }));
    }
    if !made.is_empty() {
        parts.push(made.join(", "));
    }
    let mut line = parts.join("; ");
    if let Some(t) = tokens.filter(|t| *t > 0) {
        if line.is_empty() {
            return None;
        }
        line.push_str(&format!(" · {} tokens", display::fmt_tokens(t)));
    }
    (!line.is_empty()).then_some(line)
}

/// A session working on a spec now.
#[derive(Clone, Debug, Serialize)]
pub struct ActiveSession {
    /// Session key.
    pub session: String,
    /// The name it was started with.
    pub name: String,
    /// Who.
    pub user: String,
    /// Start time (RFC 3339).
    pub started: String,
    /// Tasks in progress in it.
    pub in_progress: Vec<String>,
}

fn active_sessions(index: &SessionIndex, spec: &str) -> Vec<ActiveSession> {
    index
        .for_spec(spec)
        .filter(|s| s.is_active())
        .map(|s| ActiveSession {
            session: s.key.clone(),
            name: s.name.clone(),
            user: s.user.clone(),
            started: s.started.to_string(),
            in_progress: s
                .tasks
                .iter()
                .filter(|t| t.spec == spec && t.status == TaskStatus::InProgress)
                .map(|t| t.task.clone())
                .collect(),
        })
        .collect()
}

/// The quota each task of `spec` used while it was open in a session (to `now` while it still
/// is), from the status line's samples; empty when there are none.
fn task_quota(
    root: &std::path::Path,
    index: &SessionIndex,
    spec: &str,
    now: &Stamp,
) -> std::collections::BTreeMap<String, crate::stores::quota::QuotaUse> {
    let log = crate::stores::quota::load(root);
    let mut out = std::collections::BTreeMap::new();
    if log.samples.is_empty() {
        return out;
    }
    for s in &index.sessions {
        for t in s.tasks.iter().filter(|t| t.spec == spec) {
            let Some(start) = &t.started else { continue };
            let end = t.ended.as_ref().unwrap_or(now);
            let u = crate::stores::quota::used(&log.samples, start.ts.as_second(), end.ts.as_second());
            if u.is_known() {
                out.entry(t.task.clone()).or_insert_with(crate::stores::quota::QuotaUse::default).add(&u);
            }
        }
    }
    out
}

/// Builds one spec's status report, with the sessions of its timeline and its journals.
pub fn spec_report(ws: &Workspace, spec: &Spec) -> SpecReport {
    // Only the spec's sessions are read in full (of the others the index knows the keys).
    let index = SessionIndex::load_indexed_where(&ws.root, |h| h.touches(&spec.id));
    let used = crate::views::estimate::actuals(&index, &spec.id);
    let quota = task_quota(&ws.root, &index, &spec.id, &Stamp::now());
    let by = |st: TaskStatus| {
        spec.tasks
            .tasks
            .iter()
            .filter(|t| t.status == st)
            .map(|t| TaskRef { usage: used.get(&t.id).cloned(), quota: quota.get(&t.id).copied(), ..TaskRef::from(t) })
            .collect::<Vec<_>>()
    };
    let sessions = sessions_with_journals(ws, spec, &index, &Stamp::now());
    let drift = crate::views::drift::drift(ws, &[spec]);
    SpecReport {
        row: row(ws, spec),
        docs: spec.docs.clone(),
        completed: verified(ws, spec, by(TaskStatus::Done)),
        in_progress: by(TaskStatus::InProgress),
        pending: by(TaskStatus::Pending),
        deliverables: deliverables(ws, spec),
        total_minutes: sessions.iter().filter_map(|s| s.minutes).sum(),
        total_tokens: sessions.iter().filter_map(|s| s.tokens).sum(),
        total_cost_usd: display::round_usd(sessions.iter().filter_map(|s| s.cost_usd).sum()),
        active_sessions: active_sessions(&index, &spec.id),
        sessions,
        last_commit: crate::git::Repo::open(&ws.root)
            .and_then(|repo| repo.last_commit_for(&spec.id).ok().flatten())
            .map(|c| CommitRef { hash: c.short, subject: c.subject })
            .or_else(|| {
                spec.context
                    .as_ref()
                    .and_then(|c| c.last_commit())
                    .map(|(h, s)| CommitRef { hash: h.clone(), subject: s.clone() })
            }),
        children: spec.children.clone(),
        drift: drift.drifted,
        drift_decisions: drift.decisions,
        estimate: crate::views::estimate::spec_estimate(&ws.root, spec, &index, &ws.config),
    }
}

/// The resume view.
#[derive(Clone, Debug, Serialize)]
pub struct ResumeReport {
    /// Spec id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Previous sessions.
    pub sessions: Vec<SessionSummary>,
    /// Done tasks.
    pub done: usize,
    /// All tasks.
    pub total: usize,
    /// The latest recorded activity.
    pub last_activity: Option<String>,
    /// Tasks not done yet (pending, in progress, blocked), in file order.
    pub remaining: Vec<TaskRef>,
    /// The task to continue from.
    pub next_task: Option<TaskRef>,
    /// The file holding the tasks.
    pub tasks_file: Option<PathBuf>,
}

/// The resume view from the spec's files alone (its context timeline). Frontends use
/// [`resume_with_sessions`], which adds what the journals recorded.
fn resume(spec: &Spec) -> ResumeReport {
    let counts = spec.tasks.counts();
    ResumeReport {
        id: spec.id.clone(),
        title: spec.title.clone(),
        sessions: sessions(spec),
        done: counts.done,
        total: counts.total,
        last_activity: spec.context.as_ref().and_then(|c| c.last_activity()).map(str::to_owned),
        remaining: spec.tasks.tasks.iter().filter(|t| t.status != TaskStatus::Done).map(TaskRef::from).collect(),
        next_task: spec.tasks.next_task().map(TaskRef::from),
        tasks_file: spec.tasks_source.as_ref().map(|s| s.file.clone()),
    }
}

/// The latest daily summary: where the last day ended.
#[derive(Clone, Debug, Serialize)]
pub struct DailyRef {
    /// Its date.
    pub date: String,
    /// Its path, relative to the workspace.
    pub path: String,
    /// The spec's progress and next task as that day ended, when the spec was worked on then.
    pub next_task: Option<String>,
}

/// The resume view with the spec's journals: sessions recorded for it, time and usage so far, who
/// is working on it now, and the latest daily summary.
#[derive(Clone, Debug, Serialize)]
pub struct ResumeWithSessions {
    /// The resume view (its `sessions` include the journals' sessions).
    #[serde(flatten)]
    pub resume: ResumeReport,
    /// Minutes over all sessions.
    pub total_minutes: u64,
    /// Tokens over all recorded sessions.
    pub total_tokens: u64,
    /// Cost over all recorded sessions, in USD.
    pub total_cost_usd: f64,
    /// The task id to continue from (the next task), when any remains.
    pub continue_from: Option<String>,
    /// Sessions working on the spec now.
    pub active_sessions: Vec<ActiveSession>,
    /// The latest daily summary.
    pub latest_daily: Option<DailyRef>,
    /// Where the work no longer matches what was finished or approved.
    pub drift: Vec<crate::views::drift::Drifted>,
}

/// Builds the resume view with sessions from the journals.
pub fn resume_with_sessions(ws: &Workspace, spec: &Spec) -> ResumeWithSessions {
    let latest = daily::existing(&ws.root).pop();
    // Only the spec's sessions and those of the latest daily summary's day are read.
    let index = SessionIndex::load_indexed_where(&ws.root, |h| h.touches(&spec.id) || latest.as_deref() == Some(h.day));
    let mut r = resume(spec);
    r.sessions = sessions_with_journals(ws, spec, &index, &Stamp::now());
    if let Some(a) = r.sessions.iter().rev().find_map(|s| s.last_activity.clone()) {
        r.last_activity = Some(a);
    }
    let latest_daily = latest.map(|date| {
        let day: Vec<&session::Session> = index.on_date(&date).collect();
        let next_task =
            daily::snapshots(&day).into_iter().find(|(sp, ..)| *sp == spec.id).and_then(|(_, _, _, n)| n).map(|n| n.id);
        DailyRef { path: slash_path(&daily::path(&date)), date, next_task }
    });
    ResumeWithSessions {
        total_minutes: r.sessions.iter().filter_map(|s| s.minutes).sum(),
        total_tokens: r.sessions.iter().filter_map(|s| s.tokens).sum(),
        total_cost_usd: display::round_usd(r.sessions.iter().filter_map(|s| s.cost_usd).sum()),
        continue_from: r.next_task.as_ref().map(|t| t.id.clone()),
        active_sessions: active_sessions(&index, &spec.id),
        latest_daily,
        drift: crate::views::drift::drift(ws, &[spec]).drifted,
        resume: r,
    }
}
