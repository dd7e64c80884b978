//! Implementation logs: the knowledge base of what each task built, in spec-workflow-mcp's file
//! format so its dashboard reads specwork's logs and specwork reads its.
//!
//! # Files
//!
//! * named specs: `.spec-workflow/specs/{name}/Implementation Logs/task-{id}_{YYYY-MM-DDTHHMM}_{8 hex}.md`
//!   (the id with `.` and `/` replaced by `-`; the time in UTC; the first 8 characters of the
//!   log's UUID) — exactly the peer's names;
//! * numbered specs (which the peer does not have): `{spec folder}/Implementation Logs/{spec id}/`
//!   with the same file names, since several numbered specs share one folder.
//!
//! The body is the peer's: `# Implementation Log: Task {id}`, `**Summary:**`, `**Timestamp:**`,
//! `**Log ID:**`, `## Statistics`, `## Files Modified`, `## Files Created`, `## Artifacts` with
//! `### API Endpoints` / `Components` / `Functions` / `Classes` / `Integrations` and one `####`
//! heading per artifact ([`render`]). [`parse`] reads the peer's files and specwork's alike and
//! keeps the line of every artifact for search results.
//!
//! # Facts, not claims
//!
//! When the workspace is a git repository the files and line counts come from git for the
//! task's window ([`git`]); what the caller claims is kept only where git cannot tell.

pub mod git;

use std::path::{Path, PathBuf};

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::base::diag::Diagnostic;
use crate::base::ids::{self, IdSource};
use crate::base::write::{self, WriteError};
use crate::model::spec::{Layout, Spec};
use crate::model::workspace::Workspace;
use crate::{base::clock, base::names};

/// The folder name the peer uses.
pub const LOGS_DIR: &str = "Implementation Logs";

// ---------------------------------------------------------------------------------------------
// Artifacts (the peer's JSON shapes, read leniently)
// ---------------------------------------------------------------------------------------------

/// Reads any JSON value as text: strings as they are, `null` as empty, anything else as JSON.
fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn de_opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(de_text(d)?).filter(|s| !s.is_empty()))
}

/// A list given as a JSON array or a comma-separated string.
fn de_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(a) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        Value::String(s) => s.split(',').map(|x| x.trim().to_owned()).filter(|x| !x.is_empty()).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    })
}

/// `true`, `"yes"`, `"Yes"`, `"true"`.
fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "y" | "1"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    })
}

/// An API endpoint created or changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiEndpoint {
    /// `GET`, `POST`, …
    #[serde(deserialize_with = "de_text")]
    pub method: String,
    /// `/api/invoices/:id`.
    #[serde(deserialize_with = "de_text")]
    pub path: String,
    /// What it does.
    #[serde(deserialize_with = "de_text")]
    pub purpose: String,
    /// `src/server.ts:245`.
    #[serde(deserialize_with = "de_text")]
    pub location: String,
    /// Request body or query format.
    #[serde(deserialize_with = "de_opt_text", skip_serializing_if = "Option::is_none")]
    pub request_format: Option<String>,
    /// Response format.
    #[serde(deserialize_with = "de_opt_text", skip_serializing_if = "Option::is_none")]
    pub response_format: Option<String>,
}

/// A reusable UI component.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Component {
    /// Its name.
    #[serde(deserialize_with = "de_text")]
    pub name: String,
    /// Framework (`React`, `Vue`, …).
    #[serde(rename = "type", deserialize_with = "de_text")]
    pub kind: String,
    /// What it does.
    #[serde(deserialize_with = "de_text")]
    pub purpose: String,
    /// File.
    #[serde(deserialize_with = "de_text")]
    pub location: String,
    /// Props interface.
    #[serde(deserialize_with = "de_opt_text", skip_serializing_if = "Option::is_none")]
    pub props: Option<String>,
    /// What it exports.
    #[serde(deserialize_with = "de_list")]
    pub exports: Vec<String>,
}

/// A function.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Function {
    /// Its name.
    #[serde(deserialize_with = "de_text")]
    pub name: String,
    /// What it does.
    #[serde(deserialize_with = "de_text")]
    pub purpose: String,
    /// File and line.
    #[serde(deserialize_with = "de_text")]
    pub location: String,
    /// Parameters and return type.
    #[serde(deserialize_with = "de_opt_text", skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// Whether it can be imported.
    #[serde(deserialize_with = "de_bool", alias = "exported")]
    pub is_exported: bool,
}

