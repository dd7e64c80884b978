//! OpenCode, Amp, Copilot CLI and Qwen Code: corpora from specwork's own generator
//! (`gen_agents.rs`) against the real ccusage 20.0.24 (`ccusage <agent> daily --json --offline
//! -z UTC`). Token totals must be equal day by day. Costs are compared per day and model: they
//! equal wherever ccusage's embedded price table and specwork's (LiteLLM 1.110.2) agree — every
//! model here but Qwen's, which LiteLLM does not list under the names Qwen Code logs (specwork
//! warns that they have no price; add them to `[prices]`). The generators keep requests below
//! 200k input tokens: above it ccusage's older table still tiers Sonnet 4.5 (see `prices.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use specwork_usage::{Agent, LongContextOverride, PriceOverride, PriceTable, Scan, ScanOptions, Sources};

use crate::common::*;
use crate::gen_agents;
use crate::gen_more;
use crate::oracle::ccusage_with;

fn opts(agent: Agent, dir: &Path) -> ScanOptions {
    let mut sources = Sources::default();
    match agent {
        Agent::OpenCode => sources.opencode = vec![dir.to_path_buf()],
        Agent::Amp => sources.amp = vec![dir.to_path_buf()],
        Agent::Copilot => sources.copilot = vec![dir.join(".copilot/otel")],
        Agent::Qwen => sources.qwen = vec![dir.to_path_buf()],
        Agent::Droid => sources.droid = vec![dir.to_path_buf()],
        Agent::Kimi => sources.kimi = vec![dir.to_path_buf()],
        Agent::Pi => sources.pi = vec![dir.to_path_buf()],
        Agent::OpenClaw => sources.openclaw = vec![dir.to_path_buf()],
        Agent::Codebuff => sources.codebuff = vec![dir.join("projects")],
        Agent::Kilo => sources.kilo = vec![dir.to_path_buf()],
        Agent::Goose => sources.goose = vec![dir.join("data/sessions/sessions.db")],
        Agent::Hermes => sources.hermes = vec![dir.join("state.db")],
        Agent::Grok => sources.grok = vec![dir.to_path_buf()],
        _ => unreachable!("not a new agent"),
    }
    ScanOptions { sources, ..ScanOptions::default() }
}

fn day_of(r: &specwork_usage::UsageRecord) -> String {
    r.timestamp.to_zoned(jiff::tz::TimeZone::UTC).date().to_string()
}

/// Tokens equal ccusage's day by day; costs per day and model equal except for `price_diffs`.
/// Returns the models whose cost differs.
fn compare(agent: &str, s: &Scan, cc: &Value, price_diffs: &[&str]) -> BTreeSet<String> {
    let ours = daily(s, 0);
    let rows = cc["daily"].as_array().expect("daily[]");
    assert!(!rows.is_empty(), "{agent}: ccusage found no usage");
    assert_eq!(
        rows.iter().map(|r| r["date"].as_str().unwrap().to_owned()).collect::<Vec<_>>(),
        ours.rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
        "{agent}: days"
    );
    for (e, o) in rows.iter().zip(&ours.rows) {
        let d = &o.key;
        let n = |k: &str| e[k].as_u64().unwrap_or(0);
        let t = &o.totals;
        assert_eq!(n("inputTokens"), t.input_tokens, "{agent} {d}: input");
        assert_eq!(n("outputTokens"), t.output_tokens, "{agent} {d}: output");
        assert_eq!(n("cacheCreationTokens"), t.cache_creation_tokens, "{agent} {d}: cache write");
        assert_eq!(n("cacheReadTokens"), t.cache_read_tokens, "{agent} {d}: cache read");
        assert_eq!(n("totalTokens"), t.total_tokens, "{agent} {d}: total");
    }
    let mut cost: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in &s.records {
        *cost.entry((day_of(r), r.model.as_deref().unwrap_or("").to_owned())).or_default() += r.cost_usd;
    }
    let mut differ = BTreeSet::new();
    let mut equal = 0;
    for e in rows {
        let d = e["date"].as_str().unwrap();
        for b in e["modelBreakdowns"].as_array().expect("modelBreakdowns[]") {
            let m = b["modelName"].as_str().unwrap();
            let want = b["cost"].as_f64().unwrap_or(0.0);
            let got = cost.get(&(d.to_owned(), m.to_owned())).copied().unwrap_or(0.0);
            if (want - got).abs() <= 1e-6 * want.abs().max(1.0) {
                equal += 1;
            } else {
                differ.insert(m.to_owned());
            }
        }
    }
    let unexpected: Vec<&String> = differ.iter().filter(|m| !price_diffs.contains(&m.as_str())).collect();
    assert!(unexpected.is_empty(), "{agent}: cost differs from ccusage for {unexpected:?} (known: {price_diffs:?})");
    assert!(equal > 0, "{agent}: no day and model priced as ccusage prices it");
    eprintln!("{agent}: {equal} day/model costs equal ccusage; prices differ for {differ:?}");
    differ
}

