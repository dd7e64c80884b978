//! `specwork unarchive SPEC`: move an archived named spec back to `.spec-workflow/specs/`.

use clap::Args;
use specwork_core::ops::archive;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct UnarchiveArgs {
    /// Spec name
    pub spec: String,
}

pub fn run(ctx: &Ctx, a: UnarchiveArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let m = archive::unarchive(ws, &a.spec)?;
    super::archive::print(ctx, &m, "unarchived");
    Ok(0)
}
