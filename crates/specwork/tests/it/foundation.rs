use crate::common::*;

#[test]
fn demo_portfolio_json_has_stable_keys() {
    let ws = demo_copy();
    let v = json(specwork(ws.path()).arg("status"));
    let specs = v["specs"].as_array().unwrap();
    let ids: Vec<&str> = specs.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "1000",
            "1001",
            "1014",
            "3000",
            "3001",
            "4000",
            "4005",
            "9000",
            "9001",
            "appointment-booking",
            "invoice-management"
        ]
    );
    let s1014 = &specs[2];
    assert_eq!(s1014["layout"], "numbered");
    assert_eq!(s1014["parent"], "1001");
    assert_eq!(s1014["path"], "specs/1000/1001/1014.spec.md");
    assert_eq!(s1014["status"], "active");
    assert_eq!(
        s1014["tasks"],
        serde_json::json!({"total": 7, "done": 3, "in_progress": 0, "blocked": 0, "pending": 4})
    );
    assert_eq!(s1014["progress_pct"], 43);
    let ab = &specs[9];
    assert_eq!(ab["layout"], "spec-workflow");
    assert_eq!(ab["tasks"]["blocked"], 1);
    assert_eq!(ab["blocked"][0]["reason"], "waiting for the SMTP credentials");
}

#[test]
fn workspace_flag_before_subcommand_and_from_elsewhere() {
    let ws = demo_copy();
    let elsewhere = tempfile::tempdir().unwrap();
    let v = json(specwork(elsewhere.path()).arg("--workspace").arg(ws.path()).arg("status").arg("1014"));
    assert_eq!(v["id"], "1014");
    assert_eq!(v["sessions"][0]["minutes"], 150);
    assert_eq!(v["last_commit"]["hash"], "d4e5f6a");
    assert_eq!(v["deliverables"]["scripts"].as_array().unwrap().len(), 1);
}

#[test]
fn outside_a_workspace_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    let out = specwork(t.path()).arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: no specwork workspace found"), "{err}");
    assert!(err.contains("hint: run `specwork init`"), "{err}");
}

/// Colour only on stderr's labels, only when allowed: never off a terminal by default,
/// `CLICOLOR_FORCE=1` forces it, `NO_COLOR` wins over everything; stdout stays plain.
#[test]
fn colour_on_stderr_honours_no_color_and_clicolor() {
    let t = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)]| {
        let mut c = specwork(t.path());
        c.arg("status");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty());
        String::from_utf8(out.stderr).unwrap()
    };
    let plain = run(&[]);
    assert!(plain.starts_with("error: no specwork workspace found") && !plain.contains('\x1b'), "{plain:?}");
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    // `error:` red, `hint:` cyan; the message itself uncoloured.
    let strip = |s: &str| s.split('\x1b').map(|p| p.split_once('m').map_or(p, |(_, rest)| rest)).collect::<String>();
    assert!(forced.starts_with("\x1b[") && forced.contains("\x1b[31merror:"), "{forced:?}");
    assert!(forced.contains("\x1b[36mhint:"), "{forced:?}");
    assert_eq!(strip(&forced), plain);
    assert_eq!(run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
    assert_eq!(run(&[("CLICOLOR", "0")]), plain);
    let json = specwork(t.path()).args(["status", "--json"]).env("CLICOLOR_FORCE", "1").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json.stderr).expect("one JSON error object");
    assert_eq!(v["exit_code"], 1);
}

#[test]
fn task_set_edits_only_the_marker_and_round_trips() {
    let ws = demo_copy();
    let file = ws.path().join(".spec-workflow/specs/invoice-management/tasks.md");
    let before = std::fs::read(&file).unwrap();
    specwork(ws.path())
        .args(["task", "set", "invoice-management", "1.3", "blocked", "--reason", "API_KEY missing"])
        .assert()
        .success();
    let blocked = std::fs::read_to_string(&file).unwrap();
    assert!(blocked.contains("- [~] 1.3 Add POST /api/invoices endpoint\n  - _Blocked: API_KEY missing_\n"));
    let v = json(specwork(ws.path()).args(["status", "invoice-management"]));
    assert_eq!(v["blocked"][0]["reason"], "API_KEY missing");
    specwork(ws.path()).args(["task", "set", "invoice-management", "1.3", "pending"]).assert().success();
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn unknown_spec_and_task_exit_2_with_hints() {
    let ws = demo_copy();
    let out = specwork(ws.path()).args(["status", "invoice-managment"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean invoice-management"));
    let out = specwork(ws.path()).args(["task", "set", "1014", "99", "done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = specwork(ws.path()).args(["task", "set", "1014", "../x", "done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
