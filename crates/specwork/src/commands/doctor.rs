//! `specwork doctor`: what specwork needs around it (agents' logs, hooks and MCP registration,
//! `specwork` on PATH, the dashboard port, the workspace), each problem with its fix. The checks
//! are `specwork_core::agent::doctor`; this file renders them. Exit code 0 when nothing is
//! broken (warnings included), 4 when a check failed.

use clap::Args;
use specwork_core::agent::doctor::{self, Status};

use super::Ctx;
use crate::error::{CmdResult, EXIT_PROBLEMS};

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The dashboard port to check
    #[arg(long, default_value_t = 5000)]
    pub port: u16,
}

pub fn run(ctx: &Ctx, a: DoctorArgs) -> CmdResult {
    let var = |k: &str| std::env::var_os(k);
    let (start, explicit) = match ctx.root_flag() {
        Some(p) => (std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()), true),
        None => (std::env::current_dir().map_err(anyhow::Error::from)?, false),
    };
    let exe = std::env::current_exe().ok();
    let report = doctor::run(&doctor::Env { var: &var, start, explicit, port: a.port, exe });
    ctx.ui.report(&report, |s| {
        for c in &report.checks {
            let mark = match c.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Error => "error",
            };
            s.push_str(&format!("{mark:>5}  {}\n", c.summary));
            if let Some(fix) = &c.fix {
                s.push_str(&format!("       fix: {fix}\n"));
            }
        }
        s.push_str(&format!("\n{} errors, {} warnings\n", report.errors, report.warnings));
    });
    Ok(if report.errors > 0 { EXIT_PROBLEMS } else { 0 })
}
