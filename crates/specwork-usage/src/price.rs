//! The offline price table and the cost of one call.
//!
//! Prices are USD per million tokens. The built-in table covers current Claude models (input,
//! output, 5-minute and 1-hour cache writes, cache reads, the long-context tier above 200k input
//! tokens and the fast-mode multiplier) and the Codex and Gemini models their CLIs log. Users
//! override or extend it from `specwork.toml`:
//!
//! ```toml
//! [prices."claude-sonnet-4-5"]
//! input = 3.0
//! output = 15.0
//! [prices."my-proxy-model"]
//! input = 1.0
//! output = 2.0          # cache prices default to Anthropic's ratios of `input`
//! ```
//!
//! Model lookup follows ccusage: the exact name, then the name with `.`/`@` read as `-`, then the
//! longest table key found in the name (or the name in the key) between non-alphanumeric
//! boundaries, where a key ending in a digit does not match a longer version number (`claude-opus-4`
//! does not price `claude-opus-4-6`) but does match an 8-digit date suffix
//! (`claude-sonnet-4-5-20250929`, `us.anthropic.claude-sonnet-4-5-20250929-v1:0`,
//! `claude-sonnet-4-5[1m]`).
//!
//! **Long context.** Anthropic prices a whole request at the long-context rates once its input
//! (uncached input + cache writes + cache reads) passes 200,000 tokens. ccusage instead prices only
//! the tokens above 200,000 *of each category* at the higher rate, which under-prices such
//! requests. [`LongContextRule::Anthropic`] (the default) follows Anthropic;
//! [`LongContextRule::Ccusage`] reproduces ccusage for comparisons. Gemini's tier is whole-request
//! in both ccusage and Google's pricing, so the rule does not change Gemini costs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::UsageError;

/// Date of the built-in prices, shown by `specwork cost --prices`.
pub const BUILTIN_PRICES_AS_OF: &str = "2026-11";

const PER_TOKEN: f64 = 1e-6;

/// Prices of one model, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPrice {
    /// Uncached input.
    pub input: f64,
    /// Output (including reasoning).
    pub output: f64,
    /// Cache write with the default 5-minute lifetime.
    pub cache_write_5m: f64,
    /// Cache write with the 1-hour lifetime.
    pub cache_write_1h: f64,
    /// Cache read (cached input).
    pub cache_read: f64,
    /// Higher prices for requests whose input passes a threshold, if the model has them.
    pub long_context: Option<LongContextPrice>,
    /// Multiplier for Claude's fast mode (`"speed":"fast"`), if the model has one.
    pub fast_multiplier: Option<f64>,
}

/// Long-context prices, USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LongContextPrice {
    /// Input tokens above which the tier applies (200,000 for all current models).
    pub threshold: u64,
    /// Uncached input.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// 5-minute cache write.
    pub cache_write_5m: f64,
    /// 1-hour cache write.
    pub cache_write_1h: f64,
    /// Cache read.
    pub cache_read: f64,
}

/// How Claude's long-context tier is applied; see the module documentation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LongContextRule {
    /// Anthropic's published rule: a request whose input passes the threshold is priced entirely
    /// at the long-context rates.
    #[default]
    Anthropic,
    /// ccusage 20's rule: in each token category, the tokens above the threshold get the higher
    /// rate and the first 200,000 the base rate.
    Ccusage,
}

/// Where a Claude line's cost comes from (ccusage's `--mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostMode {
    /// The line's `costUSD` when present, else calculated from tokens.
    #[default]
    Auto,
    /// Always calculated from tokens and the price table.
    Calculate,
    /// Only the line's `costUSD`; 0 when absent.
    Display,
}

/// One `[prices."model"]` entry of `specwork.toml`. Absent fields keep the built-in value; for a
/// model not in the table `input` and `output` are required and cache prices default to
/// Anthropic's ratios (5-minute write 1.25×, 1-hour write 2×, read 0.1× the input price).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Uncached input.
    pub input: Option<f64>,
    /// Output.
    pub output: Option<f64>,
    /// 5-minute cache write (`cache_write` is accepted as another name).
    #[serde(alias = "cache_write")]
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache write.
    pub cache_write_1h: Option<f64>,
    /// Cache read.
    pub cache_read: Option<f64>,
    /// Long-context prices; replaces the built-in tier when given.
    pub long_context: Option<LongContextOverride>,
    /// Fast-mode multiplier.
    pub fast_multiplier: Option<f64>,
}

