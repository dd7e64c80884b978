use clap::Args;
use specwork_core::ops::check::{self, CheckReport};

use super::Ctx;
use crate::error::{CmdResult, EXIT_PROBLEMS};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Repair what can be repaired safely: links to moved files, missing traceback headers,
    /// deliverables missing from their spec's list
    #[arg(long)]
    pub fix: bool,
}

pub fn run(ctx: &Ctx, a: CheckArgs) -> CmdResult {
    // The workspace's diagnostics are part of the report, not printed before it.
    let ws = specwork_core::Workspace::load(&ctx.root()?)?;
    let r = check::check(&ws, a.fix)?;
    ctx.ui.report(&r, |s| render(s, &r));
    Ok(if r.remaining > 0 { EXIT_PROBLEMS } else { 0 })
}

fn render(s: &mut String, r: &CheckReport) {
    for p in &r.problems {
        let loc = if p.line == 0 { p.file.clone() } else { format!("{}:{}", p.file, p.line) };
        let status = if p.fixed { " (fixed)" } else { "" };
        let kind = serde_json::to_value(p.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        s.push_str(&format!("{loc}: {kind}: {}{status}\n", p.message));
        if !p.fixed {
            s.push_str(&format!("  hint: {}\n", p.hint));
        }
    }
    if !r.problems.is_empty() {
        s.push('\n');
    }
    s.push_str(&format!(
        "checked {} Markdown files, {} links, {} deliverables: ",
        r.files_checked, r.links_checked, r.deliverables_checked
    ));
    match (r.remaining, r.fixed) {
        (0, 0) => s.push_str("no problems\n"),
        (0, f) => s.push_str(&format!("{f} fixed, none left\n")),
        (n, 0) => s.push_str(&format!("{n} problem{}\n", if n == 1 { "" } else { "s" })),
        (n, f) => s.push_str(&format!("{f} fixed, {n} left\n")),
    }
}
