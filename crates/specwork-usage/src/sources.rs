//! Where the logs are, and which files are read in which order.
//!
//! Discovery matches ccusage 20.0.24 (same variables, same defaults; a comma-separated variable
//! lists several roots; roots that do not exist are left out):
//! - Claude: each entry of `CLAUDE_CONFIG_DIR` (a config dir holding `projects/`, or the
//!   `projects/` dir itself; `~` expanded); without it `${XDG_CONFIG_HOME:-~/.config}/claude` and
//!   `~/.claude`. All `**/*.jsonl` under `projects/` (subagent files included; symlinks not
//!   followed), in full-path byte order across all roots.
//! - Codex: each entry of `CODEX_HOME` (else `~/.codex`): `sessions/` then `archived_sessions/`,
//!   skipping an archived file whose relative path was already seen; a home with neither is read
//!   whole.
//! - Gemini: each entry of `GEMINI_DATA_DIR` (else `$GEMINI_CLI_HOME/.gemini/tmp`, else
//!   `~/.gemini/tmp`): all `*.json` and `*.jsonl`, sorted. (ccusage 20.0.24 does not read
//!   `GEMINI_CLI_HOME`, Gemini CLI's own home override.)
//! - OpenCode: `OPENCODE_DATA_DIR` (else `${XDG_DATA_HOME:-~/.local/share}/opencode`):
//!   `opencode.db` (else the first `opencode-<channel>.db`), then `storage/message/**/*.json`.
//! - Amp: `AMP_DATA_DIR` (else `~/.local/share/amp`): `threads/**/*.json`.
//! - Copilot CLI: `~/.copilot/otel/**/*.jsonl` (its OpenTelemetry file exporter) plus the file
//!   `COPILOT_OTEL_FILE_EXPORTER_PATH` names; a path listed twice is read once.
//! - Qwen Code: `QWEN_DATA_DIR` (else `~/.qwen`): `projects/<project>/chats/*.jsonl` exactly.
//! - Droid: `DROID_SESSIONS_DIR` (else `~/.factory/sessions`): `**/*.settings.json`.
//! - Kimi: `KIMI_DATA_DIR` (else `~/.kimi`): `sessions/<group>/<session>/wire.jsonl` exactly.
//! - pi: `PI_AGENT_DIR` (else `~/.pi/agent/sessions`): `**/*.jsonl` except under
//!   `subagent-artifacts/`.
//! - OpenClaw: `OPENCLAW_DIR` (else `~/.openclaw`, `~/.clawdbot`, `~/.moltbot`, `~/.moldbot`):
//!   `**/*.jsonl` and its `.jsonl.deleted.*` / `.jsonl.reset.*` archives.
//! - Codebuff: each entry of `CODEBUFF_DATA_DIR` (a channel dir holding `projects/`, or
//!   `projects/` itself; else `~/.config/manicode`, `manicode-dev`, `manicode-staging`):
//!   `projects/**/chat-messages.json`.
//! - Kilo: `KILO_DATA_DIR` (else `~/.local/share/kilo`): `kilo.db`.
//! - Goose: `$GOOSE_PATH_ROOT/data/sessions/sessions.db` (else `~/.local/share/goose/sessions/`,
//!   `~/Library/Application Support/goose/sessions/`, `~/.local/share/Block/goose/sessions/`).
//! - Hermes: each entry of `HERMES_HOME` (else `~/.hermes`): `state.db`.
//! - Grok Build CLI: `GROK_HOME` (one folder, else `~/.grok`): `sessions/**/updates.jsonl`.
//! - ZCode: each entry of `ZCODE_HOME` (else `~/.zcode`): `cli/db/db.sqlite`.
//!
//! Only the requested agents are resolved ([`Sources::for_agents`]): `--agent codex` never looks
//! at, nor fails on, Claude's folders.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rustc_hash::FxHashSet;

use crate::{Agent, UsageError};

