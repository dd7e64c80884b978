//! Writing context timelines: each session that touched a numbered spec becomes a
//! `### Session N: YYYY-MM-DD - title` entry in the spec's `*.context.md`, in the seed's shape
//! (Duration, Participants, Status, `#### Planning`, `#### Implementation`, `#### Commits`).
//!
//! Generated entries are delimited by HTML comments, which Obsidian and other Markdown renderers
//! hide:
//!
//! ```text
//! <!-- specwork:session inv-1000.dana-4f1c2a -->
//! ### Session 2: 2025-01-13 - inv-1000
//! …
//! <!-- /specwork:session -->
//! ```
//!
//! Invariants: only the bytes between a pair of markers (and the header's `**Updated**` value, and
//! a `**Status**: planning` that work has made `active`) are ever replaced; every other byte of the
//! file — the person's own sessions and notes — is kept. A block whose session has no journal is
//! left alone. A missing block is inserted where it belongs: before the next generated block, else
//! at the end of `## Implementation Timeline` (after anything the person wrote there), so deleting
//! a block and rebuilding gives back the same bytes. Generated sessions are numbered after the last
//! hand-written session that precedes them.

use crate::base::display;
use std::ops::Range;
use std::path::PathBuf;

use crate::model::context::{ContextFile, TimelineSession};
use crate::model::spec::{Spec, SpecStatus};
use crate::model::workspace::Workspace;
use crate::stores::journal::{Event, Stamp};
use crate::stores::session::Session;
use crate::text::markdown;
use crate::text::templates::{self, TemplateKind};

const OPEN: &str = "<!-- specwork:session ";
const OPEN_END: &str = " -->";
const CLOSE: &str = "<!-- /specwork:session -->";

/// A generated block found in a context file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedBlock {
    /// The session key in the opening marker.
    pub key: String,
    /// Byte range from the opening marker's line start to the end of the closing marker's line.
    pub range: Range<usize>,
    /// 1-based lines of the opening and closing markers.
    pub lines: Range<usize>,
}

/// The generated blocks of a context file, in order. An opening marker without a closing one is
/// not a block (its text is treated as the person's).
pub fn generated_blocks(src: &str) -> Vec<GeneratedBlock> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize, usize)> = None;
    let mut pos = 0;
    let mut line = 0;
    while pos < src.len() {
        line += 1;
        let end = src[pos..].find('\n').map_or(src.len(), |i| pos + i + 1);
        let text = src[pos..end].trim_end_matches(['\n', '\r']).trim();
        if let Some(rest) = text.strip_prefix(OPEN).and_then(|r| r.strip_suffix(OPEN_END)) {
            open = Some((rest.trim().to_owned(), pos, line));
        } else if text == CLOSE
            && let Some((key, start, first)) = open.take()
        {
            out.push(GeneratedBlock { key, range: start..end, lines: first..line });
        }
        pos = end;
    }
    out
}

/// The hand-written sessions of a context file (and those of generated blocks whose key `known`
/// does not recognise, which are kept as written).
pub fn user_sessions(src: &str, known: impl Fn(&str) -> bool) -> Vec<TimelineSession> {
    let blocks: Vec<GeneratedBlock> = generated_blocks(src).into_iter().filter(|b| known(&b.key)).collect();
    ContextFile::parse(src).sessions.into_iter().filter(|s| !blocks.iter().any(|b| b.lines.contains(&s.line))).collect()
}

/// The number the first generated session gets, minus one: the highest hand-written session number
/// before the first generated block (or in the whole file when there is none).
pub fn numbering_base(src: &str, known: impl Fn(&str) -> bool) -> u32 {
    let first = generated_blocks(src).into_iter().filter(|b| known(&b.key)).map(|b| b.lines.start).min();
    user_sessions(src, known).iter().filter(|s| first.is_none_or(|f| s.line < f)).map(|s| s.number).max().unwrap_or(0)
}

/// The context file of a numbered spec, relative to the workspace.
pub fn context_path(spec: &Spec) -> PathBuf {
    spec.docs.context.clone().unwrap_or_else(|| {
        if spec.is_area { spec.dir.join("context.md") } else { spec.dir.join(format!("{}.context.md", spec.id)) }
    })
}

