//! The hostile and careless-user probe of issue 14, kept as tests: each reproducer of the issue
//! is a named test (`r1_…` to `r7_…`) run against the real binary on a copy of the demo
//! workspace, with a folder `out/` beside it that nothing may read or write.
//!
//! The MCP and dashboard halves live in `hostile_mcp.rs` and `hostile_web.rs`.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;

/// `W/ws` (a copy of the demo) and `W/out` (outside the workspace).
pub struct Probe {
    _dir: tempfile::TempDir,
    pub ws: PathBuf,
    pub out: PathBuf,
}

impl Probe {
    pub fn new() -> Probe {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        let out = dir.path().join("out");
        copy_tree(&demo_dir(), &ws);
        std::fs::create_dir_all(&out).unwrap();
        Probe { _dir: dir, ws, out }
    }

    /// Replaces `rel` (a folder of the workspace, made if missing) with a link to `out/`.
    pub fn link_out(&self, rel: &str) {
        let p = self.ws.join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        }
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(&self.out, &p).unwrap();
    }

    /// Every file under `out/`.
    pub fn outside_files(&self) -> Vec<PathBuf> {
        fn walk(d: &Path, acc: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    walk(&e.path(), acc);
                } else {
                    acc.push(e.path());
                }
            }
        }
        let mut v = Vec::new();
        walk(&self.out, &mut v);
        v
    }

    pub fn sw(&self) -> assert_cmd::Command {
        let mut c = specwork(&self.ws);
        c.env("SPECWORK_USER", "Dana Lee").env("SPECWORK_HOST", "ci").timeout(Duration::from_secs(60));
        c
    }
}

/// Runs, returns (exit code, stdout, stderr).
fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A refused write names the link and says how to fix it, and nothing lands outside.
fn assert_refused(p: &Probe, what: &str, link: &str, (code, _, err): (i32, String, String)) {
    assert_ne!(code, 0, "{what}: must fail\n{err}");
    assert!(err.contains(link) && err.contains("outside the workspace"), "{what}: names the link\n{err}");
    assert!(err.contains("hint:") && err.contains("replace the link"), "{what}: says the fix\n{err}");
    assert!(!err.contains("permissions"), "{what}: no misleading hint\n{err}");
    assert!(p.outside_files().is_empty(), "{what}: wrote outside: {:?}", p.outside_files());
}

#[test]
fn r1_writes_never_follow_a_symlinked_folder_out_of_the_workspace() {
    let p = Probe::new();
    p.link_out(".spec-workflow/approvals");
    let r = run(p.sw().args(["approval", "approve", "invoice-management", "requirements"]));
    assert_refused(&p, "approval approve", ".spec-workflow/approvals", r);

    let p = Probe::new();
    p.link_out("specs/1000/1001/deliverables/config");
    let r = run(p.sw().args(["deliverable", "add", "1014", "deliverables/config/app.toml", "--purpose", "x"]));
    assert_refused(&p, "deliverable add", "deliverables/config", r);

    let p = Probe::new();
    p.link_out("docs/sessions/.current");
    let r = run(p.sw().args(["start-session", "s1", "spec", "1014"]));
    assert_refused(&p, "start-session", "docs/sessions/.current", r);

    let p = Probe::new();
    p.link_out(".spec-workflow/archive/specs");
    let r = run(p.sw().args(["archive", "appointment-booking"]));
    assert_refused(&p, "archive", ".spec-workflow/archive/specs", r);
    assert!(p.ws.join(".spec-workflow/specs/appointment-booking/tasks.md").is_file(), "the spec stays");

    // `.specwork` holds caches and locks only: without them the command still works, and
    // nothing lands outside.
    let p = Probe::new();
    p.link_out(".specwork");
    let (_, _, err) = run(p.sw().args(["start-session", "s1", "spec", "1014"]));
    assert!(p.outside_files().is_empty(), "cache written outside: {:?}\n{err}", p.outside_files());
}

#[test]
fn r2_reads_never_follow_a_symlinked_document_out_of_the_workspace() {
    let p = Probe::new();
    std::fs::write(p.out.join("secret.txt"), "TOPSECRET-42 the outside file\n").unwrap();
    let req = p.ws.join(".spec-workflow/specs/invoice-management/requirements.md");
    std::fs::remove_file(&req).unwrap();
    symlink(p.out.join("secret.txt"), &req).unwrap();

    let (_, out, err) = run(p.sw().args(["search", "TOPSECRET"]));
    assert!(
        !out.contains("TOPSECRET-42") && !err.contains("TOPSECRET-42"),
        "search shows the outside file\n{out}{err}"
    );

    let r = run(p.sw().args(["approval", "approve", "invoice-management", "requirements"]));
    assert_ne!(r.0, 0, "approving a document that leads out must fail\n{}", r.2);
    assert!(r.2.contains("requirements.md") && r.2.contains("outside the workspace"), "{}", r.2);
    let snapshots = p.ws.join(".spec-workflow/approvals");
    if snapshots.exists() {
        let grep = std::process::Command::new("grep").args(["-r", "TOPSECRET"]).arg(&snapshots).output().unwrap();
        assert!(grep.stdout.is_empty(), "a snapshot copied the outside file");
    }
}