/// The long-context part of a [`PriceOverride`]. Absent cache prices default to Anthropic's
/// ratios of this tier's `input`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongContextOverride {
    /// Input tokens above which the tier applies (default 200,000).
    pub threshold: Option<u64>,
    /// Uncached input.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// 5-minute cache write.
    pub cache_write_5m: Option<f64>,
    /// 1-hour cache write.
    pub cache_write_1h: Option<f64>,
    /// Cache read.
    pub cache_read: Option<f64>,
}

/// The token counts of one call as the cost formulas need them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BillableTokens {
    /// Uncached input.
    pub input: u64,
    /// Output (for Gemini: without thoughts, see `reasoning`).
    pub output: u64,
    /// 5-minute cache writes.
    pub cache_write_5m: u64,
    /// 1-hour cache writes.
    pub cache_write_1h: u64,
    /// Cache reads.
    pub cache_read: u64,
    /// Reasoning billed at the output price on top of `output` (Gemini).
    pub reasoning: u64,
}

/// The price table: built-in prices plus the user's overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceTable {
    entries: BTreeMap<String, ModelPrice>,
    normalized: Vec<(String, String)>,
}

impl Default for PriceTable {
    fn default() -> Self {
        Self::builtin()
    }
}

fn anthropic(input: f64, output: f64) -> ModelPrice {
    ModelPrice {
        input,
        output,
        cache_write_5m: input * 1.25,
        cache_write_1h: input * 2.0,
        cache_read: input * 0.1,
        long_context: None,
        fast_multiplier: None,
    }
}

fn long(input: f64, output: f64) -> Option<LongContextPrice> {
    Some(LongContextPrice {
        threshold: 200_000,
        input,
        output,
        cache_write_5m: input * 1.25,
        cache_write_1h: input * 2.0,
        cache_read: input * 0.1,
    })
}

fn flat(input: f64, cache_read: f64, output: f64) -> ModelPrice {
    ModelPrice {
        input,
        output,
        cache_write_5m: 0.0,
        cache_write_1h: 0.0,
        cache_read,
        long_context: None,
        fast_multiplier: None,
    }
}

fn tiered_flat(base: (f64, f64, f64), above: (f64, f64, f64)) -> ModelPrice {
    ModelPrice {
        long_context: Some(LongContextPrice {
            threshold: 200_000,
            input: above.0,
            output: above.2,
            cache_write_5m: 0.0,
            cache_write_1h: 0.0,
            cache_read: above.1,
        }),
        ..flat(base.0, base.1, base.2)
    }
}

impl PriceTable {
    /// The built-in table (Anthropic, OpenAI and Google list prices as of
    /// [`BUILTIN_PRICES_AS_OF`]).
    pub fn builtin() -> Self {
        let mut e: Vec<(&str, ModelPrice)> = vec![
            // Claude 4.x
            (
                "claude-opus-4-6",
                ModelPrice { long_context: long(10.0, 37.5), fast_multiplier: Some(6.0), ..anthropic(5.0, 25.0) },
            ),
            ("claude-opus-4-5", anthropic(5.0, 25.0)),
            ("claude-opus-4-1", anthropic(15.0, 75.0)),
            ("claude-opus-4", anthropic(15.0, 75.0)),
            ("claude-sonnet-4-6", ModelPrice { long_context: long(6.0, 22.5), ..anthropic(3.0, 15.0) }),
            ("claude-sonnet-4-5", ModelPrice { long_context: long(6.0, 22.5), ..anthropic(3.0, 15.0) }),
            ("claude-sonnet-4", ModelPrice { long_context: long(6.0, 22.5), ..anthropic(3.0, 15.0) }),
            ("claude-haiku-4-5", anthropic(1.0, 5.0)),
            // Claude 3.x
            ("claude-3-7-sonnet", anthropic(3.0, 15.0)),
            ("claude-3-5-sonnet", anthropic(3.0, 15.0)),
            ("claude-3-5-haiku", anthropic(0.8, 4.0)),
            ("claude-3-opus", anthropic(15.0, 75.0)),
            ("claude-3-haiku", anthropic(0.25, 1.25)),
            // OpenAI (Codex CLI): input, cached input, output
            ("gpt-5", flat(1.25, 0.125, 10.0)),
            ("gpt-5-codex", flat(1.25, 0.125, 10.0)),
            ("gpt-5-mini", flat(0.25, 0.025, 2.0)),
            ("gpt-5-nano", flat(0.05, 0.005, 0.4)),
            ("gpt-5.1", flat(1.25, 0.125, 10.0)),
            ("gpt-5.1-codex", flat(1.25, 0.125, 10.0)),
            ("gpt-5.1-codex-max", flat(1.25, 0.125, 10.0)),
            ("gpt-5.1-codex-mini", flat(0.25, 0.025, 2.0)),
            ("gpt-5.2", flat(1.75, 0.175, 14.0)),
            ("gpt-5.2-codex", flat(1.75, 0.175, 14.0)),
            // Google (Gemini CLI): input, cached input, output; above 200k for the pro models
            ("gemini-2.5-pro", tiered_flat((1.25, 0.125, 10.0), (2.5, 0.25, 15.0))),
            ("gemini-2.5-flash", flat(0.30, 0.03, 2.5)),
            ("gemini-2.5-flash-lite", flat(0.10, 0.01, 0.4)),
            ("gemini-3-pro-preview", tiered_flat((2.0, 0.2, 12.0), (4.0, 0.4, 18.0))),
            ("gemini-3.1-pro-preview", tiered_flat((2.0, 0.2, 12.0), (4.0, 0.4, 18.0))),
            ("gemini-3-flash-preview", flat(0.5, 0.05, 3.0)),
        ];
        let entries = e.drain(..).map(|(k, v)| (k.to_owned(), v)).collect();
        Self::from_entries(entries)
    }

