//! The scan: list files, reuse the snapshot or the ledger, parse what is new in parallel,
//! deduplicate, price.
//!
//! `SPECWORK_USAGE_TRACE=1` prints the time of each phase on stderr; `SPECWORK_USAGE_NO_MMAP=1`
//! reads files instead of mapping them.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::event::{F_SPEED_FAST, FileData, IssueKind, LineStats, RawEvent, StrRef};
use crate::ledger::{self, FP_LEN, LedgerFile};
use crate::snapshot;
use crate::sources::{FileKind, LogFile, list_files};
use crate::{
    CostMode, LongContextRule, PriceTable, Sources, Tokens, UsageError, UsageRecord, amp, bytes, claude, codebuff,
    codex, copilot, droid, gemini, goose, grok, hermes, kimi, opencode, pi, qwen, zcode,
};

/// Progress of a scan, reported while files are parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// Files parsed so far (files taken unchanged from the ledger are not counted).
    pub files_done: usize,
    /// Files to parse.
    pub files_total: usize,
    /// Bytes parsed so far.
    pub bytes_done: u64,
    /// Bytes to parse.
    pub bytes_total: u64,
}

/// A progress callback; called from worker threads.
pub type ProgressFn = Arc<dyn Fn(ScanProgress) + Send + Sync>;

/// What to scan and how to price it.
#[derive(Clone, Default)]
pub struct ScanOptions {
    /// The log directories.
    pub sources: Sources,
    /// Where the ledger lives (the CLI uses `<workspace>/.specwork/cache/` or
    /// `~/.cache/specwork/`); `None` scans without a ledger.
    pub cache_dir: Option<PathBuf>,
    /// Ignore the ledger's contents and parse every file in full (the fresh result is still
    /// written to the ledger when `cache_dir` is set).
    pub no_cache: bool,
    /// Where Claude costs come from.
    pub cost_mode: CostMode,
    /// How Claude's long-context tier is applied.
    pub long_context: LongContextRule,
    /// Prices.
    pub prices: PriceTable,
    /// Project roots to recognise in Gemini logs, which name a project only by the SHA-256 of its
    /// path: a Gemini record whose hash matches one of these gets it as `cwd`.
    pub project_roots: Vec<PathBuf>,
    /// Called as files are parsed (for a progress bar on long first scans).
    pub progress: Option<ProgressFn>,
}

impl std::fmt::Debug for ScanOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanOptions")
            .field("sources", &self.sources)
            .field("cache_dir", &self.cache_dir)
            .field("no_cache", &self.no_cache)
            .field("cost_mode", &self.cost_mode)
            .field("long_context", &self.long_context)
            .field("project_roots", &self.project_roots)
            .finish_non_exhaustive()
    }
}

/// A bad line, never fatal: the rest of the file is still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineIssue {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number (for a whole-file JSON log, the line where parsing failed).
    pub line: u32,
    /// What is wrong.
    pub kind: IssueKind,
}

impl std::fmt::Display for LineIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.kind.describe())
    }
}

/// Counters of a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanStats {
    /// Log files found.
    pub files: usize,
    /// Files taken unchanged from the ledger.
    pub files_from_ledger: usize,
    /// Files of which only appended bytes were parsed.
    pub files_appended: usize,
    /// Files parsed in full.
    pub files_parsed: usize,
    /// Bytes parsed in this scan.
    pub bytes_parsed: u64,
    /// Bytes of all log files.
    pub bytes_total: u64,
    /// Line counters over all files.
    pub lines: LineStats,
    /// Candidate calls dropped as duplicates.
    pub duplicates: u64,
    /// Whether the ledger was (re)written.
    pub ledger_written: bool,
}

/// The result of a scan.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Counted calls, per agent in file order.
    pub records: Vec<UsageRecord>,
    /// Corrupt and truncated lines, by file and line.
    pub issues: Vec<LineIssue>,
    /// Counters.
    pub stats: ScanStats,
    /// Models that had tokens but no price (they cost 0).
    pub unpriced_models: BTreeSet<String>,
    /// Why the ledger could not be written, if it could not (the scan itself succeeded).
    pub cache_warning: Option<String>,
}

enum Work {
    Keep(FileData),
    Append(FileData),
    Full,
}

fn sources_key(s: &Sources) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

fn snapshot_key(files: &[LogFile], opts: &ScanOptions) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    ledger::VERSION.hash(&mut h);
    files.len().hash(&mut h);
    for f in files {
        f.kind.code().hash(&mut h);
        f.path.hash(&mut h);
        f.size.hash(&mut h);
        f.mtime_ns.hash(&mut h);
    }
    (opts.cost_mode as u8).hash(&mut h);
    (opts.long_context as u8).hash(&mut h);
    opts.prices.fingerprint(&mut h);
    opts.project_roots.hash(&mut h);
    h.finish()
}

