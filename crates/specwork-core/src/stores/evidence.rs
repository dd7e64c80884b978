//! Evidence that a task is done: what finishing it measured (its check, the files it touched and
//! their content), and the reviewers' drift decisions since. One JSON file per spec:
//!
//! ```text
//! docs/sessions/evidence/{spec id}.json
//! ```
//!
//! beside the journals, so it is committed with them and survives a fresh clone. The journals
//! keep the events (every check run, every finish); this file keeps each done task's *baseline*,
//! the state `drift` compares the workspace against, and the decisions that moved it.
//!
//! Invariants: every write is atomic and conflict-checked ([`write::update`]); a file that does
//! not parse is reported, never overwritten; [`is_bookkeeping`] is the one rule of which files
//! are specwork's own (never a task's work).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::base::display::slash_path;
use crate::base::write::{self, WriteError};
use crate::model::workspace::Workspace;
use crate::stores::journal;
pub use crate::stores::journal::{CheckRun, FileBaseline};

/// Where the evidence files live, relative to the workspace root.
pub const EVIDENCE_DIR: &str = "docs/sessions/evidence";

/// What a reviewer decided about a drifted task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `accept` (re-baselined) or `reopen` (back to pending).
    pub decision: String,
    /// When (ISO 8601).
    pub at: String,
    /// Who.
    pub by: String,
    /// The note or reason given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The files that had drifted, as the decision saw them.
    #[serde(default)]
    pub files: Vec<String>,
}

/// A task's evidence.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskEvidence {
    /// When it was finished (ISO 8601).
    pub finished_at: String,
    /// The session that finished it.
    #[serde(default)]
    pub session: String,
    /// `true`: its check passed; `false`: finished with `--force` past a failing check; `None`:
    /// it has no check.
    pub verified: Option<bool>,
    /// The check's last run at finishing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckRun>,
    /// The commit `HEAD` was at when it was finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The files it touched and their content then (the drift baseline).
    #[serde(default)]
    pub files: Vec<FileBaseline>,
    /// Files its window changed that its `Files:` metadata does not name, accepted by a reviewer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accepted_outside: Vec<String>,
    /// The implementation log written for it, workspace-relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    /// Reviewers' drift decisions, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
}

/// A spec's evidence file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpecEvidence {
    /// The spec.
    #[serde(default)]
    pub spec: String,
    /// By task id.
    #[serde(default)]
    pub tasks: BTreeMap<String, TaskEvidence>,
}

/// Why the evidence could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The file is not the JSON specwork writes.
    #[error("{file}: not a readable evidence file: {reason}")]
    Malformed {
        /// The file, workspace-relative.
        file: String,
        /// What the parser said.
        reason: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The evidence file of spec `id`, relative to the workspace root.
pub fn path(id: &str) -> PathBuf {
    Path::new(EVIDENCE_DIR).join(format!("{id}.json"))
}

fn parse(text: &str, rel: &Path) -> Result<SpecEvidence, EvidenceError> {
    if text.trim().is_empty() {
        return Ok(SpecEvidence::default());
    }
    serde_json::from_str(text).map_err(|e| EvidenceError::Malformed { file: slash_path(rel), reason: e.to_string() })
}

/// Reads spec `id`'s evidence (empty when there is none yet).
pub fn load(ws: &Workspace, id: &str) -> Result<SpecEvidence, EvidenceError> {
    let rel = path(id);
    match crate::base::path_policy::read_to_string(ws.abs(&rel)) {
        Ok(t) => parse(&t, &rel),
        Err(_) => Ok(SpecEvidence { spec: id.to_owned(), ..SpecEvidence::default() }),
    }
}

/// Changes spec `id`'s evidence with `edit`, atomically; returns it as written.
pub fn update(
    ws: &Workspace,
    id: &str,
    mut edit: impl FnMut(&mut SpecEvidence),
) -> Result<SpecEvidence, EvidenceError> {
    let rel = path(id);
    let abs = ws.abs(&rel);
    if !abs.exists() {
        match write::create(&abs, b"") {
            Ok(()) | Err(WriteError::Exists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut out = SpecEvidence::default();
    write::update(&ws.abs(&rel), |old: &str| -> Result<String, EvidenceError> {
        let mut ev = parse(old, &rel)?;
        ev.spec = id.to_owned();
        edit(&mut ev);
        out = ev.clone();
        let mut s = serde_json::to_string_pretty(&ev)
            .map_err(|e| EvidenceError::Malformed { file: slash_path(&rel), reason: e.to_string() })?;
        s.push('\n');
        Ok(s)
    })?;
    Ok(out)
}

/// SHA-256 of a workspace file, hex; `None` when it does not exist (or cannot be read).
pub fn hash_file(ws: &Workspace, rel: &str) -> Option<String> {
    let bytes = crate::base::path_policy::read(ws.abs(Path::new(rel))).ok()?;
    Some(hex(&Sha256::digest(&bytes)))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Whether `rel` (workspace-relative, `/`-separated) is specwork's own bookkeeping rather than
/// anyone's work: `.specwork/`, everything under `.spec-workflow/` (spec documents, approvals and
/// their snapshots, steering, implementation logs), journals, daily summaries and evidence
/// (`docs/sessions/`), `docs/PROGRESS.md`, any `Implementation Logs/` folder, and every spec's own
/// documents (its spec file, requirements, design, tasks and context timeline).
pub fn is_bookkeeping(ws: &Workspace, rel: &str) -> bool {
    let rel = rel.trim_start_matches("./");
    if rel.starts_with(".specwork/")
        || rel.starts_with(".spec-workflow/")
        || rel.starts_with("docs/sessions/")
        || rel == journal::PROGRESS_FILE
        || rel.starts_with("Implementation Logs/")
        || rel.contains("/Implementation Logs/")
    {
        return true;
    }
    ws.specs.iter().any(|s| {
        let d = &s.docs;
        [&d.spec, &d.requirements, &d.design, &d.tasks, &d.context]
            .into_iter()
            .flatten()
            .chain(std::iter::once(&s.path))
            .chain(s.tasks_source.as_ref().map(|t| &t.file))
            .any(|p| slash_path(p) == rel)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_is_an_error_naming_it() {
        let e = parse("{not json", Path::new("docs/sessions/evidence/a.json")).unwrap_err();
        assert!(e.to_string().starts_with("docs/sessions/evidence/a.json: not a readable evidence file"), "{e}");
        let ev = parse("", Path::new("x")).unwrap();
        assert!(ev.tasks.is_empty());
    }
}
