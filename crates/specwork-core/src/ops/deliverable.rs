//! Adding a deliverable: create (or register) the file with its traceback header, link it from
//! the spec's `## Deliverables` section, and record it in the timeline.

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::base::names::link_alias;
use crate::model::edit::EditError;
use crate::model::links::{self};
use crate::model::spec::Spec;
use crate::model::workspace::Workspace;
use crate::ops::context_append::{self, TimelineEvent};
use crate::text::markdown::{self, content_end};
use crate::views::deliverables::header::{self, CommentStyle, HeaderFields};
use crate::views::deliverables::{Kind, deliverables_dir, spec_document};
use crate::{base::clock, base::write};

/// Why a deliverable could not be added.
#[derive(Debug, thiserror::Error)]
pub enum DeliverableError {
    /// Writing failed, or the spec cannot be edited.
    #[error(transparent)]
    Edit(#[from] EditError),
    /// The path is not acceptable.
    #[error("{path}: {reason}")]
    Path {
        /// The path as given.
        path: String,
        /// Why.
        reason: String,
        /// The fix.
        hint: String,
    },
    /// No purpose given and none in the file.
    #[error("{path} has no traceback header, so it needs a purpose")]
    NoPurpose {
        /// The deliverable.
        path: String,
    },
    /// The file's header names another spec.
    #[error("{path} was generated from {other}, not from {this}")]
    OtherSpec {
        /// The deliverable.
        path: String,
        /// The spec document in its header.
        other: String,
        /// This spec's document.
        this: String,
    },
    /// The file sits in one kind's folder but another kind was asked for.
    #[error("{path} is in deliverables/{}/ but the kind asked for is {}", folder.dir(), asked.as_str())]
    KindMismatch {
        /// The path as given.
        path: String,
        /// The kind of the folder it is in.
        folder: Kind,
        /// The kind asked for.
        asked: Kind,
    },
    /// The file exists outside the spec's `deliverables/` folder.
    #[error("{path} is not in {deliverables}/")]
    Elsewhere {
        /// The path as given.
        path: String,
        /// The spec's deliverables folder.
        deliverables: String,
        /// The file, workspace-relative.
        from: String,
        /// Where it belongs.
        to: String,
        /// Whether git tracks it (so the move should go through git).
        tracked: bool,
    },
    /// The path is under `deliverables/` but not in a kind's folder.
    #[error("{path} is not in deliverables/scripts/, docs/ or config/")]
    NoKindFolder {
        /// The path as given.
        path: String,
    },
    /// A deploy target was given for a deliverable that is not a configuration file.
    #[error("{path}: only configuration files have a deploy target")]
    TargetNotConfig {
        /// The path as given.
        path: String,
    },
    /// The spec has no document to list deliverables in.
    #[error("spec `{id}` has no document to list deliverables in")]
    NoDocument {
        /// The spec.
        id: String,
    },
}

impl From<write::WriteError> for DeliverableError {
    fn from(e: write::WriteError) -> Self {
        Self::Edit(EditError::Write(e))
    }
}

impl From<std::io::Error> for DeliverableError {
    fn from(e: std::io::Error) -> Self {
        Self::Edit(EditError::from(e))
    }
}

/// What `deliverable add` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct AddRequest<'a> {
    /// The path as the user gave it: a file name (`nas-health-check.sh`), a path under the
    /// spec's folder (`deliverables/scripts/x.sh`), or a path from the current directory.
    pub path: &'a str,
    /// The current directory (absolute), for paths relative to it.
    pub cwd: Option<&'a Path>,
    /// The kind; inferred from the folder or the extension when absent.
    pub kind: Option<Kind>,
    /// What it is for (required unless the file already has a header with one).
    pub purpose: Option<&'a str>,
    /// The link's alias in the spec [default: the purpose].
    pub title: Option<&'a str>,
    /// Where a configuration file is installed.
    pub target: Option<&'a str>,
    /// Who created it (`Claude + User`), written after the date in `Created:`.
    pub by: Option<&'a str>,
}

