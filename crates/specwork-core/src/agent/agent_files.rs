//! Agent integration files written by `specwork init --agent claude|codex|gemini`.
//!
//! Every file comes from one table of slash commands ([`COMMANDS`]) rendered three ways (Claude
//! Code command Markdown, a Codex skill, Gemini CLI command TOML), plus the configuration each
//! agent reads: hooks, status line and MCP server for Claude Code (`.claude/settings.json`,
//! `.mcp.json`), hooks and the MCP server for Codex (`.codex/hooks.json`, `.codex/config.toml`)
//! and Gemini (`.gemini/settings.json`), and a marked section of `AGENTS.md`.
//!
//! Invariants:
//! * planning reads only; [`apply`] writes through [`crate::base::write`] (atomic, conflict-checked);
//! * a second run over its own output changes nothing (byte-identical files);
//! * what the user wrote is kept: JSON objects keep their keys, order and values (only
//!   whitespace is normalised, in the file's own indentation, and only when something is added);
//!   TOML files are read with `toml_edit` and edited in place (appended to, or one inline table
//!   extended), Markdown files between specwork's markers, neither re-serialised; a user's hooks
//!   on the same events stay, ours is added once; an entry the user already has for `specwork`
//!   (an MCP server, a status line) is left as it is;
//! * a file that does not parse is an error naming the file and line, and nothing is written.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::base::write::{self, WriteError};

/// An agent specwork integrates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Agent {
    /// Claude Code.
    Claude,
    /// OpenAI Codex CLI.
    Codex,
    /// Google Gemini CLI.
    Gemini,
}

impl Agent {
    /// Parses `claude`, `codex` or `gemini`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "claude" | "claude-code" => Some(Self::Claude),
            "codex" => Some(Self::Codex),
            "gemini" | "gemini-cli" => Some(Self::Gemini),
            _ => None,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claude => "claude",
            Self::Codex => "codex",
            Self::Gemini => "gemini",
        }
    }
}

/// One slash command an agent gets, rendered for every agent from this table.
#[derive(Clone, Copy, Debug)]
pub struct SlashCommand {
    /// The command's name (`do-task` → `/do-task`).
    pub name: &'static str,
    /// The `specwork` subcommand it runs.
    pub cli: &'static str,
    /// One line for the agent's command menu.
    pub description: &'static str,
    /// The arguments, for the menu's hint (empty when the command takes none).
    pub argument_hint: &'static str,
    /// What the agent does with the output. `{run}` stands for `specwork <cli> <arguments>`.
    pub then: &'static str,
}

/// The slash commands of the session workflow and the seed's `/spec_work`.
pub const COMMANDS: [SlashCommand; 7] = [
    SlashCommand {
        name: "start-session",
        cli: "start-session",
        description: "Start a specwork session on a spec",
        argument_hint: "ID spec SPEC",
        then: "The session above is active. Continue with the task it names: /do-task SPEC TASK.",
    },
    SlashCommand {
        name: "do-task",
        cli: "do-task",
        description: "Do one task of a spec, marking it in progress and showing its prompt",
        argument_hint: "SPEC TASK",
        then: "Implement the task above, following its prompt, requirements and files. When it is done \
               and checked, run `{run} --done` and report its result line.",
    },
    SlashCommand {
        name: "log-task",
        cli: "log-task",
        description: "Log a task's status and tokens by hand (e.g. 1.1 done 45k)",
        argument_hint: "TASK STATUS [TOKENS] [--spec SPEC]",
        then: "Report the line above.",
    },
    SlashCommand {
        name: "session-status",
        cli: "session-status",
        description: "Active sessions with tasks done, tokens and cost",
        argument_hint: "",
        then: "Show the report above as it is.",
    },
    SlashCommand {
        name: "cost",
        cli: "cost",
        description: "Token and cost report from the agent's transcripts",
        argument_hint: "[--today|--since DATE] [--by day|spec|task|session|model]",
        then: "Show the report above as it is.",
    },
    SlashCommand {
        name: "eod",
        cli: "eod",
        description: "End of day summary, PROGRESS.md update, archived journals and total cost",
        argument_hint: "[--date YYYY-MM-DD]",
        then: "Show the summary above as it is.",
    },
    SlashCommand {
        name: "spec_work",
        cli: "work",
        description: "Work on a spec (context, plan, implementation, resume, status, deliverables)",
        argument_hint: "SPEC [--resume|--status|--deliverables]",
        then: "Show the user the output above. When it asks a question, ask the user, then run \
               `specwork work SPEC` again with the flag it names (for example `--choice 2`, `--yes`, \
               `--select 4`).",
    },
];

