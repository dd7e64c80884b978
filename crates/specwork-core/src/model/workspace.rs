//! Workspace discovery and loading of every spec layout.
//!
//! The workspace root is the nearest ancestor holding `specwork.toml`, `.spec-workflow/` or
//! `specs/` — in a linked git worktree, the main worktree's (see [`discover`]). Loading walks the numbered tree and the named-spec folders, then reads and parses
//! the files in parallel. Loading never fails because of one bad file: problems become
//! [`Diagnostic`]s and the rest of the workspace is still reported.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::diag::Diagnostic;
use crate::model::config::Config;
use crate::model::context::ContextFile;
use crate::model::spec::{Layout, Spec, SpecDocs, SpecStatus, TaskSource};
use crate::model::tasks::{self, TaskList, TaskStatus};
use crate::text::front_matter;
use crate::text::markdown;

/// Errors finding a workspace or a spec in it.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No workspace above the starting directory.
    #[error("no specwork workspace found in {} or any parent directory", start.display())]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// `--workspace` names something that is not a directory.
    #[error("workspace {} is not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// No spec with that id.
    #[error("no spec `{id}` in this workspace")]
    NoSuchSpec {
        /// The id asked for.
        id: String,
        /// Close ids, best first.
        suggestions: Vec<String>,
    },
}

/// The variable spec-workflow-mcp reads for the workflow root it shares across git worktrees
/// (`SPEC_WORKFLOW_SHARED_ROOT_ENV` in its `src/core/git-utils.ts`, 2.2.7); specwork reads it too.
pub const SHARED_ROOT_ENV: &str = "SPEC_WORKFLOW_SHARED_ROOT";

/// Finds the workspace root for `start`, as spec-workflow-mcp finds its workflow root, so every
/// worktree's sessions land in one set of specs and journals:
///
/// 1. `SPEC_WORKFLOW_SHARED_ROOT`, when set (the peer's override), is the root;
/// 2. inside a linked git worktree (`git worktree add`), the workspace of the *main* worktree at
///    the same place (`<main>/<path of start inside the linked worktree>`, then upwards, not
///    above the main worktree), when the main worktree has one;
/// 3. else the nearest ancestor holding `specwork.toml`, `.spec-workflow/` or `specs/`.
///
/// An explicit `--workspace` (or `SPECWORK_WORKSPACE`) is not discovered and wins over all three.
pub fn discover(start: &Path) -> Result<PathBuf, WorkspaceError> {
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_owned());
    if let Some(shared) = std::env::var_os(SHARED_ROOT_ENV).filter(|v| !v.to_string_lossy().trim().is_empty()) {
        let shared = PathBuf::from(shared);
        if !shared.is_dir() {
            return Err(WorkspaceError::NotADirectory { path: shared });
        }
        return Ok(std::path::absolute(&shared).unwrap_or(shared));
    }
    if let Some(wt) = crate::git::linked_worktree(&start) {
        // git answers with real paths; compare real paths.
        let real = start.canonicalize().unwrap_or_else(|_| start.clone());
        let top = wt.top.canonicalize().unwrap_or_else(|_| wt.top.clone());
        let inside = real.strip_prefix(&top).ok().map(|rel| wt.main.join(rel));
        if let Some(root) = inside.and_then(|p| discover_here(&p).ok()).filter(|r| r.starts_with(&wt.main)) {
            return Ok(root);
        }
    }
    discover_here(&start)
}

/// The nearest ancestor of `start` holding a workspace marker.
fn discover_here(start: &Path) -> Result<PathBuf, WorkspaceError> {
    let start = start.to_owned();
    let mut dir: Option<&Path> = Some(&start);
    while let Some(d) = dir {
        if d.join("specwork.toml").is_file() || d.join(".spec-workflow").is_dir() || d.join("specs").is_dir() {
            return Ok(d.to_owned());
        }
        dir = d.parent();
    }
    Err(WorkspaceError::NotFound { start })
}

