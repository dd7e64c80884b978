//! Shared helpers: corpora from the testkit's generators (with the calls they must count),
//! scanning, comparing daily reports.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use specwork_testkit::claude::ClaudeCorpus;
use specwork_testkit::{self as testkit, Expected, need};
use specwork_usage::{
    CostMode, Filter, GroupBy, LongContextOverride, LongContextRule, PriceOverride, PriceTable, Report, Scan,
    ScanOptions, Sources, scan,
};

/// An 8 MB Claude corpus over 30 days: torn and truncated lines, subagents, replays, resumed
/// copies, API errors, `costUSD`, fast mode and 1M-context requests (the testkit's generator,
/// seed 11), as `<root>/projects/...`, and the calls it must count.
pub fn claude_corpus() -> &'static (PathBuf, Expected) {
    static C: OnceLock<(PathBuf, Expected)> = OnceLock::new();
    C.get_or_init(|| {
        let root = need::scratch("usage-claude-s11").join("root");
        let corpus =
            ClaudeCorpus { seed: 11, sessions: 70, fault_rate: 0.08, long_context: true, ..ClaudeCorpus::default() };
        let expected = corpus.generate(&root);
        (root, expected)
    })
}

/// The expected daily report of a generated corpus (ccusage's JSON shape).
pub fn reference(expected: &Expected, mode: CostMode, tz_offset_min: i32) -> Value {
    let mode = match mode {
        CostMode::Auto => testkit::CostMode::Auto,
        CostMode::Calculate => testkit::CostMode::Calculate,
        CostMode::Display => testkit::CostMode::Display,
    };
    expected.daily(tz_offset_min, mode)
}

/// The embedded table with the one Claude price ccusage 20.0.24 embeds differently: its older
/// LiteLLM snapshot gives Sonnet 4.5 a long-context tier ($6 / $22.50 / $7.50 / $0.60 above 200k
/// input tokens) that LiteLLM 1.110.2 lists only for the Bedrock and Vertex entries. Tests of
/// the accounting rules use it so that costs compare exactly; `prices.rs` shows the difference.
pub fn ccusage_prices() -> PriceTable {
    let mut o = BTreeMap::new();
    o.insert(
        "claude-sonnet-4-5".to_owned(),
        PriceOverride {
            long_context: Some(LongContextOverride {
                input: 6.0,
                output: 22.5,
                cache_write_5m: Some(7.5),
                cache_read: Some(0.6),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    PriceTable::builtin().with_overrides(&o).unwrap()
}

/// Scan options for a single Claude root, priced like ccusage.
pub fn claude_opts(root: &Path, mode: CostMode) -> ScanOptions {
    ScanOptions {
        sources: Sources { claude: vec![root.to_path_buf()], ..Sources::default() },
        cost_mode: mode,
        long_context: LongContextRule::Ccusage,
        prices: ccusage_prices(),
        ..ScanOptions::default()
    }
}

/// Daily report in a fixed UTC offset.
pub fn daily(s: &Scan, offset_hours: i8) -> Report {
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(offset_hours));
    Report::build(&s.records, &Filter::in_zone(tz), GroupBy::Day)
}

/// Runs a scan, panicking on error.
pub fn run(opts: &ScanOptions) -> Scan {
    scan(opts).expect("scan")
}

/// Asserts that a ccusage-shaped daily JSON (`daily[]` with `date` and camelCase token fields)
/// equals our daily report: tokens exactly, cost within `tol` per day.
pub fn assert_daily_eq(expected: &Value, ours: &Report, cost_key: &str, tol: f64, what: &str) {
    let rows = expected["daily"].as_array().expect("daily[]");
    assert_eq!(
        rows.len(),
        ours.rows.len(),
        "{what}: number of days differs: expected {:?}, ours {:?}",
        rows.iter().map(|r| r["date"].as_str().unwrap_or("")).collect::<Vec<_>>(),
        ours.rows.iter().map(|r| r.key.as_str()).collect::<Vec<_>>()
    );
    for (e, o) in rows.iter().zip(&ours.rows) {
        let date = e["date"].as_str().unwrap();
        assert_eq!(date, o.key, "{what}: day");
        let t = &o.totals;
        let n = |k: &str| e[k].as_u64().unwrap_or(0);
        assert_eq!(n("inputTokens"), t.input_tokens, "{what} {date}: input");
        assert_eq!(n("outputTokens"), t.output_tokens, "{what} {date}: output");
        assert_eq!(n("cacheCreationTokens"), t.cache_creation_tokens, "{what} {date}: cache write");
        assert_eq!(n("cacheReadTokens"), t.cache_read_tokens, "{what} {date}: cache read");
        if e.get("totalTokens").is_some() {
            assert_eq!(n("totalTokens"), t.total_tokens, "{what} {date}: total");
        }
        let ec = e[cost_key].as_f64().unwrap();
        assert!(
            (ec - t.cost_usd).abs() <= tol * ec.abs().max(1.0),
            "{what} {date}: cost expected {ec} ours {}",
            t.cost_usd
        );
    }
}
