//! Traceback headers: the lines at the top of a deliverable that lead back to its spec.
//!
//! ```text
//! #!/bin/bash
//! # Generated from: specs/1000/1001/1014.spec.md
//! # Context: specs/1000/1001/1014.context.md
//! # Purpose: Monitor NAS connectivity and performance
//! # Created: 2025-08-26 by Claude + User
//! # Target: /etc/fstab            (configuration files)
//! ```
//!
//! Each line is a comment in the file's own syntax ([`CommentStyle::for_file`]): `#` for shell,
//! Python, TOML, YAML and `.conf` files, `//` for Rust, JS/TS, C and Go, `--` for SQL and Lua,
//! `<!-- … -->` for HTML. Formats without comments (JSON, CSV, binary files) get a sibling
//! `<file>.meta` holding the same `Key: value` lines without comment markers. The header goes
//! after a shebang (and a Python coding line) or an XML declaration. Paths are
//! workspace-relative with `/`.
//!
//! Markdown deliverables carry the header as front matter properties, which Obsidian shows and
//! follows (an HTML comment is invisible there):
//!
//! ```text
//! ---
//! spec: "[[../../1014.spec|1014 - Cold Storage NAS]]"
//! context: "[[../../1014.context]]"
//! purpose: "NAS setup guide"
//! created: "2025-08-26 by Claude + User"
//! ---
//! ```
//!
//! The links are relative to the deliverable, as every other link specwork writes. They go into
//! the file's own front matter when it has one (its lines are kept byte for byte), else into a
//! new one. Markdown files written before keep their `<!-- Generated from: … -->` comments, which
//! are still read.

use std::path::{Path, PathBuf};

/// How a file writes a one-line comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// A prefix: `# `, `// `, `-- `.
    Line(&'static str),
    /// An opening and closing marker on the same line: `<!-- … -->`, `/* … */`.
    Block(&'static str, &'static str),
    /// Markdown front matter properties (`spec: "[[…]]"`).
    Properties,
    /// No comments: the header lives in `<file>.meta`.
    Sidecar,
}

impl CommentStyle {
    /// The style for `path`, looking at its extension, then its name, then its first bytes
    /// (`content`): a shebang means `#`, a NUL byte means a binary file (sidecar). Unknown text
    /// files get `#`, the comment of most configuration formats (fstab, crontab, sysctl).
    pub fn for_file(path: &Path, content: &[u8]) -> CommentStyle {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
        match ext.as_str() {
            "sh" | "bash" | "zsh" | "ksh" | "fish" | "py" | "pyw" | "rb" | "pl" | "pm" | "r" | "toml" | "yaml"
            | "yml" | "conf" | "cfg" | "ini" | "properties" | "env" | "tf" | "hcl" | "nix" | "ps1" | "psm1"
            | "cmake" | "mk" | "service" | "timer" | "socket" | "mount" | "rules" | "nft" | "awk" | "sed" | "tcl"
            | "jl" | "ex" | "exs" | "nim" | "txt" | "dockerfile" | "gitignore" | "editorconfig" | "cron" => {
                CommentStyle::Line("#")
            }
            "rs" | "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "tsx" | "jsx" | "c" | "h" | "cpp" | "cc" | "cxx"
            | "hpp" | "hh" | "java" | "go" | "kt" | "kts" | "swift" | "scala" | "cs" | "dart" | "proto" | "groovy"
            | "gradle" | "zig" | "jsonc" | "json5" | "php" | "scss" | "less" => CommentStyle::Line("//"),
            "sql" | "lua" | "hs" | "elm" | "ada" | "adb" | "ads" | "vhd" | "vhdl" => CommentStyle::Line("--"),
            "md" | "markdown" => CommentStyle::Properties,
            "html" | "htm" | "xhtml" | "xml" | "svg" | "vue" | "svelte" => CommentStyle::Block("<!--", "-->"),
            "css" => CommentStyle::Block("/*", "*/"),
            "tex" | "sty" | "cls" | "erl" | "hrl" => CommentStyle::Line("%"),
            "bat" | "cmd" => CommentStyle::Line("REM"),
            "vim" => CommentStyle::Line("\""),
            "el" | "lisp" | "clj" | "cljs" | "scm" | "rkt" => CommentStyle::Line(";;"),
            "json" | "csv" | "tsv" | "ipynb" | "png" | "jpg" | "jpeg" | "gif" | "webp" | "pdf" | "zip" | "gz"
            | "tar" | "bin" => CommentStyle::Sidecar,
            _ if name == "jenkinsfile" => CommentStyle::Line("//"),
            _ if content.contains(&0) => CommentStyle::Sidecar,
            _ => CommentStyle::Line("#"),
        }
    }

