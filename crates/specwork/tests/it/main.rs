//! Integration tests: the real `specwork` binary against real files in temp dirs, with a
//! cleared environment and a fixed clock.

mod approvals;
mod bad_input;
mod common;
mod cost;
mod dashboard;
mod dashboard_browser;
mod deliverables;
mod foundation;
mod knowledge;
mod layouts;
mod reports;
mod sessions;