fn read_prefix(path: &Path, n: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let f = fs_err::File::open(path).ok()?;
    let mut buf = Vec::with_capacity(n as usize);
    f.take(n).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn head_fp(data: &[u8], complete_len: u64) -> u64 {
    let n = complete_len.min(FP_LEN) as usize;
    bytes::fnv1a(&data[..n.min(data.len())])
}

fn file_stem(p: &Path) -> String {
    p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The last component of a path, if any.
fn dir_name(p: Option<&Path>) -> Option<std::borrow::Cow<'_, str>> {
    p.and_then(Path::file_name).map(|n| n.to_string_lossy())
}

fn mtime_ms(ns: i128) -> i64 {
    (ns / 1_000_000) as i64
}

/// Parses one file (or its new bytes). Returns the data, the fingerprints and the bytes read.
fn process(f: &LogFile, work: Work) -> (FileData, u64, u64, u64, bool) {
    match work {
        Work::Keep(_) => unreachable!("kept files are not processed"),
        Work::Append(mut fd) => {
            let start = fd.complete_len.saturating_sub(FP_LEN);
            if let Ok(data) = bytes::read_from(&f.path, start) {
                let k = (fd.complete_len - start) as usize;
                if data.len() >= k {
                    fd.drop_tail();
                    let new = claude::parse(&data[k..], fd);
                    let (h, t) = fingerprints(&f.path, &new);
                    return (new, h, t, (data.len() - k) as u64, true);
                }
            }
            process(f, Work::Full)
        }
        Work::Full if f.kind == FileKind::OpenCodeDb => {
            (opencode::parse_db(&f.path, opencode::Store::OpenCode), 0, 0, f.size, false)
        }
        Work::Full if f.kind == FileKind::HermesDb => (hermes::parse_db(&f.path), 0, 0, f.size, false),
        Work::Full if f.kind == FileKind::ZcodeDb => (zcode::parse_db(&f.path), 0, 0, f.size, false),
        Work::Full if f.kind == FileKind::GooseDb => (goose::parse_db(&f.path), 0, 0, f.size, false),
        Work::Full if f.kind == FileKind::KiloDb => {
            (opencode::parse_db(&f.path, opencode::Store::Kilo), 0, 0, f.size, false)
        }
        Work::Full => {
            let data = match bytes::read_from(&f.path, 0) {
                Ok(d) => d,
                Err(_) => {
                    // Not fatal: reported, and retried on the next scan (size 0 never matches).
                    let fd = FileData { issues: vec![(0, IssueKind::Unreadable)], ..FileData::default() };
                    return (fd, 0, 0, 0, false);
                }
            };
            let fd = match f.kind {
                FileKind::Claude => claude::parse(&data, FileData::default()),
                FileKind::Codex => codex::parse(&data, &file_stem(&f.path)),
                FileKind::GeminiJson | FileKind::GeminiJsonl => {
                    let root = gemini_project_root(&f.path);
                    let jsonl = f.kind == FileKind::GeminiJsonl;
                    let parent = gemini_parent_session(&f.path);
                    gemini::parse(
                        &data,
                        jsonl,
                        mtime_ms(f.mtime_ns),
                        &file_stem(&f.path),
                        parent.as_deref(),
                        root.as_deref(),
                    )
                }
                FileKind::Qwen => {
                    let project = f.path.parent().and_then(Path::parent).and_then(Path::file_name);
                    let project = project.map(|p| p.to_string_lossy()).unwrap_or_default();
                    qwen::parse(&data, mtime_ms(f.mtime_ns), &project, &file_stem(&f.path))
                }
                FileKind::Amp => amp::parse(&data),
                FileKind::Copilot => copilot::parse(&data, mtime_ms(f.mtime_ns)),
                FileKind::OpenCodeMessage => opencode::parse(&data),
                FileKind::OpenCodeDb
                | FileKind::KiloDb
                | FileKind::GooseDb
                | FileKind::HermesDb
                | FileKind::ZcodeDb => {
                    unreachable!("read by SQLite above")
                }
                FileKind::Grok => {
                    // <home>/sessions/<url-encoded cwd>/<session>/updates.jsonl, beside summary.json.
                    let session_dir = f.path.parent().unwrap_or(Path::new(""));
                    let name = dir_name;
                    let folder = name(session_dir.parent()).unwrap_or_default();
                    let session = name(Some(session_dir)).unwrap_or_default();
                    grok::parse(&data, &grok::Summary::read(session_dir), &folder, &session)
                }
                FileKind::Droid => {
                    let name = f.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                    let session = name.strip_suffix(".settings.json").unwrap_or("unknown");
                    let transcript = f.path.with_file_name(format!("{session}.jsonl"));
                    let read = |whole: bool| {
                        if whole { fs_err::read(&transcript).ok() } else { read_prefix(&transcript, 64 * 1024) }
                    };
                    droid::parse(&data, mtime_ms(f.mtime_ns), session, read)
                }
                FileKind::Kimi => {
                    // <root>/sessions/<group>/<session>/wire.jsonl; the model is the root's.
                    let session_dir = f.path.parent();
                    let session = session_dir.and_then(Path::file_name).map(|n| n.to_string_lossy());
                    let root = session_dir.and_then(Path::parent).and_then(Path::parent).and_then(Path::parent);
                    let config = root.and_then(|r| fs_err::read(r.join("config.json")).ok());
                    let model = kimi::model_of_config(config.as_deref());
                    kimi::parse(&data, mtime_ms(f.mtime_ns), session.as_deref().unwrap_or("unknown"), &model)
                }
                FileKind::Codebuff => {
                    // <channel>/projects/<project>/chats/<chat>/chat-messages.json
                    let name = dir_name;
                    let chat_dir = f.path.parent();
                    let project_dir = chat_dir.and_then(Path::parent).and_then(Path::parent);
                    let channel = name(project_dir.and_then(Path::parent).and_then(Path::parent));
                    let chat = name(chat_dir).unwrap_or_default();
                    let session = format!(
                        "{}/{}/{chat}",
                        channel.as_deref().unwrap_or("manicode"),
                        name(project_dir).as_deref().unwrap_or("unknown")
                    );
                    codebuff::parse(&data, &session, codebuff::chat_time(&chat), mtime_ms(f.mtime_ns))
                }
                FileKind::Pi | FileKind::OpenClaw => {
                    let flavor = if f.kind == FileKind::Pi { pi::Flavor::Pi } else { pi::Flavor::OpenClaw };
                    let name = f.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
                    pi::parse(&data, flavor, pi::session_of(flavor, &name), mtime_ms(f.mtime_ns))
                }
            };
            let h = head_fp(&data, fd.complete_len);
            let cl = fd.complete_len as usize;
            let t = bytes::fnv1a(&data[cl.saturating_sub(FP_LEN as usize)..cl.min(data.len())]);
            (fd, h, t, data.len() as u64, false)
        }
    }
}

/// The workspace a Gemini log belongs to, from the `.project_root` file Gemini CLI writes in the
/// project's folder (`<tmp>/<project>/.project_root` beside `chats/`; the folder is named by a
/// short slug or the path's SHA-256).
fn gemini_project_root(log: &Path) -> Option<String> {
    let chats = log.ancestors().skip(1).take(3).find(|d| d.file_name().is_some_and(|n| n == "chats"))?;
    let marker = chats.parent()?.join(".project_root");
    let text = read_prefix(&marker, 4096)?;
    let root = String::from_utf8(text).ok()?;
    let root = root.trim();
    Path::new(root).is_absolute().then(|| root.to_owned())
}

/// The parent session of a Gemini subagent's log: Gemini CLI writes it in
/// `chats/<parent session id>/<agent id>.jsonl` (main sessions sit in `chats/` itself).
fn gemini_parent_session(log: &Path) -> Option<String> {
    let folder = log.parent()?;
    let chats = folder.parent()?;
    (chats.file_name()? == "chats").then(|| folder.file_name()).flatten().map(|n| n.to_string_lossy().into_owned())
}

fn fingerprints(path: &Path, fd: &FileData) -> (u64, u64) {
    let cl = fd.complete_len;
    let head = read_prefix(path, cl.min(FP_LEN)).map_or(0, |b| bytes::fnv1a(&b));
    let start = cl.saturating_sub(FP_LEN);
    let tail =
        bytes::read_from(path, start).map(|d| bytes::fnv1a(&d[..((cl - start) as usize).min(d.len())])).unwrap_or(0);
    (head, tail)
}

/// Decides, from the ledger entry, how much of `f` must be parsed.
fn plan(f: &LogFile, cached: Option<LedgerFile>) -> Work {
    let Some(c) = cached else { return Work::Full };
    if c.kind != f.kind {
        return Work::Full;
    }
    if c.size == f.size && c.mtime_ns == f.mtime_ns {
        return Work::Keep(c.data);
    }
    if f.kind != FileKind::Claude || f.size < c.data.complete_len || c.data.complete_len == 0 {
        return Work::Full;
    }
    // An append: the first bytes and the bytes before the old end must be unchanged.
    let cl = c.data.complete_len;
    let head_ok = read_prefix(&f.path, cl.min(FP_LEN)).is_some_and(|b| bytes::fnv1a(&b) == c.head_fp);
    let start = cl.saturating_sub(FP_LEN);
    let tail_ok = bytes::read_from(&f.path, start).is_ok_and(|d| {
        let k = (cl - start) as usize;
        d.len() >= k && bytes::fnv1a(&d[..k]) == c.tail_fp
    });
    if head_ok && tail_ok { Work::Append(c.data) } else { Work::Full }
}

/// Scans the logs.
///
/// Nothing in the data makes a scan fail: unreadable files and bad lines become [`LineIssue`]s,
/// and a ledger that cannot be written becomes [`Scan::cache_warning`]. The `Result` is kept for
/// errors a future source may have.
pub fn scan(opts: &ScanOptions) -> Result<Scan, UsageError> {
    let trace = std::env::var_os("SPECWORK_USAGE_TRACE").is_some();
    let t0 = std::time::Instant::now();
    let phase = |name: &str| {
        if trace {
            eprintln!("[usage] {name}: {:.1} ms", t0.elapsed().as_secs_f64() * 1000.0);
        }
    };
    let files = list_files(&opts.sources);
    phase("listed");
    let skey = sources_key(&opts.sources);
    let snap_file = opts.cache_dir.as_ref().map(|d| snapshot::snapshot_path(d, skey));
    let snap_key = snapshot_key(&files, opts);
    if let Some(p) = &snap_file
        && !opts.no_cache
        && let Ok(b) = fs_err::read(p)
        && let Some(s) = snapshot::decode(&b, snap_key)
    {
        phase("snapshot used");
        return Ok(s);
    }
    let ledger_file = opts.cache_dir.as_ref().map(|d| ledger::ledger_path(d, skey));
    let mut old = match (&ledger_file, opts.no_cache) {
        (Some(p), false) => ledger::load(p),
        _ => FxHashMap::default(),
    };
    let old_count = old.len();
    phase("ledger loaded");
    let mut stats =
        ScanStats { files: files.len(), bytes_total: files.iter().map(|f| f.size).sum(), ..Default::default() };

    // Plan: which files must be (partly) parsed.
    let mut slots: Vec<Option<(FileData, u64, u64)>> = Vec::with_capacity(files.len());
    let mut todo: Vec<(usize, Work)> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let cached = old.remove(&f.path);
        let fps = cached.as_ref().map(|c| (c.head_fp, c.tail_fp));
        match plan(f, cached) {
            Work::Keep(fd) => {
                let (h, t) = fps.unwrap_or_default();
                slots.push(Some((fd, h, t)));
                stats.files_from_ledger += 1;
            }
            w => {
                slots.push(None);
                todo.push((i, w));
            }
        }
    }
    let dirty = !todo.is_empty() || !old.is_empty() || old_count != stats.files_from_ledger;
    drop(old);

    // Parse in parallel, largest first for balance.
    todo.sort_by_key(|(i, _)| std::cmp::Reverse(files[*i].size));
    let total_bytes: u64 = todo.iter().map(|(i, _)| files[*i].size).sum();
    let done_files = AtomicUsize::new(0);
    let done_bytes = AtomicU64::new(0);
    let n_todo = todo.len();
    let results: Vec<(usize, FileData, u64, u64, u64, bool)> = todo
        .into_par_iter()
        .with_max_len(1)
        .map(|(i, w)| {
            let (fd, h, t, read, appended) = process(&files[i], w);
            if let Some(p) = &opts.progress {
                let fdone = done_files.fetch_add(1, Ordering::Relaxed) + 1;
                let bdone = done_bytes.fetch_add(files[i].size, Ordering::Relaxed) + files[i].size;
                p(ScanProgress { files_done: fdone, files_total: n_todo, bytes_done: bdone, bytes_total: total_bytes });
            }
            (i, fd, h, t, read, appended)
        })
        .collect();
    for (i, fd, h, t, read, appended) in results {
        stats.bytes_parsed += read;
        if appended {
            stats.files_appended += 1;
        } else {
            stats.files_parsed += 1;
        }
        slots[i] = Some((fd, h, t));
    }
    phase("parsed");
    let slots: Vec<(FileData, u64, u64)> = slots.into_iter().map(|s| s.unwrap_or_default()).collect();

    let mut out = build(&files, &slots, opts, &mut stats);
    phase("built records");

    // The ledger and the snapshot only save time: failing to write them is a warning.
    let unreadable = slots.iter().any(|(fd, _, _)| fd.issues.iter().any(|(_, k)| *k == IssueKind::Unreadable));
    if let Some(p) = &ledger_file
        && (dirty || opts.no_cache)
    {
        // Unreadable files are not recorded, so they are retried next time.
        let entries = files.iter().zip(&slots).filter_map(|(f, (fd, h, t))| {
            let skip = fd.issues.iter().any(|(_, k)| *k == IssueKind::Unreadable);
            (!skip).then_some((
                f.path.as_path(),
                ledger::FileMeta { kind: f.kind, size: f.size, mtime_ns: f.mtime_ns, head_fp: *h, tail_fp: *t },
                fd,
            ))
        });
        match ledger::store(p, &ledger::encode(entries)) {
            Ok(()) => stats.ledger_written = true,
            Err(e) => out.cache_warning = Some(e.to_string()),
        }
        phase("ledger written");
    }
    out.stats = stats;
    if let Some(p) = &snap_file
        && !unreadable
        && out.cache_warning.is_none()
    {
        if let Err(e) = ledger::store(p, &snapshot::encode(snap_key, &out)) {
            out.cache_warning = Some(e.to_string());
        }
        phase("snapshot written");
    }
    Ok(out)
}

