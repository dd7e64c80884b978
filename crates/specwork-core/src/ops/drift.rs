//! A reviewer's answer to a drifted task: accept the files as they are now (the task's baseline
//! moves to them, and the decision is kept in the spec's evidence file, committed with the
//! journals), or reopen the task (back to pending, the reason journaled and kept).

use serde::Serialize;

use crate::model::spec::Spec;
use crate::model::tasks::{Task, TaskStatus};
use crate::model::workspace::Workspace;
use crate::ops::OpError;
use crate::ops::session::SessionPick;
use crate::ops::task::{self, TaskFinished};
use crate::stores::evidence::{self, Decision, TaskEvidence};
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

/// The task, its evidence (when it is done and has some) and what drifted of it.
fn drifted_task<'a>(
    ws: &Workspace,
    spec: &'a Spec,
    task_id: &str,
) -> Result<(&'a Task, Option<TaskEvidence>, Vec<Drifted>), OpError> {
    crate::base::names::task_id(task_id)?;
    let task = spec
        .tasks
        .find(task_id)
        .ok_or_else(|| OpError::NoSuchTask { spec: spec.id.clone(), task: task_id.to_owned() })?;
    let te = evidence::load(ws, &spec.id)?.tasks.remove(&task.id).filter(|_| task.status == TaskStatus::Done);
    let repo = crate::git::Repo::open(&ws.root);
    let drifted = te.as_ref().map(|te| drift::task_drift(ws, repo.as_ref(), &spec.id, task, te)).unwrap_or_default();
    Ok((task, te, drifted))
}

/// Keeps decision `kind` on the task's evidence (after `edit`), and reports it.
fn decide(
    ws: &Workspace,
    spec: &Spec,
    task: &Task,
    kind: &str,
    note: Option<&str>,
    drifted: Vec<Drifted>,
    edit: impl Fn(&mut TaskEvidence),
) -> Result<DriftDecided, OpError> {
    let who = Identity::detect(&ws.root, &ws.config);
    let mut files: Vec<String> = drifted.iter().map(|d| d.file.clone()).collect();
    files.dedup();
    let d = Decision {
        decision: kind.to_owned(),
        at: crate::base::ids::iso_millis(crate::base::clock::now().timestamp()),
        by: who.user,
        note: note.map(crate::base::names::one_line).filter(|n| !n.is_empty()),
        files,
    };
    evidence::update(ws, &spec.id, |ev| {
        let t = ev.tasks.entry(task.id.clone()).or_default();
        edit(t);
        t.decisions.push(d.clone());
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

/// Accepts task `task_id`'s files as they are now: re-hashes them, moves the baseline to the
/// current commit, accepts the files outside its `Files:`, and keeps the decision.
pub fn accept(ws: &Workspace, spec: &Spec, task_id: &str, note: Option<&str>) -> Result<DriftDecided, OpError> {
    let (task, te, drifted) = drifted_task(ws, spec, task_id)?;
    if te.is_none() {
        return Err(OpError::NoBaseline { spec: spec.id.clone(), task: task.id.clone() });
    }
    let head = crate::stores::implog::git::head(&ws.root);
    let outside: Vec<String> =
        drifted.iter().filter(|x| x.kind == DriftKind::OutsideDeclaredFiles).map(|x| x.file.clone()).collect();
    decide(ws, spec, task, "accept", note, drifted, |t| {
        for f in &mut t.files {
            f.sha256 = evidence::hash_file(ws, &f.path);
        }
        if head.is_some() {
            t.head.clone_from(&head);
        }
        for f in &outside {
            if !t.accepted_outside.contains(f) {
                t.accepted_outside.push(f.clone());
            }
        }
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
    let (task, _, drifted) = drifted_task(ws, spec, task_id)?;
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
    let mut decided = decide(ws, spec, task, "reopen", Some(&reason), drifted, |_| {})?;
    decided.reopened = Some(r);
    Ok(decided)
}
