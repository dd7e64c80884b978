#!/usr/bin/env bash
# MCP server start-up: spawn to `tools/list` answer, peak RSS and tools/list size, for
# `specwork mcp` (release build) and, when it installs, the peer spec-workflow-mcp.
# Usage: bash bench/mcp.sh [RUNS]   (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-50}"
cargo build --release -q -p specwork
BIN="$PWD/target/release/specwork"
WS="$(mktemp -d)"
trap 'rm -rf "$WS"' EXIT
cp -r examples/demo/. "$WS/"

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%d)"
echo "binary: $(du -h "$BIN" | cut -f1) $BIN ($("$BIN" --version))"
echo -n "specwork mcp: "
python3 bench/mcp_startup.py "$RUNS" "$WS" -- "$BIN" mcp

# The peer, measured in the same run when npm serves it.
PEER_RUNS=$(( RUNS < 10 ? RUNS : 10 ))
if timeout 600 npx -y @pimzino/spec-workflow-mcp@latest --help >/dev/null 2>&1; then
  echo -n "spec-workflow-mcp: "
  python3 bench/mcp_startup.py "$PEER_RUNS" "$WS" -- npx -y @pimzino/spec-workflow-mcp@latest "$WS"
else
  echo "spec-workflow-mcp: not installable here (npm has no @pimzino/spec-workflow-mcp); see the reference numbers in bench/RESULTS.md"
fi
