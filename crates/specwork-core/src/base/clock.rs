//! The clock. `SPECWORK_NOW` (RFC 3339, e.g. `2025-08-26T14:30:00+07:00`, or a civil time
//! `2025-08-26T14:30:00` read in the local zone) fixes "now" so tests and demos are reproducible.
//!
//! The only module that reads the clock: `tests/layers.rs` fails when another source file of any
//! crate calls `Zoned::now`, `Timestamp::now` or `SystemTime::now` (durations use `Instant`).

use jiff::Zoned;

/// The current time, or `SPECWORK_NOW` when set.
pub fn now() -> Zoned {
    if let Ok(v) = std::env::var("SPECWORK_NOW") {
        if let Ok(ts) = v.parse::<jiff::Timestamp>() {
            return ts.to_zoned(jiff::tz::TimeZone::system());
        }
        if let Ok(z) = v.parse::<Zoned>() {
            return z;
        }
        if let Ok(dt) = v.parse::<jiff::civil::DateTime>()
            && let Ok(z) = dt.to_zoned(jiff::tz::TimeZone::system())
        {
            return z;
        }
    }
    Zoned::now()
}

/// Whether `SPECWORK_NOW` fixes the clock (then the commits specwork makes carry that time too,
/// so that what it records and what git records agree).
pub fn is_fixed() -> bool {
    std::env::var_os("SPECWORK_NOW").is_some()
}

/// The machine's real time, never `SPECWORK_NOW`: only for comparing with file modification
/// times and for the age of caches. Everything recorded or reported uses [`now`].
pub fn system_time() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// `YYYY-MM-DD` of a time.
pub fn date(z: &Zoned) -> String {
    z.strftime("%Y-%m-%d").to_string()
}

/// `YYYY-MM-DD HH:MM` of a time.
pub fn minute(z: &Zoned) -> String {
    z.strftime("%Y-%m-%d %H:%M").to_string()
}
