//! Edits to the user's files: creating specs from templates and changing task markers.
//!
//! Every edit goes through [`crate::base::write`], so it is atomic and re-checked against concurrent
//! changes; task edits re-parse the fresh file content on each attempt so that no update is lost.

use crate::model::links::relative_link;
use std::path::PathBuf;

use crate::base::write::{self, WriteError};
use crate::model::spec::{Layout, Spec};
use crate::model::tasks::{self, TaskMarker, TaskStatus};
use crate::model::workspace::{self, Workspace};
use crate::text::templates::{self, TemplateKind};
use crate::{base::clock, base::names, text::markdown};

/// Why an edit failed.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// A name that would escape the workspace or is not allowed.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The task does not exist.
    #[error(transparent)]
    Task(#[from] tasks::TaskEditError),
    /// The spec is an import specwork does not write.
    #[error("spec `{id}` is a read-only {layout} import")]
    ReadOnly {
        /// The spec.
        id: String,
        /// Its layout.
        layout: &'static str,
    },
    /// The spec has no task list.
    #[error("spec `{id}` has no task list")]
    NoTasks {
        /// The spec.
        id: String,
    },
    /// The spec exists already.
    #[error("spec `{id}` already exists at {}", path.display())]
    SpecExists {
        /// The spec.
        id: String,
        /// Where.
        path: PathBuf,
    },
    /// The parent spec is missing or not an area.
    #[error("{0}")]
    Parent(String),
    /// A file is not valid UTF-8, so it cannot be edited safely.
    #[error("{} is not valid UTF-8; specwork will not rewrite it", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
}

impl From<std::io::Error> for EditError {
    fn from(e: std::io::Error) -> Self {
        Self::Write(WriteError::Io(e))
    }
}

/// The outcome of a task status change.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TaskChange {
    /// The spec.
    pub spec: String,
    /// The task id.
    pub task: String,
    /// The task title.
    pub title: String,
    /// Status before.
    pub from: TaskStatus,
    /// Status after.
    pub to: TaskStatus,
    /// The file edited, relative to the workspace.
    pub file: PathBuf,
    /// The task's line.
    pub line: usize,
}

/// Sets a task's status in the spec's task file, editing only its marker (and `_Blocked:_` line).
pub fn set_task_status(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    status: TaskStatus,
    reason: Option<&str>,
) -> Result<TaskChange, EditError> {
    names::task_id(task_id)?;
    if !spec.layout.writable() {
        return Err(EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() });
    }
    let source = spec.tasks_source.as_ref().ok_or_else(|| EditError::NoTasks { id: spec.id.clone() })?;
    let path = ws.abs(&source.file);
    let rel = source.file.display().to_string();
    let in_section = source.section.is_some();
    let mut change = None;
    write::update(&path, |old: &str| -> Result<String, EditError> {
        // Re-locate the section in the fresh content: another writer may have moved it.
        // Read the tasks exactly as loading does: a section as a fragment, tasks.md as a whole file
        // (byte-order mark and front matter included).
        let list = if in_section {
            let range = markdown::section(old, workspace::is_tasks_heading)
                .ok_or_else(|| EditError::NoTasks { id: spec.id.clone() })?;
            workspace::parse_section(old, range, &source.file)
        } else {
            tasks::parse(old, &rel)
        };
        let task = list
            .find(task_id)
            .ok_or_else(|| tasks::TaskEditError::NoSuchTask { id: task_id.to_owned(), file: rel.clone() })?;
        // Keep `[X]` as written when the task is done already.
        let marker = if task.status == status { task.marker } else { TaskMarker::for_status(status) };
        change = Some(TaskChange {
            spec: spec.id.clone(),
            task: task.id.clone(),
            title: task.title.clone(),
            from: task.status,
            to: status,
            file: source.file.clone(),
            line: task.line,
        });
        // The task's offsets are relative to the whole file, so the edit is made on it directly.
        Ok(tasks::apply_marker(old, task, marker, reason))
    })
    .map_err(|e| match e {
        // Reading it as text failed: rewriting it would lose the bytes that are not UTF-8.
        EditError::Write(WriteError::Io(io)) if io.kind() == std::io::ErrorKind::InvalidData => {
            EditError::NotUtf8 { path: source.file.clone() }
        }
        e => e,
    })?;
    Ok(change.expect("update ran the edit at least once"))
}

