use clap::Args;
use specwork_core::ops::derived::{self, Outcome};
use specwork_core::stores::journal::WorkspaceLock;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct RebuildArgs {}

pub fn run(ctx: &Ctx, _a: RebuildArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let _lock = WorkspaceLock::acquire(&ws.root);
    let r = derived::rebuild(ws)?;
    ctx.ui.outcome(&r, |s| {
        let count = |o: Outcome| r.files.iter().filter(|f| f.outcome == o).count();
        s.push_str(&format!(
            "rebuilt from {} session{}: {} created, {} updated, {} unchanged\n",
            r.sessions,
            if r.sessions == 1 { "" } else { "s" },
            count(Outcome::Created),
            count(Outcome::Updated),
            count(Outcome::Unchanged)
        ));
        for f in r.files.iter().filter(|f| f.outcome != Outcome::Unchanged) {
            let what = if f.outcome == Outcome::Created { "created" } else { "updated" };
            s.push_str(&format!("  {what} {}\n", f.path));
        }
        if r.gitattributes_added {
            s.push_str("  added merge rules for derived files to .gitattributes\n");
        }
        if r.truncated_journals > 0 {
            s.push_str(&format!(
                "  {} journal{} end in an interrupted write (skipped line)\n",
                r.truncated_journals,
                if r.truncated_journals == 1 { "" } else { "s" }
            ));
        }
    });
    Ok(0)
}
