//! Atomic, conflict-checked file writes.
//!
//! Every write specwork makes goes through [`replace`] or [`create`]: the new content is written
//! to a temporary file in the same directory, synced, and renamed over the target, so a process
//! killed at any moment leaves either the old file or the new one, never a torn one. Writers take
//! an exclusive lock on the target's directory for the read-compare-rename step, and the current
//! content is compared with what the caller read before computing its edit: if somebody else
//! changed the file meanwhile, the write is refused with [`WriteError::Conflict`] and nothing is
//! lost. The comparison is made twice: before the edit is written, and again right before the
//! rename (after the temporary file is written and synced), so an editor saving the file during
//! the write is reported as a conflict rather than replaced.
//!
//! Every target is checked by the path policy ([`super::path_policy::confine`]) before anything
//! is created: no write, directory or temporary file lands outside the workspace.

// The wrappers themselves: every call here names its path in its own errors.
#![allow(clippy::disallowed_methods)]

use std::io::Write;
use std::path::{Path, PathBuf};

use super::path_policy;

/// Why a write failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file changed on disk after it was read.
    #[error("{} changed on disk while it was being edited", path.display())]
    Conflict {
        /// The file.
        path: PathBuf,
    },
    /// The file to create exists already.
    #[error("{} already exists", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// An I/O error, naming the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Holds an exclusive lock on a directory for as long as it lives.
pub struct DirLock {
    _file: Option<std::fs::File>,
}

impl DirLock {
    /// Locks `dir` (blocking). Filesystems without directory locks fall back to no lock.
    pub fn acquire(dir: &Path) -> DirLock {
        let file = std::fs::File::open(dir).ok().filter(|f| f.lock().is_ok());
        DirLock { _file: file }
    }
}

/// Replaces `path` with `new` if its content is still `expected`.
pub fn replace(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    path_policy::confine(path)?;
    let dir = parent_dir(path);
    let _lock = DirLock::acquire(dir);
    let current = path_policy::read(path)?;
    if current != expected {
        return Err(WriteError::Conflict { path: path.to_owned() });
    }
    if current == new {
        return Ok(());
    }
    persist_checked(path, new, Some(expected))
}

/// Creates `path` with `content`, refusing to overwrite an existing file. Parent directories are
/// created as needed.
pub fn create(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    path_policy::confine(path)?;
    let dir = parent_dir(path);
    path_policy::create_dir_all(dir)?;
    let _lock = DirLock::acquire(dir);
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(WriteError::Exists { path: path.to_owned() });
    }
    persist(path, content)
}

/// Writes `content` to `path` whatever it holds now (for files specwork owns and regenerates).
pub fn overwrite(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    path_policy::confine(path)?;
    let dir = parent_dir(path);
    path_policy::create_dir_all(dir)?;
    let _lock = DirLock::acquire(dir);
    if path_policy::read(path).is_ok_and(|c| c == content) {
        return Ok(());
    }
    persist(path, content)
}

/// Reads a file, applies `edit`, and writes the result with [`replace`], retrying when another
/// writer got in between (the edit is recomputed on the fresh content, so no update is lost).
pub fn update<E>(path: &Path, mut edit: impl FnMut(&str) -> Result<String, E>) -> Result<String, E>
where
    E: From<WriteError>,
{
    for _ in 0..16 {
        let old = path_policy::read_to_string(path).map_err(|e| E::from(WriteError::Io(e)))?;
        let new = edit(&old)?;
        match replace(path, old.as_bytes(), new.as_bytes()) {
            Ok(()) => return Ok(new),
            Err(WriteError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(WriteError::Conflict { path: path.to_owned() }.into())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn persist(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    persist_checked(path, content, None)
}

/// The name of the temporary file a write of `path` by process `pid` uses. `check` finds the
/// ones a killed write left behind by this shape (`.NAME.specwork-PID.tmp`).
pub fn temp_name(path: &Path, pid: u32) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent_dir(path).join(format!(".{name}.specwork-{pid}.tmp"))
}

/// Whether a file name is a temporary file of [`temp_name`]'s shape, and the pid that made it.
pub fn temp_file_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (_, pid) = rest.rsplit_once(".specwork-")?;
    pid.parse().ok()
}

/// Writes `content` to a temporary file, syncs it, and renames it over `path`. With `expected`,
/// the target is compared again right before the rename: content first, then (immediately
/// before the rename) its identity, so a save made meanwhile is a conflict, not a lost edit.
fn persist_checked(path: &Path, content: &[u8], expected: Option<&[u8]>) -> Result<(), WriteError> {
    let tmp = temp_name(path, std::process::id());
    let result = (|| -> Result<(), WriteError> {
        let mut f = fs_err::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        if let Some(expected) = expected {
            let before = identity(path);
            if path_policy::read(path).ok().as_deref() != Some(expected) || identity(path) != before {
                return Err(WriteError::Conflict { path: path.to_owned() });
            }
            if swap_checked(&tmp, path, expected)? {
                return Ok(());
            }
        }
        fs_err::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Swaps `tmp` and `path` atomically (Linux `renameat2(RENAME_EXCHANGE)`), then checks what was
/// displaced: if it is not `expected`, another program saved in the instant between the last
/// check and the swap, and its content is swapped back (unless a newer save already replaced
/// ours) and the write is a conflict. Returns `Ok(false)` where the swap is not supported (the
/// caller renames instead).
#[cfg(target_os = "linux")]
fn swap_checked(tmp: &Path, path: &Path, expected: &[u8]) -> Result<bool, WriteError> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let ours = identity(tmp);
    match renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        Err(_) => return Ok(false),
    }
    // `tmp` now names the file that was at `path` at the instant of the swap.
    if fs_err::read(tmp).ok().as_deref() == Some(expected) {
        let _ = std::fs::remove_file(tmp);
        return Ok(true);
    }
    if identity(path) == ours {
        let _ = renameat_with(CWD, tmp, CWD, path, RenameFlags::EXCHANGE);
    }
    let _ = std::fs::remove_file(tmp);
    Err(WriteError::Conflict { path: path.to_owned() })
}

#[cfg(not(target_os = "linux"))]
fn swap_checked(_tmp: &Path, _path: &Path, _expected: &[u8]) -> Result<bool, WriteError> {
    Ok(false)
}

/// What identifies one version of a file cheaply: size, modification time and (on Unix) inode.
fn identity(path: &Path) -> Option<(u64, Option<std::time::SystemTime>, u64)> {
    let m = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let ino = 0;
    Some((m.len(), m.modified().ok(), ino))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        create(&p, b"one").unwrap();
        assert!(matches!(create(&p, b"x"), Err(WriteError::Exists { .. })));
        replace(&p, b"one", b"two").unwrap();
        assert!(matches!(replace(&p, b"one", b"three"), Err(WriteError::Conflict { .. })));
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temp files left");
    }
}
