//! Command errors: a message, hints with the fix, and an exit code that means something.
//!
//! Exit codes: 0 success · 1 failure · 2 bad usage or input (unknown spec or task, invalid
//! name) · 3 conflict (a file changed while it was being edited; retry) · 4 a check found problems.

use specwork_core::base::write::WriteError;
use specwork_core::model::edit::EditError;
use specwork_core::model::workspace::WorkspaceError;
use specwork_core::stores::session::SessionError;

use crate::hints::Hint;
use crate::ui::Ui;

pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_CONFLICT: u8 = 3;
pub const EXIT_PROBLEMS: u8 = 4;

/// An error with its hints and exit code.
#[derive(Debug)]
pub struct CommandError {
    pub error: anyhow::Error,
    pub hints: Vec<String>,
    pub code: u8,
}

pub type CmdResult<T = u8> = Result<T, CommandError>;

impl CommandError {
    pub fn usage(msg: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { error: anyhow::anyhow!(msg.into()), hints: vec![hint.into()], code: EXIT_USAGE }
    }

    /// Prints `error: …` and the hints; returns the exit code. A path the path policy refused
    /// gets its own hint first, whatever command met it.
    pub fn report(&self, ui: &Ui) -> u8 {
        let refused = self.error.chain().find_map(specwork_core::base::path_policy::refusal);
        // Core errors wrap io errors transparently, so the refusal is often out of the chain's
        // reach; its message is the same, and names what to fix.
        let text = format!("{:#}", self.error);
        let policy_hint = refused.map(Hint::hint).or_else(|| {
            specwork_core::base::path_policy::SIGNATURES.iter().any(|s| text.contains(s)).then(|| {
                "specwork reads and writes only regular files inside the workspace: replace the link (or special file) named above with a real folder or file, or run specwork where the link points".to_owned()
            })
        });
        if let Some(h) = policy_hint {
            let mut hints = vec![h];
            hints.extend(self.hints.iter().filter(|h| !h.contains("permission")).cloned());
            ui.error(&format!("{:#}", self.error), &hints, self.code);
            return self.code;
        }
        ui.error(&format!("{:#}", self.error), &self.hints, self.code);
        self.code
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(error: anyhow::Error) -> Self {
        Self { error, hints: Vec::new(), code: EXIT_FAILURE }
    }
}

impl From<WorkspaceError> for CommandError {
    fn from(e: WorkspaceError) -> Self {
        let hints = match &e {
            WorkspaceError::NotFound { .. } => {
                vec!["run `specwork init` here to start a workspace, or pass --workspace DIR".to_owned()]
            }
            WorkspaceError::NotADirectory { .. } => vec!["pass an existing directory to --workspace".to_owned()],
            WorkspaceError::NoSuchSpec { suggestions, .. } if !suggestions.is_empty() => {
                vec![format!("did you mean {}? `specwork spec list` shows every spec", suggestions.join(", "))]
            }
            WorkspaceError::NoSuchSpec { .. } => vec!["`specwork spec list` shows every spec".to_owned()],
        };
        let code = if matches!(e, WorkspaceError::NoSuchSpec { .. }) { EXIT_USAGE } else { EXIT_FAILURE };
        Self { error: e.into(), hints, code }
    }
}

impl From<EditError> for CommandError {
    fn from(e: EditError) -> Self {
        let (code, hint) = match &e {
            EditError::Name(n) if n.value.bytes().all(|b| b.is_ascii_digit()) => {
                (EXIT_USAGE, "create a numbered spec with --parent or --area")
            }
            EditError::Name(_) => (EXIT_USAGE, "names may hold letters, digits, `-`, `_` and `.`, and no path parts"),
            EditError::Task(_) => (EXIT_USAGE, "`specwork task list SPEC` shows the task ids"),
            EditError::Write(WriteError::Conflict { .. }) => {
                (EXIT_CONFLICT, "another program edited the file; run the command again")
            }
            EditError::Write(WriteError::Exists { .. }) | EditError::SpecExists { .. } => {
                (EXIT_USAGE, "choose another id, or edit the existing spec")
            }
            EditError::Write(WriteError::Io(_)) => (EXIT_FAILURE, "check the file's permissions"),
            EditError::ReadOnly { .. } => (
                EXIT_USAGE,
                "imports are read-only; edit the file in its own tool, or move the spec to .spec-workflow/specs/",
            ),
            EditError::NoTasks { .. } => {
                (EXIT_USAGE, "add a `## Tasks` section with `- [ ] 1. …` lines (or a tasks.md)")
            }
            EditError::Parent(_) => (EXIT_USAGE, "create the area first: `specwork spec new ID --area`"),
            EditError::NotUtf8 { .. } => (EXIT_FAILURE, "save the file as UTF-8 first"),
        };
        Self { error: e.into(), hints: vec![hint.to_owned()], code }
    }
}

impl From<SessionError> for CommandError {
    fn from(e: SessionError) -> Self {
        let (code, hint) = match &e {
            SessionError::Exists { .. } => (
                EXIT_USAGE,
                "choose another session name; `specwork session-status` lists the active sessions".to_owned(),
            ),
            SessionError::NoSuchSession { .. } => {
                (EXIT_USAGE, "`specwork session-status` lists the active sessions".to_owned())
            }
            SessionError::Ended { .. } => {
                (EXIT_USAGE, "start a new session: `specwork start-session ID spec SPEC`".to_owned())
            }
            SessionError::Write(WriteError::Conflict { .. }) => {
                (EXIT_CONFLICT, "another program edited the file; run the command again".to_owned())
            }
            _ => (EXIT_FAILURE, "check that docs/sessions/ and the spec files are writable".to_owned()),
        };
        Self { error: e.into(), hints: vec![hint], code }
    }
}

impl From<specwork_core::ops::OpError> for CommandError {
    fn from(e: specwork_core::ops::OpError) -> Self {
        use specwork_core::ops::OpError;
        let hint = match &e {
            OpError::Session(_) | OpError::Edit(_) | OpError::Name(_) => {
                return match e {
                    OpError::Session(s) => s.into(),
                    OpError::Edit(x) => x.into(),
                    OpError::Name(n) => {
                        CommandError::usage(n.to_string(), "names may hold letters, digits, `-`, `_` and `.`")
                    }
                    _ => unreachable!(),
                };
            }
            OpError::NoSuchTask { spec, .. } => format!("`specwork task list {spec}` shows the task ids"),
            OpError::Closed { spec, .. } => {
                format!("pass --force to reopen it, or start the next task: `specwork resume {spec}`")
            }
            OpError::Placeholder { spec, file, .. } => format!(
                "write the spec's real tasks in {file} in place of the template's, or add them: `specwork plan {spec} --task \"…\"`"
            ),
            OpError::NoCurrentSpec => {
                "pass --spec SPEC, or start a session: `specwork start-session NAME spec SPEC`".to_owned()
            }
            OpError::NoOpenSession => "`specwork session-status` lists the open sessions".to_owned(),
            OpError::Ambiguous { sessions } => {
                let first = sessions.last().map_or("NAME", |s| s.name.as_str());
                format!(
                    "say which with --session NAME (e.g. --session {first}), or set SPECWORK_SESSION=NAME in that terminal"
                )
            }
            OpError::AlreadyEnded { .. } => "`specwork session-status` lists the open sessions".to_owned(),
            OpError::Gate(g) => return CommandError::usage(g.to_string(), g.hint()),
            OpError::CheckFailed { spec, task, run } => {
                let tail = if run.tail.is_empty() { "(no output)".to_owned() } else { run.tail.clone() };
                return Self {
                    error: anyhow::anyhow!("{e}; task {task} stays in progress. The check's last output:\n{tail}"),
                    hints: vec![format!(
                        "fix what the check reports and finish again (`specwork do-task {spec} {task} --done`), or pass --force to finish it unverified"
                    )],
                    code: EXIT_FAILURE,
                };
            }
            OpError::NoBaseline { spec, .. } => format!("`specwork drift {spec}` lists the tasks with drift"),
            OpError::Evidence(x) => {
                return Self {
                    error: anyhow::anyhow!("{x}"),
                    hints: vec![
                        "restore the evidence file from git (`git checkout -- docs/sessions/evidence/`)".to_owned(),
                    ],
                    code: EXIT_FAILURE,
                };
            }
        };
        Self { error: e.into(), hints: vec![hint], code: EXIT_USAGE }
    }
}

impl From<specwork_core::usage::MeasureError> for CommandError {
    fn from(e: specwork_core::usage::MeasureError) -> Self {
        use specwork_core::usage::MeasureError;
        let (code, hint) = match &e {
            MeasureError::Sources(_) => {
                (EXIT_USAGE, "point CLAUDE_CONFIG_DIR at a directory that holds projects/, or unset it")
            }
            MeasureError::Prices { .. } => {
                (EXIT_USAGE, "fix the [prices.\"model\"] entry in specwork.toml (USD per million tokens)")
            }
            MeasureError::Scan(_) => {
                (EXIT_FAILURE, "the scan cache may be deleted at any time; --no-cache reads the logs directly")
            }
        };
        Self { error: e.into(), hints: vec![hint.to_owned()], code }
    }
}

impl From<specwork_core::stores::projects::RegistryError> for CommandError {
    fn from(e: specwork_core::stores::projects::RegistryError) -> Self {
        use specwork_core::stores::projects::RegistryError as R;
        let code = match &e {
            R::Write(WriteError::Conflict { .. }) => EXIT_CONFLICT,
            R::Write(_) | R::NoConfigDir => EXIT_FAILURE,
            _ => EXIT_USAGE,
        };
        Self { hints: vec![e.hint()], error: e.into(), code }
    }
}
