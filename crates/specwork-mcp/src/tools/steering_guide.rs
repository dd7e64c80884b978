//! `steering-guide`: how to write the project's steering documents (product, tech, structure),
//! the peer's tool of the same name, in specwork's own words.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

use super::has;
use crate::args::{Args, NoArgs};
use crate::call::{Call, Reply, ToolError};
use crate::protocol::{Invocation, Server};

#[tool_router(router = steering_guide_router, vis = "pub(crate)")]
impl Server {
    #[tool(
        name = "steering-guide",
        description = "How to write steering docs (product, tech, structure), if asked.",
        annotations(read_only_hint = true)
    )]
    async fn steering_guide(&self, Parameters(args): Parameters<Args<NoArgs>>, on: Invocation) -> CallToolResult {
        self.run(on, args, run).await
    }
}

fn run(_call: &Call<'_>, _: NoArgs) -> Result<Reply, ToolError> {
    Ok(super::guide::markdown(guide()))
}

/// The guide. The approval step names the `approvals` tool only when the server offers it.
pub fn guide() -> String {
    let approve = if has("approvals") {
        "call `approvals` {action: request, categoryName: steering, filePath: .spec-workflow/steering/DOC.md, \
         title} and `approvals` {action: wait, approvalId}; on needs-revision apply the comments and request \
         again. Go on to the next document only once it is approved."
    } else {
        "ask the user to review it, and revise it until they approve. Go on to the next document only then."
    };
    format!(
        "# Steering documents (specwork)

Steering documents hold what every spec of the project should respect. Write them only when the
user asks for them; specs work without them. They live in `.spec-workflow/steering/`, one at a
time and in this order, each approved before the next:

1. `product.md`: the product's purpose, its users, the features that matter, the goals and how
   success is measured.
2. `tech.md`: languages, frameworks, dependencies and tools in use, how the project is built,
   tested and deployed, constraints and decisions already taken.
3. `structure.md`: how the repository is laid out, naming and module conventions, where new code
   goes.

For each document:
- Read the repository first (README, manifests, source tree, existing docs) and state what is
  there; ask the user only what the code cannot tell.
- Start from the template: the `create-steering-doc` prompt gives it
  (`.spec-workflow/user-templates/DOC-template.md` overrides specwork's). Replace every
  placeholder and keep its headings.
- Write the file, then {approve}

Specs read these documents before requirements, design and tasks (the `create-spec` prompt
lists them), so keep them short and current; update them when the project changes and ask for
approval again.
"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn guide_is_short_and_names_the_files() {
        let g = super::guide();
        assert!(g.len() < 4096, "guide is {} bytes", g.len());
        for doc in ["product.md", "tech.md", "structure.md", "`approvals`"] {
            assert!(g.contains(doc), "{doc}");
        }
    }
}
