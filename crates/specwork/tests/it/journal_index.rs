//! The journal index (`.specwork/journals.idx`) is only a cache: `status`, `resume`,
//! `session-status` and `eod` read through it give what they give without it, whatever happened
//! to the journals (edited by hand, deleted) or to the index (corrupt, missing, unwritable).

use std::path::Path;
use std::time::{Duration, SystemTime};

use assert_cmd::Command;

use crate::common::*;

const INDEX: &str = ".specwork/journals.idx";

/// `specwork` as User on their laptop at `now`.
fn sw(dir: &Path, now: &str) -> Command {
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", now).env("SPECWORK_USER", "User").env("SPECWORK_HOST", "laptop");
    c
}

/// Runs, asserts success, returns stdout.
fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Gives every archived journal and archive folder a modification time in 2020 (`secs` later),
/// as they have on a real machine once the day is over, so the index trusts them.
fn age(root: &Path, secs: u64) {
    fn walk(p: &Path, t: SystemTime) {
        if p.is_dir() {
            for e in std::fs::read_dir(p).unwrap().flatten() {
                walk(&e.path(), t);
            }
        }
        std::fs::File::open(p).unwrap().set_modified(t).unwrap();
    }
    walk(&root.join("docs/sessions/archive"), SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800 + secs));
}

/// The demo workspace after two archived days of sessions on a named and a numbered spec (one
/// archived journal damaged by hand), with a session open today (2025-01-15).
fn history() -> tempfile::TempDir {
    let ws = demo_copy();
    let d = ws.path();
    let tasks = d.join(".spec-workflow/specs/invoice-management/tasks.md");
    let text = std::fs::read_to_string(&tasks).unwrap();
    std::fs::write(&tasks, text.replace("- [x] 1.", "- [ ] 1.")).unwrap();
    let at = |day: u32, hm: &str| format!("2025-01-{day}T{hm}:00Z");
    for doc in ["requirements", "design", "tasks"] {
        ok(sw(d, &at(13, "08:00")).args(["approval", "approve", "invoice-management", doc]));
    }
    ok(sw(d, &at(13, "09:00")).args(["start-session", "inv-a", "spec", "invoice-management"]));
    ok(sw(d, &at(13, "09:05")).args(["do-task", "invoice-management", "1.1"]));
    ok(sw(d, &at(13, "09:40")).args(["do-task", "invoice-management", "1.1", "--done", "--tokens", "42k"]));
    ok(sw(d, &at(13, "10:00")).args(["start-session", "nas-a", "--spec", "1014", "--note", "NAS first"]));
    ok(sw(d, &at(13, "10:10")).args(["do-task", "1014", "4"]));
    ok(sw(d, &at(13, "11:00")).args(["do-task", "1014", "4", "--done", "--tokens", "120k"]));
    ok(sw(d, &at(13, "11:10")).args(["log-task", "5", "blocked", "--spec", "1014", "--note", "NAS offline"]));
    ok(sw(d, &at(13, "18:00")).arg("eod"));
    ok(sw(d, &at(14, "09:00")).args(["start-session", "inv-b", "spec", "invoice-management"]));
    ok(sw(d, &at(14, "09:05")).args(["do-task", "invoice-management", "1.2"]));
    ok(sw(d, &at(14, "10:00")).args(["log-task", "1.2", "done", "38k"]));
    ok(sw(d, &at(14, "10:05")).args(["do-task", "invoice-management", "1.3"]));
    ok(sw(d, &at(14, "18:00")).arg("eod"));
    ok(sw(d, &at(15, "09:00")).args(["start-session", "inv-c", "spec", "invoice-management"]));
    ok(sw(d, &at(15, "09:05")).args(["do-task", "invoice-management", "1.3"]));
    // A line damaged by hand in an archived journal: a diagnostic, every other line still read.
    let day1 = d.join("docs/sessions/archive/2025-01-13");
    let nas =
        std::fs::read_dir(&day1).unwrap().flatten().find(|e| e.file_name().to_string_lossy().starts_with("nas-a"));
    let nas = nas.unwrap().path();
    let mut text = std::fs::read_to_string(&nas).unwrap();
    text.insert_str(text.find('\n').unwrap() + 1, "{not json\n");
    std::fs::write(&nas, text).unwrap();
    age(d, 0);
    // `eod` built the index: start cold.
    std::fs::remove_file(d.join(INDEX)).unwrap();
    ws
}

const NOW: &str = "2025-01-15T12:00:00Z";

/// The reports read through the index.
const REPORTS: [&[&str]; 5] = [
    &["status", "invoice-management", "--json"],
    &["status", "1014", "--json"],
    &["resume", "invoice-management", "--json"],
    &["resume", "1014", "--json"],
    &["session-status", "--json"],
];

/// Every file under `docs/` and `specs/`, for comparing what `eod` wrote.
fn written(root: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, p: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(p).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    let mut out = Vec::new();
    for top in ["docs", "specs"] {
        walk(root, &root.join(top), &mut out);
    }
    out.sort();
    out
}

/// Runs `args` in `d` (through its index) and in a copy of `d` without the index; asserts the
/// same output and the same files written. Returns the output.
fn same_without_index(d: &Path, now: &str, args: &[&str]) -> String {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(d, copy.path());
    let _ = std::fs::remove_file(copy.path().join(INDEX));
    let with = ok(sw(d, now).args(args));
    let without = ok(sw(copy.path(), now).args(args));
    assert_eq!(with, without, "`{}` with and without the index", args.join(" "));
    assert_eq!(written(d), written(copy.path()), "`{}` wrote the same files", args.join(" "));
    with
}