/// What `deliverable add` did.
#[derive(Clone, Debug, Serialize)]
pub struct Added {
    /// The spec.
    pub spec: String,
    /// The kind.
    pub kind: Kind,
    /// The deliverable, workspace-relative.
    pub path: String,
    /// Whether the file was created (false: it existed and was registered).
    pub created: bool,
    /// Whether a header was written (false: it had one).
    pub header_added: bool,
    /// Where the header is: the file itself, or its `.meta` sidecar.
    pub header_file: String,
    /// The spec document that lists it.
    pub spec_file: String,
    /// The link target written in the spec document.
    pub link: String,
    /// Whether the link was added (false: it was there).
    pub link_added: bool,
    /// The context file that recorded the event, if any.
    pub timeline: Option<String>,
}

fn slash(p: &Path) -> String {
    crate::base::display::slash_path(p)
}

/// Lexically normalises a workspace-relative path; `None` when it climbs out.
fn clean(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Works out the deliverable's workspace-relative path and kind from the request.
fn locate(ws: &Workspace, spec: &Spec, req: &AddRequest<'_>) -> Result<(PathBuf, Kind), DeliverableError> {
    let bad = |reason: String, hint: String| DeliverableError::Path { path: req.path.to_owned(), reason, hint };
    let raw = req.path.trim();
    if raw.is_empty() || raw.chars().any(char::is_control) {
        return Err(bad("not a usable file name".into(), "pass a file name such as nas-health-check.sh".into()));
    }
    // A backslash is a folder separator on Windows and part of the name elsewhere: either way
    // the link written for it (`deliverables/config/../../etc`) would not be the file.
    if raw.contains('\\') {
        return Err(bad("contains a backslash".into(), "separate folders with `/`".into()));
    }
    let deliv = deliverables_dir(spec);
    let given = Path::new(raw);
    let root = &ws.root;
    // Where the path points, as a workspace-relative path.
    let rel: PathBuf = if given.is_absolute() {
        let canon_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let abs = given.canonicalize().unwrap_or_else(|_| given.to_owned());
        abs.strip_prefix(&canon_root)
            .or_else(|_| given.strip_prefix(root))
            .map(Path::to_owned)
            .map_err(|_| bad("is outside the workspace".into(), format!("deliverables live in {}/", slash(&deliv))))?
    } else if let Some(cwd) = req.cwd.filter(|c| c.join(given).exists()) {
        let abs = cwd.join(given);
        let canon_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        let abs = abs.canonicalize().unwrap_or(abs);
        abs.strip_prefix(&canon_root)
            .map(Path::to_owned)
            .map_err(|_| bad("is outside the workspace".into(), format!("deliverables live in {}/", slash(&deliv))))?
    } else if raw.starts_with("deliverables/") {
        spec.dir.join(given)
    } else if given.starts_with(&spec.dir) && !spec.dir.as_os_str().is_empty() {
        given.to_owned()
    } else {
        let kind = req.kind.unwrap_or_else(|| Kind::from_extension(raw));
        deliv.join(kind.dir()).join(given)
    };
    let rel = clean(&rel)
        .ok_or_else(|| bad("climbs out of the workspace".into(), format!("deliverables live in {}/", slash(&deliv))))?;
    let Ok(inside) = rel.strip_prefix(&deliv) else {
        let name = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let kind = req.kind.unwrap_or_else(|| Kind::from_extension(&name));
        let dest = deliv.join(kind.dir()).join(&name);
        let tracked = crate::git::Repo::open(root).is_some_and(|r| r.tracks(&rel));
        return Err(DeliverableError::Elsewhere {
            path: req.path.to_owned(),
            deliverables: slash(&deliv),
            from: slash(&rel),
            to: slash(&dest),
            tracked,
        });
    };
    let folder = inside.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
    let folder_kind = Kind::ALL.into_iter().find(|k| k.dir() == folder);
    let kind = match (req.kind, folder_kind) {
        (Some(asked), Some(folder)) if asked != folder => {
            return Err(DeliverableError::KindMismatch { path: req.path.to_owned(), folder, asked });
        }
        (_, Some(f)) => f,
        (_, None) => return Err(DeliverableError::NoKindFolder { path: req.path.to_owned() }),
    };
    if inside.components().count() < 2 {
        return Err(bad("names a folder, not a file".into(), "pass a file name".into()));
    }
    for c in rel.components() {
        let s = c.as_os_str().to_string_lossy();
        if s.starts_with('-') || s.contains(['|', '[', ']', '#', '^']) {
            return Err(bad(
                format!("`{s}` would not work in a wiki link or on a command line"),
                "use letters, digits, `-`, `_` and `.` in file names".into(),
            ));
        }
    }
    let abs = ws.abs(&rel);
    if abs.is_dir() {
        return Err(bad("is a folder".into(), "pass a file".into()));
    }
    // A symlink must not lead out of the workspace.
    if let (Ok(real), Ok(real_root)) = (abs.canonicalize(), root.canonicalize())
        && !real.starts_with(&real_root)
    {
        return Err(bad(
            "leads outside the workspace".into(),
            "deliverables must be real files in the workspace".into(),
        ));
    }
    Ok((rel, kind))
}

/// Creates or registers a deliverable of `spec`: the file with its header, the link in the
/// spec's `## Deliverables` section, and a bullet in the context timeline.
pub fn add(ws: &Workspace, spec: &Spec, req: &AddRequest<'_>) -> Result<Added, DeliverableError> {
    if !spec.layout.writable() {
        return Err(EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() }.into());
    }
    let doc = spec_document(spec).ok_or_else(|| DeliverableError::NoDocument { id: spec.id.clone() })?.to_owned();
    let (rel, kind) = locate(ws, spec, req)?;
    let rel_s = slash(&rel);
    if req.target.is_some() && kind != Kind::Config {
        return Err(DeliverableError::TargetNotConfig { path: req.path.to_owned() });
    }
    let abs = ws.abs(&rel);
    let existing = abs.is_file();
    let current = if existing { header::read(&ws.root, &rel) } else { None };
    let doc_s = slash(&doc);
    if let Some(h) = &current
        && let Some(from) = &h.generated_from
        && from.trim_start_matches("./") != doc_s
    {
        return Err(DeliverableError::OtherSpec { path: rel_s, other: from.clone(), this: doc_s });
    }
    let purpose = req
        .purpose
        .map(str::to_owned)
        .or_else(|| current.as_ref().and_then(|h| h.purpose.clone()))
        .filter(|p| !p.trim().is_empty());
    if current.is_none() && purpose.is_none() {
        return Err(DeliverableError::NoPurpose { path: rel_s });
    }
    let purpose = purpose.unwrap_or_default();

    // The context file first, so that the header can name it.
    let context = context_append::ensure_context(ws, spec)?;
    let now = clock::now();
    let created = match req.by.filter(|b| !b.trim().is_empty()) {
        Some(by) => format!("{} by {by}", clock::date(&now)),
        None => clock::date(&now),
    };
    let fields = HeaderFields {
        generated_from: doc_s.clone(),
        context: context.as_deref().map(slash),
        purpose: purpose.clone(),
        created,
        target: req.target.map(str::to_owned),
        spec_name: Some(format!("{} - {}", spec.id, spec.title)),
    };

    let mut header_file = rel_s.clone();
    let header_added = current.is_none();
    if !existing {
        let style = CommentStyle::for_file(&rel, b"");
        let content = new_file_content(&rel, kind, &fields, style, req.title.unwrap_or(&purpose));
        write::create(&abs, content.as_bytes())?;
        if style == CommentStyle::Sidecar {
            let side = header::sidecar_path(&abs);
            write::create(&side, fields.render(style, "\n").as_bytes())?;
            header_file = slash(&header::sidecar_path(&rel));
        }
        if kind == Kind::Script {
            make_executable(&abs);
        }
    } else if header_added {
        let head = crate::base::path_policy::read(&abs)?;
        let style = CommentStyle::for_file(&rel, &head[..head.len().min(8192)]);
        if style == CommentStyle::Sidecar {
            let side = header::sidecar_path(&abs);
            write::overwrite(&side, fields.render(style, "\n").as_bytes())?;
            header_file = slash(&header::sidecar_path(&rel));
        } else {
            write::update(&abs, |old: &str| -> Result<String, DeliverableError> {
                Ok(header::insert(old, &fields, style, &rel))
            })
            .map_err(|e| match e {
                DeliverableError::Edit(EditError::Write(write::WriteError::Io(io)))
                    if io.kind() == std::io::ErrorKind::InvalidData =>
                {
                    DeliverableError::Edit(EditError::NotUtf8 { path: rel.clone() })
                }
                e => e,
            })?;
        }
    } else if current.as_ref().is_some_and(|h| h.sidecar) {
        header_file = slash(&header::sidecar_path(&rel));
    }

    let doc_dir = doc.parent().unwrap_or(Path::new("")).to_owned();
    let link = links::link_target(&doc_dir, &rel);
    let alias = req.title.map(str::to_owned).unwrap_or_else(|| purpose.clone());
    let link_added = ensure_listed(ws, &doc, kind, &rel, &link, &alias)?;

    let timeline = if header_added || link_added || !existing {
        let [created, registered] = crate::stores::activity::DELIVERABLE_VERBS;
        let verb = if existing { registered } else { created };
        let ctx_dir = context.as_deref().and_then(Path::parent).unwrap_or(Path::new("")).to_owned();
        let bullet = format!("{verb} [[{}|{}]]", links::link_target(&ctx_dir, &rel), link_alias(&alias));
        context_append::append(ws, spec, &TimelineEvent::Implementation(bullet))?.map(|p| slash(&p))
    } else {
        None
    };
    Ok(Added {
        spec: spec.id.clone(),
        kind,
        path: rel_s,
        created: !existing,
        header_added,
        header_file,
        spec_file: doc_s,
        link,
        link_added,
        timeline,
    })
}

