//! Drift: where the workspace no longer matches what was approved or finished.
//!
//! Kinds (the stable `kind` in JSON):
//!
//! * `changed-after-done` — a file a done task touched differs from its content when the task was
//!   finished (or last accepted), and a commit not linked to the task, or an uncommitted edit,
//!   changed it (`commit` names the newest such commit);
//! * `doc-changed-since-approval` — an approved spec document whose reviewed text changed since
//!   (task progress alone does not count);
//! * `outside-declared-files` — a file a done task's window changed that its `Files:` metadata
//!   does not name.
//!
//! Baselines and decisions come from [`crate::stores::evidence`]; this view only reads.

use std::path::Path;

use serde::Serialize;

use crate::model::spec::Spec;
use crate::model::tasks::{Task, TaskStatus};
use crate::model::workspace::Workspace;
use crate::stores::approvals::{self, DocState};
use crate::stores::evidence::{self, Decision, TaskEvidence};

/// The kind of a drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// A done task's file changed later, not by the task.
    ChangedAfterDone,
    /// An approved document changed.
    DocChangedSinceApproval,
    /// A task changed a file its `Files:` does not name.
    OutsideDeclaredFiles,
}

impl DriftKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChangedAfterDone => "changed-after-done",
            Self::DocChangedSinceApproval => "doc-changed-since-approval",
            Self::OutsideDeclaredFiles => "outside-declared-files",
        }
    }
}

/// One drifted file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Drifted {
    /// The spec.
    pub spec: String,
    /// The task (none for a document).
    pub task: Option<String>,
    /// The file, workspace-relative.
    pub file: String,
    /// What kind.
    pub kind: DriftKind,
    /// The commit that changed it, when known (abbreviated).
    pub commit: Option<String>,
}

/// A reviewer's decision, for the record.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionRef {
    /// The spec.
    pub spec: String,
    /// The task.
    pub task: String,
    /// The decision.
    #[serde(flatten)]
    pub decision: Decision,
}

/// `drift`'s report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct DriftReport {
    /// Every drifted file, by spec, task and file.
    pub drifted: Vec<Drifted>,
    /// Done tasks with a baseline that were compared.
    pub tasks_checked: usize,
    /// Decisions reviewers made, oldest first.
    pub decisions: Vec<DecisionRef>,
    /// Evidence files that could not be read.
    pub errors: Vec<String>,
}

/// Whether `file` is one of the task's declared `Files:` (the path itself, a folder holding it,
/// or a `*` pattern).
pub fn declared(task: &Task, file: &str) -> bool {
    task.files.iter().any(|d| {
        let d = d.trim().trim_start_matches("./").trim_end_matches('/');
        !d.is_empty()
            && (d == file
                || file.strip_prefix(d).is_some_and(|r| r.starts_with('/'))
                || (d.contains('*') && glob(d, file)))
    })
}

/// `*` matches any run of characters but `/`; `**` any run at all.
fn glob(p: &str, s: &str) -> bool {
    if let Some(rest) = p.strip_prefix("**") {
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        return (0..=s.len()).any(|i| s.is_char_boundary(i) && glob(rest, &s[i..]));
    }
    if let Some(rest) = p.strip_prefix('*') {
        return (0..=s.len())
            .take_while(|&i| !s[..i].contains('/'))
            .any(|i| s.is_char_boundary(i) && glob(rest, &s[i..]));
    }
    match (p.chars().next(), s.chars().next()) {
        (None, None) => true,
        (Some(a), Some(b)) if a == b => glob(&p[a.len_utf8()..], &s[b.len_utf8()..]),
        _ => false,
    }
}

/// The drift of one done task against its evidence.
pub fn task_drift(
    ws: &Workspace,
    repo: Option<&crate::git::Repo>,
    spec: &str,
    task: &Task,
    ev: &TaskEvidence,
) -> Vec<Drifted> {
    let mut out = Vec::new();
    for f in &ev.files {
        let now = evidence::hash_file(ws, &f.path);
        if now == f.sha256 {
            continue;
        }
        let commits = match (repo, &ev.head) {
            (Some(r), Some(head)) => r.log_of_file(&format!("{head}..HEAD"), Path::new(&f.path)).unwrap_or_default(),
            _ => Vec::new(),
        };
        let unlinked = commits.iter().find(|c| !c.links_task(spec, &task.id));
        if unlinked.is_none() && !commits.is_empty() {
            // Only the task's own later commits changed it.
            continue;
        }
        out.push(Drifted {
            spec: spec.to_owned(),
            task: Some(task.id.clone()),
            file: f.path.clone(),
            kind: DriftKind::ChangedAfterDone,
            commit: unlinked.map(|c| c.short.clone()),
        });
    }
    if !task.files.is_empty() {
        for f in &ev.files {
            if !declared(task, &f.path) && !ev.accepted_outside.contains(&f.path) {
                out.push(Drifted {
                    spec: spec.to_owned(),
                    task: Some(task.id.clone()),
                    file: f.path.clone(),
                    kind: DriftKind::OutsideDeclaredFiles,
                    commit: None,
                });
            }
        }
    }
    out
}

/// The drift of `specs`.
pub fn drift(ws: &Workspace, specs: &[&Spec]) -> DriftReport {
    let repo = crate::git::Repo::open(&ws.root);
    let mut r = DriftReport::default();
    for spec in specs {
        let ev = match evidence::load(ws, &spec.id) {
            Ok(e) => e,
            Err(e) => {
                r.errors.push(e.to_string());
                Default::default()
            }
        };
        for t in spec.tasks.tasks.iter().filter(|t| t.status == TaskStatus::Done) {
            let Some(te) = ev.tasks.get(&t.id) else { continue };
            r.tasks_checked += 1;
            r.drifted.extend(task_drift(ws, repo.as_ref(), &spec.id, t, te));
        }
        for (task, te) in &ev.tasks {
            r.decisions.extend(te.decisions.iter().map(|d| DecisionRef {
                spec: spec.id.clone(),
                task: task.clone(),
                decision: d.clone(),
            }));
        }
        if let Ok(a) = approvals::status(ws, &spec.id) {
            for d in a.docs.iter().filter(|d| d.state == DocState::Approved && d.changed_since_approval) {
                r.drifted.push(Drifted {
                    spec: spec.id.clone(),
                    task: None,
                    file: d.file.clone(),
                    kind: DriftKind::DocChangedSinceApproval,
                    commit: None,
                });
            }
        }
    }
    r.decisions.sort_by(|a, b| a.decision.at.cmp(&b.decision.at));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("src/*.rs", "src/a.rs"));
        assert!(!glob("src/*.rs", "src/x/a.rs"));
        assert!(glob("src/**/*.rs", "src/x/a.rs"));
        assert!(glob("src/**", "src/x/a.rs"));
        assert!(!glob("lib/*.rs", "src/a.rs"));
    }
}
