"""Calls `specwork mcp` tools in order with the Python MCP client and prints their results.

Usage: python3 calls.py SPECWORK_BIN WORKSPACE NOW CALLS_JSON

CALLS_JSON is a list of [tool, arguments]; the output is a JSON list of the structured results
(or {"error": text} for a failed call). The server runs in WORKSPACE with HOME=WORKSPACE, TZ=UTC
and SPECWORK_NOW=NOW, as the CLI tests run the binary. Used by the consistency test.
"""

import asyncio
import json
import os
import sys

from mcp import Client, StdioServerParameters

BIN, WS, NOW, CALLS = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])


async def main():
    env = {"PATH": os.environ.get("PATH", ""), "HOME": WS, "TZ": "UTC", "SPECWORK_NOW": NOW}
    params = StdioServerParameters(command=BIN, args=["mcp"], cwd=WS, env=env)
    out = []
    async with Client(params, read_timeout_seconds=30) as c:
        for tool, args in CALLS:
            r = await c.call_tool(tool, args)
            text = "".join(x.text for x in r.content if x.type == "text")
            out.append({"error": text} if r.is_error else r.structured_content)
    print(json.dumps(out))


asyncio.run(main())
