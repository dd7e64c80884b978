#!/usr/bin/env python3
"""Measures the dashboard from a client: page server times and disk edit -> SSE latency.

Usage: dashboard_client.py SPECWORK_BIN WORKSPACE [--runs 30]

Starts `SPECWORK_BIN dashboard --port 0 --json` on WORKSPACE, then:
* page times: GET /, /specs/<a numbered spec>, /search?q=..., /api/status over one keep-alive
  connection (after 3 warm-up requests), wall time from request sent to last byte read;
* edit -> update: with GET /events open, rewrites a spec file on disk (a task title changes)
  and times until the `data:` message arrives, then until a fresh GET of the edited spec's
  page and of the portfolio have been read (what the open page does on that message).
Prints a Markdown table; stops the server at the end.
"""
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def fmt(xs):
    return f"{statistics.median(xs):.1f} | {pct(xs, 95):.1f} | {min(xs):.1f}"


def timed_get(conn, path):
    t = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (path, r.status)
    return (time.perf_counter() - t) * 1000, len(body)


def main():
    binary, ws = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 30
    proc = subprocess.Popen([binary, "--workspace", ws, "dashboard", "--port", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        head = ""
        while not head.rstrip().endswith("}"):
            head += proc.stdout.readline()
        port = json.loads(head)["port"]
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("GET", "/api/status")
        status = json.loads(conn.getresponse().read())
        specs = status["specs"]
        leaf = next(s for s in specs if s["layout"] == "numbered" and not s["is_area"])
        named = next((s for s in specs if s["layout"] == "spec-workflow"), None)
        print(f"workspace: {len(specs)} specs, {status['totals']['total']} tasks\n")
        print("| request | median ms | p95 ms | min ms | bytes |\n|---|---|---|---|---|")
        pages = ["/", f"/specs/{leaf['id']}"] + ([f"/specs/{named['id']}"] if named else [])
        for path in pages + ["/search?q=step+7", "/api/status"]:
            for _ in range(3):
                timed_get(conn, path)
            xs, size = [], 0
            for _ in range(runs):
                ms, size = timed_get(conn, path)
                xs.append(ms)
            print(f"| GET {path} | {fmt(xs)} | {size} |")

        # Edit -> SSE message -> fresh pages.
        ev = socket.create_connection(("127.0.0.1", port))
        ev.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        ev.settimeout(10)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += ev.recv(4096)
        buf = buf.split(b"\r\n\r\n", 1)[1]
        time.sleep(0.3)
        to_sse, to_spec, to_portfolio = [], [], []
        targets = [(os.path.join(ws, leaf["path"]), f"/specs/{leaf['id']}")]
        if named:
            targets.append((os.path.join(ws, named["path"], "tasks.md"), f"/specs/{named['id']}"))
        for i in range(runs):
            path, page = targets[i % len(targets)]
            text = open(path, encoding="utf-8").read()
            # Append to the first task line, or take the mark off again: a real edit each time.
            mark = " (edited)"
            first = next(l for l in text.splitlines() if l.lstrip().startswith(("- [", "* [")))
            text = text.replace(first, first[: -len(mark)] if first.endswith(mark) else first + mark, 1)
            t0 = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            while b"data:" not in buf:
                buf += ev.recv(65536)
            t1 = time.perf_counter()
            buf = buf.split(b"data:", 1)[1].split(b"\n", 1)[-1]
            timed_get(conn, page)
            t2 = time.perf_counter()
            timed_get(conn, "/")
            t3 = time.perf_counter()
            to_sse.append((t1 - t0) * 1000)
            to_spec.append((t2 - t0) * 1000)
            to_portfolio.append((t2 - t0 + (t3 - t2)) * 1000)
            time.sleep(0.15)
        print(f"| disk write → SSE `data:` received | {fmt(to_sse)} | |")
        print(f"| disk write → fresh spec page read | {fmt(to_spec)} | |")
        print(f"| disk write → fresh spec page + portfolio read | {fmt(to_portfolio)} | |")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
