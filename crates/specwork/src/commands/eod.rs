use clap::Args;
use serde::Serialize;
use specwork_core::daily::{self, DayTotals};
use specwork_core::derived::{self, Archived, Outcome};
use specwork_core::journal::{self, Entry, Event, Stamp, WorkspaceLock};
use specwork_core::session::{self, Identity, SessionIndex};
use specwork_core::{Diagnostic, report};

use super::Ctx;
use crate::budget::{self, BudgetStatus, CostDisplay, Period};
use crate::error::{CmdResult, CommandError};
use crate::measure::{self, Closing};

#[derive(Args, Debug)]
pub struct EodArgs {
    /// The day to summarise (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Serialize)]
struct WrittenFile {
    path: String,
    outcome: Outcome,
}

#[derive(Serialize)]
struct EodReport {
    #[serde(flatten)]
    totals: DayTotals,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_display: Option<CostDisplay>,
    budget: Vec<BudgetStatus>,
    daily_summary: Option<WrittenFile>,
    other_summaries: Vec<WrittenFile>,
    progress: WrittenFile,
    ended: Vec<String>,
    archived: Vec<Archived>,
    still_active: Vec<String>,
    gitattributes_added: bool,
    diagnostics: Vec<Diagnostic>,
}

pub fn run(ctx: &Ctx, a: EodArgs) -> CmdResult {
    let today = Stamp::now().date();
    let date = a.date.clone().unwrap_or_else(|| today.clone());
    if !daily::is_date(&date) {
        return Err(CommandError::usage(format!("`{date}` is not a date"), "write it as YYYY-MM-DD, e.g. 2025-01-13"));
    }
    let ws = ctx.workspace()?;
    let who = Identity::detect(&ws.root, &ws.config);
    let logs = measure::logs_for_sessions(&ctx.ui, &ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_indexed(&ws.root);

    // Close your own sessions of the day (and older ones left open) at their last activity, with
    // the usage measured in their windows (and in windows of your ended sessions not measured yet).
    let closing: Vec<(String, Stamp)> = index
        .active()
        .filter(|s| s.owner == who.owner && s.date() <= date)
        .map(|s| (s.key.clone(), s.last_event))
        .collect();
    let mut measured = match &logs {
        Some(l) => {
            let now = Stamp::now();
            let a = measure::attribute(&index, &who.owner, l, &Closing { now, sessions: &closing, task: None });
            a.entries(l, now.offset, |w, closed| {
                closed && index.get(&w.session).is_some_and(|s| !s.archived && s.date() <= date)
            })
        }
        None => Default::default(),
    };
    let mut ended = Vec::new();
    for (key, at) in &closing {
        let s = index.get(key).expect("from the index");
        let mut entries = vec![Entry { ts: *at, ..Entry::now(key, Event::SessionEnd { reason: "eod".into() }) }];
        entries.extend(measured.remove(key).unwrap_or_default());
        journal::append(&ws.abs(&s.journal), &entries).map_err(session::SessionError::from)?;
        ended.push(key.clone());
    }
    let mut touched = ended.clone();
    for (key, entries) in measured {
        let s = index.get(&key).expect("from the index");
        journal::append(&ws.abs(&s.journal), &entries).map_err(session::SessionError::from)?;
        touched.push(key);
    }
    // Archiving moves ended journals of `.current/`; the archive is read again only where this
    // command wrote.
    let archived = derived::archive(&ws.root, &SessionIndex::load_current(&ws.root), &date)?;
    let mut written: Vec<std::path::PathBuf> =
        touched.iter().filter_map(|k| index.get(k)).map(|s| s.journal.clone()).collect();
    written.extend(archived.iter().map(|a| std::path::PathBuf::from(&a.path)));
    let written: Vec<&std::path::Path> = written.iter().map(std::path::PathBuf::as_path).collect();
    let index = index.reload_indexed(&ws.root, &written);
    for key in &touched {
        session::refresh_for(ws, &index, key)?;
    }

    let mut dates: Vec<String> = archived.iter().map(|x| x.date.clone()).filter(|d| *d != date).collect();
    dates.sort();
    dates.dedup();
    let mut other_summaries = Vec::new();
    for d in &dates {
        let outcome = derived::write_daily(ws, &index, d)?;
        other_summaries.push(WrittenFile { path: report::slash_path(&daily::path(d)), outcome });
    }
    let totals = daily::totals(&index, &date);
    let daily_summary = if totals.sessions > 0 {
        let outcome = derived::write_daily(ws, &index, &date)?;
        Some(WrittenFile { path: report::slash_path(&daily::path(&date)), outcome })
    } else {
        None
    };
    let progress =
        WrittenFile { path: journal::PROGRESS_FILE.to_owned(), outcome: derived::write_progress(ws, &index)? };
    let gitattributes_added = derived::ensure_gitattributes(&ws.root)?;
    let still_active: Vec<String> = index.on_date(&date).filter(|s| s.is_active()).map(|s| s.key.clone()).collect();
    let currency = ws.config.currency.as_ref();
    let day: jiff::civil::Date = date.parse().map_err(anyhow::Error::from)?;
    let budget = budget::status(
        &ws.config,
        logs.as_ref(),
        &index,
        &who.owner,
        &jiff::tz::TimeZone::system(),
        day,
        &[Period::Day, Period::Week, Period::Month],
    );

    let r = EodReport {
        cost_display: budget::display(totals.cost_usd, currency),
        budget,
        totals,
        daily_summary,
        other_summaries,
        progress,
        ended,
        archived,
        still_active,
        gitattributes_added,
        diagnostics: index.diagnostics.clone(),
    };
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
        if r.gitattributes_added && !ctx.ui.quiet {
            eprintln!(
                "note: .gitattributes now lets daily summaries and PROGRESS.md merge without conflicts; run `specwork rebuild` after a merge"
            );
        }
    }
    ctx.ui.report(&r, |s| {
        let t = &r.totals;
        s.push_str(&format!("📊 EOD Summary: {}\n", t.date));
        s.push_str(&format!("├── Sessions: {}\n", t.sessions));
        s.push_str(&format!("├── Tasks: {}\n", t.tasks_done));
        s.push_str(&format!("├── Tokens: {}\n", session::fmt_tokens_exact(t.tokens)));
        s.push_str(&format!("└── Cost: {}\n", budget::money(t.cost_usd, currency)));
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
    // The process ends here: the OS frees every session faster than their destructors.
    std::mem::forget(index);
    Ok(0)
}
