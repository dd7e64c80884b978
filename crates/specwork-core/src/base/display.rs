//! How numbers, money and durations are written for people — the one formatter the CLI, the MCP
//! server and the dashboard share, so a figure reads the same wherever it is shown.
//!
//! Invariants: every function is pure (no clock, no configuration beyond its arguments);
//! dollar sums are rounded with [`round_usd`] before they are shown or stored, so
//! `0.09 + 0.08` is `0.17` everywhere.

use serde::Serialize;

use serde::Deserialize;

/// `[currency]`: show costs in a second currency too.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyConfig {
    /// Currency code, e.g. `THB`.
    pub code: String,
    /// Units of that currency per US dollar.
    pub rate: f64,
}

/// Short token count: `950`, `42k`, `42.5k`, `195k`, `1.2M`.
pub fn fmt_tokens(n: u64) -> String {
    fn short(v: f64, unit: &str) -> String {
        let s = if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.1}") };
        format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
    }
    if n < 1_000 {
        n.to_string()
    } else if n < 999_500 {
        short(n as f64 / 1_000.0, "k")
    } else {
        short(n as f64 / 1_000_000.0, "M")
    }
}

/// Token count with thousands separators: `195,000`.
pub fn fmt_tokens_exact(n: u64) -> String {
    let mut out = String::new();
    push_grouped(&mut out, &n.to_string());
    out
}

/// Appends a string of digits with a `,` before every group of three from the right.
fn push_grouped(out: &mut String, digits: &str) {
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// Rounds a sum of dollars to micro-dollars, so that 0.09 + 0.08 is 0.17 and not
/// 0.16999999999999998.
pub fn round_usd(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `$0.09`; amounts under a cent show as `<$0.01`.
pub fn fmt_cost(usd: f64) -> String {
    if usd > 0.0 && usd < 0.005 { "<$0.01".to_owned() } else { format!("${}", fmt_amount(usd)) }
}

/// `16,034.95`: two decimals with thousands separators.
pub fn fmt_amount(v: f64) -> String {
    let s = format!("{:.2}", v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::with_capacity(s.len() + int.len() / 3 + 1);
    if v < 0.0 && s != "0.00" {
        out.push('-');
    }
    push_grouped(&mut out, int);
    out.push('.');
    out.push_str(frac);
    out
}

/// `45 min`, `2.5 hours`.
pub fn fmt_minutes(m: u64) -> String {
    if m < 60 {
        format!("{m} min")
    } else {
        let s = format!("{:.1}", m as f64 / 60.0);
        let s = s.strip_suffix(".0").unwrap_or(&s);
        format!("{s} hour{}", if s == "1" { "" } else { "s" })
    }
}

/// A path with forward slashes whatever the platform (as files and JSON show paths).
pub fn slash_path(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Compact token count for a status line: `950`, `42k`, `1.2M` (whole thousands).
pub fn fmt_tokens_compact(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{}k", (n + 500) / 1_000),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// A cost in the second display currency (`[currency]` in specwork.toml).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostDisplay {
    /// Currency code (`THB`).
    pub code: String,
    /// The amount, rounded to two decimals.
    pub amount: f64,
}

/// `usd` in the second currency, when one is configured.
pub fn in_currency(usd: f64, currency: Option<&CurrencyConfig>) -> Option<CostDisplay> {
    let c = currency?;
    Some(CostDisplay { code: c.code.clone(), amount: (usd * c.rate * 100.0).round() / 100.0 })
}

/// `$0.43`, or `$0.43 (15.05 THB)` with a second currency.
pub fn money(usd: f64, currency: Option<&CurrencyConfig>) -> String {
    match in_currency(usd, currency) {
        Some(d) => format!("{} ({} {})", fmt_cost(usd), fmt_amount(d.amount), d.code),
        None => fmt_cost(usd),
    }
}

/// `2.5KB`, `512B`, `1.2MB`.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes}B");
    }
    let (v, unit) = if bytes < 1024 * 1024 { (bytes as f64 / 1024.0, "KB") } else { (bytes as f64 / 1048576.0, "MB") };
    let s = format!("{v:.1}");
    format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
}

/// The first `n` items joined with `, `, then `and K more` for the rest: `[role], [feature],
/// [benefit] and 12 more`.
pub fn first_of(items: &[String], n: usize) -> String {
    let shown = items[..items.len().min(n)].join(", ");
    match items.len().saturating_sub(n) {
        0 => shown,
        rest => format!("{shown} and {rest} more"),
    }
}

/// Quota used, in percentage points of the five-hour and weekly quotas: `5h +3.5% · 7d +0.8%`
/// (a quota not reported is left out; empty when neither is).
pub fn fmt_quota(five_hour: Option<f64>, seven_day: Option<f64>) -> String {
    let parts: Vec<String> = [("5h", five_hour), ("7d", seven_day)]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} +{v:.1}%")))
        .collect();
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_money() {
        assert_eq!(fmt_tokens(195_000), "195k");
        assert_eq!(fmt_tokens(42_500), "42.5k");
        assert_eq!(fmt_tokens_exact(1_234_567), "1,234,567");
        assert_eq!(fmt_tokens_compact(150_400), "150k");
        assert_eq!(fmt_cost(0.004), "<$0.01");
        assert_eq!(fmt_cost(16034.951), "$16,034.95");
        assert_eq!(fmt_cost(999.999), "$1,000.00");
        assert_eq!(fmt_cost(0.0), "$0.00");
        assert_eq!(fmt_amount(-1234.5), "-1,234.50");
        assert_eq!(fmt_amount(123.0), "123.00");
        assert_eq!(round_usd(0.09 + 0.08), 0.17);
        let thb = CurrencyConfig { code: "THB".into(), rate: 35.0 };
        assert_eq!(money(0.43, Some(&thb)), "$0.43 (15.05 THB)");
        assert_eq!(fmt_minutes(90), "1.5 hours");
    }
}
