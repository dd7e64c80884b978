//! Git, by subprocess: commits linked to specs and tasks, and measured file and line changes.
//!
//! specwork never parses `.git` itself; it runs the user's `git` with machine-readable formats
//! (`-z`, `%x1e`/`%x1f` separators, `%(trailers)`), so it sees exactly what `git log` sees.
//!
//! * **Linking.** A commit belongs to a spec when it carries a `Spec: <id>` trailer, or when its
//!   message names the spec id as a whole word (`1014`, `invoice-management`). It belongs to a
//!   task of that spec when it carries a `Task: <id>` trailer, or its message says `task <id>` or
//!   `<spec>/<task>` (`1014/1.2`). [`Repo::commit`] writes the trailers with
//!   `git commit --trailer`.
//! * **Measuring.** [`Repo::changes`] gives the files created, modified and deleted and the lines
//!   added and removed, for a commit range, a time window or the uncommitted working tree. This
//!   is the one place the timelines and implementation logs get "files changed" from: facts from
//!   git, not what an agent claims.
//!
//! Every path in and out of this module is relative to the workspace root (the directory the
//! [`Repo`] was opened for), with `/` separators, and only changes inside that directory are
//! reported. When `git` is missing or the workspace is not in a repository, [`Repo::open`]
//! returns `None` and callers fall back to what the files say.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

/// A linked worktree (`git worktree add`) and the main worktree of its repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkedWorktree {
    /// The linked worktree's top directory.
    pub top: PathBuf,
    /// The main worktree's top directory: the parent of the repository's common `.git`.
    pub main: PathBuf,
}

/// The linked worktree `dir` is in, if any.
///
/// Only a directory below a `.git` *file* can be in a linked worktree (a main worktree has a
/// `.git` folder), so ordinary repositories cost a few `stat`s and no subprocess. Then
/// `git rev-parse --path-format=absolute --git-common-dir --show-toplevel` decides, as
/// spec-workflow-mcp 2.2.7 does (`resolveGitRoot` in its `src/core/git-utils.ts`: the main
/// worktree is the parent of the common `.git`). A submodule (its common dir is its own
/// `.git/modules/…`) and a bare repository (no main worktree) are not linked worktrees.
pub fn linked_worktree(dir: &Path) -> Option<LinkedWorktree> {
    let dir = std::path::absolute(dir).ok()?;
    let marker = dir.ancestors().find(|d| d.join(".git").exists())?;
    if !marker.join(".git").is_file() {
        return None;
    }
    let mut cmd = git(marker);
    cmd.args(["rev-parse", "--path-format=absolute", "--git-common-dir", "--show-toplevel"]);
    let out = cmd.stderr(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let mut lines = text.lines();
    let common = PathBuf::from(lines.next()?);
    let top = PathBuf::from(lines.next()?);
    if common.file_name()? != ".git" {
        return None;
    }
    let main = common.parent()?.to_owned();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    if canon(&main) == canon(&top) || !main.is_dir() {
        return None;
    }
    Some(LinkedWorktree { top, main })
}

/// Why a git command failed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be started.
    #[error("cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    /// `git` exited with an error; `stderr` is its message.
    #[error("git {command} failed: {stderr}")]
    Failed {
        /// The git subcommand (`log`, `commit`, …).
        command: String,
        /// What git printed on stderr, trimmed.
        stderr: String,
    },
}

/// A repository seen from a workspace inside it.
#[derive(Clone, Debug)]
pub struct Repo {
    /// The repository's top-level directory.
    pub top: PathBuf,
    /// The workspace root (absolute).
    pub workspace: PathBuf,
    /// The workspace relative to `top`, `/`-separated, empty when they are the same.
    prefix: String,
}

/// One commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Commit {
    /// Full hash.
    pub hash: String,
    /// Abbreviated hash (as `git log --format=%h` prints it).
    pub short: String,
    /// Subject line.
    pub subject: String,
    /// Author name.
    pub author: String,
    /// Author date, strict ISO 8601 (`2025-08-26T14:30:00+07:00`).
    pub date: String,
    /// Values of `Spec:` trailers.
    pub spec_trailers: Vec<String>,
    /// Values of `Task:` trailers.
    pub task_trailers: Vec<String>,
    /// The whole message (subject, body and trailers).
    #[serde(skip)]
    pub message: String,
}

