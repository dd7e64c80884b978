//! The open sessions with what they used so far, and today's figures — `session-status` in the
//! CLI and the MCP server.

use serde::Serialize;
use specwork_usage::ProgressFn;

use crate::base::diag::Diagnostic;
use crate::base::display::{CostDisplay, in_currency};
use crate::model::config::{Config, CurrencyConfig};
use crate::model::tasks::TaskStatus;
use crate::stores::journal::Stamp;
use crate::stores::session::{Identity, Session};
use crate::usage::logs::{Logs, overlay_live};
use crate::usage::spend::{self, BudgetStatus, Period};
use crate::views::today::{self, DayFigures};

/// An open session.
#[derive(Clone, Debug, Serialize)]
pub struct SessionRow {
    /// Its key.
    pub session: String,
    /// Its name.
    pub name: String,
    /// Its spec.
    pub spec: String,
    /// Who runs it.
    pub user: String,
    /// Whether it is the caller's.
    pub mine: bool,
    /// When it started (RFC 3339).
    pub started: String,
    /// Minutes since it started.
    pub minutes: u64,
    /// Tasks done of those it worked on.
    pub tasks: TaskNumbers,
    /// Tasks in progress.
    pub in_progress: Vec<String>,
    /// Tokens so far (measured, else manual).
    pub tokens: u64,
    /// Input tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Cache writes.
    pub cache_creation_tokens: Option<u64>,
    /// Cache reads.
    pub cache_read_tokens: Option<u64>,
    /// Cost so far.
    pub cost_usd: f64,
    /// In the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
    /// `measured`, `manual` or `mixed`.
    pub usage_source: Option<&'static str>,
    /// Percentage points of the subscription quotas used since it started (absent when the
    /// status line never reported quotas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<crate::stores::quota::QuotaUse>,
    /// Its journal.
    pub journal: String,
}

/// Done of total.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct TaskNumbers {
    /// Done.
    pub done: usize,
    /// Worked on.
    pub total: usize,
}

/// The report.
#[derive(Clone, Debug, Serialize)]
pub struct SessionStatus {
    /// The open sessions.
    pub sessions: Vec<SessionRow>,
    /// Today's figures.
    pub today: DayFigures,
    /// Today against the daily budget.
    pub budget: BudgetStatus,
    /// Problems reading journals, and measuring.
    pub diagnostics: Vec<Diagnostic>,
    /// The second currency.
    #[serde(skip)]
    pub currency: Option<CurrencyConfig>,
}

fn row(
    s: &Session,
    me: &str,
    now: &Stamp,
    currency: Option<&CurrencyConfig>,
    quota: &[crate::stores::quota::Sample],
) -> SessionRow {
    let (done, total) = s.task_progress();
    let u = s.usage(None);
    SessionRow {
        session: s.key.clone(),
        name: s.name.clone(),
        spec: s.spec.clone(),
        user: s.user.clone(),
        mine: s.owner == me,
        started: s.started.to_string(),
        minutes: s.minutes(now),
        tasks: TaskNumbers { done, total },
        in_progress: s.tasks.iter().filter(|t| t.status == TaskStatus::InProgress).map(|t| t.task.clone()).collect(),
        tokens: u.tokens.total,
        input_tokens: u.tokens.input,
        output_tokens: u.tokens.output,
        cache_creation_tokens: u.tokens.cache_creation,
        cache_read_tokens: u.tokens.cache_read,
        cost_usd: u.cost_usd,
        cost_display: in_currency(u.cost_usd, currency),
        usage_source: (!u.source.is_empty()).then_some(u.source),
        quota: crate::stores::quota::of_session(quota, s, now),
        journal: crate::base::display::slash_path(&s.journal),
    }
}

/// The open sessions of the workspace at `root` (only the caller's with `mine`) with what their
/// open windows used so far, and today's figures.
pub fn build(root: &std::path::Path, config: &Config, mine: bool, progress: Option<ProgressFn>) -> SessionStatus {
    let who = Identity::detect(root, config);
    let now = Stamp::now();
    let tz = jiff::tz::TimeZone::system();
    let day = spend::today(&tz);
    let index = spend::index_for(root, day, day);
    let (logs, mut diagnostics) = Logs::for_sessions(root, config, progress);
    let mut live = index.clone();
    if let Some(l) = &logs {
        overlay_live(&mut live, &who.owner, l, now);
    }
    let currency = config.currency.as_ref();
    let quota = crate::stores::quota::load(root).samples;
    let sessions = live
        .active()
        .filter(|s| !mine || s.owner == who.owner)
        .map(|s| row(s, &who.owner, &now, currency, &quota))
        .collect();
    let today = today::figures(config, logs.as_ref(), &index, &who.owner, &tz, day);
    let budget = spend::budgets(config, logs.as_ref(), &index, &who.owner, &tz, day, &[Period::Day]).remove(0);
    diagnostics.extend(index.diagnostics.iter().cloned());
    SessionStatus { sessions, today, budget, diagnostics, currency: config.currency.clone() }
}
