use clap::Args;
use serde::Serialize;
use specwork_core::journal::{Entry, Event, Stamp, WorkspaceLock};
use specwork_core::session::{self, Identity, SessionError, SessionIndex};
use specwork_core::{Diagnostic, TaskStatus};

use super::Ctx;
use crate::budget::{self, CostDisplay};
use crate::error::{CmdResult, CommandError};
use crate::measure::{self, Closing};

#[derive(Args, Debug)]
pub struct EndSessionArgs {
    /// The session to end [default: your only active session]
    pub id: Option<String>,
}

#[derive(Serialize)]
struct EndReport {
    session: String,
    name: String,
    spec: String,
    started: String,
    ended: String,
    minutes: u64,
    tasks_done: usize,
    tasks_total: usize,
    tokens: u64,
    cost_usd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_display: Option<CostDisplay>,
    usage_source: Option<&'static str>,
    in_progress: Vec<String>,
    warnings: Vec<Diagnostic>,
}

pub fn run(ctx: &Ctx, a: EndSessionArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let who = Identity::detect(&ws.root, &ws.config);
    // Ending a session closes its windows, which measures them.
    let logs = measure::logs_for_sessions(&ctx.ui, &ws.root, &ws.config);
    let _lock = WorkspaceLock::acquire(&ws.root);
    let index = SessionIndex::load_current(&ws.root);
    let s = match &a.id {
        Some(name) => {
            let s = index.find(&who.owner, name).ok_or_else(|| SessionError::NoSuchSession { name: name.clone() })?;
            if let Some(end) = &s.ended {
                return Err(CommandError::usage(
                    format!("session {} already ended at {}", s.name, end.minute()),
                    "`specwork session-status` lists the active sessions",
                ));
            }
            s
        }
        None => {
            let mine: Vec<_> = index.active().filter(|s| s.owner == who.owner).collect();
            match mine.as_slice() {
                [] => {
                    return Err(CommandError::usage(
                        "you have no active session",
                        "`specwork session-status` lists the active sessions",
                    ));
                }
                [one] => *one,
                many => {
                    let names: Vec<&str> = many.iter().map(|s| s.name.as_str()).collect();
                    return Err(CommandError::usage(
                        format!("you have {} active sessions: {}", many.len(), names.join(", ")),
                        format!("name the one to end: `specwork end-session {}`", names[names.len() - 1]),
                    ));
                }
            }
        }
    };
    let key = s.key.clone();
    let now = Stamp::now();
    let mut entries = session::commit_entries(&ws.root, &index, &key);
    entries.push(Entry { ts: now, ..Entry::now(&key, Event::SessionEnd { reason: "user".into() }) });
    if let Some(logs) = &logs {
        let closing = [(key.clone(), now)];
        let a = measure::attribute(&index, &who.owner, logs, &Closing { now, sessions: &closing, task: None });
        entries.extend(
            a.entries(logs, now.offset, |w, closed| closed && w.session == key).remove(&key).unwrap_or_default(),
        );
    }
    let index = session::record(ws, &ws.abs(&s.journal), &entries)?;
    let s = index.get(&key).expect("just recorded");
    let (done, total) = s.task_progress();
    let u = s.usage(None);
    let in_progress: Vec<String> = s
        .tasks
        .iter()
        .filter(|t| t.status == TaskStatus::InProgress)
        .map(|t| format!("{} {}", t.spec, t.task))
        .collect();
    let warnings: Vec<Diagnostic> = in_progress
        .iter()
        .map(|t| {
            Diagnostic::warning(
                &specwork_core::report::slash_path(&s.journal),
                0,
                format!("task {t} is still in progress"),
                "complete it with `specwork do-task SPEC TASK --done`, or log its state with `specwork log-task`",
            )
        })
        .collect();
    let ended = s.ended.expect("just ended");
    let r = EndReport {
        session: key.clone(),
        name: s.name.clone(),
        spec: s.spec.clone(),
        started: s.started.to_string(),
        ended: ended.to_string(),
        minutes: s.recorded_minutes(),
        tasks_done: done,
        tasks_total: total,
        tokens: u.tokens.total,
        cost_usd: u.cost_usd,
        cost_display: budget::display(u.cost_usd, ws.config.currency.as_ref()),
        usage_source: (!u.source.is_empty()).then_some(u.source),
        in_progress,
        warnings,
    };
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.warnings);
    }
    ctx.ui.report(&r, |out| {
        out.push_str(&format!(
            "Session {} ended: {}, {}/{} tasks done, {} tokens, {}\n",
            r.name,
            session::fmt_minutes(r.minutes),
            r.tasks_done,
            r.tasks_total,
            session::fmt_tokens(r.tokens),
            budget::money(r.cost_usd, ws.config.currency.as_ref())
        ));
    });
    Ok(0)
}
