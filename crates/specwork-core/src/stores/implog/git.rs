//! Files and lines changed during a task's window, measured with git.
//!
//! A minimal, self-contained helper for implementation logs, kept apart so it can be merged
//! into a shared git module later. It runs the `git` binary (no library), reads `-z` output so
//! any path survives, and never writes to the repository (`GIT_OPTIONAL_LOCKS=0`).
//!
//! The window runs from a base commit to the working tree:
//!
//! * `base`: a revision given by the caller (the commit `do-task` recorded at the start);
//! * else `since`: the last commit made before that time (commits during the task are counted);
//! * else `HEAD`: what is not committed yet.
//!
//! Within the window, tracked changes come from `git diff --numstat` / `--name-status` against
//! the base (renames detected), and untracked files (not ignored) count as created, with their
//! lines counted. specwork's own bookkeeping (`Implementation Logs/`, `.specwork/`,
//! `docs/sessions/`) is left out.

use std::path::Path;
use std::process::{Command, Stdio};

use serde::Serialize;

/// The window to measure.
#[derive(Clone, Debug, Default)]
pub struct GitWindow {
    /// A revision to start from (a commit id, `HEAD~2`, a tag).
    pub base: Option<String>,
    /// When the task started: the window starts at the last commit before it.
    pub since: Option<jiff::Timestamp>,
}

/// What changed in the window.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GitChanges {
    /// The commit the window starts at (the empty tree when the repository had none).
    pub base: String,
    /// Files changed (renamed files under their new name).
    pub files_modified: Vec<String>,
    /// Files added (committed, staged or untracked).
    pub files_created: Vec<String>,
    /// Files deleted.
    pub files_deleted: Vec<String>,
    /// Lines added (binary files count 0).
    pub lines_added: u64,
    /// Lines removed.
    pub lines_removed: u64,
}

/// Why measuring failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The revision does not name a commit.
    #[error("`{rev}` is not a commit in this repository")]
    BadRevision {
        /// The revision.
        rev: String,
    },
    /// A git command failed.
    #[error("`git {args}` failed: {stderr}")]
    Failed {
        /// The arguments.
        args: String,
        /// Its error output.
        stderr: String,
    },
}

