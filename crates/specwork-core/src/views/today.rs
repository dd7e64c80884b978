//! Today, the one definition: the sessions, tasks and minutes the journals hold for the day,
//! and its tokens and cost by [`crate::usage::spend`]'s rule (measured usage in the workspace
//! plus manual counts of tasks without measured usage). `cost --today`, `session-status`, `eod`,
//! the status line, the dashboard and the MCP tools all show these numbers.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::base::display::CostDisplay;
use crate::model::config::Config;
use crate::stores::session::SessionIndex;
use crate::usage::logs::Logs;
use crate::usage::spend::{self, Spend};
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
    /// Tokens: measured plus manual.
    pub tokens: u64,
    /// USD: measured plus manual.
    pub cost_usd: f64,
    /// Tokens measured from the agents' logs.
    pub measured_tokens: u64,
    /// Their cost.
    pub measured_usd: f64,
    /// Tokens counted by hand (tasks without measured usage).
    pub manual_tokens: u64,
    /// Their estimated cost.
    pub manual_usd: f64,
    /// `cost_usd` in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
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
    DayFigures {
        date,
        sessions: t.sessions,
        tasks_done: t.tasks_done,
        minutes: t.minutes,
        tokens: s.tokens,
        cost_usd: s.cost_usd,
        measured_tokens: s.measured_tokens,
        measured_usd: s.measured_usd,
        manual_tokens: s.manual_tokens,
        manual_usd: s.manual_usd,
        cost_display: s.cost_display,
    }
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
