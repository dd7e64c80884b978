//! What a scan produces: one [`UsageRecord`] per counted API call.
//!
//! Invariants: `tokens.total()` is the sum of the five token fields; `cost_usd` is already priced
//! with the price table, cost mode and long-context rule the scan was given; timestamps are UTC.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The coding agent whose log a record comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Agent {
    /// Anthropic's Claude Code (`~/.claude/projects/**/*.jsonl`).
    Claude,
    /// OpenAI's Codex CLI (`~/.codex/sessions/**/*.jsonl`).
    Codex,
    /// Google's Gemini CLI (`~/.gemini/tmp/*/chats/*.json[l]`).
    Gemini,
    /// OpenCode (`~/.local/share/opencode/storage/message/**/*.json`).
    OpenCode,
    /// Sourcegraph's Amp (`~/.local/share/amp/threads/*.json`).
    Amp,
    /// GitHub Copilot CLI (its OpenTelemetry file export, `~/.copilot/otel/*.jsonl`).
    Copilot,
    /// Qwen Code (`~/.qwen/projects/*/chats/*.jsonl`).
    Qwen,
    /// Factory's Droid (`~/.factory/sessions/**/*.settings.json`).
    Droid,
    /// Moonshot's Kimi Code CLI (`~/.kimi/sessions/*/*/wire.jsonl`).
    Kimi,
    /// pi, the coding agent (`~/.pi/agent/sessions/*/*.jsonl`).
    Pi,
    /// OpenClaw (`~/.openclaw/**/*.jsonl`).
    OpenClaw,
    /// Codebuff (`~/.config/manicode/projects/*/chats/*/chat-messages.json`).
    Codebuff,
    /// Kilo Code's CLI (`~/.local/share/kilo/kilo.db`).
    Kilo,
    /// Block's Goose (`~/.local/share/goose/sessions/sessions.db`).
    Goose,
    /// Nous Research's Hermes Agent (`~/.hermes/state.db`).
    Hermes,
    /// xAI's Grok Build CLI (`~/.grok/sessions/*/*/updates.jsonl`).
    Grok,
    /// Z.ai's ZCode (`~/.zcode/cli/db/db.sqlite`).
    Zcode,
}

impl Agent {
    /// All agents, in report order (also their order of declaration, which the snapshot stores).
    pub const ALL: [Agent; 17] = [
        Agent::Claude,
        Agent::Codex,
        Agent::Gemini,
        Agent::OpenCode,
        Agent::Amp,
        Agent::Copilot,
        Agent::Qwen,
        Agent::Droid,
        Agent::Kimi,
        Agent::Pi,
        Agent::OpenClaw,
        Agent::Codebuff,
        Agent::Kilo,
        Agent::Goose,
        Agent::Hermes,
        Agent::Grok,
        Agent::Zcode,
    ];

    /// The lowercase name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Codex => "codex",
            Agent::Gemini => "gemini",
            Agent::OpenCode => "opencode",
            Agent::Amp => "amp",
            Agent::Copilot => "copilot",
            Agent::Qwen => "qwen",
            Agent::Droid => "droid",
            Agent::Kimi => "kimi",
            Agent::Pi => "pi",
            Agent::OpenClaw => "openclaw",
            Agent::Codebuff => "codebuff",
            Agent::Kilo => "kilo",
            Agent::Goose => "goose",
            Agent::Hermes => "hermes",
            Agent::Grok => "grok",
            Agent::Zcode => "zcode",
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an [`Agent`] name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown agent {0:?} (expected claude, codex, gemini, opencode, amp, copilot, qwen, droid, kimi, pi, openclaw, codebuff, kilo, goose, hermes, grok or zcode)"
)]
pub struct UnknownAgent(pub String);

impl FromStr for Agent {
    type Err = UnknownAgent;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "claude" | "claude-code" => Ok(Agent::Claude),
            "codex" => Ok(Agent::Codex),
            "gemini" => Ok(Agent::Gemini),
            "opencode" => Ok(Agent::OpenCode),
            "amp" => Ok(Agent::Amp),
            "copilot" | "copilot-cli" => Ok(Agent::Copilot),
            "qwen" | "qwen-code" => Ok(Agent::Qwen),
            "droid" | "factory" => Ok(Agent::Droid),
            "kimi" | "kimi-cli" => Ok(Agent::Kimi),
            "pi" | "pi-agent" => Ok(Agent::Pi),
            "openclaw" => Ok(Agent::OpenClaw),
            "codebuff" => Ok(Agent::Codebuff),
            "kilo" | "kilocode" => Ok(Agent::Kilo),
            "goose" => Ok(Agent::Goose),
            "hermes" => Ok(Agent::Hermes),
            "grok" | "grok-build" => Ok(Agent::Grok),
            "zcode" => Ok(Agent::Zcode),
            _ => Err(UnknownAgent(s.to_owned())),
        }
    }
}

/// Token counts of one call or of a group of calls.
///
/// The categories follow ccusage's reports: `input` excludes cached input (Codex and Gemini logs
/// include it, and it is subtracted), `cache_read` is cached input, `cache_creation` is Claude's
/// cache writes (5-minute and 1-hour together), `output` includes reasoning for Claude and Codex,
/// and `reasoning` holds Gemini's separately reported thoughts (billed at the output price).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// Uncached input tokens.
    pub input: u64,
    /// Output tokens.
    pub output: u64,
    /// Cache-write tokens (Claude; 5-minute and 1-hour writes together).
    pub cache_creation: u64,
    /// Cache-read (cached input) tokens.
    pub cache_read: u64,
    /// Reasoning tokens reported apart from `output` (Gemini's thoughts); 0 for Claude and Codex,
    /// whose output already includes reasoning.
    pub reasoning: u64,
    /// Reasoning tokens already counted in `output` (Codex's `reasoning_output_tokens`, which
    /// ccusage reports as `reasoningOutputTokens`); not added again to the total.
    #[serde(default)]
    pub reasoning_in_output: u64,
}

impl Tokens {
    /// The sum of all categories.
    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_creation + self.cache_read + self.reasoning
    }

    /// Adds `other` to `self`.
    pub fn add(&mut self, other: &Tokens) {
        self.input += other.input;
        self.output += other.output;
        self.cache_creation += other.cache_creation;
        self.cache_read += other.cache_read;
        self.reasoning += other.reasoning;
        self.reasoning_in_output += other.reasoning_in_output;
    }
}

/// One counted API call.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRecord {
    /// When the call was logged, UTC.
    pub timestamp: jiff::Timestamp,
    /// Which agent logged it.
    pub agent: Agent,
    /// The model as reported, with `-fast` appended for Claude fast-mode calls; `None` for
    /// Claude's `<synthetic>` API-error lines and calls that name no model.
    pub model: Option<Arc<str>>,
    /// The working directory the agent ran in (the project), when the log says.
    pub cwd: Option<Arc<str>>,
    /// The agent's session id (Claude's `sessionId`, Codex's session id, Gemini's `sessionId`).
    pub session_id: Arc<str>,
    /// The token counts.
    pub tokens: Tokens,
    /// The cost in USD.
    pub cost_usd: f64,
}
