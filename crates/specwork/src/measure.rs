//! Measured usage for sessions: the glue between the journals (`specwork_core::windows`) and the
//! agents' logs (`specwork_usage::attribute`).
//!
//! The rule, in one place: a call from an agent's log belongs to a task when it was made while
//! the task was open in one of *your* sessions (`task_start` to `task_end`, half-open, whole
//! seconds as the journal has them), from a directory inside the workspace, and — when hooks tied
//! agent sessions to the specwork session — by one of those agent sessions. Calls made during a
//! session but outside its tasks belong to the session itself. Overlaps go to the window that
//! names the call's agent session, then to a task over its session, then to the window that
//! started last. Only this person's sessions take part: other people's transcripts are on their
//! machines, and their journals carry what they measured.
//!
//! When a window closes (`do-task --done`, `log-task` with a final status, `end-session`, `eod`),
//! what it received is appended to the session's journal as measured `usage` events, one per
//! agent session, model and day, stamped at the last call each covers. From then on the journal
//! is the record (it travels with git; transcripts do not). Reports of sessions still open add
//! what their open windows received so far, without writing it.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use specwork_core::config::Config;
use specwork_core::journal::{Entry, Event, Stamp, Tokens, UsageSource};
use specwork_core::session::{self, SessionIndex};
use specwork_core::windows::{self, WorkWindow};
use specwork_usage::{
    Attribution, PriceOverride, PriceTable, Scan, ScanOptions, ScanProgress, Sources, Totals, Window,
};

use crate::error::{CmdResult, CommandError};
use crate::ui::Ui;

/// The scan cache of a workspace (shared by `cost` and the session commands).
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".specwork").join("cache")
}

/// The directories that count as "inside the workspace": the root as given and, when it differs,
/// the path with symbolic links resolved (agents log the resolved working directory).
pub fn roots(root: &Path) -> Vec<PathBuf> {
    let mut v = vec![root.to_path_buf()];
    if let Ok(c) = std::fs::canonicalize(root)
        && c != root
    {
        v.push(c);
    }
    v
}

/// The price table: built-in prices plus `[prices."model"]` of specwork.toml.
pub fn price_table(config: &Config) -> CmdResult<PriceTable> {
    let json = serde_json::to_value(&config.prices).map_err(anyhow::Error::from)?;
    let overrides: BTreeMap<String, PriceOverride> = serde_json::from_value(json).map_err(|e| {
        CommandError::usage(
            format!("invalid [prices] in specwork.toml: {e}"),
            "prices are USD per million tokens: input, output, cache_write_5m, cache_write_1h, cache_read",
        )
    })?;
    PriceTable::builtin().with_overrides(&overrides).map_err(|e| {
        CommandError::usage(e.to_string(), "fix the [prices.\"model\"] entry in specwork.toml (USD per million tokens)")
    })
}

/// The log directories named by the environment.
pub fn sources() -> CmdResult<Sources> {
    Sources::from_env().map_err(|e| {
        CommandError::usage(e.to_string(), "point CLAUDE_CONFIG_DIR at a directory that holds projects/, or unset it")
    })
}

/// A progress line on stderr for long first scans (terminal only).
pub fn progress_line(ui: &Ui) -> Option<specwork_usage::ProgressFn> {
    if ui.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let start = std::time::Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    Some(Arc::new(move |p: ScanProgress| {
        let ms = start.elapsed().as_millis() as u64;
        let prev = last.load(Ordering::Relaxed);
        if ms < 300 || ms < prev + 100 || last.compare_exchange(prev, ms, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return;
        }
        let pct = (p.bytes_done * 100).checked_div(p.bytes_total).unwrap_or(100);
        eprint!(
            "\rreading agent logs {pct:>3}% ({}/{} files, {} MiB)",
            p.files_done,
            p.files_total,
            p.bytes_total / 1_048_576
        );
    }))
}

/// Runs a scan, clearing the progress line afterwards.
pub fn run_scan(opts: &ScanOptions) -> CmdResult<Scan> {
    let shown = opts.progress.is_some();
    let result = specwork_usage::scan(opts);
    if shown {
        eprint!("\r\x1b[2K");
    }
    result.map_err(|e| CommandError {
        error: anyhow::Error::from(e),
        hints: vec!["the scan cache may be deleted at any time; --no-cache reads the logs directly".to_owned()],
        code: crate::error::EXIT_FAILURE,
    })
}

/// The agents' logs as seen from a workspace.
pub struct Logs {
    /// The scan.
    pub scan: Scan,
    /// The workspace directories.
    pub roots: Vec<PathBuf>,
}

/// Scans the agents' logs for the session commands. Measuring never stops a session command: a
/// problem is a warning on stderr and the command goes on with the journals alone (`None`).
pub fn logs_for_sessions(ui: &Ui, root: &Path, config: &Config) -> Option<Logs> {
    let attempt = || -> CmdResult<Scan> {
        let opts = ScanOptions {
            sources: sources()?,
            cache_dir: Some(cache_dir(root)),
            prices: price_table(config)?,
            project_roots: vec![root.to_path_buf()],
            progress: if ui.json { None } else { progress_line(ui) },
            ..ScanOptions::default()
        };
        run_scan(&opts)
    };
    match attempt() {
        Ok(scan) => {
            if let Some(w) = &scan.cache_warning
                && !ui.quiet
            {
                eprintln!("warning: {w}\nhint: the scan cache only saves time; check the directory's permissions");
            }
            Some(Logs { scan, roots: roots(root) })
        }
        Err(e) => {
            if !ui.quiet {
                eprintln!("warning: tokens were not measured: {:#}", e.error);
                for h in &e.hints {
                    eprintln!("hint: {h}");
                }
            }
            None
        }
    }
}