    fn wrap(self, text: &str) -> String {
        match self {
            CommentStyle::Line(p) => format!("{p} {text}"),
            CommentStyle::Block(o, c) => format!("{o} {text} {c}"),
            CommentStyle::Sidecar | CommentStyle::Properties => text.to_owned(),
        }
    }
}

/// The sibling file that holds the header of a file without comments: `settings.json.meta`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".meta");
    PathBuf::from(s)
}

/// Whether a path is a header sidecar.
pub fn is_sidecar(path: &str) -> bool {
    path.ends_with(".meta")
}

/// The fields a header is written from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderFields {
    /// The spec document (workspace-relative).
    pub generated_from: String,
    /// The context file, when the spec has one.
    pub context: Option<String>,
    /// What the deliverable is for.
    pub purpose: String,
    /// `2025-08-26 by Claude + User`.
    pub created: String,
    /// Where a configuration file is installed (`/etc/fstab`).
    pub target: Option<String>,
    /// How the spec link of a Markdown deliverable reads (`1014 - Cold Storage NAS`).
    pub spec_name: Option<String>,
}

impl HeaderFields {
    /// The header's lines, each ending with `eol`. Comment and sidecar styles only: Markdown's
    /// properties need the file's place ([`HeaderFields::properties`]).
    pub fn render(&self, style: CommentStyle, eol: &str) -> String {
        let mut lines = vec![format!("Generated from: {}", self.generated_from)];
        if let Some(c) = &self.context {
            lines.push(format!("Context: {c}"));
        }
        lines.push(format!("Purpose: {}", one_line(&self.purpose)));
        lines.push(format!("Created: {}", one_line(&self.created)));
        if let Some(t) = &self.target {
            lines.push(format!("Target: {}", one_line(t)));
        }
        lines.into_iter().map(|l| style.wrap(&l) + eol).collect()
    }

    /// The front matter properties of a Markdown deliverable at `file` (workspace-relative),
    /// each line ending with `eol`, without the `---` fences. Links are relative to the file.
    pub fn properties(&self, file: &Path, eol: &str) -> String {
        let dir = file.parent().unwrap_or(Path::new(""));
        let link = |to: &str, alias: Option<&str>| {
            let target = crate::model::links::link_target(dir, Path::new(to));
            match alias {
                Some(a) => format!("[[{target}|{}]]", one_line(&crate::base::names::link_alias(a))),
                None => format!("[[{target}]]"),
            }
        };
        let mut lines = vec![format!("spec: {}", yaml_quoted(&link(&self.generated_from, self.spec_name.as_deref())))];
        if let Some(c) = &self.context {
            lines.push(format!("context: {}", yaml_quoted(&link(c, None))));
        }
        lines.push(format!("purpose: {}", yaml_quoted(&one_line(&self.purpose))));
        lines.push(format!("created: {}", yaml_quoted(&one_line(&self.created))));
        if let Some(t) = &self.target {
            lines.push(format!("target: {}", yaml_quoted(&one_line(t))));
        }
        lines.into_iter().map(|l| l + eol).collect()
    }
}

/// A YAML double-quoted scalar.
fn yaml_quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The keys a Markdown deliverable's header writes into front matter.
const PROPERTY_KEYS: [&str; 5] = ["spec", "context", "purpose", "created", "target"];

fn one_line(s: &str) -> String {
    crate::base::names::one_line(s).replace("*/", "*")
}

/// A header as read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    /// `Generated from:`.
    pub generated_from: Option<String>,
    /// `Context:`.
    pub context: Option<String>,
    /// `Purpose:`.
    pub purpose: Option<String>,
    /// `Created:`.
    pub created: Option<String>,
    /// `Target:`.
    pub target: Option<String>,
    /// `Reviewed:` (in the header, or `reviewed:` in Markdown front matter).
    pub reviewed: Option<String>,
    /// 1-based line of `Generated from:` (in the sidecar when `sidecar` is set), or of the
    /// `spec:` property.
    pub line: usize,
    /// Whether it was read from a `.meta` sidecar.
    pub sidecar: bool,
    /// The link targets as written in a Markdown deliverable's `spec:` and `context:`
    /// properties (relative to the file); `generated_from` and `context` hold them resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_link: Option<String>,
    /// See `spec_link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_link: Option<String>,
}

