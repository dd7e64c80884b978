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

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use specwork_usage::PriceTable;

use crate::base::display;
use crate::model::spec::Spec;
use crate::model::tasks::TaskStatus;
use crate::stores::journal::Tokens;
use crate::stores::session::{SessionIndex, Usage};

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

/// What the history knows of one task: whether some session finished it, whether all its usage
/// was measured, its tokens over the sessions, and whether it had any usage at all.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskFold {
    done: bool,
    measured: bool,
    tokens: Tokens,
    has_usage: bool,
}

impl Default for TaskFold {
    fn default() -> Self {
        Self { done: false, measured: true, tokens: Tokens::default(), has_usage: false }
    }
}

impl TaskFold {
    /// Adds what another set of sessions knows of the same task.
    fn merge(&mut self, o: &TaskFold) {
        self.done |= o.done;
        if o.has_usage {
            if self.has_usage {
                self.tokens.add(&o.tokens);
            } else {
                self.tokens = o.tokens;
            }
            self.has_usage = true;
        }
        self.measured &= o.measured;
    }
}

/// The tasks of `sessions`, by `spec` + U+001F + `task`.
pub fn fold<'a>(sessions: impl Iterator<Item = &'a crate::stores::session::Session>) -> BTreeMap<String, TaskFold> {
    let mut tasks: BTreeMap<String, TaskFold> = BTreeMap::new();
    for s in sessions {
        for t in &s.tasks {
            let mut one = TaskFold { done: t.status == TaskStatus::Done, ..TaskFold::default() };
            if let Some(u) = &t.usage
                && u.tokens.total > 0
            {
                one.tokens = u.tokens;
                one.has_usage = true;
                one.measured = u.source == "measured";
            }
            tasks.entry(format!("{}\u{1f}{}", t.spec, t.task)).or_default().merge(&one);
        }
    }
    tasks
}

/// The history of done tasks with usage: measured when every session's figure for a task was.
fn history_of(tasks: impl Iterator<Item = TaskFold>) -> TaskHistory {
    let mut h = TaskHistory::default();
    for t in tasks.filter(|t| t.done && t.has_usage) {
        if t.measured {
            h.measured.push(t.tokens);
        } else {
            h.manual.push(t.tokens.total);
        }
    }
    h
}

/// The history of done tasks in `index`: a task counts once it is done in some session; its
/// usage is measured when every session's figure for it was measured, manual otherwise.
pub fn history(index: &SessionIndex) -> TaskHistory {
    history_of(fold(index.sessions.iter()).into_values())
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

/// The model families an estimate prices, with the model each is priced as.
pub const FAMILIES: [(&str, &str); 3] =
    [("haiku", "claude-haiku-4-5"), ("sonnet", "claude-sonnet-4-6"), ("opus", "claude-opus-4-6")];

/// The shares of each token kind in the measured history.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Mix {
    /// Uncached input.
    pub input: f64,
    /// Output.
    pub output: f64,
    /// Cache writes.
    pub cache_creation: f64,
    /// Cache reads.
    pub cache_read: f64,
}

/// What an estimate rests on.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Basis {
    /// Done tasks the figure comes from (0 for the rule of thumb).
    pub tasks: usize,
    /// Tokens per task assumed.
    pub median_tokens: u64,
    /// Shares of each token kind (measured history only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mix: Option<Mix>,
}

/// The cost of one task on one model family.
#[derive(Clone, Debug, Serialize)]
pub struct ModelRate {
    /// `haiku`, `sonnet`, `opus`.
    pub model: &'static str,
    /// The priced model (the table's key, or the family for blended manual rates).
    pub priced_as: String,
    /// USD per task.
    pub per_task_usd: f64,
}

/// The estimate of one task from this workspace's history.
#[derive(Clone, Debug, Serialize)]
pub struct PerTask {
    /// `measured` (this workspace's measured history), `manual` (its manual counts) or
    /// `rule_of_thumb` (the guide's figures).
    pub source: &'static str,
    /// What it rests on.
    pub basis: Basis,
    /// Its cost per model family.
    pub models: Vec<ModelRate>,
}

impl PerTask {
    /// The cost per task on `model` (a family or a model name), falling back to the first family.
    pub fn rate_for(&self, model: &str) -> Option<&ModelRate> {
        let m = model.to_ascii_lowercase();
        self.models.iter().find(|r| m.contains(r.model)).or(self.models.first())
    }
}

