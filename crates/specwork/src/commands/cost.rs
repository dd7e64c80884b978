//! `specwork cost`: tokens and cost measured from the agents' own logs (Claude Code, Codex CLI,
//! Gemini CLI), with ccusage's accounting rules and an incremental scan cache; by period or
//! model from the logs, by spec, task or session from the journals (measured usage attributed
//! to tasks, manual counts where nothing was measured); budgets; the cost of a spec's remaining
//! tasks per model (`--estimate`).

use clap::{Args, ValueEnum};
use serde::Serialize;
use specwork_core::base::display::{self, CostDisplay, in_currency, money};
use specwork_core::model::config::{Config, CurrencyConfig};
use specwork_core::model::workspace::WorkspaceError;
use specwork_core::usage::cost::{self, CostBy, CostError, CostQuery, CostReport, TotalsOut};
use specwork_core::usage::spend::BudgetStatus;
use specwork_core::views::estimate;
use specwork_usage::{Agent, PriceTable};

use super::Ctx;
use crate::error::{CmdResult, CommandError};
use crate::ui::Table;

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
    #[arg(long, value_name = "AGENT", value_parser = agent_parser())]
    pub agent: Vec<Agent>,
    /// Every project in the logs, not only this workspace's directory
    #[arg(long)]
    pub all: bool,
    /// Ignore the scan cache and read every log in full
    #[arg(long)]
    pub no_cache: bool,
    /// Print the price table (built-in prices plus specwork.toml overrides) and exit
    #[arg(long)]
    pub prices: bool,
    /// The cost of SPEC's remaining tasks per model (Haiku, Sonnet, Opus), from this workspace's
    /// history of tokens per task
    #[arg(long, value_name = "SPEC", conflicts_with_all = ["prices", "all"])]
    pub estimate: Option<String>,
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
    /// Every registered workspace (`specwork projects list`), then other directories in the logs
    Project,
}

impl By {
    /// The grouping of one workspace's report (`None` for `project`, a report over workspaces).
    fn of_workspace(self) -> Option<CostBy> {
        Some(match self {
            By::Day => CostBy::Day,
            By::Week => CostBy::Week,
            By::Month => CostBy::Month,
            By::Spec => CostBy::Spec,
            By::Task => CostBy::Task,
            By::Session => CostBy::Session,
            By::Model => CostBy::Model,
            By::Project => return None,
        })
    }
}

/// An agent on the command line: one of the names usage reads ([`Agent::ALL`]), listed in `--help`
/// and the completions.
fn agent_parser() -> impl clap::builder::TypedValueParser<Value = Agent> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Agent::ALL.map(Agent::as_str))
        .map(|name| name.parse::<Agent>().expect("every listed name parses"))
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
    /// Where the built-in prices come from (LiteLLM's table, its version and date).
    source: &'static specwork_usage::PriceSource,
    /// Models `specwork.toml` overrides or adds.
    overridden: Vec<&'a str>,
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

fn thousands(v: u64) -> String {
    display::fmt_tokens_exact(v)
}