impl Header {
    /// Whether it is a traceback header at all (it names its spec).
    pub fn is_complete(&self) -> bool {
        self.generated_from.is_some()
    }
}

const COMMENT_PREFIXES: [&str; 10] = ["<!--", "/*", "//", "--", "REM ", ";;", "#", ";", "%", "\""];
/// How far down the header is looked for.
const HEADER_SCAN_LINES: usize = 40;

/// Reads the header fields from the first lines of `text`. With `bare`, lines need no comment
/// marker (sidecars).
pub fn parse(text: &str, bare: bool) -> Header {
    let mut h = Header::default();
    for (i, raw) in text.lines().take(HEADER_SCAN_LINES).enumerate() {
        let mut l = raw.trim();
        let mut commented = bare;
        for p in COMMENT_PREFIXES {
            if let Some(rest) = l.strip_prefix(p) {
                l = rest;
                commented = true;
                break;
            }
        }
        if !commented {
            continue;
        }
        let l = l.trim().trim_end_matches("-->").trim_end_matches("*/").trim();
        let Some((key, value)) = l.split_once(':') else { continue };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "generated from" => {
                if h.generated_from.is_none() {
                    h.line = i + 1;
                }
                &mut h.generated_from
            }
            "context" => &mut h.context,
            "purpose" => &mut h.purpose,
            "created" => &mut h.created,
            "target" => &mut h.target,
            "reviewed" => &mut h.reviewed,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }
    if !bare {
        let fm = crate::text::front_matter::properties(text);
        let prop = |k: &str| fm.text(k).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        if h.reviewed.is_none() {
            h.reviewed = prop("reviewed");
        }
        if h.generated_from.is_none()
            && let Some(spec) = prop("spec").as_deref().and_then(wiki_target)
        {
            h.spec_link = Some(spec);
            h.context_link = prop("context").as_deref().and_then(wiki_target);
            h.purpose = h.purpose.take().or_else(|| prop("purpose"));
            h.created = h.created.take().or_else(|| prop("created"));
            h.target = h.target.take().or_else(|| prop("target"));
            h.line = text.lines().position(|l| l.starts_with("spec:")).map_or(1, |i| i + 1);
        }
    }
    h.sidecar = bare;
    h
}

/// The target of a property written as a wiki link (`[[../../1014.spec|alias]]`).
fn wiki_target(value: &str) -> Option<String> {
    let inner = value.strip_prefix("[[")?.strip_suffix("]]")?;
    let target = inner.split('|').next().unwrap_or(inner).trim();
    (!target.is_empty()).then(|| target.to_owned())
}

/// The workspace path of the spec document or context file a link written in `file` leads to
/// (`.md` added, as Obsidian reads a link to a note).
fn resolve_link(file: &Path, target: &str) -> Option<String> {
    let dir = crate::base::display::slash_path(file.parent().unwrap_or(Path::new("")));
    let path = crate::model::links::normalize(&dir, crate::model::links::strip_subpath(target))?;
    Some(if path.ends_with(".md") { path } else { format!("{path}.md") })
}

/// The header of the file `rel` of the workspace at `root`: in the file (comments or, for
/// Markdown, front matter properties), else in its `.meta` sidecar. `None` when there is no
/// traceback header (no `Generated from:` and no `spec:` link).
pub fn read(root: &Path, rel: &Path) -> Option<Header> {
    let abs = root.join(rel);
    let text = read_start(&abs);
    let mut h = parse(&text, false);
    if let Some(spec) = &h.spec_link {
        h.generated_from = resolve_link(rel, spec);
        h.context = h.context_link.as_deref().and_then(|c| resolve_link(rel, c));
    }
    if h.is_complete() {
        return Some(h);
    }
    let side = crate::base::path_policy::read_to_string(sidecar_path(&abs)).ok()?;
    let mut s = parse(&side, true);
    s.reviewed = s.reviewed.or(h.reviewed);
    s.is_complete().then_some(s)
}

