//! The CLI's wording of core errors: each hint names the command or flag that fixes the
//! problem. Core errors carry kinds and data only; the MCP server and the dashboard word their
//! own hints.

use specwork_core::base::write::WriteError;
use specwork_core::model::edit::EditError;
use specwork_core::model::workspace::WorkspaceError;

/// How to fix a path the path policy refused (a link out of the workspace, a special file, a
/// file too large), whatever command met it.
impl Hint for specwork_core::base::path_policy::PathRefused {
    fn hint(&self) -> String {
        use specwork_core::base::path_policy::PathRefused;
        match self {
            PathRefused::Outside { link, .. } => format!(
                "specwork reads and writes only inside the workspace: replace the link {} with a real folder or file (e.g. `rm {0}` then move the target's content in), or run specwork in the folder the link points to",
                link.display()
            ),
            PathRefused::NotRegular { path, .. } => {
                format!("replace {} with a regular file (or remove it)", path.display())
            }
            PathRefused::TooLarge { path, .. } => {
                format!("{} is not a document specwork can use; move it out of the workspace", path.display())
            }
        }
    }
}

/// What an approval workflow waits for, as the CLI command that moves it on.
pub fn next_step(spec: &str, next: &specwork_core::stores::approvals::NextStep) -> String {
    use specwork_core::stores::approvals::NextStep;
    let create = |doc: &specwork_core::stores::approvals::DocKind| {
        if doc.is_steering() {
            format!("specwork steering new {doc}")
        } else {
            format!("specwork spec doc {spec} {doc}")
        }
    };
    match next {
        NextStep::Create { doc } => format!("create the {doc} document: `{}`", create(doc)),
        NextStep::RequestReview { doc } => format!("ask for review: `specwork approval request {spec} {doc}`"),
        NextStep::AwaitDecision { doc } => {
            format!("waiting for a decision: `specwork approval approve|reject|revise {spec} {doc}`")
        }
        NextStep::Revise { doc, file } => {
            format!("revise {file} as the reviewer asked, then `specwork approval request {spec} {doc}`")
        }
        NextStep::ReviewChange { doc, file } => format!(
            "{file} changed since approval: review `specwork approval diff {spec} {doc}`, then `specwork approval approve {spec} {doc}`"
        ),
        NextStep::SteeringApproved => "every steering document written so far is approved".into(),
        NextStep::Implement => format!("ready to implement: `specwork do-task {spec} <task>`"),
    }
}

/// How to fix an error, in the CLI's words.
pub trait Hint {
    /// The text of the `hint:` line.
    fn hint(&self) -> String;
}

impl Hint for specwork_core::stores::approvals::ApprovalError {
    fn hint(&self) -> String {
        match self {
            Self::Name(_) => "names may hold letters, digits, `-`, `_` and `.`, and no path parts".into(),
            Self::Workspace(WorkspaceError::NoSuchSpec { suggestions, .. }) if !suggestions.is_empty() => {
                format!("did you mean {}? `specwork spec list` shows every spec", suggestions.join(", "))
            }
            Self::Workspace(_) => "`specwork spec list` shows every spec".into(),
            Self::Write(WriteError::Conflict { .. }) => "another program edited the file; run the command again".into(),
            Self::Write(_) => "check the file's permissions".into(),
            Self::UnknownDoc { .. } => {
                "use requirements, design or tasks for a spec; product, tech or structure with `steering`".into()
            }
            Self::NotApplicable { spec, .. } => {
                format!("a numbered spec is approved as a plan: `specwork approval approve {spec} tasks`")
            }
            Self::ReadOnly { .. } => "imports are approved in their own tool; move the spec to .spec-workflow/specs/ to use specwork's approvals".into(),
            Self::Archived { spec } => format!("unarchive it first: `specwork unarchive {spec}`"),
            Self::DocMissing { spec, doc, .. } if doc.is_steering() => {
                let _ = spec;
                format!("create it: `specwork steering new {}`", doc.as_str())
            }
            Self::DocMissing { spec, doc, .. } => format!("create it: `specwork spec doc {spec} {}`", doc.as_str()),
            Self::NoTasks { .. } => "add task lines such as `- [ ] 1. Do something` first".into(),
            Self::FileMissing { .. } => "pass the path of an existing file, relative to the workspace root".into(),
            Self::CommentRequired { .. } => "say what must change with --comment".into(),
            Self::UntouchedTemplate { file, .. } => {
                format!("write the document first ({}), or approve it as it is with --force", file.display())
            }
            Self::Invalid { .. } => "fix the JSON (or move the file away); specwork will not overwrite a file it cannot read".into(),
            Self::NoApprovedVersion { spec, doc } => {
                format!("approve it first (`specwork approval approve {spec} {}`), or compare with the last snapshot: --last", doc.as_str())
            }
            Self::NoSnapshot { .. } => "snapshots live in .spec-workflow/approvals/{spec}/.snapshots/; a new approval takes one".into(),
            Self::NotFound { .. } => "`specwork approval list` shows every approval id".into(),
            Self::StillPending { .. } => "decide it first (approve, reject or revise)".into(),
        }
    }
}

impl Hint for specwork_core::stores::approvals::GateError {
    fn hint(&self) -> String {
        format!("{}; or pass --force to start anyway", gate_fix(self))
    }
}

