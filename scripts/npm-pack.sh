#!/usr/bin/env bash
# Builds the linux-x64 binary, packs the npm launcher and the linux-x64 platform package, installs
# both tarballs into an empty project (offline) and runs the binary through npx. Prints the paths
# of the tarballs. Needs node/npm; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
out=${NPM_OUT:-$root/target/npm}
rm -rf "$out" && mkdir -p "$out"

if [ -z "${SPECWORK_BINARY:-}" ]; then
  cargo build --release --locked -p specwork
  SPECWORK_BINARY=$root/target/release/specwork
fi

# The platform package: the template with os/cpu filled in, and the binary.
plat=$out/cli-linux-x64
mkdir -p "$plat/bin"
sed -e "s/@OS@/linux/g; s/@CPU@/x64/g; s/@VERSION@/$version/g" npm/platforms/package.json.tmpl > "$plat/package.json"
cp "$SPECWORK_BINARY" "$plat/bin/specwork"
chmod +x "$plat/bin/specwork"
# The launcher, with the version of this build.
launch=$out/specwork
cp -r npm/specwork "$launch"
cp README.md "$launch/README.md"
node -e '
  const fs = require("fs"), p = process.argv[1], v = process.argv[2];
  const j = JSON.parse(fs.readFileSync(p));
  j.version = v;
  for (const k of Object.keys(j.optionalDependencies)) j.optionalDependencies[k] = v;
  fs.writeFileSync(p, JSON.stringify(j, null, 2) + "\n");
' "$launch/package.json" "$version"

(cd "$out" && npm pack --silent ./cli-linux-x64 ./specwork >/dev/null)
plat_tgz=$out/specwork-cli-linux-x64-$version.tgz
main_tgz=$out/specwork-$version.tgz
ls -la "$plat_tgz" "$main_tgz"

# Install both tarballs into an empty project without the registry, then run through npx.
proj=$out/try
mkdir -p "$proj" && cd "$proj"
echo '{"name":"try-specwork","private":true}' > package.json
npm install --offline --no-audit --no-fund --silent "$plat_tgz" "$main_tgz"
got=$(npx --offline specwork --version)
echo "npx specwork --version: $got"
case "$got" in "specwork $version ("*) ;; *) echo "unexpected version output" >&2; exit 1 ;; esac
npx --offline specwork --workspace "$root/examples/demo" status --json >/dev/null
echo "npm route ok: $main_tgz + $plat_tgz"
