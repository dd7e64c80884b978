//! The journal index: a derived, deletable cache of what the reports need from each archived
//! session journal, so that `status`, `resume` and `eod` over a long history read only the
//! journals that changed.
//!
//! The index lives in `.specwork/journals.idx` (git-ignored, like the usage ledger). For every
//! journal under `docs/sessions/archive/` it keeps the journal's size and modification time and
//! its fold without the entries: the [`Session`] (tasks, usage, times) plus the few things the
//! reports read from the entries themselves ([`EntryFacts`]: the last implementation line per
//! spec, the progress snapshots of the daily summary, the work windows of the cost engine, the
//! task count), its diagnostics and whether its last line was torn. For every archive folder it
//! keeps the folder's modification time and the journals listed in it.
//!
//! [`SessionIndex::load_indexed`] reads `.current/` in full (those journals are few and change all
//! day) and the archive through the index:
//!
//! - a folder whose modification time is the one recorded is not listed again (adding, removing
//!   or renaming a journal changes its folder's time: new, deleted and moved journals, and files
//!   replaced by an editor's or git's write-and-rename); another folder is listed;
//! - a journal is `stat`-ed, and its record reused only when its size and modification time are
//!   the ones recorded, so a journal edited in place is read again; a journal no longer on disk
//!   drops out;
//! - times less than [`RACY_SECS`] before the read are not trusted (file-system clocks are
//!   coarse, so a change within the same tick could keep the time): such a journal or folder is
//!   recorded as unknown and read again next time.
//!
//! Each record's head — the session's key, owner, day, state and specs ([`SessionHead`]) — is
//! kept apart from its body, so a report that shows only some sessions
//! ([`SessionIndex::load_indexed_where`]) reads the heads and only those bodies — and `stat`s
//! only those journals (one system call per journal is most of the cost of a long history): of a
//! journal it leaves out, in a folder whose time is unchanged, the report trusts the head the
//! index holds.
//!
//! Invariants:
//!
//! - Only a cache: every report built from [`SessionIndex::load_indexed`] equals the report built
//!   from [`SessionIndex::load`], and so does every report of [`SessionIndex::load_indexed_where`]
//!   about the sessions it keeps; the one thing it can miss is a journal edited in place (its
//!   folder's time unchanged) so that its head now says the report should keep it — seen by the
//!   next load that checks that journal (any load of all sessions, such as `eod`'s). Deleting the
//!   file costs one full read. Archived sessions come without their entries and planned tasks
//!   ([`Session::entries_loaded`] is false); [`loaded`] reads a session's journal again for the
//!   code that renders entries (context timelines).
//! - A missing, unreadable, corrupt, truncated or other-version index is ignored and rewritten.
//!   It is written to a temporary file renamed over the old one, so a concurrent reader sees the
//!   old index or the new one, never a torn one; two writers race harmlessly (the last rename
//!   wins; both files are complete and correct). A read-only workspace works, without the cache.
//! - Bump [`FORMAT`] whenever the fold ([`Session`]), [`EntryFacts`] or the layout changes; the
//!   crate version is recorded too, so another build never trusts this build's index.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use jiff::tz::Offset;

use crate::base::diag::{Diagnostic, Severity};
use crate::model::tasks::TaskStatus;
use crate::stores::activity;
use crate::stores::journal::{self, ARCHIVE_DIR, Progress, Stamp, TaskPointer, Tokens};
use crate::stores::session::session_snapshots;
use crate::stores::session::{Folded, Session, SessionIndex, SessionTask, Usage};
use crate::stores::windows::{self, WorkWindow};

/// The index file, relative to the workspace root.
pub const INDEX_FILE: &str = ".specwork/journals.idx";
const MAGIC: &[u8; 8] = b"SWJRNIDX";
/// The layout and fold version; bump on any change to what is stored or how it is computed.
pub const FORMAT: u32 = 4;
/// Modification times closer than this to the moment they were read are not trusted.
pub const RACY_SECS: u64 = 2;

pub use crate::stores::facts::EntryFacts;

/// Computes the facts of a session whose entries are loaded.
fn facts_of(s: &Session) -> EntryFacts {
    {
        EntryFacts {
            last_activity: s
                .specs()
                .into_iter()
                .filter_map(|sp| Some((sp.to_owned(), activity::last_activity(s, sp)?)))
                .collect(),
            snapshots: session_snapshots(s),
            windows: windows::windows(s),
            agent_sessions: windows::tied_agent_sessions(s),
            task_total: s.task_progress().1,
            delivered: s
                .specs()
                .into_iter()
                .map(|sp| (sp.to_owned(), activity::delivered(s, sp)))
                .filter(|(_, (d, c))| d + c > 0)
                .map(|(sp, (d, c))| (sp, d, c))
                .collect(),
        }
    }
}

/// The session without its entries and planned tasks, with their [`EntryFacts`] instead.
pub(crate) fn lighten(mut s: Session) -> Session {
    if s.entries_loaded() {
        let facts = facts_of(&s);
        s.entries = Vec::new();
        s.planned = Vec::new();
        s.facts = Some(Box::new(facts));
    }
    s
}

/// `s` with its entries: itself when they are loaded, else its journal read and folded again
/// (or `s` as it is when the journal is gone or no longer holds that session).
pub fn loaded<'a>(root: &Path, s: &'a Session) -> Cow<'a, Session> {
    if s.entries_loaded() {
        return Cow::Borrowed(s);
    }
    match Session::from_journal(journal::read(root, &s.journal, s.archived)) {
        Some(full) if full.key == s.key => Cow::Owned(full),
        _ => Cow::Borrowed(s),
    }
}

/// What the journal index tells of an archived session without decoding the rest of it: enough
/// to choose the sessions a report needs.
#[derive(Clone, Copy, Debug)]
pub struct SessionHead<'a> {
    /// The session key.
    pub key: &'a str,
    /// Its owner (`{user}-{host}`).
    pub owner: &'a str,
    /// Its day ([`Session::date`]).
    pub day: &'a str,
    /// Whether it has not ended ([`Session::is_active`]).
    pub active: bool,
    /// The specs it touched.
    specs: HeadSpecs<'a>,
}

/// The specs of a [`SessionHead`]: as the index stores them, or of a loaded session.
#[derive(Clone, Copy, Debug)]
enum HeadSpecs<'a> {
    Encoded(&'a [u8]),
    Loaded(&'a [String]),
}

impl<'a> SessionHead<'a> {
    /// The specs the session touched ([`Session::specs`]).
    pub fn specs(&self) -> Vec<&'a str> {
        match self.specs {
            HeadSpecs::Encoded(b) => R { b, pos: 0 }.strs().unwrap_or_default(),
            HeadSpecs::Loaded(v) => v.iter().map(String::as_str).collect(),
        }
    }

    /// Whether the session touched `spec`.
    pub fn touches(&self, spec: &str) -> bool {
        match self.specs {
            HeadSpecs::Encoded(b) => {
                let mut r = R { b, pos: 0 };
                let n = r.len().unwrap_or(0);
                (0..n).map_while(|_| r.str()).any(|s| s == spec)
            }
            HeadSpecs::Loaded(v) => v.iter().any(|s| s == spec),
        }
    }
}

impl SessionIndex {
    /// Every session of the workspace, as [`SessionIndex::load`] reads them, with the archive
    /// read through the journal index: the sessions of archived journals come without their
    /// entries (see [`crate::stores::journal_index`]). Reports built from it equal those built from a
    /// full load; its cost grows with the journals that changed, not with the archive.
    pub fn load_indexed(root: &Path) -> Self {
        Self::load_indexed_where(root, |_| true)
    }

