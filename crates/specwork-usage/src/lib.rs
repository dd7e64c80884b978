//! Token and cost accounting from coding agents' own logs.
//!
//! `specwork-usage` reads Claude Code transcripts, Codex CLI rollouts and Gemini CLI chat logs,
//! applies ccusage 20's accounting rules (which lines count, deduplication, model-name matching,
//! cost modes) so that token totals equal ccusage's on the same data, prices calls with an offline
//! table the user can override, and aggregates by day, week, month, model, session or any key the
//! caller computes.
//!
//! ```no_run
//! use specwork_usage::{scan, Filter, GroupBy, Report, ScanOptions, Sources};
//!
//! let opts = ScanOptions {
//!     sources: Sources::from_env()?,
//!     cache_dir: Some("/tmp/specwork-cache".into()),
//!     ..ScanOptions::default()
//! };
//! let result = scan(&opts)?;
//! let filter = Filter::in_zone(specwork_usage::time_zone("UTC")?);
//! let daily = Report::build(&result.records, &filter, GroupBy::Day);
//! println!("{} days, ${:.2}", daily.rows.len(), daily.totals.cost_usd);
//! # Ok::<(), specwork_usage::UsageError>(())
//! ```
//!
//! Invariants:
//! - A bad line never stops a scan: it is skipped, counted and reported with file and line
//!   ([`LineIssue`]).
//! - A scan with the ledger gives exactly the records of a scan without it; the ledger only saves
//!   time and may be deleted at any time ([`ScanOptions::cache_dir`]).
//! - Where specwork departs from ccusage it says so: Claude long-context pricing follows Anthropic
//!   ([`LongContextRule`]) and a Gemini session stored as both `.json` and `.jsonl` counts once.
//! - Attribution ([`attribute`]) gives each record at most one task or session window, so
//!   per-task sums never count a call twice.
//! - Nothing is written except the ledger, and only inside the caller's cache directory.

// std::fs through fs-err, whose errors name the path (clippy.toml lists the methods).
#![deny(clippy::disallowed_methods)]
#![deny(missing_docs)]

mod amp;
mod attribute;
mod bytes;
mod claude;
mod codebuff;
mod codex;
mod copilot;
mod droid;
mod entry;
mod error;
mod event;
mod fastline;
mod gemini;
mod goose;
mod grok;
mod hermes;
mod jsonx;
mod kimi;
mod ledger;
mod opencode;
mod pi;
mod price;
mod qwen;
mod record;
mod report;
mod scan;
mod snapshot;
mod sources;
mod sqlite;
mod time;
mod zcode;

pub use attribute::{Attribution, Window, attribute, inside};
pub use error::UsageError;
pub use event::{IssueKind, LineStats};
pub use price::{
    BillableTokens, CostMode, LongContextOverride, LongContextPrice, LongContextRule, ModelPrice, PriceOverride,
    PriceSource, PriceTable,
};
pub use record::{Agent, Tokens, UnknownAgent, UsageRecord};
pub use report::{Filter, GroupBy, Report, Row, Totals, time_zone};
pub use scan::{LineIssue, ProgressFn, Scan, ScanOptions, ScanProgress, ScanStats, scan};
pub use sources::Sources;
