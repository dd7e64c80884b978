#!/usr/bin/env python3
"""Generates a large numbered-spec workspace for benchmarks.

    python3 bench/gen_workspace.py DIR [--specs 2000] [--tasks 20000] [--seed 1]

The shape follows the seed (spec-work-example.md): areas `specs/1000/spec.md`, sub-areas
`specs/1000/1001/spec.md`, leaf specs `specs/1000/1001/1105.spec.md` with a `## Tasks` section
(nested sub-tasks, `_Requirements:_`, `File:`, `_Leverage:_`, one-line `_Prompt:_`, `_Blocked:_`
reasons, every marker) and `## Deliverables` wiki links, and `1105.context.md` timelines for most
leaves (sessions with durations, implementation notes, commits). `--specs` counts every spec,
areas included; `--tasks` counts every checkbox, nested ones included. Output is deterministic for
a given seed.
"""

import argparse
import os
import random

WORDS = (
    "storage network cache index query ingest export schema backup restore monitor alert "
    "latency throughput queue worker scheduler token budget report session journal parser "
    "config deploy rollout migration snapshot replica shard metric trace audit policy"
).split()


def title(rng, n=3):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize()


def sentence(rng, n=12):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def task_block(rng, number, level, marker, reason=None):
    indent = "  " * level
    lines = [f"{indent}- [{marker}] {number}. {title(rng, 4)} for the {rng.choice(WORDS)} layer"]
    sub = indent + "  "
    if marker == "~":
        lines.append(f"{sub}- _Blocked: {reason}_")
    if rng.random() < 0.7:
        lines.append(f"{sub}- File: deliverables/scripts/{rng.choice(WORDS)}_{rng.choice(WORDS)}.sh")
    if rng.random() < 0.6:
        lines.append(f"{sub}- _Requirements: {rng.randint(1, 5)}.{rng.randint(1, 4)}, {rng.randint(1, 5)}_")
    if rng.random() < 0.4:
        lines.append(f"{sub}- _Leverage: src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_util.rs_")
    if rng.random() < 0.5:
        lines.append(
            f"{sub}- _Prompt: Role: {rng.choice(WORDS)} engineer | Task: {sentence(rng, 8)} | "
            f"Restrictions: {sentence(rng, 6)} | Success: {sentence(rng, 5)}_"
        )
    if rng.random() < 0.5:
        lines.append(f"{sub}- {sentence(rng, 10)}")
    return lines