/// One file's strings and prices, resolved once (in parallel) before deduplication.
struct Prepared<'p> {
    /// Distinct model, cwd and session strings of the file.
    names: Vec<(StrRef, Arc<str>)>,
    /// Models seen with `speed: fast`, as `<model>-fast`.
    fast_names: Vec<(StrRef, Arc<str>)>,
    /// The session named by the file's path (Claude lines without `sessionId`).
    path_session: Arc<str>,
    /// The cost of every event.
    costs: Vec<f64>,
    /// Models with tokens that had to be priced but have no price.
    unpriced: Vec<String>,
    _p: std::marker::PhantomData<&'p ()>,
}

impl Prepared<'_> {
    fn name(&self, r: StrRef) -> Option<Arc<str>> {
        if r.is_none() {
            return None;
        }
        self.names.iter().find(|(k, _)| *k == r).map(|(_, a)| a.clone())
    }

    fn fast_name(&self, r: StrRef) -> Option<Arc<str>> {
        self.fast_names.iter().find(|(k, _)| *k == r).map(|(_, a)| a.clone())
    }
}

/// Model name -> price, shared by the workers (the fuzzy lookup is not free).
type PriceMemo<'p> = std::sync::Mutex<FxHashMap<String, Option<&'p crate::ModelPrice>>>;

