#!/usr/bin/env bash
# Dashboard benchmark: page server times on a 2,000-spec / 20,000-task workspace, and the
# latency from a disk edit to the SSE message (and to the fresh page), measured from a client.
# Results go in bench/RESULTS.md by hand (see the "dashboard" section there).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p specwork
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
python3 bench/gen_dashboard_workspace.py "$ws" --specs 2000 --tasks 10
python3 bench/dashboard_client.py target/release/specwork "$ws" --runs "${RUNS:-30}"
