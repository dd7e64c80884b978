//! The dashboard in a real headless Chromium, driven through chromedriver with fantoccini:
//! open the portfolio, change a task's status with its button, watch a disk edit appear in the
//! open page, approve a document, and take screenshots (saved under `target/dashboard-e2e/`).
//!
//! Skipped, with the reason printed, when `chromium` or `chromedriver` is not installed
//! (`.ci/run` installs Debian's `chromium` and `chromium-driver`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder, Locator};

use super::dashboard::Dash;
use crate::common::*;

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for n in names {
            let p = dir.join(n);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) fn start_driver(driver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port, _profile: tempfile::tempdir().unwrap() }
}

pub(crate) async fn browser(driver: &Driver, chromium: &Path) -> Client {
    let profile = driver._profile.path().display().to_string();
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1100",
        "--lang=en-US",
        &format!("--user-data-dir={profile}"),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": chromium.display().to_string(), "args": args }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromedriver session")
}

pub(crate) fn shots_dir() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| manifest_dir().join("../../target"));
    let d = target.join("dashboard-e2e");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64() * 1000.0
}

/// Waits in the page until its text contains `needle`; returns the page's clock (ms) then.
const WAIT_FOR_TEXT: &str = r#"
const needle = arguments[0], done = arguments[arguments.length - 1];
// textContent, not innerText: innerText forces a layout on every check and would measure itself.
const has = () => document.body.textContent.includes(needle);
if (has()) { done(Date.now()); return; }
const obs = new MutationObserver(() => { if (has()) { obs.disconnect(); done(Date.now()); } });
obs.observe(document.body, { childList: true, subtree: true, characterData: true });
"#;

pub(crate) fn browser_programs() -> Option<(PathBuf, PathBuf)> {
    let Some(chromium) = find_program(&["chromium", "chromium-browser", "google-chrome"]) else {
        need::skip(Need::Real, "chromium is not installed (apt-get install chromium chromium-driver)");
        return None;
    };
    let Some(driver) = find_program(&["chromedriver"]) else {
        need::skip(Need::Real, "chromedriver is not installed (apt-get install chromium-driver)");
        return None;
    };
    Some((chromium, driver))
}