fn prepare<'p>(f: &LogFile, fd: &FileData, opts: &'p ScanOptions, memo: &PriceMemo<'p>) -> Prepared<'p> {
    let mut names: Vec<(StrRef, Arc<str>)> = Vec::new();
    let mut fast_names: Vec<(StrRef, Arc<str>)> = Vec::new();
    let mut prices: Vec<(StrRef, StrRef, Option<&'p crate::ModelPrice>)> = Vec::new();
    let mut unpriced: Vec<String> = Vec::new();
    let mut costs = Vec::with_capacity(fd.events.len());
    let name = |r: StrRef, names: &mut Vec<(StrRef, Arc<str>)>| {
        if !r.is_none()
            && !names.iter().any(|(k, _)| *k == r)
            && let Some(b) = fd.arena.get(r)
        {
            names.push((r, Arc::from(String::from_utf8_lossy(b).as_ref())));
        }
    };
    for e in &fd.events {
        name(e.model, &mut names);
        name(e.cwd, &mut names);
        name(e.session, &mut names);
        if e.flags & F_SPEED_FAST != 0
            && !fast_names.iter().any(|(k, _)| *k == e.model)
            && let Some(b) = fd.arena.get(e.model)
        {
            fast_names.push((e.model, Arc::from(format!("{}-fast", String::from_utf8_lossy(b)))));
        }
        // OpenCode and Droid price by provider too, Kimi by the plan's model of the day (Claude's
        // `req` is the request id).
        let by_provider = matches!(
            f.kind,
            FileKind::OpenCodeMessage
                | FileKind::OpenCodeDb
                | FileKind::KiloDb
                | FileKind::GooseDb
                | FileKind::HermesDb
                | FileKind::ZcodeDb
                | FileKind::Droid
                | FileKind::Kimi
        );
        let provider_ref = if by_provider { e.req } else { StrRef::NONE };
        let price = match prices.iter().find(|(k, q, _)| *k == e.model && *q == provider_ref) {
            Some((_, _, p)) => *p,
            None => {
                let p = fd.arena.str(e.model).and_then(|m| {
                    let provider = fd.arena.str(provider_ref);
                    let key = format!("{}\0{}\0{}", f.kind.code(), provider.unwrap_or(""), m);
                    let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
                    *memo.entry(key).or_insert_with(|| {
                        // ZCode: the model's own entry, when exact, before Z.ai's.
                        let exact = f.kind == FileKind::ZcodeDb && zcode::exact_first(provider);
                        let exact = if exact { opts.prices.exact(m) } else { None };
                        exact
                            .or_else(|| price_names(f.kind, m, provider).iter().find_map(|n| opts.prices.lookup(n)))
                            .map(|(_, p)| p)
                    })
                });
                prices.push((e.model, provider_ref, p));
                p
            }
        };
        let has_cost = !e.cost_usd.is_nan();
        let needs_price = match f.kind {
            FileKind::Claude | FileKind::Grok => match opts.cost_mode {
                CostMode::Display => false,
                CostMode::Auto => !has_cost,
                CostMode::Calculate => true,
            },
            FileKind::OpenCodeMessage
            | FileKind::OpenCodeDb
            | FileKind::KiloDb
            | FileKind::HermesDb
            | FileKind::Pi
            | FileKind::OpenClaw => !has_cost,
            _ => true,
        };
        let cost = match (f.kind, opts.cost_mode) {
            // Grok records its cost, taken as Claude's is.
            (FileKind::Claude | FileKind::Grok, CostMode::Display) => {
                if has_cost {
                    e.cost_usd
                } else {
                    0.0
                }
            }
            (FileKind::Claude | FileKind::Grok, CostMode::Auto) if has_cost => e.cost_usd,
            (FileKind::Claude, _) => {
                price.map_or(0.0, |p| p.claude_cost(&billable(e), e.flags & F_SPEED_FAST != 0, opts.long_context))
            }
            (FileKind::GeminiJson | FileKind::GeminiJsonl | FileKind::Grok, _) => {
                price.map_or(0.0, |p| p.gemini_cost(&billable(e)))
            }
            (FileKind::Codex, _) => price.map_or(0.0, |p| p.codex_cost(&billable(e))),
            (
                FileKind::OpenCodeMessage
                | FileKind::OpenCodeDb
                | FileKind::KiloDb
                | FileKind::HermesDb
                | FileKind::Pi
                | FileKind::OpenClaw,
                _,
            ) if has_cost => e.cost_usd,
            _ => price.map_or(0.0, |p| p.generic_cost(&billable(e))),
        };
        if needs_price
            && price.is_none()
            && e.token_total() > 0
            && let Some(m) = fd.arena.str(e.model)
            && m != "<synthetic>"
            && !unpriced.iter().any(|u| u == m)
        {
            unpriced.push(m.to_owned());
        }
        costs.push(cost);
    }
    Prepared {
        names,
        fast_names,
        path_session: Arc::from(session_from_path(&f.path)),
        costs,
        unpriced,
        _p: std::marker::PhantomData,
    }
}

/// Qwen's dedup key: session, timestamp, model, (input, output, cache read, thoughts).
type QwenKey<'a> = (&'a [u8], i64, &'a [u8], [u64; 4]);

/// Kimi's dedup key: session, message id, timestamp, model, (input, output, cache write, cache
/// read, extra).
type KimiKey<'a> = (&'a [u8], &'a [u8], i64, &'a [u8], [u64; 5]);

