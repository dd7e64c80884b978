//! The user's list of workspaces: `projects.toml` in the user's config directory
//! (`$SPECWORK_CONFIG_DIR`, else `$XDG_CONFIG_HOME/specwork`, else `~/.config/specwork`).
//!
//! This file is the one thing specwork keeps outside a workspace, and the only way another
//! workspace is read: `status --projects`, `cost --by project`, `eod --projects` and
//! `dashboard --projects` read the workspaces listed here, which the user registered
//! (`specwork init` and `specwork projects add`). Invariants:
//!
//! - **One entry per directory, one directory per name.** Paths are stored absolute (as given,
//!   `.`/`..` resolved); names are spec-name-safe (they become URL parts in the dashboard), unique,
//!   and default to the directory's name (`shop`, then `shop-2`).
//! - **Edits keep the user's text.** The file is edited with `toml_edit` (comments and order
//!   stay); every write is atomic and conflict-checked through [`crate::base::write`], under its
//!   directory lock, and retried on a concurrent change, so two `init`s never lose an entry.
//! - **Stale entries are reported, never dropped silently**: a listed directory that is gone or
//!   no longer a workspace is shown as stale until `specwork projects remove` drops it.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::base::diag::Diagnostic;
use crate::base::{names, path_policy, write};

/// The file name inside the config directory.
pub const FILE: &str = "projects.toml";

/// The header of a new registry file.
const HEADER: &str = "# Workspaces specwork shows side by side (`specwork status --projects`, `cost --by project`,\n\
# `eod --projects`, `dashboard --projects`). `specwork init` and `specwork projects add` add\n\
# entries, `specwork projects remove` drops them; edits by hand are kept.\n";

/// The user's config directory for specwork, or `None` when nothing names one (no
/// `SPECWORK_CONFIG_DIR`, `XDG_CONFIG_HOME` or `HOME`).
pub fn config_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(d) = var("SPECWORK_CONFIG_DIR") {
        return Some(d);
    }
    if let Some(x) = var("XDG_CONFIG_HOME") {
        return Some(x.join("specwork"));
    }
    var("HOME").or_else(|| var("USERPROFILE")).map(|h| h.join(".config").join("specwork"))
}

/// Why the registry could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// No config directory could be found.
    #[error("no config directory for the list of projects (HOME, XDG_CONFIG_HOME and SPECWORK_CONFIG_DIR are unset)")]
    NoConfigDir,
    /// The file does not parse.
    #[error("{}:{line}: invalid TOML: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// The directory to register is not a workspace.
    #[error("{} is not a specwork workspace (no specwork.toml, .spec-workflow/ or specs/)", path.display())]
    NotAWorkspace {
        /// The directory.
        path: PathBuf,
    },
    /// The name asked for is taken by another directory.
    #[error("the project name `{name}` is taken by {}", other.display())]
    NameTaken {
        /// The name.
        name: String,
        /// The directory that has it.
        other: PathBuf,
    },
    /// The name cannot be used.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// No entry has that name or path.
    #[error("no registered project `{key}`")]
    NotFound {
        /// What was asked for.
        key: String,
        /// The registered names.
        names: Vec<String>,
    },
    /// Reading or writing failed.
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

impl From<std::io::Error> for RegistryError {
    fn from(e: std::io::Error) -> Self {
        RegistryError::Write(write::WriteError::Io(e))
    }
}

/// One registered workspace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Project {
    /// Its name (unique, URL-safe).
    pub name: String,
    /// Its root, absolute.
    pub path: PathBuf,
    /// 1-based line of its `[[project]]` in the file (0 when unknown).
    #[serde(skip)]
    pub line: usize,
}

impl Project {
    /// Why the entry is stale (`missing`, `not a workspace`), or `None` when it can be read.
    pub fn stale(&self) -> Option<&'static str> {
        if !self.path.is_dir() {
            Some("missing")
        } else if !is_workspace(&self.path) {
            Some("not a workspace")
        } else {
            None
        }
    }
}

/// Whether `dir` holds a workspace's marker (the test of [`crate::model::workspace::discover`],
/// without walking up).
pub fn is_workspace(dir: &Path) -> bool {
    dir.join("specwork.toml").is_file() || dir.join(".spec-workflow").is_dir() || dir.join("specs").is_dir()
}

/// The registry as read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Registry {
    /// The file.
    pub file: PathBuf,
    /// Entries, in file order.
    pub projects: Vec<Project>,
    /// Entries that could not be read (a missing path, a bad name, a duplicate).
    pub diagnostics: Vec<Diagnostic>,
}

impl Registry {
    /// Reads the registry in the user's config directory (empty when the file does not exist).
    pub fn load() -> Result<Registry, RegistryError> {
        let dir = config_dir().ok_or(RegistryError::NoConfigDir)?;
        Registry::load_from(&dir.join(FILE))
    }

