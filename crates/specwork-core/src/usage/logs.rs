//! The agents' logs as seen from a workspace, and what each window of a session received.
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
//! When a window closes (a task finished or logged with a final status, a session ended, `eod`),
//! what it received is appended to the session's journal as measured `usage` events, one per
//! agent session, model and day, stamped at the last call each covers. From then on the journal
//! is the record (it travels with git; transcripts do not). Reports of sessions still open add
//! what their open windows received so far, without writing it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use specwork_usage::{Agent, Attribution, PriceTable, ProgressFn, Scan, ScanOptions, Sources, Totals, Window};

use crate::base::diag::Diagnostic;
use crate::base::display::round_usd;
use crate::model::config::Config;
use crate::stores::journal::{Entry, Event, SCHEMA_VERSION, Stamp, Tokens, UsageSource};
use crate::stores::session::SessionIndex;
use crate::stores::windows::{self, WorkWindow};

/// Why the logs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MeasureError {
    /// The log directories named by the environment are unusable.
    #[error("the agents' log directories: {0}")]
    Sources(#[source] specwork_usage::UsageError),
    /// A `[prices."model"]` entry of specwork.toml is invalid.
    #[error("invalid price for {model} in specwork.toml: {reason}")]
    Prices {
        /// The model.
        model: String,
        /// What is wrong.
        reason: String,
    },
    /// The scan failed (the scan cache could not be written, say).
    #[error(transparent)]
    Scan(specwork_usage::UsageError),
}

/// The scan cache of a workspace (`.specwork/cache`, deletable at any time).
pub fn cache_dir(root: &Path) -> PathBuf {
    root.join(".specwork").join("cache")
}

/// The directories that count as "inside the workspace": the root as given and, when it differs,
/// the path with symbolic links resolved (agents log the resolved working directory).
pub fn roots(root: &Path) -> Vec<PathBuf> {
    let mut v = vec![root.to_path_buf()];
    if let Ok(c) = fs_err::canonicalize(root)
        && c != root
    {
        v.push(c);
    }
    v
}

/// The price table: the built-in prices with `[prices."model"]` of specwork.toml applied.
pub fn price_table(config: &Config) -> Result<PriceTable, MeasureError> {
    PriceTable::builtin().with_overrides(&config.prices).map_err(|e| {
        let reason = e.to_string();
        let model = config.prices.keys().find(|m| reason.contains(m.as_str())).cloned().unwrap_or_default();
        MeasureError::Prices { model, reason }
    })
}

/// The scan options of a workspace — the one place they are built: the log directories of the
/// environment, the workspace's scan cache, its prices and its directory.
pub fn scan_options(root: &Path, config: &Config) -> Result<ScanOptions, MeasureError> {
    scan_options_for(root, config, &[])
}

/// [`scan_options`] reading only `agents`' logs (all when empty): another agent's unusable
/// folder is then never looked at.
pub fn scan_options_for(root: &Path, config: &Config, agents: &[Agent]) -> Result<ScanOptions, MeasureError> {
    Ok(ScanOptions {
        sources: Sources::from_env_for(agents).map_err(MeasureError::Sources)?,
        cache_dir: Some(cache_dir(root)),
        prices: price_table(config)?,
        project_roots: vec![root.to_path_buf()],
        ..ScanOptions::default()
    })
}

/// The user's scan cache (`$XDG_CACHE_HOME/specwork`, else `~/.cache/specwork`): for scans that
/// serve no single workspace (`cost --all` outside one, `status --projects`).
pub fn cache_home() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("specwork"));
    }
    std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".cache").join("specwork"))
}

/// One scan of the agents' logs for several workspaces that price models as `config` does
/// (`status --projects`, `cost --by project`): `roots` are recognised in Gemini's hashed project
/// names, and the scan cache is the user's ([`cache_home`]), since the scan
/// belongs to no single workspace. Each workspace then sees it through [`Logs::shared`].
pub fn shared_scan(
    config: &Config,
    roots: Vec<PathBuf>,
    agents: &[Agent],
    no_cache: bool,
    progress: Option<ProgressFn>,
) -> Result<std::sync::Arc<Scan>, MeasureError> {
    let opts = ScanOptions {
        sources: Sources::from_env_for(agents).map_err(MeasureError::Sources)?,
        cache_dir: cache_home(),
        prices: price_table(config)?,
        project_roots: roots,
        no_cache,
        progress,
        ..ScanOptions::default()
    };
    Ok(std::sync::Arc::new(specwork_usage::scan(&opts).map_err(MeasureError::Scan)?))
}

/// The agents' logs as seen from a workspace.
pub struct Logs {
    /// The scan (shared: one scan serves every registered workspace in `status --projects`).
    pub scan: std::sync::Arc<Scan>,
    /// The workspace directories.
    pub roots: Vec<PathBuf>,
}

impl Logs {
    /// Scans with `opts` (see [`scan_options`]) for the workspace at `root`.
    pub fn scan(root: &Path, opts: &ScanOptions) -> Result<Logs, MeasureError> {
        let scan = specwork_usage::scan(opts).map_err(MeasureError::Scan)?;
        Ok(Logs { scan: std::sync::Arc::new(scan), roots: roots(root) })
    }

    /// The workspace at `root` seen through a scan made for several workspaces at once.
    pub fn shared(root: &Path, scan: std::sync::Arc<Scan>) -> Logs {
        Logs { scan, roots: roots(root) }
    }

    /// Reads the logs for a workspace's session operations. Measuring never stops an operation:
    /// a problem comes back as a warning and the operation goes on with the journals alone.
    pub fn for_sessions(root: &Path, config: &Config, progress: Option<ProgressFn>) -> (Option<Logs>, Vec<Diagnostic>) {
        let attempt = || {
            let mut opts = scan_options(root, config)?;
            opts.progress = progress;
            Logs::scan(root, &opts)
        };
        match attempt() {
            Ok(logs) => {
                let warnings = logs
                    .scan
                    .cache_warning
                    .iter()
                    .map(|w| {
                        // Paths inside the workspace are shown relative to it, as diagnostics are.
                        let w = w.replace(&format!("{}/", root.display()), "");
                        Diagnostic::warning(
                            ".specwork/cache",
                            0,
                            w,
                            "the scan cache only saves time; check the directory's permissions",
                        )
                    })
                    .collect();
                (Some(logs), warnings)
            }
            Err(e) => {
                let d = Diagnostic::warning(
                    "",
                    0,
                    format!("tokens were not measured: {e}"),
                    "the journals still record the task; manual token counts are kept",
                );
                (None, vec![d])
            }
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
                cost_usd: Some(round_usd(t.cost_usd)),
                model: model.map(str::to_owned),
                source: UsageSource::Measured,
                agent_session_id: (!agent_session.is_empty()).then(|| agent_session.to_owned()),
            };
            // Whole seconds, as journals write them: still inside the window.
            let ts = Timestamp::from_second(last.as_second()).unwrap_or(last);
            out.entry(w.session.clone()).or_default().push(Entry {
                v: SCHEMA_VERSION,
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
