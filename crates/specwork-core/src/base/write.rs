//! Atomic, conflict-checked file writes.
//!
//! Every write specwork makes goes through [`replace`] or [`create`]: the new content is written
//! to a temporary file in the same directory, synced, and renamed over the target, so a process
//! killed at any moment leaves either the old file or the new one, never a torn one. Writers take
//! an exclusive lock on the target's directory for the read-compare-rename step, and the current
//! content is compared with what the caller read before computing its edit: if somebody else
//! changed the file meanwhile, the write is refused with [`WriteError::Conflict`] and nothing is
//! lost.

use std::io::Write;
use std::path::{Path, PathBuf};

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
    let dir = parent_dir(path);
    let _lock = DirLock::acquire(dir);
    let current = fs_err::read(path)?;
    if current != expected {
        return Err(WriteError::Conflict { path: path.to_owned() });
    }
    if current == new {
        return Ok(());
    }
    persist(path, new)
}

/// Creates `path` with `content`, refusing to overwrite an existing file. Parent directories are
/// created as needed.
pub fn create(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    let dir = parent_dir(path);
    fs_err::create_dir_all(dir)?;
    let _lock = DirLock::acquire(dir);
    if path.exists() {
        return Err(WriteError::Exists { path: path.to_owned() });
    }
    persist(path, content)
}

/// Writes `content` to `path` whatever it holds now (for files specwork owns and regenerates).
pub fn overwrite(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    let dir = parent_dir(path);
    fs_err::create_dir_all(dir)?;
    let _lock = DirLock::acquire(dir);
    if fs_err::read(path).is_ok_and(|c| c == content) {
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
        let old = fs_err::read_to_string(path).map_err(|e| E::from(WriteError::Io(e)))?;
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
    let dir = parent_dir(path);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.specwork-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs_err::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        fs_err::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    Ok(result?)
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
