//! The path policy: nothing outside the workspace, regular files only, bounded reads.
//!
//! Every file specwork reads or writes inside a workspace goes through this module (reads here,
//! writes through [`super::write`], which calls [`confine`]). Invariants:
//!
//! - **Confined.** A path under a registered workspace root must resolve (symlinks included) to
//!   a place inside that root. A symbolic link that leads out is refused with
//!   [`PathRefused::Outside`], naming the link, its target and the root; a link that points
//!   nowhere is refused too (writing through it would create its target). Links that stay inside
//!   are followed. Paths not under any workspace (agents' logs, transcripts) are not confined
//!   but still obey the two rules below.
//! - **Regular files only.** A read opens without blocking and checks the opened file: a
//!   directory, FIFO, socket or device is refused with [`PathRefused::NotRegular`], so nothing
//!   hangs on a FIFO or streams `/dev/zero`.
//! - **Bounded.** A whole-file read stops at a cap ([`READ_CAP`] unless the caller gives
//!   another) and is refused with [`PathRefused::TooLarge`] above it, whatever the file claims.
//!
//! Refusals are `std::io::Error`s (so every caller's `?` keeps working) whose inner error is a
//! [`PathRefused`]; frontends find it with [`refusal`] to word their hint. The kinds are
//! `PermissionDenied` (outside), `InvalidInput` (not a regular file) and `FileTooLarge`.
//!
//! Roots are registered by `Workspace::load` (and by `init` before it): a process may serve
//! several workspaces (tests do), each confined to itself.

// The wrappers themselves: every call here names its path in its own errors.
#![allow(clippy::disallowed_methods)]

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::RwLock;

/// The most a whole-file read takes by default: 32 MiB. Specs, journals and logs are far
/// smaller; a file above it is refused rather than read into memory.
pub const READ_CAP: u64 = 32 * 1024 * 1024;

/// Why the policy refused a path.
#[derive(Debug, thiserror::Error)]
pub enum PathRefused {
    /// A symbolic link on the way leads outside the workspace.
    #[error("{} is a symbolic link to {}, outside the workspace {}", link.display(), target.display(), root.display())]
    Outside {
        /// The link (absolute).
        link: PathBuf,
        /// Where it leads (resolved when it exists).
        target: PathBuf,
        /// The workspace root.
        root: PathBuf,
    },
    /// Not a regular file (a directory, FIFO, socket or device).
    #[error("{} is a {kind}, not a regular file", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// `directory`, `FIFO`, `socket`, `device`.
        kind: &'static str,
    },
    /// Larger than the cap.
    #[error("{} is larger than {cap} bytes, the most specwork reads from one file", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// The cap in bytes.
        cap: u64,
    },
}

/// Phrases only a refusal's message holds, for frontends that meet it wrapped in another error's
/// text (core errors wrap io errors transparently).
pub const SIGNATURES: [&str; 3] =
    [", outside the workspace ", ", not a regular file", " bytes, the most specwork reads from one file"];

impl PathRefused {
    fn into_io(self) -> io::Error {
        let kind = match self {
            PathRefused::Outside { .. } => io::ErrorKind::PermissionDenied,
            PathRefused::NotRegular { .. } => io::ErrorKind::InvalidInput,
            PathRefused::TooLarge { .. } => io::ErrorKind::FileTooLarge,
        };
        io::Error::new(kind, self)
    }
}

