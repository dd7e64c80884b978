//! The result snapshot: the records of the last scan, valid while no log file changed.
//!
//! It sits beside the ledger and is keyed by a hash of every log file's path, size and mtime
//! and of the pricing options. A re-run with nothing new only lists the files, checks the key and
//! decodes the records, which keeps it within a few tens of milliseconds on gigabytes of logs.
//! Anything else falls back to the ledger. Like the ledger it may be deleted at any time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::event::{IssueKind, LineStats};
use crate::scan::{LineIssue, Scan, ScanStats};
use crate::{Agent, Tokens, UsageRecord};

const MAGIC: &[u8; 8] = b"SWSNAPSH";
const VERSION: u32 = 2;
const NONE: u32 = u32::MAX;

pub(crate) fn snapshot_path(dir: &Path, sources_key: u64) -> PathBuf {
    dir.join(format!("usage-snapshot-{sources_key:016x}.bin"))
}

struct Strings<'a> {
    index: FxHashMap<&'a str, u32>,
    list: Vec<&'a str>,
}

impl<'a> Strings<'a> {
    fn id(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s);
        self.index.insert(s, i);
        i
    }
}

/// Serialises `scan` under `key`.
pub(crate) fn encode(key: u64, scan: &Scan) -> Vec<u8> {
    let paths: Vec<String> = scan.issues.iter().map(|i| i.path.to_string_lossy().into_owned()).collect();
    let mut st = Strings { index: FxHashMap::default(), list: Vec::new() };
    let mut recs: Vec<[u32; 3]> = Vec::with_capacity(scan.records.len());
    for r in &scan.records {
        let m = r.model.as_deref().map_or(NONE, |s| st.id(s));
        let c = r.cwd.as_deref().map_or(NONE, |s| st.id(s));
        let s = st.id(&r.session_id);
        recs.push([m, c, s]);
    }
    let path_ids: Vec<u32> = paths.iter().map(|p| st.id(p)).collect();
    let unpriced: Vec<u32> = scan.unpriced_models.iter().map(|m| st.id(m)).collect();

    let mut w: Vec<u8> = Vec::with_capacity(64 + scan.records.len() * 70);
    w.extend_from_slice(MAGIC);
    w.extend_from_slice(&VERSION.to_le_bytes());
    w.extend_from_slice(&key.to_le_bytes());
    let u32w = |w: &mut Vec<u8>, v: u32| w.extend_from_slice(&v.to_le_bytes());
    let u64w = |w: &mut Vec<u8>, v: u64| w.extend_from_slice(&v.to_le_bytes());
    u32w(&mut w, st.list.len() as u32);
    for s in &st.list {
        u32w(&mut w, s.len() as u32);
        w.extend_from_slice(s.as_bytes());
    }
    let s = &scan.stats;
    for v in [s.files as u64, s.bytes_total, s.lines.lines, s.lines.usage_lines, s.lines.rejected, s.duplicates] {
        u64w(&mut w, v);
    }
    u32w(&mut w, scan.records.len() as u32);
    for (r, ids) in scan.records.iter().zip(&recs) {
        u64w(&mut w, r.timestamp.as_millisecond() as u64);
        w.push(r.agent as u8);
        for id in ids {
            u32w(&mut w, *id);
        }
        let t = &r.tokens;
        for v in [t.input, t.output, t.cache_creation, t.cache_read, t.reasoning, t.reasoning_in_output] {
            u64w(&mut w, v);
        }
        u64w(&mut w, r.cost_usd.to_bits());
    }
    u32w(&mut w, scan.issues.len() as u32);
    for (i, p) in scan.issues.iter().zip(&path_ids) {
        u32w(&mut w, *p);
        u32w(&mut w, i.line);
        w.push(IssueKind::code(i.kind));
    }
    u32w(&mut w, unpriced.len() as u32);
    for u in unpriced {
        u32w(&mut w, u);
    }
    w
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
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

const REC_LEN: usize = 8 + 1 + 12 + 48 + 8;

/// Decodes a snapshot whose key is `key`.
pub(crate) fn decode(b: &[u8], key: u64) -> Option<Scan> {
    let mut r = R { b, pos: 0 };
    if r.take(8)? != MAGIC || r.u32()? != VERSION || r.u64()? != key {
        return None;
    }
    let ns = r.u32()? as usize;
    let mut strings: Vec<Arc<str>> = Vec::with_capacity(ns.min(1 << 20));
    for _ in 0..ns {
        let n = r.u32()? as usize;
        strings.push(Arc::from(std::str::from_utf8(r.take(n)?).ok()?));
    }
    let get = |i: u32| -> Option<Option<Arc<str>>> {
        if i == NONE { Some(None) } else { strings.get(i as usize).cloned().map(Some) }
    };
    let mut stats = ScanStats {
        files: r.u64()? as usize,
        bytes_total: r.u64()?,
        lines: LineStats { lines: r.u64()?, usage_lines: r.u64()?, rejected: r.u64()? },
        duplicates: r.u64()?,
        ..Default::default()
    };
    stats.files_from_ledger = stats.files;
    let nr = r.u32()? as usize;
    let raw = r.take(nr.checked_mul(REC_LEN)?)?;
    let mut records = Vec::with_capacity(nr);
    for c in raw.chunks_exact(REC_LEN) {
        let u64at = |o: usize| u64::from_le_bytes(c[o..o + 8].try_into().unwrap_or_default());
        let u32at = |o: usize| u32::from_le_bytes(c[o..o + 4].try_into().unwrap_or_default());
        let agent = *Agent::ALL.get(c[8] as usize)?;
        records.push(UsageRecord {
            timestamp: jiff::Timestamp::from_millisecond(u64at(0) as i64).ok()?,
            agent,
            model: get(u32at(9))?,
            cwd: get(u32at(13))?,
            session_id: get(u32at(17))??,
            tokens: Tokens {
                input: u64at(21),
                output: u64at(29),
                cache_creation: u64at(37),
                cache_read: u64at(45),
                reasoning: u64at(53),
                reasoning_in_output: u64at(61),
            },
            cost_usd: f64::from_bits(u64at(69)),
        });
    }
    let ni = r.u32()? as usize;
    let mut issues = Vec::with_capacity(ni.min(1 << 16));
    for _ in 0..ni {
        let p = r.u32()?;
        let line = r.u32()?;
        let kind = IssueKind::from_code(r.take(1)?[0])?;
        issues.push(LineIssue { path: PathBuf::from(get(p)??.as_ref()), line, kind });
    }
    let nu = r.u32()? as usize;
    let mut unpriced = std::collections::BTreeSet::new();
    for _ in 0..nu.min(1 << 16) {
        unpriced.insert(get(r.u32()?)??.to_string());
    }
    Some(Scan { records, issues, stats, unpriced_models: unpriced, cache_warning: None })
}
