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
    /// Who serves the model at this price (LiteLLM's `litellm_provider`: `anthropic`,
    /// `bedrock_converse`, `openai`, ...; `specwork` for the few built-ins, `specwork.toml` for
    /// models the user adds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
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
    /// Keys given in `specwork.toml` (normalized, as written): matched before the table, so an
    /// override of `claude-sonnet-4-5` also prices `claude-sonnet-4-5-20250929`.
    overridden: Vec<(String, String)>,
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
        provider: None,
    }
}

/// The embedded table (`data/prices.json`, written by `scripts/refresh-prices.py`).
const EMBEDDED: &str = include_str!("../data/prices.json");

/// Where the built-in prices come from, shown by `specwork cost --prices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceSource {
    /// The published table (LiteLLM's `model_prices_and_context_window_backup.json`).
    pub source: String,
    /// The package it ships in (`litellm` on PyPI).
    pub package: String,
    /// The package version it was taken from.
    pub version: String,
    /// When it was taken (YYYY-MM-DD).
    pub date: String,
    /// Models the table prices.
    pub models: usize,
}

#[derive(Deserialize)]
struct EmbeddedFile {
    source: String,
    package: String,
    version: String,
    date: String,
    models: BTreeMap<String, EmbeddedPrice>,
}

/// One model of the embedded table, USD per token.
#[derive(Deserialize)]
struct EmbeddedPrice {
    p: Option<String>,
    i: f64,
    o: f64,
    cw: Option<f64>,
    cw1h: Option<f64>,
    cr: Option<f64>,
    i200: Option<f64>,
    o200: Option<f64>,
    cw200: Option<f64>,
    cr200: Option<f64>,
    fast: Option<f64>,
}

/// USD per token to USD per million tokens, without the float noise of `* 1e6`.
fn per_million(v: f64) -> f64 {
    (v * 1e6 * 1e9).round() / 1e9
}

impl EmbeddedPrice {
    fn to_price(&self) -> ModelPrice {
        let input = per_million(self.i);
        let output = per_million(self.o);
        let cache_write_5m = self.cw.map_or(input * 1.25, per_million);
        let cache_read = self.cr.map_or(input * 0.1, per_million);
        let long_context = (self.i200.is_some() || self.o200.is_some()).then(|| {
            let li = self.i200.map_or(input, per_million);
            LongContextPrice {
                threshold: 200_000,
                input: li,
                output: self.o200.map_or(output, per_million),
                cache_write_5m: self.cw200.map_or(cache_write_5m, per_million),
                cache_write_1h: li * 2.0,
                cache_read: self.cr200.map_or(cache_read, per_million),
            }
        });
        ModelPrice {
            input,
            output,
            cache_write_5m,
            cache_write_1h: self.cw1h.map_or(input * 2.0, per_million),
            cache_read,
            long_context,
            fast_multiplier: self.fast,
            provider: self.p.clone(),
        }
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

/// Models Claude Code and Gemini CLI still log that LiteLLM's table no longer lists under their
/// own name (ccusage keeps the same built-ins); used only where the table has no such key.
fn supplement() -> Vec<(&'static str, ModelPrice)> {
    let gemini3 = ModelPrice {
        cache_write_5m: 0.0,
        cache_write_1h: 0.0,
        cache_read: 0.2,
        long_context: Some(LongContextPrice {
            threshold: 200_000,
            input: 4.0,
            output: 18.0,
            cache_write_5m: 0.0,
            cache_write_1h: 0.0,
            cache_read: 0.4,
        }),
        ..anthropic(2.0, 12.0)
    };
    vec![
        ("claude-opus-4-1", anthropic(15.0, 75.0)),
        ("claude-opus-4", anthropic(15.0, 75.0)),
        ("claude-sonnet-4", ModelPrice { long_context: long(6.0, 22.5), ..anthropic(3.0, 15.0) }),
        ("claude-3-7-sonnet", anthropic(3.0, 15.0)),
        ("claude-3-5-sonnet", anthropic(3.0, 15.0)),
        ("claude-3-5-haiku", anthropic(0.8, 4.0)),
        ("claude-3-opus", anthropic(15.0, 75.0)),
        ("claude-3-haiku", anthropic(0.25, 1.25)),
        ("gemini-3-pro-preview", gemini3),
    ]
}

/// Fast-mode multipliers Anthropic publishes that the table does not carry.
const FAST_MULTIPLIERS: [(&str, f64); 1] = [("claude-opus-4-6", 6.0)];

fn embedded() -> &'static (PriceSource, BTreeMap<String, ModelPrice>) {
    static TABLE: std::sync::OnceLock<(PriceSource, BTreeMap<String, ModelPrice>)> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        // The file is checked by the `embedded_table_parses` test; a broken one cannot ship.
        let f: EmbeddedFile = serde_json::from_str(EMBEDDED).unwrap_or_else(|e| {
            panic!("crates/specwork-usage/data/prices.json is not valid ({e}); rerun scripts/refresh-prices.py")
        });
        let mut entries: BTreeMap<String, ModelPrice> =
            f.models.iter().map(|(k, v)| (k.clone(), v.to_price())).collect();
        let source = PriceSource {
            source: f.source,
            package: f.package,
            version: f.version,
            date: f.date,
            models: entries.len(),
        };
        for (k, mut v) in supplement() {
            v.provider = Some("specwork".to_owned());
            entries.entry(k.to_owned()).or_insert(v);
        }
        for (k, m) in FAST_MULTIPLIERS {
            if let Some(p) = entries.get_mut(k) {
                p.fast_multiplier.get_or_insert(m);
            }
        }
        (source, entries)
    })
}

