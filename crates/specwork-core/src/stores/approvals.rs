//! Durable approvals of spec and steering documents, file-compatible with spec-workflow-mcp.
//!
//! # Files (the peer's contract, read and written as its dashboard and VS Code extension do)
//!
//! ```text
//! .spec-workflow/approvals/{categoryName}/{approvalId}.json
//! .spec-workflow/approvals/{categoryName}/.snapshots/{file name}/metadata.json
//! .spec-workflow/approvals/{categoryName}/.snapshots/{file name}/snapshot-001.json …
//! ```
//!
//! `categoryName` is the spec's id (a named spec's folder name, a numbered spec's number) or
//! `steering`. An approval record ([`ApprovalRecord`]) has the peer's fields and statuses
//! (`pending`, `approved`, `rejected`, `needs-revision`); snapshots of the document are taken, as
//! the peer does, when a request is made (`initial`), when a revision is requested
//! (`revision_requested`) and when it is approved (`approved`).
//!
//! # What specwork adds
//!
//! * **Durability.** specwork never deletes a record after approval (the peer's agents do), and the
//!   state of a document is derived from every record *and* every `approved` snapshot, so a
//!   document approved through the peer and then cleaned up still reads as approved.
//! * **Content hashes.** An approval stores, in the record's `metadata`, `contentSha256` (the
//!   approved bytes) and `reviewSha256` (the reviewed text: line endings normalised and, for task
//!   lists, task progress — markers and `_Blocked:_` lines — taken out). A later edit changes the
//!   review hash and shows as *changed since approval*; checking off a task does not.
//! * **Diffs.** [`diff`] gives a unified line diff of the document against its last approved
//!   snapshot.
//! * **The gate.** [`tasks_approved`] tells `do-task` whether a spec's tasks may be started.
//!
//! # Invariants
//!
//! * Nothing outside the workspace is read or written: category names are validated as spec
//!   names, a record whose `filePath` is absolute or contains `..` is reported and ignored, and a
//!   snapshot file name taken from `metadata.json` must be a plain file name (the peer's issues
//!   #201 and #220 were exactly these holes).
//! * A malformed JSON file is a [`Diagnostic`] with file and line and is skipped; it never panics
//!   and is never overwritten.
//! * Every write goes through [`crate::base::write`] (atomic, conflict-checked), and one decision (its
//!   snapshot and its record) is made under a lock on the category's `.snapshots` folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use crate::base::diag::Diagnostic;
use crate::base::ids::{self, IdSource};
use crate::base::write::{self, WriteError};
use crate::model::spec::{Layout, Spec, SpecStatus};
use crate::model::workspace::{self, Workspace, WorkspaceError};
use crate::text::templates::TemplateKind;
use crate::{base::clock, base::names, model::tasks, text::markdown};

/// Where approval records live, relative to the workspace root.
pub const APPROVALS_DIR: &str = ".spec-workflow/approvals";
/// The category name (and folder) of steering documents.
pub const STEERING: &str = "steering";

// ---------------------------------------------------------------------------------------------
// The peer's file formats
// ---------------------------------------------------------------------------------------------

/// The status of one approval record (the peer's four values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalStatus {
    /// Waiting for a decision.
    Pending,
    /// Approved.
    Approved,
    /// Rejected.
    Rejected,
    /// Sent back with comments.
    NeedsRevision,
}

impl ApprovalStatus {
    /// The stable name (`needs-revision` with a hyphen, as the peer writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::NeedsRevision => "needs-revision",
        }
    }
}

/// A reviewer's comment (`comments[]` of a record or snapshot). Fields serialise in the order
/// the peer's dashboard writes them: `type, comment, timestamp`, then `selectedText`,
/// `highlightColor`, `id`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApprovalComment {
    /// `general` or `selection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The comment.
    pub comment: String,
    /// When it was made (ISO 8601).
    pub timestamp: String,
    /// The text a selection comment is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_text: Option<String>,
    /// The line it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_number: Option<u64>,
    /// The character position it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub character_position: Option<u64>,
    /// The dashboard's highlight colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight_color: Option<Value>,
    /// `comment_{epoch ms}_{9 base36}`, as the peer's dashboard names its comments (kept as any
    /// JSON value: a record is never dropped for an odd id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One approval record, `approvals/{categoryName}/{id}.json`. Field order is the peer's, and
/// fields specwork does not know are kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRecord {
    /// `approval_{epoch ms}_{9 base36}`.
    pub id: String,
    /// What is to be approved.
    #[serde(default)]
    pub title: String,
    /// The document, relative to the workspace root.
    pub file_path: String,
    /// `document` or `action`.
    #[serde(rename = "type", default = "document_type")]
    pub kind: String,
    /// The decision so far.
    pub status: ApprovalStatus,
    /// When it was requested (ISO 8601).
    #[serde(default)]
    pub created_at: String,
    /// Free-form data; specwork keeps `contentSha256`, `reviewSha256` and `snapshotVersion` here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// `spec` or `steering`.
    #[serde(default)]
    pub category: String,
    /// The spec's id, or `steering`.
    #[serde(default)]
    pub category_name: String,
    /// The reviewer's answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// For `needs-revision`: JSON text `{decision, comments, summary, timestamp}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<String>,
    /// When it was decided (ISO 8601).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<String>,
    /// The reviewer's comments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<ApprovalComment>>,
    /// Earlier versions (written by the peer's revision flow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision_history: Option<Vec<Value>>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn document_type() -> String {
    "document".to_owned()
}

impl ApprovalRecord {
    /// A string from `metadata`.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key)?.as_str()
    }

    /// When it was decided, else requested.
    fn event_time(&self) -> &str {
        self.responded_at.as_deref().unwrap_or(&self.created_at)
    }
}

/// One entry of a snapshot folder's `metadata.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotEntry {
    /// 1, 2, …
    pub version: u32,
    /// `snapshot-001.json`.
    pub filename: String,
    /// When it was taken.
    pub timestamp: String,
    /// `initial`, `revision_requested`, `approved` or `manual`.
    pub trigger: String,
    /// The record it was taken for.
    pub approval_id: String,
    /// That record's title.
    pub approval_title: String,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `.snapshots/{file name}/metadata.json`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SnapshotMetadata {
    /// The document, relative to the workspace root.
    pub file_path: String,
    /// The latest version number.
    pub current_version: u32,
    /// Every snapshot, oldest first.
    pub snapshots: Vec<SnapshotEntry>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Size and line count of a snapshot's content.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FileStats {
    /// Bytes.
    pub size: u64,
    /// `content.split('\n').length`, as the peer counts.
    pub lines: u64,
    /// The file's modification time (ISO 8601).
    pub last_modified: String,
}

/// `.snapshots/{file name}/snapshot-NNN.json`: one version of a document.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Snapshot {
    /// `snapshot_{epoch ms}_{9 base36}`.
    pub id: String,
    /// The record it was taken for.
    pub approval_id: String,
    /// That record's title.
    pub approval_title: String,
    /// 1, 2, …
    pub version: u32,
    /// When it was taken.
    pub timestamp: String,
    /// `initial`, `revision_requested`, `approved` or `manual`.
    pub trigger: String,
    /// The record's status when it was taken.
    pub status: String,
    /// The document's full text.
    pub content: String,
    /// Size and lines.
    pub file_stats: FileStats,
    /// The record's comments then.
    pub comments: Vec<ApprovalComment>,
    /// The record's annotations then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<String>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// ---------------------------------------------------------------------------------------------
// Documents and targets
// ---------------------------------------------------------------------------------------------

/// A document that can be approved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    /// `requirements.md`.
    Requirements,
    /// `design.md`.
    Design,
    /// `tasks.md`, or a numbered spec's plan (its `## Tasks` section).
    Tasks,
    /// Steering `product.md`.
    Product,
    /// Steering `tech.md`.
    Tech,
    /// Steering `structure.md`.
    Structure,
}

impl DocKind {
    /// The spec documents in phase order.
    pub const SPEC_PHASES: [DocKind; 3] = [DocKind::Requirements, DocKind::Design, DocKind::Tasks];
    /// The steering documents.
    pub const STEERING_DOCS: [DocKind; 3] = [DocKind::Product, DocKind::Tech, DocKind::Structure];

    /// Parses `requirements`, `design`, `tasks` (also `plan`), `product`, `tech`, `structure`,
    /// with or without `.md`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().trim_end_matches(".md").to_ascii_lowercase().as_str() {
            "requirements" => Self::Requirements,
            "design" => Self::Design,
            "tasks" | "plan" => Self::Tasks,
            "product" => Self::Product,
            "tech" => Self::Tech,
            "structure" => Self::Structure,
            _ => return None,
        })
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requirements => "requirements",
            Self::Design => "design",
            Self::Tasks => "tasks",
            Self::Product => "product",
            Self::Tech => "tech",
            Self::Structure => "structure",
        }
    }

    /// The file name (`design.md`).
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Requirements => "requirements.md",
            Self::Design => "design.md",
            Self::Tasks => "tasks.md",
            Self::Product => "product.md",
            Self::Tech => "tech.md",
            Self::Structure => "structure.md",
        }
    }

    /// Whether this is a steering document.
    pub fn is_steering(self) -> bool {
        matches!(self, Self::Product | Self::Tech | Self::Structure)
    }

    /// The phase before this one (design → requirements, tasks → design).
    pub fn previous_phase(self) -> Option<Self> {
        match self {
            Self::Design => Some(Self::Requirements),
            Self::Tasks => Some(Self::Design),
            _ => None,
        }
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `spec` or `steering`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// A spec's document.
    Spec,
    /// A steering document.
    Steering,
}

impl Category {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spec => "spec",
            Self::Steering => "steering",
        }
    }
}

