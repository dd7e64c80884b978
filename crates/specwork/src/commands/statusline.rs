//! `specwork statusline`: one short line for Claude Code's status line — the active session,
//! the task in progress and today's tokens and cost. Reads Claude's status-line JSON on stdin.
//! Fast and never failing: outside a workspace it prints nothing, and no problem is an error.
//!
//! Today's figures are the workspace's, as `specwork cost --today` counts them (the cost engine
//! with the workspace's scan cache); the result is kept for [`CACHE_MS`] in
//! `.specwork/hooks/statusline.json`, because Claude Code refreshes the line often. Without agent
//! logs (manual counts only) they come from the session journals.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};
use specwork_core::agent_hook;
use specwork_usage::{Filter, GroupBy, PriceOverride, PriceTable, Report, ScanOptions, Sources};

/// How long today's figures are reused.
const CACHE_MS: u128 = 5_000;

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
    let sessions = agent_hook::active_sessions(&root);
    let agent_session = input.session_id.as_deref().unwrap_or("");
    let state = agent_hook::load_state(&root, agent_session);
    let picked = agent_hook::pick_session(&sessions, agent_session, &state);
    let today = specwork_core::clock::date(&specwork_core::clock::now());
    let (tokens, cost) = today_from_logs(&root, &today).unwrap_or_else(|| {
        sessions
            .iter()
            .filter_map(|s| s.usage_by_day.get(&today))
            .fold((0u64, 0.0f64), |(t, c), (t2, c2)| (t + t2, c + c2))
    });
    let mut parts = Vec::new();
    match picked {
        Some(s) => {
            parts.push(format!("◆ {} · {}", s.name, s.spec));
            if let Some((spec, id, title)) = &s.task {
                let on = if *spec == s.spec { String::new() } else { format!("{spec} ") };
                parts.push(format!("⏳ {on}{id} {}", truncate(title, 32)));
            }
        }
        None => parts.push("◆ specwork: no active session".to_owned()),
    }
    parts.push(format!("today {} tok ${cost:.2}", short_tokens(tokens)));
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
    .find_map(|d| specwork_core::workspace::discover(&d).ok())
}

fn short_tokens(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{}k", (n + 500) / 1_000),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[derive(Serialize, Deserialize)]
struct Cached {
    date: String,
    at_ms: u128,
    tokens: u64,
    cost_usd: f64,
}

fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Today's tokens and cost of the workspace from the agents' logs (`None` without any logs or
/// calls today, or when they cannot be read).
fn today_from_logs(root: &Path, today: &str) -> Option<(u64, f64)> {
    let cache = root.join(agent_hook::STATE_DIR).join("statusline.json");
    if let Some(c) = std::fs::read(&cache).ok().and_then(|b| serde_json::from_slice::<Cached>(&b).ok())
        && c.date == today
        && now_ms().saturating_sub(c.at_ms) < CACHE_MS
    {
        return (c.tokens > 0).then_some((c.tokens, c.cost_usd));
    }
    let sources = Sources::from_env().ok()?;
    if sources.claude.is_empty() && sources.codex.is_empty() && sources.gemini.is_empty() {
        return None;
    }
    let (config, _) = specwork_core::config::Config::load(root);
    let overrides: BTreeMap<String, PriceOverride> =
        serde_json::to_value(&config.prices).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let opts = ScanOptions {
        sources,
        cache_dir: Some(root.join(".specwork").join("cache")),
        prices: PriceTable::builtin().with_overrides(&overrides).ok()?,
        project_roots: vec![root.to_owned()],
        ..ScanOptions::default()
    };
    let scan = specwork_usage::scan(&opts).ok()?;
    let mut filter = Filter::in_zone(jiff::tz::TimeZone::system());
    let day: jiff::civil::Date = today.parse().ok()?;
    filter.since = Some(day);
    filter.until = Some(day);
    filter.cwd_prefix = Some(root.to_owned());
    let t = Report::build(&scan.records, &filter, GroupBy::Day).totals;
    let c = Cached { date: today.to_owned(), at_ms: now_ms(), tokens: t.total_tokens, cost_usd: t.cost_usd };
    if let Ok(bytes) = serde_json::to_vec(&c) {
        let _ = std::fs::create_dir_all(root.join(agent_hook::STATE_DIR));
        let tmp = cache.with_extension(format!("{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &cache);
        }
    }
    (t.total_tokens > 0).then_some((t.total_tokens, t.cost_usd))
}
