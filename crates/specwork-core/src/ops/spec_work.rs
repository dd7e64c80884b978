//! The model behind the seed's `/spec_work` flow (`specwork work SPEC`): finding or creating a
//! numbered spec's context file, the spec's state in one line, and marking the context active
//! when a plan is accepted (planned tasks are added by [`crate::ops::phases::add_tasks`]).
//!
//! Invariants: every write goes through [`crate::base::write`] (atomic, conflict-checked) and edits
//! only the bytes it means to change: a field edit replaces the field's value only.

use std::path::PathBuf;

use serde::Serialize;

use crate::model::edit::EditError;
use crate::model::spec::{Layout, Spec, SpecStatus};
use crate::model::workspace::Workspace;
use crate::text::templates::{self, TemplateKind};
use crate::{base::clock, base::write, text::markdown};

/// The spec's context file as `work` found it.
#[derive(Clone, Debug, Serialize)]
pub struct ContextRef {
    /// Path relative to the workspace.
    pub path: PathBuf,
    /// Whether `work` created it just now.
    pub created: bool,
}

/// The context file of a numbered spec: `{id}.context.md` beside a leaf spec, `context.md` in an
/// area's folder.
pub fn context_path(spec: &Spec) -> Option<PathBuf> {
    if spec.layout != Layout::Numbered {
        return None;
    }
    Some(if spec.is_area { spec.dir.join("context.md") } else { spec.dir.join(format!("{}.context.md", spec.id)) })
}

/// Finds the spec's context file, creating it from the context template (the seed's header:
/// Spec, Parent, Status, Created, Updated, Summary, Implementation Timeline) when it is missing.
/// Named specs have none: `Ok(None)`.
pub fn ensure_context(ws: &Workspace, spec: &Spec) -> Result<Option<ContextRef>, EditError> {
    let Some(rel) = context_path(spec) else { return Ok(None) };
    if ws.abs(&rel).exists() {
        return Ok(Some(ContextRef { path: rel, created: false }));
    }
    let now = clock::now();
    let parent_link = match spec.parent.as_deref().and_then(|p| ws.spec(p).ok()) {
        Some(p) => format!("[[{}|{} - {}]]", crate::model::links::relative_link(&spec.dir, &p.path), p.id, p.title),
        None => "none".to_owned(),
    };
    let src = spec
        .docs
        .spec
        .as_ref()
        .and_then(|f| crate::base::path_policy::read_to_string(ws.abs(f)).ok())
        .unwrap_or_default();
    let summary = overview(&src).unwrap_or_else(|| format!("What implementing {} involves.", spec.title));
    let vars = [
        ("id", spec.id.as_str()),
        ("title", spec.title.as_str()),
        ("parent_link", parent_link.as_str()),
        ("date", &clock::date(&now)),
        ("datetime", &clock::minute(&now)),
        ("summary", summary.as_str()),
    ];
    let text = templates::render(TemplateKind::Context.builtin(), &vars);
    match write::create(&ws.abs(&rel), text.as_bytes()) {
        Ok(()) => Ok(Some(ContextRef { path: rel, created: true })),
        // Another process created it meanwhile: theirs is the one to use.
        Err(write::WriteError::Exists { .. }) => Ok(Some(ContextRef { path: rel, created: false })),
        Err(e) => Err(e.into()),
    }
}

/// The first paragraph of the spec's `## Overview` (or `## Summary`), on one line.
fn overview(src: &str) -> Option<String> {
    let r = markdown::section(src, |t| t.eq_ignore_ascii_case("overview") || t.eq_ignore_ascii_case("summary"))?;
    let para: Vec<&str> = src[r].trim_start().lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
    let s = para.join(" ");
    (!s.is_empty() && !s.starts_with('#')).then_some(s)
}

/// The spec's state as the seed words it: `Not started`, `In progress`, `Blocked`, `Done`.
pub fn state(spec: &Spec) -> &'static str {
    let c = spec.tasks.counts();
    if c.total > 0 && c.done == c.total {
        "Done"
    } else if c.done == 0 && c.in_progress == 0 && c.blocked == 0 {
        "Not started"
    } else if c.blocked > 0 && c.in_progress == 0 && spec.tasks.next_task().is_none() {
        "Blocked"
    } else {
        "In progress"
    }
}

/// Sets a context file's `**Status**:` (and `**Updated**:` to now). Returns whether it changed
/// the file; a context without a Status field is left as it is.
pub fn set_context_status(ws: &Workspace, spec: &Spec, status: SpecStatus) -> Result<bool, EditError> {
    let Some(rel) = context_path(spec) else { return Ok(false) };
    let path = ws.abs(&rel);
    if !path.exists() {
        return Ok(false);
    }
    let now = clock::minute(&clock::now());
    let mut changed = false;
    write::update(&path, |old: &str| -> Result<String, EditError> {
        changed = false;
        let header_end =
            markdown::section(old, |t| t.starts_with("Implementation Timeline")).map_or(old.len(), |r| r.start);
        let header = &old[..header_end];
        let Some(r) = markdown::field_range(header, "Status") else { return Ok(old.to_owned()) };
        if header[r.clone()].trim().eq_ignore_ascii_case(status.as_str()) {
            return Ok(old.to_owned());
        }
        let mut out = format!("{}{}{}", &old[..r.start], status.as_str(), &old[r.end..]);
        let header_end = header_end + out.len() - old.len();
        if let Some(u) = markdown::field_range(&out[..header_end], "Updated") {
            out.replace_range(u, &now);
        }
        changed = true;
        Ok(out)
    })?;
    if changed {
        sync_spec_status(ws, spec)?;
    }
    Ok(changed)
}

/// Keeps a numbered spec's own `**Status**:` line (when its header has one) equal to its context
/// file's — the context is where the status lives (the seed's form); the spec file shows the same
/// word, so the two never disagree. Returns whether the spec file changed.
pub fn sync_spec_status(ws: &Workspace, spec: &Spec) -> Result<bool, write::WriteError> {
    let (Some(ctx_rel), Some(doc)) = (context_path(spec), spec.docs.spec.as_ref()) else { return Ok(false) };
    let Ok(ctx) = crate::base::path_policy::read_to_string(ws.abs(&ctx_rel)) else { return Ok(false) };
    let Some(status) = crate::model::context::ContextFile::parse(&ctx).status else { return Ok(false) };
    let mut changed = false;
    write::update(&ws.abs(doc), |old: &str| -> Result<String, write::WriteError> {
        changed = false;
        // Only the header: the lines before the first `## ` section.
        let head_end = old.find("\n## ").map_or(old.len(), |i| i + 1);
        let Some(r) = markdown::field_range(&old[..head_end], "Status") else { return Ok(old.to_owned()) };
        if old[r.clone()].trim() == status {
            return Ok(old.to_owned());
        }
        changed = true;
        Ok(format!("{}{status}{}", &old[..r.start], &old[r.end..]))
    })?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overview_is_the_first_paragraph() {
        let src = "# 1 - X\n\n## Overview\n\nIntegrate the NAS\nas cold storage.\n\nMore.\n## Tasks\n";
        assert_eq!(overview(src).as_deref(), Some("Integrate the NAS as cold storage."));
        assert_eq!(overview("# X\n## Overview\n\n## Tasks\n"), None);
    }
}