/// The Claude Code hook events specwork listens to, with their tool matcher.
pub const CLAUDE_HOOKS: [(&str, Option<&str>); 4] =
    [("SessionStart", None), ("PostToolUse", Some("Edit|Write|MultiEdit")), ("Stop", None), ("SessionEnd", None)];

/// The Codex CLI hook events (`.codex/hooks.json`; Codex has no SessionEnd). PostToolUse has no
/// matcher: Codex edits with `apply_patch` (and, depending on the version, other tool names),
/// and the hook ignores tools that name no file.
pub const CODEX_HOOKS: [(&str, Option<&str>); 3] = [("SessionStart", None), ("PostToolUse", None), ("Stop", None)];

/// The Gemini CLI hook events (`hooks` of `.gemini/settings.json`), under Gemini's names:
/// `AfterTool` on its file-writing tools, `AfterAgent` at the end of a turn.
pub const GEMINI_HOOKS: [(&str, Option<&str>); 4] =
    [("SessionStart", None), ("AfterTool", Some("write_file|replace")), ("AfterAgent", None), ("SessionEnd", None)];

/// The markers around specwork's section of `AGENTS.md`.
pub const AGENTS_BEGIN: &str = "<!-- specwork:begin -->";
/// See [`AGENTS_BEGIN`].
pub const AGENTS_END: &str = "<!-- specwork:end -->";

/// What happens to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The file is new.
    Create,
    /// The file exists and specwork adds to it.
    Update,
    /// The file already holds everything.
    Unchanged,
    /// The file exists with other content that specwork leaves alone (`--force` replaces
    /// whole files that specwork owns).
    Kept,
}

/// The planned change of one file.
#[derive(Clone, Debug, Serialize)]
pub struct FileChange {
    /// The agent the file is for.
    pub agent: Agent,
    /// Path relative to the workspace, `/`-separated.
    pub path: String,
    /// What happens.
    pub action: Action,
    /// What was added or why the file is kept, when there is something to say.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The content read before planning (for the conflict check).
    #[serde(skip)]
    pub old: Option<Vec<u8>>,
    /// The new content for `Create` and `Update`.
    #[serde(skip)]
    pub new: Option<Vec<u8>>,
}

/// Why agent files could not be planned or written.
#[derive(Debug, thiserror::Error)]
pub enum AgentFileError {
    /// A JSON file does not parse.
    #[error("{}:{line}:{column}: invalid JSON: {message}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A TOML file does not parse.
    #[error("{}:{line}: invalid TOML: {message}", path.display())]
    Toml {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// A value specwork must add to has another type than the agent expects.
    #[error("{}: `{key}` is not {expected}", path.display())]
    Shape {
        /// The file.
        path: PathBuf,
        /// The key path, e.g. `hooks.Stop`.
        key: String,
        /// `an object`, `an array`.
        expected: &'static str,
    },
    /// `AGENTS.md` has a begin marker without an end marker.
    #[error("{}:{line}: `{AGENTS_BEGIN}` has no matching `{AGENTS_END}`", path.display())]
    Markers {
        /// The file.
        path: PathBuf,
        /// Line of the begin marker.
        line: usize,
    },
    /// A file is not UTF-8.
    #[error("{} is not valid UTF-8; specwork will not rewrite it", path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl AgentFileError {
    /// The file the error is about, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Json { path, .. }
            | Self::Toml { path, .. }
            | Self::Shape { path, .. }
            | Self::Markers { path, .. }
            | Self::NotUtf8 { path } => Some(path),
            Self::Write(_) => None,
        }
    }
}

