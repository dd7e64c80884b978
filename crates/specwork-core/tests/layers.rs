//! The layers of specwork-core import only downward, and no two modules import each other
//! (directly or around a cycle). ARCHITECTURE.md describes the layers; this test keeps them true.
//!
//! It reads the sources as text: every `crate::…` path (in `use` lines, grouped imports, code
//! and doc links) outside `#[cfg(test)]` modules is an import of the module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import its own layer and those before it.
const LAYERS: [&str; 9] = ["base", "text", "git", "model", "stores", "usage", "views", "ops", "agent"];

/// Names the crate root re-exports, and the module each comes from.
const ROOT_EXPORTS: [(&str, &str); 12] = [
    ("Diagnostic", "base/diag"),
    ("Severity", "base/diag"),
    ("Layout", "model/spec"),
    ("Spec", "model/spec"),
    ("SpecStatus", "model/spec"),
    ("Task", "model/tasks"),
    ("TaskCounts", "model/tasks"),
    ("TaskList", "model/tasks"),
    ("TaskMarker", "model/tasks"),
    ("TaskStatus", "model/tasks"),
    ("Workspace", "model/workspace"),
    ("WorkspaceError", "model/workspace"),
];

fn rank(layer: &str) -> usize {
    LAYERS.iter().position(|l| *l == layer).unwrap_or_else(|| panic!("unknown layer `{layer}`"))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs_err::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `layer/module` of a source file (`git.rs` is the git layer's only module).
fn module_of(rel: &Path) -> Option<String> {
    let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    match parts.as_slice() {
        [one] if one == "lib" => None,
        [one] => Some(format!("{one}/{one}")),
        [layer, m, ..] if m == "mod" => Some(format!("{layer}/{layer}")),
        [layer, m, ..] => Some(format!("{layer}/{m}")),
        _ => None,
    }
}

/// Splits the top level of a grouped import (`a, b::{c, d}, e`).
fn split_top(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth) = (Vec::new(), String::new(), 0);
    for ch in s.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

/// The modules a path after `crate::` names (`model::tasks::X`, `Spec`, `{a, b}`).
fn targets(path: &str) -> Vec<String> {
    let path = path.trim();
    if let Some(inner) = path.strip_prefix('{') {
        return split_top(inner.trim_end_matches('}')).iter().flat_map(|p| targets(p)).collect();
    }
    let segs: Vec<&str> = path.split("::").map(str::trim).collect();
    let first = segs[0].trim_start_matches('{');
    if let Some((_, m)) = ROOT_EXPORTS.iter().find(|(n, _)| *n == first) {
        return vec![(*m).to_owned()];
    }
    if first == "git" {
        return vec!["git/git".to_owned()];
    }
    if LAYERS.contains(&first) {
        return match segs.get(1).map(|s| s.trim_start_matches('{')) {
            Some(s) if s.starts_with(|c: char| c.is_ascii_lowercase()) && !s.contains('{') => {
                vec![format!("{first}/{s}")]
            }
            Some(_) if segs[1].starts_with('{') => {
                let rest = path.split_once("::").unwrap().1;
                targets(rest).into_iter().map(|t| if t.contains('/') { t } else { format!("{first}/{t}") }).collect()
            }
            _ => vec![format!("{first}/{first}")],
        };
    }
    // A bare module inside a layer group (`ops::{session, task}` gives `session`).
    vec![first.to_owned()]
}

/// Every `crate::` path of a source, without its tests.
fn imports(src: &str) -> Vec<String> {
    let code = src.split("#[cfg(test)]").next().unwrap_or(src);
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while let Some(k) = code[i..].find("crate::") {
        let start = i + k + "crate::".len();
        // Take the path: identifiers, `::`, and a balanced `{…}` group.
        let mut j = start;
        let mut depth = 0;
        while j < bytes.len() {
            let c = bytes[j] as char;
            if c == '{' {
                depth += 1;
            } else if c == '}' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
                if depth == 0 {
                    j += 1;
                    break;
                }
            } else if depth == 0 && !(c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                break;
            }
            j += 1;
        }
        out.extend(targets(&code[start..j]));
        i = j.max(start);
    }
    out
}

#[test]
fn layers_import_only_downward_and_modules_form_no_cycle() {
    let src = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut upward = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let Some(me) = module_of(rel) else { continue };
        let my_layer = me.split('/').next().unwrap().to_owned();
        let text = fs_err::read_to_string(f).unwrap();
        for t in imports(&text) {
            let t = if t.contains('/') { t } else { format!("{my_layer}/{t}") };
            let layer = t.split('/').next().unwrap();
            if rank(layer) > rank(&my_layer) {
                upward.push(format!("{} ({me}) imports {t}", rel.display()));
            }
            if t != me && !t.ends_with(&format!("/{}", t.split('/').next().unwrap())) {
                graph.entry(me.clone()).or_default().insert(t);
            }
        }
    }
    assert!(upward.is_empty(), "imports that go up a layer:\n{}", upward.join("\n"));
    // Cycles between modules (depth-first search with colours).
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_owned(), 1);
        stack.push(n.to_owned());
        for m in g.get(n).into_iter().flatten() {
            match state.get(m).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|x| x == m).unwrap();
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n).copied().unwrap_or(0) == 0
            && let Some(c) = visit(n, &graph, &mut state, &mut Vec::new())
        {
            panic!("modules import each other in a cycle: {}", c.join(" → "));
        }
    }
    assert!(graph.len() > 30, "the sources were read ({} modules)", graph.len());
}

/// Only `base/clock.rs` reads the clock (so `SPECWORK_NOW` reaches every report): no other
/// source file of any crate calls `Zoned::now`, `Timestamp::now` or `SystemTime::now`.
#[test]
fn only_the_clock_module_reads_the_clock() {
    let core = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let crates = core.parent().expect("crates/ folder");
    let clock = core.join("src/base/clock.rs");
    let mut files = Vec::new();
    for e in fs_err::read_dir(crates).unwrap() {
        let src = e.unwrap().path().join("src");
        if src.is_dir() {
            sources(&src, &mut files);
        }
    }
    assert!(files.len() > 50, "found only {} sources under {}", files.len(), crates.display());
    let mut offenders = Vec::new();
    for f in files.iter().filter(|f| **f != clock) {
        let text = fs_err::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if ["Zoned::now(", "Timestamp::now(", "SystemTime::now("].iter().any(|c| code.contains(c)) {
                offenders.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(offenders.is_empty(), "read the time through specwork_core::base::clock:\n{}", offenders.join("\n"));
}
