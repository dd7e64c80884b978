//! Links between the workspace's files, resolved the way Obsidian resolves them.
//!
//! The workspace is read as an Obsidian vault: a [`Vault`] indexes every file (respecting
//! `.gitignore`; dot-folders are left out except `.spec-workflow` and `.kiro`), and
//! [`extract`] finds the wiki links (`[[Note]]`, `[[Note|alias]]`, `[[Note#Heading]]`,
//! `![[embed]]`) and Markdown links (`[text](path/My%20Note.md)`) of one Markdown file — outside
//! code, with their byte ranges, so a fix can rewrite exactly the target and nothing else.
//!
//! Resolution ([`Vault::resolve`]), following `reference/obsidian-links.md`:
//!
//! 1. `#Heading` alone links the note itself; `http:`, `mailto:` and other schemes are external.
//! 2. `/path` is read from the vault root; `./path` and `../path` from the linking note's folder.
//! 3. Any other path with a `/` is tried from the linking note's folder, then from the vault
//!    root, then as the end of a longer path (`scripts/x.sh` finds `a/b/scripts/x.sh`); several
//!    suffix matches make the link ambiguous.
//! 4. A bare name (`spec`, `1014.spec`) matches files of that name anywhere; with several, the
//!    one in the linking note's own folder wins, and otherwise the link is ambiguous.
//!
//! A target may omit `.md`; other files need their extension. Matching ignores case, as
//! Obsidian does. Links specwork writes come from [`link_target`], which never writes a bare
//! name that another folder could claim.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};
use serde::Serialize;

/// Folders that are never part of the vault.
const SKIPPED_DIRS: [&str; 5] = [".git", ".specwork", ".obsidian", ".trash", "node_modules"];
/// Dot-folders that are part of the workspace (spec-workflow and Kiro specs live there).
const KEPT_DOT_DIRS: [&str; 2] = [".spec-workflow", ".kiro"];
/// Folders whose Markdown holds template placeholders rather than links to check.
const TEMPLATE_DIRS: [&str; 2] = [".spec-workflow/templates/", ".spec-workflow/user-templates/"];

/// Every file of the workspace, indexed for link resolution. Paths are relative to the root,
/// with `/` separators.
#[derive(Clone, Debug, Default)]
pub struct Vault {
    /// The workspace root.
    pub root: PathBuf,
    /// Every file, sorted.
    pub files: Vec<String>,
    /// Every folder that holds a file (so links to folders resolve), lowercase.
    dirs: std::collections::HashSet<String>,
    /// Lowercase path → index in `files`.
    by_path: HashMap<String, usize>,
    /// Lowercase file name (and, for `.md` files, the name without `.md`) → indexes.
    by_name: HashMap<String, Vec<usize>>,
}

/// How a link target resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Resolution {
    /// One file (vault path).
    File {
        /// The file.
        path: String,
    },
    /// A folder of the vault.
    Folder {
        /// The folder.
        path: String,
    },
    /// The linking note itself (`[[#Heading]]`).
    SameNote,
    /// A URL or another scheme; not checked.
    External,
    /// Several files match and nothing prefers one.
    Ambiguous {
        /// The candidates, sorted.
        candidates: Vec<String>,
    },
    /// No file matches.
    Missing,
}