/// A spec file written by [`new_numbered`] or [`new_named`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct Created {
    /// The spec id.
    pub id: String,
    /// Its layout.
    pub layout: Layout,
    /// Files written, relative to the workspace.
    pub files: Vec<PathBuf>,
    /// The parent's spec document, when a link to the new spec was added to its `## Child
    /// Specs` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_from: Option<PathBuf>,
}

/// Options for a new numbered spec.
#[derive(Clone, Debug, Default)]
pub struct NewNumbered<'a> {
    /// The number.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Parent area id.
    pub parent: Option<&'a str>,
    /// Create an area (`{id}/spec.md`) instead of a leaf (`{id}.spec.md` + context).
    pub area: bool,
    /// The context file's summary line.
    pub summary: Option<&'a str>,
}

/// Creates a numbered spec: a leaf `{parent dir}/{id}.spec.md` with its `{id}.context.md`, or an
/// area `{parent dir}/{id}/spec.md`.
pub fn new_numbered(ws: &Workspace, opts: &NewNumbered<'_>) -> Result<Created, EditError> {
    names::spec_name(opts.id)?;
    if let Ok(existing) = ws.spec(opts.id) {
        return Err(EditError::SpecExists { id: opts.id.to_owned(), path: existing.path.clone() });
    }
    let specs_dir = PathBuf::from(&ws.config.workspace.specs_dir);
    let parent = match opts.parent {
        Some(p) => {
            let spec = ws.spec(p).map_err(|e| EditError::Parent(e.to_string()))?;
            if spec.layout != Layout::Numbered || !spec.is_area {
                return Err(EditError::Parent(format!(
                    "spec `{p}` is not an area of the numbered tree, so it cannot hold child specs"
                )));
            }
            Some(spec)
        }
        None => None,
    };
    let dir = parent.map_or_else(|| specs_dir.clone(), |p| p.dir.clone());
    let now = clock::now();
    let parent_link = match parent {
        Some(p) => {
            let from = if opts.area { dir.join(opts.id) } else { dir.clone() };
            format!("[[{}|{} - {}]]", relative_link(&from, &p.path), p.id, p.title)
        }
        None => "none".to_owned(),
    };
    let summary = opts.summary.map_or_else(|| format!("What implementing {} involves.", opts.title), str::to_owned);
    let vars = [
        ("id", opts.id),
        ("title", opts.title),
        ("parent_link", parent_link.as_str()),
        ("date", &clock::date(&now)),
        ("datetime", &clock::minute(&now)),
        ("summary", summary.as_str()),
    ];
    let mut files = Vec::new();
    if opts.area {
        let rel = dir.join(opts.id).join("spec.md");
        write::create(&ws.abs(&rel), templates::render(TemplateKind::AreaSpec.builtin(), &vars).as_bytes())?;
        files.push(rel);
    } else {
        let spec_rel = dir.join(format!("{}.spec.md", opts.id));
        let ctx_rel = dir.join(format!("{}.context.md", opts.id));
        write::create(&ws.abs(&spec_rel), templates::render(TemplateKind::NumberedSpec.builtin(), &vars).as_bytes())?;
        files.push(spec_rel);
        if !ws.abs(&ctx_rel).exists() {
            write::create(&ws.abs(&ctx_rel), templates::render(TemplateKind::Context.builtin(), &vars).as_bytes())?;
            files.push(ctx_rel);
        }
    }
    // The way back down: the parent lists its child, as the child names its parent.
    let mut linked_from = None;
    if let Some(p) = parent {
        let alias = format!("{} - {}", opts.id, names::link_alias(opts.title));
        let link = relative_link(&p.dir, &files[0]);
        let mut added = false;
        write::update(&ws.abs(&p.path), |old: &str| -> Result<String, EditError> {
            let new = add_child_link(old, &link, &alias);
            added = new.is_some();
            Ok(new.unwrap_or_else(|| old.to_owned()))
        })?;
        linked_from = added.then(|| p.path.clone());
    }
    Ok(Created { id: opts.id.to_owned(), layout: Layout::Numbered, files, linked_from })
}

