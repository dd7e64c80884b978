//! `specwork check`: every link resolved as Obsidian resolves it ([`crate::model::links`]), every
//! deliverable traced both ways, and the workspace's own diagnostics, as one list of problems.
//!
//! Problem kinds (the stable `kind` in JSON):
//!
//! * `broken-link` — a wiki or Markdown link (or a header's `Generated from:` / `Context:` path)
//!   that leads nowhere;
//! * `moved-file` — a broken path link whose file name exists exactly once elsewhere: the file
//!   moved without its links (fixable: the link is rewritten);
//! * `ambiguous-link` — a bare name several files share, none in the linking note's folder;
//! * `orphan-deliverable` — a file in a `deliverables/` folder that no spec document links
//!   (fixable when its header names the spec: the link is added to its `## Deliverables`);
//! * `missing-header` — a deliverable without a traceback header (fixable when exactly one spec
//!   lists it: the header is added);
//! * `task-grammar` — task-list problems (duplicate ids, unclosed fences) from loading;
//! * `workspace` — other loading problems (front matter, encoding, unknown status, duplicate
//!   spec ids, configuration);
//! * `approval` — approval records (`.spec-workflow/approvals/`) that cannot be read or do not
//!   fit their document;
//! * `unreadable` — a Markdown file that cannot be read (not UTF-8, refused by the path policy,
//!   no permission): one problem, and the check goes on with the other files;
//! * `stale-temp-file` — a `.NAME.specwork-PID.tmp` left by a write that was killed (fixable:
//!   removed);
//! * `drift` — a done task's file changed later by work not linked to it, a task's window
//!   changed a file its `Files:` does not name, or an approved document changed
//!   ([`crate::views::drift`]; a reviewer answers with `drift accept` or `drift reopen`).
//!
//! `fix` applies only the repairs above, each through [`crate::base::write`]; generic names
//! (`spec.md`, `README.md`, `index.md`, `tasks.md`, `design.md`, `requirements.md`) are never
//! taken as the moved file, since a same-named file elsewhere is likely another note.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::base::display::slash_path;
use crate::model::edit::EditError;
use crate::model::links::{self, LinkForm, Resolution, Vault};
use crate::model::workspace::Workspace;
use crate::views::deliverables::{self, Kind, header};
use crate::{Severity, base::write};

/// The kind of a problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A link to nothing.
    BrokenLink,
    /// A link to a file that moved.
    MovedFile,
    /// A bare name several files share.
    AmbiguousLink,
    /// A deliverable no spec links.
    OrphanDeliverable,
    /// A deliverable without a traceback header.
    MissingHeader,
    /// A task-list problem.
    TaskGrammar,
    /// Another problem found while loading the workspace.
    Workspace,
    /// An approval record that cannot be read or does not fit its document.
    Approval,
    /// A file that cannot be read.
    Unreadable,
    /// A temporary file a killed write left behind.
    StaleTempFile,
    /// Work that no longer matches what was finished or approved.
    Drift,
    /// A requirement no task covers, or a task's reference to a requirement that does not exist.
    Coverage,
}

/// One problem.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// Warning or error.
    pub severity: Severity,
    /// The file, workspace-relative.
    pub file: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// The link target or path concerned.
    pub target: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// Whether `--fix` can repair it.
    pub fixable: bool,
    /// Whether `--fix` repaired it.
    pub fixed: bool,
}

/// The result of a check.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// Workspace root.
    pub workspace: String,
    /// Markdown files read.
    pub files_checked: usize,
    /// Links resolved.
    pub links_checked: usize,
    /// Deliverables checked.
    pub deliverables_checked: usize,
    /// Every problem, by file and line.
    pub problems: Vec<Problem>,
    /// How many were repaired.
    pub fixed: usize,
    /// How many remain.
    pub remaining: usize,
}

