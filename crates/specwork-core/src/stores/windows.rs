//! Work windows: the spans of time in which a session worked on a task, and the session's own
//! span, read from its journal. The cost engine attributes the agents' measured usage to them.
//!
//! Rules, in journal order:
//! - the session window runs from `session_start` to `session_end` (open while the session is);
//! - `task_start` opens a window for its (spec, task) unless one is open already;
//! - `task_end` or `log_task` with any status but `in-progress` closes that task's open window;
//! - `session_end` closes every open window.
//!
//! A window is *recorded* once a measured `usage` event for it is in the journal: for a task
//! window, one with the same spec and task stamped inside the window (measured usage is stamped at
//! the last call it covers; the end is included); for the session window, a measured `usage`
//! event without a task. Each usage event marks at most one window (the earliest it fits), so a
//! task reopened in the same second is not taken as measured.
//!
//! Invariant: windows are a pure function of the journal's entries.

use crate::model::tasks::TaskStatus;
use crate::stores::journal::{Entry, Event, JournalFile, Stamp, UsageSource};
use crate::stores::session::Session;

pub use crate::stores::facts::WorkWindow;

impl WorkWindow {
    fn contains(&self, ts: &Stamp) -> bool {
        self.start.ts <= ts.ts && self.end.is_none_or(|e| ts.ts <= e.ts)
    }
}

/// The windows of a session: its own window first, then its task windows in order of opening.
pub fn windows(s: &Session) -> Vec<WorkWindow> {
    if let Some(f) = &s.facts {
        return f.windows.clone();
    }
    let mut out = vec![WorkWindow {
        session: s.key.clone(),
        spec: s.spec.clone(),
        task: None,
        start: s.started,
        end: s.ended,
        recorded: false,
    }];
    let mut open: Vec<usize> = Vec::new();
    let close = |out: &mut Vec<WorkWindow>, i: usize, at: Stamp| {
        let w = &mut out[i];
        w.end = Some(if at.ts < w.start.ts { w.start } else { at });
    };
    for e in s.entries.iter().skip(1) {
        match &e.event {
            Event::TaskStart { spec, task, .. }
                if !open.iter().any(|&i| out[i].spec == *spec && out[i].task.as_deref() == Some(task)) =>
            {
                open.push(out.len());
                out.push(WorkWindow {
                    session: s.key.clone(),
                    spec: spec.clone(),
                    task: Some(task.clone()),
                    start: e.ts,
                    end: None,
                    recorded: false,
                });
            }
            Event::TaskEnd(r) | Event::LogTask(r) if r.status != TaskStatus::InProgress => {
                if let Some(pos) =
                    open.iter().position(|&i| out[i].spec == r.spec && out[i].task.as_deref() == Some(&r.task))
                {
                    let i = open.remove(pos);
                    close(&mut out, i, e.ts);
                }
            }
            Event::SessionEnd { .. } => {
                for i in open.drain(..) {
                    close(&mut out, i, e.ts);
                }
            }
            _ => {}
        }
    }
    for e in &s.entries {
        if let Event::Usage { spec, task, source: UsageSource::Measured, .. } = &e.event {
            let hit = out.iter_mut().find(|w| {
                !w.recorded
                    && w.task == *task
                    && (task.is_none() || spec.as_deref() == Some(w.spec.as_str()))
                    && w.contains(&e.ts)
            });
            if let Some(w) = hit {
                w.recorded = true;
            }
        }
    }
    out
}

