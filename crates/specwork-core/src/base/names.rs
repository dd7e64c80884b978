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

#[cfg(test)]
mod tests {
    use super::*;

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