    fn from_entries(entries: BTreeMap<String, ModelPrice>) -> Self {
        let normalized = entries.keys().map(|k| (normalize(k), k.clone())).collect();
        Self { entries, normalized }
    }

    /// A table with no prices at all (every model unpriced).
    pub fn empty() -> Self {
        Self::from_entries(BTreeMap::new())
    }

    /// Applies `specwork.toml` overrides: fields given replace the built-in ones; unknown models
    /// are added. Keys are exact table keys (use the names [`PriceTable::iter`] lists to change a
    /// built-in price).
    pub fn with_overrides(self, overrides: &BTreeMap<String, PriceOverride>) -> Result<Self, UsageError> {
        let mut entries = self.entries;
        for (model, o) in overrides {
            let check = |field: &'static str, v: Option<f64>| -> Result<(), UsageError> {
                match v {
                    Some(value) if !(value.is_finite() && value >= 0.0) => {
                        Err(UsageError::InvalidPrice { model: model.clone(), field, value })
                    }
                    _ => Ok(()),
                }
            };
            check("input", o.input)?;
            check("output", o.output)?;
            check("cache_write_5m", o.cache_write_5m)?;
            check("cache_write_1h", o.cache_write_1h)?;
            check("cache_read", o.cache_read)?;
            check("fast_multiplier", o.fast_multiplier)?;
            if let Some(lc) = &o.long_context {
                check("long_context.input", Some(lc.input))?;
                check("long_context.output", Some(lc.output))?;
                check("long_context.cache_write_5m", lc.cache_write_5m)?;
                check("long_context.cache_write_1h", lc.cache_write_1h)?;
                check("long_context.cache_read", lc.cache_read)?;
            }
            let mut price = match entries.get(model) {
                Some(p) => p.clone(),
                None => {
                    let (Some(input), Some(output)) = (o.input, o.output) else {
                        return Err(UsageError::IncompletePrice { model: model.clone() });
                    };
                    anthropic(input, output)
                }
            };
            if let Some(v) = o.input {
                price.input = v;
            }
            if let Some(v) = o.output {
                price.output = v;
            }
            if let Some(v) = o.cache_write_5m {
                price.cache_write_5m = v;
            }
            if let Some(v) = o.cache_write_1h {
                price.cache_write_1h = v;
            }
            if let Some(v) = o.cache_read {
                price.cache_read = v;
            }
            if let Some(v) = o.fast_multiplier {
                price.fast_multiplier = Some(v);
            }
            if let Some(lc) = &o.long_context {
                price.long_context = Some(LongContextPrice {
                    threshold: lc.threshold.unwrap_or(200_000),
                    input: lc.input,
                    output: lc.output,
                    cache_write_5m: lc.cache_write_5m.unwrap_or(lc.input * 1.25),
                    cache_write_1h: lc.cache_write_1h.unwrap_or(lc.input * 2.0),
                    cache_read: lc.cache_read.unwrap_or(lc.input * 0.1),
                });
            }
            entries.insert(model.clone(), price);
        }
        Ok(Self::from_entries(entries))
    }

    /// Feeds every price into `h` (the snapshot key changes when prices do).
    pub(crate) fn fingerprint(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for (k, p) in &self.entries {
            k.hash(h);
            let lc = p.long_context.as_ref();
            for v in [
                p.input,
                p.output,
                p.cache_write_5m,
                p.cache_write_1h,
                p.cache_read,
                p.fast_multiplier.unwrap_or(-1.0),
                lc.map_or(-1.0, |l| l.threshold as f64),
                lc.map_or(-1.0, |l| l.input),
                lc.map_or(-1.0, |l| l.output),
                lc.map_or(-1.0, |l| l.cache_write_5m),
                lc.map_or(-1.0, |l| l.cache_write_1h),
                lc.map_or(-1.0, |l| l.cache_read),
            ] {
                v.to_bits().hash(h);
            }
        }
    }

    /// All entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The price of `model`, with the table key that matched.
    pub fn lookup(&self, model: &str) -> Option<(&str, &ModelPrice)> {
        if let Some((k, v)) = self.entries.get_key_value(model) {
            return Some((k.as_str(), v));
        }
        let model_n = normalize(model);
        let mut best: Option<&str> = None;
        for (key_n, key) in &self.normalized {
            let hit = key_n == &model_n
                || contains_key(model, key)
                || contains_key(key, model)
                || contains_key(&model_n, key_n)
                || contains_key(key_n, &model_n);
            if hit {
                best = match best {
                    Some(b) if b.len() > key.len() || (b.len() == key.len() && b < key.as_str()) => Some(b),
                    _ => Some(key.as_str()),
                };
            }
        }
        best.and_then(|k| self.entries.get_key_value(k)).map(|(k, v)| (k.as_str(), v))
    }
}

