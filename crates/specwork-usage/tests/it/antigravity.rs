//! Google Antigravity: corpora from specwork's own generator (`gen_antigravity.rs`) against the
//! real ccusage 20.0.24 (`ccusage antigravity daily --json --offline -z UTC`): tokens equal day
//! by day, costs per day and model.

use std::path::Path;

use specwork_usage::{Agent, IssueKind, Scan, ScanOptions, Sources};

use crate::common::*;
use crate::gen_antigravity::{Corpus, antigravity};
use crate::new_agents::compare;
use crate::oracle::ccusage_with;

fn scan_of(c: &Corpus) -> Scan {
    let list = std::ffi::OsString::from(c.var());
    let vars = |k: &str| (k == "ANTIGRAVITY_DATA_DIR").then(|| list.clone());
    let sources = Sources::for_agents(vars, &[Agent::Antigravity]).unwrap();
    assert_eq!(sources.antigravity, vec![c.roots[0].join("conversations"), c.roots[1].clone()]);
    run(&ScanOptions { sources, ..ScanOptions::default() })
}

#[test]
fn antigravity_totals_equal_ccusage() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = antigravity(tmp.path(), 7, 30, false);
    let s = scan_of(&corpus);
    assert!(s.issues.is_empty(), "{:?}", s.issues);
    assert!(s.stats.duplicates > 0, "a call in a step and a generation, a copy, a sub-conversation: once");
    assert!(s.records.iter().all(|r| r.agent == Agent::Antigravity));
    // The workspaces Antigravity recorded (ccusage reads none).
    for (id, ws) in &corpus.workspaces {
        let mine: Vec<_> = s.records.iter().filter(|r| &*r.session_id == id).collect();
        assert!(!mine.is_empty() && mine.iter().all(|r| r.cwd.as_deref() == Some(ws.as_str())), "{id} in {ws}");
    }
    let sub =
        s.records.iter().find(|r| r.cwd.is_some() && !corpus.workspaces.iter().any(|(id, _)| *id == *r.session_id));
    assert!(sub.is_some(), "a sub-conversation takes its parent's workspace");
    assert!(s.records.iter().any(|r| r.cwd.is_none()));
    assert!(s.records.iter().any(|r| r.tokens.reasoning > 0), "thinking is counted beside output");
    for m in ["gemini-nova-ultra", "antigravity-model-77"] {
        assert!(s.unpriced_models.contains(m), "{m} has no price: {:?}", s.unpriced_models);
    }
    let cc =
        crate::oracle_or_skip!(ccusage_with("antigravity", &[("ANTIGRAVITY_DATA_DIR", Path::new(&corpus.var()))], &[]));
    // Gemini 3 Pro, which LiteLLM 1.110.2 keeps only as `gemini-3-pro-preview`, is priced as
    // that, as ccusage's older table prices `gemini-3-pro`.
    compare("antigravity", &s, &cc, &[]);
    let t = daily(&s, 0).totals;
    assert_eq!(cc["totals"]["totalTokens"].as_u64(), Some(t.total_tokens));
    eprintln!(
        "antigravity: {} records, {} tokens (ccusage {}), ${:.4} (ccusage ${:.4})",
        s.records.len(),
        t.total_tokens,
        cc["totals"]["totalTokens"],
        t.cost_usd,
        cc["totals"]["totalCost"].as_f64().unwrap_or(0.0)
    );
}

/// A record cut off mid-write is skipped and reported with its database and row; the rest of
/// that database still counts. ccusage 20.0.24 stops on it (and on an empty database file).
#[test]
fn antigravity_corrupt_records_are_skipped_where_ccusage_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = antigravity(&tmp.path().join("clean"), 7, 30, false);
    let faulty = antigravity(&tmp.path().join("faulty"), 7, 30, true);
    assert!(faulty.corrupt.len() >= 4);
    let (s, ok) = (scan_of(&faulty), scan_of(&clean));
    let mut got: Vec<(std::path::PathBuf, u32)> = s
        .issues
        .iter()
        .inspect(|i| assert_eq!(i.kind, IssueKind::CorruptRecord, "{i}"))
        .map(|i| (i.path.clone(), i.line))
        .collect();
    got.sort();
    let mut want = faulty.corrupt.clone();
    want.sort();
    assert_eq!(got, want);
    let (a, b) = (daily(&s, 0), daily(&ok, 0));
    assert_eq!(a.rows.len(), b.rows.len());
    for (x, y) in a.rows.iter().zip(&b.rows) {
        assert_eq!((&x.key, x.totals.total_tokens), (&y.key, y.totals.total_tokens));
        assert!((x.totals.cost_usd - y.totals.cost_usd).abs() < 1e-9, "{}", x.key);
    }
    crate::oracle_or_skip!(ccusage_with("antigravity", &[("ANTIGRAVITY_DATA_DIR", Path::new(&clean.var()))], &[]));
    let err = ccusage_with("antigravity", &[("ANTIGRAVITY_DATA_DIR", Path::new(&faulty.var()))], &[])
        .expect_err("ccusage 20.0.24 stops on a corrupt record");
    assert!(err.contains("Antigravity"), "{err}");
}

/// The ledger keeps what joining calls across databases needs (ids, time ranks, providers): a
/// scan that takes all but one database from it gives the records of a full scan.
#[test]
fn antigravity_through_the_ledger_equals_a_full_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = antigravity(&tmp.path().join("c"), 3, 16, false);
    let full = scan_of(&corpus);
    let list = std::ffi::OsString::from(corpus.var());
    let vars = |k: &str| (k == "ANTIGRAVITY_DATA_DIR").then(|| list.clone());
    let opts = ScanOptions {
        sources: Sources::for_agents(vars, &[Agent::Antigravity]).unwrap(),
        cache_dir: Some(tmp.path().join("cache")),
        ..ScanOptions::default()
    };
    run(&opts);
    // One database changes (its time): the others come from the ledger.
    let db = corpus.roots[1].read_dir().unwrap().next().unwrap().unwrap().path();
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
    std::fs::File::options().write(true).open(&db).unwrap().set_modified(t).unwrap();
    let again = run(&opts);
    assert!(again.stats.files_from_ledger > 0 && again.stats.files_parsed == 1, "{:?}", again.stats);
    let key = |s: &Scan| {
        let mut v: Vec<String> = s.records.iter().map(|r| format!("{r:?}")).collect();
        v.sort();
        v
    };
    assert_eq!(key(&full), key(&again));
}
