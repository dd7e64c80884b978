//! MCP prompts for the peer's flows, so `/mcp__specwork__create-spec` and friends work in
//! Claude Code: the peer's seven prompts (create-spec, create-steering-doc, implement-task,
//! spec-status, inject-spec-workflow-guide, inject-steering-guide, refresh-tasks), with its
//! names, arguments and order. Each renders one user message from the workspace's current state
//! (templates, the task's own `_Prompt`, the task list), so the agent starts with what it needs.

use std::path::Path;

use serde_json::{Map, Value};
use specwork_core::text::templates::{self, TemplateKind};
use specwork_core::{TaskStatus, Workspace, base::names};

use crate::call::{ToolError, clip};
use crate::tools::has;

/// One prompt argument (MCP prompt arguments are strings).
#[derive(Clone, Copy, Debug)]
pub struct PromptArg {
    /// Name.
    pub name: &'static str,
    /// A few words.
    pub desc: &'static str,
    /// Whether it must be given.
    pub required: bool,
}

/// A prompt.
pub struct PromptDef {
    /// Name (the slash command is `/mcp__specwork__{name}`).
    pub name: &'static str,
    /// Title shown by clients.
    pub title: &'static str,
    /// One sentence.
    pub description: &'static str,
    /// Arguments.
    pub args: &'static [PromptArg],
    render: fn(&PromptInput<'_>) -> Result<String, ToolError>,
}

impl std::fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptDef").field("name", &self.name).finish_non_exhaustive()
    }
}

const fn arg(name: &'static str, desc: &'static str, required: bool) -> PromptArg {
    PromptArg { name, desc, required }
}

/// The prompts, in `prompts/list` order.
pub static PROMPTS: &[PromptDef] = &[
    PromptDef {
        name: "create-spec",
        title: "Create a spec document",
        description: "Write a spec's requirements, design or tasks document from its template.",
        args: &[
            arg("specName", "kebab-case feature name", true),
            arg("documentType", "requirements, design or tasks", true),
            arg("description", "what the feature should do", false),
        ],
        render: create_spec,
    },
    PromptDef {
        name: "create-steering-doc",
        title: "Create a steering document",
        description: "Write the project's product, tech or structure steering document from its template.",
        args: &[
            arg("docType", "product, tech or structure", true),
            arg("scope", "e.g. frontend, backend, full-stack", false),
        ],
        render: create_steering_doc,
    },
    PromptDef {
        name: "implement-task",
        title: "Implement a task",
        description: "Implement one task of a spec (the next one by default), tracking its status.",
        args: &[arg("specName", "spec name or id", true), arg("taskId", "e.g. 2.1; default the next task", false)],
        render: implement_task,
    },
    PromptDef {
        name: "spec-status",
        title: "Spec status",
        description: "Summarise one spec's status, or all specs.",
        args: &[arg("specName", "omit for all specs", false), arg("detailed", "true for the task breakdown", false)],
        render: spec_status,
    },
    PromptDef {
        name: "inject-spec-workflow-guide",
        title: "Spec workflow guide",
        description: "Put the spec workflow guide (the `spec-workflow-guide` tool's text) in the conversation.",
        args: &[],
        render: inject_spec_workflow_guide,
    },
    PromptDef {
        name: "inject-steering-guide",
        title: "Steering guide",
        description: "Put the steering documents guide (the `steering-guide` tool's text) in the conversation.",
        args: &[],
        render: inject_steering_guide,
    },
    PromptDef {
        name: "refresh-tasks",
        title: "Refresh tasks after spec changes",
        description: "Align tasks.md with changed requirements or design, keeping finished work.",
        args: &[arg("specName", "spec name or id", true), arg("changes", "what changed", false)],
        render: refresh_tasks,
    },
];

/// A prompt by name.
pub fn find(name: &str) -> Option<&'static PromptDef> {
    PROMPTS.iter().find(|p| p.name == name)
}

/// What a prompt renders from.
pub struct PromptInput<'a> {
    args: &'a Map<String, Value>,
    root: Result<&'a Path, ToolError>,
}

