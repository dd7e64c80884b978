use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub use specwork_testkit::need::{self, Need};

/// This package's folder, found when the test runs (never a compile-time path, so a moved
/// checkout keeps working).
pub fn manifest_dir() -> PathBuf {
    need::manifest_dir()
}

/// The demo workspace shipped in `examples/demo`.
pub fn demo_dir() -> PathBuf {
    manifest_dir().join("../../examples/demo")
}

/// The built `specwork` binary, found beside the running test binary.
pub fn specwork_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("specwork")
}

/// A `specwork` command with a cleared environment, a fixed clock and `dir` as cwd.
pub fn specwork(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("specwork").expect("binary built");
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("TZ", "UTC")
        .env("SPECWORK_NOW", "2025-08-26T14:30:00Z")
        .current_dir(dir);
    c
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A temp copy of the demo workspace.
pub fn demo_copy() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    copy_tree(&demo_dir(), t.path());
    t
}

/// Runs and parses `--json` stdout, asserting success.
pub fn json(cmd: &mut Command) -> serde_json::Value {
    let out = cmd.arg("--json").output().unwrap();
    assert!(out.status.success(), "failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}