/// One approvable document, resolved from a spec id and a document name by [`target`].
#[derive(Clone, Debug, Serialize)]
pub struct DocTarget {
    /// `spec` or `steering`.
    pub category: Category,
    /// The spec id, or `steering`.
    pub category_name: String,
    /// Which document.
    pub doc: DocKind,
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// A human title for requests (`Invoice Management: requirements`).
    pub title: String,
    /// The spec's layout (none for steering).
    pub layout: Option<Layout>,
    /// The spec is archived.
    pub archived: bool,
    /// Only the file's `## Tasks` section is under review (numbered specs).
    #[serde(skip)]
    pub tasks_section: bool,
    /// Every `filePath` that records of this document may carry (active and archived folder).
    #[serde(skip)]
    pub aliases: Vec<String>,
}

impl DocTarget {
    /// The file as a `/`-separated string.
    pub fn file_str(&self) -> String {
        slash(&self.file)
    }

    fn matches(&self, file_path: &str) -> bool {
        let f = normalize_rel(file_path);
        self.aliases.contains(&f)
    }

    fn writable(&self) -> Result<(), ApprovalError> {
        if let Some(l) = self.layout
            && !l.writable()
        {
            return Err(ApprovalError::ReadOnly { spec: self.category_name.clone(), layout: l.as_str() });
        }
        if self.archived {
            return Err(ApprovalError::Archived { spec: self.category_name.clone() });
        }
        Ok(())
    }
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn normalize_rel(p: &str) -> String {
    let s = p.trim().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Why an approval action failed.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// A name that would escape the workspace.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// No such spec.
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The document name is not one of the known ones.
    #[error("unknown document `{doc}`")]
    UnknownDoc {
        /// What was given.
        doc: String,
    },
    /// The document does not exist for this kind of spec.
    #[error("spec `{spec}` ({layout}) has no {doc} document to approve")]
    NotApplicable {
        /// The spec.
        spec: String,
        /// Its layout.
        layout: &'static str,
        /// The document.
        doc: &'static str,
    },
    /// The spec is a read-only import.
    #[error("spec `{spec}` is a read-only {layout} import")]
    ReadOnly {
        /// The spec.
        spec: String,
        /// Its layout.
        layout: &'static str,
    },
    /// The spec is archived.
    #[error("spec `{spec}` is archived")]
    Archived {
        /// The spec.
        spec: String,
    },
    /// The document's file does not exist.
    #[error("{} does not exist yet", file.display())]
    DocMissing {
        /// The file.
        file: PathBuf,
        /// The spec (or `steering`).
        spec: String,
        /// The document.
        doc: DocKind,
    },
    /// A file asked to be reviewed does not exist.
    #[error("{} does not exist", file.display())]
    FileMissing {
        /// The file, relative to the workspace root.
        file: PathBuf,
    },
    /// The task list has no tasks.
    #[error("{} has no task lines", file.display())]
    NoTasks {
        /// The file.
        file: PathBuf,
    },
    /// Rejecting or asking for a revision needs a comment.
    #[error("{} is still the template: {} not filled in", file.display(), crate::base::display::first_of(placeholders, 3))]
    UntouchedTemplate {
        /// The document, relative to the workspace.
        file: PathBuf,
        /// The template's placeholders it still holds (`[role]`, `[feature]`).
        placeholders: Vec<String>,
    },
    /// A comment is needed for this decision.
    #[error("a comment is required to {action}")]
    CommentRequired {
        /// `reject` or `revise`.
        action: &'static str,
    },
    /// A file specwork must update cannot be read as JSON.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file, relative to the workspace.
        file: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// There is no approved version to compare with.
    #[error("{spec} {doc} has no approved version yet")]
    NoApprovedVersion {
        /// The spec.
        spec: String,
        /// The document.
        doc: DocKind,
    },
    /// There is no snapshot of the version asked for.
    #[error("no snapshot of {spec} {doc} {what}")]
    NoSnapshot {
        /// The spec.
        spec: String,
        /// The document.
        doc: DocKind,
        /// Which version (`approved version`, `version`).
        what: String,
    },
    /// No record with this id.
    #[error("no approval `{id}`")]
    NotFound {
        /// The id.
        id: String,
    },
    /// Pending records are not deleted.
    #[error("approval `{id}` is still pending")]
    StillPending {
        /// The id.
        id: String,
    },
}

impl From<std::io::Error> for ApprovalError {
    fn from(e: std::io::Error) -> Self {
        Self::Write(WriteError::Io(e))
    }
}

/// Resolves `spec` + `doc` to the document under review. `spec` is a spec id, or `steering`
/// for the steering documents.
pub fn target(ws: &Workspace, spec: &str, doc: &str) -> Result<DocTarget, ApprovalError> {
    names::spec_name(spec)?;
    let kind = DocKind::parse(doc).ok_or_else(|| ApprovalError::UnknownDoc { doc: doc.to_owned() })?;
    if kind.is_steering() || (spec == STEERING && ws.spec(spec).is_err()) {
        // Steering documents are named `steering product`, never through a spec.
        if !kind.is_steering() || spec != STEERING {
            return Err(ApprovalError::UnknownDoc { doc: doc.to_owned() });
        }
        let file = PathBuf::from(".spec-workflow/steering").join(kind.file_name());
        return Ok(DocTarget {
            category: Category::Steering,
            category_name: STEERING.to_owned(),
            doc: kind,
            aliases: vec![slash(&file)],
            file,
            title: format!("Steering: {}", kind.as_str()),
            layout: None,
            archived: false,
            tasks_section: false,
        });
    }
    let spec = ws.spec(spec)?;
    spec_target(spec, kind)
}

/// Resolves a peer-style request (`categoryName` + `filePath`, as the MCP `approvals` tool
/// receives them) to the document under review. The path must be one of the category's own
/// documents; anything else (another folder, `..`, an absolute path) is refused.
pub fn target_for_file(ws: &Workspace, category_name: &str, file_path: &str) -> Result<DocTarget, ApprovalError> {
    names::spec_name(category_name)?;
    let f = normalize_rel(file_path);
    let unknown = || ApprovalError::UnknownDoc { doc: file_path.to_owned() };
    if f.starts_with('/') || f.split('/').any(|c| c == ".." || c.is_empty()) || f.contains(':') {
        return Err(unknown());
    }
    let candidates: Vec<DocTarget> = if category_name == STEERING && ws.spec(category_name).is_err() {
        DocKind::STEERING_DOCS.iter().filter_map(|d| target(ws, STEERING, d.as_str()).ok()).collect()
    } else {
        let spec = ws.spec(category_name)?;
        let kinds: &[DocKind] = if spec.layout == Layout::Numbered { &[DocKind::Tasks] } else { &DocKind::SPEC_PHASES };
        kinds.iter().filter_map(|k| spec_target(spec, *k).ok()).collect()
    };
    candidates.into_iter().find(|t| t.matches(&f)).ok_or_else(unknown)
}

/// The document `kind` of a loaded spec.
pub fn spec_target(spec: &Spec, kind: DocKind) -> Result<DocTarget, ApprovalError> {
    if kind.is_steering() {
        return Err(ApprovalError::UnknownDoc { doc: kind.as_str().to_owned() });
    }
    let title = format!("{}: {}", spec.title, kind.as_str());
    let mut t = DocTarget {
        category: Category::Spec,
        category_name: spec.id.clone(),
        doc: kind,
        file: PathBuf::new(),
        title,
        layout: Some(spec.layout),
        archived: spec.archived,
        tasks_section: false,
        aliases: Vec::new(),
    };
    match spec.layout {
        Layout::Numbered => {
            if kind != DocKind::Tasks {
                return Err(ApprovalError::NotApplicable {
                    spec: spec.id.clone(),
                    layout: spec.layout.as_str(),
                    doc: kind.as_str(),
                });
            }
            t.file = spec.tasks_source.as_ref().map_or_else(|| spec.path.clone(), |s| s.file.clone());
            t.tasks_section = true;
            t.title = format!("{} - {}: plan", spec.id, spec.title);
            t.aliases = vec![slash(&t.file)];
        }
        Layout::SpecWorkflow => {
            t.file = spec.dir.join(kind.file_name());
            let active = format!(".spec-workflow/specs/{}/{}", spec.id, kind.file_name());
            let archived = format!(".spec-workflow/archive/specs/{}/{}", spec.id, kind.file_name());
            t.aliases = vec![active, archived];
        }
        Layout::Kiro | Layout::OpenSpec | Layout::SpecKit => {
            let f = match kind {
                DocKind::Requirements => spec.docs.requirements.clone().or_else(|| spec.docs.spec.clone()),
                DocKind::Design => spec.docs.design.clone(),
                _ => spec.docs.tasks.clone(),
            };
            t.file = f.unwrap_or_else(|| spec.dir.join(kind.file_name()));
            t.aliases = vec![slash(&t.file)];
        }
    }
    Ok(t)
}

// ---------------------------------------------------------------------------------------------
// Reading records and snapshots
// ---------------------------------------------------------------------------------------------

/// An approval record and where it was read.
#[derive(Clone, Debug)]
pub struct LoadedApproval {
    /// The record.
    pub record: ApprovalRecord,
    /// The JSON file, relative to the workspace root.
    pub path: PathBuf,
    /// The file's modification time: orders records whose timestamps are equal.
    #[doc(hidden)]
    pub modified: Option<std::time::SystemTime>,
}

impl LoadedApproval {
    /// Request order: `createdAt`, then file modification time, then id.
    fn cmp_created(&self, o: &Self) -> std::cmp::Ordering {
        cmp_time(&self.record.created_at, &o.record.created_at)
            .then_with(|| self.modified.cmp(&o.modified))
            .then_with(|| self.record.id.cmp(&o.record.id))
    }