/// The first few KB of a file as text (lossy), enough for the header.
fn read_start(abs: &Path) -> String {
    use std::io::Read;
    let mut buf = Vec::new();
    if let Ok(f) = fs_err::File::open(abs) {
        let _ = f.take(16 * 1024).read_to_end(&mut buf);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// The byte offset where a header goes in `src`: after a BOM, a shebang (and a Python coding
/// line after it), an XML declaration or `<?php`, or Markdown front matter.
pub fn insertion_offset(src: &str) -> usize {
    let mut pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
    if let Some(fm) = crate::text::front_matter::range(src) {
        return fm.end;
    }
    let line_end = |from: usize| src[from..].find('\n').map_or(src.len(), |i| from + i + 1);
    let first = &src[pos..];
    if first.starts_with("#!") || first.starts_with("<?xml") || first.starts_with("<?php") {
        pos = line_end(pos);
        let next = &src[pos..line_end(pos)];
        if next.starts_with('#') && (next.contains("coding:") || next.contains("coding=")) {
            pos = line_end(pos);
        }
    }
    pos
}

/// `src` (the content of the deliverable `file`) with the header inserted at
/// [`insertion_offset`], in the file's line endings. Markdown's properties go into the file's
/// front matter, before its closing fence, or into a new one; front matter that does not parse,
/// or that uses one of the keys already, gets the comment header after it instead.
pub fn insert(src: &str, fields: &HeaderFields, style: CommentStyle, file: &Path) -> String {
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    if style == CommentStyle::Properties {
        let props = fields.properties(file, eol);
        let bom = if src.starts_with('\u{feff}') { 3 } else { 0 };
        let Some(fm) = crate::text::front_matter::range(src) else {
            return format!("{}---{eol}{props}---{eol}{}", &src[..bom], &src[bom..]);
        };
        let free = crate::text::front_matter::read(src).is_ok_and(|p| PROPERTY_KEYS.iter().all(|k| p.get(k).is_none()));
        if free {
            let block = &src[fm.clone()];
            let closing = fm.start + block.trim_end_matches(['\n', '\r']).rfind('\n').map_or(0, |i| i + 1);
            return format!("{}{props}{}", &src[..closing], &src[closing..]);
        }
        return insert(src, fields, CommentStyle::Block("<!--", "-->"), file);
    }
    let at = insertion_offset(src);
    let mut out = String::with_capacity(src.len() + 256);
    out.push_str(&src[..at]);
    if at > 0 && !src[..at].ends_with('\n') {
        // A shebang line without a newline (the whole file).
        out.push_str(eol);
    }
    out.push_str(&fields.render(style, eol));
    out.push_str(&src[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> HeaderFields {
        HeaderFields {
            generated_from: "specs/1000/1001/1014.spec.md".into(),
            context: Some("specs/1000/1001/1014.context.md".into()),
            purpose: "Monitor NAS connectivity and performance".into(),
            created: "2025-08-26 by Claude + User".into(),
            target: None,
            spec_name: Some("1014 - Cold Storage NAS".into()),
        }
    }

    const GUIDE: &str = "specs/1000/1001/deliverables/docs/guide.md";

    #[test]
    fn seed_shape_after_the_shebang() {
        let out = insert("#!/bin/bash\nset -e\n", &fields(), CommentStyle::Line("#"), Path::new("a.sh"));
        assert_eq!(
            out,
            "#!/bin/bash\n# Generated from: specs/1000/1001/1014.spec.md\n# Context: specs/1000/1001/1014.context.md\n# Purpose: Monitor NAS connectivity and performance\n# Created: 2025-08-26 by Claude + User\nset -e\n"
        );
        let h = parse(&out, false);
        assert_eq!(h.generated_from.as_deref(), Some("specs/1000/1001/1014.spec.md"));
        assert_eq!(h.line, 2);
        assert_eq!(h.purpose.as_deref(), Some("Monitor NAS connectivity and performance"));
    }

    #[test]
    fn styles_by_language() {
        let s = |p: &str| CommentStyle::for_file(Path::new(p), b"");
        assert_eq!(s("a.sh"), CommentStyle::Line("#"));
        assert_eq!(s("a.py"), CommentStyle::Line("#"));
        assert_eq!(s("a.toml"), CommentStyle::Line("#"));
        assert_eq!(s("a.rs"), CommentStyle::Line("//"));
        assert_eq!(s("a.go"), CommentStyle::Line("//"));
        assert_eq!(s("a.sql"), CommentStyle::Line("--"));
        assert_eq!(s("a.lua"), CommentStyle::Line("--"));
        assert_eq!(s("a.md"), CommentStyle::Properties);
        assert_eq!(s("a.html"), CommentStyle::Block("<!--", "-->"));
        assert_eq!(s("a.json"), CommentStyle::Sidecar);
        assert_eq!(s("fstab.nas"), CommentStyle::Line("#"));
        assert_eq!(CommentStyle::for_file(Path::new("blob"), b"\x00\x01"), CommentStyle::Sidecar);
    }

    #[test]
    fn markdown_after_front_matter_and_crlf() {
        let src = "---\ntitle: Guide\nreviewed: 2025-08-27\n---\r\n# Guide\r\n";
        let out = insert(src, &fields(), CommentStyle::Block("<!--", "-->"), Path::new("a.html"));
        assert!(out.starts_with(
            "---\ntitle: Guide\nreviewed: 2025-08-27\n---\r\n<!-- Generated from: specs/1000/1001/1014.spec.md -->\r\n"
        ));
        let h = parse(&out, false);
        assert_eq!(h.context.as_deref(), Some("specs/1000/1001/1014.context.md"));
        assert_eq!(h.reviewed.as_deref(), Some("2025-08-27"));
        let py = insert(
            "#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nx = 1\n",
            &fields(),
            CommentStyle::Line("#"),
            Path::new("a.py"),
        );
        assert!(py.starts_with("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Generated from:"));
    }

    #[test]
    fn markdown_properties_link_back_relative_to_the_file() {
        let out = insert("# Guide\n", &fields(), CommentStyle::Properties, Path::new(GUIDE));
        assert_eq!(
            out,
            "---\nspec: \"[[../../1014.spec|1014 - Cold Storage NAS]]\"\ncontext: \"[[../../1014.context]]\"\npurpose: \"Monitor NAS connectivity and performance\"\ncreated: \"2025-08-26 by Claude + User\"\n---\n# Guide\n"
        );
        let props = crate::text::front_matter::read(&out).unwrap();
        assert_eq!(props.text("spec"), Some("[[../../1014.spec|1014 - Cold Storage NAS]]"));
        let h = parse(&out, false);
        assert_eq!(h.spec_link.as_deref(), Some("../../1014.spec"));
        assert_eq!(h.line, 2);
        assert_eq!(resolve_link(Path::new(GUIDE), "../../1014.spec").as_deref(), Some("specs/1000/1001/1014.spec.md"));
    }

    #[test]
    fn markdown_properties_join_the_users_front_matter_byte_for_byte() {
        let src = "\u{feff}---\r\ntitle:   Guide  # mine\r\ntags: [a, b]\r\n---\r\n# Guide\r\n";
        let out = insert(src, &fields(), CommentStyle::Properties, Path::new(GUIDE));
        assert!(
            out.starts_with("\u{feff}---\r\ntitle:   Guide  # mine\r\ntags: [a, b]\r\nspec: \"[[../../1014.spec|"),
            "{out}"
        );
        assert!(out.ends_with("\r\n---\r\n# Guide\r\n"), "{out}");
        let props = crate::text::front_matter::read(&out).unwrap();
        assert_eq!(props.text("title"), Some("Guide"));
        assert_eq!(props.text("purpose"), Some("Monitor NAS connectivity and performance"));
        // A key of the user's own in the way: the comment header after the front matter.
        let taken = "---\npurpose: mine\n---\nx\n";
        let out = insert(taken, &fields(), CommentStyle::Properties, Path::new(GUIDE));
        assert!(
            out.starts_with("---\npurpose: mine\n---\n<!-- Generated from: specs/1000/1001/1014.spec.md -->\n"),
            "{out}"
        );
        assert_eq!(parse(&out, false).purpose.as_deref(), Some("Monitor NAS connectivity and performance"));
    }

    #[test]
    fn quotes_in_values_stay_valid_yaml() {
        let mut f = fields();
        f.purpose = r#"Say "hi" \ bye"#.into();
        let out = insert("", &f, CommentStyle::Properties, Path::new(GUIDE));
        let props = crate::text::front_matter::read(&out).unwrap();
        assert_eq!(props.text("purpose"), Some(r#"Say "hi" \ bye"#));
    }
}
