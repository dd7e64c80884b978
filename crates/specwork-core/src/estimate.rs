//! The cost estimate of a manual token count (`log-task 1.1 done 45k`).
//!
//! A manual log knows only a total, not the input/output/cache split that real prices need, so its
//! cost is an estimate at a blended per-model rate: the guide's own figures (Haiku ≈ $0.22, Sonnet
//! ≈ $1.20, Opus ≈ $6.00 per 100k tokens). The estimate is kept in whole cents, the precision it
//! has, so that a session's total is the sum of the task costs shown. Measured usage (from the
//! agent's transcripts) is priced by the usage engine instead; this is the one place a manual price
//! comes from.

/// The model assumed when none is given: the guide implements with Haiku.
pub const DEFAULT_MODEL: &str = "haiku";

/// Blended USD per million tokens for a model family, when known.
pub fn blended_rate(model: &str) -> Option<f64> {
    let m = model.to_ascii_lowercase();
    if m.contains("haiku") {
        Some(2.2)
    } else if m.contains("sonnet") {
        Some(12.0)
    } else if m.contains("opus") {
        Some(60.0)
    } else {
        None
    }
}

/// The estimated cost of `tokens` on `model`, rounded to cents; `None` for an unknown model.
pub fn manual_cost(model: &str, tokens: u64) -> Option<f64> {
    let rate = blended_rate(model)?;
    Some((tokens as f64 * rate / 10_000.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_quick_reference() {
        // Guide: 30k → $0.07, 50k → $0.11, 100k → $0.22, 200k → $0.44 on Haiku.
        assert_eq!(manual_cost("haiku", 30_000), Some(0.07));
        assert_eq!(manual_cost("haiku", 50_000), Some(0.11));
        assert_eq!(manual_cost("claude-haiku-4-5", 200_000), Some(0.44));
        assert_eq!(manual_cost("sonnet", 100_000), Some(1.2));
        assert_eq!(manual_cost("opus", 50_000), Some(3.0));
        assert_eq!(manual_cost("haiku", 42_000), Some(0.09));
        assert_eq!(manual_cost("gpt-x", 1), None);
    }
}
