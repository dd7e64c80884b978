//! What a period cost — the one definition every report uses — and the budgets.
//!
//! Spending in a period is everything known that was spent on the workspace, counted once:
//! every measured call from the agents' logs on this machine made inside the workspace in the
//! period (attributed to a task or not), the measured usage other people's journals recorded
//! (their logs are on their machines), plus the manual token counts of tasks that have no
//! measured usage (priced at the guide's blended rates), counted on the day the task ended. When
//! the logs cannot be read, the measured usage the journals recorded stands in for them. A
//! budget of 0 is off.
//!
//! Days are calendar days in the time zone given (the system's by default), and "today" is the
//! day of [`crate::base::clock::now`] there.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::base::display::{CostDisplay, in_currency, money, round_usd};
use crate::model::config::{BudgetConfig, Config, CurrencyConfig};
use crate::stores::journal::{Event, Stamp, UsageSource};
use crate::stores::session::SessionIndex;
use crate::usage::logs::{Logs, overlay_live};

/// What a period cost: measured plus manual.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Spend {
    /// First day (`YYYY-MM-DD`).
    pub from: String,
    /// Last day.
    pub until: String,
    /// What was spent.
    #[serde(flatten)]
    pub amount: Amount,
}

/// Tokens and USD, with the measured / manual split.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Amount {
    /// Tokens: measured plus manual.
    pub tokens: u64,
    /// USD: measured plus manual.
    pub cost_usd: f64,
    /// Tokens measured from the agents' logs.
    pub measured_tokens: u64,
    /// Their cost.
    pub measured_usd: f64,
    /// Tokens counted by hand for tasks without measured usage.
    pub manual_tokens: u64,
    /// Their estimated cost.
    pub manual_usd: f64,
    /// `cost_usd` in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_display: Option<CostDisplay>,
}

impl Amount {
    /// `195k tokens, $0.17` (with the second currency when configured).
    pub fn summary(&self, currency: Option<&CurrencyConfig>) -> String {
        format!("{} tokens, {}", crate::base::display::fmt_tokens(self.tokens), money(self.cost_usd, currency))
    }
}

/// Today in `tz`: the day of [`crate::base::clock::now`].
pub fn today(tz: &TimeZone) -> Date {
    crate::base::clock::now().timestamp().to_zoned(tz.clone()).date()
}

