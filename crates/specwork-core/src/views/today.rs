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
