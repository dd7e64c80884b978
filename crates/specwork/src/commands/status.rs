use clap::Args;
use specwork_core::TaskStatus;
use specwork_core::base::display;
use specwork_core::views::report::{self, Portfolio, SpecReport};

use super::{Ctx, format};
use crate::error::CmdResult;
use crate::ui::Table;

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// One spec's report (the seed's `--status` view); omit for the portfolio of all specs
    pub spec: Option<String>,
    /// Include archived specs in the portfolio
    #[arg(long)]
    pub archived: bool,
    /// Every registered workspace side by side (`specwork projects list`): specs, progress,
    /// open sessions, approvals waiting, today's and this month's cost
    #[arg(long, conflicts_with_all = ["spec", "archived"])]
    pub projects: bool,
}

pub fn run(ctx: &Ctx, a: StatusArgs) -> CmdResult {
    if a.projects {
        return run_projects(ctx);
    }
    let ws = ctx.workspace()?;
    match a.spec {
        None => {
            let p = report::portfolio(ws, a.archived);
            ctx.ui.report(&p, |s| render_portfolio(s, &p));
        }
        Some(id) => {
            let spec = ws.spec(&id)?;
            let r = report::spec_report(ws, spec);
            ctx.ui.report(&r, |s| render_spec(s, &r));
        }
    }
    Ok(0)
}

fn render_portfolio(s: &mut String, p: &Portfolio) {
    let t = &p.totals;
    s.push_str(&format!(
        "{} specs · {}/{} tasks done ({}%) · {} in progress · {} blocked\n\n",
        p.specs.len(),
        t.done,
        t.total,
        p.progress_pct,
        t.in_progress,
        t.blocked
    ));
    let mut t = Table::new(["ID", "TITLE", "STATUS", "PHASE", "PROGRESS", "NEXT"]).wrap(&[1, 5]);
    for r in &p.specs {
        let next = match (&r.next_task, r.blocked.first()) {
            (Some(t), _) => format!("{} {}", t.id, format::truncate(&t.title, 40)),
            (None, Some(b)) => format!("❌ {} blocked", b.id),
            _ => String::new(),
        };
        t.row([
            r.id.clone(),
            format::truncate(&r.title, 36),
            r.status.into(),
            r.phase.into(),
            if r.tasks.total == 0 {
                "—".into()
            } else {
                format!("{} {:>3}% {}/{}", format::bar(r.progress_pct, 10), r.progress_pct, r.tasks.done, r.tasks.total)
            },
            next,
        ]);
    }
    t.render(s);
}

/// The drifted files, when any (status and resume show them).
pub(crate) fn drift_section(s: &mut String, drift: &[specwork_core::views::drift::Drifted]) {
    if drift.is_empty() {
        return;
    }
    s.push_str("\n### Drift:\n");
    for d in drift {
        let task = d.task.as_deref().map(|t| format!("task {t}: ")).unwrap_or_default();
        let commit = d.commit.as_deref().map(|c| format!(" (commit {c})")).unwrap_or_default();
        s.push_str(&format!("- {task}{} {}{commit}\n", d.kind.as_str(), d.file));
    }
    s.push_str(&format!("- review: `specwork drift {}`\n", drift[0].spec));
}

/// `### Estimate:` — the spec's tasks at this workspace's usual tokens per task, beside what the
/// tasks with recorded usage took.
fn render_estimate(s: &mut String, spec: &str, e: &specwork_core::views::estimate::SpecEstimate) {
    if e.tasks == 0 {
        return;
    }
    let basis = match e.source {
        "measured" => "median of this workspace's measured tasks",
        "manual" => "median of this workspace's logged tasks",
        _ => "the guide's rule of thumb, until tasks are measured",
    };
    s.push_str(&format!(
        "\n### Estimate:\n- {} tasks × {} tokens = {} tokens, {} on {} ({basis})\n",
        e.tasks,
        display::fmt_tokens(e.tokens_per_task),
        display::fmt_tokens(e.tokens),
        display::fmt_cost(e.usd),
        e.model
    ));
    let left = e.remaining_tasks.len();
    if left > 0 && left < e.tasks {
        s.push_str(&format!(
            "- Remaining: {left} task{} = {} tokens, {} on {} (`specwork cost --estimate {}` for every model)\n",
            if left == 1 { "" } else { "s" },
            display::fmt_tokens(e.remaining_tokens),
            display::fmt_cost(e.remaining_usd),
            e.model,
            spec
        ));
    }
    if e.measured_tasks > 0 {
        s.push_str(&format!(
            "- Actual: {} tokens, {} over {} task{} (estimated {} tokens)\n",
            display::fmt_tokens(e.actual_tokens),
            display::fmt_cost(e.actual_usd),
            e.measured_tasks,
            if e.measured_tasks == 1 { "" } else { "s" },
            display::fmt_tokens(e.estimate_for_measured_tokens)
        ));
    }
}