/// The log directories to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Sources {
    /// Claude config directories, each holding `projects/`.
    pub claude: Vec<PathBuf>,
    /// Codex homes (each like `~/.codex`).
    pub codex: Vec<PathBuf>,
    /// Gemini data directories (each like `~/.gemini/tmp`).
    pub gemini: Vec<PathBuf>,
    /// OpenCode data directories (each like `~/.local/share/opencode`).
    pub opencode: Vec<PathBuf>,
    /// Amp data directories (each like `~/.local/share/amp`, holding `threads/`).
    pub amp: Vec<PathBuf>,
    /// Copilot CLI OpenTelemetry exports: folders read recursively for `*.jsonl`, or single files.
    pub copilot: Vec<PathBuf>,
    /// Qwen Code data directories (each like `~/.qwen`, holding `projects/`).
    pub qwen: Vec<PathBuf>,
    /// Droid session directories (each like `~/.factory/sessions`).
    pub droid: Vec<PathBuf>,
    /// Kimi Code CLI data directories (each like `~/.kimi`, holding `sessions/`).
    pub kimi: Vec<PathBuf>,
    /// pi session directories (each like `~/.pi/agent/sessions`).
    pub pi: Vec<PathBuf>,
    /// OpenClaw state directories (each like `~/.openclaw`).
    pub openclaw: Vec<PathBuf>,
    /// Codebuff `projects/` directories (each like `~/.config/manicode/projects`).
    pub codebuff: Vec<PathBuf>,
    /// Kilo data directories (each like `~/.local/share/kilo`, holding `kilo.db`).
    pub kilo: Vec<PathBuf>,
    /// Goose session databases (each a `sessions.db` file).
    pub goose: Vec<PathBuf>,
    /// Hermes state databases (each a `state.db` file in a Hermes home).
    pub hermes: Vec<PathBuf>,
    /// Grok Build CLI homes (each like `~/.grok`, holding `sessions/`).
    pub grok: Vec<PathBuf>,
    /// ZCode databases (each `cli/db/db.sqlite` in a ZCode home).
    pub zcode: Vec<PathBuf>,
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
    /// Sources of every agent from the process environment (`CLAUDE_CONFIG_DIR`,
    /// `XDG_CONFIG_HOME`, `CODEX_HOME`, `GEMINI_DATA_DIR`, `GEMINI_CLI_HOME`, `OPENCODE_DATA_DIR`, `XDG_DATA_HOME`,
    /// `AMP_DATA_DIR`, `COPILOT_OTEL_FILE_EXPORTER_PATH`, `QWEN_DATA_DIR`, `DROID_SESSIONS_DIR`,
    /// `KIMI_DATA_DIR`, `PI_AGENT_DIR`, `OPENCLAW_DIR`, `CODEBUFF_DATA_DIR`,
    /// `KILO_DATA_DIR`, `GOOSE_PATH_ROOT`, `HERMES_HOME`, `GROK_HOME`, `ZCODE_HOME`, `HOME`).
    pub fn from_env() -> Result<Self, UsageError> {
        Self::for_agents(|k| std::env::var_os(k), &[])
    }

    /// Sources of the given agents (all when `agents` is empty) from the process environment.
    pub fn from_env_for(agents: &[Agent]) -> Result<Self, UsageError> {
        Self::for_agents(|k| std::env::var_os(k), agents)
    }

    /// Sources of every agent from the given variable lookup.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self, UsageError> {
        Self::for_agents(var, &[])
    }

    /// Sources of the given agents (all when `agents` is empty) from the given variable lookup
    /// (for tests and for callers with their own environment). Directories that do not exist are
    /// left out, except that an explicitly set `CLAUDE_CONFIG_DIR` with no usable entry is an
    /// error, as in ccusage — and only when Claude is among the agents asked for.
    pub fn for_agents(var: impl Fn(&str) -> Option<OsString>, agents: &[Agent]) -> Result<Self, UsageError> {
        let wants = |a: Agent| agents.is_empty() || agents.contains(&a);
        let get = |k: &str| var(k).map(|v| v.to_string_lossy().into_owned()).filter(|v| !v.is_empty());
        let home = get("HOME").or_else(|| get("USERPROFILE")).map(PathBuf::from);
        let home = home.as_deref();
        let mut s = Sources::default();
        // A variable's roots, or the defaults under the home directory; existing dirs only.
        let roots = |name: &str, defaults: &[PathBuf]| -> Vec<PathBuf> {
            let mut v: Vec<PathBuf> = match get(name) {
                Some(val) => split_list(&val).map(|r| expand_home(r, home)).collect(),
                None => defaults.to_vec(),
            };
            v.retain(|p| p.is_dir());
            let mut seen = FxHashSet::default();
            v.retain(|p| seen.insert(p.clone()));
            v
        };
        let at_home = |rel: &str| home.map(|h| h.join(rel)).into_iter().collect::<Vec<_>>();
        if wants(Agent::Claude) {
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
        }
        if wants(Agent::Codex) {
            s.codex = roots("CODEX_HOME", &at_home(".codex"));
        }
        if wants(Agent::Gemini) {
            // Gemini CLI keeps its data under `$GEMINI_CLI_HOME/.gemini` when that is set.
            let default = match get("GEMINI_CLI_HOME") {
                Some(h) => vec![expand_home(&h, home).join(".gemini/tmp")],
                None => at_home(".gemini/tmp"),
            };
            s.gemini = roots("GEMINI_DATA_DIR", &default);
        }
        if wants(Agent::OpenCode) {
            let data = get("XDG_DATA_HOME").map(PathBuf::from).or_else(|| home.map(|h| h.join(".local/share")));
            let default: Vec<PathBuf> = data.map(|d| d.join("opencode")).into_iter().collect();
            s.opencode = roots("OPENCODE_DATA_DIR", &default);
        }
        if wants(Agent::Amp) {
            s.amp = roots("AMP_DATA_DIR", &at_home(".local/share/amp"));
        }
        if wants(Agent::Copilot) {
            s.copilot = at_home(".copilot/otel");
            s.copilot.retain(|p| p.is_dir());
            if let Some(f) = get("COPILOT_OTEL_FILE_EXPORTER_PATH").map(|f| expand_home(&f, home))
                && f.is_file()
            {
                s.copilot.push(f);
            }
        }
        if wants(Agent::Qwen) {
            s.qwen = roots("QWEN_DATA_DIR", &at_home(".qwen"));
        }
        if wants(Agent::Droid) {
            s.droid = roots("DROID_SESSIONS_DIR", &at_home(".factory/sessions"));
        }
        if wants(Agent::Kimi) {
            s.kimi = roots("KIMI_DATA_DIR", &at_home(".kimi"));
        }
        if wants(Agent::Pi) {
            s.pi = roots("PI_AGENT_DIR", &at_home(".pi/agent/sessions"));
        }
        if wants(Agent::OpenClaw) {
            let defaults: Vec<PathBuf> =
                [".openclaw", ".clawdbot", ".moltbot", ".moldbot"].iter().flat_map(|d| at_home(d)).collect();
            s.openclaw = roots("OPENCLAW_DIR", &defaults);
        }
        if wants(Agent::Codebuff) {
            let channels = ["manicode", "manicode-dev", "manicode-staging"];
            let defaults: Vec<PathBuf> = channels.iter().flat_map(|c| at_home(&format!(".config/{c}"))).collect();
            let with_projects = |p: &PathBuf| if p.ends_with("projects") { p.clone() } else { p.join("projects") };
            let all: Vec<PathBuf> = match get("CODEBUFF_DATA_DIR") {
                Some(v) => split_list(&v).map(|r| expand_home(r, home)).collect(),
                None => defaults,
            };
            let mut seen = FxHashSet::default();
            s.codebuff = all.iter().map(with_projects).filter(|p| p.is_dir() && seen.insert(p.clone())).collect();
        }
        if wants(Agent::Kilo) {
            s.kilo = roots("KILO_DATA_DIR", &at_home(".local/share/kilo"));
        }
        if wants(Agent::Goose) {
            let db = "sessions/sessions.db";
            let candidates: Vec<PathBuf> = match get("GOOSE_PATH_ROOT").filter(|r| !r.trim().is_empty()) {
                Some(r) => vec![expand_home(r.trim(), home).join("data").join(db)],
                None => [".local/share/goose", "Library/Application Support/goose", ".local/share/Block/goose"]
                    .iter()
                    .flat_map(|d| at_home(&format!("{d}/{db}")))
                    .collect(),
            };
            let mut seen = FxHashSet::default();
            s.goose = candidates
                .into_iter()
                .map(|p| fs_err::canonicalize(&p).unwrap_or(p))
                .filter(|p| p.is_file() && seen.insert(p.clone()))
                .collect();
        }
        if wants(Agent::Hermes) {
            s.hermes = roots("HERMES_HOME", &at_home(".hermes"));
            s.hermes = s.hermes.iter().map(|h| h.join("state.db")).filter(|p| p.is_file()).collect();
        }
        if wants(Agent::Grok) {
            // One home, not a list.
            let home_dir = match get("GROK_HOME").filter(|h| !h.trim().is_empty()) {
                Some(h) => vec![expand_home(h.trim(), home)],
                None => at_home(".grok"),
            };
            s.grok = home_dir.into_iter().filter(|p| p.is_dir()).collect();
        }
        if wants(Agent::Zcode) {
            s.zcode = roots("ZCODE_HOME", &at_home(".zcode"));
            s.zcode = s.zcode.iter().map(|h| h.join("cli/db/db.sqlite")).filter(|p| p.is_file()).collect();
        }
        Ok(s)
    }

    /// Sources with only the given agents' directories.
    pub fn only(mut self, agents: &[Agent]) -> Self {
        for a in Agent::ALL {
            if !agents.contains(&a) {
                self.dirs_mut(a).clear();
            }
        }
        self
    }

    /// The directories of one agent.
    pub fn dirs(&self, agent: Agent) -> &[PathBuf] {
        match agent {
            Agent::Claude => &self.claude,
            Agent::Codex => &self.codex,
            Agent::Gemini => &self.gemini,
            Agent::OpenCode => &self.opencode,
            Agent::Amp => &self.amp,
            Agent::Copilot => &self.copilot,
            Agent::Qwen => &self.qwen,
            Agent::Droid => &self.droid,
            Agent::Kimi => &self.kimi,
            Agent::Pi => &self.pi,
            Agent::OpenClaw => &self.openclaw,
            Agent::Codebuff => &self.codebuff,
            Agent::Kilo => &self.kilo,
            Agent::Goose => &self.goose,
            Agent::Hermes => &self.hermes,
            Agent::Grok => &self.grok,
            Agent::Zcode => &self.zcode,
        }
    }

    fn dirs_mut(&mut self, agent: Agent) -> &mut Vec<PathBuf> {
        match agent {
            Agent::Claude => &mut self.claude,
            Agent::Codex => &mut self.codex,
            Agent::Gemini => &mut self.gemini,
            Agent::OpenCode => &mut self.opencode,
            Agent::Amp => &mut self.amp,
            Agent::Copilot => &mut self.copilot,
            Agent::Qwen => &mut self.qwen,
            Agent::Droid => &mut self.droid,
            Agent::Kimi => &mut self.kimi,
            Agent::Pi => &mut self.pi,
            Agent::OpenClaw => &mut self.openclaw,
            Agent::Codebuff => &mut self.codebuff,
            Agent::Kilo => &mut self.kilo,
            Agent::Goose => &mut self.goose,
            Agent::Hermes => &mut self.hermes,
            Agent::Grok => &mut self.grok,
            Agent::Zcode => &mut self.zcode,
        }
    }
}

