//! The seed's Deliverables Report (`/spec_work 1014 --deliverables`), every figure computed
//! from the files:
//!
//! * **Created artifacts** — the files linked from the spec's `## Deliverables` section, plus
//!   files under its `deliverables/` folder whose header names the spec. Scripts: size and
//!   dependencies (external commands of shell scripts, [`super::shell`]). Documents: format
//!   and pages, `pages = max(⌈lines / 50⌉, ⌈words / 300⌉)`, at least 1 for a non-empty file.
//!   Configuration: the `Target:` of the header.
//! * **Usage by other specs** — every other spec (its parent and children left out: those links
//!   are the tree, not usage) whose documents link to this spec's documents or deliverables.
//!   What it uses is read from the link's context: a `Uses:` (and `Purpose:`) sub-bullet, else
//!   the deliverable's file name, else the rest of the link's line, else the heading above it.
//! * **Integration points** — the bullets of the spec's `## Integration Points` section
//!   (`Name → Uses what`), else one per dependent spec.
//! * **Code statistics** — tokei's counts (lines, code, comments, blanks) per language, by kind
//!   and in total. Files tokei does not know are counted with a language that shares their
//!   comment syntax and reported as `Other`.
//! * **Quality metrics** — scripts tested: a test file (under `test/`, `tests/`, `__tests__/`,
//!   named `test_*`, `*_test.*`, `*.test.*`, `*_spec.*`, `*.spec.*` or `*.bats`; Markdown never)
//!   mentions the script's file name; documents reviewed: a `Reviewed:` header line or
//!   `reviewed:` front-matter field; integration tests: test files whose path says
//!   `integration` or `e2e` and that mention a deliverable.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Serialize;

use super::{Kind, header, shell, spec_document};
use crate::model::links::{self, Resolution, Vault};
use crate::model::spec::Spec;
use crate::model::workspace::Workspace;
use crate::{base::display::slash_path, text::markdown};

/// A script row.
#[derive(Clone, Debug, Serialize)]
pub struct ScriptRow {
    /// File name.
    pub file: String,
    /// Workspace-relative path.
    pub path: String,
    /// Purpose (header, else the link's alias).
    pub purpose: Option<String>,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Size as the seed prints it (`2.5KB`).
    pub size: String,
    /// External commands it calls (shell scripts; `None` for other languages).
    pub dependencies: Option<Vec<String>>,
    /// Test files that mention it.
    pub tests: Vec<String>,
    /// Whether it has a traceback header.
    pub has_header: bool,
}

/// A document row.
#[derive(Clone, Debug, Serialize)]
pub struct DocRow {
    /// File name.
    pub file: String,
    /// Workspace-relative path.
    pub path: String,
    /// Purpose.
    pub purpose: Option<String>,
    /// `Markdown`, `HTML`, `Text`, `PDF`, …
    pub format: String,
    /// Estimated pages: `max(⌈lines/50⌉, ⌈words/300⌉)`.
    pub pages: u64,
    /// Lines.
    pub lines: u64,
    /// Words.
    pub words: u64,
    /// Size in bytes.
    pub size_bytes: u64,
    /// The `Reviewed:` value, when reviewed.
    pub reviewed: Option<String>,
    /// Whether it has a traceback header.
    pub has_header: bool,
}

/// A configuration row.
#[derive(Clone, Debug, Serialize)]
pub struct ConfigRow {
    /// File name.
    pub file: String,
    /// Workspace-relative path.
    pub path: String,
    /// Purpose.
    pub purpose: Option<String>,
    /// Where it is installed (`Target:`).
    pub target: Option<String>,
    /// Size in bytes.
    pub size_bytes: u64,
    /// Whether it has a traceback header.
    pub has_header: bool,
}

