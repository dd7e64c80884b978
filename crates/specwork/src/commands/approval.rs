//! `specwork approval request|approve|reject|revise|status|list|diff`.

use clap::{Args, Subcommand};
use serde::Serialize;
use specwork_core::Diagnostic;
use specwork_core::base::write::WriteError;
use specwork_core::stores::approvals::{self, ApprovalError, ApprovalOutcome, DiffBase, DocApproval, DocState};

use super::{Ctx, format};
use crate::error::{CmdResult, CommandError, EXIT_CONFLICT, EXIT_FAILURE, EXIT_USAGE};
use crate::hints::Hint;
use crate::ui::Table;

#[derive(Subcommand, Debug)]
pub enum ApprovalCommand {
    /// Ask for review of a document: a pending approval that specwork's and spec-workflow-mcp's
    /// dashboards show
    Request(RequestArgs),
    /// Approve a document: records its sha256 and a snapshot of the approved text
    Approve(ApproveArgs),
    /// Reject a document (a comment says why)
    Reject(CommentArgs),
    /// Send a document back for revision with a comment
    Revise(CommentArgs),
    /// Approval state of a spec's documents (or of the steering documents: `steering`)
    Status(StatusArgs),
    /// Every approval in the workspace, newest first
    List(ListArgs),
    /// Unified diff of a document against its last approved version
    Diff(DiffArgs),
    /// Whether a spec's tasks may be started (the check `do-task` makes): exit 0 when they may,
    /// 1 with the reason and the fix when they may not
    Gate(StatusArgs),
}

#[derive(Args, Debug)]
pub struct RequestArgs {
    /// Spec id, or `steering`
    pub spec: String,
    /// requirements, design or tasks (a numbered spec: tasks, its plan); with `steering`: product,
    /// tech or structure
    pub doc: String,
    /// Title shown to reviewers [default: "<spec title>: <doc>"]
    #[arg(long)]
    pub title: Option<String>,
}

