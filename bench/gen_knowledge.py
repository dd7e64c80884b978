#!/usr/bin/env python3
"""Generates a spec-workflow workspace for the search benchmark: N named specs, each with
requirements, design and tasks documents and 5 implementation logs in spec-workflow-mcp's format
(3 functions, 1 class and 1 API endpoint each). One function, `parseInvoiceNumber`, exists once.

usage: gen_knowledge.py DIR [N]
"""
import os
import random
import sys

root = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
rnd = random.Random(42)
WORDS = "invoice patient booking search stream track album artist user session cache queue retry " \
        "payment refund ledger report export import sync schedule notify audit token render".split()


def name(kind):
    a, b = rnd.choice(WORDS), rnd.choice(WORDS)
    return f"{kind}{a.capitalize()}{b.capitalize()}{rnd.randint(0, 999)}"


os.makedirs(os.path.join(root, ".spec-workflow/specs"), exist_ok=True)
for i in range(n):
    spec = f"spec-{i:04d}"
    d = os.path.join(root, ".spec-workflow/specs", spec)
    logs = os.path.join(d, "Implementation Logs")
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(d, "requirements.md"), "w") as f:
        f.write(f"# Requirements Document: {spec}\n\n## Requirements\n\n")
        for r in range(8):
            w = rnd.sample(WORDS, 3)
            f.write(f"### Requirement {r + 1}\n\n**User Story:** As a user, I want {w[0]} {w[1]}, so that {w[2]}\n\n")
            f.write(f"1. WHEN {w[0]} happens THEN the system SHALL {w[1]} the {w[2]}\n\n")
    with open(os.path.join(d, "design.md"), "w") as f:
        f.write(f"# Design Document: {spec}\n\n## Components\n\n")
        for c in range(10):
            f.write(f"### {name('Component')}\n- **Purpose:** {' '.join(rnd.sample(WORDS, 6))}\n\n")
    with open(os.path.join(d, "tasks.md"), "w") as f:
        f.write(f"# Tasks Document: {spec}\n\n")
        for t in range(10):
            mark = "x" if t < 5 else " "
            f.write(f"- [{mark}] {t + 1}. Implement {' '.join(rnd.sample(WORDS, 3))}\n  - _Requirements: {t % 8 + 1}_\n")
    for t in range(5):
        uid = "%08x-0000-4000-8000-%012x" % (rnd.getrandbits(32), rnd.getrandbits(48))
        fns = [name("fn") for _ in range(3)]
        if i == 1234 and t == 2:
            fns[1] = "parseInvoiceNumber"
        body = [f"# Implementation Log: Task {t + 1}\n", f"**Summary:** Implemented {' '.join(rnd.sample(WORDS, 5))}\n",
                f"**Timestamp:** 2026-01-{t + 10}T10:00:00.000Z", f"**Log ID:** {uid}\n", "---\n", "## Statistics\n",
                "- **Lines Added:** +120", "- **Lines Removed:** -8", "- **Files Changed:** 3", "- **Net Change:** 112\n",
                "## Files Modified", f"- src/{rnd.choice(WORDS)}.ts\n", "## Files Created", f"- src/{rnd.choice(WORDS)}/{rnd.choice(WORDS)}.ts\n",
                "---\n", "## Artifacts\n", "### API Endpoints\n",
                f"#### POST /api/{rnd.choice(WORDS)}/{rnd.choice(WORDS)}", "- **Purpose:** creates it", "- **Location:** src/server.ts:12\n",
                "### Functions\n"]
        for fn in fns:
            body += [f"#### {fn}", f"- **Purpose:** {' '.join(rnd.sample(WORDS, 4))}", f"- **Location:** src/{rnd.choice(WORDS)}.ts:{rnd.randint(1, 400)}",
                     "- **Signature:** (x: string) => void", "- **Exported:** Yes\n"]
        body += ["### Classes\n", f"#### {name('Class')}", "- **Purpose:** manages state", "- **Location:** src/state.ts",
                 "- **Methods:** load, save", "- **Exported:** Yes\n"]
        with open(os.path.join(logs, f"task-{t + 1}_2026-01-{t + 10}T1000_{uid[:8]}.md"), "w") as f:
            f.write("\n".join(body) + "\n")