fn render_spec(s: &mut String, r: &SpecReport) {
    let row = &r.row;
    s.push_str(&format!("# Spec {}: {}\n\n", row.id, row.title));
    s.push_str(&format!(
        "## Progress: {}% Complete ({}/{} tasks)\n\n",
        row.progress_pct, row.tasks.done, row.tasks.total
    ));
    let per_task = r.estimate.tokens_per_task;
    let section = |s: &mut String, name: &str, tasks: &[report::TaskRef], sym: &str| {
        s.push_str(&format!("### {name}:\n"));
        if tasks.is_empty() {
            s.push_str(&format!("{sym} None\n"));
        }
        for t in tasks {
            let id = if t.id.starts_with('#') { String::new() } else { format!("{} ", t.id) };
            let reason = t.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
            let proof = match t.verified {
                Some(Some(true)) => " (verified)",
                Some(Some(false)) => " (UNVERIFIED: finished past a failing check)",
                _ => "",
            };
            // What the task used, beside what a task of this workspace usually takes.
            let used = t.usage.as_ref().map_or_else(String::new, |u| {
                format!(
                    " — {} tokens, {} (est. {})",
                    display::fmt_tokens(u.tokens.total),
                    display::fmt_cost(u.cost_usd),
                    display::fmt_tokens(per_task)
                )
            });
            let quota = t
                .quota
                .map(|q| format!(" — quota {}", display::fmt_quota(q.five_hour, q.seven_day)))
                .unwrap_or_default();
            s.push_str(&format!("{sym} {id}{}{proof}{reason}{used}{quota}\n", t.title));
        }
        s.push('\n');
    };
    section(s, "Completed", &r.completed, TaskStatus::Done.symbol());
    section(s, "In Progress", &r.in_progress, TaskStatus::InProgress.symbol());
    section(s, "Blocked", &row.blocked, TaskStatus::Blocked.symbol());
    if !r.pending.is_empty() {
        section(s, "Pending", &r.pending, TaskStatus::Pending.symbol());
    }
    let d = &r.deliverables;
    s.push_str("### Deliverables Created:\n");
    if d.scripts.len() + d.docs.len() + d.config.len() + d.other.len() == 0 {
        s.push_str("- None yet\n");
    }
    for (n, what, dir) in [
        (d.scripts.len(), "script", "scripts"),
        (d.docs.len(), "document", "docs"),
        (d.config.len(), "config", "config"),
    ] {
        if n > 0 {
            s.push_str(&format!("- {n} {what}{} in deliverables/{dir}/\n", if n == 1 { "" } else { "s" }));
        }
    }
    if !d.other.is_empty() {
        s.push_str(&format!("- {} other linked file{}\n", d.other.len(), if d.other.len() == 1 { "" } else { "s" }));
    }
    s.push_str("\n### Time Spent:\n");
    if r.sessions.is_empty() {
        s.push_str("- No sessions yet\n");
    }
    for sess in &r.sessions {
        let dur =
            sess.minutes.map(format::minutes).or_else(|| sess.duration.clone()).unwrap_or_else(|| "unknown".into());
        let mut extra = Vec::new();
        if !sess.tasks_done.is_empty() {
            extra.push(format!("tasks {} done", sess.tasks_done.join(", ")));
        }
        if let (Some(t), Some(c)) = (sess.tokens, sess.cost_usd) {
            extra.push(format!(
                "{} tokens, {}",
                specwork_core::base::display::fmt_tokens(t),
                specwork_core::base::display::fmt_cost(c)
            ));
        }
        let extra = if extra.is_empty() { String::new() } else { format!(" — {}", extra.join("; ")) };
        s.push_str(&format!("- Session {}: {dur} ({}){extra}\n", sess.number, sess.date));
    }
    if !r.sessions.is_empty() {
        let usage = if r.total_tokens > 0 {
            format!(
                " ({} tokens, {})",
                specwork_core::base::display::fmt_tokens(r.total_tokens),
                specwork_core::base::display::fmt_cost(r.total_cost_usd)
            )
        } else {
            String::new()
        };
        s.push_str(&format!("- Total: {}{usage}\n", format::minutes(r.total_minutes)));
    }
    render_estimate(s, &r.row.id, &r.estimate);
    if !r.active_sessions.is_empty() {
        s.push_str("\n### Active Sessions:\n");
        for a in &r.active_sessions {
            let on =
                if a.in_progress.is_empty() { String::new() } else { format!(", task {}", a.in_progress.join(", ")) };
            s.push_str(&format!("- {} ({}{on})\n", a.name, a.user));
        }
    }
    drift_section(s, &r.drift);
    match &r.last_commit {
        Some(c) => s.push_str(&format!("\n### Last Commit: {} - \"{}\"\n", c.hash, c.subject)),
        None => s.push_str("\n### Last Commit: none linked yet\n"),
    }
    if let Some(n) = &row.next_task {
        s.push_str(&format!("\nNext: task {} — {}\n", n.id, n.title));
    }
}

