//! Recording one event (a deliverable, a commit) in a spec's timeline.
//!
//! This is the single place where deliverables and commits reach the timeline:
//!
//! * when the person has an active session on the spec, the event goes to that session's
//!   journal (a `note` or `commit` event) and the session's generated entry in `*.context.md`
//!   is refreshed from it ([`crate::stores::session::record`]), so `specwork rebuild` gives it back;
//! * otherwise, for a numbered spec, the bullet is written into the context file directly:
//!   it goes under `#### Implementation` (or `#### Commits`) of the latest `### Session N:`
//!   entry of `## Implementation Timeline`, when that session is still open (its `**Status**` is
//!   not done/ended/completed/closed);
//! * otherwise under a dated entry `### YYYY-MM-DD - Changes outside a session`, reused for the
//!   rest of the day;
//! * the subsection, the entry and the timeline section are created when missing
//!   (`#### Implementation` before `#### Commits`, as in the seed), and `**Updated**:` is set to now;
//! * a numbered leaf spec without a context file gets one from the template first.
//!
//! Only the inserted bytes and the `**Updated**:` value change; everything the user wrote stays.

use std::path::PathBuf;

use crate::model::edit::EditError;
use crate::model::spec::{Layout, Spec};
use crate::model::workspace::Workspace;
use crate::text::markdown::content_end;
use crate::text::templates::{self, TemplateKind};
use crate::{base::clock, base::write, stores::journal, stores::session, text::markdown, views::timeline};

/// An event to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimelineEvent {
    /// An implementation bullet (`Created [[deliverables/scripts/x.sh|Health Monitoring]]`).
    Implementation(String),
    /// A commit.
    Commit {
        /// Abbreviated hash.
        hash: String,
        /// Subject line.
        subject: String,
        /// The task it belongs to.
        task: Option<String>,
    },
}

impl TimelineEvent {
    fn section(&self) -> TimelineSection {
        match self {
            Self::Implementation(_) => TimelineSection::Implementation,
            Self::Commit { .. } => TimelineSection::Commits,
        }
    }

    fn bullet(&self) -> String {
        match self {
            Self::Implementation(b) => b.clone(),
            // A commit not made yet (its record travels in it): its subject alone.
            Self::Commit { hash, subject, .. } if hash.is_empty() => subject.clone(),
            Self::Commit { hash, subject, .. } => format!("`{hash}`: {subject}"),
        }
    }
}

/// Which subsection of a timeline entry a bullet goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineSection {
    /// `#### Implementation`: files created and modified, deliverables.
    Implementation,
    /// `#### Commits`: ``- `a1b2c3d`: message``.
    Commits,
}

impl TimelineSection {
    fn heading(self) -> &'static str {
        match self {
            Self::Implementation => "Implementation",
            Self::Commits => "Commits",
        }
    }
}

/// The heading text of the dated entry used outside sessions.
pub const OUTSIDE_SESSION: &str = "Changes outside a session";

/// The context file of a numbered spec (workspace-relative), creating it from the template
/// for a leaf spec that has none. `None` for other layouts and for areas without one.
pub fn ensure_context(ws: &Workspace, spec: &Spec) -> Result<Option<PathBuf>, EditError> {
    if spec.layout != Layout::Numbered {
        return Ok(None);
    }
    if let Some(c) = &spec.docs.context {
        return Ok(Some(c.clone()));
    }
    if spec.is_area {
        return Ok(None);
    }
    let rel = spec.dir.join(format!("{}.context.md", spec.id));
    let now = clock::now();
    let parent_link = match spec.parent.as_deref().and_then(|p| ws.spec(p).ok()) {
        Some(p) => format!("[[{}|{} - {}]]", crate::model::links::relative_link(&spec.dir, &p.path), p.id, p.title),
        None => "none".to_owned(),
    };
    let summary = format!("What implementing {} involves.", spec.title);
    let vars = [
        ("id", spec.id.as_str()),
        ("title", spec.title.as_str()),
        ("parent_link", parent_link.as_str()),
        ("date", &clock::date(&now)),
        ("datetime", &clock::minute(&now)),
        ("summary", summary.as_str()),
    ];
    match write::create(&ws.abs(&rel), templates::render(TemplateKind::Context.builtin(), &vars).as_bytes()) {
        Ok(()) | Err(write::WriteError::Exists { .. }) => Ok(Some(rel)),
        Err(e) => Err(e.into()),
    }
}

/// Records `event` in the spec's timeline: in the person's active session on the spec when there
/// is one, else directly in the context file of a numbered spec. Returns the file that now shows
/// it (the context file; the session journal for a named spec in a session), or `None` when the
/// spec has no timeline (a named spec outside a session, an area without a context file).
pub fn append(ws: &Workspace, spec: &Spec, event: &TimelineEvent) -> Result<Option<PathBuf>, EditError> {
    Ok(append_written(ws, spec, event)?.0)
}

