//! Codex CLI and Gemini CLI logs against the reference accountants of `agent_logs_gen.py`, which
//! match ccusage 20.0.24 `codex daily` / `gemini daily`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;
use specwork_usage::{Agent, Filter, GroupBy, Report, ScanOptions, Sources};

use crate::common::*;

pub fn codex_corpus() -> PathBuf {
    static C: OnceLock<PathBuf> = OnceLock::new();
    C.get_or_init(|| {
        corpus("codex-s7-60-faults-quirks", |d| {
            let out = d.join("home");
            python(
                "agent_logs_gen.py",
                &["codex", "--out", out.to_str().unwrap(), "--seed", "7", "--sessions", "60", "--faults", "--quirks"],
            );
        })
        .join("home")
    })
    .clone()
}

/// (corpus with the resumed-session quirk, the same corpus without the legacy `.json` copies)
pub fn gemini_corpora() -> (PathBuf, PathBuf) {
    static C: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    C.get_or_init(|| {
        let d = corpus("gemini-s7-60-faults-quirks", |d| {
            let out = d.join("gemini");
            python(
                "agent_logs_gen.py",
                &["gemini", "--out", out.to_str().unwrap(), "--seed", "7", "--sessions", "60", "--faults", "--quirks"],
            );
            // The same data without the legacy .json files that were resumed into a .jsonl copy.
            let copy = d.join("gemini-deduped");
            copy_dir(&out, &copy);
            let manifest: Value =
                serde_json::from_slice(&std::fs::read(out.join("agent_logs_gen.manifest.json")).unwrap()).unwrap();
            let mut removed = 0;
            for f in manifest["files"].as_array().unwrap() {
                if let Some(orig) = f["variant"]["migrated_from"].as_str() {
                    let rel = Path::new(f["path"].as_str().unwrap());
                    std::fs::remove_file(copy.join(rel.parent().unwrap()).join(orig)).unwrap();
                    removed += 1;
                }
            }
            assert!(removed > 0, "the quirk is in the corpus");
        });
        (d.join("gemini/tmp"), d.join("gemini-deduped/tmp"))
    })
    .clone()
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

fn reference(cmd: &str, root: &Path, tz: i32) -> Value {
    let out = python("agent_logs_gen.py", &[cmd, "--root", root.to_str().unwrap(), "--tz-offset-min", &tz.to_string()]);
    serde_json::from_str(&out).unwrap()
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
    let home = codex_corpus();
    for (hours, minutes) in [(0i8, 0), (7, 420)] {
        let expected = reference("verify-codex", &home, minutes);
        let s = run(&codex_opts(&home));
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
    let s = run(&codex_opts(&home));
    assert!(s.issues.len() >= 4, "torn and truncated lines are reported: {:?}", s.issues);
    assert!(s.records.iter().all(|r| r.agent == Agent::Codex && r.cwd.is_some()));
}

#[test]
fn gemini_daily_totals_equal_the_reference() {
    // Without the resumed-session quirk, specwork and ccusage agree exactly.
    let (_, deduped) = gemini_corpora();
    let expected = reference("verify-gemini", &deduped, 0);
    let s = run(&gemini_opts(&deduped));
    assert_daily_eq(&expected, &daily(&s, 0), "totalCost", 1e-6, "gemini");
    assert!(s.issues.iter().any(|i| i.kind == specwork_usage::IssueKind::CorruptFile));
}

/// Gemini CLI keeps a legacy `.json` session and writes a `.jsonl` copy of the same messages when
/// it is resumed; ccusage counts both. specwork deduplicates by message id, so its totals on the
/// corpus with both files equal ccusage's totals on the corpus with only the `.jsonl` copies.
#[test]
fn gemini_sessions_stored_twice_count_once() {
    let (quirky, deduped) = gemini_corpora();
    let ccusage_double = reference("verify-gemini", &quirky, 0);
    let ccusage_once = reference("verify-gemini", &deduped, 0);
    let ours = daily(&run(&gemini_opts(&quirky)), 0);
    assert_daily_eq(&ccusage_once, &ours, "totalCost", 1e-6, "gemini dedup");
    let double = ccusage_double["totals"]["totalTokens"].as_u64().unwrap();
    assert!(double > ours.totals.total_tokens, "ccusage double counts: {double} vs {}", ours.totals.total_tokens);
}

#[test]
fn gemini_records_get_the_project_directory_from_its_hash() {
    let (_, deduped) = gemini_corpora();
    let mut opts = gemini_opts(&deduped);
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
