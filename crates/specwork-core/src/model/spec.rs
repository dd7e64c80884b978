//! The spec model shared by every layout.

use std::path::PathBuf;

use serde::Serialize;

use crate::model::context::ContextFile;
use crate::model::tasks::{TaskCounts, TaskList};

/// Where a spec comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `specs/1000/1001/1014.spec.md` (and parent `spec.md` files).
    Numbered,
    /// `.spec-workflow/specs/{name}/` (spec-workflow-mcp compatible).
    SpecWorkflow,
    /// `.kiro/specs/{name}/` (read-only import).
    Kiro,
    /// `specs/NNN-name/` (GitHub spec-kit, read-only import).
    SpecKit,
    /// `openspec/changes/{name}/` (read-only import).
    #[serde(rename = "openspec")]
    OpenSpec,
}

impl Layout {
    /// The stable name used in JSON and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Numbered => "numbered",
            Self::SpecWorkflow => "spec-workflow",
            Self::Kiro => "kiro",
            Self::SpecKit => "spec-kit",
            Self::OpenSpec => "openspec",
        }
    }

    /// Whether specwork writes specs of this layout (imports are read-only).
    pub fn writable(self) -> bool {
        matches!(self, Self::Numbered | Self::SpecWorkflow)
    }
}

/// The state of a spec as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecStatus {
    /// Nothing done yet.
    Planning,
    /// Work has started.
    Active,
    /// Waiting on something; a task is blocked and none is in progress.
    Blocked,
    /// Every task is done.
    Done,
}

impl SpecStatus {
    /// Parses a context file's `**Status**:` value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "planning" | "planned" | "draft" | "not started" => Self::Planning,
            "active" | "in progress" | "in-progress" | "implementing" => Self::Active,
            "blocked" => Self::Blocked,
            "done" | "complete" | "completed" => Self::Done,
            _ => return None,
        })
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planning => "planning",
            Self::Active => "active",
            Self::Blocked => "blocked",
            Self::Done => "done",
        }
    }

    /// Derives a status from task counts.
    pub fn from_counts(c: &TaskCounts) -> Self {
        if c.total > 0 && c.done == c.total {
            Self::Done
        } else if c.blocked > 0 && c.in_progress == 0 {
            Self::Blocked
        } else if c.done > 0 || c.in_progress > 0 {
            Self::Active
        } else {
            Self::Planning
        }
    }
}

/// The documents of a spec, relative to the workspace root.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SpecDocs {
    /// The numbered spec file or spec-kit/OpenSpec `spec.md`/`proposal.md`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec: Option<PathBuf>,
    /// `requirements.md`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements: Option<PathBuf>,
    /// `design.md` (spec-kit: `plan.md`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub design: Option<PathBuf>,
    /// `tasks.md`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tasks: Option<PathBuf>,
    /// The numbered spec's `*.context.md`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<PathBuf>,
    /// An OpenSpec change's delta specs: every `specs/**/spec.md` of the change, nested
    /// capability folders included (`specs/platform/session-layout/spec.md`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deltas: Vec<PathBuf>,
}

/// One spec, whatever its layout.
#[derive(Clone, Debug)]
pub struct Spec {
    /// A numbered spec's number (`1014`), a named spec's folder name.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Where it comes from.
    pub layout: Layout,
    /// The spec's main path relative to the workspace: the spec file for numbered specs, the
    /// folder for named specs.
    pub path: PathBuf,
    /// The folder holding the spec (deliverables live here for numbered specs).
    pub dir: PathBuf,
    /// Parent spec id (numbered tree).
    pub parent: Option<String>,
    /// Child spec ids (numbered tree), in order.
    pub children: Vec<String>,
    /// Whether this is an area/parent `spec.md` of the numbered tree.
    pub is_area: bool,
    /// Archived (`.spec-workflow/archive/specs/`).
    pub archived: bool,
    /// Its documents.
    pub docs: SpecDocs,
    /// Which file holds the tasks, and the byte range of the task section in it.
    pub tasks_source: Option<TaskSource>,
    /// Its tasks.
    pub tasks: TaskList,
    /// The numbered spec's context file, when it exists.
    pub context: Option<ContextFile>,
    /// The status written in the context file, if any.
    pub declared_status: Option<SpecStatus>,
}

/// The file (relative to the workspace) and section holding a spec's tasks.
#[derive(Clone, Debug)]
pub struct TaskSource {
    /// The file.
    pub file: PathBuf,
    /// The section's byte range in it (the whole file for `tasks.md`).
    pub section: Option<std::ops::Range<usize>>,
}

impl Spec {
    /// The status: the context file's when it declares one, else derived from the tasks.
    pub fn status(&self) -> SpecStatus {
        let derived = SpecStatus::from_counts(&self.tasks.counts());
        match self.declared_status {
            // A declared status is the person's word, except that finished tasks finish a spec.
            Some(s) if derived != SpecStatus::Done || s == SpecStatus::Done => s,
            _ => derived,
        }
    }

    /// The workflow phase: the first of requirements → design → tasks that is missing, then
    /// implementation, then done.
    pub fn phase(&self) -> &'static str {
        match self.layout {
            Layout::SpecWorkflow | Layout::Kiro => {
                if self.docs.requirements.is_none() {
                    "requirements"
                } else if self.docs.design.is_none() {
                    "design"
                } else if self.docs.tasks.is_none() {
                    "tasks"
                } else if self.status() == SpecStatus::Done {
                    "done"
                } else {
                    "implementation"
                }
            }
            _ => match self.status() {
                SpecStatus::Done => "done",
                SpecStatus::Planning if self.tasks.tasks.is_empty() => "planning",
                _ => "implementation",
            },
        }
    }
}
