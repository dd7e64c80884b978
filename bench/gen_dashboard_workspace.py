#!/usr/bin/env python3
"""Generates a large specwork workspace for the dashboard benchmark.

Usage: gen_dashboard_workspace.py DIR [--specs 2000] [--tasks 10]

Half the specs are numbered leaves in a tree (specs/A000/AB00/N.spec.md + N.context.md, with
area spec.md files above them), half are spec-workflow specs (.spec-workflow/specs/name/
requirements.md, design.md, tasks.md). Each leaf has --tasks tasks in a mix of states, wiki
links to its parent and context, and a context timeline with two sessions. Deterministic: the
same arguments give the same files.
"""
import argparse
import os
import random


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


MARKS = [" ", " ", " ", "x", "x", "x", "x", "-", "~"]


def tasks(rng, n):
    out = []
    for i in range(1, n + 1):
        m = rng.choice(MARKS)
        out.append(f"- [{m}] {i}. Implement step {i} of the feature")
        out.append(f"  - _Requirements: {rng.randint(1, 5)}_")
        if m == "~":
            out.append("  - _Blocked: waiting for review_")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--specs", type=int, default=2000)
    ap.add_argument("--tasks", type=int, default=10)
    a = ap.parse_args()
    rng = random.Random(42)
    root = a.dir
    write(os.path.join(root, "specwork.toml"), "[workspace]\nspecs_dir = \"specs\"\n")
    numbered = a.specs // 2
    named = a.specs - numbered
    # Numbered: areas of 100 leaves, groups of 10.
    for k in range(numbered):
        area = 1000 * (k // 100 + 1)
        group = area + (k % 100) // 10 + 1
        leaf = group * 10 + k % 10
        adir = os.path.join(root, "specs", str(area))
        gdir = os.path.join(adir, str(group))
        if k % 100 == 0:
            write(os.path.join(adir, "spec.md"), f"# {area} - Area {area}\n\nArea of specs.\n")
        if k % 10 == 0:
            write(os.path.join(gdir, "spec.md"),
                  f"# {group} - Group {group}\n\n**Parent**: [[../spec|{area} - Area {area}]]\n")
        write(os.path.join(gdir, f"{leaf}.spec.md"),
              f"# {leaf} - Feature {leaf}\n\n**Parent**: [[../{group}/spec|{group} - Group {group}]]  \n"
              f"**Context**: [[{leaf}.context|{leaf} Context]]\n\n## Overview\n\nFeature {leaf} of the product.\n\n"
              f"## Requirements\n\n1. WHEN a user asks THEN the system SHALL answer\n\n## Tasks\n\n"
              + tasks(rng, a.tasks))
        write(os.path.join(gdir, f"{leaf}.context.md"),
              f"# Context: Feature {leaf}\n\n**Spec**: [[{leaf}.spec|{leaf} - Feature {leaf}]]  \n**Status**: active  \n"
              f"**Created**: 2025-08-26 14:30  \n**Updated**: 2025-08-27 10:00\n\n## Summary\nWork on {leaf}.\n\n"
              "## Implementation Timeline\n\n### Session 1: 2025-08-26 - Planning\n**Duration**: 1.5 hours  \n"
              "**Status**: done\n\n#### Implementation\n- Planned the work\n\n#### Commits\n- `a1b2c3d`: Plan\n\n"
              "### Session 2: 2025-08-27 - Build\n**Duration**: 2 hours  \n**Status**: done\n\n#### Implementation\n"
              "- Built the feature\n")
    for k in range(named):
        d = os.path.join(root, ".spec-workflow", "specs", f"feature-{k:04d}")
        write(os.path.join(d, "requirements.md"),
              f"# Requirements Document: Feature {k}\n\n## Requirement 1\n\n**User Story:** As a user I want {k}.\n\n"
              "#### Acceptance Criteria\n\n1. WHEN asked THEN the system SHALL answer\n")
        write(os.path.join(d, "design.md"), f"# Design Document\n\n## Overview\n\nDesign of feature {k}.\n")
        write(os.path.join(d, "tasks.md"), "# Tasks Document\n\n" + tasks(rng, a.tasks))


if __name__ == "__main__":
    main()
