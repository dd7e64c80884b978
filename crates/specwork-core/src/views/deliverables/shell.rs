//! The external commands a shell script calls: its dependencies in the deliverables report.
//!
//! A small shell lexer finds every word in command position — at the start of a line, after
//! `;`, `&&`, `||`, `|`, `&`, `(`, `$(`, a backtick, or keywords such as `then`, `do`, `!`,
//! `time` — and keeps the ones that are not shell builtins or keywords, not functions defined in
//! the script, not variable assignments and not computed (`$CMD`). Comments, quoted strings,
//! here-documents, `[[ … ]]` tests and `(( … ))` arithmetic are skipped. Wrappers are seen
//! through: `sudo dd …` needs `sudo` and `dd`; `command -v nc` and `exec nc` need `nc`.
//! The result is in order of first use. It is a static reading: a command built at run time
//! is not found.

/// Bash builtins and keywords (never dependencies).
const BUILTINS: &[&str] = &[
    ".",
    ":",
    "[",
    "alias",
    "bg",
    "bind",
    "break",
    "builtin",
    "caller",
    "cd",
    "command",
    "compgen",
    "complete",
    "compopt",
    "continue",
    "declare",
    "dirs",
    "disown",
    "echo",
    "enable",
    "eval",
    "exec",
    "exit",
    "export",
    "false",
    "fc",
    "fg",
    "getopts",
    "hash",
    "help",
    "history",
    "jobs",
    "kill",
    "let",
    "local",
    "logout",
    "mapfile",
    "popd",
    "printf",
    "pushd",
    "pwd",
    "read",
    "readarray",
    "readonly",
    "return",
    "set",
    "shift",
    "shopt",
    "source",
    "suspend",
    "test",
    "times",
    "trap",
    "true",
    "type",
    "typeset",
    "ulimit",
    "umask",
    "unalias",
    "unset",
    "wait",
];
const KEYWORDS: &[&str] = &[
    "!", "{", "}", "case", "coproc", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in",
    "select", "then", "time", "until", "while",
];
/// Commands that run another command given as an argument (they are dependencies themselves
/// unless they are builtins).
const WRAPPERS: &[&str] = &["sudo", "env", "nohup", "nice", "xargs", "timeout", "stdbuf", "exec", "command", "doas"];

