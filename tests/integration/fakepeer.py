#!/usr/bin/env python3
"""Stands in for ssh + another host's vrouterd (test_coord_hosts.sh).

Called as ssh_command would be: fakepeer.py DEST vrctl proxy --socket PATH.
DEST is root@HOST; $FAKEPEER_DIR/HOST.mode says how that host behaves, read
at each connection: "ok SECONDS" (start_part answers after SECONDS),
"fail SECONDS" (start_part refused after SECONDS), "dead" (the connection
fails as ssh does when the host is down).  Every request is logged to
$FAKEPEER_DIR/HOST.log as "T_RECEIVED T_ANSWERED METHOD NAME" (monotonic
seconds, the clock of this machine), so the test can tell whether two
hosts were asked at once.
"""
import json
import os
import sys
import time

DIR = os.environ["FAKEPEER_DIR"]
host = sys.argv[1].split("@")[-1]
try:
    with open(os.path.join(DIR, host + ".mode")) as f:
        mode = f.read().split()
except OSError:
    mode = ["ok", "0"]
if mode[0] == "dead":
    sys.stderr.write("ssh: connect to host %s port 22: Connection refused\n" % host)
    sys.exit(255)
delay = float(mode[1]) if len(mode) > 1 else 0.0

for line in sys.stdin:
    req = json.loads(line)
    t0 = time.monotonic()
    method, params = req.get("method"), req.get("params") or {}
    name = params.get("name", "-")
    ans = {"jsonrpc": "2.0", "id": req.get("id")}
    if method == "start_part":
        time.sleep(delay)
        if mode[0] == "fail":
            ans["error"] = {"code": -32010, "message": "fault injected on %s" % host}
        else:
            ans["result"] = {"name": name, "state": "running"}
    elif method == "stop":
        ans["result"] = {"stopped": [name]}
    elif method == "status":
        ans["result"] = {"topologies": []}
    else:
        ans["result"] = {}
    with open(os.path.join(DIR, host + ".log"), "a") as f:
        f.write("%.3f %.3f %s %s\n" % (t0, time.monotonic(), method, name))
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
