//! Aggregation of records: filters (dates, project directory, agent) and grouping by period,
//! model, session, agent or any key the caller computes (spec and task via attribution).
//!
//! Days are calendar days in the filter's time zone (ccusage's `--timezone`); weeks start on the
//! filter's `week_start` (Monday by default, keyed by their first day); `since`/`until` are
//! inclusive calendar days in the same zone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::{Agent, Tokens, UsageError, UsageRecord};

/// Which records a report covers.
#[derive(Debug, Clone)]
pub struct Filter {
    /// First day included, in `tz`.
    pub since: Option<Date>,
    /// Last day included, in `tz`.
    pub until: Option<Date>,
    /// Only records whose working directory is this directory or inside it ("this workspace").
    /// Records without a known directory are left out when this is set.
    pub cwd_prefix: Option<PathBuf>,
    /// Only these agents (`None`: all).
    pub agents: Option<Vec<Agent>>,
    /// The zone that defines calendar days.
    pub tz: TimeZone,
    /// First day of a week for [`GroupBy::Week`].
    pub week_start: Weekday,
}

impl Default for Filter {
    fn default() -> Self {
        Self {
            since: None,
            until: None,
            cwd_prefix: None,
            agents: None,
            tz: TimeZone::system(),
            week_start: Weekday::Monday,
        }
    }
}

/// Looks up a time zone: an IANA name (`Asia/Bangkok`), `UTC`, or a fixed offset (`+07:00`).
pub fn time_zone(name: &str) -> Result<TimeZone, UsageError> {
    let n = name.trim();
    if n.eq_ignore_ascii_case("utc") || n == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(off) = parse_offset(n) {
        return Ok(TimeZone::fixed(off));
    }
    TimeZone::get(n).map_err(|source| UsageError::TimeZone { name: name.to_owned(), source })
}

/// `+HH`, `+HH:MM` or `-HH:MM`.
fn parse_offset(s: &str) -> Option<jiff::tz::Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    if h.is_empty() || h.len() > 2 || m.len() > 2 {
        return None;
    }
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if h > 18 || m > 59 {
        return None;
    }
    jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

impl Filter {
    /// A filter with everything included, days in `tz`.
    pub fn in_zone(tz: TimeZone) -> Self {
        Self { tz, ..Self::default() }
    }

    /// The calendar day of `ts` in this filter's zone.
    pub fn day(&self, ts: jiff::Timestamp) -> Date {
        self.tz.to_datetime(ts).date()
    }

    /// Whether `r` is covered.
    pub fn matches(&self, r: &UsageRecord) -> bool {
        if let Some(a) = &self.agents
            && !a.contains(&r.agent)
        {
            return false;
        }
        if let Some(p) = &self.cwd_prefix {
            match &r.cwd {
                Some(c) if Path::new(c.as_ref()).starts_with(p) => {}
                _ => return false,
            }
        }
        if self.since.is_some() || self.until.is_some() {
            let d = self.day(r.timestamp);
            if self.since.is_some_and(|s| d < s) || self.until.is_some_and(|u| d > u) {
                return false;
            }
        }
        true
    }
}

/// A built-in grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// Calendar day (`YYYY-MM-DD`).
    Day,
    /// Week, keyed by its first day (`YYYY-MM-DD`).
    Week,
    /// Calendar month (`YYYY-MM`).
    Month,
    /// Model (`(unknown)` for calls without one).
    Model,
    /// Agent session id.
    Session,
    /// Agent.
    Agent,
    /// Working directory (`(unknown)` without one).
    Project,
}

/// Summed tokens and cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Uncached input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Cache-write tokens.
    pub cache_creation_tokens: u64,
    /// Cache-read tokens.
    pub cache_read_tokens: u64,
    /// Reasoning tokens reported apart from output (Gemini thoughts).
    pub reasoning_tokens: u64,
    /// Reasoning tokens included in `output_tokens` (Codex); informational, not in the total.
    pub reasoning_output_tokens: u64,
    /// All of the above.
    pub total_tokens: u64,
    /// Cost in USD.
    pub cost_usd: f64,
    /// Number of calls.
    pub calls: u64,
}

impl Totals {
    /// Adds one record.
    pub fn add_record(&mut self, r: &UsageRecord) {
        self.add_tokens(&r.tokens, r.cost_usd);
    }

    /// Adds tokens and cost of one call.
    pub fn add_tokens(&mut self, t: &Tokens, cost_usd: f64) {
        self.input_tokens += t.input;
        self.output_tokens += t.output;
        self.cache_creation_tokens += t.cache_creation;
        self.cache_read_tokens += t.cache_read;
        self.reasoning_tokens += t.reasoning;
        self.reasoning_output_tokens += t.reasoning_in_output;
        self.total_tokens += t.total();
        self.cost_usd += cost_usd;
        self.calls += 1;
    }