/// Plans the files for `agent` in the workspace at `root`. With `force`, whole files that
/// specwork owns (command and skill files) are replaced even when they were edited; merged
/// files (settings, MCP configs, `AGENTS.md`) are always merged.
pub fn plan(root: &Path, agent: Agent, force: bool) -> Result<Vec<FileChange>, AgentFileError> {
    let mut out = Vec::new();
    match agent {
        Agent::Claude => {
            for c in &COMMANDS {
                out.push(owned_file(
                    root,
                    agent,
                    &format!(".claude/commands/{}.md", c.name),
                    &claude_command(c),
                    force,
                )?);
            }
            out.push(merge_json(root, agent, ".claude/settings.json", claude_settings)?);
            out.push(merge_json(root, agent, ".mcp.json", |doc, notes| {
                mcp_server(doc, notes, Some(("type", "stdio")))
            })?);
        }
        Agent::Codex => {
            out.push(owned_file(root, agent, ".agents/skills/specwork/SKILL.md", &codex_skill(), force)?);
            out.push(agents_md(root)?);
            out.push(codex_config(root)?);
            out.push(merge_json(root, agent, hook_file(agent), |doc, notes| add_hooks(doc, notes, agent))?);
        }
        Agent::Gemini => {
            for c in &COMMANDS {
                out.push(owned_file(
                    root,
                    agent,
                    &format!(".gemini/commands/{}.toml", c.name),
                    &gemini_command(c),
                    force,
                )?);
            }
            out.push(merge_json(root, agent, ".gemini/settings.json", |doc, notes| {
                mcp_server(doc, notes, None)?;
                add_hooks(doc, notes, agent)
            })?);
        }
    }
    Ok(out)
}

/// Writes the planned changes. Each write is atomic and refused if the file changed since it
/// was planned.
pub fn apply(root: &Path, changes: &[FileChange]) -> Result<(), AgentFileError> {
    for c in changes {
        let Some(new) = &c.new else { continue };
        let path = root.join(&c.path);
        match &c.old {
            Some(old) => write::replace(&path, old, new)?,
            None => write::create(&path, new)?,
        }
    }
    Ok(())
}

/// `specwork <cli> $ARGUMENTS` and what to do with it, as a Claude Code command file.
pub fn claude_command(c: &SlashCommand) -> String {
    let run = format!("specwork {} $ARGUMENTS", c.cli);
    let mut s = format!("---\ndescription: {}\n", yaml_scalar(c.description));
    if !c.argument_hint.is_empty() {
        s.push_str(&format!("argument-hint: {}\n", yaml_scalar(c.argument_hint)));
    }
    s.push_str("allowed-tools: Bash(specwork:*)\n---\n");
    s.push_str(&format!("!`{run}`\n\n{}\n", c.then.replace("{run}", &run)));
    s
}

/// The same command for Gemini CLI. Gemini passes `{{args}}` inside `!{…}` as one shell-quoted
/// word, so the command goes through `specwork slash`, which splits it.
pub fn gemini_command(c: &SlashCommand) -> String {
    let run = format!("specwork slash {} {{{{args}}}}", c.cli);
    let then = c.then.replace("{run}", &format!("specwork {} {{{{args}}}}", c.cli));
    format!("description = {}\nprompt = \"\"\"\n!{{{run}}}\n\n{then}\n\"\"\"\n", toml_string(c.description))
}

/// The Codex skill: one skill for every command (one description in the agent's context
/// instead of seven).
pub fn codex_skill() -> String {
    let description = "Spec-driven sessions with specwork: start a session, do and log tasks, session status, \
                       cost, end of day, and work through a spec (plan, resume, status).";
    let mut s = format!(
        "---\nname: specwork\ndescription: {}\n---\n\n# specwork\n\n\
         Run these in the shell and show their output; they print what to do next.\n\n",
        yaml_scalar(description)
    );
    for c in &COMMANDS {
        let args = if c.argument_hint.is_empty() { String::new() } else { format!(" {}", c.argument_hint) };
        s.push_str(&format!("- `specwork {}{args}`: {}\n", c.cli, c.description));
    }
    s.push_str(
        "\nWhen a task is done run `specwork do-task SPEC TASK --done`. `specwork work SPEC` asks \
         questions through flags (`--choice N`, `--yes`, `--no`, `--modify TEXT`, `--select TASK`): \
         ask the user, then run it again with the flag.\n",
    );
    s
}

