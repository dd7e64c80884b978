//! Markdown to HTML for display, with pulldown-cmark: wiki links resolved to spec pages or
//! file views, headings given anchors (Obsidian's `[[Note#Heading]]` reaches them), front
//! matter shown as a small block of properties (wiki links in values followed), task markers
//! (`[ ]`, `[-]`, `[x]`, `[~]`) shown as status icons, a deliverable's traceback header
//! (`<!-- Generated from: … -->` comments, read by core's
//! [`specwork_core::views::deliverables::header`]) shown as links back to its spec and context,
//! and ```` ```mermaid ```` blocks handed to the vendored mermaid (drawn in the browser).
//!
//! Invariant: the output carries no HTML from the source: raw HTML in a document is shown as
//! text, and only `http`, `https`, `mailto` and workspace-relative link targets become links,
//! so a document cannot inject script into the dashboard. A mermaid block is escaped text in a
//! `<pre class="mermaid">`; mermaid draws it with its strict security level.

use std::path::Path;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use specwork_core::text::front_matter::{self, Value};
use specwork_core::views::deliverables::header::{self, Header};

use crate::i18n::Catalogue;
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

/// The class of a task marker's status icon, with the catalogue key of its label.
fn marker_icon(t: &Catalogue, status: &str) -> String {
    let label = t.k("status", status);
    format!("<span class=\"ic ic-{status}\" role=\"img\" aria-label=\"{0}\" title=\"{0}\"></span> ", escape(label))
}

/// The status a list item's source gives with a marker pulldown-cmark does not know (`[-]`,
/// `[~]`): the item's text after its bullet.
fn extra_marker(item: &str) -> Option<&'static str> {
    let rest = item.trim_start();
    let rest = match rest.strip_prefix(['-', '*', '+']) {
        Some(r) => r,
        None => rest.trim_start_matches(|c: char| c.is_ascii_digit()).strip_prefix(['.', ')'])?,
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let status = match rest.get(..3)? {
        "[-]" => "in-progress",
        "[~]" => "blocked",
        _ => return None,
    };
    rest[3..].chars().next().is_none_or(char::is_whitespace).then_some(status)
}

/// A property's value with its wiki links (`[[path|alias]]`) followed; other text is escaped.
fn value_html(value: &str, from_dir: &Path, links: &LinkIndex) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find("[[") {
        let Some(close) = rest[open..].find("]]").map(|c| open + c) else { break };
        out.push_str(&escape(&rest[..open]));
        let inner = &rest[open + 2..close];
        let (target, alias) = inner.split_once('|').unwrap_or((inner, inner));
        out.push_str(&path_link(target, alias, from_dir, links));
        rest = &rest[close + 2..];
    }
    out.push_str(&escape(rest));
    out
}

fn path_link(target: &str, label: &str, from_dir: &Path, links: &LinkIndex) -> String {
    let (path, fragment) = target.split_once('#').map_or((target, None), |(p, f)| (p, Some(f)));
    match links.resolve(from_dir, path.trim()) {
        Some(t) => format!(
            "<a href=\"{}\" class=\"wiki\">{}</a>",
            escape_attr(&target_url(&t, fragment)),
            escape(label.trim())
        ),
        None => format!(
            "<a class=\"wiki broken\" title=\"{}\">{}</a>",
            escape(&format!("not found: {path}")),
            escape(label.trim())
        ),
    }
}

/// A deliverable's traceback header as links back to its spec and context (and its purpose,
/// creation and target as text).
pub(crate) fn traceback_html(h: &Header, links: &LinkIndex, t: &Catalogue) -> String {
    let mut parts = Vec::new();
    let root = Path::new("");
    for (key, value, link) in [
        ("traceback.generated_from", &h.generated_from, true),
        ("traceback.context", &h.context, true),
        ("traceback.purpose", &h.purpose, false),
        ("traceback.created", &h.created, false),
        ("traceback.target", &h.target, false),
        ("traceback.reviewed", &h.reviewed, false),
    ] {
        let Some(v) = value else { continue };
        // Header paths are workspace-relative.
        let shown = if link { path_link(v, v, root, links) } else { escape(v) };
        parts.push(format!("<div><dt>{}</dt><dd>{shown}</dd></div>", escape(t.t(key))));
    }
    format!("<dl class=\"traceback\" aria-label=\"{}\">{}</dl>", escape(t.t("traceback.title")), parts.concat())
}

