#!/usr/bin/env bash
# Refreshes the dashboard's vendored mermaid (diagrams in rendered Markdown) from the npm package
# `mermaid` (MIT): its minified browser bundle `dist/mermaid.min.js` and its LICENSE, with the
# version written on the licence's first line. The build embeds both (no network at run time).
#
#     bash scripts/refresh-mermaid.sh            # the version pinned below
#     bash scripts/refresh-mermaid.sh 11.12.2    # another one
#
# Needs npm (only `npm pack`: nothing is installed). Check a new version in the browser test
# (`cargo test -p specwork --test it dashboard_in_headless_chromium`): it must draw its SVG under
# the dashboard's Content-Security-Policy (no eval, no inline script).
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-11.12.2}
assets=crates/specwork-dashboard/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mermaid@$version" >/dev/null)
tar xzf "$tmp/mermaid-$version.tgz" -C "$tmp" package/dist/mermaid.min.js package/LICENSE
cp "$tmp/package/dist/mermaid.min.js" "$assets/mermaid.min.js"
{
  echo "mermaid $version (npm package \`mermaid\`, dist/mermaid.min.js), https://github.com/mermaid-js/mermaid"
  echo
  cat "$tmp/package/LICENSE"
} > "$assets/mermaid.LICENSE"
echo "mermaid $version: $(wc -c < "$assets/mermaid.min.js") bytes in $assets/mermaid.min.js"
