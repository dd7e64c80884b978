//! Which workspace a tool call runs in, and the confinement of `projectPath` to it.
//!
//! The server's workspace is fixed by `--workspace`, else found from the directory the server
//! started in (then from `CLAUDE_PROJECT_DIR`). It is looked up on each call, so a workspace
//! created with `specwork init` after the server started is found without a restart.
//!
//! Invariant: a call never runs outside the server's workspace. `projectPath` (the peer's
//! argument) must name the workspace root or a directory inside it, after symlinks are
//! resolved; `..` components are refused before anything touches the file system.

use std::path::{Component, Path, PathBuf};

use specwork_core::model::workspace;

use crate::call::ToolError;

/// Where the server looks for its workspace.
#[derive(Clone, Debug)]
pub struct Scope {
    /// `--workspace`, when given.
    pub workspace: Option<PathBuf>,
    /// Directories to discover the workspace from, in order (the current directory first).
    pub search_from: Vec<PathBuf>,
}

impl Scope {
    /// The server's workspace root.
    pub fn root(&self) -> Result<PathBuf, ToolError> {
        if let Some(w) = &self.workspace {
            if !w.is_dir() {
                return Err(ToolError::new(
                    format!("workspace {} is not a directory", w.display()),
                    "restart the server with --workspace naming the project root",
                ));
            }
            return Ok(std::path::absolute(w).unwrap_or_else(|_| w.clone()));
        }
        for dir in &self.search_from {
            if let Ok(root) = workspace::discover(dir) {
                return Ok(root);
            }
        }
        let start = self.search_from.first().map_or_else(|| ".".to_owned(), |d| d.display().to_string());
        Err(ToolError::new(
            format!("no specwork workspace found in {start} or any parent directory"),
            "run `specwork init` in the project root, or start the server with `specwork mcp --workspace DIR`",
        ))
    }

    /// The workspace a call runs in: the server's, or the workspace at or above `project_path`,
    /// which must be inside the server's.
    pub fn resolve(&self, project_path: Option<&str>) -> Result<PathBuf, ToolError> {
        let root = self.root()?;
        let Some(p) = project_path.map(str::trim).filter(|p| !p.is_empty()) else { return Ok(root) };
        let outside = || {
            ToolError::new(
                format!("projectPath `{p}` is outside the workspace {}", root.display()),
                "omit projectPath, or pass the workspace root or a folder inside it",
            )
        };
        let given = Path::new(p);
        if given.components().any(|c| matches!(c, Component::ParentDir)) {
            return Err(outside());
        }
        let abs = if given.is_absolute() { given.to_owned() } else { root.join(given) };
        let canon_root = root
            .canonicalize()
            .map_err(|e| ToolError::new(format!("cannot read {}: {e}", root.display()), "check the workspace"))?;
        let canon = abs.canonicalize().map_err(|_| {
            ToolError::new(format!("projectPath `{p}` does not exist"), "omit projectPath, or pass the workspace root")
        })?;
        if !canon.starts_with(&canon_root) {
            // A linked git worktree whose workspace is this one (the peer's agents send their
            // worktree as projectPath): the call runs in the shared root.
            let shared = specwork_core::git::linked_worktree(&canon).is_some()
                && workspace::discover(&canon).ok().and_then(|w| w.canonicalize().ok()).as_ref() == Some(&canon_root);
            return if shared { Ok(root) } else { Err(outside()) };
        }
        // A nested workspace inside this one is used; anything found above the root is not.
        Ok(workspace::discover(&canon).ok().filter(|w| w.starts_with(&canon_root)).unwrap_or(canon_root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_path_stays_inside() {
        let t = tempfile::tempdir().unwrap();
        let ws = t.path().join("ws");
        fs_err::create_dir_all(ws.join(".spec-workflow/specs")).unwrap();
        fs_err::create_dir_all(ws.join("src")).unwrap();
        fs_err::create_dir_all(t.path().join("other/specs")).unwrap();
        let scope = Scope { workspace: Some(ws.clone()), search_from: vec![] };
        let canon = ws.canonicalize().unwrap();
        assert_eq!(scope.resolve(None).unwrap(), ws);
        assert_eq!(scope.resolve(Some(ws.to_str().unwrap())).unwrap(), canon);
        assert_eq!(scope.resolve(Some("src")).unwrap(), canon);
        for bad in ["..", "../other", "/", "src/../../other"] {
            assert!(scope.resolve(Some(bad)).is_err(), "{bad}");
        }
        let other = t.path().join("other");
        assert!(scope.resolve(Some(other.to_str().unwrap())).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&other, ws.join("link")).unwrap();
            assert!(scope.resolve(Some("link")).is_err(), "a symlink out of the workspace is outside");
        }
    }

    #[test]
    fn no_workspace_is_an_actionable_error() {
        let t = tempfile::tempdir().unwrap();
        let scope = Scope { workspace: None, search_from: vec![t.path().to_owned()] };
        let e = scope.root().unwrap_err();
        assert!(e.message.starts_with("no specwork workspace found"), "{e:?}");
        assert!(e.hint.contains("specwork init"));
    }
}
