//! ccusage itself as the oracle: `npx --yes ccusage@20.0.24 <agent> daily --json --offline -z UTC`
//! on the generated corpora, compared with specwork's totals and with the generators' own.
//! Runs when `npx` works; otherwise each test prints why it is skipped (and fails under
//! `SPECWORK_REQUIRE_REAL=1`).

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use specwork_usage::{CostMode, LongContextRule};

use specwork_testkit::need;

use crate::agents::{codex_corpus, codex_opts, gemini_corpora, gemini_opts};
use crate::common::*;

const CCUSAGE: &str = "ccusage@20.0.24";

/// Every variable by which ccusage 20.0.24 finds an agent's logs.
const AGENT_VARS: [&str; 21] = [
    "GROK_HOME",
    "ZCODE_HOME",
    "CLAUDE_CONFIG_DIR",
    "CODEX_HOME",
    "GEMINI_DATA_DIR",
    "GEMINI_CLI_HOME",
    "OPENCODE_DATA_DIR",
    "AMP_DATA_DIR",
    "DROID_SESSIONS_DIR",
    "CODEBUFF_DATA_DIR",
    "HERMES_HOME",
    "PI_AGENT_DIR",
    "GOOSE_PATH_ROOT",
    "OPENCLAW_DIR",
    "KILO_DATA_DIR",
    "KIMI_DATA_DIR",
    "QWEN_DATA_DIR",
    "COPILOT_OTEL_FILE_EXPORTER_PATH",
    "ANTIGRAVITY_DATA_DIR",
    "GROK_HOME",
    "ZCODE_HOME",
];

/// Runs ccusage with one environment variable pointing at a corpus, or says why it cannot.
pub fn ccusage(agent: &str, var: &str, value: &Path) -> Result<Value, String> {
    ccusage_with(agent, &[(var, value)], &[])
}

