//! Requirement coverage (issue "Done means done", part 4): `specwork trace SPEC`, its JSON keys,
//! `check`'s coverage problems and the dashboard's matrix — the real binary on a real git repo.

use std::path::Path;
use std::process::Command as Std;

use crate::common::*;

fn git(dir: &Path, args: &[&str]) {
    let out = Std::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const REQUIREMENTS: &str = "# Requirements Document: Auth\n\n## Requirements\n\n### Requirement 1: Sign in\n\n**User Story:** As a user, I want to sign in, so that my data is mine\n\n#### Acceptance Criteria\n\n1. WHEN the password is right THEN the system SHALL open a session\n2. WHEN the password is wrong THEN the system SHALL refuse\n\n### Requirement 2: Sign out\n\n#### Acceptance Criteria\n\n1. WHEN I sign out THEN the session SHALL end\n\n### Requirement 3: Reset password\n\n#### Acceptance Criteria\n\n1. WHEN I ask for a reset THEN the system SHALL mail a link\n\n## Non-Functional Requirements\n\n### Security\n- The system SHALL hash passwords\n";

const TASKS: &str = "# Tasks Document: Auth\n\n- [x] 1. Sign-in endpoint\n  - _Requirements: 1.1, 1.2_\n- [-] 2. Sign-out endpoint\n  - _Requirements: Requirement 2, Security_\n- [ ] 3. Audit log\n  - _Requirements: 4.1_\n";

/// A git repo with a named spec `auth` whose tasks cover requirements 1 and 2, not 3, and refer
/// to a requirement 4 that does not exist; one commit is linked to task 1.
fn workspace() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    git(t.path(), &["init", "-q", "-b", "main"]);
    assert!(specwork(t.path()).args(["init", "-q"]).output().unwrap().status.success());
    assert!(specwork(t.path()).args(["spec", "new", "auth", "-q"]).output().unwrap().status.success());
    let dir = t.path().join(".spec-workflow/specs/auth");
    std::fs::write(dir.join("requirements.md"), REQUIREMENTS).unwrap();
    std::fs::write(dir.join("tasks.md"), TASKS).unwrap();
    std::fs::write(t.path().join("login.rs"), "fn login() {}\n").unwrap();
    git(t.path(), &["add", "-A"]);
    git(t.path(), &["commit", "-q", "-m", "Sign-in endpoint", "-m", "Spec: auth\nTask: 1"]);
    t
}

