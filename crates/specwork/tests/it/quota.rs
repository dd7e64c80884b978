//! Quota per task: Claude Code's status-line input carries `rate_limits` (five-hour and weekly
//! `used_percentage`, `resets_at`); `specwork statusline` records each change, and `status SPEC`
//! and `session-status` show how much of each quota a task and a session used — in the CLI, the
//! dashboard and (tests/mcp/driver.py) the MCP server.

use std::path::Path;

use crate::common::*;
use crate::dashboard::Dash;
use crate::hooks::fixture;

fn at(ws: &Path, time: &str) -> assert_cmd::Command {
    let mut c = specwork(ws);
    c.env("SPECWORK_NOW", time).env("SPECWORK_USER", "Dana").env("SPECWORK_HOST", "laptop");
    c
}

/// Claude Code's status-line JSON at `time` with the given quotas.
fn status_line(ws: &Path, time: &str, five: (f64, i64), seven: (f64, i64)) {
    let mut input: serde_json::Value =
        serde_json::from_str(&fixture("status-line.json", ws, &ws.join("t.jsonl"), "a1b2c3d4")).unwrap();
    input["rate_limits"] = serde_json::json!({
        "five_hour": {"used_percentage": five.0, "resets_at": five.1},
        "seven_day": {"used_percentage": seven.0, "resets_at": seven.1},
    });
    let out = at(ws, time).arg("statusline").write_stdin(input.to_string()).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn each_task_and_session_shows_the_quota_it_used_across_a_reset() {
    let ws = demo_copy();
    let root = ws.path();
    // 2025-01-13: the five-hour window resets at 15:00 (1736780400), the week on the 17th.
    let (r1, r2, week) = (1_736_780_400, 1_736_798_400, 1_737_100_800);
    status_line(root, "2025-01-13T11:00:00Z", (8.0, r1), (30.0, week));
    json(at(root, "2025-01-13T11:40:00Z").args(["start-session", "q-1", "spec", "invoice-management"]));
    json(at(root, "2025-01-13T11:43:00Z").args(["do-task", "invoice-management", "1.3", "--session", "q-1"]));
    status_line(root, "2025-01-13T12:00:00Z", (10.0, r1), (31.0, week));
    status_line(root, "2025-01-13T12:00:30Z", (10.0, r1), (31.0, week)); // unchanged: not written again
    status_line(root, "2025-01-13T14:30:00Z", (14.5, r1), (32.5, week));
    // The five-hour quota reset at 15:00; 3% of the new window is used by 15:30.
    status_line(root, "2025-01-13T15:30:00Z", (3.0, r2), (33.0, week));
    json(at(root, "2025-01-13T15:40:00Z").args(["do-task", "invoice-management", "1.3", "--done", "--session", "q-1"]));
    status_line(root, "2025-01-13T16:00:00Z", (9.0, r2), (34.0, week));

    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".specwork/quota.json")).unwrap()).unwrap();
    assert_eq!(log["samples"].as_array().unwrap().len(), 5, "a sample per change: {log}");
    let leftovers: Vec<_> = std::fs::read_dir(root.join(".specwork"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "atomic writes leave no temp file: {leftovers:?}");

    // Task 1.3 ran 11:43–15:40: from 8% (the last sample before it) to 14.5%, then 3% after the
    // reset — 9.5 points of the five-hour quota; 30% to 33% of the week.
    let st = json(at(root, "2025-01-13T16:05:00Z").args(["status", "invoice-management"]));
    let task = st["completed"].as_array().unwrap().iter().find(|t| t["id"] == "1.3").unwrap();
    assert_eq!(task["quota"], serde_json::json!({"five_hour": 9.5, "seven_day": 3.0}), "{task}");
    let text = at(root, "2025-01-13T16:05:00Z").args(["status", "invoice-management"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("quota 5h +9.5% · 7d +3.0%"), "{text}");
    // The session, still open at 16:05, also has the 6 points after the task.
    let ss = json(at(root, "2025-01-13T16:05:00Z").arg("session-status"));
    let q1 = ss["sessions"].as_array().unwrap().iter().find(|s| s["name"] == "q-1").unwrap();
    assert_eq!(q1["quota"], serde_json::json!({"five_hour": 15.5, "seven_day": 4.0}), "{q1}");
    let text = at(root, "2025-01-13T16:05:00Z").arg("session-status").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("Quota: 5h +15.5% · 7d +4.0%"));

    // The dashboard shows the same figures: the task's in the spec's report and task panel, the
    // session's in the spec's timeline and the cost page's sessions.
    let d = Dash::start_with_env(root, &[], &[("SPECWORK_NOW", Path::new("2025-01-13T16:05:00Z"))]);
    let api = d.get("/api/specs/invoice-management").json();
    let task = api["completed"].as_array().unwrap().iter().find(|t| t["id"] == "1.3").unwrap();
    assert_eq!(task["quota"], serde_json::json!({"five_hour": 9.5, "seven_day": 3.0}), "{task}");
    let key = q1["session"].as_str().unwrap();
    let s = api["sessions"].as_array().unwrap().iter().find(|s| s["session"] == key).unwrap();
    assert_eq!(s["quota"], q1["quota"], "{s}");
    let cost = d.get("/api/cost").json();
    let s = cost["sessions"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap();
    assert_eq!(s["quota"], q1["quota"], "{s}");
    let page = d.get("/specs/invoice-management").body;
    assert!(page.contains("<span>Quota used:</span> 5h +9.5% · 7d +3.0%"), "task panel: {page}");
    assert!(page.contains("<span class=\"quota\">Quota used 5h +15.5% · 7d +4.0%</span>"), "timeline: {page}");
    let page = d.get("/cost").body;
    assert!(page.contains("<td class=\"quota\">5h +15.5% · 7d +4.0%</td>"), "cost page: {page}");
}

#[test]
fn without_rate_limits_nothing_is_recorded_or_shown() {
    let ws = demo_copy();
    let root = ws.path();
    json(at(root, "2025-01-13T11:40:00Z").args(["start-session", "q-2", "spec", "invoice-management"]));
    let input = fixture("status-line.json", root, &root.join("t.jsonl"), "a1b2c3d4");
    at(root, "2025-01-13T12:00:00Z").arg("statusline").write_stdin(input).assert().success();
    assert!(!root.join(".specwork/quota.json").exists());
    let ss = json(at(root, "2025-01-13T12:05:00Z").arg("session-status"));
    assert!(ss["sessions"][0].get("quota").is_none(), "{ss}");
    let d = Dash::start_with_env(root, &[], &[("SPECWORK_NOW", Path::new("2025-01-13T12:05:00Z"))]);
    assert!(d.get("/api/cost").json()["sessions"][0].get("quota").is_none());
    assert!(!d.get("/cost").body.contains("Quota used"), "no quota column without quotas");
}
