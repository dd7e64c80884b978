//! The one printer: data on stdout (text or JSON), messages on stderr, a closed pipe is not an
//! error. Messages are lowercase with `hint:` lines.
//!
//! Invariants:
//! - Only this module writes to stdout or stderr (`print!`, `eprint!`, `std::io::stdout` and
//!   `std::io::stderr` are denied elsewhere by lint, see main.rs and clippy.toml).
//! - Colour only on stderr, only on the labels (`error:`, `warning:`, `hint:`, `note:`), and only
//!   where anstream allows it: a terminal, `NO_COLOR` unset, `CLICOLOR` not `0` (`CLICOLOR_FORCE`
//!   forces it). Stdout is never coloured, so piped reports and tests read plain.
//! - A text report always ends with a newline, so a warning after it starts on its own line.
//! - Progress bars draw on stderr and only on a terminal, never with `--quiet` or `--json`.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use owo_colors::OwoColorize;
use serde::Serialize;
use specwork_core::{Diagnostic, Severity};

/// Output settings shared by every command.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// `--json`: reports print JSON on stdout.
    pub json: bool,
    /// `--quiet`: no notes or warnings on stderr.
    pub quiet: bool,
}

/// A message label on stderr, coloured where the terminal allows.
#[derive(Clone, Copy)]
enum Label {
    Error,
    Warning,
    Hint,
    Note,
}

impl Label {
    fn styled(self) -> String {
        match self {
            Self::Error => "error:".red().bold().to_string(),
            Self::Warning => "warning:".yellow().bold().to_string(),
            Self::Hint => "hint:".cyan().bold().to_string(),
            Self::Note => "note:".cyan().to_string(),
        }
    }
}

fn line(label: Label, text: impl Display) -> String {
    format!("{} {text}\n", label.styled())
}

impl Ui {
    pub fn new(json: bool, quiet: bool) -> Self {
        Self { json, quiet }
    }

    /// Prints a report: `value` as JSON with `--json`, else the text `render` produces (ended
    /// with a newline if it is not).
    pub fn report<T: Serialize>(&self, value: &T, render: impl FnOnce(&mut String)) {
        if self.json {
            // Straight to stdout: a portfolio of thousands of specs is megabytes of JSON.
            let mut o = io::BufWriter::with_capacity(1 << 16, stdout().lock());
            let written = serde_json::to_writer_pretty(&mut o, value)
                .map_err(io::Error::from)
                .and_then(|()| o.write_all(b"\n"))
                .and_then(|()| o.flush());
            if let Err(e) = written {
                closed_pipe(&e);
            }
        } else {
            let mut s = String::new();
            render(&mut s);
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            out(&s);
        }
    }

    /// Prints the confirmation of a change ("created spec 1014"): like [`Ui::report`], but with
    /// `--quiet` the text says nothing (the JSON is data and still printed).
    pub fn outcome<T: Serialize>(&self, value: &T, render: impl FnOnce(&mut String)) {
        if self.quiet && !self.json {
            return;
        }
        self.report(value, render);
    }

    /// Prints text on stdout as it comes (interactive flows); nothing with `--json`, whose
    /// report comes at the end through [`Ui::report`].
    pub fn text(&self, s: &str) {
        if !self.json {
            out(s);
        }
    }

    /// A question on stderr, without a newline, for an answer typed on stdin.
    pub fn prompt(&self, question: &str) {
        err(question);
    }

    /// A command's failure on stderr: `error: …` then `hint: …` lines, or with `--json` one
    /// JSON object `{error, hints, exit_code}`. Never silenced by `--quiet`.
    pub fn error(&self, error: &str, hints: &[String], exit_code: u8) {
        if self.json {
            let v = serde_json::json!({ "error": error, "hints": hints, "exit_code": exit_code });
            err(&format!("{v}\n"));
        } else {
            let mut s = line(Label::Error, error);
            for h in hints {
                s.push_str(&line(Label::Hint, h));
            }
            err(&s);
        }
    }

    /// `warning: …` on stderr (not with `--quiet`).
    pub fn warning(&self, text: impl Display) {
        if !self.quiet {
            err(&line(Label::Warning, text));
        }
    }

    /// `hint: …` on stderr, the fix for the warning before it (not with `--quiet`).
    pub fn hint(&self, text: impl Display) {
        if !self.quiet {
            err(&line(Label::Hint, text));
        }
    }

    /// A note on stderr (not with `--quiet` or `--json`).
    pub fn note(&self, text: impl Display) {
        if !self.quiet && !self.json {
            err(&line(Label::Note, text));
        }
    }

    /// A plain line on stderr about what the program is doing, e.g. a server's "press Ctrl-C"
    /// (not with `--quiet` or `--json`).
    pub fn status(&self, text: impl Display) {
        if !self.quiet && !self.json {
            err(&format!("{text}\n"));
        }
    }

    /// Diagnostics on stderr, `warning: file:line: message` then `  hint: fix`.
    pub fn diagnostics(&self, diags: &[Diagnostic]) {
        if self.quiet {
            return;
        }
        let mut s = String::new();
        for d in diags {
            let label = match d.severity {
                Severity::Warning => Label::Warning,
                Severity::Error => Label::Error,
            };
            let at = d.location();
            if at.is_empty() {
                s.push_str(&line(label, &d.message));
            } else {
                s.push_str(&line(label, format_args!("{at}: {}", d.message)));
            }
            if !d.hint.is_empty() {
                s.push_str("  ");
                s.push_str(&line(Label::Hint, &d.hint));
            }
        }
        err(&s);
    }

