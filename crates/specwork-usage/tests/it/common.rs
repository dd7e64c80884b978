//! Shared helpers: the corpus generators from `shared/tools/`, cached corpora, scanning.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use specwork_usage::{
    CostMode, Filter, GroupBy, LongContextOverride, LongContextRule, PriceOverride, PriceTable, Report, Scan,
    ScanOptions, Sources, scan,
};

/// `shared/tools` beside the repository (or `$SPECWORK_SHARED_DIR/tools`).
pub fn tools_dir() -> PathBuf {
    let shared = std::env::var_os("SPECWORK_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let tools = shared.join("tools");
    assert!(
        tools.join("cc_corpus_gen.py").is_file(),
        "the corpus generators are missing: expected {} (set SPECWORK_SHARED_DIR)",
        tools.display()
    );
    tools
}

/// Runs a generator tool and returns its stdout.
pub fn python(tool: &str, args: &[&str]) -> String {
    let out = Command::new("python3").arg(tools_dir().join(tool)).args(args).output().expect("python3 runs");
    assert!(out.status.success(), "{tool} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A corpus generated once per `name` under the cargo target tmp dir (kept between runs).
pub fn corpus(name: &str, make: impl FnOnce(&Path)) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("usage-corpora").join(name);
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        make(&dir);
        std::fs::write(&done, b"").unwrap();
    }
    dir
}

/// An 8 MB Claude corpus with torn and truncated lines (seed 11), as `<dir>/projects/...`.
pub fn claude_corpus() -> PathBuf {
    static C: OnceLock<PathBuf> = OnceLock::new();
    C.get_or_init(|| {
        corpus("claude-s11-8mb-faults", |d| {
            python(
                "cc_corpus_gen.py",
                &[
                    "gen",
                    "--out",
                    d.join("root").to_str().unwrap(),
                    "--size-mb",
                    "8",
                    "--seed",
                    "11",
                    "--corrupt-rate",
                    "0.08",
                    "--truncate-rate",
                    "0.08",
                ],
            );
        })
        .join("root")
    })
    .clone()
}

/// The reference accountant's output for a Claude corpus.
pub fn claude_reference(root: &Path, mode: &str, tz_offset_min: i32) -> Value {
    let out = tempfile::NamedTempFile::new().unwrap();
    python(
        "cc_corpus_gen.py",
        &[
            "verify",
            "--root",
            root.to_str().unwrap(),
            "--mode",
            mode,
            "--tz-offset-min",
            &tz_offset_min.to_string(),
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    serde_json::from_slice(&std::fs::read(out.path()).unwrap()).unwrap()
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
