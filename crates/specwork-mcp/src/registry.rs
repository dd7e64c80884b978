//! The tool registry: each tool is a name, a one-line description, a parameter list and one
//! plain function from a [`Call`] to a [`Reply`]. Nothing here knows about the MCP SDK.
//!
//! Invariants:
//! * the JSON Schema a client sees is generated from the same [`Param`] list that [`validate`]
//!   checks the arguments against, so a tool never receives an argument its schema did not
//!   declare, of a type it did not declare;
//! * `projectPath` is accepted by every tool (the peer's prompts send it); it is checked by
//!   [`crate::scope`] before the tool runs;
//! * a [`Reply`] is bounded: tools page or summarise, and [`finish`] refuses anything over
//!   [`MAX_REPLY_BYTES`] with an error the model can act on, instead of flooding its context.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde_json::{Map, Value, json};
use specwork_core::{Spec, Workspace, base::names};

/// The largest reply (text form) a tool may return: about 4k tokens.
pub const MAX_REPLY_BYTES: usize = 16 * 1024;

/// The most characters of an error's message (and of its hint) a reply carries: an error
/// echoes what it was given (a 1 MB spec name), and its text and structured forms together stay
/// under [`MAX_REPLY_BYTES`] (4 × 768 characters of at most 4 bytes each).
pub const MAX_ERROR_CHARS: usize = 768;

/// The most JSON a page of a list holds, leaving room for the rest of the reply.
pub const PAGE_BYTES: usize = 10 * 1024;

/// The type of a parameter.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A string.
    Str,
    /// A non-negative integer up to the bound (numeric strings are accepted too).
    Int(u64),
    /// A boolean (`"true"`/`"false"` strings are accepted too).
    Bool,
    /// One of the listed strings.
    Enum(&'static [&'static str]),
    /// An array of strings.
    StrList,
    /// A JSON object (its shape is checked by the tool).
    Object,
}

/// One parameter of a tool.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its name in `arguments` (camelCase, as the peer names them).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it must be given.
    pub required: bool,
    /// A few words, or empty when the name says it all.
    pub desc: &'static str,
}

/// A required parameter.
pub const fn req(name: &'static str, kind: Kind, desc: &'static str) -> Param {
    Param { name, kind, required: true, desc }
}

/// An optional parameter.
pub const fn opt(name: &'static str, kind: Kind, desc: &'static str) -> Param {
    Param { name, kind, required: false, desc }
}

/// The `specName` parameter most tools take.
pub const SPEC_NAME: Param = req("specName", Kind::Str, "");
/// The peer's optional `projectPath`: the workspace root or a folder inside it.
pub const PROJECT_PATH: Param = opt("projectPath", Kind::Str, "");
/// Page cursor: the `nextCursor` of the previous page.
pub const CURSOR: Param = opt("cursor", Kind::Str, "");

/// A tool.
pub struct ToolDef {
    /// Its name.
    pub name: &'static str,
    /// One short, exact sentence.
    pub description: &'static str,
    /// Its parameters, in the order the schema lists them.
    pub params: &'static [Param],
    /// Whether it only reads (the `readOnlyHint` annotation).
    pub read_only: bool,
    /// The function that runs it.
    pub run: fn(&Call<'_>) -> Result<Reply, ToolError>,
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef").field("name", &self.name).finish_non_exhaustive()
    }
}

impl ToolDef {
    /// The JSON Schema of its arguments, as compact as the schema language allows.
    pub fn input_schema(&self) -> Map<String, Value> {
        let mut props = Map::new();
        for p in self.params {
            let mut s = match p.kind {
                Kind::Str => json!({"type": "string"}),
                Kind::Int(max) => json!({"type": "integer", "maximum": max}),
                Kind::Bool => json!({"type": "boolean"}),
                Kind::Enum(values) => json!({"enum": values}),
                Kind::StrList => json!({"type": "array", "items": {"type": "string"}}),
                Kind::Object => json!({"type": "object"}),
            };
            if !p.desc.is_empty() {
                s["description"] = Value::from(p.desc);
            }
            props.insert(p.name.to_owned(), s);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), "object".into());
        schema.insert("properties".into(), Value::Object(props));
        let required: Vec<&str> = self.params.iter().filter(|p| p.required).map(|p| p.name).collect();
        if !required.is_empty() {
            schema.insert("required".into(), json!(required));
        }
        schema
    }

    fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

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

/// Checks a reply against [`MAX_REPLY_BYTES`].
pub fn finish(tool: &ToolDef, reply: Result<Reply, ToolError>) -> Result<Reply, ToolError> {
    let reply = reply?;
    if reply.text.len() > MAX_REPLY_BYTES {
        return Err(ToolError::new(
            format!(
                "the {} reply would be {} KB, over the {} KB limit",
                tool.name,
                reply.text.len() / 1024,
                MAX_REPLY_BYTES / 1024
            ),
            "pass a smaller `limit` and page with `cursor`, or ask for one spec or task",
        ));
    }
    Ok(reply)
}

