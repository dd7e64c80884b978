//! The spec-work example (`seeds/spec-work-example.md`) walked end to end as a new user would,
//! in a fresh git repository: the 1000/1001/1014 tree, the context file, the plan, work through
//! the tasks, deliverables that link back, status, resume and the deliverables report.

use std::path::Path;

use assert_cmd::Command;

use crate::common::*;

/// `specwork` in `dir` at `now` (on 2025-08-26 unless a date is given), as the seed's User.
fn sw(dir: &Path, now: &str) -> Command {
    let now = if now.len() == 5 { format!("2025-08-26T{now}:00Z") } else { now.to_owned() };
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", now).env("SPECWORK_USER", "User").env("SPECWORK_HOST", "laptop").env("HOME", dir);
    c
}

fn out(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap();
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "exit {:?}\n{stdout}\n{}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    stdout
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

#[test]
fn the_spec_work_example_from_an_empty_folder() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // A fresh repository, as a new user starts (without git the walk is the same).
    let _ = std::process::Command::new("git").args(["init", "-q"]).current_dir(d).status();
    out(sw(d, "14:00").args(["init", "-q"]));
    out(sw(d, "14:00").args(["spec", "new", "1000", "--area", "--title", "Infrastructure", "-q"]));
    out(sw(d, "14:00").args([
        "spec",
        "new",
        "1001",
        "--parent",
        "1000",
        "--area",
        "--title",
        "Storage Infrastructure",
    ]));
    let created = out(sw(d, "14:30").args([
        "spec",
        "new",
        "1014",
        "--parent",
        "1001",
        "--title",
        "Cold Storage NAS",
        "--summary",
        "Implementing NAS integration for 28TB cold storage tier with optimized NFS configuration.",
    ]));
    assert!(created.ends_with("linked from specs/1000/1001/spec.md\n"), "{created}");

    // Step 1: the context file, in the seed's shape; the tree links both ways.
    let dir = d.join("specs/1000/1001");
    let ctx = read(dir.join("1014.context.md"));
    assert!(ctx.starts_with("# Context: Cold Storage NAS\n\n**Spec**: [[1014.spec|1014 - Cold Storage NAS]]  \n**Parent**: [[../1001/spec|1001 - Storage Infrastructure]]  \n**Status**: planning  \n"), "{ctx}");
    assert!(ctx.contains("## Summary\nImplementing NAS integration for 28TB cold storage tier"), "{ctx}");
    assert!(read(dir.join("spec.md")).contains("## Child Specs\n- [[../1001/1014.spec|1014 - Cold Storage NAS]]\n"));

    // Step 2: "Create implementation plan" (menu choice 2), accepted, which starts task 1.
    let plan = out(sw(d, "14:30").args([
        "work",
        "1014",
        "--choice",
        "2",
        "--modify",
        "Analyze current NFS mount configuration",
        "--modify",
        "Optimize network buffers via sysctl",
        "--modify",
        "Create directory structure",
        "--yes",
    ]));
    assert!(plan.contains("## Planned Tasks:\n1. ⏳ Analyze current NFS mount configuration\n2. ⏳ Optimize network buffers via sysctl\n3. ⏳ Create directory structure\n"), "{plan}");
    assert!(plan.contains("🔄 Starting task 1: Analyze current NFS mount configuration\n"), "{plan}");

    // Step 3: work, with deliverables that link back to their spec.
    let done = out(sw(d, "15:10").args(["do-task", "1014", "1", "--done", "--tokens", "12k"]));
    assert!(done.starts_with("✅ Task 1 completed (12k tokens, $0.03)\nNext: task 2"), "{done}");
    out(sw(d, "15:15").args([
        "deliverable",
        "add",
        "1014",
        "optimize-network.sh",
        "--purpose",
        "Applies sysctl optimizations for NFS",
        "--title",
        "Network Optimization Script",
        "--by",
        "Claude + User",
    ]));
    out(sw(d, "15:20").args([
        "deliverable",
        "add",
        "1014",
        "nas-setup-guide.md",
        "--purpose",
        "NAS setup guide",
        "-q",
    ]));
    out(sw(d, "15:25").args([
        "deliverable",
        "add",
        "1014",
        "fstab.nas",
        "--kind",
        "config",
        "--target",
        "/etc/fstab",
        "--purpose",
        "NFS mount entry",
        "-q",
    ]));
    let script = read(dir.join("deliverables/scripts/optimize-network.sh"));
    assert!(script.starts_with("#!/usr/bin/env bash\n# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: Applies sysctl optimizations for NFS\n# Created: 2025-08-26 by Claude + User\n"), "{script}");
    let guide = read(dir.join("deliverables/docs/nas-setup-guide.md"));
    assert!(
        guide.starts_with(
            "---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\ncontext: \"[[../../1014.context]]\"\n"
        ),
        "{guide}"
    );
    let spec = read(dir.join("1014.spec.md"));
    assert!(
        spec.contains("### Scripts\n- [[deliverables/scripts/optimize-network.sh|Network Optimization Script]]\n"),
        "{spec}"
    );
    out(sw(d, "15:30").args(["do-task", "1014", "2", "-q"]));
    out(sw(d, "16:00").args(["do-task", "1014", "2", "--done", "--tokens", "8k", "-q"]));
    let ended = out(sw(d, "16:30").arg("end-session"));
    assert!(ended.contains("2/3 tasks done, 20k tokens, $0.05"), "{ended}");
    // The day ends: the journal is archived, and read through the journal index from now on.
    out(sw(d, "17:00").args(["eod", "-q"]));
    assert!(std::fs::read_dir(d.join("docs/sessions/.current")).unwrap().next().is_none());

    // Status: the seed's --status view.
    let v = json(sw(d, "16:35").args(["status", "1014"]));
    assert_eq!(
        v["tasks"],
        serde_json::json!({"done": 2, "in_progress": 0, "pending": 1, "blocked": 0, "total": 3}),
        "{v:#}"
    );
    assert_eq!(v["status"], "active");
    let text = out(sw(d, "16:35").args(["work", "1014", "--status"]));
    assert!(text.contains("Analyze current NFS mount configuration"), "{text}");

    // Next morning: resume says what the session did, and continues from task 3.
    let resume = out(sw(d, "2025-08-27T09:00:00Z").args(["work", "1014", "--resume", "--no"]));
    assert!(resume.contains("## Previous Session Summary:\n- Session 1 (2025-08-26): Completed 1 (Analyze current NFS mount configuration) and 2 (Optimize network buffers via sysctl); 3 deliverables · 20k tokens\n"), "{resume}");
    assert!(resume.contains("## Remaining Tasks:\n3. ⏳ Create directory structure\n"), "{resume}");
    let v = json(sw(d, "2025-08-27T09:00:00Z").args(["resume", "1014"]));
    assert_eq!(v["continue_from"], "3");
    // The index is a cache: without it the summary is the same.
    std::fs::remove_file(d.join(".specwork/journals.idx")).unwrap();
    let again = json(sw(d, "2025-08-27T09:00:00Z").args(["resume", "1014"]));
    assert_eq!(again["sessions"], v["sessions"]);

    // The deliverables report lists all three, with the config's target.
    let report = out(sw(d, "2025-08-27T09:05:00Z").args(["work", "1014", "--deliverables"]));
    assert!(report.starts_with("# Deliverables Report: Spec 1014\n"), "{report}");
    for line in [
        "| optimize-network.sh | Applies sysctl optimizations for NFS |",
        "| nas-setup-guide.md | NAS setup guide | Markdown |",
        "| fstab.nas | NFS mount entry | /etc/fstab |",
    ] {
        assert!(report.contains(line), "`{line}` in\n{report}");
    }
    // And every link written along the way resolves.
    let v = json(sw(d, "2025-08-27T09:05:00Z").arg("check"));
    assert_eq!(v["problems"], serde_json::json!([]), "{v:#}");
}
