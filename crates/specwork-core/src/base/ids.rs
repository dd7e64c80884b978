//! Identifiers in the peers' formats and the timestamps written beside them.
//!
//! * approval ids `approval_{epoch ms}_{9 base36 chars}` and snapshot ids `snapshot_{ms}_{9}`
//!   (spec-workflow-mcp's `generateId`);
//! * UUID v4 strings for implementation logs (their `randomUUID`);
//! * ISO 8601 UTC timestamps with milliseconds (`2026-01-20T04:03:17.542Z`, JavaScript's
//!   `toISOString`).
//!
//! `SPECWORK_SEED` (an integer) makes the random parts reproducible, so tests and demos snapshot
//! identically. Seeded ids repeat from one process to the next, so every caller that turns an id
//! into a file name creates the file with [`crate::base::write::create`] and draws the next id when the
//! name is taken: the outcome is still deterministic for a given set of files.

use std::hash::{BuildHasher, Hasher};

/// A source of random identifiers: seeded from `SPECWORK_SEED`, else from the process's
/// randomly keyed hasher, the clock and the process id.
#[derive(Debug, Clone)]
pub struct IdSource {
    state: u64,
}

impl Default for IdSource {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSource {
    /// A new source (see the module docs for `SPECWORK_SEED`).
    pub fn new() -> Self {
        if let Some(seed) = std::env::var("SPECWORK_SEED").ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            return Self { state: seed };
        }
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
        h.write_u32(std::process::id());
        Self { state: h.finish() }
    }

    /// The next 64 random bits (splitmix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `n` lowercase base36 characters.
    pub fn base36(&mut self, n: usize) -> String {
        const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..n).map(|_| DIGITS[(self.next_u64() % 36) as usize] as char).collect()
    }

    /// A random (version 4) UUID, lowercase with hyphens.
    pub fn uuid_v4(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&hi.to_be_bytes());
        b[8..].copy_from_slice(&lo.to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }

    /// An approval id: `approval_{epoch ms}_{9 base36}`.
    pub fn approval_id(&mut self, now: jiff::Timestamp) -> String {
        format!("approval_{}_{}", now.as_millisecond(), self.base36(9))
    }

    /// A snapshot id: `snapshot_{epoch ms}_{9 base36}`.
    pub fn snapshot_id(&mut self, now: jiff::Timestamp) -> String {
        format!("snapshot_{}_{}", now.as_millisecond(), self.base36(9))
    }
}

/// `2026-01-20T04:03:17.542Z`: UTC with milliseconds, as JavaScript's `toISOString` writes it.
pub fn iso_millis(ts: jiff::Timestamp) -> String {
    let z = ts.to_zoned(jiff::tz::TimeZone::UTC);
    format!("{}.{:03}Z", z.strftime("%Y-%m-%dT%H:%M:%S"), z.millisecond())
}

/// Parses a timestamp as written by either tool (RFC 3339 / ISO 8601 with an offset or `Z`).
pub fn parse_timestamp(s: &str) -> Option<jiff::Timestamp> {
    s.trim().parse::<jiff::Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_the_peer() {
        let mut ids = IdSource { state: 7 };
        let ts: jiff::Timestamp = "2026-01-20T04:03:17.542Z".parse().unwrap();
        let id = ids.approval_id(ts);
        assert!(id.starts_with("approval_1768881797542_"), "{id}");
        assert_eq!(id.len(), "approval_1768881797542_l4sqnftsk".len());
        assert_eq!(iso_millis(ts), "2026-01-20T04:03:17.542Z");
        let u = ids.uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
