//! One module per subcommand: `<Verb>Args` (its clap doc comments are the `--help` text) and
//! `run(ctx, args)`.

use std::cell::OnceCell;
use std::path::PathBuf;

use clap::Subcommand;
use specwork_core::Workspace;

use crate::error::CmdResult;
use crate::ui::Ui;

mod dashboard;
mod format;
mod init;
mod resume;
mod spec;
mod status;
mod task;
mod tree;

/// Every subcommand.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create specwork.toml and the workspace folders (and agent integration files)
    Init(init::InitArgs),
    /// Create and list specs
    #[command(subcommand)]
    Spec(spec::SpecCommand),
    /// Show the spec tree with progress
    Tree(tree::TreeArgs),
    /// Portfolio of all specs, or one spec's status report
    Status(status::StatusArgs),
    /// Where to continue a spec: previous sessions, remaining tasks, the next task
    Resume(resume::ResumeArgs),
    /// Read and change tasks
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Serve the web dashboard on http://127.0.0.1:5000 (live, in English or Thai)
    Dashboard(dashboard::DashboardArgs),
}

/// What every command gets: output settings and the (lazily loaded) workspace.
pub struct Ctx {
    pub ui: Ui,
    workspace_flag: Option<PathBuf>,
    workspace: OnceCell<Workspace>,
}

impl Ctx {
    pub fn new(workspace_flag: Option<PathBuf>, ui: Ui) -> Self {
        Self { ui, workspace_flag, workspace: OnceCell::new() }
    }

    /// The `--workspace` flag as given.
    pub fn root_flag(&self) -> Option<&std::path::Path> {
        self.workspace_flag.as_deref()
    }

    /// The workspace root: `--workspace`, else discovered from the current directory.
    pub fn root(&self) -> CmdResult<PathBuf> {
        match &self.workspace_flag {
            Some(p) => {
                if !p.is_dir() {
                    return Err(specwork_core::WorkspaceError::NotADirectory { path: p.clone() }.into());
                }
                Ok(std::path::absolute(p).unwrap_or_else(|_| p.clone()))
            }
            None => Ok(specwork_core::workspace::discover(&std::env::current_dir().map_err(anyhow::Error::from)?)?),
        }
    }

    /// The loaded workspace (read once per command). Its diagnostics are printed on first load.
    pub fn workspace(&self) -> CmdResult<&Workspace> {
        if let Some(ws) = self.workspace.get() {
            return Ok(ws);
        }
        let ws = Workspace::load(&self.root()?)?;
        if !self.ui.json {
            self.ui.diagnostics(&ws.diagnostics);
        }
        Ok(self.workspace.get_or_init(|| ws))
    }
}

/// Runs a command; returns the exit code.
pub fn run(ctx: &Ctx, command: Command) -> CmdResult {
    match command {
        Command::Init(a) => init::run(ctx, a),
        Command::Spec(c) => spec::run(ctx, c),
        Command::Tree(a) => tree::run(ctx, a),
        Command::Status(a) => status::run(ctx, a),
        Command::Resume(a) => resume::run(ctx, a),
        Command::Task(c) => task::run(ctx, c),
        Command::Dashboard(a) => dashboard::run(ctx, a),
    }
}
