//! End-of-day summaries: `docs/sessions/daily/YYYY-MM-DD.md` and the totals `specwork eod` prints.
//!
//! A session belongs to the day it started (at its writer's UTC offset). A summary is a pure
//! function of the journals — where to continue comes from the progress snapshots the events
//! carry, not from the specs as they are later — so `specwork rebuild` regenerates the same bytes
//! for as long as the journals are the same.

use crate::base::display;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::tasks::TaskStatus;
use crate::stores::journal::{self, Progress, Stamp, TaskPointer};
use crate::stores::session::{self, Session, SessionIndex};

/// The numbers of one day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DayTotals {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Sessions started that day.
    pub sessions: usize,
    /// Distinct tasks completed in them.
    pub tasks_done: usize,
    /// Tokens.
    pub tokens: u64,
    /// Cost in USD.
    pub cost_usd: f64,
    /// Minutes recorded (active sessions count to their last event).
    pub minutes: u64,
}

/// The totals of `date`: the sessions started that day (a session belongs to the day it
/// started), the tasks they completed, their minutes, tokens and cost as their journals record
/// them — measured usage where a task has any, else its manual count, never both.
pub fn totals(index: &SessionIndex, date: &str) -> DayTotals {
    let sessions: Vec<&Session> = index.on_date(date).collect();
    totals_of(date, &sessions)
}

/// The totals of `date` from its sessions (those that started that day, in index order).
pub fn totals_of(date: &str, sessions: &[&Session]) -> DayTotals {
    let mut t = DayTotals { date: date.to_owned(), sessions: sessions.len(), ..DayTotals::default() };
    let mut done: Vec<(&str, &str)> = Vec::new();
    for s in sessions {
        for task in s.done(None) {
            if !done.contains(&(task.spec.as_str(), task.task.as_str())) {
                done.push((&task.spec, &task.task));
            }
        }
        let u = s.usage(None);
        t.tokens += u.tokens.total;
        t.cost_usd = display::round_usd(t.cost_usd + u.cost_usd);
        t.minutes += s.recorded_minutes();
    }
    t.tasks_done = done.len();
    t
}

/// The daily summary's path, relative to the workspace.
pub fn path(date: &str) -> PathBuf {
    Path::new(journal::DAILY_DIR).join(format!("{date}.md"))
}

/// Dates that have a daily summary, oldest first.
pub fn existing(root: &Path) -> Vec<String> {
    let Ok(rd) = crate::base::path_policy::read_dir(root.join(journal::DAILY_DIR)) else { return Vec::new() };
    let mut v: Vec<String> = rd
        .flatten()
        // The directory entry's type: no `stat` per summary (a long history has thousands).
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok()?.strip_suffix(".md").map(str::to_owned))
        .filter(|d| is_date(d))
        .collect();
    v.sort();
    v
}

/// Whether `s` is `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    s.parse::<jiff::civil::Date>().is_ok() && s.len() == 10
}

pub use crate::stores::session::{Snapshot, session_snapshots};

/// The latest snapshot of each spec's progress among the given sessions: `(spec, time, progress,
/// next task)`, in order of the specs' first appearance. Of equal times, the later one (in session
/// order, then journal order) wins.
pub fn snapshots(sessions: &[&Session]) -> Vec<Snapshot> {
    let mut order: Vec<String> = Vec::new();
    let mut latest: BTreeMap<String, (Stamp, Progress, Option<TaskPointer>)> = BTreeMap::new();
    // Each session's own latest snapshots merge into the same result as all their entries would:
    // the winner of a spec is the last snapshot at its latest time.
    for s in sessions {
        for (spec, ts, progress, next) in session_snapshots(s) {
            if !order.contains(&spec) {
                order.push(spec.clone());
            }
            let newer = latest.get(&spec).is_none_or(|(t, ..)| ts.ts >= t.ts);
            if newer {
                latest.insert(spec, (ts, progress, next));
            }
        }
    }
    order
        .into_iter()
        .filter_map(|sp| {
            let (ts, p, n) = latest.remove(&sp)?;
            Some((sp, ts, p, n))
        })
        .collect()
}

