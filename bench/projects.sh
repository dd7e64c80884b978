#!/usr/bin/env bash
# Benchmark: `specwork status --projects --json` over 20 registered workspaces of 100 numbered
# specs each (bench/gen_workspace.py --specs 100 --tasks 1000), release build, hyperfine.
# Target (issue 18): <= 200 ms.
#
#   bash bench/projects.sh [--projects N] [--specs N] [--tasks N]
#
# The workspaces are registered in a temp SPECWORK_CONFIG_DIR with `specwork projects add`; HOME
# points at the temp dir, so the agents' log folders are empty there (no transcripts to scan) and
# the user's own registry and logs are never read. Environment: WORK (default a temp dir), RUNS
# (default 30), HYPERFINE_EXPORT (a file for hyperfine's JSON export).
set -euo pipefail
cd "$(dirname "$0")/.."

projects=20 specs=100 tasks=1000
while [ $# -gt 0 ]; do
  case "$1" in
    --projects) projects="$2"; shift 2 ;;
    --specs) specs="$2"; shift 2 ;;
    --tasks) tasks="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v hyperfine >/dev/null || {
  echo "hyperfine is missing: apt-get install -y hyperfine" >&2
  exit 1
}
cargo build --release -q -p specwork
bin="$PWD/target/release/specwork"

work="${WORK:-$(mktemp -d)}"
rm -rf "$work/ws" "$work/config" "$work/home"
mkdir -p "$work/ws" "$work/home"
export SPECWORK_CONFIG_DIR="$work/config" HOME="$work/home"
unset XDG_CONFIG_HOME XDG_CACHE_HOME CLAUDE_CONFIG_DIR CODEX_HOME GEMINI_DATA_DIR
for i in $(seq 1 "$projects"); do
  python3 bench/gen_workspace.py "$work/ws/p$i" --specs "$specs" --tasks "$tasks" --seed "$i" >/dev/null
  "$bin" --quiet projects add "$work/ws/p$i"
done

# Sanity: every workspace is read, with every spec and task.
"$bin" status --projects --json >"$work/projects.json"
python3 - "$work/projects.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
stale = [p["name"] for p in d["projects"] if p["stale"]]
print(f"status --projects --json: {t['projects']} projects, {t['specs']} specs, {t['tasks']['total']} tasks, stale: {stale or 'none'}")
PY

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
export_args=()
[ -n "${HYPERFINE_EXPORT:-}" ] && export_args=(--export-json "$HYPERFINE_EXPORT")
hyperfine -N --warmup 3 --runs "${RUNS:-30}" "${export_args[@]}" "$bin status --projects --json"

# CPU time, which contention from other processes on the machine does not inflate.
perf_out=$(command -v perf >/dev/null && perf stat -r 10 -e task-clock "$bin" status --projects --json 2>&1 >/dev/null | grep -E 'task-clock' || true)
[ -n "$perf_out" ] && echo "CPU time (perf stat -r 10): $perf_out"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "${WORK:-}" ] && rm -rf "$work"
exit 0