impl PromptInput<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.args.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, ToolError> {
        self.get(name).ok_or_else(|| ToolError::new(format!("missing argument `{name}`"), "pass it"))
    }

    fn spec_name(&self) -> Result<&str, ToolError> {
        let name = self.required("specName")?;
        names::spec_name(name)?;
        Ok(name)
    }

    fn workspace(&self) -> Result<Workspace, ToolError> {
        Workspace::load(self.root.clone()?).map_err(|e| ToolError::new(e.to_string(), "check the workspace path"))
    }
}

impl PromptDef {
    /// Renders the prompt's message for `args` in the workspace at `root`.
    pub fn render(&self, args: &Map<String, Value>, root: Result<&Path, ToolError>) -> Result<String, ToolError> {
        for a in self.args.iter().filter(|a| a.required) {
            if args.get(a.name).and_then(Value::as_str).is_none_or(|s| s.trim().is_empty()) {
                return Err(ToolError::new(
                    format!("missing argument `{}`", a.name),
                    format!("{}: {}", a.name, a.desc),
                ));
            }
        }
        (self.render)(&PromptInput { args, root })
    }
}

fn approval_step(doc: &str) -> String {
    if has("approvals") {
        format!(
            "When it is written, call `approvals` {{action: request, filePath: <its path>, title: \"{doc}\"}}, then \
             `approvals` {{action: wait}} until the user decides; on needs-revision apply the comments and request again."
        )
    } else {
        "When it is written, summarise it for the user and ask for approval before the next phase.".to_owned()
    }
}

fn create_spec(input: &PromptInput<'_>) -> Result<String, ToolError> {
    let name = input.spec_name()?;
    let doc = input.required("documentType")?;
    let kind = match doc {
        "requirements" => TemplateKind::Requirements,
        "design" => TemplateKind::Design,
        "tasks" => TemplateKind::Tasks,
        _ => return Err(ToolError::new(format!("unknown documentType `{doc}`"), "use requirements, design or tasks")),
    };
    let root = input.root.clone()?;
    let dir = format!(".spec-workflow/specs/{name}");
    let mut s = format!("Write the {doc} document of spec `{name}`.\n");
    if let Some(d) = input.get("description") {
        s.push_str(&format!("Feature: {}\n", clip(d, 2000)));
    }
    s.push_str(&format!("\nFile: `{dir}/{doc}.md` (workspace {}).\n", root.display()));
    let before: &[&str] = match kind {
        TemplateKind::Design => &["requirements"],
        TemplateKind::Tasks => &["requirements", "design"],
        _ => &[],
    };
    let docs = before.iter().map(|d| format!("{dir}/{d}.md"));
    let steering = ["product", "tech", "structure"].iter().map(|d| format!(".spec-workflow/steering/{d}.md"));
    s.push_str(&read_first(root, docs.chain(steering)));
    s.push_str(&template_block(root, kind));
    if kind == TemplateKind::Tasks {
        s.push_str(
            "Each task: `- [ ] N. Title` with `File:`, `_Requirements: …_`, `_Leverage: …_` and \
             `_Prompt: Role: … | Task: … | Restrictions: … | Success: …_` sub-bullets; small, ordered, testable.\n",
        );
    }
    s.push_str(&approval_step(doc));
    Ok(s)
}

fn inject_spec_workflow_guide(_: &PromptInput<'_>) -> Result<String, ToolError> {
    Ok(crate::tools::guide::guide())
}

fn inject_steering_guide(_: &PromptInput<'_>) -> Result<String, ToolError> {
    Ok(crate::tools::steering_guide::guide())
}

fn create_steering_doc(input: &PromptInput<'_>) -> Result<String, ToolError> {
    let doc = input.required("docType")?;
    let (kind, what) = match doc {
        "product" => (TemplateKind::Product, "the product's purpose, users, key features, goals and success measures"),
        "tech" => (TemplateKind::Tech, "the stack, dependencies, build, test and deploy, and technical constraints"),
        "structure" => {
            (TemplateKind::Structure, "the repository layout, naming and module conventions, where new code goes")
        }
        _ => return Err(ToolError::new(format!("unknown docType `{doc}`"), "use product, tech or structure")),
    };
    let root = input.root.clone()?;
    let file = format!(".spec-workflow/steering/{doc}.md");
    let mut s = format!("Write the steering document `{file}` (workspace {}): {what}.\n", root.display());
    if let Some(scope) = input.get("scope") {
        s.push_str(&format!("Scope: {}.\n", clip(scope, 500)));
    }
    if root.join(&file).is_file() {
        s.push_str("It exists already: update it in place, keeping what is still true.\n");
    }
    let others = ["product", "tech", "structure"]
        .iter()
        .filter(|d| **d != doc)
        .map(|d| format!(".spec-workflow/steering/{d}.md"));
    s.push_str(&read_first(root, others));
    s.push_str("Look at the repository (README, manifests, source tree) before asking the user anything.\n");
    s.push_str(&template_block(root, kind));
    s.push_str(
        &approval_step(doc).replace("filePath: <its path>", &format!("categoryName: steering, filePath: {file}")),
    );
    Ok(s)
}

