//! Steering documents: `.spec-workflow/steering/{product,tech,structure}.md`, created from
//! templates (the workspace's `.spec-workflow/user-templates/{doc}-template.md` first) and never
//! overwritten. They are approved like spec documents, under the category name `steering`
//! ([`crate::stores::approvals`]).

use std::path::PathBuf;

use serde::Serialize;

use crate::base::write::{self, WriteError};
use crate::model::workspace::Workspace;
use crate::stores::approvals::DocKind;
use crate::text::templates::{self, TemplateKind};
use crate::{base::clock, model::workspace};

/// Where steering documents live, relative to the workspace root.
pub const STEERING_DIR: &str = ".spec-workflow/steering";

/// A steering document written by [`new_doc`].
#[derive(Clone, Debug, Serialize)]
pub struct SteeringDoc {
    /// `product`, `tech` or `structure`.
    pub doc: DocKind,
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// Where the template came from (`.spec-workflow/user-templates/…` or `built-in`).
    pub template: String,
}

/// Why a steering document was not created.
#[derive(Debug, thiserror::Error)]
pub enum SteeringError {
    /// Not one of product, tech, structure.
    #[error("unknown steering document `{0}`")]
    Unknown(String),
    /// It exists already.
    #[error("{} exists already", .0.display())]
    Exists(PathBuf),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Creates steering document `doc` (`product`, `tech` or `structure`) from its template.
pub fn new_doc(ws: &Workspace, doc: &str) -> Result<SteeringDoc, SteeringError> {
    let kind = DocKind::parse(doc).filter(|d| d.is_steering()).ok_or_else(|| SteeringError::Unknown(doc.to_owned()))?;
    let tk = match kind {
        DocKind::Product => TemplateKind::Product,
        DocKind::Tech => TemplateKind::Tech,
        _ => TemplateKind::Structure,
    };
    let file = PathBuf::from(STEERING_DIR).join(kind.file_name());
    let user = tk.peer_name().map(|n| PathBuf::from(".spec-workflow/user-templates").join(n));
    let template = match &user {
        Some(u) if ws.abs(u).is_file() => u.display().to_string(),
        _ => "built-in".to_owned(),
    };
    let now = clock::now();
    let project = ws.root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let title = workspace::humanize(&project);
    let text = templates::render(
        &templates::load(&ws.root, tk),
        &[("title", title.as_str()), ("project", project.as_str()), ("date", &clock::date(&now))],
    );
    match write::create(&ws.abs(&file), text.as_bytes()) {
        Ok(()) => Ok(SteeringDoc { doc: kind, file, template }),
        Err(WriteError::Exists { .. }) => Err(SteeringError::Exists(file)),
        Err(e) => Err(e.into()),
    }
}

/// The steering documents that exist, in order.
pub fn existing(ws: &Workspace) -> Vec<(DocKind, PathBuf)> {
    DocKind::STEERING_DOCS
        .iter()
        .map(|d| (*d, PathBuf::from(STEERING_DIR).join(d.file_name())))
        .filter(|(_, p)| ws.abs(p).is_file())
        .collect()
}
