//! Sessions, journals, context timelines, EOD and PROGRESS.md — the guide's full day and the
//! promises around it (rebuild, parallel sessions, concurrent writers, recovery), on the real
//! binary with the clock stepping through the day.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

use crate::common::*;

/// `specwork` as `user` on `host` at `now`.
fn sw_as(dir: &Path, now: &str, user: &str, host: &str) -> Command {
    let mut c = specwork(dir);
    c.env("SPECWORK_NOW", now).env("SPECWORK_USER", user).env("SPECWORK_HOST", host);
    c
}

/// `specwork` as the guide's User on their laptop at `now` (time of day on 2025-01-13 unless a
/// full timestamp is given).
fn sw(dir: &Path, now: &str) -> Command {
    let now = if now.len() == 5 { format!("2025-01-13T{now}:00Z") } else { now.to_owned() };
    sw_as(dir, &now, "User", "laptop")
}

/// Runs, asserts success, returns (stdout, stderr).
fn ok(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}", out.status.code());
    (stdout, stderr)
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

const INVOICE_TASKS: &str = ".spec-workflow/specs/invoice-management/tasks.md";

/// The demo workspace with invoice-management's five tasks all pending, as on the guide's morning.
fn morning() -> tempfile::TempDir {
    let ws = unplanned_morning();
    // 09:00 — requirements, design and tasks approved.
    for doc in ["requirements", "design", "tasks"] {
        ok(sw(ws.path(), "09:00").args(["approval", "approve", "invoice-management", doc]));
    }
    ws
}

/// The guide's 09:00 as the guide does it: the agent asks for each document's approval (as the
/// MCP `approvals` tool does), and the person approves it in the dashboard, through its HTTP API.
fn morning_approved_in_the_dashboard() -> tempfile::TempDir {
    let ws = unplanned_morning();
    let at = |t: &str| std::path::PathBuf::from(format!("2025-01-13T{t}:00Z"));
    let (nine, user, host) = (at("09:00"), std::path::PathBuf::from("User"), std::path::PathBuf::from("laptop"));
    let env = [("SPECWORK_NOW", nine.as_path()), ("SPECWORK_USER", user.as_path()), ("SPECWORK_HOST", host.as_path())];
    let d = crate::dashboard::Dash::start_with_env(ws.path(), &[], &env);
    for doc in ["requirements", "design", "tasks"] {
        let api = format!("/api/approvals/invoice-management/{doc}");
        let r = d.post_json(&format!("{api}/request"), &serde_json::json!({}));
        assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("pending")), "{}", r.body);
        let r = d.post_json(&format!("{api}/approve"), &serde_json::json!({"comment": "ok"}));
        assert_eq!((r.status, r.json()["status"].as_str()), (200, Some("approved")), "{}", r.body);
    }
    drop(d);
    let v = json(sw(ws.path(), "09:30").args(["approval", "status", "invoice-management"]));
    let states: Vec<&str> = v["docs"].as_array().unwrap().iter().filter_map(|a| a["state"].as_str()).collect();
    assert_eq!(states, ["approved", "approved", "approved"], "{v:#}");
    ws
}

/// invoice-management with all five tasks pending and nothing approved.
fn unplanned_morning() -> tempfile::TempDir {
    let ws = demo_copy();
    let p = ws.path().join(INVOICE_TASKS);
    std::fs::write(&p, read(&p).replace("- [x] 1.", "- [ ] 1.")).unwrap();
    // The guide's outputs show dollars only: no second display currency (tests/it/cost.rs covers it).
    let toml = ws.path().join("specwork.toml");
    let text = read(&toml);
    std::fs::write(&toml, &text[..text.find("[currency]").unwrap_or(text.len())]).unwrap();
    ws
}