/// How a file is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    Claude,
    Codex,
    GeminiJson,
    GeminiJsonl,
    Qwen,
    Amp,
    Copilot,
    OpenCodeMessage,
    Droid,
    Kimi,
    Pi,
    OpenClaw,
    Codebuff,
    OpenCodeDb,
    KiloDb,
    GooseDb,
    HermesDb,
    Grok,
    ZcodeDb,
}

impl FileKind {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The agent whose log this is.
    pub fn agent(self) -> Agent {
        match self {
            FileKind::Claude => Agent::Claude,
            FileKind::Codex => Agent::Codex,
            FileKind::GeminiJson | FileKind::GeminiJsonl => Agent::Gemini,
            FileKind::Qwen => Agent::Qwen,
            FileKind::Amp => Agent::Amp,
            FileKind::Copilot => Agent::Copilot,
            FileKind::OpenCodeMessage | FileKind::OpenCodeDb => Agent::OpenCode,
            FileKind::Droid => Agent::Droid,
            FileKind::Kimi => Agent::Kimi,
            FileKind::Pi => Agent::Pi,
            FileKind::OpenClaw => Agent::OpenClaw,
            FileKind::Codebuff => Agent::Codebuff,
            FileKind::KiloDb => Agent::Kilo,
            FileKind::GooseDb => Agent::Goose,
            FileKind::HermesDb => Agent::Hermes,
            FileKind::Grok => Agent::Grok,
            FileKind::ZcodeDb => Agent::Zcode,
        }
    }

