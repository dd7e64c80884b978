//! `specwork work SPEC`: the seed's /spec_work flow, answered by flags (as agents call it) and
//! typed at a real terminal (a pseudo-terminal driven by tests/it/pty_session.py).

use std::path::Path;

use crate::common::*;

fn text(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.write_stdin("").output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn spec_1014(ws: &Path) -> String {
    std::fs::read_to_string(ws.join("specs/1000/1001/1014.spec.md")).unwrap()
}

#[test]
fn without_a_terminal_the_menu_names_the_flags_and_does_not_wait() {
    let ws = demo_copy();
    let out = text(specwork(ws.path()).args(["work", "1014"]));
    assert!(
        out.starts_with(
            "I've loaded spec 1014 (Cold Storage NAS).\nContext: specs/1000/1001/1014.context.md (found)\n\
         Current status: In progress (3/7 tasks done)\n\nWould you like to:\n1. Review the spec requirements\n\
         2. Create implementation plan\n3. Start implementation\n4. Skip to implementation (I'll plan as we go)\n"
        ),
        "{out}"
    );
    assert!(out.contains("  2       specwork work 1014 --choice 2\n"), "{out}");
    let v = json(specwork(ws.path()).args(["work", "1014"]).write_stdin(""));
    assert_eq!(v["view"], "menu");
    assert_eq!(v["state"], "In progress");
    assert_eq!(v["menu"].as_array().unwrap().len(), 4);
    assert_eq!(v["answers"][3]["command"], "specwork work 1014 --choice 4");
}

#[test]
fn review_shows_the_requirements() {
    let ws = demo_copy();
    let out = text(specwork(ws.path()).args(["work", "1014", "--choice", "1"]));
    assert!(out.contains("## Requirements\n(from specs/1000/1001/1014.spec.md)\n\n1. WHEN the host boots"), "{out}");
    let v = json(specwork(ws.path()).args(["work", "invoice-management", "--choice", "1"]).write_stdin(""));
    assert!(v["requirements"].as_str().unwrap().contains("WHEN"), "{v}");
}

#[test]
fn plan_modify_then_yes_starts_the_next_task() {
    let ws = demo_copy();
    let before = spec_1014(ws.path());
    let out = text(specwork(ws.path()).args(["work", "1014", "--choice", "2"]));
    assert!(out.contains(
        "Creating implementation plan...\n\n## Planned Tasks:\n1. ✅ Analyze current NFS mount configuration\n"
    ));
    assert!(out.contains("4. ⏳ Create directory structure for data organization\n"));
    assert!(out.contains("Shall I proceed with this plan? (yes/no/modify)\n"));
    assert_eq!(spec_1014(ws.path()), before, "showing the plan changes nothing");

    let v = json(specwork(ws.path()).args(["work", "1014", "--choice", "2", "--modify", "Final validation"]));
    assert_eq!(v["added_tasks"][0]["id"], "8");
    assert_eq!(v["plan"].as_array().unwrap().len(), 8);
    assert_eq!(v["question"], "Shall I proceed with this plan? (yes/no/modify)");
    let after = spec_1014(ws.path());
    assert_eq!(
        after,
        before.replace(
            "troubleshooting.md\n\n## Deliverables",
            "troubleshooting.md\n- [ ] 8. Final validation\n\n## Deliverables"
        ),
        "the task is inserted after the last task and nothing else changes"
    );

    let out = text(specwork(ws.path()).args(["work", "1014", "--choice", "2", "--no"]));
    assert!(out.contains("Plan not accepted; nothing changed."), "{out}");
    assert_eq!(spec_1014(ws.path()), after);

    let v = json(specwork(ws.path()).args(["work", "1014", "--choice", "2", "--yes"]));
    assert_eq!(v["plan_accepted"], true);
    // Accepting the plan approves it (as `specwork plan --approve` does): the gate now passes.
    assert!(v["approval_id"].as_str().unwrap().starts_with("approval_"), "{v}");
    let gate = json(specwork(ws.path()).args(["approval", "status", "1014"]));
    assert!(gate.to_string().contains("approved"), "{gate}");
    assert_eq!(v["started"]["id"], "4");
    assert_eq!(v["started"]["status"], "in-progress");
    assert!(spec_1014(ws.path()).contains("- [-] 4. Create directory structure"));
}

#[test]
fn a_spec_without_context_gets_one_in_the_seed_shape() {
    let ws = demo_copy();
    specwork(ws.path()).args(["spec", "new", "1015", "--parent", "1001", "--title", "Warm Storage"]).assert().success();
    let ctx = ws.path().join("specs/1000/1001/1015.context.md");
    std::fs::remove_file(&ctx).unwrap();
    let out = text(specwork(ws.path()).args(["work", "1015"]));
    assert!(
        out.contains(
            "Context: specs/1000/1001/1015.context.md (created)\nCurrent status: Not started (no tasks planned yet)\n"
        ),
        "{out}"
    );
    let c = std::fs::read_to_string(&ctx).unwrap();
    assert_eq!(
        c,
        "# Context: Warm Storage\n\n**Spec**: [[1015.spec|1015 - Warm Storage]]  \n\
         **Parent**: [[../1001/spec|1001 - Storage Infrastructure]]  \n**Status**: planning  \n\
         **Created**: 2025-08-26 14:30  \n**Updated**: 2025-08-26 14:30\n\n## Summary\n\
         What this spec delivers and why.\n\n## Implementation Timeline\n"
    );
    // The template's placeholder is no task; the first plan replaces it.
    specwork(ws.path()).args(["plan", "1015", "--task", "Mount the warm tier"]).assert().success();
    // Starting needs an approved plan, as do-task does; the hint names the way round it.
    let out = specwork(ws.path()).args(["work", "1015", "--choice", "3"]).write_stdin("").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not approved") && err.contains("specwork work 1015 --choice 4"), "{err}");
    // Skipping to implementation marks the context active and starts the first task.
    let v =
        json(specwork(ws.path()).args(["work", "1015", "--choice", "4"]).env("SPECWORK_NOW", "2025-08-27T09:15:00Z"));
    assert_eq!(v["started"]["id"], "1");
    // No session was active: one is started, and the task's start is in its journal and timeline.
    assert_eq!(v["session"], "1015-0915");
    let c = std::fs::read_to_string(&ctx).unwrap();
    assert!(
        c.contains("### Session 1: 2025-08-27 - 1015-0915\n") && c.contains("- Started task 1: Mount the warm tier"),
        "{c}"
    );
    assert!(
        c.contains("**Status**: active  \n**Created**: 2025-08-26 14:30  \n**Updated**: 2025-08-27 09:15\n"),
        "{c}"
    );
}

#[test]
fn resume_asks_where_to_continue() {
    let ws = demo_copy();
    let out = text(specwork(ws.path()).args(["work", "1014", "--resume"]));
    assert!(out.contains("Resuming work on spec 1014 (Cold Storage NAS)\n\n## Previous Session Summary:\n"), "{out}");
    assert!(out.contains("- Status: 3/7 tasks completed\n"), "{out}");
    assert!(out.contains("## Remaining Tasks:\n4. ⏳ Create directory structure for data organization\n"), "{out}");
    assert!(out.contains("Continue from task 4? (yes/no/select)\n"), "{out}");
    assert!(!spec_1014(ws.path()).contains("[-]"));

    let v = json(specwork(ws.path()).args(["work", "1014", "--resume", "--select", "6"]));
    assert_eq!(v["started"]["id"], "6");
    assert_eq!(v["resume"]["next_task"]["id"], "4");
    assert!(spec_1014(ws.path()).contains("- [-] 6. Create health monitoring script"));

    let out = specwork(ws.path()).args(["work", "1014", "--resume", "--select", "99"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = specwork(ws.path()).args(["work", "1014", "--choice", "3", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--yes answers the plan question only");
}

#[test]
fn status_view_is_the_status_report() {
    let ws = demo_copy();
    let a = text(specwork(ws.path()).args(["work", "1014", "--status"]));
    let b = text(specwork(ws.path()).args(["status", "1014"]));
    assert_eq!(a, b);
    assert!(a.starts_with("# Spec 1014: Cold Storage NAS\n\n## Progress: 43% Complete (3/7 tasks)\n"));
    // --deliverables is the deliverables report.
    let d = text(specwork(ws.path()).args(["work", "1014", "--deliverables"]));
    assert_eq!(d, text(specwork(ws.path()).args(["deliverables", "1014"])));
    assert!(d.starts_with("# Deliverables Report: Spec 1014\n"), "{d}");
    assert!(d.contains("optimize-network.sh"), "{d}");
}

/// Runs `specwork ARGS` in a pseudo-terminal, answering `script` ([expect, type] pairs).
fn pty(dir: &Path, script: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let driver = manifest_dir().join("tests/it/pty_session.py");
    let script = serde_json::to_string(&script.iter().map(|(e, s)| [e, s]).collect::<Vec<_>>()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(driver)
        .arg(dir)
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("specwork"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("TZ", "UTC")
        .env("SPECWORK_NOW", "2025-08-26T14:30:00Z")
        .output()
        .expect("python3 runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n"))
}

#[test]
fn a_person_at_a_terminal_walks_the_menu() {
    let ws = demo_copy();
    let (code, screen) = pty(
        ws.path(),
        &[
            ("Choose 1-4 (q to quit): ", "7"),
            ("Please answer 1, 2, 3 or 4.", "1"),
            ("Choose 1-4 (q to quit): ", "2"),
            ("Shall I proceed with this plan? (yes/no/modify) ", "modify"),
            ("Task to add (empty to finish): ", "Final validation"),
            ("Task to add (empty to finish): ", ""),
            ("Shall I proceed with this plan? (yes/no/modify) ", "yes"),
        ],
        &["work", "1014"],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("1. WHEN the host boots THEN the NAS SHALL be mounted"), "{screen}");
    assert!(
        screen.contains("Plan accepted (approval_")
            && screen.contains("🔄 Starting task 4: Create directory structure for data organization\n"),
        "{screen}"
    );
    assert!(screen.contains("Role: Linux storage engineer\n"), "{screen}");
    let spec = spec_1014(ws.path());
    assert!(spec.contains("- [-] 4. Create directory structure") && spec.contains("- [ ] 8. Final validation\n"));

    let (code, screen) = pty(
        ws.path(),
        &[("Continue from task 4? (yes/no/select) ", "select"), ("Task id: ", "5")],
        &["work", "1014", "--resume"],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("🔄 Starting task 5: Benchmark performance"), "{screen}");
    assert!(spec_1014(ws.path()).contains("- [-] 5. Benchmark performance"));

    let (code, screen) = pty(ws.path(), &[("Choose 1-4 (q to quit): ", "q")], &["work", "1014"]);
    assert_eq!(code, 0, "{screen}");
}
