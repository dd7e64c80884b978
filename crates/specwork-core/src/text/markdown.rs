//! Small, allocation-light readers for the Markdown shapes specwork cares about: the title, ATX
//! heading sections and bold `**Field**: value` lines (front matter is read by
//! [`crate::text::front_matter`]). They read; they never re-serialise what a person wrote.

use std::ops::Range;

pub use crate::text::lines::line_spans;

/// An ATX heading: level and text.
pub fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let level = t.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((level, rest.trim().trim_end_matches('#').trim()))
}

/// The lines of `src` outside fenced code blocks (the fence lines too are left out):
/// `(0-based line number, start, end, text)` as [`line_spans`] gives them.
pub fn prose_lines(src: &str) -> impl Iterator<Item = (usize, usize, usize, &str)> {
    let mut in_fence = false;
    line_spans(src).enumerate().filter_map(move |(n, (start, end, line))| {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            return None;
        }
        (!in_fence).then_some((n, start, end, line))
    })
}

/// The first `# ` heading's text, outside front matter and code fences.
pub fn title(src: &str) -> Option<&str> {
    let start = crate::text::front_matter::range(src).map_or(0, |r| r.end);
    prose_lines(&src[start..]).find_map(|(_, _, _, line)| match heading(line) {
        Some((1, text)) => Some(text),
        _ => None,
    })
}

/// Byte range of the section under the first heading whose text satisfies `pred`: from the
/// start of the line after the heading to the next heading of the same or a higher level.
pub fn section(src: &str, pred: impl Fn(&str) -> bool) -> Option<Range<usize>> {
    let mut found: Option<(usize, usize)> = None; // (level, body start)
    for (_, pos, end, line) in prose_lines(src) {
        if let Some((level, text)) = heading(line) {
            if let Some((l, start)) = found {
                if level <= l {
                    return Some(start..pos);
                }
            } else if pred(text) {
                found = Some((level, end));
            }
        }
    }
    found.map(|(_, start)| start..src.len())
}

/// The value of a bold field line such as `**Status**: planning` (trailing two-space line breaks
/// trimmed). Searches the whole text; returns the first match.
pub fn field<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    field_range(src, name).map(|r| src[r].trim())
}

/// Byte range of a bold field's value (without trailing spaces and line ending).
///
/// Matches `**Name**: value` and `**Name:** value`. Allocation-free: context files are read by
/// the thousand for a portfolio, so this runs on every line of every timeline.
pub fn field_range(src: &str, name: &str) -> Option<Range<usize>> {
    let b = src.as_bytes();
    for star in memchr::memmem::find_iter(b, b"**") {
        let rest = &b[star + 2..];
        let Some(after_name) = rest.strip_prefix(name.as_bytes()) else { continue };
        let value_start = if after_name.starts_with(b"**:") || after_name.starts_with(b":**") {
            star + 2 + name.len() + 3
        } else {
            continue;
        };
        let end = memchr::memchr(b'\n', &b[value_start..]).map_or(src.len(), |i| value_start + i);
        let value = &src[value_start..end];
        let trimmed = value.trim_end();
        let lead_ws = trimmed.len() - trimmed.trim_start().len();
        return Some(value_start + lead_ws..value_start + trimmed.len());
    }
    None
}

/// Strips an id prefix from a title: `1014 - Cold Storage NAS` → `Cold Storage NAS`,
/// `Spec 1014: X` → `X`.
pub fn strip_id_prefix<'a>(title: &'a str, id: &str) -> &'a str {
    let t = title.trim();
    let t = t.strip_prefix("Spec ").or_else(|| t.strip_prefix("spec ")).unwrap_or(t);
    match t.strip_prefix(id) {
        Some(rest) if rest.is_empty() || rest.starts_with([' ', ':', '-', '–', '—', '.']) => {
            let r = rest.trim_start_matches([' ', ':', '-', '–', '—', '.']);
            if r.is_empty() { title } else { r }
        }
        _ => title.trim(),
    }
}

/// Obsidian wiki links in `src`: `(target, alias, byte range of the whole link, line)`.
pub fn wiki_links(src: &str) -> Vec<(String, Option<String>, Range<usize>, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut last = 0;
    let b = src.as_bytes();
    let mut i = 0;
    while let Some(off) = memchr::memmem::find(&b[i..], b"[[") {
        let start = i + off;
        let Some(close) = memchr::memmem::find(&b[start + 2..], b"]]") else { break };
        let inner = &src[start + 2..start + 2 + close];
        if inner.contains('\n') {
            i = start + 2;
            continue;
        }
        line += memchr::memchr_iter(b'\n', &b[last..start]).count();
        last = start;
        let (target, alias) = match inner.split_once('|') {
            Some((t, a)) => (t, Some(a.to_owned())),
            None => (inner, None),
        };
        out.push((target.to_owned(), alias, start..start + 4 + close, line));
        i = start + 4 + close;
    }
    out
}

/// The end of the last non-blank line of `src[range]`, its line ending included (where a line
/// appended to a section goes), or the range start when the range is all blank.
pub fn content_end(src: &str, range: std::ops::Range<usize>) -> usize {
    let body = &src[range.clone()];
    let trimmed = body.trim_end_matches(['\n', '\r', ' ', '\t']);
    if trimmed.is_empty() {
        return range.start;
    }
    let end = range.start + trimmed.len();
    // Include the line ending of that last line.
    src[end..range.end].find('\n').map_or(range.end, |i| end + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_fields() {
        let src = "# T\n\n**Status**: active  \n## Tasks\n- [ ] 1 a\n### Sub\nx\n## Next\n";
        let r = section(src, |t| t == "Tasks").unwrap();
        assert_eq!(&src[r], "- [ ] 1 a\n### Sub\nx\n");
        assert_eq!(field(src, "Status"), Some("active"));
        assert_eq!(title(src), Some("T"));
        assert_eq!(strip_id_prefix("1014 - Cold Storage NAS", "1014"), "Cold Storage NAS");
        assert_eq!(field("x **Statuses**: no\n**Status:** done  \r\n", "Status"), Some("done"));
        assert_eq!(field("**Status**:", "Status"), Some(""));
        assert_eq!(field("**Status** : spaced", "Status"), None);
        let spans: Vec<_> = line_spans("a\r\nb\n\nc").collect();
        assert_eq!(spans, [(0, 3, "a"), (3, 5, "b"), (5, 6, ""), (6, 7, "c")]);
        assert_eq!(title("---\ntitle: x\n---\n# Heading\n"), Some("Heading"));
        let links = wiki_links("a [[spec|1001 - S]] b\n[[x]]");
        assert_eq!(links[0].0, "spec");
        assert_eq!(links[1].3, 2);
    }
}