/// A class.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Class {
    /// Its name.
    #[serde(deserialize_with = "de_text")]
    pub name: String,
    /// What it does.
    #[serde(deserialize_with = "de_text")]
    pub purpose: String,
    /// File.
    #[serde(deserialize_with = "de_text")]
    pub location: String,
    /// Public methods.
    #[serde(deserialize_with = "de_list")]
    pub methods: Vec<String>,
    /// Whether it can be imported.
    #[serde(deserialize_with = "de_bool", alias = "exported")]
    pub is_exported: bool,
}

/// How a front end connects to a back end.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Integration {
    /// How they connect.
    #[serde(deserialize_with = "de_text")]
    pub description: String,
    /// The component that starts it.
    #[serde(deserialize_with = "de_text")]
    pub frontend_component: String,
    /// The endpoint called.
    #[serde(deserialize_with = "de_text")]
    pub backend_endpoint: String,
    /// The data flow.
    #[serde(deserialize_with = "de_text")]
    pub data_flow: String,
}

/// Everything a task built, by kind (the peer's `artifacts` object).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Artifacts {
    /// API endpoints.
    pub api_endpoints: Vec<ApiEndpoint>,
    /// UI components.
    pub components: Vec<Component>,
    /// Functions.
    pub functions: Vec<Function>,
    /// Classes.
    pub classes: Vec<Class>,
    /// Integrations.
    pub integrations: Vec<Integration>,
}

impl Artifacts {
    /// No artifact at all.
    pub fn is_empty(&self) -> bool {
        self.api_endpoints.is_empty()
            && self.components.is_empty()
            && self.functions.is_empty()
            && self.classes.is_empty()
            && self.integrations.is_empty()
    }

    /// Adds another set.
    pub fn extend(&mut self, o: Artifacts) {
        self.api_endpoints.extend(o.api_endpoints);
        self.components.extend(o.components);
        self.functions.extend(o.functions);
        self.classes.extend(o.classes);
        self.integrations.extend(o.integrations);
    }

    /// Reads one `--artifact` argument: either the peer's artifacts object
    /// (`{"functions": [...], ...}`) or a single artifact with a `kind`
    /// (`{"kind": "function", "name": ..., ...}`; kinds `api`/`endpoint`, `component`, `function`,
    /// `class`, `integration`).
    pub fn from_json(text: &str) -> Result<Artifacts, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let Value::Object(mut map) = v else { return Err("an artifact must be a JSON object".into()) };
        let kind = map.remove("kind").or_else(|| map.remove("artifactType"));
        let Some(kind) = kind else {
            let known = ["apiEndpoints", "components", "functions", "classes", "integrations"];
            if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(format!(
                    "unknown key `{k}`: give an artifacts object ({}) or one artifact with a \"kind\"",
                    known.join(", ")
                ));
            }
            return serde_json::from_value(Value::Object(map)).map_err(|e| format!("invalid artifacts: {e}"));
        };
        let kind = kind.as_str().unwrap_or_default().to_ascii_lowercase();
        let obj = Value::Object(map);
        let err = |e: serde_json::Error| format!("invalid {kind} artifact: {e}");
        let mut a = Artifacts::default();
        match kind.strip_suffix('s').filter(|k| *k != "clas").unwrap_or(&kind) {
            "api" | "apiendpoint" | "endpoint" | "api-endpoint" | "api_endpoint" => {
                a.api_endpoints.push(serde_json::from_value(obj).map_err(err)?);
            }
            "component" => a.components.push(serde_json::from_value(obj).map_err(err)?),
            "function" => a.functions.push(serde_json::from_value(obj).map_err(err)?),
            "class" | "classe" => a.classes.push(serde_json::from_value(obj).map_err(err)?),
            "integration" => a.integrations.push(serde_json::from_value(obj).map_err(err)?),
            other => {
                return Err(format!(
                    "unknown artifact kind `{other}`: use api, component, function, class or integration"
                ));
            }
        }
        Ok(a)
    }
}

/// Lines added and removed, files changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistics {
    /// Lines added.
    pub lines_added: u64,
    /// Lines removed.
    pub lines_removed: u64,
    /// Files changed.
    pub files_changed: u64,
}

/// One implementation log (the peer's `ImplementationLogEntry`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// The log's UUID.
    pub id: String,
    /// The task.
    pub task_id: String,
    /// When (ISO 8601).
    pub timestamp: String,
    /// What was done.
    pub summary: String,
    /// Files changed.
    pub files_modified: Vec<String>,
    /// Files added.
    pub files_created: Vec<String>,
    /// Counts.
    pub statistics: Statistics,
    /// What was built.
    pub artifacts: Artifacts,
}

// ---------------------------------------------------------------------------------------------
// Rendering and parsing
// ---------------------------------------------------------------------------------------------

/// One line of Markdown: newlines in values would break the format, so they become spaces.
fn one_line(s: &str) -> String {
    crate::base::names::one_line(s)
}

