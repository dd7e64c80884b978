#!/usr/bin/env bash
# crates.io readiness: `cargo package` for every publishable crate (specwork-testkit is
# publish = false). Cargo packs the workspace's crates together and verifies each against the
# others' packed versions, so no --no-verify is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo package --workspace --locked "$@"
ls -la target/package/*.crate
