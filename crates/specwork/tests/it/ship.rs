//! What a CLI user expects around the commands: `--version` with the commit, shell completions,
//! the man page, and `doctor`.

use std::process::Command as Process;

use serde_json::Value;

use crate::common::*;

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let t = tempfile::tempdir().unwrap();
    let v = stdout(specwork(t.path()).arg("--version"));
    let head = Process::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(manifest_dir())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let expected_start = format!("specwork {} (", env!("CARGO_PKG_VERSION"));
    assert!(v.starts_with(&expected_start), "{v}");
    match head {
        Some(h) => assert!(v.contains(&format!("({h} ")), "{v} does not name HEAD {h}"),
        None => assert!(v.contains("(unknown)"), "{v}"),
    }
}

#[test]
fn completions_for_every_shell() {
    let t = tempfile::tempdir().unwrap();
    for (shell, syntax) in [("bash", Some("bash")), ("zsh", Some("zsh")), ("fish", Some("fish")), ("powershell", None)]
    {
        let script = stdout(specwork(t.path()).args(["completions", shell]));
        assert!(script.contains("start-session") && script.contains("doctor"), "{shell}: {script}");
        // The script parses in its shell, where that shell is installed.
        if let Some(sh) = syntax
            && Process::new(sh).arg("-c").arg("exit 0").output().is_ok_and(|o| o.status.success())
        {
            let file = t.path().join(format!("c.{shell}"));
            std::fs::write(&file, &script).unwrap();
            let out = Process::new(sh).arg("-n").arg(&file).output().unwrap();
            assert!(out.status.success(), "{shell} -n: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let out = specwork(t.path()).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_man_page_is_roff_for_every_command() {
    let t = tempfile::tempdir().unwrap();
    let page = stdout(specwork(t.path()).arg("man"));
    assert!(page.contains(".TH specwork 1"), "{page}");
    assert!(page.contains("start\\-session") && page.contains("doctor"), "{page}");
    let cost = stdout(specwork(t.path()).args(["man", "cost"]));
    assert!(cost.contains(".TH specwork-cost 1") && cost.contains("\\-\\-since"), "{cost}");
    let out = specwork(t.path()).args(["man", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no command `nope`"));
}

fn doctor(ws: &std::path::Path, port: u16) -> (Value, i32) {
    let out = specwork(ws).args(["doctor", "--json", "--port", &port.to_string()]).output().unwrap();
    (serde_json::from_slice(&out.stdout).expect("doctor --json"), out.status.code().unwrap())
}

fn find<'a>(v: &'a Value, id: &str) -> &'a Value {
    v["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no {id} in {v}"))
}

#[test]
fn doctor_reports_each_problem_with_its_fix() {
    let ws = demo_copy();
    let d = ws.path();
    // HOME is the workspace (the test harness); Claude Code logs there.
    std::fs::create_dir_all(d.join(".claude/projects/-w")).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let (v, code) = doctor(d, port);
    assert_eq!(code, 0, "warnings only: {v}");
    assert_eq!(find(&v, "logs.claude")["status"], "ok");
    assert!(find(&v, "logs.claude")["summary"].as_str().unwrap().contains(".claude"));
    assert_eq!(find(&v, "logs.codex")["summary"], "no codex logs found");
    let claude = find(&v, "agent.claude");
    assert_eq!(claude["status"], "warn", "a .claude folder without specwork's hooks: {claude}");
    assert_eq!(claude["fix"], "specwork init --agent claude");
    assert_eq!(find(&v, "agent.codex")["summary"], "codex: not set up in this workspace");
    let p = find(&v, "dashboard.port");
    assert_eq!(p["status"], "warn");
    assert!(p["fix"].as_str().unwrap().contains("--port"), "{p}");
    assert_eq!(find(&v, "workspace")["status"], "ok");
    assert_eq!(
        v["warnings"].as_u64().unwrap(),
        v["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "warn").count() as u64
    );

    // The fix works: after it, the agent's integration is installed.
    specwork(d).args(["init", "--agent", "claude"]).assert().success();
    drop(busy);
    let (v, code) = doctor(d, port);
    assert_eq!(code, 0);
    assert_eq!(find(&v, "agent.claude")["status"], "ok", "{v}");
    assert_eq!(find(&v, "dashboard.port")["status"], "ok");

    // A broken MCP configuration is an error (exit 4) naming the file.
    std::fs::write(d.join(".mcp.json"), "{ not json").unwrap();
    let (v, code) = doctor(d, port);
    assert_eq!(code, 4, "{v}");
    let c = find(&v, "agent.claude");
    assert_eq!(c["status"], "error");
    assert!(c["summary"].as_str().unwrap().contains(".mcp.json"), "{c}");

    // Text output: one line per check, the fix under it, a count at the end.
    let out = specwork(d).args(["doctor", "--port", &port.to_string()]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("error  claude: ") && text.contains("       fix: fix the file named"), "{text}");
    assert!(text.trim_end().ends_with("1 errors, ") || text.contains("1 errors,"), "{text}");

    // Outside any workspace: a warning with the fix.
    let empty = tempfile::tempdir().unwrap();
    let (v, _) = doctor(empty.path(), port);
    assert_eq!(find(&v, "workspace")["fix"], "run `specwork init` in your project (or pass --workspace DIR)");
}

/// `doctor` with `PATH` set to `path` (the hooks' program is looked up there).
fn doctor_with_path(ws: &std::path::Path, path: &std::ffi::OsStr) -> (Value, i32) {
    let out = specwork(ws).env("PATH", path).args(["doctor", "--json", "--port", "0"]).output().unwrap();
    (serde_json::from_slice(&out.stdout).expect("doctor --json"), out.status.code().unwrap())
}

/// Issue 13, part 4: for each agent set up in the workspace, `doctor` checks that its hook file
/// holds specwork's hook for every event, that the agent runs hooks, and that the hooks call this
/// binary — each problem with its fix.
#[cfg(unix)]
#[test]
fn doctor_checks_each_agents_hooks_and_the_binary_they_call() {
    let ws = demo_copy();
    let d = ws.path();
    // `bin/specwork` is this binary (a link), `other/specwork` another program of that name.
    let bin = d.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(specwork_bin(), bin.join("specwork")).unwrap();
    let other = d.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("specwork"), "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(other.join("specwork"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = |dirs: &[&std::path::Path]| std::env::join_paths(dirs).unwrap();
    let system = std::env::var_os("PATH").unwrap_or_default();
    let with_bin = std::env::join_paths(std::iter::once(bin.clone()).chain(std::env::split_paths(&system))).unwrap();

    // Not set up: no hook checks for them.
    let (v, _) = doctor_with_path(d, &with_bin);
    assert!(v["checks"].as_array().unwrap().iter().all(|c| !c["id"].as_str().unwrap().starts_with("hooks.")), "{v}");

    specwork(d).args(["init", "--agent", "codex,gemini"]).assert().success();
    let (v, code) = doctor_with_path(d, &with_bin);
    assert_eq!(code, 0, "{v}");
    let real = std::fs::canonicalize(specwork_bin()).unwrap();
    for (agent, n, file) in [("codex", 3, ".codex/hooks.json"), ("gemini", 4, ".gemini/settings.json")] {
        let c = find(&v, &format!("hooks.{agent}"));
        assert_eq!(c["status"], "ok", "{c}");
        assert_eq!(c["summary"], format!("{agent}: {n} hooks installed in {file}, calling {}", real.display()), "{c}");
    }

    // A hook removed by hand: named, with the fix that puts it back.
    let hooks_json = d.join(".codex/hooks.json");
    let mut h: Value = serde_json::from_slice(&std::fs::read(&hooks_json).unwrap()).unwrap();
    h["hooks"].as_object_mut().unwrap().remove("Stop");
    std::fs::write(&hooks_json, serde_json::to_string_pretty(&h).unwrap()).unwrap();
    let (v, code) = doctor_with_path(d, &with_bin);
    assert_eq!(code, 0, "a warning: {v}");
    let c = find(&v, "hooks.codex");
    assert_eq!(c["status"], "warn");
    assert_eq!(c["summary"], "codex: specwork's hooks for Stop are missing in .codex/hooks.json");
    assert_eq!(c["fix"], "specwork init --agent codex");
    specwork(d).args(["init", "--agent", "codex"]).assert().success();
    assert_eq!(find(&doctor_with_path(d, &with_bin).0, "hooks.codex")["status"], "ok");

    // Gemini CLI with its hooks switched off in the workspace's settings.
    let settings = d.join(".gemini/settings.json");
    let before = std::fs::read(&settings).unwrap();
    let mut g: Value = serde_json::from_slice(&before).unwrap();
    g["hooksConfig"] = serde_json::json!({"enabled": false});
    std::fs::write(&settings, g.to_string()).unwrap();
    let c = find(&doctor_with_path(d, &with_bin).0, "hooks.gemini").clone();
    assert_eq!(c["status"], "warn");
    assert!(c["summary"].as_str().unwrap().contains("hooksConfig.enabled is false in .gemini/settings.json"), "{c}");
    std::fs::write(&settings, &before).unwrap();

    // Another `specwork` first on PATH: the hooks would run it, not this binary.
    let (v, _) = doctor_with_path(d, &path(&[&other, &bin]));
    let c = find(&v, "hooks.gemini");
    assert_eq!(c["status"], "warn", "{c}");
    assert_eq!(
        c["summary"],
        format!(
            "gemini: hooks in .gemini/settings.json call {}, not this specwork ({})",
            other.join("specwork").display(),
            real.display()
        )
    );
    assert_eq!(
        c["fix"],
        format!("put {} first on PATH, or remove the other specwork", real.parent().unwrap().display())
    );

    // No `specwork` on PATH: the hooks fail, and doctor says so.
    let (v, _) = doctor_with_path(d, &path(&[&d.join("nowhere")]));
    let c = find(&v, "hooks.codex");
    assert_eq!(c["status"], "warn");
    assert!(c["summary"].as_str().unwrap().contains("call `specwork`, which is not found"), "{c}");
    assert!(c["fix"].as_str().unwrap().starts_with("put specwork on PATH"), "{c}");

    // A hook file that does not parse is an error naming the file and line.
    std::fs::write(&hooks_json, "{\n  \"hooks\": [,\n").unwrap();
    let (v, code) = doctor_with_path(d, &with_bin);
    assert_eq!(code, 4, "{v}");
    let c = find(&v, "hooks.codex");
    assert_eq!(c["status"], "error");
    assert!(c["summary"].as_str().unwrap().starts_with("codex: .codex/hooks.json:2:"), "{c}");
    assert_eq!(c["fix"], "fix the file named, then run `specwork init --agent codex`");
    // The text output shows the fix under the check.
    let out = specwork(d).env("PATH", &with_bin).args(["doctor", "--port", "0"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("error  codex: .codex/hooks.json:2:"), "{text}");
}