/// A loaded workspace.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Absolute root directory.
    pub root: PathBuf,
    /// `specwork.toml` (defaults when absent).
    pub config: Config,
    /// Every spec, numbered tree first (in tree order), then named specs by name, then imports.
    pub specs: Vec<Spec>,
    /// Problems found while loading.
    pub diagnostics: Vec<Diagnostic>,
}

/// A spec found on disk, not read yet.
struct Candidate {
    id: String,
    layout: Layout,
    path: PathBuf,
    dir: PathBuf,
    parent: Option<String>,
    is_area: bool,
    archived: bool,
    /// Numbered specs: the context file, when the directory listing holds it (saves a stat).
    context: Option<PathBuf>,
}

impl Workspace {
    /// Opens the workspace at `root` (which must exist) and reads every spec.
    pub fn load(root: &Path) -> Result<Workspace, WorkspaceError> {
        if !root.is_dir() {
            return Err(WorkspaceError::NotADirectory { path: root.to_owned() });
        }
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_owned());
        crate::base::path_policy::register_root(&root);
        let (config, config_diag) = Config::load(&root);
        let mut diagnostics: Vec<Diagnostic> = config_diag.into_iter().collect();

        let mut found = Vec::new();
        let specs_dir = PathBuf::from(&config.workspace.specs_dir);
        walk_numbered(&root, &specs_dir, None, true, config.workspace.import, &mut found);
        // spec-kit folders share `specs/` with the numbered tree; they are imports, listed after
        // the named specs.
        let (mut candidates, spec_kit): (Vec<Candidate>, Vec<Candidate>) =
            found.into_iter().partition(|c| c.layout == Layout::Numbered);
        named_folders(&root, Path::new(".spec-workflow/specs"), Layout::SpecWorkflow, false, &mut candidates);
        named_folders(&root, Path::new(".spec-workflow/archive/specs"), Layout::SpecWorkflow, true, &mut candidates);
        if config.workspace.import {
            candidates.extend(spec_kit);
            spec_kit_active_feature(&root, &mut candidates, &mut diagnostics);
            named_folders(&root, Path::new(".kiro/specs"), Layout::Kiro, false, &mut candidates);
            named_folders(&root, Path::new("openspec/changes"), Layout::OpenSpec, false, &mut candidates);
        }

