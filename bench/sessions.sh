#!/usr/bin/env bash
# Session commands on a workspace with a long history: N archived session journals (default
# 2,000, ~10 events each) over 40 specs, plus one active session. Measures the commands a person
# runs all day (session-status, do-task start/--done, log-task) and the heavy ones (eod, rebuild).
#
#   bash bench/sessions.sh [N]
#
# Needs hyperfine; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
cargo build --release -q -p specwork
BIN=$PWD/target/release/specwork
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
python3 - "$WS" "$N" <<'PY'
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
export SPECWORK_USER=Bench SPECWORK_HOST=bench TZ=UTC SPECWORK_NOW=2030-01-01T10:00:00Z
cd "$WS"
"$BIN" start-session bench-1 spec feature-00 >/dev/null
echo "workspace: $N archived journals, $(du -sh docs/sessions | cut -f1) of journals"
hyperfine -N --warmup 3 --runs 30 \
  "$BIN session-status" \
  "$BIN status feature-00 --json" \
  "$BIN do-task feature-00 1" \
  "$BIN do-task feature-00 1 --done --tokens 40k" \
  "$BIN log-task 2 done 10k"
hyperfine -N --warmup 1 --runs 5 "$BIN rebuild" "$BIN eod --date 2029-12-31"
