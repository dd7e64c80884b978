#!/usr/bin/env bash
# Dashboard benchmark: page server times on a 2,000-spec / 20,000-task workspace, and the
# latency from a disk edit to the SSE message (and to the fresh page), measured from a client.
# Results go in bench/RESULTS.md by hand (see the "dashboard" section there).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p specwork
shared=$(mktemp -d)
ws=$(mktemp -d)
trap 'rm -rf "$ws" "$shared"' EXIT
echo "## the shared 2,000-spec workspace (bench/gen_workspace.py: numbered specs only)"
python3 bench/gen_workspace.py "$shared" --specs 2000 --tasks 20000
python3 bench/dashboard_client.py target/release/specwork "$shared" --runs "${RUNS:-30}"
echo
echo "## both layouts (bench/gen_dashboard_workspace.py: 1,000 numbered + 1,000 spec-workflow specs)"
python3 bench/gen_dashboard_workspace.py "$ws" --specs 2000 --tasks 10
python3 bench/dashboard_client.py target/release/specwork "$ws" --runs "${RUNS:-30}"

# The browser half: disk edit → text visible in an open page (headless Chromium), same workspace.
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  SPECWORK_BIN="$PWD/target/release/specwork" SPECWORK_BENCH_WORKSPACE="$ws" \
    cargo test -q -p specwork --test it dashboard_browser_latency_on_a_large_workspace -- --ignored --nocapture 2>&1 \
    | grep -E "disk edit|skipped|panicked" || true
else
  echo "browser half skipped: chromium or chromedriver is not installed"
fi
