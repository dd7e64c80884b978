use clap::{Args, Subcommand};
use specwork_core::model::edit::{self, NewNumbered};
use specwork_core::model::workspace::humanize;
use specwork_core::text::templates::TemplateKind;
use specwork_core::views::report;

use super::{Ctx, format};
use crate::error::{CmdResult, CommandError};
use crate::ui::Table;

#[derive(Subcommand, Debug)]
pub enum SpecCommand {
    /// Create a spec from templates: a number (1014) makes a numbered spec, a name
    /// (invoice-management) a spec-workflow spec
    New(NewArgs),
    /// List every spec with its progress
    List(ListArgs),
    /// Add the next phase document (design, tasks) of a named spec from its template; refused
    /// while the previous phase is not approved, unless --force
    Doc(super::spec_doc::DocArgs),
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// A number (`1014`) or a name (`invoice-management`)
    pub id: String,
    /// Parent area of a numbered spec (`1001`)
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Title [default: from the name]
    #[arg(long, short)]
    pub title: Option<String>,
    /// Numbered: create an area (`{id}/spec.md`) that holds child specs, instead of a leaf spec
    #[arg(long)]
    pub area: bool,
    /// Named: documents to create [default: requirements; later phases follow their approval]
    #[arg(long, value_delimiter = ',', value_name = "DOC", value_parser = ["requirements", "design", "tasks"])]
    pub docs: Vec<String>,
    /// Numbered: the context file's summary line
    #[arg(long)]
    pub summary: Option<String>,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Include archived specs
    #[arg(long)]
    pub archived: bool,
}

pub fn run(ctx: &Ctx, cmd: SpecCommand) -> CmdResult {
    match cmd {
        SpecCommand::New(a) => new(ctx, a),
        SpecCommand::List(a) => list(ctx, a),
        SpecCommand::Doc(a) => super::spec_doc::run(ctx, a),
    }
}

fn new(ctx: &Ctx, a: NewArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let numbered = a.id.bytes().all(|b| b.is_ascii_digit());
    if !numbered && (a.parent.is_some() || a.area) {
        return Err(CommandError::usage(
            format!("`{}` is a name, but --parent and --area are for numbered specs", a.id),
            "use a number such as 1014 for a numbered spec",
        ));
    }
    let title = a.title.clone().unwrap_or_else(|| humanize(&a.id));
    let created = if numbered {
        edit::new_numbered(
            ws,
            &NewNumbered {
                id: &a.id,
                title: &title,
                parent: a.parent.as_deref(),
                area: a.area,
                summary: a.summary.as_deref(),
            },
        )?
    } else {
        let docs: Vec<TemplateKind> = if a.docs.is_empty() {
            vec![TemplateKind::Requirements]
        } else {
            a.docs.iter().filter_map(|d| TemplateKind::parse_doc(d)).collect()
        };
        edit::new_named(ws, &a.id, &title, &docs)?
    };
    ctx.ui.outcome(&created, |s| {
        s.push_str(&format!("created spec {} ({})\n", created.id, created.layout.as_str()));
        for f in &created.files {
            s.push_str(&format!("  {}\n", specwork_core::base::display::slash_path(f)));
        }
        if let Some(parent) = &created.linked_from {
            s.push_str(&format!("linked from {}\n", specwork_core::base::display::slash_path(parent)));
        }
    });
    Ok(0)
}

fn list(ctx: &Ctx, a: ListArgs) -> CmdResult {
    let ws = ctx.workspace()?;
    let p = report::portfolio(ws, a.archived);
    ctx.ui.report(&p, |s| {
        let mut t = Table::new(["ID", "TITLE", "LAYOUT", "STATUS", "TASKS", "PROGRESS"]).right_align(&[4]).wrap(&[1]);
        for r in &p.specs {
            t.row([
                r.id.clone(),
                format::truncate(&r.title, 40),
                r.layout.into(),
                r.status.into(),
                format!("{}/{}", r.tasks.done, r.tasks.total),
                format!("{} {:>3}%", format::bar(r.progress_pct, 10), r.progress_pct),
            ]);
        }
        t.render(s);
    });
    Ok(0)
}