/// Renders the summary of `date`.
pub fn render(index: &SessionIndex, date: &str) -> String {
    let sessions: Vec<&Session> = index.on_date(date).collect();
    let t = totals(index, date);
    let mut s = String::new();
    s.push_str(&format!("# Daily Summary: {date}\n\n"));
    s.push_str(&format!("**Sessions**: {}  \n", t.sessions));
    s.push_str(&format!("**Tasks**: {}  \n", t.tasks_done));
    s.push_str(&format!("**Tokens**: {}  \n", display::fmt_tokens_exact(t.tokens)));
    s.push_str(&format!("**Cost**: {}  \n", display::fmt_cost(t.cost_usd)));
    s.push_str(&format!("**Time**: {}\n", display::fmt_minutes(t.minutes)));

    s.push_str("\n## Sessions\n");
    if sessions.is_empty() {
        s.push_str("\nNo sessions.\n");
    }
    for sess in &sessions {
        s.push_str(&format!("\n### {} — {}\n", sess.name, sess.spec));
        let until = match &sess.ended {
            Some(e) => format!("{}–{} ({})", sess.started.hm(), e.hm(), display::fmt_minutes(sess.recorded_minutes())),
            None => format!("{}– (in progress, last activity {})", sess.started.hm(), sess.last_event.hm()),
        };
        s.push_str(&format!("**Time**: {until}  \n"));
        s.push_str(&format!("**Participants**: {}  \n", sess.participants()));
        let (done, total) = sess.task_progress();
        let u = sess.usage(None);
        let mut line = format!("**Tasks**: {done}/{total} done");
        if u.tokens.total > 0 {
            line.push_str(&format!(" · {}", session::fmt_usage(&u, false)));
        }
        s.push_str(&line);
        s.push('\n');
        if !sess.tasks.is_empty() {
            s.push('\n');
        }
        for task in &sess.tasks {
            let spec = if task.spec == sess.spec { String::new() } else { format!("{} ", task.spec) };
            let mut line = format!("- {} {spec}{} {}", task.status.symbol(), task.task, task.title);
            let mut extra = Vec::new();
            if task.status != TaskStatus::Done {
                extra.push(task.status.as_str().to_owned());
            }
            // Done backed by its check, or finished past a failing one.
            match task.verified {
                Some(true) => extra.push("verified".to_owned()),
                Some(false) => extra.push("UNVERIFIED".to_owned()),
                None => {}
            }
            if let Some(u) = &task.usage {
                extra.push(session::fmt_usage(u, true));
            }
            if !extra.is_empty() {
                line.push_str(&format!(" ({})", extra.join(", ")));
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
    }

    s.push_str("\n## Where to Continue\n\n");
    let snaps = snapshots(&sessions);
    if snaps.is_empty() {
        s.push_str("- Nothing recorded.\n");
    }
    for (spec, _, p, next) in snaps {
        let mut line = format!("- **{spec}**: {}/{} tasks done", p.done, p.total);
        match next {
            Some(n) if n.title.is_empty() => line.push_str(&format!(" — next: task {}", n.id)),
            Some(n) => line.push_str(&format!(" — next: task {} {}", n.id, n.title)),
            None if p.total > 0 && p.done == p.total => line.push_str(" — every task is done"),
            None => {}
        }
        s.push_str(&line);
        s.push('\n');
    }
    for sess in sessions.iter().filter(|x| x.is_active()) {
        s.push_str(&format!(
            "- Session `{}` ({}) is still open, last activity {}; end it with `specwork end-session {}`\n",
            sess.name,
            sess.user,
            sess.last_event.hm(),
            sess.name
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert!(is_date("2025-01-13"));
        assert!(!is_date("2025-1-13"));
        assert!(!is_date("notes"));
    }
}