def leaf_spec(rng, sid, sub_id, sub_title, n_tasks):
    statuses = rng.choice(["done", "active", "active", "planning", "blocked"])
    body = [
        f"# {sid} - {title(rng)}",
        "",
        f"**Parent**: [[../{sub_id}/spec|{sub_id} - {sub_title}]]  ",
        f"**Context**: [[{sid}.context|{sid} Context]]  ",
        f"**Status**: {statuses}",
        "",
        "## Overview",
        "",
        sentence(rng, 25),
        sentence(rng, 18),
        "",
        "## Requirements",
        "",
    ]
    for r in range(1, rng.randint(3, 6)):
        body.append(f"{r}. WHEN the {rng.choice(WORDS)} {rng.choice(WORDS)}s THEN the system SHALL {sentence(rng, 6).lower()}")
    body += ["", "## Tasks", ""]
    written = 0
    number = 0
    done_until = {"done": n_tasks, "active": n_tasks // 2, "planning": 0, "blocked": n_tasks // 3}[statuses]
    while written < n_tasks:
        number += 1
        marker = "x" if written < done_until else (" " if rng.random() < 0.85 else "-")
        if statuses == "blocked" and written == done_until:
            marker = "~"
        body += task_block(rng, number, 0, marker, reason=f"waiting on {rng.choice(WORDS)} access")
        written += 1
        # Nested sub-tasks count as tasks too.
        for s in range(1, min(rng.choice([0, 0, 0, 2, 3]), n_tasks - written) + 1):
            body += task_block(rng, f"{number}.{s}", 1, "x" if marker == "x" else " ")
            written += 1
    body += [
        "",
        "## Deliverables",
        "",
        "### Scripts",
        f"- [[deliverables/scripts/{rng.choice(WORDS)}.sh|{title(rng, 2)}]]",
        "",
        "### Configuration",
        f"- [[deliverables/config/{rng.choice(WORDS)}.conf|{title(rng, 2)}]]",
        "",
    ]
    return "\n".join(body)


def context(rng, sid, spec_title, sub_id, sub_title):
    out = [
        f"# Context: {spec_title}",
        "",
        f"**Spec**: [[{sid}.spec|{sid} - {spec_title}]]  ",
        f"**Parent**: [[../{sub_id}/spec|{sub_id} - {sub_title}]]  ",
        f"**Status**: {rng.choice(['planning', 'active', 'done'])}  ",
        "**Created**: 2025-08-26 14:30  ",
        "**Updated**: 2025-09-02 17:00",
        "",
        "## Summary",
        sentence(rng, 20),
        "",
        "## Implementation Timeline",
        "",
    ]
    for n in range(1, rng.randint(1, 4)):
        out += [
            f"### Session {n}: 2025-08-{25 + n:02d} - {title(rng)}",
            f"**Duration**: {rng.choice(['45 min', '1.5 hours', '2.5 hours', '3h 15m'])}  ",
            "**Participants**: User, Claude  ",
            "**Status**: done",
            "",
            "#### Planning",
            f"- {sentence(rng, 8)}",
            "",
            "#### Implementation",
            f"- {sentence(rng, 10)}",
            f"  - {sentence(rng, 6)}",
            f"- Created [[deliverables/scripts/{rng.choice(WORDS)}.sh|{title(rng, 2)}]]",
            "",
            "#### Commits",
            f"- `{rng.getrandbits(28):07x}`: {sentence(rng, 6)}",
            "",
        ]
    return "\n".join(out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--specs", type=int, default=2000)
    ap.add_argument("--tasks", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    # 1/25 of the specs are areas and sub-areas: 16 areas of 4 sub-areas for 2,000 specs.
    areas = max(1, a.specs // 125)
    subs_per_area = 4
    leaves = a.specs - areas * (1 + subs_per_area)
    per_sub = [leaves // (areas * subs_per_area)] * (areas * subs_per_area)
    for i in range(leaves - sum(per_sub)):
        per_sub[i] += 1
    if max(per_sub) > 200:
        ap.error("at most 200 leaves per sub-area: raise the area count for that many specs")
    base, extra = divmod(a.tasks, leaves)

    write(os.path.join(a.dir, "specwork.toml"), "# generated by bench/gen_workspace.py\n[workspace]\nspecs_dir = \"specs\"\n")
    leaf_index = 0
    n_specs = n_tasks = 0
    for ai in range(areas):
        area_id = (ai + 1) * 1000
        area_dir = os.path.join(a.dir, "specs", str(area_id))
        write(os.path.join(area_dir, "spec.md"), f"# {area_id} - {title(rng, 2)}\n\n## Overview\n\n{sentence(rng, 20)}\n")
        n_specs += 1
        for si in range(subs_per_area):
            sub_id = area_id + si + 1
            sub_title = title(rng, 2)
            sub_dir = os.path.join(area_dir, str(sub_id))
            write(
                os.path.join(sub_dir, "spec.md"),
                f"# {sub_id} - {sub_title}\n\n**Parent**: [[../spec|{area_id}]]\n\n## Overview\n\n{sentence(rng, 20)}\n",
            )
            n_specs += 1
            for k in range(per_sub[ai * subs_per_area + si]):
                sid = area_id + 100 + si * 200 + k
                tasks = base + (1 if leaf_index < extra else 0)
                text = leaf_spec(rng, sid, sub_id, sub_title, tasks)
                write(os.path.join(sub_dir, f"{sid}.spec.md"), text)
                if rng.random() < 0.8:
                    spec_title = text.split("\n", 1)[0].split(" - ", 1)[1]
                    write(os.path.join(sub_dir, f"{sid}.context.md"), context(rng, sid, spec_title, sub_id, sub_title))
                leaf_index += 1
                n_specs += 1
                n_tasks += tasks
    print(f"{a.dir}: {n_specs} specs ({areas} areas, {areas * subs_per_area} sub-areas, {leaves} leaves), {n_tasks} tasks")


if __name__ == "__main__":
    main()