        let loaded: Vec<(Spec, Vec<Diagnostic>)> = candidates.into_par_iter().map(|c| read_spec(&root, c)).collect();
        let mut specs = Vec::with_capacity(loaded.len());
        for (spec, diags) in loaded {
            diagnostics.extend(diags);
            specs.push(spec);
        }
        link_children(&mut specs);
        report_duplicate_ids(&specs, &mut diagnostics);
        Ok(Workspace { root, config, specs, diagnostics })
    }

    /// Finds a spec by id. Active specs win over archived ones, written layouts over imports.
    pub fn spec(&self, id: &str) -> Result<&Spec, WorkspaceError> {
        let id = id.trim();
        let mut matches: Vec<&Spec> = self.specs.iter().filter(|s| s.id == id).collect();
        matches.sort_by_key(|s| (s.archived, !s.layout.writable()));
        if let Some(s) = matches.first() {
            return Ok(s);
        }
        Err(WorkspaceError::NoSuchSpec { id: id.to_owned(), suggestions: self.suggest(id) })
    }

    /// Ids close to `id`, for "did you mean" hints.
    pub fn suggest(&self, id: &str) -> Vec<String> {
        let lower = id.to_lowercase();
        let mut scored: Vec<(usize, &str)> = self
            .specs
            .iter()
            .map(|s| (strsim::levenshtein(&lower, &s.id.to_lowercase()), s.id.as_str()))
            .filter(|(d, sid)| *d <= (id.len() / 3).max(2) || sid.contains(&lower) && !lower.is_empty())
            .collect();
        scored.sort();
        scored.dedup_by_key(|x| x.1);
        scored.into_iter().take(3).map(|(_, s)| s.to_owned()).collect()
    }

    /// The absolute path of a workspace-relative path.
    pub fn abs(&self, rel: &Path) -> PathBuf {
        self.root.join(rel)
    }

    /// Reads a workspace file (a relative path) under the path policy: inside the workspace,
    /// a regular file, at most [`crate::base::path_policy::READ_CAP`] bytes. What frontends use
    /// to show a document.
    pub fn read_file(&self, rel: &Path) -> std::io::Result<Vec<u8>> {
        crate::base::path_policy::read(self.abs(rel))
    }

    /// Re-reads only the specs that own the changed files (workspace-relative paths), keeping
    /// every other spec as loaded; for long-running readers such as the dashboard, where a
    /// full [`Workspace::load`] per edit would cost too much on large workspaces. Returns
    /// `false`, having changed nothing, when a path is not a file some spec already reads or
    /// no longer exists (a new, removed or renamed file may change the tree): then load anew.
    pub fn reload_files(&mut self, changed: &[PathBuf]) -> bool {
        let mut owners: Vec<usize> = Vec::new();
        for p in changed {
            if !self.root.join(p).is_file() {
                return false;
            }
            let before = owners.len();
            owners.extend(self.specs.iter().enumerate().filter(|(_, s)| spec_files(s).any(|f| f == p)).map(|(i, _)| i));
            if owners.len() == before {
                return false;
            }
        }
        owners.sort_unstable();
        owners.dedup();
        for i in owners {
            let old = &self.specs[i];
            let files: Vec<String> = spec_files(old).map(|f| f.display().to_string()).collect();
            let c = Candidate {
                id: old.id.clone(),
                layout: old.layout,
                path: old.path.clone(),
                dir: old.dir.clone(),
                parent: old.parent.clone(),
                is_area: old.is_area,
                archived: old.archived,
                context: old.docs.context.clone(),
            };
            let children = old.children.clone();
            let (mut spec, diags) = read_spec(&self.root, c);
            spec.children = children;
            // Drop this spec's old file diagnostics (not the duplicate-id ones, which are about the tree).
            self.diagnostics.retain(|d| !files.contains(&d.file) || d.message.starts_with("spec id `"));
            self.diagnostics.extend(diags);
            self.specs[i] = spec;
        }
        true
    }
}

/// Every file a spec was read from.
fn spec_files(s: &Spec) -> impl Iterator<Item = &PathBuf> {
    [&s.docs.spec, &s.docs.requirements, &s.docs.design, &s.docs.tasks, &s.docs.context]
        .into_iter()
        .flatten()
        .chain(s.tasks_source.as_ref().map(|t| &t.file))
}

fn sorted_entries(dir: &Path) -> Vec<(String, PathBuf, bool)> {
    let Ok(rd) = crate::base::path_policy::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<(String, PathBuf, bool)> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let is_dir = e.file_type().ok()?.is_dir();
            Some((name, e.path(), is_dir))
        })
        .collect();
    // Numbers sort numerically (2 before 10), names alphabetically.
    v.sort_by_key(|a| natural_key(&a.0));
    v
}

fn natural_key(s: &str) -> (u64, String) {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u64::MAX), s.to_owned())
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A spec-kit folder: `NNN-name` with a spec, plan or tasks file.
fn is_spec_kit_dir(name: &str, path: &Path) -> bool {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && name.as_bytes().get(digits) == Some(&b'-')
        && ["spec.md", "tasks.md", "plan.md"].iter().any(|f| path.join(f).is_file())
}

