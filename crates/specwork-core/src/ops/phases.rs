//! The spec workflow's phases: Requirements → Design → Tasks for named specs, and the plan step
//! of numbered specs (the seed's "Shall I proceed with this plan? (yes/no/modify)").
//!
//! * [`add_doc`] creates the next phase document from its template (the workspace's
//!   `.spec-workflow/user-templates/` first), refusing while the previous document is not
//!   approved — or was edited after approval — unless forced. An existing document is never
//!   overwritten.
//! * [`add_tasks`] appends planned tasks to a spec's task list (a numbered spec's `## Tasks`
//!   section, created when missing; a named spec's `tasks.md`), numbering them after the last
//!   top-level id. Only the bytes of the new lines are added; the one exception is the untouched
//!   placeholder tasks `spec new` writes from the template (`1. First task`, …), which the first
//!   real plan replaces in place (when every task there is still a placeholder).
//!
//! Approving the plan is [`crate::stores::approvals::approve`] on the spec's `tasks` document.

use std::path::PathBuf;

use serde::Serialize;

use crate::base::write::{self, WriteError};
use crate::model::edit::{self, EditError};
use crate::model::spec::{Layout, Spec};
use crate::model::workspace::{self, Workspace};
use crate::stores::approvals::{self, ApprovalError, DocKind, DocState};
use crate::text::templates::TemplateKind;
use crate::{model::tasks, text::markdown};

/// Why a phase step failed.
#[derive(Debug, thiserror::Error)]
pub enum PhaseError {
    /// Reading approvals failed.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// Writing the document failed.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// Phases are for named specs.
    #[error("spec `{spec}` is a {layout} spec; phase documents are for named (spec-workflow) specs")]
    NotNamed {
        /// The spec.
        spec: String,
        /// Its layout.
        layout: &'static str,
    },
    /// The document exists already.
    #[error("{} exists already", file.display())]
    Exists {
        /// The file.
        file: PathBuf,
    },
    /// The previous phase is not approved.
    #[error("{previous} of spec `{spec}` is {state}, so the {doc} phase cannot start")]
    PreviousNotApproved {
        /// The spec.
        spec: String,
        /// The document asked for.
        doc: &'static str,
        /// The previous document.
        previous: &'static str,
        /// Its state (`missing`, `created`, `pending`, …, or `changed since approval`).
        state: String,
    },
    /// A planned task's title is empty or spans lines.
    #[error("task title {0:?} must be one non-empty line")]
    BadTitle(String),
    /// The spec is archived.
    #[error("spec `{spec}` is archived")]
    Archived {
        /// The spec.
        spec: String,
    },
}

/// A phase document created by [`add_doc`].
#[derive(Clone, Debug, Serialize)]
pub struct AddedDoc {
    /// The spec.
    pub spec: String,
    /// The document.
    pub doc: DocKind,
    /// The file written.
    pub file: PathBuf,
    /// Where the template came from (`user-templates/…` or `built-in`).
    pub template: String,
    /// The previous phase was not approved and `force` let it through.
    pub forced: bool,
}

