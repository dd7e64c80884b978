//! Fuzzing the task parser and editor with proptest on generated Markdown: random mixes of task
//! lines (every bullet, marker, id form and indentation), metadata, fences, front matter,
//! headings, near-miss checkboxes and junk, with LF/CRLF/mixed line endings, a BOM or not, a final
//! newline or not, and non-ASCII text.
//!
//! Properties: parsing never panics; every task's line number, line range and marker offset agree
//! with the source (the byte at `marker_offset` is the marker); a marker edit changes exactly that
//! byte, and editing then undoing gives back the original bytes, whole files and `## Tasks`
//! sections alike.

use std::path::Path;

use proptest::prelude::*;
use specwork_core::model::tasks::{self, Task, TaskList, TaskMarker};
use specwork_core::model::workspace;

fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 _*`|~:.\\[\\]ก-ฮ一-龥😀-😊-]{0,16}").unwrap()
}

fn indent() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", "", "", " ", "  ", "  ", "   ", "    ", "      ", "\t", " \t"])
}

fn task_line() -> impl Strategy<Value = String> {
    (
        indent(),
        prop::sample::select(vec!["-", "-", "*", "+", "1.", "2)", "10."]),
        prop::sample::select(vec![" ", " ", "  ", "\t"]),
        prop::sample::select(vec![' ', ' ', '-', 'x', 'X', '~', 'P', '/']),
        prop::sample::select(vec!["", "", "*"]),
        prop::sample::select(vec![
            "", "1 ", "1.2 ", "2.1. ", "1\\. ", "3.2.3 ", "T001 ", "T010b ", "Task 3: ", "**1.2** ", "~~", "1.5x ",
        ]),
        text(),
    )
        .prop_map(|(ind, bullet, sp, m, star, id, title)| format!("{ind}{bullet}{sp}[{m}]{star} {id}{title}"))
}

fn meta_line() -> impl Strategy<Value = String> {
    (
        indent(),
        prop::sample::select(vec![
            "- _Requirements: ",
            "- _Leverage: ",
            "- _Prompt: ",
            "- _Prompt:_",
            "- _Prompt: |",
            "- **_Prompt**: ",
            "- **_Prompt**:",
            "- _Blocked: ",
            "- File: ",
            "- **Files**:",
            "- Purpose: ",
            "_Prompt: ",
            "",
        ]),
        text(),
        prop::sample::select(vec!["", "_", "_ "]),
    )
        .prop_map(|(ind, key, value, close)| format!("{ind}{key}{value}{close}"))
}

fn other_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        2 => prop::sample::select(vec!["```", "```rust", "~~~", "````", "  ```"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec!["---", "...", "***"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec!["# Tasks", "## Tasks", "### Sub", "#", "## Notes", "####### x"]).prop_map(str::to_owned),
        2 => prop::sample::select(vec![
            "-[ ] glued", "- [] empty", "- [ x] spaced", "- [x]glued", "- [✓] tick", "- [x](link)",
            "**Status**: [ ] Pending", "quoted `[ ]` and `[x]`", "\r", "- ", "1.", "- [",
        ]).prop_map(str::to_owned),
        3 => text(),
        1 => "\\PC{0,40}",
    ]
}

/// A blocked task with its reason line in the form `set_marker` writes.
fn blocked_task() -> impl Strategy<Value = String> {
    (
        indent(),
        text(),
        proptest::string::string_regex("[a-zA-Z0-9_ก-ฮ一-龥😀-😊][a-zA-Z0-9 _:ก-ฮ一-龥]{0,12}[a-z]").unwrap(),
    )
        .prop_map(|(ind, title, reason)| format!("{ind}- [~] 9.9 {title}\n{ind}  - _Blocked: {reason}_"))
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![5 => task_line(), 1 => blocked_task(), 3 => meta_line(), 4 => other_line()]
}

/// A whole document: lines joined by LF, CRLF or a mix, with or without BOM and final newline.
fn document() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(line(), 0..40), 0..3u8, any::<bool>(), any::<bool>()).prop_map(
        |(bom, lines, eol, final_newline, front_matter)| {
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            if front_matter {
                s.push_str("---\ntitle: fuzz\n- [ ] not a task\n---\n");
            }
            let n = lines.len();
            for (i, l) in lines.into_iter().enumerate() {
                s.push_str(&l);
                if i + 1 < n || final_newline {
                    s.push_str(match (eol, i % 2) {
                        (0, _) | (2, 0) => "\n",
                        _ => "\r\n",
                    });
                }
            }
            s
        },
    )
}

/// The invariants every parse must hold, offsets relative to `src`.
fn check_offsets(src: &str, list: &TaskList) {
    for (n, t) in list.tasks.iter().enumerate() {
        assert!(t.line_range.start <= t.marker_offset && t.marker_offset < t.line_range.end, "task {n}");
        assert!(t.line_range.end <= src.len());
        assert!(t.line_range.start == 0 || src.as_bytes()[t.line_range.start - 1] == b'\n', "line starts a line");
        assert_eq!(src.as_bytes()[t.marker_offset], t.marker.0, "the byte at marker_offset is the marker");
        assert!(t.marker.status().is_some());
        assert_eq!(src.as_bytes()[t.marker_offset - 1], b'[');
        assert_eq!(src.as_bytes()[t.marker_offset + 1], b']');
        assert_eq!(memchr_count(&src.as_bytes()[..t.line_range.start]) + 1, t.line, "line number");
        if let Some(r) = &t.blocked_range {
            assert!(r.start >= t.line_range.end && r.end <= src.len());
        }
        if n > 0 {
            assert!(t.line > list.tasks[n - 1].line, "tasks in file order, one per line");
        }
    }
    for d in &list.diagnostics {
        assert!(d.line <= memchr_count(src.as_bytes()) + 1, "diagnostic line within the file");
        assert!(!d.message.is_empty() && !d.hint.is_empty());
    }
}

