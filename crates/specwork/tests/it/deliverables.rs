//! Deliverables, traceback headers, the deliverables report, `check` and git linking — the real
//! binary on temp copies of the demo workspace and on real git repositories.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Runs a command expecting `code`, returning stdout, stderr.
fn run_code(cmd: &mut assert_cmd::Command, code: i32) -> (String, String) {
    let out = cmd.output().unwrap();
    let (o, e) = (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert_eq!(out.status.code(), Some(code), "stdout:\n{o}\nstderr:\n{e}");
    (o, e)
}

const SPEC_DIR: &str = "specs/1000/1001";

#[test]
fn add_creates_the_seed_header_link_and_timeline_entry() {
    let ws = demo_copy();
    let spec_path = ws.path().join(SPEC_DIR).join("1014.spec.md");
    let spec_before = read(&spec_path);
    let ctx_before = read(ws.path().join(SPEC_DIR).join("1014.context.md"));
    let v = json(specwork(ws.path()).args([
        "deliverable",
        "add",
        "1014",
        "nas-health-check.sh",
        "--kind",
        "script",
        "--purpose",
        "Monitor NAS connectivity and performance",
        "--title",
        "Health Monitoring",
        "--by",
        "Claude + User",
    ]));
    assert_eq!(v["path"], "specs/1000/1001/deliverables/scripts/nas-health-check.sh");
    assert_eq!(v["kind"], "script");
    assert_eq!(v["created"], true);
    assert_eq!(v["header_added"], true);
    assert_eq!(v["link_added"], true);
    assert_eq!(v["link"], "deliverables/scripts/nas-health-check.sh");
    assert_eq!(v["spec_file"], "specs/1000/1001/1014.spec.md");
    assert_eq!(v["timeline"], "specs/1000/1001/1014.context.md");

    // The seed's header, after a shebang.
    let script = ws.path().join(SPEC_DIR).join("deliverables/scripts/nas-health-check.sh");
    assert_eq!(
        read(&script),
        "#!/usr/bin/env bash\n# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: Monitor NAS connectivity and performance\n# Created: 2025-08-26 by Claude + User\n"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_ne!(std::fs::metadata(&script).unwrap().permissions().mode() & 0o111, 0, "scripts are executable");
    }

    // The spec gains exactly one line, under ### Scripts.
    assert_eq!(
        read(&spec_path),
        spec_before.replace(
            "- [[deliverables/scripts/optimize-network.sh|Network Optimization]]\n",
            "- [[deliverables/scripts/optimize-network.sh|Network Optimization]]\n- [[deliverables/scripts/nas-health-check.sh|Health Monitoring]]\n"
        )
    );
    // Session 1 is done, so the event goes to a dated entry; Updated is now.
    let ctx = read(ws.path().join(SPEC_DIR).join("1014.context.md"));
    assert_eq!(
        ctx,
        ctx_before.replace("**Updated**: 2025-08-26 17:00", "**Updated**: 2025-08-26 14:30")
            + "\n### 2025-08-26 - Changes outside a session\n\n#### Implementation\n- Created [[deliverables/scripts/nas-health-check.sh|Health Monitoring]]\n"
    );

    // Everything resolves, and status counts it.
    run_code(specwork(ws.path()).arg("check"), 0);
    let st = json(specwork(ws.path()).args(["status", "1014"]));
    assert_eq!(st["deliverables"]["scripts"].as_array().unwrap().len(), 2);

    // Running it again changes nothing.
    let again =
        json(specwork(ws.path()).args(["deliverable", "add", "1014", "deliverables/scripts/nas-health-check.sh"]));
    assert_eq!(again["created"], false);
    assert_eq!(again["header_added"], false);
    assert_eq!(again["link_added"], false);
    assert_eq!(again["timeline"], Value::Null);
    assert_eq!(read(ws.path().join(SPEC_DIR).join("1014.context.md")), ctx);
}

#[test]
fn the_header_matches_the_seed_byte_for_byte() {
    // The seed's own example (spec-work-example.md, Step 4), when shared/ is beside the repo.
    let Some(seed_path) = need::shared("seeds/spec-work-example.md") else { return };
    let seed = std::fs::read_to_string(&seed_path).unwrap();
    let start = seed.find("#!/bin/bash\n# Generated from:").expect("the seed shows a header");
    let block = &seed[start..start + seed[start..].find("\n```").unwrap() + 1];
    let ws = demo_copy();
    let script = ws.path().join(SPEC_DIR).join("deliverables/scripts/nas-health-check.sh");
    std::fs::write(&script, "#!/bin/bash\n").unwrap();
    specwork(ws.path())
        .args(["deliverable", "add", "1014", "nas-health-check.sh"])
        .args(["--purpose", "Monitor NAS connectivity and performance", "--by", "Claude + User"])
        .assert()
        .success();
    assert_eq!(read(&script), block);
}

#[test]
fn in_a_session_the_event_goes_to_the_journal_and_its_timeline_entry() {
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["start-session", "nas-1", "spec", "1014"]).assert().success();
    let v = json(specwork(root).args([
        "deliverable",
        "add",
        "1014",
        "nas-health-check.sh",
        "--purpose",
        "Monitor NAS connectivity and performance",
        "--title",
        "Health Monitoring",
    ]));
    assert_eq!(v["timeline"], "specs/1000/1001/1014.context.md");
    let ctx = read(root.join(SPEC_DIR).join("1014.context.md"));
    assert!(!ctx.contains("Changes outside a session"), "{ctx}");
    let block = &ctx[ctx.find("<!-- specwork:session nas-1.").expect("a generated session entry")..];
    assert!(block.contains("### Session 2: 2025-08-26 - "), "{block}");
    assert!(
        block.contains(
            "#### Implementation\n- Created [[deliverables/scripts/nas-health-check.sh|Health Monitoring]]\n"
        ),
        "{block}"
    );
    let journals: Vec<_> = std::fs::read_dir(root.join("docs/sessions/.current")).unwrap().flatten().collect();
    assert_eq!(journals.len(), 1);
    let journal = read(journals[0].path());
    assert!(
        journal.contains("\"note\"")
            && journal.contains("Created [[deliverables/scripts/nas-health-check.sh|Health Monitoring]]"),
        "{journal}"
    );
    // The timeline is derived from the journal: a rebuild gives the same bytes.
    specwork(root).arg("rebuild").assert().success();
    assert_eq!(read(root.join(SPEC_DIR).join("1014.context.md")), ctx);
}

