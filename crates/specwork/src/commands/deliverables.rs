use clap::Args;
use specwork_core::model::links::Vault;
use specwork_core::views::deliverables::report::{self, DeliverablesReport, Ratio};

use super::Ctx;
use crate::error::CmdResult;

#[derive(Args, Debug)]
pub struct DeliverablesArgs {
    /// Spec id
    pub spec: String,
}

pub fn run(ctx: &Ctx, a: DeliverablesArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let vault = Vault::scan(&ws.root);
    let r = report::build(ws, &vault, spec);
    ctx.ui.report(&r, |s| render(s, &r));
    Ok(0)
}

/// A table cell: no pipes or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn ratio(r: Ratio) -> String {
    let mark = if r.of == 0 {
        ""
    } else if r.n == r.of {
        " ✅"
    } else {
        " ❌"
    };
    format!("{}/{}{mark}", r.n, r.of)
}

/// The seed's Deliverables Report, as Markdown.
pub fn render(s: &mut String, r: &DeliverablesReport) {
    s.push_str(&format!("# Deliverables Report: Spec {}\n\n## Created Artifacts\n", r.spec));
    let none = |s: &mut String| s.push_str("None yet.\n");

    s.push_str(&format!("\n### Scripts ({})\n", r.scripts.len()));
    if r.scripts.is_empty() {
        none(s);
    } else {
        s.push_str("| File | Purpose | Size | Dependencies |\n|------|---------|------|--------------|\n");
        for x in &r.scripts {
            let deps = match &x.dependencies {
                Some(d) if d.is_empty() => "None".to_owned(),
                Some(d) => d.join(", "),
                None => "—".to_owned(),
            };
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&x.file),
                cell(x.purpose.as_deref().unwrap_or("—")),
                x.size,
                cell(&deps)
            ));
        }
    }

    s.push_str(&format!("\n### Documentation ({})\n", r.docs.len()));
    if r.docs.is_empty() {
        none(s);
    } else {
        s.push_str("| File | Purpose | Format | Pages |\n|------|---------|--------|-------|\n");
        for d in &r.docs {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&d.file),
                cell(d.purpose.as_deref().unwrap_or("—")),
                d.format,
                d.pages
            ));
        }
    }

    s.push_str(&format!("\n### Configuration ({})\n", r.config.len()));
    if r.config.is_empty() {
        none(s);
    } else {
        s.push_str("| File | Purpose | Target Location |\n|------|---------|-----------------|\n");
        for c in &r.config {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&c.file),
                cell(c.purpose.as_deref().unwrap_or("—")),
                cell(c.target.as_deref().unwrap_or("—"))
            ));
        }
    }
    if !r.missing.is_empty() {
        s.push_str("\n### Linked but missing\n");
        for m in &r.missing {
            s.push_str(&format!("- ❌ {m}\n"));
        }
    }

    s.push_str(&format!("\n## Usage by Other Specs\n\n### Direct Dependencies ({})\n", r.used_by.len()));
    if r.used_by.is_empty() {
        s.push_str("No other spec links to this one yet.\n");
    }
    for u in &r.used_by {
        s.push_str(&format!("- [[{}|{} - {}]]\n", u.link, u.spec, u.title));
        for x in &u.uses {
            s.push_str(&format!("  - Uses: {}\n", x.uses));
            if let Some(p) = &x.purpose {
                s.push_str(&format!("  - Purpose: {p}\n"));
            }
        }
        s.push('\n');
    }
    s.push_str(&format!("### Integration Points ({})\n", r.integration_points.len()));
    if r.integration_points.is_empty() {
        s.push_str("None recorded.\n");
    }
    for p in &r.integration_points {
        if p.uses.is_empty() {
            s.push_str(&format!("- {}\n", p.name));
        } else {
            s.push_str(&format!("- {} → Uses {}\n", p.name, p.uses));
        }
    }

    let c = &r.code_stats;
    s.push_str("\n## Metrics\n\n### Code Statistics\n");
    s.push_str(&format!("- Total Lines: {}\n", c.total_lines));
    for (label, n) in [("Scripts", c.script_lines), ("Documentation", c.doc_lines), ("Configuration", c.config_lines)] {
        if n > 0 {
            s.push_str(&format!("- {label}: {n} lines\n"));
        }
    }
    if !c.languages.is_empty() {
        let langs: Vec<String> = c.languages.iter().map(|l| format!("{} {}", l.language, l.lines)).collect();
        s.push_str(&format!("- Languages: {}\n", langs.join(", ")));
    }
    s.push_str(&format!("- Comments: {}\n- Blank Lines: {}\n", c.comments, c.blanks));

    let q = &r.quality;
    s.push_str("\n### Quality Metrics\n");
    s.push_str(&format!("- Scripts tested: {}\n", ratio(q.scripts_tested)));
    s.push_str(&format!("- Documentation reviewed: {}\n", ratio(q.docs_reviewed)));
    s.push_str(&format!(
        "- Integration tests: {} file{} covering {} deliverables\n",
        q.integration_tests.len(),
        if q.integration_tests.len() == 1 { "" } else { "s" },
        ratio(q.integration_covered)
    ));
}
