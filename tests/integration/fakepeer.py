#!/usr/bin/env python3
"""Stands in for ssh + another host's vrouterd (test_coord_hosts.sh).

Called as ssh_command would be: fakepeer.py DEST vrctl proxy --socket PATH.
DEST is root@HOST; $FAKEPEER_DIR/HOST.mode says how that host behaves, read
at each connection: "ok SECONDS" (start_part answers after SECONDS),
"fail SECONDS" (start_part refused after SECONDS), "dead" (the connection
fails as ssh does when the host is down), "drop SECONDS" (every request
read, then the connection closes after SECONDS unanswered: a lost ssh,
the host's vrouterd alive).  After these, "stop=SECONDS" delays the
answer to stop; "code=N" is the error code of "fail" (-32010);
"nomsg=1" leaves its message out.  Every request is logged to
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
opts = dict(t.split("=", 1) for t in mode[2:] if "=" in t)

for line in sys.stdin:
    req = json.loads(line)
    t0 = time.monotonic()
    method, params = req.get("method"), req.get("params") or {}
    name = params.get("name", "-")
    ans = {"jsonrpc": "2.0", "id": req.get("id")}
    if mode[0] == "drop":
        time.sleep(delay)
        with open(os.path.join(DIR, host + ".log"), "a") as f:
            f.write("%.3f %.3f %s-dropped %s\n" % (t0, time.monotonic(), method, name))
        sys.exit(255)
    if method == "start_part":
        time.sleep(delay)
        if mode[0] == "fail":
            ans["error"] = {"code": int(opts.get("code", -32010)),
                            "message": "fault injected on %s" % host}
            if opts.get("nomsg"):
                del ans["error"]["message"]
        else:
            ans["result"] = {"name": name, "state": "running"}
    elif method == "stop":
        time.sleep(float(opts.get("stop", 0)))
        ans["result"] = {"stopped": [name]}
    elif method == "status":
        ans["result"] = {"topologies": []}
    else:
        ans["result"] = {}
    with open(os.path.join(DIR, host + ".log"), "a") as f:
        f.write("%.3f %.3f %s %s\n" % (t0, time.monotonic(), method, name))
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
