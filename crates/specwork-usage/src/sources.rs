//! Where the logs are, and which files are read in which order.
//!
//! Discovery matches ccusage 20:
//! - Claude: each entry of the comma-separated `CLAUDE_CONFIG_DIR` (a config dir holding
//!   `projects/`, or the `projects/` dir itself; `~` expanded); without it
//!   `${XDG_CONFIG_HOME:-~/.config}/claude` and `~/.claude`. All `**/*.jsonl` under `projects/`
//!   (subagent files included; symlinks not followed), in full-path byte order across all roots.
//! - Codex: each entry of `CODEX_HOME` (else `~/.codex`): `sessions/` then `archived_sessions/`,
//!   skipping an archived file whose relative path was already seen; a home with neither is read
//!   whole.
//! - Gemini: each entry of `GEMINI_DATA_DIR` (else `~/.gemini/tmp`): all `*.json` and `*.jsonl`,
//!   sorted.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rustc_hash::FxHashSet;

use crate::{Agent, UsageError};

/// The log directories to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// Claude config directories, each holding `projects/`.
    pub claude: Vec<PathBuf>,
    /// Codex homes (each like `~/.codex`).
    pub codex: Vec<PathBuf>,
    /// Gemini data directories (each like `~/.gemini/tmp`).
    pub gemini: Vec<PathBuf>,
}

fn split_list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|p| !p.is_empty())
}

fn expand_home(raw: &str, home: Option<&Path>) -> PathBuf {
    match (raw, home) {
        ("~", Some(h)) => h.to_path_buf(),
        (r, Some(h)) if r.starts_with("~/") => h.join(&r[2..]),
        (r, _) => PathBuf::from(r),
    }
}

impl Sources {
    /// Sources from the process environment (`CLAUDE_CONFIG_DIR`, `XDG_CONFIG_HOME`,
    /// `CODEX_HOME`, `GEMINI_DATA_DIR`, `HOME`).
    pub fn from_env() -> Result<Self, UsageError> {
        Self::from_vars(|k| std::env::var_os(k))
    }

    /// Sources from the given variable lookup (for tests and for callers with their own
    /// environment). Directories that do not exist are left out, except that an explicitly set
    /// `CLAUDE_CONFIG_DIR` with no usable entry is an error, as in ccusage.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self, UsageError> {
        let get = |k: &str| var(k).map(|v| v.to_string_lossy().into_owned()).filter(|v| !v.is_empty());
        let home = get("HOME").or_else(|| get("USERPROFILE")).map(PathBuf::from);
        let home = home.as_deref();
        let mut s = Sources::default();
        let mut seen = FxHashSet::default();
        if let Some(v) = get("CLAUDE_CONFIG_DIR") {
            for raw in split_list(&v) {
                let mut p = expand_home(raw, home);
                if p.file_name().is_some_and(|n| n == "projects") && p.is_dir() {
                    p.pop();
                }
                if p.join("projects").is_dir() && seen.insert(p.clone()) {
                    s.claude.push(p);
                }
            }
            if s.claude.is_empty() {
                return Err(UsageError::NoClaudeRoot { value: v });
            }
        } else if let Some(h) = home {
            let xdg = get("XDG_CONFIG_HOME").map_or_else(|| h.join(".config"), PathBuf::from);
            for p in [xdg.join("claude"), h.join(".claude")] {
                if p.join("projects").is_dir() && seen.insert(p.clone()) {
                    s.claude.push(p);
                }
            }
        }
        if let Some(v) = get("CODEX_HOME") {
            s.codex = split_list(&v).map(|r| expand_home(r, home)).collect();
        } else if let Some(h) = home {
            s.codex.push(h.join(".codex"));
        }
        s.codex.retain(|p| p.is_dir());
        if let Some(v) = get("GEMINI_DATA_DIR") {
            s.gemini = split_list(&v).map(|r| expand_home(r, home)).collect();
        } else if let Some(h) = home {
            s.gemini.push(h.join(".gemini").join("tmp"));
        }
        s.gemini.retain(|p| p.is_dir());
        s.gemini.dedup();
        Ok(s)
    }

    /// Sources with only the given agents' directories.
    pub fn only(mut self, agents: &[Agent]) -> Self {
        if !agents.contains(&Agent::Claude) {
            self.claude.clear();
        }
        if !agents.contains(&Agent::Codex) {
            self.codex.clear();
        }
        if !agents.contains(&Agent::Gemini) {
            self.gemini.clear();
        }
        self
    }
}