impl Commit {
    /// Whether the commit is linked to spec `id`: a `Spec:` trailer, or the id as a whole word in
    /// the message.
    pub fn links_spec(&self, id: &str) -> bool {
        self.spec_trailers.iter().any(|s| s.eq_ignore_ascii_case(id)) || contains_word(&self.message, id)
    }

    /// Whether the commit is linked to task `task` of spec `spec`: linked to the spec, and a
    /// `Task:` trailer, `task <id>` or `<spec>/<id>` in the message.
    pub fn links_task(&self, spec: &str, task: &str) -> bool {
        if !self.links_spec(spec) {
            return false;
        }
        let task = task.trim_end_matches('.');
        if self.task_trailers.iter().any(|t| t.trim_end_matches('.') == task) {
            return true;
        }
        let lower = self.message.to_lowercase();
        let task_lower = task.to_lowercase();
        contains_word(&lower, &format!("task {task_lower}"))
            || contains_word(&lower, &format!("tasks {task_lower}"))
            || contains_word(&lower, &format!("{}/{task_lower}", spec.to_lowercase()))
    }
}

/// Whether `needle` occurs in `hay` with no word character (letter, digit, `_`, `-`, or a `.`
/// followed by a digit) right before or after it.
pub fn contains_word(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let mut after = hay[end..].chars();
        let a1 = after.next();
        let a2 = after.next();
        let before_ok = before.is_none_or(|c| !word(c) && c != '.');
        let after_ok = match a1 {
            None => true,
            Some('.') => a2.is_none_or(|c| !c.is_ascii_digit()),
            Some(c) => !word(c),
        };
        if before_ok && after_ok {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Which changes [`Repo::changes`] measures.
#[derive(Clone, Debug)]
pub enum ChangeRange {
    /// A revision range as git takes it: `a1b2c3d..HEAD`, `HEAD~3..`, or one commit `a1b2c3d`
    /// (that commit alone).
    Commits(String),
    /// Commits whose committer date lies in `[since, until)`; `until: None` means up to now.
    Window {
        /// Start of the window.
        since: jiff::Timestamp,
        /// End of the window.
        until: Option<jiff::Timestamp>,
    },
    /// Uncommitted changes: the working tree and index against `HEAD`, plus untracked files
    /// that are not ignored.
    WorkingTree,
}

/// How a file changed over a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// It did not exist before the range.
    Created,
    /// It existed before and after.
    Modified,
    /// It existed before and not after.
    Deleted,
}

/// One file's change over a range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Path relative to the workspace, `/`-separated.
    pub path: String,
    /// Created, modified or deleted over the whole range.
    pub status: FileStatus,
    /// Lines added (0 for binary files).
    pub added: u64,
    /// Lines removed (0 for binary files).
    pub removed: u64,
    /// Whether git saw it as binary.
    pub binary: bool,
}

/// Files and lines changed over a range, measured by git.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChangeStats {
    /// Commits in the range, newest first (abbreviated hashes; empty for the working tree).
    pub commits: Vec<String>,
    /// Every changed file, sorted by path.
    pub files: Vec<FileChange>,
    /// Paths created.
    pub files_created: Vec<String>,
    /// Paths modified.
    pub files_modified: Vec<String>,
    /// Paths deleted.
    pub files_deleted: Vec<String>,
    /// Lines added over all files.
    pub lines_added: u64,
    /// Lines removed over all files.
    pub lines_removed: u64,
}

/// A `git` command with a stable, non-interactive environment.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .args(["-c", "core.quotePath=false", "-c", "color.ui=false", "-c", "log.showSignature=false"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_LITERAL_PATHSPECS", "1")
        .stdin(Stdio::null());
    c
}

