//! The cost estimate of a manual token count (`log-task 1.1 done 45k`).
//!
//! A manual log knows only a total, not the input/output/cache split that real prices need, so its
//! cost is an estimate at a blended per-model rate: the guide's own figures (Haiku ≈ $0.22, Sonnet
//! ≈ $1.20, Opus ≈ $6.00 per 100k tokens). The estimate is kept in whole cents, the precision it
//! has, so that a session's total is the sum of the task costs shown. Measured usage (from the
//! agent's transcripts) is priced by the usage engine instead; this is the one place a manual price
//! comes from.
//!
//! It also holds the workspace's history of tokens per done task ([`history`]), from which
//! `specwork cost --estimate` projects the cost of the remaining tasks per model.

use crate::model::tasks::TaskStatus;
use crate::stores::journal::Tokens;
use crate::stores::session::SessionIndex;

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

/// Tokens per task when a workspace has no history: the guide's full day, 195k tokens for five
/// tasks.
pub const RULE_OF_THUMB_TOKENS: u64 = 39_000;

/// The usage of the done tasks of a workspace, one entry per (spec, task), summed over the
/// sessions that worked on it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TaskHistory {
    /// Tasks whose usage was all measured from transcripts (with the input/output/cache split).
    pub measured: Vec<Tokens>,
    /// Tasks with manual token counts only (totals).
    pub manual: Vec<u64>,
}

/// The history of done tasks in `index`: a task counts once it is done in some session; its
/// usage is measured when every session's figure for it was measured, manual otherwise.
pub fn history(index: &SessionIndex) -> TaskHistory {
    let mut tasks: std::collections::BTreeMap<(&str, &str), (bool, bool, Tokens, bool)> = Default::default();
    for s in &index.sessions {
        for t in &s.tasks {
            let e = tasks.entry((t.spec.as_str(), t.task.as_str())).or_insert((false, true, Tokens::default(), false));
            e.0 |= t.status == TaskStatus::Done;
            if let Some(u) = &t.usage
                && u.tokens.total > 0
            {
                if e.3 {
                    e.2.add(&u.tokens);
                } else {
                    e.2 = u.tokens;
                }
                e.3 = true;
                e.1 &= u.source == "measured";
            }
        }
    }
    let mut h = TaskHistory::default();
    for (done, measured, tokens, has_usage) in tasks.into_values() {
        if !done || !has_usage {
            continue;
        }
        if measured {
            h.measured.push(tokens);
        } else {
            h.manual.push(tokens.total);
        }
    }
    h
}

/// The median of a list of counts (the mean of the two middle ones for an even count), `None`
/// when empty.
pub fn median(values: &[u64]) -> Option<u64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]).div_ceil(2)),
    }
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

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5, 1, 3]), Some(3));
        assert_eq!(median(&[4, 1, 3, 2]), Some(3));
    }
}