fn print_prices(ctx: &Ctx, prices: &PriceTable) {
    let list = PriceList {
        unit: "USD per million tokens",
        source: PriceTable::builtin_source(),
        overridden: prices.overridden().collect(),
        models: prices.iter().map(|(model, price)| PriceRow { model, price }).collect(),
    };
    ctx.ui.report(&list, |s| {
        let mut t =
            Table::new(["model", "provider", "input", "output", "write 5m", "write 1h", "read", "above 200k in/out"])
                .right_align(&[2, 3, 4, 5, 6, 7]);
        for r in &list.models {
            let p = r.price;
            let f = |v: f64| {
                let t = format!("{v:.4}");
                t.trim_end_matches('0').trim_end_matches('.').to_owned()
            };
            t.row([
                r.model.to_owned(),
                p.provider.clone().unwrap_or_default(),
                f(p.input),
                f(p.output),
                f(p.cache_write_5m),
                f(p.cache_write_1h),
                f(p.cache_read),
                p.long_context.as_ref().map_or("-".to_owned(), |l| format!("{} / {}", f(l.input), f(l.output))),
            ]);
        }
        let src = list.source;
        s.push_str(&format!(
            "prices in USD per million tokens: {} {} ({}), taken {}; {} models (scripts/refresh-prices.py refreshes it)\n",
            src.package, src.version, src.source, src.date, src.models
        ));
        if !list.overridden.is_empty() {
            s.push_str(&format!("overridden in specwork.toml: {}\n", list.overridden.join(", ")));
        }
        s.push('\n');
        t.render(s);
    });
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
    let config = match &root {
        Some(r) => {
            let (config, diag) = Config::load(r);
            if let Some(d) = diag {
                ctx.ui.diagnostics(&[d]);
            }
            config
        }
        None => Config::default(),
    };
    let prices = specwork_core::usage::logs::price_table(&config)?;
    if a.prices {
        print_prices(ctx, &prices);
        return Ok(0);
    }
    if let Some(spec) = &a.estimate {
        return estimate_run(ctx, spec, &config);
    }

    let tz = match &a.timezone {
        Some(name) => specwork_usage::time_zone(name).map_err(|e| {
            CommandError::usage(e.to_string(), "use an IANA zone such as Asia/Bangkok, UTC, or an offset like +07:00")
        })?,
        None => jiff::tz::TimeZone::system(),
    };
    let q = CostQuery {
        root,
        by: a.by.of_workspace().unwrap_or(CostBy::Day),
        today: a.today,
        since: a.since.as_deref().map(|s| parse_date(s, "--since")).transpose()?,
        until: a.until.as_deref().map(|s| parse_date(s, "--until")).transpose()?,
        tz,
        agents: a.agent.clone(),
        all: a.all,
        no_cache: a.no_cache,
        progress: ctx.ui.scan_progress(),
    };
    let result = if a.by == By::Project {
        let registry = specwork_core::stores::projects::Registry::load()?;
        if !ctx.ui.json {
            ctx.ui.diagnostics(&registry.diagnostics);
        }
        let roots: Vec<cost::RegisteredRoot> = registry
            .projects
            .iter()
            .filter(|p| p.stale().is_none())
            .map(|p| cost::RegisteredRoot { name: p.name.clone(), root: p.path.clone() })
            .collect();
        for p in registry.projects.iter().filter(|p| p.stale().is_some()) {
            ctx.ui.warning(format_args!(
                "project {} is stale ({}): {}",
                p.name,
                p.stale().unwrap_or(""),
                p.path.display()
            ));
            ctx.ui.hint(format_args!("`specwork projects remove {}` drops it from the list", p.name));
        }
        cost::by_project(q, &roots)
    } else {
        cost::report(q, &config)
    };
    let out = result.map_err(|e| match e {
        CostError::Measure(m) => CommandError::from(m),
        CostError::NeedsWorkspace { .. } => {
            CommandError::usage(e.to_string(), "run inside a workspace, or pass --workspace DIR")
        }
        CostError::JournalFilter { .. } => {
            CommandError::usage(e.to_string(), "drop --all and --agent, or use --by day, week, month or model")
        }
    })?;
    let skipped: &[String] = if a.verbose { &out.skipped } else { &[] };
    ctx.ui.report(&Verbose { report: &out, skipped }, |s| render(s, &out));
    let ui = &ctx.ui;
    if let Some(w) = &out.cache_warning {
        ui.warning(w);
        ui.hint("the scan cache only saves time; check the directory's permissions");
    }
    if !out.unpriced_models.is_empty() {
        ui.warning(format_args!("no price for {}; their calls count $0", out.unpriced_models.join(", ")));
        ui.hint(format_args!("add [prices.\"{}\"] to specwork.toml (USD per million tokens)", out.unpriced_models[0]));
    }
    if out.skipped_lines > 0 {
        if a.verbose {
            for l in &out.skipped {
                ui.warning(l);
            }
        } else {
            ui.note(format_args!(
                "{} corrupt or truncated log line{} skipped (--verbose names them)",
                out.skipped_lines,
                if out.skipped_lines == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(0)
}

/// The report with the skipped lines named (`--verbose`).
#[derive(Serialize)]
struct Verbose<'a> {
    #[serde(flatten)]
    report: &'a CostReport,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    skipped: &'a [String],
}

fn render(s: &mut String, r: &CostReport) {
    let cur = r.currency.as_ref();
    let scope = match (&r.workspace, r.scope) {
        (Some(w), "workspace") => format!("workspace {w}"),
        (_, "projects") => "registered projects, then other directories".to_owned(),
        _ => "all projects".to_owned(),
    };
    let range = match (&r.since, &r.until) {
        (Some(a), Some(b)) if a == b => format!(" · {a}"),
        (Some(a), Some(b)) => format!(" · {a} to {b}"),
        (Some(a), None) => format!(" · since {a}"),
        (None, Some(b)) => format!(" · until {b}"),
        (None, None) => String::new(),
    };
    let agents = if matches!(r.by, "spec" | "task" | "session") { "sessions".to_owned() } else { r.agents.join(", ") };
    s.push_str(&format!("cost by {} · {scope} · {agents} · {}{range}\n\n", r.by, r.timezone));
    if r.rows.is_empty() {
        s.push_str("no usage found\n");
    } else {
        let mut header: Vec<String> =
            [r.by, "input", "output", "cache write", "cache read", "total tokens", "cost"].map(str::to_owned).to_vec();
        if let Some(c) = cur {
            header.push(format!("cost ({})", c.code));
        }
        let numbers: Vec<usize> = (1..header.len()).collect();
        let mut t = Table::new(header).right_align(&numbers);
        let line = |key: String, t: &TotalsOut| -> Vec<String> {
            let x = &t.totals;
            let mut v = vec![
                key,
                thousands(x.input_tokens),
                thousands(x.output_tokens + x.reasoning_tokens),
                thousands(x.cache_creation_tokens),
                thousands(x.cache_read_tokens),
                thousands(x.total_tokens),
                format!("${:.2}", x.cost_usd),
            ];
            if let Some(d) = &t.cost_display {
                v.push(format!("{:.2}", d.amount));
            }
            v
        };
        for row in &r.rows {
            let key = match row.source {
                Some("manual") if row.key == "(manual)" => "manual counts (no log)".to_owned(),
                Some("manual") => format!("{} (manual)", row.key),
                Some("mixed") => format!("{} (partly manual)", row.key),
                _ if row.registered == Some(false) => format!("{} (not registered)", row.key),
                _ => row.key.clone(),
            };
            t.row(line(key, &row.totals));
        }
        t.footer(line("total".to_owned(), &r.totals));
        t.render(s);
    }
    if !r.budget.is_empty() {
        let label = |b: &BudgetStatus| match b.period {
            "day" => "today",
            "week" => "this week",
            _ => "this month",
        };
        let parts: Vec<String> = r
            .budget
            .iter()
            .map(|b| {
                if b.limit_usd > 0.0 {
                    format!("{} {} of {}", label(b), money(b.spent_usd, cur), money(b.limit_usd, cur))
                } else {
                    format!("{} {}", label(b), money(b.spent_usd, cur))
                }
            })
            .collect();
        s.push_str(&format!("\nbudget: {}\n", parts.join(" · ")));
        for b in r.budget.iter().filter(|b| b.over) {
            s.push_str(&b.warning(cur));
            s.push('\n');
        }
    }
}

/// Claude models the advice prices, by family.
#[derive(Serialize)]
struct ModelEstimate {
    model: &'static str,
    priced_as: String,
    per_task_usd: f64,
    total_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_display: Option<CostDisplay>,
}

#[derive(Serialize)]
struct EstimateReport {
    spec: String,
    title: String,
    remaining_tasks: Vec<String>,
    /// `measured` (this workspace's measured history), `manual` (its manual counts) or
    /// `rule_of_thumb` (the guide's figures).
    source: &'static str,
    basis: estimate::Basis,
    models: Vec<ModelEstimate>,
}

fn estimate_run(ctx: &Ctx, spec_id: &str, config: &Config) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(spec_id)?;
    // The one estimate `status SPEC` shows too, for the tasks not done yet.
    let est = estimate::for_spec(ws, spec);
    let n = est.remaining_tasks.len() as f64;
    let cur = config.currency.as_ref();
    let models = est.models.iter().map(|m| model_estimate(m.model, &m.priced_as, m.per_task_usd, n, cur)).collect();
    let r = EstimateReport {
        spec: spec.id.clone(),
        title: spec.title.clone(),
        remaining_tasks: est.remaining_tasks,
        source: est.source,
        basis: est.basis,
        models,
    };
    ctx.ui.report(&r, |s| {
        let n = r.remaining_tasks.len();
        s.push_str(&format!(
            "Estimate for {}: {n} remaining task{}{}\n",
            r.spec,
            if n == 1 { "" } else { "s" },
            if n == 0 { String::new() } else { format!(" ({})", r.remaining_tasks.join(", ")) }
        ));
        let b = &r.basis;
        let tokens = display::fmt_tokens(b.median_tokens);
        match (r.source, &b.mix) {
            ("measured", Some(m)) => s.push_str(&format!(
                "Basis: this workspace's measured history, median {tokens} tokens per done task over {} task{} (input {:.1}%, output {:.1}%, cache write {:.1}%, cache read {:.1}%)\n",
                b.tasks,
                if b.tasks == 1 { "" } else { "s" },
                m.input * 100.0,
                m.output * 100.0,
                m.cache_creation * 100.0,
                m.cache_read * 100.0
            )),
            ("manual", _) => s.push_str(&format!(
                "Basis: this workspace's manual logs, median {tokens} tokens per done task over {} task{}, at the guide's rates per 100k tokens (Haiku $0.22, Sonnet $1.20, Opus $6.00)\n",
                b.tasks,
                if b.tasks == 1 { "" } else { "s" },
            )),
            _ => s.push_str(&format!(
                "Basis: no history yet, so the guide's rule of thumb: {tokens} tokens per task (its full day: 195k tokens for 5 tasks) at Haiku $0.22, Sonnet $1.20, Opus $6.00 per 100k tokens\n"
            )),
        }
        s.push('\n');
        let mut t = Table::new(["model".to_owned(), "per task".to_owned(), format!("remaining ({n})")])
            .right_align(&[1, 2]);
        for m in &r.models {
            t.row([
                format!("{} ({})", m.model, m.priced_as),
                display::fmt_cost(m.per_task_usd),
                money(m.total_usd, cur),
            ]);
        }
        t.render(s);
    });
    Ok(0)
}

fn model_estimate(
    family: &'static str,
    priced_as: &str,
    per_task: f64,
    n: f64,
    currency: Option<&CurrencyConfig>,
) -> ModelEstimate {
    let total = display::round_usd(per_task * n);
    ModelEstimate {
        model: family,
        priced_as: priced_as.to_owned(),
        per_task_usd: display::round_usd(per_task),
        total_usd: total,
        cost_display: in_currency(total, currency),
    }
}
