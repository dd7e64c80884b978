use std::collections::HashMap;

use clap::Args;
use serde::Serialize;
use specwork_core::views::report::{self, PortfolioRow};
use specwork_core::{Layout, Spec, Workspace};

use super::{Ctx, format};
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct TreeArgs {
    /// Include archived specs
    #[arg(long)]
    pub archived: bool,
}

#[derive(Serialize)]
struct TreeNode {
    #[serde(flatten)]
    row: PortfolioRow,
    children: Vec<TreeNode>,
}

fn node(ws: &Workspace, spec: &Spec, by_id: &HashMap<&str, &Spec>) -> TreeNode {
    TreeNode {
        row: report::row(ws, spec),
        children: spec.children.iter().filter_map(|c| by_id.get(c.as_str())).map(|c| node(ws, c, by_id)).collect(),
    }
}

pub fn run(ctx: &Ctx, a: TreeArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let specs: Vec<&Spec> = ws.specs.iter().filter(|s| a.archived || !s.archived).collect();
    let by_id: HashMap<&str, &Spec> =
        specs.iter().filter(|s| s.layout == Layout::Numbered).map(|s| (s.id.as_str(), *s)).collect();
    let roots: Vec<TreeNode> = specs
        .iter()
        .filter(|s| s.layout != Layout::Numbered || s.parent.as_deref().is_none_or(|p| !by_id.contains_key(p)))
        .map(|s| node(ws, s, &by_id))
        .collect();
    #[derive(Serialize)]
    struct Tree<'a> {
        roots: &'a [TreeNode],
    }
    ctx.ui.report(&Tree { roots: &roots }, |s| {
        let mut groups: Vec<(&str, Vec<&TreeNode>)> = Vec::new();
        for r in &roots {
            let g = group_name(r.row.layout);
            match groups.iter_mut().find(|(name, _)| *name == g) {
                Some((_, v)) => v.push(r),
                None => groups.push((g, vec![r])),
            }
        }
        for (i, (g, nodes)) in groups.iter().enumerate() {
            if i > 0 {
                s.push('\n');
            }
            s.push_str(&format!("{g}\n"));
            for (j, n) in nodes.iter().enumerate() {
                render(s, n, "", j + 1 == nodes.len());
            }
        }
        if roots.is_empty() {
            s.push_str("no specs yet: `specwork spec new NAME` creates one\n");
        }
    });
    Ok(0)
}

fn group_name(layout: &str) -> &'static str {
    match layout {
        "numbered" => "specs/",
        "spec-workflow" => ".spec-workflow/specs/",
        "kiro" => ".kiro/specs/ (read-only)",
        "spec-kit" => "specs/ (spec-kit, read-only)",
        _ => "openspec/changes/ (read-only)",
    }
}

fn render(s: &mut String, n: &TreeNode, prefix: &str, last: bool) {
    let branch = if last { "└── " } else { "├── " };
    let r = &n.row;
    let progress = if r.tasks.total > 0 {
        format!("  {} {}/{}", format::bar(r.progress_pct, 10), r.tasks.done, r.tasks.total)
    } else {
        String::new()
    };
    let archived = if r.archived { " (archived)" } else { "" };
    let title = if r.title == r.id { String::new() } else { format!(" {}", r.title) };
    s.push_str(&format!("{prefix}{branch}{}{title}  [{}]{progress}{archived}\n", r.id, r.status));
    let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
    for (i, c) in n.children.iter().enumerate() {
        render(s, c, &child_prefix, i + 1 == n.children.len());
    }
}