/// How to get past the approval gate, without the `--force` a command may not have.
pub fn gate_fix(e: &specwork_core::stores::approvals::GateError) -> String {
    use specwork_core::stores::approvals::GateError;
    let s = e.spec();
    match e {
        GateError::NotRequested { doc: "plan", .. } => format!("approve the plan: `specwork plan {s} --approve`"),
        GateError::NotRequested { .. } => {
            format!(
                "ask for review (`specwork approval request {s} tasks`) or approve: `specwork approval approve {s} tasks`"
            )
        }
        GateError::Pending { .. } => format!("decide it: `specwork approval approve {s} tasks`"),
        GateError::Rejected { .. } | GateError::NeedsRevision { .. } => {
            format!("revise the tasks, then `specwork approval request {s} tasks`")
        }
        GateError::Changed { .. } => {
            format!("review `specwork approval diff {s} tasks`, then `specwork approval approve {s} tasks`")
        }
        GateError::NoTasks { .. } => format!("add tasks first: `specwork plan {s} --task ...`"),
    }
}

impl Hint for specwork_core::stores::steering::SteeringError {
    fn hint(&self) -> String {
        match self {
            Self::Unknown(_) => "steering documents are product, tech and structure".into(),
            Self::Exists(_) => {
                "edit the existing document; `specwork approval status steering` shows its approval".into()
            }
            Self::Write(_) => "check the folder's permissions".into(),
        }
    }
}

impl Hint for specwork_core::stores::implog::git::GitError {
    fn hint(&self) -> String {
        match self {
            Self::BadRevision { .. } => "pass a commit id, branch or tag to --base (see `git log --oneline`)".into(),
            Self::Failed { .. } => "run the git command by hand to see what is wrong, or pass --no-git".into(),
        }
    }
}

impl Hint for specwork_core::stores::implog::LogError {
    fn hint(&self) -> String {
        match self {
            Self::Name(_) => "task ids look like 1, 1.2 or #3".into(),
            Self::NoSuchTask { spec, .. } => format!("`specwork task list {spec}` shows the task ids"),
            Self::ReadOnly { .. } => "move the spec to .spec-workflow/specs/ to keep logs with it".into(),
            Self::Archived { spec } => format!("unarchive it first: `specwork unarchive {spec}`"),
            Self::NoSummary => "say what the task did with --summary".into(),
            Self::Git(e) => e.hint(),
            Self::Write(_) => "check the folder's permissions".into(),
        }
    }
}

impl Hint for specwork_core::ops::archive::ArchiveError {
    fn hint(&self) -> String {
        match self {
            Self::Name(_) => "names may hold letters, digits, `-`, `_` and `.`, and no path parts".into(),
            Self::NotFound { numbered: true, .. } => {
                "numbered specs stay in the tree; mark them done with `**Status**: done` in the context file".into()
            }
            Self::NotFound { where_: "active", .. } => "`specwork spec list` shows the active specs".into(),
            Self::NotFound { .. } => "`specwork spec list --archived` shows the archived specs".into(),
            Self::Exists(_) => "an archived and an active spec have the same name; rename one of them first".into(),
            Self::Io(_) => "check the folders' permissions".into(),
        }
    }
}

impl Hint for specwork_core::ops::phases::PhaseError {
    fn hint(&self) -> String {
        match self {
            Self::Approval(e) => e.hint(),
            Self::Edit(EditError::ReadOnly { .. }) => "imports are read-only; plan them in their own tool".into(),
            Self::Edit(EditError::Write(WriteError::Conflict { .. })) => {
                "another program edited the file; run the command again".into()
            }
            Self::Edit(_) => "check the file's permissions".into(),
            Self::NotNamed { spec, .. } => format!("plan a numbered spec with `specwork plan {spec} --task ...`"),
            Self::Exists { .. } => "edit the existing document instead".into(),
            Self::PreviousNotApproved { spec, previous, state, .. } if state == "missing" => {
                format!("create it first: `specwork spec doc {spec} {previous}`; or pass --force")
            }
            Self::PreviousNotApproved { spec, .. } => {
                format!("get it approved first: `specwork approval status {spec}`; or pass --force")
            }
            Self::BadTitle(_) => "give each --task a one-line title".into(),
            Self::Archived { spec } => format!("unarchive it first: `specwork unarchive {spec}`"),
        }
    }
}

impl Hint for specwork_core::stores::projects::RegistryError {
    fn hint(&self) -> String {
        use specwork_core::stores::projects::RegistryError as R;
        match self {
            R::NoConfigDir => "set SPECWORK_CONFIG_DIR (or HOME) to the folder for specwork's projects.toml".into(),
            R::Parse { path, .. } => {
                format!("fix {} by hand (it lists `[[project]]` tables with `name` and `path`)", path.display())
            }
            R::NotAWorkspace { path } => {
                format!("run `specwork init {}` first (it registers the workspace too)", path.display())
            }
            R::NameTaken { .. } => "pick another name with --name".into(),
            R::Name(_) => "a project name holds letters, digits, `-` and `_`".into(),
            R::NotFound { names, .. } if names.is_empty() => {
                "no project is registered: `specwork projects add DIR`".into()
            }
            R::NotFound { names, .. } => format!("registered: {} (`specwork projects list`)", names.join(", ")),
            R::Write(_) => "check that the config folder is writable".into(),
        }
    }
}
