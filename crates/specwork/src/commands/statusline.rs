//! `specwork statusline`: one short line for Claude Code's status line — the active session,
//! the task in progress and today's tokens and cost. Reads Claude's status-line JSON on stdin.
//! Fast and never failing: outside a workspace it prints nothing, and no problem is an error.
//!
//! Today's figures are the workspace's, as every report counts them
//! (`specwork_core::views::today`: measured usage plus manual counts of tasks without measured
//! usage), reused for a few seconds (`today::cached_for_workspace`), because Claude Code
//! refreshes the line often.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};
use specwork_core::TaskStatus;
use specwork_core::agent::agent_hook;
use specwork_core::base::display;
use specwork_core::stores::quota::Limit;
use specwork_core::views::today;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct StatuslineArgs {}

#[derive(Deserialize, Default)]
struct StatusInput {
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    cwd: Option<String>,
    #[serde(default)]
    workspace: Option<StatusWorkspace>,
    #[serde(default)]
    model: Option<StatusModel>,
    /// Subscribers' quotas (`five_hour`, `seven_day`: `used_percentage`, `resets_at`).
    #[serde(default)]
    rate_limits: Option<RateLimits>,
}

#[derive(Deserialize, Default)]
struct RateLimits {
    #[serde(default)]
    five_hour: Option<Limit>,
    #[serde(default)]
    seven_day: Option<Limit>,
}

#[derive(Deserialize, Default)]
struct StatusModel {
    #[serde(default)]
    display_name: Option<String>,
}

#[derive(Deserialize, Default)]
struct StatusWorkspace {
    #[serde(default)]
    current_dir: Option<String>,
    #[serde(default)]
    project_dir: Option<String>,
}

/// `statusline --json`.
#[derive(Serialize)]
struct StatusLine {
    session: Option<String>,
    spec: Option<String>,
    task: Option<String>,
    task_title: Option<String>,
    today_tokens: u64,
    today_cost_usd: f64,
    line: String,
}

pub fn run(ctx: &Ctx, _a: StatuslineArgs) -> CmdResult {
    let mut raw = Vec::new();
    if !std::io::stdin().is_terminal() {
        let _ = std::io::stdin().lock().read_to_end(&mut raw);
    }
    let input: StatusInput = serde_json::from_slice(&raw).unwrap_or_default();
    let Some(root) = root(ctx, &input) else { return Ok(0) };
    if let Some(q) = &input.rate_limits {
        // Derived state: a failure to keep it never fails the status line.
        let now = specwork_core::stores::journal::Stamp::now().ts.as_second();
        if let Err(e) = specwork_core::ops::quota::record(&root, now, q.five_hour, q.seven_day) {
            agent_hook::log_error(&root, "statusline", &e.to_string());
        }
    }
    let sessions = agent_hook::active_sessions(&root);
    let agent_session = input.session_id.as_deref().unwrap_or("");
    let state = agent_hook::load_state(&root, agent_session);
    let picked = agent_hook::pick_session(&sessions, agent_session, &state);
    let today = specwork_core::usage::spend::today(&jiff::tz::TimeZone::system()).to_string();
    let (tokens, cost) = today::cached_for_workspace(&root, &today);
    let mut parts = Vec::new();
    match picked {
        Some(s) => {
            parts.push(format!("◆ {} · {}", s.name, s.spec));
            if let Some((spec, id, title)) = &s.task {
                let on = if *spec == s.spec { String::new() } else { format!("{spec} ") };
                parts.push(format!("{} {on}{id} {}", TaskStatus::InProgress.symbol(), truncate(title, 32)));
            }
        }
        None => parts.push("◆ specwork: no active session".to_owned()),
    }
    parts.push(format!("today {} tok ${cost:.2}", display::fmt_tokens_compact(tokens)));
    // The command replaces Claude Code's own status line, so the model stays in it.
    if let Some(m) = input.model.as_ref().and_then(|m| m.display_name.as_deref()).filter(|m| !m.is_empty()) {
        parts.push(m.to_owned());
    }
    let line = parts.join(" · ");
    let r = StatusLine {
        session: picked.map(|s| s.name.clone()),
        spec: picked.map(|s| s.spec.clone()),
        task: picked.and_then(|s| s.task.as_ref().map(|t| t.1.clone())),
        task_title: picked.and_then(|s| s.task.as_ref().map(|t| t.2.clone())),
        today_tokens: tokens,
        today_cost_usd: cost,
        line,
    };
    ctx.ui.report(&r, |s| {
        s.push_str(&r.line);
        s.push('\n');
    });
    Ok(0)
}

fn root(ctx: &Ctx, input: &StatusInput) -> Option<PathBuf> {
    if let Some(w) = ctx.root_flag() {
        return Some(w.to_owned());
    }
    let ws = input.workspace.as_ref();
    [
        ws.and_then(|w| w.project_dir.as_ref()).map(PathBuf::from),
        ws.and_then(|w| w.current_dir.as_ref()).map(PathBuf::from),
        input.cwd.as_ref().map(PathBuf::from),
        std::env::current_dir().ok(),
    ]
    .into_iter()
    .flatten()
    .find_map(|d| specwork_core::model::workspace::discover(&d).ok())
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}