fn or_na(s: &str) -> String {
    let v = one_line(s);
    if v.is_empty() { "N/A".to_owned() } else { v }
}

/// The peer's file name: `task-{id}_{YYYY-MM-DDTHHMM}_{first 8 of the id}.md` (UTC).
pub fn file_name(task_id: &str, timestamp: jiff::Timestamp, log_id: &str) -> String {
    let sanitized: String = task_id
        .chars()
        .map(|c| {
            if c == '.' || c == '/' {
                '-'
            } else if c == '#' {
                'n'
            } else {
                c
            }
        })
        .collect();
    let z = timestamp.to_zoned(jiff::tz::TimeZone::UTC);
    let prefix: String = log_id.chars().take(8).collect();
    format!("task-{sanitized}_{}_{prefix}.md", z.strftime("%Y-%m-%dT%H%M"))
}

/// The log's Markdown, byte for byte as the peer writes it.
pub fn render(e: &LogEntry) -> String {
    let mut m = String::new();
    m.push_str(&format!("# Implementation Log: Task {}\n\n", one_line(&e.task_id)));
    m.push_str(&format!("**Summary:** {}\n\n", one_line(&e.summary)));
    m.push_str(&format!("**Timestamp:** {}\n", e.timestamp));
    m.push_str(&format!("**Log ID:** {}\n\n", e.id));
    m.push_str("---\n\n## Statistics\n\n");
    let s = e.statistics;
    m.push_str(&format!("- **Lines Added:** +{}\n", s.lines_added));
    m.push_str(&format!("- **Lines Removed:** -{}\n", s.lines_removed));
    m.push_str(&format!("- **Files Changed:** {}\n", s.files_changed));
    m.push_str(&format!("- **Net Change:** {}\n\n", s.lines_added as i64 - s.lines_removed as i64));
    m.push_str("## Files Modified\n");
    if e.files_modified.is_empty() {
        m.push_str("_No files modified_\n");
    }
    for f in &e.files_modified {
        m.push_str(&format!("- {}\n", one_line(f)));
    }
    m.push_str("\n## Files Created\n");
    if e.files_created.is_empty() {
        m.push_str("_No files created_\n");
    }
    for f in &e.files_created {
        m.push_str(&format!("- {}\n", one_line(f)));
    }
    m.push_str("\n---\n\n## Artifacts\n\n");
    let a = &e.artifacts;
    if a.is_empty() {
        m.push_str("_No artifacts recorded_\n");
        return m;
    }
    if !a.api_endpoints.is_empty() {
        m.push_str("### API Endpoints\n\n");
        for x in &a.api_endpoints {
            m.push_str(&format!("#### {} {}\n", one_line(&x.method), one_line(&x.path)));
            m.push_str(&format!("- **Purpose:** {}\n", or_na(&x.purpose)));
            m.push_str(&format!("- **Location:** {}\n", or_na(&x.location)));
            if let Some(r) = &x.request_format {
                m.push_str(&format!("- **Request Format:** {}\n", one_line(r)));
            }
            if let Some(r) = &x.response_format {
                m.push_str(&format!("- **Response Format:** {}\n", one_line(r)));
            }
            m.push('\n');
        }
    }
    if !a.components.is_empty() {
        m.push_str("### Components\n\n");
        for x in &a.components {
            m.push_str(&format!("#### {}\n", one_line(&x.name)));
            m.push_str(&format!("- **Type:** {}\n", or_na(&x.kind)));
            m.push_str(&format!("- **Purpose:** {}\n", or_na(&x.purpose)));
            m.push_str(&format!("- **Location:** {}\n", or_na(&x.location)));
            if let Some(p) = &x.props {
                m.push_str(&format!("- **Props:** {}\n", one_line(p)));
            }
            if !x.exports.is_empty() {
                m.push_str(&format!("- **Exports:** {}\n", one_line(&x.exports.join(", "))));
            }
            m.push('\n');
        }
    }
    if !a.functions.is_empty() {
        m.push_str("### Functions\n\n");
        for x in &a.functions {
            m.push_str(&format!("#### {}\n", one_line(&x.name)));
            m.push_str(&format!("- **Purpose:** {}\n", or_na(&x.purpose)));
            m.push_str(&format!("- **Location:** {}\n", or_na(&x.location)));
            if let Some(s) = &x.signature {
                m.push_str(&format!("- **Signature:** {}\n", one_line(s)));
            }
            m.push_str(&format!("- **Exported:** {}\n\n", if x.is_exported { "Yes" } else { "No" }));
        }
    }
    if !a.classes.is_empty() {
        m.push_str("### Classes\n\n");
        for x in &a.classes {
            m.push_str(&format!("#### {}\n", one_line(&x.name)));
            m.push_str(&format!("- **Purpose:** {}\n", or_na(&x.purpose)));
            m.push_str(&format!("- **Location:** {}\n", or_na(&x.location)));
            if !x.methods.is_empty() {
                m.push_str(&format!("- **Methods:** {}\n", one_line(&x.methods.join(", "))));
            }
            m.push_str(&format!("- **Exported:** {}\n\n", if x.is_exported { "Yes" } else { "No" }));
        }
    }
    if !a.integrations.is_empty() {
        m.push_str("### Integrations\n\n");
        for x in &a.integrations {
            m.push_str("#### Integration\n");
            m.push_str(&format!("- **Description:** {}\n", or_na(&x.description)));
            m.push_str(&format!("- **Frontend Component:** {}\n", or_na(&x.frontend_component)));
            m.push_str(&format!("- **Backend Endpoint:** {}\n", or_na(&x.backend_endpoint)));
            m.push_str(&format!("- **Data Flow:** {}\n\n", or_na(&x.data_flow)));
        }
    }
    m
}

