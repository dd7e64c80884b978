use clap::Args;
use specwork_core::base::names;
use specwork_core::ops::session as session_ops;
use specwork_core::stores::session::StartOptions;

use super::Ctx;
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct StartSessionArgs {
    /// Session name, e.g. apt-1030 (unique for you on this machine)
    pub id: String,
    /// The spec, as in the guide: `start-session apt-1030 spec appointment-booking`
    #[arg(value_name = "spec SPEC")]
    pub rest: Vec<String>,
    /// The spec to work on
    #[arg(long, value_name = "SPEC")]
    pub spec: Option<String>,
    /// Title of the session's timeline entry [default: the session name]
    #[arg(long)]
    pub title: Option<String>,
    /// A planning note for the timeline (repeatable)
    #[arg(long, value_name = "TEXT")]
    pub note: Vec<String>,
    /// Model used to estimate the cost of manual token counts (haiku, sonnet, opus) [default: haiku]
    #[arg(long)]
    pub model: Option<String>,
    /// The agent you work with [default: `[agent] name` in specwork.toml, else Claude]
    #[arg(long)]
    pub agent: Option<String>,
    /// The agent's own session id, to tie its transcript to this session
    #[arg(long, value_name = "ID")]
    pub agent_session_id: Option<String>,
}

/// The spec named by `spec SPEC`, `SPEC` or `--spec SPEC`.
fn spec_arg(a: &StartSessionArgs) -> CmdResult<String> {
    let positional = match a.rest.as_slice() {
        [] => None,
        [kw, s] if kw == "spec" => Some(s.clone()),
        [s] if s != "spec" => Some(s.clone()),
        _ => {
            return Err(CommandError::usage(
                format!("cannot read `{}` after the session name", a.rest.join(" ")),
                "write `specwork start-session ID spec SPEC` or `specwork start-session ID --spec SPEC`",
            ));
        }
    };
    match (positional, &a.spec) {
        (Some(p), Some(f)) if &p != f => {
            Err(CommandError::usage(format!("two different specs given: `{p}` and `--spec {f}`"), "name the spec once"))
        }
        (Some(p), _) => Ok(p),
        (None, Some(f)) => Ok(f.clone()),
        (None, None) => Err(CommandError::usage(
            "which spec does the session work on?",
            format!("write `specwork start-session {} spec SPEC`; `specwork spec list` shows the specs", a.id),
        )),
    }
}

pub fn run(ctx: &Ctx, a: StartSessionArgs) -> CmdResult {
    names::spec_name(&a.id).map_err(|e| {
        CommandError::usage(
            format!("invalid session name `{}`: {}", a.id, e.reason),
            "use letters, digits, `-` and `_`, e.g. apt-1030",
        )
    })?;
    let spec_id = spec_arg(&a)?;
    let ws = ctx.workspace()?;
    let spec = ws.spec(&spec_id)?;
    let opts = StartOptions {
        name: &a.id,
        title: a.title.as_deref(),
        model: a.model.as_deref(),
        agent: a.agent.as_deref(),
        agent_session_id: a.agent_session_id.as_deref(),
    };
    let report = session_ops::start(ws, spec, &opts, &a.note)?;
    if !ctx.ui.json {
        for o in &report.ended_left_open {
            ctx.ui.note(format!(
                "ended session {} ({}), left open since {}, at that last activity",
                o.name, o.spec, o.ended_at
            ));
        }
        ctx.ui.diagnostics(&report.warnings);
    }
    ctx.ui.report(&report, |s| {
        s.push_str(&format!("Session {} created\n", report.name));
        if let Some(c) = &report.continue_from {
            s.push_str(&format!("Continue from task {c}\n"));
        }
        if report.planned.is_empty() {
            if report.progress.total == 0 {
                s.push_str(&format!("Tasks: none yet — spec {} has no task list\n", report.spec));
            } else {
                s.push_str(&format!("Tasks: none left — every task of {} is done\n", report.spec));
            }
        } else {
            const SHOWN: usize = 15;
            let mut list = report.planned.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
            if report.planned.len() > SHOWN {
                list.push_str(&format!(", … (+{} more)", report.planned.len() - SHOWN));
            }
            s.push_str(&format!("Tasks: {list}\n"));
        }
    });
    Ok(0)
}
