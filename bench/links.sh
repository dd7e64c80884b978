#!/usr/bin/env bash
# `specwork check`, `deliverables SPEC` and `status SPEC` (git last commit) on a large numbered
# tree: N leaf specs (default 2,000) in 20 areas, each with a context file, three deliverables
# with headers and links, and links to three other specs; plus a git repository of 2,000
# commits with Spec: trailers.
#
#   bash bench/links.sh [N]
#
# Needs hyperfine and git; builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
cargo build --release -q -p specwork
BIN=$PWD/target/release/specwork
WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
python3 - "$WS" "$N" <<'PY'
import os, sys
ws, n = sys.argv[1], int(sys.argv[2])
areas = 20
per = n // areas
def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
w(os.path.join(ws, "specwork.toml"), "")
for a in range(areas):
    area = 1000 * (a + 1)
    w(f"{ws}/specs/{area}/spec.md", f"# {area} - Area {a}\n\n**Parent**: none\n")
    for i in range(per):
        sid = area + i + 1
        d = f"{ws}/specs/{area}"
        other = [1000 * (((a + k) % areas) + 1) + ((i * 7 + k) % per) + 1 for k in (1, 2, 3)]
        deps = "".join(
            f"- [[../{(o // 1000) * 1000}/{o}.spec|{o} - Spec {o}]]\n  - Uses: setup-{o}.sh — needed first\n" for o in other
        )
        w(f"{d}/{sid}.spec.md",
          f"# {sid} - Spec {sid}\n\n**Parent**: [[../{area}/spec|{area} - Area {a}]]  \n**Context**: [[{sid}.context|{sid} Context]]\n\n"
          f"## Overview\n\nSee [the guide](deliverables/docs/guide-{sid}.md) and [[#Tasks]].\n\n## Dependencies\n{deps}\n"
          f"## Tasks\n\n- [x] 1. First\n- [ ] 2. Second\n\n## Deliverables\n\n### Scripts\n- [[deliverables/scripts/setup-{sid}.sh|Setup]]\n\n"
          f"### Documentation\n- [[deliverables/docs/guide-{sid}|Guide]]\n\n### Configuration\n- [[deliverables/config/app-{sid}.conf|Config]]\n")
        w(f"{d}/{sid}.context.md",
          f"# Context: Spec {sid}\n\n**Spec**: [[{sid}.spec|{sid} - Spec {sid}]]  \n**Status**: active\n\n## Implementation Timeline\n\n"
          f"### Session 1: 2025-08-26 - Start\n**Duration**: 1 hour  \n**Status**: done\n\n#### Implementation\n"
          f"- Created [[deliverables/scripts/setup-{sid}.sh|Setup]]\n")
        hdr = lambda c, p: (f"{c} Generated from: specs/{area}/{sid}.spec.md\n{c} Context: specs/{area}/{sid}.context.md\n"
                            f"{c} Purpose: {p}\n{c} Created: 2025-08-26\n")
        w(f"{d}/deliverables/scripts/setup-{sid}.sh",
          "#!/bin/bash\n" + hdr("#", "Setup") + "set -euo pipefail\nmkdir -p /srv/x && rsync -a /a /b | tee log\n" * 20)
        w(f"{d}/deliverables/docs/guide-{sid}.md", hdr("<!--", "Guide").replace("\n", " -->\n") + "\n# Guide\n\n" + "Words of the guide. " * 400 + "\n")
        w(f"{d}/deliverables/config/app-{sid}.conf", hdr("#", "Config") + "key = value\n" * 30)
PY
(
  cd "$WS"
  git init -q -b main && git config user.name Bench && git config user.email bench@example.com
  git add -A && git commit -q -m "Import"
  # 2,000 empty commits with trailers, the target spec's last one early in history.
  for i in $(seq 1 2000); do
    echo "commit refs/heads/main"; echo "committer Bench <bench@example.com> $((1700000000 + i)) +0000"
    msg="Work $i"$'\n\n'"Spec: $((1001 + i % 100))"
    echo "data ${#msg}"; echo "$msg"
    [ "$i" = 1 ] && echo "from refs/heads/main^0"
    echo "M 644 inline notes/log.txt"; echo "data ${#i}"; echo "$i"
    echo
  done | git fast-import --quiet --force
  git reset -q --hard main
)
FILES=$(find "$WS" -type f -not -path '*/.git/*' | wc -l)
echo "workspace: $N specs, $FILES files, $(git -C "$WS" rev-list --count HEAD) commits"
"$BIN" --workspace "$WS" check --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print("check:", v["files_checked"], "files,", v["links_checked"], "links,", v["deliverables_checked"], "deliverables,", len(v["problems"]), "problems")'
hyperfine -N -w 2 -r 10 --export-markdown /tmp/links-bench.md \
  "$BIN --workspace $WS check --json" \
  "$BIN --workspace $WS deliverables 1050 --json" \
  "$BIN --workspace $WS status 1050 --json" \
  "env GIT_DIR=/nonexistent $BIN --workspace $WS status 1050 --json"
cat /tmp/links-bench.md
