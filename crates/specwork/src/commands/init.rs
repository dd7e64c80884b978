use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

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

pub fn run(ctx: &Ctx, args: InitArgs) -> CmdResult {
    let root = match (&args.dir, ctx.root_flag()) {
        (Some(d), _) => d.clone(),
        (None, Some(w)) => w.to_owned(),
        (None, None) => std::env::current_dir().map_err(anyhow::Error::from)?,
    };
    specwork_core::ops::init::open_root(&root).map_err(anyhow::Error::from)?;
    // Agent files are planned first: a settings file that does not parse stops init before any write.
    let agent_files = super::init_agent::plan(&root, &args.agents)?;
    let made = specwork_core::ops::init::workspace(&root).map_err(anyhow::Error::from)?;
    let report = InitReport {
        root: root.display().to_string(),
        created: made.created,
        existing: made.existing,
        agent_files: super::init_agent::apply(&root, agent_files)?,
        // Failing to register never fails `init`.
        project: specwork_core::ops::init::register_project(&root)
            .inspect_err(|e| ctx.ui.note(format_args!("not added to the list of projects: {e}")))
            .ok()
            .flatten(),
    };

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