#[test]
fn trace_lists_each_requirement_with_its_tasks_commits_and_the_problems() {
    let ws = workspace();
    let out = specwork(ws.path()).args(["trace", "auth", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "uncovered requirement and unknown reference: exit 4");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["requirements_file"], ".spec-workflow/specs/auth/requirements.md");
    let reqs = v["requirements"].as_array().unwrap();
    let ids: Vec<&str> = reqs.iter().map(|q| q["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3"], "{v}");
    assert_eq!(reqs[0]["title"], "Sign in");
    assert_eq!(reqs[0]["covered"], true);
    let t1 = &reqs[0]["tasks"][0];
    assert_eq!((t1["id"].as_str(), t1["status"].as_str()), (Some("1"), Some("done")), "{v}");
    assert!(t1.as_object().unwrap().contains_key("verified"), "{t1}");
    assert_eq!(t1["via"], serde_json::json!(["1.1", "1.2"]));
    assert_eq!(t1["commits"][0]["subject"], "Sign-in endpoint", "{t1}");
    assert_eq!(reqs[0]["criteria"][1]["id"], "1.2");
    assert_eq!(reqs[0]["criteria"][1]["covered"], true);
    // `Requirement 2` is read as `2`; `Security` names a heading, so it is no unknown reference.
    assert_eq!(reqs[1]["tasks"][0]["id"], "2");
    assert_eq!(reqs[1]["tasks"][0]["status"], "in-progress");
    assert_eq!(reqs[1]["tasks"][0]["verified"], serde_json::Value::Null);
    assert_eq!(reqs[1]["tasks"][0]["commits"], serde_json::json!([]));
    assert_eq!(reqs[2]["covered"], false);
    assert_eq!(reqs[2]["tasks"], serde_json::json!([]));
    assert_eq!(v["uncovered"], 1);
    assert_eq!(
        v["unknown_refs"],
        serde_json::json!([{"task": "3", "ref": "4.1", "file": ".spec-workflow/specs/auth/tasks.md", "line": 7}])
    );

    let text = specwork(ws.path()).args(["trace", "auth"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("2 of 3 requirements covered · 2 of 4 acceptance criteria named by a task"), "{text}");
    assert!(
        text.contains("Unknown reference: task 3 refers to requirement 4.1 (.spec-workflow/specs/auth/tasks.md:7)"),
        "{text}"
    );
    let row3 = text.lines().find(|l| l.starts_with("3 ")).unwrap_or_else(|| panic!("{text}"));
    assert!(row3.contains("Reset password") && row3.contains("uncovered"), "{text}");

    // check reports both as coverage problems, at the requirement and at the task.
    let out = specwork(ws.path()).args(["check", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cov: Vec<(String, u64, String)> = c["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "coverage")
        .map(|p| {
            (
                p["file"].as_str().unwrap().to_owned(),
                p["line"].as_u64().unwrap(),
                p["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        cov,
        [
            (".spec-workflow/specs/auth/requirements.md".to_owned(), 20, "3".to_owned()),
            (".spec-workflow/specs/auth/tasks.md".to_owned(), 7, "4.1".to_owned()),
        ],
        "{c}"
    );

    // Covering requirement 3 and correcting the reference leaves nothing to report.
    std::fs::write(ws.path().join(".spec-workflow/specs/auth/tasks.md"), TASKS.replace("4.1", "3.1")).unwrap();
    let out = specwork(ws.path()).args(["trace", "auth", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["uncovered"].as_u64(), v["unknown_refs"].as_array().map(Vec::len)), (Some(0), Some(0)));
}

#[test]
fn a_numbered_spec_traces_the_items_of_its_requirements_section() {
    let ws = demo_copy();
    let v = json(specwork(ws.path()).args(["trace", "1014"]));
    assert_eq!(v["requirements_file"], "specs/1000/1001/1014.spec.md");
    let reqs = v["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 3, "{v}");
    assert!(reqs[1]["title"].as_str().unwrap().starts_with("WHEN sequential writes run"));
    let tasks: Vec<&str> = reqs[1]["tasks"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(tasks, ["2", "5"], "{v}");
    assert_eq!(v["uncovered"], 0);
}

#[test]
fn a_spec_without_references_is_traced_but_not_a_problem() {
    let ws = workspace();
    let plain = "# Tasks\n\n- [ ] 1. Sign-in endpoint\n- [ ] 2. Sign-out endpoint\n";
    std::fs::write(ws.path().join(".spec-workflow/specs/auth/tasks.md"), plain).unwrap();
    let out = specwork(ws.path()).args(["trace", "auth", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["traced"].as_bool(), v["uncovered"].as_u64()), (Some(false), Some(3)));
    let c = specwork(ws.path()).args(["check", "--json"]).output().unwrap();
    let c: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    assert!(c["problems"].as_array().unwrap().iter().all(|p| p["kind"] != "coverage"), "{c}");
}

#[test]
fn the_dashboard_spec_page_shows_the_matrix() {
    let ws = workspace();
    let server = crate::dashboard::Dash::start(ws.path(), &[]);
    let resp = server.get("/specs/auth");
    assert_eq!(resp.status, 200);
    let html = resp.body;
    assert!(html.contains("Requirement coverage"), "{html}");
    assert!(html.contains("2 of 3 requirements covered by tasks"), "{html}");
    let row = html.split("data-req=\"3\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("uncovered"), "{row}");
    let row = html.split("data-req=\"1\"").nth(1).unwrap().split("</tr>").next().unwrap();
    assert!(row.contains("data-task=\"1\""), "{row}");
    assert!(html.contains("<code>4.1</code>"), "{html}");
    // The estimate beside the timeline (issue part 5): three tasks at the guide's rule of thumb.
    assert!(html.contains("Estimate: 3 tasks × 39k tokens = 117k tokens"), "{html}");
}
