//! The compact per-file form of parsed log lines, shared by the parsers, the deduplication and the
//! ledger.
//!
//! A file's events keep every candidate line *before* cross-file deduplication, so that a scan
//! that takes most files from the ledger deduplicates exactly as a full scan does. Strings live in
//! a per-file arena and events refer to them by byte range.

use serde::Serialize;

/// A byte range in a file's arena; `len == u32::MAX` means absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StrRef {
    pub off: u32,
    pub len: u32,
}

impl StrRef {
    pub const NONE: StrRef = StrRef { off: 0, len: u32::MAX };

    pub fn is_none(self) -> bool {
        self.len == u32::MAX
    }
}

/// Per-file string storage with light interning of repeated values (model, cwd, session).
#[derive(Debug, Default, Clone)]
pub(crate) struct Arena {
    pub bytes: Vec<u8>,
    recent: Vec<StrRef>,
}

impl Arena {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self { bytes, recent: Vec::new() }
    }

    /// Appends `s` without interning (ids, which are unique).
    pub fn push(&mut self, s: &[u8]) -> StrRef {
        let off = self.bytes.len() as u32;
        self.bytes.extend_from_slice(s);
        StrRef { off, len: s.len() as u32 }
    }

    /// Appends `s` unless one of the recently interned strings is equal.
    pub fn intern(&mut self, s: &[u8]) -> StrRef {
        for r in self.recent.iter().rev() {
            if self.get(*r) == Some(s) {
                return *r;
            }
        }
        let r = self.push(s);
        if self.recent.len() >= 16 {
            self.recent.remove(0);
        }
        self.recent.push(r);
        r
    }

    pub fn get(&self, r: StrRef) -> Option<&[u8]> {
        if r.is_none() { None } else { self.bytes.get(r.off as usize..r.off as usize + r.len as usize) }
    }

    pub fn str(&self, r: StrRef) -> Option<&str> {
        self.get(r).and_then(|b| std::str::from_utf8(b).ok())
    }
}

pub(crate) const F_SIDECHAIN: u8 = 1;
pub(crate) const F_SPEED_STANDARD: u8 = 2;
pub(crate) const F_SPEED_FAST: u8 = 4;
/// Codex: the model was not logged and `gpt-5` is assumed.
pub(crate) const F_FALLBACK_MODEL: u8 = 8;

/// One candidate usage line.
///
/// Field meaning per agent: Claude uses all token fields; Codex stores uncached input in `input`,
/// cached input in `cr`, reasoning in `aux1` and the logged total in `aux2` (both only for its
/// dedup key); Gemini stores thoughts billed as output in `aux1` and thoughts counted in the total
/// in `aux2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RawEvent {
    pub ts_ms: i64,
    pub input: u64,
    pub output: u64,
    pub cc5: u64,
    pub cc1h: u64,
    pub cr: u64,
    pub aux1: u64,
    pub aux2: u64,
    /// Claude's `costUSD`; NaN when absent.
    pub cost_usd: f64,
    pub model: StrRef,
    pub cwd: StrRef,
    pub session: StrRef,
    pub id: StrRef,
    pub req: StrRef,
    pub line: u32,
    pub flags: u8,
}

impl RawEvent {
    pub fn token_total(&self) -> u64 {
        self.input + self.output + self.cc5 + self.cc1h + self.cr
    }
}

/// What was wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// A complete line that is not valid JSON (typically a torn write).
    CorruptLine,
    /// The last line of the file has no newline and is not valid JSON (cut off, or still being
    /// written).
    TruncatedLastLine,
    /// A line that is not valid UTF-8.
    InvalidUtf8,
    /// A whole-file JSON log (Gemini `.json`) that does not parse.
    CorruptFile,
    /// The file could not be read (reported with line 0).
    Unreadable,
    /// A usage line whose token count is negative, fractional or above [`MAX_TOKENS`]: skipped
    /// whole (ccusage would wrap or drop it silently).
    OutOfRange,
    /// A database record whose protobuf is cut off or malformed (Antigravity): skipped.
    CorruptRecord,
}

/// The most tokens one call may report (10^12, far above any context window); larger counts are
/// corrupt, and skipping them keeps every sum far from `u64` overflow.
pub(crate) const MAX_TOKENS: u64 = 1_000_000_000_000;

impl IssueKind {
    /// A short lowercase description.
    pub fn describe(self) -> &'static str {
        match self {
            IssueKind::CorruptLine => "corrupt line",
            IssueKind::TruncatedLastLine => "truncated last line",
            IssueKind::InvalidUtf8 => "invalid utf-8",
            IssueKind::CorruptFile => "corrupt json file",
            IssueKind::Unreadable => "cannot read the file",
            IssueKind::OutOfRange => "token count out of range (negative, fractional or too large)",
            IssueKind::CorruptRecord => "corrupt record (malformed protobuf)",
        }
    }

    /// The byte stored for this kind in the ledger and the snapshot.
    pub(crate) fn code(self) -> u8 {
        match self {
            IssueKind::CorruptLine => 0,
            IssueKind::TruncatedLastLine => 1,
            IssueKind::InvalidUtf8 => 2,
            IssueKind::CorruptFile => 3,
            IssueKind::Unreadable => 4,
            IssueKind::OutOfRange => 5,
            IssueKind::CorruptRecord => 6,
        }
    }

    /// The kind stored as `c`.
    pub(crate) fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => IssueKind::CorruptLine,
            1 => IssueKind::TruncatedLastLine,
            2 => IssueKind::InvalidUtf8,
            3 => IssueKind::CorruptFile,
            4 => IssueKind::Unreadable,
            5 => IssueKind::OutOfRange,
            6 => IssueKind::CorruptRecord,
            _ => return None,
        })
    }
}

/// Line counters of one file (or a whole scan).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LineStats {
    /// Lines read.
    pub lines: u64,
    /// Lines that looked like usage lines and were parsed.
    pub usage_lines: u64,
    /// Usage lines skipped by ccusage's rules (a `null` in a checked field, a bad timestamp,
    /// version, id or token count, an empty id); corrupt lines are counted in the issues instead.
    pub rejected: u64,
}

impl LineStats {
    pub(crate) fn add(&mut self, o: &LineStats) {
        self.lines += o.lines;
        self.usage_lines += o.usage_lines;
        self.rejected += o.rejected;
    }

    pub(crate) fn sub(&mut self, o: &LineStats) {
        self.lines -= o.lines;
        self.usage_lines -= o.usage_lines;
        self.rejected -= o.rejected;
    }
}

/// A file's parse result before deduplication.
#[derive(Debug, Default, Clone)]
pub(crate) struct FileData {
    pub arena: Arena,
    pub events: Vec<RawEvent>,
    /// (1-based line, kind)
    pub issues: Vec<(u32, IssueKind)>,
    pub stats: LineStats,
    /// Bytes up to and including the last `\n`.
    pub complete_len: u64,
    /// Number of `\n`-terminated lines.
    pub complete_lines: u32,
    /// How many of `events`, `issues` and `stats` come from the tail after `complete_len`.
    pub tail_events: u32,
    pub tail_issues: u32,
    pub tail_stats: LineStats,
}

impl FileData {
    /// Drops what came from the tail, leaving the state after the last complete line.
    pub fn drop_tail(&mut self) {
        let e = self.events.len() - self.tail_events as usize;
        self.events.truncate(e);
        let i = self.issues.len() - self.tail_issues as usize;
        self.issues.truncate(i);
        let t = self.tail_stats;
        self.stats.sub(&t);
        self.tail_events = 0;
        self.tail_issues = 0;
        self.tail_stats = LineStats::default();
    }
}
