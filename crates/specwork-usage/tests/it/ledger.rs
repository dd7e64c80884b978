//! The incremental ledger: a re-run reads only new bytes and still deduplicates exactly.

use std::io::Write;
use std::path::{Path, PathBuf};

use specwork_usage::{CostMode, Scan, ScanOptions};

use crate::common::*;

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

fn jsonl_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A record as a comparable tuple: time, tokens, cost bits, model, session.
type RecordKey = (i64, u64, u64, u64, u64, u64, Option<String>, String);

/// Records as comparable tuples, in order.
fn fingerprint(s: &Scan) -> Vec<RecordKey> {
    s.records
        .iter()
        .map(|r| {
            (
                r.timestamp.as_millisecond(),
                r.tokens.input,
                r.tokens.output,
                r.tokens.cache_creation,
                r.tokens.cache_read,
                r.cost_usd.to_bits(),
                r.model.as_deref().map(str::to_owned),
                r.session_id.to_string(),
            )
        })
        .collect()
}

fn with_cache(root: &Path, cache: &Path, no_cache: bool) -> ScanOptions {
    ScanOptions { cache_dir: Some(cache.to_path_buf()), no_cache, ..claude_opts(root, CostMode::Auto) }
}

#[test]
fn rerun_with_appends_equals_a_full_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let root = &tmp.path().join("root");
    copy_dir(&claude_corpus().0, root);
    let cache = tmp.path().join("cache");

    let first = run(&with_cache(root, &cache, false));
    assert_eq!(first.stats.files_parsed, first.stats.files);
    assert!(first.stats.ledger_written);
    let again = run(&with_cache(root, &cache, false));
    assert_eq!(again.stats.files_from_ledger, again.stats.files);
    assert_eq!(again.stats.bytes_parsed, 0);
    assert_eq!(fingerprint(&first), fingerprint(&again));
    assert_eq!(first.issues, again.issues);

    // Grow the logs the way agents do: append whole lines (including lines copied from other
    // files, i.e. cross-file duplicates), finish a torn last line, add a new file, and rewrite one
    // file entirely.
    let files = jsonl_files(&root.join("projects"));
    let donor = std::fs::read(&files[0]).unwrap();
    let donor_lines: Vec<&[u8]> = donor.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    for (i, f) in files.iter().enumerate().skip(1).step_by(3) {
        let mut data = std::fs::read(f).unwrap();
        if !data.ends_with(b"\n") {
            data.push(b'\n'); // the torn tail becomes a corrupt line; new lines follow
        }
        for l in donor_lines.iter().skip(i % 5).take(4) {
            data.extend_from_slice(l);
            data.push(b'\n');
        }
        std::fs::write(f, &data).unwrap();
    }
    let new_file = root.join("projects/-new-project/00000000-0000-4000-8000-000000000000.jsonl");
    std::fs::create_dir_all(new_file.parent().unwrap()).unwrap();
    let mut new_data = donor_lines[..donor_lines.len().min(6)].join(&b'\n');
    new_data.push(b'\n');
    std::fs::write(&new_file, new_data).unwrap();
    let rewritten = &files[2];
    let text = std::fs::read(rewritten).unwrap();
    std::fs::write(rewritten, &text[..text.len() / 2]).unwrap();

    let incremental = run(&with_cache(root, &cache, false));
    let full = run(&claude_opts(root, CostMode::Auto));
    assert!(incremental.stats.files_appended > 0, "{:?}", incremental.stats);
    assert!(incremental.stats.files_from_ledger > 0);
    assert!(incremental.stats.bytes_parsed < full.stats.bytes_parsed / 2);
    assert_eq!(fingerprint(&incremental), fingerprint(&full));
    assert_eq!(incremental.issues, full.issues);
    assert_eq!(incremental.stats.lines, full.stats.lines);

    // An unfinished last line that is completed later is counted once it is whole.
    let f = &files[4];
    let mut data = std::fs::read(f).unwrap();
    if !data.ends_with(b"\n") {
        data.push(b'\n');
    }
    let extra = donor_lines.last().unwrap();
    let cut = extra.len() / 2;
    std::fs::write(f, [&data[..], &extra[..cut]].concat()).unwrap();
    let partial = run(&with_cache(root, &cache, false));
    assert_eq!(fingerprint(&partial), fingerprint(&run(&claude_opts(root, CostMode::Auto))));
    let mut fh = std::fs::OpenOptions::new().append(true).open(f).unwrap();
    fh.write_all(&extra[cut..]).unwrap();
    fh.write_all(b"\n").unwrap();
    drop(fh);
    let completed = run(&with_cache(root, &cache, false));
    assert_eq!(fingerprint(&completed), fingerprint(&run(&claude_opts(root, CostMode::Auto))));
    assert_eq!(completed.stats.files_appended, 1);

    // --no-cache parses everything; deleting the cache only costs time.
    let forced = run(&with_cache(root, &cache, true));
    assert_eq!(forced.stats.files_parsed, forced.stats.files);
    assert_eq!(fingerprint(&forced), fingerprint(&completed));
    std::fs::remove_dir_all(&cache).unwrap();
    let rebuilt = run(&with_cache(root, &cache, false));
    assert_eq!(fingerprint(&rebuilt), fingerprint(&completed));
}

#[test]
fn a_damaged_ledger_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let root = &tmp.path().join("root");
    copy_dir(&claude_corpus().0, root);
    let cache = tmp.path().join("cache");
    let first = run(&with_cache(root, &cache, false));
    for e in std::fs::read_dir(&cache).unwrap() {
        let p = e.unwrap().path();
        let mut b = std::fs::read(&p).unwrap();
        let n = b.len();
        b.truncate(n / 3);
        b[20] ^= 0xff;
        std::fs::write(&p, b).unwrap();
    }
    let second = run(&with_cache(root, &cache, false));
    assert_eq!(second.stats.files_parsed, second.stats.files);
    assert_eq!(fingerprint(&first), fingerprint(&second));
}

#[test]
fn a_changed_price_table_reprices_cached_data() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let root = &claude_corpus().0;
    let first = run(&with_cache(root, &cache, false));
    let mut o = std::collections::BTreeMap::new();
    o.insert(
        "claude-sonnet-4-5".to_owned(),
        specwork_usage::PriceOverride { output: Some(1000.0), ..Default::default() },
    );
    let mut opts = with_cache(root, &cache, false);
    opts.prices = opts.prices.with_overrides(&o).unwrap();
    let second = run(&opts);
    assert_eq!(second.stats.bytes_parsed, 0, "the ledger still serves the bytes");
    let (a, b) = (daily(&first, 0).totals, daily(&second, 0).totals);
    assert_eq!(a.total_tokens, b.total_tokens);
    assert!(b.cost_usd > a.cost_usd);
}

#[test]
fn an_unwritable_cache_is_a_warning_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let root = &claude_corpus().0;
    let s = run(&with_cache(root, &blocker.join("cache"), false));
    assert!(s.cache_warning.as_deref().is_some_and(|w| w.contains("not-a-dir")), "{:?}", s.cache_warning);
    assert!(!s.stats.ledger_written);
    assert_eq!(fingerprint(&s), fingerprint(&run(&claude_opts(root, CostMode::Auto))));
}