    /// Decision order: `respondedAt` (else `createdAt`), then modification time, then id.
    fn cmp_event(&self, o: &Self) -> std::cmp::Ordering {
        cmp_time(self.record.event_time(), o.record.event_time())
            .then_with(|| self.modified.cmp(&o.modified))
            .then_with(|| self.record.id.cmp(&o.record.id))
    }
}

fn json_diag(rel: &str, err: &serde_json::Error, what: &str) -> Diagnostic {
    Diagnostic::error(
        rel,
        err.line(),
        format!("invalid {what}: {err}"),
        "fix the JSON by hand, or move the file away; specwork skips it meanwhile",
    )
}

fn category_dir(root: &Path, category_name: &str) -> PathBuf {
    root.join(APPROVALS_DIR).join(category_name)
}

/// Reads the records of one category (`approvals/{name}/*.json`), newest first. Problems become
/// diagnostics.
pub fn load_category(root: &Path, category_name: &str) -> (Vec<LoadedApproval>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    if names::spec_name(category_name).is_err() {
        return (out, diags);
    }
    let dir = category_dir(root, category_name);
    let Ok(rd) = crate::base::path_policy::read_dir(&dir) else { return (out, diags) };
    let mut files: Vec<_> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
        .collect();
    files.sort();
    for name in files {
        let rel = PathBuf::from(APPROVALS_DIR).join(category_name).join(&name);
        let shown = slash(&rel);
        let text = match crate::base::path_policy::read_to_string(root.join(&rel)) {
            Ok(t) => t,
            Err(e) => {
                diags.push(Diagnostic::error(&shown, 0, format!("cannot read approval: {e}"), "check the file"));
                continue;
            }
        };
        match serde_json::from_str::<ApprovalRecord>(&text) {
            Ok(mut record) => {
                let fp = normalize_rel(&record.file_path);
                if fp.is_empty() || fp.starts_with('/') || fp.split('/').any(|c| c == "..") || fp.contains(':') {
                    diags.push(Diagnostic::error(
                        &shown,
                        line_of_key(&text, "filePath"),
                        format!("filePath `{}` points outside the workspace; the record is ignored", record.file_path),
                        "filePath must be relative to the workspace root, without `..`",
                    ));
                    continue;
                }
                if record.category_name.is_empty() {
                    record.category_name = category_name.to_owned();
                }
                let modified = fs_err::metadata(root.join(&rel)).and_then(|m| m.modified()).ok();
                out.push(LoadedApproval { record, path: rel, modified });
            }
            Err(e) => diags.push(json_diag(&shown, &e, "approval JSON")),
        }
    }
    out.sort_by(|a, b| b.cmp_created(a));
    (out, diags)
}

fn line_of_key(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines().position(|l| l.contains(&needle)).map_or(1, |i| i + 1)
}

/// Reads every record of the workspace, newest first.
pub fn load_all(root: &Path) -> (Vec<LoadedApproval>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    let Ok(rd) = crate::base::path_policy::read_dir(root.join(APPROVALS_DIR)) else { return (out, diags) };
    let mut cats: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    cats.sort();
    for c in cats {
        let (mut a, mut d) = load_category(root, &c);
        out.append(&mut a);
        diags.append(&mut d);
    }
    out.sort_by(|a, b| b.cmp_created(a));
    (out, diags)
}

/// Compares two ISO timestamps as instants (falling back to text order).
fn cmp_time(a: &str, b: &str) -> std::cmp::Ordering {
    match (ids::parse_timestamp(a), ids::parse_timestamp(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

fn snapshots_dir(root: &Path, category_name: &str, file: &str) -> PathBuf {
    let base = file.rsplit('/').next().unwrap_or(file);
    category_dir(root, category_name).join(".snapshots").join(base)
}

fn snapshots_rel(category_name: &str, file: &str) -> String {
    let base = file.rsplit('/').next().unwrap_or(file);
    format!("{APPROVALS_DIR}/{category_name}/.snapshots/{base}")
}

/// Reads a document's snapshot metadata. `Ok(None)` when there is none.
fn load_snapshot_metadata(
    root: &Path,
    category_name: &str,
    file: &str,
) -> Result<Option<(SnapshotMetadata, String)>, Diagnostic> {
    let rel = format!("{}/metadata.json", snapshots_rel(category_name, file));
    let Ok(text) = crate::base::path_policy::read_to_string(root.join(&rel)) else { return Ok(None) };
    match serde_json::from_str::<SnapshotMetadata>(&text) {
        Ok(m) => Ok(Some((m, text))),
        Err(e) => Err(json_diag(&rel, &e, "snapshot metadata")),
    }
}

fn plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.contains("..")
        && name.ends_with(".json")
        && !name.eq_ignore_ascii_case("metadata.json")
}

/// Reads one snapshot's file.
fn load_snapshot(root: &Path, category_name: &str, file: &str, entry: &SnapshotEntry) -> Result<Snapshot, Diagnostic> {
    let dir = snapshots_rel(category_name, file);
    if !plain_file_name(&entry.filename) {
        return Err(Diagnostic::error(
            &format!("{dir}/metadata.json"),
            0,
            format!("snapshot file name `{}` is not a plain file name; it is ignored", entry.filename),
            "snapshot file names look like snapshot-001.json",
        ));
    }
    let rel = format!("{dir}/{}", entry.filename);
    let text = crate::base::path_policy::read_to_string(root.join(&rel)).map_err(|e| {
        Diagnostic::warning(
            &rel,
            0,
            format!("snapshot version {} is listed in metadata.json but cannot be read: {e}", entry.version),
            "restore the file from git, or ignore it: only diffs against that version need it",
        )
    })?;
    serde_json::from_str::<Snapshot>(&text).map_err(|e| json_diag(&rel, &e, "snapshot JSON"))
}

// ---------------------------------------------------------------------------------------------
// Hashes
// ---------------------------------------------------------------------------------------------

fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The text a reviewer approves: BOM dropped, CRLF → LF; for task lists, task markers reset to
/// `[ ]` and `_Blocked:_` lines removed (progress is not a change of plan); for a numbered spec,
/// only its `## Tasks` section.
pub fn review_text(content: &str, doc: DocKind, tasks_section: bool) -> String {
    let body = content.strip_prefix('\u{feff}').unwrap_or(content);
    let scoped = if tasks_section {
        markdown::section(body, workspace::is_tasks_heading).map_or("", |r| &body[r])
    } else {
        body
    };
    let text = scoped.replace("\r\n", "\n");
    if doc != DocKind::Tasks {
        return text;
    }
    let list = tasks::parse(&text, "");
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for t in &list.tasks {
        if t.marker.0 != b' ' && t.marker_offset < text.len() {
            edits.push((t.marker_offset, t.marker_offset + 1, " "));
        }
        if let Some(r) = &t.blocked_range {
            edits.push((r.start, r.end, ""));
        }
    }
    edits.sort_by_key(|e| e.0);
    for (s, e, rep) in edits {
        if s < pos || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&text[pos..s]);
        out.push_str(rep);
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

/// Hashes of a document's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContentHash {
    /// sha256 of the bytes.
    pub content_sha256: String,
    /// sha256 of [`review_text`].
    pub review_sha256: String,
}

/// Hashes `content` as document `doc` (see [`review_text`]).
pub fn hash_content(content: &str, doc: DocKind, tasks_section: bool) -> ContentHash {
    ContentHash {
        content_sha256: sha256_hex(content.as_bytes()),
        review_sha256: sha256_hex(review_text(content, doc, tasks_section).as_bytes()),
    }
}

// ---------------------------------------------------------------------------------------------
// Document state
// ---------------------------------------------------------------------------------------------

/// Where a document stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocState {
    /// The file does not exist.
    Missing,
    /// The file exists; no approval was ever requested.
    Created,
    /// Waiting for a decision.
    Pending,
    /// Approved (see `changed_since_approval`).
    Approved,
    /// Rejected.
    Rejected,
    /// Sent back for revision.
    NeedsRevision,
}

impl DocState {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Created => "created",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::NeedsRevision => "needs-revision",
        }
    }

    fn from_status(s: ApprovalStatus) -> Self {
        match s {
            ApprovalStatus::Pending => Self::Pending,
            ApprovalStatus::Approved => Self::Approved,
            ApprovalStatus::Rejected => Self::Rejected,
            ApprovalStatus::NeedsRevision => Self::NeedsRevision,
        }
    }
}

/// The last approved version of a document.
#[derive(Clone, Debug, Serialize)]
pub struct ApprovedVersion {
    /// The record that approved it (the peer may have deleted it since).
    pub approval_id: String,
    /// When.
    pub approved_at: String,
    /// The reviewer's response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The snapshot holding the approved text, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_version: Option<u32>,
    /// sha256 of the approved bytes, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    /// sha256 of the approved review text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_sha256: Option<String>,
    /// `record` (a record says so) or `snapshot` (only an `approved` snapshot is left).
    pub source: &'static str,
}

/// One document's approval state, as `approval status` reports it.
#[derive(Clone, Debug, Serialize)]
pub struct DocApproval {
    /// Which document.
    pub doc: DocKind,
    /// Its file, relative to the workspace root.
    pub file: String,
    /// Whether the file exists.
    pub exists: bool,
    /// Where it stands.
    pub state: DocState,
    /// The latest record's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_id: Option<String>,
    /// The latest record's JSON file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval_file: Option<String>,
    /// When the latest request was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<String>,
    /// When it was decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responded_at: Option<String>,
    /// The reviewer's response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// The reviewer's comments.
    pub comments: Vec<ApprovalComment>,
    /// The last approved version, even when a later request is pending or was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved: Option<ApprovedVersion>,
    /// The file's review text differs from the last approved version's.
    pub changed_since_approval: bool,
    /// Only task progress (markers, `_Blocked:_` lines) changed since approval.
    pub progress_only_changes: bool,
    /// Hashes of the file as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<ContentHash>,
    /// Records for this document, all states.
    pub records: usize,
}

impl DocApproval {
    /// Approved, and not edited since.
    pub fn is_approved_now(&self) -> bool {
        self.state == DocState::Approved && !self.changed_since_approval
    }
}

/// Everything read about a category's approvals, for repeated queries.
struct CategoryView {
    records: Vec<LoadedApproval>,
    diagnostics: Vec<Diagnostic>,
}

impl CategoryView {
    fn load(root: &Path, category_name: &str) -> Self {
        let (records, diagnostics) = load_category(root, category_name);
        Self { records, diagnostics }
    }
}

