//! `specwork completions SHELL`: the shell completion script on stdout (clap_complete).

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: ShellArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

pub fn run(ctx: &Ctx, a: CompletionsArgs) -> CmdResult {
    let shell = match a.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Powershell => Shell::PowerShell,
        ShellArg::Elvish => Shell::Elvish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut crate::Cli::command(), "specwork", &mut out);
    ctx.ui.text(&String::from_utf8_lossy(&out));
    Ok(0)
}