impl Vault {
    /// Indexes the workspace at `root`.
    pub fn scan(root: &Path) -> Vault {
        let mut files = Vec::new();
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .parents(true)
            .ignore(false)
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                if e.depth() == 0 {
                    return true;
                }
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if is_dir {
                    !SKIPPED_DIRS.contains(&name.as_ref())
                        && (!name.starts_with('.') || KEPT_DOT_DIRS.contains(&name.as_ref()))
                } else {
                    // Temp files of atomic writes in progress are not part of the vault.
                    !(name.starts_with('.') && name.ends_with(".tmp"))
                }
            })
            .build();
        for entry in walker.flatten() {
            if entry.file_type().is_some_and(|t| t.is_file())
                && let Ok(rel) = entry.path().strip_prefix(root)
            {
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Vault::from_files(root, files)
    }

    /// A vault of the given files (vault-relative paths), for tests and callers that already
    /// know the file list.
    pub fn from_files(root: &Path, mut files: Vec<String>) -> Vault {
        files.sort();
        files.dedup();
        let mut by_path = HashMap::with_capacity(files.len());
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::with_capacity(files.len());
        let mut dirs = std::collections::HashSet::new();
        for (i, f) in files.iter().enumerate() {
            let lower = f.to_lowercase();
            by_path.insert(lower.clone(), i);
            let name = lower.rsplit('/').next().unwrap_or(&lower).to_owned();
            if let Some(stem) = name.strip_suffix(".md") {
                by_name.entry(stem.to_owned()).or_default().push(i);
            }
            by_name.entry(name).or_default().push(i);
            let mut d = lower.as_str();
            while let Some((parent, _)) = d.rsplit_once('/') {
                if !dirs.insert(parent.to_owned()) {
                    break;
                }
                d = parent;
            }
        }
        Vault { root: root.to_owned(), files, dirs, by_path, by_name }
    }

    /// Whether a vault path names a file.
    pub fn contains(&self, path: &str) -> bool {
        self.by_path.contains_key(&path.to_lowercase())
    }

    /// Markdown files whose links are checked (templates left out).
    pub fn markdown_files(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .map(String::as_str)
            .filter(|f| f.to_lowercase().ends_with(".md") && !TEMPLATE_DIRS.iter().any(|t| f.starts_with(t)))
    }

    /// Files named `name` (case-insensitive; a Markdown file also by its name without `.md`).
    pub fn by_name(&self, name: &str) -> Vec<&str> {
        self.by_name
            .get(&name.to_lowercase())
            .map_or_else(Vec::new, |v| v.iter().map(|&i| self.files[i].as_str()).collect())
    }

    /// The file at `path` or `path.md`, exact case first.
    fn lookup(&self, path: &str) -> Option<&str> {
        for p in [path.to_owned(), format!("{path}.md")] {
            if let Some(&i) = self.by_path.get(&p.to_lowercase()) {
                return Some(&self.files[i]);
            }
        }
        None
    }

    /// Resolves `target` (a link target as written, `#subpath` allowed, already URL-decoded)
    /// from the note at vault path `source`.
    pub fn resolve(&self, source: &str, target: &str) -> Resolution {
        let target = strip_subpath(target).trim();
        if target.is_empty() {
            return Resolution::SameNote;
        }
        if is_external(target) {
            return Resolution::External;
        }
        let source_dir = source.rsplit_once('/').map_or("", |(d, _)| d);
        let found = |p: Option<String>| -> Option<Resolution> {
            let p = p?;
            if let Some(f) = self.lookup(&p) {
                return Some(Resolution::File { path: f.to_owned() });
            }
            let dir = p.trim_end_matches('/').to_lowercase();
            (dir.is_empty() || self.dirs.contains(&dir))
                .then(|| Resolution::Folder { path: p.trim_end_matches('/').to_owned() })
        };
        if let Some(rest) = target.strip_prefix('/') {
            return found(normalize("", rest)).unwrap_or(Resolution::Missing);
        }
        if target.starts_with("./") || target.starts_with("../") {
            return found(normalize(source_dir, target)).unwrap_or(Resolution::Missing);
        }
        if target.contains('/') {
            if let Some(r) = found(normalize(source_dir, target)).or_else(|| found(normalize("", target))) {
                return r;
            }
            let name = target.rsplit('/').next().unwrap_or(target);
            let suffix = format!("/{}", target.to_lowercase());
            let matches: Vec<&str> = self
                .by_name(name)
                .into_iter()
                .filter(|f| {
                    let l = f.to_lowercase();
                    l.ends_with(&suffix) || l.strip_suffix(".md").is_some_and(|s| s.ends_with(&suffix))
                })
                .collect();
            return pick(matches, source_dir);
        }
        pick(self.by_name(target), source_dir)
    }
}

/// One of several files: the only one, or the one in `source_dir`, or ambiguous.
fn pick(mut matches: Vec<&str>, source_dir: &str) -> Resolution {
    matches.sort_unstable();
    matches.dedup();
    match matches.len() {
        0 => Resolution::Missing,
        1 => Resolution::File { path: matches[0].to_owned() },
        _ => {
            let local: Vec<&&str> = matches
                .iter()
                .filter(|f| f.rsplit_once('/').map_or("", |(d, _)| d).eq_ignore_ascii_case(source_dir))
                .collect();
            if local.len() == 1 {
                Resolution::File { path: (*local[0]).to_owned() }
            } else {
                Resolution::Ambiguous { candidates: matches.into_iter().map(str::to_owned).collect() }
            }
        }
    }
}