fn read_doc(root: &Path, file: &Path) -> Option<String> {
    let bytes = crate::base::path_policy::read(root.join(file)).ok()?;
    Some(String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

fn doc_state(root: &Path, t: &DocTarget, view: &mut CategoryView) -> DocApproval {
    let file = t.file_str();
    let content = read_doc(root, &t.file);
    let current = content.as_deref().map(|c| hash_content(c, t.doc, t.tasks_section));
    let mine: Vec<&LoadedApproval> = view.records.iter().filter(|r| t.matches(&r.record.file_path)).collect();

    // Snapshots of this document (shared by every record of it, as in the peer).
    let meta = match load_snapshot_metadata(root, &t.category_name, &file) {
        Ok(m) => m.map(|(m, _)| m),
        Err(d) => {
            view.diagnostics.push(d);
            None
        }
    };
    let snaps: Vec<&SnapshotEntry> = meta.as_ref().map(|m| m.snapshots.iter().collect()).unwrap_or_default();
    let ids: std::collections::HashSet<&str> = mine.iter().map(|r| r.record.id.as_str()).collect();

    // The latest event decides the state: a record (decided or not), or an `approved` snapshot
    // whose record was deleted.
    let latest = mine.iter().max_by(|a, b| a.cmp_event(b));
    // An `approved` snapshot without its record counts only when its text can be read: it is
    // the only evidence left of that approval.
    let mut orphans: Vec<&SnapshotEntry> =
        snaps.iter().copied().filter(|s| s.trigger == "approved" && !ids.contains(s.approval_id.as_str())).collect();
    orphans.sort_by(|a, b| cmp_time(&b.timestamp, &a.timestamp).then(b.version.cmp(&a.version)));
    let mut orphan_approved: Option<(&SnapshotEntry, Snapshot)> = None;
    for o in orphans {
        match load_snapshot(root, &t.category_name, &file, o) {
            Ok(s) => {
                orphan_approved = Some((o, s));
                break;
            }
            Err(d) => view.diagnostics.push(d),
        }
    }

    // The last approved version.
    let mut approved: Option<ApprovedVersion> = None;
    let mut approved_snapshot: Option<&SnapshotEntry> = None;
    if let Some(r) = mine.iter().filter(|r| r.record.status == ApprovalStatus::Approved).max_by(|a, b| a.cmp_event(b)) {
        let snap = snaps
            .iter()
            .filter(|s| s.trigger == "approved" && s.approval_id == r.record.id)
            .max_by_key(|s| s.version)
            .copied();
        let snapshot_version = r
            .record
            .metadata
            .as_ref()
            .and_then(|m| m.get("snapshotVersion"))
            .and_then(Value::as_u64)
            .map(|v| v as u32)
            .or(snap.map(|s| s.version));
        approved_snapshot = snap.or_else(|| snaps.iter().find(|s| Some(s.version) == snapshot_version).copied());
        approved = Some(ApprovedVersion {
            approval_id: r.record.id.clone(),
            approved_at: r.record.event_time().to_owned(),
            response: r.record.response.clone(),
            snapshot_version,
            content_sha256: r.record.meta_str("contentSha256").map(str::to_owned),
            review_sha256: r.record.meta_str("reviewSha256").map(str::to_owned),
            source: "record",
        });
    }
    if let Some((o, snap)) = &orphan_approved
        && approved.as_ref().is_none_or(|a| cmp_time(&o.timestamp, &a.approved_at).is_gt())
    {
        let h = hash_content(&snap.content, t.doc, t.tasks_section);
        approved_snapshot = None;
        approved = Some(ApprovedVersion {
            approval_id: o.approval_id.clone(),
            approved_at: o.timestamp.clone(),
            response: None,
            snapshot_version: Some(o.version),
            content_sha256: Some(h.content_sha256),
            review_sha256: Some(h.review_sha256),
            source: "snapshot",
        });
    }
    // Fill in hashes from the snapshot's content when the record has none (peer approvals).
    if let Some(a) = approved.as_mut()
        && (a.review_sha256.is_none() || a.content_sha256.is_none())
        && let Some(entry) = approved_snapshot
    {
        match load_snapshot(root, &t.category_name, &file, entry) {
            Ok(s) => {
                let h = hash_content(&s.content, t.doc, t.tasks_section);
                a.content_sha256.get_or_insert(h.content_sha256);
                a.review_sha256.get_or_insert(h.review_sha256);
            }
            Err(d) => view.diagnostics.push(d),
        }
    }

    let state = match (latest, orphan_approved.as_ref().map(|(o, _)| *o)) {
        (Some(r), Some(o)) if cmp_time(&o.timestamp, r.record.event_time()).is_gt() => DocState::Approved,
        (Some(r), _) => DocState::from_status(r.record.status),
        (None, Some(_)) => DocState::Approved,
        (None, None) if content.is_some() => DocState::Created,
        (None, None) => DocState::Missing,
    };
    let (changed, progress_only) = match (&approved, &current) {
        (Some(a), Some(c)) => {
            let changed = match (&a.review_sha256, &a.content_sha256) {
                (Some(r), _) => *r != c.review_sha256,
                (None, Some(h)) => *h != c.content_sha256,
                (None, None) => false,
            };
            let bytes_changed = a.content_sha256.as_ref().is_some_and(|h| *h != c.content_sha256);
            (changed, !changed && bytes_changed)
        }
        (Some(_), None) => (true, false),
        _ => (false, false),
    };
    let l = latest.map(|r| &r.record);
    DocApproval {
        doc: t.doc,
        file,
        exists: content.is_some(),
        state,
        approval_id: l.map(|r| r.id.clone()),
        approval_file: latest.map(|r| slash(&r.path)),
        requested_at: l.map(|r| r.created_at.clone()),
        responded_at: l.and_then(|r| r.responded_at.clone()),
        response: l.and_then(|r| r.response.clone()),
        comments: l.and_then(|r| r.comments.clone()).unwrap_or_default(),
        approved,
        changed_since_approval: changed,
        progress_only_changes: progress_only,
        current,
        records: mine.len(),
    }
}

/// The approval state of one document.
pub fn doc_status(ws: &Workspace, t: &DocTarget) -> (DocApproval, Vec<Diagnostic>) {
    let mut view = CategoryView::load(&ws.root, &t.category_name);
    let d = doc_state(&ws.root, t, &mut view);
    (d, view.diagnostics)
}

/// The approvals of a spec (or of the steering documents), as `approval status` reports them.
#[derive(Clone, Debug, Serialize)]
pub struct SpecApprovals {
    /// The spec id, or `steering`.
    pub spec: String,
    /// `spec` or `steering`.
    pub category: Category,
    /// The spec's layout (none for steering).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
    /// Each document in phase order.
    pub docs: Vec<DocApproval>,
    /// Whether every document is approved and unchanged.
    pub all_approved: bool,
    /// What the workflow waits for next.
    pub next: NextStep,
    /// Problems in approval files.
    pub diagnostics: Vec<Diagnostic>,
}

/// The approvals of spec `name` (or `steering`).
pub fn status(ws: &Workspace, name: &str) -> Result<SpecApprovals, ApprovalError> {
    names::spec_name(name)?;
    let (targets, layout, category) = if name == STEERING && ws.spec(name).is_err() {
        let t: Result<Vec<_>, _> = DocKind::STEERING_DOCS.iter().map(|d| target(ws, STEERING, d.as_str())).collect();
        (t?, None, Category::Steering)
    } else {
        let spec = ws.spec(name)?;
        let kinds: &[DocKind] = if spec.layout == Layout::Numbered { &[DocKind::Tasks] } else { &DocKind::SPEC_PHASES };
        let t: Result<Vec<_>, _> = kinds.iter().map(|k| spec_target(spec, *k)).collect();
        (t?, Some(spec.layout), Category::Spec)
    };
    let cat_name = targets.first().map_or_else(|| name.to_owned(), |t| t.category_name.clone());
    let mut view = CategoryView::load(&ws.root, &cat_name);
    let docs: Vec<DocApproval> = targets.iter().map(|t| doc_state(&ws.root, t, &mut view)).collect();
    let all_approved = docs.iter().all(DocApproval::is_approved_now);
    let next = next_step(category, &docs);
    Ok(SpecApprovals { spec: cat_name, category, layout, docs, all_approved, next, diagnostics: view.diagnostics })
}

/// What a spec's (or the steering documents') approval workflow waits for next. Each frontend
/// words it: the CLI names a command, MCP a tool call, the dashboard a button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum NextStep {
    /// The document does not exist yet.
    Create {
        /// Which document.
        doc: DocKind,
    },
    /// The document exists and nobody was asked to review it.
    RequestReview {
        /// Which document.
        doc: DocKind,
    },
    /// A review was asked for and not decided.
    AwaitDecision {
        /// Which document.
        doc: DocKind,
    },
    /// The reviewer rejected it or asked for changes.
    Revise {
        /// Which document.
        doc: DocKind,
        /// Its workspace-relative file.
        file: String,
    },
    /// It was approved and has changed since.
    ReviewChange {
        /// Which document.
        doc: DocKind,
        /// Its workspace-relative file.
        file: String,
    },
    /// Every steering document written so far is approved.
    SteeringApproved,
    /// Every spec document is approved: the tasks can start.
    Implement,
}

fn next_step(category: Category, docs: &[DocApproval]) -> NextStep {
    for d in docs {
        let doc = d.doc;
        match d.state {
            DocState::Missing if category == Category::Steering => continue,
            DocState::Missing => return NextStep::Create { doc },
            DocState::Created => return NextStep::RequestReview { doc },
            DocState::Pending => return NextStep::AwaitDecision { doc },
            DocState::Rejected | DocState::NeedsRevision => return NextStep::Revise { doc, file: d.file.clone() },
            DocState::Approved if d.changed_since_approval => {
                return NextStep::ReviewChange { doc, file: d.file.clone() };
            }
            DocState::Approved => {}
        }
    }
    if category == Category::Steering { NextStep::SteeringApproved } else { NextStep::Implement }
}

/// The first of a named spec's phase documents (requirements, design, tasks) that is not
/// approved as it stands now — missing, never sent for review, waiting for a decision, sent back,
/// or changed since its approval — for a spec whose approvals folder exists (it uses the
/// approval workflow). `None` when every phase document is approved, and for specs that do not
/// use approvals (numbered and imported specs, or no approvals folder), whose phase follows
/// their files ([`Spec::phase`]).
pub fn unapproved_phase(ws: &Workspace, spec: &Spec) -> Option<DocKind> {
    if spec.layout != Layout::SpecWorkflow || !category_dir(&ws.root, &spec.id).is_dir() {
        return None;
    }
    match status(ws, &spec.id).ok()?.next {
        NextStep::Create { doc }
        | NextStep::RequestReview { doc }
        | NextStep::AwaitDecision { doc }
        | NextStep::Revise { doc, .. }
        | NextStep::ReviewChange { doc, .. } => Some(doc),
        NextStep::SteeringApproved | NextStep::Implement => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Listing
// ---------------------------------------------------------------------------------------------

/// One record in `approval list`.
#[derive(Clone, Debug, Serialize)]
pub struct ApprovalSummary {
    /// The id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The spec id (`categoryName`), or `steering`.
    pub spec: String,
    /// `spec` or `steering`.
    pub category: String,
    /// The document, when the file name is one of the known ones; `null` for any other file
    /// (the peer accepts a request for `README.md`).
    pub doc: Option<DocKind>,
    /// The document's file.
    pub file_path: String,
    /// The status.
    pub status: ApprovalStatus,
    /// When requested.
    pub created_at: String,
    /// When decided (`null` while pending).
    pub responded_at: Option<String>,
    /// The reviewer's response (`null` while pending).
    pub response: Option<String>,
    /// The JSON file, relative to the workspace.
    pub path: String,
}

impl From<&LoadedApproval> for ApprovalSummary {
    fn from(l: &LoadedApproval) -> Self {
        let r = &l.record;
        let base = r.file_path.rsplit(['/', '\\']).next().unwrap_or("");
        // A numbered spec's plan lives in `{id}.spec.md`, `spec.md` or a context file.
        let numbered =
            base.ends_with(".spec.md") || base.ends_with(".context.md") || base == "spec.md" || base == "context.md";
        // Other documents count only inside `.spec-workflow/`: a request for `docs/tech.md` is
        // about that file, not the steering document.
        let workflow = normalize_rel(&r.file_path).starts_with(".spec-workflow/");
        let doc = if numbered {
            Some(DocKind::Tasks)
        } else {
            DocKind::parse(base).filter(|_| workflow && base.ends_with(".md"))
        };
        Self {
            id: r.id.clone(),
            title: r.title.clone(),
            spec: r.category_name.clone(),
            category: r.category.clone(),
            doc,
            file_path: r.file_path.clone(),
            status: r.status,
            created_at: r.created_at.clone(),
            responded_at: r.responded_at.clone(),
            response: r.response.clone(),
            path: slash(&l.path),
        }
    }
}

/// Every record in the workspace, newest first, with the problems found reading them.
pub fn list(root: &Path) -> (Vec<ApprovalSummary>, Vec<Diagnostic>) {
    let (all, diags) = load_all(root);
    (all.iter().map(ApprovalSummary::from).collect(), diags)
}

/// Finds a record by id.
pub fn get(root: &Path, id: &str) -> Result<LoadedApproval, ApprovalError> {
    names::spec_name(id)?;
    let (all, _) = load_all(root);
    all.into_iter().find(|a| a.record.id == id).ok_or_else(|| ApprovalError::NotFound { id: id.to_owned() })
}

/// Deletes a decided record (the peer's `approvals delete`; pending ones are refused). The
/// document's snapshots stay, so an approval stays durable.
pub fn delete(root: &Path, id: &str) -> Result<LoadedApproval, ApprovalError> {
    let found = get(root, id)?;
    if found.record.status == ApprovalStatus::Pending {
        return Err(ApprovalError::StillPending { id: id.to_owned() });
    }
    crate::base::path_policy::remove_file(root.join(&found.path))?;
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

/// What an approval action did.
#[derive(Clone, Debug, Serialize)]
pub struct ApprovalOutcome {
    /// `request`, `approve`, `reject` or `revise`.
    pub action: &'static str,
    /// The spec id, or `steering`.
    pub spec: String,
    /// The document.
    pub doc: DocKind,
    /// Its file.
    pub file: String,
    /// The record acted on.
    pub approval_id: String,
    /// The record's JSON file.
    pub approval_file: String,
    /// Its status now.
    pub status: ApprovalStatus,
    /// A new record was created.
    pub created: bool,
    /// Nothing needed doing (already pending / already approved and unchanged).
    pub unchanged: bool,
    /// The snapshot taken, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_version: Option<u32>,
    /// Hashes of the document as decided.
    pub hash: ContentHash,
    /// Problems noticed (task grammar, unreadable approval files).
    pub warnings: Vec<Diagnostic>,
}

/// The `annotations` text of a revision request: the peer's dashboard writes
/// `JSON.stringify({decision, comments, summary, timestamp}, null, 2)`, keys in that order.
#[derive(Serialize)]
struct Annotations<'a> {
    decision: ApprovalStatus,
    comments: &'a [ApprovalComment],
    summary: &'a str,
    timestamp: &'a str,
}

/// A reviewer's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Approve.
    Approve,
    /// Reject.
    Reject,
    /// Send back for revision.
    Revise,
}

/// Options of a request.
#[derive(Clone, Debug, Default)]
pub struct RequestOptions<'a> {
    /// The title [default: `{spec title}: {doc}`].
    pub title: Option<&'a str>,
    /// The peer's record `type`: `document` (the default) or `action`.
    pub kind: Option<&'a str>,
    /// The peer's record `category` for a file that is not a spec or steering document
    /// ([`request_file`]): `spec` or `steering` [default: `steering` for the category
    /// `steering`, else `spec`]. A document's category is its own.
    pub category: Option<&'a str>,
}

struct Prepared {
    content: String,
    hash: ContentHash,
    warnings: Vec<Diagnostic>,
}

fn prepare(ws: &Workspace, t: &DocTarget) -> Result<Prepared, ApprovalError> {
    t.writable()?;
    // A document that is not there is missing; one the path policy refuses (a link out, a
    // FIFO, a file above the cap) is that error, not "missing".
    let content = match crate::base::path_policy::read(ws.root.join(&t.file)) {
        Ok(b) => String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApprovalError::DocMissing { file: t.file.clone(), spec: t.category_name.clone(), doc: t.doc });
        }
        Err(e) => return Err(ApprovalError::Write(WriteError::Io(e))),
    };
    let mut warnings = Vec::new();
    if t.doc == DocKind::Tasks {
        let scoped = review_text(&content, DocKind::Requirements, t.tasks_section);
        let list = tasks::parse(&scoped, &t.file_str());
        if list.tasks.is_empty() {
            return Err(ApprovalError::NoTasks { file: t.file.clone() });
        }
        if !t.tasks_section {
            warnings.extend(list.diagnostics);
        }
    }
    let hash = hash_content(&content, t.doc, t.tasks_section);
    Ok(Prepared { content, hash, warnings })
}

