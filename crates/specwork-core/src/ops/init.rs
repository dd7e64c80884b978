//! `specwork init`: the folders and files of a workspace. Idempotent: what exists is left as it
//! is, and the report says which parts were created and which were there already.
//!
//! The agents' files (`init --agent …`) belong to the agent layer above; the list
//! of projects is [`crate::stores::projects`]'. This is the workspace itself.

use std::path::Path;

use serde::Serialize;

use crate::base::path_policy;
use crate::base::write::{self, WriteError};
use crate::model::config::DEFAULT_CONFIG;
use crate::stores::projects;

/// The folders of a workspace.
pub const DIRS: [&str; 5] =
    ["specs", ".spec-workflow/specs", "docs/sessions/.current", "docs/sessions/daily", "docs/sessions/archive"];

/// The `.gitignore` entry that keeps specwork's derived state out of git.
pub const GITIGNORE_PART: &str = ".gitignore (.specwork/ cache)";

/// What [`workspace`] did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Initialised {
    /// Parts created now (`specwork.toml`, folders, the `.gitignore` line).
    pub created: Vec<String>,
    /// Parts that were there already.
    pub existing: Vec<String>,
}

/// Why initialising failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A folder could not be made.
    #[error("cannot create {path}: {source}")]
    Dir {
        /// The folder, relative to the workspace.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Creates the folder `root` when missing and makes it the workspace whose files specwork may
/// read and write ([`path_policy::register_root`]). The first step of `init`.
pub fn open_root(root: &Path) -> Result<(), InitError> {
    fs_err::create_dir_all(root).map_err(|source| InitError::Dir { path: root.display().to_string(), source })?;
    path_policy::register_root(root);
    Ok(())
}

/// Makes `root` a workspace: `specwork.toml` with the documented defaults, the folders of
/// [`DIRS`], and `.specwork/` in `.gitignore`. Nothing that exists is changed, except the one
/// line appended to a `.gitignore` that lacks it.
pub fn workspace(root: &Path) -> Result<Initialised, InitError> {
    let mut out = Initialised::default();
    let mut record = |part: &str, created: bool| {
        if created { out.created.push(part.to_owned()) } else { out.existing.push(part.to_owned()) }
    };
    match write::create(&root.join("specwork.toml"), DEFAULT_CONFIG.as_bytes()) {
        Ok(()) => record("specwork.toml", true),
        Err(WriteError::Exists { .. }) => record("specwork.toml", false),
        Err(e) => return Err(e.into()),
    }
    for d in DIRS {
        let p = root.join(d);
        let existed = p.is_dir();
        path_policy::create_dir_all(&p).map_err(|source| InitError::Dir { path: d.to_owned(), source })?;
        record(d, !existed);
    }
    record(GITIGNORE_PART, ensure_gitignore(root)?);
    Ok(out)
}

/// Adds the workspace to the user's list of projects ([`crate::stores::projects`]). `None` for
/// a workspace that holds the list's own folder (one rooted at the home directory): registering
/// it would write the list into it.
pub fn register_project(root: &Path) -> Result<Option<projects::Added>, projects::RegistryError> {
    let Some(dir) = projects::config_dir() else { return Ok(None) };
    if projects::absolute(&dir).starts_with(projects::absolute(root)) {
        return Ok(None);
    }
    projects::add(root, None).map(Some)
}

/// Adds `.specwork/` (caches and locks, always derived) to `.gitignore`. Returns whether it
/// added the line.
fn ensure_gitignore(root: &Path) -> Result<bool, WriteError> {
    let path = root.join(".gitignore");
    let old = path_policy::read_to_string(&path).unwrap_or_default();
    if old.lines().any(|l| matches!(l.trim(), ".specwork/" | "/.specwork/" | ".specwork")) {
        return Ok(false);
    }
    let sep = if old.is_empty() || old.ends_with('\n') { "" } else { "\n" };
    let new = format!("{old}{sep}# specwork caches (derived; safe to delete)\n.specwork/\n");
    if path.exists() {
        write::replace(&path, old.as_bytes(), new.as_bytes())?
    } else {
        write::create(&path, new.as_bytes())?
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twice_is_once_and_the_users_gitignore_keeps_its_lines() {
        let t = tempfile::tempdir().unwrap();
        path_policy::register_root(t.path());
        fs_err::write(t.path().join(".gitignore"), "target").unwrap();
        let first = workspace(t.path()).unwrap();
        assert!(
            first.created.contains(&"specwork.toml".to_owned()) && first.created.contains(&GITIGNORE_PART.to_owned())
        );
        assert_eq!(
            fs_err::read_to_string(t.path().join(".gitignore")).unwrap(),
            "target\n# specwork caches (derived; safe to delete)\n.specwork/\n"
        );
        let second = workspace(t.path()).unwrap();
        assert!(second.created.is_empty(), "{second:?}");
        assert_eq!(second.existing.len(), DIRS.len() + 2);
    }
}