/// Requirement coverage (`specwork trace`): for every live spec whose tasks refer to
/// requirements, each requirement no task covers; for every spec, each reference to a
/// requirement that does not exist.
fn coverage_problems(ws: &Workspace) -> Vec<Problem> {
    let mut out = Vec::new();
    for spec in ws.specs.iter().filter(|s| !s.archived && !s.tasks.tasks.is_empty()) {
        let t = crate::views::trace::coverage(ws, spec);
        let file = t.requirements_file.clone().unwrap_or_default();
        if t.traced {
            for q in t.requirements.iter().filter(|q| !q.covered) {
                out.push(Problem {
                    kind: ProblemKind::Coverage,
                    severity: Severity::Warning,
                    file: file.clone(),
                    line: q.line,
                    target: Some(q.id.clone()),
                    message: format!("requirement {} of spec {} is covered by no task", q.id, spec.id),
                    hint: format!("name it under the task that implements it: `_Requirements: {}_`", q.id),
                    fixable: false,
                    fixed: false,
                });
            }
        }
        for u in t.unknown_refs {
            out.push(Problem {
                kind: ProblemKind::Coverage,
                severity: Severity::Warning,
                message: format!("task {} refers to requirement {}, which {file} does not have", u.task, u.reference),
                hint: "correct the `_Requirements:_` reference, or add the requirement".to_owned(),
                file: u.file,
                line: u.line,
                target: Some(u.reference),
                fixable: false,
                fixed: false,
            });
        }
    }
    out
}

/// Names too common to take a same-named file as the moved one.
const GENERIC_NAMES: [&str; 6] = ["spec.md", "readme.md", "index.md", "tasks.md", "design.md", "requirements.md"];

/// A pending link rewrite: in `file`, target text `old` (as written) → `new`.
struct Rewrite {
    old: String,
    new: String,
    problem: usize,
    /// The file the link will lead to.
    moved_to: String,
}

