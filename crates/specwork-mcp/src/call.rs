//! What a tool runs with and answers: a [`Call`] (its workspace, read once, and cancellation), a
//! [`Reply`] or a [`ToolError`] (message and hint), and [`Page`]s of long lists. Nothing here
//! knows about the MCP SDK; a tool's arguments are its own typed struct ([`crate::args`]).
//!
//! Invariant: a [`Reply`] is bounded: tools page or summarise, and [`finish`] refuses anything
//! over [`MAX_REPLY_BYTES`] with an error the model can act on, instead of flooding its context.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde_json::{Value, json};
use specwork_core::{Spec, Workspace, base::names};

/// The largest reply (text form) a tool may return: about 4k tokens.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;

/// The most characters of an error's message (and of its hint) a reply carries: an error
/// echoes what it was given (a 1 MB spec name), and its text and structured forms together stay
/// under [`MAX_REPLY_BYTES`] (4 × 768 characters of at most 4 bytes each).
pub const MAX_ERROR_CHARS: usize = 768;

/// The most JSON a page of a list holds, leaving room for the rest of the reply.
pub const PAGE_BYTES: usize = 10 * 1024;

/// A failure inside a tool: a message and the fix, both for the model to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolError {
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

impl ToolError {
    /// An error with its hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self { message: message.into(), hint: hint.into() }
    }

    /// The text form the model reads (bounded: see [`MAX_ERROR_CHARS`]).
    pub fn text(&self) -> String {
        format!("error: {}\nhint: {}", clip(&self.message, MAX_ERROR_CHARS), clip(&self.hint, MAX_ERROR_CHARS))
    }

    /// The structured form (bounded like the text).
    pub fn structured(&self) -> Value {
        json!({"error": clip(&self.message, MAX_ERROR_CHARS), "hint": clip(&self.hint, MAX_ERROR_CHARS)})
    }
}

impl From<names::NameError> for ToolError {
    fn from(e: names::NameError) -> Self {
        let hint = match e.what {
            "task id" => "pass a task id as listed by `tasks` (e.g. 1.2), never a path",
            _ => "pass a spec id as listed by `status` (e.g. user-auth or 1014), never a path",
        };
        Self::new(e.to_string(), hint)
    }
}

/// A tool's answer: structured content, and the same content as text.
#[derive(Clone, Debug)]
pub struct Reply {
    /// A JSON object.
    pub structured: Value,
    /// The text form; compact JSON of `structured` unless a tool renders it (the guide).
    pub text: String,
}

impl Reply {
    /// A reply whose text is the compact JSON of `value`. Keys are camelCase, as MCP tools name
    /// things, whatever the core struct calls them (`tasks_done` → `tasksDone`).
    pub fn json(value: &impl Serialize) -> Self {
        let mut structured = serde_json::to_value(value).unwrap_or_else(|e| json!({"error": e.to_string()}));
        camel_keys(&mut structured);
        let text = structured.to_string();
        Self { structured, text }
    }
}

/// Renames `snake_case` object keys to `camelCase`, recursively.
fn camel_keys(v: &mut Value) {
    match v {
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut val) in old {
                camel_keys(&mut val);
                let key = if k.contains('_')
                    && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    let mut out = String::with_capacity(k.len());
                    let mut up = false;
                    for c in k.chars() {
                        if c == '_' {
                            up = !out.is_empty();
                        } else if up {
                            out.push(c.to_ascii_uppercase());
                            up = false;
                        } else {
                            out.push(c);
                        }
                    }
                    out
                } else {
                    k
                };
                map.insert(key, val);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(camel_keys),
        _ => {}
    }
}

/// Checks the reply of the tool `tool` against [`MAX_REPLY_BYTES`].
pub fn finish(tool: &str, reply: Result<Reply, ToolError>) -> Result<Reply, ToolError> {
    let reply = reply?;
    if reply.text.len() > MAX_REPLY_BYTES {
        return Err(ToolError::new(
            format!(
                "the {tool} reply would be {} KB, over the {} KB limit",
                reply.text.len() / 1024,
                MAX_REPLY_BYTES / 1024
            ),
            "pass a smaller `limit` and page with `cursor`, or ask for one spec or task",
        ));
    }
    Ok(reply)
}