/// How open windows end for attribution.
#[derive(Clone, Debug)]
pub struct Closing<'a> {
    /// Now: open windows that are not closing run to here.
    pub now: Stamp,
    /// Sessions closing, with the time they close at.
    pub sessions: &'a [(String, Stamp)],
    /// A task closing now: `(session, spec, task)`.
    pub task: Option<(&'a str, &'a str, &'a str)>,
}

/// The windows of a person's sessions and what each received.
pub struct Attributed {
    /// The windows.
    pub windows: Vec<WorkWindow>,
    /// Whether each window is closed (or closing).
    pub closed: Vec<bool>,
    /// The attribution of the scan's records.
    pub result: Attribution,
}

/// Attributes the logs' calls to the windows of `owner`'s sessions in `index`.
pub fn attribute(index: &SessionIndex, owner: &str, logs: &Logs, closing: &Closing<'_>) -> Attributed {
    let mut work = Vec::new();
    let mut closed = Vec::new();
    let mut plain = Vec::new();
    for s in index.sessions.iter().filter(|s| s.owner == owner) {
        let closes_at = closing.sessions.iter().find(|(k, _)| *k == s.key).map(|(_, at)| *at);
        let agents = windows::tied_agent_sessions(s);
        for w in windows::windows(s) {
            let task_closing = closing.task.is_some_and(|(k, sp, t)| {
                k == s.key && w.end.is_none() && w.spec == sp && w.task.as_deref() == Some(t)
            });
            let (end, is_closed) = match (w.end, closes_at) {
                (Some(e), _) => (e, true),
                (None, Some(at)) => (at, true),
                (None, None) if task_closing => (closing.now, true),
                (None, None) => (closing.now, false),
            };
            plain.push(Window {
                spec: w.spec.clone(),
                task: w.task.clone(),
                session: s.key.clone(),
                start: w.start.ts,
                end: end.ts,
                agent_sessions: agents.clone(),
            });
            work.push(w);
            closed.push(is_closed);
        }
    }
    let result = specwork_usage::attribute(&logs.scan.records, &plain, &logs.roots);
    Attributed { windows: work, closed, result }
}

impl Attributed {
    /// Measured `usage` entries for the windows not recorded yet that `want(window, closed)`
    /// accepts, by session key: one per agent session, model and local day (at `offset`, the
    /// writer's), stamped at the last call it covers, so reports by date put usage on the day it
    /// was spent.
    pub fn entries(
        &self,
        logs: &Logs,
        offset: jiff::tz::Offset,
        want: impl Fn(&WorkWindow, bool) -> bool,
    ) -> BTreeMap<String, Vec<Entry>> {
        type Group<'a> = (usize, &'a str, Option<&'a str>, jiff::civil::Date);
        let wanted: Vec<bool> =
            self.windows.iter().enumerate().map(|(i, w)| !w.recorded && want(w, self.closed[i])).collect();
        let mut groups: BTreeMap<Group<'_>, (Totals, Timestamp)> = BTreeMap::new();
        for (r, w) in logs.scan.records.iter().zip(&self.result.of_record) {
            let Some(i) = *w else { continue };
            if !wanted[i] {
                continue;
            }
            let day = offset.to_datetime(r.timestamp).date();
            let g =
                groups.entry((i, &r.session_id, r.model.as_deref(), day)).or_insert((Totals::default(), r.timestamp));
            g.0.add_record(r);
            g.1 = g.1.max(r.timestamp);
        }
        let mut out: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
        for ((i, agent_session, model, _), (t, last)) in groups {
            if t.total_tokens == 0 && t.cost_usd == 0.0 {
                continue;
            }
            let w = &self.windows[i];
            let event = Event::Usage {
                spec: Some(w.spec.clone()),
                task: w.task.clone(),
                tokens: Tokens {
                    total: t.total_tokens,
                    input: Some(t.input_tokens),
                    output: Some(t.output_tokens + t.reasoning_tokens),
                    cache_creation: Some(t.cache_creation_tokens),
                    cache_read: Some(t.cache_read_tokens),
                },
                cost_usd: Some(session::round_usd(t.cost_usd)),
                model: model.map(str::to_owned),
                source: UsageSource::Measured,
                agent_session_id: (!agent_session.is_empty()).then(|| agent_session.to_owned()),
            };
            // Whole seconds, as journals write them: still inside the window.
            let ts = Timestamp::from_second(last.as_second()).unwrap_or(last);
            out.entry(w.session.clone()).or_default().push(Entry {
                v: specwork_core::journal::SCHEMA_VERSION,
                ts: Stamp { ts, offset },
                session: w.session.clone(),
                event,
            });
        }
        for v in out.values_mut() {
            v.sort_by_key(|e| e.ts.ts);
        }
        out
    }
}

/// Adds, in memory, what the open (and unrecorded) windows of `owner`'s sessions received so far,
/// so reports show measured usage before it is recorded. Returns the attribution.
pub fn overlay_live(index: &mut SessionIndex, owner: &str, logs: &Logs, now: Stamp) -> Attributed {
    let a = attribute(index, owner, logs, &Closing { now, sessions: &[], task: None });
    let mut extra = a.entries(logs, now.offset, |_, _| true);
    for s in index.sessions.iter_mut() {
        if let Some(e) = extra.remove(&s.key) {
            windows::with_entries(s, e);
        }
    }
    a
}