#[test]
fn dashboard_in_headless_chromium() {
    let Some((chromium, driver_bin)) = browser_programs() else { return };
    let ws = demo_copy();
    // One day of an agent's usage (HOME is the workspace for the dashboard): the cost chart's
    // lone bar; a diagram in a design; a requirements document waiting for approval.
    let root = ws.path().display().to_string();
    let proj = ws.path().join(".claude/projects").join(root.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    std::fs::create_dir_all(&proj).unwrap();
    let usage = serde_json::json!({
        "cwd": root, "sessionId": "s-1", "version": "2.1.3", "type": "assistant", "requestId": "req_a", "uuid": "a",
        "timestamp": "2025-08-26T09:00:00.000Z",
        "message": {"id": "msg_a", "model": "claude-sonnet-4-5-20250929", "usage": {
            "input_tokens": 1000, "output_tokens": 2000, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
    });
    std::fs::write(proj.join("s-1.jsonl"), format!("{usage}\n")).unwrap();
    let design = ws.path().join(".spec-workflow/specs/invoice-management/design.md");
    let text = std::fs::read_to_string(&design).unwrap();
    std::fs::write(&design, text + "\n## Flow\n\n```mermaid\nflowchart LR\n  D[Draft] --> S[Sent] --> P{Paid?}\n```\n")
        .unwrap();
    specwork(ws.path()).args(["approval", "request", "appointment-booking", "requirements"]).assert().success();
    let dash = Dash::start(ws.path(), &[]);
    let driver = start_driver(&driver_bin);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = browser(&driver, &chromium).await;
        let result = scenario(&c, &dash).await;
        let _ = c.close().await;
        result
    })
    .unwrap();
}

async fn scenario(c: &Client, dash: &Dash) -> Result<(), fantoccini::error::CmdError> {
    let base = dash.url.trim_end_matches('/').to_owned();
    let shots = shots_dir();

    // The portfolio.
    c.goto(&format!("{base}/")).await?;
    let h1 = c.find(Locator::Css("main h1")).await?.text().await?;
    assert_eq!(h1, "Portfolio");
    let table = c.find(Locator::Css("table.specs")).await?.text().await?;
    assert!(table.contains("Cold Storage NAS") && table.contains("Invoice Management"), "{table}");
    let next = c.find(Locator::Css("#next")).await?.text().await?;
    assert!(next.contains("1.2 Reservation with 10-minute expiry"), "{next}");
    assert!(next.contains("Requirements of appointment-booking waits for your approval"), "{next}");
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#live.on")).await?;
    // The open portfolio patches only what changed (the edited spec's row, stats, lists).
    let spec1014 = dash.root.join("specs/1000/1001/1014.spec.md");
    let ms = edit_to_shown(
        c,
        &spec1014,
        "# 1014 - Cold Storage NAS",
        "# 1014 - Cold Storage NAS Tier",
        "Cold Storage NAS Tier",
    )
    .await?;
    eprintln!("disk edit → shown in the open portfolio: {ms:.0} ms");
    assert!(ms <= 3000.0, "{ms} ms");
    let row = c.find(Locator::Css("#row-1014")).await?.text().await?;
    assert!(row.contains("Cold Storage NAS Tier"), "{row}");
    std::fs::write(shots.join("portfolio.png"), c.screenshot().await?).unwrap();

    // Change a task's status with its button; the file on disk changes, the page shows it.
    c.find(Locator::Css("table.specs a[href='/specs/invoice-management']")).await?.click().await?;
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#tasks")).await?;
    c.find(Locator::Css("li[data-task='1.3'] button.set-done")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("li[data-task='1.3'][data-status='done']"))
        .await?;
    let tasks = dash.root.join(".spec-workflow/specs/invoice-management/tasks.md");
    assert!(std::fs::read_to_string(&tasks).unwrap().contains("- [x] 1.3 Add POST /api/invoices endpoint"));

    // A disk edit (as an editor or an agent would make it) shows in the open page.
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("#live.on")).await?;
    let mut samples = Vec::new();
    for i in 0..5 {
        let needle = format!("LIVE-EDIT-{i}");
        let path = tasks.clone();
        let n2 = needle.clone();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            let text = std::fs::read_to_string(&path).unwrap();
            let edited = match text.find("1.4 ") {
                Some(p) => format!("{}1.4 {n2} {}", &text[..p], &text[p + 4..]),
                None => text,
            };
            let t = now_ms();
            std::fs::write(&path, edited).unwrap();
            t
        });
        let shown = c.execute_async(WAIT_FOR_TEXT, vec![serde_json::json!(needle)]).await?;
        let wrote = writer.join().unwrap();
        samples.push(shown.as_f64().unwrap() - wrote);
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    eprintln!("disk edit → shown in the open page (ms): {samples:?}, median {:.0}", sorted[2]);
    assert!(sorted[0] <= 300.0, "a disk edit took {:.0} ms at best to show; the target is 300 ms", sorted[0]);
    assert!(sorted[4] <= 3000.0, "a disk edit took {:.0} ms to show", sorted[4]);
    std::fs::write(shots.join("spec.png"), c.screenshot().await?).unwrap();

    // Approve a document with a comment.
    c.goto(&format!("{base}/approvals/invoice-management/design")).await?;
    c.find(Locator::Css("#decide textarea[name='comment']")).await?.send_keys("Design reads well").await?;
    c.find(Locator::Css("#decide button.approve")).await?.click().await?;
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#approval-state[data-state='approved']"))
        .await?;
    let comments = c.find(Locator::Css("#comments")).await?.text().await?;
    assert!(comments.contains("Design reads well"), "{comments}");
    std::fs::write(shots.join("approval.png"), c.screenshot().await?).unwrap();
    c.goto(&format!("{base}/approvals")).await?;
    let row = c.find(Locator::Css("tr[data-spec='invoice-management'][data-doc='design']")).await?.text().await?;
    assert!(row.contains("approved"), "{row}");
    std::fs::write(shots.join("approvals.png"), c.screenshot().await?).unwrap();

    // A design's ```mermaid block is drawn as an SVG diagram by the embedded mermaid.
    c.goto(&format!("{base}/specs/invoice-management?doc=design")).await?;
    let svg = c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("pre.mermaid svg")).await?;
    let drawn = svg.text().await?;
    assert!(drawn.contains("Draft") && drawn.contains("Paid?"), "{drawn}");
    c.execute("document.querySelector('pre.mermaid').scrollIntoView({block: 'center'})", vec![]).await?;
    std::fs::write(shots.join("spec-diagram.png"), c.screenshot().await?).unwrap();

    // The sessions and cost page: one day of usage is a visible bar, the budget a line across
    // the plot with its label; every chart label in the page's language.
    for (lang, title, day) in [("en", "Sessions and cost", "Day"), ("th", "เซสชันและค่าใช้จ่าย", "วัน")]
    {
        c.goto(&format!("{base}/cost?lang={lang}")).await?;
        assert_eq!(c.find(Locator::Css("main h1")).await?.text().await?, title);
        c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("[data-chart='chart-day'] canvas")).await?;
        let legend = c.find(Locator::Css("[data-chart='chart-day'] .u-legend")).await?.text().await?;
        assert!(legend.contains(day) && !legend.contains("Value"), "{legend}");
        let px = c.execute(CHART_PIXELS, vec![serde_json::json!("chart-day")]).await?;
        let (bar, line) = (px[0].as_f64().unwrap(), px[1].as_f64().unwrap());
        assert!(bar > 2000.0, "the one-day bar covers {bar} pixels");
        assert!(line > 0.8, "the budget line spans {line:.2} of the plot's width");
        std::fs::write(shots.join(format!("cost-{lang}.png")), c.screenshot().await?).unwrap();
    }

    // The same pages in Thai.
    c.goto(&format!("{base}/specs/1014?lang=th")).await?;
    let side = c.find(Locator::Css("#timeline h2")).await?.text().await?;
    assert_eq!(side, "ไทม์ไลน์");
    std::fs::write(shots.join("spec-th.png"), c.screenshot().await?).unwrap();
    c.goto(&format!("{base}/?lang=th")).await?;
    assert_eq!(c.find(Locator::Css("main h1")).await?.text().await?, "ภาพรวมสเปก");
    std::fs::write(shots.join("portfolio-th.png"), c.screenshot().await?).unwrap();
    c.goto(&format!("{base}/approvals?lang=th")).await?;
    std::fs::write(shots.join("approvals-th.png"), c.screenshot().await?).unwrap();
    c.goto(&format!("{base}/approvals/appointment-booking/requirements?lang=th")).await?;
    c.find(Locator::Css("#decide button.approve")).await?;
    std::fs::write(shots.join("approval-th.png"), c.screenshot().await?).unwrap();
    Ok(())
}

