#!/usr/bin/env python3
"""sd_notify as systemd sees it: READY=1 once the socket listens, then
WATCHDOG=1 at half the WATCHDOG_USEC interval, STOPPING=1 on SIGTERM.

    test_notify.py VROUTERD
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

vrouterd = sys.argv[1]
fails = 0
checks = 0


def check(desc, cond):
    global fails, checks
    checks += 1
    if not cond:
        fails += 1
    print(("ok: " if cond else "FAIL: ") + desc)


with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.1)
    conf = os.path.join(d, "vrouterd.conf")
    with open(conf, "w") as f:
        # no libvirt here: the daemon must still come up and say so
        f.write('{"state_dir": "%s/state", "autostart": "%s/as.json", '
                '"libvirt_uri": "qemu:///system?socket=/nonexistent"}' % (d, d))
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="200000")
    env.pop("WATCHDOG_PID", None)
    p = subprocess.Popen([vrouterd, "-f", "-s", os.path.join(d, "sock"),
                          "-c", conf], env=env, stderr=subprocess.DEVNULL)
    msgs = []
    t_ready = None
    t0 = time.monotonic()
    while time.monotonic() < t0 + 1.5:
        try:
            m = s.recv(4096).decode()
        except socket.timeout:
            continue
        msgs.append(m)
        if "READY=1" in m and t_ready is None:
            t_ready = time.monotonic()
            check("the socket listens when READY=1 arrives",
                  os.path.exists(os.path.join(d, "sock")))
    p.terminate()
    while True:
        try:
            msgs.append(s.recv(4096).decode())
        except socket.timeout:
            break
    rc = p.wait()
    pings = sum(m.count("WATCHDOG=1") for m in msgs)
    check("READY=1 sent", t_ready is not None)
    check("MAINPID given", any("MAINPID=%d" % p.pid in m for m in msgs))
    check("WATCHDOG=1 about every 100 ms (%d in 1.5 s)" % pings, 8 <= pings <= 16)
    check("STOPPING=1 on SIGTERM", any("STOPPING=1" in m for m in msgs))
    check("exit status 0 (%d)" % rc, rc == 0)

print("%d passed, %d failed" % (checks - fails, fails))
sys.exit(1 if fails else 0)
