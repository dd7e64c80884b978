//! The cost report: rows by day, week, month or model from the agents' logs, or by spec, task or
//! session from the journals, with totals that follow [`super::spend`]'s rule (measured usage
//! inside the workspace plus manual counts of tasks without measured usage) and the budgets.
//!
//! The CLI's `cost`, the MCP `cost` tool and the dashboard's cost page all build this report;
//! they only choose the query and how to show it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use specwork_usage::{Agent, Filter, GroupBy, ProgressFn, Report, ScanOptions, Sources, Totals};

use crate::base::display::{CostDisplay, in_currency, round_usd};
use crate::model::config::{Config, CurrencyConfig};
use crate::stores::journal::{Event, JournalFile, Stamp};
use crate::stores::session::{Identity, Session, SessionIndex, Usage};
use crate::usage::logs::{self, Logs, MeasureError};
use crate::usage::spend::{self, BudgetStatus, Period};

/// How the rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostBy {
    /// Calendar day.
    Day,
    /// Week (Monday first).
    Week,
    /// Calendar month.
    Month,
    /// Model.
    Model,
    /// Spec (from the journals).
    Spec,
    /// Task (from the journals).
    Task,
    /// Session (from the journals).
    Session,
}

impl CostBy {
    /// `day`, `week`, … as in `--by`.
    pub fn as_str(self) -> &'static str {
        match self {
            CostBy::Day => "day",
            CostBy::Week => "week",
            CostBy::Month => "month",
            CostBy::Model => "model",
            CostBy::Spec => "spec",
            CostBy::Task => "task",
            CostBy::Session => "session",
        }
    }

    /// Reads `day`, `week`, … .
    pub fn parse(s: &str) -> Option<CostBy> {
        Some(match s {
            "day" => CostBy::Day,
            "week" => CostBy::Week,
            "month" => CostBy::Month,
            "model" => CostBy::Model,
            "spec" => CostBy::Spec,
            "task" => CostBy::Task,
            "session" => CostBy::Session,
            _ => return None,
        })
    }

    /// Whether the rows come from the session journals.
    pub fn is_from_journals(self) -> bool {
        matches!(self, CostBy::Spec | CostBy::Task | CostBy::Session)
    }
}

/// What the report covers.
pub struct CostQuery {
    /// The workspace, or `None` outside any (every project in the logs).
    pub root: Option<PathBuf>,
    /// Row grouping.
    pub by: CostBy,
    /// Only today.
    pub today: bool,
    /// First day included.
    pub since: Option<Date>,
    /// Last day included.
    pub until: Option<Date>,
    /// The zone of calendar days.
    pub tz: TimeZone,
    /// Only these agents (empty: all).
    pub agents: Vec<Agent>,
    /// Every project in the logs, not only the workspace's.
    pub all: bool,
    /// Read every log in full.
    pub no_cache: bool,
    /// Progress of a long first scan.
    pub progress: Option<ProgressFn>,
}

impl CostQuery {
    /// The days and agents the query covers, as the usage engine filters records.
    fn filter(&self) -> Filter {
        let mut filter = Filter::in_zone(self.tz.clone());
        if self.today {
            let today = spend::today(&self.tz);
            filter.since = Some(today);
            filter.until = Some(today);
        }
        filter.since = self.since.or(filter.since);
        filter.until = self.until.or(filter.until);
        if !self.agents.is_empty() {
            filter.agents = Some(self.agents.clone());
        }
        filter
    }

    /// The names of the agents read.
    fn agent_names(&self) -> Vec<&'static str> {
        if self.agents.is_empty() { Agent::ALL.to_vec() } else { self.agents.clone() }
            .iter()
            .map(|x| x.as_str())
            .collect()
    }

    /// The workspace's usage by day, in the system's zone.
    pub fn workspace(root: &Path) -> CostQuery {
        CostQuery {
            root: Some(root.to_path_buf()),
            by: CostBy::Day,
            today: false,
            since: None,
            until: None,
            tz: TimeZone::system(),
            agents: Vec::new(),
            all: false,
            no_cache: false,
            progress: None,
        }
    }
}

