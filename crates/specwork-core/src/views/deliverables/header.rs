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
//! `<!-- … -->` for Markdown and HTML. Formats without comments (JSON, CSV, binary files) get a
//! sibling `<file>.meta` holding the same `Key: value` lines without comment markers. The header
//! goes after a shebang (and a Python coding line), an XML declaration or Markdown front matter.
//! Paths are workspace-relative with `/`.

use std::path::{Path, PathBuf};

/// How a file writes a one-line comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// A prefix: `# `, `// `, `-- `.
    Line(&'static str),
    /// An opening and closing marker on the same line: `<!-- … -->`, `/* … */`.
    Block(&'static str, &'static str),
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
            "md" | "markdown" | "html" | "htm" | "xhtml" | "xml" | "svg" | "vue" | "svelte" => {
                CommentStyle::Block("<!--", "-->")
            }
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
            CommentStyle::Sidecar => text.to_owned(),
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
}

impl HeaderFields {
    /// The header's lines, each ending with `eol`.
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
}

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
    /// 1-based line of `Generated from:` (in the sidecar when `sidecar` is set).
    pub line: usize,
    /// Whether it was read from a `.meta` sidecar.
    pub sidecar: bool,
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
    if h.reviewed.is_none() {
        let fm = crate::text::front_matter::properties(text);
        h.reviewed = fm.text("reviewed").filter(|v| !v.is_empty()).map(str::to_owned);
    }
    h.sidecar = bare;
    h
}

/// The header of the file at `abs`: in the file, else in its `.meta` sidecar. `None` when there
/// is no traceback header (no `Generated from:`).
pub fn read(abs: &Path) -> Option<Header> {
    let text = read_start(abs);
    let h = parse(&text, false);
    if h.is_complete() {
        return Some(h);
    }
    let side = crate::base::path_policy::read_to_string(sidecar_path(abs)).ok()?;
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

/// `src` with the header inserted at [`insertion_offset`], in the file's line endings.
pub fn insert(src: &str, fields: &HeaderFields, style: CommentStyle) -> String {
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
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
        }
    }

    #[test]
    fn seed_shape_after_the_shebang() {
        let out = insert("#!/bin/bash\nset -e\n", &fields(), CommentStyle::Line("#"));
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
        assert_eq!(s("a.md"), CommentStyle::Block("<!--", "-->"));
        assert_eq!(s("a.json"), CommentStyle::Sidecar);
        assert_eq!(s("fstab.nas"), CommentStyle::Line("#"));
        assert_eq!(CommentStyle::for_file(Path::new("blob"), b"\x00\x01"), CommentStyle::Sidecar);
    }

    #[test]
    fn markdown_after_front_matter_and_crlf() {
        let src = "---\ntitle: Guide\nreviewed: 2025-08-27\n---\r\n# Guide\r\n";
        let out = insert(src, &fields(), CommentStyle::Block("<!--", "-->"));
        assert!(out.starts_with(
            "---\ntitle: Guide\nreviewed: 2025-08-27\n---\r\n<!-- Generated from: specs/1000/1001/1014.spec.md -->\r\n"
        ));
        let h = parse(&out, false);
        assert_eq!(h.context.as_deref(), Some("specs/1000/1001/1014.context.md"));
        assert_eq!(h.reviewed.as_deref(), Some("2025-08-27"));
        let py = insert("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\nx = 1\n", &fields(), CommentStyle::Line("#"));
        assert!(py.starts_with("#!/usr/bin/env python3\n# -*- coding: utf-8 -*-\n# Generated from:"));
    }
}