fn normalize(s: &str) -> String {
    s.replace(['.', '@'], "-")
}

/// `key` occurs in `value` with a non-alphanumeric byte (or nothing) before it, and after it
/// either nothing or a separator that does not start a version number (an 8-digit date is fine).
fn contains_key(value: &str, key: &str) -> bool {
    if key.is_empty() {
        return false;
    }
    value.match_indices(key).any(|(i, _)| {
        let before_ok = i == 0 || !value.as_bytes()[i - 1].is_ascii_alphanumeric();
        before_ok && suffix_ok(key, &value[i + key.len()..])
    })
}

fn suffix_ok(key: &str, suffix: &str) -> bool {
    let Some(&sep) = suffix.as_bytes().first() else {
        return true;
    };
    if sep.is_ascii_alphanumeric() {
        return false;
    }
    if !key.as_bytes().last().is_some_and(u8::is_ascii_digit) || !matches!(sep, b'-' | b'.') {
        return true;
    }
    let rest = &suffix.as_bytes()[1..];
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return true;
    }
    // A number right after a key ending in a digit is a newer version, unless it is a date.
    digits == 8 && rest.get(8).is_none_or(|b| !b.is_ascii_alphanumeric())
}

fn tiered(tokens: u64, base: f64, above: Option<f64>, threshold: u64) -> f64 {
    match above {
        Some(above) if tokens > threshold => {
            threshold as f64 * base * PER_TOKEN + (tokens - threshold) as f64 * above * PER_TOKEN
        }
        _ => tokens as f64 * base * PER_TOKEN,
    }
}

impl ModelPrice {
    /// The cost of one Claude call; `fast` applies the fast-mode multiplier.
    pub fn claude_cost(&self, t: &BillableTokens, fast: bool, rule: LongContextRule) -> f64 {
        let cost = match (&self.long_context, rule) {
            (Some(lc), LongContextRule::Ccusage) => {
                let th = lc.threshold;
                tiered(t.input, self.input, Some(lc.input), th)
                    + tiered(t.output, self.output, Some(lc.output), th)
                    + tiered(t.cache_write_5m, self.cache_write_5m, Some(lc.cache_write_5m), th)
                    + tiered(t.cache_write_1h, self.cache_write_1h, Some(lc.cache_write_1h), th)
                    + tiered(t.cache_read, self.cache_read, Some(lc.cache_read), th)
            }
            (Some(lc), LongContextRule::Anthropic)
                if t.input + t.cache_write_5m + t.cache_write_1h + t.cache_read > lc.threshold =>
            {
                Self::linear(t, lc.input, lc.output, lc.cache_write_5m, lc.cache_write_1h, lc.cache_read)
            }
            _ => Self::linear(t, self.input, self.output, self.cache_write_5m, self.cache_write_1h, self.cache_read),
        };
        match (fast, self.fast_multiplier) {
            (true, Some(m)) => cost * m,
            _ => cost,
        }
    }

    fn linear(t: &BillableTokens, i: f64, o: f64, w5: f64, w1: f64, r: f64) -> f64 {
        t.input as f64 * i * PER_TOKEN
            + (t.output + t.reasoning) as f64 * o * PER_TOKEN
            + t.cache_write_5m as f64 * w5 * PER_TOKEN
            + t.cache_write_1h as f64 * w1 * PER_TOKEN
            + t.cache_read as f64 * r * PER_TOKEN
    }