    /// Reads the registry at `file`.
    pub fn load_from(file: &Path) -> Result<Registry, RegistryError> {
        let text = match path_policy::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e.into()),
        };
        let doc = parse(file, &text)?;
        let (projects, diagnostics) = entries(file, &text, &doc);
        Ok(Registry { file: file.to_owned(), projects, diagnostics })
    }

    /// The entry named `key`, or registered for the directory `key`.
    pub fn find(&self, key: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == key).or_else(|| {
            let abs = absolute(Path::new(key));
            self.projects.iter().find(|p| p.path == abs)
        })
    }
}

fn parse(file: &Path, text: &str) -> Result<toml_edit::DocumentMut, RegistryError> {
    text.parse::<toml_edit::DocumentMut>().map_err(|e| {
        let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        RegistryError::Parse { path: file.to_owned(), line, message: e.message().trim().to_owned() }
    })
}

fn entries(file: &Path, text: &str, doc: &toml_edit::DocumentMut) -> (Vec<Project>, Vec<Diagnostic>) {
    let shown = file.display().to_string();
    let mut out: Vec<Project> = Vec::new();
    let mut diags = Vec::new();
    let Some(tables) = doc.get("project").and_then(toml_edit::Item::as_array_of_tables) else {
        return (out, diags);
    };
    for t in tables {
        let line = t.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let path = t.get("path").and_then(toml_edit::Item::as_str);
        let Some(path) = path.filter(|p| Path::new(p).is_absolute()) else {
            diags.push(Diagnostic::warning(
                &shown,
                line,
                "a [[project]] without an absolute `path` is ignored",
                "give it `path = \"/absolute/dir\"`, or `specwork projects add DIR`",
            ));
            continue;
        };
        let path = absolute(Path::new(path));
        let name = t.get("name").and_then(toml_edit::Item::as_str).map_or_else(|| default_name(&path), str::to_owned);
        if let Err(e) = names::spec_name(&name) {
            diags.push(Diagnostic::warning(
                &shown,
                line,
                format!("project {}: {e}", path.display()),
                "rename it with letters, digits, `-` and `_`",
            ));
            continue;
        }
        if let Some(o) = out.iter().find(|o| o.name == name || o.path == path) {
            diags.push(Diagnostic::warning(
                &shown,
                line,
                format!("project `{name}` ({}) repeats `{}` ({})", path.display(), o.name, o.path.display()),
                "remove one of the entries",
            ));
            continue;
        }
        out.push(Project { name, path, line });
    }
    (out, diags)
}

/// `p` made absolute with `.` and `..` resolved lexically (symbolic links are kept as given).
pub fn absolute(p: &Path) -> PathBuf {
    path_policy::lexical(&std::path::absolute(p).unwrap_or_else(|_| p.to_owned()))
}

/// The name a directory gets by default: its last part, made name-safe.
fn default_name(path: &Path) -> String {
    let base = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut s: String =
        base.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    s = s.trim_matches(['-', '.']).to_owned();
    if s.is_empty() { "project".to_owned() } else { s }
}

/// What [`add`] did.
#[derive(Clone, Debug, Serialize)]
pub struct Added {
    /// The entry.
    pub project: Project,
    /// False when the directory was registered already (nothing written).
    pub added: bool,
    /// The registry file.
    pub file: PathBuf,
}

/// Registers the workspace at `dir` (under `name`, else a free default name) in the registry at
/// `file`. Registering a directory again changes nothing.
pub fn add_to(file: &Path, dir: &Path, name: Option<&str>) -> Result<Added, RegistryError> {
    let path = absolute(dir);
    if !is_workspace(&path) {
        return Err(RegistryError::NotAWorkspace { path });
    }
    if let Some(n) = name {
        names::spec_name(n)?;
    }
    let mut result = None;
    edit(file, |reg, doc| {
        if let Some(p) = reg.projects.iter().find(|p| p.path == path) {
            result = Some(Added { project: p.clone(), added: false, file: file.to_owned() });
            return Ok(false);
        }
        let name = match name {
            Some(n) => {
                if let Some(o) = reg.projects.iter().find(|p| p.name == n) {
                    return Err(RegistryError::NameTaken { name: n.to_owned(), other: o.path.clone() });
                }
                n.to_owned()
            }
            None => {
                let base = default_name(&path);
                let taken = |n: &str| reg.projects.iter().any(|p| p.name == n);
                let mut n = base.clone();
                let mut i = 2;
                while taken(&n) {
                    n = format!("{base}-{i}");
                    i += 1;
                }
                n
            }
        };
        let mut t = toml_edit::Table::new();
        t.insert("name", toml_edit::value(name.clone()));
        t.insert("path", toml_edit::value(path.to_string_lossy().into_owned()));
        match doc.get_mut("project").and_then(toml_edit::Item::as_array_of_tables_mut) {
            Some(a) => a.push(t),
            None => {
                // The first entry: comments the file holds so far (the header of a new file)
                // stay above it rather than after it.
                let before = doc.trailing().as_str().unwrap_or_default().to_owned();
                doc.set_trailing("");
                t.decor_mut().set_prefix(if before.trim().is_empty() { HEADER.to_owned() } else { before });
                let mut a = toml_edit::ArrayOfTables::new();
                a.push(t);
                doc.insert("project", toml_edit::Item::ArrayOfTables(a));
            }
        }
        result =
            Some(Added { project: Project { name, path: path.clone(), line: 0 }, added: true, file: file.to_owned() });
        Ok(true)
    })?;
    Ok(result.expect("set by the edit"))
}

