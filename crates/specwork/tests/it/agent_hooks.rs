//! Hooks for Codex CLI and Gemini CLI: `init --agent codex|gemini` writes each agent's hook
//! configuration beside the user's (twice changes nothing), and `specwork hook` reads each
//! agent's payloads: the agent session is tied, files written are recorded.

use std::path::Path;

use crate::common::*;
use crate::hooks::{fixture, git_init, journal_events, session_journal};

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn hook_as(root: &Path, agent: &str, event: &str, input: &str) -> serde_json::Value {
    let out = specwork(root)
        .args(["hook", event, "--agent", agent, "--json"])
        .write_stdin(input.to_owned())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn init_writes_codex_and_gemini_hooks_beside_the_users_and_twice_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::create_dir_all(root.join(".codex")).unwrap();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    let user_codex = r#"{
  "hooks": {
    "PostToolUse": [
      {"matcher": "Bash", "hooks": [{"type": "command", "command": "audit.sh", "timeout": 5}]}
    ],
    "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "guard-prompt.sh"}]}]
  }
}
"#;
    std::fs::write(root.join(".codex/hooks.json"), user_codex).unwrap();
    let user_gemini = r#"{
    "theme": "dark",
    "hooks": {
        "AfterTool": [{"matcher": "run_shell_command", "hooks": [{"type": "command", "command": "log-shell.sh"}]}],
        "BeforeModel": [{"hooks": [{"type": "command", "command": "redact.sh"}]}]
    }
}
"#;
    std::fs::write(root.join(".gemini/settings.json"), user_gemini).unwrap();
    json(specwork(root).args(["init", "--agent", "codex,gemini"]));

    let codex = read_json(&root.join(".codex/hooks.json"));
    let text = std::fs::read_to_string(root.join(".codex/hooks.json")).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("PostToolUse") < at("UserPromptSubmit") && at("UserPromptSubmit") < at("SessionStart"), "{text}");
    assert!(at("SessionStart") < at("Stop"), "the user's keys first, in their order: {text}");
    let post = codex["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(post[0]["hooks"][0]["command"], "audit.sh", "the user's hook is kept, first");
    assert_eq!(post[1]["hooks"][0]["command"], "specwork hook PostToolUse --agent codex");
    for e in ["SessionStart", "Stop"] {
        assert_eq!(codex["hooks"][e][0]["hooks"][0]["command"], format!("specwork hook {e} --agent codex"));
        assert_eq!(codex["hooks"][e][0]["hooks"][0]["timeout"], 10);
    }
    assert_eq!(codex["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"], "guard-prompt.sh");
    assert!(
        std::fs::read_to_string(root.join(".codex/hooks.json")).unwrap().contains("\n  \"hooks\""),
        "own indentation"
    );

    let gemini = read_json(&root.join(".gemini/settings.json"));
    assert_eq!(gemini["theme"], "dark");
    assert_eq!(gemini["mcpServers"]["specwork"]["command"], "specwork");
    let after = gemini["hooks"]["AfterTool"].as_array().unwrap();
    assert_eq!(after[0]["hooks"][0]["command"], "log-shell.sh");
    assert_eq!(after[1]["matcher"], "write_file|replace");
    assert_eq!(after[1]["hooks"][0]["command"], "specwork hook AfterTool --agent gemini");
    assert_eq!(after[1]["hooks"][0]["timeout"], 10_000, "Gemini's timeouts are milliseconds");
    for e in ["SessionStart", "AfterAgent", "SessionEnd"] {
        assert_eq!(gemini["hooks"][e][0]["hooks"][0]["command"], format!("specwork hook {e} --agent gemini"));
    }
    assert_eq!(gemini["hooks"]["BeforeModel"][0]["hooks"][0]["command"], "redact.sh");

    let before = (
        std::fs::read(root.join(".codex/hooks.json")).unwrap(),
        std::fs::read(root.join(".gemini/settings.json")).unwrap(),
    );
    let v = json(specwork(root).args(["init", "--agent", "codex,gemini"]));
    assert!(v["agent_files"].as_array().unwrap().iter().all(|f| f["action"] == "unchanged"), "{v}");
    let after_second = (
        std::fs::read(root.join(".codex/hooks.json")).unwrap(),
        std::fs::read(root.join(".gemini/settings.json")).unwrap(),
    );
    assert_eq!(after_second, before, "a second run changes no byte");
}

#[test]
fn codex_payloads_tie_the_session_and_record_patched_files() {
    let ws = demo_copy();
    let root = ws.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\n").unwrap();
    git_init(root);
    session_journal(root, "inv-1000", "invoice-management", "2025-08-26T14:00:00+00:00", Some(("1.2", "Payments")));
    let transcript = root.join("rollout.jsonl");
    let agent = "019b1c2d-0000-7a5b-8c6d-7e8f9a0b1c2d";
    let v = hook_as(root, "codex", "SessionStart", &fixture("codex-session-start.json", root, &transcript, agent));
    assert_eq!(v["session"], "inv-1000.dana-4f1c2a");
    assert!(v["context"].as_str().unwrap().contains("task 1.2 in progress"), "{v}");
    // Codex applied a patch: one file added, one updated.
    std::fs::write(root.join("src/payment.rs"), "pub struct Payment {\n    pub invoice_id: u64,\n}\n").unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\npub mod payment;\n").unwrap();
    let v = hook_as(
        root,
        "codex",
        "PostToolUse",
        &fixture("codex-post-tool-use-apply-patch.json", root, &transcript, agent),
    );
    assert_eq!(v["appended"], 2, "{v}");
    // A file written through the shell shows up at the end of the turn.
    std::fs::write(root.join("src/notes.txt"), "todo\n").unwrap();
    hook_as(root, "codex", "Stop", &fixture("codex-stop.json", root, &transcript, agent));

    let tied = journal_events(root, "agent_session");
    assert_eq!(tied.len(), 1);
    assert_eq!((tied[0]["agent_session_id"].as_str(), tied[0]["agent"].as_str()), (Some(agent), Some("codex")));
    let touched: Vec<(String, String, String, String)> = journal_events(root, "file_touched")
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("path"), s("action"), s("tool"), s("task"))
        })
        .collect();
    assert_eq!(
        touched,
        [
            ("src/payment.rs".into(), "created".into(), "apply_patch".into(), "1.2".into()),
            ("src/lib.rs".into(), "modified".into(), "apply_patch".into(), "1.2".into()),
            ("src/notes.txt".into(), "created".into(), "git".into(), "1.2".into()),
        ]
    );
}