#[test]
fn qwen_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_agents::qwen(tmp.path(), 5, 40);
    let s = run(&opts(Agent::Qwen, &dir));
    // The generator's faults and quirks are seen.
    assert!(s.issues.len() >= 2, "torn and truncated lines reported: {:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a copied chat file counts once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Qwen && r.cwd.is_some()));
    assert!(s.unpriced_models.contains("coder-model"), "Qwen OAuth's coder-model has no price");
    let cc = crate::oracle_or_skip!(ccusage_with("qwen", &[("QWEN_DATA_DIR", &dir)], &[]));
    // ccusage prices the Qwen models from its own embedded table (models.dev); LiteLLM 1.110.2
    // lists them only under provider prefixes specwork's lookup does not reach.
    compare("qwen", &s, &cc, &["qwen3-coder-plus", "qwen3-coder-flash", "qwen3-max", "qwen3.5-plus", "coder-model"]);
}

#[test]
fn amp_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_agents::amp(tmp.path(), 5, 40);
    let s = run(&opts(Agent::Amp, &dir));
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::CorruptFile), "{:?}", s.issues);
    assert!(s.records.iter().all(|r| r.agent == Agent::Amp && r.session_id.starts_with("T-")));
    let cc = crate::oracle_or_skip!(ccusage_with("amp", &[("AMP_DATA_DIR", &dir)], &[]));
    compare("amp", &s, &cc, &[]);
}

#[test]
fn copilot_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let home = gen_agents::copilot(tmp.path(), 5, 30);
    let s = run(&opts(Agent::Copilot, &home));
    assert!(s.records.iter().all(|r| r.agent == Agent::Copilot));
    let cc = crate::oracle_or_skip!(ccusage_with("copilot", &[("HOME", &home)], &[]));
    compare("copilot", &s, &cc, &[]);
}

#[test]
fn opencode_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_agents::opencode(tmp.path(), 5, 40);
    let s = run(&opts(Agent::OpenCode, &dir));
    assert!(s.stats.duplicates > 0, "a message stored twice counts once");
    assert!(s.unpriced_models.contains("big-pickle"));
    let cc = crate::oracle_or_skip!(ccusage_with("opencode", &[("OPENCODE_DATA_DIR", &dir)], &[]));
    compare("opencode", &s, &cc, &[]);
}

#[test]
fn droid_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::droid(tmp.path(), 5, 40);
    let s = run(&opts(Agent::Droid, &dir));
    assert!(
        s.issues.iter().filter(|i| i.kind == specwork_usage::IssueKind::CorruptFile).count() >= 2,
        "{:?}",
        s.issues
    );
    assert!(s.stats.duplicates > 0, "a session continued in a renamed folder counts once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Droid));
    // The working directory comes from the transcript beside the settings (none beside a copy).
    let with_cwd = s.records.iter().filter(|r| r.cwd.is_some()).count();
    assert!(with_cwd > 0 && with_cwd < s.records.len(), "{with_cwd} of {}", s.records.len());
    let models: BTreeSet<&str> = s.records.iter().filter_map(|r| r.model.as_deref()).collect();
    assert!(models.contains("gpt-5-1-codex") && models.contains("glm-4-6"), "normalised names: {models:?}");
    let cc = crate::oracle_or_skip!(ccusage_with("droid", &[("DROID_SESSIONS_DIR", &dir)], &[]));
    // LiteLLM 1.110.2 lists GLM 4.6 under more gateways than ccusage's snapshot does, and the
    // longest matching key (a gateway's) wins; ccusage finds only Z.AI's.
    compare("droid", &s, &cc, &["glm-4-6"]);
}

