//! Claude Code transcripts against the calls the testkit's generator wrote (counted by
//! ccusage 20's rules; `oracle.rs` checks the same corpus against ccusage itself).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use specwork_usage::{CostMode, IssueKind, LongContextRule, ScanOptions, Sources};

use crate::common::*;

#[test]
fn daily_totals_equal_the_reference_in_every_cost_mode() {
    let (root, generated) = claude_corpus();
    for (mode, name) in [(CostMode::Auto, "auto"), (CostMode::Calculate, "calculate"), (CostMode::Display, "display")] {
        let expected = reference(generated, mode, 0);
        let s = run(&claude_opts(root, mode));
        let ours = daily(&s, 0);
        assert_daily_eq(&expected, &ours, "totalCost", 1e-6, name);
        let tot = &expected["totals"];
        assert_eq!(tot["totalTokens"].as_u64().unwrap(), ours.totals.total_tokens);
        assert_eq!(tot["entries"].as_u64().unwrap(), ours.totals.calls, "{name}: calls");
    }
}

#[test]
fn days_follow_the_time_zone() {
    let (root, generated) = claude_corpus();
    // UTC+7 (Bangkok) and UTC-8.
    for (hours, minutes) in [(7i8, 420), (-8, -480)] {
        let expected = reference(generated, CostMode::Auto, minutes);
        let s = run(&claude_opts(root, CostMode::Auto));
        assert_daily_eq(&expected, &daily(&s, hours), "totalCost", 1e-6, "tz");
    }
}

