//! The subscription quota the agent reports: Claude Code's status-line input carries
//! `rate_limits.five_hour` and `rate_limits.seven_day` (`used_percentage`, `resets_at` in Unix
//! seconds), and `specwork statusline` keeps each change of them in `.specwork/quota.json` (derived
//! and local: it can be deleted; written by `ops::quota`).
//!
//! What a window of work used of a quota ([`used`]) is the growth of `used_percentage` across the
//! samples inside it, starting from the last sample before it: when `resets_at` moves, the quota
//! was reset and what the new window shows was all used since. Quotas are per account, so windows
//! of parallel sessions each see the growth of both.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::stores::journal::Stamp;

/// The file, relative to the workspace.
pub const FILE: &str = ".specwork/quota.json";
/// Samples kept (the oldest go first).
pub const MAX_SAMPLES: usize = 5000;

/// One quota as the agent reported it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limit {
    /// Percent of the quota used, 0–100.
    pub used_percentage: f64,
    /// When the quota resets (Unix seconds).
    pub resets_at: i64,
}

/// The quotas at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// When it was seen (Unix seconds).
    pub at: i64,
    /// The five-hour quota.
    #[serde(default)]
    pub five_hour: Option<Limit>,
    /// The weekly quota.
    #[serde(default)]
    pub seven_day: Option<Limit>,
}

/// The samples, oldest first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct QuotaLog {
    /// Version of the file.
    #[serde(default)]
    pub v: u32,
    /// The samples.
    #[serde(default)]
    pub samples: Vec<Sample>,
}

/// Percentage points of each quota a window of work used (`None`: no sample says).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct QuotaUse {
    /// Of the five-hour quota.
    pub five_hour: Option<f64>,
    /// Of the weekly quota.
    pub seven_day: Option<f64>,
}

impl QuotaUse {
    /// Whether any quota is known.
    pub fn is_known(&self) -> bool {
        self.five_hour.is_some() || self.seven_day.is_some()
    }

    /// Adds another window's use.
    pub fn add(&mut self, o: &QuotaUse) {
        let sum = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(round(a.unwrap_or(0.0) + b.unwrap_or(0.0))),
        };
        self.five_hour = sum(self.five_hour, o.five_hour);
        self.seven_day = sum(self.seven_day, o.seven_day);
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The file of the workspace at `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// The samples of the workspace at `root` (none when the file is missing or unreadable: it is
/// derived).
pub fn load(root: &Path) -> QuotaLog {
    crate::base::path_policy::read(path(root)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// What session `s` used of each quota from its start to its end (to `now` while it is open):
/// the figure `session-status`, the MCP server and the dashboard show. `None` when no sample says.
pub fn of_session(samples: &[Sample], s: &crate::stores::session::Session, now: &Stamp) -> Option<QuotaUse> {
    let end = s.ended.as_ref().unwrap_or(now);
    Some(used(samples, s.started.ts.as_second(), end.ts.as_second())).filter(QuotaUse::is_known)
}

/// What the window `[start, end]` (Unix seconds) used of each quota.
pub fn used(samples: &[Sample], start: i64, end: i64) -> QuotaUse {
    QuotaUse {
        five_hour: used_of(samples, start, end, |s| s.five_hour),
        seven_day: used_of(samples, start, end, |s| s.seven_day),
    }
}

fn used_of(samples: &[Sample], start: i64, end: i64, pick: impl Fn(&Sample) -> Option<Limit>) -> Option<f64> {
    let mut seen: Vec<(i64, Limit)> = samples.iter().filter_map(|s| pick(s).map(|l| (s.at, l))).collect();
    seen.sort_by_key(|(at, _)| *at);
    let mut prev = seen.iter().rev().find(|(at, _)| *at <= start).map(|(_, l)| *l);
    let mut total = prev.map(|_| 0.0);
    for (_, l) in seen.iter().filter(|(at, _)| *at > start && *at <= end) {
        let grew = match prev {
            Some(p) if p.resets_at == l.resets_at => (l.used_percentage - p.used_percentage).max(0.0),
            // Reset since the last sample: what the new window shows was used since.
            Some(_) => l.used_percentage.max(0.0),
            None => 0.0,
        };
        total = Some(total.unwrap_or(0.0) + grew);
        prev = Some(*l);
    }
    total.map(round)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(at: i64, used: f64, resets_at: i64) -> Sample {
        Sample { at, five_hour: Some(Limit { used_percentage: used, resets_at }), seven_day: None }
    }

    #[test]
    fn growth_inside_the_window_counts_and_a_reset_starts_over() {
        let v = [s(100, 10.0, 1000), s(200, 14.5, 1000), s(300, 20.0, 1000), s(1100, 3.0, 19000), s(1200, 5.0, 19000)];
        assert_eq!(used(&v, 150, 300).five_hour, Some(10.0), "from the last sample before the window");
        assert_eq!(used(&v, 250, 1200).five_hour, Some(10.5), "5.5, then 3 after the reset, then 2");
        assert_eq!(used(&v, 0, 50).five_hour, None, "nothing known yet");
        assert_eq!(used(&v, 1300, 1400).five_hour, Some(0.0), "known, unchanged");
        assert_eq!(used(&v, 0, 1400).seven_day, None);
    }
}
