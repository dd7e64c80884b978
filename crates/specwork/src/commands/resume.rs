use clap::Args;
use specwork_core::report;

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
    let r = report::resume(spec);
    ctx.ui.report(&r, |s| render(s, &r));
    Ok(0)
}

pub fn render(s: &mut String, r: &report::ResumeReport) {
    s.push_str(&format!("Resuming work on spec {} ({})\n\n", r.id, r.title));
    s.push_str("## Previous Session Summary:\n");
    if r.sessions.is_empty() {
        s.push_str("- No previous sessions\n");
    }
    for sess in &r.sessions {
        let what = sess.last_activity.as_deref().unwrap_or(sess.title.as_str());
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
        let id = if t.id.starts_with('#') { String::new() } else { format!("{}. ", t.id.trim_end_matches('.')) };
        s.push_str(&format!("{id}{} {}\n", t.status.symbol(), t.title));
    }
    if let Some(n) = &r.next_task {
        s.push_str(&format!("\nNext: task {} — {}\n", n.id, n.title));
    }
}