impl PriceTable {
    /// The built-in table: LiteLLM's published prices embedded at build time (see
    /// [`PriceTable::builtin_source`]), plus a few older models under their short names.
    pub fn builtin() -> Self {
        Self::from_entries(embedded().1.clone())
    }

    /// Where the built-in prices come from.
    pub fn builtin_source() -> &'static PriceSource {
        &embedded().0
    }

    /// The models `specwork.toml` overrides or adds.
    pub fn overridden(&self) -> impl Iterator<Item = &str> {
        self.overridden.iter().map(|(_, k)| k.as_str())
    }

    fn from_entries(entries: BTreeMap<String, ModelPrice>) -> Self {
        let normalized = entries.keys().map(|k| (normalize(k), k.clone())).collect();
        Self { entries, normalized, overridden: Vec::new() }
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
                    ModelPrice { provider: Some("specwork.toml".to_owned()), ..anthropic(input, output) }
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
        let mut overridden: Vec<(String, String)> = self.overridden;
        for k in overrides.keys() {
            if !overridden.iter().any(|(_, o)| o == k) {
                overridden.push((normalize(k), k.clone()));
            }
        }
        Ok(Self { overridden, ..Self::from_entries(entries) })
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
        for (_, k) in &self.overridden {
            k.hash(h);
        }
    }

    /// All entries, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ModelPrice)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The price of `model`, with the table key that matched.
    ///
    /// Keys from `specwork.toml` are tried first, then the whole table, each with ccusage's rules.
    pub fn lookup(&self, model: &str) -> Option<(&str, &ModelPrice)> {
        let model_n = normalize(model);
        let key = best_match(&self.overridden, model, &model_n).or_else(|| {
            if self.entries.contains_key(model) { Some(model) } else { best_match(&self.normalized, model, &model_n) }
        })?;
        self.entries.get_key_value(key).map(|(k, v)| (k.as_str(), v))
    }

    /// The price of `model` when the table (or an override) has exactly that key.
    pub(crate) fn exact(&self, model: &str) -> Option<(&str, &ModelPrice)> {
        self.entries.get_key_value(model).map(|(k, v)| (k.as_str(), v))
    }
}

