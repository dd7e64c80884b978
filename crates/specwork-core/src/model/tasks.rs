//! The task grammar: reading task lists and editing task markers in place.
//!
//! One tolerant grammar serves every layout (spec-workflow-mcp `tasks.md`, Kiro, spec-kit, OpenSpec
//! and the `## Tasks` section of a numbered spec):
//!
//! * a task is a list item whose text starts with a checkbox: `- [ ]`, `* [x]`, `+ [X]`, `1. [-]`,
//!   `2) [~]`; Kiro's optional marker `- [ ]* 1.1` is accepted;
//! * markers: ` ` pending, `-` in progress, `x`/`X` done, `~` blocked; any other character (spec-kit's
//!   legend `- [P] parallelizable`) is not a task;
//! * ids: `1`, `1.1`, `2.1.`, `1\.`, `T001`, `Task 3:`, optionally wrapped in `**` or `~~`; a task
//!   with no id gets the positional id `#N` (N counts tasks from 1);
//! * a task's body runs to the next task line or heading; its metadata bullets are
//!   `_Requirements: …_`, `_Leverage: …_`, `_Prompt: …_` (one line, continued lines, nested
//!   bullets, a `|` block or a fenced block), `_Blocked: …_`, `File:`/`Files:` and `Purpose:`.
//!   Underscores inside values are kept (spec-workflow-mcp cuts them, a bug we avoid);
//! * fenced code blocks and YAML front matter never contain tasks.
//!
//! Invariants: parsing never panics and never allocates a copy of the source; every [`Task`]
//! records the byte offset of its marker, so an edit ([`set_marker`]) replaces exactly one byte
//! (plus the `_Blocked:_` line it owns) and leaves every other byte of the file identical.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::base::diag::Diagnostic;
use crate::text::front_matter;
use crate::text::markdown;

/// The status a task marker stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// `[ ]` — not started.
    Pending,
    /// `[-]` — being worked on.
    InProgress,
    /// `[x]` or `[X]` — completed.
    Done,
    /// `[~]` — blocked, usually with a `_Blocked: reason_` line.
    Blocked,
}

impl TaskStatus {
    /// Parses the user-facing names (`pending`, `in-progress`, `done`, `blocked` and a few aliases).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "pending" | "todo" | "open" | "not-started" => Self::Pending,
            "in-progress" | "in_progress" | "inprogress" | "started" | "doing" | "wip" => Self::InProgress,
            "done" | "completed" | "complete" | "finished" => Self::Done,
            "blocked" => Self::Blocked,
            _ => return None,
        })
    }

    /// The report symbol: the seed's ✅ done, ⏳ pending and ❌ blocked, and 🔄 in progress (so
    /// the task being worked on stands out from those waiting).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Done => "✅",
            Self::Pending => "⏳",
            Self::InProgress => "🔄",
            Self::Blocked => "❌",
        }
    }

    /// The stable name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in-progress",
            Self::Done => "done",
            Self::Blocked => "blocked",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The exact character between the brackets. Kept apart from [`TaskStatus`] so that `[X]` survives
/// an edit and its undo byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskMarker(pub u8);

impl TaskMarker {
    /// The marker character written for a status (`x` for done).
    pub fn for_status(status: TaskStatus) -> Self {
        Self(match status {
            TaskStatus::Pending => b' ',
            TaskStatus::InProgress => b'-',
            TaskStatus::Done => b'x',
            TaskStatus::Blocked => b'~',
        })
    }

    /// The status this marker stands for, or `None` when it is not a task marker.
    pub fn status(self) -> Option<TaskStatus> {
        match self.0 {
            b' ' => Some(TaskStatus::Pending),
            b'-' => Some(TaskStatus::InProgress),
            b'x' | b'X' => Some(TaskStatus::Done),
            b'~' => Some(TaskStatus::Blocked),
            _ => None,
        }
    }
}

/// One task read from a task list.
#[derive(Clone, Debug, Serialize)]
pub struct Task {
    /// The task's id: `1.2`, `T001`, or the positional `#N` when the line has none.
    pub id: String,
    /// Whether the id came from the text (false for positional `#N` ids).
    pub explicit_id: bool,
    /// The task's title: the line's text after the id, without emphasis wrappers.
    pub title: String,
    /// The status of the marker.
    pub status: TaskStatus,
    /// 1-based line number of the task line.
    pub line: usize,
    /// Nesting level: 0 for top-level items, counted from indentation (2 spaces or a tab a level).
    pub level: usize,
    /// Kiro's optional-task star (`- [ ]* 1.1`).
    pub optional: bool,
    /// The task line is struck through (`~~…~~`).
    pub struck: bool,
    /// `_Requirements: …_` entries.
    pub requirements: Vec<String>,
    /// `_Leverage: …_` entries.
    pub leverage: Vec<String>,
    /// `_Prompt: …_`, joined into one string.
    pub prompt: Option<String>,
    /// `_Blocked: …_` reason.
    pub blocked_reason: Option<String>,
    /// `File:` / `Files:` entries.
    pub files: Vec<String>,
    /// `Purpose:` text.
    pub purpose: Option<String>,
    /// `_Check: <command>_`: the shell command that proves the task done (run from the workspace
    /// root when the task is finished).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// Other body bullets (implementation details), trimmed.
    pub details: Vec<String>,
    /// Byte offset of the marker character in the source.
    #[serde(skip)]
    pub marker_offset: usize,
    /// The marker character as written.
    #[serde(skip)]
    pub marker: TaskMarker,
    /// Byte range of the task line, its line ending included.
    #[serde(skip)]
    pub line_range: Range<usize>,
    /// Byte range of the `_Blocked:_` line, its line ending included.
    #[serde(skip)]
    pub blocked_range: Option<Range<usize>>,
    /// Leading whitespace of the task line.
    #[serde(skip)]
    pub indent: String,
}

