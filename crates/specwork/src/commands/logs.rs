//! `specwork logs [SPEC] [--task ID]`: read implementation logs (specwork's and
//! spec-workflow-mcp's).

use clap::Args;
use serde::Serialize;
use specwork_core::Diagnostic;
use specwork_core::base::display::slash_path;
use specwork_core::stores::implog::{self, LoadedLog};

use super::{Ctx, format};
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Spec id [default: every spec, archived ones too]
    pub spec: Option<String>,
    /// Only logs of this task
    #[arg(long)]
    pub task: Option<String>,
}

#[derive(Serialize)]
struct LogsReport {
    logs: Vec<LoadedLog>,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(ctx: &Ctx, a: LogsArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let specs: Vec<&specwork_core::Spec> = match &a.spec {
        Some(id) => vec![ws.spec(id)?],
        None => ws.specs.iter().collect(),
    };
    let mut logs = Vec::new();
    let mut diagnostics = Vec::new();
    for s in specs {
        let (l, d) = implog::read_logs(ws, s);
        logs.extend(l);
        diagnostics.extend(d);
    }
    if let Some(t) = &a.task {
        let t = t.trim_end_matches('.');
        logs.retain(|l| l.log.entry.task_id == t);
    }
    let r = LogsReport { logs, diagnostics };
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
    }
    ctx.ui.report(&r, |s| {
        if r.logs.is_empty() {
            s.push_str("no implementation logs\n");
            return;
        }
        for l in &r.logs {
            let e = &l.log.entry;
            let st = &e.statistics;
            s.push_str(&format!(
                "{} task {} · {} · +{} -{} in {} file(s)\n",
                l.spec, e.task_id, e.timestamp, st.lines_added, st.lines_removed, st.files_changed
            ));
            s.push_str(&format!("  {}\n", format::truncate(&e.summary, 100)));
            for x in &l.log.artifacts {
                s.push_str(&format!("  {} {} ({}:{})\n", x.kind.as_str(), x.name, slash_path(&l.file), x.line));
            }
        }
    });
    Ok(0)
}