/// What a dependent spec uses.
#[derive(Clone, Debug, Serialize)]
pub struct Use {
    /// What is used (`nas-health-check.sh`, `NAS mount configuration`).
    pub uses: String,
    /// Why, when the link's context says.
    pub purpose: Option<String>,
    /// The file holding the link.
    pub file: String,
    /// Its line.
    pub line: usize,
}

/// A spec that uses this one.
#[derive(Clone, Debug, Serialize)]
pub struct Usage {
    /// Its id.
    pub spec: String,
    /// Its title.
    pub title: String,
    /// A wiki-link target from this spec's folder to it.
    pub link: String,
    /// What it uses, one per link.
    pub uses: Vec<Use>,
}

/// An integration point.
#[derive(Clone, Debug, Serialize)]
pub struct IntegrationPoint {
    /// The system or spec.
    pub name: String,
    /// What it uses.
    pub uses: String,
}

/// Line counts of one language.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LanguageStats {
    /// tokei's language name (`Shell`, `Markdown`), or `Other`.
    pub language: String,
    /// Files.
    pub files: u64,
    /// All lines.
    pub lines: u64,
    /// Code lines.
    pub code: u64,
    /// Comment lines (tokei counts Markdown prose as comments).
    pub comments: u64,
    /// Blank lines.
    pub blanks: u64,
}

/// Code statistics over every deliverable.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CodeStats {
    /// All lines.
    pub total_lines: u64,
    /// Code lines.
    pub code: u64,
    /// Comment lines.
    pub comments: u64,
    /// Blank lines.
    pub blanks: u64,
    /// Lines of scripts.
    pub script_lines: u64,
    /// Lines of documents.
    pub doc_lines: u64,
    /// Lines of configuration.
    pub config_lines: u64,
    /// Per language, most lines first.
    pub languages: Vec<LanguageStats>,
}

/// `n` of `of`.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Ratio {
    /// How many qualify.
    pub n: u64,
    /// Out of.
    pub of: u64,
}

/// Quality metrics.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Quality {
    /// Scripts a test file mentions.
    pub scripts_tested: Ratio,
    /// Documents with a `Reviewed:` field.
    pub docs_reviewed: Ratio,
    /// Integration test files mentioning a deliverable.
    pub integration_tests: Vec<String>,
    /// Deliverables an integration test mentions, of all deliverables.
    pub integration_covered: Ratio,
}

/// The report.
#[derive(Clone, Debug, Serialize)]
pub struct DeliverablesReport {
    /// Spec id.
    pub spec: String,
    /// Title.
    pub title: String,
    /// The document listing the deliverables.
    pub spec_file: Option<String>,
    /// Scripts.
    pub scripts: Vec<ScriptRow>,
    /// Documents.
    pub docs: Vec<DocRow>,
    /// Configuration files.
    pub config: Vec<ConfigRow>,
    /// Linked from the Deliverables section but missing on disk.
    pub missing: Vec<String>,
    /// Specs using this one.
    pub used_by: Vec<Usage>,
    /// Integration points.
    pub integration_points: Vec<IntegrationPoint>,
    /// `section` (from `## Integration Points`) or `backlinks`.
    pub integration_points_source: &'static str,
    /// Code statistics.
    pub code_stats: CodeStats,
    /// Quality metrics.
    pub quality: Quality,
}

/// A deliverable of a spec.
#[derive(Clone, Debug, Serialize)]
pub struct Found {
    /// Workspace-relative path.
    pub path: String,
    /// Its kind.
    pub kind: Kind,
    /// The alias of the spec's link to it.
    pub alias: Option<String>,
}