#[derive(Args, Debug)]
pub struct ApproveArgs {
    /// Spec id, or `steering`
    pub spec: String,
    /// requirements, design, tasks, or product / tech / structure
    pub doc: String,
    /// A note recorded as the approval's response
    #[arg(long, short)]
    pub comment: Option<String>,
    /// Approve a document that is still its template (`[role]`, `[feature]` not filled in)
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct CommentArgs {
    /// Spec id, or `steering`
    pub spec: String,
    /// requirements, design, tasks, or product / tech / structure
    pub doc: String,
    /// What must change
    #[arg(long, short)]
    pub comment: String,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Spec id, or `steering`
    pub spec: String,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only approvals with this status: pending, approved, rejected or needs-revision
    #[arg(long)]
    pub status: Option<String>,
    /// Only approvals of this spec (or `steering`)
    #[arg(long)]
    pub spec: Option<String>,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Spec id, or `steering`
    pub spec: String,
    /// requirements, design, tasks, or product / tech / structure
    pub doc: String,
    /// Compare with the latest snapshot of any kind instead of the last approved version
    #[arg(long)]
    pub last: bool,
}

impl From<ApprovalError> for CommandError {
    fn from(e: ApprovalError) -> Self {
        let code = match &e {
            ApprovalError::Write(WriteError::Conflict { .. }) => EXIT_CONFLICT,
            ApprovalError::Write(_) | ApprovalError::Invalid { .. } => EXIT_FAILURE,
            _ => EXIT_USAGE,
        };
        let hint = e.hint();
        Self { error: e.into(), hints: vec![hint], code }
    }
}

pub fn run(ctx: &Ctx, cmd: ApprovalCommand) -> CmdResult {
    match cmd {
        ApprovalCommand::Request(a) => {
            let ws = ctx.workspace()?;
            let t = approvals::target(ws, &a.spec, &a.doc)?;
            let o = approvals::request(
                ws,
                &t,
                &approvals::RequestOptions { title: a.title.as_deref(), ..Default::default() },
            )?;
            print_outcome(ctx, &o);
        }
        ApprovalCommand::Approve(a) => {
            let ws = ctx.workspace()?;
            let t = approvals::target(ws, &a.spec, &a.doc)?;
            let o = if a.force {
                approvals::approve_forced(ws, &t, a.comment.as_deref())?
            } else {
                approvals::approve(ws, &t, a.comment.as_deref())?
            };
            print_outcome(ctx, &o);
        }
        ApprovalCommand::Reject(a) => {
            let ws = ctx.workspace()?;
            let t = approvals::target(ws, &a.spec, &a.doc)?;
            let o = approvals::reject(ws, &t, &a.comment)?;
            print_outcome(ctx, &o);
        }
        ApprovalCommand::Revise(a) => {
            let ws = ctx.workspace()?;
            let t = approvals::target(ws, &a.spec, &a.doc)?;
            let o = approvals::revise(ws, &t, &a.comment)?;
            print_outcome(ctx, &o);
        }
        ApprovalCommand::Status(a) => status(ctx, &a)?,
        ApprovalCommand::Gate(a) => return gate(ctx, &a),
        ApprovalCommand::List(a) => list(ctx, &a)?,
        ApprovalCommand::Diff(a) => {
            let ws = ctx.workspace()?;
            let t = approvals::target(ws, &a.spec, &a.doc)?;
            let base = if a.last { DiffBase::LastSnapshot } else { DiffBase::LastApproved };
            let d = approvals::diff(ws, &t, base)?;
            ctx.ui.report(&d, |s| {
                let what =
                    if d.base_trigger == "approved" { "approved version".to_owned() } else { d.base_trigger.clone() };
                if !d.changed {
                    s.push_str(&format!(
                        "{} is unchanged since its {what} (v{}, {})\n",
                        d.file, d.base_version, d.base_timestamp
                    ));
                    return;
                }
                s.push_str(&d.unified);
                if !d.unified.ends_with('\n') {
                    s.push('\n');
                }
                let note = if d.progress_only { " — task progress only; the plan is unchanged" } else { "" };
                s.push_str(&format!(
                    "{} line(s) added, {} removed since the {what} (v{}, {}){note}\n",
                    d.added, d.removed, d.base_version, d.base_timestamp
                ));
            });
        }
    }
    Ok(0)
}

fn warn(ctx: &Ctx, diags: &[Diagnostic]) {
    if !ctx.ui.json && !diags.is_empty() {
        ctx.ui.diagnostics(diags);
    }
}

fn print_outcome(ctx: &Ctx, o: &ApprovalOutcome) {
    warn(ctx, &o.warnings);
    ctx.ui.outcome(o, |s| {
        let what = format!("{} {}", o.spec, o.doc);
        match (o.action, o.unchanged) {
            ("request", true) => s.push_str(&format!("{what} is already waiting for review ({})\n", o.approval_id)),
            ("request", false) => s.push_str(&format!("⏳ review requested for {what} ({})\n", o.approval_id)),
            ("approve", true) => {
                s.push_str(&format!("✅ {what} is already approved and unchanged ({})\n", o.approval_id));
            }
            ("approve", false) => {
                let snap = o.snapshot_version.map(|v| format!(", snapshot v{v}")).unwrap_or_default();
                s.push_str(&format!("✅ approved {what} ({}{snap})\n", o.approval_id));
            }
            ("reject", _) => s.push_str(&format!("❌ rejected {what} ({})\n", o.approval_id)),
            _ => s.push_str(&format!("↩ sent {what} back for revision ({})\n", o.approval_id)),
        }
        s.push_str(&format!("  file:   {}\n", o.file));
        s.push_str(&format!("  record: {}\n", o.approval_file));
        if o.action == "approve" {
            s.push_str(&format!("  sha256: {}\n", o.hash.content_sha256));
        }
        if o.action == "request" {
            s.push_str(&format!(
                "next: approve in the dashboard, or `specwork approval approve|reject|revise {} {}`\n",
                o.spec, o.doc
            ));
        }
    });
}

fn state_text(d: &DocApproval) -> String {
    let mut s = match d.state {
        DocState::Missing => "—  missing".to_owned(),
        DocState::Created => "·  created, not submitted for review".to_owned(),
        DocState::Pending => format!("⏳ pending since {}", d.requested_at.as_deref().unwrap_or("?")),
        DocState::Approved => {
            let at = d.approved.as_ref().map_or("?", |a| a.approved_at.as_str());
            format!("✅ approved {at}")
        }
        DocState::Rejected => format!("❌ rejected: {}", d.response.as_deref().unwrap_or("")),
        DocState::NeedsRevision => {
            let c = d.comments.first().map_or_else(|| d.response.as_deref().unwrap_or(""), |c| c.comment.as_str());
            format!("↩  needs revision: {}", first_line(c))
        }
    };
    if d.changed_since_approval {
        s.push_str(" · ✎ changed since approval");
    } else if d.progress_only_changes {
        s.push_str(" · task progress since approval");
    }
    if d.state != DocState::Approved
        && let Some(a) = &d.approved
    {
        s.push_str(&format!(" (last approved {})", a.approved_at));
    }
    s
}

fn first_line(s: &str) -> &str {
    s.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("Feedback Summary")).unwrap_or("")
}

