//! `specwork init --agent …`: the files each agent reads, merged into what the user has, and
//! byte-identical on a second run.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                let rel = e.path().strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn read_json(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn all_agents_fresh_then_byte_identical_rerun() {
    let t = tempfile::tempdir().unwrap();
    let v = json(specwork(t.path()).args(["init", "--agent", "claude", "--agent", "codex,gemini"]));
    let files: Vec<&str> = v["agent_files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    for c in ["start-session", "do-task", "log-task", "session-status", "cost", "eod", "spec_work"] {
        assert!(files.contains(&format!(".claude/commands/{c}.md").as_str()), "{files:?}");
        assert!(files.contains(&format!(".gemini/commands/{c}.toml").as_str()), "{files:?}");
    }
    assert!(v["agent_files"].as_array().unwrap().iter().all(|f| f["action"] == "create"));

    let do_task = std::fs::read_to_string(t.path().join(".claude/commands/do-task.md")).unwrap();
    assert!(do_task.starts_with("---\ndescription: Do one task of a spec"), "{do_task}");
    assert!(do_task.contains("argument-hint: SPEC TASK\nallowed-tools: Bash(specwork:*)\n---\n"), "{do_task}");
    assert!(do_task.contains("!`specwork do-task $ARGUMENTS`"), "{do_task}");
    let cost = std::fs::read_to_string(t.path().join(".claude/commands/cost.md")).unwrap();
    assert!(cost.contains("argument-hint: \"[--today|--since DATE]"), "a leading [ is quoted for YAML: {cost}");

    let settings = read_json(&t.path().join(".claude/settings.json"));
    for (event, matcher) in
        [("SessionStart", None), ("PostToolUse", Some("Edit|Write|MultiEdit")), ("Stop", None), ("SessionEnd", None)]
    {
        let groups = settings["hooks"][event].as_array().unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["matcher"].as_str(), matcher);
        assert_eq!(groups[0]["hooks"][0]["command"], format!("specwork hook {event}"));
    }
    assert_eq!(settings["statusLine"]["command"], "specwork statusline");
    let mcp = read_json(&t.path().join(".mcp.json"));
    assert_eq!(
        mcp["mcpServers"]["specwork"],
        serde_json::json!({"type": "stdio", "command": "specwork", "args": ["mcp"]})
    );
    let gemini = read_json(&t.path().join(".gemini/settings.json"));
    assert_eq!(gemini["mcpServers"]["specwork"]["args"], serde_json::json!(["mcp"]));
    let codex = std::fs::read_to_string(t.path().join(".codex/config.toml")).unwrap();
    assert_eq!(codex, "[mcp_servers.specwork]\ncommand = \"specwork\"\nargs = [\"mcp\"]\n");
    let toml = std::fs::read_to_string(t.path().join(".gemini/commands/log-task.toml")).unwrap();
    assert!(toml.contains("!{specwork slash log-task {{args}}}"), "{toml}");
    let skill = std::fs::read_to_string(t.path().join(".agents/skills/specwork/SKILL.md")).unwrap();
    assert!(skill.starts_with("---\nname: specwork\ndescription: \""), "{skill}");
    let agents = std::fs::read_to_string(t.path().join("AGENTS.md")).unwrap();
    assert!(
        agents.starts_with("<!-- specwork:begin -->\n## specwork\n") && agents.ends_with("<!-- specwork:end -->\n")
    );

    let before = snapshot(t.path());
    let out = specwork(t.path()).args(["init", "--agent", "claude,codex,gemini"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to do"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(snapshot(t.path()), before, "a second run changes no byte");
}

#[test]
fn merges_into_the_users_files_and_keeps_everything() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::create_dir_all(root.join(".claude/commands")).unwrap();
    std::fs::create_dir_all(root.join(".codex")).unwrap();
    std::fs::create_dir_all(root.join(".gemini")).unwrap();
    // The user's settings: four-space indentation, permissions, their own hooks on two of our
    // events and on another one, and their own status line.
    let user_settings = r#"{
    "permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
    "hooks": {
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}],
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "guard.sh"}]}]
    },
    "statusLine": {"type": "command", "command": "my-status.sh"},
    "model": "haiku"
}
"#;
    std::fs::write(root.join(".claude/settings.json"), user_settings).unwrap();
    std::fs::write(root.join(".mcp.json"), r#"{"mcpServers": {"db": {"command": "db-mcp"}}}"#).unwrap();
    std::fs::write(root.join(".claude/commands/eod.md"), "my own eod command\n").unwrap();
    std::fs::write(root.join(".claude/commands/deploy.md"), "deploy it\n").unwrap();
    let user_agents = "# Agents\n\nUse pnpm, never npm.\n";
    std::fs::write(root.join("AGENTS.md"), user_agents).unwrap();
    let user_codex = "# my codex settings\nmodel = \"o4\"\n\n[mcp_servers.db]\ncommand = \"db-mcp\"\n";
    std::fs::write(root.join(".codex/config.toml"), user_codex).unwrap();
    std::fs::write(root.join(".gemini/settings.json"), "{\n  \"theme\": \"dark\"\n}\n").unwrap();

    let v = json(specwork(root).args(["init", "--agent", "claude,codex,gemini"]));
    let action = |p: &str| {
        v["agent_files"].as_array().unwrap().iter().find(|f| f["path"] == p).map(|f| f["action"].clone()).unwrap()
    };
    assert_eq!(action(".claude/commands/eod.md"), "kept");
    assert_eq!(action(".claude/settings.json"), "update");
    assert_eq!(std::fs::read_to_string(root.join(".claude/commands/eod.md")).unwrap(), "my own eod command\n");
    assert_eq!(std::fs::read_to_string(root.join(".claude/commands/deploy.md")).unwrap(), "deploy it\n");

    let s = read_json(&root.join(".claude/settings.json"));
    assert_eq!(s["permissions"]["allow"][0], "Bash(npm test:*)");
    assert_eq!(s["model"], "haiku");
    assert_eq!(s["statusLine"]["command"], "my-status.sh", "the user's status line is kept");
    let stop = s["hooks"]["Stop"].as_array().unwrap();
    assert_eq!(stop.len(), 2);
    assert_eq!(stop[0]["hooks"][0]["command"], "notify-send done");
    assert_eq!(stop[1]["hooks"][0]["command"], "specwork hook Stop");
    let post = s["hooks"]["PostToolUse"].as_array().unwrap();
    assert_eq!(post[0]["hooks"][0]["command"], "prettier --write");
    assert_eq!(post[1]["matcher"], "Edit|Write|MultiEdit");
    assert_eq!(s["hooks"]["PreToolUse"][0]["hooks"][0]["command"], "guard.sh");
    let text = std::fs::read_to_string(root.join(".claude/settings.json")).unwrap();
    assert!(
        text.starts_with("{\n    \"permissions\": {"),
        "keys keep their order and the file its indentation:\n{text}"
    );
    let keys: Vec<&str> =
        text.lines().filter(|l| l.starts_with("    \"")).map(|l| l.split('"').nth(1).unwrap()).collect();
    assert_eq!(keys, ["permissions", "hooks", "statusLine", "model"]);

    let mcp = read_json(&root.join(".mcp.json"));
    assert_eq!(mcp["mcpServers"]["db"]["command"], "db-mcp");
    assert_eq!(mcp["mcpServers"]["specwork"]["command"], "specwork");

    let agents = std::fs::read_to_string(root.join("AGENTS.md")).unwrap();
    assert!(agents.starts_with(user_agents), "{agents}");
    assert!(agents.contains("\n<!-- specwork:begin -->\n"));
    let codex = std::fs::read_to_string(root.join(".codex/config.toml")).unwrap();
    assert!(codex.starts_with(user_codex), "the user's TOML is kept byte for byte: {codex}");
    assert!(codex.ends_with("\n\n[mcp_servers.specwork]\ncommand = \"specwork\"\nargs = [\"mcp\"]\n"));
    let gemini = read_json(&root.join(".gemini/settings.json"));
    assert_eq!(gemini["theme"], "dark");
    assert_eq!(gemini["mcpServers"]["specwork"]["command"], "specwork");

    // Again: nothing changes, and our hooks are there once.
    let before = snapshot(root);
    specwork(root).args(["init", "--agent", "claude,codex,gemini"]).assert().success();
    assert_eq!(snapshot(root), before);

    // The user edits inside our AGENTS.md section and after it: the section is specwork's and
    // comes back, the text after it stays.
    let edited = agents.replace("- End of day", "- END OF DAY") + "\nMore notes.\n";
    std::fs::write(root.join("AGENTS.md"), &edited).unwrap();
    specwork(root).args(["init", "--agent", "codex"]).assert().success();
    let again = std::fs::read_to_string(root.join("AGENTS.md")).unwrap();
    assert_eq!(again, agents.clone() + "\nMore notes.\n");

    // --force replaces the edited command file, and only that.
    specwork(root).args(["init", "--agent", "claude", "--force"]).assert().success();
    assert!(
        std::fs::read_to_string(root.join(".claude/commands/eod.md")).unwrap().contains("!`specwork eod $ARGUMENTS`")
    );
    assert_eq!(std::fs::read_to_string(root.join(".claude/commands/deploy.md")).unwrap(), "deploy it\n");
}

