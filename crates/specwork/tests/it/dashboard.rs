//! `specwork dashboard` over HTTP: the real binary on a free port against a temp workspace,
//! spoken to with raw HTTP/1.1 (so that traversal attempts reach the server exactly as written).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A running dashboard; killed on drop.
pub struct Dash {
    child: Child,
    pub addr: SocketAddr,
    pub url: String,
    pub root: PathBuf,
}

impl Dash {
    /// Starts `specwork dashboard --port 0` in `root` with extra arguments.
    pub fn start(root: &Path, extra: &[&str]) -> Dash {
        Self::start_with_env(root, extra, &[])
    }

    /// [`Dash::start`] with extra environment variables.
    pub fn start_with_env(root: &Path, extra: &[&str], env: &[(&str, &Path)]) -> Dash {
        // `SPECWORK_BIN` runs another build (the browser benchmark uses the release binary).
        let bin =
            std::env::var_os("SPECWORK_BIN").map_or_else(|| assert_cmd::cargo::cargo_bin("specwork"), PathBuf::from);
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", root)
            .env("TZ", "UTC")
            .env("SPECWORK_NOW", "2025-08-26T14:30:00Z")
            .current_dir(root)
            .args(["dashboard", "--port", "0", "--json"])
            .args(extra)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("specwork starts");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut json = String::new();
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                panic!("dashboard exited before printing its URL: {json}");
            }
            json.push_str(&line);
            if line.starts_with('}') {
                break;
            }
        }
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let port = v["port"].as_u64().unwrap() as u16;
        Dash {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            url: v["url"].as_str().unwrap().to_owned(),
            root: root.to_owned(),
        }
    }

    /// The `Host` header value the dashboard expects.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.addr.port())
    }

    /// Sends a raw request; `head` holds extra header lines (each ending in `\r\n`).
    pub fn raw(&self, method: &str, target: &str, head: &str, body: &[u8]) -> Resp {
        let host = self.host();
        let head = if head.to_ascii_lowercase().contains("host:") {
            head.to_owned()
        } else {
            format!("Host: {host}\r\n{head}")
        };
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let req =
            format!("{method} {target} HTTP/1.1\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len());
        s.write_all(req.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).unwrap();
        Resp::parse(&buf)
    }

    pub fn get(&self, target: &str) -> Resp {
        self.raw("GET", target, "", b"")
    }

    pub fn get_with(&self, target: &str, head: &str) -> Resp {
        self.raw("GET", target, head, b"")
    }

    /// A same-origin JSON POST, as the page's own scripts send it.
    pub fn post_json(&self, target: &str, body: &serde_json::Value) -> Resp {
        let head = format!("Origin: http://{}\r\nContent-Type: application/json\r\n", self.host());
        self.raw("POST", target, &head, body.to_string().as_bytes())
    }
}

impl Drop for Dash {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP response.
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    fn parse(buf: &[u8]) -> Resp {
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = buf[end + 4..].to_vec();
        if headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")) {
            body = dechunk(&body);
        }
        Resp { status, headers, body: String::from_utf8_lossy(&body).into_owned() }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..nl]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
    out
}

