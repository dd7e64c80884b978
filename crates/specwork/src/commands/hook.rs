//! `specwork hook EVENT`: the entry point of agent hooks. Reads the hook's JSON on stdin and
//! records what it says in the active session's journal (`specwork_core::agent::agent_hook`).
//!
//! It never blocks or fails the agent: whatever goes wrong is written to `.specwork/hook.log`
//! and the exit code is 0. Unknown events are ignored.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Args;
use specwork_core::agent::agent_hook::{self, HookEvent, HookInput};

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct HookArgs {
    /// The hook event: SessionStart, PostToolUse, Stop or SessionEnd (others are ignored)
    pub event: String,
}

pub fn run(ctx: &Ctx, a: HookArgs) -> CmdResult {
    let mut raw = Vec::new();
    if !std::io::stdin().is_terminal() {
        let _ = std::io::stdin().lock().read_to_end(&mut raw);
    }
    let Some(event) = HookEvent::parse(&a.event) else { return Ok(0) };
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
    let result = std::panic::catch_unwind(|| agent_hook::handle(&root, event, &input));
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

/// The workspace: `--workspace`, else `CLAUDE_PROJECT_DIR`, else the hook's `cwd`, else the
/// current directory — whichever is inside a workspace first. `None` outside any.
fn root(ctx: &Ctx, input: Option<&HookInput>) -> Option<PathBuf> {
    if let Some(w) = ctx.root_flag() {
        return Some(w.to_owned());
    }
    let candidates = [
        std::env::var_os("CLAUDE_PROJECT_DIR").map(PathBuf::from),
        input.and_then(|i| i.cwd.as_ref()).map(PathBuf::from),
        std::env::current_dir().ok(),
    ];
    candidates.into_iter().flatten().find_map(|d| specwork_core::model::workspace::discover(&d).ok())
}
