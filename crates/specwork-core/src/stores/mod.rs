//! Stores: the session journals (and the session index folded from them), approvals,
//! implementation logs and steering documents — the records specwork keeps. Imports the layers
//! below.

pub mod activity;
pub mod approvals;
pub mod evidence;
pub mod facts;
pub mod implog;
pub mod journal;
pub mod journal_index;
pub mod projects;
pub mod quota;
pub mod session;
pub mod steering;
pub mod windows;