fn memchr_count(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Whether undoing an edit of `t` can give back the bytes: a `_Blocked:_` line is removed when the
/// task leaves blocked (as spec-workflow-mcp does) and written back in the canonical form right
/// after the task line, so only a task with no such line, or with exactly that line, round-trips.
fn restorable(src: &str, t: &Task) -> bool {
    let Some(r) = &t.blocked_range else { return true };
    if t.marker != TaskMarker(b'~') || r.start != t.line_range.end {
        return false;
    }
    let written = &src[r.clone()];
    let line = written.trim_end_matches(['\n', '\r']);
    let task_eol = &src[t.line_range.clone()][src[t.line_range.clone()].trim_end_matches(['\n', '\r']).len()..];
    // The line is written back with the task line's line ending (in a file that mixes them).
    // At the end of the file without a newline, the line goes back after the file's usual ending.
    let mixed = src.contains("\r\n") && src.replace("\r\n", "").contains('\n');
    let same_eol = if written == line { !mixed } else { &written[line.len()..] == task_eol };
    let reason = t.blocked_reason.as_deref().unwrap_or("");
    same_eol && line == format!("{}  - _Blocked: {reason}_", t.indent) && !reason.is_empty() && reason == reason.trim()
}

/// Edits every task of `list` (read from `src`) to every other marker and back, and to blocked
/// with a reason and back, through `edit`, which re-reads the document each time.
/// An edit of task `n` of a document to a marker, with an optional blocked reason.
type Edit<'a> = &'a dyn Fn(&str, usize, TaskMarker, Option<&str>) -> String;

fn round_trip(src: &str, list: &TaskList, edit: Edit<'_>) {
    for (n, t) in list.tasks.iter().enumerate() {
        for m in [b' ', b'-', b'x', b'X', b'~'].into_iter().filter(|&m| m != t.marker.0) {
            let edited = edit(src, n, TaskMarker(m), None);
            if t.blocked_range.is_none() {
                let mut expected = src.as_bytes().to_vec();
                expected[t.marker_offset] = m;
                assert_eq!(edited.as_bytes(), expected.as_slice(), "only the marker byte changes");
            }
            if restorable(src, t) {
                assert_eq!(
                    edit(&edited, n, t.marker, t.blocked_reason.as_deref()),
                    src,
                    "task {n} → [{}] and back",
                    m as char
                );
            }
        }
        // (A `[~]` task without a reason line keeps the line once it has one: blocked stays blocked.)
        if t.blocked_range.is_none() && t.marker != TaskMarker(b'~') {
            let blocked = edit(src, n, TaskMarker(b'~'), Some("waits on ปัญหา_API 🚧"));
            assert_eq!(edit(&blocked, n, t.marker, None), src, "task {n} blocked with a reason and back");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,400}", bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for src in [s, String::from_utf8_lossy(&bytes).into_owned()] {
            let list = tasks::parse(&src, "fuzz.md");
            check_offsets(&src, &list);
            check_offsets(&src, &tasks::parse_fragment(&src, "fuzz.md"));
        }
    }

    #[test]
    fn generated_markdown_parses_edits_and_undoes(doc in document()) {
        let list = tasks::parse(&doc, "fuzz.md");
        check_offsets(&doc, &list);
        let before: Vec<(String, usize)> = list.tasks.iter().map(|t| (t.id.clone(), t.line)).collect();
        round_trip(&doc, &list, &|src, n, m, reason| {
            let out = tasks::set_marker(src, "fuzz.md", &format!("#{}", n + 1), m, reason).unwrap();
            let relist = tasks::parse(&out, "fuzz.md");
            check_offsets(&out, &relist);
            assert_eq!(relist.tasks.len(), before.len(), "an edit neither adds nor removes tasks");
            assert_eq!(relist.tasks[n].marker, m);
            if let Some(r) = reason {
                assert_eq!(relist.tasks[n].blocked_reason.as_deref(), Some(r.trim()));
            }
            out
        });
    }

    #[test]
    fn task_sections_edit_in_place(doc in document()) {
        // A numbered spec's tasks live in its `## Tasks` section: offsets are file offsets.
        let Some(range) = specwork_core::text::markdown::section(&doc, workspace::is_tasks_heading) else { return Ok(()) };
        let rel = Path::new("1014.spec.md");
        let list = workspace::parse_section(&doc, range, rel);
        check_offsets(&doc, &list);
        round_trip(&doc, &list, &|src, n, m, reason| {
            let range = specwork_core::text::markdown::section(src, workspace::is_tasks_heading).unwrap();
            let relist = workspace::parse_section(src, range, rel);
            tasks::apply_marker(src, &relist.tasks[n], m, reason)
        });
    }
}