fn git(root: &Path, args: &[&str]) -> Result<Option<Vec<u8>>, GitError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "core.quotepath=off"])
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output();
    match out {
        Err(_) => Ok(None), // git is not installed: nothing can be measured
        Ok(o) if o.status.success() => Ok(Some(o.stdout)),
        Ok(o) => {
            Err(GitError::Failed { args: args.join(" "), stderr: String::from_utf8_lossy(&o.stderr).trim().to_owned() })
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim().to_owned()
}

/// Whether `root` is inside a git work tree.
pub fn is_repo(root: &Path) -> bool {
    matches!(git(root, &["rev-parse", "--is-inside-work-tree"]), Ok(Some(o)) if text(&o) == "true")
}

fn excluded(path: &str) -> bool {
    path.starts_with(".specwork/")
        || path.starts_with("docs/sessions/")
        || path.starts_with("Implementation Logs/")
        || path.contains("/Implementation Logs/")
}

/// The commit `HEAD` names, when `root` is in a repository with one.
pub fn head(root: &Path) -> Option<String> {
    git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .ok()
        .flatten()
        .map(|o| text(&o))
        .filter(|h| !h.is_empty())
}

/// Measures the window. `Ok(None)` when `root` is not in a git work tree or git is missing.
pub fn measure(root: &Path, window: &GitWindow) -> Result<Option<GitChanges>, GitError> {
    measure_except(root, window, &|_| false)
}

/// Measures the window, leaving out the paths `skip` says are not the task's work (besides the
/// folders [`measure`] always leaves out).
pub fn measure_except(
    root: &Path,
    window: &GitWindow,
    skip: &dyn Fn(&str) -> bool,
) -> Result<Option<GitChanges>, GitError> {
    let excluded = |p: &str| excluded(p) || skip(p);
    if !is_repo(root) {
        return Ok(None);
    }
    let empty_tree = || -> Result<String, GitError> {
        Ok(git(root, &["hash-object", "-t", "tree", "/dev/null"])?.map(|o| text(&o)).unwrap_or_default())
    };
    let head = git(root, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]).ok().flatten().map(|o| text(&o));
    let base = if let Some(rev) = &window.base {
        let spec = format!("{rev}^{{commit}}");
        match git(root, &["rev-parse", "--verify", "--quiet", &spec]) {
            Ok(Some(o)) => text(&o),
            _ => return Err(GitError::BadRevision { rev: rev.clone() }),
        }
    } else if let Some(since) = window.since {
        let before = format!("--before={}", since.as_second());
        match head {
            Some(_) => match git(root, &["rev-list", "-1", &before, "HEAD"])?.map(|o| text(&o)) {
                Some(c) if !c.is_empty() => c,
                _ => empty_tree()?,
            },
            None => empty_tree()?,
        }
    } else {
        match head {
            Some(h) => h,
            None => empty_tree()?,
        }
    };

    let mut ch = GitChanges { base: base.clone(), ..GitChanges::default() };
    // Line counts per path.
    let numstat = git(root, &["diff", "--numstat", "-z", "-M", "--relative", &base, "--"])?.unwrap_or_default();
    let mut lines_by_path: Vec<(String, u64, u64)> = Vec::new();
    let mut it = numstat.split(|&b| b == 0).peekable();
    while let Some(rec) = it.next() {
        if rec.is_empty() {
            continue;
        }
        let s = String::from_utf8_lossy(rec);
        let mut parts = s.splitn(3, '\t');
        let added = parts.next().unwrap_or("-").parse::<u64>().unwrap_or(0);
        let removed = parts.next().unwrap_or("-").parse::<u64>().unwrap_or(0);
        let path = parts.next().unwrap_or("");
        let path = if path.is_empty() {
            // A rename: the old and new paths follow as their own records.
            let _old = it.next();
            it.next().map(|p| String::from_utf8_lossy(p).into_owned()).unwrap_or_default()
        } else {
            path.to_owned()
        };
        lines_by_path.push((path, added, removed));
    }
    // Kinds of change.
    let status = git(root, &["diff", "--name-status", "-z", "-M", "--relative", &base, "--"])?.unwrap_or_default();
    let mut it = status.split(|&b| b == 0);
    while let Some(code) = it.next() {
        if code.is_empty() {
            continue;
        }
        let code = code[0];
        let path = if code == b'R' || code == b'C' {
            let _old = it.next();
            it.next()
        } else {
            it.next()
        };
        let Some(path) = path.map(|p| String::from_utf8_lossy(p).into_owned()) else { break };
        if excluded(&path) {
            continue;
        }
        match code {
            b'A' | b'C' => ch.files_created.push(path),
            b'D' => ch.files_deleted.push(path),
            _ => ch.files_modified.push(path),
        }
    }
    for (path, a, r) in &lines_by_path {
        if !excluded(path) {
            ch.lines_added += a;
            ch.lines_removed += r;
        }
    }
    // Untracked files are created files too.
    let others = git(root, &["ls-files", "--others", "--exclude-standard", "-z"])?.unwrap_or_default();
    for rec in others.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let path = String::from_utf8_lossy(rec).into_owned();
        if excluded(&path) || ch.files_created.contains(&path) {
            continue;
        }
        ch.lines_added += count_lines(&root.join(&path));
        ch.files_created.push(path);
    }
    ch.files_modified.sort();
    ch.files_created.sort();
    ch.files_deleted.sort();
    Ok(Some(ch))
}

/// Lines of a text file as git counts them (0 for binary files and files over 64 MB).
fn count_lines(path: &Path) -> u64 {
    let Ok(meta) = fs_err::metadata(path) else { return 0 };
    if !meta.is_file() || meta.len() > 64 << 20 {
        return 0;
    }
    let Ok(bytes) = crate::base::path_policy::read(path) else { return 0 };
    if bytes[..bytes.len().min(8000)].contains(&0) {
        return 0;
    }
    let n = memchr::memchr_iter(b'\n', &bytes).count() as u64;
    n + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}
