//! One core of operations: a workday driven through the CLI, the MCP server (the real Python
//! `mcp` client) and the dashboard's HTTP API gives one "today" everywhere, and a task finished
//! through any frontend leaves the same journal events and measured tokens.
//!
//! The day (2025-08-26, UTC): session `apt` on appointment-booking and session `inv` on
//! invoice-management, both open at once. Task 1.4 of appointment-booking is started and
//! finished with the CLI while Claude Code makes two calls; task 1.3 of invoice-management is
//! started and finished through MCP around one call; task 1.4 of invoice-management is started
//! with the CLI and ticked done with the dashboard's button around one call; task 1.5 is logged
//! by hand (45k tokens, no transcript). A call from another project must count nowhere.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::common::*;
use crate::dashboard::Dash;

/// One Claude Code assistant line with its usage.
fn call(n: u32, cwd: &str, at: &str, input: u64, output: u64, read: u64) -> String {
    json!({
        "cwd": cwd, "sessionId": "agent-1", "version": "2.1.3", "type": "assistant",
        "requestId": format!("req_{n}"), "timestamp": format!("2025-08-26T{at}.000Z"),
        "message": {"id": format!("msg_{n}"), "model": "claude-sonnet-4-5-20250929", "content": [],
            "usage": {"input_tokens": input, "output_tokens": output, "cache_read_input_tokens": read,
                "cache_creation_input_tokens": 0}},
    })
    .to_string()
}

fn at(dir: &Path, hm: &str) -> assert_cmd::Command {
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", format!("2025-08-26T{hm}:00Z"));
    c
}

fn run(dir: &Path, hm: &str, args: &[&str]) -> Value {
    let out = at(dir, hm).args(args).arg("--json").output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// MCP tool calls in order, through the Python client; `None` when it is not installed (and not
/// required).
fn mcp_calls(dir: &Path, hm: &str, calls: &Value) -> Option<Vec<Value>> {
    let v = mcp_results(dir, hm, calls)?;
    for r in &v {
        assert!(r.get("error").is_none(), "{r}");
    }
    Some(v)
}

/// MCP tool calls in order, through the Python client: each call's structured result, or
/// `{"error": text}` for a call that failed; `None` when the client is not installed (and not
/// required).
pub(crate) fn mcp_results(dir: &Path, hm: &str, calls: &Value) -> Option<Vec<Value>> {
    let have = Command::new("python3").args(["-c", "import mcp"]).output().is_ok_and(|o| o.status.success());
    if !have {
        need::skip(Need::Real, "the MCP half: python3 cannot import mcp (`python3 -m pip install mcp`)");
        return None;
    }
    let script = manifest_dir().join("tests/mcp/calls.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(specwork_bin())
        .arg(dir)
        .arg(format!("2025-08-26T{hm}:00Z"))
        .arg(calls.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// The events of one task in the journals, in order, without times, session keys and the
/// fields only a frontend sets (notes), so that tasks finished in different places compare.
fn task_events(dir: &Path, spec: &str, task: &str) -> Vec<String> {
    let mut out = Vec::new();
    let current = dir.join("docs/sessions/.current");
    let mut files: Vec<_> = std::fs::read_dir(current).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(f).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["spec"] == spec && v["task"] == task {
                let kind = v["event"].as_str().unwrap().to_owned();
                let source = v["source"].as_str().map(|s| format!(" {s}")).unwrap_or_default();
                let status = v["status"].as_str().map(|s| format!(" {s}")).unwrap_or_default();
                out.push(format!("{kind}{status}{source}"));
            }
        }
    }
    out
}

/// The measured tokens the journals recorded for one task.
fn measured(dir: &Path, spec: &str, task: &str) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir.join("docs/sessions/.current")).unwrap().flatten() {
        for line in std::fs::read_to_string(e.path()).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["event"] == "usage" && v["spec"] == spec && v["task"] == task && v["source"] == "measured" {
                total += v["tokens"]["total"].as_u64().unwrap();
            }
        }
    }
    total
}