/// specwork's section of `AGENTS.md`, markers included.
pub fn agents_section() -> String {
    format!(
        "{AGENTS_BEGIN}\n## specwork\n\nSpecs, tasks and sessions are plain files managed with `specwork` \
         (skill: `.agents/skills/specwork`, MCP server: `specwork mcp`).\n\n\
         - Start: `specwork start-session ID spec SPEC`, then `specwork do-task SPEC TASK`; finish a task \
         with `specwork do-task SPEC TASK --done`.\n\
         - Status: `specwork session-status`, `specwork status SPEC`, `specwork cost --today`.\n\
         - End of day: `specwork eod`.\n\
         - Mark tasks only through specwork (`specwork task set SPEC TASK done`), not by editing checkboxes.\n\
         {AGENTS_END}\n"
    )
}

/// A YAML front matter value: plain when that is unambiguous, else double-quoted.
fn yaml_scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.starts_with(|c: char| "[]{}!&*#?|>'\"%@`,-".contains(c) || c.is_whitespace())
        && !s.ends_with(char::is_whitespace);
    if plain { s.to_owned() } else { toml_string(s) }
}

/// A double-quoted string (the escapes used here are the same in TOML and YAML).
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn slash(rel: &str) -> String {
    rel.replace('\\', "/")
}

fn read(root: &Path, rel: &str) -> Result<Option<Vec<u8>>, AgentFileError> {
    match crate::base::path_policy::read(root.join(rel)) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(WriteError::Io(std::io::Error::new(e.kind(), format!("cannot read {rel}: {e}"))).into()),
    }
}

fn change(agent: Agent, rel: &str, old: Option<Vec<u8>>, new: Option<Vec<u8>>, notes: Vec<String>) -> FileChange {
    let action = match (&old, &new) {
        (None, Some(_)) => Action::Create,
        (Some(o), Some(n)) if o != n => Action::Update,
        _ => Action::Unchanged,
    };
    let new = if matches!(action, Action::Create | Action::Update) { new } else { None };
    FileChange { agent, path: slash(rel), action, notes, old, new }
}

/// A file specwork writes whole: created when missing, left alone when the user changed it.
fn owned_file(root: &Path, agent: Agent, rel: &str, content: &str, force: bool) -> Result<FileChange, AgentFileError> {
    let old = read(root, rel)?;
    match &old {
        Some(o) if o.as_slice() == content.as_bytes() => Ok(change(agent, rel, old, None, Vec::new())),
        Some(_) if !force => Ok(FileChange {
            action: Action::Kept,
            ..change(agent, rel, old, None, vec!["it differs from specwork's version; --force replaces it".to_owned()])
        }),
        _ => Ok(change(agent, rel, old, Some(content.as_bytes().to_vec()), Vec::new())),
    }
}

/// A JSON value that keeps the order of object keys as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(IndexMap<String, Json>),
}

type Object = IndexMap<String, Json>;

fn obj(pairs: &[(&str, Json)]) -> Json {
    Json::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
}

fn jstr(s: &str) -> Json {
    Json::String(s.to_owned())
}

