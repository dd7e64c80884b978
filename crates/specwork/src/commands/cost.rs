//! `specwork cost`: tokens and cost measured from the agents' own logs (Claude Code, Codex CLI,
//! Gemini CLI), with ccusage's accounting rules and an incremental scan cache.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::{Args, ValueEnum};
use serde::Serialize;
use specwork_core::workspace::WorkspaceError;
use specwork_usage::{
    Agent, Filter, GroupBy, PriceOverride, PriceTable, Report, Row, ScanOptions, ScanProgress, Sources, Totals,
};

use super::Ctx;
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct CostArgs {
    /// Only today (in --timezone)
    #[arg(long, conflicts_with_all = ["since", "until"])]
    pub today: bool,
    /// First day included (YYYY-MM-DD or YYYYMMDD)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day included (YYYY-MM-DD or YYYYMMDD)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// How to group the rows
    #[arg(long, value_enum, default_value_t = By::Day)]
    pub by: By,
    /// Time zone that defines calendar days: an IANA name, UTC or +07:00 [default: the system's]
    #[arg(long, value_name = "TZ")]
    pub timezone: Option<String>,
    /// Only this agent's logs (repeatable) [default: all agents]
    #[arg(long, value_enum, value_name = "AGENT")]
    pub agent: Vec<AgentArg>,
    /// Every project in the logs, not only this workspace's directory
    #[arg(long)]
    pub all: bool,
    /// Ignore the scan cache and read every log in full
    #[arg(long)]
    pub no_cache: bool,
    /// Print the price table (built-in prices plus specwork.toml overrides) and exit
    #[arg(long)]
    pub prices: bool,
    /// Name every corrupt or truncated log line (file:line)
    #[arg(long, short)]
    pub verbose: bool,
}

/// Row grouping.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Day,
    Week,
    Month,
    Spec,
    Task,
    Session,
    Model,
}

/// An agent on the command line.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentArg {
    Claude,
    Codex,
    Gemini,
}

impl From<AgentArg> for Agent {
    fn from(a: AgentArg) -> Self {
        match a {
            AgentArg::Claude => Agent::Claude,
            AgentArg::Codex => Agent::Codex,
            AgentArg::Gemini => Agent::Gemini,
        }
    }
}

#[derive(Serialize)]
struct CostReport<'a> {
    by: &'static str,
    timezone: String,
    /// `workspace` (usage whose working directory is inside it) or `all`.
    scope: &'static str,
    workspace: Option<String>,
    agents: Vec<&'static str>,
    since: Option<String>,
    until: Option<String>,
    rows: &'a [Row],
    totals: &'a Totals,
    unpriced_models: Vec<String>,
    /// Corrupt or truncated log lines skipped.
    skipped_lines: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
}

#[derive(Serialize)]
struct PriceRow<'a> {
    model: &'a str,
    #[serde(flatten)]
    price: &'a specwork_usage::ModelPrice,
}

#[derive(Serialize)]
struct PriceList<'a> {
    unit: &'static str,
    as_of: &'static str,
    models: Vec<PriceRow<'a>>,
}

fn parse_date(s: &str, flag: &str) -> CmdResult<jiff::civil::Date> {
    let t = s.trim();
    let iso = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
    } else {
        t.to_owned()
    };
    iso.parse()
        .map_err(|_| CommandError::usage(format!("invalid {flag} date {s:?}"), "write dates as YYYY-MM-DD or YYYYMMDD"))
}

fn cache_home() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("specwork"));
    }
    std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache").join("specwork"))
}

fn price_table(root: Option<&Path>, ctx: &Ctx) -> CmdResult<PriceTable> {
    let Some(root) = root else {
        return Ok(PriceTable::builtin());
    };
    let (config, diag) = specwork_core::config::Config::load(root);
    if let Some(d) = diag {
        ctx.ui.diagnostics(&[d]);
    }
    let json = serde_json::to_value(&config.prices).map_err(anyhow::Error::from)?;
    let overrides: BTreeMap<String, PriceOverride> = serde_json::from_value(json).map_err(|e| {
        CommandError::usage(
            format!("invalid [prices] in specwork.toml: {e}"),
            "prices are USD per million tokens: input, output, cache_write_5m, cache_write_1h, cache_read",
        )
    })?;
    PriceTable::builtin().with_overrides(&overrides).map_err(|e| {
        CommandError::usage(e.to_string(), "fix the [prices.\"model\"] entry in specwork.toml (USD per million tokens)")
    })
}

fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn money(v: f64) -> String {
    format!("${v:.2}")
}

