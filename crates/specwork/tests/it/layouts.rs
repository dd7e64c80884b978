//! Every layout in one workspace (imports built from the real-spec corpus), `specwork init`, and
//! `specwork spec new` for numbered and named specs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// The real-spec corpus, or `None` (skipped, or failed under `SPECWORK_REQUIRE_SHARED=1`) when
/// this checkout has no `../shared`.
fn corpus() -> Option<PathBuf> {
    need::shared("corpus/real-specs")
}

/// Copies the corpus file `{kind}/{prefix}{name}` to `to` in the workspace.
fn place(corpus: &Path, kind: &str, prefix: &str, name: &str, ws: &Path, to: &str) {
    let from = corpus.join(kind).join(format!("{prefix}{name}"));
    let to = ws.join(to);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
}

/// Every file under `dir` with its bytes.
fn snapshot_tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.insert(p.strip_prefix(dir).unwrap().join(""), Vec::new());
                stack.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().to_owned(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = specwork(dir).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn spec<'a>(portfolio: &'a Value, id: &str) -> &'a Value {
    portfolio["specs"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("spec {id}"))
}

#[test]
fn imports_read_side_by_side_with_numbered_and_spec_workflow_specs() {
    let Some(c) = corpus() else { return };
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    run_ok(ws, &["init"]);
    run_ok(ws, &["spec", "new", "1000", "--area", "--title", "Infrastructure"]);
    run_ok(ws, &["spec", "new", "1014", "--parent", "1000", "--title", "Cold Storage NAS"]);
    let kiro = "Homas__RpiDNS__.kiro__specs__rpz-feeds-management__";
    place(&c, "kiro", kiro, "requirements.md", ws, ".kiro/specs/rpz-feeds-management/requirements.md");
    place(&c, "kiro", kiro, "tasks.md", ws, ".kiro/specs/rpz-feeds-management/tasks.md");
    let kit = "GoogleCloudPlatform__microservices-demo__specs__009-promo-code-checkout__";
    for f in ["spec.md", "plan.md", "tasks.md"] {
        place(&c, "spec-kit", kit, f, ws, &format!("specs/009-promo-code-checkout/{f}"));
    }
    let os = "AGIBuild__AGI.Kapster__openspec__changes__add-screen-recording__";
    place(&c, "openspec", os, "proposal.md", ws, "openspec/changes/add-screen-recording/proposal.md");
    place(&c, "openspec", os, "tasks.md", ws, "openspec/changes/add-screen-recording/tasks.md");
    let sw = "MichiharuShiba__statevia__.spec-workflow__specs__nodes-output-conditional-routing__";
    place(
        &c,
        "spec-workflow",
        sw,
        "requirements.md",
        ws,
        ".spec-workflow/specs/nodes-output-conditional-routing/requirements.md",
    );
    place(&c, "spec-workflow", sw, "tasks.md", ws, ".spec-workflow/specs/nodes-output-conditional-routing/tasks.md");

    let p = json(specwork(ws).arg("status"));
    let ids: Vec<&str> = p["specs"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    // Numbered tree first, then named specs, then imports (spec-kit, Kiro, OpenSpec).
    assert_eq!(
        ids,
        [
            "1000",
            "1014",
            "nodes-output-conditional-routing",
            "009-promo-code-checkout",
            "rpz-feeds-management",
            "add-screen-recording"
        ]
    );
    let expect = [
        // A new numbered spec holds only the template's placeholder task: not a task yet.
        ("1014", "numbered", false, 0, 0, "specs/1000/1014.spec.md"),
        (
            "nodes-output-conditional-routing",
            "spec-workflow",
            false,
            10,
            10,
            ".spec-workflow/specs/nodes-output-conditional-routing",
        ),
        ("009-promo-code-checkout", "spec-kit", true, 12, 9, "specs/009-promo-code-checkout"),
        ("rpz-feeds-management", "kiro", true, 56, 44, ".kiro/specs/rpz-feeds-management"),
        ("add-screen-recording", "openspec", true, 253, 0, "openspec/changes/add-screen-recording"),
    ];
    for (id, layout, read_only, total, done, path) in expect {
        let s = spec(&p, id);
        assert_eq!(s["layout"], layout, "{id}");
        assert_eq!(s["read_only"], read_only, "{id}");
        assert_eq!((s["tasks"]["total"].as_u64(), s["tasks"]["done"].as_u64()), (Some(total), Some(done)), "{id}");
        assert_eq!(s["path"], path, "{id}");
    }
    assert_eq!(spec(&p, "1014")["parent"], "1000");
    assert_eq!(spec(&p, "009-promo-code-checkout")["title"], "Apply a valid promo code at checkout");
    assert_eq!(spec(&p, "rpz-feeds-management")["next_task"]["id"], "1.3");
    assert_eq!(p["totals"]["total"], 10 + 12 + 56 + 253);
    assert_eq!(p["diagnostics"], serde_json::json!([]));

    // The tree groups them by layout, each import marked read-only.
    let tree = run_ok(ws, &["tree"]);
    let groups: Vec<&str> = tree.lines().filter(|l| !l.starts_with([' ', '│', '├', '└']) && !l.is_empty()).collect();
    assert_eq!(
        groups,
        [
            "specs/",
            ".spec-workflow/specs/",
            "specs/ (spec-kit, read-only)",
            ".kiro/specs/ (read-only)",
            "openspec/changes/ (read-only)"
        ]
    );

    // Imports are never written; the spec-workflow copy of a real file is, byte for byte.
    let kiro_tasks = ws.join(".kiro/specs/rpz-feeds-management/tasks.md");
    let before = std::fs::read(&kiro_tasks).unwrap();
    let out = specwork(ws).args(["task", "set", "rpz-feeds-management", "1.3", "done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: spec `rpz-feeds-management` is a read-only kiro import"), "{err}");
    assert!(err.contains("hint: imports are read-only"), "{err}");
    assert_eq!(std::fs::read(&kiro_tasks).unwrap(), before);

    let sw_tasks = ws.join(".spec-workflow/specs/nodes-output-conditional-routing/tasks.md");
    let before = std::fs::read(&sw_tasks).unwrap();
    run_ok(ws, &["task", "set", "nodes-output-conditional-routing", "T3", "blocked", "--reason", "needs review"]);
    let v = json(specwork(ws).args(["status", "nodes-output-conditional-routing"]));
    assert_eq!(v["blocked"][0]["id"], "T3");
    assert_eq!(v["blocked"][0]["reason"], "needs review");
    run_ok(ws, &["task", "set", "nodes-output-conditional-routing", "T3", "done"]);
    assert_eq!(std::fs::read(&sw_tasks).unwrap(), before, "blocked and back to done: the user's bytes");
}

#[test]
fn init_is_idempotent() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    std::fs::write(ws.join(".gitignore"), "target/").unwrap(); // no final newline
    let first = json(specwork(ws).arg("init"));
    let created: Vec<&str> = first["created"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(
        created,
        [
            "specwork.toml",
            "specs",
            ".spec-workflow/specs",
            "docs/sessions/.current",
            "docs/sessions/daily",
            "docs/sessions/archive",
            ".gitignore (.specwork/ cache)"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(ws.join(".gitignore")).unwrap(),
        "target/\n# specwork caches (derived; safe to delete)\n.specwork/\n"
    );
    let config = std::fs::read_to_string(ws.join("specwork.toml")).unwrap();
    assert!(config.contains("[workspace]") && config.contains("daily_usd = 5.0"));

    let before = snapshot_tree(ws);
    let second = specwork(ws).arg("init").output().unwrap();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("nothing to do: everything was already there"));
    assert_eq!(snapshot_tree(ws), before, "a second init changes nothing");

    // A user's own settings survive a re-run.
    std::fs::write(ws.join("specwork.toml"), "[budget]\ndaily_usd = 2.0\n").unwrap();
    let third = json(specwork(ws).arg("init"));
    assert_eq!(third["created"], serde_json::json!([]));
    assert_eq!(std::fs::read_to_string(ws.join("specwork.toml")).unwrap(), "[budget]\ndaily_usd = 2.0\n");
    // And the workspace it made is one: reports work in it, empty.
    assert_eq!(json(specwork(ws).arg("status"))["specs"], serde_json::json!([]));
}

#[test]
fn spec_new_numbered_in_the_seed_shape() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    run_ok(ws, &["init"]);
    run_ok(ws, &["spec", "new", "1000", "--area", "--title", "Infrastructure"]);
    run_ok(ws, &["spec", "new", "1001", "--parent", "1000", "--area", "--title", "Storage Infrastructure"]);
    let created = json(specwork(ws).args([
        "spec",
        "new",
        "1014",
        "--parent",
        "1001",
        "--title",
        "Cold Storage NAS",
        "--summary",
        "Implementing NAS integration for 28TB cold storage tier with optimized NFS configuration.",
    ]));
    assert_eq!(created["layout"], "numbered");
    assert_eq!(
        created["files"],
        serde_json::json!(["specs/1000/1001/1014.spec.md", "specs/1000/1001/1014.context.md"])
    );
    let dir = ws.join("specs/1000/1001");
    insta::assert_snapshot!("new_numbered_context", std::fs::read_to_string(dir.join("1014.context.md")).unwrap());
    insta::assert_snapshot!("new_numbered_spec", std::fs::read_to_string(dir.join("1014.spec.md")).unwrap());
    insta::assert_snapshot!("new_area_spec", std::fs::read_to_string(dir.join("spec.md")).unwrap());
    // Both ways: the parent lists its child (Obsidian follows these links), and says where.
    assert_eq!(created["linked_from"], "specs/1000/1001/spec.md");
    let top = std::fs::read_to_string(ws.join("specs/1000/spec.md")).unwrap();
    assert!(top.ends_with("## Child Specs\n- [[../1000/1001/spec|1001 - Storage Infrastructure]]\n"), "{top}");
    let checked = json(specwork(ws).arg("check"));
    assert_eq!(checked["problems"], serde_json::json!([]), "{checked:#}");

    let r = json(specwork(ws).args(["status", "1014"]));
    assert_eq!(r["parent"], "1001");
    assert_eq!(r["title"], "Cold Storage NAS");
    assert_eq!(r["status"], "planning");
    assert_eq!(r["docs"]["context"], "specs/1000/1001/1014.context.md");
    assert_eq!(json(specwork(ws).args(["status", "1001"]))["children"], serde_json::json!(["1014"]));

    // Refusals: an existing id, a leaf as parent, a path as id.
    for (args, msg) in [
        (vec!["spec", "new", "1014", "--parent", "1001"], "already exists"),
        (vec!["spec", "new", "1015", "--parent", "1014"], "is not an area"),
        (vec!["spec", "new", "../x"], "invalid spec name"),
        (vec!["spec", "new", "1016", "--parent", "4242"], "no spec `4242`"),
    ] {
        let out = specwork(ws).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg) && err.contains("hint: "), "{args:?}: {err}");
    }
    assert!(!ws.join("specs/1000/1001/1015.spec.md").exists());
}