/// Walks the numbered tree. `parent` is the nearest enclosing area spec; a numbered folder
/// without a `spec.md` groups its children under that area.
fn walk_numbered(root: &Path, rel: &Path, parent: Option<&str>, top: bool, import: bool, out: &mut Vec<Candidate>) {
    let abs = root.join(rel);
    let entries = sorted_entries(&abs);
    // The listing answers "is there a file named …" without a stat per spec.
    let has_file = |name: &str| entries.iter().any(|(n, _, is_dir)| !is_dir && n == name);
    let dir_name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut area_id = parent.map(str::to_owned);
    if !top && is_number(dir_name) && has_file("spec.md") {
        out.push(Candidate {
            id: dir_name.to_owned(),
            layout: Layout::Numbered,
            path: rel.join("spec.md"),
            dir: rel.to_owned(),
            parent: parent.map(str::to_owned),
            is_area: true,
            archived: false,
            context: has_file("context.md").then(|| rel.join("context.md")),
        });
        area_id = Some(dir_name.to_owned());
    }
    for (name, _, is_dir) in &entries {
        if !is_dir && let Some(num) = name.strip_suffix(".spec.md").filter(|n| is_number(n)) {
            let context = format!("{num}.context.md");
            out.push(Candidate {
                id: num.to_owned(),
                layout: Layout::Numbered,
                path: rel.join(name),
                dir: rel.to_owned(),
                parent: area_id.clone(),
                is_area: false,
                archived: false,
                context: has_file(&context).then(|| rel.join(context)),
            });
        }
    }
    for (name, path, is_dir) in entries {
        if !is_dir || name.starts_with('.') || name == "deliverables" {
            continue;
        }
        if is_number(&name) {
            walk_numbered(root, &rel.join(&name), area_id.as_deref(), false, import, out);
        } else if import && top && is_spec_kit_dir(&name, &path) {
            out.push(Candidate {
                id: name.clone(),
                layout: Layout::SpecKit,
                path: rel.join(&name),
                dir: rel.join(&name),
                parent: None,
                is_area: false,
                archived: false,
                context: None,
            });
        }
    }
}

fn named_folders(root: &Path, rel: &Path, layout: Layout, archived: bool, out: &mut Vec<Candidate>) {
    for (name, _, is_dir) in sorted_entries(&root.join(rel)) {
        if !is_dir || name.starts_with('.') || (layout == Layout::OpenSpec && name == "archive") {
            continue;
        }
        out.push(Candidate {
            id: name.clone(),
            layout,
            path: rel.join(&name),
            dir: rel.join(&name),
            parent: None,
            is_area: false,
            archived,
            context: None,
        });
    }
}

/// The `specType` of a Kiro spec's `.config.kiro` (JSON), when it has one. A file that is not
/// JSON is a warning; the spec is read as a feature spec.
fn kiro_spec_type(root: &Path, dir: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let rel = dir.join(".config.kiro");
    if !root.join(&rel).is_file() {
        return None;
    }
    let src = read_text(root, &rel, diags)?;
    match serde_json::from_str::<serde_json::Value>(&src) {
        Ok(v) => v.get("specType").and_then(serde_json::Value::as_str).map(str::to_owned),
        Err(e) => {
            diags.push(Diagnostic::warning(
                &rel.display().to_string(),
                e.line(),
                format!("invalid .config.kiro: {e}"),
                "Kiro writes {\"specId\": …, \"workflowType\": …, \"specType\": \"feature\" or \"bugfix\"}; fix the JSON",
            ));
            None
        }
    }
}