/// Front matter as a small block of properties; `None` when it does not parse (it is then
/// shown as written).
fn properties_html(src: &str, from_dir: &Path, links: &LinkIndex) -> Option<String> {
    let props = front_matter::read(src).ok().filter(|p| !p.is_empty())?;
    fn value(v: &Value, from_dir: &Path, links: &LinkIndex) -> String {
        match v {
            Value::Null => String::new(),
            Value::Text(s) => value_html(s, from_dir, links),
            Value::List(items) => items.iter().map(|i| value(i, from_dir, links)).collect::<Vec<_>>().join(", "),
            Value::Map(entries) => entries
                .iter()
                .map(|(k, v)| format!("{}: {}", escape(k), value(v, from_dir, links)))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
    let rows: String = props
        .iter()
        .map(|(k, v)| format!("<div><dt>{}</dt><dd>{}</dd></div>", escape(k), value(v, from_dir, links)))
        .collect();
    Some(format!("<dl class=\"properties\">{rows}</dl>"))
}

/// The text of `html` when it is one HTML comment and nothing else (`<!-- … -->`).
fn comment(html: &str) -> Option<&str> {
    let inner = html.trim().strip_prefix("<!--")?.strip_suffix("-->")?;
    (!inner.contains("-->")).then(|| inner.trim())
}

/// Whether a comment's text is a line of a traceback header (`Context: …`).
fn is_header_comment(text: &str) -> bool {
    let p = header::parse(text, true);
    p.generated_from.is_some()
        || p.context.is_some()
        || p.purpose.is_some()
        || p.created.is_some()
        || p.target.is_some()
}

/// Renders `src`, a document at `doc` (relative to the workspace), to HTML; `t` words the
/// labels of icons and headers.
pub(crate) fn render(src: &str, doc: &Path, links: &LinkIndex, t: &Catalogue) -> String {
    let from_dir = doc.parent().unwrap_or(Path::new(""));
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_WIKILINKS;
    let events: Vec<(Event<'_>, std::ops::Range<usize>)> = Parser::new_ext(src, opts).into_offset_iter().collect();
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut in_metadata = false;
    let mut in_mermaid = false;
    // A `[-]`/`[~]` marker still to be taken off the item's text: characters left.
    let mut strip_marker: Option<(&'static str, usize)> = None;
    let mut header_shown = false;
    let mut session_key: Option<String> = None;
    let mut i = 0;
    while i < events.len() {
        let (ev, range) = events[i].clone();
        i += 1;
        if let Some((status, left)) = strip_marker {
            match ev {
                Event::Text(ref text) => {
                    let mut chars = text.char_indices();
                    let mut cut = 0;
                    let mut left = left;
                    while left > 0 {
                        match chars.next() {
                            Some((p, c)) => {
                                cut = p + c.len_utf8();
                                left -= 1;
                            }
                            None => break,
                        }
                    }
                    if left > 0 {
                        strip_marker = Some((status, left));
                        continue;
                    }
                    strip_marker = None;
                    // The icon stands for the marker; the text keeps its own space after it.
                    out.push(Event::Html(CowStr::from(marker_icon(t, status).trim_end().to_owned())));
                    let rest = &text[cut..];
                    if !rest.is_empty() {
                        out.push(Event::Text(CowStr::from(rest.to_owned())));
                    }
                    continue;
                }
                Event::Start(Tag::Paragraph) => {}
                _ => strip_marker = None,
            }
        }
        match ev {
            Event::Start(Tag::MetadataBlock(_)) => match properties_html(src, from_dir, links) {
                Some(html) => {
                    out.push(Event::Html(CowStr::from(html)));
                    while i < events.len() && !matches!(events[i].0, Event::End(TagEnd::MetadataBlock(_))) {
                        i += 1;
                    }
                    i += 1;
                }
                None => {
                    in_metadata = true;
                    out.push(Event::Html(CowStr::from("<pre class=\"front-matter\"><code>")));
                }
            },
            Event::End(TagEnd::MetadataBlock(_)) => {
                in_metadata = false;
                out.push(Event::Html(CowStr::from("</code></pre>")));
            }
            Event::Text(t) if in_metadata => out.push(Event::Text(t)),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if lang.trim() == "mermaid" => {
                in_mermaid = true;
                out.push(Event::Html(CowStr::from("<pre class=\"mermaid\">")));
            }
            Event::Text(text) if in_mermaid => out.push(Event::Html(CowStr::from(escape(&text)))),
            Event::End(TagEnd::CodeBlock) if in_mermaid => {
                in_mermaid = false;
                out.push(Event::Html(CowStr::from("</pre>")));
            }
            Event::Start(Tag::Item) => {
                out.push(Event::Start(Tag::Item));
                if let Some(status) = src.get(range).and_then(extra_marker) {
                    strip_marker = Some((status, 3));
                }
            }
            Event::TaskListMarker(done) => {
                out.push(Event::Html(CowStr::from(marker_icon(t, if done { "done" } else { "pending" }))));
            }
            // An HTML comment is not shown (as in Obsidian). A deliverable's traceback header
            // (old Markdown deliverables carry it in comments) shows as links, once. specwork's
            // own session marker gives the heading under it the session's key as a tooltip:
            // the heading shows the name the person chose (`inv-1300`), not the key
            // (`inv-1300.dana-70dbec`).
            Event::Html(h) | Event::InlineHtml(h) if comment(&h).is_some() => {
                let text = comment(&h).unwrap_or_default();
                if let Some(key) = text.strip_prefix("specwork:session ") {
                    session_key = Some(key.trim().to_owned());
                } else if !header_shown && is_header_comment(text) {
                    let parsed = header::parse(src, false);
                    if parsed.is_complete() {
                        header_shown = true;
                        out.push(Event::Html(CowStr::from(traceback_html(&parsed, links, t))));
                    }
                }
            }
            // Raw HTML from the document is shown, never interpreted.
            Event::Html(h) | Event::InlineHtml(h) => out.push(Event::Text(h)),
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                // Collect the heading's text to give it an anchor.
                let mut text = String::new();
                let mut j = i;
                while j < events.len() {
                    match &events[j].0 {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let id = id.map(|s| s.to_string()).unwrap_or_else(|| slug(&text));
                let _ = (classes, attrs);
                let title = session_key
                    .take()
                    .map(|k| format!(" title=\"{0}\" data-session=\"{0}\"", escape(&k)))
                    .unwrap_or_default();
                out.push(Event::Html(CowStr::from(format!("<{} id=\"{}\"{title}>", heading_tag(level), escape(&id)))));
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
                out.push(Event::Html(CowStr::from(format!(
                    "<span class=\"ic ic-image\" role=\"img\" aria-label=\"{}\"></span> ",
                    escape(t.t("icon.image"))
                ))));
                // Skip to the image's end, keeping its alt text.
                while i < events.len() {
                    match &events[i].0 {
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
        let html = render(
            "# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>b</b>\n",
            Path::new("a.md"),
            &idx,
            crate::i18n::english(),
        );
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(html.contains("<h1 id=\"t\">T</h1>"), "{html}");
    }

    #[test]
    fn task_markers_are_icons_and_comments_are_hidden() {
        let idx = LinkIndex::default();
        let md = "- [ ] a\n- [-] b\n1. [~] c\n* [x] d\n- [-]x not a marker\n\n<!-- a note -->\n\n<!-- specwork:session s.k-1 -->\n## S\n";
        let html = render(md, Path::new("a.md"), &idx, crate::i18n::english());
        for (class, text) in [("pending", "a"), ("in-progress", "b"), ("blocked", "c"), ("done", "d")] {
            assert!(html.contains(&format!("class=\"ic ic-{class}\" role=\"img\"")), "{class}: {html}");
            assert!(html.contains(&format!("></span> {text}</li>")), "{text}: {html}");
        }
        assert!(html.contains("[-]x not a marker"), "{html}");
        assert!(!html.contains("a note") && !html.contains("specwork:session"), "{html}");
        assert!(html.contains("<h2 id=\"s\" title=\"s.k-1\" data-session=\"s.k-1\">S</h2>"), "{html}");
        assert_eq!(extra_marker("  10. [~]\tx"), Some("blocked"));
        assert_eq!(extra_marker("- [-]"), Some("in-progress"));
        assert_eq!(extra_marker("- [x] y"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Implementation Timeline"), "implementation-timeline");
        assert_eq!(slug("Session 1: 2025-08-26 - Initial Planning"), "session-1-2025-08-26-initial-planning");
    }
}