#[test]
fn gemini_payloads_tie_the_session_and_record_written_and_replaced_files() {
    let ws = demo_copy();
    let root = ws.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\n").unwrap();
    git_init(root);
    session_journal(root, "inv-1000", "invoice-management", "2025-08-26T14:00:00+00:00", Some(("1.3", "Refunds")));
    let transcript = root.join("session.jsonl");
    let agent = "8d2f6c1a-3b4e-4f5a-9b8c-7d6e5f4a3b2c";
    let v = hook_as(root, "gemini", "SessionStart", &fixture("gemini-session-start.json", root, &transcript, agent));
    assert_eq!(v["session"], "inv-1000.dana-4f1c2a");
    std::fs::write(root.join("src/refund.rs"), "pub struct Refund;\n").unwrap();
    hook_as(root, "gemini", "AfterTool", &fixture("gemini-after-tool-write-file.json", root, &transcript, agent));
    std::fs::write(root.join("src/lib.rs"), "pub mod db;\npub mod refund;\n").unwrap();
    hook_as(root, "gemini", "AfterTool", &fixture("gemini-after-tool-replace.json", root, &transcript, agent));
    let v = hook_as(root, "gemini", "AfterAgent", &fixture("gemini-after-agent.json", root, &transcript, agent));
    assert_eq!(
        v["appended"],
        0,
        "files seen by AfterTool are not recorded twice: {v} {:?}",
        journal_events(root, "file_touched")
    );
    hook_as(root, "gemini", "SessionEnd", &fixture("gemini-session-end.json", root, &transcript, agent));

    let tied = journal_events(root, "agent_session");
    assert_eq!(tied.len(), 1);
    assert_eq!((tied[0]["agent_session_id"].as_str(), tied[0]["agent"].as_str()), (Some(agent), Some("gemini")));
    let touched: Vec<(String, String, String)> = journal_events(root, "file_touched")
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (s("path"), s("tool"), s("task"))
        })
        .collect();
    assert_eq!(
        touched,
        [
            ("src/refund.rs".into(), "write_file".into(), "1.3".into()),
            ("src/lib.rs".into(), "replace".into(), "1.3".into()),
        ]
    );
    assert!(!root.join(".specwork/hook.log").exists());
}

/// Gemini CLI writes a subagent's session in `chats/<parent session id>/<agent id>.jsonl` (its
/// own `sessionId`, kind `subagent`): its calls count for the parent agent session, so for the
/// specwork session and task the hooks tied the parent to — as Claude Code's subagents do.
/// The logs are the testkit generator's, in the workspace's own Gemini folder.
#[test]
fn gemini_subagent_usage_counts_for_the_parent_sessions_task() {
    use specwork_testkit::gemini::GeminiCorpus;
    let ws = demo_copy();
    let root = ws.path();
    let corpus = GeminiCorpus {
        seed: 11,
        start: "2026-05-04".into(),
        days: 1,
        sessions: 30,
        project: Some(root.display().to_string()),
        ..GeminiCorpus::default()
    };
    // HOME is the workspace: `~/.gemini/tmp` is where Gemini CLI writes.
    let logs = corpus.generate(&root.join(".gemini"));
    let (sub_file, parent) = logs.subagent_files.first().expect("the generated day has a subagent");
    let sub_calls = std::fs::read_to_string(sub_file).unwrap().matches("\"tokens\":{").count();
    assert!(sub_calls > 0, "the subagent made calls");
    let expected = logs.expected.of_session(parent);
    let first = expected.calls.iter().map(|c| c.at_ms).min().unwrap();
    let last = expected.calls.iter().map(|c| c.at_ms).max().unwrap();
    let time = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap().to_string();
    let (before, after) = (time(first - 5 * 60_000), time(last + 5 * 60_000));
    let at = |when: &str| {
        let mut c = specwork(root);
        c.env("SPECWORK_NOW", when).env("SPECWORK_USER", "Dana").env("SPECWORK_HOST", "laptop");
        c
    };
    json(at(&before).args(["start-session", "gem-1", "spec", "invoice-management"]));
    json(at(&before).args(["do-task", "invoice-management", "1.3", "--session", "gem-1"]));
    let main_log = logs
        .expected
        .files
        .iter()
        .find(|f| {
            f.file_name().unwrap().to_string_lossy().starts_with("session-")
                && f.to_string_lossy().contains(&parent[..8])
        })
        .unwrap();
    let out = at(&before)
        .args(["hook", "SessionStart", "--agent", "gemini", "--json"])
        .write_stdin(fixture("gemini-session-start.json", root, main_log, parent))
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let done = json(at(&after).args(["do-task", "invoice-management", "1.3", "--done", "--session", "gem-1"]));
    assert_eq!(done["usage_source"], "measured", "{done}");
    assert_eq!(
        done["tokens"].as_u64(),
        Some(expected.total_tokens()),
        "task 1.3 has the parent's calls and its subagent's, and no other session's: {done}"
    );
}
