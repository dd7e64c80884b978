//! Codex CLI and Gemini CLI logs against the calls the testkit's generators wrote (counted by
//! ccusage 20.0.24's `codex daily` / `gemini daily` rules; `oracle.rs` asks ccusage itself).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use specwork_testkit::codex::CodexCorpus;
use specwork_testkit::gemini::{GeminiCorpus, GeminiLogs};
use specwork_testkit::{CostMode, Expected, need};
use specwork_usage::{Agent, Filter, GroupBy, Report, ScanOptions, Sources};

use crate::common::*;

/// A Codex home: 60 sessions over 45 days with torn and truncated lines and archived copies
/// (seed 7), and the calls the generator says must count.
pub fn codex_corpus() -> &'static (PathBuf, Expected) {
    static C: OnceLock<(PathBuf, Expected)> = OnceLock::new();
    C.get_or_init(|| {
        let home = need::scratch("usage-codex-s7").join("home");
        let expected = CodexCorpus { seed: 7, sessions: 60, fault_rate: 0.08, quirks: true, ..CodexCorpus::default() }
            .generate(&home);
        (home, expected)
    })
}

/// Gemini logs with the resumed-session quirk, and a copy without the legacy `.json` files that
/// were resumed into a `.jsonl` (roots are the `tmp/` folders).
pub struct GeminiCorpora {
    pub quirky: PathBuf,
    pub deduped: PathBuf,
    pub logs: GeminiLogs,
}

pub fn gemini_corpora() -> &'static GeminiCorpora {
    static C: OnceLock<GeminiCorpora> = OnceLock::new();
    C.get_or_init(|| {
        let d = need::scratch("usage-gemini-s7");
        let out = d.join("gemini");
        let logs = GeminiCorpus { seed: 7, sessions: 60, fault_rate: 0.08, quirks: true, ..GeminiCorpus::default() }
            .generate(&out);
        let copy = d.join("gemini-deduped");
        copy_dir(&out, &copy);
        for legacy in &logs.legacy_with_copy {
            std::fs::remove_file(copy.join(legacy.strip_prefix(&out).unwrap())).unwrap();
        }
        assert!(!logs.legacy_with_copy.is_empty(), "the quirk is in the corpus");
        GeminiCorpora { quirky: out.join("tmp"), deduped: copy.join("tmp"), logs }
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

pub fn codex_opts(home: &Path) -> ScanOptions {
    ScanOptions { sources: Sources { codex: vec![home.to_path_buf()], ..Sources::default() }, ..ScanOptions::default() }
}

pub fn gemini_opts(root: &Path) -> ScanOptions {
    ScanOptions {
        sources: Sources { gemini: vec![root.to_path_buf()], ..Sources::default() },
        ..ScanOptions::default()
    }
}

#[test]
fn codex_daily_totals_equal_the_reference() {
    let (home, generated) = codex_corpus();
    for (hours, minutes) in [(0i8, 0), (7, 420)] {
        let expected = generated.daily(minutes, CostMode::Calculate);
        let s = run(&codex_opts(home));
        let ours = daily(&s, hours);
        assert_daily_eq(&expected, &ours, "costUSD", 1e-6, "codex");
        // Per day and model, as ccusage breaks it down.
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(hours));
        let filter = Filter::in_zone(tz);
        for row in expected["daily"].as_array().unwrap() {
            let date = row["date"].as_str().unwrap();
            let by_model = Report::build_with(&s.records, &filter, |r| {
                (filter.day(r.timestamp).to_string() == date).then(|| r.model.as_deref().unwrap_or("").to_owned())
            });
            let models = row["models"].as_object().unwrap();
            assert_eq!(models.len(), by_model.rows.len(), "{date}");
            for r in &by_model.rows {
                let m = &models[&r.key];
                assert_eq!(m["inputTokens"].as_u64().unwrap(), r.totals.input_tokens, "{date} {}", r.key);
                assert_eq!(m["cacheReadTokens"].as_u64().unwrap(), r.totals.cache_read_tokens);
                assert_eq!(m["outputTokens"].as_u64().unwrap(), r.totals.output_tokens);
            }
        }
    }
    let s = run(&codex_opts(home));
    assert!(s.issues.len() >= 4, "torn and truncated lines are reported: {:?}", s.issues);
    assert!(s.records.iter().all(|r| r.agent == Agent::Codex && r.cwd.is_some()));
}

#[test]
fn gemini_daily_totals_equal_the_reference() {
    // Without the resumed-session quirk, specwork and ccusage agree exactly.
    let c = gemini_corpora();
    let expected = c.logs.expected.daily(0, CostMode::Calculate);
    let s = run(&gemini_opts(&c.deduped));
    assert_daily_eq(&expected, &daily(&s, 0), "totalCost", 1e-6, "gemini");
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::CorruptFile));
}

