//! `specwork.toml`: optional workspace configuration. Every field has a default, so a workspace
//! without the file works the same as one with an empty file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::diag::Diagnostic;

/// The parsed `specwork.toml`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Layout settings.
    pub workspace: WorkspaceConfig,
    /// Budget settings.
    pub budget: BudgetConfig,
    /// An optional second display currency.
    pub currency: Option<CurrencyConfig>,
    /// Price overrides per model, read by the usage engine (`[prices."model"]`).
    pub prices: std::collections::BTreeMap<String, specwork_usage::PriceOverride>,
    /// Agent integration settings.
    pub agent: AgentConfig,
}

/// `[workspace]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Root of the numbered spec tree, relative to the workspace (default `specs`).
    pub specs_dir: String,
    /// Whether to read Kiro, spec-kit and OpenSpec folders (default true).
    pub import: bool,
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        Self { specs_dir: "specs".into(), import: true }
    }
}

/// `[budget]`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetConfig {
    /// Daily budget in USD (the guide recommends $2–5 a day; default 5).
    pub daily_usd: f64,
    /// Weekly budget in USD (default 25).
    pub weekly_usd: f64,
    /// Monthly budget in USD (default 100).
    pub monthly_usd: f64,
}

impl Default for BudgetConfig {
    fn default() -> Self {
        Self { daily_usd: 5.0, weekly_usd: 25.0, monthly_usd: 100.0 }
    }
}

pub use crate::base::display::CurrencyConfig;

/// `[agent]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentConfig {
    /// The participant name written into context timelines (default `User`).
    pub user: Option<String>,
    /// The agent named in context timelines (default `Claude`).
    pub name: Option<String>,
}

/// The default `specwork.toml` written by `specwork init`.
pub const DEFAULT_CONFIG: &str = r#"# specwork configuration. Every setting is optional; these are the defaults.

[workspace]
# Root of the numbered spec tree (specs/1000/1001/1014.spec.md).
specs_dir = "specs"
# Also read Kiro (.kiro/specs), spec-kit (specs/NNN-name) and OpenSpec (openspec/) specs.
import = true

[budget]
daily_usd = 5.0
weekly_usd = 25.0
monthly_usd = 100.0

# Show costs in a second currency as well:
# [currency]
# code = "THB"
# rate = 35.0

# Override or add model prices (USD per million tokens):
# [prices."claude-sonnet-4-5"]
# input = 3.0
# output = 15.0
# cache_write = 3.75
# cache_read = 0.30
"#;

impl Config {
    /// Reads `specwork.toml` in `root`; a missing file gives the defaults, a broken one the defaults
    /// plus a diagnostic naming the line.
    pub fn load(root: &Path) -> (Config, Option<Diagnostic>) {
        let path = root.join("specwork.toml");
        let text = match crate::base::path_policy::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Config::default(), None),
            // Unreadable or not UTF-8: say so rather than silently using the defaults.
            Err(e) => {
                let d = Diagnostic::error(
                    "specwork.toml",
                    0,
                    format!("cannot read the configuration, using the defaults: {e}"),
                    "save specwork.toml as UTF-8 text readable by you, or delete it",
                );
                return (Config::default(), Some(d));
            }
        };
        match toml::from_str::<Config>(&text) {
            Ok(c) => (c, None),
            Err(e) => {
                let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
                let d = Diagnostic::error(
                    "specwork.toml",
                    line,
                    format!("invalid configuration: {}", e.message()),
                    "fix the setting or delete it to use the default (see `specwork init` for a commented file)",
                );
                (Config::default(), Some(d))
            }
        }
    }
}
