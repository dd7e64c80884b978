//! Sessions and cost: today's total against the daily budget, cost by day (with the budget
//! line), by model and by spec as uPlot charts, and the sessions with their tasks, tokens and
//! cost.
//!
//! Usage by day and model and today's figures come from the core cost report
//! ([`specwork_core::usage::cost`]) that `specwork cost` prints: measured from the agents' own
//! transcripts (the scan cache in `.specwork/cache` is shared) plus manual counts of tasks without
//! measured usage; usage per spec and per session comes from the session journals
//! ([`specwork_core::stores::session::SessionIndex`]), where tasks carry measured or manual usage.
//! Routes: `GET /cost` (page), `GET /api/cost` (the same numbers as JSON).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use specwork_core::stores::journal::Stamp;
use specwork_core::stores::quota::{self, QuotaUse};
use specwork_core::stores::session::SessionIndex;
use specwork_core::usage::cost::{self, CostBy, CostQuery, CostRow};
use specwork_core::usage::spend;

use super::{Chrome, Lang, NavEntry, html};
use crate::i18n::Catalogue;
use crate::state::AppState;

pub(super) const NAV: NavEntry = NavEntry { key: "nav.cost", href: "/cost" };

/// Days shown in the by-day chart.
const DAYS: usize = 30;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/cost", get(page)).route("/api/cost", get(api))
}

/// A sum for one key.
#[derive(Clone, Debug, Serialize)]
struct Bucket {
    key: String,
    tokens: u64,
    cost_usd: f64,
}

/// One session's line.
#[derive(Clone, Debug, Serialize)]
struct SessionLine {
    key: String,
    /// The name the person chose (`inv-1300`), without the key's owner suffix.
    name: String,
    /// Who ran it.
    user: String,
    spec: String,
    date: String,
    active: bool,
    done: usize,
    total: usize,
    tokens: u64,
    cost_usd: f64,
    source: &'static str,
    /// Percentage points of the subscription quotas it used (as `session-status` shows them).
    #[serde(skip_serializing_if = "Option::is_none")]
    quota: Option<QuotaUse>,
}

/// Everything the page shows.
#[derive(Clone, Debug, Serialize)]
struct CostData {
    today: String,
    today_tokens: u64,
    today_cost_usd: f64,
    budget_daily_usd: f64,
    over_budget: bool,
    currency: Option<(String, f64)>,
    by_day: Vec<Bucket>,
    by_model: Vec<Bucket>,
    by_spec: Vec<Bucket>,
    sessions: Vec<SessionLine>,
    /// Whether any session has quota figures (the status line reported quotas).
    quota_known: bool,
    total_cost_usd: f64,
    total_tokens: u64,
    scan_error: Option<String>,
    unpriced_models: Vec<String>,
}

fn buckets(rows: &[CostRow]) -> Vec<Bucket> {
    rows.iter()
        .map(|r| Bucket {
            key: r.key.clone(),
            tokens: r.totals.totals.total_tokens,
            cost_usd: r.totals.totals.cost_usd,
        })
        .collect()
}

fn collect(app: &AppState) -> CostData {
    let snap = app.snapshot();
    let ws = &snap.ws;
    let root = ws.root.clone();
    let tz = jiff::tz::TimeZone::system();
    let today_date = spend::today(&tz);
    let (mut by_day, mut by_model, mut today_tokens, mut today_cost, mut scan_error, mut unpriced) =
        (Vec::new(), Vec::new(), 0, 0.0, None, Vec::new());
    // The core cost report, as `specwork cost` builds it: rows from the agents' logs plus a
    // `(manual)` row, and today's spending by the one rule (the daily budget's figures).
    match cost::report(CostQuery::workspace(&root), &ws.config) {
        Ok(days) => {
            let logged: Vec<CostRow> = days.rows.iter().filter(|r| r.source.is_none()).cloned().collect();
            by_day = buckets(&logged[logged.len().saturating_sub(DAYS)..]);
            if let Some(d) = days.budget.iter().find(|b| b.period == "day") {
                today_tokens = d.spent_tokens;
                today_cost = d.spent_usd;
            }
            unpriced = days.unpriced_models.clone();
            let mut q = CostQuery::workspace(&root);
            q.by = CostBy::Model;
            if let Ok(models) = cost::report(q, &ws.config) {
                let logged: Vec<CostRow> = models.rows.into_iter().filter(|r| r.source.is_none()).collect();
                by_model = buckets(&logged);
            }
        }
        Err(e) => scan_error = Some(e.to_string()),
    }
    // The archive through the journal index: the same sessions, without reading every journal.
    let index = SessionIndex::load_indexed(&root);
    let mut per_spec: BTreeMap<String, Bucket> = BTreeMap::new();
    let mut sessions = Vec::new();
    let samples = quota::load(&root).samples;
    let now = Stamp::now();
    for s in index.sessions.iter().rev() {
        let u = s.usage(None);
        let (done, total) = s.task_progress();
        sessions.push(SessionLine {
            key: s.key.clone(),
            name: s.name.clone(),
            user: s.user.clone(),
            spec: s.spec.clone(),
            date: s.date(),
            active: s.is_active(),
            done,
            total,
            tokens: u.tokens.total,
            cost_usd: u.cost_usd,
            source: u.source,
            quota: quota::of_session(&samples, s, &now),
        });
        for spec in s.specs() {
            let su = s.usage(Some(spec));
            let b = per_spec.entry(spec.to_owned()).or_insert_with(|| Bucket {
                key: spec.to_owned(),
                tokens: 0,
                cost_usd: 0.0,
            });
            b.tokens += su.tokens.total;
            b.cost_usd += su.cost_usd;
        }
    }
    let budget = ws.config.budget.daily_usd;
    CostData {
        today: today_date.to_string(),
        today_tokens,
        today_cost_usd: today_cost,
        budget_daily_usd: budget,
        over_budget: budget > 0.0 && today_cost > budget,
        currency: ws.config.currency.as_ref().map(|c| (c.code.clone(), c.rate)),
        total_cost_usd: by_day.iter().fold(0.0, |a, b| a + b.cost_usd),
        total_tokens: by_day.iter().map(|b| b.tokens).sum(),
        by_day,
        by_model,
        by_spec: per_spec.into_values().filter(|b| b.tokens > 0 || b.cost_usd > 0.0).collect(),
        quota_known: sessions.iter().any(|s: &SessionLine| s.quota.is_some()),
        sessions,
        scan_error,
        unpriced_models: unpriced,
    }
}

