//! `cost`: tokens and cost in this workspace, as `specwork cost` reports them (the same core
//! report: measured from the agents' own logs, plus manual counts of tasks without measured
//! usage); the most recent rows only.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::base::display::round_usd;
use specwork_core::model::config::Config;
use specwork_core::usage::MeasureError;
use specwork_core::usage::cost::{self, CostBy, CostError, CostQuery};
use specwork_usage::Totals;

use crate::args::{Args, Bool, flag};
use crate::call::{Call, Reply, ToolError};
use crate::protocol::{Invocation, Server};

#[tool_router(router = cost_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "cost",
        description = "Tokens and USD cost in this workspace, by day, week, month or model.",
        annotations(read_only_hint = true)
    )]
    async fn cost(&self, Parameters(args): Parameters<Args<Params>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum By {
    Day,
    Week,
    Month,
    Model,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Params {
    by: Option<By>,
    #[schemars(description = "YYYY-MM-DD")]
    since: Option<String>,
    #[schemars(description = "YYYY-MM-DD")]
    until: Option<String>,
    today: Option<Bool>,
}

/// At most this many rows, the most recent (or, by model, the most expensive).
const ROWS: usize = 31;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CostRow {
    key: String,
    total_tokens: u64,
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_tokens: u64,
    cache_read_tokens: u64,
    cost_usd: f64,
}

fn row(key: String, t: &Totals) -> CostRow {
    CostRow {
        key,
        total_tokens: t.total_tokens,
        input_tokens: t.input_tokens,
        output_tokens: t.output_tokens,
        cache_creation_tokens: t.cache_creation_tokens,
        cache_read_tokens: t.cache_read_tokens,
        cost_usd: round_usd(t.cost_usd),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CostReply {
    by: &'static str,
    timezone: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    rows: Vec<CostRow>,
    row_count: usize,
    totals: CostRow,
    /// Of the totals, tokens counted by hand for tasks without measured usage.
    manual_tokens: u64,
    manual_cost_usd: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unpriced_models: Vec<String>,
    skipped_lines: usize,
}

fn date(value: Option<&str>, name: &str) -> Result<Option<jiff::civil::Date>, ToolError> {
    value
        .map(|s| {
            let t = s.trim();
            let iso = if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
                format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
            } else {
                t.to_owned()
            };
            iso.parse().map_err(|_| ToolError::new(format!("invalid {name} date `{s}`"), "write dates as YYYY-MM-DD"))
        })
        .transpose()
}

fn run(call: &Call<'_>, p: Params) -> Result<Reply, ToolError> {
    let root = call.root()?;
    let (config, _) = Config::load(root);
    let by = match p.by {
        None | Some(By::Day) => CostBy::Day,
        Some(By::Week) => CostBy::Week,
        Some(By::Month) => CostBy::Month,
        Some(By::Model) => CostBy::Model,
    };
    let mut q = CostQuery::workspace(root);
    q.by = by;
    q.today = flag(p.today);
    q.since = date(p.since.as_deref(), "since")?;
    q.until = date(p.until.as_deref(), "until")?;
    let report = cost::report(q, &config).map_err(|e| {
        let hint = match &e {
            CostError::Measure(MeasureError::Sources(_)) => "CLAUDE_CONFIG_DIR must name a directory holding projects/",
            CostError::Measure(MeasureError::Prices { .. }) => "ask the user to fix [prices] in specwork.toml",
            _ => "the scan cache .specwork/cache may be deleted; call again",
        };
        ToolError::new(e.to_string(), hint)
    })?;
    let row_count = report.rows.len();
    let mut rows: Vec<CostRow> = report.rows.iter().map(|r| row(r.key.clone(), &r.totals.totals)).collect();
    if by == CostBy::Model {
        rows.sort_by(|a, b| b.cost_usd.total_cmp(&a.cost_usd));
        rows.truncate(ROWS);
    } else {
        rows.drain(..row_count.saturating_sub(ROWS));
    }
    Ok(Reply::json(&CostReply {
        by: report.by,
        timezone: report.timezone.clone(),
        since: report.since.clone(),
        until: report.until.clone(),
        rows,
        row_count,
        totals: row("total".to_owned(), &report.totals.totals),
        manual_tokens: report.manual_tokens,
        manual_cost_usd: report.manual_cost_usd,
        unpriced_models: report.unpriced_models.iter().take(10).cloned().collect(),
        skipped_lines: report.skipped_lines,
    }))
}