/// `a/b` joined with `../c` → `a/c`; `None` when the path climbs above the root.
pub fn normalize(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The target without its `#heading` / `#^block` part.
pub fn strip_subpath(target: &str) -> &str {
    target.split_once('#').map_or(target, |(t, _)| t)
}

/// Whether a target is a URL (`https:`, `mailto:`, `obsidian:` …) rather than a path.
pub fn is_external(target: &str) -> bool {
    match target.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Decodes `%20`-style escapes (invalid escapes are kept as written; a result that is not
/// UTF-8 leaves the text as written).
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8().map_or_else(|_| s.to_owned(), std::borrow::Cow::into_owned)
}

/// Encodes what a Markdown link destination cannot hold as written (spaces, `%`, parentheses,
/// `<`, `>`). Not `percent-encoding`: that escapes every non-ASCII byte, and Obsidian writes
/// `[x](Café.md)` as is, so a rewritten link keeps the user's letters.
pub fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c => out.push(c),
        }
    }
    out
}

/// The form of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkForm {
    /// `[[target|alias]]` (or `![[…]]`).
    Wiki,
    /// `[text](target)` (or `![alt](…)`).
    Markdown,
    /// `[text][ref]` with the target in a definition elsewhere: checked, never rewritten.
    Reference,
}

/// One link in a Markdown file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Wiki, Markdown or reference link.
    pub form: LinkForm,
    /// Whether it embeds (`![[…]]`, `![…](…)`).
    pub embed: bool,
    /// The target as resolved: URL-decoded for Markdown links, `#subpath` included.
    pub target: String,
    /// The alias / link text.
    pub text: Option<String>,
    /// 1-based line.
    pub line: usize,
    /// Byte range of the whole link in the file.
    pub range: Range<usize>,
    /// Byte range of the target as written (so a fix can replace it), when it can be rewritten.
    #[serde(skip)]
    pub target_range: Option<Range<usize>>,
}

/// Finds the links of a Markdown file: everything outside code spans and code blocks, plus
/// quoted wiki links in YAML front matter (`parent: "[[spec|1001 - Storage]]"`).
pub fn extract(src: &str) -> Vec<Link> {
    let mut out = Vec::new();
    let line_starts: Vec<usize> =
        std::iter::once(0).chain(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1)).collect();
    let line_of = |off: usize| line_starts.partition_point(|&s| s <= off);

    let body_start = crate::text::front_matter::range(src).map_or(0, |fm| {
        for (target, alias, range, _) in crate::text::markdown::wiki_links(&src[fm.clone()]) {
            let start = fm.start + range.start;
            let t_start = start + 2;
            out.push(Link {
                form: LinkForm::Wiki,
                embed: false,
                target_range: Some(t_start..t_start + target.len()),
                target,
                text: alias,
                line: line_of(start),
                range: start..fm.start + range.end,
            });
        }
        fm.end
    });

    let opts =
        Options::ENABLE_WIKILINKS | Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let body = &src[body_start..];
    // Links being read, with whether their text is collected (a wiki link without `|` has none).
    let mut open: Vec<(usize, bool)> = Vec::new();
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        let (embed, link_type, dest) = match ev {
            Event::Start(Tag::Link { link_type, dest_url, .. }) => (false, link_type, dest_url),
            Event::Start(Tag::Image { link_type, dest_url, .. }) => (true, link_type, dest_url),
            Event::End(pulldown_cmark::TagEnd::Link | pulldown_cmark::TagEnd::Image) => {
                open.pop();
                continue;
            }
            Event::Text(t) => {
                if let Some(&(i, true)) = open.last()
                    && let Some(l) = out.get_mut(i)
                {
                    l.text.get_or_insert_with(String::new).push_str(&t);
                }
                continue;
            }
            _ => continue,
        };
        let abs = body_start + range.start..body_start + range.end;
        let raw = &src[abs.clone()];
        let (form, target, target_range) = match link_type {
            LinkType::WikiLink { .. } => {
                // Inside a table the alias separator is written `\|` (as specwork writes
                // PROGRESS.md, and as Obsidian reads it): the backslash is not the target's.
                let dest = dest.strip_suffix('\\').unwrap_or(&dest).to_owned();
                let t_start = raw.find(&dest).map(|i| abs.start + i);
                (LinkForm::Wiki, dest.clone(), t_start.map(|s| s..s + dest.len()))
            }
            LinkType::Inline => {
                let dest = dest.to_string();
                // The destination as written follows the last `](`; it may be URL-encoded
                // and wrapped in `<…>`.
                let written = raw.rfind("](").map(|i| (i + 2, &raw[i + 2..]));
                let t_range = written.and_then(|(off, rest)| {
                    let rest_trim = rest.trim_start();
                    let lead = rest.len() - rest_trim.len();
                    let (inner_off, inner) = match rest_trim.strip_prefix('<') {
                        Some(r) => (1, r.split('>').next().unwrap_or("")),
                        None => (0, rest_trim.split([' ', ')']).next().unwrap_or("")),
                    };
                    (!inner.is_empty()).then(|| {
                        let s = abs.start + off + lead + inner_off;
                        s..s + inner.len()
                    })
                });
                (LinkForm::Markdown, percent_decode(&dest), t_range)
            }
            LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                (LinkForm::Reference, percent_decode(&dest), None)
            }
            // Autolinks and e-mail links are URLs.
            _ => continue,
        };
        open.push((out.len(), !matches!(link_type, LinkType::WikiLink { has_pothole: false })));
        out.push(Link { form, embed, target, text: None, line: line_of(abs.start), range: abs, target_range });
    }
    out
}

