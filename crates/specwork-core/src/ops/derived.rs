//! The files derived from journals and specs, and the two operations that write them: the end of
//! a day ([`archive`] + [`write_daily`] + [`write_progress`]) and [`rebuild`].
//!
//! Derived files: context timeline blocks ([`crate::views::timeline`]), daily summaries
//! ([`crate::views::daily`]) and `docs/PROGRESS.md` ([`crate::views::progress`]). Deleting any of them loses
//! nothing: `rebuild` writes them again, byte for byte, from the journals and the specs.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::workspace::Workspace;
use crate::stores::journal::{self, ARCHIVE_DIR};
use crate::stores::session::{SessionError, SessionIndex};
use crate::{base::write, views::daily, views::progress, views::timeline};

/// What a write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The file did not exist.
    Created,
    /// The file changed.
    Updated,
    /// The file already had this content.
    Unchanged,
}

fn write_owned(path: &Path, content: &str) -> Result<Outcome, SessionError> {
    let outcome = match crate::base::path_policy::read(path) {
        Ok(old) if old == content.as_bytes() => return Ok(Outcome::Unchanged),
        Ok(_) => Outcome::Updated,
        Err(_) => Outcome::Created,
    };
    write::overwrite(path, content.as_bytes())?;
    Ok(outcome)
}

/// Writes the daily summary of `date`.
pub fn write_daily(ws: &Workspace, index: &SessionIndex, date: &str) -> Result<Outcome, SessionError> {
    write_owned(&ws.abs(&daily::path(date)), &daily::render(index, date))
}

/// Writes `docs/PROGRESS.md`.
pub fn write_progress(ws: &Workspace, index: &SessionIndex) -> Result<Outcome, SessionError> {
    write_owned(&ws.abs(Path::new(journal::PROGRESS_FILE)), &progress::render(ws, index))
}

/// A journal moved to the archive.
#[derive(Clone, Debug, Serialize)]
pub struct Archived {
    /// Session key.
    pub session: String,
    /// Its day.
    pub date: String,
    /// New path, relative to the workspace.
    pub path: String,
}

/// Moves the journals of ended sessions that started on or before `through` (`YYYY-MM-DD`) from
/// `.current/` to `archive/{date}/`. A rename is atomic, and an append racing with it still lands
/// in the moved file.
pub fn archive(root: &Path, index: &SessionIndex, through: &str) -> Result<Vec<Archived>, SessionError> {
    let mut out = Vec::new();
    for s in index.sessions.iter().filter(|s| !s.archived && !s.is_active() && s.date().as_str() <= through) {
        let date = s.date();
        let file = s.journal.file_name().map(PathBuf::from).unwrap_or_else(|| format!("{}.log", s.key).into());
        let rel = Path::new(ARCHIVE_DIR).join(&date).join(file);
        let to = root.join(&rel);
        crate::base::path_policy::create_dir_all(to.parent().expect("archive path has a parent"))?;
        if to.exists() {
            // Already archived elsewhere (e.g. by a teammate through git): keep the archived copy
            // only if it is the same or longer, else replace it.
            let cur = crate::base::path_policy::read(root.join(&s.journal))?;
            let old = crate::base::path_policy::read(&to)?;
            if old.len() >= cur.len() && old.starts_with(&cur) {
                crate::base::path_policy::remove_file(root.join(&s.journal))?;
                out.push(Archived { session: s.key.clone(), date, path: crate::base::display::slash_path(&rel) });
                continue;
            }
        }
        crate::base::path_policy::rename(root.join(&s.journal), &to)?;
        out.push(Archived { session: s.key.clone(), date, path: crate::base::display::slash_path(&rel) });
    }
    Ok(out)
}

