//! The MCP server entries `init --agent` writes start the real `specwork mcp` and answer the
//! MCP handshake (Claude Code's `.mcp.json`, Gemini's `.gemini/settings.json`, Codex's
//! `.codex/config.toml`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;

use crate::common::*;

/// Starts `command args` as an agent would (with `specwork` resolved to the built binary, as PATH
/// does), sends `initialize` and returns the reply.
fn handshake(dir: &Path, command: &str, args: &[String]) -> serde_json::Value {
    let bin = if command == "specwork" { assert_cmd::cargo::cargo_bin("specwork") } else { command.into() };
    let mut child = std::process::Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("CLAUDE_PROJECT_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"init-test","version":"0"}}}}}}"#
    )
    .unwrap();
    stdin.flush().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a JSON-RPC reply ({e}): {line}"))
}

#[test]
fn every_agents_mcp_entry_starts_the_real_server() {
    let t = tempfile::tempdir().unwrap();
    json(specwork(t.path()).args(["init", "--agent", "claude,codex,gemini"]));
    for file in [".mcp.json", ".gemini/settings.json"] {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join(file)).unwrap()).unwrap();
        let s = &v["mcpServers"]["specwork"];
        let args: Vec<String> = s["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect();
        let reply = handshake(t.path(), s["command"].as_str().unwrap(), &args);
        assert_eq!(reply["result"]["serverInfo"]["name"], "specwork", "{file}: {reply}");
    }
    // Codex: the table specwork appended, read back.
    let codex = std::fs::read_to_string(t.path().join(".codex/config.toml")).unwrap();
    let table = codex.split("[mcp_servers.specwork]").nth(1).unwrap();
    assert!(table.contains("command = \"specwork\"") && table.contains("args = [\"mcp\"]"), "{codex}");
    let reply = handshake(t.path(), "specwork", &["mcp".to_owned()]);
    assert_eq!(reply["result"]["serverInfo"]["name"], "specwork");
}