/// What the estimate of one task rests on: the median of this workspace's done tasks (measured
/// ones first, with their token mix; else manual counts; else the guide's rule of thumb), and
/// which of the three it is.
pub fn basis(h: &TaskHistory) -> (&'static str, Basis) {
    if !h.measured.is_empty() {
        let totals: Vec<u64> = h.measured.iter().map(|t| t.total).collect();
        let median = median(&totals).unwrap_or(0);
        let all = totals.iter().sum::<u64>().max(1) as f64;
        let share =
            |f: fn(&Tokens) -> Option<u64>| h.measured.iter().map(|t| f(t).unwrap_or(0)).sum::<u64>() as f64 / all;
        let mix = Mix {
            input: share(|t| t.input),
            output: share(|t| t.output),
            cache_creation: share(|t| t.cache_creation),
            cache_read: share(|t| t.cache_read),
        };
        return ("measured", Basis { tasks: h.measured.len(), median_tokens: median, mix: Some(mix) });
    }
    match median(&h.manual) {
        Some(m) => ("manual", Basis { tasks: h.manual.len(), median_tokens: m, mix: None }),
        None => ("rule_of_thumb", Basis { tasks: 0, median_tokens: RULE_OF_THUMB_TOKENS, mix: None }),
    }
}

/// One task's estimate on each model family: measured history priced with its token mix, manual
/// counts and the rule of thumb at the blended rates.
pub fn priced(source: &'static str, basis: Basis, prices: &PriceTable) -> PerTask {
    let mut models = Vec::new();
    match &basis.mix {
        Some(mix) => {
            for (family, name) in FAMILIES {
                let Some((key, p)) = prices.lookup(name) else { continue };
                // Per-task totals are not one request: long-context tiers do not apply.
                let per_task = basis.median_tokens as f64 / 1e6
                    * (mix.input * p.input
                        + mix.output * p.output
                        + mix.cache_creation * p.cache_write_5m
                        + mix.cache_read * p.cache_read);
                models.push(ModelRate {
                    model: family,
                    priced_as: key.to_owned(),
                    per_task_usd: display::round_usd(per_task),
                });
            }
        }
        None => {
            for (family, _) in FAMILIES {
                let rate = blended_rate(family).unwrap_or(0.0);
                models.push(ModelRate {
                    model: family,
                    priced_as: family.to_owned(),
                    per_task_usd: display::round_usd(basis.median_tokens as f64 * rate / 1e6),
                });
            }
        }
    }
    PerTask { source, basis, models }
}

/// The estimate of one task from the history `h` ([`basis`], [`priced`]).
pub fn per_task(h: &TaskHistory, prices: &PriceTable) -> PerTask {
    let (source, b) = basis(h);
    priced(source, b, prices)
}

/// The archived sessions' tasks as cached in `.specwork/hooks/estimate.json`.
#[derive(Serialize, Deserialize)]
struct CachedFolds {
    /// The journal index it was computed from (its size and modification time).
    stamp: u64,
    tasks: BTreeMap<String, TaskFold>,
}

/// The journal index's size and modification time, as a number that changes with it.
fn index_stamp(root: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Ok(m) = crate::base::path_policy::metadata(root.join(crate::stores::journal_index::INDEX_FILE)) {
        (m.len(), m.modified().ok()).hash(&mut h);
    }
    h.finish()
}

/// This workspace's [`basis`], from every session it recorded. A report that shows it beside
/// one spec (`status SPEC`) must not read the whole history each time: the archived sessions'
/// tasks are kept in `.specwork/hooks/estimate.json` while the journal index (rewritten whenever
/// the archive changes) is unchanged, and the open sessions (few) are read each time. Call it
/// after loading sessions through the index, which brings the index up to date. Failing to write
/// the cache only costs time.
pub fn workspace_basis(root: &Path) -> (&'static str, Basis) {
    let cache = root.join(crate::stores::journal::HOOKS_DIR).join("estimate.json");
    let stamp = index_stamp(root);
    let read = crate::base::path_policy::read_capped(&cache, 16 * 1024 * 1024).ok();
    let mut tasks = match read.and_then(|b| serde_json::from_slice::<CachedFolds>(&b).ok()) {
        Some(c) if c.stamp == stamp => c.tasks,
        _ => {
            let all = SessionIndex::load_indexed(root);
            let tasks = fold(all.sessions.iter().filter(|s| s.archived));
            // The stamp after the load: reading the index may have rewritten it.
            let c = CachedFolds { stamp: index_stamp(root), tasks };
            if let Ok(bytes) = serde_json::to_vec(&c) {
                let _ = crate::base::write::overwrite(&cache, &bytes);
            }
            c.tasks
        }
    };
    let current = SessionIndex::load_current(root);
    for (k, t) in fold(current.sessions.iter()) {
        tasks.entry(k).or_default().merge(&t);
    }
    basis(&history_of(tasks.into_values()))
}

