use clap::Args;
use specwork_core::base::display::{self, money};
use specwork_core::ops::derived::Outcome;
use specwork_core::ops::eod;
use specwork_core::stores::journal::Stamp;
use specwork_core::stores::session;
use specwork_core::views::daily;

use super::Ctx;
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct EodArgs {
    /// The day to summarise (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Run it in every registered workspace (`specwork projects list`): one daily summary in
    /// each, one line per project here
    #[arg(long)]
    pub projects: bool,
}

pub fn run(ctx: &Ctx, a: EodArgs) -> CmdResult {
    let today = Stamp::now().date();
    let date = a.date.clone().unwrap_or_else(|| today.clone());
    if !daily::is_date(&date) {
        return Err(CommandError::usage(format!("`{date}` is not a date"), "write it as YYYY-MM-DD, e.g. 2025-01-13"));
    }
    if a.projects {
        return run_projects(ctx, &date);
    }
    let ws = ctx.workspace()?;
    let r = eod::run(ws, &date, ctx.ui.scan_progress())?;
    let currency = ws.config.currency.as_ref();
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
        if r.gitattributes_added {
            ctx.ui.note(
                ".gitattributes now lets daily summaries and PROGRESS.md merge without conflicts; run `specwork rebuild` after a merge",
            );
        }
    }
    ctx.ui.report(&r, |s| {
        let t = &r.totals;
        s.push_str(&format!("📊 EOD Summary: {}\n", t.date));
        s.push_str(&format!("├── Sessions: {}\n", t.sessions));
        s.push_str(&format!("├── Tasks: {}\n", t.tasks_done));
        s.push_str(&format!("├── Tokens: {}\n", display::fmt_tokens_exact(t.amount.tokens)));
        s.push_str(&format!("└── Cost: {}\n", money(t.amount.cost_usd, currency)));
        match &r.daily_summary {
            Some(f) if f.outcome == Outcome::Created => s.push_str("✅ Daily summary created\n"),
            Some(f) if f.outcome == Outcome::Updated => s.push_str("✅ Daily summary updated\n"),
            Some(_) => s.push_str("✅ Daily summary up to date\n"),
            None => s.push_str(&format!("No sessions on {}: no daily summary written\n", t.date)),
        }
        for f in &r.other_summaries {
            s.push_str(&format!(
                "✅ Daily summary {} {}\n",
                f.path,
                if f.outcome == Outcome::Created { "created" } else { "updated" }
            ));
        }
        if r.archived.is_empty() {
            s.push_str("Session logs: nothing to archive\n");
        } else {
            s.push_str("✅ Session logs archived\n");
        }
        s.push_str("✅ PROGRESS.md updated\n");
        for k in &r.still_active {
            s.push_str(&format!(
                "⏳ Session {} ({}) is still active; it is archived after it ends\n",
                session::name_of(k),
                k.rsplit_once('.').map_or("", |(_, o)| o)
            ));
        }
        for b in r.budget.iter().filter(|b| b.over) {
            s.push_str(&b.warning(currency));
            s.push('\n');
        }
    });
    Ok(0)
}

#[derive(serde::Serialize)]
struct ProjectsEod {
    date: String,
    projects: Vec<eod::ProjectEod>,
}

fn run_projects(ctx: &Ctx, date: &str) -> CmdResult {
    let registry = specwork_core::stores::projects::Registry::load()?;
    if !ctx.ui.json {
        ctx.ui.diagnostics(&registry.diagnostics);
    }
    let projects = eod::run_projects(&registry, date, ctx.ui.scan_progress());
    let failed = projects.iter().filter(|p| p.error.is_some()).count();
    let r = ProjectsEod { date: date.to_owned(), projects };
    ctx.ui.report(&r, |s| {
        s.push_str(&format!("📊 EOD Summary: {date} · {} projects\n", r.projects.len()));
        for (i, p) in r.projects.iter().enumerate() {
            let branch = if i + 1 == r.projects.len() { "└──" } else { "├──" };
            match (&p.eod, &p.error) {
                (Some(e), _) => {
                    let t = &e.totals;
                    let summary = match &e.daily_summary {
                        Some(f) => f.path.clone(),
                        None => "no sessions".to_owned(),
                    };
                    s.push_str(&format!(
                        "{branch} {}: {} sessions · {} tasks · {} tokens · {} · {summary}\n",
                        p.name,
                        t.sessions,
                        t.tasks_done,
                        display::fmt_tokens_exact(t.amount.tokens),
                        money(t.amount.cost_usd, None),
                    ));
                }
                (None, err) => {
                    s.push_str(&format!("{branch} {}: ❌ {}\n", p.name, err.as_deref().unwrap_or("failed")));
                }
            }
        }
    });
    Ok(if failed > 0 { crate::error::EXIT_FAILURE } else { 0 })
}