/// pi's and OpenClaw's dedup key: the kind, pi's folder under `sessions`, session, timestamp,
/// model, (input, output, cache write, cache read, extra, recorded cost).
type PiKey<'a> = (u8, Option<&'a std::ffi::OsStr>, &'a [u8], i64, &'a [u8], [u64; 6]);

/// The folder after the first `sessions` component of a pi log's path (ccusage's project).
fn pi_folder(p: &Path) -> Option<&std::ffi::OsStr> {
    let mut it = p.iter();
    it.by_ref().find(|c| *c == "sessions")?;
    it.next()
}

/// Grok's dedup key of a turn without event id: file, session, timestamp, model, (input, output,
/// cache write, cache read, reasoning).
type GrokKey<'a> = (usize, &'a [u8], i64, &'a [u8], [u64; 5]);

/// Codex's dedup key: timestamp, model, input (with cached), cached, output, reasoning, total.
type CodexKey<'a> = (i64, &'a [u8], u64, u64, u64, u64, u64);

fn tokens_of(kind: FileKind, e: &RawEvent) -> Tokens {
    match kind {
        FileKind::Claude => Tokens {
            input: e.input,
            output: e.output,
            cache_creation: e.cc5 + e.cc1h,
            cache_read: e.cr,
            ..Tokens::default()
        },
        FileKind::Codex => Tokens {
            input: e.input,
            output: e.output,
            cache_read: e.cr,
            reasoning_in_output: e.aux1,
            ..Tokens::default()
        },
        FileKind::GeminiJson | FileKind::GeminiJsonl => {
            Tokens { input: e.input, output: e.output, cache_read: e.cr, reasoning: e.aux2, ..Tokens::default() }
        }
        // Grok's reasoning is part of its output.
        FileKind::Grok => Tokens {
            input: e.input,
            output: e.output,
            cache_creation: e.cc5,
            cache_read: e.cr,
            reasoning_in_output: e.aux2,
            ..Tokens::default()
        },
        // The other agents: ccusage's generic entry.
        _ => Tokens {
            input: e.input,
            output: e.output,
            cache_creation: e.cc5,
            cache_read: e.cr,
            reasoning: e.aux2,
            ..Tokens::default()
        },
    }
}

