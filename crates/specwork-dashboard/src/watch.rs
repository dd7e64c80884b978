//! The file watcher behind live updates: notify with a short debounce (40 ms, so one editor
//! save that is several events becomes one message), watching only the folders specs live in
//! (`specs/`, `.spec-workflow/`, `.kiro/`, `openspec/`, `docs/`) plus the root itself, so
//! `target/` and `.git/` never cost a watch.
//!
//! Ignored: hidden files and folders other than those and `docs/sessions/.current/`, `.specwork/` (specwork's own cache), `target/`, `.git/`, `node_modules/`, temporary
//! files of atomic writes (`.name.specwork-PID.tmp`) and editor swap files. Each debounced
//! batch with a relevant path reloads the workspace snapshot and then sends one
//! [`crate::Change`] to every open page.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::state::AppState;

const DEBOUNCE: Duration = Duration::from_millis(40);

/// Top-level folders (besides the configured specs folder) that hold what the pages show.
const WATCHED: &[&str] = &[".spec-workflow", ".kiro", "openspec", "docs"];

/// Whether a change to `rel` (relative to the workspace root) can change a page.
pub(crate) fn relevant(rel: &Path) -> bool {
    let mut comps = rel.components().peekable();
    let mut first = true;
    while let Some(c) = comps.next() {
        let s = c.as_os_str().to_string_lossy();
        let last = comps.peek().is_none();
        if matches!(s.as_ref(), "target" | ".git" | ".specwork" | "node_modules") {
            return false;
        }
        if last {
            let temp = s.starts_with('.') && (s.ends_with(".tmp") || s.ends_with(".swp") || s.ends_with(".swx"));
            return !(temp || s.ends_with('~') || s == "4913");
        }
        // Hidden folders are ignored, except the spec folders and the active session journals
        // (`docs/sessions/.current/`).
        let journals = s == ".current" && rel.starts_with("docs/sessions");
        if s.starts_with('.') && !(first && WATCHED.contains(&s.as_ref())) && !journals {
            return false;
        }
        first = false;
    }
    false
}

/// Starts the watcher thread. It runs as long as the process.
pub(crate) fn start(state: AppState) -> Result<(), notify::Error> {
    let root = state.root().to_owned();
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, tx)?;
    let specs_dir = state.snapshot().ws.config.workspace.specs_dir.clone();
    let mut tops: Vec<String> = vec![specs_dir];
    tops.extend(WATCHED.iter().map(|s| (*s).to_owned()));
    let mut watched: Vec<PathBuf> = Vec::new();
    debouncer.watch(&root, RecursiveMode::NonRecursive)?;
    for t in &tops {
        let p = root.join(t);
        if p.is_dir() {
            debouncer.watch(&p, RecursiveMode::Recursive)?;
            watched.push(p);
        }
    }
    std::thread::Builder::new().name("specwork-watch".into()).spawn(move || {
        for res in rx {
            let Ok(events) = res else { continue };
            let mut paths: Vec<String> = Vec::new();
            for ev in &events {
                if matches!(ev.kind, EventKind::Access(_) | EventKind::Modify(notify::event::ModifyKind::Metadata(_))) {
                    continue;
                }
                for p in &ev.paths {
                    let Ok(rel) = p.strip_prefix(&root) else { continue };
                    // A watched top-level folder that appears later gets its watch now.
                    if rel.components().count() == 1
                        && tops.iter().any(|t| rel == Path::new(t))
                        && p.is_dir()
                        && !watched.contains(p)
                        && debouncer.watch(p, RecursiveMode::Recursive).is_ok()
                    {
                        watched.push(p.clone());
                    }
                    if relevant(rel) {
                        let s = rel.to_string_lossy().replace('\\', "/");
                        if !paths.contains(&s) {
                            paths.push(s);
                        }
                    }
                }
            }
            if !paths.is_empty() {
                paths.sort();
                state.changed(paths);
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_caches_builds_and_temp_files() {
        assert!(relevant(Path::new("specs/1000/1001/1014.spec.md")));
        assert!(relevant(Path::new(".spec-workflow/specs/a/tasks.md")));
        assert!(relevant(Path::new("specwork.toml")));
        assert!(!relevant(Path::new(".specwork/cache.bin")));
        assert!(!relevant(Path::new("target/debug/x")));
        assert!(!relevant(Path::new("specs/target/x.md")));
        assert!(!relevant(Path::new(".git/index")));
        assert!(relevant(Path::new("docs/sessions/.current/apt-1030.log")));
        assert!(!relevant(Path::new("docs/.obsidian/workspace.json")));
        assert!(!relevant(Path::new("specs/1000/.1014.spec.md.specwork-12.tmp")));
        assert!(!relevant(Path::new("specs/1000/.1014.spec.md.swp")));
        assert!(!relevant(Path::new("specs/1000/1014.spec.md~")));
    }
}