/// The deliverables of `spec`: linked from its section (in order), then unlinked files whose
/// header names it. Also returns linked paths missing on disk.
pub fn find(ws: &Workspace, vault: &Vault, spec: &Spec) -> (Vec<Found>, Vec<String>) {
    let mut found: Vec<Found> = Vec::new();
    let mut missing = Vec::new();
    let Some(doc) = spec_document(spec) else { return (found, missing) };
    let doc_s = slash_path(doc);
    if let Ok(src) = crate::base::path_policy::read_to_string(ws.abs(doc))
        && let Some(range) =
            markdown::section(&src, |t| t.trim().trim_end_matches(':').eq_ignore_ascii_case("deliverables"))
    {
        for l in links::extract(&src[range]) {
            match vault.resolve(&doc_s, &l.target) {
                Resolution::File { path } if !found.iter().any(|f| f.path == path) => {
                    found.push(Found { kind: Kind::of_path(&path), path, alias: l.text.clone() });
                }
                Resolution::Missing => missing.push(links::strip_subpath(&l.target).to_owned()),
                _ => {}
            }
        }
    }
    let prefix = format!("{}/", slash_path(&super::deliverables_dir(spec)));
    for f in super::all_files(ws, vault) {
        if f.starts_with(&prefix)
            && !found.iter().any(|x| x.path == f)
            && header::read(&ws.root, Path::new(f))
                .and_then(|h| h.generated_from)
                .is_some_and(|g| g.trim_start_matches("./") == doc_s)
        {
            found.push(Found { path: f.to_owned(), kind: Kind::of_path(f), alias: None });
        }
    }
    (found, missing)
}

use crate::base::display::human_size;

/// Pages of a document: `max(⌈lines/50⌉, ⌈words/300⌉)`, at least 1 when not empty.
pub fn pages(lines: u64, words: u64) -> u64 {
    if lines == 0 && words == 0 {
        return 0;
    }
    lines.div_ceil(50).max(words.div_ceil(300)).max(1)
}

fn doc_format(name: &str) -> String {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" => "Markdown",
        "html" | "htm" => "HTML",
        "txt" | "text" => "Text",
        "rst" => "reStructuredText",
        "adoc" => "AsciiDoc",
        "pdf" => "PDF",
        "tex" => "LaTeX",
        "" => "Text",
        _ => return ext.to_ascii_uppercase(),
    }
    .to_owned()
}

fn is_shell(path: &str, text: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if [".sh", ".bash", ".zsh", ".ksh"].iter().any(|e| lower.ends_with(e)) {
        return true;
    }
    let first = text.lines().next().unwrap_or("");
    first.starts_with("#!")
        && ["sh", "bash", "zsh", "ksh", "dash"].iter().any(|s| first.split(['/', ' ']).any(|w| w == *s))
}

/// Whether a vault path looks like a test file.
pub fn is_test_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return false;
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let in_test_dir =
        lower.split('/').rev().skip(1).any(|c| matches!(c, "test" | "tests" | "__tests__" | "spec_tests"));
    in_test_dir
        || name.starts_with("test_")
        || name.starts_with("test-")
        || ["_test.", "-test.", ".test.", "_spec.", ".spec.", "-spec."].iter().any(|p| name.contains(p))
        || name.ends_with(".bats")
}

