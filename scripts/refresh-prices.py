#!/usr/bin/env python3
"""Refresh specwork's embedded price table from LiteLLM's published model prices.

The table is `litellm/model_prices_and_context_window_backup.json` inside the `litellm` wheel on
PyPI (data, MIT licensed). This script downloads the wheel with pip (or takes one you already
have), keeps only the models with a per-token input and output price and only the fields
specwork prices with, and writes `crates/specwork-usage/data/prices.json`, which the build embeds
(no network at build or run time).

    python3 scripts/refresh-prices.py                 # newest litellm from PyPI
    python3 scripts/refresh-prices.py --version 1.110.2
    python3 scripts/refresh-prices.py --wheel /tmp/litellm-1.110.2-*.whl

Fields kept per model (USD per token, as published): p = litellm_provider, i = input,
o = output, cw = cache write (5 minutes), cw1h = cache write above 1 hour, cr = cache read,
i200/o200/cw200/cr200 = the same above 200k input tokens, fast = fast-mode multiplier
(provider_specific_entry.fast). Absent fields are left out; specwork fills cache prices from
Anthropic's ratios of the input price, as ccusage does.
"""

import argparse
import datetime
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

MEMBER = "litellm/model_prices_and_context_window_backup.json"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "specwork-usage", "data", "prices.json")

FIELDS = [
    ("i", "input_cost_per_token"),
    ("o", "output_cost_per_token"),
    ("cw", "cache_creation_input_token_cost"),
    ("cw1h", "cache_creation_input_token_cost_above_1hr"),
    ("cr", "cache_read_input_token_cost"),
    ("i200", "input_cost_per_token_above_200k_tokens"),
    ("o200", "output_cost_per_token_above_200k_tokens"),
    ("cw200", "cache_creation_input_token_cost_above_200k_tokens"),
    ("cr200", "cache_read_input_token_cost_above_200k_tokens"),
]


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0


def download(version, into):
    spec = f"litellm=={version}" if version else "litellm"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", into, spec]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"refresh-prices: `{' '.join(cmd)}` failed:\n{r.stderr.strip()}\n"
                 "fix: check the network, or pass --wheel PATH to a downloaded litellm wheel")
    wheels = glob.glob(os.path.join(into, "litellm-*.whl"))
    if not wheels:
        sys.exit(f"refresh-prices: pip downloaded no litellm wheel into {into}")
    return wheels[0]


def reduce(raw):
    models = {}
    for name, entry in raw.items():
        if name == "sample_spec" or not isinstance(entry, dict):
            continue
        if not (number(entry.get("input_cost_per_token")) and number(entry.get("output_cost_per_token"))):
            continue
        m = {}
        if isinstance(entry.get("litellm_provider"), str):
            m["p"] = entry["litellm_provider"]
        for short, long in FIELDS:
            if number(entry.get(long)):
                m[short] = entry[long]
        pse = entry.get("provider_specific_entry")
        if isinstance(pse, dict) and number(pse.get("fast")):
            m["fast"] = pse["fast"]
        models[name] = m
    return models


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", help="a litellm wheel already downloaded")
    ap.add_argument("--version", help="the litellm version to download (default: the newest)")
    ap.add_argument("--date", help="the date to record (default: today, UTC)")
    ap.add_argument("--out", default=OUT, help="where to write (default: %(default)s)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = a.wheel or download(a.version, tmp)
        m = re.search(r"litellm-([0-9][^-]*)-", os.path.basename(wheel))
        if not m:
            sys.exit(f"refresh-prices: {wheel} is not named like litellm-<version>-...whl")
        version = m.group(1)
        try:
            with zipfile.ZipFile(wheel) as z:
                raw = json.loads(z.read(MEMBER))
        except (KeyError, zipfile.BadZipFile, json.JSONDecodeError) as e:
            sys.exit(f"refresh-prices: cannot read {MEMBER} from {wheel}: {e}")
    models = reduce(raw)
    date = a.date or datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    head = {
        "source": "LiteLLM model_prices_and_context_window_backup.json",
        "package": "litellm",
        "version": version,
        "date": date,
        "unit": "USD per token",
    }
    lines = ["{"]
    for k, v in head.items():
        lines.append(f"{json.dumps(k)}: {json.dumps(v)},")
    lines.append('"models": {')
    keys = sorted(models)
    for n, k in enumerate(keys):
        sep = "," if n + 1 < len(keys) else ""
        lines.append(f"{json.dumps(k)}: {json.dumps(models[k], separators=(',', ':'), sort_keys=True)}{sep}")
    lines.append("}")
    lines.append("}")
    out = os.path.abspath(a.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp_out = out + ".tmp"
    with open(tmp_out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp_out, out)
    print(f"wrote {out}: {len(models)} models from litellm {version} ({date})")


if __name__ == "__main__":
    main()
