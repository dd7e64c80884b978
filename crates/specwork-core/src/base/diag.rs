//! Diagnostics: problems in the user's files, reported with file, line and a fix.
//!
//! A diagnostic never stops a report; the caller prints it (`warning: file:line: message` then
//! `hint: …`) and goes on with the rest of the workspace.

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was read in a tolerant way or may be wrong.
    Warning,
    /// Something could not be read at all.
    Error,
}

/// One problem in one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Warning or error.
    pub severity: Severity,
    /// The file, relative to the workspace root where known.
    pub file: String,
    /// 1-based line, or 0 when the problem is the whole file.
    pub line: usize,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Diagnostic {
    /// A warning at `file:line`.
    pub fn warning(file: &str, line: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, file: file.to_owned(), line, message: message.into(), hint: hint.into() }
    }

    /// An error at `file:line`.
    pub fn error(file: &str, line: usize, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { severity: Severity::Error, file: file.to_owned(), line, message: message.into(), hint: hint.into() }
    }

    /// `file:line` (or just `file` for whole-file problems).
    pub fn location(&self) -> String {
        if self.line == 0 { self.file.clone() } else { format!("{}:{}", self.file, self.line) }
    }
}