impl Task {
    /// A pending task of a built-in template that nobody replaced yet (`2. Second task`): listed
    /// as it is in the file, but not counted, never next and not started.
    pub fn is_placeholder(&self) -> bool {
        self.status == TaskStatus::Pending && crate::text::templates::is_placeholder_task(&self.title)
    }
}

/// Counts of tasks by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TaskCounts {
    /// All tasks, nested ones included.
    pub total: usize,
    /// `[x]`/`[X]`.
    pub done: usize,
    /// `[-]`.
    pub in_progress: usize,
    /// `[~]`.
    pub blocked: usize,
    /// `[ ]`.
    pub pending: usize,
}

impl TaskCounts {
    /// Counts a list of tasks.
    pub fn of(tasks: &[Task]) -> Self {
        // Every task given, placeholders too (`TaskList::counts` leaves those out).
        let mut c = Self::default();
        for t in tasks {
            c.add(t.status);
        }
        c
    }

    /// Adds one task of the given status.
    pub fn add(&mut self, status: TaskStatus) {
        self.total += 1;
        match status {
            TaskStatus::Pending => self.pending += 1,
            TaskStatus::InProgress => self.in_progress += 1,
            TaskStatus::Done => self.done += 1,
            TaskStatus::Blocked => self.blocked += 1,
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, o: &Self) {
        self.total += o.total;
        self.done += o.done;
        self.in_progress += o.in_progress;
        self.blocked += o.blocked;
        self.pending += o.pending;
    }

    /// Percentage of done tasks, rounded; 0 for an empty list.
    pub fn progress_pct(&self) -> u32 {
        if self.total == 0 {
            return 0;
        }
        // Rounded (6/7 is 86%), but 100% only when every task is done and 0% only when none is.
        let p = ((self.done * 200 + self.total) / (self.total * 2)) as u32;
        match (self.done, p) {
            (d, 100) if d < self.total => 99,
            (d, 0) if d > 0 => 1,
            _ => p,
        }
    }
}

/// The result of parsing a task list.
#[derive(Clone, Debug, Default)]
pub struct TaskList {
    /// Tasks in file order.
    pub tasks: Vec<Task>,
    /// Problems found (duplicate ids, malformed lines, unterminated front matter or fences).
    pub diagnostics: Vec<Diagnostic>,
}

impl TaskList {
    /// Finds a task by id (`1.2`), positional id (`#3`), or id written with a trailing dot (`1.`).
    pub fn find(&self, id: &str) -> Option<&Task> {
        let id = normalize_id(id);
        self.tasks.iter().find(|t| t.id == id).or_else(|| {
            let n: usize = id.strip_prefix('#')?.parse().ok()?;
            self.tasks.get(n.checked_sub(1)?)
        })
    }

    /// Status counts over every task but the template's placeholders.
    pub fn counts(&self) -> TaskCounts {
        let mut c = TaskCounts::default();
        for t in self.tasks.iter().filter(|t| !t.is_placeholder()) {
            c.add(t.status);
        }
        c
    }

    /// The first task that is neither done nor blocked, in file order (in-progress first); never
    /// a template's placeholder.
    pub fn next_task(&self) -> Option<&Task> {
        self.tasks
            .iter()
            .find(|t| t.status == TaskStatus::InProgress)
            .or_else(|| self.tasks.iter().find(|t| t.status == TaskStatus::Pending && !t.is_placeholder()))
    }
}

fn normalize_id(id: &str) -> &str {
    id.trim().trim_end_matches('.').trim_end_matches('\\')
}

/// A line of the source: its content (without line ending) and byte range (with it).
struct Line<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn lines(src: &str) -> impl Iterator<Item = Line<'_>> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= src.len() {
            return None;
        }
        let start = pos;
        let end = memchr::memchr(b'\n', &src.as_bytes()[start..]).map_or(src.len(), |i| start + i + 1);
        pos = end;
        let mut text = &src[start..end];
        text = text.strip_suffix('\n').unwrap_or(text);
        text = text.strip_suffix('\r').unwrap_or(text);
        Some(Line { text, start, end })
    })
}

/// A recognised checkbox list item.
struct CheckboxLine<'a> {
    indent: &'a str,
    marker_col: usize,
    marker: u8,
    optional: bool,
    rest: &'a str,
}

/// Recognises `{indent}{bullet} [{c}]{*}? {rest}`. Returns `None` for non-task lines, including
/// checkboxes whose character is not a marker.
fn checkbox_line(text: &str) -> Option<CheckboxLine<'_>> {
    let trimmed = text.trim_start_matches([' ', '\t']);
    let indent = &text[..text.len() - trimmed.len()];
    let b = trimmed.as_bytes();
    let mut i = match b.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
                return None;
            }
            digits + 1
        }
        _ => return None,
    };
    let spaces = b[i..].iter().take_while(|&&c| c == b' ' || c == b'\t').count();
    if spaces == 0 {
        return None;
    }
    i += spaces;
    if b.get(i) != Some(&b'[') || b.get(i + 2) != Some(&b']') {
        return None;
    }
    let marker = b[i + 1];
    TaskMarker(marker).status()?;
    let marker_col = indent.len() + i + 1;
    let mut j = i + 3;
    let optional = b.get(j) == Some(&b'*');
    if optional {
        j += 1;
    }
    match b.get(j) {
        None => {}
        Some(b' ' | b'\t') => {}
        Some(_) => return None,
    }
    Some(CheckboxLine { indent, marker_col, marker, optional, rest: trimmed[j..].trim() })
}