/// The target specwork writes for a link from a note in `from_dir` to `to_file` (both
/// vault-relative): a path below the note's folder as is (`deliverables/scripts/x.sh`, the
/// seed's form), anything else relative with `../` and at least one folder name
/// ([`crate::model::links::relative_link`]), so that no other file of the same name can claim it.
/// `.md` is dropped, other extensions kept.
pub fn link_target(from_dir: &Path, to_file: &Path) -> String {
    if let Ok(below) = to_file.strip_prefix(from_dir)
        && below.components().count() > 1
        && !from_dir.as_os_str().is_empty()
    {
        let s = below.to_string_lossy().replace('\\', "/");
        return s.strip_suffix(".md").map(str::to_owned).unwrap_or(s);
    }
    crate::model::links::relative_link(from_dir, to_file)
}

/// A wiki-link target from a note in `from_dir` to `to_file`, relative (`../../3000/3001/spec`),
/// without the `.md` extension, and never a bare name: a file in the same folder is reached
/// through its folder (`../1001/spec`) so that many `spec.md` files never make a link ambiguous.
pub fn relative_link(from_dir: &Path, to_file: &Path) -> String {
    let from: Vec<_> = from_dir.components().collect();
    let to: Vec<_> = to_file.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut common = common.min(to.len().saturating_sub(1));
    if common == from.len() && common > 0 {
        // Same folder (or a sub-folder): step up once so the link carries a folder name.
        common -= 1;
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), from.len() - common).collect();
    parts.extend(to[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    let s = parts.join("/");
    s.strip_suffix(".md").map(str::to_owned).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_and_never_bare() {
        let d = Path::new("specs/1000/1001");
        assert_eq!(relative_link(d, Path::new("specs/1000/1001/spec.md")), "../1001/spec");
        assert_eq!(relative_link(d, Path::new("specs/3000/3001/spec.md")), "../../3000/3001/spec");
        assert_eq!(relative_link(Path::new("specs/1000/1001"), Path::new("specs/1000/spec.md")), "../spec");
    }

    fn vault(files: &[&str]) -> Vault {
        Vault::from_files(Path::new("/v"), files.iter().map(|s| (*s).to_owned()).collect())
    }

    #[test]
    fn resolves_like_obsidian() {
        let v = vault(&[
            "specs/1000/spec.md",
            "specs/1000/1001/spec.md",
            "specs/1000/1001/1014.spec.md",
            "specs/1000/1001/1014.context.md",
            "specs/1000/1001/deliverables/scripts/optimize-network.sh",
            "specs/3000/3001/spec.md",
            "specs/3000/3001/deliverables/scripts/optimize-network.sh",
            "docs/My Note.md",
        ]);
        let ctx = "specs/1000/1001/1014.context.md";
        let file = |p: &str| Resolution::File { path: p.to_owned() };
        assert_eq!(v.resolve(ctx, "1014.spec"), file("specs/1000/1001/1014.spec.md"));
        assert_eq!(v.resolve(ctx, "spec"), file("specs/1000/1001/spec.md"), "own folder wins");
        assert_eq!(
            v.resolve("docs/x.md", "spec"),
            Resolution::Ambiguous {
                candidates: vec![
                    "specs/1000/1001/spec.md".into(),
                    "specs/1000/spec.md".into(),
                    "specs/3000/3001/spec.md".into()
                ]
            }
        );
        assert_eq!(v.resolve(ctx, "../spec"), file("specs/1000/spec.md"));
        assert_eq!(v.resolve(ctx, "../../3000/3001/spec#Tasks"), file("specs/3000/3001/spec.md"));
        assert_eq!(
            v.resolve(ctx, "deliverables/scripts/optimize-network.sh"),
            file("specs/1000/1001/deliverables/scripts/optimize-network.sh")
        );
        assert!(matches!(v.resolve("docs/x.md", "scripts/optimize-network.sh"), Resolution::Ambiguous { .. }));
        assert_eq!(v.resolve("README.md", "specs/1000/spec"), file("specs/1000/spec.md"));
        assert_eq!(v.resolve("README.md", "/docs/My Note.md"), file("docs/My Note.md"));
        assert_eq!(v.resolve("README.md", "my note"), file("docs/My Note.md"));
        assert_eq!(v.resolve(ctx, "#Summary"), Resolution::SameNote);
        assert_eq!(v.resolve(ctx, "https://x.org/a"), Resolution::External);
        assert_eq!(v.resolve(ctx, "../../../../../etc/passwd"), Resolution::Missing);
        assert_eq!(v.resolve(ctx, "missing"), Resolution::Missing);
        assert_eq!(
            v.resolve(ctx, "deliverables/scripts"),
            Resolution::Folder { path: "specs/1000/1001/deliverables/scripts".into() }
        );
    }

    #[test]
    fn a_wiki_link_in_a_table_cell_has_its_escaped_pipe_as_separator() {
        let src = "| Spec | Status |\n|---|---|\n| [[../specs/1000/1001/1014.spec\\|1014 - Cold Storage]] | done |\n";
        let links = extract(src);
        assert_eq!(links.len(), 1, "{links:?}");
        assert_eq!(links[0].target, "../specs/1000/1001/1014.spec");
        assert_eq!(&src[links[0].target_range.clone().unwrap()], "../specs/1000/1001/1014.spec");
    }

    #[test]
    fn extracts_links_outside_code() {
        let src = "---\nparent: \"[[spec|P]]\"\n---\n# T\n[[a|A]] and [b](dir/My%20Note.md) ![[img.png]]\n\n```\n[[not a link]]\n```\n`[[nor this]]` [[c#H]]\n\n[r]: ref.md\n\n[x][r]\n";
        let links = extract(src);
        let targets: Vec<&str> = links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["spec", "a", "dir/My Note.md", "img.png", "c#H", "ref.md"]);
        assert_eq!(links[0].line, 2);
        assert_eq!(links[1].text.as_deref(), Some("A"));
        assert_eq!(links[2].text.as_deref(), Some("b"));
        assert_eq!(&src[links[2].target_range.clone().unwrap()], "dir/My%20Note.md");
        assert_eq!(&src[links[1].target_range.clone().unwrap()], "a");
        assert!(links[3].embed);
        assert_eq!(links[5].form, LinkForm::Reference);
        assert_eq!(links[4].line, 10);
    }

    #[test]
    fn written_links_are_seed_shaped_and_never_bare() {
        let d = Path::new("specs/1000/1001");
        assert_eq!(link_target(d, Path::new("specs/1000/1001/deliverables/scripts/x.sh")), "deliverables/scripts/x.sh");
        assert_eq!(link_target(d, Path::new("specs/1000/1001/spec.md")), "../1001/spec");
        assert_eq!(link_target(d, Path::new("specs/3000/3001/spec.md")), "../../3000/3001/spec");
        assert_eq!(percent_decode("My%20Note.md"), "My Note.md");
        assert_eq!(percent_encode_path("My Note (1).md"), "My%20Note%20%281%29.md");
    }

    #[test]
    fn link_escapes_keep_what_obsidian_writes() {
        // Non-ASCII letters and `#` stay as written; only what breaks a destination is escaped.
        assert_eq!(percent_encode_path("Café <1>#H.md"), "Café%20%3C1%3E#H.md");
        assert_eq!(percent_encode_path("100%.md"), "100%25.md");
        // Lower-case and UTF-8 escapes decode; invalid or truncated ones are kept.
        assert_eq!(percent_decode("Caf%c3%a9%20%281%29.md"), "Café (1).md");
        assert_eq!(percent_decode("a%zz%2"), "a%zz%2");
        // An escape that decodes to invalid UTF-8 leaves the target as written.
        assert_eq!(percent_decode("x%FF%20y"), "x%FF%20y");
    }
}