/// The kind of an artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// `### API Endpoints`.
    ApiEndpoint,
    /// `### Components`.
    Component,
    /// `### Functions`.
    Function,
    /// `### Classes`.
    Class,
    /// `### Integrations`.
    Integration,
}

impl ArtifactKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiEndpoint => "api-endpoint",
            Self::Component => "component",
            Self::Function => "function",
            Self::Class => "class",
            Self::Integration => "integration",
        }
    }
}

/// Where an artifact is written in a log file.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactLine {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name (`GET /api/x` for endpoints).
    pub name: String,
    /// The `####` heading's line (1-based).
    pub line: usize,
    /// The last line of its block.
    pub end_line: usize,
}

/// A parsed log with the lines search needs.
#[derive(Clone, Debug, Serialize)]
pub struct ParsedLog {
    /// The entry.
    pub entry: LogEntry,
    /// Every artifact's heading line.
    pub artifacts: Vec<ArtifactLine>,
    /// The `**Summary:**` line.
    pub summary_line: usize,
}

fn strip_kv<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    // `- **Key:** value` (the peer) or `- **Key**: value`.
    let t = line.trim_start().strip_prefix("- ")?.trim_start();
    let rest = t.strip_prefix("**")?;
    let rest = rest.strip_prefix(key)?;
    let rest = rest.strip_prefix(":**").or_else(|| rest.strip_prefix("**:"))?;
    Some(rest.trim())
}

fn bold_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    // `**Key:** value` (the peer) or `**Key**: value`, at the line's first `**`.
    let i = line.find("**")?;
    let rest = line[i + 2..].strip_prefix(key)?;
    let rest = rest.strip_prefix(":**").or_else(|| rest.strip_prefix("**:"))?;
    Some(rest.trim())
}