#[derive(Debug, PartialEq)]
enum Tok {
    Word(String),
    /// `;`, `&&`, `||`, `|`, `&`, `(`, `)`, `;;`, newline, `$(`, backtick: a command may follow.
    Sep(&'static str),
    /// A redirection operator: the next word is a file.
    Redirect,
}

/// The external commands `script` calls, in order of first use.
pub fn dependencies(script: &str) -> Vec<String> {
    let toks = lex(script);
    let mut functions: Vec<String> = Vec::new();
    // Function definitions: `name()` and `function name`.
    for w in toks.windows(3) {
        if let [Tok::Word(n), Tok::Sep("("), Tok::Sep(")")] = w {
            functions.push(n.clone());
        }
        if let [Tok::Word(f), Tok::Word(n), _] = w
            && f == "function"
        {
            functions.push(n.trim_end_matches("()").to_owned());
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut command_pos = true;
    let mut skip_until_sep = false;
    let mut wrapper_args = 0usize; // words to skip after `timeout`
    let mut after_wrapper = false;
    let mut case_depth = 0usize;
    let mut expect_pattern = false;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Sep(s) => {
                skip_until_sep = false;
                after_wrapper = false;
                match *s {
                    ";;" => {
                        expect_pattern = case_depth > 0;
                        command_pos = true;
                    }
                    ")" if expect_pattern => {
                        expect_pattern = false;
                        command_pos = true;
                    }
                    ")" => command_pos = false,
                    _ => command_pos = true,
                }
            }
            Tok::Redirect => {
                // Skip the file name.
                if matches!(toks.get(i + 1), Some(Tok::Word(_))) {
                    i += 1;
                }
            }
            Tok::Word(w) => {
                if expect_pattern {
                    // `start|stop)`: words until `)` are a case pattern.
                    if w == "esac" {
                        case_depth = case_depth.saturating_sub(1);
                        expect_pattern = false;
                        command_pos = false;
                    }
                } else if skip_until_sep || !command_pos {
                    if w == "esac" && case_depth > 0 {
                        case_depth -= 1;
                    }
                } else if after_wrapper && (w.starts_with('-') || (wrapper_args > 0)) {
                    if !w.starts_with('-') {
                        wrapper_args -= 1;
                    }
                } else if after_wrapper && w.contains('=') && !w.starts_with('=') {
                    // `env A=1 cmd`
                } else if is_assignment(w) {
                    // `A=1 cmd`: still in command position.
                } else if w == "[[" {
                    skip_to_word(&toks, &mut i, "]]");
                    command_pos = false;
                } else if w == "((" {
                    skip_to_word(&toks, &mut i, "))");
                    command_pos = false;
                } else if w == "for" || w == "select" {
                    skip_until_sep = true;
                } else if w == "case" {
                    case_depth += 1;
                    // Patterns start after `in`.
                    while i + 1 < toks.len() {
                        i += 1;
                        if toks[i] == Tok::Word("in".into()) {
                            break;
                        }
                    }
                    expect_pattern = true;
                } else if w == "esac" {
                    case_depth = case_depth.saturating_sub(1);
                    command_pos = false;
                } else if w == "function" {
                    i += 1; // the name
                    command_pos = false;
                } else if KEYWORDS.contains(&w.as_str()) {
                    // `then`, `do`, `!`, `time`, `{`: a command follows.
                } else if matches!(toks.get(i + 1), Some(Tok::Sep("(")))
                    && matches!(toks.get(i + 2), Some(Tok::Sep(")")))
                {
                    // `name()`: a function definition.
                    i += 2;
                    command_pos = true;
                } else {
                    let name = command_name(w);
                    after_wrapper = false;
                    command_pos = false;
                    if let Some(name) = name {
                        if WRAPPERS.contains(&name.as_str()) {
                            after_wrapper = true;
                            command_pos = true;
                            wrapper_args = usize::from(name == "timeout");
                        }
                        if !BUILTINS.contains(&name.as_str()) && !functions.contains(&name) && !out.contains(&name) {
                            out.push(name);
                        }
                    }
                }
            }
        }
        i += 1;
    }
    out
}

fn skip_to_word(toks: &[Tok], i: &mut usize, end: &str) {
    while *i + 1 < toks.len() {
        *i += 1;
        if let Tok::Word(w) = &toks[*i]
            && w == end
        {
            return;
        }
    }
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            let name = name.trim_end_matches('+');
            let name = name.split('[').next().unwrap_or(name);
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// The command a word names: the base name of an absolute path; `None` for computed words
/// (`$x`, quotes) and relative paths to other scripts (`./other.sh`).
fn command_name(w: &str) -> Option<String> {
    if w.is_empty() || w.contains(['$', '`', '"', '\'', '=', '*', '?']) || w.starts_with('-') {
        return None;
    }
    if w.starts_with("./") || w.starts_with("../") || w.starts_with('~') {
        return None;
    }
    let name = if w.starts_with('/') { w.rsplit('/').next()? } else { w };
    (!name.is_empty() && !name.contains('/')).then(|| name.to_owned())
}

/// Splits a script into words and operators. Quoted text stays inside its word (with the quote
/// characters, so computed words can be recognised); `$( … )` and backticks open a nested
/// command position; comments and here-document bodies are dropped.
fn lex(src: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut heredocs: Vec<String> = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    // Stack of open `$(`: whether a double quote was open when it started.
    let mut subst: Vec<bool> = Vec::new();
    let mut in_double = false;
    let mut in_backtick = false;
    let flush = |word: &mut String, toks: &mut Vec<Tok>| {
        if !word.is_empty() {
            toks.push(Tok::Word(std::mem::take(word)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if in_double {
            match c {
                '\\' => {
                    word.push(c);
                    if let Some(n) = next {
                        word.push(n);
                    }
                    i += 2;
                    continue;
                }
                '"' => in_double = false,
                '$' if next == Some('(') && chars.get(i + 2) != Some(&'(') => {
                    word.push('$');
                    flush(&mut word, &mut toks);
                    toks.push(Tok::Sep("$("));
                    subst.push(true);
                    in_double = false;
                    i += 2;
                    continue;
                }
                '`' => {
                    word.push('$');
                    flush(&mut word, &mut toks);
                    toks.push(Tok::Sep("`"));
                    in_backtick = !in_backtick;
                }
                _ => {}
            }
            word.push(c);
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                if next == Some('\n') {
                    i += 2;
                    continue;
                }
                word.push(c);
                if let Some(n) = next {
                    word.push(n);
                }
                i += 2;
                continue;
            }
            '\'' => {
                word.push(c);
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                word.push('\'');
            }
            '"' => {
                in_double = true;
                word.push(c);
            }
            '#' if word.is_empty() => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '$' if next == Some('(') && chars.get(i + 2) == Some(&'(') => {
                // $(( arithmetic ))
                let mut depth = 0;
                while i < chars.len() {
                    match chars[i] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                word.push_str("$0");
            }
            '$' if next == Some('(') => {
                word.push('$');
                flush(&mut word, &mut toks);
                toks.push(Tok::Sep("$("));
                subst.push(false);
                i += 2;
                continue;
            }
            '`' => {
                word.push('$');
                flush(&mut word, &mut toks);
                toks.push(Tok::Sep("`"));
                in_backtick = !in_backtick;
            }
            ')' if !subst.is_empty() => {
                flush(&mut word, &mut toks);
                toks.push(Tok::Sep(")"));
                in_double = subst.pop().unwrap_or(false);
            }
            ' ' | '\t' | '\r' => flush(&mut word, &mut toks),
            '\n' => {
                flush(&mut word, &mut toks);
                toks.push(Tok::Sep("\n"));
                // Skip here-document bodies.
                for tag in std::mem::take(&mut heredocs) {
                    i += 1;
                    loop {
                        let start = i;
                        while i < chars.len() && chars[i] != '\n' {
                            i += 1;
                        }
                        let line: String = chars[start..i].iter().collect();
                        if line.trim() == tag || i >= chars.len() {
                            break;
                        }
                        i += 1;
                    }
                }
            }
            ';' | '&' | '|' => {
                flush(&mut word, &mut toks);
                let two = next == Some(c) || (c == '&' && next == Some('>')) || (c == '|' && next == Some('&'));
                toks.push(Tok::Sep(match (c, two) {
                    (';', true) => ";;",
                    (';', false) => ";",
                    ('&', true) if next == Some('>') => {
                        toks.pop();
                        toks.push(Tok::Redirect);
                        i += 2;
                        continue;
                    }
                    ('&', true) => "&&",
                    ('&', false) => "&",
                    ('|', true) if next == Some('&') => "|",
                    ('|', true) => "||",
                    _ => "|",
                }));
                if two {
                    i += 1;
                }
            }
            '(' => {
                flush(&mut word, &mut toks);
                if next == Some('(') {
                    toks.push(Tok::Word("((".into()));
                    i += 1;
                } else {
                    toks.push(Tok::Sep("("));
                }
            }
            ')' => {
                flush(&mut word, &mut toks);
                if next == Some(')') {
                    toks.push(Tok::Word("))".into()));
                    i += 1;
                } else {
                    toks.push(Tok::Sep(")"));
                }
            }
            '<' | '>' => {
                // `2>&1`, `>>`, `<<EOF`, `<<<`, `<(`.
                if word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                } else {
                    flush(&mut word, &mut toks);
                }
                if c == '<' && next == Some('(') {
                    toks.push(Tok::Sep("("));
                    subst.push(false);
                    i += 2;
                    continue;
                }
                if c == '<' && next == Some('<') && chars.get(i + 2) != Some(&'<') {
                    i += 2;
                    if chars.get(i) == Some(&'-') {
                        i += 1;
                    }
                    while chars.get(i).is_some_and(|c| *c == ' ') {
                        i += 1;
                    }
                    let start = i;
                    while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], ';' | '|' | '&' | ')') {
                        i += 1;
                    }
                    let tag: String = chars[start..i].iter().filter(|c| !matches!(c, '\'' | '"' | '\\')).collect();
                    if !tag.is_empty() {
                        heredocs.push(tag);
                    }
                    continue;
                }
                while matches!(chars.get(i + 1), Some('<' | '>' | '&')) {
                    i += 1;
                }
                toks.push(Tok::Redirect);
                // `>&2`: the target is a descriptor, part of the operator.
                if chars.get(i).is_some_and(|c| *c == '&') {
                    while chars.get(i + 1).is_some_and(|c| c.is_ascii_digit() || *c == '-') {
                        i += 1;
                    }
                    toks.pop();
                }
            }
            _ => word.push(c),
        }
        i += 1;
    }
    flush(&mut word, &mut toks);
    let _ = in_backtick;
    toks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_external_commands() {
        let script = r#"#!/bin/bash
# Generated from: specs/1000/1001/1014.spec.md
set -euo pipefail
NAS=192.168.1.101
log() { echo "$(date +%F) $*" >&2; }
check_port() {
  if ! nc -z -w 5 "$NAS" 2049; then
    log "unreachable"; return 1
  fi
}
for f in a b c; do echo "$f"; done
case "$1" in
  start|stop) sudo systemctl "$1" nfs ;;
  *) usage ;;
esac
[[ -d /mnt/cold ]] && dd if=/dev/zero of=/mnt/cold/t bs=1M count=100 2>&1 | tail -n 1
cat <<EOF > /tmp/report
rm -rf / should not count
EOF
x=$(( 1 + 2 ))
LC_ALL=C /usr/bin/awk '{print $1}' /etc/fstab
command -v jq >/dev/null || exit 1
timeout 5 curl -s http://x # trailing comment with wget
"$CMD" --flag
./other.sh
"#;
        assert_eq!(
            dependencies(script),
            ["date", "nc", "sudo", "systemctl", "usage", "dd", "tail", "cat", "awk", "jq", "timeout", "curl"]
        );
    }

    #[test]
    fn builtins_only_means_none() {
        assert!(dependencies("#!/bin/sh\nset -e\necho hi\nexport A=1\ncd /tmp && pwd\n").is_empty());
        assert_eq!(dependencies("sysctl -w net.core.rmem_max=16777216\n"), ["sysctl"]);
        assert_eq!(dependencies("time dd if=/dev/zero of=x\n"), ["dd"]);
    }
}