/// Why the report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CostError {
    /// Rows from the journals need a workspace.
    #[error("--by {by} needs a workspace: its rows come from the session journals")]
    NeedsWorkspace {
        /// The grouping asked for.
        by: &'static str,
    },
    /// Rows from the journals cannot be limited to agents or widened to all projects.
    #[error("rows by {by} report this workspace's sessions; the agent and all-projects filters apply to the logs")]
    JournalFilter {
        /// The grouping asked for.
        by: &'static str,
    },
    /// The logs could not be read.
    #[error(transparent)]
    Measure(#[from] MeasureError),
}

/// Totals with the cost in the second currency.
#[derive(Serialize, Clone, Debug)]
pub struct TotalsOut {
    /// The totals.
    #[serde(flatten)]
    pub totals: Totals,
    /// The cost in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
}

/// A row of the report.
#[derive(Serialize, Clone, Debug)]
pub struct CostRow {
    /// The group: a day, week, month, model, spec, `spec/task`, session key, `(unattributed)`
    /// or `(manual)`.
    pub key: String,
    /// Its totals.
    pub totals: TotalsOut,
    /// Spec of journal rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// Task of journal rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Session of journal rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// `measured`, `manual` or `mixed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// The directory of a project row (`--by project`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether a project row is a registered workspace (`--by project`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered: Option<bool>,
}

/// The cost report.
#[derive(Serialize)]
pub struct CostReport {
    /// The grouping.
    pub by: &'static str,
    /// The zone of calendar days.
    pub timezone: String,
    /// `workspace` (usage whose working directory is inside it) or `all`.
    pub scope: &'static str,
    /// The workspace.
    pub workspace: Option<String>,
    /// The agents read.
    pub agents: Vec<&'static str>,
    /// First day.
    pub since: Option<String>,
    /// Last day.
    pub until: Option<String>,
    /// The rows.
    pub rows: Vec<CostRow>,
    /// Their sum: for the workspace, the period's spending (measured plus manual).
    pub totals: TotalsOut,
    /// Of the totals, tokens counted by hand.
    pub manual_tokens: u64,
    /// Of the totals, the manual counts' estimated cost.
    pub manual_cost_usd: f64,
    /// The second display currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<CurrencyConfig>,
    /// Spending against the budgets (workspace scope, every agent).
    pub budget: Vec<BudgetStatus>,
    /// Calls that overlapping windows of parallel sessions claimed equally (journal rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contested_calls: Option<u64>,
    /// Models without a price.
    pub unpriced_models: Vec<String>,
    /// Corrupt or truncated log lines skipped.
    pub skipped_lines: usize,
    /// Those lines, `file:line: why`.
    #[serde(skip)]
    pub skipped: Vec<String>,
    /// A problem with the scan cache.
    #[serde(skip)]
    pub cache_warning: Option<String>,
}

fn totals_out(totals: Totals, currency: Option<&CurrencyConfig>) -> TotalsOut {
    TotalsOut { cost_display: in_currency(totals.cost_usd, currency), totals }
}

/// Builds the cost report for `q` with the workspace's configuration.
pub fn report(q: CostQuery, config: &Config) -> Result<CostReport, CostError> {
    let root = q.root.clone();
    let by = q.by;
    if by.is_from_journals() {
        if root.is_none() {
            return Err(CostError::NeedsWorkspace { by: by.as_str() });
        }
        if q.all || !q.agents.is_empty() {
            return Err(CostError::JournalFilter { by: by.as_str() });
        }
    }
    let mut opts = match &root {
        Some(r) => logs::scan_options_for(r, config, &q.agents)?,
        None => ScanOptions {
            sources: Sources::from_env_for(&q.agents).map_err(MeasureError::Sources)?,
            cache_dir: logs::cache_home(),
            prices: logs::price_table(config)?,
            ..ScanOptions::default()
        },
    };
    if !q.agents.is_empty() {
        opts.sources = opts.sources.only(&q.agents);
    }
    opts.no_cache = q.no_cache;
    opts.progress = q.progress.clone();
    let scan = specwork_usage::scan(&opts).map_err(MeasureError::Scan)?;
    report_from_scan(q, config, std::sync::Arc::new(scan))
}

