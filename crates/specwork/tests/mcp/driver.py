"""Drives the real `specwork mcp` server with the Python MCP client (PyPI `mcp`, 2.x).

Usage: python3 driver.py SPECWORK_BIN WORKSPACE [--mode legacy|auto]

Runs initialize, tools/list, a call of every listed tool, the path-confinement cases and the
prompts against a copy of the demo workspace, and exits non-zero on the first failed check.
Called by the Rust integration test `mcp::python_client_drives_every_tool`.
"""

import asyncio
import re
import time
import importlib.metadata
import json
import os
import sys

import mcp
from mcp import Client, MCPError, StdioServerParameters

BIN, WS = sys.argv[1], sys.argv[2]
MODE = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "legacy"

checks = 0


def check(cond, what, detail=""):
    global checks
    if not cond:
        raise SystemExit(f"FAILED: {what}\n{detail}")
    checks += 1


def ok(result, tool):
    """A successful tool result: structuredContent, and the same content as text."""
    text = "".join(c.text for c in result.content if c.type == "text")
    check(not result.is_error, f"{tool} succeeds", text)
    s = result.structured_content
    check(isinstance(s, dict), f"{tool} has structuredContent", repr(s))
    if "guide" in s:
        check(text == s["guide"], f"{tool} text is the guide")
    else:
        check(json.loads(text) == s, f"{tool} text is the structured content", text)
    check(len(text) <= 16 * 1024, f"{tool} reply is bounded", str(len(text)))
    return s


def err(result, tool, needle):
    """A failure inside a tool: isError with a message and a hint."""
    text = "".join(c.text for c in result.content if c.type == "text")
    check(result.is_error, f"{tool} fails", text)
    check(needle in text, f"{tool} error mentions {needle!r}", text)
    check("hint:" in text, f"{tool} error has a hint", text)
    return text


def read(rel):
    with open(os.path.join(WS, rel), encoding="utf-8") as f:
        return f.read()


# Arguments for a successful call of every tool. A tool the server lists without an entry here
# fails the run: each new tool must be exercised.
CALLS = {
    "spec-workflow-guide": {},
    "steering-guide": {},
    "spec-status": {"specName": "invoice-management", "projectPath": WS},
    "status": {},
    "resume": {"specName": "1014"},
    "tasks": {"specName": "invoice-management"},
    # The guide's session flow, on appointment-booking (1.2 in progress, 1.3 blocked, 1.4 pending).
    "start-session": {"name": "apt-1030", "specName": "appointment-booking", "note": "slots first"},
    "do-task": {"specName": "appointment-booking", "taskId": "1.4"},
    "log-task": {"taskId": "1.2", "status": "done", "tokens": "12k"},
    "session-status": {},
    "end-session": {"name": "apt-1030"},
    "cost": {"by": "day"},
    "approvals": {"action": "request", "filePath": ".spec-workflow/specs/invoice-management/requirements.md", "categoryName": "invoice-management"},
    "log-implementation": {
        "specName": "invoice-management", "taskId": "1.2", "summary": "Sequential numbering in InvoiceService.create",
        "filesModified": ["src/invoices/service.ts"], "filesCreated": ["src/invoices/numbering.ts"],
        "statistics": {"linesAdded": 42, "linesRemoved": 3},
        "artifacts": {"functions": [{"name": "nextInvoiceNumber", "purpose": "next number in sequence",
                                     "location": "src/invoices/numbering.ts:4", "isExported": True}]},
    },
    "search": {"query": "nextInvoiceNumber"},
    "deliverables": {"specName": "1014"},
}


def transcript_line(n, cwd, inp, out, read):
    """One Claude Code assistant line (the transcript format `specwork cost` reads)."""
    return json.dumps({
        "cwd": cwd, "sessionId": "s1", "version": "2.1.3", "type": "assistant", "requestId": f"req_{n}",
        "timestamp": f"2025-08-2{n}T10:00:00.000Z",
        "message": {"id": f"msg_{n}", "model": "claude-sonnet-4-5-20250929", "content": [],
                    "usage": {"input_tokens": inp, "output_tokens": out, "cache_read_input_tokens": read,
                              "cache_creation_input_tokens": 0}},
    }, separators=(",", ":"))  # compact, as Claude Code writes it