/// The policy refusal inside an error chain, if any (for frontends' hints).
pub fn refusal<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a PathRefused> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<PathRefused>() {
            return Some(r);
        }
        if let Some(r) = err.downcast_ref::<io::Error>().and_then(|io| io.get_ref()).and_then(|i| i.downcast_ref()) {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

/// A registered root: as given (absolute) and resolved.
struct Root {
    given: PathBuf,
    real: PathBuf,
}

static ROOTS: RwLock<Vec<Root>> = RwLock::new(Vec::new());

/// Registers a workspace root: from now on, paths under it are confined to it.
pub fn register_root(root: &Path) {
    let given = std::path::absolute(root).unwrap_or_else(|_| root.to_owned());
    let real = fs_err::canonicalize(&given).unwrap_or_else(|_| given.clone());
    let mut roots = ROOTS.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !roots.iter().any(|r| r.given == given && r.real == real) {
        roots.push(Root { given, real });
    }
}

/// The root `path` lies under (lexically), as (given, real).
fn root_of(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let abs = std::path::absolute(path).ok()?;
    let roots = ROOTS.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    // The longest root wins (a workspace inside another one's folder).
    roots
        .iter()
        .filter(|r| abs.starts_with(&r.given) || abs.starts_with(&r.real))
        .max_by_key(|r| r.given.as_os_str().len())
        .map(|r| (r.given.clone(), r.real.clone()))
}

/// Checks that `path` (which need not exist) stays inside its workspace: the deepest part of it
/// that exists must resolve inside the root, and a dangling link at its end is refused. Paths
/// outside every workspace pass.
pub fn confine(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    let Some((given, real_root)) = root_of(path) else { return Ok(()) };
    let abs = std::path::absolute(path)?;
    // A link at the end that points nowhere: writing through it would create its target.
    if let Ok(m) = std::fs::symlink_metadata(&abs)
        && m.file_type().is_symlink()
        && std::fs::metadata(&abs).is_err()
    {
        let target = std::fs::read_link(&abs).unwrap_or_default();
        let target = abs.parent().map_or(target.clone(), |p| p.join(&target));
        if !lexically_inside(&target, &given, &real_root) {
            return Err(PathRefused::Outside { link: abs, target, root: given }.into_io());
        }
    }
    let mut probe: &Path = &abs;
    loop {
        match fs_err::canonicalize(probe) {
            Ok(real) => {
                return if real.starts_with(&real_root) { Ok(()) } else { Err(outside(&abs, &given, &real_root)) };
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match probe.parent() {
                Some(p) => probe = p,
                None => return Ok(()),
            },
            Err(e) => return Err(e),
        }
    }
}

fn lexically_inside(p: &Path, given: &Path, real: &Path) -> bool {
    let out = lexical(p);
    out.starts_with(given) || out.starts_with(real)
}

/// `p` with `.` and `..` parts resolved without touching the file system (symbolic links are
/// kept as written).
pub fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// The refusal for `abs`, naming the first link on the way that leads out.
fn outside(abs: &Path, given: &Path, real_root: &Path) -> io::Error {
    let rel = abs.strip_prefix(given).or_else(|_| abs.strip_prefix(real_root)).unwrap_or(abs);
    let base = if abs.starts_with(given) { given } else { real_root };
    let mut cur = base.to_owned();
    for c in rel.components() {
        match c {
            Component::ParentDir => {
                cur.pop();
            }
            Component::CurDir => {}
            c => cur.push(c),
        }
        if std::fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink()) {
            let target = fs_err::canonicalize(&cur).unwrap_or_else(|_| std::fs::read_link(&cur).unwrap_or_default());
            if !target.starts_with(real_root) {
                return PathRefused::Outside { link: cur, target, root: given.to_owned() }.into_io();
            }
        }
    }
    let target = fs_err::canonicalize(abs).unwrap_or_else(|_| abs.to_owned());
    PathRefused::Outside { link: abs.to_owned(), target, root: given.to_owned() }.into_io()
}

/// Opens a file for reading under the policy: confined, never blocking on a FIFO, and only a
/// regular file. For readers that stream (transcripts, headers); whole-file reads use [`read`].
pub fn open_regular(path: impl AsRef<Path>) -> io::Result<fs_err::File> {
    let path = path.as_ref();
    let mut opts = fs_err::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    // Checked on the opened file, not before opening: nothing can swap a link in between.
    if let Some((given, real_root)) = root_of(path)
        && !opened_path(&file, path)?.starts_with(&real_root)
    {
        return Err(outside(&std::path::absolute(path)?, &given, &real_root));
    }
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(PathRefused::NotRegular { path: path.to_owned(), kind: kind_of(&meta.file_type()) }.into_io());
    }
    Ok(file)
}

