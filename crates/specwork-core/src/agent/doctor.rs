//! `doctor`: a read-only report of what specwork needs around it, each problem with its fix.
//!
//! Checks: the agents' logs specwork reads for cost; per agent, whether `init --agent` has put
//! its hooks, status line and MCP server in place (asked of [`agent_files::plan`], the same
//! planner that writes them, so "installed" means "a re-run would change nothing"); per agent set
//! up in the workspace, whether its hook file holds specwork's hook for every event and those
//! hooks call this binary (`hooks.claude`, `hooks.codex`, `hooks.gemini`); the `specwork` on
//! `PATH` that hooks and MCP configurations call; whether the dashboard's port is
//! free; and the workspace's own diagnostics. It lives in the agent layer (the top one) because it
//! reads the agent integration; like a view it never writes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::agent::agent_files::{self, Agent};
use crate::base::diag::Severity;
use crate::model::workspace::{self, Workspace};

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing to do.
    Ok,
    /// Works, but something is missing that a user probably wants.
    Warn,
    /// Something is broken.
    Error,
}

/// One check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// A stable id: `logs.claude`, `agent.codex`, `hooks.gemini`, `path`, `dashboard.port`,
    /// `workspace`.
    pub id: String,
    /// How it came out.
    pub status: Status,
    /// What was found.
    pub summary: String,
    /// The command or step that fixes it (`None` when all is well).
    pub fix: Option<String>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The workspace checked, if one was found.
    pub workspace: Option<PathBuf>,
    /// Every check, in a fixed order.
    pub checks: Vec<Check>,
    /// How many checks failed.
    pub errors: usize,
    /// How many checks found something missing.
    pub warnings: usize,
}

/// What the checks look at, passed in so they can be run on a fake environment.
pub struct Env<'a> {
    /// Environment lookup (`HOME`, `CLAUDE_CONFIG_DIR`, `CODEX_HOME`, `GEMINI_DATA_DIR`, `PATH`).
    pub var: &'a dyn Fn(&str) -> Option<OsString>,
    /// Where to look for a workspace (the explicit root, or the current directory to search up from).
    pub start: PathBuf,
    /// Whether `start` was given explicitly (`--workspace`): then it is the root.
    pub explicit: bool,
    /// The dashboard port to try.
    pub port: u16,
    /// The running binary, which agents' hooks should call (`None` when unknown).
    pub exe: Option<PathBuf>,
}

