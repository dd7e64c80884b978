use clap::{Args, Subcommand};
use specwork_core::ops::deliverable::{self, AddRequest, DeliverableError};
use specwork_core::views::deliverables::Kind;

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_USAGE};

#[derive(Subcommand, Debug)]
pub enum DeliverableCommand {
    /// Create a deliverable (or register an existing file) under the spec's
    /// deliverables/{scripts,docs,config}/, with its traceback header, a link from the spec's
    /// `## Deliverables` section and a line in the context timeline
    Add(AddArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Spec id
    pub spec: String,
    /// A file name (nas-health-check.sh), a path under the spec's folder
    /// (deliverables/scripts/x.sh), or an existing file from the current directory
    pub path: String,
    /// script, doc or config [default: from the folder or the extension]
    #[arg(long, value_parser = ["script", "doc", "config"])]
    pub kind: Option<String>,
    /// What it is for (the header's Purpose; required unless the file has a header already)
    #[arg(long)]
    pub purpose: Option<String>,
    /// The link's text in the spec [default: the purpose]
    #[arg(long)]
    pub title: Option<String>,
    /// Where a configuration file is installed (/etc/fstab)
    #[arg(long)]
    pub target: Option<String>,
    /// Who created it, written after the date: `Created: 2025-08-26 by Claude + User`
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
}

pub fn run(ctx: &Ctx, cmd: DeliverableCommand) -> CmdResult {
    match cmd {
        DeliverableCommand::Add(a) => add(ctx, a),
    }
}

fn add(ctx: &Ctx, a: AddArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let cwd = std::env::current_dir().ok();
    let req = AddRequest {
        path: &a.path,
        cwd: cwd.as_deref(),
        kind: a.kind.as_deref().and_then(Kind::parse),
        purpose: a.purpose.as_deref(),
        title: a.title.as_deref(),
        target: a.target.as_deref(),
        by: a.by.as_deref(),
    };
    let added = deliverable::add(ws, spec, &req).map_err(error)?;
    ctx.ui.outcome(&added, |s| {
        let what = if added.created { "created" } else { "registered" };
        s.push_str(&format!("{what} {} {} for spec {}\n", added.kind.as_str(), added.path, added.spec));
        if added.header_added {
            s.push_str(&format!("  traceback header in {}\n", added.header_file));
        }
        if added.link_added {
            s.push_str(&format!("  linked from {} as [[{}]]\n", added.spec_file, added.link));
        } else {
            s.push_str(&format!("  already linked from {}\n", added.spec_file));
        }
        if let Some(t) = &added.timeline {
            s.push_str(&format!("  recorded in {t}\n"));
        }
    });
    Ok(0)
}

/// A deliverable error with its hint and exit code.
pub fn error(e: DeliverableError) -> CommandError {
    let hint = match &e {
        DeliverableError::Edit(_) => None,
        DeliverableError::Path { hint, .. } => Some(hint.clone()),
        DeliverableError::NoPurpose { .. } => Some("pass --purpose \"what it is for\"".to_owned()),
        DeliverableError::OtherSpec { .. } => {
            Some("add it to the spec it was generated from, or correct its `Generated from:` line".to_owned())
        }
        DeliverableError::KindMismatch { folder, asked, .. } => {
            Some(format!("use --kind {}, or put the file in deliverables/{}/", folder.as_str(), asked.dir()))
        }
        DeliverableError::Elsewhere { from, to, tracked, .. } => Some(format!(
            "move it there first (`{} {from} {to}`), then run this again",
            if *tracked { "git mv" } else { "mv" }
        )),
        DeliverableError::NoKindFolder { .. } => {
            Some("pass just the file name and --kind; specwork puts it in the right folder".to_owned())
        }
        DeliverableError::TargetNotConfig { .. } => Some("drop --target, or use --kind config".to_owned()),
        DeliverableError::NoDocument { .. } => {
            Some("create the spec's tasks.md first (`specwork spec new NAME --docs tasks`)".to_owned())
        }
    };
    match (e, hint) {
        (DeliverableError::Edit(e), _) => CommandError::from(e),
        (e, hint) => CommandError { error: e.into(), hints: hint.into_iter().collect(), code: EXIT_USAGE },
    }
}