/// Builds the report for `spec`.
pub fn build(ws: &Workspace, vault: &Vault, spec: &Spec) -> DeliverablesReport {
    let (found, missing) = find(ws, vault, spec);
    let mut r = DeliverablesReport {
        spec: spec.id.clone(),
        title: spec.title.clone(),
        spec_file: spec_document(spec).map(slash_path),
        scripts: Vec::new(),
        docs: Vec::new(),
        config: Vec::new(),
        missing,
        used_by: Vec::new(),
        integration_points: Vec::new(),
        integration_points_source: "backlinks",
        code_stats: CodeStats::default(),
        quality: Quality::default(),
    };

    // Test files and what they mention, read once.
    let tests: Vec<(String, String)> = vault
        .files
        .iter()
        .filter(|f| is_test_file(f))
        .filter_map(|f| {
            let abs = ws.root.join(f);
            let meta = fs_err::metadata(&abs).ok()?;
            (meta.len() <= 2 * 1024 * 1024)
                .then(|| (f.clone(), crate::base::path_policy::read_to_string(&abs).unwrap_or_default()))
        })
        .collect();
    let mentioning = |name: &str| -> Vec<String> {
        tests.iter().filter(|(_, text)| text.contains(name)).map(|(p, _)| p.clone()).collect()
    };

    let tokei_config = tokei::Config::default();
    let mut languages: BTreeMap<String, LanguageStats> = BTreeMap::new();
    let mut integration: Vec<String> = Vec::new();
    let mut covered = 0u64;
    for f in &found {
        let abs = ws.root.join(&f.path);
        let bytes = crate::base::path_policy::read(&abs).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let name = f.path.rsplit('/').next().unwrap_or(&f.path).to_owned();
        let head = header::read(&ws.root, Path::new(&f.path));
        let purpose = head.as_ref().and_then(|h| h.purpose.clone()).or_else(|| f.alias.clone());
        let size = bytes.len() as u64;

        // Code statistics through tokei.
        let (lang_name, stats) = count(&abs, &bytes, &tokei_config);
        let lines = stats.lines() as u64;
        let e = languages
            .entry(lang_name.clone())
            .or_insert_with(|| LanguageStats { language: lang_name, ..Default::default() });
        e.files += 1;
        e.lines += lines;
        e.code += stats.code as u64;
        e.comments += stats.comments as u64;
        e.blanks += stats.blanks as u64;
        match f.kind {
            Kind::Script => r.code_stats.script_lines += lines,
            Kind::Doc => r.code_stats.doc_lines += lines,
            Kind::Config => r.code_stats.config_lines += lines,
        }

        let its_tests = mentioning(&name);
        let its_integration: Vec<&String> = its_tests
            .iter()
            .filter(|t| t.to_ascii_lowercase().contains("integration") || t.to_ascii_lowercase().contains("e2e"))
            .collect();
        if !its_integration.is_empty() {
            covered += 1;
        }
        for t in its_integration {
            if !integration.contains(t) {
                integration.push(t.clone());
            }
        }
        match f.kind {
            Kind::Script => r.scripts.push(ScriptRow {
                file: name,
                path: f.path.clone(),
                purpose,
                size_bytes: size,
                size: human_size(size),
                dependencies: is_shell(&f.path, &text).then(|| shell::dependencies(&text)),
                tests: its_tests,
                has_header: head.is_some(),
            }),
            Kind::Doc => {
                let words = text.split_whitespace().count() as u64;
                let line_count = text.lines().count() as u64;
                r.docs.push(DocRow {
                    format: doc_format(&name),
                    file: name,
                    path: f.path.clone(),
                    purpose,
                    pages: pages(line_count, words),
                    lines: line_count,
                    words,
                    size_bytes: size,
                    reviewed: head.as_ref().and_then(|h| h.reviewed.clone()),
                    has_header: head.is_some(),
                })
            }
            Kind::Config => r.config.push(ConfigRow {
                file: name,
                path: f.path.clone(),
                purpose,
                target: head.as_ref().and_then(|h| h.target.clone()),
                size_bytes: size,
                has_header: head.is_some(),
            }),
        }
    }
    let mut langs: Vec<LanguageStats> = languages.into_values().collect();
    langs.sort_by(|a, b| b.lines.cmp(&a.lines).then_with(|| a.language.cmp(&b.language)));
    for l in &langs {
        r.code_stats.total_lines += l.lines;
        r.code_stats.code += l.code;
        r.code_stats.comments += l.comments;
        r.code_stats.blanks += l.blanks;
    }
    r.code_stats.languages = langs;
    r.quality = Quality {
        scripts_tested: Ratio {
            n: r.scripts.iter().filter(|s| !s.tests.is_empty()).count() as u64,
            of: r.scripts.len() as u64,
        },
        docs_reviewed: Ratio {
            n: r.docs.iter().filter(|d| d.reviewed.is_some()).count() as u64,
            of: r.docs.len() as u64,
        },
        integration_tests: integration,
        integration_covered: Ratio { n: covered, of: found.len() as u64 },
    };

    r.used_by = usage(ws, vault, spec, &found);
    match integration_section(ws, spec) {
        Some(points) => {
            r.integration_points = points;
            r.integration_points_source = "section";
        }
        None => {
            r.integration_points = r
                .used_by
                .iter()
                .map(|u| IntegrationPoint {
                    name: format!("{} - {}", u.spec, u.title),
                    uses: u.uses.iter().map(|x| x.uses.clone()).collect::<Vec<_>>().join(", "),
                })
                .collect();
        }
    }
    r
}