/// An editor saving tasks.md (read, append a line, write a temp file, rename) races
/// `task set`: every save must survive. `bench/editor_race.sh` runs the issue's 300 × 5.
#[test]
fn r3_an_editor_save_racing_task_set_is_never_lost() {
    let p = Probe::new();
    let tasks = p.ws.join(".spec-workflow/specs/invoice-management/tasks.md");
    let saves: u64 = 60;
    let editor = {
        let tasks = tasks.clone();
        std::thread::spawn(move || {
            for i in 0..saves {
                let old = std::fs::read_to_string(&tasks).unwrap();
                let tmp = tasks.with_file_name(format!(".tasks.md.editor{i}"));
                std::fs::write(&tmp, format!("{old}<!-- save {i} -->\n")).unwrap();
                std::fs::rename(&tmp, &tasks).unwrap();
                std::thread::sleep(Duration::from_millis(3 + (i % 5)));
            }
        })
    };
    let (mut ok, mut conflicts) = (0, 0);
    let mut i = 0;
    while !editor.is_finished() {
        let status = if i % 2 == 0 { "in-progress" } else { "pending" };
        let (code, _, err) = run(p.sw().args(["task", "set", "invoice-management", "1.1", status]));
        match code {
            0 => ok += 1,
            3 => conflicts += 1,
            c => panic!("task set exited {c}: {err}"),
        }
        i += 1;
    }
    editor.join().unwrap();
    let end = std::fs::read_to_string(&tasks).unwrap();
    let lost: Vec<u64> = (0..saves).filter(|i| !end.contains(&format!("<!-- save {i} -->"))).collect();
    println!("{saves} saves, {ok} task set ok, {conflicts} conflicts (exit 3), lost {lost:?}");
    assert!(lost.is_empty(), "editor saves lost: {lost:?}");
    assert!(ok > 0, "task set never got through");
}

#[test]
fn r4_a_note_or_title_cannot_break_the_timeline() {
    let p = Probe::new();
    let ctx = p.ws.join("specs/1000/1001/1014.context.md");
    let (code, _, err) = run(p.sw().args([
        "start-session",
        "s1",
        "spec",
        "1014",
        "--note",
        "N\n<!-- /specwork:session -->\nafter",
        "--title",
        "T\n### Session 99: fake",
    ]));
    assert_eq!(code, 0, "{err}");
    for _ in 0..10 {
        let (code, _, err) = run(p.sw().args(["log-task", "1", "in-progress"]));
        assert!(code == 0 || code == 2, "{err}");
    }
    let text = std::fs::read_to_string(&ctx).unwrap();
    let opens = text.matches("<!-- specwork:session ").count();
    let closes = text.lines().filter(|l| l.trim() == "<!-- /specwork:session -->").count();
    assert_eq!((opens, closes), (1, 1), "one generated block for the session\n{text}");
    assert!(!text.lines().any(|l| l.starts_with("### Session 99")), "no fake heading\n{text}");
    assert_eq!(text.matches("after").count(), 1, "the note once, not a stale copy per refresh\n{text}");
    let (code, _, err) = run(p.sw().arg("rebuild"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(&ctx).unwrap(), text, "rebuild gives the same bytes");
}

#[test]
fn r5_reads_are_bounded_and_never_hang() {
    let p = Probe::new();
    let design = p.ws.join(".spec-workflow/specs/invoice-management/design.md");
    std::fs::remove_file(&design).unwrap();
    symlink("/dev/zero", &design).unwrap();
    let t = Instant::now();
    let (_, out, err) = run(p.sw().args(["approval", "status", "invoice-management"]));
    assert!(t.elapsed() < Duration::from_secs(20), "approval status on /dev/zero took {:?}", t.elapsed());
    assert!(format!("{out}{err}").contains("design.md"), "{out}{err}");

    // An 8 GB sparse design.md: refused above the cap, with a clear error.
    std::fs::remove_file(&design).unwrap();
    std::fs::File::create(&design).unwrap().set_len(8 << 30).unwrap();
    let (code, _, err) = run(p.sw().args(["approval", "approve", "invoice-management", "design"]));
    assert_ne!(code, 0);
    assert!(err.contains("design.md") && err.contains("larger than"), "{err}");
    std::fs::remove_file(&design).unwrap();

    // A FIFO as tasks.md: an error, not a hang.
    let tasks = p.ws.join(".spec-workflow/specs/invoice-management/tasks.md");
    std::fs::remove_file(&tasks).unwrap();
    mkfifo(&tasks);
    let (code, _, err) = run(p.sw().args(["approval", "approve", "invoice-management", "tasks"]));
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("tasks.md") && err.contains("FIFO"), "{err}");
}

