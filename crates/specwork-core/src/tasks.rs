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

use crate::diag::Diagnostic;

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

    /// The seed's report symbol: ✅ done, ⏳ pending or in progress, ❌ blocked.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Done => "✅",
            Self::Pending | Self::InProgress => "⏳",
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

    /// Percentage of done tasks, rounded down; 0 for an empty list.
    pub fn progress_pct(&self) -> u32 {
        (self.done * 100).checked_div(self.total).map_or(0, |p| p as u32)
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

    /// Status counts over every task.
    pub fn counts(&self) -> TaskCounts {
        TaskCounts::of(&self.tasks)
    }

    /// The first task that is neither done nor blocked, in file order (in-progress first).
    pub fn next_task(&self) -> Option<&Task> {
        self.tasks
            .iter()
            .find(|t| t.status == TaskStatus::InProgress)
            .or_else(|| self.tasks.iter().find(|t| t.status == TaskStatus::Pending))
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
    let title = strip_emphasis(title);
    (Some(id), title.to_owned(), struck)
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

/// Recognises `1`, `1.2.3`, `2.1.`, `1\.`, `T001`, `Task 3:` at the start of `s`.
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
    // spec-kit `T001`
    if b.first() == Some(&b'T') {
        let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && b.get(1 + digits).is_none_or(|c| *c == b' ' || *c == b'*') {
            return Some((s[..1 + digits].to_owned(), &s[1 + digits..]));
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

/// Parses the task list of `src`. `file` names the source in diagnostics.
pub fn parse(src: &str, file: &str) -> TaskList {
    let mut out = TaskList::default();
    let body_start = usize::from(src.starts_with('\u{feff}')) * 3;
    let mut fence: Option<(u8, usize, usize)> = None; // (char, length, opening line)
    let mut front_matter: Option<usize> = None;
    let mut current: Option<usize> = None; // index into out.tasks whose body we are in
    let mut prompt_mode: Option<PromptMode> = None;

    for (idx, line) in lines(src).enumerate() {
        let lineno = idx + 1;
        let text = if line.start == 0 { &line.text[body_start.min(line.text.len())..] } else { line.text };

        if idx == 0 && text == "---" {
            front_matter = Some(lineno);
            continue;
        }
        if let Some(start) = front_matter {
            if text == "---" || text == "..." {
                front_matter = None;
            } else if lineno - start > 200 {
                // Not front matter after all: a thematic break opened the file.
                front_matter = None;
            }
            continue;
        }

        let trimmed = text.trim_start();
        if let Some((c, len, _)) = fence {
            let t = trimmed.as_bytes();
            let run = t.iter().take_while(|&&x| x == c).count();
            if run >= len && trimmed[run..].trim().is_empty() {
                fence = None;
            }
            if let (Some(i), Some(PromptMode::Fenced)) = (current, &prompt_mode) {
                if fence.is_none() {
                    prompt_mode = None;
                } else {
                    push_prompt(&mut out.tasks[i], trimmed);
                }
            }
            continue;
        }
        if let Some((c, len)) = fence_open(trimmed) {
            fence = Some((c, len, lineno));
            if let (Some(_), Some(PromptMode::AwaitBlock(_))) = (current, &prompt_mode) {
                prompt_mode = Some(PromptMode::Fenced);
            }
            continue;
        }

        if trimmed.starts_with('#') && trimmed.trim_start_matches('#').starts_with([' ', '\t']) || trimmed == "#" {
            current = None;
            prompt_mode = None;
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
                details: Vec::new(),
                marker_offset: line.start + cb.marker_col + if line.start == 0 { body_start } else { 0 },
                marker,
                line_range: line.start..line.end,
                blocked_range: None,
                indent: cb.indent.to_owned(),
            });
            current = Some(out.tasks.len() - 1);
            prompt_mode = None;
            continue;
        }

        let Some(i) = current else { continue };
        if trimmed.is_empty() {
            continue;
        }
        let task_indent = indent_width(&out.tasks[i].indent);
        let this_indent = indent_width(&text[..text.len() - trimmed.len()]);

        match prompt_mode {
            Some(PromptMode::Continue) => {
                let done = trimmed.trim_end().ends_with('_');
                push_prompt(&mut out.tasks[i], trimmed.trim_end().trim_end_matches('_'));
                if done {
                    prompt_mode = None;
                }
                continue;
            }
            Some(PromptMode::AwaitBlock(base)) if this_indent > base => {
                push_prompt(&mut out.tasks[i], item_text(trimmed));
                continue;
            }
            _ => prompt_mode = None,
        }

        // A top-level paragraph after the task ends its body (unless it continues a prompt).
        if this_indent <= task_indent && !trimmed.starts_with(['-', '*', '+']) && !trimmed.starts_with('_') {
            current = None;
            continue;
        }

        let item = item_text(trimmed);
        if let Some((key, value, closed)) = metadata(item) {
            let task = &mut out.tasks[i];
            match key {
                MetaKey::Requirements => task.requirements.extend(split_list(value)),
                MetaKey::Leverage => task.leverage.extend(split_list(value)),
                MetaKey::Blocked => {
                    task.blocked_reason = Some(value.to_owned());
                    task.blocked_range = Some(line.start..line.end);
                }
                MetaKey::Files => task.files.extend(split_list(value)),
                MetaKey::Purpose => task.purpose = Some(value.to_owned()),
                MetaKey::Prompt => {
                    let v = value.trim();
                    if !v.is_empty() && v != "|" && v != ">" && v != "|-" {
                        push_prompt(task, v);
                    }
                    prompt_mode = if !closed {
                        Some(PromptMode::Continue)
                    } else if v.is_empty() || v == "|" || v == ">" || v == "|-" {
                        Some(PromptMode::AwaitBlock(this_indent))
                    } else {
                        None
                    };
                    if matches!(prompt_mode, Some(PromptMode::Continue))
                        && (v.is_empty() || v == "|" || v == ">" || v == "|-")
                    {
                        prompt_mode = Some(PromptMode::AwaitBlock(this_indent));
                    }
                }
            }
        } else if this_indent > task_indent || trimmed.starts_with(['-', '*', '+']) {
            out.tasks[i].details.push(item.to_owned());
        }
    }

    if let Some(start) = front_matter {
        out.diagnostics.push(Diagnostic::warning(
            file,
            start,
            "front matter opened with `---` is never closed",
            "close it with a `---` line, or remove the opening one",
        ));
    }
    if let Some((_, _, start)) = fence {
        out.diagnostics.push(Diagnostic::warning(
            file,
            start,
            "code fence is never closed; tasks after it are not read",
            "close the fence with a matching ``` line",
        ));
    }
    report_duplicates(&mut out, file);
    out
}

#[derive(Clone, Copy, Debug)]
enum PromptMode {
    /// `_Prompt: …` without its closing underscore: following lines continue it.
    Continue,
    /// `_Prompt:_` or `_Prompt: |`: the block indented deeper than this column follows.
    AwaitBlock(usize),
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

/// Strips a list bullet from a body line.
fn item_text(trimmed: &str) -> &str {
    for b in ["- ", "* ", "+ "] {
        if let Some(rest) = trimmed.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    trimmed
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MetaKey {
    Requirements,
    Leverage,
    Prompt,
    Blocked,
    Files,
    Purpose,
}

/// Recognises a metadata item. Returns the key, the value and whether the `_…_` wrapper was closed.
fn metadata(item: &str) -> Option<(MetaKey, &str, bool)> {
    let (underscored, body) = match item.strip_prefix('_') {
        Some(b) => (true, b),
        None => (false, item),
    };
    let body = body.strip_prefix("**").unwrap_or(body);
    let colon = body.find(':')?;
    let key_raw = body[..colon].trim().trim_end_matches("**").trim_end_matches('_');
    let key = match key_raw {
        "Requirements" | "Requirement" => MetaKey::Requirements,
        "Leverage" => MetaKey::Leverage,
        "Prompt" => MetaKey::Prompt,
        "Blocked" => MetaKey::Blocked,
        "File" | "Files" => MetaKey::Files,
        "Purpose" => MetaKey::Purpose,
        _ => return None,
    };
    let mut value = body[colon + 1..].trim_start_matches("**").trim_start_matches('_');
    value = value.trim();
    let mut closed = true;
    if underscored {
        let t = value.trim_end();
        if let Some(v) = t.strip_suffix('_') {
            value = v.trim_end();
        } else if body[colon + 1..].trim_start().starts_with('_') && value.is_empty() {
            // `_Prompt:_` — key closed immediately, value follows as a block.
            closed = true;
        } else {
            closed = false;
        }
    }
    Some((key, value.trim(), closed))
}

fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value.split(',').map(|s| s.trim().trim_matches('`').to_owned()).filter(|s| !s.is_empty())
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
    let blocked = marker.status() == Some(TaskStatus::Blocked);
    let mut out = String::with_capacity(src.len() + 64);
    out.push_str(&src[..task.marker_offset]);
    out.push(marker.0 as char);
    let after_marker = task.marker_offset + 1;

    let line = &src[task.line_range.clone()];
    let eol = if line.ends_with("\r\n") || !line.ends_with('\n') && src.contains("\r\n") { "\r\n" } else { "\n" };
    let new_blocked_line = |reason: &str| format!("{}  - _Blocked: {}_", task.indent, reason.trim());

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
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
