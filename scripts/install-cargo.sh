#!/usr/bin/env bash
# The cargo route, end to end: `cargo install --locked --path crates/specwork` into a temporary
# root, then the installed binary runs (--version, doctor, a report on the demo workspace).
# CARGO_TARGET_DIR defaults to this checkout's target/ so an earlier release build is reused.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo install --locked --path crates/specwork --root "$dest" --quiet
bin=$dest/bin/specwork
"$bin" --version
"$bin" --workspace examples/demo status >/dev/null
# doctor exits 0 unless something is broken (4).
"$bin" --workspace examples/demo doctor >/dev/null || { echo "doctor failed" >&2; exit 1; }
"$bin" completions bash | bash -n
echo "cargo install route ok ($(du -h "$bin" | cut -f1) binary)"
