//! Many projects, one view: three registered workspaces (one numbered, one spec-workflow, one
//! with both), sessions driven in two of them over Claude Code transcripts generated into a temp
//! `CLAUDE_CONFIG_DIR`, and `status --projects`, `cost --by project`, the dashboard's project
//! home and `eod --projects` checked against each workspace's own `status --json`, `cost
//! --today --json`, `session-status --json` and `approval list --json`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use specwork_testkit::claude::{ClaudeCorpus, SessionPlan};

use crate::common::*;
use crate::dashboard::Dash;

const INVOICE_TASKS: &str = ".spec-workflow/specs/invoice-management/tasks.md";
const TODAY: &str = "2025-09-02";
const NOW: &str = "2025-09-02T23:00:00Z";

struct Setup {
    _dir: tempfile::TempDir,
    config: PathBuf,
    claude: PathBuf,
    /// (name, root): numbered, spec-workflow, both.
    projects: Vec<(String, PathBuf)>,
    elsewhere: String,
}

/// `specwork` in `ws` at `now`, as Dana on her laptop, with the temp registry and transcripts.
fn sw(s: &Setup, ws: &Path, now: &str) -> Command {
    let mut c = specwork(ws);
    c.env("SPECWORK_NOW", now)
        .env("SPECWORK_USER", "Dana")
        .env("SPECWORK_HOST", "laptop")
        .env("SPECWORK_CONFIG_DIR", &s.config)
        .env("CLAUDE_CONFIG_DIR", &s.claude)
        .env("XDG_CACHE_HOME", s._dir.path().join("cache"));
    c
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn plan(cwd: &Path, start: &str, end: &str) -> SessionPlan {
    SessionPlan { cwd: cwd.display().to_string(), start: start.into(), end: end.into(), prompts: 3 }
}

/// Three workspaces from the demo, registered: `init` registers the numbered one, `projects add`
/// the others.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let make = |name: &str, keep_numbered: bool, keep_named: bool| {
        let ws = root.join(name);
        copy_tree(&demo_dir(), &ws);
        if !keep_numbered {
            std::fs::remove_dir_all(ws.join("specs")).unwrap();
        }
        if !keep_named {
            std::fs::remove_dir_all(ws.join(".spec-workflow")).unwrap();
        } else {
            let p = ws.join(INVOICE_TASKS);
            let text = std::fs::read_to_string(&p).unwrap().replace("- [x] 1.", "- [ ] 1.");
            std::fs::write(&p, text).unwrap();
        }
        ws
    };
    let numbered = make("nas", true, false);
    let named = make("shop", false, true);
    let both = make("demo", true, true);
    let elsewhere = root.join("scratch").display().to_string();
    let claude = root.join("claude");
    ClaudeCorpus {
        seed: 18,
        start: "2025-09-01".into(),
        days: 2,
        plan: vec![
            plan(&both, "2025-09-01T10:00:00Z", "2025-09-01T10:40:00Z"),
            plan(&both, "2025-09-02T09:10:00Z", "2025-09-02T09:50:00Z"),
            plan(&named, "2025-09-02T10:10:00Z", "2025-09-02T10:40:00Z"),
            plan(Path::new(&elsewhere), "2025-09-02T11:00:00Z", "2025-09-02T11:30:00Z"),
        ],
        ..ClaudeCorpus::default()
    }
    .generate(&claude);
    let s = Setup {
        config: root.join("config"),
        claude,
        projects: vec![("nas".into(), numbered), ("shop".into(), named), ("demo".into(), both)],
        elsewhere,
        _dir: dir,
    };
    let v = json(sw(&s, &s.projects[0].1, "2025-09-01T08:00:00Z").arg("init"));
    assert_eq!(v["project"]["project"]["name"], "nas", "init registers the workspace: {v}");
    for (name, ws) in &s.projects[1..] {
        let v = json(sw(&s, ws, "2025-09-01T08:00:00Z").args(["projects", "add"]));
        assert_eq!(v["project"]["name"], name.as_str());
        assert_eq!(v["added"], true);
    }
    s
}

