//! The usage ledger: what earlier scans read, so that a re-run reads only new bytes.
//!
//! For every log file the ledger keeps its size, modification time, fingerprints of its first
//! bytes and of the bytes before the end of its last complete line, that end offset and line
//! count, and the file's parsed candidate events *before* cross-file deduplication (plus its line
//! issues and counters). A scan then:
//!
//! - reuses a file whose size and mtime are unchanged;
//! - for a grown Claude transcript whose fingerprints still match, parses only the bytes after the
//!   last complete line (a torn last line is always re-read);
//! - parses anything else in full.
//!
//! Deduplication always runs over all events of all files, so totals with the ledger are exactly
//! those of a full scan. The ledger is a derived file: deleting it, or a version or format
//! mismatch, only costs a full scan. It is written atomically (temp file + rename).

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::UsageError;
use crate::event::{Arena, FileData, IssueKind, LineStats, RawEvent, StrRef};
use crate::sources::FileKind;

const MAGIC: &[u8; 8] = b"SWLEDGER";
/// Bump when parsing rules or the layout change.
pub(crate) const VERSION: u32 = 6;

/// One file's entry.
#[derive(Debug, Clone)]
pub(crate) struct LedgerFile {
    pub kind: FileKind,
    pub size: u64,
    pub mtime_ns: i128,
    pub head_fp: u64,
    pub tail_fp: u64,
    pub data: FileData,
}

/// Bytes fingerprinted at the start of a file and before the end of its complete lines.
pub(crate) const FP_LEN: u64 = 64;

