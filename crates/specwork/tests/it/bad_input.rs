//! Bad input in the user's files: a warning or error on stderr naming file and line with a hint,
//! never a panic, and the rest of the workspace still reported.

use std::path::Path;

use crate::common::*;

fn write(ws: &Path, rel: &str, bytes: &[u8]) {
    let p = ws.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Makes `rel` unreadable. Returns false when that is not possible (root reads anything).
fn make_unreadable(ws: &Path, rel: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let p = ws.join(rel);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&p).is_ok() {
        println!("skipped the unreadable-file check: this user can read a mode 000 file (root)");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        return false;
    }
    true
}

/// The demo workspace plus one broken file of each kind.
fn broken_workspace() -> (tempfile::TempDir, bool) {
    let t = demo_copy();
    let ws = t.path();
    write(
        ws,
        ".spec-workflow/specs/malformed/tasks.md",
        b"# Tasks\n\n- [x] 1 Fine\n-[ ] 2 Glued bullet\n- [ x] 3 Spaced marker\n- [x]4 Glued title\n",
    );
    write(
        ws,
        ".spec-workflow/specs/front-matter/tasks.md",
        b"---\nspec: front-matter\n- [x] 1 Read anyway\n- [ ] 2 Also read\n",
    );
    write(ws, ".spec-workflow/specs/fenced/tasks.md", b"- [x] 1 Before the fence\n\n```sh\n- [ ] 2 inside\n");
    write(ws, ".spec-workflow/specs/latin1/tasks.md", b"# Tasks\n\n- [x] 1 Caf\xe9 menu\n- [ ] 2 R\xe9sum\xe9\n");
    write(
        ws,
        "specs/9000/9002.spec.md",
        b"---\ntitle: Unclosed\n\n# 9002 - Unclosed\n\n## Tasks\n\n- [ ] 1. Still read\n",
    );
    write(ws, ".spec-workflow/specs/locked/tasks.md", b"- [x] 1 Secret\n");
    let unreadable = make_unreadable(ws, ".spec-workflow/specs/locked/tasks.md");
    (t, unreadable)
}

const DEMO_IDS: [&str; 11] = [
    "1000",
    "1001",
    "1014",
    "3000",
    "3001",
    "4000",
    "4005",
    "9000",
    "9001",
    "appointment-booking",
    "invoice-management",
];