/// `src` (an area's spec document) with `- [[link|alias]]` added at the end of its `## Child
/// Specs` section (made at the end of the document when it has none); `None` when a link to
/// `link` is there already.
pub fn add_child_link(src: &str, link: &str, alias: &str) -> Option<String> {
    if src.contains(&format!("[[{link}|")) || src.contains(&format!("[[{link}]]")) {
        return None;
    }
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let item = format!("- [[{link}|{alias}]]{eol}");
    let is_children = |t: &str| {
        let t = t.trim().trim_end_matches(':').to_ascii_lowercase();
        t == "child specs" || t == "children"
    };
    let mut out = src.to_owned();
    match markdown::section(src, is_children) {
        Some(section) => {
            let at = markdown::content_end(src, section);
            let lead = if at > 0 && !src[..at].ends_with('\n') { eol } else { "" };
            out.insert_str(at, &format!("{lead}{item}"));
        }
        None => {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(eol);
            }
            let lead = if out.is_empty() || out.ends_with(&format!("{eol}{eol}")) { "" } else { eol };
            out.push_str(&format!("{lead}## Child Specs{eol}{eol}{item}"));
        }
    }
    Some(out)
}

/// Creates a named spec under `.spec-workflow/specs/{name}/` with the given documents from
/// templates (the user's overrides first). Documents that exist already are left alone.
pub fn new_named(ws: &Workspace, name: &str, title: &str, docs: &[TemplateKind]) -> Result<Created, EditError> {
    names::spec_name(name)?;
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EditError::Name(names::NameError {
            what: "spec name",
            value: name.to_owned(),
            reason: "an all-digit name is a numbered spec, which lives in the specs/ tree",
        }));
    }
    let dir = PathBuf::from(".spec-workflow/specs").join(name);
    let now = clock::now();
    let vars = [
        ("id", name),
        ("name", name),
        ("title", title),
        ("date", &clock::date(&now)),
        ("datetime", &clock::minute(&now)),
    ];
    let mut files = Vec::new();
    for kind in docs {
        let file = match kind {
            TemplateKind::Requirements => "requirements.md",
            TemplateKind::Design => "design.md",
            TemplateKind::Tasks => "tasks.md",
            _ => continue,
        };
        let rel = dir.join(file);
        match write::create(&ws.abs(&rel), templates::render(&templates::load(&ws.root, *kind), &vars).as_bytes()) {
            Ok(()) => files.push(rel),
            Err(WriteError::Exists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if files.is_empty() {
        return Err(EditError::SpecExists { id: name.to_owned(), path: dir });
    }
    Ok(Created { id: name.to_owned(), layout: Layout::SpecWorkflow, files, linked_from: None })
}

#[cfg(test)]
mod tests {
    use super::add_child_link;

    #[test]
    fn child_links_go_to_the_child_specs_section() {
        let area = "# 1001 - Storage\n\n## Overview\n\nx\n\n## Child Specs\n- [[../1001/1014.spec|1014 - NAS]]\n\n## Notes\nn\n";
        let out = add_child_link(area, "../1001/1015.spec", "1015 - Tape").unwrap();
        assert_eq!(
            out,
            "# 1001 - Storage\n\n## Overview\n\nx\n\n## Child Specs\n- [[../1001/1014.spec|1014 - NAS]]\n- [[../1001/1015.spec|1015 - Tape]]\n\n## Notes\nn\n"
        );
        assert_eq!(add_child_link(&out, "../1001/1015.spec", "other"), None);
        let bare = "# 1001\r\n\r\nText";
        assert_eq!(
            add_child_link(bare, "../1001/1016/spec", "1016 - Area").unwrap(),
            "# 1001\r\n\r\nText\r\n\r\n## Child Specs\r\n\r\n- [[../1001/1016/spec|1016 - Area]]\r\n"
        );
    }
}