/// "Read first: …" for those of `paths` that exist (nothing when none does).
fn read_first(root: &Path, paths: impl Iterator<Item = String>) -> String {
    let read: Vec<String> = paths.filter(|p| root.join(p).is_file()).map(|p| format!("`{p}`")).collect();
    if read.is_empty() { String::new() } else { format!("Read first: {}.\n", read.join(", ")) }
}

/// The document's template (the workspace's override, else specwork's), fenced.
fn template_block(root: &Path, kind: TemplateKind) -> String {
    let source = if root.join(".spec-workflow/user-templates").join(kind.peer_name().unwrap_or("")).is_file() {
        "the workspace's template"
    } else {
        "specwork's template"
    };
    format!(
        "Follow {source}; replace every placeholder, keep its headings:\n\n````markdown\n{}\n````\n\n",
        templates::load(root, kind).trim_end()
    )
}

fn implement_task(input: &PromptInput<'_>) -> Result<String, ToolError> {
    let name = input.spec_name()?;
    let ws = input.workspace()?;
    let spec = ws.spec(name).map_err(|e| ToolError::new(e.to_string(), "call the `status` tool to list the specs"))?;
    let task = match input.get("taskId") {
        Some(id) => {
            names::task_id(id)?;
            spec.tasks.find(id).ok_or_else(|| {
                ToolError::new(format!("no task `{id}` in spec {name}"), "the `tasks` tool lists the task ids")
            })?
        }
        None => match spec.tasks.next_task() {
            Some(t) => t,
            None => {
                let c = spec.tasks.counts();
                return Ok(format!(
                    "Spec `{name}` has no pending task ({}/{} done, {} blocked). Report this to the user; if tasks \
                     are blocked, ask how to unblock them.",
                    c.done, c.total, c.blocked
                ));
            }
        },
    };
    let c = spec.tasks.counts();
    let mut s = format!("Implement task {} of spec `{name}` ({}/{} done): {}\n", task.id, c.done, c.total, task.title);
    if task.status == TaskStatus::Done {
        s.push_str("It is already marked done: check the work, and only change what is missing.\n");
    }
    let field = |s: &mut String, label: &str, v: &[String]| {
        if !v.is_empty() {
            s.push_str(&format!("- {label}: {}\n", clip(&v.join(", "), 500)));
        }
    };
    field(&mut s, "Files", &task.files);
    field(&mut s, "Requirements", &task.requirements);
    field(&mut s, "Leverage", &task.leverage);
    if let Some(p) = &task.purpose {
        s.push_str(&format!("- Purpose: {}\n", clip(p, 500)));
    }
    if let Some(p) = &task.prompt {
        s.push_str(&format!("\nTask prompt:\n{}\n", clip(&p.replace(" | ", "\n"), 4000)));
    }
    for d in task.details.iter().take(20) {
        s.push_str(&format!("- {}\n", clip(d, 300)));
    }
    let docs: Vec<String> = [&spec.docs.requirements, &spec.docs.design, &spec.docs.spec]
        .into_iter()
        .flatten()
        .map(|p| format!("`{}`", specwork_core::base::display::slash_path(p)))
        .collect();
    let start = if has("do-task") {
        format!("Call `do-task` {{specName: {name}, taskId: {}}}.", task.id)
    } else {
        format!("Call `tasks` {{action: set, specName: {name}, taskId: {}, status: in-progress}}.", task.id)
    };
    s.push_str(&format!("\nSteps:\n1. {start}\n"));
    if !docs.is_empty() {
        s.push_str(&format!("2. Read what the task refers to in {}.\n", docs.join(", ")));
    } else {
        s.push_str("2. Read the code the task refers to.\n");
    }
    s.push_str("3. Implement it, following the prompt's restrictions, and run the tests.\n");
    let mut n = 4;
    if has("log-implementation") {
        s.push_str(&format!(
            "{n}. Call `log-implementation` with a summary, files modified/created, line counts and artifacts.\n"
        ));
        n += 1;
    }
    let finish = if has("do-task") {
        format!("`do-task` {{specName: {name}, taskId: {}, done: true}}", task.id)
    } else {
        format!("`tasks` {{action: set, specName: {name}, taskId: {}, status: done}}", task.id)
    };
    s.push_str(&format!(
        "{n}. Call {finish}; if you cannot finish, `tasks` {{action: set, status: blocked, reason}}. Do only this task."
    ));
    Ok(s)
}

