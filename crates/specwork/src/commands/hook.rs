//! `specwork hook EVENT`: the entry point of agent hooks. Reads the hook's JSON on stdin and
//! records what it says in the active session's journal (`specwork_core::agent::agent_hook`).
//!
//! It never blocks or fails the agent: whatever goes wrong is written to `.specwork/hook.log`
//! and the exit code is 0. Unknown events are ignored. The whole hook (stdin included) runs
//! under a time bound ([`agent_hook::TIME_BOUND`]): past it, the hook gives up and returns.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Args;
use specwork_core::agent::agent_files::Agent;
use specwork_core::agent::agent_hook::{self, HookEvent, HookInput};

use super::Ctx;
use crate::error::CmdResult;

/// The most of stdin a hook reads.
const MAX_INPUT: u64 = 4 * 1024 * 1024;

#[derive(Args, Debug)]
pub struct HookArgs {
    /// The hook event: SessionStart, PostToolUse, Stop or SessionEnd (Gemini CLI's AfterTool and
    /// AfterAgent too; others are ignored)
    pub event: String,
    /// The agent sending it: claude, codex or gemini
    #[arg(long, default_value = "claude")]
    pub agent: String,
}

pub fn run(ctx: &Ctx, a: HookArgs) -> CmdResult {
    let Some(event) = HookEvent::parse(&a.event) else { return Ok(0) };
    let deadline = std::time::Instant::now() + agent_hook::TIME_BOUND;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut raw = Vec::new();
        if !std::io::stdin().is_terminal() {
            // Bounded like every read: a hook's JSON is small.
            let _ = std::io::stdin().lock().take(MAX_INPUT).read_to_end(&mut raw);
        }
        let _ = tx.send(raw);
    });
    // An agent that never closes stdin gets no answer, not a hung hook.
    let Ok(raw) = rx.recv_timeout(agent_hook::TIME_BOUND) else { return Ok(0) };
    let parsed = if raw.iter().all(u8::is_ascii_whitespace) {
        Ok(HookInput::default())
    } else {
        serde_json::from_slice::<HookInput>(&raw)
    };
    let input = parsed.as_ref().ok();
    let Some(root) = root(ctx, input) else { return Ok(0) };
    let input = match parsed {
        Ok(i) => i,
        Err(e) => {
            agent_hook::log_error(&root, &a.event, &format!("hook input is not valid JSON: {e}"));
            return Ok(0);
        }
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let (r, i) = (root.clone(), input.clone());
    let agent = Agent::parse(&a.agent).unwrap_or(Agent::Claude).as_str();
    std::thread::spawn(move || {
        let _ = tx.send(std::panic::catch_unwind(|| agent_hook::handle(&r, event, agent, &i)));
    });
    let Ok(result) = rx.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())) else {
        let secs = agent_hook::TIME_BOUND.as_secs();
        agent_hook::log_error(&root, &a.event, &format!("gave up after {secs} s (the hook never blocks the agent)"));
        return Ok(0);
    };
    match result {
        Ok(Ok(outcome)) => {
            if ctx.ui.json {
                ctx.ui.report(&outcome, |_| {});
            } else if let Some(c) = &outcome.context {
                ctx.ui.text(&format!("{c}\n"));
            }
        }
        Ok(Err(e)) => agent_hook::log_error(&root, &a.event, &e.to_string()),
        Err(_) => agent_hook::log_error(&root, &a.event, "internal error (panic); please report it"),
    }
    Ok(0)
}

/// The workspace: `--workspace`, else `CLAUDE_PROJECT_DIR` (`GEMINI_PROJECT_DIR` for Gemini
/// CLI), else the hook's `cwd`, else the current directory — whichever is inside a workspace
/// first. `None` outside any.
fn root(ctx: &Ctx, input: Option<&HookInput>) -> Option<PathBuf> {
    if let Some(w) = ctx.root_flag() {
        return Some(w.to_owned());
    }
    let candidates = [
        std::env::var_os("CLAUDE_PROJECT_DIR").map(PathBuf::from),
        std::env::var_os("GEMINI_PROJECT_DIR").map(PathBuf::from),
        input.and_then(|i| i.cwd.as_ref()).map(PathBuf::from),
        std::env::current_dir().ok(),
    ];
    candidates.into_iter().flatten().find_map(|d| specwork_core::model::workspace::discover(&d).ok())
}