fn indent_width(indent: &str) -> usize {
    indent.chars().map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

/// Splits an id off the start of a task's text. Returns `(id, title, struck)`.
fn split_id(rest: &str) -> (Option<String>, String, bool) {
    let mut text = rest.trim();
    let mut struck = false;
    if let Some(inner) = text.strip_prefix("~~") {
        struck = true;
        text = inner.strip_suffix("~~").unwrap_or(inner).trim();
    }
    // Emphasis wrapping only the id (`**1.1** Title`) or the whole text (`**1.1 Title**`).
    let mut unwrapped = text;
    let mut wrapper = None;
    for w in ["**", "__"] {
        if let Some(inner) = unwrapped.strip_prefix(w) {
            unwrapped = inner;
            wrapper = Some(w);
            break;
        }
    }
    let (id, after) = match take_id(unwrapped) {
        Some(x) => x,
        None => return (None, strip_emphasis(text).to_owned(), struck),
    };
    let mut title = after.trim_start_matches(['*', '_']).trim();
    if let Some(w) = wrapper {
        title = title.strip_suffix(w).unwrap_or(title).trim();
    }
    // A separator between id and title: `**T1** — Title`, `1.1 - Title`.
    if let Some(r) = title.strip_prefix(['—', '–', '-', ':'])
        && (r.is_empty() || r.starts_with([' ', '\t']))
    {
        title = r.trim_start();
    }
    // Struck through after the id: `3.2.3 ~~Old plan~~ (dropped)`, `28.1 **REMOVED** ~~Old~~`.
    struck |= struck_title(title);
    let title = strip_emphasis(title);
    (Some(id), title.to_owned(), struck)
}

/// Whether a title opens with a strikethrough, after an optional bold tag such as `**REMOVED**`.
fn struck_title(title: &str) -> bool {
    let mut t = title;
    if let Some(inner) = t.strip_prefix("**")
        && let Some(end) = inner.find("**")
    {
        t = inner[end + 2..].trim_start();
    }
    t.starts_with("~~")
}

fn strip_emphasis(s: &str) -> &str {
    let mut s = s.trim();
    for w in ["**", "__"] {
        if let Some(inner) = s.strip_prefix(w).and_then(|x| x.strip_suffix(w)) {
            s = inner.trim();
        }
    }
    s
}

/// Recognises `1`, `1.2.3`, `2.1.`, `1\.`, `T001`, `T010b`, `Task 3:` at the start of `s`.
fn take_id(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    // `Task 3:` / `Task 3.1 -`
    if let Some(after) = s.strip_prefix("Task ").or_else(|| s.strip_prefix("task ")) {
        let (id, rest) = take_numeric(after)?;
        let rest = rest.trim_start_matches(['*', '_']);
        let rest = rest.trim_start();
        let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('-')).unwrap_or(rest);
        return Some((id, rest));
    }
    // spec-kit `T001`, and `T010b` for a task inserted after T010.
    if b.first() == Some(&b'T') {
        let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let letters = b[1 + digits..].iter().take_while(|c| c.is_ascii_lowercase()).count();
        let end = 1 + digits + letters;
        if digits > 0 && letters <= 2 && b.get(end).is_none_or(|c| *c == b' ' || *c == b'*' || *c == b':') {
            return Some((s[..end].to_owned(), s[end..].strip_prefix(':').unwrap_or(&s[end..])));
        }
    }
    let (id, rest) = take_numeric(s)?;
    // An id must be followed by whitespace, emphasis or end: `1.5x faster` is prose, not an id.
    if !(rest.is_empty() || rest.starts_with([' ', '\t', '*', '_', ':'])) {
        return None;
    }
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    Some((id, rest))
}

fn take_numeric(s: &str) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut end_of_id = 0;
    loop {
        let d = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == 0 || d > 6 {
            break;
        }
        i += d;
        end_of_id = i;
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        break;
    }
    if end_of_id == 0 {
        return None;
    }
    let id = s[..end_of_id].to_owned();
    let mut rest = &s[end_of_id..];
    rest = rest.strip_prefix("\\.").or_else(|| rest.strip_prefix('.')).unwrap_or(rest);
    Some((id, rest))
}

/// Parses the task list of a whole file. `file` names the source in diagnostics.
///
/// A UTF-8 byte-order mark and YAML front matter are skipped (front matter opened but never
/// closed is reported, and the file is then read as if it had none, so no task is lost).
pub fn parse(src: &str, file: &str) -> TaskList {
    parse_text(src, file, true)
}

/// Parses the task list of a part of a file, such as the body of a `## Tasks` section: no
/// byte-order mark or front matter is looked for, so a `---` rule opening the part is just a rule.
/// Offsets and lines are relative to `src`.
pub fn parse_fragment(src: &str, file: &str) -> TaskList {
    parse_text(src, file, false)
}

/// An open code fence: its character, run length and opening line.
#[derive(Clone, Copy)]
struct Fence {
    c: u8,
    len: usize,
    line: usize,
}

