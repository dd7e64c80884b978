use clap::Args;
use specwork_core::base::display::{self, money};
use specwork_core::stores::journal::Stamp;
use specwork_core::views::session_status;

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct SessionStatusArgs {
    /// Only your own sessions
    #[arg(long)]
    pub mine: bool,
}

pub fn run(ctx: &Ctx, a: SessionStatusArgs) -> CmdResult {
    let root = ctx.root()?;
    let (config, diag) = specwork_core::model::config::Config::load(&root);
    if let Some(d) = diag {
        ctx.ui.diagnostics(&[d]);
    }
    let r = session_status::build(&root, &config, a.mine, ctx.ui.scan_progress());
    let currency = config.currency.as_ref();
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
    }
    ctx.ui.report(&r, |s| {
        if r.sessions.is_empty() {
            s.push_str("No active session\n");
            s.push_str("Start one: specwork start-session ID spec SPEC\n");
        }
        for (i, row) in r.sessions.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&format!("Session: {}\n", row.name));
            s.push_str(&format!("Tasks: {}/{} done\n", row.tasks.done, row.tasks.total));
            s.push_str(&format!("Tokens: {}\n", display::fmt_tokens(row.tokens)));
            s.push_str(&format!("Cost: {}\n", money(row.cost_usd, currency)));
            if let Some(q) = row.quota {
                s.push_str(&format!("Quota: {}\n", display::fmt_quota(q.five_hour, q.seven_day)));
            }
            let who = if row.mine { String::new() } else { format!(" · {}", row.user) };
            let local = Stamp::parse(&row.started).map(|t| t.hm()).unwrap_or_default();
            s.push_str(&format!("Spec: {} · {} since {local}{who}\n", row.spec, display::fmt_minutes(row.minutes)));
            if !row.in_progress.is_empty() {
                s.push_str(&format!("In progress: {}\n", row.in_progress.join(", ")));
            }
        }
        let t = &r.today;
        s.push_str(&format!(
            "\nToday ({}): {} session{}, {} task{} done, {} tokens, {}\n",
            t.date,
            t.sessions,
            if t.sessions == 1 { "" } else { "s" },
            t.tasks_done,
            if t.tasks_done == 1 { "" } else { "s" },
            display::fmt_tokens(t.amount.tokens),
            money(t.amount.cost_usd, currency)
        ));
        if r.budget.over {
            s.push_str(&r.budget.warning(currency));
            s.push('\n');
        }
    });
    Ok(0)
}