# Transcripts in $HOME/.claude (HOME is the workspace): two calls here, one in another project.
os.makedirs(os.path.join(WS, ".claude/projects/p"), exist_ok=True)
with open(os.path.join(WS, ".claude/projects/p/s1.jsonl"), "w") as f:
    f.write(transcript_line(5, WS, 1000, 500, 2000) + "\n")
    f.write(transcript_line(6, WS, 100, 50, 0) + "\n")
    f.write(transcript_line(6, "/elsewhere", 999, 999, 999).replace("msg_6", "msg_7").replace("req_6", "req_7") + "\n")


async def cli(env, *args, stdin=None):
    """Runs the specwork CLI in the workspace; returns its stdout."""
    p = await asyncio.create_subprocess_exec(BIN, *args, cwd=WS, env=env, stdin=asyncio.subprocess.PIPE,
                                             stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, e = await p.communicate(stdin)
    check(p.returncode == 0, f"specwork {' '.join(args)}", e.decode())
    return out


async def quota_per_session(env):
    """Claude Code's status line reports the subscription quotas (`rate_limits`); `session-status`
    shows the percentage points each open session used, the same figures as the CLI's."""
    def status_line(five, week):
        limits = {"five_hour": {"used_percentage": five, "resets_at": 1756227600},
                  "seven_day": {"used_percentage": week, "resets_at": 1756684800}}
        return json.dumps({"session_id": "q-agent", "cwd": WS, "workspace": {"current_dir": WS, "project_dir": WS},
                           "model": {"display_name": "Opus"}, "rate_limits": limits}).encode()
    at = lambda t: env | {"SPECWORK_NOW": f"2025-08-26T{t}:00Z"}
    await cli(at("15:00"), "statusline", stdin=status_line(20.0, 40.0))
    await cli(at("15:10"), "start-session", "quota-1", "spec", "invoice-management")
    await cli(at("15:40"), "statusline", stdin=status_line(26.5, 41.5))
    late = at("15:50")
    async with Client(StdioServerParameters(command=BIN, args=["mcp"], cwd=WS, env=late), mode=MODE, read_timeout_seconds=30) as c:
        s = ok(await c.call_tool("session-status", {}), "session-status with quotas")
    row = next((r for r in s["sessions"] if r["name"] == "quota-1"), None)
    check(row is not None and row["quota"] == {"fiveHour": 6.5, "sevenDay": 1.5}, "session-status shows the quota the session used", s)
    ours = json.loads(await cli(late, "session-status", "--json"))
    cli_row = next(r for r in ours["sessions"] if r["name"] == "quota-1")
    check(cli_row["quota"] == {"five_hour": 6.5, "seven_day": 1.5}, "the CLI shows the same quota", ours)


async def main():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": WS,
        "TZ": "UTC",
        "SPECWORK_NOW": "2025-08-26T14:30:00Z",
        "SPECWORK_USER": "Dana Lee",
        "SPECWORK_HOST": "ci",
    }
    params = StdioServerParameters(command=BIN, args=["mcp"], cwd=WS, env=env)
    async with Client(params, mode=MODE, read_timeout_seconds=30) as c:
        check(c.protocol_version == "2025-11-25", "negotiates 2025-11-25", c.protocol_version)
        check(c.server_info.name == "specwork", "serverInfo name", repr(c.server_info))

        tools = (await c.list_tools()).tools
        names = [t.name for t in tools]
        size = len(json.dumps({"tools": [t.model_dump(by_alias=True, exclude_none=True) for t in tools]}))
        check(size <= 6 * 1024, "tools/list is at most 6 KB", str(size))
        for t in tools:
            check(t.name in CALLS, f"driver calls {t.name}")

        for name in names:
            if name == "end-session":
                continue  # called once the session's work below is done
            s = ok(await c.call_tool(name, CALLS[name]), name)
            if name == "spec-status":
                check(s["currentPhase"] == "implementation" and s["overallStatus"] == "implementing", "spec-status phase", s)
                check([p["name"] for p in s["phases"]] == ["Requirements", "Design", "Tasks", "Implementation"], "spec-status phases", s)
                check(all(p["status"] == "created" and p["lastModified"] for p in s["phases"][:3]), "phase status", s)
                # The peer's form: JavaScript's toISOString, milliseconds included.
                check(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", p["lastModified"]) for p in s["phases"][:3]), "lastModified as the peer writes it", s)
                check(s["phases"][3]["status"] == "in-progress" and s["phases"][3]["progress"]["completed"] == 2, "implementation phase", s)
                check(s["taskProgress"] == {"total": 5, "completed": 2, "pending": 3}, "taskProgress", s)
                check(s["nextTask"]["id"] == "1.3", "spec-status next task", s)
            if name == "status":
                ids = [r["id"] for r in s["specs"]]
                check("1014" in ids and "invoice-management" in ids, "status lists the specs", ids)
            if name == "resume":
                check(s["done"] == 3 and s["total"] == 7 and s["nextTask"]["id"], "resume counts", s)
            if name == "start-session":
                check(s["name"] == "apt-1030" and s["planned"] == ["1.2", "1.3", "1.4"] and s["user"] == "Dana Lee", "start-session", s)
            if name == "do-task":
                check(s["task"]["status"] == "in-progress" and not s["sessionStarted"], "do-task starts in the session", s)
                check("- [-] 1.4 Nearest free slots" in read(".spec-workflow/specs/appointment-booking/tasks.md"), "do-task marks [-]")
            if name == "log-task":
                check(s["spec"] == "appointment-booking" and s["status"] == "done", "log-task takes the session's spec", s)
                check(s["tokens"] == 12000 and s["usageSource"] == "manual", "log-task records manual tokens", s)
            if name == "cost":
                check([r["key"] for r in s["rows"]] == ["2025-08-25", "2025-08-26", "(manual)"], "cost rows by day", s)
                check(s["totals"]["totalTokens"] == 3650 + 12000 and s["manualTokens"] == 12000, "cost totals: this workspace's calls plus the manual log", s)
            if name == "approvals":
                check(s["status"] == "pending" and s["approvalId"].startswith("approval_"), "approvals request", s)
                approval_id = s["approvalId"]
            if name == "log-implementation":
                check(s["task"] == "1.2" and s["file"].startswith(".spec-workflow/specs/invoice-management/Implementation Logs/task-1-2_"), "log written", s)
                check(s["linesAdded"] == 42 and s["source"] == "manual", "outside git the caller's counts are kept", s)
                check("# Implementation Log: Task 1.2" in read(s["file"]), "log file in the peer's format")
            if name == "search":
                check(any(h["kind"] == "log" and h.get("artifact", {}).get("name") == "nextInvoiceNumber" for h in s["hits"]), "search finds the artifact", s)
            if name == "deliverables":
                check(s["scripts"]["items"][0]["file"].endswith("deliverables/scripts/optimize-network.sh"), "deliverables script", s)
                check(s["config"]["count"] == 2 and {u["spec"] for u in s["usedBy"]} >= {"3001"}, "deliverables config and users", s)
            if name == "session-status":
                row = s["sessions"][0]
                check(row["name"] == "apt-1030" and row["mine"] and row["done"] == 1, "session-status row", s)
        done = ok(await c.call_tool("do-task", {"specName": "appointment-booking", "taskId": "1.4", "done": True, "tokens": "30k"}), "do-task done")
        check(done["status"] == "done" and done["progress"] == {"done": 3, "total": 4}, "do-task done", done)
        again = ok(await c.call_tool("session-status", {"mine": True}), "session-status mine")
        check(again["sessions"][0]["tokens"] == 42000 and again["today"]["tasksDone"] == 2, "session totals", again)
        ended = ok(await c.call_tool("end-session", CALLS["end-session"]), "end-session")
        check(ended["name"] == "apt-1030" and ended["tasksDone"] == 2 and ended["tokens"] == 42000, "end-session", ended)
        err(await c.call_tool("end-session", {}), "no open session left", "no open session")
        err(await c.call_tool("do-task", {"specName": "appointment-booking", "taskId": "1.4"}), "do-task on a done task", "already done")
        err(await c.call_tool("start-session", {"name": "apt-1030", "specName": "appointment-booking"}), "same session twice", "already exists")
        err(await c.call_tool("start-session", {"name": "../x", "specName": "appointment-booking"}), "session name as path", "invalid")
        err(await c.call_tool("do-task", {"specName": "appointment-booking", "taskId": "1.3", "done": True, "tokens": "lots"}), "bad tokens", "token count")
        # Approvals: status, a wait that times out, a wait that returns when the user decides.
        st = ok(await c.call_tool("approvals", {"action": "status", "approvalId": approval_id}), "approvals status")
        check(st["mustWait"] and not st["canProceed"] and not st["isCompleted"], "pending status", st)
        t0 = time.monotonic()
        w = ok(await c.call_tool("approvals", {"action": "wait", "approvalId": approval_id, "timeoutSeconds": 1}), "approvals wait timeout")
        check(w["timedOut"] and w["status"] == "pending" and 0.9 < time.monotonic() - t0 < 5, "wait times out after 1 s", w)
        waiting = asyncio.create_task(c.call_tool("approvals", {"action": "wait", "approvalId": approval_id, "timeoutSeconds": 60}))
        await asyncio.sleep(0.5)
        check(not waiting.done(), "wait blocks while pending")
        t0 = time.monotonic()
        p = await asyncio.create_subprocess_exec(BIN, "approval", "approve", "invoice-management", "requirements", "-c", "looks good",
                                                 cwd=WS, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        _, e = await p.communicate()
        check(p.returncode == 0, "approve from the CLI", e.decode())
        w = ok(await waiting, "approvals wait decided")
        check(w["status"] == "approved" and w["canProceed"] and "timedOut" not in w, "wait returns the decision", w)
        check(time.monotonic() - t0 < 5, "wait returns soon after the decision", str(time.monotonic() - t0))
        ph = ok(await c.call_tool("spec-status", {"specName": "invoice-management"}), "spec-status after approval")["phases"]
        check(ph[0]["status"] == "approved" and ph[1]["status"] == "created", "spec-status shows the approval", ph)
        ok(await c.call_tool("approvals", {"action": "delete", "approvalId": approval_id}), "approvals delete")
        ph = ok(await c.call_tool("spec-status", {"specName": "invoice-management"}), "spec-status after delete")["phases"]
        check(ph[0]["status"] == "approved", "approval stays durable after delete (snapshot)", ph)
        # Sent back for revision, or rejected: the peer's flags say wait (revise, then ask again).
        for decision, completed in [("revise", False), ("reject", True)]:
            asked = ok(await c.call_tool("approvals", {"action": "request", "type": "action", "filePath": ".spec-workflow/specs/invoice-management/requirements.md"}), f"request before {decision}")
            with open(os.path.join(WS, ".spec-workflow/approvals/invoice-management", asked["approvalId"] + ".json")) as f:
                check(json.load(f)["type"] == "action", "the record keeps the requested type", asked)
            p = await asyncio.create_subprocess_exec(BIN, "approval", decision, "invoice-management", "requirements", "-c", "split story 2",
                                                     cwd=WS, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, e = await p.communicate()
            check(p.returncode == 0, f"{decision} from the CLI", e.decode())
            st = ok(await c.call_tool("approvals", {"action": "status", "approvalId": asked["approvalId"]}), f"status after {decision}")
            check(st["mustWait"] and st["blockNext"] and not st["canProceed"] and st["isCompleted"] == completed, f"{decision}d status flags as the peer's", st)
            check("split story 2" in st["response"], f"{decision}d with the reviewer's words", st)
        pend = ok(await c.call_tool("approvals", {"action": "request", "filePath": ".spec-workflow/specs/invoice-management/design.md"}), "request with inferred categoryName")
        err(await c.call_tool("approvals", {"action": "delete", "approvalId": pend["approvalId"]}), "delete pending", "still pending")
        err(await c.call_tool("approvals", {"action": "status", "approvalId": "approval_0_nope"}), "unknown approval", "no approval")
        # Peer issue #201: filePath read any file. Peer issue #220: categoryName wrote anywhere.
        records = lambda: sorted(os.listdir(os.path.join(WS, ".spec-workflow/approvals/invoice-management")))
        before = records()
        for bad in ["../../../../etc/passwd", "/etc/passwd", ".spec-workflow/specs/invoice-management/../../../../etc/passwd",
                    ".spec-workflow/specs/appointment-booking/requirements.md", ".spec-workflow/approvals/x.json"]:
            err(await c.call_tool("approvals", {"action": "request", "filePath": bad, "categoryName": "invoice-management"}), f"#201 filePath {bad!r}", "unknown document")
        outside = f"sw-220-{os.getpid()}"
        for bad in [f"../../../{outside}", f"..%2F..%2F{outside}", "/tmp", "invoice-management/../.."]:
            err(await c.call_tool("approvals", {"action": "request", "filePath": ".spec-workflow/specs/invoice-management/design.md", "categoryName": bad}), f"#220 categoryName {bad!r}", "invalid spec name")
        check(records() == before, "no approval record was written for a refused request", records())
        check(not os.path.exists(os.path.join(os.path.dirname(WS), outside)), "nothing written outside the workspace")
        # A file that is not a spec document is accepted, as the peer accepts it (it must exist).
        with open(os.path.join(WS, "README.md"), "w") as f:
            f.write("# Demo\n")
        readme = ok(await c.call_tool("approvals", {"action": "request", "filePath": "README.md", "categoryName": "invoice-management",
                                                     "title": "README update", "type": "action", "category": "spec"}), "request for README.md")
        check(readme["status"] == "pending" and readme["file"] == "README.md" and readme["created"], "README.md request", readme)
        with open(os.path.join(WS, ".spec-workflow/approvals/invoice-management", readme["approvalId"] + ".json")) as f:
            rec = json.load(f)
        check(rec["filePath"] == "README.md" and rec["title"] == "README update" and rec["type"] == "action" and rec["category"] == "spec", "README.md record as the peer writes it", rec)
        check(list(rec) == ["id", "title", "filePath", "type", "status", "createdAt", "category", "categoryName"], "the keys of the peer's pending record, in its order", list(rec))
        again = ok(await c.call_tool("approvals", {"action": "request", "filePath": "./README.md", "categoryName": "invoice-management"}), "README.md again")
        check(again["approvalId"] == readme["approvalId"] and not again["created"], "a pending request is not duplicated", again)
        err(await c.call_tool("approvals", {"action": "request", "filePath": "docs/missing.md", "categoryName": "invoice-management"}), "request for a missing file", "does not exist")
        p = await asyncio.create_subprocess_exec(BIN, "approval", "list", "--json", cwd=WS, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, e = await p.communicate()
        check(p.returncode == 0, "approval list with a README.md record", e.decode())
        row = next(a for a in json.loads(out)["approvals"] if a["id"] == readme["approvalId"])
        check("doc" in row and row["doc"] is None and row["response"] is None and row["responded_at"] is None, "README.md row: doc null, pending nulls", row)
        gate = err(await c.call_tool("do-task", {"specName": "invoice-management", "taskId": "1.4"}), "gate: tasks not approved", "not approved")
        check("approvals" in gate and "force" in gate, "gate hint names the approvals tool and force", gate)
        guide = ok(await c.call_tool("spec-workflow-guide", {}), "spec-workflow-guide")["guide"]
        for n in names:
            check(f"`{n}`" in guide, f"guide mentions {n}")

        # Paging: limit 2 gives a cursor; following cursors visits every spec exactly once.
        seen, cursor = [], None
        while True:
            args = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = ok(await c.call_tool("status", args), "status page")
            seen += [r["id"] for r in page["specs"]]
            cursor = page.get("nextCursor")
            if not cursor:
                break
        check(len(seen) == page["specCount"] == len(set(seen)), "paging visits every spec once", seen)
        one = ok(await c.call_tool("status", {"specName": "1014"}), "status 1014")
        check(one["tasks"]["total"] == 7 and one["completed"]["count"] == 3, "one spec's report", one)

        # tasks: show, set (edits only the marker), list filtered, set back (byte-identical).
        tasks_md = ".spec-workflow/specs/invoice-management/tasks.md"
        before = read(tasks_md)
        shown = ok(await c.call_tool("tasks", {"action": "show", "specName": "invoice-management", "taskId": "1.3"}), "tasks show")
        check(shown["title"] == "Add POST /api/invoices endpoint", "tasks show title", shown)
        set_ = ok(
            await c.call_tool(
                "tasks",
                {"action": "set", "specName": "invoice-management", "taskId": "1.3", "status": "blocked", "reason": "API_KEY\nmissing"},
            ),
            "tasks set",
        )
        check(set_["from"] == "pending" and set_["to"] == "blocked", "tasks set reports the change", set_)
        after = read(tasks_md)
        check("- [~] 1.3 Add POST /api/invoices endpoint\n  - _Blocked: API_KEY missing_\n" in after, "blocked marker and one-line reason written", after)
        blocked = ok(await c.call_tool("tasks", {"specName": "invoice-management", "status": "blocked"}), "tasks list blocked")
        check([t["id"] for t in blocked["tasks"]] == ["1.3"], "list filter", blocked)
        ok(await c.call_tool("tasks", {"action": "set", "specName": "invoice-management", "taskId": "1.3", "status": "pending"}), "tasks set back")
        check(read(tasks_md) == before, "set back restores the file byte for byte")

        # Errors a model can act on, and confinement to the workspace (peer issues #201, #220).
        err(await c.call_tool("spec-status", {"specName": "invoice-managment"}), "spec-status typo", "did you mean invoice-management")
        err(await c.call_tool("spec-status", {}), "spec-status no name", "missing argument `specName`")
        err(await c.call_tool("tasks", {"specName": "invoice-management", "bogus": 1}), "unknown argument", "unknown argument `bogus`")
        # Bad arguments are isError results that name the argument and list what the tool takes.
        e = err(await c.call_tool("spec-status", {"specName": 5}), "specName of the wrong type", "argument `specName` must be a string")
        check("hint: spec-status takes specName, projectPath" in e, "the hint lists the tool's arguments, required first", e)
        e = err(await c.call_tool("do-task", {"specName": "appointment-booking"}), "missing taskId", "missing argument `taskId`")
        check("hint: do-task takes specName, taskId, " in e, "do-task's hint", e)
        for bad in ["lots", 500, -1, 2.5]:
            err(await c.call_tool("status", {"limit": bad}), f"limit {bad!r}", "argument `limit` must be an integer from 0 to 100")
        err(await c.call_tool("tasks", {"specName": "invoice-management", "action": "frobnicate"}), "unknown action", "argument `action` must be one of list, show, set")
        err(await c.call_tool("log-task", {"taskId": "1.2", "status": "finished-ish"}), "unknown status", "argument `status` must be one of pending, in-progress, done, blocked")
        err(await c.call_tool("session-status", {"mine": "yes"}), "mine as words", "argument `mine` must be true or false")
        err(await c.call_tool("log-implementation", {"specName": "invoice-management", "taskId": "1.2", "summary": "x", "filesCreated": ["a.ts", 1]}),
            "filesCreated with a number", "argument `filesCreated` must be an array of strings")
        err(await c.call_tool("log-implementation", {"specName": "invoice-management", "taskId": "1.2", "summary": "x", "statistics": [42]}),
            "statistics as a list", "argument `statistics` must be an object")
        err(await c.call_tool("spec-workflow-guide", {"verbose": True}), "an argument to a tool that takes none", "spec-workflow-guide takes no arguments")
        err(await c.call_tool("status", {"projectPath": 5}), "projectPath of the wrong type", "unknown argument `projectPath`")
        # Numbers and flags sent as strings are read, and null is as good as absent.
        page = ok(await c.call_tool("status", {"limit": "2", "specName": None, "projectPath": WS}), "limit as a string")
        check(len(page["specs"]) == 2 and page["nextCursor"] == "2", "a string limit pages", page)
        ok(await c.call_tool("session-status", {"mine": "true"}), "mine as a string")
        err(await c.call_tool("tasks", {"action": "show", "specName": "invoice-management", "taskId": "9.9"}), "no task", "no task `9.9`")
        for bad in ["../../etc", "/etc", "..%2f..%2fetc", "a/b", "..\\x"]:
            err(await c.call_tool("spec-status", {"specName": bad}), f"spec name {bad!r}", "invalid spec name")
        for bad in ["../1.1", "1/../../x"]:
            err(await c.call_tool("tasks", {"action": "set", "specName": "invoice-management", "taskId": bad, "status": "done"}), f"task id {bad!r}", "invalid task id")
        for bad in ["/", "/etc", os.path.dirname(WS), WS + "/../", "../"]:
            err(await c.call_tool("spec-status", {"specName": "invoice-management", "projectPath": bad}), f"projectPath {bad!r}", "outside the workspace")
        try:
            await c.call_tool("no-such-tool", {})
            check(False, "unknown tool is a protocol error")
        except MCPError as e:
            check("unknown tool" in str(e), "unknown tool error names the tools", str(e))

        # Prompts, as /mcp__specwork__<name> in Claude Code.
        prompts = [p.name for p in (await c.list_prompts()).prompts]
        check(prompts == ["create-spec", "create-steering-doc", "implement-task", "spec-status", "inject-spec-workflow-guide",
                          "inject-steering-guide", "refresh-tasks"], "the peer's prompts, in its order", prompts)
        text = lambda r: r.messages[0].content.text
        p = text(await c.get_prompt("create-spec", {"specName": "promo-codes", "documentType": "requirements", "description": "discount codes"}))
        check(".spec-workflow/specs/promo-codes/requirements.md" in p and "SHALL" in p, "create-spec prompt", p)
        p = text(await c.get_prompt("implement-task", {"specName": "invoice-management"}))
        check("task 1.3" in p and "`do-task` {specName: invoice-management, taskId: 1.3}" in p, "implement-task prompt picks the next task", p)
        p = text(await c.get_prompt("spec-status", {"specName": "invoice-management", "detailed": "true"}))
        check("`spec-status`" in p and "`tasks`" in p, "spec-status prompt", p)
        p = text(await c.get_prompt("create-steering-doc", {"docType": "tech", "scope": "backend"}))
        check(".spec-workflow/steering/tech.md" in p and "Scope: backend" in p and "categoryName: steering" in p and "```" in p, "create-steering-doc prompt", p)
        steering = ok(await c.call_tool("steering-guide", {}), "steering-guide")["guide"]
        check(all(d in steering for d in ["product.md", "tech.md", "structure.md", "`approvals`"]), "steering guide", steering)
        check(text(await c.get_prompt("inject-steering-guide", {})) == steering, "inject-steering-guide is the steering guide")
        check(text(await c.get_prompt("inject-spec-workflow-guide", {})) == guide, "inject-spec-workflow-guide is the guide")
        try:
            await c.get_prompt("create-steering-doc", {"docType": "security"})
            check(False, "create-steering-doc refuses an unknown docType")
        except MCPError as e:
            check("unknown docType" in str(e), "create-steering-doc error", str(e))
        p = text(await c.get_prompt("refresh-tasks", {"specName": "invoice-management", "changes": "PDF export dropped"}))
        check("PDF export dropped" in p and "- [x] 1.1" in p, "refresh-tasks prompt lists the tasks", p)
        try:
            await c.get_prompt("create-spec", {"specName": "../x", "documentType": "requirements"})
            check(False, "prompt refuses a path as spec name")
        except MCPError as e:
            check("invalid spec name" in str(e), "prompt error", str(e))

    await quota_per_session(env)
    print(f"mcp driver ({MODE}, python mcp {importlib.metadata.version('mcp')}): {checks} checks passed")


asyncio.run(main())