fn parse_text(src: &str, file: &str, whole_file: bool) -> TaskList {
    let mut out = TaskList::default();
    // Every task has a `[c]`: sizing the list once spares the copies of a growing Vec<Task>.
    let b = src.as_bytes();
    out.tasks.reserve(memchr::memchr_iter(b'[', b).filter(|&i| b.get(i + 2) == Some(&b']')).count());
    let body_start = if whole_file && src.starts_with('\u{feff}') { 3 } else { 0 };
    // Lines that start before `skip_to` are front matter.
    let mut skip_to = 0;
    if whole_file {
        // Broken YAML is still front matter: its lines are never tasks.
        skip_to = front_matter::range(src).map_or(0, |r| r.end);
        out.diagnostics.extend(front_matter::diagnostic(src, file));
    }
    let mut fence: Option<Fence> = None;
    let mut current: Option<usize> = None; // index into out.tasks whose body we are in
    let mut prompt: Option<PromptMode> = None;
    // `**Files**:` with an empty value: the deeper bullets below are its entries.
    let mut list_block: Option<(MetaKey, usize)> = None;
    let mut prev_blank = true;

    for (idx, line) in lines(src).enumerate() {
        if line.start < skip_to {
            continue;
        }
        let lineno = idx + 1;
        let text = if line.start == 0 { &line.text[body_start.min(line.text.len())..] } else { line.text };
        let trimmed = text.trim_start_matches([' ', '\t']);
        let blank = trimmed.trim_end().is_empty();
        let was_blank = std::mem::replace(&mut prev_blank, blank);
        let this_indent = indent_width(&text[..text.len() - trimmed.len()]);

        if let Some(f) = fence {
            let run = trimmed.bytes().take_while(|&x| x == f.c).count();
            if run >= f.len && trimmed[run..].trim().is_empty() {
                fence = None;
                if matches!(prompt, Some(PromptMode::Fenced)) {
                    prompt = None;
                }
            } else if let (Some(i), Some(PromptMode::Fenced)) = (current, prompt) {
                push_prompt(&mut out.tasks[i], trimmed);
            }
            continue;
        }
        if let Some((c, len)) = fence_open(trimmed) {
            fence = Some(Fence { c, len, line: lineno });
            prompt = match prompt {
                // The prompt's block is this fence: deeper than the `_Prompt` item, or right under an
                // empty `**_Prompt**:`.
                Some(PromptMode::Block { base, has_text })
                    if current.is_some() && (this_indent > base || (this_indent == base && !has_text)) =>
                {
                    Some(PromptMode::Fenced)
                }
                _ => None,
            };
            continue;
        }

        if markdown::heading(text).is_some() {
            current = None;
            prompt = None;
            list_block = None;
            continue;
        }

        if let Some(cb) = checkbox_line(text) {
            let (id, title, struck) = split_id(cb.rest);
            let n = out.tasks.len() + 1;
            let explicit_id = id.is_some();
            let marker = TaskMarker(cb.marker);
            out.tasks.push(Task {
                id: id.unwrap_or_else(|| format!("#{n}")),
                explicit_id,
                title,
                status: marker.status().unwrap_or(TaskStatus::Pending),
                line: lineno,
                level: indent_width(cb.indent) / 2,
                optional: cb.optional,
                struck,
                requirements: Vec::new(),
                leverage: Vec::new(),
                prompt: None,
                blocked_reason: None,
                files: Vec::new(),
                purpose: None,
                check: None,
                details: Vec::new(),
                marker_offset: line.start + cb.marker_col + if line.start == 0 { body_start } else { 0 },
                marker,
                line_range: line.start..line.end,
                blocked_range: None,
                indent: cb.indent.to_owned(),
            });
            current = Some(out.tasks.len() - 1);
            prompt = None;
            list_block = None;
            continue;
        }
        if let Some((what, hint)) = near_miss(trimmed) {
            out.diagnostics.push(Diagnostic::warning(
                file,
                lineno,
                format!("this line looks like a task but is not read as one: {what}"),
                hint,
            ));
        }

        if blank {
            // A blank line ends the paragraph, and with it an unclosed `_Prompt: …`.
            if matches!(prompt, Some(PromptMode::Continue { .. })) {
                prompt = None;
            }
            continue;
        }
        let Some(i) = current else { continue };
        let task_indent = indent_width(&out.tasks[i].indent);
        let is_item = is_list_item(trimmed);

        match prompt {
            Some(PromptMode::Continue { base }) if !(is_item && this_indent <= base) => {
                let t = trimmed.trim_end();
                let closed = t.ends_with('_');
                push_prompt(&mut out.tasks[i], t.strip_suffix('_').unwrap_or(t));
                if closed {
                    prompt = None;
                }
                continue;
            }
            // Deeper lines (nested bullets, an indented `|` block) continue the prompt, and so do
            // lazy continuation lines of its paragraph (text at column 0 right after it).
            Some(PromptMode::Block { base, .. }) if this_indent > base || (!was_blank && !is_item) => {
                push_prompt(&mut out.tasks[i], item_text(trimmed));
                if let Some(PromptMode::Block { has_text, .. }) = &mut prompt {
                    *has_text = true;
                }
                continue;
            }
            _ => prompt = None,
        }
        if let Some((key, base)) = list_block {
            if this_indent > base {
                let task = &mut out.tasks[i];
                let list = match key {
                    MetaKey::Requirements => &mut task.requirements,
                    MetaKey::Leverage => &mut task.leverage,
                    _ => &mut task.files,
                };
                list.extend(split_list(item_text(trimmed)));
                continue;
            }
            list_block = None;
        }

        // A top-level paragraph after the task ends its body.
        if this_indent <= task_indent && !is_item && !trimmed.starts_with('_') {
            current = None;
            continue;
        }

        let item = item_text(trimmed);
        if let Some((key, value, wrap)) = metadata(item) {
            let task = &mut out.tasks[i];
            if value.is_empty() && matches!(key, MetaKey::Requirements | MetaKey::Leverage | MetaKey::Files) {
                list_block = Some((key, this_indent));
            }
            match key {
                MetaKey::Requirements => task.requirements.extend(split_list(value)),
                MetaKey::Leverage => task.leverage.extend(split_list(value)),
                MetaKey::Blocked => {
                    task.blocked_reason = Some(value.to_owned());
                    task.blocked_range = Some(line.start..line.end);
                }
                MetaKey::Files => task.files.extend(split_list(value)),
                MetaKey::Purpose => task.purpose = Some(value.to_owned()),
                MetaKey::Check => task.check = check_command(value),
                MetaKey::Prompt => {
                    let block_marker = matches!(value, "" | "|" | ">" | "|-" | ">-" | "|+" | ">+");
                    if !block_marker {
                        push_prompt(task, value);
                    }
                    prompt = match wrap {
                        _ if block_marker => Some(PromptMode::Block { base: this_indent, has_text: false }),
                        Wrap::Open => Some(PromptMode::Continue { base: this_indent }),
                        Wrap::Closed => None,
                        Wrap::None => Some(PromptMode::Block { base: this_indent, has_text: true }),
                    };
                }
            }
        } else if this_indent > task_indent || is_item {
            out.tasks[i].details.push(item.to_owned());
        }
    }

    if let Some(f) = fence {
        out.diagnostics.push(Diagnostic::warning(
            file,
            f.line,
            "code fence is never closed; tasks after it are not read",
            "close the fence with a matching ``` line",
        ));
    }
    report_duplicates(&mut out, file);
    out
}