fn now_iso() -> (jiff::Timestamp, String) {
    let ts = clock::now().timestamp();
    (ts, ids::iso_millis(ts))
}

/// The file a record is about and the category it is filed under: a spec or steering document
/// ([`DocTarget::record_file`]) or any other file of the workspace ([`request_file`]).
struct RecordFile<'a> {
    /// `spec` or `steering`.
    category: &'a str,
    /// The folder under `approvals/`.
    category_name: &'a str,
    /// The file, relative to the workspace root, `/`-separated.
    file: String,
}

impl DocTarget {
    fn record_file(&self) -> RecordFile<'_> {
        RecordFile { category: self.category.as_str(), category_name: &self.category_name, file: self.file_str() }
    }
}

/// Creates a pending record (and the document's `initial` snapshot, once per document).
fn create_record(
    ws: &Workspace,
    t: &RecordFile<'_>,
    title: &str,
    kind: Option<&str>,
    content: &str,
    ids: &mut IdSource,
) -> Result<LoadedApproval, ApprovalError> {
    let (ts, iso) = now_iso();
    let dir = category_dir(&ws.root, t.category_name);
    for _ in 0..64 {
        let id = ids.approval_id(ts);
        let record = ApprovalRecord {
            id: id.clone(),
            title: title.to_owned(),
            file_path: t.file.clone(),
            kind: kind.filter(|k| *k == "action").map_or_else(document_type, str::to_owned),
            status: ApprovalStatus::Pending,
            created_at: iso.clone(),
            metadata: None,
            category: t.category.to_owned(),
            category_name: t.category_name.to_owned(),
            response: None,
            annotations: None,
            responded_at: None,
            comments: None,
            revision_history: None,
            extra: Map::new(),
        };
        let path = dir.join(format!("{id}.json"));
        match write::create(&path, to_json(&record).as_bytes()) {
            Ok(()) => {
                let rel = PathBuf::from(APPROVALS_DIR).join(t.category_name).join(format!("{id}.json"));
                let modified = fs_err::metadata(&path).and_then(|m| m.modified()).ok();
                let loaded = LoadedApproval { record, path: rel, modified };
                capture_snapshot(ws, t, &loaded.record, "initial", content, ids)?;
                return Ok(loaded);
            }
            Err(WriteError::Exists { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(WriteError::Conflict { path: dir }.into())
}

fn to_json<T: Serialize>(v: &T) -> String {
    // The peer writes `JSON.stringify(x, null, 2)`: two-space indent, no final newline.
    serde_json::to_string_pretty(v).expect("approval JSON serialises")
}

/// Takes a snapshot of `content` for `record`. Returns the version, or `None` when an `initial`
/// snapshot exists already (the peer keeps one per document).
fn capture_snapshot(
    ws: &Workspace,
    t: &RecordFile<'_>,
    record: &ApprovalRecord,
    trigger: &str,
    content: &str,
    ids: &mut IdSource,
) -> Result<Option<u32>, ApprovalError> {
    let file = t.file.clone();
    let dir = snapshots_dir(&ws.root, t.category_name, &file);
    let existing = load_snapshot_metadata(&ws.root, t.category_name, &file).map_err(|d| ApprovalError::Invalid {
        file: d.file,
        line: d.line,
        message: d.message,
    })?;
    let (mut meta, old_text) = existing.map_or_else(
        || (SnapshotMetadata { file_path: file.clone(), ..SnapshotMetadata::default() }, None),
        |(m, t)| (m, Some(t)),
    );
    if trigger == "initial" && meta.snapshots.iter().any(|s| s.trigger == "initial") {
        return Ok(None);
    }
    let (ts, iso) = now_iso();
    let last_modified = fs_err::metadata(ws.root.join(&t.file))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|m| jiff::Timestamp::try_from(m).ok())
        .map_or_else(|| iso.clone(), ids::iso_millis);
    let mut version = meta.current_version.max(meta.snapshots.iter().map(|s| s.version).max().unwrap_or(0)) + 1;
    crate::base::path_policy::create_dir_all(&dir)?;
    let filename = loop {
        let name = format!("snapshot-{version:03}.json");
        let snapshot = Snapshot {
            id: ids.snapshot_id(ts),
            approval_id: record.id.clone(),
            approval_title: record.title.clone(),
            version,
            timestamp: iso.clone(),
            trigger: trigger.to_owned(),
            status: record.status.as_str().to_owned(),
            content: content.to_owned(),
            file_stats: FileStats {
                size: content.len() as u64,
                lines: content.split('\n').count() as u64,
                last_modified: last_modified.clone(),
            },
            comments: record.comments.clone().unwrap_or_default(),
            annotations: record.annotations.clone(),
            extra: Map::new(),
        };
        match write::create(&dir.join(&name), to_json(&snapshot).as_bytes()) {
            Ok(()) => break name,
            Err(WriteError::Exists { .. }) if version < meta.current_version + 1000 => version += 1,
            Err(e) => return Err(e.into()),
        }
    };
    meta.current_version = version;
    meta.snapshots.push(SnapshotEntry {
        version,
        filename,
        timestamp: iso,
        trigger: trigger.to_owned(),
        approval_id: record.id.clone(),
        approval_title: record.title.clone(),
        extra: Map::new(),
    });
    let meta_path = dir.join("metadata.json");
    let new = to_json(&meta);
    match old_text {
        Some(old) => write::replace(&meta_path, old.as_bytes(), new.as_bytes())?,
        None => write::create(&meta_path, new.as_bytes())?,
    }
    Ok(Some(version))
}

/// Rewrites a record's JSON file with `edit`, refusing to touch a file it cannot parse.
fn update_record(
    ws: &Workspace,
    rel: &Path,
    mut edit: impl FnMut(&mut ApprovalRecord),
) -> Result<ApprovalRecord, ApprovalError> {
    let path = ws.root.join(rel);
    let shown = slash(rel);
    let mut result = None;
    write::update(&path, |old: &str| -> Result<String, ApprovalError> {
        let mut r: ApprovalRecord = serde_json::from_str(old).map_err(|e| ApprovalError::Invalid {
            file: shown.clone(),
            line: e.line(),
            message: format!("invalid approval JSON: {e}"),
        })?;
        edit(&mut r);
        let text = to_json(&r);
        result = Some(r);
        Ok(text)
    })?;
    Ok(result.expect("update ran the edit"))
}

/// Asks for review of a document: creates a pending record and the document's initial snapshot.
/// A pending request for the same document is returned as it is (`unchanged`).
pub fn request(ws: &Workspace, t: &DocTarget, opts: &RequestOptions<'_>) -> Result<ApprovalOutcome, ApprovalError> {
    let p = prepare(ws, t)?;
    let lock_dir = category_dir(&ws.root, &t.category_name).join(".snapshots");
    crate::base::path_policy::create_dir_all(&lock_dir)?;
    let _lock = write::DirLock::acquire(&lock_dir);
    let mut view = CategoryView::load(&ws.root, &t.category_name);
    let mut warnings = p.warnings;
    warnings.append(&mut view.diagnostics);
    if let Some(pending) = latest_pending(&view, t) {
        return Ok(outcome("request", t, pending, false, true, None, p.hash, warnings));
    }
    let mut ids = IdSource::new();
    let title = opts.title.map_or_else(|| t.title.clone(), str::to_owned);
    let created = create_record(ws, &t.record_file(), &title, opts.kind, &p.content, &mut ids)?;
    Ok(outcome("request", t, &created, true, false, None, p.hash, warnings))
}

/// What a peer-style request ([`request_file`]) did.
#[derive(Clone, Debug, Serialize)]
pub struct FileRequest {
    /// The record.
    pub approval_id: String,
    /// The record's JSON file.
    pub approval_file: String,
    /// Its status (a pending request for the same file is returned as it is).
    pub status: ApprovalStatus,
    /// The category name (a spec id, `steering`, or any plain name for other files).
    pub spec: String,
    /// The spec or steering document, or `None` for any other file.
    pub doc: Option<DocKind>,
    /// The file, relative to the workspace root.
    pub file: String,
    /// A new record was created.
    pub created: bool,
    /// Problems noticed (task grammar, unreadable approval files).
    pub warnings: Vec<Diagnostic>,
}

/// A request as the peer's `approvals` tool takes it: `categoryName` + `filePath`.
///
/// A path under `.spec-workflow/` must be one of the category's own documents (as
/// [`target_for_file`] resolves it) and is requested as [`request`] does. Any other file of the
/// workspace (`README.md`, `docs/rollout.md`) is accepted as the peer accepts it: it must exist,
/// be a regular file inside the workspace (the path policy) and be named by a relative path
/// without `..`; `categoryName` must be a plain name. Its record and `initial` snapshot are the
/// peer's; it takes no part in phases or the tasks gate.
pub fn request_file(
    ws: &Workspace,
    category_name: &str,
    file_path: &str,
    opts: &RequestOptions<'_>,
) -> Result<FileRequest, ApprovalError> {
    names::spec_name(category_name)?;
    let f = normalize_rel(file_path);
    let in_workflow = f == ".spec-workflow" || f.starts_with(".spec-workflow/");
    match target_for_file(ws, category_name, file_path) {
        Ok(t) => {
            let out = request(ws, &t, opts)?;
            return Ok(FileRequest {
                approval_id: out.approval_id,
                approval_file: out.approval_file,
                status: out.status,
                spec: out.spec,
                doc: Some(out.doc),
                file: out.file,
                created: out.created,
                warnings: out.warnings,
            });
        }
        Err(ApprovalError::UnknownDoc { .. } | ApprovalError::Workspace(WorkspaceError::NoSuchSpec { .. }))
            if !in_workflow && !f.is_empty() => {}
        Err(e) => return Err(e),
    }
    // The same checks `target_for_file` makes, before anything is read.
    if f.starts_with('/') || f.split('/').any(|c| c == ".." || c.is_empty() || c == ".") || f.contains(':') {
        return Err(ApprovalError::UnknownDoc { doc: file_path.to_owned() });
    }
    let content = match crate::base::path_policy::read(ws.root.join(&f)) {
        Ok(b) => String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ApprovalError::FileMissing { file: PathBuf::from(&f) });
        }
        Err(e) => return Err(ApprovalError::Write(WriteError::Io(e))),
    };
    let category = match opts.category {
        Some("steering") => "steering",
        Some(_) => "spec",
        None if category_name == STEERING => "steering",
        None => "spec",
    };
    let rf = RecordFile { category, category_name, file: f.clone() };
    let lock_dir = category_dir(&ws.root, category_name).join(".snapshots");
    crate::base::path_policy::create_dir_all(&lock_dir)?;
    let _lock = write::DirLock::acquire(&lock_dir);
    let view = CategoryView::load(&ws.root, category_name);
    let pending = view
        .records
        .iter()
        .filter(|r| r.record.status == ApprovalStatus::Pending && normalize_rel(&r.record.file_path) == f)
        .max_by(|a, b| a.cmp_created(b));
    let (l, created) = match pending {
        Some(p) => (p.clone(), false),
        None => {
            let title = opts.title.unwrap_or(&f);
            (create_record(ws, &rf, title, opts.kind, &content, &mut IdSource::new())?, true)
        }
    };
    Ok(FileRequest {
        approval_id: l.record.id.clone(),
        approval_file: slash(&l.path),
        status: l.record.status,
        spec: category_name.to_owned(),
        doc: None,
        file: f,
        created,
        warnings: view.diagnostics,
    })
}

fn latest_pending<'a>(view: &'a CategoryView, t: &DocTarget) -> Option<&'a LoadedApproval> {
    view.records
        .iter()
        .filter(|r| r.record.status == ApprovalStatus::Pending && t.matches(&r.record.file_path))
        .max_by(|a, b| a.cmp_created(b))
}

