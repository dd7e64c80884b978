//! Archive and unarchive of named specs: the whole folder moves between
//! `.spec-workflow/specs/{name}` and `.spec-workflow/archive/specs/{name}` (what the peer's
//! dashboard does), with one `rename` so it is atomic on one file system. The spec's approval
//! records stay where they are: they are matched by spec name and file name, so approvals and
//! their snapshots still apply after a round trip.

use std::path::PathBuf;

use serde::Serialize;

use crate::base::names;
use crate::model::workspace::Workspace;

/// Active named specs, relative to the workspace root.
pub const ACTIVE_DIR: &str = ".spec-workflow/specs";
/// Archived named specs, relative to the workspace root.
pub const ARCHIVE_DIR: &str = ".spec-workflow/archive/specs";

/// Why a move was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The name would escape the workspace.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// Nothing to move.
    #[error("no {where_} spec `{name}`")]
    NotFound {
        /// The spec.
        name: String,
        /// `active` or `archived`.
        where_: &'static str,
        /// A numbered spec of that id exists (numbered specs are not archived by moving).
        numbered: bool,
    },
    /// The destination exists.
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    /// The move failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What was moved.
#[derive(Clone, Debug, Serialize)]
pub struct Moved {
    /// The spec.
    pub spec: String,
    /// From (relative to the workspace root).
    pub from: PathBuf,
    /// To.
    pub to: PathBuf,
}

/// Moves `.spec-workflow/specs/{name}` to `.spec-workflow/archive/specs/{name}`.
pub fn archive(ws: &Workspace, name: &str) -> Result<Moved, ArchiveError> {
    relocate(ws, name, ACTIVE_DIR, ARCHIVE_DIR, "active")
}

/// Moves `.spec-workflow/archive/specs/{name}` back to `.spec-workflow/specs/{name}`.
pub fn unarchive(ws: &Workspace, name: &str) -> Result<Moved, ArchiveError> {
    relocate(ws, name, ARCHIVE_DIR, ACTIVE_DIR, "archived")
}

fn relocate(ws: &Workspace, name: &str, from: &str, to: &str, where_: &'static str) -> Result<Moved, ArchiveError> {
    names::spec_name(name)?;
    let from = PathBuf::from(from).join(name);
    let to = PathBuf::from(to).join(name);
    let src = ws.abs(&from);
    // A symlink is moved as a link; it never redirects the move outside the workspace.
    if !src.symlink_metadata().is_ok_and(|m| m.is_dir() || m.file_type().is_symlink()) {
        let numbered = ws.specs.iter().any(|s| s.id == name && s.layout == crate::Layout::Numbered);
        return Err(ArchiveError::NotFound { name: name.to_owned(), where_, numbered });
    }
    let dst = ws.abs(&to);
    if dst.symlink_metadata().is_ok() {
        return Err(ArchiveError::Exists(to));
    }
    if let Some(parent) = dst.parent() {
        crate::base::path_policy::create_dir_all(parent)?;
    }
    crate::base::path_policy::rename(&src, &dst)?;
    Ok(Moved { spec: name.to_owned(), from, to })
}
