//! Attribution: which task, session and spec each usage record belongs to.
//!
//! The caller describes the work as plain [`Window`]s — a spec, optionally a task, the session
//! it belongs to, a half-open span of time `[start, end)` and the agent sessions tied to it (from
//! agent hooks, when known) — and [`attribute`] gives every record at most one window:
//!
//! 1. Only records whose working directory is one of `roots` or inside one (component-wise
//!    prefix, so `/w/ab` is not inside `/w/a`) are considered; records without a directory are
//!    never attributed. An empty `roots` accepts every directory.
//! 2. A record matches a window when `start <= timestamp < end` and, if the window names agent
//!    sessions, the record's agent session id is one of them (a window that names none accepts
//!    any agent session).
//! 3. Among the windows a record matches: a window that names the record's agent session beats
//!    one that names none; then a task window beats a session-wide window (`task: None`); then
//!    the window that started last wins (the innermost of nested windows); then the later window
//!    in the caller's order.
//!
//! Invariants: a record is attributed to at most one window, so summing windows never counts a
//! call twice; the result does not depend on the order of the records; the per-window sums are
//! exactly the sums of the records attributed to them.

use jiff::Timestamp;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

use crate::{Totals, UsageRecord};

/// A span of time in which a session worked on a spec (and a task).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The spec worked on.
    pub spec: String,
    /// The task, or `None` for the session as a whole.
    pub task: Option<String>,
    /// The session (the caller's key).
    pub session: String,
    /// First instant included.
    pub start: Timestamp,
    /// First instant no longer included (the end is exclusive).
    pub end: Timestamp,
    /// The agent sessions tied to the work; empty when unknown (any agent session matches).
    pub agent_sessions: Vec<String>,
}

/// The result of [`attribute`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attribution {
    /// For each record (in the caller's order), the index of its window.
    pub of_record: Vec<Option<usize>>,
    /// For each window (in the caller's order), the totals of the records it received.
    pub windows: Vec<Totals>,
    /// Records that windows of two or more sessions claimed with equal standing (overlapping
    /// windows of parallel sessions that name no agent session); each went to the window that
    /// started last.
    pub contested: u64,
}

impl Attribution {
    /// Totals of the records inside `roots` that no window received and that `keep` accepts.
    pub fn unattributed<'a>(
        &self,
        records: &'a [UsageRecord],
        roots: &[PathBuf],
        mut keep: impl FnMut(&'a UsageRecord) -> bool,
    ) -> Totals {
        let mut t = Totals::default();
        for (r, w) in records.iter().zip(&self.of_record) {
            if w.is_none() && inside(r, roots) && keep(r) {
                t.add_record(r);
            }
        }
        t
    }
}

/// Whether a record's working directory is one of `roots` or inside one (any directory when
/// `roots` is empty; never for a record without a directory).
pub fn inside(r: &UsageRecord, roots: &[PathBuf]) -> bool {
    match &r.cwd {
        Some(c) => {
            roots.is_empty()
                || lexical(Path::new(c.as_ref())).is_some_and(|c| {
                    roots.iter().any(|root| lexical(root).is_some_and(|root| c.starts_with(root.as_ref())))
                })
        }
        None => false,
    }
}

