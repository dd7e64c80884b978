//! `cost`: tokens and cost measured from the agents' own logs (Claude Code, Codex, Gemini) for
//! this workspace, as `specwork cost` reports them; the most recent rows only.

use std::collections::BTreeMap;

use serde::Serialize;
use specwork_core::config::Config;
use specwork_usage::{Filter, GroupBy, PriceOverride, PriceTable, Report, ScanOptions, Sources, Totals};

use crate::registry::{Call, Kind, Reply, ToolDef, ToolError, opt};

pub const TOOL: ToolDef = ToolDef {
    name: "cost",
    description: "Measured token use and USD cost in this workspace, by day, week, month or model.",
    params: &[
        opt("by", Kind::Enum(&["day", "week", "month", "model"]), "default day"),
        opt("since", Kind::Str, "YYYY-MM-DD"),
        opt("until", Kind::Str, "YYYY-MM-DD"),
        opt("today", Kind::Bool, ""),
    ],
    read_only: true,
    run,
};

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
        cost_usd: (t.cost_usd * 100.0).round() / 100.0,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unpriced_models: Vec<String>,
    skipped_lines: usize,
}

fn date(call: &Call<'_>, name: &str) -> Result<Option<jiff::civil::Date>, ToolError> {
    call.str(name)
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

/// The built-in prices with `[prices."model"]` from specwork.toml applied.
fn prices(config: &Config) -> Result<PriceTable, ToolError> {
    let bad = |e: String| {
        ToolError::new(format!("invalid [prices] in specwork.toml: {e}"), "ask the user to fix specwork.toml")
    };
    let json = serde_json::to_value(&config.prices).map_err(|e| bad(e.to_string()))?;
    let overrides: BTreeMap<String, PriceOverride> = serde_json::from_value(json).map_err(|e| bad(e.to_string()))?;
    PriceTable::builtin().with_overrides(&overrides).map_err(|e| bad(e.to_string()))
}

fn run(call: &Call<'_>) -> Result<Reply, ToolError> {
    let root = call.root()?;
    let (config, _) = Config::load(root);
    let (by, group) = match call.str("by").unwrap_or("day") {
        "week" => ("week", GroupBy::Week),
        "month" => ("month", GroupBy::Month),
        "model" => ("model", GroupBy::Model),
        _ => ("day", GroupBy::Day),
    };
    let tz = jiff::tz::TimeZone::system();
    let mut filter = Filter::in_zone(tz.clone());
    if call.bool("today") == Some(true) {
        let today = specwork_core::clock::now().timestamp().to_zoned(tz.clone()).date();
        filter.since = Some(today);
        filter.until = Some(today);
    }
    if let Some(d) = date(call, "since")? {
        filter.since = Some(d);
    }
    if let Some(d) = date(call, "until")? {
        filter.until = Some(d);
    }
    filter.cwd_prefix = Some(root.to_owned());
    let sources = Sources::from_env()
        .map_err(|e| ToolError::new(e.to_string(), "CLAUDE_CONFIG_DIR must name a directory holding projects/"))?;
    let opts = ScanOptions {
        sources,
        cache_dir: Some(root.join(".specwork").join("cache")),
        prices: prices(&config)?,
        project_roots: vec![root.to_owned()],
        ..ScanOptions::default()
    };
    let scan = specwork_usage::scan(&opts)
        .map_err(|e| ToolError::new(e.to_string(), "the scan cache .specwork/cache may be deleted; call again"))?;
    let report = Report::build(&scan.records, &filter, group);
    let row_count = report.rows.len();
    let mut rows: Vec<CostRow> = report.rows.iter().map(|r| row(r.key.clone(), &r.totals)).collect();
    if group == GroupBy::Model {
        rows.sort_by(|a, b| b.cost_usd.total_cmp(&a.cost_usd));
        rows.truncate(ROWS);
    } else {
        rows.drain(..row_count.saturating_sub(ROWS));
    }
    Ok(Reply::json(&CostReply {
        by,
        timezone: tz.iana_name().unwrap_or("system").to_owned(),
        since: filter.since.map(|d| d.to_string()),
        until: filter.until.map(|d| d.to_string()),
        rows,
        row_count,
        totals: row("total".to_owned(), &report.totals),
        unpriced_models: scan.unpriced_models.iter().take(10).cloned().collect(),
        skipped_lines: scan.issues.len(),
    }))
}
