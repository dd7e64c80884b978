//! Test support for the specwork workspace (a dev-dependency only; never published).
//!
//! - [`need`]: where `../shared` is, and the one place that decides whether a test whose
//!   corpus or real component (Chromium, Python `mcp`, npx/ccusage, the MCP inspector, git) is
//!   missing is skipped with a printed reason or fails (`SPECWORK_REQUIRE_SHARED=1`,
//!   `SPECWORK_REQUIRE_REAL=1`, both set by `.ci/run`).
//! - [`claude`], [`codex`], [`gemini`]: generators of format-faithful agent logs. Each writes files
//!   and returns an [`Expected`]: the calls it wrote that an accountant following ccusage's rules
//!   must count, priced with the generator's own price table. The expected totals come from what
//!   the generator decided to write, never from reading the files back, so they are an
//!   independent check of the readers in `specwork-usage`.
//!
//! Generators are deterministic: the same configuration and seed write the same bytes.

#![deny(clippy::disallowed_methods)]

pub mod claude;
pub mod codex;
mod expected;
pub mod gemini;
pub mod need;
mod synth;

pub use expected::{Call, CostMode, Expected};
pub use synth::{day_of, iso_ms, parse_ms};
