#!/usr/bin/env bash
# Benchmarks `specwork hook` and `specwork statusline` as Claude Code calls them: a fresh process
# per event, the hook JSON on stdin, in a git repository with an active session journal.
#
#   bash bench/hook.sh            # builds the release binary, runs hyperfine, prints the table
#
# Needs hyperfine (apt-get install hyperfine). Results go to bench/out/hook.md; copy the table
# into bench/RESULTS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p specwork
BIN="$PWD/target/release/specwork"
OUT="$PWD/bench/out"
mkdir -p "$OUT"
WS="$(mktemp -d)"
CC="$(mktemp -d)"
trap 'rm -rf "$WS" "$CC"' EXIT

# A workspace like a real project: the demo specs, 400 source files, a git repository, one
# active session with a task in progress and 200 journal events already written.
cp -r examples/demo/. "$WS/"
mkdir -p "$WS/src" "$WS/docs/sessions/.current"
for i in $(seq 1 400); do printf 'pub fn f%d() {}\n' "$i" > "$WS/src/m$i.rs"; done
git -C "$WS" init -q
git -C "$WS" add -A
git -C "$WS" -c user.name=b -c user.email=b@b commit -qm start
J="$WS/docs/sessions/.current/inv-1000.bench-000000.log"
echo '{"v":1,"ts":"2025-08-26T10:00:00+00:00","session":"inv-1000.bench-000000","event":"session_start","name":"inv-1000","owner":"bench-000000","user":"Bench","host":"000000","spec":"invoice-management","spec_title":"","agent":"Claude","planned":[],"progress":{"done":0,"total":5}}' > "$J"
echo '{"v":1,"ts":"2025-08-26T10:01:00+00:00","session":"inv-1000.bench-000000","event":"task_start","spec":"invoice-management","task":"1.1","title":"Create invoice model"}' >> "$J"
for i in $(seq 1 200); do
  echo '{"v":1,"ts":"2025-08-26T10:02:00+00:00","session":"inv-1000.bench-000000","event":"file_touched","path":"src/m'"$i"'.rs","action":"modified","spec":"invoice-management","task":"1.1","tool":"Edit"}' >> "$J"
done
echo 'pub fn g() {}' >> "$WS/src/m1.rs"

# Claude Code transcripts: 30 MB over 30 days and 10 projects (../shared/tools/cc_corpus_gen.py);
# the agent's own session is the largest file. The status line reads today's usage with the cost
# engine (the workspace's scan cache) at most every 5 s; "uncached" removes its 5 s cache first.
python3 ../shared/tools/cc_corpus_gen.py gen --out "$CC" --size-mb 30 --seed 42 \
  --start 2025-08-01 --days 30 --projects 10 > /dev/null
TRANSCRIPT="$(find "$CC/projects" -maxdepth 2 -name '*.jsonl' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2)"
AGENT="$(basename "$TRANSCRIPT" .jsonl)"
fill() { sed -e "s|{{root}}|$WS|g" -e "s|{{transcript}}|$TRANSCRIPT|g" -e "s|{{agent_session}}|$AGENT|g" "crates/specwork/tests/it/fixtures/hooks/$1"; }
fill post-tool-use-edit.json > "$OUT/post.json"
fill stop.json > "$OUT/stop.json"
fill session-start.json > "$OUT/start.json"
fill status-line.json > "$OUT/status.json"
# The journal grows while benchmarking (each PostToolUse appends a line); that is realistic.
cd "$WS"
export CLAUDE_CONFIG_DIR="$CC"
"$BIN" hook SessionStart < "$OUT/start.json" > /dev/null
"$BIN" statusline < "$OUT/status.json" > /dev/null   # the first scan fills the ledger
# hyperfine 1.15 (Debian) has no --input: stdin comes through the shell, whose start-up hyperfine
# measures and subtracts.
hyperfine --warmup 20 --runs 300 --export-markdown "$OUT/hook.md" --export-json "$OUT/hook.json" \
  -n 'hook PostToolUse' "$BIN hook PostToolUse < $OUT/post.json" \
  -n 'hook Stop (git status)' "$BIN hook Stop < $OUT/stop.json" \
  -n 'statusline' "$BIN statusline < $OUT/status.json" \
  -n 'statusline (uncached: scan of 30 MB with the ledger)' "rm -f .specwork/hooks/statusline.json; $BIN statusline < $OUT/status.json" \
  -n 'git status (reference)' "git status --porcelain=v1 -z --untracked-files=all > /dev/null"
cat "$OUT/hook.md"
# Medians and the 90th percentile: the machine is shared, means carry other processes' noise.
python3 - "$OUT/hook.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"])
    print(f"{r['command']:<28} median {r['median']*1e3:6.2f} ms  p90 {t[int(len(t)*0.9)]*1e3:6.2f} ms  min {r['min']*1e3:6.2f} ms")
PY
# CPU time per call (user + system, from getrusage of the children): robust on a busy machine,
# where wall times mostly measure the wait for a core.
python3 - "$BIN" "$OUT" <<'PY'
import resource, subprocess, sys, time
bin_, out = sys.argv[1], sys.argv[2]
cases = [("hook PostToolUse", ["hook", "PostToolUse"], "post.json"),
         ("hook Stop (git status)", ["hook", "Stop"], "stop.json"),
         ("statusline", ["statusline"], "status.json"),
         ("statusline (uncached)", ["statusline"], "status.json")]
import os
for name, args, inp in cases:
    cpu, wall = [], []
    for _ in range(200):
        if "uncached" in name:
            try: os.remove(".specwork/hooks/statusline.json")
            except FileNotFoundError: pass
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        with open(f"{out}/{inp}", "rb") as f:
            subprocess.run([bin_, *args], stdin=f, stdout=subprocess.DEVNULL, check=True)
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    cpu.sort(); wall.sort()
    print(f"{name:<24} cpu median {cpu[100]*1e3:5.2f} ms  wall median {wall[100]*1e3:6.2f} ms  wall min {wall[0]*1e3:5.2f} ms")
PY
[ -s .specwork/hook.log ] && { echo "hook.log is not empty:"; cat .specwork/hook.log; exit 1; } || true
