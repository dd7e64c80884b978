//! Deliverables: the scripts, documents and configuration files a spec produces, kept beside it
//! in `deliverables/{scripts,docs,config}/`, each with a traceback header ([`header`]) and a
//! wiki link from the spec's `## Deliverables` section — traceability both ways.
//!
//! * Numbered specs keep them beside the spec file (`specs/1000/1001/deliverables/…`); named
//!   specs in `.spec-workflow/specs/{name}/deliverables/…`.
//! * The spec document that lists them (and that headers name in `Generated from:`) is the spec
//!   file of a numbered spec, and `tasks.md` of a named spec (else `design.md`, else
//!   `requirements.md`).
//! * `ops::deliverable::add` creates or registers one; [`report::build`] is the seed's
//!   Deliverables Report.

pub mod header;
pub mod report;
pub mod shell;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::links::Vault;
use crate::model::spec::{Layout, Spec};
use crate::model::workspace::Workspace;

/// The kind of a deliverable, which is also its folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// `deliverables/scripts/`.
    Script,
    /// `deliverables/docs/`.
    Doc,
    /// `deliverables/config/`.
    Config,
}

impl Kind {
    /// All kinds, in the order the spec's section lists them.
    pub const ALL: [Kind; 3] = [Kind::Script, Kind::Doc, Kind::Config];

    /// Parses `script`, `doc`, `config` (and plurals / long forms).
    pub fn parse(s: &str) -> Option<Kind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "script" | "scripts" => Kind::Script,
            "doc" | "docs" | "documentation" | "document" => Kind::Doc,
            "config" | "configs" | "configuration" => Kind::Config,
            _ => return None,
        })
    }

    /// The folder under `deliverables/`.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Script => "scripts",
            Kind::Doc => "docs",
            Kind::Config => "config",
        }
    }

    /// The `###` heading in the spec's `## Deliverables` section.
    pub fn heading(self) -> &'static str {
        match self {
            Kind::Script => "Scripts",
            Kind::Doc => "Documentation",
            Kind::Config => "Configuration",
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Script => "script",
            Kind::Doc => "doc",
            Kind::Config => "config",
        }
    }

    /// Whether a `###` heading names this kind's subsection.
    pub(crate) fn matches_heading(self, text: &str) -> bool {
        let t = text.trim().trim_end_matches(':').to_ascii_lowercase();
        match self {
            Kind::Script => t == "scripts",
            Kind::Doc => matches!(t.as_str(), "documentation" | "docs" | "documents"),
            Kind::Config => matches!(t.as_str(), "configuration" | "config" | "configs"),
        }
    }

    /// The kind of a workspace path: its folder under `deliverables/`, else its extension.
    pub fn of_path(path: &str) -> Kind {
        let lower = path.to_ascii_lowercase();
        for k in Kind::ALL {
            if lower.contains(&format!("deliverables/{}/", k.dir())) {
                return k;
            }
        }
        Kind::from_extension(&lower)
    }

    /// The kind a file name suggests: scripts by language, documents by format, else config.
    pub fn from_extension(name: &str) -> Kind {
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match ext.as_str() {
            "sh" | "bash" | "zsh" | "ksh" | "fish" | "py" | "rb" | "pl" | "ps1" | "js" | "mjs" | "ts" | "lua"
            | "go" | "rs" | "sql" | "awk" => Kind::Script,
            "md" | "markdown" | "html" | "htm" | "txt" | "rst" | "adoc" | "pdf" | "tex" => Kind::Doc,
            _ => Kind::Config,
        }
    }
}

/// The document that lists a spec's deliverables and that their headers name.
pub fn spec_document(spec: &Spec) -> Option<&Path> {
    match spec.layout {
        Layout::Numbered => spec.docs.spec.as_deref(),
        _ => spec.docs.tasks.as_deref().or(spec.docs.design.as_deref()).or(spec.docs.requirements.as_deref()),
    }
}

/// `deliverables/` of a spec (workspace-relative).
pub fn deliverables_dir(spec: &Spec) -> PathBuf {
    spec.dir.join("deliverables")
}

/// Every deliverable file of the workspace: files under the `deliverables/` folder of a spec
/// (numbered or spec-workflow), header sidecars left out. Vault paths. A `deliverables/` folder
/// that belongs to no spec (say `src/deliverables/`) is the user's code, not ours.
pub fn all_files<'v>(ws: &Workspace, vault: &'v Vault) -> Vec<&'v str> {
    let mut roots: Vec<String> = ws
        .specs
        .iter()
        .filter(|s| s.layout.writable())
        .map(|s| format!("{}/", crate::base::display::slash_path(&deliverables_dir(s))))
        .collect();
    roots.sort();
    roots.dedup();
    vault
        .files
        .iter()
        .map(String::as_str)
        .filter(|f| !header::is_sidecar(f) && roots.iter().any(|r| f.starts_with(r.as_str())))
        .collect()
}