    /// Like [`SessionIndex::load_indexed`], but only the archived sessions for which
    /// `keep(head)` holds are loaded (and checked on disk, see [`crate::stores::journal_index`]); of the
    /// others the index knows the keys ([`SessionIndex::has_key`]) and the diagnostics. Sessions
    /// of `.current/` are all loaded. `keep` may be asked more than once about a session.
    pub fn load_indexed_where(root: &Path, keep: impl Fn(&SessionHead<'_>) -> bool + Sync) -> Self {
        Self::read_indexed(root, &keep, Reuse::default(), None)
    }

    /// Every session read again, as [`SessionIndex::load_indexed`] reads them, for a command
    /// that read, wrote journals, and reads again: `written` are the journals it wrote since this
    /// index was read (appended to, or moved into the archive; relative paths). Archive folders
    /// holding none of them are taken as this index read them (not looked at again, their
    /// sessions reused); `.current/` and the others are read as usual.
    pub fn reload_indexed(self, root: &Path, written: &[&Path]) -> Self {
        // Its sessions are as fresh as the index on disk, unless that could not be written.
        if !self.index_synced {
            return Self::load_indexed(root);
        }
        let adir = Path::new(ARCHIVE_DIR);
        let touched: HashSet<String> = written
            .iter()
            .filter_map(|p| {
                let rest = p.strip_prefix(adir).ok()?;
                let mut parts = rest.components();
                let first = parts.next()?.as_os_str().to_str()?.to_owned();
                // A journal directly in the archive folder, or one in a day folder.
                Some(if parts.next().is_some() { first } else { String::new() })
            })
            .collect();
        // Boxed, so that a session (a large struct) moves once, not with every step of the map.
        let mut reuse = Reuse::default();
        reuse.reserve(self.sessions.len());
        reuse.extend(
            self.sessions
                .into_iter()
                .filter(|s| s.archived && !s.entries_loaded() && !written.contains(&s.journal.as_path()))
                .map(|s| (s.journal.clone(), Box::new(s))),
        );
        Self::read_indexed(root, &|_| true, reuse, Some(&touched))
    }

    fn read_indexed(
        root: &Path,
        keep: &(dyn Fn(&SessionHead<'_>) -> bool + Sync),
        reuse: Reuse,
        touched: Option<&HashSet<String>>,
    ) -> Self {
        use rayon::prelude::*;
        let mut files = journal::logs_in(root, Path::new(journal::CURRENT_DIR));
        files.sort();
        let current: Vec<Folded> = files.into_par_iter().map(|rel| Folded::read(root, &rel, false)).collect();
        // On this thread: its allocator grows in large steps, a pool thread's page by page.
        let (archived, synced) = read_archive(root, keep, reuse, touched);
        let mut idx = Self::assemble(current.into_iter().chain(archived).collect());
        idx.index_synced = synced;
        idx
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the archive through the index.

/// A modification time in nanoseconds since the epoch; 0 when unknown or too recent to trust.
fn trusted_mtime(meta: &std::fs::Metadata, horizon: SystemTime) -> i128 {
    match meta.modified() {
        Ok(t) if t < horizon => match t.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => i128::try_from(d.as_nanos()).unwrap_or(0),
            Err(e) => -i128::try_from(e.duration().as_nanos()).unwrap_or(0),
        },
        _ => 0,
    }
}

/// A journal as the old index recorded it.
struct OldFile<'a> {
    name: &'a str,
    size: u64,
    mtime: i128,
    /// Its record's head ([`encode_record`]).
    head: &'a [u8],
    /// Where the rest of its record is.
    body: BodyRef,
}

/// A record's body in the bodies section: offset, length and checksum.
#[derive(Clone, Copy, Debug)]
struct BodyRef {
    off: u64,
    len: usize,
    sum: u64,
}

/// The old index: its heads section read, its bodies read when asked for.
struct OldIndex {
    heads: Vec<u8>,
    file: Option<std::fs::File>,
    bodies_at: u64,
    bodies_len: u64,
    /// The whole bodies section, once read (`None` inside: it could not be).
    all: std::cell::OnceCell<Option<Vec<u8>>>,
}

impl OldIndex {
    fn empty() -> Self {
        Self { heads: Vec::new(), file: None, bodies_at: 0, bodies_len: 0, all: std::cell::OnceCell::new() }
    }

    /// Reads the prefix and the heads section; `None` when the file is missing, of another
    /// format or version, or damaged.
    fn open(path: &Path) -> Option<Self> {
        let file = crate::base::path_policy::open_regular(path).ok()?.into_parts().0;
        let len = file.metadata().ok()?.len();
        let mut pre = vec![0u8; usize::try_from(len.min(64)).ok()?];
        read_at(&file, &mut pre, 0).ok()?;
        let mut r = R { b: &pre, pos: 0 };
        if r.take(MAGIC.len())? != MAGIC
            || u32::from_le_bytes(r.array()?) != FORMAT
            || r.str()? != env!("CARGO_PKG_VERSION")
        {
            return None;
        }
        let heads_len = r.u64()?;
        let heads_at = r.pos as u64;
        let bodies_at = heads_at.checked_add(heads_len)?.checked_add(8)?;
        let bodies_len = len.checked_sub(bodies_at)?;
        let mut heads = vec![0u8; usize::try_from(heads_len + 8).ok()?];
        read_at(&file, &mut heads, heads_at).ok()?;
        let sum = heads.split_off(heads.len() - 8);
        if checksum(&heads) != u64::from_le_bytes(sum.try_into().ok()?) {
            return None;
        }
        Some(Self { heads, file: Some(file), bodies_at, bodies_len, all: std::cell::OnceCell::new() })
    }

    /// Reads the whole bodies section (once).
    fn read_all(&self) -> Option<&[u8]> {
        self.all
            .get_or_init(|| {
                let mut b = vec![0u8; usize::try_from(self.bodies_len).ok()?];
                read_at(self.file.as_ref()?, &mut b, self.bodies_at).ok()?;
                Some(b)
            })
            .as_deref()
    }

    /// A record's body, checked against its checksum.
    fn body(&self, b: BodyRef) -> Option<Cow<'_, [u8]>> {
        if b.len == 0 {
            return (checksum(&[]) == b.sum).then_some(Cow::Borrowed(&[]));
        }
        let start = usize::try_from(b.off).ok()?;
        let bytes = match self.all.get() {
            Some(all) => Cow::Borrowed(all.as_deref()?.get(start..start.checked_add(b.len)?)?),
            None => {
                let mut v = vec![0u8; b.len];
                read_at(self.file.as_ref()?, &mut v, self.bodies_at.checked_add(b.off)?).ok()?;
                Cow::Owned(v)
            }
        };
        (checksum(&bytes) == b.sum).then_some(bytes)
    }
}

/// An archive folder as the old index recorded it (`""`: the archive folder itself, which holds
/// the day folders and any journal kept directly in it).
struct OldDir<'a> {
    name: &'a str,
    mtime: i128,
    files: Vec<OldFile<'a>>,
}

/// Reads `buf.len()` bytes at `offset` (the file is read by this thread only).
fn read_at(mut file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// A journal on disk now, with its old record when that is still fresh.
struct Found<'a> {
    name: Cow<'a, str>,
    size: u64,
    mtime: i128,
    cached: Option<&'a OldFile<'a>>,
}

/// An archive folder on disk now.
struct FoundDir<'a> {
    name: String,
    mtime: i128,
    files: Vec<Found<'a>>,
    /// Whether anything differs from the old index.
    changed: bool,
}

/// A folder's modification time and the journals listed in it.
type Listing = (i128, Vec<String>);

/// Sessions of an earlier read, by journal, taken over by a read again.
type Reuse = rustc_hash::FxHashMap<PathBuf, Box<Session>>;

/// What the scans of all folders share.
#[derive(Clone, Copy)]
struct ScanContext<'s> {
    root: &'s Path,
    /// Modification times from here on are not trusted.
    horizon: SystemTime,
    keep: &'s (dyn Fn(&SessionHead<'_>) -> bool + Sync),
    reuse: &'s Reuse,
}