pub use crate::stores::activity::{implementation_lines, last_activity};

/// Renders one generated block (markers included, ending with a newline).
pub fn render_block(s: &Session, spec: &str, number: u32) -> String {
    let mut out = String::new();
    out.push_str(&format!("{OPEN}{}{OPEN_END}\n", s.key));
    // Journals are sanitised when written; a hand-edited one is sanitised here too, so no text
    // of it can end this block early.
    let one_line = crate::base::names::one_line;
    let title = one_line(s.title.as_deref().unwrap_or(&s.name));
    out.push_str(&format!("### Session {number}: {} - {title}\n", s.date()));
    let duration = if s.is_active() { "In progress".to_owned() } else { display::fmt_minutes(s.recorded_minutes()) };
    out.push_str(&format!("**Duration**: {duration}  \n"));
    out.push_str(&format!("**Participants**: {}  \n", s.participants()));
    out.push_str(&format!("**Status**: {}\n", if s.is_active() { "active" } else { "done" }));

    out.push_str("\n#### Planning\n");
    out.push_str(&format!("- Session `{}` started at {} by {}\n", s.name, s.started.hm(), s.user));
    if s.spec == spec {
        if !s.planned.is_empty() {
            out.push_str(&format!("- Tasks: {}\n", s.planned.join(", ")));
        }
        if let Some(c) = &s.continue_from {
            out.push_str(&format!("- Continue from task {c}\n"));
        }
    }
    for e in s.entries.iter().filter(|e| s.entry_is_for(e, spec)) {
        if let Event::Note { text, section, .. } = &e.event
            && section == "planning"
        {
            out.push_str(&format!("- {}\n", one_line(text)));
        }
    }

    let lines = implementation_lines(s, spec);
    out.push_str("\n#### Implementation\n");
    if lines.is_empty() {
        out.push_str("- Nothing recorded yet\n");
    }
    for l in &lines {
        out.push_str(&format!("- {}\n", one_line(l)));
    }

    let all_commits: Vec<(&str, &str)> = s
        .entries
        .iter()
        .filter(|e| s.entry_is_for(e, spec))
        .filter_map(|e| match &e.event {
            Event::Commit { hash, subject, .. } => Some((hash.as_str(), subject.as_str())),
            _ => None,
        })
        .collect();
    // A commit recorded before it was made (`specwork commit` puts its own record in it) has no
    // hash; once the session has seen it made (task done, end of session), its hash shows.
    let commits: Vec<(&str, &str)> = all_commits
        .iter()
        .filter(|(h, subj)| !h.is_empty() || !all_commits.iter().any(|(h2, s2)| !h2.is_empty() && s2 == subj))
        .copied()
        .collect();
    if !commits.is_empty() {
        out.push_str("\n#### Commits\n");
        for (h, subj) in commits {
            if h.is_empty() {
                out.push_str(&format!("- {}\n", one_line(subj)));
            } else {
                out.push_str(&format!("- `{}`: {}\n", one_line(h), one_line(subj)));
            }
        }
    }
    out.push_str(CLOSE);
    out.push('\n');
    out
}

/// Returns `src` with the generated blocks of `sessions` (those that touched `spec`, in start
/// order) replaced or inserted, and the header's Updated/Status refreshed. Pure: the same input
/// gives the same bytes. Generated lines take the file's own line ending (a CRLF file stays CRLF).
pub fn apply(src: &str, spec: &str, sessions: &[&Session], all_done: bool) -> String {
    crate::text::lines::in_own_line_endings(src, |src| apply_lf(src, spec, sessions, all_done))
}