    /// Adds another total.
    pub fn merge(&mut self, o: &Totals) {
        self.input_tokens += o.input_tokens;
        self.output_tokens += o.output_tokens;
        self.cache_creation_tokens += o.cache_creation_tokens;
        self.cache_read_tokens += o.cache_read_tokens;
        self.reasoning_tokens += o.reasoning_tokens;
        self.reasoning_output_tokens += o.reasoning_output_tokens;
        self.total_tokens += o.total_tokens;
        self.cost_usd += o.cost_usd;
        self.calls += o.calls;
    }
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The group's key (a date, model, session id, ...).
    pub key: String,
    /// Its totals.
    pub totals: Totals,
}

/// Rows sorted by key, and the grand total.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// The groups, sorted by key.
    pub rows: Vec<Row>,
    /// The sum of all rows.
    pub totals: Totals,
}

fn week_start(d: Date, start: Weekday) -> Date {
    let back = i32::from(d.weekday().since(start));
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

impl Report {
    /// Groups the records that `filter` covers.
    pub fn build<'a>(records: impl IntoIterator<Item = &'a UsageRecord>, filter: &Filter, by: GroupBy) -> Report {
        Self::build_with(records, filter, |r| {
            Some(match by {
                GroupBy::Day => filter.day(r.timestamp).to_string(),
                GroupBy::Week => week_start(filter.day(r.timestamp), filter.week_start).to_string(),
                GroupBy::Month => {
                    let d = filter.day(r.timestamp);
                    format!("{:04}-{:02}", d.year(), d.month())
                }
                GroupBy::Model => r.model.as_deref().unwrap_or("(unknown)").to_owned(),
                GroupBy::Session => r.session_id.to_string(),
                GroupBy::Agent => r.agent.as_str().to_owned(),
                GroupBy::Project => r.cwd.as_deref().unwrap_or("(unknown)").to_owned(),
            })
        })
    }

    /// Groups the records that `filter` covers by a key the caller computes; records for which
    /// `key` returns `None` are left out (e.g. usage attributed to no task).
    pub fn build_with<'a, F>(records: impl IntoIterator<Item = &'a UsageRecord>, filter: &Filter, mut key: F) -> Report
    where
        F: FnMut(&UsageRecord) -> Option<String>,
    {
        let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
        let mut totals = Totals::default();
        for r in records {
            if !filter.matches(r) {
                continue;
            }
            let Some(k) = key(r) else { continue };
            groups.entry(k).or_default().add_record(r);
            totals.add_record(r);
        }
        Report { rows: groups.into_iter().map(|(key, totals)| Row { key, totals }).collect(), totals }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn rec(ts: &str, cwd: &str, agent: Agent, input: u64) -> UsageRecord {
        UsageRecord {
            timestamp: ts.parse().unwrap(),
            agent,
            model: Some(Arc::from("m")),
            cwd: Some(Arc::from(cwd)),
            session_id: Arc::from("s"),
            tokens: Tokens { input, ..Default::default() },
            cost_usd: input as f64,
        }
    }

    #[test]
    fn days_follow_the_zone_and_filters_apply() {
        let recs = vec![
            rec("2025-10-24T23:30:00Z", "/w/a", Agent::Claude, 1),
            rec("2025-10-25T01:00:00Z", "/w/a/sub", Agent::Codex, 2),
            rec("2025-10-25T01:00:00Z", "/w/ab", Agent::Claude, 4),
        ];
        let utc = Filter::in_zone(TimeZone::UTC);
        let r = Report::build(&recs, &utc, GroupBy::Day);
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].totals.input_tokens, 1);
        let bkk = Filter::in_zone(time_zone("Asia/Bangkok").unwrap());
        let r = Report::build(&recs, &bkk, GroupBy::Day);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].key, "2025-10-25");
        let mut inside = utc.clone();
        inside.cwd_prefix = Some(PathBuf::from("/w/a"));
        assert_eq!(Report::build(&recs, &inside, GroupBy::Day).totals.input_tokens, 3);
        inside.agents = Some(vec![Agent::Codex]);
        assert_eq!(Report::build(&recs, &inside, GroupBy::Day).totals.input_tokens, 2);
        let mut since = utc.clone();
        since.since = Some("2025-10-25".parse().unwrap());
        assert_eq!(Report::build(&recs, &since, GroupBy::Month).totals.input_tokens, 6);
        let w = Report::build(&recs, &utc, GroupBy::Week);
        assert_eq!(w.rows[0].key, "2025-10-20");
    }
}