/// Checks the workspace; with `fix`, repairs what it safely can.
pub fn check(ws: &Workspace, fix: bool) -> Result<CheckReport, EditError> {
    let vault = Vault::scan(&ws.root);
    let md: Vec<&str> = vault.markdown_files().collect();

    // Spec documents: links from these make a deliverable listed.
    let mut spec_docs: HashMap<String, &crate::Spec> = HashMap::new();
    for s in &ws.specs {
        for d in [&s.docs.spec, &s.docs.requirements, &s.docs.design, &s.docs.tasks].into_iter().flatten() {
            spec_docs.insert(slash_path(d), s);
        }
    }

    struct FileResult {
        file: String,
        problems: Vec<(Problem, Option<Rewrite>)>,
        links: usize,
        /// Files the links lead to, with the links' aliases.
        resolved: Vec<(String, Option<String>)>,
    }
    let results: Vec<FileResult> = md
        .par_iter()
        .map(|&file| {
            let mut out = FileResult { file: file.to_owned(), problems: Vec::new(), links: 0, resolved: Vec::new() };
            let src = match crate::base::path_policy::read_to_string(ws.root.join(file)) {
                Ok(s) => s,
                Err(e) => {
                    out.problems.push((unreadable(file, &e), None));
                    return out;
                }
            };
            let generated = Generated::of(file, &src);
            for l in links::extract(&src) {
                out.links += 1;
                let res = vault.resolve(file, &l.target);
                if let Resolution::File { path } = &res {
                    out.resolved.push((path.clone(), l.text.clone()));
                }
                if let Some(p) = link_problem(&vault, file, &src, &l, &res) {
                    out.problems.push(generated.explain(&l, p));
                }
            }
            out
        })
        .collect();

    let mut problems: Vec<Problem> = Vec::new();
    let mut rewrites: BTreeMap<String, Vec<Rewrite>> = BTreeMap::new();
    // Deliverable path → the spec documents linking it, with the link's alias.
    let mut listed: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
    let mut links_checked = 0;
    for r in results {
        links_checked += r.links;
        if spec_docs.contains_key(&r.file) {
            for (path, alias) in r.resolved {
                listed.entry(path).or_default().push((r.file.clone(), alias));
            }
        }
        for (p, rw) in r.problems {
            if let Some(mut rw) = rw {
                // A spec's link to a deliverable that moved still lists it (the link is fixable).
                if spec_docs.contains_key(&r.file) {
                    listed.entry(rw.moved_to.clone()).or_default().push((r.file.clone(), None));
                }
                rw.problem = problems.len();
                rewrites.entry(r.file.clone()).or_default().push(rw);
            }
            problems.push(p);
        }
    }

    // Deliverables: listed by a spec, with a header whose paths lead somewhere.
    let deliverable_files = deliverables::all_files(ws, &vault);
    let mut header_fixes: Vec<(String, String, Option<String>, usize)> = Vec::new();
    let mut orphan_fixes: Vec<(String, String, usize)> = Vec::new();
    let mut header_rewrites: Vec<(String, String, String, usize)> = Vec::new();
    for &f in &deliverable_files {
        let head = header::read(&ws.root, Path::new(f));
        let listing = listed.get(f).map(Vec::as_slice).unwrap_or_default();
        let mut listing_docs: Vec<&str> = listing.iter().map(|(d, _)| d.as_str()).collect();
        listing_docs.dedup();
        match &head {
            None => {
                let fixable = listing_docs.len() == 1;
                if fixable {
                    let (doc, alias) = listing[0].clone();
                    header_fixes.push((f.to_owned(), doc, alias, problems.len()));
                }
                problems.push(Problem {
                    kind: ProblemKind::MissingHeader,
                    severity: Severity::Warning,
                    file: f.to_owned(),
                    line: 1,
                    target: None,
                    message: "deliverable has no traceback header (Generated from, Context, Purpose, Created)".into(),
                    hint: if fixable {
                        "`specwork check --fix` adds it".into()
                    } else {
                        format!("`specwork deliverable add SPEC {f} --purpose \"…\"` adds it and links it")
                    },
                    fixable,
                    fixed: false,
                });
            }
            Some(h) => {
                // A Markdown deliverable's `spec:`/`context:` properties are wiki links, checked
                // (and fixed) with every other link of the file.
                let paths = if h.spec_link.is_some() { [&None, &None] } else { [&h.generated_from, &h.context] };
                for (key, value) in [("Generated from", paths[0]), ("Context", paths[1])] {
                    let Some(v) = value.as_ref() else { continue };
                    let path = v.trim().trim_start_matches("./");
                    if vault.contains(path) {
                        continue;
                    }
                    let moved = unique_moved(&vault, path);
                    let file_for_line =
                        if h.sidecar { slash_path(&header::sidecar_path(Path::new(f))) } else { f.to_owned() };
                    if let Some(m) = &moved {
                        header_rewrites.push((file_for_line.clone(), v.clone(), m.clone(), problems.len()));
                    }
                    problems.push(Problem {
                        kind: if moved.is_some() { ProblemKind::MovedFile } else { ProblemKind::BrokenLink },
                        severity: Severity::Warning,
                        file: file_for_line,
                        line: h.line,
                        target: Some(v.clone()),
                        message: match &moved {
                            Some(m) => format!("header `{key}: {v}` names a file that moved to {m}"),
                            None => format!("header `{key}: {v}` names a file that does not exist"),
                        },
                        hint: if moved.is_some() {
                            "`specwork check --fix` rewrites the header".into()
                        } else {
                            format!("correct the `{key}:` line")
                        },
                        fixable: moved.is_some(),
                        fixed: false,
                    });
                }
            }
        }
        if listing.is_empty() {
            let owner = head
                .as_ref()
                .and_then(|h| h.generated_from.as_deref())
                .map(|g| g.trim_start_matches("./").to_owned())
                .filter(|g| spec_docs.contains_key(g));
            if let Some(doc) = &owner {
                orphan_fixes.push((f.to_owned(), doc.clone(), problems.len()));
            }
            problems.push(Problem {
                kind: ProblemKind::OrphanDeliverable,
                severity: Severity::Warning,
                file: f.to_owned(),
                line: 0,
                target: None,
                message: "no spec links this deliverable".into(),
                hint: match &owner {
                    Some(doc) => format!("`specwork check --fix` links it from {doc}"),
                    None => format!("`specwork deliverable add SPEC {f} --purpose \"…\"` links it from its spec"),
                },
                fixable: owner.is_some(),
                fixed: false,
            });
        }
    }

    // The workspace's own diagnostics.
    for d in &ws.diagnostics {
        let task = d.message.starts_with("duplicate task id") || d.message.contains("tasks after it");
        problems.push(Problem {
            kind: if task { ProblemKind::TaskGrammar } else { ProblemKind::Workspace },
            severity: d.severity,
            file: d.file.replace('\\', "/"),
            line: d.line,
            target: None,
            message: d.message.clone(),
            hint: d.hint.clone(),
            fixable: false,
            fixed: false,
        });
    }

    let (_, approval_diags) = crate::stores::approvals::load_all(&ws.root);
    for d in approval_diags {
        problems.push(Problem {
            kind: ProblemKind::Approval,
            severity: d.severity,
            file: d.file.replace('\\', "/"),
            line: d.line,
            target: None,
            message: d.message,
            hint: d.hint,
            fixable: false,
            fixed: false,
        });
    }

    problems.extend(coverage_problems(ws));

    if fix {
        apply_rewrites(ws, &rewrites, &mut problems)?;
        for (file, old, new, i) in header_rewrites {
            let mut done = false;
            let r = write::update(&ws.root.join(&file), |src: &str| -> Result<String, EditError> {
                let head_end = src.lines().take(40).map(|l| l.len() + 1).sum::<usize>().min(src.len());
                match src[..head_end].find(&old) {
                    Some(at) => {
                        done = true;
                        Ok(format!("{}{}{}", &src[..at], new, &src[at + old.len()..]))
                    }
                    None => {
                        done = false;
                        Ok(src.to_owned())
                    }
                }
            });
            problems[i].fixed = done && not_fixed(&mut problems[i], r).is_some();
        }
        for (f, doc, alias, i) in header_fixes {
            let r = add_header(ws, spec_docs[&doc], &doc, alias, &f);
            problems[i].fixed = not_fixed(&mut problems[i], r).unwrap_or(false);
        }
        for (f, doc, i) in orphan_fixes {
            let doc_path = PathBuf::from(&doc);
            let doc_dir = doc_path.parent().unwrap_or(Path::new("")).to_owned();
            let alias = header::read(&ws.root, Path::new(&f)).and_then(|h| h.purpose).unwrap_or_else(|| file_name(&f));
            let r = crate::ops::deliverable::ensure_listed(
                ws,
                &doc_path,
                Kind::of_path(&f),
                Path::new(&f),
                &links::link_target(&doc_dir, Path::new(&f)),
                &alias,
            );
            problems[i].fixed = not_fixed(&mut problems[i], r).is_some();
        }
    }

    for (rel, pid) in stale_temp_files(&ws.root) {
        let removed = fix && crate::base::path_policy::remove_file(ws.root.join(&rel)).is_ok();
        problems.push(Problem {
            kind: ProblemKind::StaleTempFile,
            severity: Severity::Warning,
            file: rel,
            line: 0,
            target: None,
            message: format!("temporary file left by a write that did not finish (process {pid})"),
            hint: "`specwork check --fix` removes it; the file it was writing kept its previous content".into(),
            fixable: true,
            fixed: removed,
        });
    }

    problems.extend(drift_problems(ws));

    problems.sort_by(|a, b| a.file.cmp(&b.file).then(a.line.cmp(&b.line)).then(a.kind.cmp(&b.kind)));
    let fixed = problems.iter().filter(|p| p.fixed).count();
    Ok(CheckReport {
        workspace: ws.root.display().to_string(),
        files_checked: md.len(),
        links_checked,
        deliverables_checked: deliverable_files.len(),
        remaining: problems.len() - fixed,
        fixed,
        problems,
    })
}