/// The `.gitattributes` lines that let two people's derived files merge without conflicts: git
/// keeps both sides' lines (`merge=union`), and `specwork rebuild` then writes the right content
/// from the merged journals.
pub const GITATTRIBUTES: &str = "# specwork: derived files merge without conflicts; run `specwork rebuild` after a merge\n\
docs/PROGRESS.md merge=union\n\
docs/sessions/daily/*.md merge=union\n";

/// Adds [`GITATTRIBUTES`] to the workspace's `.gitattributes` unless its rules are there.
/// Returns whether the file changed.
pub fn ensure_gitattributes(root: &Path) -> Result<bool, SessionError> {
    let path = root.join(".gitattributes");
    let old = match crate::base::path_policy::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let has = |s: &str| s.lines().any(|l| l.trim_start().starts_with("docs/PROGRESS.md ") && l.contains("merge="));
    match old {
        Some(o) if has(&o) => Ok(false),
        Some(o) => {
            let sep = if o.is_empty() || o.ends_with('\n') { "" } else { "\n" };
            write::replace(&path, o.as_bytes(), format!("{o}{sep}{GITATTRIBUTES}").as_bytes())?;
            Ok(true)
        }
        None => match write::create(&path, GITATTRIBUTES.as_bytes()) {
            Ok(()) => Ok(true),
            Err(write::WriteError::Exists { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        },
    }
}

/// One file `rebuild` looked at.
#[derive(Clone, Debug, Serialize)]
pub struct RebuiltFile {
    /// Relative path.
    pub path: String,
    /// What happened.
    pub outcome: Outcome,
}

/// What `rebuild` did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RebuildReport {
    /// Sessions read.
    pub sessions: usize,
    /// Files written or checked, in order.
    pub files: Vec<RebuiltFile>,
    /// Journals with a torn last line.
    pub truncated_journals: usize,
    /// Whether the merge rules were added to `.gitattributes`.
    pub gitattributes_added: bool,
}

/// Regenerates every derived file: the timeline of every numbered spec a session touched, the
/// daily summary of every day that has one or has archived journals, and PROGRESS.md.
pub fn rebuild(ws: &Workspace) -> Result<RebuildReport, SessionError> {
    let index = SessionIndex::load(&ws.root);
    let mut rep =
        RebuildReport { sessions: index.sessions.len(), truncated_journals: index.truncated, ..Default::default() };
    if !index.sessions.is_empty() {
        rep.gitattributes_added = ensure_gitattributes(&ws.root)?;
    }
    for spec in &ws.specs {
        let touched = index.for_spec(&spec.id).next().is_some();
        let has_blocks = spec.docs.context.as_ref().is_some_and(|c| {
            crate::base::path_policy::read_to_string(ws.abs(c))
                .is_ok_and(|t| !timeline::generated_blocks(&t).is_empty())
        });
        if !touched && !has_blocks {
            continue;
        }
        let changed = crate::ops::record::refresh_timeline(ws, &index, spec)?;
        let existed = spec.docs.context.is_some();
        let outcome = match (changed, existed) {
            (false, _) => Outcome::Unchanged,
            (true, true) => Outcome::Updated,
            (true, false) => Outcome::Created,
        };
        if touched {
            rep.files
                .push(RebuiltFile { path: crate::base::display::slash_path(&timeline::context_path(spec)), outcome });
        }
    }
    let mut dates = daily::existing(&ws.root);
    for s in index.sessions.iter().filter(|s| s.archived) {
        dates.push(s.date());
    }
    dates.sort();
    dates.dedup();
    for d in &dates {
        let outcome = write_daily(ws, &index, d)?;
        rep.files.push(RebuiltFile { path: crate::base::display::slash_path(&daily::path(d)), outcome });
    }
    if !index.sessions.is_empty() || ws.abs(Path::new(journal::PROGRESS_FILE)).exists() {
        let outcome = write_progress(ws, &index)?;
        rep.files.push(RebuiltFile { path: journal::PROGRESS_FILE.to_owned(), outcome });
    }
    Ok(rep)
}