fn new_file_content(rel: &Path, kind: Kind, fields: &HeaderFields, style: CommentStyle, title: &str) -> String {
    let name = rel.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
    let shebang = match (kind, ext.as_str()) {
        (Kind::Script, "sh" | "bash") => "#!/usr/bin/env bash\n",
        (Kind::Script, "py") => "#!/usr/bin/env python3\n",
        (Kind::Script, "rb") => "#!/usr/bin/env ruby\n",
        (Kind::Script, "pl") => "#!/usr/bin/env perl\n",
        _ => "",
    };
    match style {
        CommentStyle::Sidecar if ext == "json" => "{}\n".to_owned(),
        CommentStyle::Sidecar => String::new(),
        CommentStyle::Properties => header::insert(&format!("# {}\n", link_alias(title)), fields, style, rel),
        _ => format!("{shebang}{}", fields.render(style, "\n")),
    }
}

#[cfg(unix)]
fn make_executable(abs: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = fs_err::metadata(abs) {
        let mut p = meta.permissions();
        p.set_mode(p.mode() | 0o111);
        let _ = fs_err::set_permissions(abs, p);
    }
}

#[cfg(not(unix))]
fn make_executable(_abs: &Path) {}

/// Adds `- [[link|alias]]` under `### {Kind}` of the `## Deliverables` section of `doc`,
/// unless a link there already leads to `deliverable`. Returns whether it wrote.
pub fn ensure_listed(
    ws: &Workspace,
    doc: &Path,
    kind: Kind,
    deliverable: &Path,
    link: &str,
    alias: &str,
) -> Result<bool, EditError> {
    let doc_s = slash(doc);
    let target = slash(deliverable);
    let mut added = false;
    write::update(&ws.abs(doc), |old: &str| -> Result<String, EditError> {
        match add_to_section(old, &doc_s, kind, &target, link, &link_alias(alias)) {
            Some(new) => {
                added = true;
                Ok(new)
            }
            None => {
                added = false;
                Ok(old.to_owned())
            }
        }
    })?;
    Ok(added)
}