/// A progress line on stderr for long first scans (terminal only).
fn progress_line() -> Option<specwork_usage::ProgressFn> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let start = std::time::Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    Some(Arc::new(move |p: ScanProgress| {
        let ms = start.elapsed().as_millis() as u64;
        let prev = last.load(Ordering::Relaxed);
        if ms < 300 || ms < prev + 100 || last.compare_exchange(prev, ms, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let pct = (p.bytes_done * 100).checked_div(p.bytes_total).unwrap_or(100);
        eprint!(
            "\rreading agent logs {pct:>3}% ({}/{} files, {} MiB)",
            p.files_done,
            p.files_total,
            p.bytes_total / 1_048_576
        );
    }))
}

pub fn run(ctx: &Ctx, a: CostArgs) -> CmdResult {
    // Inside a workspace the report covers the workspace's own usage; outside, everything.
    let root = match ctx.root() {
        Ok(r) => Some(r),
        Err(e)
            if ctx.root_flag().is_none()
                && matches!(e.error.downcast_ref::<WorkspaceError>(), Some(WorkspaceError::NotFound { .. })) =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    let prices = price_table(root.as_deref(), ctx)?;

    if a.prices {
        let list = PriceList {
            unit: "USD per million tokens",
            as_of: specwork_usage::BUILTIN_PRICES_AS_OF,
            models: prices.iter().map(|(model, price)| PriceRow { model, price }).collect(),
        };
        ctx.ui.report(&list, |s| {
            let mut rows = vec![vec![
                "model".to_owned(),
                "input".to_owned(),
                "output".to_owned(),
                "write 5m".to_owned(),
                "write 1h".to_owned(),
                "read".to_owned(),
                "above 200k in/out".to_owned(),
            ]];
            for r in &list.models {
                let p = r.price;
                let f = |v: f64| {
                    let t = format!("{v:.4}");
                    t.trim_end_matches('0').trim_end_matches('.').to_owned()
                };
                rows.push(vec![
                    r.model.to_owned(),
                    f(p.input),
                    f(p.output),
                    f(p.cache_write_5m),
                    f(p.cache_write_1h),
                    f(p.cache_read),
                    p.long_context.as_ref().map_or("-".to_owned(), |l| format!("{} / {}", f(l.input), f(l.output))),
                ]);
            }
            s.push_str(&format!("prices in USD per million tokens (built-in as of {})\n\n", list.as_of));
            super::format::table(s, &rows);
        });
        return Ok(0);
    }

    let group = match a.by {
        By::Day => GroupBy::Day,
        By::Week => GroupBy::Week,
        By::Month => GroupBy::Month,
        By::Model => GroupBy::Model,
        By::Spec | By::Task | By::Session => {
            let by = format!("{:?}", a.by).to_lowercase();
            return Err(CommandError::usage(
                format!(
                    "--by {by} needs sessions: usage is attributed to specs, tasks and sessions from session journals, which are not recorded yet"
                ),
                "use --by day, week, month or model for now",
            ));
        }
    };

    let tz = match &a.timezone {
        Some(name) => specwork_usage::time_zone(name).map_err(|e| {
            CommandError::usage(e.to_string(), "use an IANA zone such as Asia/Bangkok, UTC, or an offset like +07:00")
        })?,
        None => jiff::tz::TimeZone::system(),
    };
    let mut filter = Filter::in_zone(tz.clone());
    if a.today {
        let today = specwork_core::clock::now().timestamp().to_zoned(tz.clone()).date();
        filter.since = Some(today);
        filter.until = Some(today);
    }
    if let Some(s) = &a.since {
        filter.since = Some(parse_date(s, "--since")?);
    }
    if let Some(u) = &a.until {
        filter.until = Some(parse_date(u, "--until")?);
    }
    let agents: Vec<Agent> = a.agent.iter().map(|&x| x.into()).collect();
    if !agents.is_empty() {
        filter.agents = Some(agents.clone());
    }
    let scope_all = a.all || root.is_none();
    if !scope_all {
        filter.cwd_prefix = root.clone();
    }

    let mut sources = Sources::from_env().map_err(|e| {
        CommandError::usage(e.to_string(), "point CLAUDE_CONFIG_DIR at a directory that holds projects/, or unset it")
    })?;
    if !agents.is_empty() {
        sources = sources.only(&agents);
    }
    let cache_dir = match &root {
        Some(r) => Some(r.join(".specwork").join("cache")),
        None => cache_home(),
    };
    let opts = ScanOptions {
        sources,
        cache_dir,
        no_cache: a.no_cache,
        prices,
        project_roots: root.iter().cloned().collect(),
        progress: if ctx.ui.quiet { None } else { progress_line() },
        ..ScanOptions::default()
    };
    let show_progress = opts.progress.is_some();
    let result = specwork_usage::scan(&opts);
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let result = result.map_err(|e| CommandError {
        error: anyhow::Error::from(e),
        hints: vec!["the scan cache may be deleted at any time; --no-cache reads the logs directly".to_owned()],
        code: crate::error::EXIT_FAILURE,
    })?;
    let report = Report::build(&result.records, &filter, group);

    let by = match a.by {
        By::Day => "day",
        By::Week => "week",
        By::Month => "month",
        _ => "model",
    };
    let skipped: Vec<String> =
        if a.verbose { result.issues.iter().map(|i| i.to_string()).collect() } else { Vec::new() };
    let out = CostReport {
        by,
        timezone: tz.iana_name().unwrap_or("system").to_owned(),
        scope: if scope_all { "all" } else { "workspace" },
        workspace: root.as_ref().map(|r| r.display().to_string()),
        agents: if agents.is_empty() { Agent::ALL.to_vec() } else { agents.clone() }
            .iter()
            .map(|x| x.as_str())
            .collect(),
        since: filter.since.map(|d| d.to_string()),
        until: filter.until.map(|d| d.to_string()),
        rows: &report.rows,
        totals: &report.totals,
        unpriced_models: result.unpriced_models.iter().cloned().collect(),
        skipped_lines: result.issues.len(),
        skipped,
    };
    ctx.ui.report(&out, |s| render(s, &out));
    if !ctx.ui.quiet {
        let mut notes = String::new();
        if let Some(w) = &result.cache_warning {
            notes.push_str(&format!(
                "warning: {w}\nhint: the scan cache only saves time; check the directory's permissions\n"
            ));
        }
        if !out.unpriced_models.is_empty() {
            notes.push_str(&format!(
                "warning: no price for {}; their calls count $0\nhint: add [prices.\"{}\"] to specwork.toml (USD per million tokens)\n",
                out.unpriced_models.join(", "),
                out.unpriced_models[0]
            ));
        }
        if out.skipped_lines > 0 {
            if a.verbose {
                for l in &out.skipped {
                    notes.push_str(&format!("warning: {l}\n"));
                }
            } else {
                notes.push_str(&format!(
                    "note: {} corrupt or truncated log line{} skipped (--verbose names them)\n",
                    out.skipped_lines,
                    if out.skipped_lines == 1 { "" } else { "s" }
                ));
            }
        }
        eprint!("{notes}");
    }
    Ok(0)
}

fn render(s: &mut String, r: &CostReport<'_>) {
    let scope = match (&r.workspace, r.scope) {
        (Some(w), "workspace") => format!("workspace {w}"),
        _ => "all projects".to_owned(),
    };
    let range = match (&r.since, &r.until) {
        (Some(a), Some(b)) if a == b => format!(" · {a}"),
        (Some(a), Some(b)) => format!(" · {a} to {b}"),
        (Some(a), None) => format!(" · since {a}"),
        (None, Some(b)) => format!(" · until {b}"),
        (None, None) => String::new(),
    };
    s.push_str(&format!("cost by {} · {scope} · {} · {}{range}\n\n", r.by, r.agents.join(", "), r.timezone));
    if r.rows.is_empty() {
        s.push_str("no usage found\n");
        return;
    }
    let header = [r.by, "input", "output", "cache write", "cache read", "total tokens", "cost"];
    let line = |key: &str, t: &Totals| -> [String; 7] {
        [
            key.to_owned(),
            thousands(t.input_tokens),
            thousands(t.output_tokens + t.reasoning_tokens),
            thousands(t.cache_creation_tokens),
            thousands(t.cache_read_tokens),
            thousands(t.total_tokens),
            money(t.cost_usd),
        ]
    };
    let mut rows: Vec<[String; 7]> = vec![header.map(str::to_owned)];
    // Rows of API-error lines (no model, no tokens) say nothing.
    rows.extend(
        r.rows
            .iter()
            .filter(|row| row.totals.total_tokens > 0 || row.totals.cost_usd != 0.0)
            .map(|row| line(&row.key, &row.totals)),
    );
    rows.push(line("total", r.totals));
    let widths: Vec<usize> = (0..7).map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    for (i, row) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            let total: usize = widths.iter().sum::<usize>() + 2 * 6;
            s.push_str(&"-".repeat(total));
            s.push('\n');
        }
        let mut l = format!("{:<w$}", row[0], w = widths[0]);
        for c in 1..7 {
            l.push_str(&format!("  {:>w$}", row[c], w = widths[c]));
        }
        s.push_str(l.trim_end());
        s.push('\n');
    }
}
