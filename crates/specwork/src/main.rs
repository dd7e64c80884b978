//! `specwork`: spec-driven development with AI coding agents — specs, sessions, real token
//! cost, deliverables and links, in plain Markdown.

// All output goes through `ui::Ui` (ui.rs writes with `io::Write`, not the print macros); files
// are read and written with fs-err (clippy.toml lists the std::fs functions and std::io's
// stdout/stderr).
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

mod commands;
mod error;
mod hints;
mod ui;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;
use crate::ui::Ui;

/// `0.1.0 (3a46963c1d2e 2025-11-02)`: the package version and the git commit it was built from
/// (build.rs; `unknown` when built outside a git checkout, e.g. from crates.io).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SPECWORK_BUILD_COMMIT"), ")");

/// Spec-driven development with AI coding agents: specs, sessions, real token cost.
///
/// Run inside a workspace (a directory with specwork.toml, .spec-workflow/ or specs/), or pass
/// --workspace. Every report takes --json.
#[derive(Parser, Debug)]
#[command(name = "specwork", version = VERSION, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Workspace root [default: nearest directory with specwork.toml, .spec-workflow/ or specs/]
    #[arg(long, global = true, value_name = "DIR", env = "SPECWORK_WORKSPACE")]
    workspace: Option<std::path::PathBuf>,

    /// Print machine-readable JSON on stdout
    #[arg(long, global = true)]
    json: bool,

    /// Print only data and errors
    #[arg(long, short, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(commands::slash::expand(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { error::EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ui = Ui::new(cli.json, cli.quiet);
    let ctx = commands::Ctx::new(cli.workspace, ui);
    let code = match commands::run(&ctx, cli.command) {
        Ok(code) => code,
        Err(e) => e.report(&ctx.ui),
    };
    // A loaded workspace holds every spec and task; the OS frees it faster than its destructors.
    std::mem::forget(ctx);
    ExitCode::from(code)
}