/// The journals of one folder: the old listing when the folder's time is unchanged, else a new
/// one (`listed`: a listing already made, with the folder's time). A `settled` folder is taken as
/// the index holds it, without looking.
///
/// Each journal is `stat`-ed and its record reused only when its size and time are unchanged —
/// except, in a folder whose time is unchanged, a journal whose session the caller does not
/// `keep` (its record is taken as it is: a report leaves it out anyway), and with `reuse`, one
/// that an earlier load of this process read moments ago.
fn scan_dir<'a>(
    cx: &ScanContext<'_>,
    name: String,
    listed: Option<Listing>,
    prev: Option<&'a OldDir<'a>>,
    settled: bool,
) -> FoundDir<'a> {
    let ScanContext { root, horizon, keep, reuse } = *cx;
    if settled && let Some(p) = prev {
        let files = p
            .files
            .iter()
            .map(|f| Found { name: Cow::Borrowed(f.name), size: f.size, mtime: f.mtime, cached: Some(f) })
            .collect();
        return FoundDir { name, mtime: p.mtime, files, changed: false };
    }
    let rel_dir = archive_dir(&name);
    let mut changed = prev.is_none();
    let (mtime, names, same_listing): (i128, Vec<Cow<'a, str>>, bool) = match listed {
        Some((mtime, names)) => (mtime, names.into_iter().map(Cow::Owned).collect(), false),
        None => {
            let mtime = fs_err::metadata(root.join(&rel_dir)).map_or(0, |m| trusted_mtime(&m, horizon));
            match prev {
                Some(p) if mtime != 0 && p.mtime == mtime => {
                    (mtime, p.files.iter().map(|f| Cow::Borrowed(f.name)).collect(), true)
                }
                _ => {
                    changed = true;
                    let mut names: Vec<Cow<'a, str>> = journal::logs_in(root, &rel_dir)
                        .into_iter()
                        .filter_map(|p| p.file_name()?.to_str().map(|n| Cow::Owned(n.to_owned())))
                        .collect();
                    names.sort_unstable();
                    (mtime, names, false)
                }
            }
        }
    };
    changed |= prev.is_some_and(|p| p.mtime != mtime || p.files.len() != names.len());
    // The old record of each name: in step with the names when the listing is the old one.
    let by_name: HashMap<&str, &OldFile<'a>> = match prev {
        Some(p) if !same_listing => p.files.iter().map(|f| (f.name, f)).collect(),
        _ => HashMap::new(),
    };
    let abs_dir = root.join(&rel_dir);
    let mut files = Vec::with_capacity(names.len());
    for (i, n) in names.into_iter().enumerate() {
        let old = if same_listing { prev.and_then(|p| p.files.get(i)) } else { by_name.get(n.as_ref()).copied() };
        if same_listing
            && let Some(f) = old
            && (record_head(f.head).is_some_and(|h| h.is_some_and(|h| !keep(&h)))
                || (!reuse.is_empty() && reuse.contains_key(&rel_dir.join(n.as_ref()))))
        {
            files.push(Found { name: n, size: f.size, mtime: f.mtime, cached: Some(f) });
            continue;
        }
        let meta = match fs_err::symlink_metadata(abs_dir.join(n.as_ref())) {
            Ok(m) if m.is_file() => m,
            _ => {
                changed = true;
                continue;
            }
        };
        let (size, mtime) = (meta.len(), trusted_mtime(&meta, horizon));
        let cached = old.filter(|f| mtime != 0 && f.mtime == mtime && f.size == size);
        changed |= cached.is_none();
        files.push(Found { cached, name: n, size, mtime });
    }
    FoundDir { name, mtime, files, changed }
}

/// `docs/sessions/archive/{dir}/{name}` (`docs/sessions/archive/{name}` for `dir` `""`), in one
/// allocation.
fn journal_path(dir: &str, name: &str) -> PathBuf {
    let mut p = String::with_capacity(ARCHIVE_DIR.len() + dir.len() + name.len() + 2);
    p.push_str(ARCHIVE_DIR);
    for part in [dir, name] {
        if !part.is_empty() {
            p.push('/');
            p.push_str(part);
        }
    }
    PathBuf::from(p)
}

/// `docs/sessions/archive/{name}` (the archive folder itself for `""`).
fn archive_dir(name: &str) -> PathBuf {
    let adir = Path::new(ARCHIVE_DIR);
    if name.is_empty() { adir.to_path_buf() } else { adir.join(name) }
}

/// A journal read again, and its record for the index: head and body (`None` when it cannot be
/// recorded, so it is read every time).
type ReadJournal = (Folded, Option<(Vec<u8>, Vec<u8>)>);

