//! Text: lines with byte offsets, Markdown sections, front matter (read with a YAML parser,
//! never re-serialised) and the built-in templates. Imports only [`crate::base`].

pub mod front_matter;
pub mod lines;
pub mod markdown;
pub mod templates;