/// ccusage skips the Task subagents' calls (wrapped in `SubagentEvent`); specwork counts them:
/// on a corpus without subagents both agree day by day, on one with them specwork's total is
/// ccusage's plus exactly the subagents' tokens.
#[test]
fn kimi_totals_equal_ccusage_plus_subagents() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = gen_more::kimi(&tmp.path().join("plain"), 5, 40, false);
    let s = run(&opts(Agent::Kimi, &plain.root));
    assert!(s.issues.len() >= 2, "torn and truncated lines reported: {:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a session copied under another hash counts once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Kimi && r.model.as_deref() == Some("kimi-for-coding")));
    let cc = crate::oracle_or_skip!(ccusage_with("kimi", &[("KIMI_DATA_DIR", &plain.root)], &[]));
    compare("kimi", &s, &cc, &[]);

    let with = gen_more::kimi(&tmp.path().join("with"), 6, 40, true);
    assert!(with.subagent_tokens > 0);
    let s = run(&opts(Agent::Kimi, &with.root));
    let cc = crate::oracle_or_skip!(ccusage_with("kimi", &[("KIMI_DATA_DIR", &with.root)], &[]));
    let ours = daily(&s, 0).totals.total_tokens;
    let theirs = cc["totals"]["totalTokens"].as_u64().unwrap();
    assert_eq!(ours, theirs + with.subagent_tokens, "specwork = ccusage + the subagents' tokens");
}

#[test]
fn pi_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::pi(&tmp.path().join("sessions"), 5, 40);
    let s = run(&opts(Agent::Pi, &dir));
    assert!(s.issues.len() >= 2, "torn and truncated lines reported: {:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a session copied beside itself counts once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Pi && r.cwd.is_some()), "cwd from the header");
    assert!(s.records.iter().all(|r| r.model.as_deref().is_some_and(|m| m.starts_with("[pi] "))));
    let cc = crate::oracle_or_skip!(ccusage_with("pi", &[("PI_AGENT_DIR", &dir)], &[]));
    compare("pi", &s, &cc, &[]);
}

#[test]
fn openclaw_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::openclaw(tmp.path(), 5, 40);
    let s = run(&opts(Agent::OpenClaw, &dir));
    assert!(s.issues.len() >= 2, "torn and truncated lines reported: {:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a reset archive's records count once");
    assert!(s.records.iter().all(|r| r.agent == Agent::OpenClaw && r.cwd.is_some()), "cwd from the header");
    assert!(s.records.iter().all(|r| r.model.as_deref().is_some_and(|m| m.starts_with("[openclaw] "))));
    let cc = crate::oracle_or_skip!(ccusage_with("openclaw", &[("OPENCLAW_DIR", &dir)], &[]));
    compare("openclaw", &s, &cc, &[]);
}

#[test]
fn codebuff_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::codebuff(&tmp.path().join("manicode"), 5, 40);
    let s = run(&opts(Agent::Codebuff, &dir));
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::CorruptFile), "{:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a message stored twice counts once");
    assert!(s.unpriced_models.contains("codebuff-unknown"));
    assert!(s.records.iter().all(|r| r.agent == Agent::Codebuff && r.session_id.starts_with("manicode/")));
    let cc = crate::oracle_or_skip!(ccusage_with("codebuff", &[("CODEBUFF_DATA_DIR", &dir)], &[]));
    compare("codebuff", &s, &cc, &[]);
}

/// OpenCode 1.2+'s SQLite store, read before the message files (a message in both counts once,
/// as the database has it).
#[test]
fn opencode_db_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::opencode_db(tmp.path(), 7, 30);
    let s = run(&opts(Agent::OpenCode, &dir));
    assert!(s.stats.duplicates > 0, "a message in the database and a file counts once");
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::CorruptLine), "{:?}", s.issues);
    assert!(s.records.iter().all(|r| r.agent == Agent::OpenCode && r.cwd.is_some()));
    let cc = crate::oracle_or_skip!(ccusage_with("opencode", &[("OPENCODE_DATA_DIR", &dir)], &[]));
    compare("opencode", &s, &cc, &[]);
}

