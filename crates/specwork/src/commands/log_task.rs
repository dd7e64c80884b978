use clap::Args;
use specwork_core::journal::WorkspaceLock;
use specwork_core::session::{self, Identity, Pick, SessionIndex};
use specwork_core::{TaskStatus, estimate, names};

use super::Ctx;
use super::do_task::{Ending, finish, manual_note, next_line, parse_tokens};
use crate::budget;
use crate::error::{CmdResult, CommandError};
use crate::measure;

#[derive(Args, Debug)]
pub struct LogTaskArgs {
    /// Task id (`1.1`)
    pub task: String,
    /// done, in-progress, pending or blocked
    pub status: String,
    /// Tokens used (45k, 1.2M, 45000); the cost is estimated and marked manual
    pub tokens: Option<String>,
    /// The spec [default: the spec of your active session]
    #[arg(long)]
    pub spec: Option<String>,
    /// Model for the cost estimate (haiku, sonnet, opus) [default: the session's, else haiku]
    #[arg(long)]
    pub model: Option<String>,
    /// A note for the timeline (for blocked tasks: the reason)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The session to record in [default: your active session]
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
}

pub fn run(ctx: &Ctx, a: LogTaskArgs) -> CmdResult {
    names::task_id(&a.task)
        .map_err(|e| CommandError::usage(e.to_string(), "task ids look like 1, 1.2 or #3 (the third task)"))?;
    let status = TaskStatus::parse(&a.status).ok_or_else(|| {
        CommandError::usage(format!("unknown status `{}`", a.status), "use done, in-progress, pending or blocked")
    })?;
    let tokens = a.tokens.as_deref().map(parse_tokens).transpose()?;
    let ws = ctx.workspace()?;
    let who = Identity::detect(&ws.root, &ws.config);
    // A final status closes the task's window, which measures it (see do-task --done).
    let logs =
        if status == TaskStatus::InProgress { None } else { measure::logs_for_sessions(&ctx.ui, &ws.root, &ws.config) };
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);

    // The spec: --spec, else the named or current session's.
    let spec_id = match (&a.spec, &a.session) {
        (Some(s), _) => s.clone(),
        (None, Some(name)) => index
            .find(&who.owner, name)
            .map(|s| s.spec.clone())
            .ok_or_else(|| session::SessionError::NoSuchSession { name: name.clone() })?,
        (None, None) => index.current(&who.owner, None).map(|s| s.spec.clone()).ok_or_else(|| {
            CommandError::usage(
                "no active session of yours, so the spec is unknown",
                format!("pass --spec SPEC, or start a session: `specwork start-session ID spec SPEC` then `specwork log-task {} {}`", a.task, a.status),
            )
        })?,
    };
    let spec = ws.spec(&spec_id)?;
    let task = spec.tasks.find(&a.task).ok_or_else(|| {
        CommandError::usage(
            format!("no task `{}` in spec {}", a.task, spec.id),
            format!("`specwork task list {}` shows the task ids", spec.id),
        )
    })?;
    if !spec.layout.writable() {
        let e = specwork_core::edit::EditError::ReadOnly { id: spec.id.clone(), layout: spec.layout.as_str() };
        return Err(e.into());
    }
    let pick = session::pick_or_start(ws, spec, &who, &index, a.session.as_deref())?;
    let (key, journal, session_model, started) = match &pick {
        Pick::Started(st) => {
            if !ctx.ui.quiet && !ctx.ui.json {
                eprintln!("note: no active session of yours; started session {}", session::name_of(&st.key));
            }
            (st.key.clone(), st.journal.clone(), None, true)
        }
        Pick::Existing(k) => {
            let s = index.get(k).expect("picked from the index");
            (k.clone(), ws.abs(&s.journal), s.model.clone(), false)
        }
    };
    let model = a.model.clone().or(session_model).unwrap_or_else(|| estimate::DEFAULT_MODEL.to_owned());
    let end = Ending { status, tokens, model: &model, note: a.note.clone(), kind: "log_task" };
    let mut r = finish(ws, spec, task, &key, &journal, &end, &index, &who.owner, logs.as_ref())?;
    r.session_started = started;
    manual_note(ctx, tokens, &r);
    let currency = ws.config.currency.as_ref();
    let measured = r.usage_source == Some("measured");
    ctx.ui.report(&r, |s| {
        let mut line = format!("📝 Task {} logged: {}", r.task, r.status);
        if let (true, Some(t)) = (measured, r.tokens) {
            let mut parts = vec![format!("{} tokens", session::fmt_tokens(t))];
            if let Some(c) = r.cost_usd {
                parts.push(budget::money(c, currency));
            }
            parts.push("measured".into());
            line.push_str(&format!(" ({})", parts.join(", ")));
        } else if let Some(t) = tokens {
            let mut parts = vec![format!("{} tokens", session::fmt_tokens(t))];
            if let Some(c) = specwork_core::estimate::manual_cost(&model, t) {
                parts.push(budget::money(c, currency));
            }
            parts.push("manual".into());
            line.push_str(&format!(" ({})", parts.join(", ")));
        }
        s.push_str(&line);
        s.push('\n');
        if let (Some(t), Some(u), false) = (tokens, r.tokens, measured)
            && t != u
        {
            s.push_str(&format!("Task {} total in this session: {} tokens\n", r.task, session::fmt_tokens(u)));
        }
        next_line(s, &r);
    });
    Ok(0)
}