/// Every `spec.md` below an OpenSpec change's `specs/`, sorted, nested capability folders
/// included: OpenSpec finds delta specs recursively, `specs/<area>/<capability>/spec.md` as well
/// as `specs/<capability>/spec.md` (Fission-AI/OpenSpec `src/utils/spec-discovery.ts`, #1353).
/// Dot folders are skipped, links are not followed and the walk stops 8 levels down.
fn openspec_deltas(root: &Path, specs: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, rel: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        for (name, _, is_dir) in sorted_entries(&root.join(rel)) {
            let child = rel.join(&name);
            if is_dir && depth < 8 && !name.starts_with('.') {
                walk(root, &child, depth + 1, out);
            } else if !is_dir && name == "spec.md" && depth > 0 && root.join(&child).is_file() {
                out.push(child);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, specs, 0, &mut out);
    out
}

/// spec-kit records the feature being worked on in `.specify/feature.json`
/// (`{"feature_directory": "specs/…"}`, relative to the repository root: `common.sh` in
/// github/spec-kit). That folder is read as a spec-kit spec even when it is not a `specs/NNN-…`
/// or `specs/YYYYMMDD-HHMMSS-…` folder the walk found. A path outside the workspace is ignored.
fn spec_kit_active_feature(root: &Path, candidates: &mut Vec<Candidate>, diags: &mut Vec<Diagnostic>) {
    let rel = Path::new(".specify/feature.json");
    if !root.join(rel).is_file() {
        return;
    }
    let Some(src) = read_text(root, rel, diags) else { return };
    let dir = match serde_json::from_str::<serde_json::Value>(&src) {
        Ok(v) => v.get("feature_directory").and_then(serde_json::Value::as_str).map(str::to_owned),
        Err(e) => {
            diags.push(Diagnostic::warning(
                ".specify/feature.json",
                e.line(),
                format!("invalid .specify/feature.json: {e}"),
                "spec-kit writes {\"feature_directory\": \"specs/…\"}; fix the JSON",
            ));
            None
        }
    };
    let Some(dir) = dir.map(|d| d.trim().trim_end_matches('/').to_owned()).filter(|d| !d.is_empty()) else { return };
    let given = Path::new(&dir);
    let rel_dir =
        if given.is_absolute() { given.strip_prefix(root).map(Path::to_path_buf).ok() } else { Some(given.to_owned()) };
    let Some(rel_dir) = rel_dir.filter(|d| d.components().all(|c| matches!(c, std::path::Component::Normal(_)))) else {
        return;
    };
    let Some(name) = rel_dir.file_name().and_then(|n| n.to_str()).map(str::to_owned) else { return };
    let abs = root.join(&rel_dir);
    let has_docs = ["spec.md", "tasks.md", "plan.md"].iter().any(|f| abs.join(f).is_file());
    if !has_docs || candidates.iter().any(|c| c.dir == rel_dir) {
        return;
    }
    candidates.push(Candidate {
        id: name,
        layout: Layout::SpecKit,
        path: rel_dir.clone(),
        dir: rel_dir,
        parent: None,
        is_area: false,
        archived: false,
        context: None,
    });
}

/// Reads a file for reporting: invalid UTF-8 is replaced (with a warning), an unreadable file is
/// an error diagnostic.
fn read_text(root: &Path, rel: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let shown = rel.display().to_string();
    match crate::base::path_policy::read(root.join(rel)) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let line = bytes[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                diags.push(Diagnostic::warning(
                    &shown,
                    line,
                    "file is not valid UTF-8; unreadable bytes are shown as �",
                    "save the file as UTF-8",
                ));
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
        },
        Err(e) => {
            let hint = if crate::base::path_policy::refusal(&e).is_some() {
                "specwork reads only regular files inside the workspace: replace the link or special file with a regular file"
            } else {
                "check the file's permissions"
            };
            diags.push(Diagnostic::error(&shown, 0, format!("cannot read file: {e}"), hint));
            None
        }
    }
}

/// The document when something is there under its name. A directory, FIFO or device named
/// `tasks.md` is found too, so reading it reports an error instead of "no tasks yet".
fn exists(root: &Path, rel: PathBuf) -> Option<PathBuf> {
    fs_err::symlink_metadata(root.join(&rel)).is_ok().then_some(rel)
}

/// Whether a heading names a task section.
pub fn is_tasks_heading(text: &str) -> bool {
    let t = text.trim().trim_end_matches(':').to_ascii_lowercase();
    matches!(t.as_str(), "tasks" | "planned tasks" | "implementation tasks" | "task list" | "implementation plan")
}