/// One `drift` problem per drifted file ([`crate::views::drift`]).
fn drift_problems(ws: &Workspace) -> Vec<Problem> {
    use crate::views::drift::DriftKind;
    let specs: Vec<&crate::Spec> = ws.specs.iter().filter(|s| !s.archived).collect();
    let report = crate::views::drift::drift(ws, &specs);
    let mut out: Vec<Problem> = report
        .drifted
        .into_iter()
        .map(|d| {
            let task = d.task.as_deref().unwrap_or("");
            let by = d.commit.as_deref().map_or_else(|| "an uncommitted edit".to_owned(), |c| format!("commit {c}"));
            let (message, hint) = match d.kind {
                DriftKind::ChangedAfterDone => (
                    format!("changed by {by} after task {task} of {} was done, not linked to the task", d.spec),
                    format!(
                        "review it: `specwork drift accept {} {task}` or `specwork drift reopen {} {task} --reason …`",
                        d.spec, d.spec
                    ),
                ),
                DriftKind::OutsideDeclaredFiles => (
                    format!("changed by task {task} of {} but not named in its Files:", d.spec),
                    format!("add it to the task's Files:, or `specwork drift accept {} {task}`", d.spec),
                ),
                DriftKind::DocChangedSinceApproval => (
                    format!("approved document of {} changed since its approval", d.spec),
                    format!("request a new review: `specwork approval request {} …`", d.spec),
                ),
            };
            Problem {
                kind: ProblemKind::Drift,
                severity: Severity::Warning,
                file: d.file,
                line: 0,
                target: Some(d.kind.as_str().to_owned()),
                message,
                hint,
                fixable: false,
                fixed: false,
            }
        })
        .collect();
    out.extend(report.errors.into_iter().map(|e| Problem {
        kind: ProblemKind::Drift,
        severity: Severity::Error,
        file: crate::stores::evidence::EVIDENCE_DIR.to_owned(),
        line: 0,
        target: None,
        message: e,
        hint: "restore the file from git".into(),
        fixable: false,
        fixed: false,
    }));
    out
}

