//! Context timelines of numbered specs (`1014.context.md`), read in the seed's shape:
//!
//! ```text
//! # Context: <title>
//! **Spec**: [[1014.spec|1014 - …]]
//! **Status**: planning
//! ## Implementation Timeline
//! ### Session 1: 2025-08-26 - Initial Planning
//! **Duration**: 2.5 hours
//! #### Implementation
//! - …
//! #### Commits
//! - `a1b2c3d`: message
//! ```
//!
//! Reading is tolerant: unknown sections are ignored, missing fields are `None`.

use serde::Serialize;

use crate::text::markdown;

/// One `### Session N: date - title` entry.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TimelineSession {
    /// Session number.
    pub number: u32,
    /// Date as written (`2025-08-26`).
    pub date: String,
    /// Title after the date.
    pub title: String,
    /// `**Duration**:` as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// The duration in minutes when it could be read (`2.5 hours`, `90 min`, `1h 30m`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u64>,
    /// `**Status**:` of the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The last top-level bullet of the session (its latest activity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<String>,
    /// Commits listed under `#### Commits`: `(hash, message)`.
    pub commits: Vec<(String, String)>,
    /// 1-based line of the heading.
    pub line: usize,
}

/// A parsed context file.
#[derive(Clone, Debug, Serialize)]
pub struct ContextFile {
    /// Title after `# Context:`.
    pub title: Option<String>,
    /// `**Status**:` value.
    pub status: Option<String>,
    /// `**Created**:` value.
    pub created: Option<String>,
    /// `**Updated**:` value.
    pub updated: Option<String>,
    /// Timeline entries in file order.
    pub sessions: Vec<TimelineSession>,
}

impl ContextFile {
    /// Reads a context file's text.
    pub fn parse(src: &str) -> Self {
        let header_end =
            markdown::section(src, |t| t.starts_with("Implementation Timeline")).map_or(src.len(), |r| r.start);
        let header = &src[..header_end];
        let title = markdown::title(src).map(|t| t.strip_prefix("Context:").unwrap_or(t).trim().to_owned());
        let get = |f: &str| markdown::field(header, f).map(str::to_owned);
        ContextFile {
            title,
            status: get("Status"),
            created: get("Created"),
            updated: get("Updated"),
            sessions: sessions(src),
        }
    }

    /// Total minutes over the sessions whose duration could be read.
    pub fn total_minutes(&self) -> u64 {
        self.sessions.iter().filter_map(|s| s.minutes).sum()
    }

    /// The latest activity: the last bullet of the last session that has one.
    pub fn last_activity(&self) -> Option<&str> {
        self.sessions.iter().rev().find_map(|s| s.last_activity.as_deref())
    }

    /// The last commit listed in the timeline.
    pub fn last_commit(&self) -> Option<&(String, String)> {
        self.sessions.iter().rev().find_map(|s| s.commits.last())
    }
}

fn sessions(src: &str) -> Vec<TimelineSession> {
    let mut out: Vec<TimelineSession> = Vec::new();
    let mut sub = "";
    for (i, _, _, line) in markdown::prose_lines(src) {
        if let Some((level, text)) = markdown::heading(line) {
            if level <= 3 {
                match session_heading(text, i + 1) {
                    Some(s) => {
                        out.push(s);
                        sub = "";
                    }
                    // Any other heading at this depth ends the current session entry.
                    None => sub = "(none)",
                }
            } else {
                sub = if text.starts_with("Commits") { "commits" } else { "other" };
            }
            continue;
        }
        let Some(cur) = out.last_mut() else { continue };
        if sub == "(none)" {
            continue;
        }
        if !line.starts_with("**") && !line.starts_with("- ") && !line.starts_with("* ") {
            continue;
        }
        if let Some(v) = markdown::field(line, "Duration") {
            cur.minutes = parse_duration(v);
            cur.duration = Some(v.to_owned());
        } else if let Some(v) = markdown::field(line, "Status") {
            cur.status = Some(v.to_owned());
        } else if let Some(item) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
            if sub == "commits" {
                if let Some(c) = commit_item(item) {
                    cur.commits.push(c);
                }
            } else if !item.trim().is_empty() {
                cur.last_activity = Some(item.trim().to_owned());
            }
        }
    }
    out
}

fn session_heading(text: &str, line: usize) -> Option<TimelineSession> {
    let rest = text.strip_prefix("Session ")?;
    let (num, rest) = rest.split_once(':')?;
    let number = num.trim().parse().ok()?;
    let rest = rest.trim();
    let (date, title) = match rest.split_once(" - ").or_else(|| rest.split_once(" — ")) {
        Some((d, t)) => (d.trim(), t.trim()),
        None => (rest, ""),
    };
    Some(TimelineSession {
        number,
        date: date.to_owned(),
        title: title.to_owned(),
        duration: None,
        minutes: None,
        status: None,
        last_activity: None,
        commits: Vec::new(),
        line,
    })
}

fn commit_item(item: &str) -> Option<(String, String)> {
    let item = item.trim();
    let rest = item.strip_prefix('`')?;
    let (hash, msg) = rest.split_once('`')?;
    let msg = msg.trim_start_matches(':').trim().trim_matches('"');
    Some((hash.to_owned(), msg.to_owned()))
}

/// Reads durations such as `2.5 hours`, `1.5h`, `90 min`, `1h 30m`, `45 minutes`. `In progress`
/// and other text give `None`.
pub fn parse_duration(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let mut total = 0.0_f64;
    let mut any = false;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        if c.is_whitespace() && !num.is_empty() && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            return None;
        }
        if c.is_alphabetic() && !num.is_empty() {
            let mut unit = String::from(c);
            while let Some(&n) = chars.peek() {
                if n.is_alphabetic() {
                    unit.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            let v: f64 = num.parse().ok()?;
            num.clear();
            let factor = match unit.as_str() {
                "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
                "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
                _ => return None,
            };
            total += v * factor;
            any = true;
        }
    }
    any.then(|| total.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_seed_shape() {
        let src = "# Context: Cold Storage\n\n**Spec**: [[1014.spec|1014 - X]]  \n**Status**: active  \n\n## Implementation Timeline\n\n### Session 1: 2025-08-26 - Initial Planning\n**Duration**: 2.5 hours  \n**Status**: done\n\n#### Implementation\n- Created script\n  - detail\n- Modified config\n\n#### Commits\n- `a1b2c3d`: Add script\n\n### Session 2: 2025-08-27 - More\n**Duration**: 90 min\n";
        let c = ContextFile::parse(src);
        assert_eq!(c.title.as_deref(), Some("Cold Storage"));
        assert_eq!(c.status.as_deref(), Some("active"));
        assert_eq!(c.sessions.len(), 2);
        assert_eq!(c.sessions[0].minutes, Some(150));
        assert_eq!(c.sessions[0].last_activity.as_deref(), Some("Modified config"));
        assert_eq!(c.sessions[0].commits, vec![("a1b2c3d".into(), "Add script".into())]);
        assert_eq!(c.total_minutes(), 240);
        assert_eq!(parse_duration("In progress"), None);
        assert_eq!(parse_duration("1h 30m"), Some(90));
    }
}
