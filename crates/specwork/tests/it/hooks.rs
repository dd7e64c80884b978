//! `specwork hook EVENT` and `specwork statusline`, fed with recorded Claude Code hook JSON
//! (tests/it/fixtures/hooks/, shaped after reference/claude-code-integration.md).

use std::path::Path;
use std::process::Command as StdCommand;

use crate::common::*;

/// A recorded hook input with the workspace, transcript and agent session filled in.
pub fn fixture(name: &str, root: &Path, transcript: &Path, agent_session: &str) -> String {
    let p = manifest_dir().join("tests/it/fixtures/hooks").join(name);
    std::fs::read_to_string(p)
        .unwrap()
        .replace("{{root}}", &root.display().to_string())
        .replace("{{transcript}}", &transcript.display().to_string())
        .replace("{{agent_session}}", agent_session)
}

/// Runs `specwork hook EVENT` with a fixture on stdin; returns stdout. Asserts exit 0.
pub fn hook(root: &Path, event: &str, input: &str) -> String {
    let out = specwork(root).args(["hook", event]).write_stdin(input.to_owned()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "hooks always exit 0: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "hooks print nothing on stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A git repository with everything committed.
pub fn git_init(root: &Path) {
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &["-c", "user.name=Dana", "-c", "user.email=dana@example.com", "commit", "-qm", "start"],
    ] {
        let ok = StdCommand::new("git").args(args).current_dir(root).status().unwrap().success();
        assert!(ok, "git {args:?}");
    }
}

/// The journal lines of `events` kind, as JSON.
pub fn journal_events(root: &Path, event: &str) -> Vec<serde_json::Value> {
    let dir = root.join("docs/sessions/.current");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for f in files {
        for l in std::fs::read_to_string(f).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            if v["event"] == event {
                out.push(v);
            }
        }
    }
    out
}

/// A session journal as `start-session` writes it (schema of docs/sessions/.current/*.log),
/// with a task in progress.
pub fn session_journal(root: &Path, name: &str, spec: &str, started: &str, task: Option<(&str, &str)>) {
    let key = format!("{name}.dana-4f1c2a");
    let mut s = format!(
        "{{\"v\":1,\"ts\":\"{started}\",\"session\":\"{key}\",\"event\":\"session_start\",\"name\":\"{name}\",\"owner\":\"dana-4f1c2a\",\"user\":\"Dana\",\"host\":\"4f1c2a\",\"spec\":\"{spec}\",\"spec_title\":\"\",\"agent\":\"Claude\",\"planned\":[],\"progress\":{{\"done\":0,\"total\":5}}}}\n"
    );
    if let Some((id, title)) = task {
        s.push_str(&format!(
            "{{\"v\":1,\"ts\":\"{started}\",\"session\":\"{key}\",\"event\":\"task_start\",\"spec\":\"{spec}\",\"task\":\"{id}\",\"title\":\"{title}\"}}\n"
        ));
    }
    let dir = root.join("docs/sessions/.current");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{key}.log")), s).unwrap();
}

#[test]
fn hooks_tie_the_agent_session_and_record_files_written_edited_and_made_through_bash() {
    let ws = demo_copy();
    let root = ws.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\n").unwrap();
    git_init(root);
    session_journal(
        root,
        "inv-1000",
        "invoice-management",
        "2025-08-26T14:00:00+00:00",
        Some(("1.1", "Create invoice model")),
    );
    let transcript = root.join("transcript.jsonl");
    let agent = "5f8c2a91-7d3e-4b6a-9c1f-2e4d6a8b0c3d";

    let out = hook(root, "SessionStart", &fixture("session-start.json", root, &transcript, agent));
    assert!(out.starts_with("specwork: session inv-1000 on invoice-management, task 1.1 in progress"), "{out}");
    let tied = journal_events(root, "agent_session");
    assert_eq!(tied.len(), 1);
    assert_eq!(tied[0]["agent_session_id"], agent);
    assert_eq!(tied[0]["transcript_path"], transcript.display().to_string());

    // Claude writes src/invoice.rs, then edits src/lib.rs (the hook runs after the tool).
    std::fs::write(root.join("src/invoice.rs"), "pub struct Invoice;\n").unwrap();
    assert_eq!(hook(root, "PostToolUse", &fixture("post-tool-use-write.json", root, &transcript, agent)), "");
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\npub mod invoice;\n").unwrap();
    hook(root, "PostToolUse", &fixture("post-tool-use-edit.json", root, &transcript, agent));
    // A file outside the workspace is not the spec's work.
    hook(root, "PostToolUse", &fixture("post-tool-use-outside.json", root, &transcript, agent));
    // Bash makes a migration and deletes a file: no Edit/Write hook fires; Stop finds them in git.
    std::fs::create_dir_all(root.join("migrations")).unwrap();
    std::fs::write(root.join("migrations/001_invoices.sql"), "create table invoices();\n").unwrap();
    std::fs::remove_file(root.join("specs/1000/1001/deliverables/config/fstab.nas")).unwrap();
    hook(root, "Stop", &fixture("stop.json", root, &transcript, agent));
    hook(root, "Stop", &fixture("stop.json", root, &transcript, agent));
    hook(root, "SessionEnd", &fixture("session-end.json", root, &transcript, agent));

    let touched: Vec<(String, String, String, String)> = journal_events(root, "file_touched")
        .iter()
        .map(|v| {
            assert_eq!(v["spec"], "invoice-management");
            assert_eq!(v["session"], "inv-1000.dana-4f1c2a");
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            (s("path"), s("action"), s("tool"), s("task"))
        })
        .collect();
    let t = |p: &str, a: &str, tool: &str| (p.to_owned(), a.to_owned(), tool.to_owned(), "1.1".to_owned());
    assert_eq!(
        touched,
        [
            t("src/invoice.rs", "created", "Write"),
            t("src/lib.rs", "modified", "Edit"),
            t("migrations/001_invoices.sql", "created", "git"),
            t("specs/1000/1001/deliverables/config/fstab.nas", "deleted", "git"),
        ],
        "each file once, the journal itself never"
    );
    assert_eq!(journal_events(root, "agent_session").len(), 1, "tied once");
    assert!(!root.join(".specwork/hook.log").exists());
}

