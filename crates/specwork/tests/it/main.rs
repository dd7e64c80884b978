//! Integration tests: the real `specwork` binary against real files in temp dirs, with a
//! cleared environment and a fixed clock.

mod approvals;
mod common;
mod dashboard;
mod dashboard_browser;
mod foundation;
mod knowledge;
mod sessions;