/// The problem of a Markdown file that cannot be read.
fn unreadable(file: &str, e: &std::io::Error) -> Problem {
    let hint = match e.kind() {
        std::io::ErrorKind::InvalidData => "save the file as UTF-8".to_owned(),
        _ if crate::base::path_policy::refusal(e).is_some() => {
            "specwork reads only regular files inside the workspace: replace the link or special file".to_owned()
        }
        _ => "check the file's permissions".to_owned(),
    };
    Problem {
        kind: ProblemKind::Unreadable,
        severity: Severity::Warning,
        file: file.to_owned(),
        line: 0,
        target: None,
        message: format!("cannot read the file: {e}"),
        hint,
        fixable: false,
        fixed: false,
    }
}

/// Records why a fix failed on its problem; `Some(value)` when it succeeded.
fn not_fixed<T>(p: &mut Problem, r: Result<T, EditError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            p.message.push_str(&format!(" (not fixed: {e})"));
            None
        }
    }
}

/// Folders specwork writes in (where a killed write can leave a temporary file).
const WRITTEN_DIRS: [&str; 5] = [".spec-workflow", ".specwork", "docs", "specs", "deliverables"];

/// Temporary files of [`write::temp_name`]'s shape whose writer is gone (workspace-relative,
/// with the pid). A writer still running (on Linux, `/proc/PID` exists) and younger than an
/// hour is left alone.
pub fn stale_temp_files(root: &Path) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = vec![root.to_owned()];
    dirs.extend(WRITTEN_DIRS.iter().map(|d| root.join(d)).filter(|d| d.is_dir()));
    for (i, dir) in dirs.iter().enumerate() {
        let walk = ignore::WalkBuilder::new(dir)
            .standard_filters(false)
            .follow_links(false)
            .max_depth(if i == 0 { Some(1) } else { None })
            .build();
        for e in walk.flatten() {
            let Some(name) = e.file_name().to_str() else { continue };
            let Some(pid) = write::temp_file_pid(name) else { continue };
            if !e.file_type().is_some_and(|t| t.is_file()) || (pid == std::process::id()) {
                continue;
            }
            let alive = cfg!(target_os = "linux") && Path::new(&format!("/proc/{pid}")).exists();
            let young = e
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() < 3600);
            if alive && young {
                continue;
            }
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            out.push((slash_path(rel), pid));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// The one file named like `path`'s last component, unless the name is generic.
fn unique_moved(vault: &Vault, path: &str) -> Option<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_lowercase();
    if GENERIC_NAMES.contains(&lower.as_str()) || GENERIC_NAMES.contains(&format!("{lower}.md").as_str()) {
        return None;
    }
    let matches = vault.by_name(name);
    // Only exact names (a link without `.md` finds `name.md`).
    (matches.len() == 1).then(|| matches[0].to_owned())
}