fn run_projects(ctx: &Ctx) -> CmdResult {
    let registry = specwork_core::stores::projects::Registry::load()?;
    let q = specwork_core::views::projects::ProjectsQuery { tz: None, progress: ctx.ui.scan_progress() };
    let r = specwork_core::views::projects::build(&registry, &q);
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
    }
    ctx.ui.report(&r, |s| render_projects(s, &r));
    Ok(0)
}

fn render_projects(s: &mut String, r: &specwork_core::views::projects::ProjectsReport) {
    use specwork_core::base::display::{fmt_cost, fmt_tokens};
    if r.projects.is_empty() {
        s.push_str("no projects registered: `specwork init` or `specwork projects add DIR` adds one\n");
        return;
    }
    let t = &r.totals;
    s.push_str(&format!(
        "{} projects · {} specs · {}/{} tasks done ({}%) · {} open sessions · {} approvals waiting · today {} · {} from {}\n\n",
        t.projects,
        t.specs,
        t.tasks.done,
        t.tasks.total,
        t.progress_pct,
        t.active_sessions,
        t.approvals_pending,
        fmt_cost(t.today_cost_usd),
        fmt_cost(t.month_cost_usd),
        r.month_from
    ));
    let mut table = Table::new(["PROJECT", "SPECS", "PROGRESS", "SESSIONS", "APPROVALS", "TODAY", "MONTH", "PATH"])
        .right_align(&[1, 3, 4, 5, 6]);
    for p in &r.projects {
        if let Some(why) = p.stale {
            table.row([
                p.name.clone(),
                "—".into(),
                format!("stale: {why}"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                p.path.clone(),
            ]);
            continue;
        }
        let progress = if p.tasks.total == 0 {
            "—".to_owned()
        } else {
            format!("{} {:>3}% {}/{}", format::bar(p.progress_pct, 10), p.progress_pct, p.tasks.done, p.tasks.total)
        };
        let over = if p.over_budget { " ⚠️" } else { "" };
        table.row([
            p.name.clone(),
            p.specs.to_string(),
            progress,
            p.active_sessions.len().to_string(),
            p.approvals_pending.to_string(),
            format!("{}{over} ({} tok)", fmt_cost(p.today.cost_usd), fmt_tokens(p.today.tokens)),
            fmt_cost(p.month.cost_usd),
            p.path.clone(),
        ]);
    }
    table.render(s);
}
