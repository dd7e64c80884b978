//! Document templates: built into the binary, overridable per workspace.
//!
//! Lookup order for the spec-workflow documents: `.spec-workflow/user-templates/{kind}-template.md`
//! (the peer's override folder), then the built-in template. Placeholders are `{{name}}` and are
//! replaced literally; unknown placeholders are left as written.

use std::path::Path;

/// A template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateKind {
    /// `requirements.md` with EARS acceptance criteria.
    Requirements,
    /// `design.md`.
    Design,
    /// `tasks.md`.
    Tasks,
    /// A numbered leaf spec (`1014.spec.md`).
    NumberedSpec,
    /// A numbered area spec (`1001/spec.md`).
    AreaSpec,
    /// A numbered spec's context file.
    Context,
    /// Steering document `product.md`.
    Product,
    /// Steering document `tech.md`.
    Tech,
    /// Steering document `structure.md`.
    Structure,
}

impl TemplateKind {
    /// The built-in text.
    pub fn builtin(self) -> &'static str {
        match self {
            Self::Requirements => include_str!("../../templates/requirements.md"),
            Self::Design => include_str!("../../templates/design.md"),
            Self::Tasks => include_str!("../../templates/tasks.md"),
            Self::NumberedSpec => include_str!("../../templates/numbered-spec.md"),
            Self::AreaSpec => include_str!("../../templates/area-spec.md"),
            Self::Context => include_str!("../../templates/context.md"),
            Self::Product => include_str!("../../templates/product.md"),
            Self::Tech => include_str!("../../templates/tech.md"),
            Self::Structure => include_str!("../../templates/structure.md"),
        }
    }

    /// The peer's template file name, for the kinds it knows.
    pub fn peer_name(self) -> Option<&'static str> {
        match self {
            Self::Requirements => Some("requirements-template.md"),
            Self::Design => Some("design-template.md"),
            Self::Tasks => Some("tasks-template.md"),
            Self::Product => Some("product-template.md"),
            Self::Tech => Some("tech-template.md"),
            Self::Structure => Some("structure-template.md"),
            _ => None,
        }
    }

    /// Parses a document name (`requirements`, `design`, `tasks`).
    pub fn parse_doc(s: &str) -> Option<Self> {
        Some(match s.trim_end_matches(".md") {
            "requirements" => Self::Requirements,
            "design" => Self::Design,
            "tasks" => Self::Tasks,
            _ => return None,
        })
    }
}

/// The template text for `kind` in the workspace at `root`: the user's override when present.
pub fn load(root: &Path, kind: TemplateKind) -> String {
    if let Some(name) = kind.peer_name()
        && let Ok(text) =
            crate::base::path_policy::read_to_string(root.join(".spec-workflow/user-templates").join(name))
    {
        return text;
    }
    kind.builtin().to_owned()
}

/// Whether `title` is the title of a task in a built-in template (`First task: what it
/// delivers`, `Second task`, …): a task nobody has written yet.
pub fn is_placeholder_task(title: &str) -> bool {
    static TITLES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        [TemplateKind::Tasks, TemplateKind::NumberedSpec]
            .iter()
            .flat_map(|k| k.builtin().lines())
            .filter_map(|l| l.strip_prefix("- [ ] ")?.split_once(". ").map(|(_, t)| t.trim()))
            .collect()
    });
    TITLES.contains(&title.trim())
}

/// The bracketed placeholders of the template `template` (`[role]`, `[event]`, `[system]`) that
/// `text` still holds, each once, in the template's order: what nobody has filled in yet.
pub fn placeholders_left(template: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else { break };
        let word = &after[..close];
        // `[role]`, `[load]`, `[security property]` — not `[ ]`, `[x]` or `[[links]]`.
        if word.len() > 2 && word.bytes().all(|b| b.is_ascii_lowercase() || b == b' ') {
            let token = format!("[{word}]");
            if text.contains(&token) && !out.contains(&token) {
                out.push(token);
            }
        }
        rest = &after[close..];
    }
    out
}

/// Replaces `{{key}}` placeholders.
pub fn render(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    out
}

#[cfg(test)]
mod placeholder_tests {
    use super::*;

    #[test]
    fn placeholders_left_in_a_document() {
        let t = TemplateKind::Requirements.builtin();
        let untouched = render(t, &[("title", "Auth")]);
        let left = placeholders_left(t, &untouched);
        assert!(left.len() >= 5, "{left:?}");
        assert_eq!(left[0], "[role]");
        let written = "# Requirements\n\n### Requirement 1\n\nAs a clerk, I want [x] invoices.\n- [ ] not one\n";
        assert_eq!(placeholders_left(t, written), Vec::<String>::new());
    }
}