#[test]
fn reports_through_the_index_equal_reports_from_the_journals() {
    let ws = history();
    let d = ws.path();
    assert!(!d.join(INDEX).exists());
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
    let index = std::fs::read(d.join(INDEX)).expect("the first report wrote the index");
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
    assert_eq!(std::fs::read(d.join(INDEX)).unwrap(), index, "nothing changed: the index is not rewritten");

    // The status report shows the archived sessions, the damaged line is a diagnostic of `eod`.
    let v: serde_json::Value = serde_json::from_str(&ok(sw(d, NOW).args(["status", "1014", "--json"]))).unwrap();
    let s = &v["sessions"].as_array().unwrap().last().unwrap();
    assert_eq!(s["last_activity"], "❌ Blocked task 5: Benchmark performance — NAS offline");
    assert_eq!(s["tokens"], 120_000);
    let eod = same_without_index(d, "2025-01-15T18:00:00Z", &["eod", "--json"]);
    assert!(eod.contains("unreadable journal line"), "{eod}");
    assert!(eod.contains("\"archived\": ["), "{eod}");
    age(d, 10);
    for args in REPORTS {
        same_without_index(d, "2025-01-16T09:00:00Z", args);
    }
    // A second `eod` of the same day: nothing new, same files.
    same_without_index(d, "2025-01-16T09:00:00Z", &["eod", "--date", "2025-01-15", "--json"]);
}

#[test]
fn an_archived_journal_edited_by_hand_is_read_again() {
    let ws = history();
    let d = ws.path();
    ok(sw(d, NOW).args(["status", "invoice-management"]));
    assert!(d.join(INDEX).exists());
    let day = d.join("docs/sessions/archive/2025-01-13");
    let inv = std::fs::read_dir(&day).unwrap().flatten().find(|e| e.file_name().to_string_lossy().starts_with("inv-a"));
    let inv = inv.unwrap().path();
    // Edited in place, same size: only the journal's own modification time tells.
    let text = std::fs::read_to_string(&inv).unwrap();
    assert!(text.contains("\"total\":42000"));
    std::fs::write(&inv, text.replace("\"total\":42000", "\"total\":52000")).unwrap();
    std::fs::File::open(&inv)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000))
        .unwrap();
    std::fs::File::open(&day)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800))
        .unwrap();
    let out = same_without_index(d, NOW, &["status", "invoice-management", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sessions"][0]["tokens"], 52_000, "{v}");
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
}

#[test]
fn a_deleted_journal_disappears_and_a_new_one_appears() {
    let ws = history();
    let d = ws.path();
    let count = |d: &Path| {
        let v: serde_json::Value =
            serde_json::from_str(&ok(sw(d, NOW).args(["status", "invoice-management", "--json"]))).unwrap();
        v["sessions"].as_array().unwrap().len()
    };
    assert_eq!(count(d), 3);
    let day = d.join("docs/sessions/archive/2025-01-14");
    let inv_b = std::fs::read_dir(&day).unwrap().flatten().next().unwrap().path();
    let text = std::fs::read_to_string(&inv_b).unwrap();
    std::fs::remove_file(&inv_b).unwrap();
    age(d, 20);
    assert_eq!(count(d), 2);
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
    // Back under another day's folder (as a merge could bring it).
    std::fs::write(d.join("docs/sessions/archive/2025-01-13").join(inv_b.file_name().unwrap()), text).unwrap();
    age(d, 30);
    assert_eq!(count(d), 3);
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
}

#[test]
fn a_corrupt_or_unwritable_index_is_ignored() {
    let ws = history();
    let d = ws.path();
    let expected = ok(sw(d, NOW).args(["status", "invoice-management", "--json"]));
    let good = std::fs::read(d.join(INDEX)).unwrap();
    for bad in [&b"not an index"[..], &good[..good.len() / 2], b""] {
        std::fs::write(d.join(INDEX), bad).unwrap();
        assert_eq!(ok(sw(d, NOW).args(["status", "invoice-management", "--json"])), expected);
        assert_eq!(std::fs::read(d.join(INDEX)).unwrap(), good, "rebuilt");
    }
    // No room for the index (`.specwork` is a file): the reports work without it.
    std::fs::remove_dir_all(d.join(".specwork")).unwrap();
    std::fs::write(d.join(".specwork"), "").unwrap();
    for args in REPORTS {
        same_without_index(d, NOW, args);
    }
}

#[test]
fn concurrent_reports_share_the_index_safely() {
    let ws = history();
    let d = ws.path();
    let expected = {
        let copy = tempfile::tempdir().unwrap();
        copy_tree(d, copy.path());
        ok(sw(copy.path(), NOW).args(["status", "invoice-management", "--json"]))
    };
    let bin = assert_cmd::cargo::cargo_bin("specwork");
    let children: Vec<std::process::Child> = (0..6)
        .map(|_| {
            std::process::Command::new(&bin)
                .args(["status", "invoice-management", "--json"])
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", d)
                .env("TZ", "UTC")
                .env("SPECWORK_NOW", NOW)
                .env("SPECWORK_USER", "User")
                .env("SPECWORK_HOST", "laptop")
                .current_dir(d)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    }
    let leftovers: Vec<String> = std::fs::read_dir(d.join(".specwork"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(ok(sw(d, NOW).args(["status", "invoice-management", "--json"])), expected);
}