/// The names an entry is priced under, first priced wins (ccusage 20.0.24's per-agent rules).
fn price_names(kind: FileKind, model: &str, provider: Option<&str>) -> Vec<String> {
    match kind {
        FileKind::Qwen => vec![model.to_owned(), format!("qwen/{model}"), format!("alibaba/{model}")],
        FileKind::OpenCodeMessage | FileKind::OpenCodeDb => {
            let mut v = vec![model.to_owned(), model.replace('.', "-")];
            if let Some(p) = provider {
                v.push(format!("{}/{model}", p.replace('-', "_")));
            }
            v
        }
        FileKind::Droid => droid::price_names(model, provider),
        FileKind::Kimi => kimi::price_names(model, provider),
        FileKind::Codebuff => codebuff::price_names(model),
        FileKind::KiloDb => opencode::kilo_price_names(model, provider),
        FileKind::GooseDb => goose::price_names(model, provider),
        FileKind::HermesDb => hermes::price_names(model, provider),
        FileKind::Grok => grok::price_names(model),
        FileKind::ZcodeDb => zcode::price_names(model, provider),
        _ => vec![model.to_owned()],
    }
}

fn build(files: &[LogFile], slots: &[(FileData, u64, u64)], opts: &ScanOptions, stats: &mut ScanStats) -> Scan {
    let mut scan = Scan::default();
    for (f, (fd, _, _)) in files.iter().zip(slots) {
        stats.lines.add(&fd.stats);
        for (line, kind) in &fd.issues {
            scan.issues.push(LineIssue { path: f.path.clone(), line: *line, kind: *kind });
        }
    }
    let memo: PriceMemo<'_> = std::sync::Mutex::new(FxHashMap::default());
    let prepared: Vec<Prepared<'_>> =
        files.par_iter().zip(slots.par_iter()).map(|(f, (fd, _, _))| prepare(f, fd, opts, &memo)).collect();
    for p in &prepared {
        scan.unpriced_models.extend(p.unpriced.iter().cloned());
    }

    // (file index, event index) of every counted call, per agent in file order.
    let mut kept: Vec<(u32, u32)> = Vec::new();

    // Claude: ccusage's deduplication.
    let claude_idx: Vec<usize> = (0..files.len()).filter(|&i| files[i].kind == FileKind::Claude).collect();
    let claude_files: Vec<&FileData> = claude_idx.iter().map(|&i| &slots[i].0).collect();
    let candidates: usize = claude_files.iter().map(|f| f.events.len()).sum();
    let k = claude::dedup(&claude_files, |fi, ei| prepared[claude_idx[fi]].costs[ei]);
    stats.duplicates += (candidates - k.len()) as u64;
    kept.extend(k.into_iter().map(|(fi, ei)| (claude_idx[fi as usize] as u32, ei)));

    // Codex: a subagent's replay of its thread's history is not a call; then the first of equal
    // (timestamp, model, tokens) wins.
    let replays = codex_replays(files, slots);
    stats.duplicates += replays.len() as u64;
    let mut seen: FxHashSet<CodexKey<'_>> = FxHashSet::default();
    for i in (0..files.len()).filter(|&i| files[i].kind == FileKind::Codex) {
        let fd = &slots[i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            if replays.contains(&(i as u32, ei as u32)) {
                continue;
            }
            let model = fd.arena.get(e.model).unwrap_or(b"gpt-5");
            if seen.insert((e.ts_ms, model, e.input + e.cr, e.cr, e.output, e.aux1, e.aux2)) {
                kept.push((i as u32, ei as u32));
            } else {
                stats.duplicates += 1;
            }
        }
    }

    // Gemini: a message id seen again (in the same or a later file) replaces the earlier call.
    let mut gem: Vec<(u32, u32)> = Vec::new();
    let mut by_id: FxHashMap<&[u8], usize> = FxHashMap::default();
    for i in (0..files.len()).filter(|&i| matches!(files[i].kind, FileKind::GeminiJson | FileKind::GeminiJsonl)) {
        let fd = &slots[i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            let me = (i as u32, ei as u32);
            match fd.arena.get(e.id) {
                Some(id) => match by_id.get(id) {
                    Some(&s) => {
                        gem[s] = me;
                        stats.duplicates += 1;
                    }
                    None => {
                        by_id.insert(id, gem.len());
                        gem.push(me);
                    }
                },
                None => gem.push(me),
            }
        }
    }
    kept.extend(gem);

    // Droid: of the files of one session, the latest (ties: the last path) counts.
    let mut latest: FxHashMap<&[u8], (i64, (u32, u32))> = FxHashMap::default();
    let mut droid_events = 0;
    for i in (0..files.len()).filter(|&i| files[i].kind == FileKind::Droid) {
        let fd = &slots[i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            droid_events += 1;
            let me = (e.ts_ms, (i as u32, ei as u32));
            let key = fd.arena.get(e.session).unwrap_or_default();
            latest.entry(key).and_modify(|l| *l = if me.0 >= l.0 { me } else { *l }).or_insert(me);
        }
    }
    stats.duplicates += (droid_events - latest.len()) as u64;
    let mut droid_kept: Vec<(u32, u32)> = latest.into_values().map(|(_, k)| k).collect();
    droid_kept.sort_unstable();
    kept.extend(droid_kept);

    // Codebuff: a message id seen again in its session replaces the earlier call.
    let mut cb_kept: Vec<(u32, u32)> = Vec::new();
    let mut cb_ids: FxHashMap<(&[u8], &[u8]), usize> = FxHashMap::default();
    for i in (0..files.len()).filter(|&i| files[i].kind == FileKind::Codebuff) {
        let fd = &slots[i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            let key = (fd.arena.get(e.session).unwrap_or_default(), fd.arena.get(e.id).unwrap_or_default());
            match cb_ids.get(&key) {
                Some(&at) => {
                    cb_kept[at] = (i as u32, ei as u32);
                    stats.duplicates += 1;
                }
                None => {
                    cb_ids.insert(key, cb_kept.len());
                    cb_kept.push((i as u32, ei as u32));
                }
            }
        }
    }
    kept.extend(cb_kept);

    // OpenCode (and Kilo, apart): a message id seen before is skipped.
    let mut ids: FxHashSet<&[u8]> = FxHashSet::default();
    let mut kilo_ids: FxHashSet<&[u8]> = FxHashSet::default();
    // ZCode: a row id seen before (in an earlier home) is skipped.
    let mut zcode_ids: FxHashSet<&[u8]> = FxHashSet::default();
    // Grok: an (event id, model) seen before, in any file, is skipped; a turn without event id
    // when its file already had an equal one (session, time, model, tokens).
    let mut grok_events: FxHashSet<(&[u8], &[u8])> = FxHashSet::default();
    let mut grok_turns: FxHashSet<GrokKey<'_>> = FxHashSet::default();
    // Hermes: a session seen in an earlier home is skipped.
    let mut hermes_sessions: FxHashSet<&[u8]> = FxHashSet::default();
    // Kimi: the first of equal (session, message id, time, model, tokens) wins.
    let mut kimi_seen: FxHashSet<KimiKey<'_>> = FxHashSet::default();
    // pi: the first of equal (folder, session, time, model, tokens, recorded cost) wins;
    // OpenClaw: the same without the folder.
    let mut pi_seen: FxHashSet<PiKey<'_>> = FxHashSet::default();
    // Qwen: the first of equal (session, time, model, tokens) wins.
    let mut qwen_seen: FxHashSet<QwenKey<'_>> = FxHashSet::default();
    for (i, f) in files.iter().enumerate() {
        let fd = &slots[i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            let keep = match f.kind {
                FileKind::OpenCodeMessage | FileKind::OpenCodeDb => fd.arena.get(e.id).is_none_or(|id| ids.insert(id)),
                FileKind::KiloDb => fd.arena.get(e.id).is_none_or(|id| kilo_ids.insert(id)),
                FileKind::HermesDb => hermes_sessions.insert(fd.arena.get(e.session).unwrap_or_default()),
                FileKind::ZcodeDb => fd.arena.get(e.id).is_none_or(|id| zcode_ids.insert(id)),
                FileKind::Grok => {
                    let model = fd.arena.get(e.model).unwrap_or_default();
                    match fd.arena.get(e.id) {
                        Some(id) => grok_events.insert((id, model)),
                        None => grok_turns.insert((
                            i,
                            fd.arena.get(e.session).unwrap_or_default(),
                            e.ts_ms,
                            model,
                            [e.input, e.output, e.cc5, e.cr, e.aux2],
                        )),
                    }
                }
                FileKind::Qwen => qwen_seen.insert((
                    fd.arena.get(e.session).unwrap_or_default(),
                    e.ts_ms,
                    fd.arena.get(e.model).unwrap_or_default(),
                    [e.input, e.output, e.cr, e.aux2],
                )),
                FileKind::Kimi => kimi_seen.insert((
                    fd.arena.get(e.session).unwrap_or_default(),
                    fd.arena.get(e.id).unwrap_or_default(),
                    e.ts_ms,
                    fd.arena.get(e.model).unwrap_or_default(),
                    [e.input, e.output, e.cc5, e.cr, e.aux2],
                )),
                FileKind::Pi | FileKind::OpenClaw => pi_seen.insert((
                    f.kind.code(),
                    if f.kind == FileKind::Pi { pi_folder(&f.path) } else { None },
                    fd.arena.get(e.session).unwrap_or_default(),
                    e.ts_ms,
                    fd.arena.get(e.model).unwrap_or_default(),
                    [e.input, e.output, e.cc5, e.cr, e.aux2, e.cost_usd.to_bits()],
                )),
                FileKind::Amp | FileKind::Copilot | FileKind::GooseDb => true,
                _ => continue,
            };
            if keep {
                kept.push((i as u32, ei as u32));
            } else {
                stats.duplicates += 1;
            }
        }
    }

    let roots: FxHashMap<String, Arc<str>> = opts
        .project_roots
        .iter()
        .map(|r| {
            let s = r.to_string_lossy();
            let h = Sha256::digest(s.as_bytes());
            let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
            (hex, Arc::from(s.as_ref()))
        })
        .collect();
    let empty: Arc<str> = Arc::from("");
    scan.records = kept
        .par_iter()
        .map(|&(fi, ei)| {
            let f = &files[fi as usize];
            let fd = &slots[fi as usize].0;
            let p = &prepared[fi as usize];
            let e = &fd.events[ei as usize];
            let agent = f.kind.agent();
            let (model, cwd, session) = match f.kind {
                FileKind::Claude => {
                    let model = match fd.arena.get(e.model) {
                        Some(b"<synthetic>") | None => None,
                        Some(_) if e.flags & F_SPEED_FAST != 0 => p.fast_name(e.model),
                        Some(_) => p.name(e.model),
                    };
                    let session = p.name(e.session).unwrap_or_else(|| p.path_session.clone());
                    (model, p.name(e.cwd), session)
                }
                FileKind::Codex => {
                    let session = p.name(e.session).unwrap_or_else(|| empty.clone());
                    (p.name(e.model), p.name(e.cwd), session)
                }
                FileKind::GeminiJson | FileKind::GeminiJsonl => {
                    let by_hash = fd.arena.str(e.req).and_then(|h| roots.get(h)).cloned();
                    let cwd = by_hash.or_else(|| p.name(e.cwd));
                    let session = p.name(e.session).unwrap_or_else(|| empty.clone());
                    (p.name(e.model), cwd, session)
                }
                _ => {
                    let session = p.name(e.session).unwrap_or_else(|| empty.clone());
                    (p.name(e.model), p.name(e.cwd), session)
                }
            };
            UsageRecord {
                timestamp: crate::time::ts_from_ms(e.ts_ms),
                agent,
                model,
                cwd,
                session_id: session,
                tokens: tokens_of(f.kind, e),
                cost_usd: p.costs[ei as usize],
            }
        })
        .collect();
    scan
}

