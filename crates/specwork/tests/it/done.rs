//! Done means done: a task's `_Check:_` runs when it is finished (a failing one keeps it in
//! progress, `--force` finishes it unverified), finishing writes its implementation log from
//! what git measured (specwork's own bookkeeping left out), a later commit not linked to the task
//! shows as drift until a reviewer accepts it, and the same finish through MCP (the real Python
//! `mcp` client) leaves the same log and journal. A real git repository and the real binary.

use std::path::Path;

use serde_json::{Value, json};

use crate::common::*;
use crate::consistency::mcp_results;
use crate::knowledge::{git, write};

const TASKS: &str = "# Tasks Document: Shop

- [ ] 1. Add the greeting
  - Files: src/greet.txt, src/new.txt
  - _Check: grep hello src/greet.txt || (echo no greeting in src/greet.txt; exit 3)_

- [ ] 2. Risky change
  - Files: src/risky.txt
  - _Check: echo still broken; false_

- [ ] 3. Notes
";

/// A workspace with spec `shop` (the tasks above) and two source files, all committed. Returns
/// the commit.
fn workspace(ws: &Path) -> String {
    specwork(ws).arg("init").assert().success();
    specwork(ws).args(["spec", "new", "shop", "--docs", "requirements,design,tasks"]).assert().success();
    write(&ws.join(".spec-workflow/specs/shop/tasks.md"), TASKS);
    write(&ws.join("src/greet.txt"), "hi\n");
    write(&ws.join("src/other.txt"), "untouched\n");
    git(ws, "2025-08-26T09:00:00Z", &["init", "-q"]);
    git(ws, "2025-08-26T09:00:00Z", &["add", "-A"]);
    git(ws, "2025-08-26T09:00:00Z", &["commit", "-qm", "start"]);
    git(ws, "2025-08-26T09:00:00Z", &["rev-parse", "--short", "HEAD"])
}

/// The agent's first try: a line, but no greeting; meanwhile the requirements are approved
/// (records and snapshots specwork writes inside the task's window, never the task's work).
fn first_try(ws: &Path) {
    write(&ws.join("src/greet.txt"), "hi\nbye\n");
    specwork(ws).args(["approval", "request", "shop", "requirements"]).assert().success();
    specwork(ws).args(["approval", "approve", "shop", "requirements", "--force"]).assert().success();
}

/// The agent's fix: the greeting, and a new file.
fn fix(ws: &Path) {
    write(&ws.join("src/greet.txt"), "hello\nbye\n");
    write(&ws.join("src/new.txt"), "new\n");
}

/// The only implementation log of task 1, without its id line.
fn task1_log(ws: &Path) -> String {
    let dir = ws.join(".spec-workflow/specs/shop/Implementation Logs");
    let logs: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    let ones: Vec<_> =
        logs.iter().filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("task-1_")).collect();
    assert_eq!(ones.len(), 1, "{logs:?}");
    let text = std::fs::read_to_string(ones[0]).unwrap();
    text.lines().filter(|l| !l.starts_with("**Log ID:**")).collect::<Vec<_>>().join("\n")
}

/// The check and task-end events of a task in the journals, without times, sessions, the
/// check's duration and the log's id.
fn journal_of(ws: &Path, task: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(ws.join("docs/sessions/.current")).unwrap().flatten() {
        for line in std::fs::read_to_string(e.path()).unwrap().lines() {
            let mut v: Value = serde_json::from_str(line).unwrap();
            if v["task"] != task || !matches!(v["event"].as_str(), Some("check" | "task_end")) {
                continue;
            }
            let o = v.as_object_mut().unwrap();
            for k in ["ts", "session", "v"] {
                o.remove(k);
            }
            o.remove("duration_ms");
            if let Some(c) = o.get_mut("check").and_then(Value::as_object_mut) {
                c.remove("duration_ms");
            }
            // The log's file name ends in its random id.
            if let Some(log) = o.get_mut("work").and_then(|w| w.get_mut("log")) {
                let name = log.as_str().unwrap();
                *log = Value::from(&name[..name.rfind('_').unwrap()]);
            }
            out.push(v);
        }
    }
    out
}

fn run(ws: &Path, args: &[&str]) -> std::process::Output {
    specwork(ws).args(args).output().unwrap()
}

