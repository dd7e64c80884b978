#!/usr/bin/env bash
# Benchmark: `specwork status --json` on a generated workspace of 2,000 numbered specs and 20,000
# tasks (bench/gen_workspace.py), release build, measured with hyperfine. Target: <= 100 ms.
#
#   bash bench/status.sh [--specs N] [--tasks N]     # extra args go to gen_workspace.py
#
# Environment: WORK (where the workspace is generated, default a temp dir), RUNS (default 30),
# HYPERFINE_EXPORT (a file for hyperfine's JSON export).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v hyperfine >/dev/null || {
  echo "hyperfine is missing: apt-get install -y hyperfine" >&2
  exit 1
}
cargo build --release -q -p specwork
bin="$PWD/target/release/specwork"

work="${WORK:-$(mktemp -d)}"
rm -rf "$work/ws"
python3 bench/gen_workspace.py "$work/ws" "$@"

# Sanity: the report reads every spec and task, with no diagnostics.
"$bin" --workspace "$work/ws" status --json >"$work/status.json"
python3 - "$work/status.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
specs, tasks, diags = len(d["specs"]), d["totals"]["total"], len(d["diagnostics"])
print(f"status --json: {specs} specs, {tasks} tasks, {diags} diagnostics, {os.path.getsize(sys.argv[1]) // 1024} KiB of JSON")
PY

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
export_args=()
[ -n "${HYPERFINE_EXPORT:-}" ] && export_args=(--export-json "$HYPERFINE_EXPORT")
hyperfine -N --warmup 3 --runs "${RUNS:-30}" "${export_args[@]}" \
  "$bin --workspace $work/ws status --json"

# CPU time, which contention from other processes on the machine does not inflate.
perf_out=$(command -v perf >/dev/null && perf stat -r 10 -e task-clock "$bin" --workspace "$work/ws" status --json 2>&1 >/dev/null | grep -E 'task-clock' || true)
[ -n "$perf_out" ] && echo "CPU time (perf stat -r 10): $perf_out"
[ -z "${WORK:-}" ] && rm -rf "$work"
exit 0
