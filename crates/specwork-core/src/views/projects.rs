//! Every registered workspace side by side (`status --projects`, the dashboard's project home):
//! specs, progress, active sessions, approvals waiting, today's and this month's cost.
//!
//! Nothing here computes a figure of its own. Each workspace's row is made of the views that
//! workspace shows by itself: progress from [`report::portfolio`], spending from
//! [`spend::Ledger`] (the one definition of what a period cost), pending approvals from
//! [`approvals::list`]. The only thing shared is the scan of the agents' logs: it is made once
//! for all workspaces that price models alike (the user's scan cache, as `cost --all` uses) and
//! each workspace sees it through its own directories ([`Logs::shared`]), so a row equals what
//! `status --json` and `cost --today --json` print inside that workspace.
//!
//! Only workspaces in the user's registry ([`crate::stores::projects`]) are read.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rayon::prelude::*;
use serde::Serialize;
use specwork_usage::ProgressFn;

use crate::base::diag::Diagnostic;
use crate::model::config::Config;
use crate::model::tasks::{TaskCounts, TaskStatus};
use crate::model::workspace::Workspace;
use crate::stores::approvals::{self, ApprovalStatus};
use crate::stores::projects::{Project, Registry};
use crate::stores::session::{Identity, SessionIndex};
use crate::usage::logs::{self, Logs};
use crate::usage::spend::{self, Amount, Period};
use crate::views::report;

/// A session open in a workspace now.
#[derive(Clone, Debug, Serialize)]
pub struct OpenSession {
    /// Session key.
    pub session: String,
    /// The name it was started with.
    pub name: String,
    /// Its spec.
    pub spec: String,
    /// Who.
    pub user: String,
    /// Tasks in progress in it.
    pub in_progress: Vec<String>,
}

/// One workspace's row.
#[derive(Clone, Debug, Serialize)]
pub struct ProjectRow {
    /// Its registered name.
    pub name: String,
    /// Its root.
    pub path: String,
    /// Why it could not be read (`missing`, `not a workspace`), or null.
    pub stale: Option<&'static str>,
    /// Specs (archived ones left out, as `status` does).
    pub specs: usize,
    /// Tasks over those specs.
    pub tasks: TaskCounts,
    /// Overall progress, as `status --json` gives it.
    pub progress_pct: u32,
    /// Specs with a blocked task.
    pub blocked_specs: usize,
    /// Sessions open now (anyone's).
    pub active_sessions: Vec<OpenSession>,
    /// Approval requests waiting for a decision.
    pub approvals_pending: usize,
    /// What today cost (as `cost --today`, `session-status` and `eod` show it).
    pub today: Amount,
    /// What this month cost, up to today.
    pub month: Amount,
    /// The daily budget (0: none).
    pub budget_daily_usd: f64,
    /// Whether today is over that budget.
    pub over_budget: bool,
    /// How many problems reading the workspace found (`status` inside it lists them).
    pub diagnostics: usize,
}

/// The rows' sums.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ProjectTotals {
    /// Workspaces read (stale ones left out).
    pub projects: usize,
    /// Specs.
    pub specs: usize,
    /// Tasks.
    pub tasks: TaskCounts,
    /// Progress over every task.
    pub progress_pct: u32,
    /// Open sessions.
    pub active_sessions: usize,
    /// Approvals waiting.
    pub approvals_pending: usize,
    /// Today's tokens.
    pub today_tokens: u64,
    /// Today's USD.
    pub today_cost_usd: f64,
    /// This month's tokens.
    pub month_tokens: u64,
    /// This month's USD.
    pub month_cost_usd: f64,
}

/// The portfolio of every registered workspace.
#[derive(Clone, Debug, Serialize)]
pub struct ProjectsReport {
    /// The registry file.
    pub registry: String,
    /// Today (`YYYY-MM-DD`).
    pub date: String,
    /// First day of this month.
    pub month_from: String,
    /// One row per registered workspace, in registry order.
    pub projects: Vec<ProjectRow>,
    /// Sums over the rows.
    pub totals: ProjectTotals,
    /// Problems with the registry and the agents' logs.
    pub diagnostics: Vec<Diagnostic>,
}

/// How the report is made.
#[derive(Clone, Default)]
pub struct ProjectsQuery {
    /// The zone of calendar days (the system's when `None`).
    pub tz: Option<TimeZone>,
    /// Progress of a long first scan.
    pub progress: Option<ProgressFn>,
}

/// One readable workspace, loaded.
struct Loaded<'a> {
    project: &'a Project,
    ws: Workspace,
}

/// Scans for each group of workspaces that price models alike; `scans[i]` serves `loaded[i]`.
fn scans_for(
    configs: &[&Config],
    roots: &[std::path::PathBuf],
    progress: Option<ProgressFn>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Option<Arc<specwork_usage::Scan>>> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        match groups.iter_mut().find(|(first, _)| configs[*first].prices == c.prices) {
            Some((_, members)) => members.push(i),
            None => groups.push((i, vec![i])),
        }
    }
    let mut out = vec![None; configs.len()];
    for (first, members) in groups {
        let group_roots = members.iter().map(|&i| roots[i].clone()).collect();
        match logs::shared_scan(configs[first], group_roots, &[], false, progress.clone()) {
            Ok(scan) => {
                for &i in &members {
                    out[i] = Some(scan.clone());
                }
            }
            Err(e) => diagnostics.push(Diagnostic::warning(
                "",
                0,
                format!("tokens were not measured: {e}"),
                "the journals' recorded usage stands in for the agents' logs",
            )),
        }
    }
    out
}

