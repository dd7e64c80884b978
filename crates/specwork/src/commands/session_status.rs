use clap::Args;
use serde::Serialize;
use specwork_core::daily::{self, DayTotals};
use specwork_core::journal::Stamp;
use specwork_core::session::{self, Identity, Session, SessionIndex};
use specwork_core::{Diagnostic, TaskStatus};

use super::Ctx;
use crate::budget::{self, BudgetStatus, CostDisplay, Period};
use crate::error::CmdResult;
use crate::measure;

#[derive(Args, Debug)]
pub struct SessionStatusArgs {
    /// Only your own sessions
    #[arg(long)]
    pub mine: bool,
}

#[derive(Serialize)]
struct Row {
    session: String,
    name: String,
    spec: String,
    user: String,
    mine: bool,
    started: String,
    minutes: u64,
    tasks: TaskNumbers,
    in_progress: Vec<String>,
    tokens: u64,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_tokens: Option<u64>,
    cache_read_tokens: Option<u64>,
    cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_display: Option<CostDisplay>,
    usage_source: Option<&'static str>,
    journal: String,
}

#[derive(Serialize)]
struct TaskNumbers {
    done: usize,
    total: usize,
}

#[derive(Serialize)]
struct StatusReport {
    sessions: Vec<Row>,
    today: Today,
    budget: BudgetStatus,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize)]
struct Today {
    #[serde(flatten)]
    totals: DayTotals,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_display: Option<CostDisplay>,
}

fn row(s: &Session, me: &str, now: &Stamp, currency: Option<&specwork_core::config::CurrencyConfig>) -> Row {
    let (done, total) = s.task_progress();
    let u = s.usage(None);
    Row {
        session: s.key.clone(),
        name: s.name.clone(),
        spec: s.spec.clone(),
        user: s.user.clone(),
        mine: s.owner == me,
        started: s.started.to_string(),
        minutes: s.minutes(now),
        tasks: TaskNumbers { done, total },
        in_progress: s.tasks.iter().filter(|t| t.status == TaskStatus::InProgress).map(|t| t.task.clone()).collect(),
        tokens: u.tokens.total,
        input_tokens: u.tokens.input,
        output_tokens: u.tokens.output,
        cache_creation_tokens: u.tokens.cache_creation,
        cache_read_tokens: u.tokens.cache_read,
        cost_usd: u.cost_usd,
        cost_display: budget::display(u.cost_usd, currency),
        usage_source: (!u.source.is_empty()).then_some(u.source),
        journal: specwork_core::report::slash_path(&s.journal),
    }
}

pub fn run(ctx: &Ctx, a: SessionStatusArgs) -> CmdResult {
    let root = ctx.root()?;
    let (config, _) = specwork_core::config::Config::load(&root);
    let who = Identity::detect(&root, &config);
    let now = Stamp::now();
    let today = now.date();
    let mut index = SessionIndex::load_current_and_days(&root, &[today.as_str()]);
    // Your open tasks and sessions: what the agents' logs say they used so far.
    let logs = measure::logs_for_sessions(&ctx.ui, &root, &config);
    if let Some(l) = &logs {
        measure::overlay_live(&mut index, &who.owner, l, now);
    }
    let currency = config.currency.as_ref();
    let rows: Vec<Row> = index
        .active()
        .filter(|s| !a.mine || s.owner == who.owner)
        .map(|s| row(s, &who.owner, &now, currency))
        .collect();
    let totals = daily::totals(&index, &today);
    let tz = jiff::tz::TimeZone::system();
    let day = specwork_core::clock::now().date();
    let budget = budget::status(&config, logs.as_ref(), &index, &who.owner, &tz, day, &[Period::Day]).remove(0);
    let r = StatusReport {
        sessions: rows,
        today: Today { cost_display: budget::display(totals.cost_usd, currency), totals },
        budget,
        diagnostics: index.diagnostics.clone(),
    };
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
    }
    ctx.ui.report(&r, |s| {
        if r.sessions.is_empty() {
            s.push_str("No active session\n");
            s.push_str("Start one: specwork start-session ID spec SPEC\n");
        }
        for (i, row) in r.sessions.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&format!("Session: {}\n", row.name));
            s.push_str(&format!("Tasks: {}/{} done\n", row.tasks.done, row.tasks.total));
            s.push_str(&format!("Tokens: {}\n", session::fmt_tokens(row.tokens)));
            s.push_str(&format!("Cost: {}\n", budget::money(row.cost_usd, currency)));
            let who = if row.mine { String::new() } else { format!(" · {}", row.user) };
            let local = Stamp::parse(&row.started).map(|t| t.hm()).unwrap_or_default();
            s.push_str(&format!("Spec: {} · {} since {local}{who}\n", row.spec, session::fmt_minutes(row.minutes)));
            if !row.in_progress.is_empty() {
                s.push_str(&format!("In progress: {}\n", row.in_progress.join(", ")));
            }
        }
        let t = &r.today.totals;
        s.push_str(&format!(
            "\nToday ({}): {} session{}, {} task{} done, {} tokens, {}\n",
            t.date,
            t.sessions,
            if t.sessions == 1 { "" } else { "s" },
            t.tasks_done,
            if t.tasks_done == 1 { "" } else { "s" },
            session::fmt_tokens(t.tokens),
            budget::money(t.cost_usd, currency)
        ));
        if r.budget.over {
            s.push_str(&r.budget.warning(currency));
            s.push('\n');
        }
    });
    Ok(0)
}
