#!/usr/bin/env bash
# Session commands on a workspace with a long history: N archived session journals (~10 events
# each) over 40 specs, plus one active session, for each N given (default 2,000).
#
#   bash bench/sessions.sh [N ...]          # e.g. bash bench/sessions.sh 500 2000 8000
#
# For each N it measures the reports that read the history — `status feature-00 --json`,
# `session-status`, `resume feature-00`, `eod` — with the journal index warm (hyperfine's warm-up
# runs build it), then prints one Markdown table of wall and CPU (user + sys) time over all N.
# With DAILY=1 it also measures the commands a person runs all day (do-task start/--done,
# log-task) and `rebuild`, as before.
#
# Environment: BIN (a specwork binary to measure instead of building this checkout's), RUNS
# (default 20), WORK (where the workspaces are generated, default a temp dir,
# removed at the end), NO_INDEX=1 (delete the journal index before every run: the cost
# without it).
# Needs hyperfine (apt-get install -y hyperfine) and python3; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || {
  echo "hyperfine is missing: apt-get install -y hyperfine" >&2
  exit 1
}
[ $# -gt 0 ] || set -- 2000
RUNS=${RUNS:-20}
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p specwork
  BIN=$PWD/target/release/specwork
fi
if [ -n "${WORK:-}" ]; then
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi

generate() { # generate DIR N
  python3 - "$1" "$2" <<'PY'
import json, os, sys, datetime
ws, n = sys.argv[1], int(sys.argv[2])
specs = [f"feature-{i:02d}" for i in range(40)]
for s in specs:
    d = os.path.join(ws, ".spec-workflow/specs", s)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tasks.md"), "w") as f:
        f.write(f"# Tasks Document: {s}\n\n")
        for t in range(1, 31):
            f.write(f"- [ ] {t}. Task {t} of {s}\n  - File: src/{s}/t{t}.rs\n  - _Requirements: {t}_\n")
start = datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.timezone.utc)
for i in range(n):
    spec = specs[i % len(specs)]
    t0 = start + datetime.timedelta(hours=6 * i)
    day = t0.strftime("%Y-%m-%d")
    key = f"s{i}.dev-abc123"
    d = os.path.join(ws, "docs/sessions/archive", day)
    os.makedirs(d, exist_ok=True)
    ts = lambda m: (t0 + datetime.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    ev = [dict(v=1, ts=ts(0), session=key, event="session_start", name=f"s{i}", owner="dev-abc123", user="Dev", host="abc123", spec=spec, spec_title=spec, agent="Claude", planned=[str(k) for k in range(1, 31)], progress=dict(done=0, total=30))]
    for k in range(1, 5):
        task = str((i // len(specs)) % 30 + 1)
        ev.append(dict(v=1, ts=ts(10 * k), session=key, event="task_start", spec=spec, task=task, title=f"Task {task}"))
        ev.append(dict(v=1, ts=ts(10 * k + 5), session=key, event="task_end", spec=spec, task=task, title=f"Task {task}", status="done", tokens=dict(total=40000), cost_usd=0.09, model="haiku", source="manual", progress=dict(done=1, total=30)))
    ev.append(dict(v=1, ts=ts(60), session=key, event="session_end", reason="user"))
    with open(os.path.join(d, key + ".log"), "w") as f:
        for e in ev:
            f.write(json.dumps(e) + "\n")
PY
}

export SPECWORK_USER=Bench SPECWORK_HOST=bench TZ=UTC SPECWORK_NOW=2030-01-01T10:00:00Z
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs; $(date -u +%Y-%m-%d); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
prepare=()
[ -n "${NO_INDEX:-}" ] && prepare=(--prepare "rm -f .specwork/journals.idx")
rows=()
for N in "$@"; do
  WS=$WORK/ws-$N
  rm -rf "$WS"
  generate "$WS" "$N"
  cd "$WS"
  # Archived journals are from earlier days: not just written (the journal index does not trust
  # modification times of the last two seconds, and would read them again on every run).
  find docs/sessions/archive -exec touch -d '1 hour ago' {} +
  "$BIN" start-session bench-1 spec feature-00 >/dev/null
  echo "workspace: $N archived journals in $(find docs/sessions/archive -mindepth 1 -maxdepth 1 -type d | wc -l) day folders, $(du -sh docs/sessions | cut -f1) of journals"
  # `eod --date` of a day without sessions: nothing to close or archive, so every run does the
  # same work (read the journals, write the daily summaries and PROGRESS.md when they changed).
  hyperfine -N --warmup 3 --runs "$RUNS" "${prepare[@]}" --export-json "$WORK/h-$N.json" \
    -n "status feature-00 --json" "$BIN status feature-00 --json" \
    -n "session-status" "$BIN session-status" \
    -n "resume feature-00" "$BIN resume feature-00" \
    -n "eod --date 2029-12-31" "$BIN eod --date 2029-12-31"
  rows+=("$N:$WORK/h-$N.json")
  if [ -n "${DAILY:-}" ]; then
    hyperfine -N --warmup 3 --runs "$RUNS" \
      "$BIN do-task feature-00 1" \
      "$BIN do-task feature-00 1 --done --tokens 40k" \
      "$BIN log-task 2 done 10k"
    hyperfine -N --warmup 1 --runs 5 "$BIN rebuild"
  fi
  cd - >/dev/null
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "${rows[@]}" <<'PY'
import json, sys
print("\n| journals | command | wall (mean ± σ) | user | sys | CPU (user+sys) |")
print("|---|---|---|---|---|---|")
for arg in sys.argv[1:]:
    n, path = arg.split(":", 1)
    for r in json.load(open(path))["results"]:
        ms = lambda s: f"{s * 1000:.1f} ms"
        print(f"| {int(n):,} | `{r['command']}` | {ms(r['mean'])} ± {r['stddev'] * 1000:.1f} | {ms(r['user'])} | {ms(r['system'])} | {ms(r['user'] + r['system'])} |")
PY