fn status(ctx: &Ctx, a: &StatusArgs) -> CmdResult<()> {
    let ws = ctx.workspace()?;
    let st = approvals::status(ws, &a.spec)?;
    warn(ctx, &st.diagnostics);
    ctx.ui.report(&st, |s| {
        s.push_str(&format!("approvals: {}\n", st.spec));
        let mut t = Table::headless().wrap(&[1]);
        for d in &st.docs {
            t.row([format!("  {}", d.doc), state_text(d), d.file.clone()]);
        }
        t.render(s);
        s.push_str(&format!("next: {}\n", crate::hints::next_step(&st.spec, &st.next)));
    });
    Ok(())
}

#[derive(Serialize)]
struct ListReport {
    approvals: Vec<approvals::ApprovalSummary>,
    diagnostics: Vec<Diagnostic>,
}

fn list(ctx: &Ctx, a: &ListArgs) -> CmdResult<()> {
    let root = ctx.root()?;
    let (mut all, diagnostics) = approvals::list(&root);
    if let Some(st) = &a.status {
        let wanted = st.trim().to_ascii_lowercase();
        if !["pending", "approved", "rejected", "needs-revision"].contains(&wanted.as_str()) {
            return Err(CommandError::usage(
                format!("unknown status `{st}`"),
                "use pending, approved, rejected or needs-revision",
            ));
        }
        all.retain(|x| x.status.as_str() == wanted);
    }
    if let Some(sp) = &a.spec {
        all.retain(|x| &x.spec == sp);
    }
    let r = ListReport { approvals: all, diagnostics };
    warn(ctx, &r.diagnostics);
    ctx.ui.report(&r, |s| {
        if r.approvals.is_empty() {
            s.push_str("no approvals\n");
            return;
        }
        let mut t = Table::new(["ID", "SPEC", "DOC", "STATUS", "CREATED", "TITLE"]).wrap(&[5]);
        for x in &r.approvals {
            t.row([
                x.id.clone(),
                x.spec.clone(),
                x.doc.map_or_else(|| x.file_path.clone(), |d| d.as_str().to_owned()),
                x.status.as_str().to_owned(),
                x.created_at.get(..16).unwrap_or(&x.created_at).replace('T', " "),
                format::truncate(&x.title, 40),
            ]);
        }
        t.render(s);
    });
    Ok(())
}

#[derive(Serialize)]
struct GateReport {
    spec: String,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pass: Option<approvals::GatePass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

fn gate(ctx: &Ctx, a: &StatusArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let r = match approvals::gate(ws, spec) {
        Ok(p) => GateReport { spec: spec.id.clone(), allowed: true, pass: Some(p), reason: None, hint: None },
        Err(e) => GateReport {
            spec: spec.id.clone(),
            allowed: false,
            pass: None,
            reason: Some(e.to_string()),
            // `approval gate` only answers; the task commands have the `--force` that passes it.
            hint: Some(crate::hints::gate_fix(&e)),
        },
    };
    ctx.ui.report(&r, |s| match (&r.pass, &r.reason) {
        (Some(approvals::GatePass::Approved { approval_id, approved_at }), _) => {
            s.push_str(&format!("✅ tasks of {} are approved ({approval_id}, {approved_at})\n", r.spec));
        }
        (Some(approvals::GatePass::Untracked), _) => s.push_str(&format!(
            "✅ {} has no approval records and work has started: allowed (record one with `specwork approval approve {} tasks`)\n",
            r.spec, r.spec
        )),
        (Some(approvals::GatePass::Import), _) => {
            s.push_str(&format!("✅ {} is a read-only import: its own tool governs approval\n", r.spec));
        }
        (None, Some(reason)) => {
            s.push_str(&format!("❌ {reason}\nhint: {}\n", r.hint.as_deref().unwrap_or("")));
        }
        _ => {}
    });
    Ok(if r.allowed { 0 } else { EXIT_FAILURE })
}
