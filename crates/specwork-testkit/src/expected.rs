//! What a generator wrote that must be counted: one [`Call`] per billed model call, and the
//! ccusage-shaped daily report built from them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::synth::day_of;

/// One model call as an accountant following ccusage's rules must count it.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// When it counts (the timestamp of the line or record that wins deduplication).
    pub at_ms: i64,
    /// The model as reports name it (`claude-opus-4-6-fast` for fast mode; `None` for Claude's
    /// API-error lines, which count as a call without tokens).
    pub model: Option<String>,
    /// The agent's session id (the parent's for subagents).
    pub session: String,
    /// Uncached input tokens (Gemini: plus tool tokens).
    pub input: u64,
    /// Output tokens (Codex: reasoning included; Gemini: without thoughts).
    pub output: u64,
    pub cache_creation: u64,
    pub cache_read: u64,
    /// The call's total as ccusage reports it (Gemini counts thoughts on top of the four parts).
    pub total: u64,
    /// The cost computed from the generator's price table.
    pub cost: f64,
    /// A cost the log records itself (Claude Code 1.x's `costUSD`).
    pub recorded_cost: Option<f64>,
}

/// How a cost is taken, as ccusage's `--mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostMode {
    /// The recorded cost when there is one, else computed.
    Auto,
    /// Always computed from prices.
    Calculate,
    /// Only recorded costs (0 without one).
    Display,
}

impl Call {
    /// The call's cost in a mode.
    pub fn cost_in(&self, mode: CostMode) -> f64 {
        match mode {
            CostMode::Calculate => self.cost,
            CostMode::Auto => self.recorded_cost.unwrap_or(self.cost),
            CostMode::Display => self.recorded_cost.unwrap_or(0.0),
        }
    }
}

/// The calls a generator wrote, and the files it wrote them to.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub calls: Vec<Call>,
    /// Every log file written, in the order written.
    pub files: Vec<PathBuf>,
    /// The agent sessions written (one per top-level log), in the order written. A session may
    /// hold only copies of other sessions' calls, so it can be missing from `calls`.
    pub sessions: Vec<String>,
}

impl Expected {
    /// Sum of the calls' totals.
    pub fn total_tokens(&self) -> u64 {
        self.calls.iter().map(|c| c.total).sum()
    }

    /// The calls of one session.
    pub fn of_session(&self, session: &str) -> Expected {
        Expected {
            calls: self.calls.iter().filter(|c| c.session == session).cloned().collect(),
            files: self.files.clone(),
            sessions: vec![session.to_owned()],
        }
    }

    /// A daily report shaped like `ccusage <agent> daily --json` in a fixed UTC offset:
    /// `daily[]` rows with `date`, `inputTokens`, `outputTokens`, `cacheCreationTokens`,
    /// `cacheReadTokens`, `totalTokens`, the cost as both `totalCost` and `costUSD`, `entries`
    /// (calls) and `models{}` per model; `totals` the same over all days.
    pub fn daily(&self, offset_min: i32, mode: CostMode) -> Value {
        #[derive(Default, Clone)]
        struct Sum {
            input: u64,
            output: u64,
            cc: u64,
            cr: u64,
            total: u64,
            cost: f64,
            entries: u64,
        }
        impl Sum {
            fn add(&mut self, c: &Call, mode: CostMode) {
                self.input += c.input;
                self.output += c.output;
                self.cc += c.cache_creation;
                self.cr += c.cache_read;
                self.total += c.total;
                self.cost += c.cost_in(mode);
                self.entries += 1;
            }
            fn json(&self) -> Value {
                json!({
                    "inputTokens": self.input, "outputTokens": self.output,
                    "cacheCreationTokens": self.cc, "cacheReadTokens": self.cr,
                    "totalTokens": self.total, "totalCost": self.cost, "costUSD": self.cost,
                    "entries": self.entries,
                })
            }
        }
        let mut days: BTreeMap<String, (Sum, BTreeMap<String, Sum>)> = BTreeMap::new();
        let mut all = Sum::default();
        for c in &self.calls {
            let (day, models) = days.entry(day_of(c.at_ms, offset_min)).or_default();
            day.add(c, mode);
            if let Some(m) = &c.model {
                models.entry(m.clone()).or_default().add(c, mode);
            }
            all.add(c, mode);
        }
        let rows: Vec<Value> = days
            .into_iter()
            .map(|(date, (sum, models))| {
                let mut row = sum.json();
                row["date"] = json!(date);
                row["models"] = Value::Object(models.into_iter().map(|(m, s)| (m, s.json())).collect());
                row
            })
            .collect();
        json!({ "daily": rows, "totals": all.json() })
    }
}