#[test]
fn spec_new_named_from_templates_with_user_overrides() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    run_ok(ws, &["init"]);
    // Built-in templates: requirements with user stories and EARS criteria.
    run_ok(ws, &["spec", "new", "invoice-management", "--docs", "requirements,design,tasks"]);
    let dir = ws.join(".spec-workflow/specs/invoice-management");
    let req = std::fs::read_to_string(dir.join("requirements.md")).unwrap();
    assert!(req.contains("Invoice Management"), "{req}");
    assert!(req.contains("WHEN") && req.contains("SHALL"), "EARS criteria: {req}");
    assert!(dir.join("design.md").is_file() && dir.join("tasks.md").is_file());
    let v = json(specwork(ws).args(["status", "invoice-management"]));
    assert_eq!(v["layout"], "spec-workflow");
    // The tasks template's placeholders are listed in the file but are not tasks.
    assert_eq!(v["tasks"]["total"], 0, "{v}");
    assert!(std::fs::read_to_string(dir.join("tasks.md")).unwrap().contains("- [ ] 2. Second task"));

    // The peer's override folder wins over the built-in templates.
    let tpl = ws.join(".spec-workflow/user-templates");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("requirements-template.md"),
        "# Requirements: {{title}}\n\nOurs, for {{name}} on {{date}}.\n",
    )
    .unwrap();
    let created = json(specwork(ws).args(["spec", "new", "billing-export", "--title", "Billing Export"]));
    assert_eq!(created["files"], serde_json::json!([".spec-workflow/specs/billing-export/requirements.md"]));
    let dir = ws.join(".spec-workflow/specs/billing-export");
    assert_eq!(
        std::fs::read_to_string(dir.join("requirements.md")).unwrap(),
        "# Requirements: Billing Export\n\nOurs, for billing-export on 2025-08-26.\n"
    );
    let v = json(specwork(ws).args(["status", "billing-export"]));
    assert_eq!((v["title"].as_str(), v["phase"].as_str()), (Some("Billing Export"), Some("design")));

    // Adding later phases leaves the existing document alone; asking again for it alone refuses.
    let before = std::fs::read(dir.join("requirements.md")).unwrap();
    let more = json(specwork(ws).args(["spec", "new", "billing-export", "--docs", "requirements,design"]));
    assert_eq!(more["files"], serde_json::json!([".spec-workflow/specs/billing-export/design.md"]));
    assert_eq!(std::fs::read(dir.join("requirements.md")).unwrap(), before);
    let out = specwork(ws).args(["spec", "new", "billing-export"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let list = json(specwork(ws).args(["spec", "list"]));
    let ids: Vec<&str> = list["specs"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["billing-export", "invoice-management"]);
}

/// Today's Kiro, spec-kit and OpenSpec layouts, each checked against the tool's own public
/// docs and repositories:
/// - Kiro: `requirements.md (or bugfix.md)` (kiro.dev/docs/specs); `.kiro/specs/{name}/.config.kiro`
///   holds `{"specId", "workflowType", "specType": "feature" | "bugfix"}`; its tasks.md legend is
///   `[ ]` not started, `[~]` queued, `[-]` in progress, `[x]` completed (Kiro specs in public
///   repositories).
/// - spec-kit (github/spec-kit `scripts/bash/create-new-feature.sh --timestamp`, `common.sh`):
///   feature folders `specs/YYYYMMDD-HHMMSS-name` beside `specs/NNN-name`, and the active
///   feature in `.specify/feature.json` as `{"feature_directory": "specs/…"}`.
/// - OpenSpec (Fission-AI/OpenSpec `src/utils/spec-discovery.ts`, docs/concepts.md): delta specs
///   nested as `changes/{change}/specs/{area}/{capability}/spec.md`, and a `.openspec.yaml`
///   (schema, created) per change.
#[test]
fn imports_follow_todays_kiro_spec_kit_and_openspec_layouts() {
    let t = tempfile::tempdir().unwrap();
    let ws = t.path();
    run_ok(ws, &["init"]);
    let write = |rel: &str, text: &str| {
        let p = ws.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    // Kiro: a feature spec with a queued task, and a bugfix spec.
    write(".kiro/specs/rate-limits/requirements.md", "# Requirements Document: Rate limits\n");
    write(
        ".kiro/specs/rate-limits/.config.kiro",
        r#"{"specId": "5d2f0c3e-1b7a-4a52-9a36-0d9c1e0b2f11", "workflowType": "requirements-first", "specType": "feature"}"#,
    );
    write(
        ".kiro/specs/rate-limits/tasks.md",
        "# Implementation Plan\n\n- [x] 1. Token bucket\n- [x] 2. Redis store\n- [~] 3. Admin overrides\n- [ ] 4. Metrics\n",
    );
    write(
        ".kiro/specs/login-timeout-fix/bugfix.md",
        "# Bugfix Requirements Document\n\n## Current Behavior\n\n1.1 WHEN a session idles THEN the system logs out after 1 minute\n",
    );
    write(
        ".kiro/specs/login-timeout-fix/.config.kiro",
        r#"{"specId": "8c1d", "workflowType": "requirements-first", "specType": "bugfix"}"#,
    );
    write(
        ".kiro/specs/login-timeout-fix/tasks.md",
        "- [~] 1. Write the bug condition exploration test\n- [ ] 2. Fix the idle timer\n",
    );
    write(".kiro/specs/broken-config/.config.kiro", "{specType: bugfix");
    write(".kiro/specs/broken-config/requirements.md", "# Broken config\n");
    // spec-kit: a timestamped feature folder, and the active feature outside `specs/NNN-…`.
    write("specs/20260115-143022-user-auth/spec.md", "# Feature Specification: User authentication\n");
    write(
        "specs/20260115-143022-user-auth/tasks.md",
        "- [X] T001 Create project structure\n- [ ] T002 Login endpoint\n",
    );
    write("features/search-index/spec.md", "# Feature Specification: Search index\n");
    write("features/search-index/tasks.md", "- [ ] T001 Tokenizer\n");
    write(".specify/feature.json", r#"{"feature_directory":"features/search-index"}"#);
    // OpenSpec: nested delta specs and the change's metadata file.
    write("openspec/changes/add-sso/proposal.md", "# Change: Add single sign-on\n");
    write("openspec/changes/add-sso/tasks.md", "## 1. Setup\n- [ ] 1.1 Register the IdP\n");
    write("openspec/changes/add-sso/.openspec.yaml", "schema: spec-driven\ncreated: 2026-01-15\n");
    write("openspec/changes/add-sso/specs/auth/spec.md", "## ADDED Requirements\n### Requirement: SSO login\n");
    write(
        "openspec/changes/add-sso/specs/platform/session-layout/spec.md",
        "## MODIFIED Requirements\n### Requirement: Session cookie carries the IdP tenant\n",
    );

    let p = json(specwork(ws).arg("status"));
    let s = spec(&p, "rate-limits");
    assert_eq!(
        (s["tasks"]["pending"].as_u64(), s["tasks"]["blocked"].as_u64()),
        (Some(2), Some(0)),
        "[~] is queued: {s}"
    );
    assert_eq!(s["next_task"]["id"], "3", "a queued task is next in line: {s}");
    let b = spec(&p, "login-timeout-fix");
    assert_eq!(b["title"], "Bugfix Requirements Document", "{b}");
    assert_eq!(b["tasks"]["blocked"], 0, "{b}");
    let st = json(specwork(ws).args(["status", "login-timeout-fix"]));
    assert_eq!(st["docs"]["requirements"], ".kiro/specs/login-timeout-fix/bugfix.md", "{st}");
    let diag = p["diagnostics"].as_array().unwrap();
    assert!(
        diag.iter().any(|d| d["file"] == ".kiro/specs/broken-config/.config.kiro"
            && d["message"].as_str().unwrap().starts_with("invalid .config.kiro")),
        "{diag:?}"
    );

    let k = spec(&p, "20260115-143022-user-auth");
    assert_eq!((k["layout"].as_str(), k["title"].as_str()), (Some("spec-kit"), Some("User authentication")), "{k}");
    assert_eq!((k["tasks"]["total"].as_u64(), k["tasks"]["done"].as_u64()), (Some(2), Some(1)));
    let f = spec(&p, "search-index");
    assert_eq!((f["layout"].as_str(), f["path"].as_str()), (Some("spec-kit"), Some("features/search-index")), "{f}");

    let o = spec(&p, "add-sso");
    assert_eq!(
        (o["layout"].as_str(), o["title"].as_str()),
        (Some("openspec"), Some("Change: Add single sign-on")),
        "{o}"
    );
    let st = json(specwork(ws).args(["status", "add-sso"]));
    assert_eq!(
        st["docs"]["deltas"],
        serde_json::json!([
            "openspec/changes/add-sso/specs/auth/spec.md",
            "openspec/changes/add-sso/specs/platform/session-layout/spec.md"
        ]),
        "{st}"
    );
    let found = json(specwork(ws).args(["search", "IdP", "tenant", "--kind", "spec"]));
    assert_eq!(found["hits"][0]["file"], "openspec/changes/add-sso/specs/platform/session-layout/spec.md", "{found}");
}