    /// A progress bar on stderr for long first scans of the agents' logs: shown after 300 ms,
    /// cleared when the scan ends; `None` off a terminal, with `--quiet` or with `--json`.
    pub fn scan_progress(&self) -> Option<specwork_usage::ProgressFn> {
        if self.quiet || self.json || !stderr_is_terminal() {
            return None;
        }
        let style = ProgressStyle::with_template("reading agent logs {bar:30} {percent:>3}% ({msg})")
            .expect("the template is valid");
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden())
            .with_style(style)
            .with_finish(ProgressFinish::AndClear);
        let start = Instant::now();
        let shown = AtomicBool::new(false);
        Some(Arc::new(move |p: specwork_usage::ScanProgress| {
            if p.files_done == p.files_total {
                bar.finish_and_clear();
                return;
            }
            bar.set_length(p.bytes_total);
            bar.set_position(p.bytes_done);
            bar.set_message(format!("{}/{} files, {} MiB", p.files_done, p.files_total, p.bytes_total / 1_048_576));
            // Quick scans (the cache is warm) finish before a bar would only flicker.
            if start.elapsed() >= Duration::from_millis(300) && !shown.swap(true, Ordering::Relaxed) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }))
    }
}

/// A table for a text report: no borders, columns two spaces apart, header and rows as given,
/// numeric columns right-aligned, no trailing spaces. When stdout is a terminal, the free-text
/// columns named by [`Table::wrap`] wrap to its width (ids, states, numbers and bars never
/// do); piped output keeps one line per row.
pub struct Table {
    inner: comfy_table::Table,
    right: Vec<usize>,
    wrap: Vec<usize>,
    footer: bool,
}

impl Table {
    /// A table with a header row.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        let mut t = Self::headless();
        t.inner.set_header(header.into_iter().map(Into::into).collect::<Vec<String>>());
        t
    }

    /// A table without a header row.
    pub fn headless() -> Self {
        let mut inner = comfy_table::Table::new();
        inner.load_style(comfy_table::presets::NOTHING);
        Self { inner, right: Vec::new(), wrap: Vec::new(), footer: false }
    }

    /// Right-aligns these columns (numbers, money), header included.
    pub fn right_align(mut self, columns: &[usize]) -> Self {
        self.right.extend_from_slice(columns);
        self
    }

    /// Lets these free-text columns (titles, next steps) wrap on a narrow terminal.
    pub fn wrap(mut self, columns: &[usize]) -> Self {
        self.wrap.extend_from_slice(columns);
        self
    }

    /// Adds a row.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.inner.add_row(cells.into_iter().map(Into::into).collect::<Vec<String>>());
        self
    }

    /// Adds the last row (a total) under a rule of `-` as wide as the table.
    pub fn footer<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.row(cells);
        self.footer = true;
    }

    /// Appends the table to `out`, one `\n`-ended line per row.
    pub fn render(mut self, out: &mut String) {
        let n = self.inner.column_count();
        if n == 0 {
            return;
        }
        for (i, c) in self.inner.column_iter_mut().enumerate() {
            c.set_padding((u16::from(i > 0), 1));
            if self.right.contains(&i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
            if !self.wrap.contains(&i) {
                c.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
        match stdout_width().filter(|_| !self.wrap.is_empty()) {
            Some(w) => {
                self.inner.set_width(w).set_content_arrangement(ContentArrangement::Dynamic);
            }
            None => {
                self.inner.set_content_arrangement(ContentArrangement::Disabled);
            }
        }
        let lines: Vec<String> = self.inner.lines().map(|l| l.trim_end().to_owned()).collect();
        let rule = self.footer.then(|| {
            let widths = self.inner.column_max_content_widths();
            let w: usize = widths.iter().map(|&w| usize::from(w)).sum::<usize>() + 2 * (widths.len() - 1);
            "-".repeat(w)
        });
        let last = lines.len().saturating_sub(1);
        for (i, l) in lines.iter().enumerate() {
            if i == last
                && let Some(rule) = &rule
            {
                out.push_str(rule);
                out.push('\n');
            }
            out.push_str(l);
            out.push('\n');
        }
    }
}

/// The terminal's width when stdout is one (tables wrap to it), else `None`.
fn stdout_width() -> Option<u16> {
    if !stdout().is_terminal() {
        return None;
    }
    console::Term::stdout().size_checked().map(|(_rows, cols)| cols)
}

#[allow(clippy::disallowed_methods)] // the one place that opens stdout
fn stdout() -> io::Stdout {
    io::stdout()
}

#[allow(clippy::disallowed_methods)] // the one place that asks about stderr
fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// Exits quietly when stdout's reader went away (`specwork status | head`).
fn closed_pipe(e: &io::Error) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
}

fn out(s: &str) {
    let mut o = stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|()| o.flush()) {
        closed_pipe(&e);
    }
}

/// Writes to stderr through anstream, which drops the colour codes where colour is off.
fn err(s: &str) {
    let mut e = anstream::stderr().lock();
    let _ = e.write_all(s.as_bytes()).and_then(|()| e.flush());
}