/// Whether a wiki or Markdown link in the Deliverables section of `doc_path` leads to
/// `target` (path-wise: relative to the document's folder or from the root, or by file name).
fn section_links_to(src: &str, section: std::ops::Range<usize>, doc_path: &str, target: &str) -> bool {
    let doc_dir = doc_path.rsplit_once('/').map_or("", |(d, _)| d);
    let target_l = target.to_lowercase();
    links::extract(&src[section]).iter().any(|l| {
        let t = links::strip_subpath(&l.target);
        let cands = [links::normalize(doc_dir, t), links::normalize("", t.trim_start_matches('/'))];
        cands.into_iter().flatten().any(|c| {
            let c = c.to_lowercase();
            c == target_l || format!("{c}.md") == target_l
        }) || (!t.contains('/') && target_l.rsplit('/').next() == Some(t.to_lowercase().as_str()))
    })
}

/// The pure edit behind [`ensure_listed`]: `None` when the link is there already.
pub fn add_to_section(src: &str, doc_path: &str, kind: Kind, target: &str, link: &str, alias: &str) -> Option<String> {
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let item = format!("- [[{link}|{alias}]]{eol}");
    let is_deliverables = |t: &str| t.trim().trim_end_matches(':').eq_ignore_ascii_case("deliverables");
    let mut out = src.to_owned();
    let Some(section) = markdown::section(src, is_deliverables) else {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        let lead = if out.is_empty() || out.ends_with(&format!("{eol}{eol}")) { "" } else { eol };
        out.push_str(&format!("{lead}## Deliverables{eol}{eol}### {}{eol}{item}", kind.heading()));
        return Some(out);
    };
    if section_links_to(src, section.clone(), doc_path, target) {
        return None;
    }
    // The `###` subsections of the section.
    let subs = subsections(src, section.clone());
    let nl_first = |at: usize| if at > 0 && !src[..at].ends_with('\n') { eol } else { "" };
    if let Some((_, body)) = subs.iter().find(|(k, _)| *k == Some(kind)) {
        let at = content_end(src, body.clone());
        out.insert_str(at, &format!("{}{item}", nl_first(at)));
        return Some(out);
    }
    // A new subsection: before the first one of a later kind, else at the end of the section.
    let later = subs.iter().find(|(k, _)| k.is_some_and(|k| k > kind)).map(|(_, body)| heading_start(src, body.start));
    let text = match later {
        Some(at) => {
            out.insert_str(at, &format!("### {}{eol}{item}{eol}", kind.heading()));
            return Some(out);
        }
        None => {
            let at = content_end(src, section);
            let lead = if src[..at].ends_with(&format!("{eol}{eol}")) || at == 0 { "" } else { eol };
            let trailing = if src[at..].starts_with('#') { eol } else { "" };
            (at, format!("{}{lead}### {}{eol}{item}{trailing}", nl_first(at), kind.heading()))
        }
    };
    out.insert_str(text.0, &text.1);
    Some(out)
}

