//! `specwork slash COMMAND 'ARGS…'`: runs `specwork COMMAND ARGS…` with the argument string split
//! into words the way a shell would (quotes and backslashes honoured).
//!
//! Gemini CLI substitutes a custom command's `{{args}}` inside `!{…}` as one shell-quoted word,
//! so `/do-task invoice-management 1.1` arrives as the single argument
//! `invoice-management 1.1`; the generated `.gemini/commands/*.toml` call `specwork slash` to
//! split it again. Handled before argument parsing, so the command sees ordinary arguments.

use std::ffi::OsString;

/// Rewrites `specwork slash CMD ARGS…` into `specwork CMD words(ARGS…)`; other argument lists
/// pass through unchanged.
pub fn expand(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_none_or(|a| a != "slash") || args.len() < 3 {
        return args;
    }
    let mut out = vec![args[0].clone(), args[2].clone()];
    let rest: Vec<String> = args[3..].iter().map(|a| a.to_string_lossy().into_owned()).collect();
    out.extend(words(&rest.join(" ")).into_iter().map(OsString::from));
    out
}

/// Splits a string into words: whitespace separates, `'…'` is literal, `"…"` honours `\"` and
/// `\\`, a backslash outside quotes escapes the next character.
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(n @ ('"' | '\\' | '$' | '`')) => cur.push(n),
                            Some(n) => {
                                cur.push('\\');
                                cur.push(n);
                            }
                            None => cur.push('\\'),
                        },
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(words("invoice-management 1.1"), ["invoice-management", "1.1"]);
        assert_eq!(words(r#"  1.1 done "45 k" 'a b' c\ d"#), ["1.1", "done", "45 k", "a b", "c d"]);
        assert_eq!(words(""), Vec::<String>::new());
        assert_eq!(words("''"), [""]);
        let a = expand(["specwork", "slash", "do-task", "x 1.1"].map(OsString::from));
        assert_eq!(a, ["specwork", "do-task", "x", "1.1"].map(OsString::from));
        let a = expand(["specwork", "slash", "eod"].map(OsString::from));
        assert_eq!(a, ["specwork", "eod"].map(OsString::from));
    }
}