#[test]
fn pages_render_the_workspace() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let p = d.get("/");
    assert_eq!(p.status, 200);
    assert!(p.header("content-type").unwrap().starts_with("text/html"));
    for s in ["Cold Storage NAS", "invoice-management", "id=\"next\"", "waiting for the SMTP credentials"] {
        assert!(p.body.contains(s), "portfolio lacks {s}");
    }
    assert!(p.header("content-security-policy").unwrap().contains("script-src 'self'"));
    // Every asset comes from the binary.
    assert!(!p.body.contains("https://"), "no CDN");
    for a in ["/assets/htmx.min.js", "/assets/uPlot.iife.min.js", "/assets/app.js", "/assets/app.css"] {
        let r = d.get(a);
        assert_eq!(r.status, 200, "{a}");
        assert!(r.body.len() > 500, "{a}");
    }

    // The spec page renders the spec with its wiki links resolved by Obsidian's rules.
    let s = d.get("/specs/1014");
    assert_eq!(s.status, 200);
    assert!(s.body.contains("<h2 id=\"requirements\">Requirements</h2>"));
    assert!(s.body.contains("href=\"/specs/1001?doc=spec\""), "parent link resolves to the 1001 page");
    assert!(s.body.contains("href=\"/specs/1014?doc=context\""), "context link resolves");
    assert!(s.body.contains("href=\"/files/specs/1000/1001/deliverables/scripts/optimize-network.sh\""));
    assert!(s.body.contains("data-task=\"4\" data-status=\"pending\""), "task list");
    assert!(s.body.contains("Initial Planning"), "timeline");
    assert!(s.body.contains("d4e5f6a"), "commits");
    // The estimate names the remaining tasks' cost, as `status 1014` and `cost --estimate` do.
    assert!(
        s.body.contains("7 tasks × 39k tokens = 273k tokens, $0.60 on haiku · remaining 4: 156k tokens, $0.34"),
        "{}",
        s.body
    );
    // Deliverables and backlinks load as a panel after the page.
    assert!(s.body.contains("hx-get=\"/specs/1014/deliverables\""));
    let panel = d.get("/specs/1014/deliverables");
    assert_eq!(panel.status, 200);
    assert!(
        panel.body.contains("href=\"/files/specs/1000/1001/deliverables/scripts/optimize-network.sh\""),
        "{}",
        panel.body
    );
    for user in ["3001", "4005", "9001"] {
        assert!(panel.body.contains(&format!("href=\"/specs/{user}\"")), "backlink from {user}");
    }
    let c = d.get("/specs/1014?doc=context");
    assert!(c.body.contains("id=\"implementation-timeline\""));
    let f = d.get("/files/specs/1000/1001/deliverables/scripts/optimize-network.sh");
    assert_eq!(f.status, 200);
    assert!(f.body.contains("sysctl"));

    // The JSON twins of the CLI reports.
    let st = d.get("/api/status").json();
    assert_eq!(st["specs"].as_array().unwrap().len(), 11);
    assert_eq!(d.get("/api/specs/1014").json()["tasks"]["done"], 3);

    // Search finds spec titles and lines in documents.
    let r = d.get("/api/search?q=nfs").json();
    assert!(r["lines"].as_array().unwrap().iter().any(|h| h["file"] == "specs/1000/1001/1014.spec.md"));
    let page = d.get("/search?q=Cold+Storage");
    assert!(page.body.contains("<mark>Cold</mark>"), "hits are highlighted");
    assert!(page.body.contains("href=\"/specs/1014\""), "the spec whose title matches comes first");

    assert_eq!(d.get("/specs/no-such-spec").status, 404);
    assert_eq!(d.get("/nowhere").status, 404);
}

#[test]
fn language_follows_accept_language() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let th = d.get_with("/", "Accept-Language: th-TH,th;q=0.9,en;q=0.8\r\n");
    assert!(th.body.contains("<html lang=\"th\">"));
    assert!(th.body.contains("ภาพรวมสเปก"), "Thai portfolio title");
    let en = d.get_with("/", "Accept-Language: fr-FR,en;q=0.5\r\n");
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains(">Portfolio</h1>"));
    // `?lang=` overrides and is remembered in a cookie.
    let chosen = d.get_with("/specs/1014?lang=th", "Accept-Language: en\r\n");
    assert!(chosen.body.contains("ไทม์ไลน์"));
    assert!(chosen.header("set-cookie").unwrap().starts_with("specwork_lang=th"));
}

#[test]
fn task_status_changes_write_only_the_marker() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let file = ws.path().join(".spec-workflow/specs/invoice-management/tasks.md");
    let before = std::fs::read_to_string(&file).unwrap();

    let r = d.post_json("/api/specs/invoice-management/tasks/1.3/status", &serde_json::json!({"status": "done"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!((v["from"].as_str(), v["to"].as_str()), (Some("pending"), Some("done")));
    let after = std::fs::read_to_string(&file).unwrap();
    assert_eq!(after, before.replacen("- [ ] 1.3", "- [x] 1.3", 1), "only the marker changed");

    // The page's own form post (htmx): blocked with a reason, answered with the task panel.
    let head = format!(
        "Origin: http://{}\r\nHX-Request: true\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        d.host()
    );
    let r = d.raw(
        "POST",
        "/api/specs/invoice-management/tasks/1.3/status",
        &head,
        b"status=blocked&reason=API_KEY+missing",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"tasks\"") && r.body.contains("API_KEY missing"));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("- [~] 1.3 Add POST /api/invoices endpoint\n  - _Blocked: API_KEY missing_\n")
    );
    let r = d.post_json("/api/specs/invoice-management/tasks/1.3/status", &serde_json::json!({"status": "pending"}));
    assert_eq!(r.status, 200);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before, "undo gives back the original bytes");

    // Bad input is a clear 4xx, never a write.
    let r = d.post_json("/api/specs/invoice-management/tasks/9.9/status", &serde_json::json!({"status": "done"}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("9.9"));
    let r =
        d.post_json("/api/specs/invoice-management/tasks/1.3/status", &serde_json::json!({"status": "finished-ish"}));
    assert_eq!(r.status, 400);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
}