pub(crate) fn ledger_path(dir: &Path, sources_key: u64) -> PathBuf {
    dir.join(format!("usage-ledger-{sources_key:016x}.bin"))
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i128(&mut self, v: i128) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.u32(b.len() as u32);
        self.0.extend_from_slice(b);
    }
    fn sref(&mut self, r: StrRef) {
        self.u32(r.off);
        self.u32(r.len);
    }
    fn stats(&mut self, s: &LineStats) {
        self.u64(s.lines);
        self.u64(s.usage_lines);
        self.u64(s.rejected);
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
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn i128(&mut self) -> Option<i128> {
        Some(i128::from_le_bytes(self.take(16)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn stats(&mut self) -> Option<LineStats> {
        Some(LineStats { lines: self.u64()?, usage_lines: self.u64()?, rejected: self.u64()? })
    }
}

const EVENT_LEN: usize = 8 * 9 + 8 * 5 + 4 + 1;

#[cfg(unix)]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(p.as_os_str().as_bytes())
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> std::borrow::Cow<'_, [u8]> {
    std::borrow::Cow::Owned(p.to_string_lossy().into_owned().into_bytes())
}

#[cfg(unix)]
fn path_from(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// What the ledger keeps about a file besides its parsed data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileMeta {
    pub kind: FileKind,
    pub size: u64,
    pub mtime_ns: i128,
    pub head_fp: u64,
    pub tail_fp: u64,
}

/// Serialises the ledger.
pub(crate) fn encode<'a>(files: impl Iterator<Item = (&'a Path, FileMeta, &'a FileData)>) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(1 << 20));
    w.0.extend_from_slice(MAGIC);
    w.u32(VERSION);
    let count_pos = w.0.len();
    w.u32(0);
    let mut n = 0u32;
    for (path, f, d) in files {
        n += 1;
        w.u8(f.kind.code());
        w.bytes(&path_bytes(path));
        w.u64(f.size);
        w.i128(f.mtime_ns);
        w.u64(f.head_fp);
        w.u64(f.tail_fp);
        w.u64(d.complete_len);
        w.u32(d.complete_lines);
        w.u32(d.tail_events);
        w.u32(d.tail_issues);
        w.stats(&d.stats);
        w.stats(&d.tail_stats);
        w.bytes(&d.arena.bytes);
        w.u32(d.events.len() as u32);
        w.0.reserve(d.events.len() * EVENT_LEN);
        for e in &d.events {
            w.u64(e.ts_ms as u64);
            for v in [e.input, e.output, e.cc5, e.cc1h, e.cr, e.aux1, e.aux2] {
                w.u64(v);
            }
            w.u64(e.cost_usd.to_bits());
            for r in [e.model, e.cwd, e.session, e.id, e.req] {
                w.sref(r);
            }
            w.u32(e.line);
            w.u8(e.flags);
        }
        w.u32(d.issues.len() as u32);
        for (line, k) in &d.issues {
            w.u32(*line);
            w.u8(IssueKind::code(*k));
        }
    }
    w.0[count_pos..count_pos + 4].copy_from_slice(&n.to_le_bytes());
    w.0
}

/// Parses a ledger; `None` if it is not a ledger of this version or is damaged.
pub(crate) fn decode(b: &[u8]) -> Option<FxHashMap<PathBuf, LedgerFile>> {
    let mut r = R { b, pos: 0 };
    if r.take(8)? != MAGIC || r.u32()? != VERSION {
        return None;
    }
    let n = r.u32()? as usize;
    let mut out = FxHashMap::default();
    out.reserve(n);
    for _ in 0..n {
        let kind = FileKind::from_code(r.u8()?)?;
        let path = path_from(r.bytes()?);
        let size = r.u64()?;
        let mtime_ns = r.i128()?;
        let head_fp = r.u64()?;
        let tail_fp = r.u64()?;
        let complete_len = r.u64()?;
        let complete_lines = r.u32()?;
        let tail_events = r.u32()?;
        let tail_issues = r.u32()?;
        let stats = r.stats()?;
        let tail_stats = r.stats()?;
        let arena = Arena::from_bytes(r.bytes()?.to_vec());
        let ne = r.u32()? as usize;
        let raw = r.take(ne.checked_mul(EVENT_LEN)?)?;
        let mut events = Vec::with_capacity(ne);
        for c in raw.chunks_exact(EVENT_LEN) {
            let u = |i: usize| u64::from_le_bytes(c[i * 8..i * 8 + 8].try_into().unwrap_or_default());
            let s = |i: usize| {
                let o = 72 + i * 8;
                StrRef {
                    off: u32::from_le_bytes(c[o..o + 4].try_into().unwrap_or_default()),
                    len: u32::from_le_bytes(c[o + 4..o + 8].try_into().unwrap_or_default()),
                }
            };
            events.push(RawEvent {
                ts_ms: u(0) as i64,
                input: u(1),
                output: u(2),
                cc5: u(3),
                cc1h: u(4),
                cr: u(5),
                aux1: u(6),
                aux2: u(7),
                cost_usd: f64::from_bits(u(8)),
                model: s(0),
                cwd: s(1),
                session: s(2),
                id: s(3),
                req: s(4),
                line: u32::from_le_bytes(c[112..116].try_into().unwrap_or_default()),
                flags: c[116],
            });
        }
        let ni = r.u32()? as usize;
        let mut issues = Vec::with_capacity(ni.min(1 << 16));
        for _ in 0..ni {
            let line = r.u32()?;
            issues.push((line, IssueKind::from_code(r.u8()?)?));
        }
        if tail_events as usize > events.len() || tail_issues as usize > issues.len() {
            return None;
        }
        let arena_len = arena.bytes.len() as u64;
        if events.iter().any(|e| {
            [e.model, e.cwd, e.session, e.id, e.req]
                .iter()
                .any(|r| !r.is_none() && u64::from(r.off) + u64::from(r.len) > arena_len)
        }) {
            return None;
        }
        out.insert(
            path,
            LedgerFile {
                kind,
                size,
                mtime_ns,
                head_fp,
                tail_fp,
                data: FileData {
                    arena,
                    events,
                    issues,
                    stats,
                    complete_len,
                    complete_lines,
                    tail_events,
                    tail_issues,
                    tail_stats,
                },
            },
        );
    }
    Some(out)
}

/// Reads the ledger at `path`; a missing or unreadable ledger is empty.
pub(crate) fn load(path: &Path) -> FxHashMap<PathBuf, LedgerFile> {
    match fs_err::read(path) {
        Ok(b) => decode(&b).unwrap_or_default(),
        Err(_) => FxHashMap::default(),
    }
}

/// Writes the ledger atomically.
pub(crate) fn store(path: &Path, bytes: &[u8]) -> Result<(), UsageError> {
    let err = |source| UsageError::WriteLedger { path: path.to_path_buf(), source };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir).map_err(err)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("ledger"),
        std::process::id()
    ));
    fs_err::write(&tmp, bytes).map_err(err)?;
    fs_err::rename(&tmp, path).map_err(|e| {
        let _ = fs_err::remove_file(&tmp);
        err(e)
    })
}