    pub fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => FileKind::Claude,
            1 => FileKind::Codex,
            2 => FileKind::GeminiJson,
            3 => FileKind::GeminiJsonl,
            4 => FileKind::Qwen,
            5 => FileKind::Amp,
            6 => FileKind::Copilot,
            7 => FileKind::OpenCodeMessage,
            8 => FileKind::Droid,
            9 => FileKind::Kimi,
            10 => FileKind::Pi,
            11 => FileKind::OpenClaw,
            12 => FileKind::Codebuff,
            13 => FileKind::OpenCodeDb,
            14 => FileKind::KiloDb,
            15 => FileKind::GooseDb,
            16 => FileKind::HermesDb,
            17 => FileKind::Grok,
            18 => FileKind::ZcodeDb,
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
    collect_by(dir, &|p: &Path| p.extension().and_then(|e| e.to_str()).is_some_and(|e| exts.contains(&e)), out);
}

/// All files under `dir` (symbolic links not followed) whose path `wanted` accepts.
fn collect_by(dir: &Path, wanted: &(dyn Fn(&Path) -> bool + Sync), out: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    let Ok(rd) = fs_err::read_dir(dir) else {
        return;
    };
    let mut subdirs = Vec::new();
    for entry in rd.flatten() {
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        if ft.is_dir() {
            subdirs.push(path);
        } else if ft.is_file()
            && wanted(&path)
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
                collect_by(d, wanted, &mut v);
                v
            })
            .collect();
        out.extend(parts.into_iter().flatten());
    } else {
        for d in subdirs {
            collect_by(&d, wanted, out);
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

    // OpenCode's SQLite store (1.2 and later) before its message files: a message in both
    // counts once, as the database has it. Its write-ahead log is part of its size and time.
    files.extend(s.opencode.iter().filter_map(|r| database(FileKind::OpenCodeDb, opencode_db(r)?)));
    let mut oc = Vec::new();
    for root in &s.opencode {
        collect(&root.join("storage").join("message"), &["json"], &mut oc);
    }
    sort_by_path(&mut oc);
    files.extend(oc.into_iter().map(|f| to_log(FileKind::OpenCodeMessage, f)));

    let mut amp = Vec::new();
    for root in &s.amp {
        collect(&root.join("threads"), &["json"], &mut amp);
    }
    sort_by_path(&mut amp);
    files.extend(amp.into_iter().map(|f| to_log(FileKind::Amp, f)));

    let mut cp = Vec::new();
    for p in &s.copilot {
        if p.is_dir() {
            collect(p, &["jsonl"], &mut cp);
        } else if let Ok(m) = fs_err::metadata(p) {
            cp.push((p.clone(), m));
        }
    }
    // The same file named twice (the exporter path inside ~/.copilot/otel) is read once.
    for f in &mut cp {
        if let Ok(c) = fs_err::canonicalize(&f.0) {
            f.0 = c;
        }
    }
    sort_by_path(&mut cp);
    files.extend(cp.into_iter().map(|f| to_log(FileKind::Copilot, f)));

    let mut qw = Vec::new();
    for root in &s.qwen {
        let Ok(projects) = fs_err::read_dir(root.join("projects")) else { continue };
        for p in projects.flatten() {
            let Ok(chats) = fs_err::read_dir(p.path().join("chats")) else { continue };
            for f in chats.flatten() {
                let path = f.path();
                if path.extension().is_some_and(|e| e == "jsonl")
                    && let Ok(m) = f.metadata()
                    && m.is_file()
                {
                    qw.push((path, m));
                }
            }
        }
    }
    sort_by_path(&mut qw);
    files.extend(qw.into_iter().map(|f| to_log(FileKind::Qwen, f)));

    let mut droid = Vec::new();
    for root in &s.droid {
        collect(root, &["json"], &mut droid);
    }
    droid.retain(|f| f.0.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".settings.json")));
    sort_by_path(&mut droid);
    files.extend(droid.into_iter().map(|f| to_log(FileKind::Droid, f)));

    let mut kimi = Vec::new();
    for root in &s.kimi {
        nested(&root.join("sessions"), 2, "wire.jsonl", &mut kimi);
    }
    sort_by_path(&mut kimi);
    files.extend(kimi.into_iter().map(|f| to_log(FileKind::Kimi, f)));

    let mut pi = Vec::new();
    for root in &s.pi {
        collect(root, &["jsonl"], &mut pi);
    }
    // A subagent extension's copies of its workers' logs, which ccusage 20.0.24 leaves out.
    pi.retain(|f| !f.0.iter().any(|c| c == "subagent-artifacts"));
    sort_by_path(&mut pi);
    files.extend(pi.into_iter().map(|f| to_log(FileKind::Pi, f)));

    let mut claw = Vec::new();
    let is_log = |p: &Path| p.file_name().and_then(|n| n.to_str()).is_some_and(crate::pi::is_openclaw_log);
    for root in &s.openclaw {
        collect_by(root, &is_log, &mut claw);
    }
    sort_by_path(&mut claw);
    files.extend(claw.into_iter().map(|f| to_log(FileKind::OpenClaw, f)));

    let mut cb = Vec::new();
    let is_chat = |p: &Path| p.file_name().is_some_and(|n| n == "chat-messages.json");
    for root in &s.codebuff {
        collect_by(root, &is_chat, &mut cb);
    }
    sort_by_path(&mut cb);
    files.extend(cb.into_iter().map(|f| to_log(FileKind::Codebuff, f)));

    files.extend(s.kilo.iter().filter_map(|r| database(FileKind::KiloDb, r.join("kilo.db"))));
    files.extend(s.goose.iter().filter_map(|db| database(FileKind::GooseDb, db.clone())));
    files.extend(s.hermes.iter().filter_map(|db| database(FileKind::HermesDb, db.clone())));

    let mut grok = Vec::new();
    let is_updates = |p: &Path| p.file_name().is_some_and(|n| n == "updates.jsonl");
    for root in &s.grok {
        collect_by(&root.join("sessions"), &is_updates, &mut grok);
    }
    sort_by_path(&mut grok);
    files.extend(grok.into_iter().map(|f| to_log(FileKind::Grok, f)));
    files.extend(s.zcode.iter().filter_map(|db| database(FileKind::ZcodeDb, db.clone())));
    files
}