#[test]
fn cross_origin_and_foreign_host_requests_are_refused() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let file = ws.path().join(".spec-workflow/specs/invoice-management/tasks.md");
    let before = std::fs::read(&file).unwrap();
    let body = br#"{"status":"done"}"#;
    let target = "/api/specs/invoice-management/tasks/1.3/status";
    for head in [
        "Origin: http://evil.example\r\nContent-Type: application/json\r\n".to_owned(),
        "Origin: null\r\nContent-Type: application/json\r\n".to_owned(),
        format!("Origin: http://localhost:{}\r\nContent-Type: application/json\r\n", d.addr.port() + 1),
        "Sec-Fetch-Site: cross-site\r\nContent-Type: application/json\r\n".to_owned(),
    ] {
        let r = d.raw("POST", target, &head, body);
        assert_eq!(r.status, 403, "{head}");
    }
    // DNS rebinding: a page served under another name reaching 127.0.0.1.
    let r = d.get_with("/", "Host: evil.example:5000\r\n");
    assert_eq!(r.status, 403);
    let r = d.raw("POST", target, "Host: evil.example\r\nContent-Type: application/json\r\n", body);
    assert_eq!(r.status, 403);
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing was written");
    // `localhost` is the same dashboard.
    let r = d.get_with("/", &format!("Host: localhost:{}\r\n", d.addr.port()));
    assert_eq!(r.status, 200);
}

#[test]
fn traversal_attempts_are_refused() {
    let ws = demo_copy();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET").unwrap();
    std::fs::write(ws.path().join(".env"), "TOP-SECRET").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), ws.path().join("specs/escape")).unwrap();
    let d = Dash::start(ws.path(), &[]);
    let secret_rel = format!("{}/secret.txt", outside.path().display());
    for target in [
        "/files/../../../../etc/passwd".to_owned(),
        "/files/specs/../../../etc/passwd".to_owned(),
        "/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "/files/specs%2f..%2f..%2f..%2fetc%2fpasswd".to_owned(),
        "/files/%252e%252e/%252e%252e/etc/passwd".to_owned(),
        "/files//etc/passwd".to_owned(),
        "/files/%2Fetc%2Fpasswd".to_owned(),
        "/files/..%5c..%5cetc%5cpasswd".to_owned(),
        "/raw/../../etc/passwd".to_owned(),
        "/raw/%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        "/files/.env".to_owned(),
        "/raw/.env".to_owned(),
        "/raw/specs/escape/secret.txt".to_owned(),
        "/files/specs/escape/secret.txt".to_owned(),
        format!("/raw/{secret_rel}"),
        "/specs/..%2f..%2fetc".to_owned(),
        "/specs/%2e%2e".to_owned(),
        "/api/specs/..%2F..%2Fetc/tasks/1/status".to_owned(),
    ] {
        let r = d.get(&target);
        assert!((400..500).contains(&r.status), "{target} gave {}", r.status);
        assert!(!r.body.contains("TOP-SECRET") && !r.body.contains("root:x:"), "{target} leaked");
    }
    for target in [
        "/api/specs/%2e%2e/tasks/1/status",
        "/api/specs/..%2F..%2Fetc/tasks/1/status",
        "/api/specs/invoice-management/tasks/..%2F..%2Fx/status",
    ] {
        let r = d.post_json(target, &serde_json::json!({"status": "done"}));
        assert!((400..500).contains(&r.status), "{target} gave {}", r.status);
    }
    // A legitimate file still works.
    assert_eq!(d.get("/raw/specs/1000/1001/deliverables/config/fstab.nas").status, 200);
}

/// `--open` hands the dashboard's URL to `$BROWSER` (else the desktop's default browser).
#[cfg(unix)]
#[test]
fn open_hands_the_url_to_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    let ws = demo_copy();
    let bin = tempfile::tempdir().unwrap();
    let opened = bin.path().join("opened.txt");
    let browser = bin.path().join("browser");
    std::fs::write(&browser, format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = Dash::start_with_env(ws.path(), &["--open"], &[("BROWSER", &browser)]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&opened).map_or(true, |s| s.is_empty()) {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), d.url);
}

