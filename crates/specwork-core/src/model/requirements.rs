//! A spec's requirements, as tasks refer to them with `_Requirements: 1.2, 3_`.
//!
//! Requirements are found where people write them:
//!
//! * **Headings** that name a requirement with a number: `### Requirement 1: Sign in`,
//!   `### REQ-2: Public playlists`, `### Requirement 3 — 地理编码`, `### 需求 1：HTTP请求功能`,
//!   `### Story 4`. Their numbered list items (usually under `#### Acceptance Criteria`) are the
//!   acceptance criteria `1.1`, `1.2`, … until the next heading at the requirement's level or above.
//! * **Coded items**: a list item or heading starting with a code such as `**FR-001**:` (spec-kit's
//!   functional requirements) is requirement `FR-001`.
//! * **The numbered layout's `## Requirements` section**: when it holds no requirement headings,
//!   each top-level numbered item `1. WHEN … THEN …` is requirement `1`.
//!
//! References are read as leniently as people write them: `1.2`, `Requirement 1`, `REQ-3`,
//! `Requirement 1-5` (a range), `需求 2`; `N/A` and `none` refer to nothing. A reference without a
//! number (`Non-Functional (Observability)`) is known when a heading of the document carries its
//! words. This module only reads; it never rewrites a document.

use std::path::PathBuf;

use serde::Serialize;

use crate::text::front_matter;
use crate::text::markdown::{heading, prose_lines};

/// One requirement.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Requirement {
    /// `1`, `2.3`, `FR-001`.
    pub id: String,
    /// The heading's text after the id, or the item's text.
    pub title: String,
    /// 1-based line in its document.
    pub line: usize,
    /// Its acceptance criteria, `1.1`, `1.2`, ….
    pub criteria: Vec<Criterion>,
}

/// One acceptance criterion of a requirement.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Criterion {
    /// `1.2`: the requirement's id, a dot, the item's number.
    pub id: String,
    /// The criterion's text.
    pub text: String,
    /// 1-based line.
    pub line: usize,
}

/// The requirements of one document.
#[derive(Clone, Debug, Default)]
pub struct Requirements {
    /// The document, workspace-relative.
    pub file: PathBuf,
    /// The requirements in document order.
    pub items: Vec<Requirement>,
    /// Every heading's words, normalised (see [`words`]), for references without a number.
    headings: Vec<String>,
}

/// What a reference from a task resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// Requirement `items[i]` (and, when given, its criterion `criteria[j]`).
    Requirement(usize, Option<usize>),
    /// A heading of the document without a requirement number (`Non-Functional`).
    Heading,
    /// A reference to nothing.
    Unknown,
}

impl Requirements {
    /// Reads the requirements of a requirements document (`requirements.md`, spec-kit's
    /// `spec.md`).
    pub fn parse(file: PathBuf, src: &str) -> Self {
        let (items, headings) = scan(src, 0, false);
        Self { file, items, headings }
    }

    /// Reads the `## Requirements` section of a numbered spec; without requirement headings in
    /// it, its top-level numbered items are the requirements.
    pub fn parse_numbered(file: PathBuf, src: &str) -> Self {
        let Some(range) = crate::text::markdown::section(src, |h| h.eq_ignore_ascii_case("requirements")) else {
            return Self { file, ..Self::default() };
        };
        let first_line = src[..range.start].matches('\n').count();
        let (items, headings) = scan(&src[range], first_line, true);
        Self { file, items, headings }
    }