/// `(kind, body range)` of each `###` heading inside `section`.
fn subsections(src: &str, section: std::ops::Range<usize>) -> Vec<(Option<Kind>, std::ops::Range<usize>)> {
    let mut out: Vec<(Option<Kind>, std::ops::Range<usize>)> = Vec::new();
    let mut pos = section.start;
    let mut in_fence = false;
    while pos < section.end {
        let end = src[pos..section.end].find('\n').map_or(section.end, |i| pos + i + 1);
        let line = src[pos..end].trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && let Some((level, text)) = markdown::heading(line) {
            if let Some(last) = out.last_mut()
                && last.1.end == section.end
            {
                last.1.end = pos;
            }
            if level >= 3 {
                out.push((Kind::ALL.into_iter().find(|k| k.matches_heading(text)), end..section.end));
            }
        }
        pos = end;
    }
    out
}

/// The start of the heading line whose body starts at `body_start`.
fn heading_start(src: &str, body_start: usize) -> usize {
    let before = &src[..body_start.saturating_sub(1)];
    before.rfind('\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "# 1014 - X\n\n## Tasks\n- [ ] 1. a\n\n## Deliverables\n\n### Scripts\n- [[deliverables/scripts/optimize-network.sh|Network Optimization]]\n\n### Configuration\n- [[deliverables/config/fstab.nas|NFS Mount Configuration]]\n";
    const DOC: &str = "specs/1000/1001/1014.spec.md";

    #[test]
    fn adds_under_the_right_subsection() {
        let s = add_to_section(
            SPEC,
            DOC,
            Kind::Script,
            "specs/1000/1001/deliverables/scripts/nas-health-check.sh",
            "deliverables/scripts/nas-health-check.sh",
            "Health Monitoring",
        )
        .unwrap();
        assert_eq!(
            s,
            SPEC.replace(
                "Network Optimization]]\n",
                "Network Optimization]]\n- [[deliverables/scripts/nas-health-check.sh|Health Monitoring]]\n"
            )
        );
        let d = add_to_section(
            SPEC,
            DOC,
            Kind::Doc,
            "specs/1000/1001/deliverables/docs/guide.md",
            "deliverables/docs/guide",
            "Setup Guide",
        )
        .unwrap();
        assert_eq!(
            d,
            SPEC.replace(
                "\n### Configuration",
                "\n### Documentation\n- [[deliverables/docs/guide|Setup Guide]]\n\n### Configuration"
            )
        );
        assert_eq!(
            add_to_section(SPEC, DOC, Kind::Config, "specs/1000/1001/deliverables/config/fstab.nas", "x", "y"),
            None,
            "already linked"
        );
        let c = add_to_section(
            &d,
            DOC,
            Kind::Config,
            "specs/1000/1001/deliverables/config/sysctl.nas.conf",
            "deliverables/config/sysctl.nas.conf",
            "Net",
        )
        .unwrap();
        assert!(c.ends_with("fstab.nas|NFS Mount Configuration]]\n- [[deliverables/config/sysctl.nas.conf|Net]]\n"));
    }

    #[test]
    fn creates_the_section_and_subsections() {
        let s = add_to_section("# T\n\nBody", DOC, Kind::Doc, "a", "deliverables/docs/a", "A").unwrap();
        assert_eq!(s, "# T\n\nBody\n\n## Deliverables\n\n### Documentation\n- [[deliverables/docs/a|A]]\n");
        let template = "# T\n\n## Tasks\n\n- [ ] 1. First task\n\n## Deliverables\n";
        let s = add_to_section(template, DOC, Kind::Script, "a", "deliverables/scripts/a.sh", "A").unwrap();
        assert_eq!(s, format!("{template}\n### Scripts\n- [[deliverables/scripts/a.sh|A]]\n"));
        let before_next = "## Deliverables\n\n## Notes\nx\n";
        let s = add_to_section(before_next, DOC, Kind::Script, "a", "deliverables/scripts/a.sh", "A").unwrap();
        assert_eq!(s, "## Deliverables\n\n### Scripts\n- [[deliverables/scripts/a.sh|A]]\n\n## Notes\nx\n");
    }
}