/// Builds the report over `registry`'s workspaces.
pub fn build(registry: &Registry, q: &ProjectsQuery) -> ProjectsReport {
    let tz = q.tz.clone().unwrap_or_else(TimeZone::system);
    let today = spend::today(&tz);
    let month_from = Period::Month.first_day(today);
    let mut diagnostics = registry.diagnostics.clone();

    // Load every readable workspace (in parallel: each is independent).
    let loaded: Vec<Result<Loaded<'_>, &Project>> = registry
        .projects
        .par_iter()
        .map(|p| match p.stale() {
            Some(_) => Err(p),
            None => Workspace::load(&p.path).map(|ws| Loaded { project: p, ws }).map_err(|_| p),
        })
        .collect();
    let ok: Vec<&Loaded<'_>> = loaded.iter().filter_map(|l| l.as_ref().ok()).collect();
    let configs: Vec<&Config> = ok.iter().map(|l| &l.ws.config).collect();
    let roots: Vec<std::path::PathBuf> = ok.iter().map(|l| l.ws.root.clone()).collect();
    let scans = scans_for(&configs, &roots, q.progress.clone(), &mut diagnostics);
    let scan_of: BTreeMap<&std::path::Path, Option<Arc<specwork_usage::Scan>>> =
        roots.iter().map(std::path::PathBuf::as_path).zip(scans).collect();

    let projects: Vec<ProjectRow> = loaded
        .par_iter()
        .map(|l| match l {
            Err(p) => stale_row(p),
            Ok(l) => row(l, scan_of.get(l.ws.root.as_path()).cloned().flatten(), &tz, today, month_from),
        })
        .collect();
    for r in projects.iter().filter(|r| r.stale.is_some()) {
        diagnostics.push(Diagnostic::warning(
            &registry.file.display().to_string(),
            registry.projects.iter().find(|p| p.name == r.name).map_or(0, |p| p.line),
            format!("project `{}` is stale: {} is {}", r.name, r.path, r.stale.unwrap_or("stale")),
            format!("`specwork projects remove {}` drops it", r.name),
        ));
    }
    let totals = totals(&projects);
    ProjectsReport {
        registry: registry.file.display().to_string(),
        date: today.to_string(),
        month_from: month_from.to_string(),
        projects,
        totals,
        diagnostics,
    }
}

/// The sums over `rows` (stale rows left out).
pub fn totals(rows: &[ProjectRow]) -> ProjectTotals {
    let mut totals = ProjectTotals::default();
    for r in rows.iter().filter(|r| r.stale.is_none()) {
        totals.projects += 1;
        totals.specs += r.specs;
        totals.tasks.merge(&r.tasks);
        totals.active_sessions += r.active_sessions.len();
        totals.approvals_pending += r.approvals_pending;
        totals.today_tokens += r.today.tokens;
        totals.today_cost_usd += r.today.cost_usd;
        totals.month_tokens += r.month.tokens;
        totals.month_cost_usd += r.month.cost_usd;
    }
    totals.progress_pct = totals.tasks.progress_pct();
    totals.today_cost_usd = crate::base::display::round_usd(totals.today_cost_usd);
    totals.month_cost_usd = crate::base::display::round_usd(totals.month_cost_usd);
    totals
}

fn stale_row(p: &Project) -> ProjectRow {
    ProjectRow {
        name: p.name.clone(),
        path: p.path.display().to_string(),
        stale: Some(p.stale().unwrap_or("unreadable")),
        specs: 0,
        tasks: TaskCounts::default(),
        progress_pct: 0,
        blocked_specs: 0,
        active_sessions: Vec::new(),
        approvals_pending: 0,
        today: Amount::default(),
        month: Amount::default(),
        budget_daily_usd: 0.0,
        over_budget: false,
        diagnostics: 0,
    }
}

fn row(
    l: &Loaded<'_>,
    scan: Option<Arc<specwork_usage::Scan>>,
    tz: &TimeZone,
    today: Date,
    month_from: Date,
) -> ProjectRow {
    let ws = &l.ws;
    let portfolio = report::portfolio(ws, false);
    let logs = scan.map(|s| Logs::shared(&ws.root, s));
    let index: SessionIndex = spend::index_for(&ws.root, month_from, today);
    // Whose sessions the logs' calls go to matters only when there are sessions: an idle
    // workspace skips finding out (`git config user.name` is a process per workspace).
    let owner = if index.sessions.is_empty() { String::new() } else { Identity::detect(&ws.root, &ws.config).owner };
    let ledger = spend::Ledger::new(&ws.config, logs.as_ref(), &index, &owner, tz, month_from, today);
    let day = ledger.spend(today, today).amount;
    let month = ledger.spend(month_from, today).amount;
    let active_sessions = index
        .active()
        .map(|s| OpenSession {
            session: s.key.clone(),
            name: s.name.clone(),
            spec: s.spec.clone(),
            user: s.user.clone(),
            in_progress: s
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::InProgress)
                .map(|t| t.task.clone())
                .collect(),
        })
        .collect();
    let (records, _) = approvals::list(&ws.root);
    let budget = ws.config.budget.daily_usd;
    ProjectRow {
        name: l.project.name.clone(),
        path: ws.root.display().to_string(),
        stale: None,
        specs: portfolio.specs.len(),
        tasks: portfolio.totals,
        progress_pct: portfolio.progress_pct,
        blocked_specs: portfolio.specs.iter().filter(|s| !s.blocked.is_empty()).count(),
        active_sessions,
        approvals_pending: records.iter().filter(|a| a.status == ApprovalStatus::Pending).count(),
        over_budget: budget > 0.0 && day.cost_usd > budget,
        budget_daily_usd: budget,
        today: day,
        month,
        diagnostics: portfolio.diagnostics.len(),
    }
}
