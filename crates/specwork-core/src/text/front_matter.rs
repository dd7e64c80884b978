//! YAML front matter: where it is in a Markdown file and what it says.
//!
//! Invariants:
//! * Reading only. The YAML is parsed (by serde-saphyr) to read properties and to report
//!   errors; it is never re-serialised. Edits replace byte ranges of the user's text elsewhere,
//!   so front matter stays byte for byte as written.
//! * Front matter opens with a `---` line at the very start of the file (after an optional UTF-8
//!   byte-order mark) and closes with the next `---` or `...` line. Opened but never closed, the
//!   file is read as if it had none.
//! * Front matter whose YAML does not parse gives no properties at all, never some of them; its
//!   lines are still front matter (never tasks nor headings).
//! * Scalars are read as the user wrote them: `1.10`, `0x1F` or `yes` where text is expected are
//!   the text `1.10`, `0x1F` and `yes`, not a number or a boolean printed back.

use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};

use crate::base::diag::Diagnostic;
use crate::text::lines::line_spans;

/// Byte range of the front matter, both fence lines included, if the file opens with a closed
/// one.
pub fn range(src: &str) -> Option<Range<usize>> {
    let (offset, body) = without_bom(src);
    let mut lines = line_spans(body);
    let (_, first_end, first) = lines.next()?;
    if first.trim_end() != "---" || first_end == body.len() && !body.ends_with('\n') {
        return None;
    }
    lines.find(|(_, _, l)| matches!(l.trim_end(), "---" | "...")).map(|(_, end, _)| offset..offset + end)
}

/// Whether the file opens with a `---` line that no `---` or `...` line closes.
pub fn is_unclosed(src: &str) -> bool {
    let (_, body) = without_bom(src);
    body.split('\n').next().is_some_and(|l| l.trim_end() == "---") && range(src).is_none()
}

/// The properties of the file's front matter: empty when it has none (or one never closed).
///
/// # Errors
///
/// [`FrontMatterError::Unclosed`] when a `---` opens front matter that is never closed, and
/// [`FrontMatterError::Yaml`] when the YAML between the fences does not parse or is not a
/// mapping of `key: value` properties.
pub fn read(src: &str) -> Result<Properties, FrontMatterError> {
    let Some(r) = range(src) else {
        return if is_unclosed(src) { Err(FrontMatterError::Unclosed) } else { Ok(Properties::default()) };
    };
    let block = &src[r];
    // Between the end of the opening line and the start of the closing one.
    let start = block.find('\n').map_or(block.len(), |i| i + 1);
    let end = block.trim_end_matches(['\n', '\r']).rfind('\n').map_or(start, |i| i + 1).max(start);
    parse(&block[start..end])
}

/// The properties of the file's front matter, or none when it has none or it is broken (see
/// [`read`] for the reasons, reported by the readers of the workspace).
pub fn properties(src: &str) -> Properties {
    read(src).unwrap_or_default()
}

/// The warning for a file whose front matter is opened but never closed, or whose YAML does not
/// parse, if there is one.
pub fn diagnostic(src: &str, file: &str) -> Option<Diagnostic> {
    read(src).err().map(|e| e.diagnostic(file))
}

/// Why front matter gives no properties.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    /// The file opens with `---` and no `---` or `...` line closes it.
    #[error("front matter opened with `---` is never closed; the file is read as if it had none")]
    Unclosed,
    /// The YAML between the fences does not parse, or is not a mapping.
    #[error("front matter is not valid YAML, so its properties are ignored: {message}{}", at_column(*.column))]
    Yaml {
        /// 1-based line in the file (the first YAML line is line 2, after the opening `---`); 1
        /// when the parser knows no location (the front matter as a whole).
        line: usize,
        /// 1-based column, in characters, when known.
        column: Option<usize>,
        /// What the parser says, lowercase, without location.
        message: String,
    },
}