/// Reads, folds and lightens an archived journal, with its record for the index.
fn read_journal(root: &Path, rel: &Path, keep: &(dyn Fn(&SessionHead<'_>) -> bool + Sync)) -> ReadJournal {
    let mut f = Folded::read(root, rel, true);
    f.session = f.session.map(|s| Box::new(lighten(*s)));
    let record = encode_record(&f);
    if let Some(s) = f.session.take_if(|s| !keep(&head_of(s))) {
        f.unloaded = Some(s.key);
    }
    (f, record)
}

/// Every archived journal, sorted by path (as [`journal::list`] orders them), read through the
/// index (see [`scan_dir`] for which journals are checked); the index is rewritten when anything
/// changed. Also returns whether the index on disk now matches what was read. With `touched`,
/// the day folders not in it are taken as the index holds them (see
/// [`SessionIndex::reload_indexed`]).
fn read_archive(
    root: &Path,
    keep: &(dyn Fn(&SessionHead<'_>) -> bool + Sync),
    mut reuse: Reuse,
    touched: Option<&HashSet<String>>,
) -> (Vec<Folded>, bool) {
    use rayon::prelude::*;
    let horizon =
        crate::base::clock::system_time().checked_sub(Duration::from_secs(RACY_SECS)).unwrap_or(SystemTime::UNIX_EPOCH);
    let index_path = root.join(INDEX_FILE);
    let opened = OldIndex::open(&index_path);
    let mut dirty = opened.is_none() && index_path.exists();
    let old_index = opened.unwrap_or_else(OldIndex::empty);
    let old = decode_heads(&old_index.heads).unwrap_or_else(|| {
        dirty |= !old_index.heads.is_empty();
        Vec::new()
    });
    let old_dirs: HashMap<&str, &OldDir<'_>> = old.iter().map(|d| (d.name, d)).collect();

    let Ok(ameta) = fs_err::metadata(root.join(ARCHIVE_DIR)) else {
        let synced = (old.is_empty() && !dirty) || store(&index_path, &encode_index(&[]));
        return (Vec::new(), synced);
    };
    // The archive folder itself: its day folders and the journals kept directly in it.
    let amtime = trusted_mtime(&ameta, horizon);
    let (days, top): (Vec<String>, Vec<String>) = match old_dirs.get("") {
        Some(d) if amtime != 0 && d.mtime == amtime => (
            old.iter().filter(|d| !d.name.is_empty()).map(|d| d.name.to_owned()).collect(),
            d.files.iter().map(|f| f.name.to_owned()).collect(),
        ),
        _ => {
            dirty = true;
            let (mut days, mut top) = (Vec::new(), Vec::new());
            if let Ok(rd) = crate::base::path_policy::read_dir(root.join(ARCHIVE_DIR)) {
                for e in rd.flatten() {
                    let (Ok(name), Ok(ft)) = (e.file_name().into_string(), e.file_type()) else { continue };
                    if name.starts_with('.') {
                        continue;
                    }
                    if ft.is_dir() {
                        days.push(name);
                    } else if ft.is_file() && name.ends_with(".log") {
                        top.push(name);
                    }
                }
            }
            days.sort_unstable();
            top.sort_unstable();
            (days, top)
        }
    };
    dirty |= days.len() + 1 != old.len();
    let mut folders: Vec<(String, Option<Listing>)> = vec![(String::new(), Some((amtime, top)))];
    folders.extend(days.into_iter().map(|d| (d, None)));
    let cx = ScanContext { root, horizon, keep, reuse: &reuse };
    let found: Vec<FoundDir<'_>> = folders
        .into_par_iter()
        .map(|(name, listed)| {
            let prev = old_dirs.get(name.as_str()).copied();
            let settled = listed.is_none() && touched.is_some_and(|t| !t.contains(&name));
            scan_dir(&cx, name, listed, prev, settled)
        })
        .collect();
    dirty |= found.iter().any(|d| d.changed);

    // Each journal in path order: `archive/{a}` and `archive/{a}/{b}` sort as the strings
    // `(a, "")` and `(a, b)` (which is how `Path` compares them, component by component).
    let mut order: Vec<(&str, &str, usize, usize)> = Vec::new();
    for (di, d) in found.iter().enumerate() {
        for (fi, f) in d.files.iter().enumerate() {
            order.push(if d.name.is_empty() { (&f.name, "", di, fi) } else { (&d.name, &f.name, di, fi) });
        }
    }
    // Folders and names are kept sorted, so this is usually a check.
    if !order.is_sorted_by(|a, b| (a.0, a.1) <= (b.0, b.1)) {
        order.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    }

    // Fresh records are decoded on this thread (its allocator grows in large steps, a pool
    // thread's page by page): heads first, then the bodies of the sessions kept — one by one when
    // they are few, else the whole section at once. The journals to read are parsed in parallel.
    let mut out: Vec<Option<Folded>> = Vec::with_capacity(order.len());
    let mut to_read: Vec<(usize, usize, usize, PathBuf)> = Vec::new();
    let mut bodies: Vec<(usize, usize, usize, BodyRef)> = Vec::new();
    for (_, _, di, fi) in order {
        let rel = journal_path(&found[di].name, &found[di].files[fi].name);
        let reused = if reuse.is_empty() { None } else { reuse.remove(&rel) };
        match found[di].files[fi].cached.map(|c| (c, decode_head(c.head, rel.clone(), keep, reused))) {
            Some((_, Some(Decoded::Done(f)))) => out.push(Some(f)),
            Some((c, Some(Decoded::NeedsBody(f)))) => {
                bodies.push((out.len(), di, fi, c.body));
                out.push(Some(f));
            }
            _ => {
                to_read.push((out.len(), di, fi, rel));
                out.push(None);
            }
        }
    }
    let wanted: u64 = bodies.iter().map(|b| b.3.len as u64).sum();
    if dirty || wanted.saturating_mul(4) > old_index.bodies_len {
        old_index.read_all();
    }
    for (i, di, fi, body) in bodies {
        let f = out[i].as_mut().expect("decoded head");
        let session = old_index.body(body).and_then(|b| decode_session_body(f, &b));
        match session {
            Some(s) => f.session = Some(Box::new(s)),
            None => {
                out[i] = None;
                to_read.push((i, di, fi, journal_path(&found[di].name, &found[di].files[fi].name)));
            }
        }
    }
    dirty |= !to_read.is_empty();
    let mut records: Vec<Vec<Option<RecordBytes<'_>>>> = found.iter().map(|d| vec![None; d.files.len()]).collect();
    let read: Vec<((usize, usize, usize), ReadJournal)> =
        to_read.into_par_iter().map(|(i, di, fi, rel)| ((i, di, fi), read_journal(root, &rel, keep))).collect();
    for ((i, di, fi), (f, record)) in read {
        records[di][fi] = record.map(|(h, b)| (Cow::Owned(h), Cow::Owned(b)));
        out[i] = Some(f);
    }
    let mut synced = true;
    if dirty {
        // The records kept as they were; a damaged one is made again from its journal.
        old_index.read_all();
        let mut damaged = Vec::new();
        for (di, (d, recs)) in found.iter().zip(records.iter_mut()).enumerate() {
            for (fi, (f, rec)) in d.files.iter().zip(recs.iter_mut()).enumerate() {
                if rec.is_none()
                    && let Some(c) = f.cached
                {
                    match old_index.body(c.body) {
                        Some(body) => *rec = Some((Cow::Borrowed(c.head), body)),
                        None => damaged.push((di, fi, journal_path(&d.name, &f.name))),
                    }
                }
            }
        }
        let remade: Vec<_> =
            damaged.into_par_iter().map(|(di, fi, rel)| (di, fi, read_journal(root, &rel, keep).1)).collect();
        for (di, fi, record) in remade {
            records[di][fi] = record.map(|(h, b)| (Cow::Owned(h), Cow::Owned(b)));
        }
        let dirs: Vec<NewDir<'_>> = found
            .iter()
            .zip(records)
            .map(|(d, recs)| NewDir {
                name: &d.name,
                mtime: d.mtime,
                files: d
                    .files
                    .iter()
                    .zip(recs)
                    .filter_map(|(f, r)| Some((f.name.as_ref(), f.size, f.mtime, r?)))
                    .collect(),
            })
            .collect();
        synced = store(&index_path, &encode_index(&dirs));
    }
    (out.into_iter().flatten().collect(), synced)
}

/// Writes the index atomically (temporary file, then rename). Returns whether it was written; a
/// failure (a read-only workspace) only loses the cache.
fn store(path: &Path, bytes: &[u8]) -> bool {
    static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let Some(dir) = path.parent() else { return false };
    if crate::base::path_policy::create_dir_all(dir).is_err() || crate::base::path_policy::confine(path).is_err() {
        return false;
    }
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".journals.idx.{}.{seq}.tmp", std::process::id()));
    if fs_err::write(&tmp, bytes).and_then(|()| fs_err::rename(&tmp, path)).is_err() {
        let _ = fs_err::remove_file(&tmp);
        return false;
    }
    true
}

// ---------------------------------------------------------------------------------------------
// The file format: little-endian fixed-size numbers, LEB128 lengths, UTF-8 strings.
//
//   MAGIC, FORMAT: u32, crate version: str, heads length: u64,
//   the heads section: folders: len, then per folder:
//     name: str, mtime: i128 (0: unknown), journals: len, then per journal:
//       name: str, size: u64, mtime: i128 (0: unknown),
//       body offset: len, body length: len, body checksum: u64, record head: len + bytes
//   the heads section's checksum: u64,
//   the bodies section: every record's body, one after the other.
//
// A record is a [`Folded`] without its path. Its head: truncated, had_entries, diagnostics, then
// whether a session follows and the session's head (key, owner, day, active, specs). Its body:
// the rest of the session (empty without one). The path, `journal` and `archived` come from
// where the record is. A report reads the heads, and the bodies of the sessions it shows.

/// A folder of the new index: per journal its name, size, time, record head and body.
struct NewDir<'a> {
    name: &'a str,
    mtime: i128,
    files: Vec<(&'a str, u64, i128, RecordBytes<'a>)>,
}

/// A record's head and body, as in the old index or made anew.
type RecordBytes<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

fn encode_index(dirs: &[NewDir<'_>]) -> Vec<u8> {
    let files = || dirs.iter().flat_map(|d| &d.files);
    let mut heads = W(Vec::with_capacity(64 + files().map(|f| f.0.len() + f.3.0.len() + 64).sum::<usize>()));
    let mut off = 0usize;
    heads.len(dirs.len());
    for d in dirs {
        heads.str(d.name);
        heads.i128(d.mtime);
        heads.len(d.files.len());
        for (name, size, mtime, (head, body)) in &d.files {
            heads.str(name);
            heads.u64(*size);
            heads.i128(*mtime);
            heads.len(off);
            heads.len(body.len());
            heads.u64(checksum(body));
            heads.bytes(head);
            off += body.len();
        }
    }
    let mut w = W(Vec::with_capacity(64 + heads.0.len() + off));
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&FORMAT.to_le_bytes());
    w.str(env!("CARGO_PKG_VERSION"));
    w.u64(heads.0.len() as u64);
    w.0.extend_from_slice(&heads.0);
    w.u64(checksum(&heads.0));
    for f in files() {
        w.0.extend_from_slice(&f.3.1);
    }
    w.0
}

/// A fast 64-bit hash, to tell damaged bytes (not an attacker's) from good ones.
fn checksum(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().expect("8 bytes"))).wrapping_mul(K);
    }
    for &x in chunks.remainder() {
        h = (h.rotate_left(5) ^ u64::from(x)).wrapping_mul(K);
    }
    h
}