#[allow(clippy::too_many_arguments)]
fn outcome(
    action: &'static str,
    t: &DocTarget,
    l: &LoadedApproval,
    created: bool,
    unchanged: bool,
    snapshot_version: Option<u32>,
    hash: ContentHash,
    warnings: Vec<Diagnostic>,
) -> ApprovalOutcome {
    ApprovalOutcome {
        action,
        spec: t.category_name.clone(),
        doc: t.doc,
        file: t.file_str(),
        approval_id: l.record.id.clone(),
        approval_file: slash(&l.path),
        status: l.record.status,
        created,
        unchanged,
        snapshot_version,
        hash,
        warnings,
    }
}

/// Approves, rejects or sends back a document. The pending request is decided; when there is
/// none, one is created first (a reviewer may decide without a request). Approving a document
/// that is approved and unchanged does nothing (`unchanged`). `comment` is required to reject or
/// revise.
pub fn decide(
    ws: &Workspace,
    t: &DocTarget,
    decision: Decision,
    comment: Option<&str>,
) -> Result<ApprovalOutcome, ApprovalError> {
    decide_with(ws, t, decision, comment, false)
}

/// The template a document was made from, for [`decide_with`]'s check.
fn template_of(t: &DocTarget) -> Option<TemplateKind> {
    Some(match (t.doc, t.layout) {
        (DocKind::Tasks, Some(Layout::Numbered)) => TemplateKind::NumberedSpec,
        (DocKind::Requirements, _) => TemplateKind::Requirements,
        (DocKind::Design, _) => TemplateKind::Design,
        (DocKind::Tasks, _) => TemplateKind::Tasks,
        (DocKind::Product, _) => TemplateKind::Product,
        (DocKind::Tech, _) => TemplateKind::Tech,
        (DocKind::Structure, _) => TemplateKind::Structure,
    })
}