/// Where a file holds text specwork writes from the journals: a fix there would be undone by
/// the next `rebuild`, so `check --fix` leaves it and says where the text comes from.
enum Generated {
    /// Written by hand (generated blocks of a context file aside).
    Blocks(Vec<std::ops::Range<usize>>),
    /// The whole file (PROGRESS.md, daily summaries).
    Whole,
}

impl Generated {
    fn of(file: &str, src: &str) -> Self {
        let daily = Path::new(file).parent() == Some(Path::new(crate::stores::journal::DAILY_DIR));
        if file == crate::stores::journal::PROGRESS_FILE || daily {
            Generated::Whole
        } else {
            Generated::Blocks(crate::views::timeline::generated_blocks(src).into_iter().map(|b| b.range).collect())
        }
    }

    /// The problem of link `l`, not fixed in place when the link is generated text.
    fn explain(&self, l: &links::Link, (mut p, rw): (Problem, Option<Rewrite>)) -> (Problem, Option<Rewrite>) {
        let whole = matches!(self, Generated::Whole);
        if !whole && !matches!(self, Generated::Blocks(b) if b.iter().any(|r| r.contains(&l.range.start))) {
            return (p, rw);
        }
        p.fixable = false;
        p.hint = if whole {
            "specwork writes this file from the session journals (eod, rebuild), so an edit here is \
             undone: fix the link's source (the spec or the journal entry), then rebuild"
                .into()
        } else {
            "this line is generated from a session journal, and rebuild writes it again as recorded: \
             the journal keeps the path of that day (move the file back, or leave the history as it was)"
                .into()
        };
        (p, None)
    }
}

/// The problem a resolved link is, if any, with the rewrite that fixes a moved file.
fn link_problem(
    vault: &Vault,
    file: &str,
    src: &str,
    l: &links::Link,
    res: &Resolution,
) -> Option<(Problem, Option<Rewrite>)> {
    let shown = links::strip_subpath(&l.target).to_owned();
    let p = |kind, message: String, hint: String, fixable| Problem {
        kind,
        severity: Severity::Warning,
        file: file.to_owned(),
        line: l.line,
        target: Some(shown.clone()),
        message,
        hint,
        fixable,
        fixed: false,
    };
    match res {
        Resolution::File { .. } | Resolution::Folder { .. } | Resolution::SameNote | Resolution::External => None,
        Resolution::Ambiguous { candidates } => Some((
            p(
                ProblemKind::AmbiguousLink,
                format!("`{shown}` matches {} files: {}", candidates.len(), candidates.join(", ")),
                "write a path instead of the bare name, e.g. ../folder/name".into(),
                false,
            ),
            None,
        )),
        Resolution::Missing => {
            let moved =
                if shown.contains('/') || l.form == LinkForm::Markdown { unique_moved(vault, &shown) } else { None };
            match (moved, &l.target_range) {
                (Some(m), Some(range)) if l.form != LinkForm::Reference => {
                    let written = &src[range.clone()];
                    let from_dir = Path::new(file).parent().unwrap_or(Path::new("")).to_owned();
                    let mut new = links::link_target(&from_dir, Path::new(&m));
                    // Keep the link's own style: `.md` spelled out or not, `#subpath`, encoding.
                    let had_md = links::strip_subpath(&l.target).to_lowercase().ends_with(".md");
                    if had_md && !new.to_lowercase().ends_with(".md") && m.to_lowercase().ends_with(".md") {
                        new.push_str(".md");
                    }
                    if let Some((_, sub)) = l.target.split_once('#') {
                        new = format!("{new}#{sub}");
                    }
                    if l.form == LinkForm::Markdown {
                        new = links::percent_encode_path(&new);
                    }
                    Some((
                        p(
                            ProblemKind::MovedFile,
                            format!("`{shown}` does not exist; the file moved to {m}"),
                            format!("`specwork check --fix` rewrites the link to `{new}`"),
                            true,
                        ),
                        Some(Rewrite { old: written.to_owned(), new, problem: 0, moved_to: m.clone() }),
                    ))
                }
                _ => Some((
                    p(
                        ProblemKind::BrokenLink,
                        format!("`{shown}` does not resolve to any file"),
                        "correct the link, or create the file".into(),
                        false,
                    ),
                    None,
                )),
            }
        }
    }
}