/// [`add_to`] the user's registry.
pub fn add(dir: &Path, name: Option<&str>) -> Result<Added, RegistryError> {
    add_to(&config_dir().ok_or(RegistryError::NoConfigDir)?.join(FILE), dir, name)
}

/// Drops the entry named `key` (or registered for the directory `key`) from the registry at
/// `file`; returns it.
pub fn remove_from(file: &Path, key: &str) -> Result<Project, RegistryError> {
    let mut removed = None;
    edit(file, |reg, doc| {
        let Some(p) = reg.find(key).cloned() else {
            return Err(RegistryError::NotFound {
                key: key.to_owned(),
                names: reg.projects.iter().map(|p| p.name.clone()).collect(),
            });
        };
        let mut orphan = None;
        if let Some(a) = doc.get_mut("project").and_then(toml_edit::Item::as_array_of_tables_mut) {
            let is_it = |t: &toml_edit::Table| {
                t.get("path").and_then(toml_edit::Item::as_str).map(|s| absolute(Path::new(s))).as_deref()
                    == Some(p.path.as_path())
            };
            // Comments above a removed entry (the file's header, say) stay in the file.
            let found = a.iter().position(is_it);
            if let Some(i) = found {
                let prefix = a.get(i).and_then(|t| t.decor().prefix()).and_then(|r| r.as_str()).unwrap_or("");
                let prefix = prefix.to_owned();
                match a.get_mut(i + 1) {
                    Some(next) => {
                        let own = next.decor().prefix().and_then(|r| r.as_str()).unwrap_or("").to_owned();
                        next.decor_mut().set_prefix(format!("{prefix}{own}"));
                    }
                    None => orphan = Some(prefix),
                }
            }
            a.retain(|t| !is_it(t));
        }
        if let Some(c) = orphan.filter(|c| !c.trim().is_empty()) {
            let trailing = doc.trailing().as_str().unwrap_or_default().to_owned();
            doc.set_trailing(format!("{c}{trailing}"));
        }
        removed = Some(p);
        Ok(true)
    })?;
    Ok(removed.expect("set by the edit"))
}

/// [`remove_from`] the user's registry.
pub fn remove(key: &str) -> Result<Project, RegistryError> {
    remove_from(&config_dir().ok_or(RegistryError::NoConfigDir)?.join(FILE), key)
}

/// Reads the registry at `file`, lets `f` change the document (returning whether it did), and
/// writes it back atomically; a concurrent change makes it start over on the new content.
fn edit(
    file: &Path,
    mut f: impl FnMut(&Registry, &mut toml_edit::DocumentMut) -> Result<bool, RegistryError>,
) -> Result<(), RegistryError> {
    for _ in 0..16 {
        let old = match path_policy::read_to_string(file) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        let text = old.clone().unwrap_or_default();
        let mut doc = parse(file, &text)?;
        let (projects, diagnostics) = entries(file, &text, &doc);
        let reg = Registry { file: file.to_owned(), projects, diagnostics };
        if !f(&reg, &mut doc)? {
            return Ok(());
        }
        let new = doc.to_string();
        let res = match &old {
            Some(o) => write::replace(file, o.as_bytes(), new.as_bytes()),
            None => write::create(file, new.as_bytes()),
        };
        match res {
            Ok(()) => return Ok(()),
            Err(write::WriteError::Conflict { .. } | write::WriteError::Exists { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(write::WriteError::Conflict { path: file.to_owned() }.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_names_remove_and_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cfg").join(FILE);
        let a = dir.path().join("shop");
        let b = dir.path().join("x").join("shop");
        for d in [&a, &b] {
            fs_err::create_dir_all(d.join("specs")).unwrap();
        }
        assert!(add_to(&file, &a, None).unwrap().added);
        assert!(!add_to(&file, &a.join("."), None).unwrap().added, "the same directory again");
        let second = add_to(&file, &b, None).unwrap();
        assert_eq!(second.project.name, "shop-2");
        let text = fs_err::read_to_string(&file).unwrap();
        fs_err::write(&file, format!("{text}# my note\n")).unwrap();
        assert!(matches!(add_to(&file, &b, Some("shop")), Ok(Added { added: false, .. })));
        assert!(matches!(add_to(&file, dir.path(), None), Err(RegistryError::NotAWorkspace { .. })));
        remove_from(&file, "shop").unwrap();
        let reg = Registry::load_from(&file).unwrap();
        assert_eq!(reg.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["shop-2"]);
        assert!(fs_err::read_to_string(&file).unwrap().contains("# my note"));
        assert!(matches!(remove_from(&file, "nope"), Err(RegistryError::NotFound { .. })));
        let text = fs_err::read_to_string(&file).unwrap();
        assert!(text.starts_with("# Workspaces specwork shows"), "the header stays on top: {text}");
    }
}