/// [`report`] from a scan already made (with the workspace's prices and `q`'s agents): `cost --by
/// project` scans once and builds each workspace's report from the same scan.
pub fn report_from_scan(
    q: CostQuery,
    config: &Config,
    scan: std::sync::Arc<specwork_usage::Scan>,
) -> Result<CostReport, CostError> {
    let root = q.root.clone();
    let by = q.by;
    let tz = q.tz.clone();
    let today = spend::today(&tz);
    let filter = q.filter();
    let scope_all = q.all || root.is_none();
    let logs = Logs { roots: root.as_deref().map(logs::roots).unwrap_or_default(), scan };
    let cur = config.currency.as_ref();
    let now = Stamp::now();
    // Inside the workspace means inside any of its directories (as given or resolved), the same
    // test the spending rule uses.
    let in_scope = |r: &specwork_usage::UsageRecord| scope_all || specwork_usage::inside(r, &logs.roots);

    let owner = root.as_ref().map(|r| Identity::detect(r, config).owner);
    let mut rows: Vec<CostRow> = Vec::new();
    let mut contested = None;
    let mut journal_index: Option<SessionIndex> = None;
    if by.is_from_journals() {
        let r = root.as_ref().expect("checked above");
        let owner = owner.as_deref().expect("a workspace");
        let mut index = SessionIndex::load(r);
        let attributed = logs::overlay_live(&mut index, owner, &logs, now);
        rows = journal_rows(&index, by, &filter, cur);
        let un = attributed.result.unattributed(&logs.scan.records, &logs.roots, |r| filter.matches(r));
        if un.total_tokens > 0 || un.cost_usd != 0.0 {
            rows.push(CostRow {
                key: "(unattributed)".to_owned(),
                totals: totals_out(un, cur),
                spec: None,
                task: None,
                session: None,
                source: Some("measured"),
                path: None,
                registered: None,
            });
        }
        contested = Some(attributed.result.contested);
        journal_index = Some(index);
    } else {
        let group = match by {
            CostBy::Week => GroupBy::Week,
            CostBy::Month => GroupBy::Month,
            CostBy::Model => GroupBy::Model,
            _ => GroupBy::Day,
        };
        let report = Report::build(logs.scan.records.iter().filter(|r| in_scope(r)), &filter, group);
        // Rows of API-error lines (no model, no tokens) say nothing.
        rows.extend(report.rows.into_iter().filter(|r| r.totals.total_tokens > 0 || r.totals.cost_usd != 0.0).map(
            |r| CostRow {
                key: r.key,
                totals: totals_out(r.totals, cur),
                spec: None,
                task: None,
                session: None,
                source: None,
                path: None,
                registered: None,
            },
        ));
    }

    // Manual counts of tasks without measured usage belong to the workspace's spending: rows
    // from the logs get them as one `(manual)` row (journal rows already hold them).
    let (mut manual_tokens, mut manual_usd) = (0, 0.0);
    let mut budgets = Vec::new();
    if !scope_all && q.agents.is_empty() {
        let r = root.as_ref().expect("workspace scope");
        let owner = owner.as_deref().expect("a workspace");
        let first = Period::Week.first_day(today).min(Period::Month.first_day(today));
        let (from, until) = match (filter.since, filter.until) {
            (Some(a), Some(b)) => (a.min(first), b.max(today)),
            (Some(a), None) => (a.min(first), today),
            (None, _) => (Date::MIN, today),
        };
        let index = match journal_index {
            Some(i) => i,
            None if from == Date::MIN => SessionIndex::load(r),
            None => spend::index_for(r, from, until),
        };
        let ledger = spend::Ledger::new(config, Some(&logs), &index, owner, &tz, from, until);
        let period = ledger.spend(filter.since.unwrap_or(Date::MIN), filter.until.unwrap_or(Date::MAX));
        manual_tokens = period.amount.manual_tokens;
        manual_usd = period.amount.manual_usd;
        if !by.is_from_journals() && (manual_tokens > 0 || manual_usd != 0.0) {
            let t = Totals { total_tokens: manual_tokens, cost_usd: manual_usd, ..Totals::default() };
            rows.push(CostRow {
                key: "(manual)".to_owned(),
                totals: totals_out(t, cur),
                spec: None,
                task: None,
                session: None,
                source: Some("manual"),
                path: None,
                registered: None,
            });
        }
        budgets = Period::ALL.iter().map(|&p| ledger.budget(&config.budget, p, today)).collect();
    }
    let mut totals = Totals::default();
    for r in &rows {
        totals.merge(&r.totals.totals);
    }
    totals.cost_usd = round_usd(totals.cost_usd);

    Ok(CostReport {
        by: by.as_str(),
        timezone: tz.iana_name().unwrap_or("system").to_owned(),
        scope: if scope_all { "all" } else { "workspace" },
        workspace: root.as_ref().map(|r| r.display().to_string()),
        agents: q.agent_names(),
        since: filter.since.map(|d| d.to_string()),
        until: filter.until.map(|d| d.to_string()),
        rows,
        totals: totals_out(totals, cur),
        manual_tokens,
        manual_cost_usd: manual_usd,
        currency: config.currency.clone(),
        budget: budgets,
        contested_calls: contested,
        unpriced_models: logs.scan.unpriced_models.iter().cloned().collect(),
        skipped_lines: logs.scan.issues.len(),
        skipped: logs.scan.issues.iter().map(|i| i.to_string()).collect(),
        cache_warning: logs.scan.cache_warning.clone(),
    })
}