/// What each task of `spec` used so far, summed over the sessions in `index` (tasks without
/// recorded usage are absent).
pub fn actuals(index: &SessionIndex, spec: &str) -> BTreeMap<String, Usage> {
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    for s in &index.sessions {
        for t in s.tasks.iter().filter(|t| t.spec == spec) {
            if let Some(u) = &t.usage {
                match out.get_mut(&t.task) {
                    Some(acc) => acc.add(u),
                    None => {
                        out.insert(t.task.clone(), u.clone());
                    }
                }
            }
        }
    }
    out
}

/// One spec's estimate beside what its tasks used.
#[derive(Clone, Debug, Serialize)]
pub struct SpecEstimate {
    /// Where the per-task figure comes from (see [`PerTask::source`]).
    pub source: &'static str,
    /// Tokens per task estimated.
    pub tokens_per_task: u64,
    /// The model family the cost is given for (the spec's sessions' model, else Haiku).
    pub model: &'static str,
    /// USD per task estimated on that model.
    pub usd_per_task: f64,
    /// The spec's tasks (placeholders left out).
    pub tasks: usize,
    /// Estimate for all of them.
    pub tokens: u64,
    /// Estimate for all of them, USD.
    pub usd: f64,
    /// The tasks not done yet, in the order of the task list.
    pub remaining_tasks: Vec<String>,
    /// Estimate for them.
    pub remaining_tokens: u64,
    /// Estimate for them, USD on [`SpecEstimate::model`].
    pub remaining_usd: f64,
    /// What the per-task figure rests on.
    pub basis: Basis,
    /// One task's cost on each model family.
    pub models: Vec<ModelRate>,
    /// Tasks with recorded usage.
    pub measured_tasks: usize,
    /// Tokens those tasks used.
    pub actual_tokens: u64,
    /// USD those tasks cost.
    pub actual_usd: f64,
    /// Estimate for the tasks with recorded usage, to compare with the actual figures.
    pub estimate_for_measured_tokens: u64,
}

/// The estimate of `spec` ([`spec_estimate`]) with the sessions that touched it read from the
/// journal index. `status SPEC` and `cost --estimate SPEC` both show this one figure.
pub fn for_spec(ws: &crate::model::workspace::Workspace, spec: &Spec) -> SpecEstimate {
    let index = SessionIndex::load_indexed_where(&ws.root, |h| h.touches(&spec.id));
    spec_estimate(&ws.root, spec, &index, &ws.config)
}

/// The estimate of `spec` from the workspace's history ([`workspace_basis`]) beside the usage its
/// tasks recorded in `sessions` (every session that touched the spec).
pub fn spec_estimate(
    root: &Path,
    spec: &Spec,
    sessions: &SessionIndex,
    config: &crate::model::config::Config,
) -> SpecEstimate {
    let (source, b) = workspace_basis(root);
    // Prices matter only for a measured basis (manual counts use the blended rates).
    let prices = if b.mix.is_some() {
        crate::usage::logs::price_table(config).unwrap_or_else(|_| PriceTable::builtin())
    } else {
        PriceTable::default()
    };
    let est = priced(source, b, &prices);
    let model = sessions
        .sessions
        .iter()
        .rev()
        .filter(|s| s.touches(&spec.id))
        .filter_map(|s| s.model.as_deref())
        .find_map(|m| FAMILIES.iter().find(|(f, _)| m.to_ascii_lowercase().contains(f)).map(|(f, _)| *f))
        .unwrap_or(DEFAULT_MODEL);
    let usd_per_task = est.rate_for(model).map_or(0.0, |r| r.per_task_usd);
    let real = || spec.tasks.tasks.iter().filter(|t| !t.is_placeholder());
    let tasks = real().count();
    let remaining: Vec<String> = real().filter(|t| t.status != TaskStatus::Done).map(|t| t.id.clone()).collect();
    let act = actuals(sessions, &spec.id);
    let per = est.basis.median_tokens;
    let left = remaining.len();
    SpecEstimate {
        source: est.source,
        tokens_per_task: per,
        model,
        usd_per_task,
        tasks,
        tokens: per * tasks as u64,
        usd: display::round_usd(usd_per_task * tasks as f64),
        remaining_tasks: remaining,
        remaining_tokens: per * left as u64,
        remaining_usd: display::round_usd(usd_per_task * left as f64),
        basis: est.basis,
        models: est.models,
        measured_tasks: act.len(),
        actual_tokens: act.values().map(|u| u.tokens.total).sum(),
        actual_usd: display::round_usd(act.values().map(|u| u.cost_usd).sum()),
        estimate_for_measured_tokens: per * act.len() as u64,
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