#[test]
fn invalid_settings_json_names_file_and_line_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".claude")).unwrap();
    let bad = "{\n  \"hooks\": {},\n  \"model\": \"haiku\",,\n}\n";
    std::fs::write(t.path().join(".claude/settings.json"), bad).unwrap();
    let out = specwork(t.path()).args(["init", "--agent", "claude"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(".claude/settings.json:3:"), "{err}");
    assert!(err.contains("hint: fix the file at that line"), "{err}");
    assert_eq!(std::fs::read_to_string(t.path().join(".claude/settings.json")).unwrap(), bad);
    assert!(!t.path().join(".claude/commands").exists(), "nothing else was written");
    assert!(!t.path().join("specwork.toml").exists());

    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".codex")).unwrap();
    std::fs::write(t.path().join(".codex/config.toml"), "model = \"o4\"\n[broken\n").unwrap();
    let out = specwork(t.path()).args(["init", "--agent", "codex"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".codex/config.toml:2:"));

    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("AGENTS.md"), "# A\n\n<!-- specwork:begin -->\nhalf a section\n").unwrap();
    let out = specwork(t.path()).args(["init", "--agent", "codex"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AGENTS.md:3:"));
}

#[test]
fn slash_splits_the_argument_string_gemini_passes() {
    let ws = demo_copy();
    // Gemini substitutes {{args}} inside !{…} as one quoted word.
    let v = json(specwork(ws.path()).args(["slash", "status", "1014"]));
    assert_eq!(v["id"], "1014");
    let out = specwork(ws.path()).args(["slash", "task", "show 1014 '4'"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Task 4: Create directory structure"));
}