fn spec_status(input: &PromptInput<'_>) -> Result<String, ToolError> {
    let detailed = input.get("detailed").is_some_and(|d| d.eq_ignore_ascii_case("true") || d == "1" || d == "yes");
    Ok(match input.get("specName") {
        Some(_) => {
            let name = input.spec_name()?;
            let mut s = format!("Report the status of spec `{name}`: call `spec-status` {{specName: {name}}}");
            if detailed {
                s.push_str(&format!(" and `tasks` {{specName: {name}}}"));
            }
            s.push_str(
                ". Summarise in a few lines: each phase (missing, created, approved), progress n/m with the \
                 percentage, tasks in progress and blocked (with reasons), and the next task.",
            );
            s
        }
        None => {
            let mut s = "Report the status of every spec: call `status`".to_owned();
            if detailed {
                s.push_str(", then `spec-status` for the specs that are active or blocked");
            }
            s.push_str(
                ". Summarise as a short table (spec, status, progress, next task), then what needs attention: \
                 blocked tasks and specs waiting for a document or an approval.",
            );
            s
        }
    })
}

fn refresh_tasks(input: &PromptInput<'_>) -> Result<String, ToolError> {
    let name = input.spec_name()?;
    let ws = input.workspace()?;
    let spec = ws.spec(name).map_err(|e| ToolError::new(e.to_string(), "call the `status` tool to list the specs"))?;
    let changes = input.get("changes").unwrap_or("the requirements or design were updated");
    let file = spec
        .tasks_source
        .as_ref()
        .map(|t| specwork_core::base::display::slash_path(&t.file))
        .unwrap_or_else(|| format!(".spec-workflow/specs/{name}/tasks.md"));
    let docs: Vec<String> = [&spec.docs.requirements, &spec.docs.design, &spec.docs.spec]
        .into_iter()
        .flatten()
        .map(|p| format!("`{}`", specwork_core::base::display::slash_path(p)))
        .collect();
    let mut s = format!(
        "The documents of spec `{name}` changed: {}.\nRead {} and update `{file}` so the tasks match them:\n\
         - keep every done `[x]` and in-progress `[-]` task, its id and its text as they are;\n\
         - rewrite, add or remove only pending `[ ]` tasks; new tasks get new ids after the last one;\n\
         - if finished work no longer fits, add a task to change it rather than editing the finished one;\n\
         - keep the sub-bullets (`File:`, `_Requirements:_`, `_Leverage:_`, `_Prompt:_`) on every new task.\n",
        clip(changes, 2000),
        if docs.is_empty() { "the spec".to_owned() } else { docs.join(", ") }
    );
    s.push_str("Edit the file in place (only the lines that change). Current tasks:\n");
    for t in spec.tasks.tasks.iter().take(80) {
        let m = match t.status {
            TaskStatus::Done => "x",
            TaskStatus::InProgress => "-",
            TaskStatus::Blocked => "~",
            TaskStatus::Pending => " ",
        };
        s.push_str(&format!("{}- [{m}] {} {}\n", "  ".repeat(t.level), t.id, clip(&t.title, 120)));
    }
    if spec.tasks.tasks.len() > 80 {
        s.push_str(&format!("… and {} more in the file\n", spec.tasks.tasks.len() - 80));
    }
    s.push_str(&approval_step("tasks").replace("When it is written", "When it is updated"));
    Ok(s)
}
