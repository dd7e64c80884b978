//! Wiki links in rendered documents, resolved by [`specwork_core::model::links::Vault`] — the same
//! resolver as `specwork check`, with Obsidian's rules (`shared/reference/obsidian-links.md`).
//! A resolved file that is one of a spec's documents links to that spec's page; any other file
//! to the file view. An ambiguous bare name links its first candidate (as `check` warns).
//!
//! Invariant: resolution never leaves the workspace: the vault holds only workspace files, and
//! a link whose `..` steps climb above the root resolves to nothing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use specwork_core::Workspace;
use specwork_core::model::links::{Resolution, Vault};

/// What a link resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    /// One of a spec's documents: `(spec id, doc key)`.
    SpecDoc(String, &'static str),
    /// Any other file in the workspace.
    File(PathBuf),
}

/// The workspace's files and every spec document by path.
#[derive(Default)]
pub(crate) struct LinkIndex {
    vault: Vault,
    docs: HashMap<PathBuf, (String, &'static str)>,
}

fn slash(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

impl LinkIndex {
    pub fn build(ws: &Workspace) -> LinkIndex {
        let mut docs = HashMap::new();
        // Active specs last so that an archived copy never shadows the live one.
        for spec in ws.specs.iter().rev() {
            for (key, path) in doc_paths(&spec.docs) {
                docs.insert(path.clone(), (spec.id.clone(), key));
            }
        }
        LinkIndex { vault: Vault::scan(&ws.root), docs }
    }

    /// The vault, for core functions that take one.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Whether `path` is a file of the vault.
    pub fn has_file(&self, path: &Path) -> bool {
        self.vault.contains(&slash(path))
    }

    /// The spec document at `path`, if it is one.
    pub fn spec_doc(&self, path: &Path) -> Option<(&str, &'static str)> {
        self.docs.get(path).map(|(id, key)| (id.as_str(), *key))
    }

    /// Resolves a link target (without `|alias`; a `#heading` part is ignored here) written in
    /// a file in `from_dir`.
    pub fn resolve(&self, from_dir: &Path, target: &str) -> Option<Target> {
        let source = slash(&from_dir.join("_"));
        let path = match self.vault.resolve(&source, target) {
            Resolution::File { path } => path,
            Resolution::Ambiguous { candidates } => candidates.into_iter().next()?,
            _ => return None,
        };
        let path = PathBuf::from(path);
        Some(match self.docs.get(&path) {
            Some((id, key)) => Target::SpecDoc(id.clone(), key),
            None => Target::File(path),
        })
    }
}

/// A spec's documents with their keys, in display order.
pub(crate) fn doc_paths(docs: &specwork_core::model::spec::SpecDocs) -> Vec<(&'static str, &PathBuf)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_obsidian() {
        let t = tempfile::tempdir().unwrap();
        let w = |p: &str| {
            let p = t.path().join(p);
            fs_err::create_dir_all(p.parent().unwrap()).unwrap();
            fs_err::write(p, "# x\n").unwrap();
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
