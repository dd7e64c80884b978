//! End of day: end the person's sessions of the day (and older ones left open) with the usage
//! measured in their windows, archive ended journals, write the daily summaries and PROGRESS.md.

use serde::Serialize;
use specwork_usage::ProgressFn;

use crate::base::diag::Diagnostic;
use crate::ops::OpError;
use crate::ops::derived::{self, Archived, Outcome};
use crate::stores::journal::{self, Entry, Event, Stamp, WorkspaceLock};
use crate::stores::session::{Identity, SessionError, SessionIndex};
use crate::usage::logs::{self, Closing, Logs};
use crate::usage::spend::{self, BudgetStatus, Period};
use crate::views::today::{self, DayFigures};
use crate::{Workspace, views::daily};

/// A file `eod` wrote.
#[derive(Clone, Debug, Serialize)]
pub struct WrittenFile {
    /// Relative to the workspace.
    pub path: String,
    /// Created, updated or unchanged.
    pub outcome: Outcome,
}

/// What `eod` did.
#[derive(Clone, Debug, Serialize)]
pub struct EodReport {
    /// The day's figures (tokens and cost by the one rule of [`crate::usage::spend`]).
    #[serde(flatten)]
    pub totals: DayFigures,
    /// Spending against the budgets.
    pub budget: Vec<BudgetStatus>,
    /// The day's summary, when the day had sessions.
    pub daily_summary: Option<WrittenFile>,
    /// Summaries of other days rewritten (sessions archived into them).
    pub other_summaries: Vec<WrittenFile>,
    /// PROGRESS.md.
    pub progress: WrittenFile,
    /// Sessions ended now.
    pub ended: Vec<String>,
    /// Journals archived.
    pub archived: Vec<Archived>,
    /// Sessions of the day still open (other people's).
    pub still_active: Vec<String>,
    /// Whether `.gitattributes` got the merge rules.
    pub gitattributes_added: bool,
    /// Problems reading journals, and measuring.
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs the end of `date` (`YYYY-MM-DD`).
pub fn run(ws: &Workspace, date: &str, progress: Option<ProgressFn>) -> Result<EodReport, OpError> {
    let who = Identity::detect(&ws.root, &ws.config);
    let (logs, mut diagnostics) = Logs::for_sessions(&ws.root, &ws.config, progress);
    let _lock = WorkspaceLock::acquire(&ws.root);
    // Every session once, the archive read through the journal index.
    let index = SessionIndex::load_indexed(&ws.root);

    // Close your own sessions of the day (and older ones left open) at their last activity, with
    // the usage measured in their windows (and in windows of your ended sessions not measured yet).
    let closing: Vec<(String, Stamp)> = index
        .active()
        .filter(|s| s.owner == who.owner && s.date().as_str() <= date)
        .map(|s| (s.key.clone(), s.last_event))
        .collect();
    let mut measured = match &logs {
        Some(l) => {
            let now = Stamp::now();
            let a = logs::attribute(&index, &who.owner, l, &Closing { now, sessions: &closing, task: None });
            a.entries(l, now.offset, |w, closed| {
                closed && index.get(&w.session).is_some_and(|s| !s.archived && s.date().as_str() <= date)
            })
        }
        None => Default::default(),
    };
    let mut ended = Vec::new();
    for (key, at) in &closing {
        let s = index.get(key).expect("from the index");
        let mut entries = vec![Entry { ts: *at, ..Entry::now(key, Event::SessionEnd { reason: "eod".into() }) }];
        entries.extend(measured.remove(key).unwrap_or_default());
        journal::append(&ws.abs(&s.journal), &entries).map_err(SessionError::from)?;
        ended.push(key.clone());
    }
    let mut touched = ended.clone();
    for (key, entries) in measured {
        let s = index.get(&key).expect("from the index");
        journal::append(&ws.abs(&s.journal), &entries).map_err(SessionError::from)?;
        touched.push(key);
    }
    // Archiving moves ended journals of `.current/`; the archive is read again only where this
    // operation wrote.
    let archived = derived::archive(&ws.root, &SessionIndex::load_current(&ws.root), date)?;
    let mut written: Vec<std::path::PathBuf> =
        touched.iter().filter_map(|k| index.get(k)).map(|s| s.journal.clone()).collect();
    written.extend(archived.iter().map(|a| std::path::PathBuf::from(&a.path)));
    let written: Vec<&std::path::Path> = written.iter().map(std::path::PathBuf::as_path).collect();
    // Read again only when this operation wrote a journal (it holds the workspace lock, so no
    // other specwork command wrote one meanwhile).
    let index = if written.is_empty() { index } else { index.reload_indexed(&ws.root, &written) };
    for key in &touched {
        crate::ops::record::refresh_for(ws, &index, key)?;
    }

    let mut dates: Vec<String> = archived.iter().map(|x| x.date.clone()).filter(|d| d != date).collect();
    dates.sort();
    dates.dedup();
    let mut other_summaries = Vec::new();
    for d in &dates {
        let outcome = derived::write_daily(ws, &index, d)?;
        other_summaries.push(WrittenFile { path: crate::base::display::slash_path(&daily::path(d)), outcome });
    }
    let sessions_that_day = index.on_date(date).count();
    let daily_summary = if sessions_that_day > 0 {
        let outcome = derived::write_daily(ws, &index, date)?;
        Some(WrittenFile { path: crate::base::display::slash_path(&daily::path(date)), outcome })
    } else {
        None
    };
    let progress =
        WrittenFile { path: journal::PROGRESS_FILE.to_owned(), outcome: derived::write_progress(ws, &index)? };
    let gitattributes_added = derived::ensure_gitattributes(&ws.root)?;
    let still_active: Vec<String> = index.on_date(date).filter(|s| s.is_active()).map(|s| s.key.clone()).collect();
    let tz = jiff::tz::TimeZone::system();
    let day: jiff::civil::Date = date.parse().unwrap_or_else(|_| spend::today(&tz));
    let totals = today::figures(&ws.config, logs.as_ref(), &index, &who.owner, &tz, day);
    let budget = spend::budgets(&ws.config, logs.as_ref(), &index, &who.owner, &tz, day, &Period::ALL);
    diagnostics.extend(index.diagnostics.iter().cloned());
    Ok(EodReport {
        totals,
        budget,
        daily_summary,
        other_summaries,
        progress,
        ended,
        archived,
        still_active,
        gitattributes_added,
        diagnostics,
    })
}

/// One registered workspace's end of day (`eod --projects`).
#[derive(Debug, Serialize)]
pub struct ProjectEod {
    /// The project's name.
    pub name: String,
    /// Its root.
    pub path: String,
    /// What `eod` did there, or null when it could not run.
    pub eod: Option<EodReport>,
    /// Why it could not run (a stale entry, an unreadable workspace, a failed write).
    pub error: Option<String>,
}

/// Runs [`run`] in every workspace of `registry`, one after another (each under its own lock,
/// writing only its own files). A workspace that fails is reported and the others still run.
pub fn run_projects(
    registry: &crate::stores::projects::Registry,
    date: &str,
    progress: Option<ProgressFn>,
) -> Vec<ProjectEod> {
    registry
        .projects
        .iter()
        .map(|p| {
            let (eod, error) = match p.stale() {
                Some(why) => (None, Some(format!("stale: {why}"))),
                None => match Workspace::load(&p.path) {
                    Err(e) => (None, Some(e.to_string())),
                    Ok(ws) => match run(&ws, date, progress.clone()) {
                        Ok(r) => (Some(r), None),
                        Err(e) => (None, Some(e.to_string())),
                    },
                },
            };
            ProjectEod { name: p.name.clone(), path: p.path.display().to_string(), eod, error }
        })
        .collect()
}
