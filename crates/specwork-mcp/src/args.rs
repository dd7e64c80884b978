//! A tool's arguments: one `#[derive(Deserialize, JsonSchema)]` struct per tool, taken as
//! `Parameters<Args<P>>` by its `#[tool]` method. rmcp's `#[tool]` macro lists the schema
//! schemars derives from `P`; [`compact`] trims it for `tools/list`, and [`Args::parse`] reads
//! the call's `arguments` into `P` with an error that names the argument and says what the tool
//! takes, as an `isError` result with a hint (rmcp's own `Parameters<P>` would answer with
//! serde's words and no hint).
//!
//! Invariants:
//! * the schema a client sees is the one the arguments are checked against: unknown and missing
//!   arguments are found in its `properties` and `required`, and a wrong type is worded from
//!   the argument's own schema;
//! * `null` counts as absent;
//! * `projectPath` is accepted by every tool (the peer's prompts send it); it is checked by
//!   [`crate::scope`] before the tool runs;
//! * integers and booleans sent as strings (`"20"`, `"true"`, as some clients send every
//!   argument) are read as such ([`Int`], [`Bool`]).

use std::borrow::Cow;
use std::marker::PhantomData;

use rmcp::model::JsonObject;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::call::ToolError;

/// The argument every tool accepts: the workspace root or a folder inside it.
pub const PROJECT_PATH: &str = "projectPath";

/// A tool's arguments as sent, to be read into `P` by [`Args::parse`]. Its schema is `P`'s.
pub struct Args<P> {
    raw: JsonObject,
    typed: PhantomData<fn() -> P>,
}

impl<'de, P> Deserialize<'de> for Args<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        JsonObject::deserialize(d).map(|raw| Self { raw, typed: PhantomData })
    }
}

impl<P: JsonSchema> JsonSchema for Args<P> {
    fn schema_name() -> Cow<'static, str> {
        P::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        P::json_schema(generator)
    }
}

/// What the arguments of a tool that takes none deserialize into.
#[derive(Deserialize, JsonSchema)]
pub struct NoArgs {}

impl<P: DeserializeOwned> Args<P> {
    /// The arguments as `P`, and `projectPath` when given, checked against `schema` (the tool's
    /// `inputSchema` as listed).
    pub fn parse(self, tool: &str, schema: &JsonObject) -> Result<(P, Option<String>), ToolError> {
        let empty = JsonObject::new();
        let props = schema.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let required: Vec<&str> =
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let mut args: JsonObject = self.raw.into_iter().filter(|(_, v)| !v.is_null()).collect();
        let project_path = args.get(PROJECT_PATH).and_then(Value::as_str).map(str::to_owned);
        if project_path.is_some() && !props.contains_key(PROJECT_PATH) {
            args.remove(PROJECT_PATH);
        }
        let takes = || {
            // Required first, as the schema lists them, then the rest.
            let mut names = required.clone();
            names.extend(props.keys().map(String::as_str).filter(|k| !required.contains(k)));
            if names.is_empty() {
                format!("{tool} takes no arguments")
            } else {
                format!("{tool} takes {}", names.join(", "))
            }
        };
        if let Some(name) = args.keys().find(|k| !props.contains_key(*k)) {
            return Err(ToolError::new(format!("unknown argument `{name}`"), takes()));
        }
        if let Some(name) = required.iter().find(|r| !args.contains_key(**r)) {
            return Err(ToolError::new(format!("missing argument `{name}`"), takes()));
        }
        let typed = serde_path_to_error::deserialize(Value::Object(args)).map_err(|e| {
            let name = match e.path().iter().next() {
                Some(serde_path_to_error::Segment::Map { key }) => key.clone(),
                _ => return ToolError::new(format!("invalid arguments: {}", e.inner()), takes()),
            };
            ToolError::new(format!("argument `{name}` must be {}", expected(props.get(&name))), takes())
        })?;
        Ok((typed, project_path))
    }
}

/// What an argument's schema asks for, in words.
fn expected(schema: Option<&Value>) -> String {
    let Some(s) = schema else { return "as the schema says".to_owned() };
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return format!("one of {}", values.join(", "));
    }
    match s.get("type").and_then(Value::as_str) {
        Some("string") => "a string".to_owned(),
        Some("boolean") => "true or false".to_owned(),
        Some("integer") => match s.get("maximum") {
            Some(max) => format!("an integer from 0 to {max}"),
            None => "an integer".to_owned(),
        },
        Some("array") if s.pointer("/items/type").and_then(Value::as_str) == Some("string") => {
            "an array of strings".to_owned()
        }
        Some("array") => "an array".to_owned(),
        Some("object") => "an object".to_owned(),
        _ => "as the schema says".to_owned(),
    }
}

/// The schema as `tools/list` shows it: what schemars writes, less what costs bytes without
/// telling the model anything (`$schema`, titles, integer formats, `type` beside an `enum` of
/// strings, `null` as the type of an optional argument: optional is what `required` already
/// says). The whole list must stay under 6 KB.
pub fn compact(schema: &JsonObject) -> JsonObject {
    let mut s = schema.clone();
    trim(&mut s);
    // A tool without arguments lists `properties: {}`, as clients that require it expect.
    s.entry("properties").or_insert_with(|| Value::Object(JsonObject::new()));
    s
}

