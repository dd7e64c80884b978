//! `specwork log-task TASK STATUS [TOKENS]`: the guide's manual log of a task's state and tokens.

use clap::Args;
use specwork_core::TaskStatus;
use specwork_core::base::display::{self, money};
use specwork_core::ops::session::{self as session_ops, SessionPick};
use specwork_core::ops::task::{self, FinishOptions};

use super::Ctx;
use super::do_task::{agent_session, finished_notes, next_line, parse_tokens, task_id};
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct LogTaskArgs {
    /// Task id (`1.1`)
    pub task: String,
    /// done, in-progress, pending or blocked
    pub status: String,
    /// Tokens used (45k, 1.2M, 45000); the cost is estimated and marked manual
    pub tokens: Option<String>,
    /// The spec [default: the spec of the session this command belongs to]
    #[arg(long)]
    pub spec: Option<String>,
    /// Model for the cost estimate (haiku, sonnet, opus) [default: the session's, else haiku]
    #[arg(long)]
    pub model: Option<String>,
    /// A note for the timeline (for blocked tasks: the reason)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The session to record in [default: the one hooks tied to this agent session, else your only open session]
    #[arg(long, value_name = "NAME", env = "SPECWORK_SESSION")]
    pub session: Option<String>,
}

pub fn run(ctx: &Ctx, a: LogTaskArgs) -> CmdResult {
    task_id(&a.task)?;
    let status = TaskStatus::parse(&a.status).ok_or_else(|| {
        CommandError::usage(format!("unknown status `{}`", a.status), "use done, in-progress, pending or blocked")
    })?;
    let tokens = a.tokens.as_deref().map(parse_tokens).transpose()?;
    let ws = ctx.workspace()?;
    let agent = agent_session();
    let pick = SessionPick { name: a.session.as_deref(), agent_session: agent.as_deref() };
    // The spec: --spec, else that of the session this command belongs to (never a guess).
    let spec_id = match &a.spec {
        Some(s) => s.clone(),
        None => session_ops::current_spec(ws, &pick)?,
    };
    let spec = ws.spec(&spec_id)?;
    let o = FinishOptions {
        status: Some(status),
        tokens,
        model: a.model.as_deref(),
        note: a.note.as_deref(),
        pick,
        manual_log: true,
        progress: ctx.ui.scan_progress(),
        ..FinishOptions::default()
    };
    let r = task::finish(ws, spec, &a.task, &o)?;
    finished_notes(ctx, &r);
    let currency = ws.config.currency.as_ref();
    let measured = r.usage_source == Some("measured");
    ctx.ui.report(&r, |s| {
        let mut line = format!("📝 Task {} logged: {}", r.task, r.status);
        if let (true, Some(t)) = (measured, r.tokens) {
            let mut parts = vec![format!("{} tokens", display::fmt_tokens(t))];
            if let Some(c) = r.cost_usd {
                parts.push(money(c, currency));
            }
            parts.push("measured".into());
            line.push_str(&format!(" ({})", parts.join(", ")));
        } else if let Some(t) = tokens {
            let mut parts = vec![format!("{} tokens", display::fmt_tokens(t))];
            if let Some(c) = r.manual_model.as_deref().and_then(|m| specwork_core::views::estimate::manual_cost(m, t)) {
                parts.push(money(c, currency));
            }
            parts.push("manual".into());
            line.push_str(&format!(" ({})", parts.join(", ")));
        }
        s.push_str(&line);
        s.push('\n');
        if let (Some(t), Some(u), false) = (tokens, r.tokens, measured)
            && t != u
        {
            s.push_str(&format!("Task {} total in this session: {} tokens\n", r.task, display::fmt_tokens(u)));
        }
        next_line(s, &r);
    });
    Ok(0)
}
