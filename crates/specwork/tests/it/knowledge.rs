//! Implementation logs measured from a real git repository, search, and a spec-workflow folder
//! written by spec-workflow-mcp itself (real files from ../shared/corpus).

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use serde_json::Value;

use crate::common::*;

fn sw(dir: &Path, now: &str) -> assert_cmd::Command {
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", now).env("SPECWORK_SEED", "7");
    c
}

/// Runs git in `dir` with a fixed identity and date.
pub(crate) fn git(dir: &Path, date: &str, args: &[&str]) -> String {
    let out = Std::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

pub(crate) fn write(p: &Path, s: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, s).unwrap();
}

fn logs_dir(ws: &Path) -> PathBuf {
    ws.join(".spec-workflow/specs/shop/Implementation Logs")
}

fn only_log(ws: &Path, newest_of: usize) -> (String, String) {
    let mut names: Vec<String> =
        std::fs::read_dir(logs_dir(ws)).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), newest_of, "{names:?}");
    let n = names.pop().unwrap();
    let text = std::fs::read_to_string(logs_dir(ws).join(&n)).unwrap();
    (n, text)
}

#[test]
fn log_implementation_measures_the_task_window_with_git() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    specwork(ws).arg("init").assert().success();
    sw(ws, "2025-08-26T08:00:00Z")
        .args(["spec", "new", "shop", "--docs", "requirements,design,tasks"])
        .assert()
        .success();
    write(&ws.join("src/a.txt"), "one\ntwo\nthree\n");
    write(&ws.join("src/d.txt"), "old\nfile\n");
    git(ws, "2025-08-26T09:00:00Z", &["init", "-q"]);
    git(ws, "2025-08-26T09:00:00Z", &["add", "-A"]);
    git(ws, "2025-08-26T09:00:00Z", &["commit", "-qm", "start"]);
    let start = git(ws, "2025-08-26T09:00:00Z", &["rev-parse", "HEAD"]);

    // The task starts at 10:00: a commit during the task, then uncommitted work.
    write(&ws.join("src/a.txt"), "one\nTWO\nthree\nfour\n");
    write(&ws.join("src/b.rs"), "fn a() {}\nfn b() {}\nfn c() {}\n");
    git(ws, "2025-08-26T10:30:00Z", &["add", "-A"]);
    git(ws, "2025-08-26T10:30:00Z", &["commit", "-qm", "task 1.1 part one"]);
    write(&ws.join("docs/c.md"), "# Notes\n");
    std::fs::remove_file(ws.join("src/d.txt")).unwrap();

    let artifact = r#"{"kind":"function","name":"parseInvoice","purpose":"reads an invoice","location":"src/b.rs:1","signature":"(s: &str) -> Invoice","isExported":true}"#;
    let api = r#"{"apiEndpoints":[{"method":"POST","path":"/api/invoices","purpose":"creates an invoice","location":"src/server.rs:12","requestFormat":{"amount":"number"}}]}"#;
    let w = json(sw(ws, "2025-08-26T11:05:30Z").args([
        "log-implementation",
        "shop",
        "1",
        "--summary",
        "Invoice parsing and the create endpoint",
        "--since",
        "2025-08-26T10:00:00Z",
        "--artifact",
        artifact,
        "--artifact",
        api,
        "--files-modified",
        "src/a.txt,src/never-touched.rs",
    ]));
    assert_eq!(w["source"], "git");
    assert_eq!(w["base"], start.as_str());
    assert_eq!(w["entry"]["statistics"], serde_json::json!({"linesAdded": 6, "linesRemoved": 3, "filesChanged": 4}));
    assert_eq!(w["entry"]["filesModified"], serde_json::json!(["src/a.txt", "src/d.txt (deleted)"]));
    assert_eq!(w["entry"]["filesCreated"], serde_json::json!(["docs/c.md", "src/b.rs"]));
    assert_eq!(w["unverified"], serde_json::json!(["src/never-touched.rs"]));

    let (name, text) = only_log(ws, 1);
    let id = w["entry"]["id"].as_str().unwrap();
    assert_eq!(name, format!("task-1_2025-08-26T1105_{}.md", &id[..8]));
    assert_eq!(w["file"], format!(".spec-workflow/specs/shop/Implementation Logs/{name}"));
    let expected = format!(
        "# Implementation Log: Task 1

**Summary:** Invoice parsing and the create endpoint

**Timestamp:** 2025-08-26T11:05:30.000Z
**Log ID:** {id}

---

## Statistics

- **Lines Added:** +6
- **Lines Removed:** -3
- **Files Changed:** 4
- **Net Change:** 3

## Files Modified
- src/a.txt
- src/d.txt (deleted)

## Files Created
- docs/c.md
- src/b.rs

---

## Artifacts

### API Endpoints

#### POST /api/invoices
- **Purpose:** creates an invoice
- **Location:** src/server.rs:12
- **Request Format:** {{\"amount\":\"number\"}}

### Functions

#### parseInvoice
- **Purpose:** reads an invoice
- **Location:** src/b.rs:1
- **Signature:** (s: &str) -> Invoice
- **Exported:** Yes

"
    );
    assert_eq!(text, expected);

    // Without a window: only what is not committed; the log folder itself never counts.
    let w = json(sw(ws, "2025-08-26T12:00:00Z").args(["log-implementation", "shop", "2", "-s", "Notes"]));
    assert_eq!(w["entry"]["statistics"], serde_json::json!({"linesAdded": 1, "linesRemoved": 2, "filesChanged": 2}));
    assert_eq!(w["entry"]["filesCreated"], serde_json::json!(["docs/c.md"]));
    let (_, text) = only_log(ws, 2);
    assert!(text.contains("## Artifacts\n\n_No artifacts recorded_\n"), "{text}");
    // --base names the commit the task started from.
    let w =
        json(sw(ws, "2025-08-26T12:01:00Z").args(["log-implementation", "shop", "2", "-s", "Again", "--base", &start]));
    assert_eq!(w["entry"]["statistics"]["linesAdded"], 6);
    // --no-git takes the caller's word.
    let w = json(sw(ws, "2025-08-26T12:02:00Z").args([
        "log-implementation",
        "shop",
        "3",
        "-s",
        "Tests",
        "--no-git",
        "--files-created",
        "tests/x.rs",
        "--lines-added",
        "40",
    ]));
    assert_eq!(w["source"], "manual");
    assert_eq!(w["entry"]["statistics"], serde_json::json!({"linesAdded": 40, "linesRemoved": 0, "filesChanged": 1}));

    // Reading back.
    let logs = json(sw(ws, "2025-08-26T13:00:00Z").args(["logs", "shop", "--task", "1"]));
    let l = &logs["logs"][0];
    assert_eq!(logs["logs"].as_array().unwrap().len(), 1);
    assert_eq!(l["entry"]["artifacts"]["functions"][0]["name"], "parseInvoice");
    assert_eq!(l["entry"]["artifacts"]["functions"][0]["isExported"], true);
    assert_eq!(l["artifacts"][1]["kind"], "function");

    // Errors: unknown task, a bad revision, a bad artifact.
    let out = sw(ws, "2025-08-26T13:00:00Z").args(["log-implementation", "shop", "9.9", "-s", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no task `9.9` in spec `shop`"));
    let out = sw(ws, "2025-08-26T13:00:00Z")
        .args(["log-implementation", "shop", "1", "-s", "x", "--base", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sw(ws, "2025-08-26T13:00:00Z")
        .args(["log-implementation", "shop", "1", "-s", "x", "--artifact", r#"{"kind":"widget"}"#])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown artifact kind `widget`"));
    assert_eq!(std::fs::read_dir(logs_dir(ws)).unwrap().count(), 4, "failed commands write nothing");

    // Search finds the artifacts by name, ranked first, with file:line.
    let s = json(sw(ws, "2025-08-26T13:00:00Z").args(["search", "parseInvoice"]));
    let hit = &s["hits"][0];
    assert_eq!(hit["kind"], "log");
    assert_eq!(hit["artifact"]["kind"], "function");
    assert_eq!(hit["artifact"]["name"], "parseInvoice");
    assert_eq!(hit["task"], "1");
    let file = ws.join(hit["file"].as_str().unwrap());
    let line = hit["line"].as_u64().unwrap() as usize;
    assert_eq!(std::fs::read_to_string(file).unwrap().lines().nth(line - 1), Some("#### parseInvoice"));
    let s = json(sw(ws, "2025-08-26T13:00:00Z").args(["search", "post", "/api/invoices", "--kind", "log"]));
    assert_eq!(s["hits"][0]["artifact"]["name"], "POST /api/invoices");
    let out = sw(ws, "2025-08-26T13:00:00Z").args(["search", "parseInvoice"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "{}:{line}: [log shop task 1] function parseInvoice\n",
            hit["file"].as_str().unwrap()
        )),
        "{text}"
    );
}

#[test]
fn log_implementation_without_git_uses_the_given_numbers() {
    let ws = demo_copy();
    let w = json(sw(ws.path(), "2025-08-26T10:00:00Z").args([
        "log-implementation",
        "1014",
        "4",
        "-s",
        "Directory layout",
        "--files-created",
        "specs/1000/1001/deliverables/scripts/directory-setup.sh",
        "--lines-added",
        "12",
    ]));
    assert_eq!(w["source"], "manual");
    let file = w["file"].as_str().unwrap();
    assert!(file.starts_with("specs/1000/1001/Implementation Logs/1014/task-4_2025-08-26T1000_"), "{file}");
    let logs = json(sw(ws.path(), "2025-08-26T10:00:00Z").args(["logs", "1014"]));
    assert_eq!(logs["logs"][0]["entry"]["statistics"]["linesAdded"], 12);
}

#[test]
fn search_ranks_headings_and_tasks_and_covers_context_timelines() {
    let ws = demo_copy();
    let s = json(sw(ws.path(), "2025-08-26T10:00:00Z").args(["search", "NFS", "mount"]));
    let hits = s["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for w in hits.windows(2) {
        assert!(w[0]["score"].as_u64() >= w[1]["score"].as_u64(), "ranked: {w:?}");
    }
    for h in hits {
        let text = h["text"].as_str().unwrap().to_lowercase();
        assert!(text.contains("nfs") && text.contains("mount"), "{h}");
        let file = ws.path().join(h["file"].as_str().unwrap());
        let line = std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .nth(h["line"].as_u64().unwrap() as usize - 1)
            .unwrap()
            .to_owned();
        assert_eq!(line.trim(), h["text"].as_str().unwrap());
    }
    let kinds: Vec<&str> = hits.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"context") && kinds.contains(&"spec"), "{kinds:?}");
    let only = json(sw(ws.path(), "2025-08-26T10:00:00Z").args(["search", "NFS", "--kind", "context"]));
    assert!(only["hits"].as_array().unwrap().iter().all(|h| h["kind"] == "context"));
    let none = json(sw(ws.path(), "2025-08-26T10:00:00Z").args(["search", "zzzunfindable"]));
    assert_eq!(none["total"], 0);
    let out = sw(ws.path(), "2025-08-26T10:00:00Z").args(["search", "x", "--kind", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Arranges the real spec-workflow-mcp files of the corpus into a `.spec-workflow/` tree, at the
/// paths they had in their repositories (MANIFEST.tsv).
fn peer_workspace() -> Option<tempfile::TempDir> {
    let corpus = need::shared("corpus/real-specs")?;
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("the corpus has MANIFEST.tsv");
    let t = tempfile::tempdir().unwrap();
    let mut n = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, path) = (cols[0], cols[2]);
        if !file.starts_with("spec-workflow/") || !path.starts_with(".spec-workflow/") || file.contains(".derived-") {
            continue;
        }
        let to = t.path().join(path);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(corpus.join(file), to).unwrap();
        n += 1;
    }
    assert!(n >= 20, "{n} files");
    Some(t)
}

fn errors(v: &Value) -> Vec<&Value> {
    v["diagnostics"].as_array().unwrap().iter().filter(|d| d["severity"] == "error").collect()
}

#[test]
fn a_folder_written_by_spec_workflow_mcp_reads_without_errors() {
    let Some(ws) = peer_workspace() else { return };
    let dir = ws.path();
    let st = json(sw(dir, "2026-05-01T10:00:00Z").args(["status", "--archived"]));
    assert!(errors(&st).is_empty(), "{:?}", errors(&st));
    assert!(st["specs"].as_array().unwrap().len() >= 10);

    let list = json(sw(dir, "2026-05-01T10:00:00Z").args(["approval", "list"]));
    assert!(list["diagnostics"].as_array().unwrap().is_empty(), "{}", list["diagnostics"]);
    let ids: Vec<&str> = list["approvals"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["approval_1768881797542_l4sqnftsk", "approval_1758252379352_9cwv3jfgq"], "newest first");
    assert_eq!(list["approvals"][0]["doc"], "requirements");
    assert_eq!(list["approvals"][0]["status"], "pending");

    let a = json(sw(dir, "2026-05-01T10:00:00Z").args(["approval", "status", "microservice-scaffold"]));
    let req = &a["docs"][0];
    assert_eq!(req["state"], "pending");
    assert_eq!(req["exists"], false);
    assert_eq!(req["approval_id"], "approval_1758252379352_9cwv3jfgq");
    assert!(errors(&a).is_empty());

    let logs = json(sw(dir, "2026-05-01T10:00:00Z").args(["logs"]));
    assert!(logs["diagnostics"].as_array().unwrap().is_empty(), "{}", logs["diagnostics"]);
    let l = logs["logs"].as_array().unwrap();
    assert_eq!(l.len(), 2);
    let lt = l.iter().find(|x| x["spec"] == "localstack-test-migration").unwrap();
    assert_eq!(lt["entry"]["taskId"], "1.1");
    assert_eq!(lt["entry"]["id"], "c9bd7a44-592d-42dc-995c-e3974cf3c552");
    assert_eq!(lt["entry"]["statistics"], serde_json::json!({"linesAdded": 420, "linesRemoved": 8, "filesChanged": 5}));
    assert_eq!(lt["entry"]["artifacts"]["functions"].as_array().unwrap().len(), 8);
    assert_eq!(lt["entry"]["filesCreated"].as_array().unwrap().len(), 2);
    let o6 = l.iter().find(|x| x["spec"] == "o6-subtickets-manufacturing").unwrap();
    assert_eq!(o6["entry"]["artifacts"]["classes"][0]["name"], "EventDeliveryRetryOptions");
    assert_eq!(o6["entry"]["artifacts"]["functions"].as_array().unwrap().len(), 4);

    // The knowledge base is searchable, archived specs included.
    let s = json(sw(dir, "2026-05-01T10:00:00Z").args(["search", "EventDeliveryRetryOptions", "--kind", "log"]));
    assert_eq!(s["hits"][0]["artifact"]["kind"], "class");
    assert_eq!(s["hits"][0]["spec"], "o6-subtickets-manufacturing");
    let s = json(sw(dir, "2026-05-01T10:00:00Z").args(["search", "SetupTestServer"]));
    let h = &s["hits"][0];
    assert_eq!(h["artifact"]["name"], "SetupTestServer");
    let text = std::fs::read_to_string(dir.join(h["file"].as_str().unwrap())).unwrap();
    assert_eq!(text.lines().nth(h["line"].as_u64().unwrap() as usize - 1), Some("#### SetupTestServer"));

    // A spec the peer's users worked on without approval records passes the gate as untracked.
    let g = json(sw(dir, "2026-05-01T10:00:00Z").args(["approval", "gate", "localstack-test-migration"]));
    assert_eq!(g["pass"]["reason"], "untracked");
    // One with a pending request but no tasks approval does not.
    let out = sw(dir, "2026-05-01T10:00:00Z").args(["approval", "gate", "microservice-scaffold"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));

    // specwork's approvals land beside the peer's; the peer's records stay as they were.
    let before =
        std::fs::read(dir.join(".spec-workflow/approvals/frontend/approval_1768881797542_l4sqnftsk.json")).unwrap();
    sw(dir, "2026-05-01T11:00:00Z").args(["approval", "approve", "spot-ingestion", "requirements"]).assert().success();
    let after =
        std::fs::read(dir.join(".spec-workflow/approvals/frontend/approval_1768881797542_l4sqnftsk.json")).unwrap();
    assert_eq!(before, after);
    let list = json(sw(dir, "2026-05-01T11:00:00Z").args(["approval", "list"]));
    assert_eq!(list["approvals"].as_array().unwrap().len(), 3);
}

#[test]
fn an_approval_made_in_the_peers_dashboard_and_cleaned_up_stays_approved() {
    // What spec-workflow-mcp writes: a request with its initial snapshot, the dashboard's approval
    // (an `approved` snapshot taken before the status changes), then the agent's
    // `approvals delete`, which removes the record but keeps the snapshots.
    let ws = demo_copy();
    let dir = ws.path();
    let doc = ".spec-workflow/specs/appointment-booking/design.md";
    let content = std::fs::read_to_string(dir.join(doc)).unwrap();
    let snaps = dir.join(".spec-workflow/approvals/appointment-booking/.snapshots/design.md");
    std::fs::create_dir_all(&snaps).unwrap();
    let snapshot = |v: u32, trigger: &str, ts: &str| {
        serde_json::json!({
            "id": format!("snapshot_1756000000000_abcdefgh{v}"),
            "approvalId": "approval_1756000000000_k2j4h5g6f",
            "approvalTitle": "Appointment booking design",
            "version": v,
            "timestamp": ts,
            "trigger": trigger,
            "status": "pending",
            "content": content,
            "fileStats": {"size": content.len(), "lines": content.split('\n').count(), "lastModified": ts},
            "comments": []
        })
    };
    std::fs::write(
        snaps.join("snapshot-001.json"),
        serde_json::to_string_pretty(&snapshot(1, "initial", "2025-08-24T01:00:00.000Z")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        snaps.join("snapshot-002.json"),
        serde_json::to_string_pretty(&snapshot(2, "approved", "2025-08-24T02:00:00.000Z")).unwrap(),
    )
    .unwrap();
    let entry = |v: u32, trigger: &str, ts: &str| {
        serde_json::json!({"version": v, "filename": format!("snapshot-00{v}.json"), "timestamp": ts, "trigger": trigger,
            "approvalId": "approval_1756000000000_k2j4h5g6f", "approvalTitle": "Appointment booking design"})
    };
    let meta = serde_json::json!({"filePath": doc, "currentVersion": 2, "snapshots": [
        entry(1, "initial", "2025-08-24T01:00:00.000Z"), entry(2, "approved", "2025-08-24T02:00:00.000Z")]});
    std::fs::write(snaps.join("metadata.json"), serde_json::to_string_pretty(&meta).unwrap()).unwrap();

    let st = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "status", "appointment-booking"]));
    let d = st["docs"].as_array().unwrap().iter().find(|d| d["doc"] == "design").unwrap();
    assert_eq!(d["state"], "approved");
    assert_eq!(d["approved"]["source"], "snapshot");
    assert_eq!(d["approved"]["snapshot_version"], 2);
    assert_eq!(d["changed_since_approval"], false);

    std::fs::write(dir.join(doc), format!("{content}\n## Reminders\nSMS one day before.\n")).unwrap();
    let st = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "status", "appointment-booking"]));
    let d = st["docs"].as_array().unwrap().iter().find(|d| d["doc"] == "design").unwrap();
    assert_eq!(d["changed_since_approval"], true);
    let diff = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "diff", "appointment-booking", "design"]));
    assert_eq!(diff["base_version"], 2);
    assert!(diff["unified"].as_str().unwrap().contains("\n+SMS one day before.\n"));

    // Re-approving through specwork appends to the peer's metadata (one initial snapshot per
    // document, as the peer keeps it, so the approval is version 3).
    let a = json(sw(dir, "2025-08-26T11:00:00Z").args(["approval", "approve", "appointment-booking", "design"]));
    assert_eq!(a["snapshot_version"], 3);
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(snaps.join("metadata.json")).unwrap()).unwrap();
    assert_eq!(meta["currentVersion"], 3);
    assert_eq!(meta["snapshots"][2]["trigger"], "approved");
    assert_eq!(meta["snapshots"][0]["approvalId"], "approval_1756000000000_k2j4h5g6f");
}