/// Counts a file with tokei: the language tokei detects, else one sharing the file's comment
/// syntax (reported as `Other`).
fn count(abs: &Path, bytes: &[u8], config: &tokei::Config) -> (String, tokei::CodeStats) {
    use tokei::LanguageType as L;
    if let Some(lang) = L::from_path(abs, config) {
        return (lang.name().to_owned(), lang.parse_from_slice(bytes, config).summarise());
    }
    let stand_in = match header::CommentStyle::for_file(abs, &bytes[..bytes.len().min(4096)]) {
        header::CommentStyle::Line("//") => L::C,
        header::CommentStyle::Line("--") => L::Sql,
        header::CommentStyle::Block(..) => L::Html,
        header::CommentStyle::Properties => L::Markdown,
        header::CommentStyle::Line("%") => L::Tex,
        header::CommentStyle::Line(_) => L::Sh,
        header::CommentStyle::Sidecar => L::Text,
    };
    ("Other".to_owned(), stand_in.parse_from_slice(bytes, config).summarise())
}

/// Every spec document (spec file, context, requirements, design, tasks) of a spec.
fn documents(spec: &Spec) -> Vec<String> {
    let d = &spec.docs;
    [&d.spec, &d.context, &d.requirements, &d.design, &d.tasks].into_iter().flatten().map(|p| slash_path(p)).collect()
}