#[test]
fn one_day_gives_one_today_in_every_frontend() {
    let ws = demo_copy();
    let d = ws.path();
    let root = d.display().to_string();
    for (spec, doc) in [("appointment-booking", "tasks"), ("invoice-management", "tasks")] {
        run(d, "08:00", &["approval", "approve", spec, doc]);
    }
    // The agent's transcript (HOME is the workspace, so ~/.claude/projects is inside it).
    let proj = d.join(".claude/projects/p");
    std::fs::create_dir_all(&proj).unwrap();
    let lines = [
        call(1, &root, "09:10:00", 10_000, 2_000, 30_000),  // apt 1.4 (CLI)
        call(2, &root, "09:20:00", 5_000, 1_000, 20_000),   // apt 1.4 (CLI)
        call(3, &root, "10:15:00", 8_000, 1_500, 10_000),   // inv 1.3 (MCP)
        call(4, &root, "13:15:00", 4_000, 800, 6_000),      // inv 1.4 (dashboard)
        call(5, "/elsewhere", "11:20:00", 9_999, 999, 999), // another project
    ];
    std::fs::write(proj.join("agent-1.jsonl"), lines.join("\n") + "\n").unwrap();
    let measured_total: u64 =
        (10_000 + 2_000 + 30_000) + (5_000 + 1_000 + 20_000) + (8_000 + 1_500 + 10_000) + (4_000 + 800 + 6_000);

    run(d, "09:00", &["start-session", "apt", "spec", "appointment-booking"]);
    run(d, "09:05", &["do-task", "appointment-booking", "1.4"]);
    let done = run(d, "09:30", &["do-task", "appointment-booking", "1.4", "--done"]);
    assert_eq!(done["usage_source"], "measured", "{done}");
    assert_eq!(done["tokens"], 68_000);
    run(d, "10:00", &["start-session", "inv", "spec", "invoice-management"]);

    // Through MCP: start and finish 1.3 of invoice-management around one call.
    let mcp = mcp_calls(d, "10:10", &json!([["do-task", {"specName": "invoice-management", "taskId": "1.3"}]]));
    if mcp.is_some() {
        let r = mcp_calls(
            d,
            "10:30",
            &json!([["do-task", {"specName": "invoice-management", "taskId": "1.3", "done": true}]]),
        )
        .unwrap();
        assert_eq!(r[0]["usageSource"], "measured", "{}", r[0]);
        assert_eq!(r[0]["tokens"], 19_500);
    } else {
        run(d, "10:10", &["do-task", "invoice-management", "1.3"]);
        run(d, "10:30", &["do-task", "invoice-management", "1.3", "--done"]);
    }

    // By hand: 45k tokens for 1.5, which no transcript measured.
    run(d, "12:00", &["log-task", "1.5", "done", "45k", "--spec", "invoice-management", "--session", "inv"]);
    // Through the dashboard: 1.4 started with the CLI, ticked done with the page's button (the
    // server's clock is the one `Dash` sets, 14:30, so the window runs 12:05–14:30).
    run(d, "12:05", &["do-task", "invoice-management", "1.4"]);
    {
        let dash = Dash::start(d, &[]);
        let r = dash.post_json("/api/specs/invoice-management/tasks/1.4/status", &json!({"status": "done"}));
        assert_eq!(r.status, 200, "{}", r.body);
    }

    // The same task events whoever finished the task.
    let cli = task_events(d, "appointment-booking", "1.4");
    assert_eq!(cli, ["task_start", "task_end done", "usage measured"], "CLI");
    assert_eq!(task_events(d, "invoice-management", "1.3"), cli, "MCP finishes a task as the CLI does");
    assert_eq!(
        task_events(d, "invoice-management", "1.4"),
        ["task_start", "log_task done", "usage measured"],
        "the dashboard's button journals the change and measures the window"
    );
    assert_eq!(measured(d, "appointment-booking", "1.4"), 68_000);
    assert_eq!(measured(d, "invoice-management", "1.3"), 19_500);
    assert_eq!(measured(d, "invoice-management", "1.4"), 10_800);

    // Today, everywhere (read at 14:30, the dashboard's clock).
    let want_tokens = measured_total + 45_000;
    let cost = run(d, "14:30", &["cost", "--today"]);
    let figures = |name: &str, tokens: &Value, usd: &Value| -> (u64, f64) {
        let t = tokens.as_u64().unwrap_or_else(|| panic!("{name}: tokens {tokens}"));
        let u = usd.as_f64().unwrap_or_else(|| panic!("{name}: usd {usd}"));
        (t, u)
    };
    let reference = figures("cost --today", &cost["totals"]["total_tokens"], &cost["totals"]["cost_usd"]);
    assert_eq!(reference.0, want_tokens, "{cost}");
    assert_eq!(cost["manual_tokens"], 45_000);
    let mut seen = vec![("cost --today".to_owned(), reference)];
    let ss = run(d, "14:30", &["session-status"]);
    seen.push(("session-status".into(), figures("session-status", &ss["today"]["tokens"], &ss["today"]["cost_usd"])));
    assert_eq!(ss["today"]["measured_tokens"], measured_total);
    assert_eq!(ss["today"]["manual_tokens"], 45_000);
    let out = at(d, "14:30").args(["statusline", "--json"]).write_stdin("{}").output().unwrap();
    let sl: Value = serde_json::from_slice(&out.stdout).unwrap();
    seen.push(("statusline".into(), figures("statusline", &sl["today_tokens"], &sl["today_cost_usd"])));
    let dash = Dash::start(d, &[]);
    let api = dash.get("/api/cost").json();
    seen.push(("/api/cost".into(), figures("/api/cost", &api["today_tokens"], &api["today_cost_usd"])));
    drop(dash);
    if let Some(r) = mcp_calls(d, "14:30", &json!([["cost", {"today": true}], ["session-status", {}]])) {
        seen.push(("MCP cost".into(), figures("MCP cost", &r[0]["totals"]["totalTokens"], &r[0]["totals"]["costUsd"])));
        seen.push((
            "MCP session-status".into(),
            figures("MCP session-status", &r[1]["today"]["tokens"], &r[1]["today"]["costUsd"]),
        ));
    }
    // The end of the day ends both sessions, archives them and writes the daily summary.
    let eod = run(d, "14:30", &["eod"]);
    seen.push(("eod".into(), figures("eod", &eod["tokens"], &eod["cost_usd"])));
    let summary = std::fs::read_to_string(d.join("docs/sessions/daily/2025-08-26.md")).unwrap();
    let line = |key: &str| summary.lines().find_map(|l| l.strip_prefix(key)).map(|v| v.trim().to_owned());
    assert_eq!(line("**Tokens**:").as_deref(), Some(specwork_core_fmt_exact(reference.0).as_str()), "{summary}");
    assert_eq!(line("**Cost**:").as_deref(), Some(format!("${:.2}", reference.1).as_str()), "{summary}");
    println!("today in every frontend: {seen:?}");
    for (name, f) in &seen {
        assert_eq!(f.0, reference.0, "{name} tokens: {seen:?}");
        assert!((f.1 - reference.1).abs() < 1e-9, "{name} USD: {seen:?}");
    }
}

