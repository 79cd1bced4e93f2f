#!/usr/bin/env python3
"""Console input test: runs `keel run CFG` on a pseudo-terminal, types into
the echo guest, and checks raw mode, Ctrl-A handling and terminal restore.

usage: console_pty.py KEEL CFG MODE   (MODE: quit | guest-exit)
Prints one line "ok ..." or "FAIL ..." and exits 0 or 1."""
import os, pty, select, sys, termios, time

keel, cfg, mode = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(keel, [keel, "run", cfg])

buf = b""
def read_until(token, timeout=20.0):
    global buf
    end = time.time() + timeout
    while token not in buf:
        left = end - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return token in buf
            if not chunk:
                return token in buf
            buf += chunk
    return True

def finish(ok, msg):
    print(("ok " if ok else "FAIL ") + msg)
    if not ok:
        sys.stdout.write("    output: %r\n" % buf[-400:])
    sys.exit(0 if ok else 1)

if not read_until(b"echo ready"):
    os.kill(pid, 9)
    finish(False, "guest did not start")
# Raw mode: no line buffering, so the guest sees each byte at once.
attrs = termios.tcgetattr(fd)
if attrs[3] & termios.ICANON or attrs[3] & termios.ECHO:
    os.kill(pid, 9)
    finish(False, "terminal not in raw mode while the VM runs")
os.write(fd, b"abc")
if not read_until(b"ABC"):
    os.kill(pid, 9)
    finish(False, "typed bytes did not reach the guest")
os.write(fd, b"\x01\x01")           # Ctrl-A Ctrl-A sends one Ctrl-A
if not read_until(b"ABC\x01"):
    os.kill(pid, 9)
    finish(False, "Ctrl-A Ctrl-A did not send Ctrl-A")
if mode == "quit":
    os.write(fd, b"\x01x")          # Ctrl-A x quits
    want = 0
else:
    os.write(fd, b"q")              # the guest exits through port 0xf4
    want = 1
read_until(b"exit status", 10)
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
if code != want:
    finish(False, "keel exited %d, expected %d" % (code, want))
attrs = termios.tcgetattr(fd)
if not (attrs[3] & termios.ICANON and attrs[3] & termios.ECHO):
    finish(False, "terminal not restored after exit")
finish(True, "%s: raw input, Ctrl-A Ctrl-A, exit %d, terminal restored" % (mode, code))