fn number_after(s: &str) -> u64 {
    let digits: String = s.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

/// Reads a log file (the peer's or specwork's). `file` names it in diagnostics. A file without
/// the `# Implementation Log: Task …` heading is not a log (an error diagnostic); a missing
/// `**Log ID:**` is a warning and the id is taken from the file name.
pub fn parse(src: &str, file: &str) -> (Option<ParsedLog>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut entry = LogEntry::default();
    let mut artifacts = Vec::new();
    let mut summary_line = 0;
    let mut have_title = false;
    #[derive(PartialEq)]
    enum Sec {
        None,
        Modified,
        Created,
        Artifacts,
    }
    let mut sec = Sec::None;
    let mut kind: Option<ArtifactKind> = None;
    let mut current: Option<(ArtifactKind, serde_json::Map<String, Value>, usize)> = None;
    let mut last_line = 0;

    let flush = |cur: &mut Option<(ArtifactKind, serde_json::Map<String, Value>, usize)>,
                 entry: &mut LogEntry,
                 artifacts: &mut Vec<ArtifactLine>,
                 end: usize| {
        let Some((k, map, line)) = cur.take() else { return };
        let name = match k {
            ArtifactKind::ApiEndpoint => format!(
                "{} {}",
                map.get("method").and_then(Value::as_str).unwrap_or(""),
                map.get("path").and_then(Value::as_str).unwrap_or("")
            )
            .trim()
            .to_owned(),
            _ => map.get("name").and_then(Value::as_str).unwrap_or("").to_owned(),
        };
        let v = Value::Object(map);
        let a = &mut entry.artifacts;
        let ok = match k {
            ArtifactKind::ApiEndpoint => serde_json::from_value(v).map(|x| a.api_endpoints.push(x)).is_ok(),
            ArtifactKind::Component => serde_json::from_value(v).map(|x| a.components.push(x)).is_ok(),
            ArtifactKind::Function => serde_json::from_value(v).map(|x| a.functions.push(x)).is_ok(),
            ArtifactKind::Class => serde_json::from_value(v).map(|x| a.classes.push(x)).is_ok(),
            ArtifactKind::Integration => serde_json::from_value(v).map(|x| a.integrations.push(x)).is_ok(),
        };
        if ok {
            artifacts.push(ArtifactLine { kind: k, name, line, end_line: end.max(line) });
        }
    };

    for (i, raw) in src.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if let Some(rest) = line.strip_prefix("# Implementation Log: Task") {
            entry.task_id = rest.trim().to_owned();
            have_title = true;
            continue;
        }
        let bold = line.contains("**");
        if !bold {
            // Fast path: only headings and list items matter below.
        } else if let Some(v) = bold_field(line, "Summary") {
            if entry.summary.is_empty() {
                entry.summary = v.to_owned();
                summary_line = n;
            }
            continue;
        } else if let Some(v) = bold_field(line, "Timestamp") {
            entry.timestamp = v.to_owned();
            continue;
        } else if let Some(v) = bold_field(line, "Log ID") {
            entry.id = v.to_owned();
            continue;
        } else if let Some(v) = bold_field(line, "Lines Added") {
            entry.statistics.lines_added = number_after(v);
            continue;
        } else if let Some(v) = bold_field(line, "Lines Removed") {
            entry.statistics.lines_removed = number_after(v);
            continue;
        } else if let Some(v) = bold_field(line, "Files Changed") {
            entry.statistics.files_changed = number_after(v);
            continue;
        }
        if let Some(h) = line.strip_prefix("## ") {
            flush(&mut current, &mut entry, &mut artifacts, last_line);
            kind = None;
            sec = match h.trim() {
                "Files Modified" => Sec::Modified,
                "Files Created" => Sec::Created,
                "Artifacts" => Sec::Artifacts,
                _ => Sec::None,
            };
            continue;
        }
        if sec == Sec::Artifacts {
            if let Some(h) = line.strip_prefix("### ") {
                flush(&mut current, &mut entry, &mut artifacts, last_line);
                let h = h.to_ascii_lowercase();
                kind = if h.contains("api endpoint") {
                    Some(ArtifactKind::ApiEndpoint)
                } else if h.contains("component") {
                    Some(ArtifactKind::Component)
                } else if h.contains("function") {
                    Some(ArtifactKind::Function)
                } else if h.contains("class") {
                    Some(ArtifactKind::Class)
                } else if h.contains("integration") {
                    Some(ArtifactKind::Integration)
                } else {
                    None
                };
                continue;
            }
            if let (Some(h), Some(k)) = (line.strip_prefix("#### "), kind) {
                flush(&mut current, &mut entry, &mut artifacts, last_line);
                let mut map = serde_json::Map::new();
                let h = h.trim();
                if k == ArtifactKind::ApiEndpoint {
                    match h.split_once(' ') {
                        Some((m, p)) => {
                            map.insert("method".into(), Value::String(m.to_owned()));
                            map.insert("path".into(), Value::String(p.trim().to_owned()));
                        }
                        None => {
                            map.insert("path".into(), Value::String(h.to_owned()));
                        }
                    }
                } else if k != ArtifactKind::Integration {
                    map.insert("name".into(), Value::String(h.to_owned()));
                }
                current = Some((k, map, n));
                last_line = n;
                continue;
            }
            if let Some((k, map, _)) = current.as_mut() {
                let keys: &[(&str, &str)] = match k {
                    ArtifactKind::ApiEndpoint => &[
                        ("Purpose", "purpose"),
                        ("Location", "location"),
                        ("Request Format", "requestFormat"),
                        ("Response Format", "responseFormat"),
                    ],
                    ArtifactKind::Component => &[
                        ("Type", "type"),
                        ("Purpose", "purpose"),
                        ("Location", "location"),
                        ("Props", "props"),
                        ("Exports", "exports"),
                    ],
                    ArtifactKind::Function => &[
                        ("Purpose", "purpose"),
                        ("Location", "location"),
                        ("Signature", "signature"),
                        ("Exported", "isExported"),
                    ],
                    ArtifactKind::Class => &[
                        ("Purpose", "purpose"),
                        ("Location", "location"),
                        ("Methods", "methods"),
                        ("Exported", "isExported"),
                    ],
                    ArtifactKind::Integration => &[
                        ("Description", "description"),
                        ("Frontend Component", "frontendComponent"),
                        ("Backend Endpoint", "backendEndpoint"),
                        ("Data Flow", "dataFlow"),
                    ],
                };
                for (label, key) in keys {
                    if let Some(v) = strip_kv(line, label) {
                        let v = if v == "N/A" { "" } else { v };
                        map.insert((*key).into(), Value::String(v.to_owned()));
                        last_line = n;
                        break;
                    }
                }
            }
            continue;
        }
        if (sec == Sec::Modified || sec == Sec::Created)
            && let Some(f) = line.strip_prefix("- ")
            && !f.starts_with("_No files")
        {
            let f = f.trim().to_owned();
            if sec == Sec::Modified { entry.files_modified.push(f) } else { entry.files_created.push(f) }
        }
    }
    flush(&mut current, &mut entry, &mut artifacts, last_line);

    if !have_title {
        diags.push(Diagnostic::error(
            file,
            1,
            "not an implementation log: the `# Implementation Log: Task ID` heading is missing",
            "implementation logs start with `# Implementation Log: Task 1.2`; move other files out of `Implementation Logs/`",
        ));
        return (None, diags);
    }
    if entry.id.is_empty() {
        diags.push(Diagnostic::warning(
            file,
            0,
            "implementation log has no `**Log ID:**` line; the spec-workflow-mcp dashboard will not show it",
            "add `**Log ID:** <uuid>` under the summary",
        ));
        let base = Path::new(file).file_stem().and_then(|s| s.to_str()).unwrap_or("");
        entry.id = base.rsplit('_').next().unwrap_or(base).to_owned();
    }
    (Some(ParsedLog { entry, artifacts, summary_line }), diags)
}