/// A session's view restricted to the usage recorded on days `filter` covers: usage events and
/// task logs outside them are left out before folding.
fn dated(s: &Session, filter: &Filter) -> Option<Session> {
    if filter.since.is_none() && filter.until.is_none() {
        return None;
    }
    let covered = |st: &Stamp| {
        let d = filter.day(st.ts);
        filter.since.is_none_or(|x| d >= x) && filter.until.is_none_or(|x| d <= x)
    };
    let entries = s
        .entries
        .iter()
        .filter(|e| !matches!(e.event, Event::Usage { .. }) || covered(&e.ts))
        .map(|e| {
            let mut e = e.clone();
            if let Event::TaskEnd(r) | Event::LogTask(r) = &mut e.event
                && !covered(&e.ts)
            {
                r.tokens = None;
                r.cost_usd = None;
                r.source = None;
            }
            e
        })
        .collect();
    let file = JournalFile { path: s.journal.clone(), archived: s.archived, entries, ..Default::default() };
    Session::from_journal(file)
}

fn usage_totals(u: &Usage) -> Totals {
    Totals {
        input_tokens: u.tokens.input.unwrap_or(0),
        output_tokens: u.tokens.output.unwrap_or(0),
        cache_creation_tokens: u.tokens.cache_creation.unwrap_or(0),
        cache_read_tokens: u.tokens.cache_read.unwrap_or(0),
        reasoning_tokens: 0,
        reasoning_output_tokens: 0,
        total_tokens: u.tokens.total,
        cost_usd: u.cost_usd,
        calls: 0,
    }
}

/// Rows by spec, task or session from the journals: a task's usage in a session is its measured
/// usage when it has any, else its last manual count; usage of a session outside its tasks goes
/// to `{spec}/(no task)`.
fn journal_rows(index: &SessionIndex, by: CostBy, filter: &Filter, currency: Option<&CurrencyConfig>) -> Vec<CostRow> {
    let mut groups: BTreeMap<String, CostRow> = BTreeMap::new();
    let mut add = |key: String, spec: &str, task: Option<&str>, session: &str, u: &Usage| {
        if u.tokens.total == 0 && u.cost_usd == 0.0 {
            return;
        }
        let row = groups.entry(key.clone()).or_insert_with(|| CostRow {
            key,
            totals: totals_out(Totals::default(), None),
            spec: Some(spec.to_owned()),
            task: match by {
                CostBy::Task => Some(task.unwrap_or("(no task)").to_owned()),
                _ => None,
            },
            session: (by == CostBy::Session).then(|| session.to_owned()),
            source: Some(u.source),
            path: None,
            registered: None,
        });
        row.totals.totals.merge(&usage_totals(u));
        row.totals.totals.cost_usd = round_usd(row.totals.totals.cost_usd);
        if row.source != Some(u.source) {
            row.source = Some("mixed");
        }
    };
    for s in &index.sessions {
        let view = dated(s, filter);
        let s = view.as_ref().unwrap_or(s);
        let key = |spec: &str, task: Option<&str>| match by {
            CostBy::Spec => spec.to_owned(),
            CostBy::Task => format!("{spec}/{}", task.unwrap_or("(no task)")),
            _ => s.key.clone(),
        };
        for t in &s.tasks {
            if let Some(u) = &t.usage {
                add(key(&t.spec, Some(&t.task)), &t.spec, Some(&t.task), &s.key, u);
            }
        }
        for (sp, u) in &s.loose_usage {
            let spec = sp.as_deref().unwrap_or(&s.spec);
            add(key(spec, None), spec, None, &s.key, u);
        }
    }
    groups
        .into_values()
        .map(|mut r| {
            r.totals.cost_display = in_currency(r.totals.totals.cost_usd, currency);
            r
        })
        .collect()
}

