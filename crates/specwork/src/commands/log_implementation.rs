//! `specwork log-implementation SPEC TASK --summary S [--artifact JSON]...`: an implementation
//! log in spec-workflow-mcp's format, with files and line counts measured by git.

use std::path::PathBuf;

use clap::Args;
use specwork_core::base::display::slash_path;
use specwork_core::base::write::WriteError;
use specwork_core::stores::implog::{self, Artifacts, LogError, NewLog, git::GitWindow};

use super::Ctx;
use crate::error::{CmdResult, CommandError, EXIT_CONFLICT, EXIT_FAILURE, EXIT_USAGE};
use crate::hints::Hint;

#[derive(Args, Debug)]
pub struct LogImplementationArgs {
    /// Spec id
    pub spec: String,
    /// Task id (`1.2`)
    pub task: String,
    /// What the task did (one line)
    #[arg(long, short)]
    pub summary: String,
    /// An artifact as JSON: one artifact with a "kind" (api, component, function, class,
    /// integration), e.g. '{"kind":"function","name":"parse","purpose":"…","location":"src/a.rs:10"}',
    /// or spec-workflow-mcp's artifacts object '{"functions":[…]}'; `@FILE` reads the JSON from a
    /// file. Repeat for several.
    #[arg(long = "artifact", value_name = "JSON")]
    pub artifacts: Vec<String>,
    /// Files changed (used without git; with git they are checked against what git saw)
    #[arg(long = "files-modified", value_name = "PATH", value_delimiter = ',', num_args = 1..)]
    pub files_modified: Vec<String>,
    /// Files created (used without git; with git they are checked against what git saw)
    #[arg(long = "files-created", value_name = "PATH", value_delimiter = ',', num_args = 1..)]
    pub files_created: Vec<String>,
    /// Lines added, when the workspace is not a git repository
    #[arg(long, value_name = "N")]
    pub lines_added: Option<u64>,
    /// Lines removed, when the workspace is not a git repository
    #[arg(long, value_name = "N")]
    pub lines_removed: Option<u64>,
    /// When the task started: git counts the commits since then plus uncommitted changes
    /// [default: only uncommitted changes]
    #[arg(long, value_name = "TIME", conflicts_with = "base")]
    pub since: Option<String>,
    /// The commit the task started from
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Do not measure with git; record the files and counts given
    #[arg(long, conflicts_with_all = ["since", "base"])]
    pub no_git: bool,
}

impl From<LogError> for CommandError {
    fn from(e: LogError) -> Self {
        let code = match &e {
            LogError::Write(WriteError::Conflict { .. }) => EXIT_CONFLICT,
            LogError::Write(_) | LogError::Git(specwork_core::stores::implog::git::GitError::Failed { .. }) => {
                EXIT_FAILURE
            }
            _ => EXIT_USAGE,
        };
        let hint = e.hint();
        Self { error: e.into(), hints: vec![hint], code }
    }
}

/// Parses a time given on the command line: RFC 3339 (`2025-08-26T14:30:00Z`), or a local date
/// and time (`2025-08-26 14:30`, `2025-08-26T14:30:00`).
pub fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    if let Ok(z) = s.parse::<jiff::Zoned>() {
        return Some(z.timestamp());
    }
    let civil = s.replacen(' ', "T", 1);
    let dt = civil.parse::<jiff::civil::DateTime>().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::system()).ok().map(|z| z.timestamp())
}

pub(crate) fn read_artifact(arg: &str) -> Result<Artifacts, CommandError> {
    let (text, from) = match arg.strip_prefix('@') {
        Some(path) => {
            let p = PathBuf::from(path);
            // fs-err's message names the file; anyhow's `{:#}` adds the OS's reason.
            let t = specwork_core::base::path_policy::read_to_string(&p).map_err(|e| CommandError {
                error: e.into(),
                hints: vec!["give a JSON file after @".to_owned()],
                code: crate::error::EXIT_USAGE,
            })?;
            (t, format!(" in {}", p.display()))
        }
        None => (arg.to_owned(), String::new()),
    };
    Artifacts::from_json(&text).map_err(|e| {
        CommandError::usage(
            format!("--artifact{from}: {e}"),
            r#"e.g. --artifact '{"kind":"function","name":"parse","purpose":"reads X","location":"src/x.rs:10"}'"#,
        )
    })
}

pub fn run(ctx: &Ctx, a: LogImplementationArgs) -> CmdResult {
    let mut artifacts = Artifacts::default();
    for x in &a.artifacts {
        artifacts.extend(read_artifact(x)?);
    }
    let since = match &a.since {
        Some(s) => Some(parse_time(s).ok_or_else(|| {
            CommandError::usage(format!("cannot read the time `{s}`"), "use 2025-08-26T14:30:00Z or `2025-08-26 14:30`")
        })?),
        None => None,
    };
    let ws = ctx.workspace()?;
    let spec = ws.spec(&a.spec)?;
    let new = NewLog {
        task_id: a.task.clone(),
        summary: a.summary.clone(),
        artifacts,
        files_modified: a.files_modified.clone(),
        files_created: a.files_created.clone(),
        lines_added: a.lines_added,
        lines_removed: a.lines_removed,
        measure: (!a.no_git).then(|| GitWindow { base: a.base.clone(), since }),
    };
    let w = implog::write_log(ws, spec, &new)?;
    if !ctx.ui.json {
        if w.source == "git" && (a.lines_added.is_some() || a.lines_removed.is_some()) {
            ctx.ui.note("line counts measured by git were used instead of --lines-added/--lines-removed");
        }
        for f in &w.unverified {
            ctx.ui.warning(format_args!("{f} was named but git saw no change to it in the task's window"));
        }
        if !w.unverified.is_empty() {
            ctx.ui.hint("pass --since TIME or --base REV to include commits made during the task");
        }
    }
    ctx.ui.outcome(&w, |s| {
        let st = &w.entry.statistics;
        s.push_str(&format!("logged task {} of {}: {}\n", w.entry.task_id, w.spec, slash_path(&w.file)));
        s.push_str(&format!(
            "  {} file(s) changed, +{} -{} ({})\n",
            st.files_changed,
            st.lines_added,
            st.lines_removed,
            if w.source == "git" { "measured by git" } else { "as given" }
        ));
        let a = &w.entry.artifacts;
        let n = a.api_endpoints.len() + a.components.len() + a.functions.len() + a.classes.len() + a.integrations.len();
        s.push_str(&format!("  {n} artifact(s)\n"));
    });
    Ok(0)
}