/// Checks `arguments` against the tool's parameters: no unknown names, the declared types,
/// required ones present. `null` counts as absent.
pub fn validate(tool: &ToolDef, args: &Map<String, Value>) -> Result<(), ToolError> {
    let takes = || {
        let names: Vec<&str> = tool.params.iter().map(|p| p.name).collect();
        if names.is_empty() {
            format!("{} takes no arguments", tool.name)
        } else {
            format!("{} takes {}", tool.name, names.join(", "))
        }
    };
    for (name, value) in args {
        if value.is_null() || name == PROJECT_PATH.name && tool.param(name).is_none() && value.is_string() {
            continue;
        }
        let Some(p) = tool.param(name) else {
            return Err(ToolError::new(format!("unknown argument `{name}`"), takes()));
        };
        let ok = match p.kind {
            Kind::Str => value.is_string(),
            Kind::Int(max) => int_of(value).is_some_and(|n| n <= max),
            Kind::Bool => bool_of(value).is_some(),
            Kind::Enum(values) => value.as_str().is_some_and(|s| values.contains(&s)),
            Kind::StrList => value.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Kind::Object => value.is_object(),
        };
        if !ok {
            let expected = match p.kind {
                Kind::Str => "a string".to_owned(),
                Kind::Int(max) => format!("an integer from 0 to {max}"),
                Kind::Bool => "true or false".to_owned(),
                Kind::Enum(values) => format!("one of {}", values.join(", ")),
                Kind::StrList => "an array of strings".to_owned(),
                Kind::Object => "an object".to_owned(),
            };
            return Err(ToolError::new(format!("argument `{name}` must be {expected}"), takes()));
        }
    }
    for p in tool.params.iter().filter(|p| p.required) {
        if args.get(p.name).is_none_or(Value::is_null) {
            return Err(ToolError::new(format!("missing argument `{}`", p.name), takes()));
        }
    }
    Ok(())
}

fn int_of(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn bool_of(v: &Value) -> Option<bool> {
    v.as_bool().or_else(|| match v.as_str()? {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    })
}

/// One tool call: its validated arguments, the workspace it runs in, and a cancellation flag.
pub struct Call<'a> {
    tool: &'static ToolDef,
    args: &'a Map<String, Value>,
    root: Result<PathBuf, ToolError>,
    workspace: OnceCell<Workspace>,
    cancelled: &'a AtomicBool,
}

impl<'a> Call<'a> {
    /// A call of `tool` with arguments already [`validate`]d, in the workspace `root`.
    pub fn new(
        tool: &'static ToolDef,
        args: &'a Map<String, Value>,
        root: Result<PathBuf, ToolError>,
        cancelled: &'a AtomicBool,
    ) -> Self {
        Self { tool, args, root, workspace: OnceCell::new(), cancelled }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        debug_assert!(self.tool.param(name).is_some(), "{} reads undeclared argument {name}", self.tool.name);
        self.args.get(name).filter(|v| !v.is_null())
    }

    /// A string argument, if given.
    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Value::as_str)
    }

    /// A required string argument ([`validate`] made sure it is there).
    pub fn required(&self, name: &str) -> Result<&'a str, ToolError> {
        self.str(name).ok_or_else(|| ToolError::new(format!("missing argument `{name}`"), "pass it"))
    }

    /// An integer argument, if given.
    pub fn int(&self, name: &str) -> Option<u64> {
        self.get(name).and_then(int_of)
    }

    /// A boolean argument, if given.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(bool_of)
    }

    /// A string-array argument (empty when not given).
    pub fn str_list(&self, name: &str) -> Vec<&'a str> {
        self.get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// An object argument, if given.
    pub fn object(&self, name: &str) -> Option<&'a Map<String, Value>> {
        self.get(name).and_then(Value::as_object)
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

    /// The spec named by the `specName` argument: the name is checked first (no paths), then
    /// looked up, with close names as the hint when it does not exist.
    pub fn spec(&self) -> Result<&Spec, ToolError> {
        self.spec_by_id(self.required(SPEC_NAME.name)?)
    }

    /// The spec `name`, checked and looked up as [`Call::spec`] does.
    pub fn spec_by_id(&self, name: &str) -> Result<&Spec, ToolError> {
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

    /// The page asked for by `cursor` and `limit`.
    pub fn page(&self, default_limit: usize) -> Result<Page, ToolError> {
        let offset = match self.str(CURSOR.name) {
            None | Some("") => 0,
            Some(c) => c.parse().map_err(|_| {
                ToolError::new(format!("invalid cursor `{c}`"), "pass the nextCursor of the previous page, or none")
            })?,
        };
        let limit = self.int("limit").map_or(default_limit, |l| usize::try_from(l).unwrap_or(usize::MAX)).max(1);
        Ok(Page { offset, limit })
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

    fn noop(_: &Call<'_>) -> Result<Reply, ToolError> {
        Ok(Reply::json(&json!({})))
    }

    static T: ToolDef = ToolDef {
        name: "t",
        description: "d",
        params: &[SPEC_NAME, opt("limit", Kind::Int(100), ""), opt("mode", Kind::Enum(&["a", "b"]), "")],
        read_only: true,
        run: noop,
    };

    fn args(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn validation_follows_the_schema() {
        assert!(validate(&T, &args(json!({"specName": "x", "limit": 5, "mode": "a"}))).is_ok());
        assert!(validate(&T, &args(json!({"specName": "x", "limit": "5", "projectPath": "/p"}))).is_ok());
        assert!(validate(&T, &args(json!({"specName": "x", "mode": null}))).is_ok());
        let e = validate(&T, &args(json!({"limit": 5}))).unwrap_err();
        assert_eq!(e.message, "missing argument `specName`");
        assert_eq!(e.hint, "t takes specName, limit, mode");
        assert!(validate(&T, &args(json!({"specName": "x", "limit": 500}))).is_err());
        assert!(validate(&T, &args(json!({"specName": "x", "mode": "c"}))).is_err());
        assert!(validate(&T, &args(json!({"specName": "x", "other": 1}))).is_err());
        let schema = Value::Object(T.input_schema()).to_string();
        assert_eq!(
            schema,
            r#"{"properties":{"limit":{"maximum":100,"type":"integer"},"mode":{"enum":["a","b"]},"specName":{"type":"string"}},"required":["specName"],"type":"object"}"#
        );
    }

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
