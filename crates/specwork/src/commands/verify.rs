//! `specwork verify [SPEC]`: run the `_Check:_` of every done task again and report those that
//! no longer pass (exit 4 when any).

use clap::Args;
use specwork_core::ops::verify;

use super::Ctx;
use crate::error::{CmdResult, EXIT_PROBLEMS};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The spec [default: every spec not archived]
    pub spec: Option<String>,
    /// How long each check may run, in seconds [default: 600]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
}

pub fn run(ctx: &Ctx, a: VerifyArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let specs: Vec<&specwork_core::Spec> = match &a.spec {
        Some(id) => vec![ws.spec(id)?],
        None => ws.specs.iter().filter(|s| !s.archived).collect(),
    };
    let timeout = a.timeout.map_or(verify::DEFAULT_TIMEOUT, std::time::Duration::from_secs);
    let r = verify::verify(ws, &specs, timeout);
    ctx.ui.report(&r, |s| {
        for v in &r.results {
            let secs = v.run.duration_ms as f64 / 1000.0;
            if v.run.passed {
                s.push_str(&format!("✓ {} task {}: `{}` passes ({secs:.1}s)\n", v.spec, v.task, v.run.command));
            } else {
                s.push_str(&format!(
                    "✗ {} task {}: `{}` no longer passes ({}, {secs:.1}s)\n",
                    v.spec,
                    v.task,
                    v.run.command,
                    specwork_core::stores::activity::exit_text(&v.run)
                ));
                for l in v.run.tail.lines() {
                    s.push_str(&format!("    {l}\n"));
                }
            }
        }
        match (r.results.len(), r.failing) {
            (0, _) => s.push_str("no done task has a _Check:_ to run\n"),
            (n, 0) => s.push_str(&format!("{n} check(s) of done tasks pass\n")),
            (n, f) => s.push_str(&format!("{f} of {n} check(s) of done tasks no longer pass\n")),
        }
    });
    Ok(if r.failing > 0 { EXIT_PROBLEMS } else { 0 })
}