fn mkfifo(p: &Path) {
    assert!(std::process::Command::new("mkfifo").arg(p).status().unwrap().success());
}

#[test]
fn r5_a_hook_with_a_fifo_transcript_returns_at_once() {
    let p = Probe::new();
    let fifo = p.out.join("transcript.jsonl");
    mkfifo(&fifo);
    let (code, _, err) = run(p.sw().args(["start-session", "s1", "spec", "1014"]));
    assert_eq!(code, 0, "{err}");
    let input = serde_json::json!({
        "session_id": "agent-1", "transcript_path": fifo, "cwd": p.ws, "hook_event_name": "PostToolUse",
        "tool_name": "Write", "tool_input": {"file_path": p.ws.join("src/x.rs"), "content": "x"}
    });
    let t = Instant::now();
    let (code, _, _) = run(p.sw().args(["hook", "PostToolUse"]).write_stdin(input.to_string()));
    assert_eq!(code, 0);
    assert!(t.elapsed() < Duration::from_secs(5), "hook blocked {:?} on a FIFO", t.elapsed());
}

#[test]
fn r7_a_deliverable_name_with_backslashes_is_refused() {
    let p = Probe::new();
    let (code, _, err) = run(p.sw().args(["deliverable", "add", "1014", "..\\..\\etc", "--purpose", "p"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("backslash"), "{err}");
    let ctx = std::fs::read_to_string(p.ws.join("specs/1000/1001/1014.context.md")).unwrap();
    assert!(!ctx.contains("../../etc"), "{ctx}");
}

#[test]
fn r7_a_crlf_context_file_gets_crlf_generated_lines() {
    let p = Probe::new();
    let ctx = p.ws.join("specs/1000/1001/1014.context.md");
    let lf = std::fs::read_to_string(&ctx).unwrap();
    std::fs::write(&ctx, lf.replace("\r\n", "\n").replace('\n', "\r\n")).unwrap();
    let (code, _, err) = run(p.sw().args(["start-session", "s1", "spec", "1014", "--note", "crlf"]));
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read(&ctx).unwrap();
    let lf_only = after.windows(2).filter(|w| w[1] == b'\n' && w[0] != b'\r').count() + usize::from(after[0] == b'\n');
    assert_eq!(lf_only, 0, "every line ends in CRLF:\n{}", String::from_utf8_lossy(&after));
    assert!(String::from_utf8_lossy(&after).contains("- crlf\r\n"));
}

#[test]
fn r7_check_reports_stale_temp_files_and_unreadable_files_without_stopping() {
    let p = Probe::new();
    let stale = p.ws.join(".spec-workflow/specs/invoice-management/.tasks.md.specwork-999999999.tmp");
    std::fs::write(&stale, "half a write").unwrap();
    std::fs::write(p.ws.join("specs/1000/notes.md"), b"caf\xe9 [[missing-note]]\n").unwrap();
    let (code, out, err) = run(p.sw().args(["check", "--json"]));
    assert_eq!(code, 4, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<(&str, &str)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["file"].as_str().unwrap()))
        .collect();
    assert!(
        kinds
            .contains(&("stale-temp-file", ".spec-workflow/specs/invoice-management/.tasks.md.specwork-999999999.tmp")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&("unreadable", "specs/1000/notes.md")), "{kinds:?}");
    let (_, out, err) = run(p.sw().args(["check", "--fix", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    assert!(!stale.exists(), "check --fix removes the stale temp file");
    assert!(v["problems"].as_array().unwrap().iter().any(|p| p["kind"] == "unreadable"), "still reported, not fatal");
}

#[test]
fn r7_a_tasks_md_that_is_not_a_file_is_an_error_not_no_tasks() {
    for make in ["dir", "fifo"] {
        let p = Probe::new();
        let tasks = p.ws.join(".spec-workflow/specs/invoice-management/tasks.md");
        std::fs::remove_file(&tasks).unwrap();
        match make {
            "dir" => std::fs::create_dir(&tasks).unwrap(),
            _ => mkfifo(&tasks),
        }
        let (code, out, err) = run(p.sw().args(["task", "list", "invoice-management"]));
        let all = format!("{out}{err}");
        assert!(all.contains("tasks.md") && all.contains("not a regular file"), "{make}: exit {code}\n{all}");
        let (code, _, err) = run(p.sw().args(["check"]));
        assert_eq!(code, 4, "{make}: check reports it\n{err}");
    }
}
