//! One workspace across git worktrees: specwork run inside a linked worktree (`git worktree
//! add`) works in the main worktree's `.spec-workflow/`, specs and journals, as
//! spec-workflow-mcp 2.2.7 shares its workflow root (`resolveGitRoot`, overridable with
//! `SPEC_WORKFLOW_SHARED_ROOT`). Real git, real worktrees.

use std::path::Path;
use std::process::Command as StdCommand;

use serde_json::Value;

use crate::common::*;

fn git(dir: &Path, args: &[&str]) {
    let out = StdCommand::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Test User")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test User")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn ids(status: &Value) -> Vec<String> {
    status["specs"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_linked_worktree_works_in_the_main_worktrees_workspace() {
    if StdCommand::new("git").arg("--version").output().is_err() {
        return need::skip(Need::Real, "git is not installed");
    }
    let t = tempfile::tempdir().unwrap();
    let main = t.path().join("app");
    std::fs::create_dir_all(&main).unwrap();
    specwork(&main).arg("init").assert().success();
    specwork(&main).args(["spec", "new", "billing", "--docs", "requirements,design,tasks"]).assert().success();
    git(&main, &["init", "-q", "-b", "main"]);
    git(&main, &["add", "."]);
    git(&main, &["commit", "-q", "-m", "billing spec"]);
    let linked = t.path().join("app-feature");
    git(&main, &["worktree", "add", "-q", linked.to_str().unwrap(), "-b", "feature"]);
    let tasks = ".spec-workflow/specs/billing/tasks.md";
    assert_eq!(read(main.join(tasks)), read(linked.join(tasks)), "the branch has its own copy");

    // A change made in the linked worktree lands in the main worktree's files, not the copy.
    let copy = read(linked.join(tasks));
    specwork(&linked).args(["task", "set", "billing", "1", "in-progress"]).assert().success();
    assert!(read(main.join(tasks)).contains("- [-] 1."), "{}", read(main.join(tasks)));
    assert_eq!(read(linked.join(tasks)), copy, "the linked worktree's copy is untouched");
    let st = json(specwork(&linked).args(["status", "billing"]));
    assert_eq!(st["tasks"]["in_progress"], 1, "{st}");
    let r = json(specwork(&linked).args(["approval", "request", "billing", "requirements"]));
    assert!(main.join(r["approval_file"].as_str().unwrap()).is_file(), "approvals are shared: {r}");
    assert!(!linked.join(".spec-workflow/approvals").exists());

    // From a folder that exists only in the linked worktree, too.
    std::fs::create_dir_all(linked.join("src/new")).unwrap();
    let st = json(specwork(&linked.join("src/new")).args(["status", "billing"]));
    assert_eq!(st["tasks"]["in_progress"], 1, "{st}");

    // The peer's override names another root; an explicit --workspace wins over both.
    let other = t.path().join("shared");
    std::fs::create_dir_all(&other).unwrap();
    specwork(&other).arg("init").assert().success();
    specwork(&other).args(["spec", "new", "search-index"]).assert().success();
    let st = json(specwork(&linked).env("SPEC_WORKFLOW_SHARED_ROOT", &other).arg("status"));
    assert_eq!(ids(&st), ["search-index"], "{st}");
    let st = json(specwork(&linked).env("SPEC_WORKFLOW_SHARED_ROOT", &other).args(["--workspace", "."]).arg("status"));
    assert_eq!(ids(&st), ["billing"], "{st}");
    let out = specwork(&linked).env("SPEC_WORKFLOW_SHARED_ROOT", t.path().join("nope")).arg("status").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope is not a directory"), "{out:?}");

    // The MCP server started in the linked worktree, called with the worktree as projectPath
    // (the peer's prompts send it), answers from the shared workspace.
    let have = StdCommand::new("python3").args(["-c", "import mcp"]).output().is_ok_and(|o| o.status.success());
    if !have {
        return need::skip(Need::Real, "the MCP half: python3 cannot import mcp");
    }
    let calls = serde_json::json!([["spec-status", {"specName": "billing", "projectPath": linked}]]);
    let out = StdCommand::new("python3")
        .arg(manifest_dir().join("tests/mcp/calls.py"))
        .arg(specwork_bin())
        .arg(&linked)
        .arg("2025-08-26T14:30:00Z")
        .arg(calls.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["taskProgress"]["total"].as_u64().map(|n| n > 0), Some(true), "{}", v[0]);
    assert!(v[0]["phases"][0]["approval"] == "pending", "the approval requested above: {}", v[0]);
}