// ---------------------------------------------------------------------------------------------
// Reading and writing a spec's logs
// ---------------------------------------------------------------------------------------------

/// The folder of a spec's logs, relative to the workspace root.
pub fn logs_dir(spec: &Spec) -> PathBuf {
    match spec.layout {
        Layout::Numbered => spec.dir.join(LOGS_DIR).join(&spec.id),
        _ => spec.dir.join(LOGS_DIR),
    }
}

/// A log read from disk.
#[derive(Clone, Debug, Serialize)]
pub struct LoadedLog {
    /// The spec.
    pub spec: String,
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// Its content.
    #[serde(flatten)]
    pub log: ParsedLog,
}

/// Reads every log of a spec, newest first.
pub fn read_logs(ws: &Workspace, spec: &Spec) -> (Vec<LoadedLog>, Vec<Diagnostic>) {
    let dir = logs_dir(spec);
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let Ok(rd) = crate::base::path_policy::read_dir(ws.abs(&dir)) else { return (out, diags) };
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && !n.starts_with('.'))
        .collect();
    names.sort();
    for name in names {
        let rel = dir.join(&name);
        let shown = rel.to_string_lossy().replace('\\', "/");
        let text = match crate::base::path_policy::read(ws.abs(&rel)) {
            Ok(b) => String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            Err(e) => {
                diags.push(Diagnostic::error(&shown, 0, format!("cannot read log: {e}"), "check the file"));
                continue;
            }
        };
        let (parsed, mut d) = parse(&text, &shown);
        diags.append(&mut d);
        if let Some(log) = parsed {
            out.push(LoadedLog { spec: spec.id.clone(), file: rel, log });
        }
    }
    out.sort_by(|a, b| {
        let ta = ids::parse_timestamp(&a.log.entry.timestamp);
        let tb = ids::parse_timestamp(&b.log.entry.timestamp);
        tb.cmp(&ta).then_with(|| b.file.cmp(&a.file))
    });
    (out, diags)
}