#[test]
fn kilo_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::kilo(tmp.path(), 5, 30);
    let s = run(&opts(Agent::Kilo, &dir));
    assert!(s.records.iter().all(|r| r.agent == Agent::Kilo));
    assert!(s.records.iter().any(|r| r.cost_usd == 0.0 && r.tokens.total() > 0), "a recorded cost of 0 is taken");
    let cc = crate::oracle_or_skip!(ccusage_with("kilo", &[("KILO_DATA_DIR", &dir)], &[]));
    compare("kilo", &s, &cc, &[]);
}

#[test]
fn goose_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = gen_more::goose(tmp.path(), 5, 30);
    let s = run(&opts(Agent::Goose, &dir));
    assert!(s.records.iter().all(|r| r.agent == Agent::Goose));
    assert_eq!(s.records.len(), 27, "30 sessions but one without a model config, one naming no model, one empty");
    let cc = crate::oracle_or_skip!(ccusage_with("goose", &[("GOOSE_PATH_ROOT", &dir)], &[]));
    compare("goose", &s, &cc, &[]);
}

/// `homes` listed comma-separated in variable `var`, and the sources `agent` resolves from it.
fn listed(var: &str, homes: &[std::path::PathBuf], agent: Agent) -> (std::ffi::OsString, Sources) {
    let list: Vec<String> = homes.iter().map(|h| h.display().to_string()).collect();
    let list = std::ffi::OsString::from(list.join(","));
    let sources = Sources::for_agents(|k| (k == var).then(|| list.clone()), &[agent]).unwrap();
    (list, sources)
}

/// Two Hermes homes (`HERMES_HOME=a,b`): a session in both counts once.
#[test]
fn hermes_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let homes = gen_more::hermes(tmp.path(), 5, 30, 2);
    let (list, sources) = listed("HERMES_HOME", &homes, Agent::Hermes);
    assert_eq!(sources.hermes.len(), 2);
    let s = run(&ScanOptions { sources, ..ScanOptions::default() });
    assert!(s.stats.duplicates > 0, "a session in both homes counts once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Hermes));
    let cc = crate::oracle_or_skip!(ccusage_with("hermes", &[("HERMES_HOME", Path::new(&list))], &[]));
    // ccusage prices the candidate `openai/gpt-5.1-codex` far below GPT-5.1 Codex's list price
    // (its snapshot's fuzzy match finds a cheaper entry, near the -mini's); specwork matches it
    // to `gpt-5.1-codex`. Tokens are equal.
    compare("hermes", &s, &cc, &["gpt-5.1-codex"]);
}

/// Grok Build CLI: events exported twice count once, turns without event id once per file;
/// Grok's recorded cost (`costUsdTicks`) is taken, other turns are priced.
#[test]
fn grok_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let home = gen_more::grok(tmp.path(), 5, 30);
    let s = run(&opts(Agent::Grok, &home));
    assert!(s.records.iter().all(|r| r.agent == Agent::Grok));
    assert!(s.issues.len() >= 2, "torn and truncated lines reported: {:?}", s.issues);
    assert!(s.stats.duplicates > 0, "an exported copy and a repeated turn count once");
    assert!(s.unpriced_models.contains("grok-experimental-x"), "{:?}", s.unpriced_models);
    assert!(s.records.iter().any(|r| r.tokens.reasoning_in_output > 0 && r.tokens.reasoning == 0));
    // Summaries (or, without one, the project folder) give the working directory.
    assert!(s.records.iter().filter(|r| r.cwd.as_deref() != Some("/tmp/export")).all(|r| r.cwd.is_some()));
    let cc = crate::oracle_or_skip!(ccusage_with("grok", &[("GROK_HOME", &home)], &[]));
    // Turns without recorded cost are priced from the tables: ccusage's snapshot (models.dev)
    // prices `grok-4.3` at xAI's list with cache reads at $0.125/M, where LiteLLM 1.110.2 has no
    // bare `grok-4.3` and the longest matching key is a Bedrock GovCloud entry ($1.50/$3/$0.24);
    // and it has no long-context tier for Grok 4.20 Reasoning (LiteLLM: double above 200k).
    compare("grok", &s, &cc, &["grok-4.3", "grok-4.20-reasoning"]);
    // With ccusage's prices, every day and model costs the same.
    let flat = LongContextOverride { input: 1.25, output: 2.5, cache_read: Some(0.2), ..Default::default() };
    let prices = ccusage_priced(&[
        ("xai/grok-4.3", PriceOverride { cache_read: Some(0.125), ..Default::default() }),
        ("xai/grok-4.20-reasoning", PriceOverride { long_context: Some(flat), ..Default::default() }),
    ]);
    let s = run(&ScanOptions { prices, ..opts(Agent::Grok, &home) });
    compare("grok", &s, &cc, &[]);
}