/// The archive folders (`YYYY-MM-DD`) a period's journals can be in: every day from `from` to
/// `until`.
pub fn days_between(from: Date, until: Date) -> Vec<String> {
    let mut v = Vec::new();
    let mut d = from;
    while d <= until {
        v.push(d.to_string());
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    v
}

/// The sessions a period's spending needs: the open ones and those archived on its days — and
/// on the week before, since a journal is archived under the day its session started and a
/// session can end (and log tasks) days later.
pub fn index_for(root: &std::path::Path, from: Date, until: Date) -> SessionIndex {
    let from = from.checked_sub(jiff::Span::new().days(7)).unwrap_or(from);
    let days = days_between(from, until);
    let days: Vec<&str> = days.iter().map(String::as_str).collect();
    SessionIndex::load_current_and_days(root, &days)
}

/// Measured tokens and USD per day from `first` to `last`, from the logs' calls made inside the
/// workspace (one pass; calls of one file share their directory string, checked once).
fn measured_by_day(logs: &Logs, tz: &TimeZone, first: Date, last: Date) -> Vec<(Date, u64, f64)> {
    let mut out = Vec::new();
    let mut seen: Option<(*const u8, bool)> = None;
    for r in &logs.scan.records {
        let key = r.cwd.as_deref().map_or(std::ptr::null(), str::as_ptr);
        let inside = match seen {
            Some((k, v)) if k == key => v,
            _ => {
                let v = specwork_usage::inside(r, &logs.roots);
                seen = Some((key, v));
                v
            }
        };
        if !inside {
            continue;
        }
        let d = tz.to_datetime(r.timestamp).date();
        if first <= d && d <= last {
            let mut t = specwork_usage::Totals::default();
            t.add_record(r);
            out.push((d, t.total_tokens, r.cost_usd));
        }
    }
    out
}

/// Measured usage the journals of the people `whose` accepts recorded, per day.
fn recorded_by_day(
    index: &SessionIndex,
    whose: impl Fn(&str) -> bool,
    tz: &TimeZone,
    first: Date,
    last: Date,
) -> Vec<(Date, u64, f64)> {
    let mut out = Vec::new();
    for s in index.sessions.iter().filter(|s| whose(&s.owner)) {
        if !s.entries_loaded() {
            // An archived session read through the journal index: its measured usage, on the
            // day of its last event.
            let d = tz.to_datetime(s.last_event.ts).date();
            if first <= d && d <= last {
                let tasks = s.tasks.iter().filter_map(|t| t.usage.as_ref());
                for u in tasks.chain(s.loose_usage.iter().map(|(_, u)| u)).filter(|u| u.source == "measured") {
                    out.push((d, u.tokens.total, u.cost_usd));
                }
            }
            continue;
        }
        for e in &s.entries {
            if let Event::Usage { tokens, cost_usd, source: UsageSource::Measured, .. } = &e.event {
                let d = tz.to_datetime(e.ts.ts).date();
                if first <= d && d <= last {
                    out.push((d, tokens.total, cost_usd.unwrap_or(0.0)));
                }
            }
        }
    }
    out
}

/// Manual counts of tasks without measured usage, on the day each task ended.
fn manual_by_day(index: &SessionIndex, tz: &TimeZone, first: Date, last: Date) -> Vec<(Date, u64, f64)> {
    let mut out = Vec::new();
    for s in &index.sessions {
        for t in &s.tasks {
            let Some(u) = &t.usage else { continue };
            if u.source != "manual" {
                continue;
            }
            let when = t.ended.unwrap_or(s.started);
            let d = tz.to_datetime(when.ts).date();
            if first <= d && d <= last {
                out.push((d, u.tokens.total, u.cost_usd));
            }
        }
    }
    out
}

/// The per-day parts of spending from `first` to `last`: measured and manual.
pub struct Ledger {
    measured: Vec<(Date, u64, f64)>,
    manual: Vec<(Date, u64, f64)>,
    currency: Option<CurrencyConfig>,
}

impl Ledger {
    /// Reads what was spent on the workspace from `first` to `last`: the calls in the agents'
    /// logs on this machine made inside the workspace (this person's, `owner`), the measured usage
    /// other people's journals recorded (their logs are on their machines), and the manual counts
    /// of tasks without measured usage — including what this person's open windows received so
    /// far (`index` is not changed). Without logs, every journal's recorded usage stands in.
    pub fn new(
        config: &Config,
        logs: Option<&Logs>,
        index: &SessionIndex,
        owner: &str,
        tz: &TimeZone,
        first: Date,
        last: Date,
    ) -> Ledger {
        let (measured, manual) = match logs {
            Some(l) => {
                // A task counted by hand whose open window already received measured calls has
                // measured usage: the overlay makes the index say so.
                // Only sessions active in the range can hold its tasks (a task ends before its
                // session's last event): copy those, not a whole history.
                let sessions = index
                    .sessions
                    .iter()
                    .filter(|s| s.is_active() || tz.to_datetime(s.last_event.ts).date() >= first)
                    .cloned()
                    .collect();
                let mut live = SessionIndex { sessions, ..SessionIndex::default() };
                overlay_live(&mut live, owner, l, Stamp::now());
                let mut measured = measured_by_day(l, tz, first, last);
                measured.extend(recorded_by_day(index, |o| o != owner, tz, first, last));
                (measured, manual_by_day(&live, tz, first, last))
            }
            None => (recorded_by_day(index, |_| true, tz, first, last), manual_by_day(index, tz, first, last)),
        };
        Ledger { measured, manual, currency: config.currency.clone() }
    }

    /// Spending in period `p` up to `day` against its budget in `b`.
    pub fn budget(&self, b: &BudgetConfig, p: Period, day: Date) -> BudgetStatus {
        let s = self.spend(p.first_day(day), day);
        let limit = p.limit(b);
        BudgetStatus {
            period: p.name(),
            from: s.from,
            until: s.until,
            limit_usd: limit,
            spent_usd: s.amount.cost_usd,
            spent_tokens: s.amount.tokens,
            measured_usd: s.amount.measured_usd,
            manual_usd: s.amount.manual_usd,
            over: limit > 0.0 && s.amount.cost_usd > limit,
            spent_display: s.amount.cost_display,
        }
    }

    /// Spending from `from` to `until` (inside the ledger's range).
    pub fn spend(&self, from: Date, until: Date) -> Spend {
        let sum = |v: &[(Date, u64, f64)]| {
            v.iter()
                .filter(|(d, ..)| from <= *d && *d <= until)
                .fold((0u64, 0.0f64), |(t, c), (_, tt, cc)| (t + tt, c + cc))
        };
        let (mt, mu) = sum(&self.measured);
        let (nt, nu) = sum(&self.manual);
        let cost = round_usd(mu + nu);
        Spend {
            from: from.to_string(),
            until: until.to_string(),
            amount: Amount {
                tokens: mt + nt,
                cost_usd: cost,
                measured_tokens: mt,
                measured_usd: round_usd(mu),
                manual_tokens: nt,
                manual_usd: round_usd(nu),
                cost_display: in_currency(cost, self.currency.as_ref()),
            },
        }
    }
}

/// What `owner` spent from `from` to `until` (see the module's rule).
pub fn spend(
    config: &Config,
    logs: Option<&Logs>,
    index: &SessionIndex,
    owner: &str,
    tz: &TimeZone,
    from: Date,
    until: Date,
) -> Spend {
    Ledger::new(config, logs, index, owner, tz, from, until).spend(from, until)
}

/// A budget period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// The calendar day.
    Day,
    /// The week, Monday to Sunday.
    Week,
    /// The calendar month.
    Month,
}