/// Creates phase document `doc` of named spec `spec` from its template.
pub fn add_doc(ws: &Workspace, spec: &Spec, doc: DocKind, force: bool) -> Result<AddedDoc, PhaseError> {
    if spec.layout != Layout::SpecWorkflow {
        return Err(PhaseError::NotNamed { spec: spec.id.clone(), layout: spec.layout.as_str() });
    }
    if spec.archived {
        return Err(PhaseError::Archived { spec: spec.id.clone() });
    }
    let kind = match doc {
        DocKind::Requirements => TemplateKind::Requirements,
        DocKind::Design => TemplateKind::Design,
        DocKind::Tasks => TemplateKind::Tasks,
        _ => return Err(ApprovalError::UnknownDoc { doc: doc.as_str().to_owned() }.into()),
    };
    let file = spec.dir.join(doc.file_name());
    if ws.abs(&file).exists() {
        return Err(PhaseError::Exists { file });
    }
    let mut forced = false;
    if let Some(prev) = doc.previous_phase() {
        let t = approvals::spec_target(spec, prev)?;
        let (d, _) = approvals::doc_status(ws, &t);
        if !d.is_approved_now() {
            if !force {
                let state = if d.state == DocState::Approved {
                    "changed since approval".to_owned()
                } else {
                    d.state.as_str().to_owned()
                };
                return Err(PhaseError::PreviousNotApproved {
                    spec: spec.id.clone(),
                    doc: doc.as_str(),
                    previous: prev.as_str(),
                    state,
                });
            }
            forced = true;
        }
    }
    let template = match kind.peer_name() {
        Some(n) if ws.root.join(".spec-workflow/user-templates").join(n).is_file() => {
            format!(".spec-workflow/user-templates/{n}")
        }
        _ => "built-in".to_owned(),
    };
    edit::new_named(ws, &spec.id, &spec.title, &[kind])?;
    Ok(AddedDoc { spec: spec.id.clone(), doc, file, template, forced })
}

/// A task added by [`add_tasks`].
#[derive(Clone, Debug, Serialize)]
pub struct PlannedTask {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its line in the file after the edit.
    pub line: usize,
}

/// The outcome of [`add_tasks`].
#[derive(Clone, Debug, Serialize)]
pub struct PlanAdded {
    /// The spec.
    pub spec: String,
    /// The file edited.
    pub file: PathBuf,
    /// The tasks added.
    pub added: Vec<PlannedTask>,
    /// A `## Tasks` section was created.
    pub section_created: bool,
    /// The template's placeholder task was replaced.
    pub placeholder_replaced: bool,
}

/// Appends `titles` as pending tasks to the spec's task list.
pub fn add_tasks(ws: &Workspace, spec: &Spec, titles: &[String]) -> Result<PlanAdded, PhaseError> {
    for t in titles {
        if t.trim().is_empty() || t.contains(['\n', '\r']) {
            return Err(PhaseError::BadTitle(t.clone()));
        }
    }
    if !spec.layout.writable() {
        return Err(EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() }.into());
    }
    if spec.archived {
        return Err(PhaseError::Archived { spec: spec.id.clone() });
    }
    let (file, in_section) = match (&spec.tasks_source, spec.layout) {
        (Some(s), _) => (s.file.clone(), s.section.is_some()),
        (None, Layout::Numbered) => (spec.path.clone(), true),
        (None, _) => {
            return Err(ApprovalError::DocMissing {
                file: spec.dir.join("tasks.md"),
                spec: spec.id.clone(),
                doc: DocKind::Tasks,
            }
            .into());
        }
    };
    let path = ws.abs(&file);
    let rel = file.display().to_string();
    let mut result = None;
    write::update(&path, |old: &str| -> Result<String, PhaseError> {
        let (new, added) = plan_edit(old, &rel, in_section, titles);
        result = Some(added);
        Ok(new)
    })?;
    let (added, section_created, placeholder_replaced) = result.expect("edit ran");
    Ok(PlanAdded { spec: spec.id.clone(), file, added, section_created, placeholder_replaced })
}

impl From<WriteError> for PhaseError {
    fn from(e: WriteError) -> Self {
        Self::Edit(EditError::Write(e))
    }
}

type PlanEdit = (Vec<PlannedTask>, bool, bool);