fn decode_heads(b: &[u8]) -> Option<Vec<OldDir<'_>>> {
    let mut r = R { b, pos: 0 };
    if b.is_empty() {
        return Some(Vec::new());
    }
    let n = r.len()?;
    let mut dirs = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        let mtime = r.i128()?;
        let nf = r.len()?;
        let mut files = Vec::with_capacity(nf);
        for _ in 0..nf {
            let (name, size, mtime) = (r.str()?, r.u64()?, r.i128()?);
            let body = BodyRef { off: r.len_any()? as u64, len: r.len_any()?, sum: r.u64()? };
            files.push(OldFile { name, size, mtime, head: r.bytes()?, body });
        }
        dirs.push(OldDir { name, mtime, files });
    }
    (r.pos == b.len()).then_some(dirs)
}

/// A record's head and body.
fn encode_record(f: &Folded) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut w = W(Vec::with_capacity(128));
    w.bool(f.truncated);
    w.bool(f.had_entries);
    w.len(f.diagnostics.len());
    for d in &f.diagnostics {
        w.u8(match d.severity {
            Severity::Warning => 0,
            Severity::Error => 1,
        });
        w.str(&d.file);
        w.u64(d.line as u64);
        w.str(&d.message);
        w.str(&d.hint);
    }
    let mut body = W(Vec::new());
    match &f.session {
        None => w.bool(false),
        Some(s) => {
            w.bool(true);
            w.str(&s.key);
            w.str(&s.owner);
            w.str(&s.day);
            w.bool(s.is_active());
            w.strs(&s.touched);
            body.0.reserve(512);
            encode_session(&mut body, s)?;
        }
    }
    Some((w.0, body.0))
}

/// The head of a session that is loaded.
fn head_of(s: &Session) -> SessionHead<'_> {
    SessionHead {
        key: &s.key,
        owner: &s.owner,
        day: &s.day,
        active: s.is_active(),
        specs: HeadSpecs::Loaded(&s.touched),
    }
}

/// Skips a record head's flags and diagnostics.
fn skip_diagnostics(r: &mut R<'_>) -> Option<()> {
    r.bool()?;
    r.bool()?;
    for _ in 0..r.len()? {
        r.u8()?;
        r.bytes()?;
        r.u64()?;
        r.bytes()?;
        r.bytes()?;
    }
    Some(())
}

/// The session head at `r` (after the "a session follows" flag).
fn session_head<'a>(r: &mut R<'a>) -> Option<SessionHead<'a>> {
    let (key, owner, day, active) = (r.str()?, r.str()?, r.str()?, r.bool()?);
    let start = r.pos;
    for _ in 0..r.len()? {
        r.bytes()?;
    }
    Some(SessionHead { key, owner, day, active, specs: HeadSpecs::Encoded(&r.b[start..r.pos]) })
}

/// The session head of a record head (`Some(None)`: the journal holds no session).
fn record_head(b: &[u8]) -> Option<Option<SessionHead<'_>>> {
    let mut r = R { b, pos: 0 };
    skip_diagnostics(&mut r)?;
    if !r.bool()? {
        return Some(None);
    }
    let head = session_head(&mut r)?;
    (r.pos == b.len()).then_some(Some(head))
}

/// A record head decoded.
enum Decoded {
    /// All there is: no session, a session left out, or one taken from `reuse`.
    Done(Folded),
    /// The session's body is wanted; `Folded::unloaded` holds its key meanwhile.
    NeedsBody(Folded),
}

