//! Phases, durable approvals, the tasks gate, plans, steering and archive — through the real
//! binary on real files.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// A `specwork` command at a given time, with reproducible ids.
fn sw(dir: &Path, now: &str) -> assert_cmd::Command {
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", now).env("SPECWORK_SEED", "42");
    c
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn sha256(p: &Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(p).output().unwrap();
    String::from_utf8(out.stdout).unwrap().split_whitespace().next().unwrap().to_owned()
}

fn doc<'a>(status: &'a Value, name: &str) -> &'a Value {
    status["docs"].as_array().unwrap().iter().find(|d| d["doc"] == name).unwrap()
}

fn init(dir: &Path) {
    specwork(dir).arg("init").assert().success();
}

#[test]
fn phases_follow_approvals_and_approval_is_durable_with_a_hash() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    init(ws);
    sw(ws, "2025-08-26T09:00:00Z").args(["spec", "new", "user-auth"]).assert().success();

    // Design cannot start before requirements are approved.
    let out = sw(ws, "2025-08-26T09:01:00Z").args(["spec", "doc", "user-auth", "design"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("requirements of spec `user-auth` is created, so the design phase cannot start"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!ws.join(".spec-workflow/specs/user-auth/design.md").exists());

    // Request, then approve: one record in the peer's format, snapshots initial + approved.
    let req = json(sw(ws, "2025-08-26T10:00:00Z").args(["approval", "request", "user-auth", "requirements"]));
    let id = req["approval_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), "approval_1768881797542_l4sqnftsk".len());
    assert!(id.starts_with("approval_1756202400000_"), "{id}");
    assert!(id[23..].bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
    let again = json(sw(ws, "2025-08-26T10:01:00Z").args(["approval", "request", "user-auth", "requirements"]));
    assert_eq!(again["approval_id"], id.as_str());
    assert_eq!(again["unchanged"], true);

    let ok = json(sw(ws, "2025-08-26T11:00:00Z").args([
        "approval",
        "approve",
        "user-auth",
        "requirements",
        "-c",
        "LGTM",
        "--force",
    ]));
    assert_eq!(ok["approval_id"], id.as_str());
    assert_eq!(ok["status"], "approved");
    assert_eq!(ok["snapshot_version"], 2);
    let req_file = ws.join(".spec-workflow/specs/user-auth/requirements.md");
    let hash = sha256(&req_file);
    assert_eq!(ok["hash"]["content_sha256"], hash.as_str());

    let record_path = ws.join(format!(".spec-workflow/approvals/user-auth/{id}.json"));
    let record_text = read(&record_path);
    let keys: Vec<&str> =
        record_text.lines().filter(|l| l.starts_with("  \"")).map(|l| l.trim().split('"').nth(1).unwrap()).collect();
    assert_eq!(
        keys,
        [
            "id",
            "title",
            "filePath",
            "type",
            "status",
            "createdAt",
            "metadata",
            "category",
            "categoryName",
            "response",
            "respondedAt"
        ]
    );
    assert!(!record_text.ends_with('\n'), "JSON.stringify writes no final newline");
    let record: Value = serde_json::from_str(&record_text).unwrap();
    assert_eq!(record["filePath"], ".spec-workflow/specs/user-auth/requirements.md");
    assert_eq!(record["type"], "document");
    assert_eq!(record["category"], "spec");
    assert_eq!(record["categoryName"], "user-auth");
    assert_eq!(record["createdAt"], "2025-08-26T10:00:00.000Z");
    assert_eq!(record["respondedAt"], "2025-08-26T11:00:00.000Z");
    assert_eq!(record["response"], "LGTM");
    assert_eq!(record["metadata"]["contentSha256"], hash.as_str());
    let snaps = ws.join(".spec-workflow/approvals/user-auth/.snapshots/requirements.md");
    let meta: Value = serde_json::from_str(&read(snaps.join("metadata.json"))).unwrap();
    assert_eq!(meta["filePath"], ".spec-workflow/specs/user-auth/requirements.md");
    assert_eq!(meta["currentVersion"], 2);
    let triggers: Vec<&str> =
        meta["snapshots"].as_array().unwrap().iter().map(|s| s["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["initial", "approved"]);
    let snap: Value = serde_json::from_str(&read(snaps.join("snapshot-002.json"))).unwrap();
    assert_eq!(snap["content"], read(&req_file).as_str());
    assert_eq!(snap["approvalId"], id.as_str());
    assert_eq!(snap["fileStats"]["lines"], read(&req_file).split('\n').count());

    // Approving again changes nothing.
    let same = json(sw(ws, "2025-08-26T11:30:00Z").args(["approval", "approve", "user-auth", "requirements"]));
    assert_eq!(same["unchanged"], true);
    assert_eq!(std::fs::read_dir(&snaps).unwrap().count(), 3);

    // Now the design phase may start; the template comes from the user's folder when present.
    std::fs::create_dir_all(ws.join(".spec-workflow/user-templates")).unwrap();
    std::fs::write(ws.join(".spec-workflow/user-templates/design-template.md"), "# Our design for {{title}}\n")
        .unwrap();
    let added = json(sw(ws, "2025-08-26T12:00:00Z").args(["spec", "doc", "user-auth", "design"]));
    assert_eq!(added["template"], ".spec-workflow/user-templates/design-template.md");
    assert_eq!(read(ws.join(".spec-workflow/specs/user-auth/design.md")), "# Our design for User Auth\n");
    let out = sw(ws, "2025-08-26T12:00:00Z").args(["spec", "doc", "user-auth", "design"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an existing document is never overwritten");
    assert_eq!(read(ws.join(".spec-workflow/specs/user-auth/design.md")), "# Our design for User Auth\n");

    // An edit after approval shows, and the diff is against the approved snapshot.
    let before = read(&req_file);
    std::fs::write(&req_file, format!("{before}\n### Requirement 3\n\nPassword reset by e-mail.\n")).unwrap();
    let st = json(sw(ws, "2025-08-26T13:00:00Z").args(["approval", "status", "user-auth"]));
    let r = doc(&st, "requirements");
    assert_eq!(r["state"], "approved");
    assert_eq!(r["changed_since_approval"], true);
    assert_eq!(r["approved"]["content_sha256"], hash.as_str());
    assert_eq!(st["next"]["step"], "review-change", "{st}");
    let text = sw(ws, "2025-08-26T13:00:00Z").args(["approval", "status", "user-auth"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("changed since approval"));

    let d = json(sw(ws, "2025-08-26T13:00:00Z").args(["approval", "diff", "user-auth", "requirements"]));
    assert_eq!(d["changed"], true);
    assert_eq!(d["added"], 4);
    assert_eq!(d["removed"], 0);
    assert_eq!(d["base_version"], 2);
    let unified = d["unified"].as_str().unwrap();
    assert!(
        unified.starts_with("--- a/.spec-workflow/specs/user-auth/requirements.md (v2 approved)\n+++ b/"),
        "{unified}"
    );
    assert!(unified.contains("\n+Password reset by e-mail.\n"), "{unified}");

    // Re-approval records the new hash; the old approval stays on disk.
    let ok2 =
        json(sw(ws, "2025-08-26T14:00:00Z").args(["approval", "approve", "user-auth", "requirements", "--force"]));
    assert_ne!(ok2["approval_id"], id.as_str());
    assert_eq!(ok2["created"], true);
    assert!(record_path.exists(), "approvals are durable");
    let st = json(sw(ws, "2025-08-26T14:00:00Z").args(["approval", "status", "user-auth"]));
    let r = doc(&st, "requirements");
    assert_eq!(r["changed_since_approval"], false);
    assert_eq!(r["records"], 2);
    assert_eq!(r["approved"]["content_sha256"], sha256(&req_file).as_str());
    let d = json(sw(ws, "2025-08-26T14:00:00Z").args(["approval", "diff", "user-auth", "requirements"]));
    assert_eq!(d["changed"], false);
}

#[test]
fn reject_and_revise_write_the_peers_fields() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    init(ws);
    sw(ws, "2025-08-26T09:00:00Z").args(["spec", "new", "billing"]).assert().success();

    let out = sw(ws, "2025-08-26T09:00:00Z").args(["approval", "reject", "billing", "requirements"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a rejection needs --comment");

    let r = json(sw(ws, "2025-08-26T10:00:00Z").args([
        "approval",
        "reject",
        "billing",
        "requirements",
        "-c",
        "out of scope",
    ]));
    assert_eq!(r["status"], "rejected");
    let rec: Value = serde_json::from_str(&read(ws.join(r["approval_file"].as_str().unwrap()))).unwrap();
    assert_eq!(rec["response"], "out of scope");
    let st = json(sw(ws, "2025-08-26T10:00:00Z").args(["approval", "status", "billing"]));
    assert_eq!(doc(&st, "requirements")["state"], "rejected");

    let v = json(sw(ws, "2025-08-26T11:00:00Z").args([
        "approval",
        "revise",
        "billing",
        "requirements",
        "-c",
        "add refunds",
    ]));
    assert_eq!(v["status"], "needs-revision");
    assert_eq!(v["created"], true, "a decided record is never reopened; a new request is made");
    let rec: Value = serde_json::from_str(&read(ws.join(v["approval_file"].as_str().unwrap()))).unwrap();
    assert_eq!(rec["status"], "needs-revision");
    assert_eq!(rec["comments"][0]["type"], "general");
    assert_eq!(rec["comments"][0]["comment"], "add refunds");
    let ann: Value = serde_json::from_str(rec["annotations"].as_str().unwrap()).unwrap();
    assert_eq!(ann["decision"], "needs-revision");
    assert_eq!(ann["comments"][0]["comment"], "add refunds");
    // The peer's dashboard writes JSON.stringify({decision, comments, summary, timestamp}, null, 2)
    // with comments {type, comment, timestamp, id}: the same keys in the same order.
    let text = rec["annotations"].as_str().unwrap();
    let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or_else(|| panic!("{key} in {text}"));
    assert!(at("decision") < at("comments") && at("comments") < at("type") && at("type") < at("comment"), "{text}");
    assert!(at("comment") < at("id") && at("id") < at("summary"), "{text}");
    assert!(
        text.starts_with(
            "{\n  \"decision\": \"needs-revision\",\n  \"comments\": [\n    {\n      \"type\": \"general\""
        ),
        "{text}"
    );
    let id = rec["comments"][0]["id"].as_str().unwrap();
    let (prefix, rest) = id.split_at(8);
    let (ms, tail) = rest.split_once('_').unwrap();
    assert_eq!(prefix, "comment_", "{id}");
    assert_eq!(ms, "1756206000000", "the decision's time in ms: {id}");
    assert!(tail.len() == 9 && tail.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{id}");
    assert_eq!(ann["comments"][0]["id"], id);
    let meta: Value = serde_json::from_str(&read(
        ws.join(".spec-workflow/approvals/billing/.snapshots/requirements.md/metadata.json"),
    ))
    .unwrap();
    let triggers: Vec<&str> =
        meta["snapshots"].as_array().unwrap().iter().map(|s| s["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["initial", "revision_requested"]);
    let st = json(sw(ws, "2025-08-26T11:00:00Z").args(["approval", "status", "billing"]));
    assert_eq!(doc(&st, "requirements")["state"], "needs-revision");
    assert_eq!(doc(&st, "requirements")["comments"][0]["comment"], "add refunds");

    let list = json(sw(ws, "2025-08-26T11:00:00Z").args(["approval", "list", "--status", "rejected"]));
    assert_eq!(list["approvals"].as_array().unwrap().len(), 1);
    assert_eq!(list["approvals"][0]["doc"], "requirements");
    let out = sw(ws, "2025-08-26T11:00:00Z").args(["approval", "diff", "billing", "requirements"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no approved version yet"));
    let d = json(sw(ws, "2025-08-26T11:00:00Z").args(["approval", "diff", "billing", "requirements", "--last"]));
    assert_eq!(d["base_trigger"], "revision_requested");
    assert_eq!(d["changed"], false);
}

#[test]
fn the_tasks_gate_follows_approval_and_ignores_progress() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    init(ws);
    sw(ws, "2025-08-26T09:00:00Z")
        .args(["spec", "new", "shop", "--docs", "requirements,design,tasks"])
        .assert()
        .success();

    let gate = |now: &str| {
        let out = sw(ws, now).args(["approval", "gate", "shop", "--json"]).output().unwrap();
        (out.status.code(), serde_json::from_slice::<Value>(&out.stdout).unwrap())
    };
    let (code, g) = gate("2025-08-26T09:00:00Z");
    assert_eq!(code, Some(1));
    assert_eq!(g["allowed"], false);
    // `approval gate` has no --force, so its hint never names one (the task commands do).
    let hint = g["hint"].as_str().unwrap();
    assert!(!hint.contains("--force") && hint.contains("specwork approval"), "{g}");

    sw(ws, "2025-08-26T10:00:00Z").args(["approval", "request", "shop", "tasks"]).assert().success();
    let (code, g) = gate("2025-08-26T10:00:00Z");
    assert_eq!(code, Some(1));
    assert!(g["reason"].as_str().unwrap().contains("waiting for approval"), "{g}");

    sw(ws, "2025-08-26T11:00:00Z").args(["approval", "approve", "shop", "tasks", "--force"]).assert().success();
    let (code, g) = gate("2025-08-26T11:00:00Z");
    assert_eq!(code, Some(0));
    assert_eq!(g["pass"]["reason"], "approved");

    // Checking tasks off is progress, not a change of plan.
    sw(ws, "2025-08-26T12:00:00Z").args(["task", "set", "shop", "1", "done"]).assert().success();
    sw(ws, "2025-08-26T12:00:00Z")
        .args(["task", "set", "shop", "2", "blocked", "--reason", "waiting"])
        .assert()
        .success();
    let (code, _) = gate("2025-08-26T12:00:00Z");
    assert_eq!(code, Some(0));
    let st = json(sw(ws, "2025-08-26T12:00:00Z").args(["approval", "status", "shop"]));
    assert_eq!(doc(&st, "tasks")["changed_since_approval"], false);
    assert_eq!(doc(&st, "tasks")["progress_only_changes"], true);
    let d = json(sw(ws, "2025-08-26T12:00:00Z").args(["approval", "diff", "shop", "tasks"]));
    assert_eq!(d["progress_only"], true);

    // Rewording a task is a change.
    let tasks = ws.join(".spec-workflow/specs/shop/tasks.md");
    let text = read(&tasks).replace("Second task", "Second task, now with coupons");
    std::fs::write(&tasks, text).unwrap();
    let (code, g) = gate("2025-08-26T13:00:00Z");
    assert_eq!(code, Some(1));
    assert!(g["reason"].as_str().unwrap().contains("changed since they were approved"), "{g}");
}

#[test]
fn untracked_specs_with_work_started_pass_the_gate_and_fresh_ones_do_not() {
    let ws = demo_copy();
    // The demo's 1014 has tasks done and no approval records: written before approvals existed.
    let g = json(sw(ws.path(), "2025-08-26T09:00:00Z").args(["approval", "gate", "1014"]));
    assert_eq!(g["pass"]["reason"], "untracked");
    // A fresh numbered spec must have its plan approved.
    sw(ws.path(), "2025-08-26T09:00:00Z")
        .args(["spec", "new", "1015", "--parent", "1001", "--title", "Hot tier"])
        .assert()
        .success();
    let out = sw(ws.path(), "2025-08-26T09:00:00Z").args(["approval", "gate", "1015"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("approve the plan: `specwork plan 1015 --approve`"), "{text}");
}

#[test]
fn plan_adds_tasks_to_a_numbered_spec_and_records_its_approval() {
    let ws = demo_copy();
    let dir = ws.path();
    sw(dir, "2025-08-26T09:00:00Z")
        .args(["spec", "new", "1015", "--parent", "1001", "--title", "Hot tier"])
        .assert()
        .success();
    let spec = dir.join("specs/1000/1001/1015.spec.md");
    let before = read(&spec);

    // Without a terminal and without --approve it never waits, and records nothing.
    let p = json(sw(dir, "2025-08-26T10:00:00Z").args([
        "plan",
        "1015",
        "--task",
        "Analyze current NFS mount",
        "--task",
        "Benchmark performance",
    ]));
    assert_eq!(p["approved"], false);
    assert_eq!(p["added"][0]["id"], "1");
    assert_eq!(p["added"][1]["id"], "2");
    let after = read(&spec);
    assert_eq!(
        after,
        before.replace("- [ ] 1. First task\n", "- [ ] 1. Analyze current NFS mount\n- [ ] 2. Benchmark performance\n")
    );
    assert!(!dir.join(".spec-workflow/approvals/1015").exists());

    let p = json(sw(dir, "2025-08-26T11:00:00Z").args(["plan", "1015", "-t", "Document setup", "--approve"]));
    assert_eq!(p["approved"], true);
    assert_eq!(p["added"][0]["id"], "3");
    assert_eq!(p["approval"]["file"], "specs/1000/1001/1015.spec.md");
    let rec: Value = serde_json::from_str(&read(dir.join(p["approval"]["approval_file"].as_str().unwrap()))).unwrap();
    assert_eq!(rec["categoryName"], "1015");
    assert_eq!(rec["status"], "approved");
    let g = json(sw(dir, "2025-08-26T11:00:00Z").args(["approval", "gate", "1015"]));
    assert_eq!(g["pass"]["reason"], "approved");

    // Deliverables and notes elsewhere in the spec do not touch the plan's approval.
    std::fs::write(&spec, read(&spec) + "- [[deliverables/scripts/x.sh|X]]\n").unwrap();
    let g = json(sw(dir, "2025-08-26T12:00:00Z").args(["approval", "gate", "1015"]));
    assert_eq!(g["allowed"], true);
    let text = sw(dir, "2025-08-26T12:00:00Z").args(["plan", "1015", "--draft"]).output().unwrap();
    let out = String::from_utf8_lossy(&text.stdout);
    assert!(
        out.contains(
            "## Planned Tasks:\n1. ⏳ Analyze current NFS mount\n2. ⏳ Benchmark performance\n3. ⏳ Document setup\n"
        ),
        "{out}"
    );
}

#[test]
fn plan_prompts_on_a_terminal() {
    let ws = demo_copy();
    let dir = ws.path();
    sw(dir, "2025-08-26T09:00:00Z")
        .args(["spec", "new", "1016", "--parent", "1001", "--title", "Warm tier"])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("specwork");
    // `script` gives the command a pseudo-terminal; the answers come from its stdin.
    let cmd = format!("{} plan 1016 -t 'First thing'", bin.display());
    let mut child = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TZ", "UTC")
        .env("SPECWORK_NOW", "2025-08-26T10:00:00Z")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"modify\nSecond thing\n\nyes\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Shall I proceed with this plan? (yes/no/modify)"), "{text}");
    assert!(text.contains("plan approved"), "{text}");
    let spec = read(dir.join("specs/1000/1001/1016.spec.md"));
    assert!(spec.contains("## Tasks\n\n- [ ] 1. First thing\n- [ ] 2. Second thing\n"), "{spec}");
    let g = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "gate", "1016"]));
    assert_eq!(g["allowed"], true);
}

#[test]
fn steering_docs_from_templates_and_their_approvals() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    init(ws);
    std::fs::create_dir_all(ws.join(".spec-workflow/user-templates")).unwrap();
    std::fs::write(ws.join(".spec-workflow/user-templates/tech-template.md"), "# Tech at {{title}}\n").unwrap();
    let p = json(sw(ws, "2025-08-26T09:00:00Z").args(["steering", "new", "product"]));
    assert_eq!(p["template"], "built-in");
    assert!(read(ws.join(".spec-workflow/steering/product.md")).starts_with("# Product Overview\n"));
    let tch = json(sw(ws, "2025-08-26T09:00:00Z").args(["steering", "new", "tech"]));
    assert_eq!(tch["template"], ".spec-workflow/user-templates/tech-template.md");
    std::fs::write(ws.join(".spec-workflow/steering/product.md"), "# Mine\n").unwrap();
    let out = sw(ws, "2025-08-26T09:00:00Z").args(["steering", "new", "product"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(read(ws.join(".spec-workflow/steering/product.md")), "# Mine\n", "never clobbered");

    let a = json(sw(ws, "2025-08-26T10:00:00Z").args(["approval", "approve", "steering", "product"]));
    assert_eq!(a["spec"], "steering");
    let rec: Value = serde_json::from_str(&read(ws.join(a["approval_file"].as_str().unwrap()))).unwrap();
    assert_eq!(rec["category"], "steering");
    assert_eq!(rec["categoryName"], "steering");
    assert_eq!(rec["filePath"], ".spec-workflow/steering/product.md");
    let st = json(sw(ws, "2025-08-26T10:00:00Z").args(["approval", "status", "steering"]));
    assert_eq!(doc(&st, "product")["state"], "approved");
    assert_eq!(doc(&st, "tech")["state"], "created");
    assert_eq!(doc(&st, "structure")["state"], "missing");
}

#[test]
fn archive_and_unarchive_move_the_folder_and_keep_approvals() {
    let ws = demo_copy();
    let dir = ws.path();
    sw(dir, "2025-08-26T10:00:00Z")
        .args(["approval", "approve", "invoice-management", "requirements"])
        .assert()
        .success();
    let m = json(sw(dir, "2025-08-26T11:00:00Z").args(["archive", "invoice-management"]));
    assert_eq!(m["to"], ".spec-workflow/archive/specs/invoice-management");
    assert!(dir.join(".spec-workflow/archive/specs/invoice-management/tasks.md").is_file());
    assert!(!dir.join(".spec-workflow/specs/invoice-management").exists());
    let list = json(sw(dir, "2025-08-26T11:00:00Z").args(["spec", "list", "--archived"]));
    let inv = list["specs"].as_array().unwrap().iter().find(|s| s["id"] == "invoice-management").unwrap();
    assert_eq!(inv["archived"], true);
    let st = json(sw(dir, "2025-08-26T11:00:00Z").args(["approval", "status", "invoice-management"]));
    assert_eq!(doc(&st, "requirements")["state"], "approved");
    assert_eq!(doc(&st, "requirements")["changed_since_approval"], false);
    let out =
        sw(dir, "2025-08-26T11:00:00Z").args(["approval", "approve", "invoice-management", "design"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "archived specs are not approved");

    let out = sw(dir, "2025-08-26T11:00:00Z").args(["archive", "invoice-management"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = sw(dir, "2025-08-26T11:00:00Z").args(["archive", "../../etc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    sw(dir, "2025-08-26T12:00:00Z").args(["unarchive", "invoice-management"]).assert().success();
    assert!(dir.join(".spec-workflow/specs/invoice-management/tasks.md").is_file());
    let st = json(sw(dir, "2025-08-26T12:00:00Z").args(["approval", "status", "invoice-management"]));
    assert_eq!(doc(&st, "requirements")["state"], "approved");
}

#[test]
fn broken_and_hostile_approval_files_are_diagnostics_not_panics() {
    let ws = demo_copy();
    let dir = ws.path();
    let cat = dir.join(".spec-workflow/approvals/invoice-management");
    std::fs::create_dir_all(cat.join(".snapshots/requirements.md")).unwrap();
    std::fs::write(
        cat.join("approval_1_broken.json"),
        "{\n  \"id\": \"approval_1_broken\",\n  \"status\": \"approved\"\n  oops\n}",
    )
    .unwrap();
    std::fs::write(
        cat.join("approval_2_evil.json"),
        r#"{"id":"approval_2_evil","title":"x","filePath":"../../../etc/passwd","type":"document","status":"pending","createdAt":"2025-01-01T00:00:00.000Z","category":"spec","categoryName":"invoice-management"}"#,
    )
    .unwrap();
    std::fs::write(
        cat.join(".snapshots/requirements.md/metadata.json"),
        r#"{"filePath":".spec-workflow/specs/invoice-management/requirements.md","currentVersion":1,"snapshots":[{"version":1,"filename":"../../../../../etc/passwd","timestamp":"2025-01-01T00:00:00.000Z","trigger":"approved","approvalId":"approval_gone","approvalTitle":"x"}]}"#,
    )
    .unwrap();

    let l = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "list"]));
    assert_eq!(l["approvals"].as_array().unwrap().len(), 0);
    let diags = l["diagnostics"].as_array().unwrap();
    let broken = diags.iter().find(|d| d["file"].as_str().unwrap().ends_with("approval_1_broken.json")).unwrap();
    assert_eq!(broken["line"], 4);
    assert_eq!(broken["severity"], "error");
    assert!(diags.iter().any(|d| d["message"].as_str().unwrap().contains("points outside the workspace")));

    let out = sw(dir, "2025-08-26T10:00:00Z").args(["approval", "status", "invoice-management"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("approval_1_broken.json:4"), "{err}");
    assert!(err.contains("is not a plain file name"), "{err}");

    // The hostile snapshot entry is ignored (and kept); new snapshots are appended after it.
    let out = sw(dir, "2025-08-26T10:00:00Z")
        .args(["approval", "approve", "invoice-management", "requirements"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta = read(cat.join(".snapshots/requirements.md/metadata.json"));
    assert!(meta.contains("snapshot-002.json"), "{meta}");

    // Names with path parts are refused everywhere.
    for args in [
        ["approval", "status", "../x"].as_slice(),
        ["approval", "approve", "invoice-management", "../../etc/passwd"].as_slice(),
        ["approval", "request", "%2e%2e", "requirements"].as_slice(),
    ] {
        let out = sw(dir, "2025-08-26T10:00:00Z").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn concurrent_decisions_are_serialised_and_lose_nothing() {
    let ws = demo_copy();
    let dir = ws.path();
    let bin = assert_cmd::cargo::cargo_bin("specwork");
    // Eight processes at once, with the same seed (so their ids collide and must be redrawn).
    let children: Vec<_> = (0..8)
        .map(|i| {
            let args: &[&str] = if i % 2 == 0 {
                &["approval", "approve", "invoice-management", "requirements"]
            } else {
                &["approval", "request", "invoice-management", "design"]
            };
            std::process::Command::new(&bin)
                .args(args)
                .current_dir(dir)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("TZ", "UTC")
                .env("SPECWORK_NOW", "2025-08-26T10:00:00Z")
                .env("SPECWORK_SEED", "1")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let cat = dir.join(".spec-workflow/approvals/invoice-management");
    let records: Vec<_> = std::fs::read_dir(&cat)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(records.len(), 2, "one approval and one pending request: {records:?}");
    for snapdir in ["requirements.md", "design.md"] {
        let d = cat.join(".snapshots").join(snapdir);
        let meta: Value = serde_json::from_str(&read(d.join("metadata.json"))).unwrap();
        let entries = meta["snapshots"].as_array().unwrap();
        let versions: Vec<u64> = entries.iter().map(|s| s["version"].as_u64().unwrap()).collect();
        let expected: Vec<u64> = (1..=versions.len() as u64).collect();
        assert_eq!(versions, expected);
        for s in entries {
            assert!(d.join(s["filename"].as_str().unwrap()).is_file());
        }
        let files = std::fs::read_dir(&d).unwrap().count();
        assert_eq!(files, entries.len() + 1, "no stray or temporary files in {snapdir}");
    }
    let st = json(sw(dir, "2025-08-26T10:00:00Z").args(["approval", "status", "invoice-management"]));
    assert_eq!(doc(&st, "requirements")["state"], "approved");
    assert_eq!(doc(&st, "design")["state"], "pending");
}

/// A request the peer accepts for a file that is not a spec document (`README.md`), made by the
/// peer or by specwork's MCP tool: `approval list` shows it with `doc: null`, and pending
/// records have `response`/`responded_at` `null`.
#[test]
fn approvals_of_other_files_are_listed_with_a_null_doc() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    init(ws);
    std::fs::write(ws.join("README.md"), "# Shop\n").unwrap();
    // Exactly as spec-workflow-mcp 2.2.7 writes a pending record (createApproval: no response yet).
    let dir = ws.join(".spec-workflow/approvals/shop");
    std::fs::create_dir_all(&dir).unwrap();
    let peer = r#"{
  "id": "approval_1756198800000_k3x9p2m7q",
  "title": "README update",
  "filePath": "README.md",
  "type": "document",
  "status": "pending",
  "createdAt": "2025-08-26T09:00:00.000Z",
  "category": "spec",
  "categoryName": "shop"
}"#;
    std::fs::write(dir.join("approval_1756198800000_k3x9p2m7q.json"), peer).unwrap();
    let list = json(sw(ws, "2025-08-26T10:00:00Z").args(["approval", "list"]));
    let a = &list["approvals"][0];
    assert_eq!(a["id"], "approval_1756198800000_k3x9p2m7q");
    assert_eq!(a["file_path"], "README.md");
    assert!(a["doc"].is_null() && a.get("doc").is_some(), "doc is null, not missing: {a}");
    assert!(a["response"].is_null() && a.get("response").is_some(), "{a}");
    assert!(a["responded_at"].is_null() && a.get("responded_at").is_some(), "{a}");
    assert_eq!(list["diagnostics"], serde_json::json!([]));
    let text = sw(ws, "2025-08-26T10:00:00Z").args(["approval", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("README.md"), "the DOC column names the file");
    // The record is never rewritten by reading it.
    assert_eq!(read(dir.join("approval_1756198800000_k3x9p2m7q.json")), peer);
}
