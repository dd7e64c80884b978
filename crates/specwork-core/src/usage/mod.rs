//! Usage as a workspace sees it: the agents' logs read through `specwork-usage`, attributed to
//! the windows of this person's sessions, and the one definition of what a period cost.
//!
//! - [`logs`]: the scan options of a workspace (one function builds them), the scan, and the
//!   attribution of calls to task and session windows;
//! - [`spend`]: what a period cost — measured usage in the workspace plus manual counts of tasks
//!   that have no measured usage, never both for one task — and the budgets;
//! - [`cost`]: the `cost` report (rows by day, week, month, model, spec, task or session).
//!
//! Every frontend (CLI, MCP, dashboard, status line) takes its figures from here, so "today"
//! is the same number wherever it is shown.

pub mod cost;
pub mod logs;
pub mod spend;

pub use logs::{Logs, MeasureError};
pub use spend::{BudgetStatus, Period, Spend};
