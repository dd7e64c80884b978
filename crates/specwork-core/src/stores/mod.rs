//! Stores: the session journals (and the session index folded from them), approvals,
//! implementation logs and steering documents — the records specwork keeps. Imports the layers
//! below.

pub mod approvals;
pub mod implog;
pub mod journal;
pub mod session;
pub mod steering;
pub mod windows;