    /// The cost of one Codex call: flat prices, no tier.
    pub fn codex_cost(&self, t: &BillableTokens) -> f64 {
        t.input as f64 * self.input * PER_TOKEN
            + t.cache_read as f64 * self.cache_read * PER_TOKEN
            + t.output as f64 * self.output * PER_TOKEN
    }

    /// The cost of one Gemini call: the long-context prices apply to the whole call when input
    /// plus cached input passes the threshold; reasoning is billed as output.
    pub fn gemini_cost(&self, t: &BillableTokens) -> f64 {
        let (i, o, r) = match &self.long_context {
            Some(lc) if t.input + t.cache_read > lc.threshold => (lc.input, lc.output, lc.cache_read),
            _ => (self.input, self.output, self.cache_read),
        };
        t.input as f64 * i * PER_TOKEN
            + (t.output + t.reasoning) as f64 * o * PER_TOKEN
            + t.cache_read as f64 * r * PER_TOKEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_ccusage_boundaries() {
        let t = PriceTable::builtin();
        let k = |m: &str| t.lookup(m).map(|(k, _)| k.to_owned());
        assert_eq!(k("claude-sonnet-4-5-20250929").as_deref(), Some("claude-sonnet-4-5"));
        assert_eq!(k("claude-sonnet-4-20250514").as_deref(), Some("claude-sonnet-4"));
        assert_eq!(k("claude-opus-4-6").as_deref(), Some("claude-opus-4-6"));
        assert_eq!(k("us.anthropic.claude-sonnet-4-5-20250929-v1:0").as_deref(), Some("claude-sonnet-4-5"));
        assert_eq!(k("anthropic/claude-haiku-4-5").as_deref(), Some("claude-haiku-4-5"));
        assert_eq!(k("claude-sonnet-4-5[1m]").as_deref(), Some("claude-sonnet-4-5"));
        assert_eq!(k("claude-3-5-haiku-20241022").as_deref(), Some("claude-3-5-haiku"));
        assert_eq!(k("gpt-5.1-codex-max").as_deref(), Some("gpt-5.1-codex-max"));
        assert_eq!(k("gemini-2.5-pro").as_deref(), Some("gemini-2.5-pro"));
        // A newer version is not priced as an older one.
        assert_eq!(k("claude-opus-4-9"), None);
        assert_eq!(k("gpt-5.3-codex"), None);
        assert_eq!(k("<synthetic>"), None);
    }

    #[test]
    fn long_context_rules_differ_above_the_threshold() {
        let t = PriceTable::builtin();
        let (_, p) = t.lookup("claude-sonnet-4-5").unwrap();
        let tok = BillableTokens { input: 10, output: 1_000, cache_read: 250_000, ..Default::default() };
        let anthropic = p.claude_cost(&tok, false, LongContextRule::Anthropic);
        let ccusage = p.claude_cost(&tok, false, LongContextRule::Ccusage);
        // Anthropic: everything at 6 / 22.5 / 0.6.
        let want_a = (10.0 * 6.0 + 1_000.0 * 22.5 + 250_000.0 * 0.6) / 1e6;
        // ccusage: only the 50,000 cache-read tokens above 200k at 0.6.
        let want_c = (10.0 * 3.0 + 1_000.0 * 15.0 + 200_000.0 * 0.3 + 50_000.0 * 0.6) / 1e6;
        assert!((anthropic - want_a).abs() < 1e-12, "{anthropic} vs {want_a}");
        assert!((ccusage - want_c).abs() < 1e-12, "{ccusage} vs {want_c}");
        assert!(anthropic > ccusage);
    }

    #[test]
    fn overrides_merge_and_add() {
        let mut o = BTreeMap::new();
        o.insert("claude-sonnet-4-5".to_owned(), PriceOverride { output: Some(20.0), ..Default::default() });
        o.insert("house-model".to_owned(), PriceOverride { input: Some(2.0), output: Some(4.0), ..Default::default() });
        let t = PriceTable::builtin().with_overrides(&o).unwrap();
        let (_, s) = t.lookup("claude-sonnet-4-5-20250929").unwrap();
        assert_eq!((s.input, s.output), (3.0, 20.0));
        let (_, h) = t.lookup("house-model").unwrap();
        assert_eq!((h.cache_write_5m, h.cache_write_1h, h.cache_read), (2.5, 4.0, 0.2));
        let mut bad = BTreeMap::new();
        bad.insert("x".to_owned(), PriceOverride::default());
        assert!(matches!(PriceTable::builtin().with_overrides(&bad), Err(UsageError::IncompletePrice { .. })));
    }
}
