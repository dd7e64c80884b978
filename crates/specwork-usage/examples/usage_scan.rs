//! Scans the agent logs named by the environment (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`,
//! `GEMINI_DATA_DIR`, `OPENCODE_DATA_DIR`, `AMP_DATA_DIR`, `COPILOT_OTEL_FILE_EXPORTER_PATH`,
//! `QWEN_DATA_DIR`) and prints ccusage-shaped daily JSON; used by `bench/usage.sh`.
//!
//! ```text
//! usage_scan [--agent NAME (claude, codex, gemini, opencode, amp, copilot, qwen, droid, kimi, pi, openclaw,
//!   codebuff, kilo, goose, hermes, grok, zcode)] [--cache DIR] [--no-cache] [--tz ZONE]
//!            [--mode auto|calculate|display] [--long-context anthropic|ccusage] [--stats]
//! ```

use std::process::ExitCode;
use std::time::Instant;

use specwork_usage::{
    Agent, CostMode, Filter, GroupBy, LongContextRule, Report, ScanOptions, Sources, scan, time_zone,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut opts = ScanOptions::default();
    let mut agents: Vec<Agent> = Vec::new();
    let mut tz = "UTC".to_owned();
    let mut show_stats = false;
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_default();
        match a.as_str() {
            "--agent" => agents.push(val().parse().expect("agent")),
            "--cache" => opts.cache_dir = Some(val().into()),
            "--no-cache" => opts.no_cache = true,
            "--tz" => tz = val(),
            "--mode" => {
                opts.cost_mode = match val().as_str() {
                    "calculate" => CostMode::Calculate,
                    "display" => CostMode::Display,
                    _ => CostMode::Auto,
                }
            }
            "--long-context" => {
                opts.long_context = match val().as_str() {
                    "ccusage" => LongContextRule::Ccusage,
                    _ => LongContextRule::Anthropic,
                }
            }
            "--stats" => show_stats = true,
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let start = Instant::now();
    let sources = match Sources::from_env_for(&agents) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    opts.sources = sources;
    let result = match scan(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = Filter::in_zone(time_zone(&tz).expect("time zone"));
    let daily = Report::build(&result.records, &filter, GroupBy::Day);
    let elapsed = start.elapsed();
    let out = serde_json::json!({
        "daily": daily.rows,
        "totals": daily.totals,
        "issues": result.issues.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        "unpriced_models": result.unpriced_models,
        "stats": result.stats,
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
    if show_stats {
        let s = &result.stats;
        eprintln!(
            "scanned {} files ({:.1} MiB, {:.1} MiB parsed; {} from ledger, {} appended, {} parsed) in {:.1} ms = {:.0} MiB/s",
            s.files,
            s.bytes_total as f64 / 1048576.0,
            s.bytes_parsed as f64 / 1048576.0,
            s.files_from_ledger,
            s.files_appended,
            s.files_parsed,
            elapsed.as_secs_f64() * 1000.0,
            s.bytes_total as f64 / 1048576.0 / elapsed.as_secs_f64(),
        );
    }
    ExitCode::SUCCESS
}
