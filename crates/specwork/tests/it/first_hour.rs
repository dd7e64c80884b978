//! What a new user meets in the first hour (issue "The first hour"): the small things that
//! should read right — the real binary on temp copies of the demo workspace.

use crate::common::*;

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn quiet_silences_the_confirmations_of_init_and_spec_new_but_not_json() {
    let t = tempfile::tempdir().unwrap();
    assert_eq!(stdout(specwork(t.path()).args(["init", "-q"])), "");
    assert_eq!(stdout(specwork(t.path()).args(["spec", "new", "billing", "-q"])), "");
    assert!(t.path().join(".spec-workflow/specs/billing/requirements.md").is_file());
    let v = json(specwork(t.path()).args(["spec", "new", "search", "-q"]));
    assert_eq!(v["id"], "search", "{v}");
    // Without -q the confirmation is there.
    assert!(stdout(specwork(t.path()).args(["spec", "new", "export"])).starts_with("created spec export"));
    // The other confirmations too: a deliverable registered, a marker set.
    let demo = demo_copy();
    assert_eq!(stdout(specwork(demo.path()).args(["deliverable", "add", "1014", "x.sh", "--purpose", "P", "-q"])), "");
    assert_eq!(stdout(specwork(demo.path()).args(["task", "set", "1014", "4", "in-progress", "-q"])), "");
    assert!(demo.path().join("specs/1000/1001/deliverables/scripts/x.sh").is_file());
}

#[test]
fn in_progress_and_pending_tasks_have_their_own_symbols() {
    let ws = demo_copy();
    let out = stdout(specwork(ws.path()).args(["task", "list", "appointment-booking"]));
    let line = |id: &str| out.lines().find(|l| l.contains(id)).unwrap_or_else(|| panic!("{id} in {out}")).to_owned();
    assert!(line("1.2").contains("🔄"), "{out}");
    assert!(line("1.4").contains("⏳"), "{out}");
    let status = stdout(specwork(ws.path()).args(["status", "appointment-booking"]));
    assert!(status.contains("### In Progress:\n🔄 1.2 Reservation"), "{status}");
    assert!(status.contains("### Pending:\n⏳ 1.4 Nearest"), "{status}");
}

#[test]
fn resume_writes_dotted_task_ids_without_a_second_period() {
    let ws = demo_copy();
    let out = stdout(specwork(ws.path()).args(["resume", "invoice-management"]));
    assert!(out.contains("\n1.3 ⏳ Add POST /api/invoices endpoint\n"), "{out}");
    assert!(!out.contains("1.3. "), "{out}");
    // The seed's numbered form stays: `4. ⏳ …`.
    let out = stdout(specwork(ws.path()).args(["resume", "1014"]));
    assert!(out.contains("\n4. ⏳ Create directory structure for data organization\n"), "{out}");
}

#[test]
fn a_port_in_use_is_named_once_with_the_fix() {
    let ws = demo_copy();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = specwork(ws.path()).args(["dashboard", "--port", &port]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("os error").count(), 1, "{err}");
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{err}");
    assert!(err.contains("pass --port N"), "{err}");
}

