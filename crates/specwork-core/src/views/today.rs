//! Today, the one definition: the sessions, tasks and minutes the journals hold for the day,
//! and its tokens and cost by [`crate::usage::spend`]'s rule (measured usage in the workspace
//! plus manual counts of tasks without measured usage). `cost --today`, `session-status`, `eod`,
//! the status line, the dashboard and the MCP tools all show these numbers.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::model::config::Config;
use crate::stores::session::SessionIndex;
use crate::usage::logs::Logs;
use crate::usage::spend::{self, Amount, Spend};
use crate::views::daily;

/// One day's numbers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DayFigures {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Sessions started that day.
    pub sessions: usize,
    /// Distinct tasks completed in them.
    pub tasks_done: usize,
    /// Minutes recorded.
    pub minutes: u64,
    /// Tokens and USD spent that day.
    #[serde(flatten)]
    pub amount: Amount,
}

/// The figures of `day` for `owner`: `index` must hold the day's sessions (open ones and those
/// archived that day, see [`spend::index_for`]).
pub fn figures(
    config: &Config,
    logs: Option<&Logs>,
    index: &SessionIndex,
    owner: &str,
    tz: &TimeZone,
    day: Date,
) -> DayFigures {
    let date = day.to_string();
    let t = daily::totals(index, &date);
    let s: Spend = spend::spend(config, logs, index, owner, tz, day, day);
    DayFigures { date, sessions: t.sessions, tasks_done: t.tasks_done, minutes: t.minutes, amount: s.amount }
}

/// Today's figures of the workspace at `root` for the person running specwork: the one call
/// every frontend makes for "today".
pub fn for_workspace(root: &std::path::Path, config: &Config) -> DayFigures {
    let tz = TimeZone::system();
    let day = spend::today(&tz);
    let index = spend::index_for(root, day, day);
    let who = crate::stores::session::Identity::detect(root, config);
    let (logs, _) = Logs::for_sessions(root, config, None);
    figures(config, logs.as_ref(), &index, &who.owner, &tz, day)
}

/// How long [`cached_for_workspace`] reuses today's figures.
const CACHE_MS: u128 = 5_000;

/// The cache of [`cached_for_workspace`], in `.specwork/hooks/statusline.json`.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cached {
    date: String,
    at_ms: u128,
    /// [`journals_stamp`] when the figures were computed: a task logged since is seen at once.
    #[serde(default)]
    journals: u64,
    tokens: u64,
    cost_usd: f64,
}

/// A fingerprint of the open sessions' journals (names, sizes, modification times).
fn journals_stamp(root: &std::path::Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Ok(rd) = crate::base::path_policy::read_dir(root.join(crate::stores::journal::CURRENT_DIR)) {
        let mut v: Vec<(std::ffi::OsString, u64, Option<std::time::SystemTime>)> = rd
            .flatten()
            .filter_map(|e| e.metadata().ok().map(|m| (e.file_name(), m.len(), m.modified().ok())))
            .collect();
        v.sort();
        v.hash(&mut h);
    }
    h.finish()
}

fn now_ms() -> u128 {
    crate::base::clock::system_time().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Today's tokens and USD of the workspace at `root` ([`for_workspace`]) for a caller that asks
/// every few seconds (the status line): reused for [`CACHE_MS`] while `today` and the open
/// journals are unchanged. The cache lives in `.specwork/hooks/` and is written like every other
/// file (inside the workspace, atomically); failing to write it only costs time.
pub fn cached_for_workspace(root: &std::path::Path, today: &str) -> (u64, f64) {
    let cache = root.join(crate::stores::journal::HOOKS_DIR).join("statusline.json");
    let read = crate::base::path_policy::read_capped(&cache, 64 * 1024).ok();
    if let Some(c) = read.and_then(|b| serde_json::from_slice::<Cached>(&b).ok())
        && c.date == today
        && c.journals == journals_stamp(root)
        && now_ms().saturating_sub(c.at_ms) < CACHE_MS
    {
        return (c.tokens, c.cost_usd);
    }
    let (config, _) = Config::load(root);
    let t = for_workspace(root, &config);
    let c = Cached {
        date: t.date.clone(),
        at_ms: now_ms(),
        journals: journals_stamp(root),
        tokens: t.amount.tokens,
        cost_usd: t.amount.cost_usd,
    };
    if let Ok(bytes) = serde_json::to_vec(&c) {
        let _ = crate::base::write::overwrite(&cache, &bytes);
    }
    (t.amount.tokens, t.amount.cost_usd)
}