#[test]
fn a_checked_task_logs_its_own_files_drift_is_accepted_and_mcp_finishes_the_same() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    let start = workspace(ws);
    specwork(ws).args(["do-task", "shop", "1", "--force"]).assert().success();
    first_try(ws);

    // The check fails: exit 1 with the tail of its output, the task stays in progress, and the
    // journal keeps the run.
    let out = run(ws, &["do-task", "shop", "1", "--done"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no greeting in src/greet.txt"), "{err}");
    assert!(err.contains("exit 3"), "{err}");
    assert!(err.contains("--force"), "{err}");
    let tasks = std::fs::read_to_string(ws.join(".spec-workflow/specs/shop/tasks.md")).unwrap();
    assert!(tasks.contains("- [-] 1. Add the greeting"), "{tasks}");
    let failed = journal_of(ws, "1");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["event"], "check");
    assert_eq!(failed[0]["passed"], false);
    assert_eq!(failed[0]["exit_code"], 3);
    assert_eq!(failed[0]["tail"], "no greeting in src/greet.txt");

    // Fixed: the check passes, and the log lists exactly the files the task changed — not the
    // approvals, snapshots, journals, evidence or the task list specwork itself wrote.
    fix(ws);
    let done = json(specwork(ws).args(["do-task", "shop", "1", "--done", "--files", "src/greet.txt,src/ghost.rs"]));
    assert_eq!(done["verified"], true);
    assert_eq!(done["check"]["exit_code"], 0);
    assert_eq!(done["work"]["files_modified"], json!(["src/greet.txt"]));
    assert_eq!(done["work"]["files_created"], json!(["src/new.txt"]));
    assert_eq!(done["work"]["unverified"], json!(["src/ghost.rs"]));
    assert_eq!(done["work"]["lines_added"], 3);
    assert_eq!(done["work"]["lines_removed"], 1);
    let log = task1_log(ws);
    assert!(log.contains("## Files Modified\n- src/greet.txt\n\n## Files Created\n- src/new.txt\n"), "{log}");
    assert!(log.contains("- **Files Changed:** 2\n"), "{log}");
    assert!(log.contains("passed."), "{log}");
    assert!(log.contains("(unverified): src/ghost.rs"), "{log}");
    assert_eq!(done["work"]["log"].as_str().unwrap().rsplit('/').next().unwrap().get(..7), Some("task-1_"));

    // A task forced past its failing check is unverified; one without a check is neither.
    specwork(ws).args(["do-task", "shop", "2", "--force"]).assert().success();
    write(&ws.join("src/other.txt"), "touched by task 2\n");
    let forced = json(specwork(ws).args(["do-task", "shop", "2", "--done", "--force"]));
    assert_eq!(forced["verified"], false);
    assert_eq!(forced["check"]["tail"], "still broken");
    // Task 1's files, still uncommitted and unchanged since, are not task 2's work.
    assert_eq!(forced["work"]["files_modified"], json!(["src/other.txt"]));
    assert_eq!(forced["work"]["files_created"], json!([]));
    specwork(ws).args(["log-task", "3", "done", "--spec", "shop"]).assert().success();
    let status = json(specwork(ws).args(["status", "shop"]));
    let verified: Vec<(String, Value)> = status["completed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_owned(), t["verified"].clone()))
        .collect();
    assert_eq!(
        verified,
        [("1".to_owned(), json!(true)), ("2".to_owned(), json!(false)), ("3".to_owned(), Value::Null)]
    );
    let text = String::from_utf8(run(ws, &["status", "shop"]).stdout).unwrap();
    assert!(text.contains("1 Add the greeting (verified)"), "{text}");
    assert!(text.contains("2 Risky change (UNVERIFIED"), "{text}");

    // The work committed with the task's trailer is no drift; a later commit not linked to it is.
    git(ws, "2025-08-26T11:00:00Z", &["add", "-A"]);
    git(ws, "2025-08-26T11:00:00Z", &["commit", "-qm", "greeting", "--trailer", "Spec: shop", "--trailer", "Task: 1"]);
    // Task 2 changed a file its `Files:` does not name; the reviewer accepts it.
    let outside: Value = serde_json::from_slice(&run(ws, &["drift", "shop", "--json"]).stdout).unwrap();
    assert_eq!(
        outside["drifted"],
        json!([{"spec": "shop", "task": "2", "file": "src/other.txt", "kind": "outside-declared-files", "commit": null}])
    );
    specwork(ws).args(["drift", "accept", "shop", "2", "--note", "shared helper"]).assert().success();
    let clean = json(specwork(ws).args(["drift", "shop"]));
    assert_eq!(clean["drifted"], json!([]), "{clean}");
    write(&ws.join("src/greet.txt"), "hello\nBYE\n");
    git(ws, "2025-08-26T12:00:00Z", &["commit", "-qam", "louder farewell"]);
    let later = git(ws, "2025-08-26T12:00:00Z", &["rev-parse", "--short", "HEAD"]);
    assert_ne!(later, start);
    let out = run(ws, &["drift", "shop", "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let drift: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        drift["drifted"],
        json!([{"spec": "shop", "task": "1", "file": "src/greet.txt", "kind": "changed-after-done", "commit": later}])
    );
    let check: Value = serde_json::from_slice(&run(ws, &["check", "--json"]).stdout).unwrap();
    let problems: Vec<&Value> = check["problems"].as_array().unwrap().iter().filter(|p| p["kind"] == "drift").collect();
    assert_eq!(problems.len(), 1, "{check}");
    assert_eq!(problems[0]["file"], "src/greet.txt");
    let status = json(specwork(ws).args(["status", "shop"]));
    assert_eq!(status["drift"], drift["drifted"]);
    let resume = String::from_utf8(run(ws, &["resume", "shop"]).stdout).unwrap();
    assert!(resume.contains("changed-after-done src/greet.txt"), "{resume}");

    let dash = crate::dashboard::Dash::start(ws, &[]);
    let page = dash.get("/specs/shop").body;
    assert!(page.contains(r#"data-proof="verified""#) && page.contains(r#"data-proof="unverified""#), "{page}");
    assert!(page.contains(r#"<li data-kind="changed-after-done">"#), "{page}");

    // The reviewer accepts it: recorded durably, and the drift is gone.
    let accepted = json(specwork(ws).args(["drift", "accept", "shop", "1", "--note", "louder is fine"]));
    assert_eq!(accepted["decision"]["files"], json!(["src/greet.txt"]));
    assert_eq!(accepted["file"], "docs/sessions/evidence/shop.json");
    let after = json(specwork(ws).args(["drift", "shop"]));
    assert_eq!(after["drifted"], json!([]));
    let notes: Vec<(&str, &str, &str)> = after["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["task"].as_str().unwrap(), d["decision"].as_str().unwrap(), d["note"].as_str().unwrap()))
        .collect();
    assert_eq!(notes, [("1", "accept", "louder is fine"), ("2", "accept", "shared helper")]);
    assert_eq!(json(specwork(ws).args(["status", "shop"]))["drift_decisions"], after["decisions"]);
    let page = dash.get("/specs/shop").body;
    assert!(!page.contains("data-kind="), "{page}");
    assert!(page.contains(r#"data-decision="accept""#) && page.contains("louder is fine"), "{page}");
    drop(dash);

    // `verify` runs the checks of done tasks again: task 1 passes, task 2 still fails.
    let out = run(ws, &["verify", "shop", "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results: Vec<(&str, bool)> =
        v["results"].as_array().unwrap().iter().map(|r| (r["task"].as_str().unwrap(), r["passed"] == true)).collect();
    assert_eq!(results, [("1", true), ("2", false)]);

    // A task reopened with a reason is pending again, and no longer compared.
    write(&ws.join("src/new.txt"), "changed\n");
    let reopened = json(specwork(ws).args(["drift", "reopen", "shop", "1", "--reason", "new.txt must stay as it was"]));
    assert_eq!(reopened["reopened"]["status"], "pending");
    let tasks = std::fs::read_to_string(ws.join(".spec-workflow/specs/shop/tasks.md")).unwrap();
    assert!(tasks.contains("- [ ] 1. Add the greeting"), "{tasks}");
    assert_eq!(json(specwork(ws).args(["drift", "shop"]))["drifted"], json!([]));

    // The same task through MCP, in a twin workspace: the same log and the same journal.
    let t2 = tempfile::tempdir().unwrap();
    let ws2 = t2.path();
    workspace(ws2);
    let Some(r) = mcp_results(ws2, "14:30", &json!([["do-task", {"specName": "shop", "taskId": "1", "force": true}]]))
    else {
        return;
    };
    assert!(r[0].get("error").is_none(), "{r:?}");
    first_try(ws2);
    let r =
        mcp_results(ws2, "14:30", &json!([["do-task", {"specName": "shop", "taskId": "1", "done": true}]])).unwrap();
    let e = r[0]["error"].as_str().unwrap_or_else(|| panic!("{r:?}"));
    assert!(e.contains("no greeting in src/greet.txt") && e.contains("force: true"), "{e}");
    fix(ws2);
    let finish = json!([["do-task", {"specName": "shop", "taskId": "1", "done": true, "summary": "Greets in full."}]]);
    let r = mcp_results(ws2, "14:30", &finish).unwrap();
    assert_eq!(r[0]["verified"], true, "{r:?}");
    assert_eq!(r[0]["work"]["filesModified"], json!(["src/greet.txt"]), "{r:?}");

    // The CLI's twin, finished without --files: the log and the journal must match MCP's.
    let t3 = tempfile::tempdir().unwrap();
    let ws3 = t3.path();
    workspace(ws3);
    specwork(ws3).args(["do-task", "shop", "1", "--force"]).assert().success();
    first_try(ws3);
    assert_eq!(run(ws3, &["do-task", "shop", "1", "--done"]).status.code(), Some(1));
    fix(ws3);
    specwork(ws3).args(["do-task", "shop", "1", "--done", "--summary", "Greets in full."]).assert().success();
    assert!(task1_log(ws2).contains("Greets in full."), "{}", task1_log(ws2));
    assert_eq!(task1_log(ws2), task1_log(ws3));
    let (j2, j3) = (journal_of(ws2, "1"), journal_of(ws3, "1"));
    assert_eq!(j2.len(), 2, "{j2:?}");
    assert_eq!(j2, j3);
}

/// Outside git, the files a task touched come from the agent's hooks: the log lists what the
/// Write hook saw during the task's window, and a file the agent only names is unverified.
#[test]
fn without_git_the_hooks_say_what_a_task_changed() {
    use crate::hooks::{fixture, hook};
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["do-task", "invoice-management", "1.3", "--force"]).assert().success();
    let transcript = root.join("transcript.jsonl");
    let agent = "5f8c2a91-7d3e-4b6a-9c1f-2e4d6a8b0c3d";
    hook(root, "SessionStart", &fixture("session-start.json", root, &transcript, agent));
    write(&root.join("src/invoice.rs"), "pub struct Invoice;\n");
    hook(root, "PostToolUse", &fixture("post-tool-use-write.json", root, &transcript, agent));
    let done = json(specwork(root).args([
        "do-task",
        "invoice-management",
        "1.3",
        "--done",
        "--files",
        "src/invoice.rs,src/claimed.rs",
    ]));
    assert_eq!(done["work"]["files_created"], json!(["src/invoice.rs"]), "{done}");
    assert_eq!(done["work"]["files_modified"], json!([]));
    assert_eq!(done["work"]["unverified"], json!(["src/claimed.rs"]));
    let log = std::fs::read_to_string(root.join(done["work"]["log"].as_str().unwrap())).unwrap();
    assert!(log.contains("## Files Created\n- src/invoice.rs\n"), "{log}");
}

/// The daily summary tells a verified done from one finished past its failing check.
#[test]
fn the_daily_summary_marks_verified_and_unverified_tasks() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    workspace(ws);
    write(&ws.join("src/greet.txt"), "hello\n");
    for (task, done) in [("1", vec!["--done"]), ("2", vec!["--done", "--force"]), ("3", vec!["--done"])] {
        specwork(ws).args(["do-task", "shop", task, "--force"]).assert().success();
        specwork(ws).args(["do-task", "shop", task]).args(&done).assert().success();
    }
    let eod = json(specwork(ws).args(["eod"]));
    let file = eod["daily_summary"]["path"].as_str().unwrap_or_else(|| panic!("{eod}"));
    let text = std::fs::read_to_string(ws.join(file)).unwrap();
    let line =
        |id: &str| text.lines().find(|l| l.starts_with(&format!("- ✅ {id} "))).unwrap_or_else(|| panic!("{text}"));
    assert!(line("1").contains("(verified)"), "{text}");
    assert!(line("2").contains("(UNVERIFIED)"), "{text}");
    assert!(!line("3").contains("verified") && !line("3").contains("UNVERIFIED"), "{text}");
}