#[derive(Clone, Copy, Debug)]
enum PromptMode {
    /// `_Prompt: …` without its closing underscore: following lines continue it up to the line
    /// that closes it, a blank line, or a list item no deeper than the prompt's own.
    Continue { base: usize },
    /// `**_Prompt**: …`, `_Prompt:_` or `_Prompt: |`: the lines indented deeper than `base` (and
    /// lazy continuation lines) follow. `has_text` is false while nothing but the key was read.
    Block { base: usize, has_text: bool },
    /// Inside a fence that holds the prompt.
    Fenced,
}

fn push_prompt(task: &mut Task, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match &mut task.prompt {
        Some(p) => {
            p.push(' ');
            p.push_str(text);
        }
        None => task.prompt = Some(text.to_owned()),
    }
}

fn fence_open(trimmed: &str) -> Option<(u8, usize)> {
    let b = trimmed.as_bytes();
    let c = *b.first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let run = b.iter().take_while(|&&x| x == c).count();
    if run < 3 || (c == b'`' && trimmed[run..].contains('`')) {
        return None;
    }
    Some((c, run))
}

/// Whether a line (without its indentation) is a bullet list item.
fn is_list_item(trimmed: &str) -> bool {
    let b = trimmed.as_bytes();
    matches!(b.first(), Some(b'-' | b'*' | b'+')) && matches!(b.get(1), None | Some(b' ' | b'\t'))
}

