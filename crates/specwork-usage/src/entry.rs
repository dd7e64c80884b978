//! What the readers of OpenCode, Amp, Copilot CLI and Qwen Code share: ccusage 20.0.24's generic
//! entry (input, output, cache write, cache read and "extra" tokens — reasoning or thoughts
//! counted in the total and billed as output), its token-count and total-fallback rules, and the
//! line loop of a JSONL log.
//!
//! An entry's extra tokens are stored in `aux1` (billed as output) and `aux2` (counted in the
//! total) of its [`RawEvent`], so records carry them as [`Tokens::reasoning`](crate::Tokens).

use serde_json::Value;

use crate::bytes;
use crate::event::{FileData, IssueKind, MAX_TOKENS, RawEvent, StrRef};

/// The token counts of one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub input: u64,
    pub output: u64,
    pub cache_write: u64,
    pub cache_read: u64,
    pub extra: u64,
}

impl Counts {
    pub fn is_zero(&self) -> bool {
        self.input == 0 && self.output == 0 && self.cache_write == 0 && self.cache_read == 0 && self.extra == 0
    }

    /// The counts of a call whose `input` includes its cache reads and writes (Grok, ZCode): the
    /// cache read is carved out of the input first, then the cache write out of what is left
    /// (each at most what remains), so the parts sum back to `input`.
    pub fn from_inclusive(input: u64, output: u64, cache_read: u64, cache_write: u64, extra: u64) -> Counts {
        let cache_read = cache_read.min(input);
        let uncached = input - cache_read;
        let cache_write = cache_write.min(uncached);
        Counts { input: uncached - cache_write, output, cache_write, cache_read, extra }
    }

    /// ccusage's total fallback: the tokens a stated total has beyond the parts go to output when
    /// output is 0, else to the extra tokens.
    pub fn apply_total(&mut self, total: u64) {
        let parts = self.input + self.output + self.cache_write + self.cache_read + self.extra;
        if total > parts {
            if self.output == 0 {
                self.output = total - parts;
            } else {
                self.extra += total - parts;
            }
        }
    }
}

/// Where an agent's usage object keeps each count (`""` for a count it does not have).
pub(crate) struct Keys {
    pub input: &'static str,
    pub output: &'static str,
    pub cache_write: &'static str,
    pub cache_read: &'static str,
    pub extra: &'static str,
    pub total: &'static str,
}

/// The counts of usage object `u` under `keys`, after the total fallback: `Err` when a count is
/// out of range (the entry is reported, never summed), `Ok(None)` when all are zero.
pub(crate) fn counts(u: &Value, keys: &Keys) -> Result<Option<Counts>, IssueKind> {
    let mut bad = false;
    let mut n = |k: &str| if k.is_empty() { 0 } else { count(u.get(k), false, &mut bad) };
    let mut c = Counts {
        input: n(keys.input),
        output: n(keys.output),
        cache_write: n(keys.cache_write),
        cache_read: n(keys.cache_read),
        extra: n(keys.extra),
    };
    let total = n(keys.total);
    if bad {
        return Err(IssueKind::OutOfRange);
    }
    c.apply_total(total);
    Ok((!c.is_zero()).then_some(c))
}

