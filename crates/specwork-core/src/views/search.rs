//! Search over the knowledge a workspace holds: spec documents (and steering documents),
//! context timelines, and implementation logs — including their artifacts (API endpoints,
//! components, functions, classes, integrations) by name.
//!
//! A query is split into words; a hit is a line (for logs: an artifact block, the summary or a
//! file entry) that contains every word, case-insensitively. Hits are ranked:
//!
//! * an artifact whose name (or endpoint `METHOD /path`) equals the query ranks first, then one
//!   whose name starts with or contains it, then one matched in its other fields;
//! * headings, then task lines, then summaries and file lists, then other lines;
//! * whole-word matches rank above matches inside a word.
//!
//! Files are read in parallel; nothing is cached, so results always match the files.

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;

use crate::base::diag::Diagnostic;
use crate::model::spec::Layout;
use crate::model::workspace::Workspace;
use crate::stores::implog::{self, ArtifactKind};
use crate::stores::steering;

/// What to search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Implementation logs.
    Log,
    /// Spec and steering documents.
    Spec,
    /// Context timelines of numbered specs.
    Context,
}

impl SearchKind {
    /// Parses `log`, `spec`, `context` (plurals too).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.strip_suffix('s').unwrap_or(&s) {
            "log" | "implementation-log" => Self::Log,
            "spec" | "doc" => Self::Spec,
            "context" | "timeline" => Self::Context,
            _ => return None,
        })
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::Spec => "spec",
            Self::Context => "context",
        }
    }
}

/// The artifact a log hit is about.
#[derive(Clone, Debug, Serialize)]
pub struct HitArtifact {
    /// Its kind.
    pub kind: ArtifactKind,
    /// Its name.
    pub name: String,
}

/// One search result.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    /// What kind of file.
    pub kind: SearchKind,
    /// The spec id (`steering` for steering documents).
    pub spec: String,
    /// The file, relative to the workspace root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Rank; higher is better.
    pub score: u32,
    /// The line's text (trimmed, at most 200 characters).
    pub text: String,
    /// The task of an implementation log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// The artifact a log hit is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact: Option<HitArtifact>,
}

/// Search results.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResults {
    /// The query.
    pub query: String,
    /// The kinds searched.
    pub kinds: Vec<SearchKind>,
    /// Hits found in all (before the limit).
    pub total: usize,
    /// Files read.
    pub files_searched: usize,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
    /// Problems in files read.
    pub diagnostics: Vec<Diagnostic>,
}

struct Source {
    kind: SearchKind,
    spec: String,
    file: PathBuf,
}

/// Searches the workspace. `kinds` empty means every kind; `limit` caps the hits returned.
pub fn search(ws: &Workspace, query: &str, kinds: &[SearchKind], limit: usize) -> SearchResults {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let all = [SearchKind::Log, SearchKind::Spec, SearchKind::Context];
    let kinds: Vec<SearchKind> = if kinds.is_empty() { all.to_vec() } else { kinds.to_vec() };
    let mut sources = Vec::new();
    for s in &ws.specs {
        if kinds.contains(&SearchKind::Spec) {
            let d = &s.docs;
            for f in [&d.spec, &d.requirements, &d.design, &d.tasks].into_iter().flatten().chain(&d.deltas) {
                sources.push(Source { kind: SearchKind::Spec, spec: s.id.clone(), file: f.clone() });
            }
        }
        if kinds.contains(&SearchKind::Context)
            && let Some(c) = &s.docs.context
        {
            sources.push(Source { kind: SearchKind::Context, spec: s.id.clone(), file: c.clone() });
        }
        if kinds.contains(&SearchKind::Log) && matches!(s.layout, Layout::SpecWorkflow | Layout::Numbered) {
            let dir = implog::logs_dir(s);
            if let Ok(rd) = crate::base::path_policy::read_dir(ws.abs(&dir)) {
                let mut names: Vec<String> = rd
                    .filter_map(Result::ok)
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".md"))
                    .collect();
                names.sort();
                for n in names {
                    sources.push(Source { kind: SearchKind::Log, spec: s.id.clone(), file: dir.join(n) });
                }
            }
        }
    }
    if kinds.contains(&SearchKind::Spec) {
        for (_, f) in steering::existing(ws) {
            sources.push(Source { kind: SearchKind::Spec, spec: "steering".into(), file: f });
        }
    }
    // A numbered area and its leaf can share a context or spec file only through bugs; dedupe.
    sources.sort_by(|a, b| a.file.cmp(&b.file).then(a.spec.cmp(&b.spec)));
    sources.dedup_by(|a, b| a.file == b.file && a.kind == b.kind);

    let files_searched = sources.len();
    let results: Vec<(Vec<Hit>, Vec<Diagnostic>)> =
        if words.is_empty() { Vec::new() } else { sources.par_iter().map(|s| search_file(ws, s, &words)).collect() };
    let mut hits = Vec::new();
    let mut diagnostics = Vec::new();
    for (h, d) in results {
        hits.extend(h);
        diagnostics.extend(d);
    }
    let order = |k: SearchKind| match k {
        SearchKind::Log => 0,
        SearchKind::Spec => 1,
        SearchKind::Context => 2,
    };
    hits.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(order(a.kind).cmp(&order(b.kind)))
            .then_with(|| a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    let total = hits.len();
    hits.truncate(limit);
    SearchResults { query: query.to_owned(), kinds, total, files_searched, hits, diagnostics }
}

