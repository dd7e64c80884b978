#!/usr/bin/env node
// Launcher: runs the prebuilt specwork binary from the platform package npm installed as an
// optional dependency (@specwork/cli-<os>-<arch>), the way biome and esbuild ship binaries.
// SPECWORK_BINARY overrides the path (a local build).
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const pkg = `@specwork/cli-${process.platform}-${process.arch}`;
const exe = process.platform === "win32" ? "specwork.exe" : "specwork";

function binary() {
  if (process.env.SPECWORK_BINARY) return process.env.SPECWORK_BINARY;
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    process.stderr.write(
      `error: no prebuilt specwork for ${process.platform}-${process.arch} (${pkg} is not installed)\n` +
        `hint: reinstall without --no-optional / --omit=optional, or install from source: ` +
        `cargo install --locked specwork\n`,
    );
    process.exit(1);
  }
}

const r = spawnSync(binary(), process.argv.slice(2), { stdio: "inherit" });
if (r.error) {
  process.stderr.write(`error: cannot run ${binary()}: ${r.error.message}\n`);
  process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