/// The Codex events that replay a thread's history in a subagent's or fork's rollout.
///
/// Each rollout belongs to a thread family: its own session, or the root reached by following
/// the parents its `session_meta` names. A cumulative counter belongs to the first rollout of its
/// family that logged it, rollouts taken from the root down (then in file order); an event of a
/// child rollout whose counter another rollout of the family owns is a replay. Rollouts that name
/// no parent are never changed by this rule.
fn codex_replays(files: &[LogFile], slots: &[(FileData, u64, u64)]) -> FxHashSet<(u32, u32)> {
    let codex: Vec<usize> = (0..files.len()).filter(|&i| files[i].kind == FileKind::Codex).collect();
    // (own session, parent) of each rollout with events.
    let link = |i: usize| {
        let fd = &slots[i].0;
        fd.events.first().map(|e| (fd.arena.get(e.session).unwrap_or_default(), fd.arena.get(e.req)))
    };
    let parents: FxHashMap<&[u8], &[u8]> =
        codex.iter().filter_map(|&i| link(i)).filter_map(|(s, p)| Some((s, p?))).collect();
    if parents.is_empty() {
        return FxHashSet::default();
    }
    // The root of a thread and how far below it a rollout is (a cycle stops the walk).
    let family = |s: &[u8]| -> (Vec<u8>, usize) {
        let (mut cur, mut depth) = (s, 0);
        while let Some(&p) = parents.get(cur) {
            if depth > parents.len() {
                break;
            }
            cur = p;
            depth += 1;
        }
        (cur.to_vec(), depth)
    };
    let mut order: Vec<(usize, Vec<u8>, usize)> = codex
        .iter()
        .filter_map(|&i| link(i).map(|(s, _)| (i, s)))
        .map(|(i, s)| {
            let (root, depth) = family(s);
            (i, root, depth)
        })
        .collect();
    order.sort_by_key(|(i, _, depth)| (*depth, *i));
    let mut owner: FxHashMap<(&[u8], &[u8]), usize> = FxHashMap::default();
    let mut replays = FxHashSet::default();
    for (i, root, depth) in &order {
        let fd = &slots[*i].0;
        for (ei, e) in fd.events.iter().enumerate() {
            let Some(cum) = fd.arena.get(e.id) else { continue };
            let o = *owner.entry((root.as_slice(), cum)).or_insert(*i);
            if o != *i && *depth > 0 {
                replays.insert((*i as u32, ei as u32));
            }
        }
    }
    replays
}

fn session_from_path(p: &Path) -> String {
    // <session>.jsonl, or <session>/subagents/agent-<id>.jsonl
    let parent = p.parent();
    if parent.and_then(|d| d.file_name()).is_some_and(|n| n == "subagents")
        && let Some(s) = parent.and_then(Path::parent).and_then(Path::file_name)
    {
        return s.to_string_lossy().into_owned();
    }
    file_stem(p)
}

fn billable(e: &RawEvent) -> crate::BillableTokens {
    crate::BillableTokens {
        input: e.input,
        output: e.output,
        cache_write_5m: e.cc5,
        cache_write_1h: e.cc1h,
        cache_read: e.cr,
        reasoning: e.aux1,
    }
}