fn logs_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.file_name().into_string().unwrap()).filter(|n| n.ends_with(".log")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The guide's "Example: Full Day", command by command, with its outputs.
#[test]
fn the_guides_full_day() {
    let ws = morning_approved_in_the_dashboard();
    let d = ws.path();
    let tasks_before = read(d.join(INVOICE_TASKS));

    // 10:00
    let (out, err) = ok(sw(d, "10:00").args(["start-session", "inv-1000", "spec", "invoice-management"]));
    assert_eq!(out, "Session inv-1000 created\nTasks: 1.1, 1.2, 1.3, 1.4, 1.5\n");
    assert_eq!(err, "");
    let current = d.join("docs/sessions/.current");
    let journals = logs_in(&current);
    assert_eq!(journals.len(), 1);
    assert!(journals[0].starts_with("inv-1000.user-"), "{journals:?}");

    let (out, _) = ok(sw(d, "10:05").args(["do-task", "invoice-management", "1.1"]));
    assert!(out.starts_with("🔄 Task 1.1: Create the invoices table migration\n"), "{out}");
    assert!(out.contains("Requirements: 1.2\nFiles: db/migrations/0007_invoices.sql\n"), "{out}");
    assert!(
        out.contains("Prompt:\nRole: backend developer\nTask: add the invoices table with a per_clinic sequence\n")
    );
    assert!(read(d.join(INVOICE_TASKS)).contains("- [-] 1.1 Create the invoices table migration"));
    let (out, _) = ok(sw(d, "10:40").args(["do-task", "invoice-management", "1.1", "--done", "--tokens", "42k"]));
    assert!(out.starts_with("✅ Task 1.1 completed (42k tokens, $0.09)\n"), "{out}");

    ok(sw(d, "10:45").args(["do-task", "invoice-management", "1.2"]));
    let (out, _) = ok(sw(d, "11:30").args(["do-task", "invoice-management", "1.2", "--done", "--tokens", "38k"]));
    assert!(out.starts_with("✅ Task 1.2 completed (38k tokens, $0.08)\n"), "{out}");

    let (out, _) = ok(sw(d, "11:35").arg("session-status"));
    assert!(out.starts_with("Session: inv-1000\nTasks: 2/5 done\nTokens: 80k\nCost: $0.17\n"), "{out}");
    let v = json(sw(d, "11:35").arg("session-status"));
    assert_eq!(v["sessions"][0]["tokens"], 80_000, "token counts are plain integers");
    assert_eq!(v["sessions"][0]["cost_usd"], 0.17);
    assert_eq!(v["sessions"][0]["tasks"], serde_json::json!({"done": 2, "total": 5}));
    assert_eq!(v["sessions"][0]["minutes"], 95);
    assert_eq!(v["sessions"][0]["usage_source"], "manual");

    // 13:00, after lunch: a new session continues where the morning stopped.
    let (out, err) = ok(sw(d, "13:00").args(["start-session", "inv-1300", "spec", "invoice-management"]));
    assert_eq!(out, "Session inv-1300 created\nContinue from task 1.3\nTasks: 1.3, 1.4, 1.5\n");
    assert!(err.contains("session inv-1000 (User) is active and works on spec invoice-management too"), "{err}");
    ok(sw(d, "13:05").args(["do-task", "invoice-management", "1.3"]));
    let (out, err) = ok(sw(d, "13:50").args(["do-task", "invoice-management", "1.3", "--done", "--tokens", "40000"]));
    assert!(out.starts_with("✅ Task 1.3 completed (40k tokens, $0.09)\n"), "{out}");
    assert_eq!(err, "", "the idle morning session is no reason to warn at every task");
    ok(sw(d, "14:00").args(["do-task", "invoice-management", "1.4"]));
    // Forgot to log tokens: the manual log completes the task.
    let (out, _) = ok(sw(d, "14:40").args(["log-task", "1.4", "done", "35K"]));
    assert!(out.starts_with("📝 Task 1.4 logged: done (35k tokens, $0.08, manual)\n"), "{out}");
    ok(sw(d, "15:00").args(["do-task", "invoice-management", "1.5"]));
    let (out, _) = ok(sw(d, "16:00").args(["do-task", "invoice-management", "1.5", "--done", "--tokens", "0.04M"]));
    assert_eq!(out, "✅ Task 1.5 completed (40k tokens, $0.09)\nEvery task of invoice-management is done (5/5)\n");

    let v = json(sw(d, "16:30").arg("session-status"));
    assert_eq!(v["today"]["tokens"], 195_000);
    assert_eq!(v["today"]["cost_usd"], 0.43);
    assert_eq!(v["today"]["tasks_done"], 5);

    // 17:00
    let (out, _) = ok(sw(d, "17:00").arg("eod"));
    insta::assert_snapshot!("full_day_eod", out);
    // Every line of the guide's own EOD output is there, as the guide prints it.
    if let Some(guide) = need::shared("seeds/spec-session-workflow-guide.md") {
        let guide = std::fs::read_to_string(&guide).unwrap();
        let eod = between(&guide, "# 📊 EOD Summary", "# ✅ Session logs archived");
        for line in eod.lines() {
            let line = line.trim_start_matches("# ");
            assert!(out.lines().any(|l| l == line), "`{line}` missing from\n{out}");
        }
    }
    let daily = read(d.join("docs/sessions/daily/2025-01-13.md"));
    insta::assert_snapshot!("full_day_daily_summary", daily);
    insta::assert_snapshot!("full_day_progress", read(d.join("docs/PROGRESS.md")));
    assert!(logs_in(&current).is_empty(), "every journal of the day is archived");
    assert_eq!(logs_in(&d.join("docs/sessions/archive/2025-01-13")).len(), 2);

    // The task file changed in its five marker bytes only.
    let tasks_after = read(d.join(INVOICE_TASKS));
    assert_eq!(tasks_after, tasks_before.replace("- [ ] 1.", "- [x] 1."));

    // The next morning: status and resume know the sessions, their time, tasks and usage.
    let v = json(sw(d, "2025-01-14T09:00:00Z").args(["status", "invoice-management"]));
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["minutes"], 90, "closed by eod at its last activity");
    assert_eq!(sessions[0]["tasks_done"], serde_json::json!(["1.1", "1.2"]));
    assert_eq!(sessions[1]["minutes"], 180);
    assert_eq!(sessions[1]["tokens"], 115_000);
    assert_eq!(v["total_minutes"], 270);
    assert_eq!(v["total_tokens"], 195_000);
    assert_eq!(v["total_cost_usd"], 0.43);
    let (out, _) = ok(sw(d, "2025-01-14T09:00:00Z").args(["status", "invoice-management"]));
    assert!(out.contains("- Session 1: 1.5 hours (2025-01-13) — tasks 1.1, 1.2 done; 80k tokens, $0.17\n"), "{out}");
    assert!(out.contains("- Total: 4.5 hours (195k tokens, $0.43)\n"), "{out}");
    let v = json(sw(d, "2025-01-14T09:00:00Z").args(["resume", "invoice-management"]));
    assert_eq!(v["latest_daily"]["path"], "docs/sessions/daily/2025-01-13.md");
    assert_eq!(v["done"], 5);
    assert_eq!(v["total_minutes"], 270);
}