#[test]
fn a_hook_never_fails_the_agent() {
    let ws = demo_copy();
    let root = ws.path();
    session_journal(root, "inv-1000", "invoice-management", "2025-08-26T14:00:00+00:00", None);
    // Not JSON: exit 0, nothing on stdout or stderr, the reason in .specwork/hook.log.
    assert_eq!(hook(root, "Stop", "{\"session_id\": "), "");
    let log = std::fs::read_to_string(root.join(".specwork/hook.log")).unwrap();
    assert!(log.contains("Stop: hook input is not valid JSON"), "{log}");
    // Events specwork does not use are ignored.
    assert_eq!(hook(root, "PreCompact", "{\"session_id\":\"x\"}"), "");
    // Outside a workspace: nothing at all.
    let elsewhere = tempfile::tempdir().unwrap();
    let input = fixture("stop.json", elsewhere.path(), &elsewhere.path().join("t.jsonl"), "abc");
    assert_eq!(hook(elsewhere.path(), "Stop", &input), "");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // No git repository, no session id: still exit 0.
    hook(root, "Stop", "{}");
    hook(root, "SessionStart", &fixture("session-start.json", root, &root.join("t.jsonl"), "abc"));
}

#[test]
fn parallel_sessions_are_told_apart_by_the_transcript() {
    let ws = demo_copy();
    let root = ws.path();
    session_journal(root, "apt-1030", "appointment-booking", "2025-08-26T10:30:00+00:00", None);
    session_journal(root, "inv-1031", "invoice-management", "2025-08-26T10:31:00+00:00", None);
    // Terminal 1 started apt-1030 (the older session) through the slash command.
    let t1 = root.join("t1.jsonl");
    std::fs::write(
        &t1,
        "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"<command-message>start-session is running…</command-message>\\n<command-name>/start-session</command-name>\\n<command-args>apt-1030 spec appointment-booking</command-args>\"},\"sessionId\":\"t1\"}\n",
    )
    .unwrap();
    let t2 = root.join("t2.jsonl");
    std::fs::write(
        &t2,
        "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"tool_use\",\"name\":\"Bash\",\"input\":{\"command\":\"specwork start-session inv-1031 spec invoice-management\"}}]}}\n",
    )
    .unwrap();
    hook(root, "SessionStart", &fixture("session-start.json", root, &t1, "agent-1"));
    hook(root, "SessionStart", &fixture("session-start.json", root, &t2, "agent-2"));
    let tied: Vec<(String, String)> = journal_events(root, "agent_session")
        .iter()
        .map(|v| (v["session"].as_str().unwrap().to_owned(), v["agent_session_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        tied,
        [
            ("apt-1030.dana-4f1c2a".to_owned(), "agent-1".to_owned()),
            ("inv-1031.dana-4f1c2a".to_owned(), "agent-2".to_owned())
        ]
    );
}

#[test]
fn statusline_shows_session_task_and_todays_cost() {
    let ws = demo_copy();
    let root = ws.path();
    let t = root.join("t.jsonl");
    let input = fixture("status-line.json", root, &t, "agent-1");
    let run = |input: &str| {
        let out = specwork(root).arg("statusline").write_stdin(input.to_owned()).output().unwrap();
        assert!(out.status.success() && out.stderr.is_empty());
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run(&input), "◆ specwork: no active session · today 0 tok $0.00 · Haiku 4.5\n");
    session_journal(
        root,
        "inv-1000",
        "invoice-management",
        "2025-08-26T10:00:00+00:00",
        Some(("1.2", "Add POST /api/invoices endpoint")),
    );
    let log = root.join("docs/sessions/.current/inv-1000.dana-4f1c2a.log");
    let mut j = std::fs::read_to_string(&log).unwrap();
    j.push_str("{\"v\":1,\"ts\":\"2025-08-26T11:00:00+00:00\",\"session\":\"inv-1000.dana-4f1c2a\",\"event\":\"task_end\",\"spec\":\"invoice-management\",\"task\":\"1.1\",\"title\":\"Create invoice model\",\"status\":\"done\",\"tokens\":{\"total\":42000},\"cost_usd\":0.09,\"source\":\"manual\"}\n");
    j.push_str("{\"v\":1,\"ts\":\"2025-08-25T11:00:00+00:00\",\"session\":\"inv-1000.dana-4f1c2a\",\"event\":\"log_task\",\"spec\":\"invoice-management\",\"task\":\"0.9\",\"status\":\"done\",\"tokens\":{\"total\":5000},\"cost_usd\":0.01,\"source\":\"manual\"}\n");
    std::fs::write(&log, j).unwrap();
    assert_eq!(
        run(&input),
        "◆ inv-1000 · invoice-management · 🔄 1.2 Add POST /api/invoices endpoint · today 42k tok $0.09 · Haiku 4.5\n"
    );
    // Garbage in: still a line, never an error.
    assert!(run("not json").starts_with("◆ inv-1000"));
    // Outside a workspace: nothing.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = specwork(elsewhere.path()).arg("statusline").write_stdin("{}").output().unwrap();
    assert!(out.status.success() && out.stdout.is_empty());
}