/// `195,000`.
fn specwork_core_fmt_exact(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Regression (issue 12): with sessions open on two specs, a command that names no spec never
/// writes into either; it says which sessions are open and how to pick one.
#[test]
fn two_terminals_never_write_into_each_others_spec() {
    let ws = demo_copy();
    let d = ws.path();
    run(d, "09:00", &["start-session", "apt", "spec", "appointment-booking"]);
    run(d, "09:05", &["start-session", "inv", "spec", "invoice-management"]);
    let apt = d.join(".spec-workflow/specs/appointment-booking/tasks.md");
    let inv = d.join(".spec-workflow/specs/invoice-management/tasks.md");
    let (apt_before, inv_before) = (std::fs::read(&apt).unwrap(), std::fs::read(&inv).unwrap());
    let out = at(d, "09:10").args(["log-task", "1.3", "done", "45k"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apt (appointment-booking)") && err.contains("inv (invoice-management)"), "{err}");
    assert!(err.contains("--session NAME") && err.contains("SPECWORK_SESSION"), "{err}");
    assert_eq!((std::fs::read(&apt).unwrap(), std::fs::read(&inv).unwrap()), (apt_before.clone(), inv_before));
    // The terminal says which session it works in: the right spec is written, the other is not.
    let out = at(d, "09:15").env("SPECWORK_SESSION", "inv").args(["log-task", "1.3", "done", "45k", "--json"]).output();
    let v: Value = serde_json::from_slice(&out.unwrap().stdout).unwrap();
    assert_eq!(
        (v["spec"].as_str(), v["session"].as_str().map(|s| s.starts_with("inv."))),
        (Some("invoice-management"), Some(true))
    );
    assert!(std::fs::read_to_string(&inv).unwrap().contains("- [x] 1.3 "));
    assert_eq!(std::fs::read(&apt).unwrap(), apt_before);
    // Ending a session without naming it is just as strict.
    let out = at(d, "09:20").arg("end-session").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Regression (issue 12): `work --resume --select` on a done task starts nothing.
#[test]
fn work_does_not_start_a_done_task_again() {
    let ws = demo_copy();
    let d = ws.path();
    let spec = d.join("specs/1000/1001/1014.spec.md");
    let before = std::fs::read(&spec).unwrap();
    let out = at(d, "09:00").args(["work", "1014", "--resume", "--select", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("task 2 of 1014 is already done"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Starting task 2"));
    assert_eq!(std::fs::read(&spec).unwrap(), before);
    let v = run(d, "09:05", &["session-status"]);
    assert!(v["sessions"].as_array().unwrap().iter().all(|s| s["in_progress"].as_array().unwrap().is_empty()), "{v}");
}