/// Strips a list bullet from a body line.
fn item_text(trimmed: &str) -> &str {
    for b in ["- ", "* ", "+ ", "-\t", "*\t", "+\t"] {
        if let Some(rest) = trimmed.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    trimmed
}

/// A bullet line that a person most likely meant as a task, but that the grammar does not read
/// as one: what is wrong and how to fix it. Legends (`- [P] parallel`) and links (`- [x](url)`)
/// are not near misses.
fn near_miss(trimmed: &str) -> Option<(&'static str, &'static str)> {
    if !matches!(trimmed.as_bytes().first(), Some(b'-' | b'*' | b'+')) {
        return None;
    }
    let after_bullet = &trimmed[1..];
    let rest = after_bullet.trim_start_matches([' ', '\t']);
    let spaced = rest.len() < after_bullet.len();
    let inner_and_after = rest.strip_prefix('[')?;
    let close = inner_and_after.find(']')?;
    let inner = &inner_and_after[..close];
    let after = &inner_and_after[close + 1..];
    let one_marker = inner.len() == 1 && TaskMarker(inner.as_bytes()[0]).status().is_some();
    let then_space = after.is_empty() || after.starts_with([' ', '\t']);
    if !spaced {
        return (one_marker && then_space)
            .then_some(("no space after the bullet", "write the checkbox as `- [ ] title`"));
    }
    if inner.is_empty() && then_space {
        return Some(("the checkbox `[]` is empty", "put a space or a marker inside: `[ ]`, `[-]`, `[x]` or `[~]`"));
    }
    if inner.len() > 1
        && inner.len() <= 4
        && inner.bytes().all(|c| matches!(c, b' ' | b'x' | b'X' | b'-' | b'~'))
        && inner.trim().len() <= 1
        && then_space
    {
        return Some((
            "the checkbox holds extra spaces",
            "write exactly one character between the brackets: `[ ]`, `[-]`, `[x]` or `[~]`",
        ));
    }
    if one_marker && !then_space && !after.starts_with(['*', '(', '[', ':']) {
        return Some(("no space after the checkbox", "put a space between `]` and the title: `- [ ] title`"));
    }
    if matches!(inner, "✓" | "✔" | "✔️" | "✅" | "√" | "✗" | "✘" | "/") && then_space {
        return Some((
            "the marker is not one specwork reads",
            "use `[ ]` pending, `[-]` in progress, `[x]` done or `[~]` blocked",
        ));
    }
    None
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MetaKey {
    Requirements,
    Leverage,
    Prompt,
    Blocked,
    Files,
    Purpose,
    Check,
}

/// How a metadata item is wrapped in underscores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wrap {
    /// `Purpose: …`, `**_Prompt**: …`: no `_…_` wrapper.
    None,
    /// `_Requirements: 1.1_`, `_Prompt:_`.
    Closed,
    /// `_Prompt: …` whose closing underscore is on a later line.
    Open,
}

/// Recognises a metadata item (`_Requirements: 1.1_`, `**_Prompt**: …`, `File: a.rs`, and the
/// Japanese and Chinese keys real files use). Returns the key, the trimmed value and its wrapping.
fn metadata(item: &str) -> Option<(MetaKey, &str, Wrap)> {
    let (underscored, body) = match item.strip_prefix('_') {
        Some(b) => (true, b),
        None => (false, item),
    };
    let body = body.strip_prefix("**").unwrap_or(body);
    let colon = body.find(':')?;
    let key_raw = body[..colon].trim().trim_matches(['*', '_']).trim();
    let key = match key_raw {
        "Requirements" | "Requirement" | "要件" | "需求" => MetaKey::Requirements,
        "Leverage" | "活用" => MetaKey::Leverage,
        "Prompt" => MetaKey::Prompt,
        "Blocked" => MetaKey::Blocked,
        "File" | "Files" | "対象ファイル" | "文件" => MetaKey::Files,
        "Purpose" | "目的" => MetaKey::Purpose,
        // Only as `_Check: …_`: a plain `Check: the page loads` bullet is prose, never a command.
        "Check" if underscored => MetaKey::Check,
        _ => return None,
    };
    let after = &body[colon + 1..];
    let mut value = after.trim_start_matches("**").trim_start_matches('_').trim();
    let wrap = if !underscored {
        Wrap::None
    } else if let Some(v) = value.strip_suffix('_') {
        value = v.trim_end();
        Wrap::Closed
    } else if value.is_empty() && after.trim_start().starts_with('_') {
        // `_Prompt:_` — the key is closed at once; the value follows as a block.
        Wrap::Closed
    } else {
        Wrap::Open
    };
    Some((key, value, wrap))
}

/// A `_Check:_` value as a command: one code span (`` `cargo test` ``) is unwrapped; an empty
/// value is no check.
fn check_command(value: &str) -> Option<String> {
    let v = value.trim();
    let v = match v.strip_prefix('`').and_then(|r| r.strip_suffix('`')) {
        Some(inner) if !inner.contains('`') => inner.trim(),
        _ => v,
    };
    (!v.is_empty()).then(|| v.to_owned())
}

/// Splits a comma-separated value; an entry that opens with a code span is that span
/// (`` `a/b.rs` (new) `` → `a/b.rs`).
fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(|s| {
            let s = s.trim();
            match s.strip_prefix('`').and_then(|r| r.find('`').map(|end| &r[..end])) {
                Some(code) => code.trim().to_owned(),
                None => s.trim_matches('`').to_owned(),
            }
        })
        .filter(|s| !s.is_empty())
}

fn report_duplicates(out: &mut TaskList, file: &str) {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for t in out.tasks.iter().filter(|t| t.explicit_id) {
        if let Some(first) = seen.insert(&t.id, t.line) {
            out.diagnostics.push(Diagnostic::warning(
                file,
                t.line,
                format!("duplicate task id {} (first used on line {first})", t.id),
                "give each task a unique id; commands address the first one",
            ));
            seen.insert(&t.id, first);
        }
    }
}

/// Why a task edit could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TaskEditError {
    /// No task has that id.
    #[error("no task `{id}` in {file}")]
    NoSuchTask {
        /// The id asked for.
        id: String,
        /// The file searched.
        file: String,
    },
}

/// Sets a task's marker, editing only the marker byte and the `_Blocked:_` line.
///
/// Setting `~` (blocked) with a reason writes or replaces `{indent}  - _Blocked: reason_` right
/// after the task line; moving a blocked task to another status removes that line, as
/// spec-workflow-mcp does. Everything else in `src` is returned byte for byte.
pub fn set_marker(
    src: &str,
    file: &str,
    id: &str,
    marker: TaskMarker,
    reason: Option<&str>,
) -> Result<String, TaskEditError> {
    let list = parse(src, file);
    let task = list.find(id).ok_or_else(|| TaskEditError::NoSuchTask { id: id.to_owned(), file: file.to_owned() })?;
    Ok(apply_marker(src, task, marker, reason))
}

