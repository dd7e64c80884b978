#!/usr/bin/env bash
# Issue 14's probe of lost edits: an "editor" saving tasks.md (read, append a line, write a temp
# file, rename — as editors save) races a loop of `specwork task set`. Every save must survive.
#
#   bash bench/editor_race.sh [SAVES] [RUNS]     # default 300 saves × 5 runs
#
# Prints, per run, the saves lost and how many `task set` calls succeeded (exit 0) or reported a
# conflict (exit 3). Any other exit code, or a lost save, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
SAVES="${1:-300}"
RUNS="${2:-5}"
# SPECWORK_BIN runs another build (e.g. target/debug/specwork) without building the release one.
if [ -z "${SPECWORK_BIN:-}" ]; then cargo build --release -q -p specwork; fi
BIN="${SPECWORK_BIN:-$PWD/target/release/specwork}"
total_lost=0
for run in $(seq 1 "$RUNS"); do
  W="$(mktemp -d)"
  cp -r examples/demo "$W/ws"
  T="$W/ws/.spec-workflow/specs/invoice-management/tasks.md"
  python3 - "$T" "$SAVES" > "$W/editor.log" 2>&1 <<'PY' &
import os, sys, time, random
path, saves = sys.argv[1], int(sys.argv[2])
for i in range(saves):
    with open(path, encoding="utf-8") as f:
        old = f.read()
    tmp = os.path.join(os.path.dirname(path), f".tasks.md.editor{i}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(old + f"<!-- save {i} -->\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    time.sleep(random.uniform(0.0005, 0.004))
PY
  EDITOR_PID=$!
  ok=0; conflict=0; i=0
  while kill -0 "$EDITOR_PID" 2>/dev/null; do
    st=$([ $((i % 2)) -eq 0 ] && echo in-progress || echo pending)
    set +e
    "$BIN" --workspace "$W/ws" task set invoice-management 1.1 "$st" >/dev/null 2>"$W/err"
    code=$?
    set -e
    case $code in
      0) ok=$((ok + 1)) ;;
      3) conflict=$((conflict + 1)) ;;
      *) echo "task set exited $code: $(cat "$W/err")"; exit 1 ;;
    esac
    i=$((i + 1))
  done
  wait "$EDITOR_PID"
  lost=0
  for s in $(seq 0 $((SAVES - 1))); do
    grep -qF "<!-- save $s -->" "$T" || lost=$((lost + 1))
  done
  echo "run $run: $SAVES saves, lost $lost; task set: $ok ok, $conflict conflicts (exit 3)"
  total_lost=$((total_lost + lost))
  rm -rf "$W"
done
echo "total lost: $total_lost of $((SAVES * RUNS)) saves"
[ "$total_lost" -eq 0 ]