/// ccusage's match: the exact key, else the key equal once `.` and `@` read as `-`
/// (`claude-haiku-4.5` is `claude-haiku-4-5`, not a regional Bedrock entry that merely contains
/// it), else the longest key matching between boundaries (the alphabetically first of equal
/// length).
fn best_match<'k>(keys: &'k [(String, String)], model: &str, model_n: &str) -> Option<&'k str> {
    let mut best: Option<&str> = None;
    let mut same: Option<&str> = None;
    for (key_n, key) in keys {
        if key == model {
            return Some(key);
        }
        if key_n == model_n && same.is_none() {
            same = Some(key);
        }
        let hit = key_n == model_n
            || contains_key(model, key)
            || contains_key(key, model)
            || contains_key(model_n, key_n)
            || contains_key(key_n, model_n);
        if hit {
            best = match best {
                Some(b) if b.len() > key.len() || (b.len() == key.len() && b < key.as_str()) => Some(b),
                _ => Some(key.as_str()),
            };
        }
    }
    same.or(best)
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

    /// The cost of one entry of OpenCode, Amp, Copilot CLI or Qwen Code, as ccusage prices them:
    /// each token category on its own, the long-context rate only for the part of that category
    /// above the threshold; reasoning billed as output.
    pub fn generic_cost(&self, t: &BillableTokens) -> f64 {
        let lc = self.long_context.as_ref();
        let th = lc.map_or(u64::MAX, |l| l.threshold);
        tiered(t.input, self.input, lc.map(|l| l.input), th)
            + tiered(t.output + t.reasoning, self.output, lc.map(|l| l.output), th)
            + tiered(t.cache_write_5m + t.cache_write_1h, self.cache_write_5m, lc.map(|l| l.cache_write_5m), th)
            + tiered(t.cache_read, self.cache_read, lc.map(|l| l.cache_read), th)
    }

    /// The cost of one Codex call: flat prices, no tier.
    pub fn codex_cost(&self, t: &BillableTokens) -> f64 {
        t.input as f64 * self.input * PER_TOKEN
            + t.cache_read as f64 * self.cache_read * PER_TOKEN
            + t.output as f64 * self.output * PER_TOKEN
    }

    /// The cost of one Gemini call (and of a Grok turn, priced the same way by ccusage): the
    /// long-context prices apply to the whole call when input plus cached input passes the
    /// threshold; reasoning is billed as output.
    pub fn gemini_cost(&self, t: &BillableTokens) -> f64 {
        let (i, o, w, r) = match &self.long_context {
            Some(lc) if t.input + t.cache_read > lc.threshold => {
                (lc.input, lc.output, lc.cache_write_5m, lc.cache_read)
            }
            _ => (self.input, self.output, self.cache_write_5m, self.cache_read),
        };
        t.input as f64 * i * PER_TOKEN
            + (t.output + t.reasoning) as f64 * o * PER_TOKEN
            + (t.cache_write_5m + t.cache_write_1h) as f64 * w * PER_TOKEN
            + t.cache_read as f64 * r * PER_TOKEN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let src = PriceTable::builtin_source();
        assert_eq!(src.package, "litellm");
        assert!(src.models > 1000, "{src:?}");
        let t = PriceTable::builtin();
        assert!(t.iter().count() >= src.models);
        assert!(t.iter().all(|(_, p)| p.input.is_finite() && p.output.is_finite()));
    }

    #[test]
    fn lookup_follows_ccusage_boundaries() {
        let t = PriceTable::builtin();
        let price = |m: &str| t.lookup(m).map(|(_, p)| (p.input, p.output));
        // Dated, provider-prefixed and [1m] names are priced as the model.
        assert_eq!(price("claude-sonnet-4-5-20250929"), Some((3.0, 15.0)));
        assert_eq!(price("claude-sonnet-4-20250514"), Some((3.0, 15.0)));
        assert_eq!(price("anthropic/claude-haiku-4-5"), Some((1.0, 5.0)));
        assert_eq!(price("claude-sonnet-4-5[1m]"), Some((3.0, 15.0)));
        assert_eq!(price("claude-3-5-haiku-20241022"), Some((0.8, 4.0)));
        assert_eq!(price("claude-opus-4-1-20250805"), Some((15.0, 75.0)));
        // A newer version is not priced as an older one.
        assert_eq!(price("claude-opus-4-99"), None);
        assert_eq!(price("gpt-5.99-codex"), None);
        assert_eq!(price("<synthetic>"), None);
        // An exact key wins over longer provider keys.
        assert_eq!(t.lookup("claude-opus-4-6").unwrap().0, "claude-opus-4-6");
    }

    #[test]
    fn long_context_rules_differ_above_the_threshold() {
        let t = PriceTable::builtin();
        let (_, p) = t.lookup("claude-sonnet-4-20250514").unwrap();
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
        // The override also prices the dated name, which the table lists on its own.
        let (k, s) = t.lookup("claude-sonnet-4-5-20250929").unwrap();
        assert_eq!((k, s.input, s.output), ("claude-sonnet-4-5", 3.0, 20.0));
        let (_, h) = t.lookup("house-model").unwrap();
        assert_eq!((h.cache_write_5m, h.cache_write_1h, h.cache_read), (2.5, 4.0, 0.2));
        let mut bad = BTreeMap::new();
        bad.insert("x".to_owned(), PriceOverride::default());
        assert!(matches!(PriceTable::builtin().with_overrides(&bad), Err(UsageError::IncompletePrice { .. })));
    }
}
