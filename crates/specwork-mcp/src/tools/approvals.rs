//! `approvals`: the peer's tool (request / status / delete) plus `wait`, which blocks until the
//! user decides or the timeout passes, so the agent does not poll (the peer's issues #58, #100).
//!
//! Paths are the peer's weak spot (#201: `filePath` read any file; #220: `categoryName` wrote
//! anywhere). Here `categoryName` must be a plain name and `filePath` a file inside the
//! workspace (a path under `.spec-workflow/` one of that category's own documents);
//! `specwork_core::stores::approvals::request_file` refuses the rest before anything is read
//! or written.

use std::time::{Duration, Instant};

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use specwork_core::stores::approvals::{self, ApprovalError, ApprovalRecord, ApprovalStatus, RequestOptions};

use crate::args::{Args, Int};
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = approvals_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "approvals",
        description = "User approval of a document: request, status, wait (until decided), delete."
    )]
    async fn approvals(&self, Parameters(args): Parameters<Args<Params>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum Action {
    Request,
    Status,
    Wait,
    Delete,
}

// The peer's record `type` (no doc comment: schemars would list it as a description).
#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum DocType {
    Document,
    Action,
}

// The peer's record `category`.
#[derive(Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(inline)]
enum Category {
    Spec,
    Steering,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct Params {
    action: Action,
    approval_id: Option<String>,
    file_path: Option<String>,
    #[schemars(description = "spec name, or steering")]
    category_name: Option<String>,
    title: Option<String>,
    #[serde(rename = "type")]
    kind: Option<DocType>,
    category: Option<Category>,
    #[schemars(description = "wait: default 120")]
    timeout_seconds: Option<Int<600>>,
    // Listed for the peer's agents; the server reads it before the call (crate::scope).
    #[allow(dead_code)]
    project_path: Option<String>,
}

/// How often `wait` looks at the record.
const POLL: Duration = Duration::from_millis(200);

fn approval_error(e: ApprovalError) -> ToolError {
    let hint = match &e {
        ApprovalError::UnknownDoc { .. } => {
            "filePath is relative to the workspace, without `..`; under .spec-workflow/ only the category's own requirements.md, design.md, tasks.md (or a steering doc)".to_owned()
        }
        ApprovalError::FileMissing { file } => format!("write {} first, or pass the path of an existing file", file.display()),
        ApprovalError::NotFound { .. } => "pass the approvalId that action request returned".to_owned(),
        ApprovalError::StillPending { .. } => "wait for the decision first (action wait)".to_owned(),
        ApprovalError::DocMissing { file, .. } => format!("write {} first", file.display()),
        ApprovalError::Name(_) => "categoryName is a spec name (or steering), never a path".to_owned(),
        ApprovalError::Workspace(_) => "`status` lists the specs; categoryName is one of their names".to_owned(),
        ApprovalError::NotApplicable { .. } => "a numbered spec is approved as a plan: request its tasks".to_owned(),
        ApprovalError::ReadOnly { .. } => "this spec is an import specwork only reads; ask the user".to_owned(),
        ApprovalError::Archived { .. } => "the spec is archived; ask the user to unarchive it".to_owned(),
        ApprovalError::NoTasks { .. } => "add task lines such as `- [ ] 1. Do something` first".to_owned(),
        ApprovalError::CommentRequired { .. } => "say what must change in the comment".to_owned(),
        ApprovalError::Write(specwork_core::base::write::WriteError::Conflict { .. }) => {
            "the file changed while being written; call again".to_owned()
        }
        _ => "ask the user to check the approval files in .spec-workflow/approvals/".to_owned(),
    };
    ToolError::new(e.to_string(), hint)
}

/// The category of a document path the peer's agents send without one.
fn category_of(file_path: &str) -> Option<&str> {
    let parts: Vec<&str> = file_path.trim_start_matches("./").split(['/', '\\']).collect();
    match parts.as_slice() {
        [".spec-workflow", "specs", name, _] => Some(name),
        [".spec-workflow", "steering", _] => Some(approvals::STEERING),
        _ => None,
    }
}

fn run(call: &Call<'_>, p: Params) -> Result<Reply, ToolError> {
    match p.action {
        Action::Request => request(call, &p),
        Action::Delete => delete(call, &p),
        Action::Wait => wait(call, &p),
        Action::Status => status(call, &p),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Requested {
    approval_id: String,
    status: &'static str,
    spec: String,
    file: String,
    created: bool,
    next: String,
}

fn request(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let file = p.file_path.as_deref().ok_or_else(|| {
        ToolError::new(
            "missing argument `filePath`",
            "pass the document, e.g. .spec-workflow/specs/NAME/requirements.md",
        )
    })?;
    let category = match p.category_name.as_deref().or_else(|| category_of(file)) {
        Some(c) => c,
        None => return Err(ToolError::new("missing argument `categoryName`", "pass the spec name (or steering)")),
    };
    let opts = RequestOptions {
        title: p.title.as_deref(),
        kind: p.kind.map(|k| match k {
            DocType::Document => "document",
            DocType::Action => "action",
        }),
        category: p.category.map(|c| match c {
            Category::Spec => "spec",
            Category::Steering => approvals::STEERING,
        }),
    };
    let out = approvals::request_file(call.workspace()?, category, file, &opts).map_err(approval_error)?;
    Ok(Reply::json(&Requested {
        next: format!("call `approvals` {{action: wait, approvalId: {}}}", out.approval_id),
        approval_id: out.approval_id,
        status: out.status.as_str(),
        spec: out.spec,
        file: out.file,
        created: out.created,
    }))
}

/// A review comment with the peer's fields (texts clipped).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Comment {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<serde_json::Value>,
    #[serde(rename = "type")]
    kind: String,
    comment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    selected_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line_number: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    character_position: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlight_color: Option<serde_json::Value>,
    timestamp: String,
}

/// The peer's status answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    approval_id: String,
    title: String,
    file_path: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotations: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    comments: Vec<Comment>,
    is_completed: bool,
    can_proceed: bool,
    must_wait: bool,
    block_next: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    timed_out: Option<bool>,
    next: String,
}

fn status_of(r: &ApprovalRecord, timed_out: Option<bool>) -> Status {
    let approved = r.status == ApprovalStatus::Approved;
    let next = match r.status {
        ApprovalStatus::Pending => format!("call `approvals` {{action: wait, approvalId: {}}}", r.id),
        ApprovalStatus::Approved => "approved: go on to the next phase".to_owned(),
        ApprovalStatus::NeedsRevision | ApprovalStatus::Rejected => {
            format!("revise {} as the comments ask, then request approval again", r.file_path)
        }
    };
    Status {
        approval_id: r.id.clone(),
        title: clip(&r.title, 200),
        file_path: r.file_path.clone(),
        status: r.status.as_str(),
        response: r.response.as_deref().map(|t| clip(t, 2000)),
        annotations: r.annotations.as_deref().map(|t| clip(t, 2000)),
        comments: r
            .comments
            .iter()
            .flatten()
            .take(20)
            .map(|c| Comment {
                id: c.id.clone(),
                kind: clip(&c.kind, 20),
                comment: clip(&c.comment, 500),
                selected_text: c.selected_text.as_deref().map(|t| clip(t, 200)),
                line_number: c.line_number,
                character_position: c.character_position,
                highlight_color: c.highlight_color.clone(),
                timestamp: clip(&c.timestamp, 40),
            })
            .collect(),
        // As the peer answers: a decision is complete when approved or rejected; anything short
        // of approval (pending, needs revision, rejected) means wait — revise and ask again.
        is_completed: approved || r.status == ApprovalStatus::Rejected,
        can_proceed: approved,
        must_wait: !approved,
        block_next: !approved,
        timed_out,
        next,
    }
}

fn approval_id(p: &Params) -> Result<&str, ToolError> {
    p.approval_id
        .as_deref()
        .ok_or_else(|| ToolError::new("missing argument `approvalId`", "pass the id action request returned"))
}

fn status(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let found = approvals::get(call.root()?, approval_id(p)?).map_err(approval_error)?;
    Ok(Reply::json(&status_of(&found.record, None)))
}

fn wait(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let id = approval_id(p)?;
    let root = call.root()?;
    let timeout = Duration::from_secs(p.timeout_seconds.map_or(120, |t| t.0));
    let start = Instant::now();
    // Find the record once, then re-read only its own file: the wait costs one small read per
    // poll however many approvals the workspace holds.
    let found = approvals::get(root, id).map_err(approval_error)?;
    let file = root.join(&found.path);
    let mut record = found.record;
    loop {
        let decided = record.status != ApprovalStatus::Pending;
        if decided || start.elapsed() >= timeout || call.cancelled() {
            return Ok(Reply::json(&status_of(&record, (!decided).then_some(true))));
        }
        std::thread::sleep(POLL.min(timeout.saturating_sub(start.elapsed())));
        match specwork_core::base::path_policy::read(&file) {
            // A half-written file (another tool writing without a rename) is read again next time.
            Ok(bytes) => {
                if let Ok(r) = serde_json::from_slice::<ApprovalRecord>(&bytes) {
                    record = r;
                }
            }
            Err(_) => {
                return Err(ToolError::new(
                    format!("approval `{id}` was deleted while waiting"),
                    "`spec-status` shows whether the document was approved; request again if needed",
                ));
            }
        }
    }
}

fn delete(call: &Call<'_>, p: &Params) -> Result<Reply, ToolError> {
    let gone = approvals::delete(call.root()?, approval_id(p)?).map_err(approval_error)?;
    Ok(Reply::json(&serde_json::json!({
        "approvalId": gone.record.id,
        "deleted": true,
        "note": "the document's approved snapshot stays, so it still reads as approved",
    })))
}