/// Applies link rewrites file by file on fresh content: each link whose written target is an
/// `old` value is rewritten (from the end, so offsets stay valid).
fn apply_rewrites(
    ws: &Workspace,
    rewrites: &BTreeMap<String, Vec<Rewrite>>,
    problems: &mut [Problem],
) -> Result<(), EditError> {
    for (file, rws) in rewrites {
        let mut done: HashSet<usize> = HashSet::new();
        let r = write::update(&ws.root.join(file), |src: &str| -> Result<String, EditError> {
            done.clear();
            let mut edits: Vec<(std::ops::Range<usize>, &str, usize)> = Vec::new();
            for l in links::extract(src) {
                let Some(r) = l.target_range.clone() else { continue };
                if let Some(rw) = rws.iter().find(|rw| src[r.clone()] == rw.old) {
                    edits.push((r, &rw.new, rw.problem));
                }
            }
            let mut out = src.to_owned();
            edits.sort_by_key(|e| std::cmp::Reverse(e.0.start));
            for (r, new, problem) in edits {
                out.replace_range(r, new);
                done.insert(problem);
            }
            Ok(out)
        });
        if let Err(e) = r {
            // One file that cannot be edited is reported on its problems; the others go on.
            for rw in rws {
                problems[rw.problem].message.push_str(&format!(" (not fixed: {e})"));
            }
            continue;
        }
        for i in done {
            problems[i].fixed = true;
        }
    }
    Ok(())
}

/// Adds a header to a deliverable listed by exactly one spec document, `doc` (the link's alias
/// is the best purpose there is).
fn add_header(
    ws: &Workspace,
    spec: &crate::Spec,
    doc: &str,
    alias: Option<String>,
    f: &str,
) -> Result<bool, EditError> {
    let repo = crate::git::Repo::open(&ws.root);
    let created = repo
        .and_then(|r| r.added_date(Path::new(f)))
        .or_else(|| {
            let m = fs_err::metadata(ws.root.join(f)).ok()?.modified().ok()?;
            let ts = jiff::Timestamp::try_from(m).ok()?;
            Some(crate::base::clock::date(&ts.to_zoned(jiff::tz::TimeZone::system())))
        })
        .unwrap_or_else(|| crate::base::clock::date(&crate::base::clock::now()));
    let fields = header::HeaderFields {
        generated_from: doc.to_owned(),
        context: spec.docs.context.as_deref().map(slash_path),
        purpose: alias.unwrap_or_else(|| file_name(f)),
        created,
        target: None,
        spec_name: Some(format!("{} - {}", spec.id, spec.title)),
    };
    let abs = ws.root.join(f);
    let head = crate::base::path_policy::read(&abs)?;
    let style = header::CommentStyle::for_file(Path::new(f), &head[..head.len().min(8192)]);
    if style == header::CommentStyle::Sidecar {
        write::create(&header::sidecar_path(&abs), fields.render(style, "\n").as_bytes())?;
    } else {
        if std::str::from_utf8(&head).is_err() {
            return Ok(false);
        }
        write::update(&abs, |old: &str| -> Result<String, EditError> {
            Ok(header::insert(old, &fields, style, Path::new(f)))
        })?;
    }
    Ok(true)
}
