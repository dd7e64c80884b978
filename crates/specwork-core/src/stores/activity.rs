//! What a session did, as the lines of its timeline entry ("✅ Completed task 1.2: …"): the
//! context timelines render them, reports show the last one as a spec's last activity, and the
//! journal index keeps that last line per spec.

use crate::model::tasks::TaskStatus;
use crate::stores::journal::Event;
use crate::stores::session::{self, Session};

/// One implementation bullet for an entry, or `None` when the entry has none.
fn implementation_line(e: &Event) -> Option<String> {
    Some(match e {
        Event::TaskStart { task, title, forced, .. } => {
            format!("Started task {task}: {title}{}", if *forced { " (reopened)" } else { "" })
        }
        Event::TaskEnd(r) | Event::LogTask(r) => {
            let verb = match (r.status, matches!(e, Event::LogTask(_))) {
                (TaskStatus::Done, false) => "✅ Completed task".to_owned(),
                (TaskStatus::Done, true) => "✅ Logged task".to_owned(),
                (TaskStatus::Blocked, _) => "❌ Blocked task".to_owned(),
                (TaskStatus::InProgress, _) => "⏳ Paused task".to_owned(),
                (TaskStatus::Pending, _) => "Reset task".to_owned(),
            };
            let mut s = format!("{verb} {}: {}", r.task, r.title);
            if r.status == TaskStatus::Done {
                match (r.verified, &r.check) {
                    (Some(true), Some(c)) => s.push_str(&format!(" — verified: `{}` passed", c.command)),
                    (Some(false), Some(c)) => s.push_str(&format!(
                        " — unverified: `{}` failed ({}), finished with --force",
                        c.command,
                        exit_text(c)
                    )),
                    _ => {}
                }
            }
            if let Some(t) = r.tokens {
                let u = session::Usage {
                    tokens: t,
                    cost_usd: r.cost_usd.unwrap_or(0.0),
                    unpriced: r.cost_usd.is_none(),
                    source: r.source.unwrap_or(crate::stores::journal::UsageSource::Manual).as_str(),
                };
                s.push_str(&format!(" ({})", session::fmt_usage(&u, true)));
            }
            if let Some(n) = &r.note {
                s.push_str(&format!(" — {n}"));
            }
            s
        }
        Event::Usage { task, tokens, cost_usd, source, .. } => {
            let u = session::Usage {
                tokens: *tokens,
                cost_usd: cost_usd.unwrap_or(0.0),
                unpriced: cost_usd.is_none(),
                source: source.as_str(),
            };
            match task {
                Some(t) => format!("Usage of task {t}: {}", session::fmt_usage(&u, true)),
                None => format!("Usage: {}", session::fmt_usage(&u, true)),
            }
        }
        Event::FileTouched { path, action, .. } => {
            let verb = match action.as_deref() {
                Some("created") => "Created",
                Some("deleted") => "Deleted",
                _ => "Modified",
            };
            format!("{verb} `{path}`")
        }
        Event::Note { text, section, .. } if section != "planning" => text.clone(),
        Event::Check { task, run, .. } => {
            format!(
                "⚠️ Check of task {task} failed ({}): `{}`; the task stays in progress",
                exit_text(run),
                run.command
            )
        }
        _ => return None,
    })
}

/// `exit 1`, `timed out`, `killed`.
pub fn exit_text(c: &crate::stores::journal::CheckRun) -> String {
    match c.exit_code {
        _ if c.timed_out => "timed out".to_owned(),
        Some(code) => format!("exit {code}"),
        None => "killed".to_owned(),
    }
}

/// The measured facts of a finished task as one timeline line: files, lines, commits, the
/// implementation log.
fn work_line(task: &str, w: &crate::stores::journal::WorkFacts) -> String {
    let mut parts = Vec::new();
    let list = |v: &[String]| v.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    if !w.files_created.is_empty() {
        parts.push(format!("created {}", list(&w.files_created)));
    }
    if !w.files_modified.is_empty() {
        parts.push(format!("modified {}", list(&w.files_modified)));
    }
    if !w.files_deleted.is_empty() {
        parts.push(format!("deleted {}", list(&w.files_deleted)));
    }
    if parts.is_empty() {
        parts.push("no files changed".to_owned());
    }
    let mut s = format!("Task {task} work: {} (+{} −{})", parts.join("; "), w.lines_added, w.lines_removed);
    if !w.commits.is_empty() {
        s.push_str(&format!("; commits {}", w.commits.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")));
    }
    if !w.unverified.is_empty() {
        s.push_str(&format!("; named but not seen changed (unverified): {}", list(&w.unverified)));
    }
    s
}

/// The implementation bullets of `spec`'s view of a session, duplicates of files removed.
pub fn implementation_lines(s: &Session, spec: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in s.entries.iter().filter(|e| s.entry_is_for(e, spec)) {
        if let Event::TaskEnd(r) = &e.event
            && let Some(w) = r.work.as_ref().filter(|w| !w.is_empty())
        {
            out.push(work_line(&r.task, w));
        }
        if let Some(line) = implementation_line(&e.event) {
            if matches!(e.event, Event::FileTouched { .. }) && out.contains(&line) {
                continue;
            }
            out.push(line);
        }
    }
    out
}

/// The last implementation bullet of `spec`'s view of a session (what reports show as its last
/// activity). Works on a session read without its entries too.
pub fn last_activity(s: &Session, spec: &str) -> Option<String> {
    match &s.facts {
        Some(f) => f.last_activity.iter().find(|(sp, _)| sp == spec).map(|(_, l)| l.clone()),
        None => implementation_lines(s, spec).pop(),
    }
}

/// The verbs of the timeline line a registered deliverable gets (`Created [[…|…]]`,
/// `Registered [[…|…]]`), so that what a session delivered can be counted.
pub const DELIVERABLE_VERBS: [&str; 2] = ["Created", "Registered"];

/// What a session delivered for `spec` besides its tasks: `(deliverables, commits)` — the
/// deliverables registered and the commits made (a commit recorded before it was made and again
/// after counts once). Works on a session read without its entries too.
pub fn delivered(s: &Session, spec: &str) -> (usize, usize) {
    if let Some(f) = &s.facts {
        return f.delivered.iter().find(|(sp, ..)| sp == spec).map_or((0, 0), |(_, d, c)| (*d, *c));
    }
    let mut deliverables = 0;
    let mut subjects: Vec<&str> = Vec::new();
    for e in s.entries.iter().filter(|e| s.entry_is_for(e, spec)) {
        match &e.event {
            Event::Note { text, section, .. }
                if section == "implementation"
                    && DELIVERABLE_VERBS.iter().any(|v| text.strip_prefix(v).is_some_and(|r| r.starts_with(" [["))) =>
            {
                deliverables += 1;
            }
            Event::Commit { subject, .. } if !subjects.contains(&subject.as_str()) => subjects.push(subject),
            _ => {}
        }
    }
    (deliverables, subjects.len())
}