/// Gemini CLI keeps a legacy `.json` session and writes a `.jsonl` copy of the same messages when
/// it is resumed; ccusage counts both. specwork deduplicates by message id, so its totals on the
/// corpus with both files equal ccusage's totals on the corpus with only the `.jsonl` copies.
#[test]
fn gemini_sessions_stored_twice_count_once() {
    let c = gemini_corpora();
    let ccusage_double = c.logs.ccusage.daily(0, CostMode::Calculate);
    let ccusage_once = c.logs.expected.daily(0, CostMode::Calculate);
    let ours = daily(&run(&gemini_opts(&c.quirky)), 0);
    assert_daily_eq(&ccusage_once, &ours, "totalCost", 1e-6, "gemini dedup");
    let double = ccusage_double["totals"]["totalTokens"].as_u64().unwrap();
    assert!(double > ours.totals.total_tokens, "ccusage double counts: {double} vs {}", ours.totals.total_tokens);
}

#[test]
fn gemini_records_get_the_project_directory_from_its_hash() {
    let mut opts = gemini_opts(&gemini_corpora().deduped);
    opts.project_roots = vec![PathBuf::from("/home/dev/src/specwork")];
    let s = run(&opts);
    let inside = s.records.iter().filter(|r| r.cwd.as_deref() == Some("/home/dev/src/specwork")).count();
    assert!(inside > 0 && inside < s.records.len());
    let mut f = Filter::in_zone(jiff::tz::TimeZone::UTC);
    f.cwd_prefix = Some(PathBuf::from("/home/dev/src/specwork"));
    let r = Report::build(&s.records, &f, GroupBy::Day);
    assert_eq!(r.totals.calls as usize, inside);
}

/// Codex: a spaced line counts; a counter out of range skips its event and is reported.
#[test]
fn codex_spacing_and_out_of_range_counters() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = r#"{"timestamp":"2025-10-01T10:00:00.000Z","type":"turn_context","payload":{"cwd":"/w","model":"gpt-5-codex"}}"#;
    let tc = |ts: &str, i: &str, o: u64| {
        format!(
            r#"{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"token_count","info":{{"last_token_usage":{{"input_tokens":{i},"cached_input_tokens":0,"output_tokens":{o},"reasoning_output_tokens":3,"total_tokens":0}}}}}}}}"#
        )
    };
    let spaced: serde_json::Value = serde_json::from_str(&tc("2025-10-01T10:00:02.000Z", "100", 20)).unwrap();
    let spaced = serde_json::to_string_pretty(&spaced).unwrap().replace('\n', " ");
    let lines = [
        ctx.to_owned(),
        tc("2025-10-01T10:00:01.000Z", "50", 10),
        spaced,
        tc("2025-10-01T10:00:03.000Z", "18446744073709551615", 1),
        tc("2025-10-01T10:00:04.000Z", "-7", 1),
    ];
    let p = tmp.path().join("sessions/2025/10/01/rollout-a.jsonl");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let s = crate::common::run(&codex_opts(tmp.path()));
    let inputs: Vec<u64> = s.records.iter().map(|r| r.tokens.input).collect();
    assert_eq!(inputs, vec![50, 100]);
    assert!(s.records.iter().all(|r| r.tokens.reasoning_in_output == 3 && r.tokens.reasoning == 0));
    let bad: Vec<u32> = s.issues.iter().map(|i| i.line).collect();
    assert_eq!(bad, vec![4, 5], "{:?}", s.issues);
}
