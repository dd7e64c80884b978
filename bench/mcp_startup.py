"""Start-to-`tools/list` time and peak RSS of an MCP server over stdio.

Usage: python3 mcp_startup.py RUNS CWD -- COMMAND...

Each run spawns COMMAND in CWD, sends `initialize` (protocol 2025-11-25), waits for the answer,
sends `notifications/initialized` and `tools/list`, and stops the clock when the `tools/list`
answer arrives: what a client waits for before the agent can use the tools. Peak RSS is the
process's VmHWM at that moment. Prints one JSON object with median/min/max.
"""

import json
import statistics
import subprocess
import sys
import time

runs, cwd = int(sys.argv[1]), sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1 :]

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
LIST = {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}}


def send(p, msg):
    p.stdin.write((json.dumps(msg) + "\n").encode())
    p.stdin.flush()


def wait_for(p, id_):
    for line in p.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            continue  # a server that logs to stdout
        if msg.get("id") == id_:
            return line
    raise SystemExit(f"server closed stdout before answering {id_}")


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


times, rss, size = [], [], 0
for _ in range(runs):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    send(p, INIT)
    wait_for(p, 1)
    send(p, INITIALIZED)
    send(p, LIST)
    line = wait_for(p, 2)
    times.append((time.perf_counter() - t0) * 1000)
    rss.append(peak_rss_kb(p.pid) / 1024)
    size = len(line.rstrip(b"\n"))
    p.stdin.close()
    p.wait(timeout=10)

print(json.dumps({
    "runs": runs,
    "ms_median": round(statistics.median(times), 2),
    "ms_min": round(min(times), 2),
    "ms_max": round(max(times), 2),
    "rss_mb_median": round(statistics.median(rss), 2),
    "rss_mb_max": round(max(rss), 2),
    "tools_list_bytes": size,
}))