/// Why a log was not written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// A task id that would escape the workspace.
    #[error(transparent)]
    Name(#[from] names::NameError),
    /// The task does not exist (the peer refuses unknown ids too).
    #[error("no task `{task}` in spec `{spec}`")]
    NoSuchTask {
        /// The spec.
        spec: String,
        /// The task.
        task: String,
    },
    /// Logs belong to specs specwork writes.
    #[error("spec `{spec}` is a read-only {layout} import")]
    ReadOnly {
        /// The spec.
        spec: String,
        /// Its layout.
        layout: &'static str,
    },
    /// The spec is archived.
    #[error("spec `{spec}` is archived")]
    Archived {
        /// The spec.
        spec: String,
    },
    /// The summary is empty.
    #[error("the summary is empty")]
    NoSummary,
    /// Measuring with git failed.
    #[error(transparent)]
    Git(#[from] git::GitError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What to log.
#[derive(Clone, Debug, Default)]
pub struct NewLog {
    /// The task.
    pub task_id: String,
    /// What was done.
    pub summary: String,
    /// What was built.
    pub artifacts: Artifacts,
    /// Files the caller says it changed.
    pub files_modified: Vec<String>,
    /// Files the caller says it created.
    pub files_created: Vec<String>,
    /// Lines the caller says it added (used only without git).
    pub lines_added: Option<u64>,
    /// Lines the caller says it removed (used only without git).
    pub lines_removed: Option<u64>,
    /// Measure with git over this window (ignored outside a git repository); `None` to take the
    /// caller's word.
    pub measure: Option<git::GitWindow>,
}

/// A log written by [`write_log`].
#[derive(Clone, Debug, Serialize)]
pub struct WrittenLog {
    /// The spec.
    pub spec: String,
    /// The file, relative to the workspace root.
    pub file: PathBuf,
    /// The entry as written.
    pub entry: LogEntry,
    /// `git` when files and lines were measured, else `manual`.
    pub source: &'static str,
    /// The git revision the window starts at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// Files deleted in the window (listed under Files Modified as `path (deleted)`).
    pub files_deleted: Vec<String>,
    /// Files the caller named that git saw no change in.
    pub unverified: Vec<String>,
}

/// Writes a new implementation log for `task_id` of `spec`.
pub fn write_log(ws: &Workspace, spec: &Spec, new: &NewLog) -> Result<WrittenLog, LogError> {
    names::task_id(&new.task_id)?;
    if !spec.layout.writable() {
        return Err(LogError::ReadOnly { spec: spec.id.clone(), layout: spec.layout.as_str() });
    }
    if spec.archived {
        return Err(LogError::Archived { spec: spec.id.clone() });
    }
    if new.summary.trim().is_empty() {
        return Err(LogError::NoSummary);
    }
    let task = spec
        .tasks
        .find(&new.task_id)
        .ok_or_else(|| LogError::NoSuchTask { spec: spec.id.clone(), task: new.task_id.clone() })?;
    let task_id = task.id.clone();

    let measured = match &new.measure {
        Some(w) => git::measure_except(&ws.root, w, &|p| crate::stores::evidence::is_bookkeeping(ws, p))?,
        None => None,
    };
    let clean = |v: &[String]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in v {
            let f = f.trim().trim_start_matches("./").replace('\\', "/");
            if !f.is_empty() && !out.contains(&f) {
                out.push(f);
            }
        }
        out
    };
    let claimed_mod = clean(&new.files_modified);
    let claimed_new = clean(&new.files_created);
    let (files_modified, files_created, stats, source, base, deleted, unverified) = match measured {
        Some(m) => {
            let seen: std::collections::HashSet<&str> =
                m.files_modified.iter().chain(&m.files_created).chain(&m.files_deleted).map(String::as_str).collect();
            let unverified: Vec<String> =
                claimed_mod.iter().chain(&claimed_new).filter(|f| !seen.contains(f.as_str())).cloned().collect();
            let mut modified = m.files_modified.clone();
            modified.extend(m.files_deleted.iter().map(|f| format!("{f} (deleted)")));
            let files = (m.files_modified.len() + m.files_created.len() + m.files_deleted.len()) as u64;
            let stats = Statistics { lines_added: m.lines_added, lines_removed: m.lines_removed, files_changed: files };
            (modified, m.files_created.clone(), stats, "git", Some(m.base), m.files_deleted, unverified)
        }
        None => {
            let files = (claimed_mod.len() + claimed_new.len()) as u64;
            let stats = Statistics {
                lines_added: new.lines_added.unwrap_or(0),
                lines_removed: new.lines_removed.unwrap_or(0),
                files_changed: files,
            };
            (claimed_mod, claimed_new, stats, "manual", None, Vec::new(), Vec::new())
        }
    };

    let (file, entry) =
        write_entry(ws, spec, &task_id, &new.summary, &new.artifacts, files_modified, files_created, stats)?;
    Ok(WrittenLog { spec: spec.id.clone(), file, entry, source, base, files_deleted: deleted, unverified })
}

/// Writes a log with the facts given as they are (the caller measured them): the peer's file
/// name in the spec's logs folder, never overwriting another log. Returns the file, relative to
/// the workspace root, and the entry.
#[allow(clippy::too_many_arguments)]
pub fn write_entry(
    ws: &Workspace,
    spec: &Spec,
    task_id: &str,
    summary: &str,
    artifacts: &Artifacts,
    files_modified: Vec<String>,
    files_created: Vec<String>,
    stats: Statistics,
) -> Result<(PathBuf, LogEntry), LogError> {
    names::task_id(task_id)?;
    let ts = clock::now().timestamp();
    let mut idsrc = IdSource::new();
    let dir = logs_dir(spec);
    for _ in 0..64 {
        let id = idsrc.uuid_v4();
        let entry = LogEntry {
            id: id.clone(),
            task_id: task_id.to_owned(),
            timestamp: ids::iso_millis(ts),
            summary: one_line(summary),
            files_modified: files_modified.clone(),
            files_created: files_created.clone(),
            statistics: stats,
            artifacts: artifacts.clone(),
        };
        let rel = dir.join(file_name(task_id, ts, &id));
        match write::create(&ws.abs(&rel), render(&entry).as_bytes()) {
            Ok(()) => return Ok((rel, entry)),
            Err(WriteError::Exists { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(WriteError::Conflict { path: ws.abs(&dir) }.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_parse_round_trips() {
        let e = LogEntry {
            id: "63c78377-f715-4979-8bbb-c2b48eb17034".into(),
            task_id: "1.2".into(),
            timestamp: "2026-04-11T11:19:10.504Z".into(),
            summary: "Added the invoice API".into(),
            files_modified: vec!["src/server.ts".into()],
            files_created: vec![],
            statistics: Statistics { lines_added: 20, lines_removed: 3, files_changed: 1 },
            artifacts: Artifacts {
                api_endpoints: vec![ApiEndpoint {
                    method: "POST".into(),
                    path: "/api/invoices".into(),
                    purpose: "Create an invoice".into(),
                    location: "src/server.ts:10".into(),
                    request_format: Some("{amount}".into()),
                    response_format: None,
                }],
                functions: vec![Function {
                    name: "createInvoice".into(),
                    purpose: "Creates".into(),
                    location: "src/invoice.ts".into(),
                    signature: Some("(a: number) => Invoice".into()),
                    is_exported: true,
                }],
                ..Artifacts::default()
            },
        };
        let md = render(&e);
        assert!(md.contains("\n## Files Created\n_No files created_\n\n---\n\n## Artifacts\n\n### API Endpoints\n\n#### POST /api/invoices\n"));
        assert!(md.contains("- **Net Change:** 17\n"));
        let (p, d) = parse(&md, "x.md");
        assert!(d.is_empty(), "{d:?}");
        let p = p.unwrap();
        assert_eq!(p.entry, e);
        assert_eq!(p.artifacts[0].name, "POST /api/invoices");
        assert_eq!(p.artifacts[1].kind, ArtifactKind::Function);
        assert_eq!(md.lines().nth(p.artifacts[1].line - 1), Some("#### createInvoice"));
        let name = file_name("1.2", "2026-04-11T11:19:10.504Z".parse().unwrap(), &e.id);
        assert_eq!(name, "task-1-2_2026-04-11T1119_63c78377.md");
    }

    #[test]
    fn artifact_arguments() {
        let a = Artifacts::from_json(r#"{"kind":"class","name":"X","methods":"a, b","isExported":"yes"}"#).unwrap();
        assert_eq!(a.classes[0].methods, ["a", "b"]);
        assert!(a.classes[0].is_exported);
        let a =
            Artifacts::from_json(r#"{"apiEndpoints":[{"method":"GET","path":"/x","requestFormat":{"q":1}}]}"#).unwrap();
        assert_eq!(a.api_endpoints[0].request_format.as_deref(), Some(r#"{"q":1}"#));
        assert!(Artifacts::from_json(r#"{"kind":"widget"}"#).is_err());
        assert!(Artifacts::from_json(r#"{"widgets":[]}"#).is_err());
        assert!(Artifacts::from_json("[1]").is_err());
    }

    #[test]
    fn not_a_log_is_a_diagnostic() {
        let (p, d) = parse("# Notes\n", "Implementation Logs/notes.md");
        assert!(p.is_none());
        assert_eq!(d[0].line, 1);
    }
}

#[cfg(test)]
mod corpus_tests {
    use super::*;

    /// The peer's own logs (../shared/corpus) parse, and rendering them again gives the same
    /// bytes: specwork writes exactly the peer's format.
    #[test]
    fn peer_logs_round_trip_byte_for_byte() {
        let Some(dir) = specwork_testkit::need::shared("corpus/real-specs/spec-workflow") else { return };
        let mut n = 0;
        for e in fs_err::read_dir(&dir).expect("the corpus folder reads") {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if !name.contains("Implementation Logs") {
                continue;
            }
            let text = fs_err::read_to_string(&p).unwrap();
            let (parsed, diags) = parse(&text, &name);
            assert!(diags.is_empty(), "{name}: {diags:?}");
            let parsed = parsed.unwrap();
            assert!(!parsed.artifacts.is_empty(), "{name}");
            assert_eq!(render(&parsed.entry), text, "{name}");
            n += 1;
        }
        assert_eq!(n, 2);
    }
}