/// Recovery after a crash or a new day: `resume` and the latest daily summary say where to go on.
#[test]
fn recovery_tells_where_to_continue() {
    let ws = morning();
    let d = ws.path();
    ok(sw(d, "10:00").args(["start-session", "inv-1000", "spec", "invoice-management"]));
    ok(sw(d, "10:05").args(["do-task", "invoice-management", "1.1"]));
    ok(sw(d, "10:40").args(["do-task", "invoice-management", "1.1", "--done", "--tokens", "42k"]));
    ok(sw(d, "10:45").args(["do-task", "invoice-management", "1.2"]));
    // The terminal dies here; the day ends without anyone ending the session.
    ok(sw(d, "18:00").arg("eod"));
    let daily = read(d.join("docs/sessions/daily/2025-01-13.md"));
    assert!(daily.contains("- **invoice-management**: 1/5 tasks done — next: task 1.2 Implement InvoiceService.create with sequential numbering\n"), "{daily}");
    assert!(
        daily.contains("- 🔄 1.2 Implement InvoiceService.create with sequential numbering (in-progress)\n"),
        "{daily}"
    );

    let v = json(sw(d, "2025-01-14T09:00:00Z").args(["resume", "invoice-management"]));
    assert_eq!(v["continue_from"], "1.2");
    assert_eq!(v["next_task"]["id"], "1.2");
    assert_eq!(v["latest_daily"]["date"], "2025-01-13");
    assert_eq!(v["latest_daily"]["next_task"], "1.2");
    assert_eq!(v["sessions"][0]["session"].as_str().unwrap().split('.').next(), Some("inv-1000"));
    assert_eq!(
        v["sessions"][0]["last_activity"],
        "Started task 1.2: Implement InvoiceService.create with sequential numbering"
    );
    let (out, _) = ok(sw(d, "2025-01-14T09:00:00Z").args(["resume", "invoice-management"]));
    assert!(out.contains("Continue from task 1.2: specwork do-task invoice-management 1.2\n"), "{out}");
    assert!(
        out.contains("Latest daily summary: docs/sessions/daily/2025-01-13.md (2025-01-13: next was task 1.2)\n"),
        "{out}"
    );
    // The in-progress task is picked up by a new session without --force.
    let (out, _) = ok(sw(d, "2025-01-14T09:05:00Z").args(["start-session", "inv-0905", "spec", "invoice-management"]));
    assert_eq!(out, "Session inv-0905 created\nContinue from task 1.2\nTasks: 1.2, 1.3, 1.4, 1.5\n");
    ok(sw(d, "2025-01-14T09:06:00Z").args(["do-task", "invoice-management", "1.2"]));
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let a = s.find(start).unwrap_or_else(|| panic!("no `{start}` in\n{s}"));
    let b = a + s[a..].find(end).unwrap() + end.len();
    &s[a..b]
}