fn apply_lf(src: &str, spec: &str, sessions: &[&Session], all_done: bool) -> String {
    let known = |k: &str| sessions.iter().any(|s| s.key == k);
    let base = numbering_base(src, known);
    let existing = generated_blocks(src);
    let find = |key: &str| existing.iter().find(|b| b.key == key);

    // (position, order: insertions before replacements, replaced range end, text)
    let mut edits: Vec<(usize, u8, usize, String)> = Vec::new();
    let mut tail = String::new();
    for (i, s) in sessions.iter().enumerate() {
        let text = render_block(s, spec, base + 1 + i as u32);
        if let Some(b) = find(&s.key) {
            edits.push((b.range.start, 2, b.range.end, text));
        } else if let Some(next) = sessions[i + 1..].iter().find_map(|n| find(&n.key)) {
            edits.push((next.range.start, 1, next.range.start, format!("{text}\n")));
        } else {
            if !tail.is_empty() {
                tail.push('\n');
            }
            tail.push_str(&text);
        }
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(src.len() + tail.len() + 64);
    let mut pos = 0;
    for (at, _, end, text) in &edits {
        out.push_str(&src[pos..*at]);
        out.push_str(text);
        pos = *end;
    }
    out.push_str(&src[pos..]);

    if !tail.is_empty() {
        out = append_to_timeline(&out, &tail);
    }
    if let Some(last) = sessions.iter().map(|s| s.last_event).max_by_key(|t| t.ts) {
        out = refresh_header(&out, &last, all_done);
    }
    out
}

/// Appends `text` at the end of `## Implementation Timeline`, creating the section if needed.
fn append_to_timeline(src: &str, text: &str) -> String {
    let is_timeline = |t: &str| t.starts_with("Implementation Timeline");
    let Some(r) = markdown::section(src, is_timeline) else {
        let sep = if src.is_empty() || src.ends_with("\n\n") {
            ""
        } else if src.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        return format!("{src}{sep}## Implementation Timeline\n\n{text}");
    };
    let before = &src[..r.end];
    let after = &src[r.end..];
    let sep = if before.ends_with("\n\n") || before.is_empty() {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let trail = if after.is_empty() { "" } else { "\n" };
    format!("{before}{sep}{text}{trail}{after}")
}

/// Sets the header's `**Updated**` to the last activity and moves `**Status**: planning` to
/// `active` (or `done` when every task is).
fn refresh_header(src: &str, last: &Stamp, all_done: bool) -> String {
    let header_end =
        markdown::section(src, |t| t.starts_with("Implementation Timeline")).map_or(src.len(), |r| r.start);
    let header = &src[..header_end];
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    if let Some(r) = markdown::field_range(header, "Updated") {
        edits.push((r, last.minute()));
    }
    if let Some(r) = markdown::field_range(header, "Status") {
        let cur = SpecStatus::parse(&header[r.clone()]);
        let new = match cur {
            Some(SpecStatus::Planning) if all_done => Some("done"),
            Some(SpecStatus::Planning) => Some("active"),
            Some(SpecStatus::Active) if all_done => Some("done"),
            _ => None,
        };
        if let Some(n) = new {
            edits.push((r, n.to_owned()));
        }
    }
    edits.sort_by_key(|e| e.0.start);
    let mut out = String::with_capacity(src.len());
    let mut pos = 0;
    for (r, v) in edits {
        out.push_str(&src[pos..r.start]);
        out.push_str(&v);
        pos = r.end;
    }
    out.push_str(&src[pos..]);
    out
}

/// The text of a new context file for `spec`, from the built-in template.
pub(crate) fn new_context(ws: &Workspace, spec: &Spec, now: &Stamp) -> String {
    let dir = &spec.dir;
    let parent_link = spec.parent.as_deref().and_then(|p| ws.spec(p).ok()).map_or_else(
        || "none".to_owned(),
        |p| format!("[[{}|{} - {}]]", crate::model::links::relative_link(dir, &p.path), p.id, p.title),
    );
    let summary = spec
        .docs
        .spec
        .as_ref()
        .and_then(|f| crate::base::path_policy::read_to_string(ws.abs(f)).ok())
        .and_then(|src| {
            let r = markdown::section(&src, |t| t.eq_ignore_ascii_case("overview"))?;
            let para: Vec<&str> =
                src[r].lines().map(str::trim).skip_while(|l| l.is_empty()).take_while(|l| !l.is_empty()).collect();
            (!para.is_empty()).then(|| para.join(" "))
        })
        .unwrap_or_else(|| format!("What implementing {} involves.", spec.title));
    let vars = [
        ("id", spec.id.as_str()),
        ("title", spec.title.as_str()),
        ("parent_link", parent_link.as_str()),
        ("date", &now.date()),
        ("datetime", &now.minute()),
        ("summary", summary.as_str()),
    ];
    templates::render(TemplateKind::Context.builtin(), &vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_and_numbers_after_hand_written_sessions() {
        let src = "# Context: X\n\n## Implementation Timeline\n\n### Session 1: 2025-01-01 - mine\n- a\n\n<!-- specwork:session k1 -->\n### Session 2: 2025-01-02 - gen\n<!-- /specwork:session -->\n\n<!-- specwork:session orphan -->\n### Session 9: x\n";
        let b = generated_blocks(src);
        assert_eq!(b.len(), 1, "an unclosed marker is not a block");
        assert_eq!(b[0].key, "k1");
        assert_eq!(
            &src[b[0].range.clone()],
            "<!-- specwork:session k1 -->\n### Session 2: 2025-01-02 - gen\n<!-- /specwork:session -->\n"
        );
        assert_eq!(numbering_base(src, |k| k == "k1"), 1);
        let users: Vec<u32> = user_sessions(src, |k| k == "k1").iter().map(|s| s.number).collect();
        assert_eq!(users, [1, 9]);
    }

    fn session(key: &str, day: &str) -> Session {
        let lines = format!(
            "{{\"v\":1,\"ts\":\"{day}T09:00:00Z\",\"session\":\"{key}\",\"event\":\"session_start\",\"name\":\"{key}\",\"owner\":\"u-1\",\"user\":\"U\",\"host\":\"1\",\"spec\":\"7\"}}\n\
             {{\"v\":1,\"ts\":\"{day}T10:00:00Z\",\"session\":\"{key}\",\"event\":\"note\",\"text\":\"did {key}\"}}\n\
             {{\"v\":1,\"ts\":\"{day}T11:00:00Z\",\"session\":\"{key}\",\"event\":\"session_end\"}}\n"
        );
        Session::fold(&crate::stores::journal::parse(lines.as_bytes(), std::path::Path::new("x.log"))).unwrap()
    }

    #[test]
    fn a_deleted_block_comes_back_in_place() {
        let (a, b, c) = (session("a", "2025-01-01"), session("b", "2025-01-02"), session("c", "2025-01-03"));
        let all = [&a, &b, &c];
        let base = "# Context: X\n\n**Status**: planning  \n**Updated**: never\n\n## Implementation Timeline\n\n### Session 1: 2024-12-01 - by hand\n- mine\n\n## Notes\nkeep\n";
        let full = apply(base, "7", &all, false);
        assert!(full.contains("**Status**: active  \n**Updated**: 2025-01-03 11:00\n"), "{full}");
        assert!(full.contains("### Session 2: 2025-01-01 - a\n") && full.contains("### Session 4: 2025-01-03 - c\n"));
        assert!(full.ends_with("<!-- /specwork:session -->\n\n## Notes\nkeep\n"), "{full}");
        assert_eq!(apply(&full, "7", &all, false), full, "idempotent");
        for s in all {
            let block = &generated_blocks(&full).into_iter().find(|x| x.key == s.key).unwrap();
            for cut in [block.range.start..block.range.end + 1, block.range.start - 1..block.range.end] {
                let mut without = full.clone();
                without.replace_range(cut.clone(), "");
                assert_eq!(apply(&without, "7", &all, false), full, "{} cut {cut:?}", s.key);
            }
        }
    }

    #[test]
    fn appends_after_the_timeline_heading() {
        assert_eq!(append_to_timeline("## Implementation Timeline\n", "B\n"), "## Implementation Timeline\n\nB\n");
        assert_eq!(
            append_to_timeline("## Implementation Timeline\n\nA\n\n## Notes\nn\n", "B\n"),
            "## Implementation Timeline\n\nA\n\nB\n\n## Notes\nn\n"
        );
        assert_eq!(append_to_timeline("# C\nx", "B\n"), "# C\nx\n\n## Implementation Timeline\n\nB\n");
    }
}