/// A SQLite database to read, its write-ahead log (`-wal`, where new rows land first) counted
/// in its size and time.
fn database(kind: FileKind, db: PathBuf) -> Option<LogFile> {
    let m = fs_err::metadata(&db).ok().filter(|m| m.is_file())?;
    let mut log = to_log(kind, (db.clone(), m));
    let mut wal = db.into_os_string();
    wal.push("-wal");
    if let Ok(w) = fs_err::metadata(PathBuf::from(wal)) {
        log.size += w.len();
        log.mtime_ns = log.mtime_ns.max(mtime_ns(&w));
    }
    Some(log)
}

/// OpenCode's database in `root`: `opencode.db`, else the first `opencode-<channel>.db`.
fn opencode_db(root: &Path) -> Option<PathBuf> {
    let main = root.join("opencode.db");
    if main.is_file() {
        return Some(main);
    }
    let is_channel = |n: &str| {
        n.strip_prefix("opencode-")
            .and_then(|r| r.strip_suffix(".db"))
            .is_some_and(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
    };
    let mut v: Vec<PathBuf> = fs_err::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(is_channel))
        .collect();
    v.sort();
    v.into_iter().next()
}

/// The files named `name` exactly `depth` folders below `dir` (`dir/a/b/name` for 2).
fn nested(dir: &Path, depth: usize, name: &str, out: &mut Vec<(PathBuf, std::fs::Metadata)>) {
    let Ok(rd) = fs_err::read_dir(dir) else { return };
    for e in rd.flatten() {
        let path = e.path();
        if depth == 0 {
            if e.file_name() == name
                && let Ok(m) = e.metadata()
                && m.is_file()
            {
                out.push((path, m));
            }
        } else if e.file_type().is_ok_and(|t| t.is_dir()) {
            nested(&path, depth - 1, name, out);
        }
    }
}