/// [`decide`]; approving a document that still holds two or more of its template's placeholders
/// (`[role]`, `[feature]`: a template nobody filled in) is refused unless `force`.
pub fn decide_with(
    ws: &Workspace,
    t: &DocTarget,
    decision: Decision,
    comment: Option<&str>,
    force: bool,
) -> Result<ApprovalOutcome, ApprovalError> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let action = match decision {
        Decision::Approve => "approve",
        Decision::Reject => "reject",
        Decision::Revise => "revise",
    };
    if decision != Decision::Approve && comment.is_none() {
        return Err(ApprovalError::CommentRequired { action });
    }
    let p = prepare(ws, t)?;
    let lock_dir = category_dir(&ws.root, &t.category_name).join(".snapshots");
    crate::base::path_policy::create_dir_all(&lock_dir)?;
    let _lock = write::DirLock::acquire(&lock_dir);
    let mut view = CategoryView::load(&ws.root, &t.category_name);
    let state = doc_state(&ws.root, t, &mut view);
    let mut warnings = p.warnings;
    warnings.append(&mut view.diagnostics);

    if decision == Decision::Approve
        && state.is_approved_now()
        && let Some(latest) = state.approval_id.as_ref().and_then(|id| view.records.iter().find(|r| &r.record.id == id))
    {
        return Ok(outcome(action, t, latest, false, true, None, p.hash, warnings));
    }

    // A new approval of a template nobody filled in needs `force` (approving again is harmless).
    if decision == Decision::Approve
        && !force
        && let Some(kind) = template_of(t)
    {
        // The text under review, as `prepare` read it.
        let text = review_text(&p.content, t.doc, t.tasks_section);
        let left = crate::text::templates::placeholders_left(&crate::text::templates::load(&ws.root, kind), &text);
        if left.len() >= 2 {
            return Err(ApprovalError::UntouchedTemplate { file: t.file.clone(), placeholders: left });
        }
    }
    let mut ids = IdSource::new();
    let (target_record, created) = match latest_pending(&view, t) {
        Some(r) => (r.clone(), false),
        None => (create_record(ws, &t.record_file(), &t.title, None, &p.content, &mut ids)?, true),
    };
    let trigger = match decision {
        Decision::Approve => Some("approved"),
        Decision::Revise => Some("revision_requested"),
        Decision::Reject => None,
    };
    let snapshot_version = match trigger {
        Some(tr) => capture_snapshot(ws, &t.record_file(), &target_record.record, tr, &p.content, &mut ids)?,
        None => None,
    };
    let (now, iso) = now_iso();
    let comment_id = ids.comment_id(now);
    let hash = p.hash.clone();
    let record = update_record(ws, &target_record.path, |r| {
        r.responded_at = Some(iso.clone());
        match decision {
            Decision::Approve => {
                r.status = ApprovalStatus::Approved;
                r.response = Some(comment.unwrap_or("Approved via specwork").to_owned());
                let m = r.metadata.get_or_insert_with(Map::new);
                m.insert("contentSha256".into(), Value::String(hash.content_sha256.clone()));
                m.insert("reviewSha256".into(), Value::String(hash.review_sha256.clone()));
                if let Some(v) = snapshot_version {
                    m.insert("snapshotVersion".into(), Value::from(v));
                }
                m.insert("approvedWith".into(), Value::String("specwork".into()));
            }
            Decision::Reject => {
                r.status = ApprovalStatus::Rejected;
                r.response = comment.map(str::to_owned);
            }
            Decision::Revise => {
                let text = comment.unwrap_or_default();
                let comments = vec![ApprovalComment {
                    kind: "general".into(),
                    comment: text.to_owned(),
                    timestamp: iso.clone(),
                    id: Some(Value::String(comment_id.clone())),
                    ..ApprovalComment::default()
                }];
                let summary = format!("Feedback Summary (1 comments):\n\nGeneral Comments:\n1. {text}\n");
                let annotations = Annotations {
                    decision: ApprovalStatus::NeedsRevision,
                    comments: &comments,
                    summary: &summary,
                    timestamp: &iso,
                };
                r.status = ApprovalStatus::NeedsRevision;
                r.response = Some(summary.clone());
                r.annotations = Some(to_json(&annotations));
                r.comments = Some(comments);
            }
        }
    })?;
    let modified = fs_err::metadata(ws.root.join(&target_record.path)).and_then(|m| m.modified()).ok();
    let loaded = LoadedApproval { record, path: target_record.path, modified };
    Ok(outcome(action, t, &loaded, created, false, snapshot_version, p.hash, warnings))
}

/// Approves a document (see [`decide`]).
pub fn approve(ws: &Workspace, t: &DocTarget, comment: Option<&str>) -> Result<ApprovalOutcome, ApprovalError> {
    decide(ws, t, Decision::Approve, comment)
}

/// Approves a document even when it is still its template (see [`decide_with`]).
pub fn approve_forced(ws: &Workspace, t: &DocTarget, comment: Option<&str>) -> Result<ApprovalOutcome, ApprovalError> {
    decide_with(ws, t, Decision::Approve, comment, true)
}

/// Rejects a document (see [`decide`]).
pub fn reject(ws: &Workspace, t: &DocTarget, comment: &str) -> Result<ApprovalOutcome, ApprovalError> {
    decide(ws, t, Decision::Reject, Some(comment))
}

/// Sends a document back for revision (see [`decide`]).
pub fn revise(ws: &Workspace, t: &DocTarget, comment: &str) -> Result<ApprovalOutcome, ApprovalError> {
    decide(ws, t, Decision::Revise, Some(comment))
}

// ---------------------------------------------------------------------------------------------
// Diffs
// ---------------------------------------------------------------------------------------------

/// What to compare the document with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffBase {
    /// The last approved version.
    LastApproved,
    /// The latest snapshot of any kind.
    LastSnapshot,
}

/// A unified diff of a document against one of its snapshots.
#[derive(Clone, Debug, Serialize)]
pub struct DocDiff {
    /// The spec id, or `steering`.
    pub spec: String,
    /// The document.
    pub doc: DocKind,
    /// Its file.
    pub file: String,
    /// The snapshot compared with.
    pub base_version: u32,
    /// The snapshot's trigger (`approved`, `initial`, …).
    pub base_trigger: String,
    /// The record the snapshot belongs to.
    pub base_approval_id: String,
    /// When the snapshot was taken.
    pub base_timestamp: String,
    /// Whether the text differs at all.
    pub changed: bool,
    /// Whether only task progress differs (markers, `_Blocked:_` lines).
    pub progress_only: bool,
    /// Lines added.
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The unified diff (`---`/`+++` headers, `@@` hunks, 3 lines of context).
    pub unified: String,
}

/// Diffs a document against its last approved version (or its latest snapshot).
pub fn diff(ws: &Workspace, t: &DocTarget, base: DiffBase) -> Result<DocDiff, ApprovalError> {
    let file = t.file_str();
    let mut view = CategoryView::load(&ws.root, &t.category_name);
    let state = doc_state(&ws.root, t, &mut view);
    let meta = load_snapshot_metadata(&ws.root, &t.category_name, &file)
        .map_err(|d| ApprovalError::Invalid { file: d.file, line: d.line, message: d.message })?
        .map(|(m, _)| m);
    let entry = match base {
        DiffBase::LastApproved => {
            let a = state
                .approved
                .as_ref()
                .ok_or_else(|| ApprovalError::NoApprovedVersion { spec: t.category_name.clone(), doc: t.doc })?;
            let v = a.snapshot_version;
            meta.as_ref().and_then(|m| {
                m.snapshots
                    .iter()
                    .filter(|s| Some(s.version) == v || (s.trigger == "approved" && s.approval_id == a.approval_id))
                    .max_by_key(|s| s.version)
                    .cloned()
            })
        }
        DiffBase::LastSnapshot => meta.as_ref().and_then(|m| m.snapshots.iter().max_by_key(|s| s.version).cloned()),
    };
    let what = if base == DiffBase::LastApproved { "approved version" } else { "any version" };
    let entry = entry.ok_or_else(|| ApprovalError::NoSnapshot {
        spec: t.category_name.clone(),
        doc: t.doc,
        what: what.to_owned(),
    })?;
    let snap = load_snapshot(&ws.root, &t.category_name, &file, &entry).map_err(|_| ApprovalError::NoSnapshot {
        spec: t.category_name.clone(),
        doc: t.doc,
        what: what.to_owned(),
    })?;
    let current = read_doc(&ws.root, &t.file).unwrap_or_default();
    let old = snap.content.replace("\r\n", "\n");
    let new = current.replace("\r\n", "\n");
    let td = similar::TextDiff::from_lines(&old, &new);
    let mut added = 0;
    let mut removed = 0;
    for c in td.iter_all_changes() {
        match c.tag() {
            similar::ChangeTag::Insert => added += 1,
            similar::ChangeTag::Delete => removed += 1,
            similar::ChangeTag::Equal => {}
        }
    }
    let unified = td
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file} (v{} {})", entry.version, entry.trigger), &format!("b/{file} (now)"))
        .to_string();
    let old_review = review_text(&snap.content, t.doc, t.tasks_section);
    let new_review = review_text(&current, t.doc, t.tasks_section);
    Ok(DocDiff {
        spec: t.category_name.clone(),
        doc: t.doc,
        file,
        base_version: entry.version,
        base_trigger: entry.trigger.clone(),
        base_approval_id: entry.approval_id.clone(),
        base_timestamp: entry.timestamp.clone(),
        changed: old != new,
        progress_only: old != new && old_review == new_review,
        added,
        removed,
        unified,
    })
}

