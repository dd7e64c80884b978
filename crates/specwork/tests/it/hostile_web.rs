//! Issue 14's probe through `specwork dashboard` (the real server, raw HTTP/1.1): pages never
//! show a document that leads out of the workspace, POST routes never write through a link, and
//! state-changing requests need a JSON or form body and exactly one `Host`.

use std::os::unix::fs::symlink;

use crate::dashboard::Dash;
use crate::hostile::Probe;

#[test]
fn r1_dashboard_posts_never_write_through_a_symlinked_folder() {
    let p = Probe::new();
    p.link_out(".spec-workflow/approvals");
    let d = Dash::start(&p.ws, &[]);
    let r = d.post_json("/api/approvals/invoice-management/requirements/request", &serde_json::json!({}));
    assert!(r.status >= 400, "{} {}", r.status, r.body);
    assert!(p.outside_files().is_empty(), "written outside: {:?}", p.outside_files());
}

#[test]
fn r2_dashboard_pages_do_not_show_a_document_that_leads_out() {
    let p = Probe::new();
    std::fs::write(p.out.join("secret.txt"), "TOPSECRET-42\n").unwrap();
    let req = p.ws.join(".spec-workflow/specs/invoice-management/requirements.md");
    std::fs::remove_file(&req).unwrap();
    symlink(p.out.join("secret.txt"), &req).unwrap();
    let d = Dash::start(&p.ws, &[]);
    for page in [
        "/specs/invoice-management?doc=requirements",
        "/approvals/invoice-management/requirements",
        "/search?q=TOPSECRET",
        "/api/search?q=TOPSECRET",
    ] {
        let r = d.get(page);
        assert!(!r.body.contains("TOPSECRET-42"), "{page} shows the outside file");
    }
}

#[test]
fn r7_state_changing_requests_need_json_or_form_and_one_host() {
    let p = Probe::new();
    let d = Dash::start(&p.ws, &[]);
    let target = "/api/specs/invoice-management/tasks/1.1/status";
    let tasks_md = p.ws.join(".spec-workflow/specs/invoice-management/tasks.md");
    let before = std::fs::read_to_string(&tasks_md).unwrap();
    let origin = format!("Origin: http://{}\r\n", d.host());
    let r = d.raw("POST", target, &format!("{origin}Content-Type: text/plain\r\n"), br#"{"status":"done"}"#);
    assert_eq!(r.status, 415, "{}", r.body);
    let r = d.raw("POST", target, &origin, br#"{"status":"done"}"#);
    assert_eq!(r.status, 415, "no content type: {}", r.body);
    let two_hosts = format!("Host: {0}\r\nHost: {0}\r\nContent-Type: application/json\r\n", d.host());
    let r = d.raw("POST", target, &two_hosts, br#"{"status":"done"}"#);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(std::fs::read_to_string(&tasks_md).unwrap(), before, "nothing changed");
    // The page's own requests still work: JSON and the htmx form post.
    let r = d.post_json(target, &serde_json::json!({"status": "in-progress"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let r = d.raw(
        "POST",
        target,
        &format!("{origin}Content-Type: application/x-www-form-urlencoded\r\n"),
        b"status=pending",
    );
    assert_eq!(r.status, 200, "{}", r.body);
}