/// The guide's knowledge-base step greps the logs for `apiEndpoints` (a key of the peer's JSON
/// artifacts), which the Markdown logs never contain. The book's "The guide's knowledge-base
/// commands" gives the commands that work; this runs them, as written there, on a real log.
#[test]
fn the_readmes_knowledge_base_commands_find_what_specwork_logged() {
    let ws = demo_copy();
    let root = ws.path();
    let w = json(sw(root, "2025-08-26T10:00:00Z").args([
        "log-implementation",
        "invoice-management",
        "1.1",
        "-s",
        "Invoices table",
        "--no-git",
        "--artifact",
        r#"{"kind":"api","method":"POST","path":"/api/invoices","purpose":"Create an invoice","location":"src/api.rs:10"}"#,
    ]));
    let file = w["file"].as_str().unwrap().to_owned();
    let sh = |cmd: &str| {
        let out = std::process::Command::new("sh").arg("-c").arg(cmd).current_dir(root).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // What the guide writes finds nothing in Markdown logs; what the book gives instead does.
    assert_eq!(sh(r#"grep -r "apiEndpoints" .spec-workflow/specs/*/Implementation\ Logs/"#), "");
    let listed = sh(r#"grep -rl "^### API Endpoints" .spec-workflow/specs/*/Implementation\ Logs/"#);
    assert_eq!(listed.trim(), file, "{listed}");
    let endpoints = sh(r#"grep -rh -A1 "^#### " .spec-workflow/specs/*/Implementation\ Logs/"#);
    assert!(endpoints.contains("#### POST /api/invoices"), "{endpoints}");
    let s = json(sw(root, "2025-08-26T10:00:00Z").args(["search", "--kind", "log", "POST", "invoices"]));
    assert_eq!(s["hits"][0]["file"], file.as_str(), "{s}");
}
