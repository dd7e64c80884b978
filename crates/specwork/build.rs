//! Captures the git commit the binary is built from, for `specwork --version`:
//! `SPECWORK_BUILD_COMMIT` = `<12-hex commit> <commit date>`, or `unknown` when there is
//! no git or no repository (a crates.io source, a tarball). An explicit `SPECWORK_BUILD_COMMIT`
//! in the environment wins (release builds from an exported tree set it).
//!
//! No absolute path is written out: git runs in this package's folder, and the files watched for
//! a new commit are named relative to it where possible.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned()).filter(|s| !s.is_empty())
}

fn main() {
    println!("cargo:rerun-if-env-changed=SPECWORK_BUILD_COMMIT");
    let commit = std::env::var("SPECWORK_BUILD_COMMIT").ok().filter(|s| !s.is_empty()).or_else(|| {
        let hash = git(&["rev-parse", "--short=12", "HEAD"])?;
        let date = git(&["log", "-1", "--format=%cs"]).unwrap_or_default();
        // Rebuild when HEAD moves: HEAD itself, the branch it points at, packed refs.
        let branch = git(&["symbolic-ref", "-q", "HEAD"]);
        for rel in ["HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
            if let Some(p) = git(&["rev-parse", "--git-path", rel]) {
                println!("cargo:rerun-if-changed={p}");
            }
        }
        Some(format!("{hash} {date}").trim().to_owned())
    });
    println!("cargo:rustc-env=SPECWORK_BUILD_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
}