fn trim(s: &mut JsonObject) {
    for k in ["$schema", "title", "format", "default"] {
        s.remove(k);
    }
    if s.get("additionalProperties") == Some(&Value::Bool(true)) {
        s.remove("additionalProperties");
    }
    if let Some(Value::Array(types)) = s.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let t = types.remove(0);
            s.insert("type".into(), t);
        }
    }
    if let Some(Value::Array(values)) = s.get_mut("enum") {
        values.retain(|v| !v.is_null());
        // A list of strings says its type.
        if values.iter().all(Value::is_string) && s.get("type") == Some(&Value::from("string")) {
            s.remove("type");
        }
    }
    // `Option<T>` of a schema with its own keywords: `anyOf: [T, {type: null}]` becomes T.
    if let Some(Value::Array(any)) = s.get("anyOf")
        && any.len() == 2
        && let Some(i) = any.iter().position(|a| a.get("type") == Some(&Value::from("null")))
        && let Some(Value::Object(other)) = any.get(1 - i).cloned()
    {
        s.remove("anyOf");
        for (k, v) in other {
            s.entry(k).or_insert(v);
        }
    }
    if let Some(Value::Object(props)) = s.get_mut("properties") {
        props.values_mut().filter_map(Value::as_object_mut).for_each(trim);
    }
    if let Some(Value::Object(items)) = s.get_mut("items") {
        trim(items);
    }
}

/// A non-negative integer up to `MAX` (a numeric string is read too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Int<const MAX: u64>(pub u64);

impl<'de, const MAX: u64> Deserialize<'de> for Int<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|n| *n <= MAX)
            .map(Self)
            .ok_or_else(|| D::Error::custom(format!("expected an integer from 0 to {MAX}, got {v}")))
    }
}

impl<const MAX: u64> JsonSchema for Int<MAX> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("IntTo{MAX}").into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer", "maximum": MAX})
    }
}

/// A boolean (`"true"` and `"false"` are read too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bool(pub bool);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        match v.as_bool().or_else(|| match v.as_str()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }) {
            Some(b) => Ok(Self(b)),
            None => Err(D::Error::custom(format!("expected true or false, got {v}"))),
        }
    }
}

impl JsonSchema for Bool {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "Bool".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "boolean"})
    }
}

/// Whether an optional flag was given as true.
pub fn flag(given: Option<Bool>) -> bool {
    given.is_some_and(|b| b.0)
}

#[cfg(test)]
mod tests {
    use rmcp::handler::server::common::schema_for_input;
    use rmcp::handler::server::wrapper::Parameters;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize, JsonSchema)]
    #[serde(rename_all = "kebab-case")]
    #[schemars(inline)]
    enum Mode {
        A,
        InProgress,
    }

    #[derive(Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    struct T {
        spec_name: String,
        #[schemars(description = "default 20")]
        limit: Option<Int<100>>,
        mode: Option<Mode>,
        on: Option<Bool>,
        files: Option<Vec<String>>,
    }

    /// The schema as `tools/list` shows it (rmcp's generator, then [`compact`]).
    fn schema() -> JsonObject {
        compact(&schema_for_input::<Parameters<Args<T>>>().unwrap())
    }

    fn parse(v: Value) -> Result<(T, Option<String>), ToolError> {
        let Value::Object(raw) = v else { panic!("{v}") };
        Args::<T> { raw, typed: PhantomData }.parse("t", &schema())
    }

    #[test]
    fn the_listed_schema_is_compact() {
        assert_eq!(
            Value::Object(schema()).to_string(),
            r#"{"properties":{"files":{"items":{"type":"string"},"type":"array"},"limit":{"description":"default 20","maximum":100,"type":"integer"},"mode":{"enum":["a","in-progress"]},"on":{"type":"boolean"},"specName":{"type":"string"}},"required":["specName"],"type":"object"}"#
        );
    }

    #[test]
    fn arguments_are_read_as_the_schema_says() {
        let (t, project) =
            parse(json!({"specName": "x", "limit": "5", "mode": "in-progress", "on": "true", "projectPath": "/p"}))
                .unwrap();
        assert_eq!(
            (t.spec_name.as_str(), t.limit, t.on, project.as_deref()),
            ("x", Some(Int(5)), Some(Bool(true)), Some("/p"))
        );
        assert!(matches!(t.mode, Some(Mode::InProgress)));
        let (t, _) = parse(json!({"specName": "x", "mode": null, "limit": 100, "files": ["a"]})).unwrap();
        assert!(t.mode.is_none() && t.limit == Some(Int(100)) && t.files == Some(vec!["a".to_owned()]));
        let wrong = |v: Value| parse(v).err().map(|e| (e.message, e.hint)).unwrap();
        let takes = "t takes specName, files, limit, mode, on".to_owned();
        assert_eq!(wrong(json!({"limit": 5})), ("missing argument `specName`".to_owned(), takes.clone()));
        assert_eq!(wrong(json!({"specName": null})).0, "missing argument `specName`");
        assert_eq!(wrong(json!({"specName": "x", "other": 1})), ("unknown argument `other`".to_owned(), takes));
        assert_eq!(wrong(json!({"specName": "x", "projectPath": 1})).0, "unknown argument `projectPath`");
        assert_eq!(wrong(json!({"specName": 1})).0, "argument `specName` must be a string");
        for limit in [json!(101), json!(-1), json!(1.5), json!("many")] {
            assert_eq!(
                wrong(json!({"specName": "x", "limit": limit})).0,
                "argument `limit` must be an integer from 0 to 100"
            );
        }
        assert_eq!(wrong(json!({"specName": "x", "mode": "c"})).0, "argument `mode` must be one of a, in-progress");
        assert_eq!(wrong(json!({"specName": "x", "on": "yes"})).0, "argument `on` must be true or false");
        assert_eq!(
            wrong(json!({"specName": "x", "files": ["a", 2]})).0,
            "argument `files` must be an array of strings"
        );
    }
}
