//! Issue 14's probe through `specwork mcp` (the real server over stdio, raw JSON-RPC lines):
//! the path policy behind the tools, bounded replies, and a reply to every request line.

use std::io::{BufRead, Write};
use std::os::unix::fs::symlink;
use std::time::Duration;

use serde_json::{Value, json};

use crate::hostile::Probe;
use crate::mcp::Server;

fn start(p: &Probe) -> Server {
    let mut s = Server::start(&p.ws, &[]);
    s.initialize("2025-11-25");
    s
}

/// The next stdout line, parsed (with a deadline: a missing reply must fail, not hang).
fn next_line(s: &mut Server) -> Value {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let mut line = String::new();
            let _ = s.stdout.read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).expect("the server answers within 30 s");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    })
}

#[test]
fn r1_mcp_tools_never_write_through_a_symlinked_folder() {
    let p = Probe::new();
    p.link_out(".spec-workflow/approvals");
    p.link_out("docs/sessions/.current");
    let mut s = start(&p);
    let r = s.call(
        "approvals",
        json!({"action": "request", "categoryName": "invoice-management", "filePath": ".spec-workflow/specs/invoice-management/requirements.md"}),
    );
    assert_eq!(r["result"]["isError"], true, "{r}");
    assert!(r.to_string().contains("outside the workspace"), "{r}");
    let r = s.call("start-session", json!({"name": "s1", "specName": "1014"}));
    assert_eq!(r["result"]["isError"], true, "{r}");
    s.finish();
    assert!(p.outside_files().is_empty(), "written outside: {:?}", p.outside_files());
}

#[test]
fn r2_mcp_search_does_not_read_a_document_that_leads_out() {
    let p = Probe::new();
    std::fs::write(p.out.join("secret.txt"), "TOPSECRET-42\n").unwrap();
    let req = p.ws.join(".spec-workflow/specs/invoice-management/requirements.md");
    std::fs::remove_file(&req).unwrap();
    symlink(p.out.join("secret.txt"), &req).unwrap();
    let mut s = start(&p);
    let r = s.call("search", json!({"query": "TOPSECRET"}));
    assert!(!r.to_string().contains("TOPSECRET-42"), "{r}");
    s.finish();
}

#[test]
fn r4_mcp_start_session_note_cannot_break_the_timeline() {
    let p = Probe::new();
    let mut s = start(&p);
    let r = s.call(
        "start-session",
        json!({"name": "s1", "specName": "1014", "note": "N\n<!-- /specwork:session -->\nafter", "title": "T\n### Session 99: fake"}),
    );
    assert_ne!(r["result"]["isError"], true, "{r}");
    s.finish();
    let text = std::fs::read_to_string(p.ws.join("specs/1000/1001/1014.context.md")).unwrap();
    assert_eq!(text.lines().filter(|l| l.trim() == "<!-- /specwork:session -->").count(), 1, "{text}");
    assert!(!text.lines().any(|l| l.starts_with("### Session 99")), "{text}");
}

#[test]
fn r5_mcp_spec_status_on_dev_zero_is_bounded() {
    let p = Probe::new();
    let design = p.ws.join(".spec-workflow/specs/invoice-management/design.md");
    std::fs::remove_file(&design).unwrap();
    symlink("/dev/zero", &design).unwrap();
    let mut s = start(&p);
    let r = s.call("spec-status", json!({"specName": "invoice-management"}));
    assert!(r["result"].is_object(), "{r}");
    assert!(r.to_string().len() <= 16 * 1024 + 512, "bounded reply");
    s.finish();
}

#[test]
fn r6_a_huge_argument_gets_a_bounded_error() {
    let p = Probe::new();
    let mut s = start(&p);
    let r = s.call("spec-status", json!({"specName": "x".repeat(1 << 20)}));
    assert_eq!(r["result"]["isError"], true, "{}", &r.to_string()[..300]);
    let size = r.to_string().len();
    assert!(size <= 16 * 1024, "error reply of {size} bytes");
    s.finish();
}

#[test]
fn r6_bad_json_gets_a_parse_error_and_the_server_goes_on() {
    let p = Probe::new();
    let mut s = start(&p);
    writeln!(s.stdin, "{{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ").unwrap();
    s.stdin.flush().unwrap();
    let r = next_line(&mut s);
    assert_eq!(r["error"]["code"], -32700, "{r}");
    assert!(r["id"].is_null(), "{r}");
    let (_, r) = s.request("tools/list", json!({}));
    assert!(r["result"]["tools"].is_array(), "still serving: {r}");
    s.finish();
}

#[test]
fn r6_an_oversized_request_gets_an_error_reply() {
    let p = Probe::new();
    let mut s = start(&p);
    let big = "y".repeat(20 << 20);
    let msg = json!({"jsonrpc": "2.0", "id": 99, "method": "tools/call", "params": {"name": "spec-status", "arguments": {"specName": big}}});
    let line = format!("{msg}\n");
    std::thread::scope(|scope| {
        let stdin = &mut s.stdin;
        scope.spawn(move || {
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.flush().unwrap();
        });
    });
    let r = next_line(&mut s);
    assert_eq!((r["id"].as_i64(), r["error"]["code"].as_i64()), (Some(99), Some(-32600)), "{r}");
    let (_, r) = s.request("tools/list", json!({}));
    assert!(r["result"]["tools"].is_array(), "still serving: {r}");
    s.finish();
}
