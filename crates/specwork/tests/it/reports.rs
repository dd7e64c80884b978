//! The reports on the demo workspace: text output snapshot-tested with insta, `--json` keys
//! checked against the ones README.md documents.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::*;

/// Runs a report in a copy of the demo workspace; asserts success and a clean stderr.
fn report(args: &[&str]) -> String {
    let ws = demo_copy();
    let out = specwork(ws.path()).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}: the demo has no diagnostics");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tree_text() {
    insta::assert_snapshot!("tree", report(&["tree"]));
}

#[test]
fn spec_list_text() {
    insta::assert_snapshot!("spec_list", report(&["spec", "list"]));
}

#[test]
fn status_portfolio_text() {
    insta::assert_snapshot!("status_portfolio", report(&["status"]));
}

#[test]
fn status_spec_text() {
    insta::assert_snapshot!("status_1014", report(&["status", "1014"]));
    insta::assert_snapshot!("status_appointment_booking", report(&["status", "appointment-booking"]));
}

#[test]
fn resume_text() {
    insta::assert_snapshot!("resume_1014", report(&["resume", "1014"]));
    insta::assert_snapshot!("resume_invoice_management", report(&["resume", "invoice-management"]));
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap_or_else(|| panic!("an object: {v}")).keys().map(String::as_str).collect()
}

fn set<'a>(k: &[&'a str]) -> BTreeSet<&'a str> {
    k.iter().copied().collect()
}

const ROW: [&str; 14] = [
    "id",
    "title",
    "layout",
    "path",
    "parent",
    "status",
    "phase",
    "tasks",
    "progress_pct",
    "next_task",
    "blocked",
    "is_area",
    "archived",
    "read_only",
];

#[test]
fn json_keys_are_the_documented_ones() {
    let ws = demo_copy();
    let dir = ws.path();

    let p = json(specwork(dir).arg("status"));
    assert_eq!(keys(&p), set(&["workspace", "specs", "totals", "progress_pct", "diagnostics"]));
    for s in p["specs"].as_array().unwrap() {
        assert_eq!(keys(s), set(&ROW), "{}", s["id"]);
        assert_eq!(keys(&s["tasks"]), set(&["total", "done", "in_progress", "blocked", "pending"]));
    }
    assert_eq!(keys(&p["totals"]), set(&["total", "done", "in_progress", "blocked", "pending"]));
    assert_eq!(p["totals"]["total"], 22);
    let ab = p["specs"].as_array().unwrap().iter().find(|s| s["id"] == "appointment-booking").unwrap();
    assert_eq!(keys(&ab["next_task"]), set(&["id", "title", "status", "line"]));
    assert_eq!(keys(&ab["blocked"][0]), set(&["id", "title", "status", "line", "reason"]));
    assert_eq!(json(specwork(dir).args(["spec", "list"])), p, "spec list --json is the portfolio");

    let r = json(specwork(dir).args(["status", "1014"]));
    let mut spec_keys = set(&ROW);
    spec_keys.extend([
        "docs",
        "completed",
        "in_progress",
        "pending",
        "deliverables",
        "sessions",
        "total_minutes",
        "last_commit",
        "children",
        // From the sessions work (issue 3): usage and active sessions.
        "total_tokens",
        "total_cost_usd",
        "active_sessions",
        // Done means done (issue 15): drift and the reviewers' decisions.
        "drift",
        "drift_decisions",
        // Issue "Done means done", part 5: the estimate beside the actual usage.
        "estimate",
    ]);
    assert_eq!(keys(&r), spec_keys);
    for t in r["completed"].as_array().unwrap() {
        assert!(t.get("verified").is_some(), "completed[].verified");
    }
    assert_eq!(keys(&r["deliverables"]), set(&["scripts", "docs", "config", "other"]));
    assert_eq!(keys(&r["last_commit"]), set(&["hash", "subject"]));
    assert_eq!(keys(&r["docs"]), set(&["spec", "context"]));
    let session = &r["sessions"][0];
    for k in ["number", "date", "title", "minutes", "duration", "status", "last_activity"] {
        assert!(session.get(k).is_some(), "sessions[].{k}");
    }

    let res = json(specwork(dir).args(["resume", "1014"]));
    assert_eq!(
        keys(&res),
        set(&[
            "id",
            "title",
            "sessions",
            "done",
            "total",
            "last_activity",
            "remaining",
            "next_task",
            "tasks_file",
            "total_minutes",
            "total_tokens",
            "total_cost_usd",
            "continue_from",
            "active_sessions",
            "latest_daily",
            "drift",
        ])
    );
    assert_eq!((res["done"].as_u64(), res["total"].as_u64()), (Some(3), Some(7)));
    assert_eq!(res["tasks_file"], "specs/1000/1001/1014.spec.md");

    let tree = json(specwork(dir).arg("tree"));
    assert_eq!(keys(&tree), set(&["roots"]));
    let mut node_keys = set(&ROW);
    node_keys.insert("children");
    let area = &tree["roots"][0];
    assert_eq!(keys(area), node_keys);
    assert_eq!(area["children"][0]["children"][0]["id"], "1014");

    let tasks = json(specwork(dir).args(["task", "list", "1014"]));
    assert_eq!(keys(&tasks), set(&["spec", "tasks"]));
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 7);
    let show = json(specwork(dir).args(["task", "show", "1014", "4"]));
    for k in ["id", "title", "status", "line", "level", "requirements", "leverage", "prompt", "files", "details"] {
        assert!(show.get(k).is_some(), "task show --json has {k}");
    }
    assert!(show["prompt"].as_str().unwrap().starts_with("Role: Linux storage engineer | Task:"));

    let set_out = json(specwork(dir).args(["task", "set", "1014", "4", "in-progress"]));
    assert_eq!(keys(&set_out), set(&["spec", "task", "title", "from", "to", "file", "line"]));
    assert_eq!((set_out["from"].as_str(), set_out["to"].as_str()), (Some("pending"), Some("in-progress")));
}
