use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use specwork_core::base::write;
use specwork_core::model::config::DEFAULT_CONFIG;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Directory to initialise [default: --workspace, else the current directory]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub agents: super::init_agent::AgentArgs,
}

#[derive(Serialize)]
struct InitReport {
    root: String,
    created: Vec<String>,
    existing: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    agent_files: Vec<specwork_core::agent::agent_files::FileChange>,
    /// The workspace's entry in the user's list of projects (null when it was not registered).
    project: Option<specwork_core::stores::projects::Added>,
}

/// The folders and files of a workspace; creating them is idempotent.
const DIRS: [&str; 5] =
    ["specs", ".spec-workflow/specs", "docs/sessions/.current", "docs/sessions/daily", "docs/sessions/archive"];

pub fn run(ctx: &Ctx, args: InitArgs) -> CmdResult {
    let root = match (&args.dir, ctx.root_flag()) {
        (Some(d), _) => d.clone(),
        (None, Some(w)) => w.to_owned(),
        (None, None) => std::env::current_dir().map_err(anyhow::Error::from)?,
    };
    fs_err::create_dir_all(&root).map_err(anyhow::Error::from)?;
    specwork_core::base::path_policy::register_root(&root);
    // Agent files are planned first: a settings file that does not parse stops init before any write.
    let agent_files = super::init_agent::plan(&root, &args.agents)?;
    let mut report = InitReport {
        root: root.display().to_string(),
        created: Vec::new(),
        existing: Vec::new(),
        agent_files: Vec::new(),
        project: None,
    };
    let mut record = |rel: &str, created: bool| {
        if created { report.created.push(rel.to_owned()) } else { report.existing.push(rel.to_owned()) }
    };
    let config = root.join("specwork.toml");
    match write::create(&config, DEFAULT_CONFIG.as_bytes()) {
        Ok(()) => record("specwork.toml", true),
        Err(write::WriteError::Exists { .. }) => record("specwork.toml", false),
        Err(e) => return Err(anyhow::Error::from(e).into()),
    }
    for d in DIRS {
        let p = root.join(d);
        let existed = p.is_dir();
        specwork_core::base::path_policy::create_dir_all(&p).map_err(anyhow::Error::from)?;
        record(d, !existed);
    }
    let added = ensure_gitignore(&root).map_err(anyhow::Error::from)?;
    record(".gitignore (.specwork/ cache)", added);
    report.agent_files = super::init_agent::apply(&root, agent_files)?;
    report.project = register(ctx, &root);

    ctx.ui.outcome(&report, |s| {
        s.push_str(&format!("initialised specwork workspace in {}\n", root.display()));
        for c in &report.created {
            s.push_str(&format!("  created {c}\n"));
        }
        if report.created.is_empty() && report.agent_files.iter().all(super::init_agent::is_noop) {
            s.push_str("  nothing to do: everything was already there\n");
        }
        super::init_agent::render(s, &report.agent_files);
        if let Some(p) = report.project.as_ref().filter(|p| p.added) {
            s.push_str(&format!("  registered as project {} ({})\n", p.project.name, p.file.display()));
        }
        s.push_str("next: `specwork spec new NAME` for a named spec, `specwork spec new 1000 --area --title T` for a numbered tree\n");
    });
    Ok(0)
}

/// Adds `.specwork/` (caches and locks, always derived) to `.gitignore`. Returns whether it
/// added the line.
fn ensure_gitignore(root: &Path) -> std::io::Result<bool> {
    let path = root.join(".gitignore");
    let old = specwork_core::base::path_policy::read_to_string(&path).unwrap_or_default();
    if old.lines().any(|l| l.trim() == ".specwork/" || l.trim() == "/.specwork/" || l.trim() == ".specwork") {
        return Ok(false);
    }
    let sep = if old.is_empty() || old.ends_with('\n') { "" } else { "\n" };
    let new = format!("{old}{sep}# specwork caches (derived; safe to delete)\n.specwork/\n");
    let res = if path.exists() {
        write::replace(&path, old.as_bytes(), new.as_bytes())
    } else {
        write::create(&path, new.as_bytes())
    };
    res.map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(true)
}

/// Adds the workspace to the user's list of projects. A workspace that holds the config folder
/// itself (one rooted at the home directory) is not registered: that would write the list into
/// it. Failing to register never fails `init`.
fn register(ctx: &Ctx, root: &Path) -> Option<specwork_core::stores::projects::Added> {
    use specwork_core::stores::projects;
    let dir = projects::config_dir()?;
    if projects::absolute(&dir).starts_with(projects::absolute(root)) {
        return None;
    }
    match projects::add(root, None) {
        Ok(a) => Some(a),
        Err(e) => {
            ctx.ui.note(format_args!("not added to the list of projects: {e}"));
            None
        }
    }
}
