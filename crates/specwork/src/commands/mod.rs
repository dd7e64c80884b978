//! One module per subcommand: `<Verb>Args` (its clap doc comments are the `--help` text) and
//! `run(ctx, args)`.

use std::cell::OnceCell;
use std::path::PathBuf;

use clap::Subcommand;
use specwork_core::Workspace;

use crate::error::CmdResult;
use crate::ui::Ui;

mod approval;
mod archive;
mod check;
mod commit;
mod completions;
mod cost;
mod dashboard;
mod deliverable;
mod deliverables;
mod do_task;
mod doctor;
mod drift;
mod end_session;
mod eod;
mod format;
mod hook;
mod init;
mod init_agent;
mod log_implementation;
mod log_task;
mod logs;
mod man;
mod mcp;
mod plan;
mod projects;
mod rebuild;
mod resume;
mod search;
mod session_status;
pub mod slash;
mod spec;
mod spec_doc;
mod start_session;
mod status;
mod statusline;
mod steering;
mod task;
mod trace;
mod tree;
mod unarchive;
mod verify;
mod work;

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
    /// Work on a spec (the seed's /spec_work): context, review, plan, start, resume
    Work(work::WorkArgs),
    /// Entry point of agent hooks: reads the hook's JSON on stdin, records it in the session
    /// journal; never fails the agent
    Hook(hook::HookArgs),
    /// One line for Claude Code's status line: session, task, today's cost (JSON on stdin)
    Statusline(statusline::StatuslineArgs),
    /// Serve the web dashboard on http://127.0.0.1:5000 (live, in English or Thai)
    Dashboard(dashboard::DashboardArgs),
    /// Tokens and cost from the agents' own logs (Claude Code, Codex, Gemini)
    Cost(cost::CostArgs),
    /// Start a session: `start-session apt-1030 spec appointment-booking`
    StartSession(start_session::StartSessionArgs),
    /// Start a task (marks it [-] and shows its prompt), or complete it with --done
    DoTask(do_task::DoTaskArgs),
    /// Record a task's status and tokens by hand: `log-task 1.1 done 45k`
    LogTask(log_task::LogTaskArgs),
    /// Active sessions: tasks done, tokens, cost
    SessionStatus(session_status::SessionStatusArgs),
    /// End a session
    EndSession(end_session::EndSessionArgs),
    /// End of day: daily summary, PROGRESS.md, archive of the day's session logs
    Eod(eod::EodArgs),
    /// Regenerate every derived file (timelines, daily summaries, PROGRESS.md) from journals and specs
    Rebuild(rebuild::RebuildArgs),
    /// Approvals of requirements, design, tasks and steering documents
    #[command(subcommand)]
    Approval(approval::ApprovalCommand),
    /// The workspaces `status --projects`, `cost --by project` and `dashboard --projects` show
    #[command(subcommand)]
    Projects(projects::ProjectsCommand),
    /// Add planned tasks and approve the plan ("Shall I proceed with this plan? (yes/no/modify)")
    Plan(plan::PlanArgs),
    /// Write an implementation log (spec-workflow-mcp format) with files and lines measured by git
    LogImplementation(log_implementation::LogImplementationArgs),
    /// Read implementation logs
    Logs(logs::LogsArgs),
    /// Search specs, context timelines and implementation logs (artifacts by name)
    Search(search::SearchArgs),
    /// Steering documents (product, tech, structure)
    #[command(subcommand)]
    Steering(steering::SteeringCommand),
    /// Move a named spec to .spec-workflow/archive/specs/
    Archive(archive::ArchiveArgs),
    /// Move an archived named spec back to .spec-workflow/specs/
    Unarchive(unarchive::UnarchiveArgs),
    /// Create or register a deliverable with its traceback header, linked from its spec
    #[command(subcommand)]
    Deliverable(deliverable::DeliverableCommand),
    /// The deliverables report: artifacts, usage by other specs, code statistics, quality
    Deliverables(deliverables::DeliverablesArgs),
    /// Requirement coverage: each requirement with its tasks, their state, verification and commits
    Trace(trace::TraceArgs),
    /// Check links (Obsidian rules), deliverables and task lists; --fix repairs what it safely can
    Check(check::CheckArgs),
    /// Run the `_Check:_` of done tasks again; report those that no longer pass
    Verify(verify::VerifyArgs),
    /// Work that no longer matches what was finished or approved; accept or reopen it
    Drift(drift::DriftArgs),
    /// git commit with `Spec:` / `Task:` trailers, recorded in the spec's timeline
    Commit(commit::CommitArgs),
    /// MCP server on stdio for AI agents
    Mcp(mcp::McpArgs),
    /// Check what specwork needs around it: agents' logs, hooks, MCP, PATH, dashboard port, workspace
    Doctor(doctor::DoctorArgs),
    /// Print a shell completion script: `specwork completions bash > ~/.local/share/bash-completion/completions/specwork`
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff): `specwork man | man -l -`
    Man(man::ManArgs),
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
            None => {
                Ok(specwork_core::model::workspace::discover(&std::env::current_dir().map_err(anyhow::Error::from)?)?)
            }
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
        Command::Doctor(a) => doctor::run(ctx, a),
        Command::Completions(a) => completions::run(ctx, a),
        Command::Man(a) => man::run(ctx, a),
        Command::Spec(c) => spec::run(ctx, c),
        Command::Tree(a) => tree::run(ctx, a),
        Command::Status(a) => status::run(ctx, a),
        Command::Resume(a) => resume::run(ctx, a),
        Command::Trace(a) => trace::run(ctx, a),
        Command::Task(c) => task::run(ctx, c),
        Command::Work(a) => work::run(ctx, a),
        Command::Hook(a) => hook::run(ctx, a),
        Command::Statusline(a) => statusline::run(ctx, a),
        Command::Dashboard(a) => dashboard::run(ctx, a),
        Command::Cost(a) => cost::run(ctx, a),
        Command::StartSession(a) => start_session::run(ctx, a),
        Command::DoTask(a) => do_task::run(ctx, a),
        Command::LogTask(a) => log_task::run(ctx, a),
        Command::SessionStatus(a) => session_status::run(ctx, a),
        Command::EndSession(a) => end_session::run(ctx, a),
        Command::Eod(a) => eod::run(ctx, a),
        Command::Rebuild(a) => rebuild::run(ctx, a),
        Command::Approval(c) => approval::run(ctx, c),
        Command::Projects(c) => projects::run(ctx, c),
        Command::Verify(a) => verify::run(ctx, a),
        Command::Drift(a) => drift::run(ctx, a),
        Command::Plan(a) => plan::run(ctx, a),
        Command::LogImplementation(a) => log_implementation::run(ctx, a),
        Command::Logs(a) => logs::run(ctx, a),
        Command::Search(a) => search::run(ctx, a),
        Command::Steering(c) => steering::run(ctx, c),
        Command::Archive(a) => archive::run(ctx, a),
        Command::Unarchive(a) => unarchive::run(ctx, a),
        Command::Deliverable(c) => deliverable::run(ctx, c),
        Command::Deliverables(a) => deliverables::run(ctx, a),
        Command::Check(a) => check::run(ctx, a),
        Command::Commit(a) => commit::run(ctx, a),
        Command::Mcp(a) => mcp::run(ctx, a),
    }
}
