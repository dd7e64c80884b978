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
        _ => return None,
    })
}

/// The implementation bullets of `spec`'s view of a session, duplicates of files removed.
pub fn implementation_lines(s: &Session, spec: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in s.entries.iter().filter(|e| s.entry_is_for(e, spec)) {
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
