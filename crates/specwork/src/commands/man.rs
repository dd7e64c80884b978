//! `specwork man`: the manual page (roff, from the same clap definitions as `--help`) on stdout:
//! `specwork man > specwork.1`, or `specwork man | man -l -`.

use clap::{Args, CommandFactory};

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct ManArgs {
    /// A subcommand's page instead of the main one (`specwork man cost`)
    pub command: Option<String>,
}

pub fn run(ctx: &Ctx, a: ManArgs) -> CmdResult {
    let mut cmd = crate::Cli::command();
    cmd.build();
    let man = match &a.command {
        None => clap_mangen::Man::new(cmd),
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                return Err(crate::error::CommandError::usage(
                    format!("no command `{name}`"),
                    "`specwork --help` lists the commands",
                ));
            };
            clap_mangen::Man::new(sub.clone()).title(format!("specwork-{name}"))
        }
    };
    let mut out = Vec::new();
    man.render(&mut out).map_err(anyhow::Error::from)?;
    ctx.ui.text(&String::from_utf8_lossy(&out));
    Ok(0)
}
