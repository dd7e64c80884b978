//! `specwork init --agent claude|codex|gemini`: the agent integration files (the file contents
//! and merge rules live in `specwork_core::agent::agent_files`).

use std::path::Path;

use clap::Args;
use specwork_core::agent::agent_files::{self, Action, Agent, AgentFileError, FileChange};

use crate::error::{CmdResult, CommandError, EXIT_CONFLICT, EXIT_USAGE};

#[derive(Args, Debug)]
pub struct AgentArgs {
    /// Also write the integration files of an agent: claude (slash commands, hooks, status line,
    /// .mcp.json), codex (skill, AGENTS.md section, .codex/config.toml), gemini (commands,
    /// .gemini/settings.json). Repeatable, or comma-separated
    #[arg(long = "agent", value_name = "AGENT", value_delimiter = ',', value_parser = ["claude", "codex", "gemini"])]
    pub agents: Vec<String>,

    /// Replace command and skill files that were edited since specwork wrote them (merged
    /// settings files are never replaced)
    #[arg(long)]
    pub force: bool,
}

/// Plans every agent's files; nothing is written yet.
pub fn plan(root: &Path, args: &AgentArgs) -> CmdResult<Vec<FileChange>> {
    let mut agents: Vec<Agent> = Vec::new();
    for a in &args.agents {
        let agent = Agent::parse(a).expect("clap checked the value");
        if !agents.contains(&agent) {
            agents.push(agent);
        }
    }
    let mut out = Vec::new();
    for agent in agents {
        out.extend(agent_files::plan(root, agent, args.force).map_err(error)?);
    }
    Ok(out)
}

/// Writes the planned files; returns them for the report.
pub fn apply(root: &Path, changes: Vec<FileChange>) -> CmdResult<Vec<FileChange>> {
    agent_files::apply(root, &changes).map_err(error)?;
    Ok(changes)
}

pub fn is_noop(c: &FileChange) -> bool {
    matches!(c.action, Action::Unchanged | Action::Kept)
}

pub fn render(s: &mut String, changes: &[FileChange]) {
    let mut agents: Vec<Agent> = Vec::new();
    for c in changes {
        if !agents.contains(&c.agent) {
            agents.push(c.agent);
        }
    }
    for agent in agents {
        let mine: Vec<&FileChange> = changes.iter().filter(|c| c.agent == agent).collect();
        let unchanged = mine.iter().filter(|c| c.action == Action::Unchanged).count();
        s.push_str(&format!("{} integration:", agent.as_str()));
        if unchanged == mine.len() {
            s.push_str(&format!(" {unchanged} files up to date\n"));
            continue;
        }
        s.push('\n');
        for c in mine.iter().filter(|c| c.action != Action::Unchanged) {
            let verb = match c.action {
                Action::Create => "created",
                Action::Update => "updated",
                Action::Kept => "kept",
                Action::Unchanged => unreachable!("filtered out"),
            };
            s.push_str(&format!("  {verb:<8} {}\n", c.path));
            for n in &c.notes {
                s.push_str(&format!("           {n}\n"));
            }
        }
        if unchanged > 0 {
            s.push_str(&format!("  {unchanged} other files up to date\n"));
        }
    }
}

fn error(e: AgentFileError) -> CommandError {
    let (code, hint) = match &e {
        AgentFileError::Json { .. } | AgentFileError::Toml { .. } => {
            (EXIT_USAGE, "fix the file at that line (nothing was written), then run `specwork init --agent …` again")
        }
        AgentFileError::Shape { .. } => (EXIT_USAGE, "give that key the type the agent expects, or remove it"),
        AgentFileError::Markers { .. } => {
            (EXIT_USAGE, "add the end marker after specwork's section, or remove the begin marker")
        }
        AgentFileError::NotUtf8 { .. } => (EXIT_USAGE, "save the file as UTF-8 first"),
        AgentFileError::Write(specwork_core::base::write::WriteError::Conflict { .. }) => {
            (EXIT_CONFLICT, "another program edited the file; run the command again")
        }
        AgentFileError::Write(_) => (crate::error::EXIT_FAILURE, "check the file's permissions"),
    };
    CommandError { error: e.into(), hints: vec![hint.to_owned()], code }
}
