//! `specwork archive SPEC`: move a named spec to `.spec-workflow/archive/specs/`.

use clap::Args;
use specwork_core::base::display::slash_path;
use specwork_core::ops::archive::{self, ArchiveError, Moved};

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_FAILURE, EXIT_USAGE};
use crate::hints::Hint;

#[derive(Args, Debug)]
pub struct ArchiveArgs {
    /// Spec name
    pub spec: String,
}

impl From<ArchiveError> for CommandError {
    fn from(e: ArchiveError) -> Self {
        let code = if matches!(e, ArchiveError::Io(_)) { EXIT_FAILURE } else { EXIT_USAGE };
        let hint = e.hint();
        Self { error: e.into(), hints: vec![hint], code }
    }
}

pub fn run(ctx: &Ctx, a: ArchiveArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let m = archive::archive(ws, &a.spec)?;
    print(ctx, &m, "archived");
    Ok(0)
}

pub fn print(ctx: &Ctx, m: &Moved, verb: &str) {
    ctx.ui.outcome(m, |s| {
        s.push_str(&format!("{verb} {}: {} → {}\n", m.spec, slash_path(&m.from), slash_path(&m.to)));
    });
}