/// [`append`], also returning every file it wrote (the session journal, the context file).
pub fn append_written(
    ws: &Workspace,
    spec: &Spec,
    event: &TimelineEvent,
) -> Result<(Option<PathBuf>, Vec<PathBuf>), EditError> {
    if let Some((shown, journal)) = record_in_session(ws, spec, event)? {
        let files = if shown == journal { vec![journal] } else { vec![journal, shown.clone()] };
        return Ok((Some(shown), files));
    }
    let Some(rel) = ensure_context(ws, spec)? else { return Ok((None, Vec::new())) };
    let now = clock::now();
    let today = clock::date(&now);
    let stamp = clock::minute(&now);
    let (section, bullet) = (event.section(), event.bullet());
    write::update(&ws.abs(&rel), |old: &str| -> Result<String, EditError> {
        Ok(append_to_text(old, section, &bullet, &today, &stamp))
    })?;
    Ok((Some(rel.clone()), vec![rel]))
}

/// Appends the event to the journal of the person's latest active session on `spec`, which
/// refreshes the session's timeline entry: `(the file that shows it, the journal)`. `None` when
/// there is no such session.
fn record_in_session(
    ws: &Workspace,
    spec: &Spec,
    event: &TimelineEvent,
) -> Result<Option<(PathBuf, PathBuf)>, EditError> {
    let who = session::Identity::detect(&ws.root, &ws.config);
    let _lock = journal::WorkspaceLock::acquire(&ws.root);
    let index = session::SessionIndex::load_current(&ws.root);
    let Some(s) = index.active().filter(|s| s.owner == who.owner && s.touches(&spec.id)).last() else {
        return Ok(None);
    };
    let ev = match event {
        TimelineEvent::Implementation(text) => {
            journal::Event::Note { text: text.clone(), section: "implementation".into(), spec: Some(spec.id.clone()) }
        }
        TimelineEvent::Commit { hash, subject, task } => journal::Event::Commit {
            hash: hash.clone(),
            subject: subject.clone(),
            spec: Some(spec.id.clone()),
            task: task.clone(),
        },
    };
    let path = ws.abs(&s.journal);
    let journal_rel = s.journal.clone();
    let entry = journal::Entry::now(&s.key, ev);
    crate::ops::record::record(ws, &path, &[entry]).map_err(|e| match e {
        session::SessionError::Write(w) => EditError::Write(w),
        other => EditError::Write(write::WriteError::Io(std::io::Error::other(other.to_string()))),
    })?;
    let shown = if spec.layout == Layout::Numbered { timeline::context_path(spec) } else { journal_rel.clone() };
    Ok(Some((shown, journal_rel)))
}

/// The pure edit behind [`append`].
pub fn append_to_text(src: &str, section: TimelineSection, bullet: &str, today: &str, stamp: &str) -> String {
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    let item = format!("- {}{eol}", bullet.replace(['\r', '\n'], " "));
    let mut out = src.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    let timeline = match markdown::section(&out, |t| t.starts_with("Implementation Timeline")) {
        Some(r) => r,
        None => {
            out.push_str(&format!("{eol}## Implementation Timeline{eol}"));
            out.len()..out.len()
        }
    };
    let entries = level3_entries(&out, timeline.clone());
    let usable = entries.last().filter(|e| entry_is_open(&out[e.body.clone()], &e.title, today));
    let (insert_at, text) = match usable {
        Some(e) => {
            let body = e.body.clone();
            match subsection(&out, body.clone(), section.heading()) {
                Some(sub) => (content_end(&out, sub), item),
                None => {
                    let at = if section == TimelineSection::Implementation {
                        subsection_heading_start(&out, body.clone(), "Commits")
                            .unwrap_or_else(|| content_end(&out, body))
                    } else {
                        content_end(&out, body)
                    };
                    let before_blank = if at > 0 && out[..at].ends_with(&format!("{eol}{eol}")) { "" } else { eol };
                    let text = format!("{before_blank}#### {}{eol}{item}", section.heading());
                    // Keep a blank line before a following heading.
                    let after = if out[at..].starts_with('#') { eol } else { "" };
                    (at, format!("{text}{after}"))
                }
            }
        }
        None => {
            let at = content_end(&out, timeline);
            let lead = if at == 0 || out[..at].ends_with(&format!("{eol}{eol}")) { "" } else { eol };
            let after = if out[at..].starts_with('#') { eol } else { "" };
            (at, format!("{lead}### {today} - {OUTSIDE_SESSION}{eol}{eol}#### {}{eol}{item}{after}", section.heading()))
        }
    };
    out.insert_str(insert_at, &text);
    // `**Updated**:` in the header (before the timeline).
    let header_end = markdown::section(&out, |t| t.starts_with("Implementation Timeline")).map_or(0, |r| r.start);
    if let Some(r) = markdown::field_range(&out[..header_end], "Updated") {
        out.replace_range(r, stamp);
    }
    out
}

struct Entry {
    title: String,
    /// From after the heading line to the next heading of level ≤ 3 (or the section end).
    body: std::ops::Range<usize>,
}

