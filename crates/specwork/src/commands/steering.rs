//! `specwork steering new product|tech|structure`.

use clap::{Args, Subcommand};
use specwork_core::base::display::slash_path;
use specwork_core::stores::steering::{self, SteeringError};

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_FAILURE, EXIT_USAGE};
use crate::hints::Hint;

#[derive(Subcommand, Debug)]
pub enum SteeringCommand {
    /// Create a steering document from its template (.spec-workflow/user-templates/ first)
    New(NewArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// product, tech or structure
    #[arg(value_parser = ["product", "tech", "structure"])]
    pub doc: String,
}

impl From<SteeringError> for CommandError {
    fn from(e: SteeringError) -> Self {
        let code = if matches!(e, SteeringError::Write(_)) { EXIT_FAILURE } else { EXIT_USAGE };
        let hint = e.hint();
        Self { error: e.into(), hints: vec![hint], code }
    }
}

pub fn run(ctx: &Ctx, cmd: SteeringCommand) -> CmdResult {
    match cmd {
        SteeringCommand::New(a) => {
            let ws = ctx.workspace()?;
            let d = steering::new_doc(ws, &a.doc)?;
            ctx.ui.report(&d, |s| {
                s.push_str(&format!("created {} from the {} template\n", slash_path(&d.file), d.template));
                s.push_str(&format!("next: write it, then `specwork approval request steering {}`\n", d.doc));
            });
        }
    }
    Ok(0)
}