/// Sessions in two workspaces: `demo` works on day one and today, `shop` today (one task
/// measured, one counted by hand); `nas` gets an approval request and no session.
fn drive(s: &Setup) {
    let (nas, shop, demo) = (&s.projects[0].1, &s.projects[1].1, &s.projects[2].1);
    for ws in [shop, demo] {
        for doc in ["requirements", "design", "tasks"] {
            ok(sw(s, ws, "2025-09-01T08:30:00Z").args(["approval", "approve", "invoice-management", doc]));
        }
    }
    ok(sw(s, demo, "2025-09-01T09:00:00Z").args(["start-session", "inv", "spec", "invoice-management"]));
    ok(sw(s, demo, "2025-09-01T09:00:00Z").args(["do-task", "invoice-management", "1.1"]));
    ok(sw(s, demo, "2025-09-01T12:00:00Z").args(["do-task", "invoice-management", "1.1", "--done"]));
    ok(sw(s, demo, "2025-09-02T09:00:00Z").args(["do-task", "invoice-management", "1.2"]));
    ok(sw(s, demo, "2025-09-02T10:00:00Z").args(["do-task", "invoice-management", "1.2", "--done"]));
    ok(sw(s, shop, "2025-09-02T10:00:00Z").args(["start-session", "shop", "spec", "invoice-management"]));
    ok(sw(s, shop, "2025-09-02T10:00:00Z").args(["do-task", "invoice-management", "1.1"]));
    ok(sw(s, shop, "2025-09-02T11:00:00Z").args(["do-task", "invoice-management", "1.1", "--done"]));
    ok(sw(s, shop, "2025-09-02T11:05:00Z").args(["log-task", "1.2", "done", "45k"]));
    ok(sw(s, nas, "2025-09-02T12:00:00Z").args(["approval", "request", "1014", "tasks"]));
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// A workspace's own figures, from commands run inside it.
struct Own {
    status: Value,
    today: Value,
    month: Value,
    sessions: usize,
    pending: usize,
}

fn own(s: &Setup, ws: &Path) -> Own {
    let status = json(sw(s, ws, NOW).arg("status"));
    let today = json(sw(s, ws, NOW).args(["cost", "--today"]));
    let month = json(sw(s, ws, NOW).args(["cost", "--since", "2025-09-01", "--until", TODAY]));
    let sessions = json(sw(s, ws, NOW).arg("session-status"))["sessions"].as_array().unwrap().len();
    let approvals = json(sw(s, ws, NOW).args(["approval", "list"]));
    let pending = approvals["approvals"].as_array().unwrap().iter().filter(|a| a["status"] == "pending").count();
    Own { status, today, month, sessions, pending }
}

/// Checks one row of `status --projects --json` (or the dashboard's `/api/projects`) against
/// the workspace's own figures.
fn check_row(row: &Value, o: &Own, name: &str) {
    assert_eq!(row["stale"], Value::Null, "{name}");
    assert_eq!(row["specs"].as_u64().unwrap() as usize, o.status["specs"].as_array().unwrap().len(), "{name}: specs");
    assert_eq!(row["tasks"], o.status["totals"], "{name}: tasks");
    assert_eq!(row["progress_pct"], o.status["progress_pct"], "{name}: progress");
    assert_eq!(row["active_sessions"].as_array().unwrap().len(), o.sessions, "{name}: open sessions");
    assert_eq!(row["approvals_pending"].as_u64().unwrap() as usize, o.pending, "{name}: approvals waiting");
    let t = &o.today["totals"];
    assert_eq!(row["today"]["tokens"], t["total_tokens"], "{name}: today's tokens");
    assert!(close(f(&row["today"]["cost_usd"]), f(&t["cost_usd"])), "{name}: today's cost {row} vs {t}");
    assert_eq!(row["today"]["manual_tokens"], o.today["manual_tokens"], "{name}: today's manual tokens");
    let m = &o.month["totals"];
    assert_eq!(row["month"]["tokens"], m["total_tokens"], "{name}: the month's tokens");
    assert!(close(f(&row["month"]["cost_usd"]), f(&m["cost_usd"])), "{name}: the month's cost");
}

#[test]
fn three_workspaces_side_by_side_equal_their_own_figures() {
    let s = setup();
    drive(&s);
    let owns: Vec<Own> = s.projects.iter().map(|(_, ws)| own(&s, ws)).collect();
    // The sessions did something measurable where they ran, and nothing where none ran.
    assert!(f(&owns[1].today["totals"]["cost_usd"]) > 0.0 && owns[1].today["manual_tokens"].as_u64() == Some(45_000));
    assert!(owns[2].today["totals"]["total_tokens"].as_u64().unwrap() > 0);
    assert!(
        owns[2].month["totals"]["total_tokens"].as_u64() > owns[2].today["totals"]["total_tokens"].as_u64(),
        "demo also worked yesterday"
    );
    assert_eq!(owns[0].today["totals"]["total_tokens"], 0);
    assert_eq!(owns[0].pending, 1);
    assert_eq!(owns[2].sessions, 1);

    // status --projects, from anywhere (here: a folder that is no workspace).
    let outside = s._dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let v = json(sw(&s, &outside, NOW).args(["status", "--projects"]));
    let rows = v["projects"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["nas", "shop", "demo"]);
    for ((name, _), (row, o)) in s.projects.iter().zip(rows.iter().zip(&owns)) {
        check_row(row, o, name);
    }
    let sum_today: f64 = owns.iter().map(|o| f(&o.today["totals"]["cost_usd"])).sum();
    assert!(close(f(&v["totals"]["today_cost_usd"]), (sum_today * 1e6).round() / 1e6), "{}", v["totals"]);
    let text = ok(sw(&s, &outside, NOW).args(["status", "--projects"]));
    for (name, ws) in &s.projects {
        assert!(text.contains(name.as_str()) && text.contains(&ws.display().to_string()), "{text}");
    }

    // cost --by project: each registered row is the workspace's own `cost` for the same days;
    // the unregistered directory has its own row.
    let v = json(sw(&s, &outside, NOW).args(["cost", "--by", "project", "--today"]));
    assert_eq!(v["by"], "project");
    let rows = v["rows"].as_array().unwrap();
    for ((name, ws), o) in s.projects.iter().zip(&owns) {
        let row = rows.iter().find(|r| r["key"] == name.as_str()).unwrap_or_else(|| panic!("{name} in {v}"));
        assert_eq!(row["registered"], true);
        assert_eq!(row["path"], ws.display().to_string());
        assert_eq!(row["totals"]["total_tokens"], o.today["totals"]["total_tokens"], "{name}");
        assert!(close(f(&row["totals"]["cost_usd"]), f(&o.today["totals"]["cost_usd"])), "{name}");
    }
    let other = rows.iter().find(|r| r["key"] == s.elsewhere.as_str()).unwrap_or_else(|| panic!("elsewhere in {v}"));
    assert_eq!(other["registered"], false);
    assert!(other["totals"]["total_tokens"].as_u64().unwrap() > 0);
    let all = json(sw(&s, &outside, NOW).args(["cost", "--today", "--all"]));
    let measured: u64 = rows.iter().map(|r| r["totals"]["total_tokens"].as_u64().unwrap()).sum::<u64>()
        - v["manual_tokens"].as_u64().unwrap();
    assert_eq!(measured, all["totals"]["total_tokens"].as_u64().unwrap(), "every call of the day counts once");

    // The dashboard's project home: the same figures over HTTP, every project's pages mounted.
    let env = [
        ("SPECWORK_CONFIG_DIR", s.config.as_path()),
        ("CLAUDE_CONFIG_DIR", s.claude.as_path()),
        ("SPECWORK_NOW", Path::new(NOW)),
        ("SPECWORK_USER", Path::new("Dana")),
        ("SPECWORK_HOST", Path::new("laptop")),
    ];
    let dash = Dash::start_with_env(&outside, &["--projects"], &env);
    let api = dash.get("/api/projects");
    assert_eq!(api.status, 200, "{}", api.body);
    let api: Value = serde_json::from_str(&api.body).unwrap();
    for ((name, _), o) in s.projects.iter().zip(&owns) {
        let row = api["projects"].as_array().unwrap().iter().find(|r| r["name"] == name.as_str()).unwrap();
        check_row(row, o, name);
    }
    let home = dash.get("/");
    assert_eq!(home.status, 200);
    for ((name, _), o) in s.projects.iter().zip(&owns) {
        let t = &o.status["totals"];
        let row = format!(
            "<tr id=\"project-{name}\" data-project=\"{name}\" data-specs=\"{}\" data-done=\"{}\" data-total=\"{}\" data-approvals=\"{}\" data-sessions=\"{}\"",
            o.status["specs"].as_array().unwrap().len(),
            t["done"],
            t["total"],
            o.pending,
            o.sessions
        );
        assert!(home.body.contains(&row), "{row} in the home page");
        assert!(home.body.contains(&format!("href=\"/p/{name}\"")));
    }
    // One project's pages, as a single-workspace dashboard serves them, under its prefix.
    for ((name, _), o) in s.projects.iter().zip(&owns) {
        let st = dash.get(&format!("/p/{name}/api/status"));
        assert_eq!(st.status, 200);
        let st: Value = serde_json::from_str(&st.body).unwrap();
        assert_eq!(st["totals"], o.status["totals"]);
        assert_eq!(st["workspace"], o.status["workspace"]);
        let page = dash.get(&format!("/p/{name}"));
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("data-base=\"/p/{name}\"")), "the page knows its prefix");
        assert!(page.body.contains("class=\"switcher\""), "the project switcher");
        assert!(!page.body.contains("href=\"/specs/"), "every link keeps the prefix");
    }
    let spec = dash.get("/p/demo/specs/invoice-management");
    assert_eq!(spec.status, 200);
    assert!(spec.body.contains("hx-post=\"/p/demo/api/specs/invoice-management/tasks/"));
    // Live: an edit in one workspace reaches the home's merged stream, and the home re-reads
    // only that project's row (the page asked for the whole report before).
    let mut events = crate::dashboard::open_events(&dash);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let tasks = s.projects[1].1.join(INVOICE_TASKS);
    let text = std::fs::read_to_string(&tasks).unwrap();
    std::fs::write(&tasks, text.replacen("- [ ] 1.3", "- [x] 1.3", 1)).unwrap();
    let change = crate::dashboard::next_data(&mut events);
    assert_eq!(change["project"], "shop", "{change}");
    assert_eq!(change["paths"], serde_json::json!([format!("shop/{INVOICE_TASKS}")]), "{change}");
    let live = dash.get(&format!("/live/projects?paths=shop%2F{}", INVOICE_TASKS.replace('/', "%2F"))).json();
    assert_eq!(live["full"], false, "{live}");
    let parts = live["parts"].as_object().unwrap();
    assert_eq!(parts.keys().collect::<Vec<_>>(), ["project-shop", "stats"], "only the changed row: {live}");
    let done = owns[1].status["totals"]["done"].as_u64().unwrap() + 1;
    assert!(parts["project-shop"].as_str().unwrap().contains(&format!("data-done=\"{done}\"")), "{live}");
    assert_eq!(dash.get("/p/nowhere").status, 404);
    assert_eq!(dash.get("/p/demo/").status, 308, "a trailing slash finds the project");
    drop(dash);

    // eod --projects: each workspace's own eod, one line per project.
    let v = json(sw(&s, &outside, NOW).args(["eod", "--projects"]));
    let rows = v["projects"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().map(|r| r["name"].as_str().unwrap()).collect::<Vec<_>>(), ["nas", "shop", "demo"]);
    // shop's session started today: today's summary; demo's started yesterday and is ended now.
    assert_eq!(rows[1]["eod"]["daily_summary"]["path"], format!("docs/sessions/daily/{TODAY}.md"), "{v}");
    assert!(s.projects[1].1.join(format!("docs/sessions/daily/{TODAY}.md")).is_file());
    assert_eq!(rows[2]["eod"]["ended"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(rows[0]["eod"]["daily_summary"], Value::Null, "no session in nas");
    let text = ok(sw(&s, &outside, NOW).args(["eod", "--projects"]));
    assert!(text.contains("├── nas:") && text.contains("└── demo:"), "{text}");
    let demo_eod = &rows[2]["eod"];
    assert!(close(f(&demo_eod["cost_usd"]), f(&owns[2].today["totals"]["cost_usd"])), "eod's day is today's cost");
}

#[test]
fn the_registry_lists_stale_entries_and_forgets_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let cfg = root.join("cfg");
    let run = |cwd: &Path, args: &[&str]| {
        let mut c = specwork(cwd);
        c.env("SPECWORK_CONFIG_DIR", &cfg).args(args);
        c
    };
    let a = root.join("a");
    let b = root.join("b");
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
        ok(&mut run(d, &["init", "-q"]));
    }
    // Registering again changes nothing; a name is unique; a folder that is no workspace is refused.
    let again = json(&mut run(&a, &["projects", "add"]));
    assert_eq!(again["added"], false);
    let out = run(&b, &["projects", "add", "--name", "x", &root.display().to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a specwork workspace"));
    let text = std::fs::read_to_string(cfg.join("projects.toml")).unwrap();
    std::fs::write(cfg.join("projects.toml"), format!("# mine\n{text}")).unwrap();

    std::fs::remove_dir_all(&b).unwrap();
    let v = json(&mut run(&root, &["projects", "list"]));
    let rows = v["projects"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["stale"], Value::Null);
    assert_eq!(rows[1]["stale"], "missing");
    let out = run(&root, &["projects", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("specwork projects remove b"));
    let st = json(&mut run(&root, &["status", "--projects"]));
    assert_eq!(st["projects"][1]["stale"], "missing");
    assert!(st["diagnostics"].as_array().unwrap().iter().any(|d| d["message"].as_str().unwrap().contains("stale")));

    let v = json(&mut run(&root, &["projects", "remove", "b"]));
    assert_eq!(v["name"], "b");
    let v = json(&mut run(&root, &["projects", "list"]));
    assert_eq!(v["projects"].as_array().unwrap().len(), 1);
    assert!(std::fs::read_to_string(cfg.join("projects.toml")).unwrap().starts_with("# mine\n"), "comments kept");
    let out = run(&root, &["projects", "remove", "b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("registered: a"));
}

/// The project home in headless Chromium (as `dashboard_browser.rs` drives the dashboard): the
/// home shows each project, a disk edit in one workspace updates its row in the open home page,
/// a project's pages work under their prefix (live dot, a task button that writes the file),
/// and the switcher moves to another project.
#[test]
fn project_home_in_headless_chromium() {
    use crate::dashboard_browser::{browser, browser_programs, shots_dir, start_driver};
    use fantoccini::Locator;
    use std::time::Duration;

    let Some((chromium, driver_bin)) = browser_programs() else { return };
    let s = setup();
    let outside = s._dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let env = [("SPECWORK_CONFIG_DIR", s.config.as_path()), ("CLAUDE_CONFIG_DIR", s.claude.as_path())];
    let dash = Dash::start_with_env(&outside, &["--projects"], &env);
    let base = dash.url.trim_end_matches('/').to_owned();
    let shop_tasks = s.projects[1].1.join(INVOICE_TASKS);
    let done_before = json(sw(&s, &s.projects[1].1, NOW).arg("status"))["totals"]["done"].as_u64().unwrap();
    let driver = start_driver(&driver_bin);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = browser(&driver, &chromium).await;
        let result: Result<(), fantoccini::error::CmdError> = async {
            c.goto(&format!("{base}/")).await?;
            assert_eq!(c.find(Locator::Css("main h1")).await?.text().await?, "Projects");
            for name in ["nas", "shop", "demo"] {
                c.find(Locator::Css(&format!("#project-{name}"))).await?;
            }
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#live.on")).await?;
            // An edit on disk in shop: its row in the open home page follows.
            let text = std::fs::read_to_string(&shop_tasks).unwrap();
            std::fs::write(&shop_tasks, text.replacen("- [ ] 1.1", "- [x] 1.1", 1)).unwrap();
            let row = format!("#project-shop[data-done='{}']", done_before + 1);
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&row)).await?;
            std::fs::write(shots_dir().join("projects-home.png"), c.screenshot().await?).unwrap();

            // Into one project: its own pages, live, with working buttons.
            c.find(Locator::Css("#project-shop a[href='/p/shop']")).await?.click().await?;
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("details.switcher")).await?;
            assert_eq!(c.find(Locator::Css("main h1")).await?.text().await?, "Portfolio");
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#live.on")).await?;
            c.find(Locator::Css("table.specs a[href='/p/shop/specs/invoice-management']")).await?.click().await?;
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#tasks")).await?;
            c.find(Locator::Css("li[data-task='1.3'] button.set-done")).await?.click().await?;
            c.wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css("li[data-task='1.3'][data-status='done']"))
                .await?;
            assert!(std::fs::read_to_string(&shop_tasks).unwrap().contains("- [x] 1.3"));
            std::fs::write(shots_dir().join("projects-spec.png"), c.screenshot().await?).unwrap();

            // The switcher leads to another project.
            c.find(Locator::Css("details.switcher summary")).await?.click().await?;
            c.find(Locator::Css("details.switcher a[href='/p/nas']")).await?.click().await?;
            c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#row-1014")).await?;
            assert!(c.current_url().await?.as_str().ends_with("/p/nas"));
            Ok(())
        }
        .await;
        let _ = c.close().await;
        result
    })
    .unwrap();
}