/// Lines of `src[range]` with their absolute offsets, outside code fences.
fn lines(src: &str, range: std::ops::Range<usize>) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut pos = range.start;
    let mut in_fence = false;
    while pos < range.end {
        let end = src[pos..range.end].find('\n').map_or(range.end, |i| pos + i + 1);
        let line = src[pos..end].trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        } else if !in_fence {
            out.push((pos, end, line));
        }
        pos = end;
    }
    out
}

fn level3_entries(src: &str, range: std::ops::Range<usize>) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for (start, end, line) in lines(src, range.clone()) {
        if let Some((level, text)) = markdown::heading(line)
            && level <= 3
        {
            if let Some(last) = entries.last_mut()
                && last.body.end == range.end
            {
                last.body.end = start;
            }
            if level == 3 {
                entries.push(Entry { title: text.to_owned(), body: end..range.end });
            }
        }
    }
    entries
}

/// Whether new bullets may go into this entry: a session that is not closed, or today's
/// dated entry.
fn entry_is_open(body: &str, title: &str, today: &str) -> bool {
    if title == format!("{today} - {OUTSIDE_SESSION}") {
        return true;
    }
    if !title.starts_with("Session ") {
        return false;
    }
    let status = markdown::field(body, "Status").map(str::to_ascii_lowercase);
    !status.as_deref().is_some_and(|s| matches!(s, "done" | "ended" | "completed" | "complete" | "closed"))
}

/// The body range of `#### {name}` inside `range`.
fn subsection(src: &str, range: std::ops::Range<usize>, name: &str) -> Option<std::ops::Range<usize>> {
    let mut found: Option<usize> = None;
    for (start, end, line) in lines(src, range.clone()) {
        if let Some((level, text)) = markdown::heading(line) {
            if let Some(body_start) = found {
                if level <= 4 {
                    return Some(body_start..start);
                }
            } else if level == 4 && text.trim_end_matches(':').eq_ignore_ascii_case(name) {
                found = Some(end);
            }
        }
    }
    found.map(|s| s..range.end)
}

fn subsection_heading_start(src: &str, range: std::ops::Range<usize>, name: &str) -> Option<usize> {
    lines(src, range).into_iter().find_map(|(start, _, line)| {
        let (level, text) = markdown::heading(line)?;
        (level == 4 && text.trim_end_matches(':').eq_ignore_ascii_case(name)).then_some(start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: &str = "# Context: X\n\n**Spec**: [[1014.spec|1014 - X]]  \n**Updated**: 2025-08-26 14:30\n\n## Implementation Timeline\n\n### Session 1: 2025-08-26 - Initial Planning\n**Duration**: In progress  \n**Status**: active\n\n#### Planning\n- Reviewing\n\n#### Commits\n- `a1b2c3d`: Add script\n";

    #[test]
    fn into_the_open_session_before_commits() {
        let out = append_to_text(
            CTX,
            TimelineSection::Implementation,
            "Created [[deliverables/scripts/x.sh|X]]",
            "2025-08-27",
            "2025-08-27 09:00",
        );
        assert_eq!(
            out,
            CTX.replace(
                "- Reviewing\n\n#### Commits",
                "- Reviewing\n\n#### Implementation\n- Created [[deliverables/scripts/x.sh|X]]\n\n#### Commits"
            )
            .replace("**Updated**: 2025-08-26 14:30", "**Updated**: 2025-08-27 09:00")
        );
        let again = append_to_text(&out, TimelineSection::Implementation, "Second", "2025-08-27", "2025-08-27 09:00");
        assert!(again.contains("- Created [[deliverables/scripts/x.sh|X]]\n- Second\n\n#### Commits"));
        let commit =
            append_to_text(&again, TimelineSection::Commits, "`b2c3d4e`: More", "2025-08-27", "2025-08-27 09:00");
        assert!(commit.ends_with("- `a1b2c3d`: Add script\n- `b2c3d4e`: More\n"));
    }

    #[test]
    fn dated_entry_when_the_session_is_done() {
        let done = CTX.replace("**Status**: active", "**Status**: done");
        let out = append_to_text(&done, TimelineSection::Implementation, "Created x", "2025-08-27", "2025-08-27 09:00");
        assert!(out.starts_with(&done.replace("2025-08-26 14:30", "2025-08-27 09:00")));
        assert!(out.ends_with("- `a1b2c3d`: Add script\n\n### 2025-08-27 - Changes outside a session\n\n#### Implementation\n- Created x\n"));
        let out2 = append_to_text(&out, TimelineSection::Commits, "`c`: y", "2025-08-27", "2025-08-27 09:00");
        assert!(out2.ends_with("#### Implementation\n- Created x\n\n#### Commits\n- `c`: y\n"), "{out2}");
        let no_timeline = append_to_text("# Context: X\n", TimelineSection::Implementation, "a", "2025-08-27", "s");
        assert_eq!(
            no_timeline,
            "# Context: X\n\n## Implementation Timeline\n\n### 2025-08-27 - Changes outside a session\n\n#### Implementation\n- a\n"
        );
    }
}
