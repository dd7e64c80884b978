use clap::Args;
use specwork_core::views::report;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The spec to resume
    pub spec: String,
}

pub fn run(ctx: &Ctx, a: ResumeArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let r = report::resume_with_sessions(ws, spec);
    ctx.ui.report(&r, |s| {
        render(s, &r.resume);
        render_sessions(s, &r);
    });
    Ok(0)
}

/// What the journals add: time and usage so far, who is on the spec now, the latest daily summary.
fn render_sessions(s: &mut String, r: &report::ResumeWithSessions) {
    if r.total_minutes > 0 || r.total_tokens > 0 {
        let mut line = format!("\nTime spent: {}", specwork_core::base::display::fmt_minutes(r.total_minutes));
        if r.total_tokens > 0 {
            line.push_str(&format!(
                " · {} tokens · {}",
                specwork_core::base::display::fmt_tokens(r.total_tokens),
                specwork_core::base::display::fmt_cost(r.total_cost_usd)
            ));
        }
        s.push_str(&line);
        s.push('\n');
    }
    for a in &r.active_sessions {
        let working =
            if a.in_progress.is_empty() { String::new() } else { format!(", on task {}", a.in_progress.join(", ")) };
        s.push_str(&format!("Active now: session {} ({}{working})\n", a.name, a.user));
    }
    if let Some(d) = &r.latest_daily {
        match &d.next_task {
            Some(n) => s.push_str(&format!("Latest daily summary: {} ({}: next was task {n})\n", d.path, d.date)),
            None => s.push_str(&format!("Latest daily summary: {}\n", d.path)),
        }
    }
    super::status::drift_section(s, &r.drift);
    if let Some(c) = &r.continue_from {
        s.push_str(&format!("\nContinue from task {c}: specwork do-task {} {c}\n", r.resume.id));
    }
}

pub fn render(s: &mut String, r: &report::ResumeReport) {
    s.push_str(&format!("Resuming work on spec {} ({})\n\n", r.id, r.title));
    s.push_str("## Previous Session Summary:\n");
    if r.sessions.is_empty() {
        s.push_str("- No previous sessions\n");
    }
    for sess in &r.sessions {
        let what = sess.headline().unwrap_or(sess.title.as_str());
        s.push_str(&format!(
            "- Session {} ({}): {}\n",
            sess.number,
            sess.date,
            if what.is_empty() { "—" } else { what }
        ));
    }
    s.push_str(&format!("- Status: {}/{} tasks completed\n", r.done, r.total));
    if let Some(a) = &r.last_activity {
        s.push_str(&format!("- Last activity: {a}\n"));
    }
    s.push_str("\n## Remaining Tasks:\n");
    if r.remaining.is_empty() {
        s.push_str("None — every task is done.\n");
    }
    for t in &r.remaining {
        // The seed's `4. ⏳ …`; a dotted id needs no period of its own (`1.1 ⏳ …`).
        let id = match t.id.trim_end_matches('.') {
            _ if t.id.starts_with('#') => String::new(),
            id if id.contains('.') => format!("{id} "),
            id => format!("{id}. "),
        };
        s.push_str(&format!("{id}{} {}\n", t.status.symbol(), t.title));
    }
    if let Some(n) = &r.next_task {
        s.push_str(&format!("\nNext: task {} — {}\n", n.id, n.title));
    }
}
