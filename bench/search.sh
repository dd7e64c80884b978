#!/usr/bin/env bash
# Benchmark: `specwork search` over a generated workspace of 2,000 named specs (6,000 documents,
# 10,000 implementation logs), against the seed guide's own way to search the knowledge base
# (`grep -r` over the Implementation Logs folders).
#
# usage: bash bench/search.sh [N specs]     (needs hyperfine; builds specwork in release mode)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"
cargo build --release -q -p specwork
BIN="$PWD/target/release/specwork"
WS="$(mktemp -d)"
trap 'rm -rf "$WS"' EXIT
python3 bench/gen_knowledge.py "$WS" "$N"
echo "workspace: $N specs, $(find "$WS" -type f | wc -l) files, $(du -sh "$WS" | cut -f1)"
cd "$WS"
hyperfine -N --warmup 2 --runs 10 \
  -n "specwork search (rare name, ranked)" "$BIN search parseInvoiceNumber --json" \
  -n "specwork search --kind log (rare name)" "$BIN search parseInvoiceNumber --kind log --json" \
  -n "specwork search (common words, 2 terms)" "$BIN search post api --json" \
  -n "grep -rn (logs only, unranked)" "grep -rn parseInvoiceNumber .spec-workflow/specs --include=*.md"