/// A uPlot chart's data, read by `app.js` from a JSON script element.
#[derive(Serialize)]
struct Chart {
    /// The x axis' name in the legend (uPlot shows "Value" without one).
    x: String,
    labels: Vec<String>,
    data: Vec<Vec<f64>>,
    series: Vec<serde_json::Value>,
}

fn bar_chart(buckets: &[Bucket], x: &str, label: &str, budget: Option<(f64, &str)>) -> String {
    let xs: Vec<f64> = (0..buckets.len()).map(|i| i as f64).collect();
    let mut data = vec![xs, buckets.iter().map(|b| (b.cost_usd * 100.0).round() / 100.0).collect()];
    let mut series =
        vec![serde_json::json!({"label": label, "color": "#2f8f5b", "fill": "rgba(47,143,91,0.35)", "bars": true})];
    if let Some((b, name)) = budget {
        data.push(vec![b; buckets.len()]);
        series.push(serde_json::json!({"label": name, "color": "#c0392b", "dash": [6, 4]}));
    }
    // Dates are shown as `08-26`: the year only crowds the axis.
    let label = |k: &str| if specwork_core::views::daily::is_date(k) { k[5..].to_owned() } else { k.to_owned() };
    let chart = Chart { x: x.to_owned(), labels: buckets.iter().map(|b| label(&b.key)).collect(), data, series };
    // `</` cannot end the script element early: JSON escapes it.
    serde_json::to_string(&chart).unwrap_or_default().replace("</", "<\\/")
}

fn money(v: f64) -> String {
    format!("${v:.2}")
}

fn thousands(v: u64) -> String {
    specwork_core::base::display::fmt_tokens_exact(v)
}

#[derive(Template)]
#[template(path = "cost.html")]
struct CostPage {
    t: &'static Catalogue,
    chrome: Chrome,
    d: CostData,
    day_chart: String,
    model_chart: String,
    spec_chart: String,
}

impl CostPage {
    fn money(&self, v: &f64) -> String {
        match &self.d.currency {
            Some((code, rate)) => format!("{} ({} {:.0})", money(*v), code, v * rate),
            None => money(*v),
        }
    }

    /// A session's share of the subscription quotas (`5h +9.5% · 7d +3.0%`), empty when unknown.
    fn quota(&self, q: &Option<QuotaUse>) -> String {
        q.map(|q| specwork_core::base::display::fmt_quota(q.five_hour, q.seven_day)).unwrap_or_default()
    }

    fn tokens(&self, v: &u64) -> String {
        thousands(*v)
    }

    /// Where a session's tokens come from (`measured`, `manual`, `mixed`), in the page's language.
    fn source<'a>(&'a self, source: &'a str) -> &'a str {
        match source {
            "measured" => self.t.t("cost.source_measured"),
            "manual" => self.t.t("cost.source_manual"),
            "mixed" => self.t.t("cost.source_mixed"),
            other => other,
        }
    }
}

async fn page(State(app): State<AppState>, Lang(t): Lang) -> Response {
    app.blocking(move |app| {
        let d = collect(app);
        let mut chrome = Chrome::new(t.t("nav.cost"), NAV.key);
        // Session journals feed this page.
        chrome.ignore = "";
        html(&CostPage {
            t,
            chrome,
            day_chart: bar_chart(
                &d.by_day,
                t.t("cost.chart_day"),
                t.t("cost.cost_usd"),
                (d.budget_daily_usd > 0.0).then(|| (d.budget_daily_usd, t.t("cost.budget"))),
            ),
            model_chart: bar_chart(&d.by_model, t.t("cost.chart_model"), t.t("cost.cost_usd"), None),
            spec_chart: bar_chart(&d.by_spec, t.t("cost.chart_spec"), t.t("cost.cost_usd"), None),
            d,
        })
    })
    .await
}

async fn api(State(app): State<AppState>) -> Response {
    app.blocking(|app| Json(collect(app)).into_response()).await
}