/// A workspace of the user's registry, for [`by_project`].
pub struct RegisteredRoot {
    /// Its name.
    pub name: String,
    /// Its root.
    pub root: PathBuf,
}

/// `cost --by project`: one row per registered workspace — its own report's totals, exactly what
/// `cost` prints inside it for the same days and agents — then the usage of every other
/// directory in the logs, one row per working directory. `q.root` is ignored. The logs are
/// scanned once per price table (workspaces with the same `[prices]` share a scan).
pub fn by_project(q: CostQuery, projects: &[RegisteredRoot]) -> Result<CostReport, CostError> {
    let configs: Vec<Config> = projects.iter().map(|p| Config::load(&p.root).0).collect();
    let default = Config::default();
    let mut scans: Vec<(&Config, std::sync::Arc<specwork_usage::Scan>)> = Vec::new();
    let roots: Vec<PathBuf> = projects.iter().map(|p| p.root.clone()).collect();
    let mut scan_for = |config: &Config| -> Result<std::sync::Arc<specwork_usage::Scan>, CostError> {
        if let Some((_, s)) = scans.iter().find(|(c, _)| c.prices == config.prices) {
            return Ok(s.clone());
        }
        let s = logs::shared_scan(config, roots.clone(), &q.agents, q.no_cache, q.progress.clone())?;
        let c: &Config = configs.iter().find(|c| c.prices == config.prices).unwrap_or(&default);
        scans.push((c, s.clone()));
        Ok(s)
    };
    let mut rows = Vec::new();
    let (mut manual_tokens, mut manual_usd) = (0u64, 0.0f64);
    let mut unpriced: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut outside_roots: Vec<PathBuf> = Vec::new();
    for (p, config) in projects.iter().zip(&configs) {
        let scan = scan_for(config)?;
        let sub = CostQuery {
            root: Some(p.root.clone()),
            by: CostBy::Day,
            today: q.today,
            since: q.since,
            until: q.until,
            tz: q.tz.clone(),
            agents: q.agents.clone(),
            all: false,
            no_cache: q.no_cache,
            progress: None,
        };
        let r = report_from_scan(sub, config, scan)?;
        outside_roots.extend(logs::roots(&p.root));
        manual_tokens += r.manual_tokens;
        manual_usd += r.manual_cost_usd;
        unpriced.extend(r.unpriced_models);
        rows.push(CostRow {
            key: p.name.clone(),
            // In dollars: projects may each have their own second currency.
            totals: TotalsOut { cost_display: None, ..r.totals },
            spec: None,
            task: None,
            session: None,
            source: None,
            path: Some(p.root.display().to_string()),
            registered: Some(true),
        });
    }
    // Every other directory in the logs, priced with the built-in table.
    let scan = scan_for(&default)?;
    let filter = q.filter();
    let others = scan.records.iter().filter(|r| !specwork_usage::inside(r, &outside_roots) || r.cwd.is_none());
    let report = Report::build(others, &filter, GroupBy::Project);
    for r in report.rows.into_iter().filter(|r| r.totals.total_tokens > 0 || r.totals.cost_usd != 0.0) {
        rows.push(CostRow {
            path: Some(r.key.clone()),
            key: r.key,
            totals: totals_out(r.totals, None),
            spec: None,
            task: None,
            session: None,
            source: None,
            registered: Some(false),
        });
    }
    unpriced.extend(scan.unpriced_models.iter().cloned());
    let mut totals = Totals::default();
    for r in &rows {
        totals.merge(&r.totals.totals);
    }
    totals.cost_usd = round_usd(totals.cost_usd);
    Ok(CostReport {
        by: "project",
        timezone: q.tz.iana_name().unwrap_or("system").to_owned(),
        scope: "projects",
        workspace: None,
        agents: q.agent_names(),
        since: filter.since.map(|d| d.to_string()),
        until: filter.until.map(|d| d.to_string()),
        rows,
        totals: totals_out(totals, None),
        manual_tokens,
        manual_cost_usd: round_usd(manual_usd),
        currency: None,
        budget: Vec::new(),
        contested_calls: None,
        unpriced_models: unpriced.into_iter().collect(),
        skipped_lines: scan.issues.len(),
        skipped: scan.issues.iter().map(|i| i.to_string()).collect(),
        cache_warning: scan.cache_warning.clone(),
    })
}
