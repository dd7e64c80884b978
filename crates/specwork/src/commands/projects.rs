//! `specwork projects add|remove|list`: the user's list of workspaces (`projects.toml` in the
//! user's config directory), which `status --projects`, `cost --by project`, `eod --projects`
//! and `dashboard --projects` read.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde::Serialize;
use specwork_core::stores::projects::{self, Registry};

use super::Ctx;
use crate::error::CmdResult;
use crate::ui::Table;

#[derive(Subcommand, Debug)]
pub enum ProjectsCommand {
    /// Register a workspace [default: --workspace, else the one around the current directory]
    Add(AddArgs),
    /// Drop a workspace from the list (by name or directory); its files are not touched
    Remove(RemoveArgs),
    /// The registered workspaces, stale ones (gone, or no longer a workspace) marked
    List,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The workspace's directory
    pub dir: Option<PathBuf>,
    /// Its name in reports and dashboard URLs [default: the directory's name]
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Args, Debug)]
pub struct RemoveArgs {
    /// The project's name, or its directory
    pub project: String,
}

#[derive(Serialize)]
struct ListRow<'a> {
    name: &'a str,
    path: String,
    stale: Option<&'static str>,
}

#[derive(Serialize)]
struct List<'a> {
    registry: String,
    projects: Vec<ListRow<'a>>,
    diagnostics: &'a [specwork_core::Diagnostic],
}

pub fn run(ctx: &Ctx, c: ProjectsCommand) -> CmdResult {
    match c {
        ProjectsCommand::Add(a) => {
            let dir = match a.dir {
                Some(d) => d,
                None => ctx.root()?,
            };
            let r = projects::add(&dir, a.name.as_deref())?;
            ctx.ui.outcome(&r, |s| {
                let verb = if r.added { "registered" } else { "already registered:" };
                s.push_str(&format!(
                    "{verb} {} ({}) in {}\n",
                    r.project.name,
                    r.project.path.display(),
                    r.file.display()
                ));
            });
        }
        ProjectsCommand::Remove(a) => {
            let p = projects::remove(&a.project)?;
            ctx.ui.outcome(&p, |s| {
                s.push_str(&format!(
                    "removed {} ({}) from the list; its files are untouched\n",
                    p.name,
                    p.path.display()
                ));
            });
        }
        ProjectsCommand::List => {
            let reg = Registry::load()?;
            let list = List {
                registry: reg.file.display().to_string(),
                projects: reg
                    .projects
                    .iter()
                    .map(|p| ListRow { name: &p.name, path: p.path.display().to_string(), stale: p.stale() })
                    .collect(),
                diagnostics: &reg.diagnostics,
            };
            if !ctx.ui.json {
                ctx.ui.diagnostics(&reg.diagnostics);
            }
            ctx.ui.report(&list, |s| {
                if list.projects.is_empty() {
                    s.push_str("no projects registered: `specwork init` or `specwork projects add DIR` adds one\n");
                    return;
                }
                let mut t = Table::new(["NAME", "PATH", "STATE"]);
                for p in &list.projects {
                    t.row([
                        p.name.to_owned(),
                        p.path.clone(),
                        p.stale.map_or("ok".to_owned(), |w| format!("stale: {w}")),
                    ]);
                }
                t.render(s);
                s.push_str(&format!("\n{}\n", list.registry));
            });
            let stale: Vec<&str> = list.projects.iter().filter(|p| p.stale.is_some()).map(|p| p.name).collect();
            if !stale.is_empty() {
                ctx.ui.warning(format_args!("stale: {}", stale.join(", ")));
                ctx.ui.hint(format_args!("`specwork projects remove {}` drops it from the list", stale[0]));
            }
        }
    }
    Ok(0)
}
