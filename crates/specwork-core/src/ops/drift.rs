//! A reviewer's answer to a drifted task: accept the files as they are now (the task's baseline
//! moves to them, and the decision is kept in the spec's evidence file, committed with the
//! journals), or reopen the task (back to pending, the reason journaled and kept).

use serde::Serialize;

use crate::model::spec::Spec;
use crate::model::tasks::TaskStatus;
use crate::model::workspace::Workspace;
use crate::ops::OpError;
use crate::ops::session::SessionPick;
use crate::ops::task::{self, TaskFinished};
use crate::stores::evidence::{self, Decision, FileBaseline};
use crate::stores::session::Identity;
use crate::views::drift::{self, DriftKind, Drifted};

/// A decision recorded.
#[derive(Clone, Debug, Serialize)]
pub struct DriftDecided {
    /// The spec.
    pub spec: String,
    /// The task.
    pub task: String,
    /// The decision as kept.
    pub decision: Decision,
    /// The evidence file it is kept in, workspace-relative.
    pub file: String,
    /// What had drifted.
    pub drifted: Vec<Drifted>,
    /// For a reopened task: the marker change and journal entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopened: Option<TaskFinished>,
}

/// Why a decision cannot be made.
fn no_baseline(spec: &Spec, task: &str) -> OpError {
    OpError::NoBaseline { spec: spec.id.clone(), task: task.to_owned() }
}

fn decision(ws: &Workspace, kind: &str, note: Option<&str>, drifted: &[Drifted]) -> Decision {
    let who = Identity::detect(&ws.root, &ws.config);
    let mut files: Vec<String> = drifted.iter().map(|d| d.file.clone()).collect();
    files.dedup();
    Decision {
        decision: kind.to_owned(),
        at: crate::base::ids::iso_millis(crate::base::clock::now().timestamp()),
        by: who.user,
        note: note.map(crate::base::names::one_line).filter(|n| !n.is_empty()),
        files,
    }
}

/// Accepts task `task_id`'s files as they are now: re-hashes them, moves the baseline to the
/// current commit, accepts the files outside its `Files:`, and keeps the decision.
pub fn accept(ws: &Workspace, spec: &Spec, task_id: &str, note: Option<&str>) -> Result<DriftDecided, OpError> {
    crate::base::names::task_id(task_id)?;
    let task = spec
        .tasks
        .find(task_id)
        .ok_or_else(|| OpError::NoSuchTask { spec: spec.id.clone(), task: task_id.to_owned() })?;
    let ev = evidence::load(ws, &spec.id)?;
    let te = ev
        .tasks
        .get(&task.id)
        .filter(|_| task.status == TaskStatus::Done)
        .ok_or_else(|| no_baseline(spec, &task.id))?;
    let repo = crate::git::Repo::open(&ws.root);
    let drifted = drift::task_drift(ws, repo.as_ref(), &spec.id, task, te);
    let d = decision(ws, "accept", note, &drifted);
    let head = crate::stores::implog::git::head(&ws.root);
    let kept = d.clone();
    let outside: Vec<String> =
        drifted.iter().filter(|x| x.kind == DriftKind::OutsideDeclaredFiles).map(|x| x.file.clone()).collect();
    evidence::update(ws, &spec.id, |ev| {
        if let Some(t) = ev.tasks.get_mut(&task.id) {
            t.files = t
                .files
                .iter()
                .map(|f| FileBaseline { path: f.path.clone(), sha256: evidence::hash_file(ws, &f.path) })
                .collect();
            if head.is_some() {
                t.head = head.clone();
            }
            for f in &outside {
                if !t.accepted_outside.contains(f) {
                    t.accepted_outside.push(f.clone());
                }
            }
            t.decisions.push(kept.clone());
        }
    })?;
    Ok(DriftDecided {
        spec: spec.id.clone(),
        task: task.id.clone(),
        decision: d,
        file: crate::base::display::slash_path(&evidence::path(&spec.id)),
        drifted,
        reopened: None,
    })
}

/// Reopens task `task_id`: its marker goes back to pending (journaled with `reason`), and the
/// decision is kept with its evidence.
pub fn reopen(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    reason: &str,
    pick: &SessionPick<'_>,
) -> Result<DriftDecided, OpError> {
    crate::base::names::task_id(task_id)?;
    let task = spec
        .tasks
        .find(task_id)
        .ok_or_else(|| OpError::NoSuchTask { spec: spec.id.clone(), task: task_id.to_owned() })?;
    let ev = evidence::load(ws, &spec.id)?;
    let repo = crate::git::Repo::open(&ws.root);
    let drifted = match ev.tasks.get(&task.id) {
        Some(te) if task.status == TaskStatus::Done => drift::task_drift(ws, repo.as_ref(), &spec.id, task, te),
        _ => Vec::new(),
    };
    let reason = crate::base::names::one_line(reason);
    let r = task::finish(
        ws,
        spec,
        &task.id,
        &task::FinishOptions {
            status: Some(TaskStatus::Pending),
            note: Some(&format!("reopened: {reason}")),
            pick: *pick,
            manual_log: true,
            ..task::FinishOptions::default()
        },
    )?;
    let d = decision(ws, "reopen", Some(&reason), &drifted);
    let kept = d.clone();
    evidence::update(ws, &spec.id, |ev| {
        let t = ev.tasks.entry(task.id.clone()).or_default();
        t.decisions.push(kept.clone());
    })?;
    Ok(DriftDecided {
        spec: spec.id.clone(),
        task: task.id.clone(),
        decision: d,
        file: crate::base::display::slash_path(&evidence::path(&spec.id)),
        drifted,
        reopened: Some(r),
    })
}
