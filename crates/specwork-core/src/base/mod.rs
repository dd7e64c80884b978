//! The base layer: the clock, diagnostics, display formatting, ids, names and atomic writes.
//! It imports nothing else of the crate.

pub mod clock;
pub mod diag;
pub mod display;
pub mod ids;
pub mod names;
pub mod path_policy;
pub mod write;