/// Numbered specs: each action lands in the context timeline in the seed's shape, the person's own
/// text is kept byte for byte, and `rebuild` gives back deleted derived files identically.
#[test]
fn timelines_keep_user_text_and_rebuild_identically() {
    let ws = demo_copy();
    let d = ws.path();
    let ctx = d.join("specs/1000/1001/1014.context.md");
    let original = read(&ctx);

    let day1 = |t: &str| format!("2025-09-01T{t}:00Z");
    ok(sw(d, &day1("09:00")).args([
        "start-session",
        "nas-0900",
        "--spec",
        "1014",
        "--note",
        "Check the NAS firmware first",
    ]));
    ok(sw(d, &day1("09:10")).args(["do-task", "1014", "4"]));
    ok(sw(d, &day1("10:30")).args(["do-task", "1014", "4", "--done", "--tokens", "120k", "--model", "sonnet"]));
    ok(sw(d, &day1("10:40")).args(["log-task", "5", "blocked", "--note", "NAS offline"]));
    ok(sw(d, &day1("11:00")).arg("end-session"));
    ok(sw(d, &day1("18:00")).arg("eod"));

    let text = read(&ctx);
    let block = between(&text, "<!-- specwork:session nas-0900.", "<!-- /specwork:session -->\n");
    let key = block.lines().next().unwrap().trim_start_matches("<!-- specwork:session ").trim_end_matches(" -->");
    assert_eq!(
        block,
        format!(
            "<!-- specwork:session {key} -->
### Session 2: 2025-09-01 - nas-0900
**Duration**: 2 hours  
**Participants**: User, Claude  
**Status**: done

#### Planning
- Session `nas-0900` started at 09:00 by User
- Tasks: 4, 5, 6, 7
- Continue from task 4
- Check the NAS firmware first

#### Implementation
- Started task 4: Create directory structure for data organization
- ✅ Completed task 4: Create directory structure for data organization (120k tokens, $1.44, manual)
- ❌ Blocked task 5: Benchmark performance — NAS offline
<!-- /specwork:session -->
"
        )
    );
    let strip_updated = |s: &str| s.lines().filter(|l| !l.starts_with("**Updated**")).collect::<Vec<_>>().join("\n");
    assert!(
        strip_updated(&text).starts_with(&strip_updated(&original)),
        "the hand-written header and Session 1 are kept byte for byte"
    );
    assert!(text.contains("**Updated**: 2025-09-01 11:00\n"), "{text}");

    // The person writes a note of their own below the generated entry.
    std::fs::write(&ctx, format!("{text}\nNote to self: ask IT about the NAS power supply.\n")).unwrap();

    let day2 = |t: &str| format!("2025-09-02T{t}:00Z");
    ok(sw(d, &day2("09:00")).args(["start-session", "nas-day2", "spec", "1014"]));
    ok(sw(d, &day2("09:30")).args(["do-task", "1014", "5", "--force"]));
    ok(sw(d, &day2("10:00")).args(["do-task", "1014", "5", "--done", "--tokens", "30k"]));
    ok(sw(d, &day2("10:10")).args(["start-session", "inv-day2", "spec", "invoice-management"]));
    ok(sw(d, &day2("10:20")).args(["log-task", "1.3", "done", "12k", "--spec", "invoice-management"]));
    ok(sw(d, &day2("17:00")).arg("eod"));

    let text = read(&ctx);
    assert!(
        text.contains("Note to self: ask IT about the NAS power supply.\n\n<!-- specwork:session nas-day2."),
        "{text}"
    );
    assert!(text.contains("### Session 3: 2025-09-02 - nas-day2\n"));
    assert!(text.contains("- Started task 5: Benchmark performance (reopened)\n"));

    let derived = [
        "specs/1000/1001/1014.context.md",
        "docs/sessions/daily/2025-09-01.md",
        "docs/sessions/daily/2025-09-02.md",
        "docs/PROGRESS.md",
    ];
    let before: Vec<String> = derived.iter().map(|p| read(d.join(p))).collect();

    // Delete a daily summary and a generated timeline section (with its blank line).
    std::fs::remove_file(d.join("docs/sessions/daily/2025-09-01.md")).unwrap();
    let block2 = between(&text, "<!-- specwork:session nas-day2.", "<!-- /specwork:session -->\n").to_owned();
    std::fs::write(&ctx, text.replacen(&format!("\n{block2}"), "", 1)).unwrap();
    assert!(!read(&ctx).contains("nas-day2"));

    let v = json(sw(d, "2025-09-03T08:00:00Z").arg("rebuild"));
    assert_eq!(v["sessions"], 3);
    let outcomes: Vec<(&str, &str)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["outcome"].as_str().unwrap()))
        .collect();
    assert!(outcomes.contains(&("specs/1000/1001/1014.context.md", "updated")), "{outcomes:?}");
    assert!(outcomes.contains(&("docs/sessions/daily/2025-09-01.md", "created")), "{outcomes:?}");
    for (p, b) in derived.iter().zip(&before) {
        assert_eq!(&read(d.join(p)), b, "{p} is rebuilt byte for byte");
    }
    // A second rebuild changes nothing.
    let v = json(sw(d, "2025-09-03T08:00:00Z").arg("rebuild"));
    assert!(v["files"].as_array().unwrap().iter().all(|f| f["outcome"] == "unchanged"), "{v}");

    // The status report sees the hand-written session and the recorded ones.
    let v = json(sw(d, "2025-09-03T08:00:00Z").args(["status", "1014"]));
    let nums: Vec<u64> = v["sessions"].as_array().unwrap().iter().map(|s| s["number"].as_u64().unwrap()).collect();
    assert_eq!(nums, [1, 2, 3]);
    assert_eq!(v["sessions"][0]["minutes"], 150);
    assert_eq!(v["sessions"][1]["minutes"], 120);
    assert_eq!(v["sessions"][1]["tasks_done"], serde_json::json!(["4"]));
    assert_eq!(v["total_minutes"], 150 + 120 + 60);
}

/// A numbered spec without a context file gets one on first use, from the template, in the seed's
/// header shape.
#[test]
fn context_file_is_created_on_first_use() {
    let ws = demo_copy();
    let d = ws.path();
    ok(sw(d, "09:00").args(["spec", "new", "1020", "--parent", "1001", "--title", "Backup Rotation"]));
    let ctx = d.join("specs/1000/1001/1020.context.md");
    std::fs::remove_file(&ctx).unwrap();
    ok(sw(d, "10:00").args(["start-session", "bk-1", "spec", "1020"]));
    let text = read(&ctx);
    assert!(
        text.starts_with(
            "# Context: Backup Rotation\n\n**Spec**: [[1020.spec|1020 - Backup Rotation]]  \n**Parent**: [[../1001/spec|1001 - Storage Infrastructure]]  \n**Status**: active  \n**Created**: 2025-01-13 10:00  \n**Updated**: 2025-01-13 10:00\n\n## Summary\n"
        ),
        "{text}"
    );
    assert!(text.contains("## Implementation Timeline\n\n<!-- specwork:session bk-1."), "{text}");
    assert!(text.contains("### Session 1: 2025-01-13 - bk-1\n**Duration**: In progress  \n"), "{text}");
}