/// One tool call: the workspace it runs in and a cancellation flag. Its arguments are the
/// tool's own typed struct, read before the call by [`crate::args`].
pub struct Call<'a> {
    root: Result<PathBuf, ToolError>,
    workspace: OnceCell<Workspace>,
    cancelled: &'a AtomicBool,
}

impl<'a> Call<'a> {
    /// A call in the workspace `root`.
    pub fn new(root: Result<PathBuf, ToolError>, cancelled: &'a AtomicBool) -> Self {
        Self { root, workspace: OnceCell::new(), cancelled }
    }

    /// Whether the client cancelled the call (long waits check this).
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The workspace root for this call.
    pub fn root(&self) -> Result<&Path, ToolError> {
        self.root.as_deref().map_err(Clone::clone)
    }

    /// The workspace, read once per call.
    pub fn workspace(&self) -> Result<&Workspace, ToolError> {
        if let Some(ws) = self.workspace.get() {
            return Ok(ws);
        }
        let ws =
            Workspace::load(self.root()?).map_err(|e| ToolError::new(e.to_string(), "check the workspace path"))?;
        Ok(self.workspace.get_or_init(|| ws))
    }

    /// The spec `name` (a `specName` argument): the name is checked first (no paths), then
    /// looked up, with close names as the hint when it does not exist.
    pub fn spec(&self, name: &str) -> Result<&Spec, ToolError> {
        names::spec_name(name)?;
        let ws = self.workspace()?;
        ws.spec(name).map_err(|_| {
            let close = ws.suggest(name);
            let hint = if close.is_empty() {
                "call `status` to list the specs".to_owned()
            } else {
                format!("did you mean {}? `status` lists the specs", close.join(", "))
            };
            ToolError::new(format!("no spec `{name}` in this workspace"), hint)
        })
    }
}

/// A window over a list.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// First item.
    pub offset: usize,
    /// Most items.
    pub limit: usize,
}

impl Page {
    /// The page asked for by the `cursor` and `limit` arguments.
    pub fn new(cursor: Option<&str>, limit: Option<u64>, default_limit: usize) -> Result<Self, ToolError> {
        let offset = match cursor {
            None | Some("") => 0,
            Some(c) => c.parse().map_err(|_| {
                ToolError::new(format!("invalid cursor `{c}`"), "pass the nextCursor of the previous page, or none")
            })?,
        };
        let limit = limit.map_or(default_limit, |l| usize::try_from(l).unwrap_or(usize::MAX)).max(1);
        Ok(Self { offset, limit })
    }

    /// The items of this page, and the cursor of the next one when there is more. A page also
    /// ends before its items' JSON passes [`PAGE_BYTES`], so long titles shorten the page
    /// instead of making the reply too big.
    pub fn take<T: Serialize>(self, items: impl IntoIterator<Item = T>) -> (Vec<T>, Option<String>) {
        let mut it = items.into_iter().skip(self.offset).peekable();
        let mut page = Vec::new();
        let mut bytes = 0;
        while page.len() < self.limit {
            let Some(item) = it.peek() else { break };
            let size = serde_json::to_string(item).map_or(0, |s| s.len() + 1);
            if !page.is_empty() && bytes + size > PAGE_BYTES {
                break;
            }
            bytes += size;
            page.extend(it.next());
        }
        let next = it.peek().is_some().then(|| (self.offset + page.len()).to_string());
        (page, next)
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with `…`.
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_use_camel_case_keys() {
        let r = Reply::json(
            &json!({"tasks_done": 1, "today": {"cost_usd": 2.5}, "list": [{"in_progress": []}], "keep": {"a-b": 1}}),
        );
        assert_eq!(r.text, r#"{"keep":{"a-b":1},"list":[{"inProgress":[]}],"tasksDone":1,"today":{"costUsd":2.5}}"#);
    }

    #[test]
    fn pages_and_clips() {
        let (p, next) = Page { offset: 0, limit: 2 }.take(1..=5);
        assert_eq!((p, next.as_deref()), (vec![1, 2], Some("2")));
        let (p, next) = Page { offset: 4, limit: 2 }.take(1..=5);
        assert_eq!((p, next), (vec![5], None));
        let long: Vec<String> = (0..100).map(|i| format!("{i:0>300}")).collect();
        let (p, next) = Page { offset: 0, limit: 100 }.take(long);
        assert!(p.len() < 40 && next == Some(p.len().to_string()), "{} items", p.len());
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hé", 2), "hé");
    }
}
