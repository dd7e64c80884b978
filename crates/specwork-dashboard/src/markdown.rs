//! Markdown to HTML for display, with pulldown-cmark: wiki links resolved to spec pages or
//! file views, headings given anchors (Obsidian's `[[Note#Heading]]` reaches them), front
//! matter shown as a code block.
//!
//! Invariant: the output carries no HTML from the source: raw HTML in a document is shown as
//! text, and only `http`, `https`, `mailto` and workspace-relative link targets become links,
//! so a document cannot inject script into the dashboard.

use std::path::Path;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::links::{LinkIndex, Target};
use crate::security::percent_encode_path;

/// The URL of a resolved link target.
pub(crate) fn target_url(t: &Target, fragment: Option<&str>) -> String {
    let frag = fragment.filter(|f| !f.is_empty()).map(|f| format!("#{}", slug(f))).unwrap_or_default();
    match t {
        Target::SpecDoc(id, key) => format!("/specs/{}?doc={key}{frag}", percent_encode_path(id)),
        Target::File(p) => format!("/files/{}{frag}", percent_encode_path(&p.to_string_lossy())),
    }
}

/// An anchor id for a heading: lower-cased, spaces to `-`, only letters, digits, `-` and `_`.
pub(crate) fn slug(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            s.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '.' || c == '-') && !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_owned()
}

fn heading_tag(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "h1",
        HeadingLevel::H2 => "h2",
        HeadingLevel::H3 => "h3",
        HeadingLevel::H4 => "h4",
        HeadingLevel::H5 => "h5",
        HeadingLevel::H6 => "h6",
    }
}

/// Escapes text for HTML content and quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn escape_attr(s: &str) -> String {
    escape(s)
}

/// Whether a link destination may be followed as written.
fn external(dest: &str) -> Option<bool> {
    let lower = dest.trim().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:") {
        return Some(true);
    }
    if lower.contains(':') && !lower.starts_with('#') {
        // javascript:, data:, file: and other schemes are never links.
        return Some(false);
    }
    None
}

/// Renders `src`, a document at `doc` (relative to the workspace), to HTML.
pub(crate) fn render(src: &str, doc: &Path, links: &LinkIndex) -> String {
    let from_dir = doc.parent().unwrap_or(Path::new(""));
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_WIKILINKS;
    let events: Vec<Event<'_>> = Parser::new_ext(src, opts).collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut in_metadata = false;
    let mut i = 0;
    while i < events.len() {
        let ev = events[i].clone();
        i += 1;
        match ev {
            Event::Start(Tag::MetadataBlock(_)) => {
                in_metadata = true;
                out.push(Event::Html(CowStr::from("<pre class=\"front-matter\"><code>")));
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                in_metadata = false;
                out.push(Event::Html(CowStr::from("</code></pre>")));
            }
            Event::Text(t) if in_metadata => out.push(Event::Text(t)),
            // Raw HTML from the document is shown, never interpreted.
            Event::Html(h) | Event::InlineHtml(h) => out.push(Event::Text(h)),
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                // Collect the heading's text to give it an anchor.
                let mut text = String::new();
                let mut j = i;
                while j < events.len() {
                    match &events[j] {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let id = id.map(|s| s.to_string()).unwrap_or_else(|| slug(&text));
                let _ = (classes, attrs);
                out.push(Event::Html(CowStr::from(format!("<{} id=\"{}\">", heading_tag(level), escape(&id)))));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::Html(CowStr::from(format!("</{}>", heading_tag(level)))));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                out.push(Event::Html(CowStr::from(link_open(link_type, &dest_url, &title, from_dir, links))));
            }
            Event::End(TagEnd::Link) => out.push(Event::Html(CowStr::from("</a>"))),
            Event::Start(Tag::Image { link_type, dest_url, title, .. }) => {
                // Images are shown as links to the file (no remote loads, no inline data).
                out.push(Event::Html(CowStr::from(link_open(link_type, &dest_url, &title, from_dir, links))));
                out.push(Event::Text(CowStr::from("🖼 ")));
                // Skip to the image's end, keeping its alt text.
                while i < events.len() {
                    match &events[i] {
                        Event::End(TagEnd::Image) => {
                            i += 1;
                            break;
                        }
                        Event::Text(t) => out.push(Event::Text(t.clone())),
                        _ => {}
                    }
                    i += 1;
                }
                if matches!(link_type, LinkType::WikiLink { has_pothole: false }) {
                    out.push(Event::Text(dest_url.clone()));
                }
                out.push(Event::Html(CowStr::from("</a>")));
            }
            other => out.push(other),
        }
    }
    let mut html = String::with_capacity(src.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    html
}

fn link_open(link_type: LinkType, dest: &str, title: &str, from_dir: &Path, links: &LinkIndex) -> String {
    let title_attr = if title.is_empty() { String::new() } else { format!(" title=\"{}\"", escape(title)) };
    let wiki = matches!(link_type, LinkType::WikiLink { .. });
    if !wiki {
        match external(dest) {
            Some(true) => {
                return format!(
                    "<a href=\"{}\" rel=\"noopener noreferrer\" class=\"external\"{title_attr}>",
                    escape_attr(dest)
                );
            }
            Some(false) => return format!("<a class=\"broken\" title=\"{}\">", escape(dest)),
            None => {}
        }
        if let Some(frag) = dest.strip_prefix('#') {
            return format!("<a href=\"#{}\"{title_attr}>", escape_attr(&slug(frag)));
        }
    }
    // Markdown links are URL-encoded (`My%20Note.md`); wiki links are written as is.
    let decoded = if wiki { dest.to_owned() } else { crate::security::percent_decode(dest) };
    let (path, fragment) = match decoded.split_once('#') {
        Some((p, f)) => (p.to_owned(), Some(f.to_owned())),
        None => (decoded, None),
    };
    if path.is_empty() {
        let frag = fragment.as_deref().map(slug).unwrap_or_default();
        return format!("<a href=\"#{}\" class=\"wiki\"{title_attr}>", escape_attr(&frag));
    }
    match links.resolve(from_dir, &path) {
        Some(t) => {
            let url = target_url(&t, fragment.as_deref());
            format!("<a href=\"{}\" class=\"wiki\"{title_attr}>", escape_attr(&url))
        }
        None => format!("<a class=\"wiki broken\" title=\"{}\">", escape(&format!("not found: {path}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_scripts_are_text() {
        let idx = LinkIndex::default();
        let html =
            render("# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>b</b>\n", Path::new("a.md"), &idx);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("<h1 id=\"t\">T</h1>"), "{html}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Implementation Timeline"), "implementation-timeline");
        assert_eq!(slug("Session 1: 2025-08-26 - Initial Planning"), "session-1-2025-08-26-initial-planning");
    }
}