/// Lines that are not JSON in the corpus, found independently of the scanner.
fn invalid_lines(root: &Path) -> BTreeSet<(PathBuf, u32)> {
    let mut out = BTreeSet::new();
    let mut stack = vec![root.join("projects")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                let data = std::fs::read(&p).unwrap();
                for (i, line) in data.split(|&b| b == b'\n').enumerate() {
                    if !line.is_empty() && serde_json::from_slice::<serde_json::Value>(line).is_err() {
                        out.insert((p.clone(), i as u32 + 1));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn corrupt_and_truncated_lines_are_reported_with_file_and_line() {
    let (root, _) = claude_corpus();
    let s = run(&claude_opts(root, CostMode::Auto));
    let reported: BTreeSet<(PathBuf, u32)> = s.issues.iter().map(|i| (i.path.clone(), i.line)).collect();
    let invalid = invalid_lines(root);
    assert!(!invalid.is_empty(), "the corpus has faults");
    assert_eq!(reported, invalid);
    assert!(s.issues.iter().any(|i| i.kind == IssueKind::TruncatedLastLine));
    assert!(s.issues.iter().any(|i| i.kind == IssueKind::CorruptLine));
    let shown = s.issues[0].to_string();
    assert!(shown.contains(".jsonl:") && shown.ends_with(s.issues[0].kind.describe()), "{shown}");
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

#[test]
fn several_config_roots_are_read_as_one() {
    let (root, _) = claude_corpus();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    // Split the project folders between two roots.
    let mut projects: Vec<_> = std::fs::read_dir(root.join("projects")).unwrap().map(|e| e.unwrap().path()).collect();
    projects.sort();
    for (i, p) in projects.iter().enumerate() {
        let dest = if i % 2 == 0 { &a } else { &b };
        copy_dir(p, &dest.join("projects").join(p.file_name().unwrap()));
    }
    let value = format!("{},{}", a.display(), b.join("projects").display());
    let sources = Sources::from_vars(|k| match k {
        "CLAUDE_CONFIG_DIR" => Some(value.clone().into()),
        "HOME" => Some(tmp.path().into()),
        _ => None,
    })
    .unwrap();
    assert_eq!(sources.claude, vec![a.clone(), b.clone()]);
    let split = run(&ScanOptions { sources, long_context: LongContextRule::Ccusage, ..ScanOptions::default() });
    let whole = run(&claude_opts(root, CostMode::Auto));
    let (x, y) = (daily(&split, 0).totals, daily(&whole, 0).totals);
    assert_eq!(
        (x.input_tokens, x.output_tokens, x.cache_creation_tokens, x.cache_read_tokens),
        (y.input_tokens, y.output_tokens, y.cache_creation_tokens, y.cache_read_tokens)
    );
    // A CLAUDE_CONFIG_DIR with no projects/ folder is an error, as in ccusage.
    let err = Sources::from_vars(|k| (k == "CLAUDE_CONFIG_DIR").then(|| "/nonexistent".into()));
    assert!(err.is_err());
}

#[test]
fn default_roots_are_xdg_then_home() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path();
    std::fs::create_dir_all(home.join(".config/claude/projects")).unwrap();
    std::fs::create_dir_all(home.join(".claude/projects")).unwrap();
    std::fs::create_dir_all(home.join(".codex/sessions")).unwrap();
    std::fs::create_dir_all(home.join(".gemini/tmp")).unwrap();
    let s = Sources::from_vars(|k| (k == "HOME").then(|| home.into())).unwrap();
    assert_eq!(s.claude, vec![home.join(".config/claude"), home.join(".claude")]);
    assert_eq!(s.codex, vec![home.join(".codex")]);
    assert_eq!(s.gemini, vec![home.join(".gemini/tmp")]);
}

fn line(model: &str, id: &str, req: &str, side: bool, usage: &str, ts: &str) -> String {
    format!(
        r#"{{"parentUuid":null,"isSidechain":{side},"cwd":"/w/p","sessionId":"s1","version":"2.1.3","type":"assistant","message":{{"id":"{id}","model":"{model}","content":[{{"type":"text","text":"hi"}}],"usage":{usage}}},"requestId":"{req}","timestamp":"{ts}"}}"#
    )
}

fn scan_lines(files: &[(&str, Vec<String>)], rule: LongContextRule) -> specwork_usage::Scan {
    let tmp = tempfile::tempdir().unwrap();
    for (name, lines) in files {
        let p = tmp.path().join("projects/-w-p").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    }
    let mut o = claude_opts(tmp.path(), CostMode::Calculate);
    o.long_context = rule;
    run(&o)
}

/// ccusage prices Claude's long context per token category: the first 200,000 tokens of each
/// category at the base rate and only the rest at the higher rate. Anthropic's published rule is
/// that a request whose input (input + cache writes + cache reads) exceeds 200,000 tokens is priced
/// entirely at the long-context rates. specwork follows Anthropic by default; the ccusage rule is
/// kept for comparisons (and the oracle test shows ccusage computing it).
#[test]
fn long_context_follows_anthropic_not_ccusage() {
    let usage = r#"{"input_tokens":10,"cache_creation_input_tokens":5000,"cache_read_input_tokens":250000,"cache_creation":{"ephemeral_5m_input_tokens":5000,"ephemeral_1h_input_tokens":0},"output_tokens":1000}"#;
    // LiteLLM's table gives Sonnet 4 (through its Bedrock keys) a long-context tier.
    let l = line("claude-sonnet-4-20250514", "msg_1", "req_1", false, usage, "2025-10-24T10:00:00.000Z");
    let files = [("s1.jsonl", vec![l])];
    let anthropic = scan_lines(&files, LongContextRule::Anthropic);
    let ccusage = scan_lines(&files, LongContextRule::Ccusage);
    // Anthropic: 255,010 input tokens > 200k, so input $6, output $22.50, 5m write $7.50,
    // cache read $0.60 per million for the whole request.
    let want_anthropic = (10.0 * 6.0 + 1000.0 * 22.5 + 5000.0 * 7.5 + 250_000.0 * 0.6) / 1e6;
    // ccusage: only the 50,000 cache-read tokens above 200k at $0.60; everything else at base.
    let want_ccusage = (10.0 * 3.0 + 1000.0 * 15.0 + 5000.0 * 3.75 + 200_000.0 * 0.3 + 50_000.0 * 0.6) / 1e6;
    assert!((anthropic.records[0].cost_usd - want_anthropic).abs() < 1e-12);
    assert!((ccusage.records[0].cost_usd - want_ccusage).abs() < 1e-12);
    assert!((want_anthropic - 0.21006).abs() < 1e-9 && (want_ccusage - 0.12378).abs() < 1e-9);
    // Below the threshold both rules agree.
    let small = r#"{"input_tokens":10,"cache_read_input_tokens":150000,"output_tokens":1000}"#;
    let l = line("claude-sonnet-4-5-20250929", "msg_1", "req_1", false, small, "2025-10-24T10:00:00.000Z");
    let files = [("s1.jsonl", vec![l])];
    let a = scan_lines(&files, LongContextRule::Anthropic).records[0].cost_usd;
    let c = scan_lines(&files, LongContextRule::Ccusage).records[0].cost_usd;
    assert_eq!(a, c);
}

#[test]
fn dedup_keeps_the_largest_streamed_line_and_drops_sidechain_replays() {
    let ts = "2025-10-24T10:00:00.000Z";
    let u = |out: u64, cr: u64| format!(r#"{{"input_tokens":3,"cache_read_input_tokens":{cr},"output_tokens":{out}}}"#);
    let m = "claude-sonnet-4-5-20250929";
    let main = vec![
        line(m, "msg_a", "req_a", false, &u(1, 100), ts),
        line(m, "msg_a", "req_a", false, &u(2, 100), ts),
        line(m, "msg_a", "req_a", false, &u(50, 100), ts),
        line(m, "msg_b", "req_b", false, &u(7, 10), ts),
    ];
    // A /btw replay: same message id, new request id, sidechain, more cache reads.
    let side = vec![line(m, "msg_a", "req_x", true, &u(50, 900), ts)];
    let s = scan_lines(
        &[("s1.jsonl", main), ("s1/subagents/agent-aside_question-1.jsonl", side)],
        LongContextRule::Anthropic,
    );
    let outs: Vec<u64> = s.records.iter().map(|r| r.tokens.output).collect();
    assert_eq!(outs, vec![50, 7]);
    assert_eq!(s.records[0].tokens.cache_read, 100);
    assert_eq!(s.stats.duplicates, 3);
}

#[test]
fn lines_ccusage_skips_are_skipped() {
    let ts = "2025-10-24T10:00:00.000Z";
    let m = "claude-sonnet-4-5-20250929";
    let ok = r#"{"input_tokens":1,"output_tokens":1}"#;
    let lines = vec![
        line(m, "msg_1", "req_1", false, ok, ts),
        // a null in a checked field
        line(m, "msg_2", "req_2", false, ok, ts).replace(r#""requestId":"req_2""#, r#""requestId":null"#),
        // a timestamp without a zone
        line(m, "msg_3", "req_3", false, ok, "2025-10-24T10:00:00"),
        // an empty model
        line("", "msg_4", "req_4", false, ok, ts),
        // a negative token count
        line(m, "msg_5", "req_5", false, r#"{"input_tokens":-1,"output_tokens":1}"#, ts),
        // a bad version
        line(m, "msg_6", "req_6", false, ok, ts).replace("2.1.3", "dev"),
        // API error line: counted with no model and no tokens
        line("<synthetic>", "msg_7", "req_7", false, r#"{"input_tokens":0,"output_tokens":0}"#, ts),
    ];
    let s = scan_lines(&[("s1.jsonl", lines)], LongContextRule::Anthropic);
    assert_eq!(s.records.len(), 2);
    assert_eq!(s.records[1].model, None);
    assert_eq!(s.stats.lines.rejected, 4);
    // The negative count is skipped too, but reported (a corrupt counter, not a rule).
    let kinds: Vec<(u32, IssueKind)> = s.issues.iter().map(|i| (i.line, i.kind)).collect();
    assert_eq!(kinds, vec![(5, IssueKind::OutOfRange)]);
}

#[test]
fn fast_mode_is_priced_and_named() {
    let ts = "2025-10-24T10:00:00.000Z";
    let u = r#"{"input_tokens":1000,"output_tokens":1000,"speed":"fast"}"#;
    let s =
        scan_lines(&[("s1.jsonl", vec![line("claude-opus-4-6", "m", "r", false, u, ts)])], LongContextRule::Anthropic);
    assert_eq!(s.records[0].model.as_deref(), Some("claude-opus-4-6-fast"));
    let base = (1000.0 * 5.0 + 1000.0 * 25.0) / 1e6;
    assert!((s.records[0].cost_usd - base * 6.0).abs() < 1e-12);
}

/// A valid line written with spaces after `:` and `,` counts like its compact twin (ccusage
/// 20.0.24 drops it silently; the fast path falls back to the full parser).
#[test]
fn a_line_with_any_json_spacing_counts() {
    let ts = "2025-10-24T10:00:00.000Z";
    let m = "claude-sonnet-4-5-20250929";
    let usage = r#"{"input_tokens":10,"cache_read_input_tokens":200,"output_tokens":30}"#;
    let compact = line(m, "msg_1", "req_1", false, usage, ts);
    let v: serde_json::Value = serde_json::from_str(&line(m, "msg_2", "req_2", false, usage, ts)).unwrap();
    let spaced = serde_json::to_string_pretty(&v).unwrap().replace('\n', " ");
    let spaced_keys = compact.replace("msg_1", "msg_3").replace("req_1", "req_3").replace("\":", "\" :  ");
    for l in [&spaced, &spaced_keys] {
        assert!(l.contains("\"usage\": {") || l.contains("\"usage\" :  {"), "{l}");
    }
    let s = scan_lines(&[("s1.jsonl", vec![compact, spaced, spaced_keys])], LongContextRule::Anthropic);
    assert_eq!(s.records.len(), 3, "{:?}", s.issues);
    assert!(s.records.iter().all(|r| r.tokens.total() == 240));
    assert!(s.issues.is_empty());
}

/// Token counters past what any call can hold (here 2^64-1, which would wrap the sum) are
/// skipped and reported; the totals keep the other lines exactly.
#[test]
fn out_of_range_counts_are_skipped_and_reported_never_wrapped() {
    let ts = "2025-10-24T10:00:00.000Z";
    let m = "claude-sonnet-4-5-20250929";
    let lines = vec![
        line(m, "msg_1", "req_1", false, r#"{"input_tokens":5,"output_tokens":7}"#, ts),
        line(m, "msg_2", "req_2", false, r#"{"input_tokens":18446744073709551615,"output_tokens":1}"#, ts),
        line(
            m,
            "msg_3",
            "req_3",
            false,
            r#"{"input_tokens":1,"output_tokens":2,"cache_read_input_tokens":18446744073709551615}"#,
            ts,
        ),
        line(m, "msg_4", "req_4", false, r#"{"input_tokens":-3,"output_tokens":1}"#, ts),
        line(m, "msg_5", "req_5", false, r#"{"input_tokens":2.5,"output_tokens":1}"#, ts),
        line(m, "msg_6", "req_6", false, r#"{"input_tokens":18446744073709551616,"output_tokens":1}"#, ts),
    ];
    let s = scan_lines(&[("s1.jsonl", lines)], LongContextRule::Anthropic);
    assert_eq!(s.records.len(), 1);
    assert_eq!(s.records[0].tokens.total(), 12);
    let lines: Vec<u32> = s.issues.iter().filter(|i| i.kind == IssueKind::OutOfRange).map(|i| i.line).collect();
    assert_eq!(lines, vec![2, 3, 4, 5, 6], "{:?}", s.issues);
}