impl FrontMatterError {
    /// 1-based line in the file where the problem is.
    pub fn line(&self) -> usize {
        match self {
            Self::Unclosed => 1,
            Self::Yaml { line, .. } => *line,
        }
    }

    /// The problem as a warning on `file`, with the fix.
    pub fn diagnostic(&self, file: &str) -> Diagnostic {
        let hint = match self {
            Self::Unclosed => "close the front matter with a `---` line, or remove the opening one",
            Self::Yaml { .. } => {
                "fix the YAML between the `---` lines: one `key: value` per line, indented with spaces \
                 (not tabs); quote a value that starts with `[`, `{`, `*`, `&`, `!`, `|`, `>` or `@`, or \
                 holds `: ` or ` #`"
            }
        };
        Diagnostic::warning(file, self.line(), self.to_string(), hint)
    }
}

/// A front matter value. Scalars are text as written (numbers and booleans included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A string, number or boolean, as text.
    Text(String),
    /// A sequence (`[a, b]` or `- a` lines).
    List(Vec<Value>),
    /// A nested mapping.
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The text of a scalar.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// The top-level `key: value` properties of front matter, in the order written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Properties {
    entries: Vec<(String, Value)>,
}

impl Properties {
    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The text of a scalar `key` (a string, number or boolean as written); `None` when absent,
    /// null, a list or a mapping.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_text)
    }

    /// The texts of a list `key`; a single scalar is a list of one (`tags: draft`), null an empty
    /// list. Items that are not scalars are left out. `None` when absent or a mapping.
    pub fn list(&self, key: &str) -> Option<Vec<&str>> {
        match self.get(key)? {
            Value::Null => Some(Vec::new()),
            Value::Text(t) => Some(vec![t.as_str()]),
            Value::List(items) => Some(items.iter().filter_map(Value::as_text).collect()),
            Value::Map(_) => None,
        }
    }

    /// The properties in the order written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn at_column(column: Option<usize>) -> String {
    column.map(|c| format!(" (column {c})")).unwrap_or_default()
}

/// The UTF-8 byte-order mark's length (0 or 3) and the text after it.
fn without_bom(src: &str) -> (usize, &str) {
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    (src.len() - body.len(), body)
}

/// Parses the YAML between the fences; `yaml`'s line 1 is the file's line 2.
fn parse(yaml: &str) -> Result<Properties, FrontMatterError> {
    // `null:` or `~:` as a key is the text `null` or `~`, as in Obsidian's properties.
    let options = serde_saphyr::options! { null_as_string: true };
    match serde_saphyr::from_str_with_options::<Option<Top>>(yaml, options) {
        Ok(top) => Ok(Properties {
            entries: top.map(|t| t.0).unwrap_or_default().into_iter().map(|(k, v)| (k, value(yaml, v))).collect(),
        }),
        Err(e) => {
            // Line 0 is the parser's "unknown"; its line 1 is the file's line 2.
            let at =
                e.location().and_then(|l| Some((usize::try_from(l.line()).ok()?, usize::try_from(l.column()).ok()?)));
            let (line, column) = match at {
                Some((line, column)) if line > 0 => (line + 1, Some(column.max(1))),
                _ => (1, None),
            };
            let message = UserMessageFormatter.format_message(e.without_snippet());
            Err(FrontMatterError::Yaml {
                line,
                column,
                // The parser's text goes to a terminal: control characters escaped.
                message: message
                    .chars()
                    .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
                    .collect(),
            })
        }
    }
}

