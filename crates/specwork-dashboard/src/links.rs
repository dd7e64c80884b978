//! Wiki-link resolution for rendered documents, by Obsidian's rules
//! (`shared/reference/obsidian-links.md`): a path with `/` resolves relative to the linking
//! file's folder (`../../3000/3001/spec`) and then from the vault root; a bare name prefers the
//! linking file's own folder, then any file of that name in the workspace; `.md` may be
//! omitted. A resolved file that is one of a spec's documents links to that spec's page; any
//! other file to the raw file view.
//!
//! Invariant: resolution is lexical and confined: a link whose `..` steps climb above the
//! workspace root resolves to nothing.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use specwork_core::Workspace;

/// Folders (relative to the workspace) whose files wiki links can reach.
pub(crate) fn linkable_roots(ws: &Workspace) -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from(&ws.config.workspace.specs_dir)];
    for d in [".spec-workflow", ".kiro", "openspec", "docs"] {
        if !v.iter().any(|p| p == Path::new(d)) {
            v.push(PathBuf::from(d));
        }
    }
    v
}

/// What a link resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// One of a spec's documents: `(spec id, doc key)`.
    SpecDoc(String, &'static str),
    /// Any other file in the workspace.
    File(PathBuf),
}

/// Every linkable file by lower-cased name, and every spec document by path.
#[derive(Default)]
pub(crate) struct LinkIndex {
    by_name: HashMap<String, Vec<PathBuf>>,
    docs: HashMap<PathBuf, (String, &'static str)>,
    files: std::collections::HashSet<PathBuf>,
}

impl LinkIndex {
    pub fn build(ws: &Workspace) -> LinkIndex {
        let mut idx = LinkIndex::default();
        for root in linkable_roots(ws) {
            walk(&ws.root, &root, &mut idx);
        }
        for names in idx.by_name.values_mut() {
            names.sort();
        }
        // Active specs first so that an archived copy never shadows the live one.
        for spec in ws.specs.iter().rev() {
            for (key, path) in doc_paths(&spec.docs) {
                idx.docs.insert(path.clone(), (spec.id.clone(), key));
            }
        }
        idx
    }

    /// Whether `path` is a linkable file.
    pub fn has_file(&self, path: &Path) -> bool {
        self.files.contains(path)
    }

    /// The spec document at `path`, if it is one.
    pub fn spec_doc(&self, path: &Path) -> Option<(&str, &'static str)> {
        self.docs.get(path).map(|(id, key)| (id.as_str(), *key))
    }

    /// Resolves a wiki-link target (without `|alias`; a `#heading` part is ignored here)
    /// written in a file in `from_dir`.
    pub fn resolve(&self, from_dir: &Path, target: &str) -> Option<Target> {
        let target = target.split('#').next().unwrap_or("").trim();
        if target.is_empty() {
            return None;
        }
        let path = self.find(from_dir, target)?;
        Some(match self.docs.get(&path) {
            Some((id, key)) => Target::SpecDoc(id.clone(), key),
            None => Target::File(path),
        })
    }

    fn find(&self, from_dir: &Path, target: &str) -> Option<PathBuf> {
        let with_md = format!("{target}.md");
        let candidates = [target, with_md.as_str()];
        if target.contains('/') {
            for c in candidates {
                for base in [from_dir, Path::new("")] {
                    if let Some(p) = normalize(&base.join(c))
                        && self.files.contains(&p)
                    {
                        return Some(p);
                    }
                }
            }
            return None;
        }
        for c in candidates {
            if let Some(p) = normalize(&from_dir.join(c))
                && self.files.contains(&p)
            {
                return Some(p);
            }
        }
        for c in candidates {
            if let Some(found) = self.by_name.get(&c.to_lowercase()).and_then(|v| v.first()) {
                return Some(found.clone());
            }
        }
        None
    }
}

/// A spec's documents with their keys, in display order.
pub(crate) fn doc_paths(docs: &specwork_core::spec::SpecDocs) -> Vec<(&'static str, &PathBuf)> {
    let mut v = Vec::new();
    for (key, p) in [
        ("spec", &docs.spec),
        ("requirements", &docs.requirements),
        ("design", &docs.design),
        ("tasks", &docs.tasks),
        ("context", &docs.context),
    ] {
        if let Some(p) = p {
            v.push((key, p));
        }
    }
    v
}

/// Resolves `.` and `..` lexically; `None` when the path climbs above its start or is
/// absolute.
pub(crate) fn normalize(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => out.push(s),
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

fn walk(root: &Path, rel: &Path, idx: &mut LinkIndex) {
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else { return };
    for e in rd.flatten() {
        let Ok(name) = e.file_name().into_string() else { continue };
        let Ok(ft) = e.file_type() else { continue };
        let child = rel.join(&name);
        if ft.is_dir() {
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            walk(root, &child, idx);
        } else if ft.is_file() && !name.starts_with('.') {
            idx.by_name.entry(name.to_lowercase()).or_default().push(child.clone());
            idx.files.insert(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_refuses_climbing_out() {
        assert_eq!(normalize(Path::new("specs/1000/../3000/spec.md")), Some(PathBuf::from("specs/3000/spec.md")));
        assert_eq!(normalize(Path::new("specs/../../etc/passwd")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn resolves_like_obsidian() {
        let t = tempfile::tempdir().unwrap();
        let w = |p: &str| {
            let p = t.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "# x\n").unwrap();
        };
        w("specs/1000/spec.md");
        w("specs/1000/1001/spec.md");
        w("specs/1000/1001/1014.spec.md");
        w("specs/1000/1001/1014.context.md");
        w("specs/3000/3001/spec.md");
        w("specs/1000/1001/deliverables/scripts/a.sh");
        let ws = Workspace::load(t.path()).unwrap();
        let idx = LinkIndex::build(&ws);
        let from = Path::new("specs/1000/1001");
        assert_eq!(idx.resolve(from, "1014.spec"), Some(Target::SpecDoc("1014".into(), "spec")));
        assert_eq!(idx.resolve(from, "1014.context"), Some(Target::SpecDoc("1014".into(), "context")));
        // A bare `spec` prefers the linking file's own folder.
        assert_eq!(idx.resolve(from, "spec"), Some(Target::SpecDoc("1001".into(), "spec")));
        assert_eq!(idx.resolve(from, "../../3000/3001/spec"), Some(Target::SpecDoc("3001".into(), "spec")));
        assert_eq!(
            idx.resolve(from, "deliverables/scripts/a.sh"),
            Some(Target::File(PathBuf::from("specs/1000/1001/deliverables/scripts/a.sh")))
        );
        assert_eq!(idx.resolve(from, "a.sh#x"), idx.resolve(from, "deliverables/scripts/a.sh"));
        assert_eq!(idx.resolve(from, "../../../../etc/passwd"), None);
        assert_eq!(idx.resolve(from, "missing"), None);
    }
}
