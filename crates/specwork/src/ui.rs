//! The one printer: data on stdout (text or JSON), messages on stderr, a closed pipe is not an
//! error. Messages are lowercase with `hint:` lines; output reads without colour.

use std::io::{self, Write};

use serde::Serialize;
use specwork_core::{Diagnostic, Severity};

/// Output settings shared by every command.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// `--json`: reports print JSON on stdout.
    pub json: bool,
    /// `--quiet`: no notes on stderr.
    pub quiet: bool,
}

impl Ui {
    pub fn new(json: bool, quiet: bool) -> Self {
        Self { json, quiet }
    }

    /// Prints a report: `value` as JSON with `--json`, else the text `render` produces.
    pub fn report<T: Serialize>(&self, value: &T, render: impl FnOnce(&mut String)) {
        if self.json {
            // Straight to stdout: a portfolio of thousands of specs is megabytes of JSON.
            let mut o = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let written = serde_json::to_writer_pretty(&mut o, value)
                .map_err(io::Error::from)
                .and_then(|()| o.write_all(b"\n"))
                .and_then(|()| o.flush());
            if let Err(e) = written
                && e.kind() == io::ErrorKind::BrokenPipe
            {
                std::process::exit(0);
            }
        } else {
            let mut s = String::new();
            render(&mut s);
            out(&s);
        }
    }

    /// Prints text on stdout as it comes (interactive flows); nothing with `--json`, whose
    /// report comes at the end through [`Ui::report`].
    pub fn text(&self, s: &str) {
        if !self.json {
            out(s);
        }
    }

    /// Diagnostics on stderr, `warning: file:line: message` then `hint: fix`.
    pub fn diagnostics(&self, diags: &[Diagnostic]) {
        if self.quiet {
            return;
        }
        let mut s = String::new();
        for d in diags {
            let level = match d.severity {
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            let at = d.location();
            if at.is_empty() {
                s.push_str(&format!("{level}: {}\n", d.message));
            } else {
                s.push_str(&format!("{level}: {at}: {}\n", d.message));
            }
            if !d.hint.is_empty() {
                s.push_str(&format!("  hint: {}\n", d.hint));
            }
        }
        err(&s);
    }
}

impl Ui {
    /// A progress line on stderr for long first scans of the agents' logs (terminal only).
    pub fn scan_progress(&self) -> Option<specwork_usage::ProgressFn> {
        use std::io::IsTerminal;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        if self.quiet || self.json || !io::stderr().is_terminal() {
            return None;
        }
        let start = std::time::Instant::now();
        let last = Arc::new(AtomicU64::new(0));
        Some(Arc::new(move |p: specwork_usage::ScanProgress| {
            let ms = start.elapsed().as_millis() as u64;
            let prev = last.load(Ordering::Relaxed);
            if p.files_done == p.files_total {
                if prev > 0 {
                    err("\r\x1b[2K");
                }
                return;
            }
            if ms < 300
                || ms < prev + 100
                || last.compare_exchange(prev, ms, Ordering::Relaxed, Ordering::Relaxed).is_err()
            {
                return;
            }
            let pct = (p.bytes_done * 100).checked_div(p.bytes_total).unwrap_or(100);
            err(&format!(
                "\rreading agent logs {pct:>3}% ({}/{} files, {} MiB)\x1b[K",
                p.files_done,
                p.files_total,
                p.bytes_total / 1_048_576
            ));
        }))
    }

    /// A note on stderr (not with `--quiet` or `--json`).
    pub fn note(&self, text: impl std::fmt::Display) {
        if !self.quiet && !self.json {
            err(&format!("note: {text}\n"));
        }
    }
}

fn out(s: &str) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes()).and_then(|()| o.flush())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

fn err(s: &str) {
    let _ = io::stderr().lock().write_all(s.as_bytes());
}
