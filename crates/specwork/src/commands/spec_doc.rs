//! `specwork spec doc SPEC requirements|design|tasks [--force]`: the next phase document of a
//! named spec, from its template, once the previous phase is approved.

use clap::Args;
use specwork_core::base::display::slash_path;
use specwork_core::ops::phases;
use specwork_core::stores::approvals::DocKind;

use super::Ctx;
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct DocArgs {
    /// Spec name
    pub spec: String,
    /// The document to create: requirements, design or tasks
    #[arg(value_parser = ["requirements", "design", "tasks"])]
    pub doc: String,
    /// Create it even though the previous phase is not approved
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Ctx, a: DocArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let doc = DocKind::parse(&a.doc).ok_or_else(|| {
        CommandError::usage(format!("unknown document `{}`", a.doc), "use requirements, design or tasks")
    })?;
    let added = phases::add_doc(ws, spec, doc, a.force)?;
    if added.forced && !ctx.ui.json {
        ctx.ui.warning(format_args!(
            "the {} phase started before {} was approved (--force)",
            doc,
            doc.previous_phase().map_or("", |d| d.as_str())
        ));
    }
    ctx.ui.report(&added, |s| {
        s.push_str(&format!(
            "created {} of spec {} from the {} template\n",
            slash_path(&added.file),
            added.spec,
            added.template
        ));
        s.push_str(&format!("next: write it, then `specwork approval request {} {}`\n", added.spec, doc));
    });
    Ok(0)
}