#[test]
fn work_never_suggests_a_flag_it_does_not_have() {
    let ws = demo_copy();
    specwork(ws.path()).args(["spec", "new", "billing", "--docs", "tasks"]).assert().success();
    specwork(ws.path()).args(["plan", "billing", "--task", "Invoice table"]).assert().success();
    let out = specwork(ws.path()).args(["work", "billing", "--resume", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("are not approved"), "{err}");
    assert!(err.contains("--choice 4"), "{err}");
    assert!(!err.contains("--force"), "work has no --force: {err}");
}

#[test]
fn template_placeholders_are_not_tasks() {
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["spec", "new", "billing", "--docs", "tasks"]).assert().success();
    let v = json(specwork(root).args(["status", "billing"]));
    assert_eq!(v["tasks"]["total"], 0, "{v}");
    // Not started by hand, not offered as next.
    let out = specwork(root).args(["do-task", "billing", "2", "--force"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("placeholder `Second task`"), "{err}");
    assert!(err.contains("specwork plan billing --task"), "{err}");
    // The first real plan replaces them in place.
    specwork(root).args(["plan", "billing", "--task", "Invoice table", "--task", "Reminders"]).assert().success();
    let tasks = std::fs::read_to_string(root.join(".spec-workflow/specs/billing/tasks.md")).unwrap();
    assert_eq!(tasks, "# Tasks Document: Billing\n\n- [ ] 1. Invoice table\n- [ ] 2. Reminders\n");
    let v = json(specwork(root).args(["status", "billing"]));
    assert_eq!(v["tasks"]["total"], 2, "{v}");
}

#[test]
fn the_specs_own_status_line_follows_its_context() {
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["spec", "new", "1015", "--parent", "1001", "--title", "Warm Storage"]).assert().success();
    let spec = root.join("specs/1000/1001/1015.spec.md");
    let status = || {
        let text = std::fs::read_to_string(&spec).unwrap();
        text.lines().find_map(|l| l.strip_prefix("**Status**: ")).map(|s| s.trim().to_owned())
    };
    assert_eq!(status().as_deref(), Some("planning"));
    specwork(root).args(["plan", "1015", "--task", "Mount the warm tier", "--approve"]).assert().success();
    specwork(root).args(["work", "1015", "--choice", "3"]).write_stdin("").assert().success();
    assert_eq!(status().as_deref(), Some("active"), "work marks the context active, and the spec with it");
    specwork(root).args(["do-task", "1015", "1", "--done"]).assert().success();
    assert_eq!(status().as_deref(), Some("done"), "{}", std::fs::read_to_string(&spec).unwrap());
    let ctx = std::fs::read_to_string(root.join("specs/1000/1001/1015.context.md")).unwrap();
    assert!(ctx.contains("**Status**: done"), "{ctx}");
}

#[test]
fn resume_summarises_what_each_session_did() {
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["start-session", "nas-2", "spec", "1014"]).assert().success();
    specwork(root).args(["do-task", "1014", "4"]).assert().success();
    specwork(root).args(["do-task", "1014", "4", "--done", "--tokens", "45k"]).assert().success();
    specwork(root).args(["do-task", "1014", "5"]).assert().success();
    specwork(root).args(["end-session"]).assert().success();
    let out = stdout(specwork(root).args(["resume", "1014"]));
    assert!(
        out.contains(
            "Completed 4 (Create directory structure for data organization); worked on 5 (Benchmark performance) · 45k tokens\n"
        ),
        "{out}"
    );
    let v = json(specwork(root).args(["resume", "1014"]));
    let last = v["sessions"].as_array().unwrap().last().unwrap().clone();
    assert!(last["summary"].as_str().unwrap().starts_with("Completed 4 ("), "{last}");
}

#[test]
fn approving_an_untouched_template_asks_for_force() {
    let t = tempfile::tempdir().unwrap();
    assert_eq!(stdout(specwork(t.path()).args(["init", "-q"])), "");
    assert_eq!(stdout(specwork(t.path()).args(["spec", "new", "billing", "-q"])), "");
    let out = specwork(t.path()).args(["approval", "approve", "billing", "requirements"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("requirements.md is still the template: [role], [feature], [benefit]"), "{err}");
    assert!(err.contains("or approve it as it is with --force"), "{err}");
    // Written, it is approved; --force approves the template as it is.
    let req = t.path().join(".spec-workflow/specs/billing/requirements.md");
    let text = std::fs::read_to_string(&req).unwrap();
    std::fs::write(
        &req,
        text.replace("[role]", "clerk")
            .replace("[feature]", "invoices")
            .replace("[benefit]", "cash")
            .replace("[event]", "a visit ends")
            .replace("[response]", "bill")
            .replace("[system]", "the system")
            .replace("[precondition]", "a bill exists")
            .replace("[condition]", "paid")
            .replace("[state]", "open")
            .replace("[load]", "100 users")
            .replace("[time]", "1 s")
            .replace("[failure]", "a crash")
            .replace("[recovery]", "retry")
            .replace("[security property]", "encrypt")
            .replace("[usability property]", "be clear"),
    )
    .unwrap();
    stdout(specwork(t.path()).args(["approval", "approve", "billing", "requirements"]));
    stdout(specwork(t.path()).args(["spec", "doc", "billing", "design"]));
    let out = specwork(t.path()).args(["approval", "approve", "billing", "design"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    stdout(specwork(t.path()).args(["approval", "approve", "billing", "design", "--force"]));
}