/// Reads a JSON object file, lets `edit` add to it, and plans the result in the file's own
/// indentation. A missing or empty file starts as `{}`.
fn merge_json(
    root: &Path,
    agent: Agent,
    rel: &str,
    edit: impl FnOnce(&mut Object, &mut Vec<String>) -> Result<(), String>,
) -> Result<FileChange, AgentFileError> {
    let path = root.join(rel);
    let old = read(root, rel)?;
    let text = match &old {
        Some(b) => std::str::from_utf8(b).map_err(|_| AgentFileError::NotUtf8 { path: path.clone() })?,
        None => "",
    };
    let mut doc: Object = if text.trim().is_empty() {
        Object::new()
    } else {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        match serde_json::from_str::<Json>(body) {
            Ok(Json::Object(o)) => o,
            Ok(_) => return Err(AgentFileError::Shape { path, key: "the top level".into(), expected: "an object" }),
            Err(e) => {
                return Err(AgentFileError::Json {
                    path,
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
                });
            }
        }
    };
    let before = doc.clone();
    let mut notes = Vec::new();
    edit(&mut doc, &mut notes).map_err(|key| AgentFileError::Shape {
        path: path.clone(),
        key,
        expected: "an object or an array as the agent expects",
    })?;
    if doc == before && old.is_some() {
        return Ok(change(agent, rel, old, None, notes));
    }
    let indent = json_indent(text);
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    Json::Object(doc).serialize(&mut ser).map_err(|e| WriteError::Io(std::io::Error::other(e)))?;
    buf.push(b'\n');
    Ok(change(agent, rel, old, Some(buf), notes))
}

/// The indentation of the first indented line, else two spaces.
fn json_indent(text: &str) -> String {
    text.lines()
        .skip(1)
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .find(|ws| !ws.is_empty())
        .unwrap_or("  ")
        .to_owned()
}

fn object_at<'a>(doc: &'a mut Object, key: &str, shown: &str) -> Result<&'a mut Object, String> {
    let v = doc.entry(key.to_owned()).or_insert_with(|| Json::Object(Object::new()));
    match v {
        Json::Object(o) => Ok(o),
        _ => Err(shown.to_owned()),
    }
}

/// Adds `mcpServers.specwork` unless the user has one.
fn mcp_server(doc: &mut Object, notes: &mut Vec<String>, type_field: Option<(&str, &str)>) -> Result<(), String> {
    let servers = object_at(doc, "mcpServers", "mcpServers")?;
    if servers.contains_key("specwork") {
        return Ok(());
    }
    let mut entry = Vec::new();
    if let Some((k, v)) = type_field {
        entry.push((k, jstr(v)));
    }
    entry.push(("command", jstr("specwork")));
    entry.push(("args", Json::Array(vec![jstr("mcp")])));
    servers.insert("specwork".to_owned(), obj(&entry));
    notes.push("added MCP server `specwork` (specwork mcp)".to_owned());
    Ok(())
}

/// The hook command for an event of Claude Code.
pub fn hook_command(event: &str) -> String {
    format!("specwork hook {event}")
}

/// The hook command for an event of `agent` (Claude Code's is [`hook_command`]).
pub fn agent_hook_command(agent: Agent, event: &str) -> String {
    match agent {
        Agent::Claude => hook_command(event),
        other => format!("specwork hook {event} --agent {}", other.as_str()),
    }
}

/// The file `init --agent` writes `agent`'s hooks into, relative to the workspace.
pub fn hook_file(agent: Agent) -> &'static str {
    match agent {
        Agent::Claude => ".claude/settings.json",
        Agent::Codex => ".codex/hooks.json",
        Agent::Gemini => ".gemini/settings.json",
    }
}

/// The hook events specwork listens to for `agent`, with their tool matcher.
pub fn hook_events(agent: Agent) -> &'static [(&'static str, Option<&'static str>)] {
    match agent {
        Agent::Claude => &CLAUDE_HOOKS,
        Agent::Codex => &CODEX_HOOKS,
        Agent::Gemini => &GEMINI_HOOKS,
    }
}

/// Whether `cmd` is specwork's hook for `event` (`specwork hook EVENT …`, the program by name or
/// by path).
pub fn is_our_hook(cmd: &str, event: &str) -> bool {
    let mut words = cmd.split_whitespace();
    let Some(first) = words.next() else { return false };
    let bin = first.rsplit(['/', '\\']).next().unwrap_or(first);
    (bin == "specwork" || bin == "specwork.exe") && words.next() == Some("hook") && words.next() == Some(event)
}