fn read_spec(root: &Path, c: Candidate) -> (Spec, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut docs = SpecDocs::default();
    let mut tasks = TaskList::default();
    let mut tasks_source = None;
    let mut context = None;
    let mut title = None;

    match c.layout {
        Layout::Numbered => {
            docs.spec = Some(c.path.clone());
            docs.context = c.context.clone();
            if let Some(src) = read_text(root, &c.path, &mut diags) {
                // Broken front matter gives no title: the heading is used, and the problem reported.
                let fm = front_matter::read(&src);
                if let Err(e) = &fm {
                    diags.push(e.diagnostic(&c.path.display().to_string()));
                }
                let fm = fm.unwrap_or_default();
                title = fm
                    .text("title")
                    .or_else(|| markdown::title(&src))
                    .map(|t| markdown::strip_id_prefix(t, &c.id).to_owned());
                if let Some(r) = markdown::section(&src, is_tasks_heading) {
                    tasks = parse_section(&src, r.clone(), &c.path);
                    tasks_source = Some(TaskSource { file: c.path.clone(), section: Some(r) });
                }
            }
            if let Some(ctx_rel) = &docs.context
                && let Some(src) = read_text(root, ctx_rel, &mut diags)
            {
                if tasks_source.is_none()
                    && let Some(r) = markdown::section(&src, is_tasks_heading)
                {
                    tasks = parse_section(&src, r.clone(), ctx_rel);
                    tasks_source = Some(TaskSource { file: ctx_rel.clone(), section: Some(r) });
                }
                let ctx = ContextFile::parse(&src);
                if title.is_none() {
                    title = ctx.title.clone();
                }
                if let Some(s) = &ctx.status
                    && SpecStatus::parse(s).is_none()
                {
                    let line = markdown::field_range(&src, "Status").map_or(0, |r| line_of(&src, r.start));
                    diags.push(Diagnostic::warning(
                        &ctx_rel.display().to_string(),
                        line,
                        format!("unknown status `{s}`"),
                        "use one of planning, active, blocked, done",
                    ));
                }
                context = Some(ctx);
            }
        }
        Layout::SpecWorkflow | Layout::Kiro => {
            // Kiro writes `bugfix.md` in place of `requirements.md` for a bugfix spec, and says
            // which in the spec's `.config.kiro` (`"specType": "feature" | "bugfix"`): kiro.dev/docs/specs
            // ("requirements.md (or bugfix.md)"), and the `.config.kiro` files Kiro leaves in
            // public repositories (`{"specId", "workflowType": "requirements-first", "specType"}`).
            let first = if c.layout == Layout::Kiro {
                let bugfix = kiro_spec_type(root, &c.dir, &mut diags).as_deref() == Some("bugfix");
                let (a, b) = if bugfix { ("bugfix.md", "requirements.md") } else { ("requirements.md", "bugfix.md") };
                exists(root, c.dir.join(a)).or_else(|| exists(root, c.dir.join(b)))
            } else {
                exists(root, c.dir.join("requirements.md"))
            };
            docs.requirements = first;
            docs.design = exists(root, c.dir.join("design.md"));
            docs.tasks = exists(root, c.dir.join("tasks.md"));
            title = docs
                .requirements
                .as_ref()
                .and_then(|r| read_text(root, r, &mut diags))
                .and_then(|src| named_title(&src));
        }
        Layout::SpecKit => {
            docs.spec = exists(root, c.dir.join("spec.md"));
            docs.design = exists(root, c.dir.join("plan.md"));
            docs.tasks = exists(root, c.dir.join("tasks.md"));
            title = docs.spec.as_ref().and_then(|r| read_text(root, r, &mut diags)).and_then(|src| named_title(&src));
        }
        Layout::OpenSpec => {
            docs.spec = exists(root, c.dir.join("proposal.md"));
            docs.design = exists(root, c.dir.join("design.md"));
            docs.tasks = exists(root, c.dir.join("tasks.md"));
            docs.deltas = openspec_deltas(root, &c.dir.join("specs"));
            title = docs.spec.as_ref().and_then(|r| read_text(root, r, &mut diags)).and_then(|src| named_title(&src));
        }
    }
    if c.layout != Layout::Numbered
        && let Some(t) = docs.tasks.clone()
    {
        if let Some(src) = read_text(root, &t, &mut diags) {
            tasks = tasks::parse(&src, &t.display().to_string());
        }
        if c.layout == Layout::Kiro {
            // Kiro's `[~]` is *queued* (its tasks.md legend: `[ ]` not started, `[~]` queued,
            // `[-]` in progress, `[x]` completed), not the peer's blocked: it waits its turn.
            for task in tasks.tasks.iter_mut().filter(|t| t.status == TaskStatus::Blocked) {
                task.status = TaskStatus::Pending;
            }
        }
        // Even when unreadable: an edit then fails on the file itself, with the io error's hint.
        tasks_source = Some(TaskSource { file: t, section: None });
    }
    diags.append(&mut tasks.diagnostics);

    let declared_status = context.as_ref().and_then(|c| c.status.as_deref()).and_then(SpecStatus::parse);
    let spec = Spec {
        title: title.filter(|t| !t.is_empty()).unwrap_or_else(|| humanize(&c.id)),
        id: c.id,
        layout: c.layout,
        path: c.path,
        dir: c.dir,
        parent: c.parent,
        children: Vec::new(),
        is_area: c.is_area,
        archived: c.archived,
        docs,
        tasks_source,
        tasks,
        context,
        declared_status,
    };
    (spec, diags)
}

