//! Money as shown to people: the optional second display currency (`[currency]` in
//! specwork.toml) and the budgets (`[budget] daily_usd`, `weekly_usd`, `monthly_usd`).
//!
//! Spending in a period is everything known that you spent on the workspace, counted once: every
//! measured call from the agents' logs on this machine made inside the workspace in the period
//! (attributed to a task or not), plus the manual token counts of your sessions' tasks that have
//! no measured usage (priced at the guide's blended rates), counted on the day the task ended.
//! A budget of 0 is off.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use specwork_core::config::{BudgetConfig, Config, CurrencyConfig};
use specwork_core::session::{self, SessionIndex};

use crate::measure::Logs;

/// A cost in the second currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostDisplay {
    /// Currency code (`THB`).
    pub code: String,
    /// The amount, rounded to two decimals.
    pub amount: f64,
}

/// `usd` in the second currency, when one is configured.
pub fn display(usd: f64, currency: Option<&CurrencyConfig>) -> Option<CostDisplay> {
    let c = currency?;
    Some(CostDisplay { code: c.code.clone(), amount: (usd * c.rate * 100.0).round() / 100.0 })
}

/// `$0.43`, or `$0.43 (15.05 THB)` with a second currency.
pub fn money(usd: f64, currency: Option<&CurrencyConfig>) -> String {
    match display(usd, currency) {
        Some(d) => format!("{} ({:.2} {})", session::fmt_cost(usd), d.amount, d.code),
        None => session::fmt_cost(usd),
    }
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
    fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    fn adjective(self) -> &'static str {
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
    /// `⚠️ Over the daily budget: $6.20 spent of $5.00 (2025-01-13)`.
    pub fn warning(&self, currency: Option<&CurrencyConfig>) -> String {
        let adj = match self.period {
            "day" => Period::Day,
            "week" => Period::Week,
            _ => Period::Month,
        }
        .adjective();
        let span = if self.from == self.until { self.from.clone() } else { format!("{} to {}", self.from, self.until) };
        format!(
            "⚠️ Over the {adj} budget: {} spent of {} ({span})",
            money(self.spent_usd, currency),
            money(self.limit_usd, currency)
        )
    }
}

/// Spending for each period ending on `day`.
pub fn status(
    config: &Config,
    logs: Option<&Logs>,
    index: &SessionIndex,
    owner: &str,
    tz: &TimeZone,
    day: Date,
    periods: &[Period],
) -> Vec<BudgetStatus> {
    let (budget, currency) = (&config.budget, config.currency.as_ref());
    let first = periods.iter().map(|p| p.first_day(day)).min().unwrap_or(day);
    // One pass over the calls: the day of each call inside the workspace, from the earliest
    // period's first day on (calls of one file share their directory string: check it once).
    let mut measured_by_day: Vec<(Date, f64)> = Vec::new();
    if let Some(l) = logs {
        let mut last: Option<(*const u8, bool)> = None;
        for r in &l.scan.records {
            let key = r.cwd.as_deref().map_or(std::ptr::null(), str::as_ptr);
            let inside = match last {
                Some((k, v)) if k == key => v,
                _ => {
                    let v = specwork_usage::inside(r, &l.roots);
                    last = Some((key, v));
                    v
                }
            };
            if !inside {
                continue;
            }
            let d = tz.to_datetime(r.timestamp).date();
            if first <= d && d <= day {
                measured_by_day.push((d, r.cost_usd));
            }
        }
    }
    periods
        .iter()
        .map(|&p| {
            let from = p.first_day(day);
            let in_range = |d: Date| from <= d && d <= day;
            let measured: f64 = measured_by_day.iter().filter(|(d, _)| in_range(*d)).map(|(_, c)| c).sum();
            let mut manual = 0.0;
            for s in index.sessions.iter().filter(|s| s.owner == owner) {
                for t in &s.tasks {
                    let Some(u) = &t.usage else { continue };
                    if u.source != "manual" {
                        continue;
                    }
                    let when = t.ended.unwrap_or(s.started);
                    if in_range(tz.to_datetime(when.ts).date()) {
                        manual += u.cost_usd;
                    }
                }
            }
            let spent = session::round_usd(measured + manual);
            let limit = p.limit(budget);
            BudgetStatus {
                period: p.name(),
                from: from.to_string(),
                until: day.to_string(),
                limit_usd: limit,
                spent_usd: spent,
                measured_usd: session::round_usd(measured),
                manual_usd: session::round_usd(manual),
                over: limit > 0.0 && spent > limit,
                spent_display: display(spent, currency),
            }
        })
        .collect()
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