#[test]
fn registering_an_existing_file_inserts_the_header_after_the_shebang_only() {
    let ws = demo_copy();
    let dir = ws.path().join(SPEC_DIR).join("deliverables/scripts");
    let body = "#!/bin/bash\nset -euo pipefail\nfor d in hot warm cold; do mkdir -p \"/mnt/cold/$d\"; done\n";
    std::fs::write(dir.join("directory-setup.sh"), body).unwrap();
    // A path relative to the current directory works too.
    let v = json(specwork(&dir).args([
        "deliverable",
        "add",
        "1014",
        "directory-setup.sh",
        "--purpose",
        "Create directory structure",
    ]));
    assert_eq!(v["created"], false);
    assert_eq!(v["header_added"], true);
    assert_eq!(
        read(dir.join("directory-setup.sh")),
        "#!/bin/bash\n# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: Create directory structure\n# Created: 2025-08-26\nset -euo pipefail\nfor d in hot warm cold; do mkdir -p \"/mnt/cold/$d\"; done\n"
    );
    let ctx = read(ws.path().join(SPEC_DIR).join("1014.context.md"));
    assert!(ctx.contains("- Registered [[deliverables/scripts/directory-setup.sh|Create directory structure]]\n"));
}

#[test]
fn each_language_gets_its_own_comment_syntax() {
    let ws = demo_copy();
    let cases = [
        ("nas-setup-guide.md", "doc", "---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\n"),
        ("check.py", "script", "#!/usr/bin/env python3\n# Generated from: specs/1000/1001/1014.spec.md\n"),
        ("probe.rs", "script", "// Generated from: specs/1000/1001/1014.spec.md\n"),
        ("archive.sql", "script", "-- Generated from: specs/1000/1001/1014.spec.md\n"),
        ("mount.lua", "script", "-- Generated from: specs/1000/1001/1014.spec.md\n"),
        ("nfs.toml", "config", "# Generated from: specs/1000/1001/1014.spec.md\n"),
        ("nfs.yaml", "config", "# Generated from: specs/1000/1001/1014.spec.md\n"),
        ("report.html", "doc", "<!-- Generated from: specs/1000/1001/1014.spec.md -->\n"),
    ];
    for (name, kind, start) in cases {
        let v = json(specwork(ws.path()).args(["deliverable", "add", "1014", name, "--kind", kind, "--purpose", "P"]));
        let dir = match kind {
            "doc" => "docs",
            "script" => "scripts",
            _ => "config",
        };
        let text = read(ws.path().join(SPEC_DIR).join("deliverables").join(dir).join(name));
        assert!(text.starts_with(start), "{name}: {text}");
        assert_eq!(v["header_file"], format!("specs/1000/1001/deliverables/{dir}/{name}"));
    }
    // JSON has no comments: the header goes to a sibling .meta file.
    let v = json(specwork(ws.path()).args([
        "deliverable",
        "add",
        "1014",
        "mounts.json",
        "--kind",
        "config",
        "--purpose",
        "Mount table",
        "--target",
        "/etc/nas/mounts.json",
    ]));
    assert_eq!(v["header_file"], "specs/1000/1001/deliverables/config/mounts.json.meta");
    let cfg = ws.path().join(SPEC_DIR).join("deliverables/config");
    assert_eq!(read(cfg.join("mounts.json")), "{}\n");
    assert_eq!(
        read(cfg.join("mounts.json.meta")),
        "Generated from: specs/1000/1001/1014.spec.md\nContext: specs/1000/1001/1014.context.md\nPurpose: Mount table\nCreated: 2025-08-26\nTarget: /etc/nas/mounts.json\n"
    );
    // The Markdown doc carries its header as front matter properties that Obsidian shows and
    // follows (links relative to the file), then its title; it sits in a new ### Documentation
    // subsection between Scripts and Configuration.
    let guide = read(ws.path().join(SPEC_DIR).join("deliverables/docs/nas-setup-guide.md"));
    assert_eq!(
        guide,
        "---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\ncontext: \"[[../../1014.context]]\"\npurpose: \"P\"\ncreated: \"2025-08-26\"\n---\n# P\n"
    );
    let spec = read(ws.path().join(SPEC_DIR).join("1014.spec.md"));
    let scripts = spec.find("### Scripts").unwrap();
    let docs = spec.find("### Documentation\n- [[deliverables/docs/nas-setup-guide|P]]\n").unwrap();
    let config = spec.find("### Configuration").unwrap();
    assert!(scripts < docs && docs < config, "{spec}");
    // Every link written resolves.
    let (out, _) = run_code(specwork(ws.path()).args(["check", "--json"]), 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]));
}