fn line_of(src: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &src.as_bytes()[..offset]).count() + 1
}

/// Parses the tasks of one section, with offsets and lines relative to the whole file.
pub fn parse_section(src: &str, range: std::ops::Range<usize>, rel: &Path) -> TaskList {
    // A fragment: a `---` rule right under the heading is not front matter.
    let mut list = tasks::parse_fragment(&src[range.clone()], &rel.display().to_string());
    let line_base = line_of(src, range.start) - 1;
    for t in &mut list.tasks {
        t.marker_offset += range.start;
        t.line_range = t.line_range.start + range.start..t.line_range.end + range.start;
        t.blocked_range = t.blocked_range.take().map(|r| r.start + range.start..r.end + range.start);
        t.line += line_base;
    }
    for d in &mut list.diagnostics {
        if d.line > 0 {
            d.line += line_base;
        }
    }
    list
}

/// A named spec's title from its first heading, unless that heading is a generic one.
fn named_title(src: &str) -> Option<String> {
    let t = markdown::title(src)?;
    let generic = [
        "Requirements Document",
        "Requirements",
        "Design Document",
        "Design",
        "Tasks Document",
        "Tasks",
        "Feature Specification",
        "Implementation Plan",
        "Proposal",
    ];
    for g in generic {
        if t.eq_ignore_ascii_case(g) {
            return None;
        }
        if let Some(rest) = t.strip_prefix(g) {
            let rest = rest.trim_start_matches([':', ' ', '-', '–', '—']).trim();
            if !rest.is_empty() {
                return Some(rest.to_owned());
            }
        }
    }
    Some(t.to_owned())
}