/// Decodes a record head: the diagnostics, and whether the session's body is wanted (`keep`)
/// and not already in `reuse`.
fn decode_head(
    b: &[u8],
    rel: PathBuf,
    keep: &(dyn Fn(&SessionHead<'_>) -> bool + Sync),
    reuse: Option<Box<Session>>,
) -> Option<Decoded> {
    let mut r = R { b, pos: 0 };
    let truncated = r.bool()?;
    let had_entries = r.bool()?;
    let n = r.len()?;
    let mut diagnostics = Vec::with_capacity(n);
    for _ in 0..n {
        let severity = match r.u8()? {
            0 => Severity::Warning,
            1 => Severity::Error,
            _ => return None,
        };
        diagnostics.push(Diagnostic {
            severity,
            file: r.string()?,
            line: usize::try_from(r.u64()?).ok()?,
            message: r.string()?,
            hint: r.string()?,
        });
    }
    let mut f = Folded { path: rel, truncated, diagnostics, had_entries, session: None, unloaded: None };
    if !r.bool()? {
        return (r.pos == b.len()).then_some(Decoded::Done(f));
    }
    let head = session_head(&mut r)?;
    if r.pos != b.len() {
        return None;
    }
    if let Some(s) = reuse.filter(|s| s.key == head.key && keep(&head)) {
        f.session = Some(s);
        return Some(Decoded::Done(f));
    }
    f.unloaded = Some(head.key.to_owned());
    Some(if keep(&head) { Decoded::NeedsBody(f) } else { Decoded::Done(f) })
}

/// Decodes the body of the session whose head `f` was decoded from (and whose key is in
/// `f.unloaded`), taking the key out.
fn decode_session_body(f: &mut Folded, body: &[u8]) -> Option<Session> {
    let key = f.unloaded.take()?;
    let mut r = R { b: body, pos: 0 };
    let s = decode_body(&mut r, key, &f.path);
    if s.is_none() || r.pos != body.len() {
        return None;
    }
    s
}

/// The session's body: everything but its head.
fn encode_session(w: &mut W, s: &Session) -> Option<()> {
    let facts = s.facts.as_deref()?;
    w.str(&s.owner);
    w.str(&s.day);
    w.strs(&s.touched);
    w.str(&s.name);
    w.str(&s.user);
    w.str(&s.agent);
    w.opt_str(s.model.as_deref());
    w.opt_str(s.title.as_deref());
    w.str(&s.spec);
    w.str(&s.spec_title);
    w.opt_str(s.continue_from.as_deref());
    w.stamp(&s.started);
    w.opt_stamp(s.ended.as_ref());
    w.opt_str(s.end_reason.as_deref());
    w.stamp(&s.last_event);
    w.u64(s.idle_secs);
    w.len(s.tasks.len());
    for t in &s.tasks {
        w.str(&t.spec);
        w.str(&t.task);
        w.str(&t.title);
        w.u8(status_code(t.status));
        w.opt_stamp(t.started.as_ref());
        w.opt_stamp(t.ended.as_ref());
        w.strs(&t.files);
        match &t.usage {
            None => w.bool(false),
            Some(u) => {
                w.bool(true);
                w.usage(u)?;
            }
        }
        w.u8(match t.verified {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }
    w.len(s.loose_usage.len());
    for (spec, u) in &s.loose_usage {
        w.opt_str(spec.as_deref());
        w.usage(u)?;
    }
    w.strs(&s.agent_session_ids);
    w.len(facts.task_total);
    w.len(facts.delivered.len());
    for (spec, d, c) in &facts.delivered {
        w.str(spec);
        w.len(*d);
        w.len(*c);
    }
    w.len(facts.last_activity.len());
    for (spec, line) in &facts.last_activity {
        w.str(spec);
        w.str(line);
    }
    w.len(facts.snapshots.len());
    for (spec, at, p, next) in &facts.snapshots {
        w.str(spec);
        w.stamp(at);
        w.len(p.done);
        w.len(p.total);
        match next {
            None => w.bool(false),
            Some(n) => {
                w.bool(true);
                w.str(&n.id);
                w.str(&n.title);
            }
        }
    }
    w.len(facts.windows.len());
    for win in &facts.windows {
        if win.session != s.key {
            return None;
        }
        w.str(&win.spec);
        w.opt_str(win.task.as_deref());
        w.stamp(&win.start);
        w.opt_stamp(win.end.as_ref());
        w.bool(win.recorded);
    }
    w.strs(&facts.agent_sessions);
    Some(())
}

fn decode_body(r: &mut R<'_>, key: String, rel: &Path) -> Option<Session> {
    let (owner, day, touched) = (r.string()?, r.string()?, r.strings()?);
    let (name, user, agent) = (r.string()?, r.string()?, r.string()?);
    let (model, title) = (r.opt_string()?, r.opt_string()?);
    let (spec, spec_title) = (r.string()?, r.string()?);
    let continue_from = r.opt_string()?;
    let started = r.stamp()?;
    let ended = r.opt_stamp()?;
    let end_reason = r.opt_string()?;
    let last_event = r.stamp()?;
    let idle_secs = r.u64()?;
    let n = r.len()?;
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        tasks.push(SessionTask {
            spec: r.string()?,
            task: r.string()?,
            title: r.string()?,
            status: status_from(r.u8()?)?,
            started: r.opt_stamp()?,
            ended: r.opt_stamp()?,
            files: r.strings()?,
            usage: if r.bool()? { Some(r.usage()?) } else { None },
            verified: match r.u8()? {
                0 => None,
                1 => Some(false),
                2 => Some(true),
                _ => return None,
            },
        });
    }
    let n = r.len()?;
    let mut loose_usage = Vec::with_capacity(n);
    for _ in 0..n {
        loose_usage.push((r.opt_string()?, r.usage()?));
    }
    let agent_session_ids = r.strings()?;
    let task_total = r.len_any()?;
    let n = r.len()?;
    let mut delivered = Vec::with_capacity(n);
    for _ in 0..n {
        delivered.push((r.string()?, r.len_any()?, r.len_any()?));
    }
    let n = r.len()?;
    let mut last_activity = Vec::with_capacity(n);
    for _ in 0..n {
        last_activity.push((r.string()?, r.string()?));
    }
    let n = r.len()?;
    let mut snapshots = Vec::with_capacity(n);
    for _ in 0..n {
        let spec = r.string()?;
        let at = r.stamp()?;
        let p = Progress { done: r.len_any()?, total: r.len_any()? };
        let next = if r.bool()? { Some(TaskPointer { id: r.string()?, title: r.string()? }) } else { None };
        snapshots.push((spec, at, p, next));
    }
    let n = r.len()?;
    let mut wins = Vec::with_capacity(n);
    for _ in 0..n {
        wins.push(WorkWindow {
            session: key.clone(),
            spec: r.string()?,
            task: r.opt_string()?,
            start: r.stamp()?,
            end: r.opt_stamp()?,
            recorded: r.bool()?,
        });
    }
    let agent_sessions = r.strings()?;
    Some(Session {
        key,
        name,
        owner,
        user,
        agent,
        model,
        title,
        spec,
        spec_title,
        planned: Vec::new(),
        continue_from,
        started,
        ended,
        end_reason,
        last_event,
        idle_secs,
        tasks,
        loose_usage,
        agent_session_ids,
        entries: Vec::new(),
        journal: rel.to_owned(),
        archived: true,
        day,
        touched,
        facts: Some(Box::new(EntryFacts {
            last_activity,
            snapshots,
            windows: wins,
            agent_sessions,
            task_total,
            delivered,
        })),
    })
}

fn status_code(s: TaskStatus) -> u8 {
    match s {
        TaskStatus::Pending => 0,
        TaskStatus::InProgress => 1,
        TaskStatus::Done => 2,
        TaskStatus::Blocked => 3,
    }
}

fn status_from(c: u8) -> Option<TaskStatus> {
    Some(match c {
        0 => TaskStatus::Pending,
        1 => TaskStatus::InProgress,
        2 => TaskStatus::Done,
        3 => TaskStatus::Blocked,
        _ => return None,
    })
}

/// `Usage::source`: the only values the fold produces.
const SOURCES: [&str; 4] = ["", "manual", "measured", "mixed"];

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }
    /// LEB128.
    fn len(&mut self, n: usize) {
        let mut n = n as u64;
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i128(&mut self, v: i128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.bool(false),
            Some(s) => {
                self.bool(true);
                self.str(s);
            }
        }
    }
    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
    fn stamp(&mut self, s: &Stamp) {
        self.0.extend_from_slice(&s.ts.as_second().to_le_bytes());
        self.0.extend_from_slice(&s.ts.subsec_nanosecond().to_le_bytes());
        self.0.extend_from_slice(&s.offset.seconds().to_le_bytes());
    }
    fn opt_stamp(&mut self, s: Option<&Stamp>) {
        match s {
            None => self.bool(false),
            Some(s) => {
                self.bool(true);
                self.stamp(s);
            }
        }
    }
    fn opt_u64(&mut self, v: Option<u64>) {
        match v {
            None => self.bool(false),
            Some(v) => {
                self.bool(true);
                self.u64(v);
            }
        }
    }
    fn usage(&mut self, u: &Usage) -> Option<()> {
        let t = &u.tokens;
        self.u64(t.total);
        for v in [t.input, t.output, t.cache_creation, t.cache_read] {
            self.opt_u64(v);
        }
        self.u64(u.cost_usd.to_bits());
        self.bool(u.unpriced);
        self.u8(u8::try_from(SOURCES.iter().position(|s| *s == u.source)?).ok()?);
        Some(())
    }
}

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn bool(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    /// A LEB128 number.
    fn len_any(&mut self) -> Option<usize> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return usize::try_from(n).ok();
            }
        }
        None
    }
    /// A count or length, which cannot exceed the bytes left (every item takes at least one).
    fn len(&mut self) -> Option<usize> {
        let n = self.len_any()?;
        (n <= self.b.len() - self.pos).then_some(n)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }
    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.array()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }
    fn opt_string(&mut self) -> Option<Option<String>> {
        if self.bool()? { self.string().map(Some) } else { Some(None) }
    }
    fn strs(&mut self) -> Option<Vec<&'a str>> {
        let n = self.len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.str()?);
        }
        Some(v)
    }
    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.len()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.string()?);
        }
        Some(v)
    }
    fn stamp(&mut self) -> Option<Stamp> {
        let secs = i64::from_le_bytes(self.array()?);
        let nanos = i32::from_le_bytes(self.array()?);
        let offset = i32::from_le_bytes(self.array()?);
        Some(Stamp { ts: Timestamp::new(secs, nanos).ok()?, offset: Offset::from_seconds(offset).ok()? })
    }
    fn opt_stamp(&mut self) -> Option<Option<Stamp>> {
        if self.bool()? { self.stamp().map(Some) } else { Some(None) }
    }
    fn opt_u64(&mut self) -> Option<Option<u64>> {
        if self.bool()? { self.u64().map(Some) } else { Some(None) }
    }
    fn usage(&mut self) -> Option<Usage> {
        let total = self.u64()?;
        let (input, output, cache_creation, cache_read) =
            (self.opt_u64()?, self.opt_u64()?, self.opt_u64()?, self.opt_u64()?);
        let cost_usd = f64::from_bits(self.u64()?);
        let unpriced = self.bool()?;
        let source = *SOURCES.get(usize::from(self.u8()?))?;
        Some(Usage { tokens: Tokens { total, input, output, cache_creation, cache_read }, cost_usd, unpriced, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY1: &str = "docs/sessions/archive/2025-01-13";

    fn line(ts: &str, key: &str, rest: &str) -> String {
        format!("{{\"v\":1,\"ts\":\"{ts}\",\"session\":\"{key}\",{rest}}}\n")
    }

    fn start(ts: &str, key: &str, spec: &str, extra: &str) -> String {
        let (name, owner) = key.split_once('.').unwrap();
        line(
            ts,
            key,
            &format!(
                r#""event":"session_start","name":"{name}","owner":"{owner}","user":"U","host":"1","spec":"{spec}","planned":["1","2","3"],"progress":{{"done":0,"total":3}}{extra}"#
            ),
        )
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
    }

    /// A workspace whose journals use every event kind, two offsets, damaged lines, a journal
    /// without `session_start`, a second copy of a session and a journal kept directly in the
    /// archive folder.
    fn workspace() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        let a = "a.u-1";
        write(
            root,
            &format!("{DAY1}/{a}.log"),
            &[
                start("2025-01-13T10:00:00+07:00", a, "x", r#","agent_session_id":"c1","model":"haiku","title":"T","continue_from":"2""#),
                line("2025-01-13T10:05:00+07:00", a, r#""event":"note","text":"plan it","section":"planning""#),
                line("2025-01-13T10:06:00+07:00", a, r#""event":"task_start","spec":"x","task":"2","title":"Two","files":["src/a.rs"]"#),
                line("2025-01-13T10:07:00+07:00", a, r#""event":"file_touched","path":"src/a.rs","action":"modified","spec":"x","task":"2""#),
                line("2025-01-13T10:08:00+07:00", a, r#""event":"commit","hash":"abc1234","subject":"Add a","spec":"x""#),
                line("2025-01-13T10:20:00+07:00", a, r#""event":"usage","spec":"x","task":"2","tokens":{"total":300,"input":100,"output":100,"cache_creation":50,"cache_read":50},"cost_usd":0.01,"source":"measured","agent_session_id":"c1""#),
                line("2025-01-13T10:30:00+07:00", a, r#""event":"task_end","spec":"x","task":"2","title":"Two","status":"done","tokens":{"total":4000},"cost_usd":0.02,"source":"manual","progress":{"done":2,"total":3},"next":{"id":"3","title":"Three"}"#),
                line("2025-01-13T10:31:00+07:00", a, r#""event":"log_task","spec":"y","task":"9","title":"Other","status":"blocked","note":"waiting","tokens":{"total":10},"progress":{"done":0,"total":4}"#),
                line("2025-01-13T10:32:00+07:00", a, r#""event":"usage","tokens":{"total":7},"source":"measured","agent_session_id":"c2""#),
                line("2025-01-13T10:33:00+07:00", a, r#""event":"agent_session","agent_session_id":"c3""#),
                line("2025-01-13T10:34:00.5+07:00", a, r#""event":"note","text":"done for now""#),
                line("2025-01-13T10:35:00+07:00", a, r#""event":"from_the_future","x":1"#),
                line("2025-01-13T11:00:00+07:00", a, r#""event":"session_end","reason":"user""#),
            ]
            .concat(),
        );
        // Left open, archived by a teammate.
        let b = "b.v-2";
        write(
            root,
            &format!("{DAY1}/{b}.log"),
            &[
                start("2025-01-13T09:00:00-05:00", b, "y", ""),
                line("2025-01-13T09:10:00-05:00", b, r#""event":"task_start","spec":"y","task":"1","title":"One""#),
            ]
            .concat(),
        );
        // Damaged: a malformed line and a torn last line.
        let c = "c.u-1";
        write(
            root,
            &format!("docs/sessions/archive/2025-01-14/{c}.log"),
            &[
                start("2025-01-14T09:00:00Z", c, "x", ""),
                "not json\n".to_owned(),
                line("2025-01-14T09:30:00Z", c, r#""event":"session_end""#),
                "{\"v\":1,\"ts\":\"2025-01".to_owned(),
            ]
            .concat(),
        );
        write(
            root,
            "docs/sessions/archive/2025-01-14/lost.u-1.log",
            &line("2025-01-14T09:00:00Z", "lost.u-1", r#""event":"note","text":"?""#),
        );
        // A second copy of `a`, and a journal directly in the archive folder.
        let text = fs_err::read_to_string(root.join(format!("{DAY1}/{a}.log"))).unwrap();
        write(root, &format!("docs/sessions/archive/2025-01-15/{a}.log"), &text);
        write(root, "docs/sessions/archive/top.u-1.log", &start("2025-01-12T08:00:00Z", "top.u-1", "z", ""));
        write(root, "docs/sessions/archive/2025-01-15/empty.log", "");
        // An active session.
        write(root, "docs/sessions/.current/now.u-1.log", &start("2025-01-16T08:00:00Z", "now.u-1", "x", ""));
        age(root);
        t
    }

    /// Sets every journal's and folder's modification time to one in 2020, so the index trusts it.
    fn age(root: &Path) {
        fn walk(p: &Path, t: SystemTime) {
            if p.is_dir() {
                for e in fs_err::read_dir(p).unwrap().flatten() {
                    walk(&e.path(), t);
                }
            }
            fs_err::File::open(p).unwrap().set_modified(t).unwrap();
        }
        walk(&root.join(ARCHIVE_DIR), SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800));
    }

    /// How many folders a readable index on disk records.
    fn folders(root: &Path) -> Option<usize> {
        let old = OldIndex::open(&root.join(INDEX_FILE))?;
        decode_heads(&old.heads).map(|d| d.len())
    }

    /// What a report can see of an index, as text: sessions without their entries (an archived
    /// session's fold exactly as the index keeps it), diagnostics, torn journals.
    fn seen(idx: &SessionIndex) -> String {
        let sessions: Vec<String> = idx
            .sessions
            .iter()
            .map(|s| if s.archived { format!("{:?}", lighten(s.clone())) } else { format!("{s:?}") })
            .collect();
        format!("{sessions:#?}\n{:#?}\ntruncated: {}", idx.diagnostics, idx.truncated)
    }

    #[test]
    fn the_index_reads_what_the_journals_hold() {
        let ws = workspace();
        let root = ws.path();
        let full = seen(&SessionIndex::load(root));
        assert!(full.contains("also journalled in") && full.contains("does not start with a session_start"));
        assert!(!root.join(INDEX_FILE).exists());
        assert_eq!(seen(&SessionIndex::load_indexed(root)), full, "cold");
        let bytes = fs_err::read(root.join(INDEX_FILE)).unwrap();
        assert_eq!(folders(root), Some(4), "the archive folder and three day folders");
        let idx = SessionIndex::load_indexed(root);
        assert_eq!(seen(&idx), full, "warm");
        assert!(idx.sessions.iter().all(|s| s.entries_loaded() != s.archived));
        assert_eq!(fs_err::read(root.join(INDEX_FILE)).unwrap(), bytes, "nothing changed, nothing written");
        assert_eq!(seen(&idx.reload_indexed(root, &[])), full, "reloaded");

        // A command appends to an archived journal and moves one into the archive, then reads
        // again naming what it wrote.
        let idx = SessionIndex::load_indexed(root);
        let b = Path::new(DAY1).join("b.v-2.log");
        journal::append(
            &root.join(&b),
            &[crate::stores::journal::Entry {
                v: 1,
                ts: Stamp::parse("2025-01-13T12:00:00-05:00").unwrap(),
                session: "b.v-2".into(),
                event: crate::stores::journal::Event::SessionEnd { reason: "eod".into() },
            }],
        )
        .unwrap();
        let moved = Path::new("docs/sessions/archive/2025-01-16/now.u-1.log");
        fs_err::create_dir_all(root.join(moved).parent().unwrap()).unwrap();
        fs_err::rename(root.join("docs/sessions/.current/now.u-1.log"), root.join(moved)).unwrap();
        let again = idx.reload_indexed(root, &[&b, moved]);
        assert_eq!(seen(&again), seen(&SessionIndex::load(root)));
        assert!(again.get("b.v-2").unwrap().ended.is_some() && again.get("now.u-1").unwrap().archived);

        // Facts answer as the entries do.
        let full = SessionIndex::load(root);
        let light = SessionIndex::load_indexed(root);
        for (f, l) in full.sessions.iter().zip(&light.sessions) {
            for spec in f.specs() {
                assert_eq!(activity::last_activity(f, spec), activity::last_activity(l, spec), "{} {spec}", f.key);
            }
            assert_eq!(session_snapshots(f), session_snapshots(l));
            assert_eq!(windows::windows(f), windows::windows(l));
            assert_eq!(windows::tied_agent_sessions(f), windows::tied_agent_sessions(l));
            assert_eq!(f.task_progress(), l.task_progress());
            assert_eq!(format!("{:?}", loaded(root, l).entries), format!("{:?}", f.entries));
        }
    }

    #[test]
    fn a_report_loads_only_the_sessions_it_shows() {
        let ws = workspace();
        let root = ws.path();
        SessionIndex::load_indexed(root);
        let idx = SessionIndex::load_indexed_where(root, |h| h.touches("y"));
        let keys: Vec<&str> = idx.sessions.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(keys, ["a.u-1", "b.v-2", "now.u-1"], "the spec's sessions, and .current/");
        assert!(idx.has_key("c.u-1") && idx.has_key("top.u-1") && !idx.has_key("lost.u-1"));
        assert!(idx.get("c.u-1").is_none());
        assert_eq!(
            format!("{:?}", idx.diagnostics),
            format!("{:?}", SessionIndex::load(root).diagnostics),
            "every journal's diagnostics"
        );
        let heads = std::sync::Mutex::new(Vec::new());
        SessionIndex::load_indexed_where(root, |h| {
            heads.lock().unwrap().push(format!("{} {} {} {} {:?}", h.key, h.owner, h.day, h.active, h.specs()));
            false
        });
        let mut heads = heads.into_inner().unwrap();
        heads.sort();
        heads.dedup();
        assert_eq!(
            heads,
            [
                "a.u-1 u-1 2025-01-13 false [\"x\", \"y\"]",
                "b.v-2 v-2 2025-01-13 true [\"y\"]",
                "c.u-1 u-1 2025-01-14 false [\"x\"]",
                "top.u-1 u-1 2025-01-12 true [\"z\"]",
            ]
        );
    }

    #[test]
    fn changed_added_and_deleted_journals_are_read_again() {
        let ws = workspace();
        let root = ws.path();
        SessionIndex::load_indexed(root);
        let a = root.join(format!("{DAY1}/a.u-1.log"));
        let text = fs_err::read_to_string(&a).unwrap();
        let mtime = fs_err::metadata(&a).unwrap().modified().unwrap();

        // Same size, same time: the index takes it as unchanged (which shows the index is used).
        fs_err::write(&a, text.replace("\"Two\"", "\"Tw2\"")).unwrap();
        fs_err::File::open(&a).unwrap().set_modified(mtime).unwrap();
        let idx = SessionIndex::load_indexed(root);
        assert_ne!(seen(&idx), seen(&SessionIndex::load(root)));
        // Edited in place (the folder's time unchanged): read again.
        fs_err::write(&a, text.replace("Two", "Deux")).unwrap();
        fs_err::File::open(&a).unwrap().set_modified(mtime + Duration::from_secs(60)).unwrap();
        let idx = SessionIndex::load_indexed(root);
        assert_eq!(seen(&idx), seen(&SessionIndex::load(root)));
        assert_eq!(idx.get("a.u-1").unwrap().tasks[0].title, "Deux");

        // Deleted, added, and a whole day folder gone.
        fs_err::remove_file(root.join("docs/sessions/archive/2025-01-14/c.u-1.log")).unwrap();
        write(root, &format!("{DAY1}/d.u-1.log"), &start("2025-01-13T12:00:00Z", "d.u-1", "x", ""));
        fs_err::remove_dir_all(root.join("docs/sessions/archive/2025-01-15")).unwrap();
        for _ in 0..2 {
            let idx = SessionIndex::load_indexed(root);
            assert_eq!(seen(&idx), seen(&SessionIndex::load(root)));
            assert!(idx.get("c.u-1").is_none() && idx.get("d.u-1").is_some());
            age(root);
        }
        fs_err::remove_dir_all(root.join(ARCHIVE_DIR)).unwrap();
        assert_eq!(seen(&SessionIndex::load_indexed(root)), seen(&SessionIndex::load(root)));
        assert_eq!(folders(root), Some(0));
    }

    #[test]
    fn a_report_checks_the_journals_it_shows() {
        let ws = workspace();
        let root = ws.path();
        SessionIndex::load_indexed(root);
        let c = root.join("docs/sessions/archive/2025-01-14/c.u-1.log");
        let text = fs_err::read_to_string(&c).unwrap();
        let mtime = fs_err::metadata(&c).unwrap().modified().unwrap();
        // Edited in place, an hour later, its folder untouched: now it touches spec `w` too.
        let more = line("2025-01-14T09:10:00Z", "c.u-1", r#""event":"log_task","spec":"w","task":"1","status":"done""#);
        fs_err::write(&c, text.replacen('\n', &format!("\n{more}"), 1)).unwrap();
        fs_err::File::open(&c).unwrap().set_modified(mtime + Duration::from_secs(3600)).unwrap();
        // A report of `x` shows it, so checks it: read again.
        let x = SessionIndex::load_indexed_where(root, |h| h.touches("x"));
        assert!(x.get("c.u-1").unwrap().touches("w"));
        // A report of `y` leaves it out by its head; so would one of `w` until the next load
        // that checks it — which the report of `x` just was.
        let w = SessionIndex::load_indexed_where(root, |h| h.touches("w"));
        assert!(w.get("c.u-1").is_some());
    }

    #[test]
    fn a_corrupt_index_is_ignored_and_rebuilt() {
        let ws = workspace();
        let root = ws.path();
        let full = seen(&SessionIndex::load(root));
        SessionIndex::load_indexed(root);
        let good = fs_err::read(root.join(INDEX_FILE)).unwrap();
        // A byte changed in the heads section, in the bodies section; another format version.
        let flip = |at: usize| {
            let mut b = good.clone();
            b[at] ^= 0x5a;
            b
        };
        let (in_heads, in_bodies, version) = (flip(40), flip(good.len() - 20), flip(MAGIC.len()));
        for bad in [b"garbage".to_vec(), good[..good.len() / 2].to_vec(), in_heads, in_bodies, version, Vec::new()] {
            fs_err::write(root.join(INDEX_FILE), &bad).unwrap();
            assert_eq!(seen(&SessionIndex::load_indexed(root)), full);
            assert_eq!(fs_err::read(root.join(INDEX_FILE)).unwrap(), good, "rewritten");
        }
        // No place for the index (`.specwork` is a file): no cache, same answers.
        fs_err::remove_dir_all(root.join(".specwork")).unwrap();
        fs_err::write(root.join(".specwork"), "").unwrap();
        assert_eq!(seen(&SessionIndex::load_indexed(root)), full);
        assert_eq!(seen(&SessionIndex::load_indexed(root)), full);
    }
}