#[test]
fn bad_requests_are_refused_with_hints() {
    let ws = demo_copy();
    let cases: [(&[&str], &str); 6] = [
        (&["x.sh", "--purpose", "P", "--target", "/etc/x"], "only configuration files have a deploy target"),
        (&["../../../../../../../../escape.sh", "--purpose", "P"], "climbs out of the workspace"),
        (&["x.sh"], "needs a purpose"),
        (
            &["deliverables/docs/x.sh", "--kind", "script", "--purpose", "P"],
            "is in deliverables/docs/ but the kind asked for is script",
        ),
        (&["README.md", "--purpose", "P"], "is not in specs/1000/1001/deliverables/"),
        (&["bad|name.sh", "--purpose", "P"], "would not work in a wiki link"),
    ];
    std::fs::write(ws.path().join("README.md"), "# readme\n").unwrap();
    for (args, msg) in cases {
        let (_, err) = run_code(specwork(ws.path()).args(["deliverable", "add", "1014"]).args(args), 2);
        assert!(err.contains(msg), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{err}");
    }
    let (_, err) = run_code(specwork(ws.path()).args(["deliverable", "add", "1014", "README.md", "--purpose", "P"]), 2);
    // Not tracked by git: a plain move; tracked: through git.
    assert!(err.contains("`mv README.md specs/1000/1001/deliverables/docs/README.md`"), "{err}");
    if has_git() {
        git(ws.path(), &["init", "-q"]);
        git(ws.path(), &["add", "README.md"]);
        let (_, err) =
            run_code(specwork(ws.path()).args(["deliverable", "add", "1014", "README.md", "--purpose", "P"]), 2);
        assert!(err.contains("`git mv README.md specs/1000/1001/deliverables/docs/README.md`"), "{err}");
        std::fs::remove_dir_all(ws.path().join(".git")).unwrap();
    }
    // A file generated from another spec is not taken over.
    let other = ws.path().join(SPEC_DIR).join("deliverables/scripts/other.sh");
    std::fs::write(&other, "# Generated from: specs/3000/3001/spec.md\necho\n").unwrap();
    let (_, err) = run_code(specwork(ws.path()).args(["deliverable", "add", "1014", "other.sh"]), 2);
    assert!(err.contains("was generated from specs/3000/3001/spec.md"), "{err}");
    // Nothing was written by the refused requests.
    assert!(!ws.path().join(SPEC_DIR).join("deliverables/scripts/x.sh").exists());
    assert_eq!(
        read(ws.path().join(SPEC_DIR).join("1014.spec.md")),
        read(demo_dir().join(SPEC_DIR).join("1014.spec.md"))
    );
}

#[test]
fn named_specs_keep_deliverables_in_their_folder_and_list_them_in_tasks_md() {
    let ws = demo_copy();
    let tasks = ws.path().join(".spec-workflow/specs/invoice-management/tasks.md");
    let before = read(&tasks);
    let v = json(specwork(ws.path()).args([
        "deliverable",
        "add",
        "invoice-management",
        "api.md",
        "--purpose",
        "Invoice API reference",
    ]));
    assert_eq!(v["path"], ".spec-workflow/specs/invoice-management/deliverables/docs/api.md");
    assert_eq!(v["spec_file"], ".spec-workflow/specs/invoice-management/tasks.md");
    assert_eq!(v["timeline"], Value::Null);
    assert_eq!(
        read(&tasks),
        format!("{before}\n## Deliverables\n\n### Documentation\n- [[deliverables/docs/api|Invoice API reference]]\n")
    );
    // The task list is unchanged, and status counts the document.
    let st = json(specwork(ws.path()).args(["status", "invoice-management"]));
    assert_eq!(st["tasks"]["total"], 5);
    assert_eq!(st["deliverables"]["docs"].as_array().unwrap().len(), 1);
    run_code(specwork(ws.path()).arg("check"), 0);
}

#[test]
fn deliverables_report_computes_every_figure() {
    let ws = demo_copy();
    let root = ws.path();
    let scripts = root.join(SPEC_DIR).join("deliverables/scripts");
    std::fs::write(
        scripts.join("nas-health-check.sh"),
        "#!/bin/bash\nset -euo pipefail\n\n# Is the NFS port open?\nnc -z -w 5 192.168.1.101 2049\n# Write speed.\ndd if=/dev/zero of=/mnt/cold/.probe bs=1M count=64 2>&1 | tail -n 1\n",
    )
    .unwrap();
    specwork(root)
        .args(["deliverable", "add", "1014", "nas-health-check.sh", "--purpose", "Health monitoring"])
        .assert()
        .success();
    // A 120-line, 700-word guide: max(⌈120/50⌉, ⌈700/300⌉) = 3 pages.
    let guide: String =
        (0..120).map(|i| if i < 70 { "ten words of text in this line of the guide here\n" } else { "\n" }).collect();
    let docs = root.join(SPEC_DIR).join("deliverables/docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("nas-setup-guide.md"), format!("---\nreviewed: 2025-08-27\n---\n{guide}")).unwrap();
    specwork(root)
        .args(["deliverable", "add", "1014", "nas-setup-guide.md", "--purpose", "Setup instructions"])
        .assert()
        .success();
    // Tests: one for the health check, one integration test using the fstab entry.
    std::fs::create_dir_all(root.join("tests/integration")).unwrap();
    std::fs::write(root.join("tests/nas-health-check.bats"), "@test \"ok\" { run nas-health-check.sh; }\n").unwrap();
    std::fs::write(
        root.join("tests/integration/mount_test.sh"),
        "grep -q cold specs/1000/1001/deliverables/config/fstab.nas\n",
    )
    .unwrap();
    // An Integration Points section in the spec takes precedence over backlinks.
    let spec = root.join(SPEC_DIR).join("1014.spec.md");
    let mut text = read(&spec);
    text.push_str("\n## Integration Points\n- Storage Manager Service → Uses all scripts\n- Monitoring System → Uses health-check.sh\n");
    std::fs::write(&spec, text).unwrap();

    let v = json(specwork(root).args(["deliverables", "1014"]));
    let scripts = v["scripts"].as_array().unwrap();
    assert_eq!(scripts.len(), 2);
    let hc = scripts.iter().find(|s| s["file"] == "nas-health-check.sh").unwrap();
    assert_eq!(hc["dependencies"], serde_json::json!(["nc", "dd", "tail"]));
    assert_eq!(hc["tests"], serde_json::json!(["tests/nas-health-check.bats"]));
    let size = std::fs::metadata(root.join(SPEC_DIR).join("deliverables/scripts/nas-health-check.sh")).unwrap().len();
    assert_eq!(hc["size_bytes"], size);
    let on = scripts.iter().find(|s| s["file"] == "optimize-network.sh").unwrap();
    assert_eq!(on["dependencies"], serde_json::json!(["sysctl"]));
    assert_eq!(on["size"], "428B");
    let doc = &v["docs"][0];
    assert_eq!(doc["format"], "Markdown");
    assert_eq!(doc["pages"], 3);
    assert_eq!(doc["reviewed"], "2025-08-27");
    assert_eq!(v["config"][0]["target"], "/etc/fstab");
    assert_eq!(v["config"][1]["target"], "/etc/sysctl.d/");

    // Usage by other specs, from their links (the parent area 1001 is the tree, not usage).
    let used: Vec<&str> = v["used_by"].as_array().unwrap().iter().map(|u| u["spec"].as_str().unwrap()).collect();
    assert_eq!(used, ["3001", "4005", "9001"]);
    assert_eq!(v["used_by"][0]["link"], "../../3000/3001/spec");
    assert_eq!(v["used_by"][0]["uses"][0]["uses"], "nas-health-check.sh");
    assert_eq!(v["used_by"][0]["uses"][0]["purpose"], "Ensure storage is available before writing");
    assert_eq!(v["integration_points_source"], "section");
    assert_eq!(v["integration_points"][0]["name"], "Storage Manager Service");
    assert_eq!(v["integration_points"][0]["uses"], "all scripts");

    // Code statistics add up, per language and per kind.
    let c = &v["code_stats"];
    let langs = c["languages"].as_array().unwrap();
    let sum = |k: &str| langs.iter().map(|l| l[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(c["total_lines"].as_u64().unwrap(), sum("lines"));
    assert_eq!(c["comments"].as_u64().unwrap(), sum("comments"));
    assert_eq!(c["blanks"].as_u64().unwrap(), sum("blanks"));
    assert_eq!(
        c["total_lines"].as_u64().unwrap(),
        c["script_lines"].as_u64().unwrap() + c["doc_lines"].as_u64().unwrap() + c["config_lines"].as_u64().unwrap()
    );
    let shell = langs.iter().find(|l| l["language"] == "Shell").unwrap();
    // optimize-network.sh: 12 lines; nas-health-check.sh: 7 + 4 header lines; one blank each.
    assert_eq!(shell["files"], 2);
    assert_eq!(shell["lines"], 12 + 11);
    assert_eq!(shell["blanks"], 2);

    let q = &v["quality"];
    assert_eq!(q["scripts_tested"], serde_json::json!({"n": 1, "of": 2}));
    assert_eq!(q["docs_reviewed"], serde_json::json!({"n": 1, "of": 1}));
    assert_eq!(q["integration_tests"], serde_json::json!(["tests/integration/mount_test.sh"]));
    assert_eq!(q["integration_covered"], serde_json::json!({"n": 1, "of": 5}));

    // The text report is the seed's.
    let (out, _) = run_code(specwork(root).args(["deliverables", "1014"]), 0);
    assert!(out.starts_with("# Deliverables Report: Spec 1014\n\n## Created Artifacts\n\n### Scripts (2)\n"), "{out}");
    assert!(out.contains("| nas-health-check.sh | Health monitoring | "), "{out}");
    assert!(out.contains("| nc, dd, tail |"), "{out}");
    assert!(out.contains("| nas-setup-guide.md | Setup instructions | Markdown | 3 |"), "{out}");
    assert!(out.contains("| fstab.nas | NFS mount entry | /etc/fstab |"), "{out}");
    assert!(out.contains("### Direct Dependencies (3)\n- [[../../3000/3001/spec|3001 - Market Data Collection]]\n  - Uses: nas-health-check.sh\n  - Purpose: Ensure storage is available before writing\n"), "{out}");
    assert!(out.contains("- Storage Manager Service → Uses all scripts\n"), "{out}");
    assert!(out.contains("- Scripts tested: 1/2 ❌\n- Documentation reviewed: 1/1 ✅\n"), "{out}");
}

#[test]
fn demo_links_all_resolve() {
    let (out, _) = run_code(specwork(&demo_dir()).args(["check", "--json"]), 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]), "{out}");
    assert!(v["links_checked"].as_u64().unwrap() >= 20);
    assert_eq!(v["deliverables_checked"], 3);
}

#[test]
fn check_finds_every_kind_of_problem_and_fixes_the_safe_ones() {
    let ws = demo_copy();
    let root = ws.path();
    let d = root.join(SPEC_DIR);
    // A broken link, an ambiguous bare name, a link to a file that moved.
    std::fs::create_dir_all(root.join("notes")).unwrap();
    std::fs::write(
        root.join("notes/review.md"),
        "# Review\n\nSee [[missing-note]] and [[spec]].\nThe [setup](../specs/1000/1001/deliverables/docs/Setup%20Guide.md) and [[../specs/old/fstab.nas|fstab]].\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("deliverables/docs")).unwrap();
    // The guide exists elsewhere now (moved), without a header and unlinked from its spec.
    std::fs::create_dir_all(root.join("docs/guides")).unwrap();
    std::fs::write(root.join("docs/guides/Setup Guide.md"), "# Setup\n").unwrap();
    // An orphan deliverable with a header naming its spec; one without header, linked.
    std::fs::write(
        d.join("deliverables/scripts/benchmark.sh"),
        "#!/bin/bash\n# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: Performance testing\n# Created: 2025-08-27\ntime dd if=/dev/zero of=/mnt/cold/x bs=1M count=10\n",
    )
    .unwrap();
    std::fs::write(d.join("deliverables/config/exports.nas"), "/storage 192.168.1.0/24(rw)\n").unwrap();
    let spec = d.join("1014.spec.md");
    let mut text = read(&spec);
    text.push_str("- [[deliverables/config/exports.nas|NFS Exports]]\n");
    std::fs::write(&spec, &text).unwrap();
    // A `deliverables/` folder that belongs to no spec is the user's code: not checked.
    std::fs::create_dir_all(root.join("src/deliverables")).unwrap();
    std::fs::write(root.join("src/deliverables/mod.rs"), "pub fn f() {}\n").unwrap();
    // A broken approval record.
    std::fs::create_dir_all(root.join(".spec-workflow/approvals/invoice-management")).unwrap();
    std::fs::write(root.join(".spec-workflow/approvals/invoice-management/approval_1.json"), "{ not json").unwrap();
    // A duplicate task id.
    let tasks = root.join(".spec-workflow/specs/appointment-booking/tasks.md");
    let mut t = read(&tasks);
    t.push_str("- [ ] 1.4 Duplicate\n");
    std::fs::write(&tasks, t).unwrap();

    let (out, _) = run_code(specwork(root).args(["check", "--json"]), 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    let problems = v["problems"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> =
        problems.iter().map(|p| (p["kind"].as_str().unwrap(), p["file"].as_str().unwrap())).collect();
    for expected in [
        ("broken-link", "notes/review.md"),
        ("ambiguous-link", "notes/review.md"),
        ("moved-file", "notes/review.md"),
        ("orphan-deliverable", "specs/1000/1001/deliverables/scripts/benchmark.sh"),
        ("missing-header", "specs/1000/1001/deliverables/config/exports.nas"),
        ("task-grammar", ".spec-workflow/specs/appointment-booking/tasks.md"),
        ("approval", ".spec-workflow/approvals/invoice-management/approval_1.json"),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} not in {kinds:?}");
    }
    assert!(!out.contains("src/deliverables"), "{out}");
    let broken = problems.iter().find(|p| p["kind"] == "broken-link").unwrap();
    assert_eq!(broken["line"], 3);
    assert_eq!(broken["target"], "missing-note");
    for key in ["kind", "severity", "file", "line", "target", "message", "hint", "fixable", "fixed"] {
        assert!(broken.get(key).is_some(), "problem has no `{key}`");
    }
    let ambiguous = problems.iter().find(|p| p["kind"] == "ambiguous-link").unwrap();
    assert!(ambiguous["message"].as_str().unwrap().contains("specs/1000/spec.md"));
    // The old fstab path: its name exists once, at the real place.
    let moved: Vec<&Value> = problems.iter().filter(|p| p["kind"] == "moved-file").collect();
    assert_eq!(moved.len(), 2, "{moved:?}");

    // --fix repairs the moved links, the header and the orphan; the rest stays reported.
    let (out, _) = run_code(specwork(root).args(["check", "--fix", "--json"]), 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fixed"], 4, "{out}");
    let review = read(root.join("notes/review.md"));
    assert_eq!(
        review,
        "# Review\n\nSee [[missing-note]] and [[spec]].\nThe [setup](../docs/guides/Setup%20Guide.md) and [[../specs/1000/1001/deliverables/config/fstab.nas|fstab]].\n"
    );
    let exports = read(d.join("deliverables/config/exports.nas"));
    assert!(exports.starts_with("# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: NFS Exports\n# Created: "), "{exports}");
    assert!(exports.ends_with("/storage 192.168.1.0/24(rw)\n"));
    let spec_after = read(&spec);
    assert!(spec_after.contains("- [[deliverables/scripts/benchmark.sh|Performance testing]]\n"), "{spec_after}");

    let (out, _) = run_code(specwork(root).args(["check", "--json"]), 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    let left: Vec<&str> = v["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(left, ["approval", "task-grammar", "broken-link", "ambiguous-link"], "{out}");
    // The text report names file:line, kind and hint.
    let (text, _) = run_code(specwork(root).arg("check"), 4);
    assert!(
        text.contains("notes/review.md:3: broken-link: `missing-note` does not resolve to any file\n  hint: "),
        "{text}"
    );
    assert!(text.ends_with("4 problems\n"), "{text}");
}

// ── git ──────────────────────────────────────────────────────────────────────────────────────

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_AUTHOR_DATE", "2025-08-26T15:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-08-26T15:00:00Z")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has_git() -> bool {
    std::process::Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// A git repository holding a copy of the demo workspace, one commit in.
fn demo_repo() -> tempfile::TempDir {
    let ws = demo_copy();
    git(ws.path(), &["init", "-q", "-b", "main"]);
    git(ws.path(), &["config", "user.name", "Test User"]);
    git(ws.path(), &["config", "user.email", "test@example.com"]);
    git(ws.path(), &["add", "."]);
    git(ws.path(), &["commit", "-q", "-m", "Import the demo workspace"]);
    ws
}

#[test]
fn commit_adds_trailers_and_status_reads_the_last_commit_from_git() {
    if !has_git() {
        return need::skip(Need::Real, "git is not installed");
    }
    let ws = demo_repo();
    let root = ws.path();
    // Before: no linked commit in git, so the timeline's last one.
    let st = json(specwork(root).args(["status", "1014"]));
    assert_eq!(st["last_commit"]["hash"], "d4e5f6a");

    let d = root.join(SPEC_DIR).join("deliverables/scripts");
    std::fs::write(d.join("directory-setup.sh"), "#!/bin/bash\nmkdir -p /mnt/cold/hot\n").unwrap();
    git(root, &["add", "."]);
    let v = json(specwork(root).args(["commit", "-m", "Add directory setup script", "--spec", "1014", "--task", "4"]));
    assert_eq!(v["subject"], "Add directory setup script");
    assert_eq!(v["trailers"], serde_json::json!(["Spec: 1014", "Task: 4"]));
    assert_eq!(v["timeline"], "specs/1000/1001/1014.context.md");
    let short = v["short"].as_str().unwrap().to_owned();
    let body = git(root, &["log", "-1", "--format=%B"]);
    assert_eq!(body.trim_end(), "Add directory setup script\n\nSpec: 1014\nTask: 4");
    let trailers = git(root, &["log", "-1", "--format=%(trailers:key=Spec,valueonly)|%(trailers:key=Task,valueonly)"]);
    assert_eq!(trailers.trim_end(), "1014\n|4");
    // The timeline lists the commit, and that record travels in the commit itself: nothing is
    // left modified (a commit cannot name its own hash; git and `status` give it).
    let ctx = read(root.join(SPEC_DIR).join("1014.context.md"));
    assert!(ctx.ends_with("#### Commits\n- Add directory setup script\n"), "{ctx}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    let files = git(root, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.contains("specs/1000/1001/1014.context.md\n"), "{files}");
    let _ = short.clone();

    let st = json(specwork(root).args(["status", "1014"]));
    assert_eq!(st["last_commit"], serde_json::json!({"hash": short, "subject": "Add directory setup script"}));

    // An id in the message links too; a number that merely contains the id does not.
    std::fs::write(root.join("notes.txt"), "w").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Record timeline for 1014"]);
    std::fs::write(root.join("notes.txt"), "x").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Bump buffer to 10140 bytes"]);
    let st = json(specwork(root).args(["status", "1014"]));
    assert_eq!(st["last_commit"]["subject"], "Record timeline for 1014");
    // A spec no commit names falls back to nothing (3001 has no timeline).
    let st = json(specwork(root).args(["status", "3001"]));
    assert_eq!(st["last_commit"], Value::Null);
    // Named specs work the same way.
    std::fs::write(root.join("notes.txt"), "y").unwrap();
    let v =
        json(specwork(root).args(["commit", "-a", "-m", "Numbering", "--spec", "invoice-management", "--task", "1.2"]));
    assert_eq!(v["timeline"], Value::Null);
    let st = json(specwork(root).args(["status", "invoice-management"]));
    assert_eq!(st["last_commit"]["subject"], "Numbering");
}

#[test]
fn a_commit_in_a_session_is_a_journal_event() {
    if !has_git() {
        return;
    }
    let ws = demo_repo();
    let root = ws.path();
    specwork(root).args(["start-session", "nas-2", "spec", "1014"]).assert().success();
    std::fs::write(root.join(SPEC_DIR).join("deliverables/scripts/benchmark.sh"), "dd if=/dev/zero of=x\n").unwrap();
    git(root, &["add", "."]);
    let v = json(specwork(root).args(["commit", "-m", "Benchmark", "--spec", "1014", "--task", "5"]));
    let short = v["short"].as_str().unwrap();
    // The session's journal event and timeline entry are in the commit they record: the work
    // tree is clean after it.
    let journal = std::fs::read_dir(root.join("docs/sessions/.current")).unwrap().flatten().next().unwrap().path();
    let text = read(&journal);
    assert!(
        text.contains("\"event\":\"commit\",\"hash\":\"\",\"subject\":\"Benchmark\"")
            && text.contains("\"task\":\"5\""),
        "{text}"
    );
    let ctx = read(root.join(SPEC_DIR).join("1014.context.md"));
    assert!(ctx.contains("#### Commits\n- Benchmark\n<!-- /specwork:session -->"), "{ctx}");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    let files = git(root, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(files.contains("docs/sessions/.current/") && files.contains("1014.context.md"), "{files}");
    // Once the session has seen it made (here: its end), the hash shows.
    specwork(root).args(["end-session"]).assert().success();
    let ctx = read(root.join(SPEC_DIR).join("1014.context.md"));
    assert!(ctx.contains(&format!("#### Commits\n- `{short}`: Benchmark\n<!-- /specwork:session -->")), "{ctx}");

    // A commit git refuses (a hook) leaves no record behind, staged or not.
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Session end"]);
    std::fs::write(root.join(".git/hooks/pre-commit"), "#!/bin/sh\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join(".git/hooks/pre-commit"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(root.join("notes.txt"), "z").unwrap();
    git(root, &["add", "notes.txt"]);
    let before = read(root.join(SPEC_DIR).join("1014.context.md"));
    let (_, err) = run_code(specwork(root).args(["commit", "-m", "Refused", "--spec", "1014"]), 1);
    assert!(err.contains("git commit failed"), "{err}");
    assert_eq!(read(root.join(SPEC_DIR).join("1014.context.md")), before);
    assert_eq!(git(root, &["status", "--porcelain"]), "A  notes.txt\n");
}

#[test]
fn commit_refuses_unknown_tasks_and_missing_repositories() {
    if !has_git() {
        return;
    }
    let plain = demo_copy();
    let (_, err) = run_code(specwork(plain.path()).args(["commit", "-m", "x", "--spec", "1014"]), 2);
    assert!(err.contains("is not in a git repository") && err.contains("hint: run `git init`"), "{err}");
    let ws = demo_repo();
    let (_, err) = run_code(specwork(ws.path()).args(["commit", "-m", "x", "--spec", "1014", "--task", "99"]), 2);
    assert!(err.contains("no task `99` in spec 1014"), "{err}");
    let (_, err) = run_code(specwork(ws.path()).args(["commit", "-m", "x", "--task", "1"]), 2);
    assert!(err.contains("--spec"), "{err}");
    // Nothing staged: git's refusal comes through with a hint.
    let (_, err) = run_code(specwork(ws.path()).args(["commit", "-m", "x", "--spec", "1014"]), 1);
    assert!(err.contains("hint: stage changes with `git add`, or pass --all"), "{err}");
}

#[test]
fn check_fix_dates_a_header_from_git() {
    if !has_git() {
        return;
    }
    let ws = demo_repo();
    let root = ws.path();
    let f = root.join(SPEC_DIR).join("deliverables/config/exports.nas");
    std::fs::write(&f, "/storage *(rw)\n").unwrap();
    let spec = root.join(SPEC_DIR).join("1014.spec.md");
    let mut text = read(&spec);
    text.push_str("- [[deliverables/config/exports.nas|NFS Exports]]\n");
    std::fs::write(&spec, text).unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Add exports"]);
    run_code(specwork(root).args(["check", "--fix"]), 0);
    assert!(read(&f).contains("# Created: 2025-08-26\n"));
}

/// `eod` writes PROGRESS.md with wiki links in table cells (`[[…\|alias]]`): `check` reads them as
/// Obsidian does. A link in text specwork generates from the journals is not "fixed" in place
/// (rebuild would put it back): check says where it comes from instead.
#[test]
fn check_reads_table_links_and_leaves_generated_text_to_its_source() {
    let ws = demo_copy();
    let root = ws.path();
    specwork(root).args(["start-session", "nas-1", "spec", "1014"]).assert().success();
    specwork(root)
        .args(["deliverable", "add", "1014", "nas-health-check.sh", "--purpose", "Monitor the NAS"])
        .assert()
        .success();
    specwork(root).args(["end-session"]).assert().success();
    specwork(root).args(["eod"]).assert().success();
    let progress = read(root.join("docs/PROGRESS.md"));
    assert!(progress.contains("\\|"), "PROGRESS.md has table links: {progress}");
    let v: Value = serde_json::from_str(&run_code(specwork(root).args(["check", "--json"]), 0).0).unwrap();
    assert_eq!(v["problems"], serde_json::json!([]), "{v}");

    // The script moves; the spec's own link is the user's text, the timeline's is generated.
    let d = root.join(SPEC_DIR);
    std::fs::create_dir_all(root.join("tools")).unwrap();
    std::fs::rename(d.join("deliverables/scripts/nas-health-check.sh"), root.join("tools/nas-health-check.sh"))
        .unwrap();
    let ctx_before = read(d.join("1014.context.md"));
    let (out, _) = run_code(specwork(root).args(["check", "--fix", "--json"]), 4);
    let v: Value = serde_json::from_str(&out).unwrap();
    let moved: Vec<&Value> = v["problems"].as_array().unwrap().iter().filter(|p| p["kind"] == "moved-file").collect();
    let in_spec = moved.iter().find(|p| p["file"] == "specs/1000/1001/1014.spec.md").expect("the spec's link");
    assert_eq!(in_spec["fixed"], true, "{in_spec}");
    let in_ctx = moved.iter().find(|p| p["file"] == "specs/1000/1001/1014.context.md").expect("the timeline's link");
    assert_eq!(in_ctx["fixed"], false, "{in_ctx}");
    assert_eq!(in_ctx["fixable"], false, "{in_ctx}");
    assert!(in_ctx["hint"].as_str().unwrap().contains("generated from a session journal"), "{in_ctx}");
    assert_eq!(read(d.join("1014.context.md")), ctx_before, "a generated line is not edited");
    assert!(read(d.join("1014.spec.md")).contains("../../../tools/nas-health-check.sh"));
}

#[test]
fn commit_all_with_a_spec_takes_the_deliverable_just_registered() {
    if !has_git() {
        return need::skip(Need::Real, "git is not installed");
    }
    let ws = demo_repo();
    let root = ws.path();
    let script = root.join(SPEC_DIR).join("deliverables/scripts/directory-setup.sh");
    std::fs::write(&script, "#!/bin/bash\nmkdir -p /mnt/cold/hot\n").unwrap();
    specwork(root)
        .args([
            "deliverable",
            "add",
            "1014",
            "deliverables/scripts/directory-setup.sh",
            "--purpose",
            "Create the data layout",
        ])
        .assert()
        .success();
    // An unrelated untracked file stays out, as with `git commit -a`.
    std::fs::write(root.join("scratch.txt"), "x").unwrap();
    let v = json(specwork(root).args(["commit", "-a", "-m", "Directory setup", "--spec", "1014", "--task", "4"]));
    let files = git(root, &["show", "--name-only", "--format=", "HEAD"]);
    let files: Vec<&str> = files.lines().collect();
    assert!(files.contains(&"specs/1000/1001/deliverables/scripts/directory-setup.sh"), "{files:?}");
    assert!(files.contains(&"specs/1000/1001/1014.spec.md"), "the link the registration added: {files:?}");
    assert!(!files.contains(&"scratch.txt"), "{files:?}");
    let staged: Vec<&str> = v["staged"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(staged.contains(&"specs/1000/1001/deliverables"), "{v}");
    // Without --all nothing is staged for the person.
    std::fs::write(root.join(SPEC_DIR).join("deliverables/scripts/other.sh"), "echo\n").unwrap();
    let (_, err) = run_code(specwork(root).args(["commit", "-m", "x", "--spec", "1014"]), 1);
    assert!(err.contains("hint: stage changes with `git add`, or pass --all"), "{err}");
}

#[test]
fn markdown_deliverables_link_back_through_front_matter_and_check_keeps_the_links_true() {
    let ws = demo_copy();
    let root = ws.path();
    json(specwork(root).args(["deliverable", "add", "1014", "guide.md", "--purpose", "NAS setup guide"]));
    let docs = root.join(SPEC_DIR).join("deliverables/docs");
    let guide = read(docs.join("guide.md"));
    assert!(guide.starts_with("---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\n"), "{guide}");
    // The deliverables report reads the purpose back from the properties.
    let (out, _) = run_code(specwork(root).args(["deliverables", "1014"]), 0);
    assert!(out.contains("| guide.md | NAS setup guide | Markdown |"), "{out}");

    // Moved one folder down, the file's relative links no longer lead to the spec: check says
    // so, and --fix rewrites the properties (and the spec's list) to the new place.
    std::fs::create_dir_all(docs.join("old")).unwrap();
    std::fs::rename(docs.join("guide.md"), docs.join("old/guide.md")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&run_code(specwork(root).args(["check", "--json"]), 4).0).unwrap();
    let header = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["file"] == "specs/1000/1001/deliverables/docs/old/guide.md" && p["kind"] == "moved-file")
        .collect::<Vec<_>>();
    assert_eq!(header.len(), 2, "{v:#}");
    assert_eq!(header[0]["line"], 2, "{v:#}");
    assert_eq!(header[0]["target"], "../../1014.spec");
    run_code(specwork(root).args(["check", "--fix", "--json"]), 0);
    let moved = read(docs.join("old/guide.md"));
    assert!(
        moved.starts_with(
            "---\nspec: \"[[../../../1014.spec|1014 - Cold Storage NAS]]\"\ncontext: \"[[../../../1014.context]]\"\n"
        ),
        "{moved}"
    );
    let v = json(specwork(root).arg("check"));
    assert_eq!(v["problems"], serde_json::json!([]), "{v:#}");
}