/// A parsed node, before scalars are given their source text.
enum Node {
    Null,
    Str(String),
    /// A number or boolean, printed (used only when its source text is unknown).
    Other(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
}

/// The top-level mapping.
struct Top(Vec<(String, Spanned<Node>)>);

fn value(yaml: &str, node: Spanned<Node>) -> Value {
    match node.value {
        Node::Null => Value::Null,
        Node::Str(s) => Value::Text(s),
        Node::Other(printed) => {
            // Where the scalar is defined (an alias's anchor), as written.
            let span = node.defined.span();
            let raw = span
                .byte_offset()
                .zip(span.byte_len())
                .and_then(|(o, l)| yaml.get(usize::try_from(o).ok()?..usize::try_from(o + l).ok()?))
                .map(str::trim)
                .filter(|r| !r.is_empty());
            Value::Text(raw.map_or(printed, str::to_owned))
        }
        Node::Seq(items) => Value::List(items.into_iter().map(|n| value(yaml, n)).collect()),
        Node::Map(entries) => Value::Map(entries.into_iter().map(|(k, n)| (k, value(yaml, n))).collect()),
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Other(v.to_string()))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Node, E> {
        Ok(Node::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Node, A::Error> {
        entries(map).map(Node::Map)
    }
}

fn entries<'de, A: MapAccess<'de>>(mut map: A) -> Result<Vec<(String, Spanned<Node>)>, A::Error> {
    let mut out = Vec::new();
    while let Some(entry) = map.next_entry()? {
        out.push(entry);
    }
    Ok(out)
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("`key: value` properties")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top(Vec::new()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Top, E> {
        Ok(Top(Vec::new()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Top, A::Error> {
        entries(map).map(Top)
    }
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // `any`, not `map`: a list or a scalar is then named in the error.
        d.deserialize_any(TopVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_error(src: &str) -> (usize, String) {
        match read(src) {
            Err(e @ FrontMatterError::Yaml { .. }) => (e.line(), e.to_string()),
            other => panic!("expected a YAML error for {src:?}, got {other:?}"),
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(range("---\na: 1\n---\nbody"), Some(0..13));
        assert_eq!(range("\u{feff}---\r\na: 1\r\n...\r\n"), Some(3..19));
        assert_eq!(range("---"), None);
        assert_eq!(range("---\na: 1\n"), None);
        assert_eq!(range("# T\n---\na: 1\n---\n"), None);
        assert!(is_unclosed("---\na: 1\n"));
        assert!(is_unclosed("\u{feff}---\r\na: 1\r\n"));
        assert!(!is_unclosed("---\na: 1\n---\n"));
        assert!(!is_unclosed("# T\n---\n"));
    }

    #[test]
    fn valid_front_matter_is_read() {
        let p =
            read("---\ntitle: Cold storage\nstatus: 'active'\nowner: \"Ann # B\"\n# a comment\n---\n# H\n").unwrap();
        assert_eq!(p.text("title"), Some("Cold storage"));
        assert_eq!(p.text("status"), Some("active"));
        assert_eq!(p.text("owner"), Some("Ann # B"));
        assert_eq!(p.text("missing"), None);
        assert_eq!(p.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["title", "status", "owner"]);
        assert!(read("---\n---\n# H\n").unwrap().is_empty());
        assert!(read("---\n# only a comment\n---\n").unwrap().is_empty());
        assert!(read("# No front matter\n").unwrap().is_empty());
    }

    #[test]
    fn numbers_and_booleans_are_text_as_written() {
        let src = "---\ntitle: 1.10\nhex: 0x1F\ndraft: yes\nok: true\nn: 42\nempty:\nnull: ~\na: &x 2.50\nb: *x\n---\n";
        let p = read(src).unwrap();
        assert_eq!(p.text("title"), Some("1.10"));
        assert_eq!(p.text("hex"), Some("0x1F"));
        assert_eq!(p.text("draft"), Some("yes"));
        assert_eq!(p.text("ok"), Some("true"));
        assert_eq!(p.text("n"), Some("42"));
        assert_eq!(p.get("empty"), Some(&Value::Null));
        assert_eq!(p.text("null"), None);
        assert_eq!(p.text("b"), Some("2.50"), "an alias reads as its anchor's text");
    }

    #[test]
    fn lists_and_mappings() {
        let src = "---\ntags: [spec, 1.0, \"x\"]\naliases:\n  - One\n  - 2\none: solo\nnone:\nmeta: {a: 1}\n---\n";
        let p = read(src).unwrap();
        assert_eq!(p.list("tags"), Some(vec!["spec", "1.0", "x"]));
        assert_eq!(p.list("aliases"), Some(vec!["One", "2"]));
        assert_eq!(p.list("one"), Some(vec!["solo"]));
        assert_eq!(p.list("none"), Some(vec![]));
        assert_eq!(p.list("meta"), None);
        assert_eq!(p.text("tags"), None, "a list is no text");
        assert_eq!(p.get("meta"), Some(&Value::Map(vec![("a".into(), Value::Text("1".into()))])));
    }

    #[test]
    fn unclosed_flow_sequence_is_an_error_on_its_file_line() {
        let (line, msg) = yaml_error("---\nid: 1001\ntitle: [unclosed\n---\n# Heading\n");
        assert_eq!(line, 3);
        assert!(msg.starts_with("front matter is not valid YAML"), "{msg}");
        assert!(msg.ends_with("unclosed bracket '[' (column 8)"), "{msg}");
        assert_eq!(properties("---\ntitle: [unclosed\n---\n"), Properties::default(), "no values from broken YAML");
        let d = diagnostic("---\ntitle: [unclosed\n---\n", "specs/a.md").unwrap();
        assert_eq!((d.location(), d.severity), ("specs/a.md:2".to_owned(), crate::base::diag::Severity::Warning));
        assert!(d.hint.contains("quote"), "{}", d.hint);
    }

    #[test]
    fn tabs_and_bad_indentation_are_errors() {
        let (line, _) = yaml_error("---\ntitle: x\n\tstatus: active\n---\n");
        assert!((2..=3).contains(&line), "{line}");
        let (line, _) = yaml_error("---\ntitle: x\n  status: active\n---\n");
        assert_eq!(line, 3);
        let (line, _) = yaml_error("---\ntags:\n  - a\n - b\n---\n");
        assert_eq!(line, 4);
        let (line, msg) = yaml_error("---\ntitle: x: y\n---\n");
        assert_eq!(line, 2, "{msg}");
        let (_, msg) = yaml_error("---\na: 1\na: 2\n---\n");
        assert!(msg.contains("duplicate"), "{msg}");
        let (line, msg) = yaml_error("---\n- a\n- b\n---\n");
        assert!(msg.contains("key: value"), "a list is no properties: {msg}");
        assert!(!msg.contains("column"), "no location known, none made up: {msg}");
        assert_eq!(line, 1, "the front matter as a whole");
    }

    #[test]
    fn crlf_and_byte_order_mark() {
        let p = read("\u{feff}---\r\ntitle: Windows\r\ntags:\r\n  - a\r\n---\r\n# H\r\n").unwrap();
        assert_eq!(p.text("title"), Some("Windows"));
        assert_eq!(p.list("tags"), Some(vec!["a"]));
        let p = read("---\r\nv: 1.10\r\n...\r\n").unwrap();
        assert_eq!(p.text("v"), Some("1.10"));
        let (line, _) = yaml_error("\u{feff}---\r\nok: 1\r\ntitle: [unclosed\r\n---\r\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn never_closed_is_reported_once_as_before() {
        assert_eq!(read("---\ntitle: x\n# H\n"), Err(FrontMatterError::Unclosed));
        let d = diagnostic("---\ntitle: x\n# H\n", "t.md").unwrap();
        assert_eq!(d.location(), "t.md:1");
        assert!(d.message.contains("front matter opened with `---` is never closed"));
        assert!(diagnostic("# No front matter\n---\n", "t.md").is_none());
        assert!(diagnostic("---\ntitle: ok\n---\n", "t.md").is_none());
    }
}