/// Runs `ccusage <agent> daily --json --offline -z UTC <extra>` with only `vars` set among the
/// agents' variables (`HOME` among them moves the home directory; npm's cache stays where it
/// is), or says why it cannot. With `SPECWORK_REQUIRE_REAL=1` not being able to is a failure.
pub fn ccusage_with(agent: &str, vars: &[(&str, &Path)], extra: &[&str]) -> Result<Value, String> {
    let probe = Command::new("npx").arg("--version").output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => return Err(format!("`npx --version` failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => return Err(format!("npx is not available ({e})")),
    }
    let mut cmd = Command::new("npx");
    cmd.args(["--yes", CCUSAGE, agent, "daily", "--json", "--offline", "-z", "UTC"]).args(extra);
    for v in AGENT_VARS {
        cmd.env_remove(v);
    }
    if let Some(home) = std::env::var_os("HOME") {
        cmd.env("npm_config_cache", Path::new(&home).join(".npm"));
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("cannot run npx: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`npx {CCUSAGE} {agent} daily` failed (offline registry?): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("ccusage printed no JSON: {e}"))
}

/// The oracle's answer, or a skip (a failure with `SPECWORK_REQUIRE_REAL=1`).
#[macro_export]
macro_rules! oracle_or_skip {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(why) => return specwork_testkit::need::skip(specwork_testkit::need::Need::Real, why),
        }
    };
}

#[test]
fn claude_totals_equal_ccusage() {
    let (root, generated) = claude_corpus();
    let cc = oracle_or_skip!(ccusage("claude", "CLAUDE_CONFIG_DIR", root));
    let s = run(&claude_opts(root, CostMode::Auto));
    assert_daily_eq(&cc, &daily(&s, 0), "totalCost", 1e-6, "ccusage claude");
    assert_generator_agrees(&cc, &reference(generated, CostMode::Auto, 0), "claude");
}

#[test]
fn codex_totals_equal_ccusage() {
    let (home, generated) = codex_corpus();
    let cc = oracle_or_skip!(ccusage("codex", "CODEX_HOME", home));
    let s = run(&codex_opts(home));
    let ours = daily(&s, 0);
    assert_daily_eq(&cc, &ours, "costUSD", 1e-6, "ccusage codex");
    assert_generator_agrees(&cc, &generated.daily(0, specwork_testkit::CostMode::Calculate), "codex");
    // Reasoning tokens (inside output) are reported as ccusage reports them.
    let key = ["reasoningOutputTokens", "reasoningTokens"]
        .into_iter()
        .find(|k| cc["totals"].get(*k).is_some())
        .expect("ccusage reports Codex reasoning tokens");
    let want = cc["totals"][key].as_u64().unwrap();
    assert!(want > 0, "the corpus has reasoning");
    assert_eq!(ours.totals.reasoning_output_tokens, want, "reasoning tokens");
    assert_eq!(ours.totals.reasoning_tokens, 0, "not counted twice");
}

#[test]
fn gemini_totals_equal_ccusage_except_sessions_stored_twice() {
    let c = gemini_corpora();
    let cc = oracle_or_skip!(ccusage("gemini", "GEMINI_DATA_DIR", &c.deduped));
    let s = run(&gemini_opts(&c.deduped));
    assert_daily_eq(&cc, &daily(&s, 0), "totalCost", 1e-6, "ccusage gemini");
    assert_generator_agrees(&cc, &c.logs.expected.daily(0, specwork_testkit::CostMode::Calculate), "gemini");
    // On the corpus with .json + .jsonl copies ccusage counts more than specwork, exactly the copies.
    let cc_double = oracle_or_skip!(ccusage("gemini", "GEMINI_DATA_DIR", &c.quirky));
    assert_generator_agrees(
        &cc_double,
        &c.logs.ccusage.daily(0, specwork_testkit::CostMode::Calculate),
        "gemini copies",
    );
    let ours = daily(&run(&gemini_opts(&c.quirky)), 0).totals.total_tokens;
    assert!(cc_double["totals"]["totalTokens"].as_u64().unwrap() > ours);
}

/// ccusage tiers long-context prices per token category; specwork follows Anthropic (see
/// `claude::long_context_follows_anthropic_not_ccusage`). ccusage's number equals our
/// `LongContextRule::Ccusage` and is lower than Anthropic's.
#[test]
fn ccusage_underprices_long_context_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let line = r#"{"parentUuid":null,"isSidechain":false,"cwd":"/w/p","sessionId":"s1","version":"2.1.3","type":"assistant","message":{"id":"msg_1","model":"claude-sonnet-4-20250514","content":[],"usage":{"input_tokens":10,"cache_creation_input_tokens":5000,"cache_read_input_tokens":250000,"cache_creation":{"ephemeral_5m_input_tokens":5000,"ephemeral_1h_input_tokens":0},"output_tokens":1000}},"requestId":"req_1","timestamp":"2025-10-24T10:00:00.000Z"}"#;
    let p = tmp.path().join("projects/-w-p/s1.jsonl");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, format!("{line}\n")).unwrap();
    let cc = oracle_or_skip!(ccusage("claude", "CLAUDE_CONFIG_DIR", tmp.path()));
    let cc_cost = cc["totals"]["totalCost"].as_f64().unwrap();
    let mut opts = claude_opts(tmp.path(), CostMode::Calculate);
    let compat = run(&opts).records[0].cost_usd;
    opts.long_context = LongContextRule::Anthropic;
    let anthropic = run(&opts).records[0].cost_usd;
    assert!((cc_cost - compat).abs() < 1e-9, "ccusage {cc_cost} vs our ccusage rule {compat}");
    assert!(anthropic > cc_cost + 0.08, "Anthropic {anthropic} vs ccusage {cc_cost}");
}

/// The generator's expected totals equal ccusage's (tokens exactly, cost within 1e-6): the
/// generators model ccusage's rules correctly, so the tests that run without npx mean something.
pub fn assert_generator_agrees(cc: &Value, generated: &Value, what: &str) {
    let (a, b) = (&cc["totals"], &generated["totals"]);
    for k in ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens"] {
        assert_eq!(a[k].as_u64().unwrap_or(0), b[k].as_u64().unwrap_or(0), "{what}: {k} ccusage vs generator");
    }
    let key = if a.get("costUSD").is_some() { "costUSD" } else { "totalCost" };
    let (x, y) = (a[key].as_f64().unwrap(), b[key].as_f64().unwrap());
    assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0), "{what}: cost ccusage {x} vs generator {y}");
}

/// The 21 real Claude Code transcripts of `shared/corpus/real-transcripts/` (when present) give
/// ccusage's totals, priced with the embedded LiteLLM table and Anthropic's long-context rule.
#[test]
fn real_transcripts_equal_ccusage() {
    let Some(root) = need::shared("corpus/real-transcripts/claude") else { return };
    let cc = crate::oracle_or_skip!(ccusage("claude", "CLAUDE_CONFIG_DIR", &root));
    let opts = specwork_usage::ScanOptions {
        sources: specwork_usage::Sources { claude: vec![root.clone()], ..Default::default() },
        ..Default::default()
    };
    let s = run(&opts);
    assert!(s.unpriced_models.is_empty(), "{:?}", s.unpriced_models);
    assert_daily_eq(&cc, &daily(&s, 0), "totalCost", 1e-6, "real transcripts");
}
