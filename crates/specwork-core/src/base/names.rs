//! Validation of names that become paths: spec names, spec ids and task ids.
//!
//! Anything a user, an agent or a web request names is checked here before it touches the file
//! system: no `..`, no separators (plain or percent-encoded), no absolute paths, no control
//! characters. spec-workflow-mcp had path traversal holes exactly here (its issues #201, #220).

/// Why a name was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid {what} `{value}`: {reason}")]
pub struct NameError {
    /// What kind of name (`spec name`, `task id`).
    pub what: &'static str,
    /// The refused value.
    pub value: String,
    /// Why.
    pub reason: &'static str,
}

fn check(what: &'static str, value: &str, extra_ok: &[char]) -> Result<(), NameError> {
    let err = |reason| Err(NameError { what, value: value.to_owned(), reason });
    if value.is_empty() {
        return err("it is empty");
    }
    if value.len() > 120 {
        return err("it is longer than 120 characters");
    }
    if value.contains("..") {
        return err("it contains `..`");
    }
    if value.starts_with('.') || value.starts_with('-') {
        return err("it starts with `.` or `-`");
    }
    let lower = value.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00") {
        return err("it contains an encoded separator");
    }
    for c in value.chars() {
        let ok = c.is_alphanumeric() || c == '-' || c == '_' || extra_ok.contains(&c);
        if !ok {
            return err(if c == '/' || c == '\\' {
                "it contains a path separator"
            } else {
                "it contains a character other than letters, digits, `-` and `_`"
            });
        }
    }
    Ok(())
}

/// Checks a spec name or id (`invoice-management`, `1014`, `009-promo-code`).
pub fn spec_name(value: &str) -> Result<(), NameError> {
    check("spec name", value, &['.'])
}

/// Checks a task id (`1`, `1.2`, `T001`, `#3`).
pub fn task_id(value: &str) -> Result<(), NameError> {
    if let Some(n) = value.strip_prefix('#') {
        return if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(NameError { what: "task id", value: value.to_owned(), reason: "`#` must be followed by a number" })
        };
    }
    let v = value.trim_end_matches('.');
    if v.contains("..") {
        return Err(NameError { what: "task id", value: value.to_owned(), reason: "it contains `..`" });
    }
    check("task id", v, &['.'])
}

/// The most characters a one-line field keeps.
pub const ONE_LINE_MAX: usize = 2000;

/// [`one_line`] for the alias of a wiki link (`[[target|alias]]`): `|`, `[` and `]`, which would
/// end the link early, become spaces first.
pub fn link_alias(s: &str) -> String {
    one_line(&s.replace(['|', '[', ']'], " "))
}

/// Sanitises a one-line user field (a title, note, reason, purpose, commit subject) before it is
/// written into a Markdown file or a journal: every line break and other control character
/// (`\n`, `\r`, tab, NEL, U+2028/U+2029, bidi overrides) becomes a space, runs of spaces
/// collapse, the ends are trimmed, HTML comment delimiters (`<!--`, `-->`) are broken so the text
/// can neither open nor close a generated block, and the result is cut at [`ONE_LINE_MAX`]
/// characters. The one place this is done; every writer of user text calls it.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(ONE_LINE_MAX));
    let mut space = false;
    for c in s.chars().take(ONE_LINE_MAX * 2) {
        let blank = c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200F}' | '\u{FEFF}');
        if blank {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    while out.contains("<!--") || out.contains("-->") {
        out = out.replace("<!--", "<!-").replace("-->", "->");
    }
    match out.char_indices().nth(ONE_LINE_MAX) {
        Some((i, _)) => out[..i].trim_end().to_owned(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_cannot_break_a_block() {
        assert_eq!(one_line("N\n<!-- /specwork:session -->\nafter"), "N <!- /specwork:session -> after");
        assert_eq!(one_line("T\r\n### Session 99: fake"), "T ### Session 99: fake");
        assert_eq!(one_line("  a\u{2028}b\u{202E}c\t\td  "), "a b c d");
        let nested = one_line("<!<!---->->");
        assert!(!nested.contains("-->") && !nested.contains("<!--"), "{nested}");
        assert_eq!(one_line(&"x".repeat(5000)).len(), ONE_LINE_MAX);
    }

    #[test]
    fn refuses_traversal() {
        for bad in ["..", "../etc", "a/b", "a\\b", "%2e%2e", "a%2Fb", "/abs", ".hidden", "", "a b"] {
            assert!(spec_name(bad).is_err(), "{bad}");
        }
        for good in ["invoice-management", "1014", "009-promo-code", "ユーザー", "v1.2"] {
            assert!(spec_name(good).is_ok(), "{good}");
        }
        assert!(task_id("1.2").is_ok());
        assert!(task_id("2.1.").is_ok());
        assert!(task_id("#3").is_ok());
        assert!(task_id("1..2").is_err());
        assert!(task_id("../x").is_err());
    }
}