// ---------------------------------------------------------------------------------------------
// The gate
// ---------------------------------------------------------------------------------------------

/// Why a spec's tasks may not be started.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GateError {
    /// Nobody asked for approval of the tasks.
    #[error("the tasks of spec `{spec}` are not approved: no approval was requested")]
    NotRequested {
        /// The spec.
        spec: String,
        /// `tasks` for named specs, `plan` for numbered ones.
        doc: &'static str,
    },
    /// Waiting for a decision.
    #[error("the tasks of spec `{spec}` are waiting for approval ({approval_id})")]
    Pending {
        /// The spec.
        spec: String,
        /// The pending record.
        approval_id: String,
    },
    /// Rejected.
    #[error("the tasks of spec `{spec}` were rejected: {response}")]
    Rejected {
        /// The spec.
        spec: String,
        /// The reviewer's reason.
        response: String,
    },
    /// Sent back for revision.
    #[error("the tasks of spec `{spec}` need revision: {response}")]
    NeedsRevision {
        /// The spec.
        spec: String,
        /// The reviewer's feedback.
        response: String,
    },
    /// Edited after approval.
    #[error("the tasks of spec `{spec}` changed since they were approved ({approved_at})")]
    Changed {
        /// The spec.
        spec: String,
        /// When they were approved.
        approved_at: String,
    },
    /// There is no task list.
    #[error("spec `{spec}` has no task list")]
    NoTasks {
        /// The spec.
        spec: String,
    },
}

impl GateError {
    /// The spec refused.
    pub fn spec(&self) -> &str {
        match self {
            Self::NotRequested { spec, .. }
            | Self::Pending { spec, .. }
            | Self::Rejected { spec, .. }
            | Self::NeedsRevision { spec, .. }
            | Self::Changed { spec, .. }
            | Self::NoTasks { spec } => spec,
        }
    }
}

/// Why the gate let a spec through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum GatePass {
    /// The tasks (a numbered spec's plan) are approved and unchanged.
    Approved {
        /// The approving record.
        approval_id: String,
        /// When.
        approved_at: String,
    },
    /// The spec has no approval records at all and work on it has already started (tasks done,
    /// in progress or blocked): it predates approval tracking (written by hand or by another
    /// tool), so it is let through. Recording an approval puts it under the gate.
    Untracked,
    /// A read-only import (Kiro, spec-kit, OpenSpec): its own tool governs approval.
    Import,
}

/// The gate `do-task` calls: may the tasks of `spec` be started? See [`gate`] for the rules.
pub fn tasks_approved(ws: &Workspace, spec: &Spec) -> Result<(), GateError> {
    gate(ws, spec).map(|_| ())
}

/// The gate with its reason. Rules:
///
/// * imports pass ([`GatePass::Import`]);
/// * named specs need `tasks.md` approved and unchanged since (task progress is not a change);
///   numbered specs need their plan approved (the `## Tasks` section);
/// * a spec with no approval records and no snapshots at all, on which work has already started,
///   passes as [`GatePass::Untracked`]; with nothing started it is refused, so a fresh spec goes
///   through review.
pub fn gate(ws: &Workspace, spec: &Spec) -> Result<GatePass, GateError> {
    if !spec.layout.writable() {
        return Ok(GatePass::Import);
    }
    let doc = if spec.layout == Layout::Numbered { "plan" } else { "tasks" };
    let t = spec_target(spec, DocKind::Tasks).map_err(|_| GateError::NoTasks { spec: spec.id.clone() })?;
    let mut view = CategoryView::load(&ws.root, &t.category_name);
    let d = doc_state(&ws.root, &t, &mut view);
    if !d.exists || spec.tasks.tasks.is_empty() {
        return Err(GateError::NoTasks { spec: spec.id.clone() });
    }
    match d.state {
        DocState::Approved if !d.changed_since_approval => {
            let a = d.approved.as_ref();
            Ok(GatePass::Approved {
                approval_id: a.map(|a| a.approval_id.clone()).unwrap_or_default(),
                approved_at: a.map(|a| a.approved_at.clone()).unwrap_or_default(),
            })
        }
        DocState::Approved => Err(GateError::Changed {
            spec: spec.id.clone(),
            approved_at: d.approved.map(|a| a.approved_at).unwrap_or_default(),
        }),
        DocState::Pending => {
            Err(GateError::Pending { spec: spec.id.clone(), approval_id: d.approval_id.unwrap_or_default() })
        }
        DocState::Rejected => {
            Err(GateError::Rejected { spec: spec.id.clone(), response: d.response.unwrap_or_default() })
        }
        DocState::NeedsRevision => {
            Err(GateError::NeedsRevision { spec: spec.id.clone(), response: d.response.unwrap_or_default() })
        }
        DocState::Created | DocState::Missing => {
            let untracked =
                view.records.is_empty() && !category_dir(&ws.root, &t.category_name).join(".snapshots").exists();
            let started = SpecStatus::from_counts(&spec.tasks.counts()) != SpecStatus::Planning;
            if untracked && started {
                Ok(GatePass::Untracked)
            } else {
                Err(GateError::NotRequested { spec: spec.id.clone(), doc })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_text_ignores_progress_and_line_endings() {
        let a = "# Tasks\n\n- [ ] 1. One\n- [ ] 2. Two\n";
        let b = "# Tasks\r\n\r\n- [x] 1. One\r\n- [~] 2. Two\r\n  - _Blocked: waiting_\r\n";
        assert_eq!(review_text(a, DocKind::Tasks, false), review_text(b, DocKind::Tasks, false));
        let c = "# Tasks\n\n- [ ] 1. One, reworded\n- [ ] 2. Two\n";
        assert_ne!(review_text(a, DocKind::Tasks, false), review_text(c, DocKind::Tasks, false));
        // Requirements: every byte but line endings counts.
        assert_ne!(
            review_text("- [ ] a\n", DocKind::Requirements, false),
            review_text("- [x] a\n", DocKind::Requirements, false)
        );
    }

    #[test]
    fn numbered_plans_hash_only_the_tasks_section() {
        let a = "# 1014 - X\n\n## Tasks\n\n- [ ] 1. A\n\n## Deliverables\n";
        let b = "# 1014 - X\n\nMore overview.\n\n## Tasks\n\n- [x] 1. A\n\n## Deliverables\n- [[d]]\n";
        assert_eq!(
            hash_content(a, DocKind::Tasks, true).review_sha256,
            hash_content(b, DocKind::Tasks, true).review_sha256
        );
    }

    #[test]
    fn peer_style_requests_resolve_only_the_categorys_own_documents() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs_err::create_dir_all(root.join(".spec-workflow/specs/x")).unwrap();
        fs_err::create_dir_all(root.join(".spec-workflow/steering")).unwrap();
        fs_err::write(root.join(".spec-workflow/specs/x/requirements.md"), "# R\n").unwrap();
        fs_err::write(root.join(".spec-workflow/steering/tech.md"), "# T\n").unwrap();
        let ws = Workspace::load(root).unwrap();
        let t = target_for_file(&ws, "x", "./.spec-workflow/specs/x/requirements.md").unwrap();
        assert_eq!(t.doc, DocKind::Requirements);
        assert_eq!(target_for_file(&ws, "steering", ".spec-workflow/steering/tech.md").unwrap().doc, DocKind::Tech);
        for bad in ["../../etc/passwd", "/etc/passwd", ".spec-workflow/specs/y/requirements.md", "src/main.rs"] {
            assert!(target_for_file(&ws, "x", bad).is_err(), "{bad}");
        }
        assert!(target_for_file(&ws, "../x", ".spec-workflow/specs/x/requirements.md").is_err());

        // The whole cycle through the library, as the MCP server and the dashboard call it.
        let r = request(&ws, &t, &RequestOptions::default()).unwrap();
        assert!(r.created);
        let a = approve(&ws, &t, None).unwrap();
        assert_eq!(a.approval_id, r.approval_id);
        assert_eq!(a.status, ApprovalStatus::Approved);
        let (d, diags) = doc_status(&ws, &t);
        assert!(diags.is_empty());
        assert!(d.is_approved_now());
        assert_eq!(get(root, &r.approval_id).unwrap().record.status, ApprovalStatus::Approved);
        delete(root, &r.approval_id).unwrap();
        let (d, _) = doc_status(&ws, &t);
        assert!(d.is_approved_now(), "the approved snapshot keeps the approval after the record is deleted");
        assert_eq!(d.approved.unwrap().source, "snapshot");
    }

    #[test]
    fn peer_records_parse_and_keep_unknown_fields() {
        let text = r#"{
  "id": "approval_1768881797542_l4sqnftsk",
  "title": "Epic 5 Frontend Requirements",
  "filePath": ".spec-workflow/specs/frontend/requirements.md",
  "type": "document",
  "status": "pending",
  "createdAt": "2026-01-20T04:03:17.542Z",
  "category": "spec",
  "categoryName": "frontend",
  "custom": {"x": 1}
}"#;
        let r: ApprovalRecord = serde_json::from_str(text).unwrap();
        assert_eq!(r.status, ApprovalStatus::Pending);
        let back = to_json(&r);
        assert!(back.starts_with("{\n  \"id\": \"approval_1768881797542_l4sqnftsk\",\n  \"title\""), "{back}");
        assert!(back.contains("\"custom\": {\n    \"x\": 1\n  }"), "{back}");
        let bad = serde_json::from_str::<ApprovalRecord>("{\n \"id\": 1,\n").unwrap_err();
        assert!(bad.line() >= 2);
    }
}
