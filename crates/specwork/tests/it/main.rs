//! Integration tests: the real `specwork` binary against real files in temp dirs, with a
//! cleared environment and a fixed clock.

mod agent_day;
mod agent_hooks;
mod agent_init;
mod agent_mcp;
mod approvals;
mod bad_input;
mod common;
mod consistency;
mod cost;
mod dashboard;
mod dashboard_browser;
mod deliverables;
mod docs;
mod done;
mod first_hour;
mod foundation;
mod hooks;
mod hostile;
mod hostile_mcp;
mod hostile_web;
mod journal_index;
mod knowledge;
mod layouts;
mod mcp;
mod projects;
mod quota;
mod reports;
mod seed_walk;
mod sessions;
mod ship;
mod trace;
mod work;
mod worktrees;