    /// Resolves one reference, as written after `_Requirements:`, already split at commas (see
    /// [`references`]).
    pub fn resolve(&self, reference: &str) -> Resolved {
        let r = reference.trim().trim_end_matches('.');
        if let Some(i) = self.items.iter().position(|q| q.id.eq_ignore_ascii_case(r)) {
            return Resolved::Requirement(i, None);
        }
        // `1.2`: criterion 2 of requirement 1 (the longest requirement id that prefixes it).
        let mut best: Option<(usize, usize)> = None;
        for (i, q) in self.items.iter().enumerate() {
            if let Some(j) = q.criteria.iter().position(|c| c.id.eq_ignore_ascii_case(r))
                && best.is_none_or(|(b, _)| self.items[b].id.len() < q.id.len())
            {
                best = Some((i, j));
            }
        }
        if let Some((i, j)) = best {
            return Resolved::Requirement(i, Some(j));
        }
        if !r.bytes().any(|b| b.is_ascii_digit()) {
            let w = words(r);
            if !w.is_empty()
                && self.headings.iter().any(|h| !h.is_empty() && (h.contains(&w) || w.contains(h.as_str())))
            {
                return Resolved::Heading;
            }
        }
        Resolved::Unknown
    }
}

/// The references of a task's `_Requirements:_` entries (already split at commas by the task
/// grammar): labels dropped (`Requirement 1` → `1`, `REQ-3` → `3`), ranges expanded
/// (`1-5` → `1` … `5`), `N/A` / `none` / `-` dropped.
pub fn references(entries: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for entry in entries {
        for piece in entry.split(['、', '，', ';', '；']) {
            let p = piece.trim().trim_matches(|c: char| c == '*' || c == '`').trim().trim_end_matches('.');
            if p.is_empty() || is_none(p) {
                continue;
            }
            let bare = strip_label(p);
            if let Some((a, b)) = bare.split_once(['-', '–', '—'])
                && let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>())
                && a <= b
                && b - a < 100
            {
                out.extend((a..=b).map(|n| n.to_string()));
                continue;
            }
            out.push(bare.to_owned());
        }
    }
    out
}

fn is_none(p: &str) -> bool {
    matches!(p.to_ascii_lowercase().as_str(), "n/a" | "na" | "none" | "-" | "—" | "tbd")
        || matches!(p, "なし" | "无" | "無")
}

/// `Requirement 1` → `1`, `REQ-3` → `3`, `需求 2` → `2`, `R1` → `1`; anything else unchanged.
fn strip_label(p: &str) -> &str {
    const LABELS: [&str; 10] =
        ["requirements", "requirement", "req", "user story", "story", "需求", "要件", "要求", "故事", "r"];
    let lower = p.to_lowercase();
    for l in LABELS {
        if lower.starts_with(l) && p.is_char_boundary(l.len()) {
            let rest = p[l.len()..].trim_start_matches([' ', '-', '_', '#', '.']);
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                return rest;
            }
        }
    }
    p
}

/// A heading's requirement id and title: `Requirement 1: Sign in` → (`1`, `Sign in`).
fn requirement_heading(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_matches('*').trim();
    let rest = strip_label(t);
    if rest.len() == t.len() {
        return coded(t); // no label: `FR-001: …` or nothing
    }
    let (id, title) = leading_number(rest)?;
    Some((id.to_owned(), clean_title(title)))
}

/// `FR-001: text`, `**FR-001**: text`, `NFR-2 text` → the code and the text.
fn coded(t: &str) -> Option<(String, String)> {
    let t = t.trim_start_matches("**");
    let letters = t.bytes().take_while(u8::is_ascii_uppercase).count();
    if !(1..=4).contains(&letters) || t.as_bytes().get(letters) != Some(&b'-') {
        return None;
    }
    let digits = t[letters + 1..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let end = letters + 1 + digits;
    if t[end..].starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some((t[..end].to_owned(), clean_title(t[end..].trim_start_matches("**"))))
}

/// `1.2 rest` → (`1.2`, `rest`).
fn leading_number(s: &str) -> Option<(&str, &str)> {
    let mut end = 0;
    let b = s.as_bytes();
    while end < b.len()
        && (b[end].is_ascii_digit() || (b[end] == b'.' && b.get(end + 1).is_some_and(u8::is_ascii_digit)))
    {
        end += 1;
    }
    if end == 0 || s[end..].starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    Some((&s[..end], &s[end..]))
}

fn clean_title(s: &str) -> String {
    s.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '：' | '-' | '—' | '–' | '.' | '、' | ')' | '*')
    })
    .trim()
    .to_owned()
}