#[test]
fn binding_beyond_loopback_needs_a_token_and_the_token_is_checked() {
    let ws = demo_copy();
    let out = specwork(ws.path()).args(["dashboard", "--bind", "0.0.0.0", "--port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: binding 0.0.0.0") && err.contains("hint: pass --token"), "{err}");
    let out = specwork(ws.path()).args(["dashboard", "--port", "0", "--token", "short"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let token = "s3cret-team-token";
    let d = Dash::start(ws.path(), &["--token", token]);
    assert!(d.url.ends_with(&format!("?token={token}")));
    assert_eq!(d.get("/").status, 401);
    assert_eq!(d.get("/api/status").status, 401);
    assert_eq!(d.get("/?token=wrong-token-value").status, 401);
    let ok = d.get(&format!("/?token={token}"));
    assert_eq!(ok.status, 200);
    let cookie = ok.header("set-cookie").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap();
    assert_eq!(d.get_with("/api/status", &format!("Cookie: {pair}\r\n")).status, 200);
    assert_eq!(d.get_with("/api/status", &format!("Authorization: Bearer {token}\r\n")).status, 200);
    // A token does not excuse a cross-origin write.
    let head =
        format!("Authorization: Bearer {token}\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\n");
    let r = d.raw("POST", "/api/specs/invoice-management/tasks/1.3/status", &head, br#"{"status":"done"}"#);
    assert_eq!(r.status, 403);
}

/// Opens `GET /events` and returns a reader positioned after the response head.
pub fn open_events(d: &Dash) -> BufReader<TcpStream> {
    let mut s = TcpStream::connect(d.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", d.host()).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    loop {
        line.clear();
        r.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if line.to_ascii_lowercase().starts_with("content-type") {
            assert!(line.contains("text/event-stream"), "{line}");
        }
    }
    r
}

/// Reads until the next `data:` line of the event stream (chunk framing is skipped).
pub fn next_data(r: &mut BufReader<TcpStream>) -> serde_json::Value {
    let mut line = String::new();
    loop {
        line.clear();
        let n = r.read_line(&mut line).expect("an event before the timeout");
        assert!(n > 0, "event stream closed");
        if let Some(d) = line.trim_end().strip_prefix("data:") {
            return serde_json::from_str(d.trim()).unwrap();
        }
    }
}

#[test]
fn events_stream_one_message_per_disk_change() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let mut events = open_events(&d);
    // Give the stream a moment to subscribe before the first write.
    std::thread::sleep(Duration::from_millis(200));
    // Changes specwork must ignore: its cache, build output.
    std::fs::create_dir_all(ws.path().join(".specwork")).unwrap();
    std::fs::write(ws.path().join(".specwork/cache"), "x").unwrap();
    std::fs::create_dir_all(ws.path().join("specs/target")).unwrap();
    std::fs::write(ws.path().join("specs/target/out.md"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let file = ws.path().join(".spec-workflow/specs/invoice-management/tasks.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = Instant::now();
    std::fs::write(&file, text.replace("1.4 ", "1.4 LIVE ")).unwrap();
    let v = next_data(&mut events);
    let elapsed = start.elapsed();
    assert_eq!(v["paths"], serde_json::json!([".spec-workflow/specs/invoice-management/tasks.md"]), "{v}");
    assert!(v["seq"].as_u64().unwrap() >= 1);
    eprintln!("disk write → SSE message: {elapsed:?}");
    // The next page load already shows the edit.
    assert!(d.get("/specs/invoice-management").body.contains("LIVE"));
    // The open portfolio asks for just the parts a change touches.
    let live = d.get("/live/portfolio?paths=.spec-workflow%2Fspecs%2Finvoice-management%2Ftasks.md").json();
    assert_eq!(live["full"], false, "{live}");
    for part in ["stats", "next", "blocked", "row-invoice-management"] {
        assert!(live["parts"][part].as_str().is_some_and(|h| h.contains(&format!("id=\"{part}\""))), "{part}: {live}");
    }
    assert!(live["parts"]["row-invoice-management"].as_str().unwrap().contains("Invoice Management"));
    assert_eq!(live["parts"].as_object().unwrap().len(), 4, "no other rows");
    // A file no spec reads yet may be a new spec: the page re-fetches itself.
    let live = d.get("/live/portfolio?paths=specs%2F5000%2Fspec.md").json();
    assert_eq!(live["full"], true);
    // A write made through the dashboard is seen by the stream too.
    let r =
        d.post_json("/api/specs/invoice-management/tasks/1.4/status", &serde_json::json!({"status": "in-progress"}));
    assert_eq!(r.status, 200);
    // (It journals the change too: the session files come in the same message or another one.)
    let mut seen = Vec::new();
    for _ in 0..4 {
        let v = next_data(&mut events);
        let paths: Vec<String> =
            v["paths"].as_array().unwrap().iter().filter_map(|p| p.as_str().map(str::to_owned)).collect();
        seen.extend(paths);
        if seen.iter().any(|p| p == ".spec-workflow/specs/invoice-management/tasks.md") {
            break;
        }
    }
    assert!(seen.iter().any(|p| p == ".spec-workflow/specs/invoice-management/tasks.md"), "{seen:?}");
}

#[test]
fn approvals_request_decide_and_diff() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let api = "/api/approvals/invoice-management/requirements";
    assert!(d.get("/approvals").body.contains("specwork approval request"), "empty state explains how to start");

    let r = d.post_json(&format!("{api}/request"), &serde_json::json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "pending");
    let list = d.get("/approvals");
    assert!(
        list.body.contains("class=\"approval-pending\" data-spec=\"invoice-management\" data-doc=\"requirements\"")
    );

    // Rejecting or sending back needs a comment; the API says so.
    let r = d.post_json(&format!("{api}/reject"), &serde_json::json!({"comment": "  "}));
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().unwrap().contains("comment"), "{}", r.body);
    let r = d.post_json(
        &format!("{api}/revise"),
        &serde_json::json!({"comment": "add an acceptance criterion for refunds"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "needs-revision");
    let page = d.get("/approvals/invoice-management/requirements");
    assert!(page.body.contains("add an acceptance criterion for refunds"));

    // Approve (as the page's own form does: form-encoded, htmx), then edit: a diff appears.
    let head = format!(
        "Origin: http://{}\r\nHX-Request: true\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        d.host()
    );
    let r = d.raw("POST", &format!("{api}/approve"), &head, b"comment=looks+good");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("hx-redirect"), Some("/approvals/invoice-management/requirements"));
    let records = std::fs::read_dir(ws.path().join(".spec-workflow/approvals/invoice-management")).unwrap().count();
    assert!(records >= 2, "approval records and snapshots are on disk");
    // Approved and unchanged: nothing to decide, so no decision buttons and no "review" link.
    let page = d.get("/approvals/invoice-management/requirements");
    assert!(page.body.contains("nothing to decide"), "{}", page.body);
    assert!(!page.body.contains("class=\"approve\""), "no Approve button on an approved document");
    let spec_page = d.get("/specs/invoice-management?doc=requirements");
    assert!(spec_page.body.contains("see the approval and its history"));
    assert!(!spec_page.body.contains("Review and approve this document"));
    let req = ws.path().join(".spec-workflow/specs/invoice-management/requirements.md");
    let mut text = std::fs::read_to_string(&req).unwrap();
    text.push_str("3. WHEN an invoice is refunded THEN the system SHALL keep its number\n");
    std::fs::write(&req, text).unwrap();
    let page = d.get("/approvals/invoice-management/requirements");
    assert!(page.body.contains("data-state=\"approved\""), "still approved");
    assert!(page.body.contains("changed since approval"));
    assert!(page.body.contains("class=\"approve\""), "changed: the decision is open again");
    assert!(
        page.body.contains("<span class=\"add\">+3. WHEN an invoice is refunded"),
        "diff against the approved version"
    );
    let spec_page = d.get("/specs/invoice-management?doc=requirements");
    assert!(spec_page.body.contains("class=\"badge approved\""), "the spec page shows the approval state");
    assert!(spec_page.body.contains("href=\"/approvals/invoice-management/requirements\""));
    let all = d.get("/api/approvals").json();
    assert!(all["approvals"].as_array().unwrap().iter().any(|a| a["status"] == "approved"));

    // Refusals: cross-origin, unknown action or document, names that are paths.
    let head = "Origin: http://evil.example\r\nContent-Type: application/json\r\n";
    assert_eq!(d.raw("POST", &format!("{api}/approve"), head, b"{}").status, 403);
    assert_eq!(d.post_json(&format!("{api}/delete"), &serde_json::json!({})).status, 400);
    assert_eq!(d.post_json("/api/approvals/invoice-management/passwd/approve", &serde_json::json!({})).status, 400);
    for target in [
        "/api/approvals/..%2F..%2Fetc/requirements/approve",
        "/api/approvals/%2e%2e/requirements/approve",
        "/api/approvals/invoice-management/..%2F..%2Fx/approve",
    ] {
        let r = d.post_json(target, &serde_json::json!({"comment": "x"}));
        assert!((400..500).contains(&r.status), "{target} gave {}", r.status);
    }
    assert!((400..500).contains(&d.get("/approvals/..%2f..%2fetc/requirements").status));
}

#[test]
fn daily_summaries_are_listed_and_shown() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    assert!(d.get("/daily").body.contains("specwork eod"), "empty state says how to get one");
    let dir = ws.path().join("docs/sessions/daily");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("2025-01-13.md"), "# Daily Summary: 2025-01-13\n\n- Sessions: 2\n- Cost: $0.43\n").unwrap();
    std::fs::write(dir.join("2025-01-14.md"), "# Daily Summary: 2025-01-14\n\n- Sessions: 1\n").unwrap();
    let latest = d.get("/daily");
    assert!(latest.body.contains("Daily Summary: 2025-01-14") && latest.body.contains("href=\"/daily/2025-01-13\""));
    assert!(d.get("/daily/2025-01-13").body.contains("$0.43"));
    assert_eq!(d.get("/daily/2025-13-45").status, 400);
    assert_eq!(d.get("/daily/..%2f..%2fetc%2fpasswd").status, 400);
    assert_eq!(d.get("/daily/2025-02-01").status, 404);
}

#[test]
fn cost_page_charts_transcript_usage_against_the_budget() {
    let ws = demo_copy();
    // A Claude Code transcript of this workspace (HOME is the temp dir for the dashboard).
    let root = ws.path().display().to_string();
    let proj = ws.path().join(".claude/projects").join(root.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    std::fs::create_dir_all(&proj).unwrap();
    let line = |id: &str, ts: &str, model: &str, out: u64| {
        serde_json::json!({
            "cwd": root, "sessionId": "s-1", "version": "2.1.3", "type": "assistant", "requestId": format!("req_{id}"),
            "uuid": id, "timestamp": ts,
            "message": {"id": format!("msg_{id}"), "model": model, "usage": {
                "input_tokens": 1000, "output_tokens": out, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
        })
        .to_string()
    };
    let lines = [
        line("a", "2025-08-25T10:00:00.000Z", "claude-sonnet-4-5-20250929", 2000),
        line("b", "2025-08-26T09:00:00.000Z", "claude-haiku-4-5-20251001", 4000),
        line("c", "2025-08-26T11:00:00.000Z", "claude-sonnet-4-5-20250929", 1000),
    ];
    std::fs::write(proj.join("s-1.jsonl"), lines.join("\n") + "\n").unwrap();
    // A session with a manually logged task gives the per-spec and per-session numbers.
    specwork(ws.path()).args(["start-session", "apt-1030", "spec", "appointment-booking"]).assert().success();
    specwork(ws.path()).args(["log-task", "1.2", "done", "45k", "--spec", "appointment-booking"]).assert().success();
    let d = Dash::start(ws.path(), &[]);
    let v = d.get("/api/cost").json();
    assert_eq!(v["scan_error"], serde_json::Value::Null, "{v}");
    assert_eq!(v["today"], "2025-08-26");
    // Today is the day's spending by the one rule: 7,000 measured tokens plus the manual 45k.
    assert_eq!(v["today_tokens"], 52000, "{v}");
    assert_eq!(v["by_day"].as_array().unwrap().len(), 2);
    assert_eq!(v["by_model"].as_array().unwrap().len(), 2);
    assert_eq!(v["budget_daily_usd"], 5.0);
    assert_eq!(v["by_spec"][0]["key"], "appointment-booking");
    assert_eq!(v["by_spec"][0]["tokens"], 45000);
    assert_eq!(v["sessions"][0]["spec"], "appointment-booking");
    assert_eq!(v["sessions"][0]["source"], "manual");
    let p = d.get("/cost");
    assert_eq!(p.status, 200);
    assert!(p.body.contains("data-chart=\"chart-day\"") && p.body.contains("/assets/uPlot.iife.min.js"));
    assert!(p.body.contains("\"labels\":[\"08-25\",\"08-26\"]"), "chart data for uPlot");
    // Sessions by the name the person chose, the key (with its owner suffix) only as a tooltip.
    let key = v["sessions"][0]["key"].as_str().unwrap();
    assert_eq!(v["sessions"][0]["name"], "apt-1030");
    assert!(key.starts_with("apt-1030.") && key.len() > "apt-1030.".len(), "{key}");
    assert!(p.body.contains(&format!("<td title=\"{key}\">apt-1030 <span class=\"muted small\">")), "{}", p.body);
    assert!(!p.body.contains(&format!(">{key}")), "the key is not shown as the name");
    // Every chart label in the page's language: the x axis' legend name (uPlot says "Value"
    // without one) and where tokens come from.
    assert!(p.body.contains("\"x\":\"Day\"") && p.body.contains(">manual</span>"), "{}", p.body);
    let th = d.get("/cost?lang=th").body;
    assert!(th.contains("\"x\":\"วัน\"") && th.contains("\"x\":\"โมเดล\""), "{th}");
    assert!(th.contains(">กรอกเอง</span>") && !th.contains(">manual</span>"), "{th}");
}

/// Issue 16, item 11: "What's next" names an approval that waits (and links to it), and the
/// phase is the first phase document not approved — in the dashboard and in `status --json`.
#[test]
fn whats_next_and_the_phase_follow_the_approvals() {
    let ws = demo_copy();
    let d = Dash::start(ws.path(), &[]);
    let r = d.post_json("/api/approvals/invoice-management/requirements/request", &serde_json::json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let page = d.get("/");
    let next = page.body.split("id=\"next\"").nth(1).unwrap().split("</div>").next().unwrap().to_owned();
    assert!(
        next.contains("<a href=\"/approvals/invoice-management/requirements\">Requirements of invoice-management waits for your approval</a>"),
        "{next}"
    );
    // design.md and tasks.md are written, but requirements wait: the phase is requirements.
    let row = |v: &serde_json::Value| {
        v["specs"].as_array().unwrap().iter().find(|s| s["id"] == "invoice-management").cloned().unwrap()
    };
    assert_eq!(row(&d.get("/api/status").json())["phase"], "requirements");
    assert_eq!(row(&json(specwork(ws.path()).arg("status")))["phase"], "requirements");
    assert!(d.get("/specs/invoice-management").body.contains("Phase: requirements"));
    // The MCP server says the same (in the peer's words).
    let mcp_phase = || {
        let mut m = crate::mcp::Server::start(ws.path(), &[]);
        m.initialize("2025-06-18");
        let r = m.call("spec-status", serde_json::json!({"specName": "invoice-management"}));
        m.finish();
        let s = &r["result"]["structuredContent"];
        (s["currentPhase"].as_str().unwrap().to_owned(), s["overallStatus"].as_str().unwrap().to_owned())
    };
    assert_eq!(mcp_phase(), ("requirements".to_owned(), "requirements-needed".to_owned()));
    // A spec that never asked for an approval keeps the phase its files give.
    assert_eq!(
        d.get("/api/status").json()["specs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "appointment-booking")
            .unwrap()["phase"],
        "implementation"
    );
    // Approved: the next phase document that is not (design, never sent for review).
    let r = d.post_json("/api/approvals/invoice-management/requirements/approve", &serde_json::json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(row(&d.get("/api/status").json())["phase"], "design");
    assert_eq!(mcp_phase(), ("design".to_owned(), "design-needed".to_owned()));
    assert!(!d.get("/").body.contains("waits for your approval"));
}

/// Issue 16, items 5 and 11: Markdown as the dashboard shows it — mermaid blocks become
/// diagrams (the script only on pages that have one), task markers status icons, a
/// deliverable's traceback header (comment lines or front matter) links back to its spec and
/// context, and no icon needs an emoji font.
#[test]
fn documents_show_diagrams_task_icons_and_traceback_links() {
    let ws = demo_copy();
    let design = ws.path().join(".spec-workflow/specs/invoice-management/design.md");
    let mut text = std::fs::read_to_string(&design).unwrap();
    text.push_str("\n## Flow\n\n```mermaid\nflowchart LR\n  A[Draft] --> B{Paid?}\n```\n");
    std::fs::write(&design, text).unwrap();
    let dir = ws.path().join("specs/1000/1001/deliverables/docs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("runbook.md"),
        "<!-- Generated from: specs/1000/1001/1014.spec.md -->\n<!-- Context: specs/1000/1001/1014.context.md -->\n\
         <!-- Purpose: NAS runbook -->\n\n# Runbook\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("guide.md"),
        "---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\ncontext: \"[[../../1014.context]]\"\npurpose: \"NAS guide\"\n---\n# Guide\n",
    )
    .unwrap();
    specwork(ws.path()).args(["start-session", "inv-1300", "spec", "1014"]).assert().success();
    let d = Dash::start(ws.path(), &[]);

    // The context file's session heading: the name the person chose, the key as its tooltip
    // (specwork's marker comment is not shown).
    let key = d.get("/api/cost").json()["sessions"][0]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("inv-1300.") && key.len() > 9, "{key}");
    let context = d.get("/specs/1014?doc=context").body;
    assert!(context.contains(&format!("title=\"{key}\" data-session=\"{key}\">Session 2: ")), "{context}");
    assert!(!context.contains("specwork:session") && !context.contains(&format!(">{key}")), "{context}");

    let page = d.get("/specs/invoice-management?doc=design");
    assert!(
        page.body.contains("<pre class=\"mermaid\">flowchart LR\n  A[Draft] --&gt; B{Paid?}\n</pre>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<script src=\"/assets/mermaid.min.js"));
    assert!(!d.get("/specs/invoice-management?doc=requirements").body.contains("mermaid.min.js"), "only where needed");
    let js = d.get("/assets/mermaid.min.js");
    assert_eq!(js.status, 200);
    assert!(js.body.len() > 1_000_000 && js.header("content-type").unwrap().starts_with("text/javascript"));

    // Task markers: `[-]` and `[~]` too, never as literal text.
    let tasks = d.get("/specs/appointment-booking?doc=tasks").body;
    let doc = tasks.split("<article").nth(1).unwrap();
    for class in ["ic-done", "ic-in-progress", "ic-blocked", "ic-pending"] {
        assert!(doc.contains(&format!("class=\"ic {class}\" role=\"img\"")), "{class}: {doc}");
    }
    assert!(!doc.contains("[-]") && !doc.contains("[~]") && !doc.contains("type=\"checkbox\""), "{doc}");
    assert!(doc.contains("aria-label=\"in progress\""), "the icon has a text alternative");

    // Traceback headers, in comments (old Markdown deliverables and code) or front matter.
    for (file, shown) in [
        ("specs/1000/1001/deliverables/docs/runbook.md", "NAS runbook"),
        ("specs/1000/1001/deliverables/scripts/optimize-network.sh", "Network buffer optimization for NFS"),
    ] {
        let p = d.get(&format!("/files/{file}")).body;
        let tb = p.split("<dl class=\"traceback\"").nth(1).unwrap_or_else(|| panic!("{file}: {p}"));
        assert!(tb.contains("href=\"/specs/1014?doc=spec\" class=\"wiki\">specs/1000/1001/1014.spec.md</a>"), "{tb}");
        assert!(tb.contains("href=\"/specs/1014?doc=context\""), "{tb}");
        assert!(tb.contains(shown), "{tb}");
    }
    assert!(!d.get("/files/specs/1000/1001/deliverables/docs/runbook.md").body.contains("&lt;!--"), "no raw comment");
    let guide = d.get("/files/specs/1000/1001/deliverables/docs/guide.md").body;
    let props = guide.split("<dl class=\"properties\">").nth(1).expect("front matter as properties");
    assert!(
        props.contains("<dt>spec</dt><dd><a href=\"/specs/1014?doc=spec\" class=\"wiki\">1014 - Cold Storage NAS</a>"),
        "{props}"
    );
    assert!(props.contains("<dt>context</dt><dd><a href=\"/specs/1014?doc=context\""), "{props}");
    assert!(props.contains("<dt>purpose</dt><dd>NAS guide</dd>"), "{props}");

    // No emoji in the dashboard's own UI: icons are drawn, with text alternatives.
    for path in ["/", "/specs/appointment-booking", "/specs/appointment-booking?doc=tasks", "/approvals", "/cost"] {
        let body = d.get(path).body;
        for emoji in ["✅", "⏳", "🔄", "❌", "⚠", "🖼"] {
            assert!(!body.contains(emoji), "{path} shows {emoji}");
        }
    }
}
