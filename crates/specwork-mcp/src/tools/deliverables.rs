//! `deliverables`: the seed's deliverables report of one spec, compact — scripts, docs and
//! configs with purpose and size, the specs that use them, code statistics and quality ratios.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use serde::Serialize;
use specwork_core::model::links::Vault;
use specwork_core::views::deliverables::report::{self, Ratio};

use super::SpecArg;
use super::view::capped;
use crate::args::Args;
use crate::call::{Call, Reply, ToolError, clip};
use crate::protocol::{Invocation, Server};

#[tool_router(router = deliverables_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "deliverables",
        description = "A spec's deliverables (scripts, docs, configs) and who uses them.",
        annotations(read_only_hint = true)
    )]
    async fn deliverables(&self, Parameters(args): Parameters<Args<SpecArg>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

/// Each list shows at most this many files.
const LIST_MAX: usize = 20;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct File {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    purpose: Option<String>,
    size_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    has_header: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed {
    count: usize,
    items: Vec<File>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct User {
    spec: String,
    title: String,
    uses: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliverablesReply {
    spec: String,
    title: String,
    scripts: Listed,
    docs: Listed,
    config: Listed,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    missing: Vec<String>,
    used_by: Vec<User>,
    lines: u64,
    code: u64,
    comments: u64,
    blanks: u64,
    scripts_tested: String,
    docs_reviewed: String,
}

fn ratio(r: Ratio) -> String {
    format!("{}/{}", r.n, r.of)
}

fn listed(items: Vec<File>) -> Listed {
    let (items, count) = capped(items, LIST_MAX);
    Listed { count, items }
}

fn run(call: &Call<'_>, p: SpecArg) -> Result<Reply, ToolError> {
    let spec = call.spec(&p.spec_name)?;
    let ws = call.workspace()?;
    let r = report::build(ws, &Vault::scan(&ws.root), spec);
    let purpose = |p: &Option<String>| p.as_deref().map(|p| clip(p, 160));
    let scripts = r
        .scripts
        .iter()
        .map(|x| File {
            file: x.path.clone(),
            purpose: purpose(&x.purpose),
            size_bytes: x.size_bytes,
            detail: x
                .dependencies
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(|d| clip(&format!("needs {}", d.join(", ")), 160)),
            has_header: x.has_header,
        })
        .collect();
    let docs = r
        .docs
        .iter()
        .map(|x| File {
            file: x.path.clone(),
            purpose: purpose(&x.purpose),
            size_bytes: x.size_bytes,
            detail: Some(format!("{}, {} pages", x.format, x.pages)),
            has_header: x.has_header,
        })
        .collect();
    let config = r
        .config
        .iter()
        .map(|x| File {
            file: x.path.clone(),
            purpose: purpose(&x.purpose),
            size_bytes: x.size_bytes,
            detail: x.target.as_deref().map(|t| clip(&format!("goes to {t}"), 160)),
            has_header: x.has_header,
        })
        .collect();
    let (used_by, _) = capped(
        r.used_by.iter().map(|u| User { spec: u.spec.clone(), title: clip(&u.title, 80), uses: u.uses.len() }),
        10,
    );
    let c = &r.code_stats;
    Ok(Reply::json(&DeliverablesReply {
        spec: r.spec.clone(),
        title: r.title.clone(),
        scripts: listed(scripts),
        docs: listed(docs),
        config: listed(config),
        missing: r.missing.iter().take(10).cloned().collect(),
        used_by,
        lines: c.total_lines,
        code: c.code,
        comments: c.comments,
        blanks: c.blanks,
        scripts_tested: ratio(r.quality.scripts_tested),
        docs_reviewed: ratio(r.quality.docs_reviewed),
    }))
}