fn check(id: impl Into<String>, status: Status, summary: impl Into<String>, fix: Option<String>) -> Check {
    Check { id: id.into(), status, summary: summary.into(), fix }
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Runs every check.
pub fn run(env: &Env<'_>) -> Report {
    let mut checks = Vec::new();
    logs(env, &mut checks);
    let root = if env.explicit { Some(env.start.clone()) } else { workspace::discover(&env.start).ok() };
    match &root {
        Some(root) => {
            agents(root, &mut checks);
            for agent in [Agent::Claude, Agent::Codex, Agent::Gemini] {
                if set_up(root, agent) {
                    checks.push(hooks(env, root, agent));
                }
            }
            workspace_check(root, &mut checks);
        }
        None => checks.push(check(
            "workspace",
            Status::Warn,
            format!("no workspace at or above {}", env.start.display()),
            Some("run `specwork init` in your project (or pass --workspace DIR)".into()),
        )),
    }
    on_path(env, &mut checks);
    port(env.port, &mut checks);
    let errors = checks.iter().filter(|c| c.status == Status::Error).count();
    let warnings = checks.iter().filter(|c| c.status == Status::Warn).count();
    Report { workspace: root, checks, errors, warnings }
}

fn logs(env: &Env<'_>, out: &mut Vec<Check>) {
    match specwork_usage::Sources::from_vars(env.var) {
        Ok(s) => {
            let mut any = false;
            for (agent, roots) in [("claude", &s.claude), ("codex", &s.codex), ("gemini", &s.gemini)] {
                any |= !roots.is_empty();
                out.push(if roots.is_empty() {
                    check(format!("logs.{agent}"), Status::Ok, format!("no {agent} logs found"), None)
                } else {
                    check(format!("logs.{agent}"), Status::Ok, format!("{agent} logs in {}", list(roots)), None)
                });
            }
            if !any {
                out.push(check(
                    "logs",
                    Status::Warn,
                    "no agent logs found: `specwork cost` has nothing to measure",
                    Some(
                        "use Claude Code, Codex or Gemini CLI once, or point CLAUDE_CONFIG_DIR / CODEX_HOME / \
                         GEMINI_DATA_DIR at their folders"
                            .into(),
                    ),
                ));
            }
        }
        Err(e) => out.push(check(
            "logs",
            Status::Error,
            e.to_string(),
            Some("fix or unset CLAUDE_CONFIG_DIR (a comma-separated list of folders holding projects/)".into()),
        )),
    }
}

/// Whether `agent` is set up in the workspace at `root` (its folder is there).
fn set_up(root: &Path, agent: Agent) -> bool {
    let dir = match agent {
        Agent::Claude => ".claude",
        Agent::Codex => ".codex",
        Agent::Gemini => ".gemini",
    };
    root.join(dir).exists() || (agent == Agent::Claude && root.join(".mcp.json").exists())
}

fn agents(root: &Path, out: &mut Vec<Check>) {
    for agent in [Agent::Claude, Agent::Codex, Agent::Gemini] {
        let name = agent.as_str();
        let set_up = set_up(root, agent);
        let fix = format!("specwork init --agent {name}");
        match agent_files::plan(root, agent, false) {
            Ok(changes) => {
                let missing: Vec<String> = changes.iter().filter(|c| c.new.is_some()).map(|c| c.path.clone()).collect();
                let what = match agent {
                    Agent::Claude => "hooks, status line, MCP server and slash commands",
                    Agent::Codex => "hooks, MCP server and skill",
                    Agent::Gemini => "hooks, MCP server and commands",
                };
                out.push(if missing.is_empty() {
                    check(format!("agent.{name}"), Status::Ok, format!("{name}: {what} installed"), None)
                } else if set_up {
                    check(
                        format!("agent.{name}"),
                        Status::Warn,
                        format!("{name}: {what} missing or out of date in {}", missing.join(", ")),
                        Some(fix),
                    )
                } else {
                    check(format!("agent.{name}"), Status::Ok, format!("{name}: not set up in this workspace"), None)
                });
            }
            Err(e) => out.push(check(
                format!("agent.{name}"),
                Status::Error,
                format!("{name}: {e}"),
                Some(format!("fix the file named, then run `{fix}`")),
            )),
        }
    }
}

/// `hooks.AGENT`: whether `agent`'s hook file holds specwork's hook for every event it listens
/// to, whether the agent runs hooks at all, and whether the program the hooks call (by name on
/// `PATH`, or by path) is this binary.
fn hooks(env: &Env<'_>, root: &Path, agent: Agent) -> Check {
    let name = agent.as_str();
    let id = format!("hooks.{name}");
    let rel = agent_files::hook_file(agent);
    let fix = format!("specwork init --agent {name}");
    let text = match crate::base::path_policy::read(root.join(rel)) {
        Ok(t) => t,
        Err(_) => return check(id, Status::Warn, format!("{name}: no hooks ({rel} is missing)"), Some(fix)),
    };
    let doc: serde_json::Value = match serde_json::from_slice(&text) {
        Ok(d) => d,
        Err(e) => {
            return check(
                id,
                Status::Error,
                format!("{name}: {rel}:{}:{}: invalid JSON: {e}", e.line(), e.column()),
                Some(format!("fix the file named, then run `{fix}`")),
            );
        }
    };
    // The agent's own switch for all hooks.
    let off = match agent {
        Agent::Claude => (doc["disableAllHooks"] == true).then_some("disableAllHooks is true"),
        Agent::Gemini => (doc["hooksConfig"]["enabled"] == false).then_some("hooksConfig.enabled is false"),
        Agent::Codex => None,
    };
    if let Some(why) = off {
        return check(
            id,
            Status::Warn,
            format!("{name}: hooks are turned off ({why} in {rel})"),
            Some(format!("remove the setting from {rel}, or set it the other way")),
        );
    }
    let commands = |event: &str| -> Vec<String> {
        let groups = doc["hooks"][event].as_array().map(Vec::as_slice).unwrap_or_default();
        groups
            .iter()
            .filter_map(|g| g["hooks"].as_array())
            .flatten()
            .filter_map(|h| h["command"].as_str())
            .filter(|c| agent_files::is_our_hook(c, event))
            .map(str::to_owned)
            .collect()
    };
    let events = agent_files::hook_events(agent);
    let found: Vec<(&str, Vec<String>)> = events.iter().map(|(e, _)| (*e, commands(e))).collect();
    let missing: Vec<&str> = found.iter().filter(|(_, c)| c.is_empty()).map(|(e, _)| *e).collect();
    if !missing.is_empty() {
        return check(
            id,
            Status::Warn,
            format!("{name}: specwork's hooks for {} are missing in {rel}", missing.join(", ")),
            Some(fix),
        );
    }
    // The program each hook runs, as the agent's shell finds it.
    let mut programs: Vec<&str> =
        found.iter().flat_map(|(_, c)| c).filter_map(|c| c.split_whitespace().next()).collect();
    programs.sort_unstable();
    programs.dedup();
    let this = env.exe.as_ref().map(|p| fs_err::canonicalize(p).unwrap_or_else(|_| p.clone()));
    for program in programs {
        let resolved = if program.contains(['/', '\\']) {
            Some(root.join(program)).filter(|p| p.is_file())
        } else {
            (env.var)("PATH").and_then(|p| {
                let exe = if cfg!(windows) && !program.ends_with(".exe") {
                    format!("{program}.exe")
                } else {
                    program.to_owned()
                };
                std::env::split_paths(&p).map(|d| d.join(&exe)).find(|p| p.is_file())
            })
        };
        let Some(resolved) = resolved else {
            return check(
                id,
                Status::Warn,
                format!(
                    "{name}: hooks in {rel} call `{program}`, which is not found: they fail and nothing is recorded"
                ),
                Some(
                    "put specwork on PATH (cargo install --locked specwork, npm i -g specwork), then reopen the agent"
                        .into(),
                ),
            );
        };
        let real = fs_err::canonicalize(&resolved).unwrap_or_else(|_| resolved.clone());
        if let Some(this) = this.as_ref().filter(|t| **t != real) {
            return check(
                id,
                Status::Warn,
                format!("{name}: hooks in {rel} call {}, not this specwork ({})", resolved.display(), this.display()),
                Some(format!(
                    "put {} first on PATH, or remove the other specwork",
                    this.parent().map_or_else(|| this.display().to_string(), |d| d.display().to_string())
                )),
            );
        }
    }
    let n: usize = found.iter().map(|(_, c)| c.len()).sum();
    let into = this.as_ref().map_or_else(String::new, |t| format!(", calling {}", t.display()));
    check(id, Status::Ok, format!("{name}: {n} hooks installed in {rel}{into}"), None)
}

fn workspace_check(root: &Path, out: &mut Vec<Check>) {
    match Workspace::load(root) {
        Ok(ws) => {
            let errors = ws.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = ws.diagnostics.len() - errors;
            let first = ws.diagnostics.first().map(|d| {
                let at = if d.line > 0 { format!("{}:{}", d.file, d.line) } else { d.file.clone() };
                format!("{at}: {}", d.message)
            });
            out.push(match (errors, warnings, first) {
                (0, 0, _) | (_, _, None) => check(
                    "workspace",
                    Status::Ok,
                    format!("workspace {} ({} specs) reads cleanly", root.display(), ws.specs.len()),
                    None,
                ),
                (e, w, Some(first)) => check(
                    "workspace",
                    if e > 0 { Status::Error } else { Status::Warn },
                    format!("workspace {}: {e} errors, {w} warnings (first: {first})", root.display()),
                    Some(
                        "`specwork check` lists them with fixes; `specwork check --fix` repairs what it safely can"
                            .into(),
                    ),
                ),
            });
        }
        Err(e) => out.push(check(
            "workspace",
            Status::Error,
            format!("workspace {}: {e}", root.display()),
            Some("fix specwork.toml (the error names the line)".into()),
        )),
    }
}

fn on_path(env: &Env<'_>, out: &mut Vec<Check>) {
    let exe = if cfg!(windows) { "specwork.exe" } else { "specwork" };
    let found = (env.var)("PATH").and_then(|p| std::env::split_paths(&p).map(|d| d.join(exe)).find(|p| p.is_file()));
    out.push(match found {
        Some(p) => check("path", Status::Ok, format!("{} is on PATH", p.display()), None),
        None => check(
            "path",
            Status::Warn,
            "specwork is not on PATH: agent hooks and MCP configurations call `specwork` by name",
            Some("cargo install --locked specwork, npm i -g specwork, or put the binary on PATH".into()),
        ),
    });
}

fn port(port: u16, out: &mut Vec<Check>) {
    out.push(match std::net::TcpListener::bind(("127.0.0.1", port)) {
        Ok(_) => check("dashboard.port", Status::Ok, format!("dashboard port {port} is free"), None),
        Err(e) => check(
            "dashboard.port",
            Status::Warn,
            format!("dashboard port {port} is taken ({e})"),
            Some(format!("stop the program on port {port}, or run `specwork dashboard --port N`")),
        ),
    });
}
