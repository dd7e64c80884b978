//! Integration tests: the real `specwork` binary against real files in temp dirs, with a
//! cleared environment and a fixed clock.

mod approvals;
mod bad_input;
mod common;
mod cost;
mod deliverables;
mod foundation;
mod knowledge;
mod layouts;
mod mcp;
mod reports;
mod sessions;
