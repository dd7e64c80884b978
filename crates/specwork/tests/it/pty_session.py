"""Drives a program in a pseudo-terminal, as a person at a keyboard would.

usage: pty_session.py CWD SCRIPT_JSON PROGRAM [ARGS...]

SCRIPT_JSON is a list of [expect, send] pairs: wait until the screen output contains `expect`
(after everything matched so far), then type `send` followed by Enter. At the end the program's
remaining output is read until it exits. The whole transcript goes to stdout; the exit code is
the program's, or 97 when an expected text never came (within 20 s) and 98 when it did not exit.
"""
import json
import os
import pty
import select
import sys
import time

cwd, script, argv = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    os.execv(argv[0], argv)

buf = b""
pos = 0


def read_some(deadline):
    global buf
    r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    buf += data
    return True


def finish(code, why=None):
    sys.stdout.write(buf.decode("utf-8", "replace"))
    if why:
        sys.stdout.write("\n[pty_session] " + why + "\n")
    sys.stdout.flush()
    sys.exit(code)


for expect, send in script:
    want = expect.encode()
    deadline = time.time() + 20
    while buf.find(want, pos) < 0:
        got = read_some(deadline)
        if got is None or time.time() >= deadline:
            finish(97, "never saw %r" % expect)
    pos = buf.find(want, pos) + len(want)
    os.write(fd, send.encode() + b"\r")

deadline = time.time() + 20
while True:
    got = read_some(deadline)
    if got is None:
        break
    if time.time() >= deadline:
        os.kill(pid, 9)
        finish(98, "program did not exit")
_, status = os.waitpid(pid, 0)
finish(os.waitstatus_to_exitcode(status))