#[test]
fn broken_files_are_diagnosed_and_the_rest_is_reported() {
    let (t, unreadable) = broken_workspace();
    let ws = t.path();
    let out = specwork(ws).arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    for id in DEMO_IDS.iter().chain(&["malformed", "front-matter", "fenced", "latin1", "9002"]) {
        assert!(stdout.lines().any(|l| l.starts_with(&format!("{id} "))), "{id} is still reported:\n{stdout}");
    }
    for (level, location, what) in [
        (
            "warning",
            ".spec-workflow/specs/malformed/tasks.md:4",
            "looks like a task but is not read as one: no space after the bullet",
        ),
        ("warning", ".spec-workflow/specs/malformed/tasks.md:5", "the checkbox holds extra spaces"),
        ("warning", ".spec-workflow/specs/malformed/tasks.md:6", "no space after the checkbox"),
        ("warning", ".spec-workflow/specs/front-matter/tasks.md:1", "front matter opened with `---` is never closed"),
        ("warning", ".spec-workflow/specs/fenced/tasks.md:3", "code fence is never closed"),
        ("warning", ".spec-workflow/specs/latin1/tasks.md:3", "not valid UTF-8"),
        ("warning", "specs/9000/9002.spec.md:1", "front matter opened with `---` is never closed"),
    ] {
        let line = stderr
            .lines()
            .position(|l| l.starts_with(&format!("{level}: {location}: ")) && l.contains(what))
            .unwrap_or_else(|| panic!("no `{level}: {location}: …{what}` in:\n{stderr}"));
        let hint = stderr.lines().nth(line + 1).unwrap();
        assert!(hint.trim_start().starts_with("hint: ") && hint.len() > 12, "{location} has a hint: {hint}");
    }
    if unreadable {
        assert!(stderr.contains("error: .spec-workflow/specs/locked/tasks.md: cannot read file"), "{stderr}");
        assert!(stdout.lines().any(|l| l.starts_with("locked ")), "the unreadable spec is still listed");
        let out = specwork(ws).args(["--quiet", "task", "set", "locked", "1", "pending"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Permission denied") && err.contains("hint: check the file's permissions"), "{err}");
    }

    // The same facts as JSON: diagnostics with file and line, every spec still there.
    let v = json(specwork(ws).arg("status"));
    let specs = v["specs"].as_array().unwrap();
    assert_eq!(specs.len(), DEMO_IDS.len() + 6);
    let count = |id: &str| {
        let s = specs.iter().find(|s| s["id"] == id).unwrap();
        (s["tasks"]["total"].as_u64().unwrap(), s["tasks"]["done"].as_u64().unwrap())
    };
    assert_eq!(count("malformed"), (1, 1), "only the well-formed line is a task");
    assert_eq!(count("front-matter"), (2, 1), "unclosed front matter hides no task");
    assert_eq!(count("fenced"), (1, 1));
    assert_eq!(count("latin1"), (2, 1));
    assert_eq!(count("9002"), (1, 0));
    assert_eq!(count("1014"), (7, 3), "the demo is reported as before");
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.len() >= 7);
    for d in diags {
        assert!(d["file"].as_str().is_some_and(|f| !f.is_empty()) && d["hint"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(d["severity"] == "warning" || d["severity"] == "error");
    }
    assert!(diags.iter().any(|d| d["file"] == ".spec-workflow/specs/latin1/tasks.md" && d["line"] == 3));
}

#[test]
fn a_file_that_is_not_utf8_is_never_rewritten() {
    let (t, _) = broken_workspace();
    let ws = t.path();
    let file = ws.join(".spec-workflow/specs/latin1/tasks.md");
    let before = std::fs::read(&file).unwrap();
    let out = specwork(ws).args(["task", "set", "latin1", "2", "done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: .spec-workflow/specs/latin1/tasks.md is not valid UTF-8; specwork will not rewrite it"),
        "{err}"
    );
    assert!(err.contains("hint: save the file as UTF-8 first"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before);
    // A malformed line is not a task, so it cannot be addressed; the well-formed one can.
    let out = specwork(ws).args(["task", "set", "malformed", "2", "done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: `specwork task list malformed` shows the task ids"));
    specwork(ws).args(["task", "set", "malformed", "1", "pending"]).assert().success();
}

#[test]
fn a_broken_config_is_an_error_with_its_line_and_the_defaults_serve() {
    let t = demo_copy();
    let ws = t.path();
    for (content, location, what) in [
        (&b"[workspace]\nspecs_dir = \"specs\"\nimport = yes\n"[..], "specwork.toml:3", "invalid configuration"),
        (&b"[budget]\ndaily = 3\n"[..], "specwork.toml:2", "unknown field `daily`"),
        (&b"[budget]\ndaily_usd = \"\xff\"\n"[..], "specwork.toml", "cannot read the configuration"),
    ] {
        std::fs::write(ws.join("specwork.toml"), content).unwrap();
        let out = specwork(ws).args(["spec", "list"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("error: {location}: ")) && err.contains(what), "{err}");
        assert!(err.contains("hint: "), "{err}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().count(), 1 + DEMO_IDS.len(), "every spec listed with the defaults:\n{stdout}");
    }
}

#[test]
fn junk_and_binary_files_never_panic() {
    let t = demo_copy();
    let ws = t.path();
    let mut junk: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    junk.extend_from_slice(b"\n- [x] 1 after junk\n\r\r\n---\n```\n");
    write(ws, ".spec-workflow/specs/junk/tasks.md", &junk);
    write(ws, ".spec-workflow/specs/junk/requirements.md", b"\xef\xbb\xbf---\n---\n# \xff\n");
    write(ws, "specs/9000/9003.spec.md", b"## Tasks\n---\n- [ ] 1. a\n---\n- [x] 2. b");
    write(
        ws,
        "specs/9000/9003.context.md",
        b"# Context: x\n**Status**: sideways\n### Session x: y\n**Duration**: lots\n",
    );
    for args in
        [&["status"][..], &["tree"], &["spec", "list"], &["status", "junk"], &["resume", "9003"], &["status", "9003"]]
    {
        let out = specwork(ws).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let v = json(specwork(ws).args(["status", "9003"]));
    assert_eq!(v["tasks"]["total"], 2, "a `---` rule under ## Tasks is not front matter");
    let err = String::from_utf8_lossy(&specwork(ws).arg("status").output().unwrap().stderr).into_owned();
    assert!(err.contains("warning: specs/9000/9003.context.md:2: unknown status `sideways`"), "{err}");
}

/// `title: [unclosed` in closed front matter is a YAML error: reported with the file line, the
/// title taken from the heading, and every other spec still listed.
#[test]
fn broken_yaml_front_matter_is_a_warning_and_the_heading_gives_the_title() {
    let t = demo_copy();
    let ws = t.path();
    write(
        ws,
        "specs/9000/9004.spec.md",
        b"---\nid: 9004\ntitle: [unclosed\n---\n# 9004 - Heading fallback\n\n## Tasks\n\n- [ ] 1. Still read\n",
    );
    for args in [&["spec", "list"][..], &["status"]] {
        let out = specwork(ws).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        let at = stderr
            .lines()
            .position(|l| l.starts_with("warning: specs/9000/9004.spec.md:3: front matter is not valid YAML"))
            .unwrap_or_else(|| panic!("{args:?}: no warning at the file line in:\n{stderr}"));
        let hint = stderr.lines().nth(at + 1).unwrap();
        assert!(hint.trim_start().starts_with("hint: ") && hint.contains("quote"), "{hint}");
        for id in DEMO_IDS.iter().chain(&["9004"]) {
            assert!(stdout.lines().any(|l| l.starts_with(&format!("{id} "))), "{args:?}: {id} listed:\n{stdout}");
        }
        assert!(!stdout.contains("[unclosed"), "{args:?}: the broken value is not used:\n{stdout}");
    }
    let v = json(specwork(ws).args(["status", "9004"]));
    assert_eq!(v["title"], "Heading fallback", "{v}");
    assert_eq!(v["tasks"]["total"], 1);
    let v = json(specwork(ws).arg("status"));
    let d = v["diagnostics"].as_array().unwrap();
    assert!(d.iter().any(|d| d["file"] == "specs/9000/9004.spec.md" && d["line"] == 3 && d["severity"] == "warning"));
}