/// A token count: a non-negative integer (or, with `strings`, a string of digits), else 0 as in
/// ccusage. A negative, fractional or absurdly large number sets `bad`: the entry is then skipped
/// and reported instead of being summed (ccusage reads such a count as 0).
pub(crate) fn count(v: Option<&Value>, strings: bool, bad: &mut bool) -> u64 {
    match v {
        Some(Value::Number(n)) => match n.as_u64() {
            Some(x) if x <= MAX_TOKENS => x,
            _ => {
                *bad = true;
                0
            }
        },
        Some(Value::String(s)) if strings => {
            let t = s.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                match t.parse::<u64>() {
                    Ok(x) if x <= MAX_TOKENS => x,
                    _ => {
                        *bad = true;
                        0
                    }
                }
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// A string that is not empty after trimming.
pub(crate) fn nonempty(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// One entry, ready to be stored.
pub(crate) struct Entry<'a> {
    pub ts_ms: i64,
    pub model: &'a str,
    pub counts: Counts,
    /// Whether the extra tokens are billed at the output price (else only counted).
    pub extra_billed: bool,
    /// The cost the log records (OpenCode), else NaN.
    pub cost_usd: f64,
    pub cwd: Option<&'a str>,
    pub session: Option<&'a str>,
    /// A message id (OpenCode deduplicates on it).
    pub id: Option<&'a str>,
    /// The provider (OpenCode prices `<provider>/<model>` too).
    pub provider: Option<&'a str>,
    pub line: u32,
}

/// Stores `e` in `fd`.
pub(crate) fn push(fd: &mut FileData, e: Entry<'_>) {
    let a = &mut fd.arena;
    let opt = |a: &mut crate::event::Arena, s: Option<&str>| s.map_or(StrRef::NONE, |s| a.intern(s.as_bytes()));
    let model = a.intern(e.model.as_bytes());
    let cwd = opt(a, e.cwd);
    let session = opt(a, e.session);
    let provider = opt(a, e.provider);
    let id = e.id.map_or(StrRef::NONE, |s| a.push(s.as_bytes()));
    let c = e.counts;
    fd.events.push(RawEvent {
        ts_ms: e.ts_ms,
        input: c.input,
        output: c.output,
        cc5: c.cache_write,
        cc1h: 0,
        cr: c.cache_read,
        aux1: if e.extra_billed { c.extra } else { 0 },
        aux2: c.extra,
        cost_usd: e.cost_usd,
        model,
        cwd,
        session,
        id,
        req: provider,
        line: e.line,
        flags: 0,
    });
}

/// Calls `f(line number, line)` for every line of a JSONL log that may carry usage (`wanted`),
/// reporting corrupt and truncated lines; fills the line counters and `complete_len`.
/// `f` returns `Err(kind)` for a line to report.
pub(crate) fn jsonl(
    data: &[u8],
    fd: &mut FileData,
    wanted: impl Fn(&[u8]) -> bool,
    mut f: impl FnMut(u32, &Value, &mut FileData) -> Result<(), IssueKind>,
) {
    let complete = bytes::complete_len(data);
    let mut lines: Vec<(&[u8], bool)> = bytes::complete_lines(&data[..complete]).map(|(_, l)| (l, false)).collect();
    if complete < data.len() {
        lines.push((&data[complete..], true));
    }
    for (no, (raw, is_tail)) in (1u32..).zip(lines) {
        fd.stats.lines += 1;
        if !is_tail {
            fd.complete_lines = no;
        }
        let issue = if is_tail { IssueKind::TruncatedLastLine } else { IssueKind::CorruptLine };
        if raw.trim_ascii().is_empty() {
            continue;
        }
        if !wanted(raw) {
            if !bytes::looks_like_json_object(raw) {
                fd.issues.push((no, issue));
            }
            continue;
        }
        fd.stats.usage_lines += 1;
        match serde_json::from_slice::<Value>(raw) {
            Ok(v) => {
                if let Err(k) = f(no, &v, fd) {
                    fd.issues.push((no, k));
                }
            }
            Err(_) => fd.issues.push((no, issue)),
        }
    }
    fd.complete_len = complete as u64;
}

/// Parses a whole-file JSON log; a file that does not parse is reported as corrupt.
pub(crate) fn json_file(data: &[u8], fd: &mut FileData) -> Option<Value> {
    fd.stats.lines += 1;
    fd.complete_len = data.len() as u64;
    match serde_json::from_slice::<Value>(data) {
        Ok(v) => Some(v),
        Err(e) => {
            fd.issues.push((e.line().max(1) as u32, IssueKind::CorruptFile));
            None
        }
    }
}
