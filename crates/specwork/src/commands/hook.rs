//! `specwork hook EVENT`: the entry point of agent hooks. Reads the hook's JSON on stdin and
//! records what it says in the active session's journal (`specwork_core::agent_hook`).
//!
//! It never blocks or fails the agent: whatever goes wrong is written to `.specwork/hook.log`
//! and the exit code is 0. Unknown events are ignored.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Args;
use specwork_core::agent_hook::{self, HookEvent, HookInput, MeasuredUsage};
use specwork_usage::{Agent, PriceOverride, PriceTable, ScanOptions, Sources};

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
    let result = std::panic::catch_unwind(|| {
        let mut outcome = agent_hook::handle(&root, event, &input)?;
        if matches!(event, HookEvent::Stop | HookEvent::SessionEnd)
            && let (Some(_), Some(t), Some(id)) = (&outcome.session, &outcome.transcript_path, &input.session_id)
        {
            match measure(&root, Path::new(t), id) {
                Ok(Some(total)) => outcome.measured_tokens = agent_hook::record_usage(&root, id, &outcome, &total)?,
                Ok(None) => {}
                Err(e) => agent_hook::log_error(&root, &a.event, &e),
            }
        }
        Ok::<_, agent_hook::HookError>(outcome)
    });
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
    candidates.into_iter().flatten().find_map(|d| specwork_core::workspace::discover(&d).ok())
}

/// Everything the agent session's transcript holds now, with the cost engine's rules (the
/// Claude config folder the transcript lives in is scanned, with the workspace's scan cache, so
/// copies of messages in other files count once, as in `specwork cost`). `None` when the path is
/// not a Claude transcript (`<root>/projects/<project>/<session>.jsonl`).
fn measure(root: &Path, transcript: &Path, agent_session: &str) -> Result<Option<MeasuredUsage>, String> {
    let Some(claude_root) = transcript
        .parent()
        .and_then(Path::parent)
        .filter(|p| p.file_name().is_some_and(|n| n == "projects"))
        .and_then(Path::parent)
    else {
        return Ok(None);
    };
    let opts = ScanOptions {
        sources: Sources { claude: vec![claude_root.to_owned()], ..Sources::default() },
        cache_dir: Some(root.join(".specwork").join("cache")),
        prices: prices(root)?,
        project_roots: vec![root.to_owned()],
        ..ScanOptions::default()
    };
    let scan = specwork_usage::scan(&opts).map_err(|e| format!("cannot read the transcript's usage: {e}"))?;
    let mut total = MeasuredUsage::default();
    let mut by_model: BTreeMap<&str, u64> = BTreeMap::new();
    for r in scan.records.iter().filter(|r| r.agent == Agent::Claude && &*r.session_id == agent_session) {
        total.input += r.tokens.input;
        total.output += r.tokens.output;
        total.cache_creation += r.tokens.cache_creation;
        total.cache_read += r.tokens.cache_read;
        total.cost_usd += r.cost_usd;
        if let Some(m) = &r.model {
            *by_model.entry(m).or_default() += r.tokens.total();
        }
    }
    total.model = by_model.into_iter().max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m))).map(|(m, _)| m.to_owned());
    Ok(Some(total))
}

/// Built-in prices with the workspace's `[prices]` overrides (as `specwork cost` uses them).
fn prices(root: &Path) -> Result<PriceTable, String> {
    let (config, _) = specwork_core::config::Config::load(root);
    let json = serde_json::to_value(&config.prices).map_err(|e| e.to_string())?;
    let overrides: BTreeMap<String, PriceOverride> =
        serde_json::from_value(json).map_err(|e| format!("invalid [prices] in specwork.toml: {e}"))?;
    PriceTable::builtin().with_overrides(&overrides).map_err(|e| e.to_string())
}
