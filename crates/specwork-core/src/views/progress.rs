//! `docs/PROGRESS.md`: overall progress across every spec, with the time, tokens and cost the
//! session journals recorded, and a list of days linking to their summaries.
//!
//! The file is derived (written by `specwork eod` and `specwork rebuild`, never edited in place):
//! it is a pure function of the specs, the journals and which daily summaries exist, so rebuilding
//! it twice gives the same bytes. It carries no "generated at" time for the same reason.

use crate::base::display;
use std::path::Path;

use crate::model::links::relative_link;
use crate::model::spec::Spec;
use crate::model::tasks::TaskCounts;
use crate::model::workspace::Workspace;
use crate::stores::session::{self, SessionIndex};
use crate::views::daily;

fn link(from_docs_to: &Path, alias: &str) -> String {
    format!("[[{}\\|{alias}]]", relative_link(Path::new("docs"), from_docs_to))
}

fn spec_target(spec: &Spec) -> &Path {
    spec.docs.tasks.as_deref().or(spec.docs.spec.as_deref()).or(spec.docs.requirements.as_deref()).unwrap_or(&spec.path)
}

/// Renders PROGRESS.md.
pub fn render(ws: &Workspace, index: &SessionIndex) -> String {
    let specs: Vec<&Spec> = ws
        .specs
        .iter()
        .filter(|s| !s.archived && (!s.tasks.tasks.is_empty() || index.for_spec(&s.id).next().is_some()))
        .collect();
    let mut totals = TaskCounts::default();
    for s in &specs {
        totals.merge(&s.tasks.counts());
    }
    let mut minutes = 0;
    let mut usage = session::Usage::default();
    for s in &index.sessions {
        minutes += s.recorded_minutes();
        usage.add(&s.usage(None));
    }
    let last = index.sessions.iter().map(|s| s.last_event).max_by_key(|t| t.ts);

    let mut out = String::new();
    out.push_str("# Progress\n\n");
    out.push_str(
        "Overall progress across all specs, from the specs and the session journals. specwork writes this \
         file (`specwork eod`, `specwork rebuild`); edits here are overwritten.\n\n",
    );
    out.push_str(&format!("**Tasks**: {}/{} done ({}%)  \n", totals.done, totals.total, totals.progress_pct()));
    out.push_str(&format!("**Sessions**: {}  \n", index.sessions.len()));
    out.push_str(&format!("**Time**: {}  \n", display::fmt_minutes(minutes)));
    out.push_str(&format!("**Tokens**: {}  \n", display::fmt_tokens_exact(usage.tokens.total)));
    out.push_str(&format!("**Cost**: {}  \n", display::fmt_cost(usage.cost_usd)));
    out.push_str(&format!("**Last activity**: {}\n", last.map_or_else(|| "none".to_owned(), |t| t.minute())));

    out.push_str("\n## Specs\n\n");
    out.push_str("| Spec | Status | Progress | Next | Sessions | Time | Tokens | Cost |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for s in &specs {
        let c = s.tasks.counts();
        let sessions: Vec<_> = index.for_spec(&s.id).collect();
        let mut u = session::Usage::default();
        let mut m = 0;
        for sess in &sessions {
            u.add(&sess.usage(Some(&s.id)));
            m += sess.recorded_minutes();
        }
        let next = s.tasks.next_task().map_or_else(|| "—".to_owned(), |t| cell(&format!("{} {}", t.id, t.title)));
        out.push_str(&format!(
            "| {} | {} | {}/{} ({}%) | {} | {} | {} | {} | {} |\n",
            link(spec_target(s), &cell(&alias(s))),
            s.status().as_str(),
            c.done,
            c.total,
            c.progress_pct(),
            next,
            sessions.len(),
            if sessions.is_empty() { "—".to_owned() } else { display::fmt_minutes(m) },
            if u.source.is_empty() { "—".to_owned() } else { display::fmt_tokens(u.tokens.total) },
            if u.source.is_empty() { "—".to_owned() } else { display::fmt_cost(u.cost_usd) },
        ));
    }

    let mut dates: Vec<&str> = index.sessions.iter().map(|s| s.day.as_str()).collect();
    dates.dedup();
    dates.sort_unstable();
    dates.dedup();
    out.push_str("\n## Days\n\n");
    if dates.is_empty() {
        out.push_str("No sessions yet.\n");
    } else {
        out.push_str("| Day | Sessions | Tasks | Tokens | Cost |\n|---|---|---|---|---|\n");
        // One pass to group the sessions by day (in index order), not one pass per day.
        let mut by_day: std::collections::HashMap<&str, Vec<&session::Session>> = std::collections::HashMap::new();
        for s in &index.sessions {
            by_day.entry(s.day.as_str()).or_default().push(s);
        }
        let summaries: std::collections::HashSet<String> = daily::existing(&ws.root).into_iter().collect();
        for d in dates.iter().rev() {
            let t = daily::totals_of(d, by_day.get(d).map_or(&[][..], Vec::as_slice));
            let day = if summaries.contains(*d) { link(&daily::path(d), d) } else { (*d).to_owned() };
            out.push_str(&format!(
                "| {day} | {} | {} | {} | {} |\n",
                t.sessions,
                t.tasks_done,
                display::fmt_tokens_exact(t.tokens),
                display::fmt_cost(t.cost_usd)
            ));
        }
    }
    out
}

/// `1014 - Cold Storage NAS` for numbered specs; a named spec's folder name says enough.
fn alias(s: &Spec) -> String {
    if s.id.bytes().all(|b| b.is_ascii_digit()) { format!("{} - {}", s.id, s.title) } else { s.id.clone() }
}

/// Text safe inside a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