/// Adds `agent`'s hooks to `hooks` (the shape Claude Code, Codex and Gemini CLI share:
/// `hooks.EVENT[] = {matcher?, hooks: [{type: "command", command, timeout}]}`), once per event,
/// beside the user's; Gemini's timeout is in milliseconds, the others' in seconds.
fn add_hooks(doc: &mut Object, notes: &mut Vec<String>, agent: Agent) -> Result<(), String> {
    let events = hook_events(agent);
    let timeout: u64 = if agent == Agent::Gemini { 10_000 } else { 10 };
    let hooks = object_at(doc, "hooks", "hooks")?;
    for &(event, matcher) in events {
        let groups = hooks.entry(event.to_owned()).or_insert_with(|| Json::Array(Vec::new()));
        let Json::Array(groups) = groups else { return Err(format!("hooks.{event}")) };
        let present = groups.iter().any(|g| {
            let Json::Object(g) = g else { return false };
            let Some(Json::Array(hs)) = g.get("hooks") else { return false };
            hs.iter().any(|h| matches!(h, Json::Object(h) if matches!(h.get("command"), Some(Json::String(c)) if is_our_hook(c, event))))
        });
        if present {
            continue;
        }
        let command = agent_hook_command(agent, event);
        let hook =
            obj(&[("type", jstr("command")), ("command", jstr(&command)), ("timeout", Json::Number(timeout.into()))]);
        let mut group = Vec::new();
        if let Some(m) = matcher {
            group.push(("matcher", jstr(m)));
        }
        group.push(("hooks", Json::Array(vec![hook])));
        groups.push(obj(&group));
        notes.push(format!("added hook {event} → {command}"));
    }
    Ok(())
}

/// Adds specwork's hooks and status line to `.claude/settings.json`, keeping the user's.
fn claude_settings(doc: &mut Object, notes: &mut Vec<String>) -> Result<(), String> {
    add_hooks(doc, notes, Agent::Claude)?;
    match doc.get("statusLine") {
        None => {
            doc.insert(
                "statusLine".to_owned(),
                obj(&[("type", jstr("command")), ("command", jstr("specwork statusline"))]),
            );
            notes.push("added statusLine → specwork statusline".to_owned());
        }
        Some(Json::Object(s)) if matches!(s.get("command"), Some(Json::String(c)) if c.contains("specwork statusline")) =>
            {}
        Some(_) => notes.push(
            "kept your statusLine; use `specwork statusline` in it to show the session, task and cost".to_owned(),
        ),
    }
    Ok(())
}

/// `AGENTS.md`: specwork's section between markers, replaced in place or appended.
fn agents_md(root: &Path) -> Result<FileChange, AgentFileError> {
    let rel = "AGENTS.md";
    let path = root.join(rel);
    let old = read(root, rel)?;
    let section = agents_section();
    let new = match &old {
        None => section,
        Some(b) => {
            let text = std::str::from_utf8(b).map_err(|_| AgentFileError::NotUtf8 { path: path.clone() })?;
            match text.find(AGENTS_BEGIN) {
                Some(start) => {
                    let line = text[..start].matches('\n').count() + 1;
                    let end_rel = text[start..].find(AGENTS_END).ok_or(AgentFileError::Markers { path, line })?;
                    let mut end = start + end_rel + AGENTS_END.len();
                    if text[end..].starts_with("\r\n") {
                        end += 2;
                    } else if text[end..].starts_with('\n') {
                        end += 1;
                    }
                    format!("{}{section}{}", &text[..start], &text[end..])
                }
                None if text.is_empty() => section,
                None => {
                    let sep = if text.ends_with("\n\n") {
                        ""
                    } else if text.ends_with('\n') {
                        "\n"
                    } else {
                        "\n\n"
                    };
                    format!("{text}{sep}{section}")
                }
            }
        }
    };
    Ok(change(Agent::Codex, rel, old, Some(new.into_bytes()), Vec::new()))
}

