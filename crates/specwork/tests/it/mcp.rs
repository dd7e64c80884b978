//! `specwork mcp`: the real server over stdio, driven by raw JSON-RPC lines and by the Python
//! MCP client (`tests/mcp/driver.py`).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use serde_json::{Value, json};

use crate::common::*;

/// A running `specwork mcp` spoken to line by line.
pub(crate) struct Server {
    child: Child,
    pub(crate) stdin: ChildStdin,
    pub(crate) stdout: BufReader<ChildStdout>,
    next_id: u64,
}

impl Server {
    pub(crate) fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(specwork_bin())
            .args(extra)
            .arg("mcp")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir)
            .env("TZ", "UTC")
            .env("SPECWORK_NOW", "2025-08-26T14:30:00Z")
            .env("SPECWORK_USER", "Dana Lee")
            .env("SPECWORK_HOST", "ci")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("specwork mcp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Server { child, stdin, stdout, next_id: 1 }
    }

    pub(crate) fn send(&mut self, msg: &Value) {
        writeln!(self.stdin, "{msg}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and returns its response (the raw line and the parsed message).
    pub(crate) fn request(&mut self, method: &str, params: Value) -> (String, Value) {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "server closed stdout");
            let msg: Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert_eq!(msg["jsonrpc"], "2.0", "{line}");
            if msg["id"] == id {
                return (line, msg);
            }
        }
    }

    pub(crate) fn initialize(&mut self, version: &str) -> Value {
        let (_, r) = self.request(
            "initialize",
            json!({"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "it", "version": "1"}}),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        r
    }

    pub(crate) fn call(&mut self, tool: &str, args: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": args})).1
    }

    /// Closes stdin and waits: the server exits cleanly when the client goes away.
    pub(crate) fn finish(self) -> String {
        drop(self.stdin);
        let out = self.child.wait_with_output().unwrap();
        assert!(out.status.success(), "exit {:?}: {}", out.status, String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

#[test]
fn answers_each_protocol_revision_with_the_clients_own() {
    let ws = demo_copy();
    for (asked, answered) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("2099-01-01", "2025-11-25"),
    ] {
        let mut s = Server::start(ws.path(), &[]);
        let r = s.initialize(asked);
        assert_eq!(r["result"]["protocolVersion"], answered, "asked {asked}: {r}");
        assert_eq!(r["result"]["serverInfo"]["name"], "specwork");
        assert_eq!(r["result"]["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
        assert!(r["result"]["capabilities"]["tools"].is_object() && r["result"]["capabilities"]["prompts"].is_object());
        let (_, tools) = s.request("tools/list", json!({}));
        assert!(!tools["result"]["tools"].as_array().unwrap().is_empty(), "{asked}");
        s.finish();
    }
}

#[test]
fn tools_list_fits_in_6_kb() {
    let ws = demo_copy();
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    let (line, r) = s.request("tools/list", json!({}));
    let tools = r["result"]["tools"].as_array().unwrap();
    let size = r["result"].to_string().len();
    println!("tools/list: {} tools, {size} bytes of result, {} bytes on the wire", tools.len(), line.len());
    assert!(line.len() <= 6 * 1024, "tools/list is {} bytes", line.len());
    for t in tools {
        assert!(t["description"].as_str().unwrap().len() <= 160, "{t}");
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
    }
    s.finish();
}

#[test]
fn failures_inside_tools_are_is_error_results_with_a_hint() {
    let ws = demo_copy();
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    let r = s.call("resume", json!({"specName": "1015"}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert_eq!(r["result"]["structuredContent"]["error"], "no spec `1015` in this workspace");
    assert!(r["result"]["content"][0]["text"].as_str().unwrap().contains("hint: did you mean 1014"), "{r}");
    let r = s.call("status", json!({"cursor": "abc"}));
    assert_eq!(r["result"]["structuredContent"]["error"], "invalid cursor `abc`", "{r}");
    // An unknown tool is a protocol error, not a result.
    let r = s.call("nope", json!({}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    s.finish();
}

#[test]
fn starts_outside_a_workspace_and_says_how_to_fix_it() {
    let empty = tempfile::tempdir().unwrap();
    let mut s = Server::start(empty.path(), &[]);
    s.initialize("2025-11-25");
    let r = s.call("spec-workflow-guide", json!({}));
    assert_eq!(r["result"]["isError"], false, "the guide needs no workspace: {r}");
    let r = s.call("status", json!({}));
    assert_eq!(r["result"]["isError"], true);
    assert!(r["result"]["structuredContent"]["hint"].as_str().unwrap().contains("specwork init"), "{r}");
    // `specwork init` while the server runs: the next call finds the workspace.
    specwork(empty.path()).arg("init").assert().success();
    let r = s.call("status", json!({}));
    assert_eq!(r["result"]["isError"], false, "{r}");
    s.finish();
}

#[test]
fn workspace_flag_and_confinement_of_project_path() {
    let ws = demo_copy();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(elsewhere.path().join(".spec-workflow/specs/secret")).unwrap();
    std::fs::write(elsewhere.path().join(".spec-workflow/specs/secret/tasks.md"), "- [ ] 1. hidden\n").unwrap();
    let mut s = Server::start(elsewhere.path(), &["--workspace", ws.path().to_str().unwrap()]);
    s.initialize("2025-11-25");
    let r = s.call("spec-status", json!({"specName": "invoice-management"}));
    assert_eq!(r["result"]["isError"], false, "--workspace wins over the current directory: {r}");
    // A projectPath naming another workspace (the peer trusted it) is refused, nothing is read.
    let r = s.call("spec-status", json!({"specName": "secret", "projectPath": elsewhere.path()}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(r["result"]["structuredContent"]["error"].as_str().unwrap().contains("outside the workspace"), "{r}");
    // A folder inside the workspace is fine.
    let r = s.call("spec-status", json!({"specName": "1014", "projectPath": ws.path().join("specs/1000")}));
    assert_eq!(r["result"]["isError"], false, "{r}");
    let stderr = s.finish();
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
}

#[test]
fn set_through_mcp_refuses_traversal_and_leaves_files_alone() {
    let ws = demo_copy();
    let outside =
        ws.path().parent().unwrap().join(format!("{}-outside.md", ws.path().file_name().unwrap().to_string_lossy()));
    std::fs::write(&outside, "- [ ] 1. not yours\n").unwrap();
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    let name = format!("../{}", outside.file_name().unwrap().to_string_lossy());
    for spec in [name.as_str(), "..%2F..%2Fetc", "/etc/passwd", "specs/1000"] {
        let r = s.call("tasks", json!({"action": "set", "specName": spec, "taskId": "1", "status": "done"}));
        assert_eq!(r["result"]["isError"], true, "{spec}: {r}");
    }
    s.finish();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "- [ ] 1. not yours\n");
    std::fs::remove_file(outside).unwrap();
}

fn python_mcp() -> Result<(), String> {
    match Command::new("python3").args(["-c", "import mcp, mcp.client.stdio"]).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!("python3 cannot import mcp ({})", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => Err(format!("no python3 ({e})")),
    }
}

#[test]
fn python_client_drives_every_tool() {
    if let Err(why) = python_mcp() {
        return need::skip(
            Need::Real,
            format_args!("{why}; install it with `python3 -m pip install mcp` (.ci/run does)"),
        );
    }
    let driver = manifest_dir().join("tests/mcp/driver.py");
    // `legacy` forces the initialize handshake; `auto` probes server/discover first, as new clients do.
    for mode in ["legacy", "auto"] {
        let ws = demo_copy();
        let out = Command::new("python3")
            .arg(&driver)
            .arg(specwork_bin())
            .arg(ws.path())
            .args(["--mode", mode])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "driver ({mode}) failed:\n{stdout}\n{stderr}");
        assert!(stdout.contains("checks passed"), "{stdout}");
        println!("{stdout}");
    }
}

/// `npx @modelcontextprotocol/inspector --cli`, from the npm cache only (`--offline`): nothing
/// is downloaded while tests run. `.ci/run` fills the cache; without it the test is skipped.
#[test]
fn mcp_inspector_cli_lists_and_calls_tools() {
    let ws = demo_copy();
    let bin = specwork_bin();
    let bin = bin.to_str().expect("a UTF-8 path");
    let inspector = |args: &[&str]| {
        Command::new("npx")
            .args(["--offline", "-y", "@modelcontextprotocol/inspector", "--cli", bin, "mcp"])
            .args(args)
            .current_dir(ws.path())
            .output()
    };
    let out = match inspector(&["--method", "tools/list"]) {
        Err(e) => return need::skip(Need::Real, format_args!("no npx ({e})")),
        Ok(o) if !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("ENOTCACHED") => {
            return need::skip(
                Need::Real,
                "@modelcontextprotocol/inspector is not in the npm cache and tests do not download; \
                 run `npx -y @modelcontextprotocol/inspector --cli --help` once (.ci/run does)",
            );
        }
        Ok(o) => o,
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: Value = serde_json::from_slice(&out.stdout).expect("inspector prints JSON");
    let names: Vec<&str> = list["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"spec-status") && names.contains(&"tasks"), "{names:?}");
    let out = inspector(&[
        "--method",
        "tools/call",
        "--tool-name",
        "spec-status",
        "--tool-arg",
        "specName=invoice-management",
    ])
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["structuredContent"]["taskProgress"], json!({"total": 5, "completed": 2, "pending": 3}), "{r}");
    let out = inspector(&["--method", "prompts/list"]).unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["prompts"].as_array().unwrap().len(), 7, "the peer's seven prompts: {r}");
}

/// A workspace far bigger than an agent's context: 300 specs with long titles, one with 400
/// tasks. Every reply stays under 16 KB, pages shorten instead of overflowing, and following the
/// cursors reaches every item once.
#[test]
fn replies_stay_bounded_on_a_large_workspace() {
    let t = tempfile::tempdir().unwrap();
    let long = "a very long title that goes on and on ".repeat(6);
    for i in 0..300 {
        let dir = t.path().join(format!(".spec-workflow/specs/feature-{i:03}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("requirements.md"), format!("# Requirements: {long}{i}\n")).unwrap();
        let n = if i == 0 { 400 } else { 3 };
        let mut tasks = String::from("# Tasks\n\n");
        for k in 1..=n {
            tasks.push_str(&format!(
                "- [ ] {k}. {long}{k}\n  - File: src/{k}.rs\n  - _Prompt: Role: dev | Task: {} | Success: ok_\n",
                "do it well ".repeat(80)
            ));
        }
        std::fs::write(dir.join("tasks.md"), tasks).unwrap();
    }
    let mut s = Server::start(t.path(), &[]);
    s.initialize("2025-11-25");
    let mut check = |tool: &str, args: Value| -> Value {
        let (line, r) = s.request("tools/call", json!({"name": tool, "arguments": args}));
        assert_eq!(r["result"]["isError"], false, "{tool}: {}", &line[..line.len().min(400)]);
        let text = r["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.len() <= 16 * 1024, "{tool} replied {} bytes", text.len());
        r["result"]["structuredContent"].clone()
    };
    let mut seen = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let page = check("status", json!({"limit": 100, "cursor": cursor}));
        seen.extend(page["specs"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        cursor = page["nextCursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(seen.len(), 300);
    let mut tasks = 0;
    let mut cursor = Value::Null;
    loop {
        let page = check("tasks", json!({"specName": "feature-000", "limit": 200, "cursor": cursor}));
        tasks += page["tasks"].as_array().unwrap().len();
        cursor = page["nextCursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(tasks, 400);
    check("tasks", json!({"specName": "feature-000", "action": "show", "taskId": "400"}));
    check("status", json!({"specName": "feature-000"}));
    check("resume", json!({"specName": "feature-000"}));
    check("spec-status", json!({"specName": "feature-000"}));
    s.finish();
}

/// The session tools and the CLI write one journal: a session started over MCP is the one
/// `specwork log-task` records in, and MCP's `session-status` sees what the CLI did.
#[test]
fn session_tools_and_cli_share_the_journal() {
    let ws = demo_copy();
    let cli = || {
        let mut c = specwork(ws.path());
        c.env("SPECWORK_USER", "Dana Lee").env("SPECWORK_HOST", "ci");
        c
    };
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    let r = s.call("start-session", json!({"name": "apt-1030", "specName": "appointment-booking"}));
    assert_eq!(r["result"]["structuredContent"]["planned"], json!(["1.2", "1.3", "1.4"]), "{r}");
    let r = s.call("do-task", json!({"specName": "appointment-booking", "taskId": "1.4"}));
    assert_eq!(r["result"]["structuredContent"]["task"]["status"], "in-progress", "{r}");
    let v = json(cli().arg("session-status"));
    assert_eq!(v["sessions"][0]["name"], "apt-1030");
    assert_eq!(v["sessions"][0]["in_progress"], json!(["1.4"]));
    cli().args(["log-task", "1.4", "done", "10k"]).assert().success();
    let r = s.call("session-status", json!({}));
    let row = &r["result"]["structuredContent"]["sessions"][0];
    assert_eq!(
        (row["name"].as_str(), row["done"].as_u64(), row["tokens"].as_u64()),
        (Some("apt-1030"), Some(1), Some(10_000)),
        "{r}"
    );
    let r = s.call("log-task", json!({"taskId": "1.2", "status": "blocked", "note": "Redis\nis down"}));
    assert_eq!(r["result"]["structuredContent"]["status"], "blocked", "{r}");
    let tasks = std::fs::read_to_string(ws.path().join(".spec-workflow/specs/appointment-booking/tasks.md")).unwrap();
    assert!(tasks.contains("- [x] 1.4 Nearest free slots when taken"), "{tasks}");
    assert!(tasks.contains("- [~] 1.2 Reservation with 10-minute expiry\n  - _Blocked: Redis is down_\n"), "{tasks}");
    s.finish();
}

/// spec-workflow-mcp #201: `approvals` request read any file through `filePath` (and showed it
/// in the dashboard). Under `.spec-workflow/` only the category's own documents are accepted;
/// another file must be a regular file inside the workspace (a link out is refused); nothing is
/// read or written otherwise.
#[test]
fn peer_issue_201_file_path_cannot_read_outside_the_spec() {
    let ws = demo_copy();
    let secret =
        ws.path().parent().unwrap().join(format!("{}-secret.md", ws.path().file_name().unwrap().to_string_lossy()));
    std::fs::write(&secret, "# secret\n").unwrap();
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    let rel_secret = format!("../{}", secret.file_name().unwrap().to_string_lossy());
    for file in [
        rel_secret.as_str(),
        secret.to_str().unwrap(),
        ".spec-workflow/specs/invoice-management/../../../../etc/passwd",
        ".spec-workflow/specs/appointment-booking/requirements.md",
        ".spec-workflow/approvals/invoice-management/x.json",
    ] {
        let r =
            s.call("approvals", json!({"action": "request", "categoryName": "invoice-management", "filePath": file}));
        assert_eq!(r["result"]["isError"], true, "{file}: {r}");
        assert!(r["result"]["structuredContent"]["error"].as_str().unwrap().starts_with("unknown document"), "{r}");
    }
    let r = s
        .call("approvals", json!({"action": "request", "categoryName": "invoice-management", "filePath": "README.md"}));
    assert_eq!(r["result"]["structuredContent"]["error"], "README.md does not exist", "{r}");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, ws.path().join("notes.md")).unwrap();
        let r = s.call(
            "approvals",
            json!({"action": "request", "categoryName": "invoice-management", "filePath": "notes.md"}),
        );
        assert_eq!(r["result"]["isError"], true, "a link out of the workspace is refused: {r}");
    }
    s.finish();
    assert!(!ws.path().join(".spec-workflow/approvals").exists(), "no approval record was written");
    std::fs::remove_file(secret).unwrap();
}

/// spec-workflow-mcp #220: `categoryName` became a folder name unchecked, so a request wrote
/// approval files anywhere. It must be a spec id (or `steering`).
#[test]
fn peer_issue_220_category_name_cannot_write_outside() {
    let ws = demo_copy();
    let target = format!("{}-220", ws.path().file_name().unwrap().to_string_lossy());
    let mut s = Server::start(ws.path(), &[]);
    s.initialize("2025-11-25");
    for cat in [
        format!("../../../{target}"),
        format!("..%2F..%2F{target}"),
        "/tmp".to_owned(),
        "a/b".to_owned(),
        "..".to_owned(),
    ] {
        let r = s.call(
            "approvals",
            json!({"action": "request", "categoryName": cat, "filePath": ".spec-workflow/specs/invoice-management/design.md"}),
        );
        assert_eq!(r["result"]["isError"], true, "{cat}: {r}");
        assert!(r["result"]["structuredContent"]["error"].as_str().unwrap().starts_with("invalid spec name"), "{r}");
    }
    s.finish();
    assert!(!ws.path().parent().unwrap().join(&target).exists());
    assert!(!ws.path().join(".spec-workflow/approvals").exists());
}