/// How a file is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Claude,
    Codex,
    GeminiJson,
    GeminiJsonl,
}

impl FileKind {
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => FileKind::Claude,
            1 => FileKind::Codex,
            2 => FileKind::GeminiJson,
            3 => FileKind::GeminiJsonl,
            _ => return None,
        })
    }
}

/// A log file to read, with what `stat` said.
#[derive(Debug, Clone)]
pub(crate) struct LogFile {
    pub kind: FileKind,
    pub path: PathBuf,
    pub size: u64,
    pub mtime_ns: i128,
}

fn mtime_ns(m: &std::fs::Metadata) -> i128 {
    match m.modified() {
        Ok(t) => match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        },
        Err(_) => 0,
    }
}

fn collect(dir: &Path, exts: &[&str], out: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut subdirs = Vec::new();
    for entry in rd.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        if ft.is_dir() {
            subdirs.push(path);
        } else if ft.is_file()
            && path.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e))
            && let Ok(m) = entry.metadata()
        {
            out.push((path, m));
        }
    }
    if subdirs.len() > 8 {
        use rayon::prelude::*;
        let parts: Vec<Vec<(PathBuf, std::fs::Metadata)>> = subdirs
            .par_iter()
            .map(|d| {
                let mut v = Vec::new();
                collect(d, exts, &mut v);
                v
            })
            .collect();
        out.extend(parts.into_iter().flatten());
    } else {
        for d in subdirs {
            collect(&d, exts, out);
        }
    }
}

fn to_log(kind: FileKind, (path, m): (PathBuf, std::fs::Metadata)) -> LogFile {
    LogFile { kind, size: m.len(), mtime_ns: mtime_ns(&m), path }
}

fn sort_by_path(v: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    v.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    v.dedup_by(|a, b| a.0 == b.0);
}

/// The files to read, per agent, in the order their lines are deduplicated.
pub(crate) fn list_files(s: &Sources) -> Vec<LogFile> {
    let mut files = Vec::new();
    let mut claude = Vec::new();
    for root in &s.claude {
        collect(&root.join("projects"), &["jsonl"], &mut claude);
    }
    sort_by_path(&mut claude);
    files.extend(claude.into_iter().map(|f| to_log(FileKind::Claude, f)));

    let mut seen: FxHashSet<(PathBuf, PathBuf)> = FxHashSet::default();
    let mut seen_dirs = FxHashSet::default();
    for home in &s.codex {
        let dirs: Vec<PathBuf> =
            ["sessions", "archived_sessions"].iter().map(|d| home.join(d)).filter(|d| d.is_dir()).collect();
        let dirs = if dirs.is_empty() { vec![home.clone()] } else { dirs };
        for dir in dirs {
            if !seen_dirs.insert(dir.clone()) {
                continue;
            }
            let mut v = Vec::new();
            collect(&dir, &["jsonl"], &mut v);
            sort_by_path(&mut v);
            for f in v {
                let rel = f.0.strip_prefix(&dir).unwrap_or(&f.0).to_path_buf();
                if seen.insert((home.clone(), rel)) {
                    files.push(to_log(FileKind::Codex, f));
                }
            }
        }
    }

    let mut gem = Vec::new();
    for root in &s.gemini {
        collect(root, &["json", "jsonl"], &mut gem);
    }
    sort_by_path(&mut gem);
    files.extend(gem.into_iter().map(|f| {
        let kind =
            if f.0.extension().is_some_and(|e| e == "jsonl") { FileKind::GeminiJsonl } else { FileKind::GeminiJson };
        to_log(kind, f)
    }));
    files
}