/// The embedded table with the prices ccusage's snapshot has for `models` (table keys).
fn ccusage_priced(models: &[(&str, PriceOverride)]) -> PriceTable {
    let o: BTreeMap<String, PriceOverride> = models.iter().map(|(m, p)| ((*m).to_owned(), p.clone())).collect();
    PriceTable::builtin().with_overrides(&o).unwrap()
}

/// ZCode: three homes (`ZCODE_HOME=a,b,c`), the second an older schema repeating some rows of
/// the first (they count once), the third not a database (reported, not fatal).
#[test]
fn zcode_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let homes = gen_more::zcode(tmp.path(), 5, 30);
    let (list, sources) = listed("ZCODE_HOME", &homes, Agent::Zcode);
    assert_eq!(sources.zcode.len(), 3);
    let s = run(&ScanOptions { sources: sources.clone(), ..ScanOptions::default() });
    assert!(s.stats.duplicates > 0, "a row in two homes counts once");
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::Unreadable), "{:?}", s.issues);
    assert!(s.records.iter().all(|r| r.agent == Agent::Zcode && r.cwd.is_some()));
    assert!(s.unpriced_models.contains("GLM-9-Preview"), "{:?}", s.unpriced_models);
    let cc = crate::oracle_or_skip!(ccusage_with("zcode", &[("ZCODE_HOME", Path::new(&list))], &[]));
    // LiteLLM 1.110.2 lists no cache prices for GLM-4.5-Air (ccusage: $0.03/M to read) and a $0
    // cache write for GLM-4.6 and 4.7 (ccusage bills cache writes at the input price).
    let differ = compare("zcode", &s, &cc, &["GLM-4.5-Air", "GLM-4.6", "GLM-4.7"]);
    assert!(differ.contains("GLM-4.5-Air"), "{differ:?}");
    // With ccusage's prices, every day and model costs the same.
    let write = |p: f64| PriceOverride { cache_write_5m: Some(p), ..Default::default() };
    let prices = ccusage_priced(&[
        ("zai/glm-4.5-air", PriceOverride { cache_read: Some(0.03), cache_write_5m: Some(0.2), ..Default::default() }),
        ("zai/glm-4.6", write(0.6)),
        ("zai/glm-4.7", write(0.6)),
    ]);
    let s = run(&ScanOptions { sources, prices, ..ScanOptions::default() });
    compare("zcode", &s, &cc, &[]);
}

/// `--agent X` resolves only X's folders: a `CLAUDE_CONFIG_DIR` without `projects/` breaks
/// Claude alone.
#[test]
fn an_agent_never_fails_on_another_agents_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_claude = tmp.path().join("claude-without-projects");
    std::fs::create_dir_all(&bad_claude).unwrap();
    let qwen = gen_agents::qwen(&tmp.path().join("qwen"), 1, 3);
    let vars = |k: &str| match k {
        "CLAUDE_CONFIG_DIR" => Some(bad_claude.clone().into_os_string()),
        "QWEN_DATA_DIR" => Some(qwen.clone().into_os_string()),
        "HOME" => Some(tmp.path().join("home").into_os_string()),
        _ => None,
    };
    for agent in [Agent::Codex, Agent::Gemini, Agent::Qwen, Agent::Amp, Agent::Copilot, Agent::OpenCode] {
        let s = Sources::for_agents(vars, &[agent]).unwrap_or_else(|e| panic!("{agent}: {e}"));
        assert!(s.claude.is_empty(), "{agent} does not list Claude's folders");
    }
    assert_eq!(Sources::for_agents(vars, &[Agent::Qwen]).unwrap().qwen, vec![qwen.clone()]);
    assert!(Sources::for_agents(vars, &[Agent::Claude]).is_err());
    assert!(Sources::for_agents(vars, &[]).is_err(), "all agents include Claude");
}