fn run(mut cmd: Command, what: &str) -> Result<Vec<u8>, GitError> {
    let out = cmd.output().map_err(GitError::Spawn)?;
    if !out.status.success() {
        // Some refusals (`nothing to commit`) go to stdout.
        let mut msg = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if msg.is_empty() {
            msg = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        return Err(GitError::Failed { command: what.to_owned(), stderr: msg });
    }
    Ok(out.stdout)
}

const FIELD: char = '\x1f';
const RECORD: char = '\x1e';
/// `git log --format` for [`Commit`]: fields separated by 0x1f, records started by 0x1e.
const LOG_FORMAT: &str = "--format=%x1e%H%x1f%h%x1f%s%x1f%an%x1f%aI%x1f%(trailers:key=Spec,valueonly,separator=%x1d)%x1f%(trailers:key=Task,valueonly,separator=%x1d)%x1f%B";

impl Repo {
    /// Opens the repository holding `workspace`. `None` when git is missing or the directory is
    /// not inside a work tree.
    pub fn open(workspace: &Path) -> Option<Repo> {
        let mut cmd = git(workspace);
        cmd.args(["rev-parse", "--show-toplevel"]);
        let out = cmd.stderr(Stdio::null()).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let top = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim_end_matches(['\n', '\r']));
        let top = top.canonicalize().unwrap_or(top);
        let ws = workspace.canonicalize().unwrap_or_else(|_| workspace.to_owned());
        let prefix = ws.strip_prefix(&top).ok()?.to_string_lossy().replace('\\', "/");
        Some(Repo { top, workspace: ws, prefix })
    }

    /// The pathspec limiting git to the workspace (and, when given, to `paths` inside it). Git
    /// runs in the workspace with literal pathspecs, so relative paths need no escaping.
    fn pathspec(paths: &[PathBuf]) -> Vec<String> {
        let mut v = vec!["--".to_owned()];
        if paths.is_empty() {
            v.push(".".to_owned());
        }
        v.extend(paths.iter().map(|p| p.to_string_lossy().replace('\\', "/")));
        v
    }

    /// A repository path (from git output) as a workspace-relative path, or `None` when it lies
    /// outside the workspace.
    fn to_workspace(&self, repo_path: &str) -> Option<String> {
        if self.prefix.is_empty() {
            return Some(repo_path.to_owned());
        }
        repo_path.strip_prefix(&self.prefix)?.strip_prefix('/').map(str::to_owned)
    }

    /// Commits of the workspace, newest first (when the workspace is below the repository's
    /// top, only those touching it). `extra` is passed to `git log` before the
    /// format (e.g. `["-n", "20"]`, `["--grep=1014", "-F"]`, a range).
    pub fn log(&self, extra: &[&str]) -> Result<Vec<Commit>, GitError> {
        let mut cmd = git(&self.workspace);
        cmd.args(["log", "--no-color"]).args(extra).arg(LOG_FORMAT);
        // A workspace below the top sees only commits touching it; at the top every commit
        // counts (a pathspec would hide `--allow-empty` commits).
        if !self.prefix.is_empty() {
            cmd.args(Self::pathspec(&[]));
        }
        let out = match run(cmd, "log") {
            Ok(o) => o,
            // A repository without commits has no log: not an error for us.
            Err(GitError::Failed { stderr, .. })
                if stderr.contains("does not have any commits") || stderr.contains("bad default revision") =>
            {
                return Ok(Vec::new());
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(&out);
        Ok(text.split(RECORD).filter(|r| !r.trim().is_empty()).filter_map(parse_commit).collect())
    }

    /// Commits in `range` (`abc123..HEAD`) that touched workspace file `path`, newest first.
    pub fn log_of_file(&self, range: &str, path: &Path) -> Result<Vec<Commit>, GitError> {
        let mut cmd = git(&self.workspace);
        cmd.args(["log", "--no-color", range, LOG_FORMAT]).args(Self::pathspec(&[path.to_owned()]));
        let out = run(cmd, "log")?;
        let text = String::from_utf8_lossy(&out);
        Ok(text.split(RECORD).filter(|r| !r.trim().is_empty()).filter_map(parse_commit).collect())
    }

    /// Commits linked to spec `id` (and to task `task` of it, when given), newest first, at most
    /// `limit`.
    pub fn commits_for(&self, id: &str, task: Option<&str>, limit: usize) -> Result<Vec<Commit>, GitError> {
        // git narrows the log to messages holding the id; the word check below makes it exact.
        let grep = format!("--grep={id}");
        let commits = self.log(&["-F", "-i", &grep])?;
        Ok(commits
            .into_iter()
            .filter(|c| match task {
                Some(t) => c.links_task(id, t),
                None => c.links_spec(id),
            })
            .take(limit)
            .collect())
    }

    /// The newest commit linked to spec `id`.
    pub fn last_commit_for(&self, id: &str) -> Result<Option<Commit>, GitError> {
        Ok(self.commits_for(id, None, 1)?.into_iter().next())
    }

    /// Files created / modified / deleted and lines added / removed over `range`, limited to
    /// `paths` (workspace-relative files or folders; empty = the whole workspace).
    pub fn changes(&self, range: &ChangeRange, paths: &[PathBuf]) -> Result<ChangeStats, GitError> {
        let mut acc = Accumulator::default();
        let mut commits = Vec::new();
        match range {
            ChangeRange::WorkingTree => {
                let mut cmd = git(&self.workspace);
                let base = if self.has_head() { "HEAD".to_owned() } else { self.empty_tree()? };
                cmd.args(["diff", "-z", "--no-renames", "--no-ext-diff", "--raw", "--numstat", &base])
                    .args(Self::pathspec(paths));
                let out = run(cmd, "diff")?;
                acc.commit(parse_diff_tokens(&out));
                let mut cmd = git(&self.workspace);
                cmd.args(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"])
                    .args(Self::pathspec(paths));
                let out = run(cmd, "ls-files")?;
                let mut untracked = Vec::new();
                for p in out.split(|&b| b == 0).filter(|p| !p.is_empty()) {
                    let p = String::from_utf8_lossy(p).into_owned();
                    let bytes = crate::base::path_policy::read(self.top.join(&p)).unwrap_or_default();
                    let binary = bytes.contains(&0);
                    let lines = if binary { 0 } else { count_lines(&bytes) };
                    untracked.push(RawChange { path: p, status: 'A', added: lines, removed: 0, binary });
                }
                acc.commit(untracked);
            }
            ChangeRange::Commits(_) | ChangeRange::Window { .. } => {
                let mut cmd = git(&self.workspace);
                cmd.args(["log", "-z", "--no-renames", "--no-ext-diff", "--raw", "--numstat", "--format=%x1eC%h"]);
                match range {
                    ChangeRange::Commits(r) if !r.contains("..") => {
                        cmd.args(["-n", "1", r]);
                    }
                    ChangeRange::Commits(r) => {
                        cmd.arg(r);
                    }
                    ChangeRange::Window { since, until } => {
                        cmd.arg(format!("--since={since}"));
                        if let Some(u) = until {
                            // git's --until is inclusive; the window is half-open.
                            let u = u.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap_or(*u);
                            cmd.arg(format!("--until={u}"));
                        }
                    }
                    ChangeRange::WorkingTree => unreachable!(),
                }
                cmd.args(Self::pathspec(paths));
                let out = match run(cmd, "log") {
                    Ok(o) => o,
                    Err(GitError::Failed { stderr, .. }) if stderr.contains("does not have any commits") => Vec::new(),
                    Err(e) => return Err(e),
                };
                // Oldest first, so that "created then modified" ends as created.
                let mut per_commit: Vec<(String, Vec<RawChange>)> = Vec::new();
                for chunk in out.split(|&b| b == RECORD as u8).filter(|c| c.first() == Some(&b'C')) {
                    let end = chunk.iter().position(|&b| b == 0).unwrap_or(chunk.len());
                    let hash = String::from_utf8_lossy(&chunk[1..end]).trim().to_owned();
                    let rest = chunk.get(end + 1..).unwrap_or_default();
                    per_commit.push((hash, parse_diff_tokens(rest)));
                }
                for (hash, changes) in per_commit.into_iter().rev() {
                    commits.push(hash);
                    acc.commit(changes);
                }
                commits.reverse();
            }
        }
        Ok(acc.finish(self, commits))
    }

    fn has_head(&self) -> bool {
        let mut cmd = git(&self.workspace);
        cmd.args(["rev-parse", "--verify", "-q", "HEAD"]).stdout(Stdio::null()).stderr(Stdio::null());
        cmd.status().is_ok_and(|s| s.success())
    }

    fn empty_tree(&self) -> Result<String, GitError> {
        let mut cmd = git(&self.workspace);
        cmd.args(["hash-object", "-t", "tree", "--stdin"]);
        // `output()` with stdin null hashes the empty input.
        Ok(String::from_utf8_lossy(&run(cmd, "hash-object")?).trim().to_owned())
    }

    /// Commits what is staged (all tracked changes with `all`) with `message` and the given
    /// trailers (`("Spec", "1014")`), through `git commit --trailer`. Returns the new commit.
    pub fn commit(&self, message: &str, trailers: &[(&str, &str)], all: bool) -> Result<Commit, GitError> {
        let mut cmd = git(&self.workspace);
        cmd.args(["commit", "--quiet", "--no-edit", "--cleanup=strip", "-m", message]);
        if crate::base::clock::is_fixed() {
            let at = crate::base::clock::now().timestamp().to_string();
            cmd.env("GIT_AUTHOR_DATE", &at).env("GIT_COMMITTER_DATE", &at);
        }
        if all {
            cmd.arg("--all");
        }
        for (k, v) in trailers {
            cmd.arg("--trailer").arg(format!("{k}: {v}"));
        }
        run(cmd, "commit")?;
        let mut cmd = git(&self.workspace);
        cmd.args(["log", "-n", "1", LOG_FORMAT, "HEAD"]);
        let out = run(cmd, "log")?;
        String::from_utf8_lossy(&out).split(RECORD).find_map(parse_commit).ok_or_else(|| GitError::Failed {
            command: "log".to_owned(),
            stderr: "the new commit could not be read back".to_owned(),
        })
    }

    /// Stages `paths` (workspace-relative files or folders) that exist, as `git add --`; ignored
    /// files stay out (git's own rule).
    pub fn add(&self, paths: &[PathBuf]) -> Result<(), GitError> {
        let existing: Vec<&PathBuf> = paths.iter().filter(|p| self.workspace.join(p).exists()).collect();
        if existing.is_empty() {
            return Ok(());
        }
        let mut cmd = git(&self.workspace);
        cmd.args(["add", "--ignore-errors", "--"]).args(existing);
        run(cmd, "add").map(drop)
    }

    /// Whether a commit now would have something to commit: staged changes, or with `all` also
    /// changes of tracked files.
    pub fn has_changes(&self, all: bool) -> bool {
        let differs = |args: &[&str]| {
            let mut cmd = git(&self.workspace);
            cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
            // `--quiet` exits 1 when there are differences; a new repository has no HEAD to
            // compare with, and then anything staged is a change.
            cmd.status().map_or(true, |s| s.code() != Some(0))
        };
        differs(&["diff", "--cached", "--quiet"]) || all && differs(&["diff", "--quiet"])
    }

    /// Fails the way `git commit` would when git has no identity to commit with.
    pub fn check_identity(&self) -> Result<(), GitError> {
        let mut cmd = git(&self.workspace);
        cmd.args(["var", "GIT_COMMITTER_IDENT"]);
        run(cmd, "var").map(drop)
    }

    /// Whether git ignores `path` (workspace-relative): `.gitignore`, `info/exclude`.
    pub fn ignores(&self, path: &Path) -> bool {
        let mut cmd = git(&self.workspace);
        cmd.args(["check-ignore", "-q", "--"]).arg(path).stdout(Stdio::null()).stderr(Stdio::null());
        cmd.status().is_ok_and(|s| s.success())
    }

    /// Takes `paths` out of the index again (back to HEAD's version), as `git reset -- paths`.
    pub fn unstage(&self, paths: &[PathBuf]) -> Result<(), GitError> {
        if paths.is_empty() {
            return Ok(());
        }
        let mut cmd = git(&self.workspace);
        cmd.args(["reset", "--quiet", "--"]).args(paths);
        run(cmd, "reset").map(drop)
    }

    /// Whether git tracks `path` (workspace-relative).
    pub fn tracks(&self, path: &Path) -> bool {
        let mut cmd = git(&self.workspace);
        cmd.args(["ls-files", "--error-unmatch", "--"]).arg(path).stdout(Stdio::null()).stderr(Stdio::null());
        cmd.status().is_ok_and(|s| s.success())
    }

    /// The date (`YYYY-MM-DD`) of the commit that added `path` (workspace-relative), if git
    /// knows it.
    pub fn added_date(&self, path: &Path) -> Option<String> {
        let mut cmd = git(&self.workspace);
        cmd.args(["log", "--diff-filter=A", "--format=%as", "-n", "1", "--"]).arg(path);
        let out = run(cmd, "log").ok()?;
        let s = String::from_utf8_lossy(&out).trim().to_owned();
        (!s.is_empty()).then_some(s)
    }
}

fn parse_commit(record: &str) -> Option<Commit> {
    let record = record.trim_start_matches('\n');
    let mut f = record.splitn(8, FIELD);
    let hash = f.next()?.to_owned();
    let short = f.next()?.to_owned();
    let subject = f.next()?.to_owned();
    let author = f.next()?.to_owned();
    let date = f.next()?.to_owned();
    let list = |s: &str| -> Vec<String> {
        s.split('\x1d').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
    };
    let spec_trailers = list(f.next()?);
    let task_trailers = list(f.next()?);
    let message = f.next().unwrap_or("").trim_end().to_owned();
    if hash.len() < 7 {
        return None;
    }
    Some(Commit { hash, short, subject, author, date, spec_trailers, task_trailers, message })
}

/// One file's change in one diff.
struct RawChange {
    path: String,
    status: char,
    added: u64,
    removed: u64,
    binary: bool,
}

/// Parses `--raw --numstat -z` output: `:modes shas STATUS\0path\0` entries, then
/// `added\tremoved\tpath\0` entries.
fn parse_diff_tokens(bytes: &[u8]) -> Vec<RawChange> {
    let mut out: Vec<RawChange> = Vec::new();
    let mut tokens = bytes.split(|&b| b == 0).map(|t| String::from_utf8_lossy(t).into_owned());
    while let Some(tok) = tokens.next() {
        let tok = tok.trim_start_matches('\n');
        if tok.is_empty() {
            continue;
        }
        if let Some(raw) = tok.strip_prefix(':') {
            let status = raw.split_whitespace().last().and_then(|s| s.chars().next()).unwrap_or('M');
            let Some(path) = tokens.next() else { break };
            out.push(RawChange { path, status, added: 0, removed: 0, binary: false });
        } else {
            let mut parts = tok.splitn(3, '\t');
            let (Some(a), Some(r), Some(path)) = (parts.next(), parts.next(), parts.next()) else { continue };
            if let Some(c) = out.iter_mut().find(|c| c.path == path) {
                c.binary = a == "-";
                c.added = a.parse().unwrap_or(0);
                c.removed = r.parse().unwrap_or(0);
            }
        }
    }
    out
}

fn count_lines(bytes: &[u8]) -> u64 {
    let n = memchr::memchr_iter(b'\n', bytes).count() as u64;
    if bytes.last().is_some_and(|&b| b != b'\n') { n + 1 } else { n }
}

/// Folds per-commit changes into one change per file: a file is created when it did not exist
/// before its first change and exists after its last, deleted in the opposite case, modified
/// when it exists at both ends, and left out when it was created and deleted again.
#[derive(Default)]
struct Accumulator {
    /// path → (existed before, exists after, change so far)
    files: std::collections::BTreeMap<String, (bool, bool, FileChange)>,
}

impl Accumulator {
    /// Folds one commit's (or one diff's) changes in; commits must come oldest first.
    fn commit(&mut self, changes: Vec<RawChange>) {
        for c in changes {
            let after = c.status != 'D';
            let entry = self.files.entry(c.path.clone()).or_insert_with(|| {
                let change = FileChange {
                    path: c.path.clone(),
                    status: FileStatus::Modified,
                    added: 0,
                    removed: 0,
                    binary: false,
                };
                (c.status != 'A', after, change)
            });
            entry.1 = after;
            entry.2.added += c.added;
            entry.2.removed += c.removed;
            entry.2.binary |= c.binary;
        }
    }

    fn finish(self, repo: &Repo, commits: Vec<String>) -> ChangeStats {
        let mut s = ChangeStats { commits, ..ChangeStats::default() };
        for (path, (before, after, mut f)) in self.files {
            let Some(rel) = repo.to_workspace(&path) else { continue };
            f.status = match (before, after) {
                (false, true) => FileStatus::Created,
                (true, false) => FileStatus::Deleted,
                (true, true) => FileStatus::Modified,
                (false, false) => continue,
            };
            f.path = rel.clone();
            s.lines_added += f.added;
            s.lines_removed += f.removed;
            match f.status {
                FileStatus::Created => s.files_created.push(rel),
                FileStatus::Modified => s.files_modified.push(rel),
                FileStatus::Deleted => s.files_deleted.push(rel),
            }
            s.files.push(f);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_whole() {
        assert!(contains_word("Add script for 1014", "1014"));
        assert!(contains_word("1014: add", "1014"));
        assert!(contains_word("spec 1014.", "1014"));
        assert!(!contains_word("10140 bytes", "1014"));
        assert!(!contains_word("v1014.2", "1014"));
        assert!(!contains_word("x-1014", "1014"));
        assert!(contains_word("fix invoice-management totals", "invoice-management"));
        assert!(!contains_word("invoice-management-v2", "invoice-management"));
        assert!(contains_word("done task 1.2 today", "task 1.2"));
        assert!(!contains_word("task 1.20", "task 1.2"));
        assert!(!contains_word("task 1.2.1", "task 1.2"));
    }

    #[test]
    fn parses_diff_tokens() {
        let raw = b"\n:100644 100644 aaa bbb M\0a.txt\0:000000 100644 000 ccc A\0b.bin\0\
2\t1\ta.txt\0-\t-\tb.bin\0";
        let v = parse_diff_tokens(raw);
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].status, v[0].added, v[0].removed), ('M', 2, 1));
        assert!(v[1].binary);
        assert_eq!(v[1].status, 'A');
    }
}

/// Against a real repository in a temp dir.
#[cfg(test)]
mod repo_tests {
    use super::*;

    fn git_at(dir: &Path, date: &str, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn write(p: &Path, s: &str) {
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, s).unwrap();
    }

    #[test]
    fn changes_and_links_from_a_real_repository() {
        if Command::new("git").arg("--version").output().is_err() {
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let top = t.path();
        let ws = top.join("project");
        git_at(top, "2025-08-26T09:00:00Z", &["init", "-q"]);
        git_at(top, "2025-08-26T09:00:00Z", &["config", "user.name", "T"]);
        git_at(top, "2025-08-26T09:00:00Z", &["config", "user.email", "t@example.com"]);
        write(&ws.join("a.txt"), "1\n2\n3\n");
        write(&ws.join("old.txt"), "x\n");
        write(&top.join("outside.txt"), "not in the workspace\n");
        git_at(top, "2025-08-26T09:00:00Z", &["add", "."]);
        git_at(top, "2025-08-26T09:00:00Z", &["commit", "-q", "-m", "Start"]);
        // 10:00 — modify a.txt (+2 -1), delete old.txt, create "new file.sh" (2 lines).
        write(&ws.join("a.txt"), "1\nTWO\n3\n4\n");
        fs_err::remove_file(ws.join("old.txt")).unwrap();
        write(&ws.join("dir/new file.sh"), "echo a\necho b\n");
        write(&top.join("outside.txt"), "changed\n");
        git_at(top, "2025-08-26T10:00:00Z", &["add", "-A"]);
        git_at(
            top,
            "2025-08-26T10:00:00Z",
            &["commit", "-q", "-m", "Task work", "--trailer", "Spec: 1014", "--trailer", "Task: 1.2"],
        );
        // 11:00 — modify the new file again, create and delete a temp file in one window.
        write(&ws.join("dir/new file.sh"), "echo a\necho b\necho c\n");
        write(&ws.join("tmp.txt"), "t\n");
        git_at(top, "2025-08-26T11:00:00Z", &["add", "-A"]);
        git_at(top, "2025-08-26T11:00:00Z", &["commit", "-q", "-m", "More for 1014/1.3"]);
        fs_err::remove_file(ws.join("tmp.txt")).unwrap();
        git_at(top, "2025-08-26T12:00:00Z", &["add", "-A"]);
        git_at(top, "2025-08-26T12:00:00Z", &["commit", "-q", "-m", "Clean up"]);

        let repo = Repo::open(&ws).expect("a repository");
        assert_eq!(repo.prefix, "project");

        // One commit.
        let head1 = repo.log(&["-n", "1", "--skip", "2"]).unwrap();
        assert_eq!(head1[0].subject, "Task work");
        assert_eq!(head1[0].spec_trailers, ["1014"]);
        assert_eq!(head1[0].task_trailers, ["1.2"]);
        let one = repo.changes(&ChangeRange::Commits(head1[0].short.clone()), &[]).unwrap();
        assert_eq!(one.files_created, ["dir/new file.sh"]);
        assert_eq!(one.files_modified, ["a.txt"]);
        assert_eq!(one.files_deleted, ["old.txt"]);
        assert_eq!((one.lines_added, one.lines_removed), (2 + 2, 1 + 1));
        assert_eq!(one.commits.len(), 1);

        // A time window 09:30–11:30: created-then-modified stays created; outside.txt is not
        // in the workspace; the temp file appears (created at 11:00).
        let since: jiff::Timestamp = "2025-08-26T09:30:00Z".parse().unwrap();
        let until: jiff::Timestamp = "2025-08-26T11:30:00Z".parse().unwrap();
        let w = repo.changes(&ChangeRange::Window { since, until: Some(until) }, &[]).unwrap();
        assert_eq!(w.files_created, ["dir/new file.sh", "tmp.txt"]);
        assert_eq!(w.commits.len(), 2);
        let f = w.files.iter().find(|f| f.path == "dir/new file.sh").unwrap();
        assert_eq!((f.added, f.removed), (3, 0));
        // Until 12:30 the temp file was created and deleted: it is left out.
        let w2 = repo
            .changes(&ChangeRange::Window { since, until: Some("2025-08-26T12:30:00Z".parse().unwrap()) }, &[])
            .unwrap();
        assert_eq!(w2.files_created, ["dir/new file.sh"]);
        // Limited to a path.
        let only = repo.changes(&ChangeRange::Commits("HEAD~3..HEAD".into()), &[PathBuf::from("a.txt")]).unwrap();
        assert_eq!(only.files.len(), 1);

        // Uncommitted work: a modification and an untracked file.
        write(&ws.join("a.txt"), "1\nTWO\n3\n4\n5\n");
        write(&ws.join("untracked.md"), "a\nb\nc");
        let wt = repo.changes(&ChangeRange::WorkingTree, &[]).unwrap();
        assert_eq!(wt.files_modified, ["a.txt"]);
        assert_eq!(wt.files_created, ["untracked.md"]);
        assert_eq!((wt.lines_added, wt.lines_removed), (1 + 3, 0));

        // Linking: trailers, ids in messages, `spec/task`.
        let c = repo.commits_for("1014", None, 10).unwrap();
        let subjects: Vec<&str> = c.iter().map(|c| c.subject.as_str()).collect();
        assert_eq!(subjects, ["More for 1014/1.3", "Task work"]);
        assert_eq!(repo.commits_for("1014", Some("1.3"), 10).unwrap()[0].subject, "More for 1014/1.3");
        assert_eq!(repo.commits_for("1014", Some("1.2"), 10).unwrap()[0].subject, "Task work");
        assert!(repo.commits_for("1015", None, 10).unwrap().is_empty());
        assert_eq!(repo.last_commit_for("1014").unwrap().unwrap().subject, "More for 1014/1.3");

        // A commit through `commit` carries the trailers.
        git_at(top, "2025-08-26T13:00:00Z", &["add", "-A"]);
        let made = repo.commit("Finish", &[("Spec", "1014"), ("Task", "2")], false).unwrap();
        assert_eq!(made.spec_trailers, ["1014"]);
        assert_eq!(made.task_trailers, ["2"]);
        assert!(made.message.ends_with("Spec: 1014\nTask: 2"), "{}", made.message);
    }
}
