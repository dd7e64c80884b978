//! `spec-workflow-guide`: the workflow as specwork runs it, in a page of Markdown.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use serde_json::json;

use super::{ORDER, has};
use crate::args::{Args, NoArgs};
use crate::call::{Call, Reply, ToolError};
use crate::protocol::{Invocation, Server};

#[tool_router(router = guide_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "spec-workflow-guide",
        description = "The spec workflow (requirements, design, tasks, code) with these tools. Read once.",
        annotations(read_only_hint = true)
    )]
    async fn spec_workflow_guide(&self, Parameters(args): Parameters<Args<NoArgs>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

fn run(_call: &Call<'_>, _: NoArgs) -> Result<Reply, ToolError> {
    Ok(markdown(guide()))
}

/// A guide's reply: `{guide}` as structured content, the Markdown itself as the text.
pub(super) fn markdown(guide: String) -> Reply {
    Reply { structured: json!({ "guide": guide }), text: guide }
}

/// The guide. Steps that need a tool the server does not offer yet say what to do instead.
pub fn guide() -> String {
    let approve = if has("approvals") {
        "Then call `approvals` {action: request, filePath, title, categoryName: name} and \
         `approvals` {action: wait, approvalId}: it returns when the user decides. On \
         `needs-revision`, apply the comments and request again; on `approved`, go on."
    } else {
        "Then stop and ask the user to review and approve the document; revise it until they do."
    };
    let start = if has("do-task") {
        "`do-task` {specName, taskId} marks it in progress and returns its prompt"
    } else {
        "`tasks` {action: set, specName, taskId, status: in-progress} marks it; \
         `tasks` {action: show} returns its prompt, files and requirements"
    };
    let log = if has("log-implementation") {
        "\n4. Call `log-implementation` with a summary, the files and the artifacts (APIs, components, \
         functions, classes, integrations): later tasks search these logs instead of re-reading code."
    } else {
        ""
    };
    let step = if has("log-implementation") { "5" } else { "4" };
    let finish = if has("do-task") {
        "`do-task` {specName, taskId, done: true} marks it done and records its tokens"
    } else {
        "`tasks` {action: set, status: done} marks it done"
    };
    let mut s = format!(
        "# Spec workflow (specwork)

Specs are plain Markdown in the repository. A named spec is `.spec-workflow/specs/{{name}}/` with
`requirements.md`, `design.md` and `tasks.md` (kebab-case names; one spec at a time). A numbered
spec is `specs/…/{{id}}.spec.md` with its tasks in a `## Tasks` section and a `{{id}}.context.md`
timeline. Read `.spec-workflow/steering/*.md` first when present (`steering-guide` says how to
write them, when the user asks for them).

## 1. Requirements
Write `requirements.md`: user stories and EARS acceptance criteria (`WHEN … THEN the system SHALL …`).
The `create-spec` prompt gives the template (`.spec-workflow/user-templates/` overrides it).
{approve}

## 2. Design
Write `design.md` from the approved requirements: architecture, components and interfaces, data
models, error handling, testing. Look for code to reuse first. Same approval step.

## 3. Tasks
Write `tasks.md`, one checkbox per small task, in order:
```
- [ ] 1. Create the Invoice model
  - File: src/models/invoice.ts
  - _Requirements: 1.1, 1.2_
  - _Leverage: src/models/base.ts_
  - _Prompt: Role: … | Task: … | Restrictions: … | Success: …_
```
Markers: `[ ]` pending, `[-]` in progress, `[x]` done, `[~]` blocked (with `_Blocked: reason_`).
Same approval step; do not implement before tasks are approved.

## 4. Implementation, one task at a time
1. `resume` {{specName}} or `spec-status` shows where the spec stands and the next task.
2. {start}.
3. Implement it following its `_Prompt`, and run the tests.{log}
{step}. {finish}; if stuck, `tasks` {{action: set, status: blocked, reason}}.
Edit only the task's marker; never rewrite tasks.md wholesale.

Tools: "
    );
    let names: Vec<String> = ORDER.iter().map(|t| format!("`{t}`")).collect();
    s.push_str(&names.join(", "));
    s.push_str(".\n");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn guide_is_short_and_lists_every_tool() {
        let g = super::guide();
        assert!(g.len() < 4096, "guide is {} bytes", g.len());
        for t in super::ORDER {
            assert!(g.contains(&format!("`{t}`")), "{t}");
        }
    }
}
