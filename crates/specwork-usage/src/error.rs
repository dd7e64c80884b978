//! Errors of this crate.
//!
//! Only conditions that stop a whole scan are errors. A bad line in a transcript never is: it
//! becomes a [`LineIssue`](crate::LineIssue) with its file and line number, and the rest of the
//! data is still counted.

use std::path::PathBuf;

/// Something that stopped a scan or a price-table operation. Every variant that touches the file
/// system names the path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The ledger (scan cache) could not be written. Reading a broken ledger is not an error: it is
    /// ignored and rebuilt.
    #[error("cannot write the usage ledger {}", path.display())]
    WriteLedger {
        /// The ledger file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `CLAUDE_CONFIG_DIR` is set but none of its entries holds a `projects/` directory.
    #[error("no Claude data directory in CLAUDE_CONFIG_DIR={value:?} has a projects/ folder")]
    NoClaudeRoot {
        /// The variable's value.
        value: String,
    },
    /// A price override names a model that is not in the table and does not give both the input
    /// and the output price.
    #[error("price override for unknown model {model:?} needs at least `input` and `output`")]
    IncompletePrice {
        /// The model name as written in the configuration.
        model: String,
    },
    /// A price is negative or not a finite number.
    #[error("price override for {model:?}: `{field}` must be a finite number >= 0, got {value}")]
    InvalidPrice {
        /// The model name.
        model: String,
        /// The field name (`input`, `output`, ...).
        field: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A time-zone name is not known to the time-zone database.
    #[error("unknown time zone {name:?}")]
    TimeZone {
        /// The name that was asked for.
        name: String,
        /// The underlying error.
        #[source]
        source: jiff::Error,
    },
}
