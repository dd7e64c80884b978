//! The model: configuration, workspaces and their layouts, specs, tasks (the grammar and the
//! byte-range marker edits), context files and wiki links. Imports [`crate::base`],
//! [`crate::text`] and [`crate::git`].

pub mod config;
pub mod context;
pub mod edit;
pub mod links;
pub mod requirements;
pub mod spec;
pub mod tasks;
pub mod workspace;
