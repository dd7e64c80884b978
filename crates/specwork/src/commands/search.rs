//! `specwork search QUERY [--kind log|spec|context] [--limit N]`.

use clap::Args;
use specwork_core::views::search::{self, SearchKind};

use super::{Ctx, format};
use crate::error::{CmdResult, CommandError};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words to find (every word must occur on the line or in the artifact)
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// What to search: log (implementation logs), spec (spec and steering documents), context
    /// (context timelines); repeat or separate with commas [default: all]
    #[arg(long, value_delimiter = ',')]
    pub kind: Vec<String>,
    /// The most hits to show
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

pub fn run(ctx: &Ctx, a: SearchArgs) -> CmdResult {
    let mut kinds = Vec::new();
    for k in &a.kind {
        kinds.push(
            SearchKind::parse(k)
                .ok_or_else(|| CommandError::usage(format!("unknown kind `{k}`"), "use log, spec or context"))?,
        );
    }
    let ws = ctx.workspace()?;
    let query = a.query.join(" ");
    let r = search::search(ws, &query, &kinds, a.limit);
    if !ctx.ui.json {
        ctx.ui.diagnostics(&r.diagnostics);
    }
    ctx.ui.report(&r, |s| {
        if r.hits.is_empty() {
            s.push_str(&format!("no match for `{}` in {} file(s)\n", r.query, r.files_searched));
            return;
        }
        for h in &r.hits {
            let what = match &h.artifact {
                Some(a) => format!("{} {}", a.kind.as_str(), a.name),
                None => format::truncate(&h.text, 90),
            };
            let task = h.task.as_deref().map(|t| format!(" task {t}")).unwrap_or_default();
            s.push_str(&format!("{}:{}: [{} {}{task}] {what}\n", h.file, h.line, h.kind.as_str(), h.spec));
        }
        if r.total > r.hits.len() {
            s.push_str(&format!("… {} more (--limit)\n", r.total - r.hits.len()));
        }
    });
    Ok(0)
}