/// `invoice-management` → `Invoice Management`.
pub fn humanize(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn link_children(specs: &mut [Spec]) {
    let mut children: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    for s in specs.iter() {
        if let Some(p) = &s.parent {
            children.entry(p.clone()).or_default().push(s.id.clone());
        }
    }
    for s in specs.iter_mut().filter(|s| s.layout == Layout::Numbered) {
        if let Some(c) = children.remove(&s.id) {
            s.children = c;
        }
    }
}

fn report_duplicate_ids(specs: &[Spec], diags: &mut Vec<Diagnostic>) {
    let mut seen: std::collections::HashMap<(&str, bool), &Spec> = std::collections::HashMap::new();
    for s in specs {
        if let Some(first) = seen.insert((s.id.as_str(), s.archived), s) {
            diags.push(Diagnostic::warning(
                &s.path.display().to_string(),
                0,
                format!("spec id `{}` is also used by {}", s.id, first.path.display()),
                "rename one of them; commands pick the writable, non-archived one",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_close_ids_nearest_first() {
        let t = tempfile::tempdir().unwrap();
        for id in ["invoice-management", "invoice-export", "1014", "1015", "café"] {
            fs_err::create_dir_all(t.path().join(".spec-workflow/specs").join(id)).unwrap();
            fs_err::write(t.path().join(".spec-workflow/specs").join(id).join("tasks.md"), "- [ ] 1. x\n").unwrap();
        }
        let ws = Workspace::load(t.path()).unwrap();
        // Edit distance counts characters, case aside: within a third of the length (at least 2),
        // nearest first, ties by id.
        assert_eq!(ws.suggest("invoice-managment"), ["invoice-management"]);
        assert_eq!(ws.suggest("INVOICE-EXPORT"), ["invoice-export"]);
        assert_eq!(ws.suggest("1016"), ["1014", "1015"]);
        assert_eq!(ws.suggest("cafe"), ["café"]);
        // A part of an id suggests it however far it is.
        assert_eq!(ws.suggest("export"), ["invoice-export"]);
        assert!(ws.suggest("zzzzzzzzzzzz").is_empty());
    }

    #[test]
    fn reload_files_rereads_only_the_owner() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join(".spec-workflow/specs/a");
        fs_err::create_dir_all(&dir).unwrap();
        fs_err::write(dir.join("tasks.md"), "- [ ] 1. one\n- [ ] 2. two\n").unwrap();
        fs_err::create_dir_all(t.path().join(".spec-workflow/specs/b")).unwrap();
        fs_err::write(t.path().join(".spec-workflow/specs/b/tasks.md"), "- [x] 1. b\n").unwrap();
        let mut ws = Workspace::load(t.path()).unwrap();
        fs_err::write(dir.join("tasks.md"), "- [x] 1. one\n- [ ] 2. two\n- [ ] 2. dup\n").unwrap();
        assert!(ws.reload_files(&[PathBuf::from(".spec-workflow/specs/a/tasks.md")]));
        assert_eq!(ws.spec("a").unwrap().tasks.counts().done, 1);
        assert_eq!(ws.spec("a").unwrap().tasks.counts().total, 3);
        assert!(ws.diagnostics.iter().any(|d| d.message.contains("duplicate")), "{:?}", ws.diagnostics);
        assert_eq!(ws.spec("b").unwrap().tasks.counts().done, 1);
        // A file no spec reads yet, or a vanished one, needs a full load.
        fs_err::write(dir.join("design.md"), "# D\n").unwrap();
        assert!(!ws.reload_files(&[PathBuf::from(".spec-workflow/specs/a/design.md")]));
        assert!(!ws.reload_files(&[PathBuf::from(".spec-workflow/specs/a/gone.md")]));
    }

    #[test]
    fn broken_front_matter_title_falls_back_to_the_heading() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("specs/1000");
        fs_err::create_dir_all(&dir).unwrap();
        let broken = "---\nid: 1001\ntitle: [unclosed\n---\n# 1001 - From the heading\n\n## Tasks\n\n- [ ] 1. One\n";
        fs_err::write(dir.join("1001.spec.md"), broken).unwrap();
        let valid = "---\ntitle: 1.10\n---\n# 1002 - Heading\n";
        fs_err::write(dir.join("1002.spec.md"), valid).unwrap();
        let ws = Workspace::load(t.path()).unwrap();
        let s = ws.spec("1001").unwrap();
        assert_eq!(s.title, "From the heading");
        assert_eq!(s.tasks.counts().total, 1);
        assert_eq!(ws.spec("1002").unwrap().title, "1.10", "a number is the text as written");
        let d: Vec<_> = ws.diagnostics.iter().filter(|d| d.message.contains("not valid YAML")).collect();
        assert_eq!(d.len(), 1, "{:?}", ws.diagnostics);
        assert_eq!(d[0].location(), "specs/1000/1001.spec.md:3");
        assert_eq!(d[0].severity, crate::base::diag::Severity::Warning);
    }
}
