//! Agent integration: the files `init --agent` writes, and the hook entry points. The top
//! layer: it may import every other.

pub mod agent_files;
pub mod agent_hook;
pub mod doctor;
