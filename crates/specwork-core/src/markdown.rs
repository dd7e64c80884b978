//! Small, allocation-light readers for the Markdown shapes specwork cares about: the title, ATX
//! heading sections, bold `**Field**: value` lines and YAML front matter boundaries. They read;
//! they never re-serialise what a person wrote.

use std::ops::Range;

/// The byte range of YAML front matter (both `---` lines included), if the file opens with one.
pub fn front_matter(src: &str) -> Option<Range<usize>> {
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let offset = src.len() - body.len();
    let first_end = body.find('\n')?;
    if body[..first_end].trim_end() != "---" {
        return None;
    }
    let mut pos = first_end + 1;
    while pos < body.len() {
        let end = body[pos..].find('\n').map_or(body.len(), |i| pos + i + 1);
        let line = body[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Some(offset..offset + end);
        }
        pos = end;
    }
    None
}

/// A `key: value` from front matter (plain scalars only, quotes stripped).
pub fn front_matter_field<'a>(src: &'a str, key: &str) -> Option<&'a str> {
    let fm = front_matter(src)?;
    src[fm].lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').trim_matches('\''))
    })
}

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

/// The first `# ` heading's text, outside front matter and code fences.
pub fn title(src: &str) -> Option<&str> {
    let start = front_matter(src).map_or(0, |r| r.end);
    let mut in_fence = false;
    for line in src[start..].lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence && let Some((1, text)) = heading(line) {
            return Some(text);
        }
    }
    None
}

/// Byte range of the section under the first heading whose text satisfies `pred`: from the
/// start of the line after the heading to the next heading of the same or a higher level.
pub fn section(src: &str, pred: impl Fn(&str) -> bool) -> Option<Range<usize>> {
    let mut pos = 0;
    let mut found: Option<(usize, usize)> = None; // (level, body start)
    let mut in_fence = false;
    while pos < src.len() {
        let end = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        let line = src[pos..end].trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence && let Some((level, text)) = heading(line) {
            if let Some((l, start)) = found {
                if level <= l {
                    return Some(start..pos);
                }
            } else if pred(text) {
                found = Some((level, end));
            }
        }
        pos = end;
    }
    found.map(|(_, start)| start..src.len())
}

/// The value of a bold field line such as `**Status**: planning` (trailing two-space line breaks
/// trimmed). Searches the whole text; returns the first match.
pub fn field<'a>(src: &'a str, name: &str) -> Option<&'a str> {
    field_range(src, name).map(|r| src[r].trim())
}

/// Byte range of a bold field's value (without trailing spaces and line ending).
pub fn field_range(src: &str, name: &str) -> Option<Range<usize>> {
    let needle = format!("**{name}**:");
    let needle2 = format!("**{name}:**");
    let mut pos = 0;
    while pos < src.len() {
        let end = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        let line = &src[pos..end];
        if let Some(i) = line.find(&needle).or_else(|| line.find(&needle2)) {
            let vstart = pos + i + needle.len();
            let value = &src[vstart..end];
            let trimmed = value.trim_end_matches(['\n', '\r']).trim_end();
            let lead_ws = trimmed.len() - trimmed.trim_start().len();
            return Some(vstart + lead_ws..vstart + trimmed.len());
        }
        pos = end;
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
        let links = wiki_links("a [[spec|1001 - S]] b\n[[x]]");
        assert_eq!(links[0].0, "spec");
        assert_eq!(links[1].3, 2);
    }
}