impl Period {
    /// Day, week and month.
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// `day`, `week`, `month`.
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// `daily`, `weekly`, `monthly`.
    pub fn adjective(self) -> &'static str {
        match self {
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
        }
    }

    /// The first day of the period that holds `d`.
    pub fn first_day(self, d: Date) -> Date {
        match self {
            Period::Day => d,
            Period::Week => {
                let back = i64::from(d.weekday().to_monday_zero_offset());
                d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
            }
            Period::Month => d.first_of_month(),
        }
    }

    fn limit(self, b: &BudgetConfig) -> f64 {
        match self {
            Period::Day => b.daily_usd,
            Period::Week => b.weekly_usd,
            Period::Month => b.monthly_usd,
        }
    }
}

/// Spending against one budget.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetStatus {
    /// `day`, `week` or `month`.
    pub period: &'static str,
    /// First day of the period.
    pub from: String,
    /// Last day counted (today, or the day reported).
    pub until: String,
    /// The budget in USD (0: no budget).
    pub limit_usd: f64,
    /// Spent in the period: measured plus manual.
    pub spent_usd: f64,
    /// Tokens in the period: measured plus manual.
    pub spent_tokens: u64,
    /// Measured from the agents' logs.
    pub measured_usd: f64,
    /// Manual counts of tasks without measured usage.
    pub manual_usd: f64,
    /// Whether the spending is over the budget.
    pub over: bool,
    /// `spent_usd` in the second currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spent_display: Option<CostDisplay>,
}

impl BudgetStatus {
    /// The period this status is for.
    pub fn period(&self) -> Period {
        match self.period {
            "day" => Period::Day,
            "week" => Period::Week,
            _ => Period::Month,
        }
    }

    /// `⚠️ Over the daily budget: $6.20 spent of $5.00 (2025-01-13)`.
    pub fn warning(&self, currency: Option<&CurrencyConfig>) -> String {
        let adj = self.period().adjective();
        let span = if self.from == self.until { self.from.clone() } else { format!("{} to {}", self.from, self.until) };
        format!(
            "⚠️ Over the {adj} budget: {} spent of {} ({span})",
            money(self.spent_usd, currency),
            money(self.limit_usd, currency)
        )
    }
}

/// Spending for each of `periods` ending on `day`, read in one pass.
pub fn budgets(
    config: &Config,
    logs: Option<&Logs>,
    index: &SessionIndex,
    owner: &str,
    tz: &TimeZone,
    day: Date,
    periods: &[Period],
) -> Vec<BudgetStatus> {
    let first = periods.iter().map(|p| p.first_day(day)).min().unwrap_or(day);
    let ledger = Ledger::new(config, logs, index, owner, tz, first, day);
    periods.iter().map(|&p| ledger.budget(&config.budget, p, day)).collect()
}