/// The pure edit behind [`add_tasks`]: returns the new text and what was added.
fn plan_edit(old: &str, rel: &str, in_section: bool, titles: &[String]) -> (String, PlanEdit) {
    let nl = if old.contains("\r\n") { "\r\n" } else { "\n" };
    let mut text = old.to_owned();
    let mut section_created = false;
    let range = if in_section {
        match markdown::section(&text, workspace::is_tasks_heading) {
            Some(r) => r,
            None => {
                // Insert `## Tasks` before `## Deliverables` when there is one, else at the end.
                let at = markdown::section(&text, |h| h.eq_ignore_ascii_case("deliverables"))
                    .and_then(|r| text[..r.start].trim_end_matches(['\n', '\r']).rfind('\n').map(|i| i + 1))
                    .unwrap_or(text.len());
                let mut block = String::new();
                if at > 0 && !text[..at].ends_with('\n') {
                    block.push_str(nl);
                }
                if at > 0 && !text[..at].ends_with(&format!("{nl}{nl}")) && !text[..at].ends_with("\n\n") {
                    block.push_str(nl);
                }
                block.push_str("## Tasks");
                block.push_str(nl);
                block.push_str(nl);
                let body_start = at + block.len();
                if at < text.len() {
                    block.push_str(nl);
                }
                text.insert_str(at, &block);
                section_created = true;
                body_start..body_start
            }
        }
    } else {
        0..text.len()
    };
    let section = &text[range.clone()];
    let list = tasks::parse(section, rel);

    // The template's placeholder tasks, all untouched, are replaced by the plan (in place).
    let mut placeholder_replaced = false;
    let start = range.start;
    let mut end = range.end;
    let mut replace_at = None;
    if !titles.is_empty() && !list.tasks.is_empty() && list.tasks.iter().all(tasks::Task::is_placeholder) {
        let from = range.start + list.tasks[0].line_range.start;
        let to = markdown::content_end(&text, range.clone());
        text.replace_range(from..to, "");
        placeholder_replaced = true;
        end = range.end - (to - from);
        replace_at = Some(from);
    }
    let next = if placeholder_replaced {
        1
    } else {
        list.tasks
            .iter()
            .filter(|t| t.level == 0)
            .filter_map(|t| t.id.split('.').next().and_then(|n| n.parse::<u64>().ok()))
            .max()
            .map_or(1, |m| m + 1)
    };
    // Insert after the section's last non-blank line.
    let body = &text[start..end];
    let trimmed_len = body.trim_end_matches(['\n', '\r', ' ', '\t']).len();
    let mut at = start + trimmed_len;
    let mut insert = String::new();
    if let Some(p) = replace_at {
        at = p;
    } else if trimmed_len > 0 {
        // End the last line, keeping whatever followed it.
        match text[at..].find('\n') {
            Some(i) if at + i < end => at += i + 1,
            _ => insert.push_str(nl),
        }
    } else if body.starts_with('\n') {
        // An empty section: keep the blank line under the heading.
        at += 1;
    } else if body.starts_with("\r\n") {
        at += 2;
    }
    let mut added = Vec::new();
    let before_lines = text[..at].matches('\n').count() + usize::from(!insert.is_empty());
    for (i, title) in titles.iter().enumerate() {
        let id = (next + i as u64).to_string();
        insert.push_str(&format!("- [ ] {id}. {}{nl}", title.trim()));
        added.push(PlannedTask { id, title: title.trim().to_owned(), line: before_lines + i + 1 });
    }
    if at == text.len() || text[at..].starts_with('#') {
        // Keep a blank line before the next heading.
        if at < text.len() {
            insert.push_str(nl);
        }
    }
    text.insert_str(at, &insert);
    (text, (added, section_created, placeholder_replaced))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(src: &str, section: bool, titles: &[&str]) -> (String, PlanEdit) {
        let t: Vec<String> = titles.iter().map(|s| (*s).to_owned()).collect();
        plan_edit(src, "x.md", section, &t)
    }

    #[test]
    fn replaces_the_template_placeholder() {
        let src = "# 1014 - X\n\n## Tasks\n\n- [ ] 1. First task\n\n## Deliverables\n";
        let (out, (added, created, replaced)) = plan(src, true, &["Analyze NFS", "Optimize buffers"]);
        assert_eq!(
            out,
            "# 1014 - X\n\n## Tasks\n\n- [ ] 1. Analyze NFS\n- [ ] 2. Optimize buffers\n\n## Deliverables\n"
        );
        assert!(!created && replaced);
        assert_eq!(added[1].line, 6);
    }

    #[test]
    fn replaces_every_placeholder_of_the_tasks_template() {
        let src = TemplateKind::Tasks.builtin().replace("{{title}}", "Billing");
        let (out, (added, _, replaced)) = plan(&src, false, &["Invoice table", "Send reminders"]);
        assert!(replaced);
        assert_eq!(out, "# Tasks Document: Billing\n\n- [ ] 1. Invoice table\n- [ ] 2. Send reminders\n");
        assert_eq!(added[0].line, 3);
    }

    #[test]
    fn appends_after_existing_tasks_and_keeps_other_bytes() {
        let src = "## Tasks\n\n- [x] 1. A\n  - detail\n- [ ] 2. B\n\n## Deliverables\n- [[d]]\n";
        let (out, (added, ..)) = plan(src, true, &["C"]);
        assert_eq!(out, "## Tasks\n\n- [x] 1. A\n  - detail\n- [ ] 2. B\n- [ ] 3. C\n\n## Deliverables\n- [[d]]\n");
        assert_eq!(added[0].id, "3");
        assert_eq!(added[0].line, 6);
    }

    #[test]
    fn creates_the_section_before_deliverables() {
        let src = "# 1014 - X\n\nOverview.\n\n## Deliverables\n";
        let (out, (_, created, _)) = plan(src, true, &["A"]);
        assert!(created);
        assert_eq!(out, "# 1014 - X\n\nOverview.\n\n## Tasks\n\n- [ ] 1. A\n\n## Deliverables\n");
        let (out, _) = plan("# T\nno newline", true, &["A"]);
        assert_eq!(out, "# T\nno newline\n\n## Tasks\n\n- [ ] 1. A\n");
    }

    proptest::proptest! {
        /// Adding tasks only inserts lines: removing them gives back the original bytes.
        #[test]
        fn plan_only_inserts_lines(
            body in proptest::collection::vec(proptest::sample::select(vec![
                "- [ ] 1. a", "- [x] 2. b", "  - detail", "", "text", "- [-] 3.1 c", "* [~] 4 d", "  - _Blocked: x_",
            ]), 1..12),
            crlf in proptest::bool::ANY,
            tail in proptest::bool::ANY,
            final_nl in proptest::bool::ANY,
            titles in proptest::collection::vec("[a-z][a-z ]{0,8}[a-z]", 1..4),
        ) {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut src = format!("# T{nl}{nl}## Tasks{nl}{nl}- [ ] 1. first{nl}{}", body.join(nl));
            if tail {
                src.push_str(&format!("{nl}{nl}## Deliverables{nl}- [[x]]"));
            }
            if final_nl {
                src.push_str(nl);
            }
            let (out, (added, created, replaced)) = plan_edit(&src, "t.md", true, &titles);
            proptest::prop_assert!(!created && !replaced);
            proptest::prop_assert_eq!(added.len(), titles.len());
            let mut lines: Vec<&str> = out.split_inclusive('\n').collect();
            for a in added.iter().rev() {
                let line = lines.remove(a.line - 1);
                proptest::prop_assert_eq!(line.trim_end(), format!("- [ ] {}. {}", a.id, a.title));
            }
            let rest: String = lines.concat();
            // A file without a final newline gains one where the tasks were appended.
            let expect_nl = !tail && !src.ends_with('\n');
            let expected = if expect_nl { format!("{src}{nl}") } else { src.clone() };
            proptest::prop_assert_eq!(rest, expected);
        }
    }

    #[test]
    fn tasks_md_without_final_newline_and_crlf() {
        let (out, _) = plan("# Tasks\r\n\r\n- [ ] 1. A", false, &["B"]);
        assert_eq!(out, "# Tasks\r\n\r\n- [ ] 1. A\r\n- [ ] 2. B\r\n");
    }
}