fn usage(ws: &Workspace, vault: &Vault, spec: &Spec, found: &[Found]) -> Vec<Usage> {
    let own_docs: HashSet<String> = documents(spec).into_iter().collect();
    let deliverables: HashSet<&str> = found.iter().map(|f| f.path.as_str()).collect();
    let own_dir = spec.dir.clone();
    let mut out = Vec::new();
    for other in &ws.specs {
        if other.id == spec.id
            || other.archived
            || spec.parent.as_deref() == Some(other.id.as_str())
            || spec.children.contains(&other.id)
        {
            continue;
        }
        let mut uses = Vec::new();
        for doc in documents(other) {
            let Ok(src) = crate::base::path_policy::read_to_string(ws.root.join(&doc)) else { continue };
            let lines: Vec<&str> = src.lines().collect();
            for l in links::extract(&src) {
                let Resolution::File { path } = vault.resolve(&doc, &l.target) else { continue };
                let to_deliverable = deliverables.contains(path.as_str());
                if !to_deliverable && !own_docs.contains(&path) {
                    continue;
                }
                let (what, purpose) = link_context(&src, &lines, &l, to_deliverable.then(|| file_name(&path)));
                uses.push(Use { uses: what, purpose, file: doc.clone(), line: l.line });
            }
        }
        if !uses.is_empty() {
            let main = other
                .docs
                .spec
                .clone()
                .or_else(|| other.docs.requirements.clone())
                .unwrap_or_else(|| other.path.clone());
            out.push(Usage {
                spec: other.id.clone(),
                title: other.title.clone(),
                link: links::link_target(&own_dir, &main),
                uses,
            });
        }
    }
    out
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// What a link is used for, from the text around it.
fn link_context(
    src: &str,
    lines: &[&str],
    link: &links::Link,
    deliverable: Option<String>,
) -> (String, Option<String>) {
    let idx = link.line.saturating_sub(1);
    let line = lines.get(idx).copied().unwrap_or("");
    let indent = line.len() - line.trim_start().len();
    let mut uses = None;
    let mut purpose = None;
    // Sub-bullets right under the link: `- Uses: …`, `- Purpose: …`.
    for next in lines.iter().skip(idx + 1) {
        let t = next.trim_start();
        let ind = next.len() - t.len();
        if t.is_empty() || ind <= indent {
            break;
        }
        let item = t.trim_start_matches(['-', '*', '+']).trim();
        let (k, v) = match item.split_once(':') {
            Some((k, v)) => (k.trim().trim_matches('*').to_ascii_lowercase(), v.trim().to_owned()),
            None => continue,
        };
        match k.as_str() {
            "uses" | "use" => uses = Some(v),
            "purpose" | "why" => purpose = Some(v),
            _ => {}
        }
    }
    if let Some(u) = uses {
        if purpose.is_none()
            && let Some((a, b)) = u.split_once(" — ").or_else(|| u.split_once(" – ")).or_else(|| u.split_once(" - "))
        {
            return (a.trim().to_owned(), Some(capitalize(b.trim())));
        }
        return (u, purpose);
    }
    if let Some(d) = deliverable {
        return (d, purpose);
    }
    // The rest of the line without the link and list markers.
    let mut rest = line.to_owned();
    let start = link.range.start.saturating_sub(line_start(src, link.range.start));
    let end = (start + link.range.len()).min(rest.len());
    if start <= end && end <= rest.len() {
        rest.replace_range(start..end, "");
    }
    let rest = rest.trim().trim_start_matches(['-', '*', '+']).trim().trim_matches([':', '—', '-', ' ']).to_owned();
    if !rest.is_empty() {
        return (rest, purpose);
    }
    let heading = lines[..idx].iter().rev().find_map(|l| markdown::heading(l).map(|(_, t)| t.to_owned()));
    (heading.unwrap_or_else(|| "link".to_owned()), purpose)
}

fn line_start(src: &str, off: usize) -> usize {
    src[..off].rfind('\n').map_or(0, |i| i + 1)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The bullets of `## Integration Points`: `Name → Uses what`.
fn integration_section(ws: &Workspace, spec: &Spec) -> Option<Vec<IntegrationPoint>> {
    let doc = spec_document(spec)?;
    let src = crate::base::path_policy::read_to_string(ws.abs(doc)).ok()?;
    let range = markdown::section(&src, |t| t.trim().trim_end_matches(':').eq_ignore_ascii_case("integration points"))?;
    let points: Vec<IntegrationPoint> = src[range]
        .lines()
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| l.trim().strip_prefix("- ").or_else(|| l.trim().strip_prefix("* ")))
        .map(|item| {
            let (name, uses) = item
                .split_once('→')
                .or_else(|| item.split_once("->"))
                .or_else(|| item.split_once(':'))
                .unwrap_or((item, ""));
            let uses = uses.trim();
            let uses = uses.strip_prefix("Uses ").or_else(|| uses.strip_prefix("uses ")).unwrap_or(uses);
            IntegrationPoint { name: name.trim().to_owned(), uses: uses.trim().to_owned() }
        })
        .collect();
    Some(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_pages() {
        assert_eq!(human_size(2560), "2.5KB");
        assert_eq!(human_size(900), "900B");
        assert_eq!(human_size(4198), "4.1KB");
        assert_eq!(pages(400, 2000), 8);
        assert_eq!(pages(10, 2400), 8);
        assert_eq!(pages(3, 10), 1);
        assert_eq!(pages(0, 0), 0);
        assert!(is_test_file("tests/nas.bats"));
        assert!(is_test_file("src/health.test.ts"));
        assert!(is_test_file("test_health.py"));
        assert!(!is_test_file("specs/1000/1001/1014.spec.md"));
        assert!(!is_test_file("specs/1000/1001/deliverables/scripts/latest.sh"));
    }
}
