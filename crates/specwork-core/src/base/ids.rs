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

/// A source of random identifiers ([`fastrand`]): seeded from `SPECWORK_SEED`, else randomly.
#[derive(Debug, Clone)]
pub struct IdSource {
    rng: fastrand::Rng,
}

impl Default for IdSource {
    fn default() -> Self {
        Self::new()
    }
}

impl IdSource {
    /// A new source (see the module docs for `SPECWORK_SEED`).
    pub fn new() -> Self {
        match std::env::var("SPECWORK_SEED").ok().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(seed) => Self::with_seed(seed),
            None => Self { rng: fastrand::Rng::new() },
        }
    }

    /// A source that draws the same ids for the same seed.
    pub fn with_seed(seed: u64) -> Self {
        Self { rng: fastrand::Rng::with_seed(seed) }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.rng.u64(..)
    }

    /// `n` lowercase base36 characters.
    pub fn base36(&mut self, n: usize) -> String {
        (0..n).map(|_| self.rng.digit(36)).collect()
    }

    /// A random (version 4) UUID, lowercase with hyphens.
    pub fn uuid_v4(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
    }

    /// An approval id: `approval_{epoch ms}_{9 base36}`.
    pub fn approval_id(&mut self, now: jiff::Timestamp) -> String {
        format!("approval_{}_{}", now.as_millisecond(), self.base36(9))
    }

    /// A review comment's id: `comment_{epoch ms}_{9 base36}`, as the peer's dashboard makes them.
    pub fn comment_id(&mut self, now: jiff::Timestamp) -> String {
        format!("comment_{}_{}", now.as_millisecond(), self.base36(9))
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
        let mut ids = IdSource::with_seed(7);
        let ts: jiff::Timestamp = "2026-01-20T04:03:17.542Z".parse().unwrap();
        let id = ids.approval_id(ts);
        assert!(id.starts_with("approval_1768881797542_"), "{id}");
        assert_eq!(id.len(), "approval_1768881797542_l4sqnftsk".len());
        assert_eq!(iso_millis(ts), "2026-01-20T04:03:17.542Z");
        let u = ids.uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert!(u.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f' | '-')), "{u}");
        assert_eq!(u.match_indices('-').map(|(i, _)| i).collect::<Vec<_>>(), [8, 13, 18, 23]);
    }

    #[test]
    fn a_seed_repeats_its_ids_and_no_seed_does_not() {
        let ts: jiff::Timestamp = "2026-01-20T04:03:17.542Z".parse().unwrap();
        let draw = |mut ids: IdSource| (ids.approval_id(ts), ids.snapshot_id(ts), ids.uuid_v4());
        assert_eq!(draw(IdSource::with_seed(42)), draw(IdSource::with_seed(42)));
        assert_ne!(draw(IdSource::with_seed(42)), draw(IdSource::with_seed(43)));
        let mut ids = IdSource::with_seed(42);
        let (a, b) = (ids.base36(9), ids.base36(9));
        assert_ne!(a, b, "a source moves on");
        assert!(a.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()), "{a}");
        // Unseeded sources differ from each other (the tests' environment sets no SPECWORK_SEED).
        if std::env::var_os("SPECWORK_SEED").is_none() {
            assert_ne!(IdSource::new().uuid_v4(), IdSource::new().uuid_v4());
        }
    }
}
