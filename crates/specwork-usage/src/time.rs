//! Timestamp parsing: ccusage's strict format for Claude lines, a lenient ISO 8601 reader for Codex
//! and Gemini, and fast UTC-offset-aware day bucketing.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// ccusage 20's strict timestamp: `YYYY-MM-DDTHH:MM:SS[.mmm]` followed by `Z` or `±HH:MM`.
/// Returns milliseconds since the Unix epoch.
pub(crate) fn parse_strict_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let n = b.len();
    let (ms, tz_start) = if (n == 20 || n == 25) && matches!(b[19], b'Z' | b'+' | b'-') {
        (0, 19)
    } else if (n == 24 || n == 29) && b[19] == b'.' {
        (digits(&b[20..23])?, 23)
    } else {
        return None;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let mo = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    let h = digits(&b[11..13])?;
    let mi = digits(&b[14..16])?;
    let se = digits(&b[17..19])?;
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    if y == 0 || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(i64::from(y), mo) {
        return None;
    }
    let tz = &b[tz_start..];
    let off_min: i64 = if tz == b"Z" {
        0
    } else {
        if tz.len() != 6 || !matches!(tz[0], b'+' | b'-') || tz[3] != b':' {
            return None;
        }
        let v = i64::from(digits(&tz[1..3])?) * 60 + i64::from(digits(&tz[4..6])?);
        if tz[0] == b'+' { v } else { -v }
    };
    let days = days_from_civil(i64::from(y), mo, d);
    Some(days * 86_400_000 + i64::from((h * 60 + mi) * 60 + se) * 1000 + i64::from(ms) - off_min * 60_000)
}

/// A lenient ISO 8601 / RFC 3339 timestamp (as Python's `datetime.fromisoformat`, which the
/// reference accountants use for Codex and Gemini): a date, optional time with fractional seconds,
/// optional `Z` or offset; no offset means UTC. Milliseconds since the epoch, rounded.
pub(crate) fn parse_lenient_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 10 {
        return None;
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(round_ms(ts));
    }
    if let Ok(dt) = s.parse::<jiff::civil::DateTime>() {
        return dt.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| round_ms(z.timestamp()));
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(days_from_civil(i64::from(d.year()), d.month() as u32, d.day() as u32) * 86_400_000);
    }
    None
}

fn round_ms(ts: jiff::Timestamp) -> i64 {
    let ns = ts.as_nanosecond();
    // Round half away from zero like Python's round() on positive values.
    ((ns + 500_000).div_euclid(1_000_000)) as i64
}

/// Milliseconds since the epoch as a jiff timestamp.
pub(crate) fn ts_from_ms(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_accepts_only_ccusage_shapes() {
        assert_eq!(parse_strict_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_strict_ms("1970-01-01T00:00:01.250Z"), Some(1250));
        assert_eq!(parse_strict_ms("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_strict_ms("2025-10-24T10:15:00.783Z"), Some(1_761_300_900_783));
        assert_eq!(parse_strict_ms("2025-10-24T10:15:00.78Z"), None);
        assert_eq!(parse_strict_ms("2025-10-24T10:15:00"), None);
        assert_eq!(parse_strict_ms("2025-10-24 10:15:00Z"), None);
        assert_eq!(parse_strict_ms("2025-02-29T10:15:00Z"), None);
        assert!(parse_strict_ms("2024-02-29T10:15:00Z").is_some());
        assert_eq!(parse_strict_ms("2025-10-24T24:00:00Z"), None);
        assert_eq!(parse_strict_ms("2025-10-24T10:15:00.123456Z"), None);
    }

    #[test]
    fn lenient_reads_iso_variants() {
        assert_eq!(parse_lenient_ms("1970-01-01T00:00:01.2345Z"), Some(1235));
        assert_eq!(parse_lenient_ms("1970-01-01T00:00:01"), Some(1000));
        assert_eq!(parse_lenient_ms("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_lenient_ms("nonsense"), None);
    }
}