/// Where an opened file really is.
fn opened_path(file: &fs_err::File, path: &Path) -> io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(p) = std::fs::read_link(format!("/proc/self/fd/{}", file.file().as_raw_fd())) {
            return Ok(p);
        }
    }
    let _ = file;
    fs_err::canonicalize(path)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_socket() {
            return "socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "device";
        }
    }
    if t.is_dir() { "directory" } else { "special file" }
}

/// Reads a whole file under the policy, up to [`READ_CAP`].
pub fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref();
    read_capped(path, READ_CAP)
}

/// Reads a whole file under the policy, refusing one larger than `cap` bytes.
pub fn read_capped(path: impl AsRef<Path>, cap: u64) -> io::Result<Vec<u8>> {
    let path = path.as_ref();
    let file = open_regular(path)?;
    let len = file.metadata()?.len();
    if len > cap {
        return Err(PathRefused::TooLarge { path: path.to_owned(), cap }.into_io());
    }
    let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    // The file may grow after the stat: the cap holds whatever it does.
    file.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(PathRefused::TooLarge { path: path.to_owned(), cap }.into_io());
    }
    Ok(buf)
}

/// Reads a whole UTF-8 file under the policy (`InvalidData` when it is not UTF-8).
pub fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref();
    let bytes = read(path)?;
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, format!("{} is not valid UTF-8", path.display())))
}

/// Lists a directory under the policy (confined).
pub fn read_dir(path: impl AsRef<Path>) -> io::Result<fs_err::ReadDir> {
    let path = path.as_ref();
    confine(path)?;
    fs_err::read_dir(path)
}

/// Creates a directory and its parents, checking first that none of them leads outside.
pub fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    confine(path)?;
    fs_err::create_dir_all(path)
}

/// Renames `from` to `to`, both confined (archive moves, journal archiving).
pub fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref(), to.as_ref());
    confine(from)?;
    confine(to)?;
    fs_err::rename(from, to)
}

/// Removes a file, confined.
pub fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref();
    confine(path)?;
    fs_err::remove_file(path)
}

/// Metadata of a path, confined (follows links that stay inside).
pub fn metadata(path: impl AsRef<Path>) -> io::Result<std::fs::Metadata> {
    let path = path.as_ref();
    confine(path)?;
    fs_err::metadata(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn refuses_links_out_and_special_files() {
        let t = tempfile::tempdir().unwrap();
        let ws = t.path().join("ws");
        let out = t.path().join("out");
        std::fs::create_dir_all(ws.join("docs")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("secret.txt"), "s").unwrap();
        std::os::unix::fs::symlink(&out, ws.join("linked")).unwrap();
        std::os::unix::fs::symlink(out.join("secret.txt"), ws.join("docs/req.md")).unwrap();
        std::os::unix::fs::symlink(ws.join("docs"), ws.join("inside")).unwrap();
        std::fs::write(ws.join("docs/a.md"), "a").unwrap();
        register_root(&ws);

        let e = read(ws.join("docs/req.md")).unwrap_err();
        let r = refusal(&e).expect("a refusal");
        assert!(matches!(r, PathRefused::Outside { link, .. } if link.ends_with("docs/req.md")), "{r}");
        let e = create_dir_all(ws.join("linked/new/deeper")).unwrap_err();
        assert!(matches!(refusal(&e), Some(PathRefused::Outside { link, .. }) if link.ends_with("linked")));
        assert!(!out.join("new").exists(), "nothing created outside");
        assert_eq!(read(ws.join("inside/a.md")).unwrap(), b"a", "a link inside is followed");
        assert!(read(out.join("secret.txt")).is_ok(), "paths outside every workspace are not confined");

        let e = read(ws.join("docs")).unwrap_err();
        assert!(matches!(refusal(&e), Some(PathRefused::NotRegular { kind: "directory", .. })));
        let e = read_capped(ws.join("docs/a.md"), 0).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(refusal(&e), Some(PathRefused::NotRegular { kind: "device", .. })));
    }
}