/// The agent sessions that hooks tied to a session (`session_start`'s `agent_session_id` and
/// `agent_session` events) — not those named by usage already measured, which would make a
/// session refuse every later agent session after its first measured task.
pub fn tied_agent_sessions(s: &Session) -> Vec<String> {
    if let Some(f) = &s.facts {
        return f.agent_sessions.clone();
    }
    let mut ids: Vec<String> = Vec::new();
    for e in &s.entries {
        let id = match &e.event {
            Event::SessionStart { agent_session_id: Some(id), .. }
            | Event::AgentSession { agent_session_id: id, .. } => id,
            _ => continue,
        };
        if !id.is_empty() && !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    ids
}

/// Adds entries to a session as if they were in its journal (the journal is not touched): used
/// to show usage measured for windows still open, and to preview what closing them records.
pub fn with_entries(s: &mut Session, extra: Vec<Entry>) {
    if extra.is_empty() {
        return;
    }
    let mut entries = std::mem::take(&mut s.entries);
    entries.extend(extra);
    let file = JournalFile { path: s.journal.clone(), archived: s.archived, entries, ..JournalFile::default() };
    match Session::from_journal(file) {
        Some(n) => *s = n,
        None => unreachable!("a folded session starts with session_start"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::stores::journal;

    fn session(lines: &[(&str, &str)]) -> Session {
        let text: String = lines
            .iter()
            .map(|(ts, rest)| format!("{{\"v\":1,\"ts\":\"2025-01-13T{ts}:00Z\",\"session\":\"s.u-1\",{rest}}}\n"))
            .collect();
        Session::fold(&journal::parse(text.as_bytes(), Path::new("s.u-1.log"))).unwrap()
    }

    const START: &str = r#""event":"session_start","name":"s","owner":"u-1","user":"U","host":"1","spec":"a""#;

    #[test]
    fn task_and_session_windows() {
        let s = session(&[
            ("10:00", START),
            ("10:05", r#""event":"task_start","spec":"a","task":"1""#),
            ("10:06", r#""event":"task_start","spec":"a","task":"1""#),
            ("10:20", r#""event":"log_task","spec":"a","task":"1","status":"in-progress""#),
            ("10:40", r#""event":"task_end","spec":"a","task":"1","status":"done""#),
            ("10:40", r#""event":"usage","spec":"a","task":"1","tokens":{"total":5},"source":"measured""#),
            ("10:40", r#""event":"task_start","spec":"a","task":"1","forced":true"#),
            ("10:45", r#""event":"task_start","spec":"b","task":"2""#),
            ("11:00", r#""event":"log_task","spec":"b","task":"2","status":"blocked""#),
            ("11:30", r#""event":"session_end","reason":"user""#),
        ]);
        let w = windows(&s);
        let span = |w: &WorkWindow| (w.start.hm(), w.end.map(|e| e.hm()), w.recorded);
        assert_eq!(w.len(), 4);
        assert_eq!((w[0].task.as_deref(), span(&w[0])), (None, ("10:00".into(), Some("11:30".into()), false)));
        assert_eq!((w[1].task.as_deref(), span(&w[1])), (Some("1"), ("10:05".into(), Some("10:40".into()), true)));
        // Reopened in the same second: not taken as measured.
        assert_eq!((w[2].task.as_deref(), span(&w[2])), (Some("1"), ("10:40".into(), Some("11:30".into()), false)));
        assert_eq!((w[3].spec.as_str(), span(&w[3])), ("b", ("10:45".into(), Some("11:00".into()), false)));
    }

    #[test]
    fn open_windows_and_previews() {
        let mut s = session(&[("10:00", START), ("10:05", r#""event":"task_start","spec":"a","task":"1""#)]);
        let w = windows(&s);
        assert!(w.iter().all(|w| w.end.is_none() && !w.recorded));
        let usage = Entry {
            v: 1,
            ts: Stamp::parse("2025-01-13T10:30:00Z").unwrap(),
            session: s.key.clone(),
            event: Event::Usage {
                spec: Some("a".into()),
                task: Some("1".into()),
                tokens: journal::Tokens::total(7),
                cost_usd: Some(0.01),
                model: None,
                source: UsageSource::Measured,
                agent_session_id: None,
            },
        };
        with_entries(&mut s, vec![usage]);
        assert_eq!(s.tasks[0].usage.as_ref().map(|u| (u.tokens.total, u.source)), Some((7, "measured")));
        assert!(windows(&s)[1].recorded);
        assert!(!windows(&s)[0].recorded);
    }

    #[test]
    fn agent_sessions_come_from_hooks_only() {
        let s = session(&[
            (
                "10:00",
                r#""event":"session_start","name":"s","owner":"u-1","user":"U","host":"1","spec":"a","agent_session_id":"c1""#,
            ),
            ("10:01", r#""event":"agent_session","agent_session_id":"c2","agent":"claude""#),
            ("10:02", r#""event":"agent_session","agent_session_id":"c1""#),
            ("10:30", r#""event":"usage","tokens":{"total":5},"source":"measured","agent_session_id":"c3""#),
        ]);
        assert_eq!(tied_agent_sessions(&s), ["c1", "c2"]);
        assert_eq!(s.agent_session_ids, ["c1", "c2", "c3"], "the fold also lists ids of measured usage");
    }
}
