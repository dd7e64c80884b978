//! Recording: the one way events reach a journal. An append is followed by the refresh of the
//! derived context timelines of the numbered specs the session touched, so a timeline is never
//! behind its journal.

use std::path::Path;

use crate::model::spec::{Layout, Spec};
use crate::model::workspace::Workspace;
use crate::stores::journal::{self, Entry};
use crate::stores::session::{self as store, Session, SessionError, SessionIndex};
use crate::{base::write, views::timeline};

/// Appends `entries` to the journal at `journal` (absolute) and refreshes the context timelines
/// of the numbered specs the session touched. Returns the reloaded index.
///
/// Callers hold a [`journal::WorkspaceLock`] around the whole command so that concurrent
/// commands see each other's events.
pub fn record(ws: &Workspace, journal: &Path, entries: &[Entry]) -> Result<SessionIndex, SessionError> {
    journal::append(journal, entries)?;
    let key = journal.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let current = SessionIndex::load_current(&ws.root);
    // Timelines need every session of a spec (for numbering); only numbered specs have one, so
    // the archive is read only when the session touched a numbered spec.
    let numbered = current
        .get(key)
        .is_some_and(|s| s.specs().iter().any(|id| ws.spec(id).is_ok_and(|sp| sp.layout == Layout::Numbered)));
    if !numbered {
        return Ok(current);
    }
    let index = SessionIndex::load(&ws.root);
    refresh_for(ws, &index, key)?;
    Ok(index)
}

/// Refreshes the timelines of the specs session `key` touched.
pub fn refresh_for(ws: &Workspace, index: &SessionIndex, key: &str) -> Result<(), SessionError> {
    if let Some(s) = index.get(key) {
        for spec_id in s.specs() {
            if let Ok(spec) = ws.spec(spec_id) {
                refresh_timeline(ws, index, spec)?;
            }
        }
    }
    Ok(())
}

/// Brings `spec`'s context timeline up to date with the journals. Only numbered specs have one;
/// a spec no session touched is left alone (its context file is created on first use). Returns
/// whether the file changed.
pub fn refresh_timeline(ws: &Workspace, index: &SessionIndex, spec: &Spec) -> Result<bool, SessionError> {
    if spec.layout != Layout::Numbered {
        return Ok(false);
    }
    // Blocks render the sessions' entries: read them for sessions loaded without.
    let loaded: Vec<std::borrow::Cow<'_, Session>> =
        index.for_spec(&spec.id).map(|s| crate::stores::journal_index::loaded(&ws.root, s)).collect();
    let sessions: Vec<&Session> = loaded.iter().map(AsRef::as_ref).collect();
    let rel = timeline::context_path(spec);
    let path = ws.abs(&rel);
    if !path.exists() {
        let Some(first) = sessions.first() else { return Ok(false) };
        match write::create(&path, timeline::new_context(ws, spec, &first.started).as_bytes()) {
            Ok(()) | Err(write::WriteError::Exists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let tasks = store::fresh_tasks(ws, spec);
    let c = tasks.counts();
    let all_done = c.total > 0 && c.done == c.total;
    let before = crate::base::path_policy::read_to_string(&path)?;
    let after = write::update(&path, |old: &str| -> Result<String, SessionError> {
        Ok(timeline::apply(old, &spec.id, &sessions, all_done))
    })?;
    if before != after {
        crate::ops::spec_work::sync_spec_status(ws, spec)?;
    }
    Ok(before != after)
}
