//! What a test needs from outside the repository, and the one rule for when it is missing.
//!
//! A developer's checkout may lack `../shared` (the corpus of real specs and transcripts) or a
//! real component (Chromium, the Python `mcp` client, npx with ccusage, the MCP inspector, git, mdBook):
//! the test prints `skipped: <why>` and passes. CI must prove those paths, so `.ci/run` sets
//! `SPECWORK_REQUIRE_SHARED=1` and `SPECWORK_REQUIRE_REAL=1`, under which the same absence fails
//! the test with the reason.
//!
//! Paths are resolved when the test runs (from `SPECWORK_SHARED_DIR`, or the `CARGO_MANIFEST_DIR`
//! cargo sets for `cargo test`), never baked in at compile time, so a moved checkout keeps
//! working without `cargo clean`.

use std::fmt::Display;
use std::path::{Path, PathBuf};

/// A kind of outside dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// `../shared` beside the checkout (or `$SPECWORK_SHARED_DIR`).
    Shared,
    /// A real program: Chromium, Python `mcp`, npx/ccusage, the MCP inspector, git, mdBook.
    Real,
}

impl Need {
    /// The variable that turns a skip into a failure.
    pub fn var(self) -> &'static str {
        match self {
            Need::Shared => "SPECWORK_REQUIRE_SHARED",
            Need::Real => "SPECWORK_REQUIRE_REAL",
        }
    }

    /// Whether this run requires it (the variable is set to anything but `0` or empty).
    pub fn required(self) -> bool {
        std::env::var_os(self.var()).is_some_and(|v| !v.is_empty() && v != "0")
    }
}

/// Skips the calling test (prints why) or, when `need` is required, fails it.
///
/// Call it as `return skip(Need::Real, "…")`.
///
/// # Panics
/// When `need` is required in this run.
pub fn skip(need: Need, why: impl Display) {
    assert!(!need.required(), "{why} ({}=1: required in this run, so this test fails instead of skipping)", need.var());
    eprintln!("skipped: {why}");
}

/// The `CARGO_MANIFEST_DIR` of the package under test, read at run time (cargo sets it for
/// `cargo test`); the current directory otherwise (cargo runs tests from the package root).
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .expect("CARGO_MANIFEST_DIR or a current directory")
}

/// The workspace root: the nearest folder at or above [`manifest_dir`] holding `Cargo.lock`.
pub fn workspace_root() -> PathBuf {
    let start = manifest_dir();
    start.ancestors().find(|d| d.join("Cargo.lock").is_file()).map_or(start.clone(), Path::to_path_buf)
}

/// Where `shared/` would be: `$SPECWORK_SHARED_DIR`, else `../shared` beside the workspace.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SPECWORK_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().parent().map_or_else(|| PathBuf::from("../shared"), |p| p.join("shared")))
}

/// `shared/<rel>` when it exists; otherwise [`skip`]s (or fails under `SPECWORK_REQUIRE_SHARED=1`)
/// and returns `None`.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = shared_dir().join(rel);
    if p.exists() {
        return Some(p);
    }
    skip(
        Need::Shared,
        format_args!("{} is missing (put shared/ beside the checkout or set SPECWORK_SHARED_DIR)", p.display()),
    );
    None
}

/// Whether `program --version` (or the given probe arguments) runs and succeeds.
pub fn runs(program: &str, args: &[&str]) -> Result<(), String> {
    match std::process::Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr).trim().lines().last().unwrap_or("")
        )),
        Err(e) => Err(format!("{program} is not available ({e})")),
    }
}

/// A scratch folder under the cargo target dir (`<target>/tmp/specwork-testkit/<name>`), found
/// from the running test binary (`<target>/<profile>/deps/<test>`), emptied on first use.
///
/// # Panics
/// When the folder cannot be created.
pub fn scratch(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe.ancestors().nth(3).map_or_else(std::env::temp_dir, Path::to_path_buf);
    let dir = target.join("tmp").join("specwork-testkit").join(name);
    let _ = fs_err::remove_dir_all(&dir);
    fs_err::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}