/// Parallel sessions: each has its own journal; a warning when another active session works on the
/// same spec or the same files; ids are unique per person and machine.
#[test]
fn parallel_sessions_warn_and_never_share_a_journal() {
    let ws = morning();
    let d = ws.path();
    let at = "2025-01-13T10:00:00Z";
    // Different modules: no warning.
    let (_, err) =
        ok(sw_as(d, at, "Alice", "a-laptop").args(["start-session", "apt-1030", "spec", "appointment-booking"]));
    assert_eq!(err, "");
    let (_, err) = ok(sw_as(d, at, "Bob", "b-desk").args(["start-session", "inv-1030", "spec", "invoice-management"]));
    assert_eq!(err, "");
    // The same module: a warning, in text and in JSON.
    let out = sw_as(d, at, "Carol", "c-mac")
        .args(["start-session", "inv-c", "spec", "invoice-management", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["warnings"][0]["message"],
        "session inv-1030 (Bob) is active and works on spec invoice-management too"
    );
    // The same files: 1.3 and 1.4 both change src/invoices/routes.ts.
    ok(sw_as(d, "2025-01-13T10:05:00Z", "Bob", "b-desk").args(["do-task", "invoice-management", "1.3"]));
    let (_, err) =
        ok(sw_as(d, "2025-01-13T10:06:00Z", "Carol", "c-mac").args(["do-task", "invoice-management", "1.4"]));
    assert!(
        err.contains("session inv-1030 (Bob) is active and works on spec invoice-management too and touches src/invoices/routes.ts"),
        "{err}"
    );
    // One person, two machines, the same session name: two journals, no clash.
    ok(sw_as(d, at, "Alice", "a-desktop").args(["start-session", "apt-1030", "spec", "appointment-booking"]));
    let logs = logs_in(&d.join("docs/sessions/.current"));
    assert_eq!(logs.len(), 4, "{logs:?}");
    assert_eq!(logs.iter().filter(|l| l.starts_with("apt-1030.alice-")).count(), 2);
    // The same person and machine cannot reuse a name.
    let out = sw_as(d, at, "Alice", "a-laptop")
        .args(["start-session", "apt-1030", "spec", "appointment-booking"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("session `apt-1030` already exists"));
    let v = json(sw_as(d, at, "Alice", "a-laptop").arg("session-status"));
    assert_eq!(v["sessions"].as_array().unwrap().len(), 4);
    let v = json(sw_as(d, at, "Alice", "a-laptop").args(["session-status", "--mine"]));
    assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
}

/// Without `SPECWORK_HOST` or `$HOSTNAME`, a session key's host part comes from the system's host
/// name: the same key as when that name is given.
#[test]
fn the_host_defaults_to_the_system_host_name() {
    let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") else {
        eprintln!("skipped: no /proc/sys/kernel/hostname to compare with");
        return;
    };
    let ws = demo_copy();
    let d = ws.path();
    let start = |session: &str| ["start-session", session, "spec", "invoice-management"].map(str::to_owned);
    ok(specwork(d).env("SPECWORK_USER", "Dana").args(start("s1")));
    ok(specwork(d).env("SPECWORK_USER", "Dana").env("SPECWORK_HOST", name.trim()).args(start("s2")));
    let logs = logs_in(&d.join("docs/sessions/.current"));
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(logs[0].strip_prefix("s1."), logs[1].strip_prefix("s2."), "{logs:?}");
}

/// Several writer processes at once (the real binary, different people, one spec): no journal
/// event and no task edit is lost, and the concurrently written timeline equals the rebuilt one.
#[test]
fn concurrent_writers_lose_nothing() {
    const WORKERS: usize = 6;
    const PER: usize = 4;
    let ws = demo_copy();
    let d = ws.path();
    let mut spec =
        String::from("# 1030 - Stress\n\n**Parent**: [[../1001/spec|1001 - Storage Infrastructure]]\n\n## Tasks\n\n");
    for i in 1..=WORKERS * PER {
        spec.push_str(&format!("- [ ] {i}. Task number {i}\n  - File: src/f{i}.rs\n"));
    }
    std::fs::write(d.join("specs/1000/1001/1030.spec.md"), &spec).unwrap();
    ok(sw_as(d, "2025-01-13T08:59:00Z", "lead", "farm").args(["plan", "1030", "--approve"]));
    for w in 0..WORKERS {
        ok(sw_as(d, "2025-01-13T09:00:00Z", &format!("worker{w}"), "farm").args([
            "start-session",
            &format!("w{w}"),
            "spec",
            "1030",
        ]));
    }
    let bin = assert_cmd::cargo::cargo_bin("specwork");
    let children: Vec<std::process::Child> = (0..WORKERS)
        .map(|w| {
            let mut script = String::new();
            for k in 0..PER {
                let t = w * PER + k + 1;
                script.push_str(&format!(
                    "\"$SW\" do-task 1030 {t} -q >/dev/null && \"$SW\" do-task 1030 {t} --done --tokens 1k -q >/dev/null || exit 1\n"
                ));
            }
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", d)
                .env("TZ", "UTC")
                .env("SW", &bin)
                .env("SPECWORK_NOW", "2025-01-13T10:00:00Z")
                .env("SPECWORK_USER", format!("worker{w}"))
                .env("SPECWORK_HOST", "farm")
                .current_dir(d)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let tasks = read(d.join("specs/1000/1001/1030.spec.md"));
    assert_eq!(tasks.matches("- [x] ").count(), WORKERS * PER, "{tasks}");
    assert_eq!(tasks, spec.replace("- [ ] ", "- [x] "), "only marker bytes changed");
    let mut starts = 0;
    let mut ends = 0;
    for log in logs_in(&d.join("docs/sessions/.current")) {
        let j = read(d.join("docs/sessions/.current").join(log));
        for line in j.lines() {
            let v: Value = serde_json::from_str(line).expect("every journal line is whole JSON");
            starts += usize::from(v["event"] == "task_start");
            ends += usize::from(v["event"] == "task_end");
        }
    }
    assert_eq!((starts, ends), (WORKERS * PER, WORKERS * PER));
    let ctx_path = d.join("specs/1000/1001/1030.context.md");
    let ctx = read(&ctx_path);
    assert_eq!(ctx.matches("✅ Completed task").count(), WORKERS * PER, "{ctx}");
    let v = json(sw(d, "2025-01-13T11:00:00Z").arg("session-status"));
    assert_eq!(v["today"]["tasks_done"], WORKERS * PER);
    assert_eq!(v["today"]["tokens"], WORKERS * PER * 1000);
    let before = std::fs::read(&ctx_path).unwrap();
    ok(sw(d, "2025-01-13T11:00:00Z").arg("rebuild"));
    assert_eq!(std::fs::read(&ctx_path).unwrap(), before);
}

/// A journal torn by a crash mid-write is read anyway: the torn line is reported with its line,
/// everything else counts, and the next event starts on a fresh line.
#[test]
fn torn_journal_lines_are_tolerated() {
    let ws = morning();
    let d = ws.path();
    ok(sw(d, "10:00").args(["start-session", "inv-1000", "spec", "invoice-management"]));
    ok(sw(d, "10:40").args(["log-task", "1.1", "done", "42k"]));
    let current = d.join("docs/sessions/.current");
    let log = current.join(&logs_in(&current)[0]);
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut f, b"{\"v\":1,\"ts\":\"2025-01-13T10:41:0").unwrap();
    drop(f);
    let v = json(sw(d, "10:45").arg("session-status"));
    assert_eq!(v["sessions"][0]["tokens"], 42_000);
    assert_eq!(v["diagnostics"][0]["line"], 3);
    assert!(v["diagnostics"][0]["message"].as_str().unwrap().contains("incomplete"));
    ok(sw(d, "11:00").args(["log-task", "1.2", "done", "38k"]));
    let v = json(sw(d, "11:05").arg("session-status"));
    assert_eq!(v["sessions"][0]["tokens"], 80_000, "the event after the torn line is whole");
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 1, "the torn line is now a skipped line 3");
    assert_eq!(v["diagnostics"][0]["line"], 3);
}

/// Bad input: clear errors with hints and exit code 2, nothing written.
#[test]
fn bad_session_input_is_refused() {
    let ws = morning();
    let d = ws.path();
    let code = |args: &[&str]| {
        let out = sw(d, "10:00").args(args).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (c, err) = code(&["start-session", "../x", "spec", "invoice-management"]);
    assert_eq!(c, Some(2), "{err}");
    let (c, err) = code(&["start-session", "inv-1"]);
    assert_eq!(c, Some(2));
    assert!(err.contains("hint: write `specwork start-session inv-1 spec SPEC`"), "{err}");
    let (c, err) = code(&["log-task", "1.1", "done", "45q"]);
    assert_eq!(c, Some(2));
    assert!(err.contains("cannot read `45q` as a token count"), "{err}");
    let (c, err) = code(&["log-task", "1.1", "done"]);
    assert_eq!(c, Some(2));
    assert!(err.contains("hint: pass --spec SPEC"), "{err}");
    let (c, _) = code(&["do-task", "invoice-management", "9.9"]);
    assert_eq!(c, Some(2));
    let (c, _) = code(&["end-session"]);
    assert_eq!(c, Some(2));
    let (c, _) = code(&["eod", "--date", "13/01/2025"]);
    assert_eq!(c, Some(2));
    assert!(!d.join("docs/sessions/.current").exists() || logs_in(&d.join("docs/sessions/.current")).is_empty());
    // A done task is not restarted without --force.
    ok(sw(d, "10:00").args(["start-session", "s", "spec", "invoice-management"]));
    ok(sw(d, "10:10").args(["log-task", "1.1", "done"]));
    let (c, err) = code(&["do-task", "invoice-management", "1.1"]);
    assert_eq!(c, Some(2));
    assert!(err.contains("pass --force to reopen it"), "{err}");
}

/// Commits made during a session come from git (not typed in) and land in the timeline.
#[test]
fn commits_come_from_git() {
    let ws = demo_copy();
    let d = ws.path();
    let git = |args: &[&str], date: &str| {
        let st = std::process::Command::new("git")
            .args(args)
            .current_dir(d)
            .env("HOME", d)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .status()
            .unwrap();
        assert!(st.success());
    };
    git(&["init", "-q"], "2025-01-13T08:00:00Z");
    git(&["config", "user.email", "user@example.com"], "2025-01-13T08:00:00Z");
    git(&["config", "user.name", "User"], "2025-01-13T08:00:00Z");
    git(&["add", "-A"], "2025-01-13T08:00:00Z");
    git(&["commit", "-q", "-m", "Before the session"], "2025-01-13T08:00:00Z");
    ok(sw(d, "10:00").args(["start-session", "nas-1", "spec", "1014"]));
    ok(sw(d, "10:05").args(["do-task", "1014", "4"]));
    std::fs::write(d.join("specs/1000/1001/deliverables/scripts/directory-setup.sh"), "#!/bin/sh\n").unwrap();
    git(&["add", "-A"], "2025-01-13T10:30:00Z");
    git(&["commit", "-q", "-m", "Add directory setup script"], "2025-01-13T10:30:00Z");
    ok(sw(d, "10:40").args(["do-task", "1014", "4", "--done"]));
    ok(sw(d, "11:00").arg("end-session"));
    let text = read(d.join("specs/1000/1001/1014.context.md"));
    let commits = between(&text, "<!-- specwork:session nas-1.", "<!-- /specwork:session -->");
    assert_eq!(commits.matches("#### Commits\n- `").count(), 1, "{commits}");
    assert!(commits.contains("`: Add directory setup script\n"), "{commits}");
    assert!(!commits.contains("Before the session"));
    let v = json(sw(d, "11:05").args(["status", "1014"]));
    assert_eq!(v["last_commit"]["subject"], "Add directory setup script");
}

/// Teams: two people on different specs, each with their own journals, merge through git without
/// a conflict in specwork's files; `rebuild` then gives both the same derived files.
#[test]
fn two_people_merge_through_git_without_conflicts() {
    let root = tempfile::tempdir().unwrap();
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", root.path())
            .env("GIT_AUTHOR_DATE", "2025-01-13T18:00:00Z")
            .env("GIT_COMMITTER_DATE", "2025-01-13T18:00:00Z")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let origin = root.path().join("origin.git");
    let a = root.path().join("alice");
    let b = root.path().join("bob");
    git(root.path(), &["init", "-q", "--bare", "-b", "main", origin.to_str().unwrap()]);
    git(root.path(), &["clone", "-q", origin.to_str().unwrap(), a.to_str().unwrap()]);
    copy_tree(&demo_dir(), &a);
    std::fs::write(a.join(".gitignore"), ".specwork/\n").unwrap();
    for (dir, name) in [(&a, "Alice"), (&b, "Bob")] {
        if dir == &b {
            git(root.path(), &["clone", "-q", origin.to_str().unwrap(), b.to_str().unwrap()]);
        }
        git(dir, &["config", "user.name", name]);
        git(dir, &["config", "user.email", &format!("{}@example.com", name.to_lowercase())]);
        if dir == &a {
            git(&a, &["add", "-A"]);
            git(&a, &["commit", "-q", "-m", "Demo workspace"]);
            git(&a, &["push", "-q", "origin", "HEAD:main"]);
        }
    }
    let day = |t: &str| format!("2025-01-13T{t}:00Z");
    // Alice works on invoices, Bob on appointments, the same day, each in their own clone.
    ok(sw_as(&a, &day("10:00"), "Alice", "a-laptop").args(["start-session", "inv-1000", "spec", "invoice-management"]));
    ok(sw_as(&a, &day("10:30"), "Alice", "a-laptop").args(["log-task", "1.3", "done", "40k"]));
    ok(sw_as(&a, &day("17:00"), "Alice", "a-laptop").arg("eod"));
    ok(sw_as(&b, &day("09:00"), "Bob", "b-desk").args(["start-session", "apt-0900", "spec", "appointment-booking"]));
    ok(sw_as(&b, &day("11:00"), "Bob", "b-desk").args(["log-task", "1.2", "done", "30k"]));
    ok(sw_as(&b, &day("17:30"), "Bob", "b-desk").arg("eod"));
    assert!(read(a.join(".gitattributes")).contains("docs/sessions/daily/*.md merge=union"));

    git(&a, &["add", "-A"]);
    git(&a, &["commit", "-q", "-m", "Alice's day"]);
    git(&a, &["push", "-q", "origin", "HEAD:main"]);
    git(&b, &["add", "-A"]);
    git(&b, &["commit", "-q", "-m", "Bob's day"]);
    git(&b, &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"]);
    assert_eq!(git(&b, &["diff", "--name-only", "--diff-filter=U"]), "", "no conflicted file");
    git(&b, &["push", "-q", "origin", "HEAD:main"]);
    git(&a, &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"]);

    // After the merge, both rebuild and get the same derived files, with both sessions.
    ok(sw_as(&a, &day("18:00"), "Alice", "a-laptop").arg("rebuild"));
    ok(sw_as(&b, &day("18:00"), "Bob", "b-desk").arg("rebuild"));
    let daily = read(a.join("docs/sessions/daily/2025-01-13.md"));
    assert!(
        daily.starts_with("# Daily Summary: 2025-01-13\n\n**Sessions**: 2  \n**Tasks**: 2  \n**Tokens**: 70,000  \n"),
        "{daily}"
    );
    assert!(
        daily.contains("### apt-0900 — appointment-booking\n") && daily.contains("### inv-1000 — invoice-management\n")
    );
    for f in ["docs/sessions/daily/2025-01-13.md", "docs/PROGRESS.md"] {
        assert_eq!(read(a.join(f)), read(b.join(f)), "{f}");
    }
    let archived = logs_in(&a.join("docs/sessions/archive/2025-01-13"));
    assert_eq!(archived.len(), 2, "{archived:?}");
    assert!(archived[0].starts_with("apt-0900.bob-") && archived[1].starts_with("inv-1000.alice-"));
}

/// A session left open overnight is not 24 hours of work (issue "The first hour", item 3): idle
/// gaps between events are left out of its time, in session-status, resume and the timeline.
#[test]
fn idle_gaps_are_not_work() {
    let ws = morning();
    let d = ws.path();
    ok(sw(d, "09:00").args(["start-session", "inv", "spec", "invoice-management"]));
    ok(sw(d, "09:10").args(["do-task", "invoice-management", "1.1"]));
    // Two hours on a task without an event in between still count (a focus block).
    ok(sw(d, "11:10").args(["log-task", "1.1", "done", "30k"]));
    let v = json(sw(d, "11:20").args(["session-status"]));
    assert_eq!(v["sessions"][0]["minutes"], 140, "{v}");
    // Nothing in progress from 11:10 on: at 16:00 the session still counts 130 minutes of work.
    let v = json(sw(d, "16:00").args(["session-status"]));
    assert_eq!(v["sessions"][0]["minutes"], 130, "{v}");
    // Next morning the person comes back, works 30 minutes and ends the session.
    ok(sw(d, "2025-01-14T09:00:00Z").args(["do-task", "invoice-management", "1.2"]));
    ok(sw(d, "2025-01-14T09:30:00Z").args(["log-task", "1.2", "done", "20k"]));
    let (out, _) = ok(sw(d, "2025-01-14T09:31:00Z").args(["end-session"]));
    assert!(!out.contains("24 h") && !out.contains("24.5"), "{out}");
    let r = json(sw(d, "2025-01-14T09:40:00Z").args(["resume", "invoice-management"]));
    assert_eq!(r["total_minutes"], 161, "130 + 31 minutes, not the night: {r}");
}

/// The next morning's start-session ends yesterday's sessions left open at their last activity,
/// and says so, instead of warning about them (issue "The first hour", item 3).
#[test]
fn the_next_start_ends_yesterdays_open_sessions_at_their_last_activity() {
    let ws = morning();
    let d = ws.path();
    ok(sw(d, "09:00").args(["start-session", "inv", "spec", "invoice-management"]));
    ok(sw(d, "09:10").args(["do-task", "invoice-management", "1.1"]));
    ok(sw(d, "10:00").args(["start-session", "apt", "spec", "appointment-booking"]));
    let (out, err) = ok(sw(d, "2025-01-14T09:00:00Z").args(["start-session", "inv2", "spec", "invoice-management"]));
    assert!(out.starts_with("Session inv2 created"), "{out}");
    assert!(err.contains("ended session inv (invoice-management), left open since 2025-01-13 09:10"), "{err}");
    assert!(err.contains("ended session apt (appointment-booking), left open since 2025-01-13 10:00"), "{err}");
    assert!(!err.contains("is active and works on spec"), "no warning about yesterday: {err}");
    let v = json(sw(d, "2025-01-14T09:05:00Z").args(["session-status"]));
    let names: Vec<&str> = v["sessions"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["inv2"], "{v}");
    let journal = logs_in(&d.join("docs/sessions/.current"));
    let inv = journal.iter().find(|n| n.starts_with("inv.")).unwrap();
    let text = read(d.join("docs/sessions/.current").join(inv));
    let last = text.lines().last().unwrap();
    assert!(last.contains("\"session_end\"") && last.contains("2025-01-13T09:10:00"), "{last}");
    assert!(last.contains("left open; ended at its last activity by the next start-session"), "{last}");
    // JSON callers (MCP, agents) get the same list.
    let v = json(sw(d, "2025-01-14T09:01:00Z").args(["start-session", "inv3", "spec", "invoice-management"]));
    assert_eq!(v["ended_left_open"], serde_json::json!([]));
}