/// A numbered list item at the top level: (`number`, `text`).
fn numbered_item(line: &str) -> Option<(&str, &str)> {
    // Top level only: a nested list (`   1. …` under an item) holds details, not requirements.
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 1 {
        return None;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))?;
    Some((&t[..digits], rest.trim()))
}

/// A list item's text when it starts with a requirement code (`- **FR-001**: …`).
fn coded_item(line: &str) -> Option<(String, String)> {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))?;
    coded(t.trim_start())
}

/// Lowercase letters and digits only (any script): how references without a number are compared
/// with headings.
fn words(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Scans `src` (whose first line is line `first_line + 1` of its file).
fn scan(src: &str, first_line: usize, items_are_requirements: bool) -> (Vec<Requirement>, Vec<String>) {
    let start = front_matter::range(src).map_or(0, |r| r.end);
    let first_line = first_line + src[..start].matches('\n').count();
    let mut items: Vec<Requirement> = Vec::new();
    let mut headings = Vec::new();
    let mut plain_items: Vec<Requirement> = Vec::new();
    // The requirement being read and its heading level.
    let mut current: Option<(usize, usize)> = None;
    // The ordered list being read: its first number and how many items followed it.
    let mut list: Option<(u64, u64)> = None;
    for (n, _, _, line) in prose_lines(&src[start..]) {
        let line_no = first_line + n + 1;
        let t = line.trim_start();
        if let Some((level, text)) = heading(line) {
            list = None;
            headings.push(words(text));
            if let Some((id, title)) = requirement_heading(text) {
                items.push(Requirement { id, title, line: line_no, criteria: Vec::new() });
                current = Some((items.len() - 1, level));
            } else if current.is_some_and(|(_, l)| level <= l) {
                current = None;
            }
            continue;
        }
        if let Some((id, title)) = coded_item(line) {
            items.push(Requirement { id, title, line: line_no, criteria: Vec::new() });
            continue;
        }
        // A requirement heading without a title takes its first line of prose (the user story).
        if let Some((i, _)) = current
            && items[i].title.is_empty()
            && items[i].criteria.is_empty()
            && !t.is_empty()
            && !t.starts_with("- ")
            && !t.starts_with("* ")
            && !t.starts_with(['|', '>'])
            && numbered_item(line).is_none()
        {
            let story = t.trim_start_matches("**User Story:**").trim_start_matches("User Story:");
            items[i].title = story.trim().to_owned();
            continue;
        }
        let item = numbered_item(line);
        if item.is_none() && !t.is_empty() && !line.starts_with([' ', '\t']) {
            list = None; // a paragraph ends the list
        }
        if let Some((num, text)) = item {
            if let Some((i, _)) = current {
                // Numbered as Markdown renders it: from the list's first number on, whatever
                // the later items say (`7.` written twice is items 7 and 8).
                let n = match &mut list {
                    Some((start, seen)) => {
                        *seen += 1;
                        *start + *seen
                    }
                    None => {
                        let start = num.parse::<u64>().unwrap_or(1);
                        list = Some((start, 0));
                        start
                    }
                };
                let id = format!("{}.{n}", items[i].id);
                items[i].criteria.push(Criterion { id, text: text.to_owned(), line: line_no });
            } else if items_are_requirements {
                plain_items.push(Requirement {
                    id: num.to_owned(),
                    title: text.to_owned(),
                    line: line_no,
                    criteria: Vec::new(),
                });
            }
        }
    }
    if items.is_empty() {
        items = plain_items;
    }
    (items, headings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(r: &Requirements) -> Vec<(&str, Vec<&str>)> {
        r.items.iter().map(|q| (q.id.as_str(), q.criteria.iter().map(|c| c.id.as_str()).collect())).collect()
    }

    #[test]
    fn headings_and_acceptance_criteria() {
        let src = "# Requirements\n\n## Requirements\n\n### Requirement 1: Sign in\n\n**User Story:** x\n\n#### Acceptance Criteria\n\n1. WHEN a THEN b\n2. IF c THEN d\n\n### Requirement 2 — 検索\n\n1. WHEN e\n\n## Non-Functional Requirements\n\n### Performance\n- fast\n\n1. not a criterion\n";
        let r = Requirements::parse("r.md".into(), src);
        assert_eq!(ids(&r), [("1", vec!["1.1", "1.2"]), ("2", vec!["2.1"])]);
        assert_eq!(r.items[0].title, "Sign in");
        assert_eq!(r.items[1].title, "検索");
        let story = Requirements::parse(
            "r.md".into(),
            "### Requirement 1\n\n**User Story:** As a user, I want x\n\n1. WHEN a\n",
        );
        assert_eq!(story.items[0].title, "As a user, I want x");
        assert_eq!(r.items[0].line, 5);
        assert_eq!(r.items[0].criteria[1].line, 12);
        let twice = Requirements::parse("r.md".into(), "### Requirement 2\n1. a\n7. b\n7. c\n\nText.\n\n1. d\n");
        let ids: Vec<&str> = twice.items[0].criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["2.1", "2.2", "2.3", "2.1"], "numbered as rendered; a paragraph starts a new list");
        assert_eq!(r.resolve("1.2"), Resolved::Requirement(0, Some(1)));
        assert_eq!(r.resolve("2"), Resolved::Requirement(1, None));
        assert_eq!(r.resolve("1.3"), Resolved::Unknown);
        assert_eq!(r.resolve("3"), Resolved::Unknown);
        assert_eq!(r.resolve("Performance"), Resolved::Heading);
        assert_eq!(r.resolve("Non-Functional (Performance)"), Resolved::Heading);
        assert_eq!(r.resolve("Security"), Resolved::Unknown);
    }

    #[test]
    fn labels_in_many_languages_and_codes() {
        let src = "### REQ-1: Roles\n1. a\n### 需求 2：HTTP\n1. b\n### 故事3：修复\n- **FR-001**: System MUST x\n- FR-002: y\n```\n### Requirement 9\n```\n";
        let r = Requirements::parse("r.md".into(), src);
        assert_eq!(
            ids(&r),
            [("1", vec!["1.1"]), ("2", vec!["2.1"]), ("3", vec![]), ("FR-001", vec![]), ("FR-002", vec![])]
        );
        assert_eq!(r.items[3].title, "System MUST x");
    }

    #[test]
    fn numbered_layout_items() {
        let src = "# 1014\n\n## Requirements\n\n1. WHEN a THEN b\n2. WHEN c THEN d\n   1. nested\n\n## Tasks\n\n1. not a requirement\n";
        let r = Requirements::parse_numbered("s.md".into(), src);
        assert_eq!(ids(&r), [("1", vec![]), ("2", vec![])]);
        assert_eq!(r.items[1].line, 6);
        assert_eq!(r.items[0].title, "WHEN a THEN b");
    }

    #[test]
    fn references_as_people_write_them() {
        let e = |v: &[&str]| references(&v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(e(&["1.1", "2"]), ["1.1", "2"]);
        assert_eq!(e(&["Requirement 1", "REQ-3", "需求 2", "R4."]), ["1", "3", "2", "4"]);
        assert_eq!(e(&["Requirement 1-3"]), ["1", "2", "3"]);
        assert_eq!(e(&["N/A"]), Vec::<String>::new());
        assert_eq!(e(&["1.1、1.2"]), ["1.1", "1.2"]);
        assert_eq!(e(&["Non-Functional（Observability）"]), ["Non-Functional（Observability）"]);
    }
}
