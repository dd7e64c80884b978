//! Reading log files and splitting them into lines.
//!
//! Large files are memory-mapped (no copy, no allocation); small ones are read into a buffer, which
//! is cheaper than setting up a mapping. Lines are split on `\n` with `memchr`. The bytes after the
//! last `\n` (a line still being written, or a torn one) are the *tail*: they are parsed on every
//! scan but never recorded in the ledger as complete, so an append is read from the end of the last
//! complete line.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Files at least this large are mapped instead of read.
const MMAP_MIN: u64 = 256 * 1024;

/// The bytes of a file from an offset, either mapped or owned.
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}

/// Reads `path` from byte `offset` to its current end.
pub(crate) fn read_from(path: &Path, offset: u64) -> std::io::Result<FileBytes> {
    let mut file = fs_err::File::open(path)?;
    let len = file.metadata()?.len();
    if offset >= len {
        return Ok(FileBytes::Owned(Vec::new()));
    }
    let n = len - offset;
    if n >= MMAP_MIN && std::env::var_os("SPECWORK_USAGE_NO_MMAP").is_none() {
        // SAFETY: the mapping is read-only and private to this call. Agents only append to their
        // logs; a file truncated by another process while mapped could fault, a risk shared with
        // every mmap-based reader (ripgrep et al.) and accepted here for the speed of large scans.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::MmapOptions::new().offset(offset).len(n as usize).populate().map(file.file())? };
        return Ok(FileBytes::Mapped(map));
    }
    if offset > 0 {
        file.seek(SeekFrom::Start(offset))?;
    }
    let mut buf = Vec::with_capacity(n as usize);
    file.take(n).read_to_end(&mut buf)?;
    Ok(FileBytes::Owned(buf))
}

/// Iterates the complete lines of `data` (without their `\n`), with their start offsets.
pub(crate) fn complete_lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut pos = 0;
    memchr::memchr_iter(b'\n', data).map(move |nl| {
        let start = pos;
        pos = nl + 1;
        (start, &data[start..nl])
    })
}

/// The length of `data` up to and including its last `\n` (0 if none).
pub(crate) fn complete_len(data: &[u8]) -> usize {
    memchr::memrchr(b'\n', data).map_or(0, |i| i + 1)
}

/// A cheap structural check for a JSONL line: after trimming whitespace it starts with `{` and
/// ends with `}`. Lines that carry usage are fully parsed anyway; this catches torn lines that do
/// not.
pub(crate) fn looks_like_json_object(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    t.is_empty() || (t.first() == Some(&b'{') && t.last() == Some(&b'}'))
}

/// Whether `line` has the key `key` finds (`"usage"`) followed by `:` and a value starting with
/// `value`, with any JSON whitespace between them: the exact-bytes checks would miss lines written
/// with spaces (`"usage": {`), which are valid JSON and count like compact ones.
pub(crate) fn has_key_value(key: &memchr::memmem::Finder<'_>, line: &[u8], value: &[u8]) -> bool {
    let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut off = 0;
    while let Some(i) = key.find(&line[off..]) {
        let after = off + i + key.needle().len();
        let rest = &line[after..];
        let rest = &rest[rest.iter().take_while(|b| ws(b)).count()..];
        if let Some(rest) = rest.strip_prefix(b":") {
            let rest = &rest[rest.iter().take_while(|b| ws(b)).count()..];
            if rest.starts_with(value) {
                return true;
            }
        }
        off = after;
    }
    false
}

/// A 64-bit FNV-1a hash, used to fingerprint file prefixes in the ledger.
pub(crate) fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
