//! `specwork end-session [NAME]`: end a session, measuring what its windows received.

use clap::Args;
use specwork_core::base::display::{self, money};
use specwork_core::ops::session::{self as session_ops, SessionPick};

use super::Ctx;
use super::do_task::agent_session;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct EndSessionArgs {
    /// The session to end [default: the one hooks tied to this agent session, else your only open session]
    #[arg(env = "SPECWORK_SESSION")]
    pub id: Option<String>,
}

pub fn run(ctx: &Ctx, a: EndSessionArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let agent = agent_session();
    let pick = SessionPick { name: a.id.as_deref(), agent_session: agent.as_deref() };
    let r = session_ops::end(ws, &pick, ctx.ui.scan_progress())?;
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.warnings);
    }
    ctx.ui.report(&r, |out| {
        out.push_str(&format!(
            "Session {} ended: {}, {}/{} tasks done, {} tokens, {}\n",
            r.name,
            display::fmt_minutes(r.minutes),
            r.tasks_done,
            r.tasks_total,
            display::fmt_tokens(r.tokens),
            money(r.cost_usd, ws.config.currency.as_ref())
        ));
    });
    Ok(0)
}