/// `.codex/config.toml`: the MCP server `specwork` added to `mcp_servers` unless present. The
/// file is read with `toml_edit` and edited in place, so that every other byte stays: a new
/// `[mcp_servers.specwork]` table is appended after a blank line, and an inline
/// `mcp_servers = { … }` (where a table appended later would be invalid TOML) gets
/// `specwork = { … }` inside its braces.
fn codex_config(root: &Path) -> Result<FileChange, AgentFileError> {
    use toml_edit::{Array, Document, InlineTable, Item, Value};
    let rel = ".codex/config.toml";
    let path = root.join(rel);
    let old = read(root, rel)?;
    let text = match &old {
        Some(b) => std::str::from_utf8(b).map_err(|_| AgentFileError::NotUtf8 { path: path.clone() })?,
        None => "",
    };
    let parsed = Document::parse(text).map_err(|e| AgentFileError::Toml {
        path: path.clone(),
        line: e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_owned(),
    })?;
    let new = match parsed.get("mcp_servers") {
        Some(Item::Table(t)) if t.contains_key("specwork") => None,
        Some(Item::Value(Value::InlineTable(t))) if t.contains_key("specwork") => None,
        None | Some(Item::Table(_)) => {
            let sep = if text.is_empty() || text.ends_with("\n\n") {
                ""
            } else if text.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            Some(format!("{text}{sep}[mcp_servers.specwork]\ncommand = \"specwork\"\nargs = [\"mcp\"]\n"))
        }
        Some(Item::Value(Value::InlineTable(t))) => {
            let span = t.span().expect("a parsed value has a span");
            // An editable copy of the same table renders the user's entries as written.
            let mut doc = parsed.clone().into_mut();
            let Some(Item::Value(Value::InlineTable(t))) = doc.get_mut("mcp_servers") else {
                unreachable!("the same document")
            };
            let mut server = InlineTable::new();
            server.insert("command", "specwork".into());
            server.insert("args", Value::Array(Array::from_iter(["mcp"])));
            // The span holds the braces only (the decor around them stays in the text); what stood
            // before `}` now follows our entry.
            t.decor_mut().clear();
            let closing = t.iter_mut().last().and_then(|(_, v)| {
                let suffix = v.decor().suffix().cloned();
                v.decor_mut().set_suffix("");
                suffix
            });
            let mut server = Value::InlineTable(server);
            if let Some(s) = closing {
                server.decor_mut().set_suffix(s);
            }
            t.insert("specwork", server);
            Some(format!("{}{t}{}", &text[..span.start], &text[span.end..]))
        }
        Some(_) => return Err(AgentFileError::Shape { path, key: "mcp_servers".into(), expected: "a table" }),
    };
    let notes = if new.is_some() { vec!["added MCP server `specwork` (specwork mcp)".into()] } else { Vec::new() };
    Ok(change(Agent::Codex, rel, old, new.map(String::into_bytes), notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_renders_for_every_agent() {
        for c in &COMMANDS {
            let md = claude_command(c);
            assert!(md.starts_with("---\ndescription: "), "{md}");
            assert!(md.contains(&format!("!`specwork {} $ARGUMENTS`", c.cli)), "{md}");
            let t: toml::Table = toml::from_str(&gemini_command(c)).unwrap();
            assert!(t["prompt"].as_str().unwrap().contains(&format!("!{{specwork slash {} {{{{args}}}}}}", c.cli)));
        }
        assert!(codex_skill().starts_with("---\nname: specwork\ndescription: \"Spec-driven"));
        assert_eq!(yaml_scalar("SPEC TASK"), "SPEC TASK");
        assert_eq!(yaml_scalar("[--date D]"), "\"[--date D]\"");
        assert_eq!(yaml_scalar("Do it: now"), "\"Do it: now\"");
    }

    /// Plans `.codex/config.toml` over `before`; `None` when it stays as it is.
    fn codex_after(before: &str) -> Option<String> {
        let t = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(t.path().join(".codex")).unwrap();
        fs_err::write(t.path().join(".codex/config.toml"), before).unwrap();
        let c = codex_config(t.path()).unwrap();
        c.new.map(|b| String::from_utf8(b).unwrap())
    }

    const BLOCK: &str = "[mcp_servers.specwork]\ncommand = \"specwork\"\nargs = [\"mcp\"]\n";

    #[test]
    fn codex_config_appends_the_server_and_keeps_every_byte() {
        for (before, sep) in [
            ("", ""),
            ("model = \"o4\"", "\n\n"),
            ("model = \"o4\"\n", "\n"),
            ("model = \"o4\"\n\n", ""),
            ("# my settings\r\nmodel  =  'o4'   # fast\r\n", "\n"),
            ("[mcp_servers.db]\ncommand = \"db-mcp\"\n\n[profiles.x]\nmodel = \"o3\"\n# end\n", "\n"),
            ("[mcp_servers]\n", "\n"),
            ("mcp_servers.db.command = \"db-mcp\"\n", "\n"),
        ] {
            let after = codex_after(before).unwrap_or_else(|| panic!("{before:?} unchanged"));
            assert_eq!(after, format!("{before}{sep}{BLOCK}"), "{before:?}");
            let t: toml::Table = toml::from_str(&after).unwrap_or_else(|e| panic!("{after}: {e}"));
            assert_eq!(t["mcp_servers"]["specwork"]["args"][0].as_str(), Some("mcp"), "{after}");
            assert_eq!(codex_after(&after), None, "a second run changes nothing");
        }
    }

    /// An inline `mcp_servers` gets the server inline: a `[mcp_servers.specwork]` table appended
    /// after it, as before `toml_edit`, made the file invalid TOML.
    #[test]
    fn codex_config_adds_to_an_inline_table_in_place() {
        for (before, after) in [
            (
                "mcp_servers = { db = { command = \"db-mcp\" } } # inline\nmodel = \"o4\"\n",
                "mcp_servers = { db = { command = \"db-mcp\" }, specwork = { command = \"specwork\", args = [\"mcp\"] } } # inline\nmodel = \"o4\"\n",
            ),
            ("mcp_servers = {}\n", "mcp_servers = { specwork = { command = \"specwork\", args = [\"mcp\"] } }\n"),
            (
                "mcp_servers={db={command='d'}}\r\n[x]\nmcp_servers = 1\n",
                "mcp_servers={db={command='d'}, specwork = { command = \"specwork\", args = [\"mcp\"] }}\r\n[x]\nmcp_servers = 1\n",
            ),
        ] {
            let got = codex_after(before).unwrap();
            assert_eq!(got, after);
            let t: toml::Table = toml::from_str(&got).unwrap();
            assert_eq!(t["mcp_servers"]["specwork"]["command"].as_str(), Some("specwork"));
            assert_eq!(codex_after(&got), None);
        }
    }

    #[test]
    fn codex_config_leaves_a_present_server_and_refuses_other_shapes() {
        for present in [
            "[mcp_servers.specwork]\ncommand = \"/opt/specwork\"\n",
            "mcp_servers = { specwork = { command = \"x\" } }\n",
            "mcp_servers.specwork.command = \"x\"\n",
        ] {
            assert_eq!(codex_after(present), None, "{present}");
        }
        for bad in ["mcp_servers = 1\n", "[[mcp_servers]]\ncommand = \"x\"\n"] {
            let t = tempfile::tempdir().unwrap();
            fs_err::create_dir_all(t.path().join(".codex")).unwrap();
            fs_err::write(t.path().join(".codex/config.toml"), bad).unwrap();
            assert!(matches!(codex_config(t.path()), Err(AgentFileError::Shape { .. })), "{bad}");
        }
    }

    #[test]
    fn our_hook_is_recognised_with_a_path() {
        assert!(is_our_hook("specwork hook Stop", "Stop"));
        assert!(is_our_hook("/usr/local/bin/specwork hook Stop --x", "Stop"));
        assert!(!is_our_hook("specwork hook Stop", "SessionEnd"));
        assert!(!is_our_hook("echo specwork hook Stop", "Stop"));
    }
}