/// Pixels of a chart's canvas: how many the bars fill (green) and how much of the plot's width
/// the budget's line (red) spans.
const CHART_PIXELS: &str = r#"
const canvas = document.querySelector(`[data-chart="${arguments[0]}"] canvas`);
const w = canvas.width, h = canvas.height;
const d = canvas.getContext("2d").getImageData(0, 0, w, h).data;
let green = 0, left = w, right = 0;
for (let i = 0; i < d.length; i += 4) {
  const [r, g, b, a] = [d[i], d[i + 1], d[i + 2], d[i + 3]];
  if (a < 40) continue;
  if (g > r + 40 && g > b + 20) green++;
  if (r > 150 && g < 110 && b < 110) { const x = (i / 4) % w; left = Math.min(left, x); right = Math.max(right, x); }
}
return [green, right > left ? (right - left) / w : 0];
"#;

/// Waits for `needle` in the open page while another thread edits `path` (replacing `from` by
/// `to`) 300 ms later; returns milliseconds from the write to the text showing.
async fn edit_to_shown(
    c: &Client,
    path: &Path,
    from: &str,
    to: &str,
    needle: &str,
) -> Result<f64, fantoccini::error::CmdError> {
    let (p, f, t) = (path.to_owned(), from.to_owned(), to.to_owned());
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let text = std::fs::read_to_string(&p).unwrap().replacen(&f, &t, 1);
        let at = now_ms();
        std::fs::write(&p, text).unwrap();
        at
    });
    let shown = c.execute_async(WAIT_FOR_TEXT, vec![serde_json::json!(needle)]).await?;
    let wrote = writer.join().unwrap();
    Ok(shown.as_f64().unwrap() - wrote)
}

/// The browser half of `bench/dashboard.sh`: disk edit → text visible in an open page, on the
/// workspace in `SPECWORK_BENCH_WORKSPACE` (a numbered leaf's title is edited; it shows on the
/// portfolio and on the spec's page). Run with `--ignored`; `SPECWORK_BIN` picks the build.
#[test]
#[ignore = "a benchmark: bench/dashboard.sh runs it"]
fn dashboard_browser_latency_on_a_large_workspace() {
    let Some(ws) = std::env::var_os("SPECWORK_BENCH_WORKSPACE").map(PathBuf::from) else {
        eprintln!("skipped: set SPECWORK_BENCH_WORKSPACE (bench/dashboard.sh does)");
        return;
    };
    let Some((chromium, driver_bin)) = browser_programs() else { return };
    let dash = Dash::start(&ws, &[]);
    let status = dash.get("/api/status").json();
    let leaf = status["specs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["layout"] == "numbered" && s["is_area"] == false)
        .unwrap();
    let (id, path) = (leaf["id"].as_str().unwrap().to_owned(), ws.join(leaf["path"].as_str().unwrap()));
    let driver = start_driver(&driver_bin);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let c = browser(&driver, &chromium).await;
        let base = dash.url.trim_end_matches('/').to_owned();
        let mut out = Vec::new();
        for (name, url) in [("portfolio", format!("{base}/")), ("spec page", format!("{base}/specs/{id}"))] {
            c.goto(&url).await.unwrap();
            c.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("#live.on")).await.unwrap();
            let mut xs = Vec::new();
            for i in 0..7 {
                let title = std::fs::read_to_string(&path).unwrap();
                let line = title.lines().next().unwrap().to_owned();
                let needle = format!("Bench edit {name} {i}");
                let ms = edit_to_shown(&c, &path, &line, &format!("# {id} - {needle}"), &needle).await.unwrap();
                xs.push(ms);
            }
            xs.sort_by(f64::total_cmp);
            out.push(format!("{name}: median {:.0} ms, min {:.0}, max {:.0} ({xs:?})", xs[3], xs[0], xs[6]));
        }
        let _ = c.close().await;
        for l in out {
            eprintln!("disk edit → shown in the open page, {l}");
        }
    });
}