fn contains_all(hay: &str, words: &[String]) -> bool {
    words.iter().all(|w| hay.contains(w.as_str()))
}

/// Whether every word occurs as a whole word (bounded by non-alphanumerics).
fn whole_words(hay: &str, words: &[String]) -> bool {
    words.iter().all(|w| {
        hay.match_indices(w.as_str()).any(|(i, m)| {
            let before = hay[..i].chars().next_back().is_none_or(|c| !c.is_alphanumeric() && c != '_');
            let after = hay[i + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_');
            before && after
        })
    })
}

fn clip(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= 200 { t.to_owned() } else { t.chars().take(199).collect::<String>() + "…" }
}

fn search_file(ws: &Workspace, src: &Source, words: &[String]) -> (Vec<Hit>, Vec<Diagnostic>) {
    let Ok(bytes) = crate::base::path_policy::read(ws.abs(&src.file)) else { return (Vec::new(), Vec::new()) };
    let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let lower = text.to_lowercase();
    // Quick reject: a file that lacks a word cannot hold a hit.
    if !contains_all(&lower, words) {
        return (Vec::new(), Vec::new());
    }
    let file = src.file.to_string_lossy().replace('\\', "/");
    let lines: Vec<&str> = text.lines().collect();
    // Lowercasing never adds or removes a line break, so the lines correspond one to one.
    let lower_lines: Vec<&str> = lower.lines().collect();
    let mut hits = Vec::new();
    let mut covered = vec![false; lines.len() + 2];
    let mut diags = Vec::new();
    let mut task = None;

    if src.kind == SearchKind::Log {
        let (parsed, d) = implog::parse(&text, &file);
        diags = d;
        if let Some(p) = parsed {
            task = Some(p.entry.task_id.clone());
            let query = words.join(" ");
            for a in &p.artifacts {
                let block_lower: String = lower_lines
                    .get(a.line - 1..a.end_line.min(lower_lines.len()))
                    .map(|l| l.join("\n"))
                    .unwrap_or_default();
                if !contains_all(&block_lower, words) {
                    continue;
                }
                let name = a.name.to_lowercase();
                let path_only = name.split_once(' ').map_or(name.as_str(), |(_, p)| p);
                let mut score = if name == query || path_only == query {
                    100
                } else if name.starts_with(&query) || path_only.starts_with(&query) {
                    80
                } else if contains_all(&name, words) {
                    70
                } else {
                    45
                };
                if whole_words(&block_lower, words) {
                    score += 5;
                }
                for l in a.line..=a.end_line {
                    if let Some(c) = covered.get_mut(l) {
                        *c = true;
                    }
                }
                hits.push(Hit {
                    kind: src.kind,
                    spec: src.spec.clone(),
                    file: file.clone(),
                    line: a.line,
                    score,
                    text: clip(lines.get(a.line - 1).copied().unwrap_or("")),
                    task: task.clone(),
                    artifact: Some(HitArtifact { kind: a.kind, name: a.name.clone() }),
                });
            }
        }
    }

    let mut in_fence = false;
    let mut in_files = false;
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if t.starts_with("## ") {
            in_files = t.starts_with("## Files");
        }
        if covered[n] {
            continue;
        }
        let Some(l) = lower_lines.get(i) else { break };
        if !contains_all(l, words) {
            continue;
        }
        let heading = if in_fence { None } else { crate::text::markdown::heading(line) };
        let mut score = match heading {
            Some((1, _)) => 40,
            Some(_) => 35,
            None if is_task_line(t) => 30,
            None if t.contains("**Summary:**") => 28,
            None if in_files && t.starts_with("- ") => 25,
            None => 10,
        };
        if let Some((_, h)) = heading
            && h.to_lowercase() == words.join(" ")
        {
            score += 20;
        }
        if whole_words(l, words) {
            score += 5;
        }
        hits.push(Hit {
            kind: src.kind,
            spec: src.spec.clone(),
            file: file.clone(),
            line: n,
            score,
            text: clip(line),
            task: task.clone(),
            artifact: None,
        });
    }
    (hits, diags)
}

fn is_task_line(t: &str) -> bool {
    let t = t.trim_start_matches(['-', '*', '+']).trim_start();
    t.starts_with("[ ]") || t.starts_with("[x]") || t.starts_with("[X]") || t.starts_with("[-]") || t.starts_with("[~]")
}