/// `p` with `.` and `..` resolved without touching the file system (a logged `cwd` may name a
/// directory that no longer exists); `None` for a relative path or one that climbs above `/`.
fn lexical(p: &Path) -> Option<std::borrow::Cow<'_, Path>> {
    use std::path::Component;
    if !p.is_absolute() {
        return None;
    }
    if !p.components().any(|c| matches!(c, Component::CurDir | Component::ParentDir)) {
        return Some(std::borrow::Cow::Borrowed(p));
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

/// Gives each record at most one window; see the module documentation for the rules.
pub fn attribute(records: &[UsageRecord], windows: &[Window], roots: &[PathBuf]) -> Attribution {
    // Windows by start, with the running maximum of their ends: the windows that can contain
    // `t` are a prefix of this order, scanned backwards while the running maximum is past `t`.
    let mut order: Vec<usize> = (0..windows.len()).filter(|&i| windows[i].start < windows[i].end).collect();
    order.sort_by_key(|&i| (windows[i].start, i));
    let mut max_end = Vec::with_capacity(order.len());
    let mut m = Timestamp::MIN;
    for &i in &order {
        m = m.max(windows[i].end);
        max_end.push(m);
    }
    let first = order.first().map(|&i| windows[i].start);

    let assigned: Vec<(Option<usize>, bool)> = records
        .par_iter()
        .map(|r| {
            let t = r.timestamp;
            if first.is_none_or(|f| t < f) {
                return (None, false);
            }
            let k = order.partition_point(|&i| windows[i].start <= t);
            // (named agent match, task window, start, index) — the largest wins.
            let mut best: Option<(bool, bool, Timestamp, usize)> = None;
            let mut tied_sessions = false;
            let mut checked_dir = None;
            for j in (0..k).rev() {
                if max_end[j] <= t {
                    break;
                }
                let w = &windows[order[j]];
                if w.end <= t {
                    continue;
                }
                let named = !w.agent_sessions.is_empty();
                if named && !w.agent_sessions.iter().any(|a| a.as_str() == r.session_id.as_ref()) {
                    continue;
                }
                if !*checked_dir.get_or_insert_with(|| inside(r, roots)) {
                    return (None, false);
                }
                let cand = (named, w.task.is_some(), w.start, order[j]);
                match best {
                    None => best = Some(cand),
                    Some(b) => {
                        if (b.0, b.1) == (cand.0, cand.1) && windows[b.3].session != w.session {
                            tied_sessions = true;
                        }
                        if cand > b {
                            if (b.0, b.1) != (cand.0, cand.1) {
                                tied_sessions = false;
                            }
                            best = Some(cand);
                        }
                    }
                }
            }
            (best.map(|b| b.3), tied_sessions)
        })
        .collect();

    let mut out = Attribution {
        of_record: Vec::with_capacity(records.len()),
        windows: vec![Totals::default(); windows.len()],
        contested: 0,
    };
    for (r, (w, tied)) in records.iter().zip(assigned) {
        out.of_record.push(w);
        out.contested += u64::from(tied);
        if let Some(w) = w {
            out.windows[w].add_record(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::{Agent, Tokens};

    fn rec(ts: &str, cwd: Option<&str>, session: &str, input: u64) -> UsageRecord {
        UsageRecord {
            timestamp: ts.parse().unwrap(),
            agent: Agent::Claude,
            model: Some(Arc::from("claude-haiku-4-5")),
            cwd: cwd.map(Arc::from),
            session_id: Arc::from(session),
            tokens: Tokens { input, ..Default::default() },
            cost_usd: input as f64 / 1000.0,
        }
    }

    fn win(session: &str, task: Option<&str>, start: &str, end: &str, agents: &[&str]) -> Window {
        Window {
            spec: "s".into(),
            task: task.map(str::to_owned),
            session: session.into(),
            start: start.parse().unwrap(),
            end: end.parse().unwrap(),
            agent_sessions: agents.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    #[test]
    fn windows_are_half_open_and_confined_to_the_workspace() {
        let roots = vec![PathBuf::from("/w/a")];
        let recs = vec![
            rec("2025-01-13T10:00:00Z", Some("/w/a"), "x", 1), // at the start: in
            rec("2025-01-13T10:30:00Z", Some("/w/a/sub"), "x", 2), // at the end: out
            rec("2025-01-13T10:10:00Z", Some("/w/ab"), "x", 4), // another directory
            rec("2025-01-13T10:10:00Z", None, "x", 8),         // no directory
            rec("2025-01-13T09:59:59.999Z", Some("/w/a"), "x", 16),
        ];
        let ws = vec![win("A", Some("1.1"), "2025-01-13T10:00:00Z", "2025-01-13T10:30:00Z", &[])];
        let a = attribute(&recs, &ws, &roots);
        assert_eq!(a.of_record, vec![Some(0), None, None, None, None]);
        assert_eq!(a.windows[0].input_tokens, 1);
        assert_eq!(a.unattributed(&recs, &roots, |_| true).input_tokens, 2 + 16);
        assert_eq!(a.contested, 0);
    }

    #[test]
    fn a_cwd_climbing_out_of_the_workspace_is_not_inside_it() {
        let roots = vec![PathBuf::from("/w/a")];
        let at = |cwd: &str| inside(&rec("2025-01-13T10:00:00Z", Some(cwd), "x", 1), &roots);
        assert!(!at("/w/a/../../../etc"));
        assert!(!at("/w/a/.."));
        assert!(!at("/w/a/../b"));
        assert!(!at("/../../w/a/../x"));
        assert!(!at("w/a"), "a relative cwd is nobody's workspace");
        assert!(at("/w/a/./sub/../lib"));
        assert!(at("/w/b/../a/src"));
        assert!(at("/w/a"));
    }

    #[test]
    fn precedence_agent_session_then_task_then_latest_start() {
        let recs = vec![
            rec("2025-01-13T10:20:00Z", Some("/w"), "agent-A", 1),
            rec("2025-01-13T10:20:00Z", Some("/w"), "agent-B", 2),
            rec("2025-01-13T10:50:00Z", Some("/w"), "agent-C", 4),
            rec("2025-01-13T11:10:00Z", Some("/w"), "agent-C", 8),
        ];
        let ws = vec![
            // Session A is tied to agent-A by hooks; its session window spans the morning.
            win("A", None, "2025-01-13T10:00:00Z", "2025-01-13T12:00:00Z", &["agent-A"]),
            // Session B names no agent session; a task window inside it.
            win("B", None, "2025-01-13T10:00:00Z", "2025-01-13T12:00:00Z", &[]),
            win("B", Some("1.1"), "2025-01-13T10:10:00Z", "2025-01-13T11:00:00Z", &[]),
            // Session C (no agent ids either) started a task later, overlapping B's.
            win("C", Some("2.1"), "2025-01-13T10:40:00Z", "2025-01-13T11:05:00Z", &[]),
        ];
        let a = attribute(&recs, &ws, &[]);
        // agent-A's call goes to A's session window although B's task window also covers it.
        assert_eq!(a.of_record[0], Some(0));
        // agent-B's call: A refuses it (other agent), B's task window beats B's session window.
        assert_eq!(a.of_record[1], Some(2));
        // Overlapping task windows of B and C: the latest start (C) wins, and it is contested.
        assert_eq!(a.of_record[2], Some(3));
        // After C's task ended: B's session window (C's task window ended, B's task too).
        assert_eq!(a.of_record[3], Some(1));
        assert_eq!(a.contested, 1);
        let sum: u64 = a.windows.iter().map(|w| w.input_tokens).sum();
        assert_eq!(sum, 15, "every record counted once");
        assert_eq!((a.windows[2].input_tokens, a.windows[2].calls), (2, 1));
    }
}
