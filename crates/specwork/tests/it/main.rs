//! Integration tests: the real `specwork` binary against real files in temp dirs, with a
//! cleared environment and a fixed clock.

mod bad_input;
mod common;
mod foundation;
mod layouts;
mod reports;