/// Sets the marker of `task`, a task read from `src` (its offsets relative to `src`), editing only
/// the marker byte and the `_Blocked:_` line as [`set_marker`] describes. A blocked task given the
/// reason it already has keeps its `_Blocked:_` line as written.
pub fn apply_marker(src: &str, task: &Task, marker: TaskMarker, reason: Option<&str>) -> String {
    // A reason is one line: a line break in it would end the `_Blocked:_` item.
    let reason = reason.map(|r| r.trim().replace(['\r', '\n'], " "));
    let reason = match (&task.blocked_reason, reason) {
        (Some(old), Some(new)) if *old == new => None,
        (_, r) => r,
    };
    let reason = reason.as_deref();
    let blocked = marker.status() == Some(TaskStatus::Blocked);
    let mut out = String::with_capacity(src.len() + 64);
    out.push_str(&src[..task.marker_offset]);
    out.push(marker.0 as char);
    let after_marker = task.marker_offset + 1;

    let line = &src[task.line_range.clone()];
    let eol = if line.ends_with("\r\n") || !line.ends_with('\n') && src.contains("\r\n") { "\r\n" } else { "\n" };
    let new_blocked_line = |reason: &str| format!("{}  - _Blocked: {}_", task.indent, reason);

    match (&task.blocked_range, blocked, reason) {
        // Replace an existing reason.
        (Some(r), true, Some(reason)) => {
            out.push_str(&src[after_marker..r.start]);
            let old = &src[r.clone()];
            let old_eol = if old.ends_with("\r\n") {
                "\r\n"
            } else if old.ends_with('\n') {
                "\n"
            } else {
                ""
            };
            out.push_str(&new_blocked_line(reason));
            out.push_str(old_eol);
            out.push_str(&src[r.end..]);
        }
        // Keep an existing reason.
        (Some(_), true, None) => out.push_str(&src[after_marker..]),
        // Leaving blocked: drop the reason line.
        (Some(r), false, _) => {
            let mut start = r.start;
            let mut end = r.end;
            if end == src.len() && !src[r.clone()].ends_with('\n') {
                // Last line without a newline: take the newline before it instead.
                let before = &src[..start];
                start -= if before.ends_with("\r\n") { 2 } else { usize::from(before.ends_with('\n')) };
                end = src.len();
            }
            out.push_str(&src[after_marker..start]);
            out.push_str(&src[end..]);
        }
        // Becoming blocked with a reason: insert the line after the task line.
        (None, true, Some(reason)) => {
            let line_end = task.line_range.end;
            out.push_str(&src[after_marker..line_end]);
            if !src[..line_end].ends_with('\n') {
                out.push_str(eol);
                out.push_str(&new_blocked_line(reason));
            } else {
                out.push_str(&new_blocked_line(reason));
                out.push_str(eol);
            }
            out.push_str(&src[line_end..]);
        }
        (None, _, _) => out.push_str(&src[after_marker..]),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_rounds_but_never_claims_all_or_nothing() {
        let pct = |done, total| TaskCounts { done, total, ..TaskCounts::default() }.progress_pct();
        assert_eq!(pct(6, 7), 86);
        assert_eq!(pct(5, 7), 71);
        assert_eq!(pct(199, 200), 99);
        assert_eq!(pct(1, 300), 1);
        assert_eq!(pct(0, 3), 0);
        assert_eq!(pct(3, 3), 100);
        assert_eq!(pct(0, 0), 0);
    }

    #[test]
    fn reads_the_peer_grammar() {
        let src = "# Tasks\n\n- [ ] 1. Setup\n  - _Requirements: 1.1, 2_\n  - _Prompt: Role: dev | Task: do_it_now | Success: ok_\n  - File: src/a_b.rs\n- [-] 1.1 Next\n* [x] 2.1. Third\n- [X] 1\\. Escaped\n- [~] 3 Blocked\n  - _Blocked: waiting on API_\n";
        let l = parse(src, "tasks.md");
        let ids: Vec<_> = l.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1", "1.1", "2.1", "1", "3"]);
        assert_eq!(l.tasks[0].requirements, ["1.1", "2"]);
        assert_eq!(l.tasks[0].prompt.as_deref(), Some("Role: dev | Task: do_it_now | Success: ok"));
        assert_eq!(l.tasks[0].files, ["src/a_b.rs"]);
        assert_eq!(l.tasks[4].blocked_reason.as_deref(), Some("waiting on API"));
        assert_eq!(l.diagnostics.len(), 1, "duplicate id 1 is reported");
        assert_eq!(l.counts(), TaskCounts { total: 5, done: 2, in_progress: 1, blocked: 1, pending: 1 });
    }

    #[test]
    fn skips_non_tasks() {
        let src = "---\ntitle: x\n- [ ] not a task\n---\n**Status**: [ ] Pending\n- [P] legend\n```\n- [ ] code\n```\n- [ ]* 1.4 Optional\n1. [x] Ordered\n";
        let l = parse(src, "t.md");
        assert_eq!(l.tasks.len(), 2);
        assert!(l.tasks[0].optional);
        assert_eq!(l.tasks[0].id, "1.4");
        assert_eq!(l.tasks[1].id, "#2");
        assert_eq!(l.tasks[1].title, "Ordered");
    }

    #[test]
    fn spec_kit_and_task_word_ids() {
        let l = parse("- [ ] T001 [P] [US1] Create x\n- [ ] Task 3: Do y\n- [ ] **2.1 Bold**\n", "t.md");
        let ids: Vec<_> = l.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["T001", "3", "2.1"]);
        assert_eq!(l.tasks[2].title, "Bold");
    }

    #[test]
    fn blocked_edit_round_trips() {
        let src = "- [ ] 1 A\r\n- [ ] 2 B";
        let b = set_marker(src, "t", "2", TaskMarker(b'~'), Some("why")).unwrap();
        assert_eq!(b, "- [ ] 1 A\r\n- [~] 2 B\r\n  - _Blocked: why_");
        let back = set_marker(&b, "t", "2", TaskMarker(b' '), None).unwrap();
        assert_eq!(back, src);
        let a = set_marker(src, "t", "1", TaskMarker(b'~'), Some("r")).unwrap();
        assert_eq!(a, "- [~] 1 A\r\n  - _Blocked: r_\r\n- [ ] 2 B");
        assert_eq!(set_marker(&a, "t", "1", TaskMarker(b' '), None).unwrap(), src);
    }

    #[test]
    fn prompt_forms() {
        let src = "- [ ] 1 A\n  - _Prompt:_\n    - Role: x\n    - Task: y\n- [ ] 2 B\n  - _Prompt: first\ncontinued_\n- [ ] 3 C\n  - _Prompt: |\n      Role: z\n";
        let l = parse(src, "t");
        assert_eq!(l.tasks[0].prompt.as_deref(), Some("Role: x Task: y"));
        assert_eq!(l.tasks[1].prompt.as_deref(), Some("first continued"));
        assert_eq!(l.tasks[2].prompt.as_deref(), Some("Role: z"));
    }

    #[test]
    fn near_misses_are_reported_with_their_line() {
        let src = "- [ ] 1 ok\n-[ ] 2 no space\n- [] 3 empty\n- [ x] 4 spaced\n- [x]5 glued\n- [✓] 6 tick\n- [P] legend\n- [x](http://l) link\n```\n- [] in code\n```\n";
        let l = parse(src, "t.md");
        assert_eq!(l.tasks.len(), 1);
        let lines: Vec<usize> = l.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
        assert!(l.diagnostics.iter().all(|d| d.file == "t.md" && !d.hint.is_empty()));
    }

    #[test]
    fn unclosed_front_matter_is_reported_and_the_tasks_still_read() {
        let l = parse("---\ntitle: x\n- [ ] 1 A\n- [x] 2 B\n", "t.md");
        assert_eq!(l.tasks.len(), 2);
        assert_eq!(l.diagnostics.len(), 1);
        assert_eq!(l.diagnostics[0].line, 1);
        // Closed front matter hides its lines; a BOM before it is fine.
        let l = parse("\u{feff}---\r\n- [ ] not a task\r\n---\r\n- [ ] 1 A\r\n", "t.md");
        assert_eq!(l.tasks.len(), 1);
        assert_eq!(l.tasks[0].line, 4);
        // In a fragment (a section's body) a leading `---` is a rule, not front matter.
        let l = parse_fragment("---\n- [ ] 1 A\n---\n", "t.md");
        assert_eq!(l.tasks.len(), 1);
        assert!(l.diagnostics.is_empty());
    }

    #[test]
    fn broken_yaml_front_matter_is_reported_and_still_hides_its_lines() {
        let l = parse("---\ntitle: [unclosed\n- [ ] not a task\n---\n- [ ] 1 A\n", "t.md");
        assert_eq!(l.tasks.len(), 1);
        assert_eq!(l.tasks[0].line, 5);
        assert_eq!(l.diagnostics.len(), 1, "{:?}", l.diagnostics);
        assert_eq!(l.diagnostics[0].location(), "t.md:2");
        assert!(l.diagnostics[0].message.contains("not valid YAML"), "{:?}", l.diagnostics);
    }

    #[test]
    fn unclosed_fence_is_reported() {
        let l = parse("- [ ] 1 A\n```sh\n- [ ] 2 hidden\n", "t.md");
        assert_eq!(l.tasks.len(), 1);
        assert_eq!((l.diagnostics[0].line, l.diagnostics[0].message.contains("never closed")), (2, true));
    }

    #[test]
    fn ids_titles_and_metadata_real_files_write() {
        let src = "- [x] **T1** — Define\n  - 目的: keep it\n  - _要件: R1, R2_\n- [x] T010b Later\n- [x] 3.2.3 ~~Old~~ (dropped)\n  - **Files**:\n    - `a/b.rs` (new)\n    - c.rs\n  - Other detail\n";
        let l = parse(src, "t");
        assert_eq!(l.tasks[0].id, "T1");
        assert_eq!(l.tasks[0].title, "Define");
        assert_eq!(l.tasks[0].purpose.as_deref(), Some("keep it"));
        assert_eq!(l.tasks[0].requirements, ["R1", "R2"]);
        assert_eq!(l.tasks[1].id, "T010b");
        assert!(l.tasks[2].struck);
        assert_eq!(l.tasks[2].files, ["a/b.rs", "c.rs"]);
        assert_eq!(l.tasks[2].details, ["Other detail"]);
    }

    #[test]
    fn check_metadata_is_an_underscored_command() {
        let src = "- [ ] 1 A\n  - _Check: `cargo test -p a_b`_\n- [ ] 2 B\n  - Check: the page loads\n- [ ] 3 C\n  - _Check: test -f out_file && grep -q ok out_file_\n";
        let l = parse(src, "t");
        assert_eq!(l.tasks[0].check.as_deref(), Some("cargo test -p a_b"));
        assert_eq!(l.tasks[1].check, None);
        assert_eq!(l.tasks[1].details, ["Check: the page loads"]);
        assert_eq!(l.tasks[2].check.as_deref(), Some("test -f out_file && grep -q ok out_file"));
    }

    #[test]
    fn a_blocked_task_keeps_its_reason_line_as_written() {
        let src = "- [~] 1 A\n    * _Blocked: API down_\n";
        assert_eq!(set_marker(src, "t", "1", TaskMarker(b'~'), Some("API down")).unwrap(), src);
        let changed = set_marker(src, "t", "1", TaskMarker(b'~'), Some("new\nreason")).unwrap();
        assert_eq!(changed, "- [~] 1 A\n  - _Blocked: new reason_\n");
    }
}
