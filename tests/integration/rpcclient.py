#!/usr/bin/python3
"""Raw JSON-RPC client for vrouterd's integration test.

usage: rpcclient.py SOCKET SCENARIO [ARGS]

Each scenario prints one line per check ("ok ..." or "FAIL ...") and exits
non-zero when a check failed.  Every wait is bounded.
"""
import json
import os
import socket
import sys
import threading
import time

TIMEOUT = float(os.environ.get("RPC_TIMEOUT", "10"))
failures = 0


def check(cond, what):
    global failures
    if cond:
        print("ok   " + what)
    else:
        failures += 1
        print("FAIL " + what)
    sys.stdout.flush()


def connect(path, timeout=TIMEOUT):
    """Connect; a full listen backlog (EAGAIN) is retried, bounded."""
    deadline = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except BlockingIOError:
            s.close()
            if time.time() > deadline:
                raise
            time.sleep(0.01)


def readline(s, buf=b""):
    """One line (without newline) and what follows it; None on EOF."""
    while b"\n" not in buf:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            return None, b""
        if not chunk:
            return None, b""
        buf += chunk
    line, rest = buf.split(b"\n", 1)
    return line, rest


def call(path, method, params=None, rid=1):
    s = connect(path)
    req = {"jsonrpc": "2.0", "id": rid, "method": method}
    if params is not None:
        req["params"] = params
    s.sendall(json.dumps(req).encode() + b"\n")
    line, _ = readline(s)
    s.close()
    return json.loads(line) if line is not None else None


def alive(path, what):
    r = call(path, "version", rid="alive")
    check(r is not None and r.get("id") == "alive" and "result" in r,
          "daemon still answers after: " + what)


def scenario_malformed(path):
    R = '{"jsonrpc":"2.0","id":%s,"method":"%s","params":%s}'
    st = '"topology":"monolithic"'
    cases = [
        # (name, bytes sent, expected code, expected id)
        ("truncated object", b"{", -32700, None),
        ("truncated request", b'{"jsonrpc":"2.0","id":1,', -32700, None),
        ("invalid JSON", b"not json", -32700, None),
        ("single quotes", b"{'jsonrpc':'2.0'}", -32700, None),
        ("trailing comma", b'{"jsonrpc":"2.0","id":1,"method":"status",}',
         -32700, None),
        ("two objects on a line",
         b'{"jsonrpc":"2.0","id":1,"method":"status"} {}', -32700, None),
        ("binary garbage", bytes(b for b in range(1, 256) if b != 10),
         -32700, None),
        ("NUL byte after a request",
         b'{"jsonrpc":"2.0","id":1,"method":"status"}\0', -32700, None),
        ("NUL bytes only", b"\0\0\0\0", -32700, None),
        ("invalid UTF-8",
         b'{"jsonrpc":"2.0","id":1,"method":"st\xc3\x28"}', -32700, None),
        ("nesting too deep", b"[" * 100 + b"]" * 100, -32700, None),
        ("empty batch", b"[]", -32600, None),
        ("batch", b'[{"jsonrpc":"2.0","id":1,"method":"status"}]', -32600,
         None),
        ("number", b"42", -32600, None),
        ("string", b'"status"', -32600, None),
        ("null", b"null", -32600, None),
        ("missing jsonrpc", b'{"id":3,"method":"status"}', -32600, 3),
        ("jsonrpc 1.0", b'{"jsonrpc":"1.0","id":4,"method":"status"}',
         -32600, 4),
        ("jsonrpc number", b'{"jsonrpc":2.0,"id":5,"method":"status"}',
         -32600, 5),
        ("missing method", b'{"jsonrpc":"2.0","id":6}', -32600, 6),
        ("method of wrong type", b'{"jsonrpc":"2.0","id":7,"method":7}',
         -32600, 7),
        ("id an object", b'{"jsonrpc":"2.0","id":{"a":1},"method":"status"}',
         -32600, None),
        ("id an array", b'{"jsonrpc":"2.0","id":[1],"method":"status"}',
         -32600, None),
        ("id a boolean", b'{"jsonrpc":"2.0","id":true,"method":"status"}',
         -32600, None),
        ("unknown member",
         b'{"jsonrpc":"2.0","id":8,"method":"status","extra":1}', -32600, 8),
        ("unknown method", b'{"jsonrpc":"2.0","id":9,"method":"frobnicate"}',
         -32601, 9),
        ("empty method", b'{"jsonrpc":"2.0","id":10,"method":""}', -32601,
         10),
        ("params an array", (R % (11, "status", "[]")).encode(), -32602, 11),
        ("params a string", (R % (12, "status", '"x"')).encode(), -32602,
         12),
        ("params null", (R % (13, "status", "null")).encode(), -32602, 13),
        ("unknown param key", (R % (14, "status", '{"verbose":true}')).encode(),
         -32602, 14),
        ("start without topology", (R % (15, "start", "{}")).encode(), -32602,
         15),
        ("cores a string",
         (R % (16, "topology", '{%s,"cores":"2"}' % st)).encode(), -32602, 16),
        ("cores out of range",
         (R % (17, "topology", '{%s,"cores":0}' % st)).encode(), -32602, 17),
        ("cores huge",
         (R % (18, "topology", '{%s,"cores":99999999999999999999}' % st))
         .encode(), -32602, 18),
        ("cores a fraction",
         (R % (19, "topology", '{%s,"cores":1.5}' % st)).encode(), -32602, 19),
        ("accel not a choice",
         (R % (20, "topology", '{%s,"accel":"xen"}' % st)).encode(), -32602,
         20),
        ("pin an integer",
         (R % (21, "topology", '{%s,"pin":1}' % st)).encode(), -32602, 21),
        ("stop all a string", (R % (22, "stop", '{"all":"yes"}')).encode(),
         -32602, 22),
        ("string id echoed", (R % ('"x-23"', "nosuch", "{}")).encode(),
         -32601, "x-23"),
    ]
    s = connect(path)
    buf = b""
    for name, data, code, rid in cases:
        s.sendall(data + b"\n")
        line, buf = readline(s, buf)
        try:
            r = json.loads(line) if line is not None else None
        except ValueError:
            r = None
        got = r.get("error", {}).get("code") if r else None
        check(got == code and r.get("id") == rid and
              isinstance(r["error"].get("message"), str) and
              r["error"]["message"] != "",
              "%-26s -> %s (got %s, id %r)" % (name, code, got,
                                               r.get("id") if r else None))
        # the same connection and a new one both keep working
        s.sendall(b'{"jsonrpc":"2.0","id":"n","method":"version"}\n')
        line, buf = readline(s, buf)
        ok = line is not None and json.loads(line).get("id") == "n"
        check(ok, "same connection answers after: " + name)
        alive(path, name)
    s.close()

    # Lines that are not requests: no answer, the next request is answered.
    s = connect(path)
    s.sendall(b"\n   \n\r\n" +
              b'{"jsonrpc":"2.0","method":"status"}\n' +  # notification
              b'{"jsonrpc":"2.0","id":31,"method":"version"}\r\n')
    line, buf = readline(s)
    r = json.loads(line) if line else {}
    check(r.get("id") == 31 and "result" in r,
          "empty lines and a notification get no answer; CRLF works")
    s.close()
    return failures


def scenario_bigline(path):
    for nl in (False, True):
        s = connect(path)
        payload = b'{"jsonrpc":"2.0","id":1,"method":"status","params":{"x":"' \
            + b"a" * (2 * 1024 * 1024) + b'"}}' + (b"\n" if nl else b"")
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        line, rest = readline(s)
        r = json.loads(line) if line else {}
        check(r.get("error", {}).get("code") == -32003,
              "2 MiB line%s -> -32003" % (" with newline" if nl else ""))
        # then the daemon closes the connection
        eof = False
        deadline = time.time() + TIMEOUT
        while time.time() < deadline:
            try:
                if not s.recv(65536):
                    eof = True
                    break
            except ConnectionResetError:
                eof = True
                break
            except socket.timeout:
                break
        check(eof, "connection closed after the 2 MiB line")
        s.close()
        alive(path, "a 2 MiB line")
    return failures


def scenario_vanish(path):
    s = connect(path)
    s.sendall(b'{"jsonrpc":"2.0","id":1,"meth')
    s.close()
    alive(path, "a client that disconnected mid-request")
    s = connect(path)
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\n' * 50)
    s.close()
    alive(path, "a client that left before its replies")
    s = connect(path)
    s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"status"}\n')
    s.shutdown(socket.SHUT_WR)
    line, _ = readline(s)
    check(line is not None and b'"result"' in line,
          "a half-closed client still gets its reply")
    s.close()
    return failures


def scenario_slowreader(path, seconds="30"):
    s = connect(path)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.setblocking(False)
    req = b'{"jsonrpc":"2.0","id":1,"method":"status"}\n' * 64
    dropped = False
    deadline = time.time() + float(seconds)
    sent = 0
    others_ok = True
    while time.time() < deadline and not dropped:
        try:
            sent += s.send(req)
        except BlockingIOError:
            time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            dropped = True
        if sent % (64 * 44 * 50) < 64 * 44:
            r = call(path, "version")
            others_ok = others_ok and r is not None and "result" in r
    check(dropped, "a client that never reads is dropped (after %d bytes "
          "of requests)" % sent)
    check(others_ok, "other clients were served meanwhile")
    s.close()
    alive(path, "a client that never reads")
    return failures


def scenario_concurrent(path, n="64"):
    n = int(n)
    socks = [connect(path) for _ in range(n)]
    results = [None] * n
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        socks[i].sendall(b'{"jsonrpc":"2.0","id":%d,"method":"status"}\n' % i)
        line, _ = readline(socks[i])
        results[i] = json.loads(line) if line else None

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT * 3)
    ok = sum(1 for i, r in enumerate(results)
             if r and r.get("id") == i and "result" in r)
    check(ok == n, "%d concurrent clients answered: %d" % (n, ok))
    for s in socks:
        s.close()
    return failures


def scenario_maxclients(path, n="256"):
    n = int(n)
    socks = []
    for i in range(n):
        s = connect(path)
        s.sendall(b'{"jsonrpc":"2.0","id":%d,"method":"version"}\n' % i)
        socks.append(s)
    answered = 0
    for i, s in enumerate(socks):
        line, _ = readline(s)
        if line and json.loads(line).get("id") == i:
            answered += 1
    check(answered == n, "%d clients connected and answered: %d" %
          (n, answered))
    extra = connect(path)
    line, _ = readline(extra)
    r = json.loads(line) if line else {}
    check(r.get("error", {}).get("code") == -32002,
          "client %d refused with -32002: %s" %
          (n + 1, r.get("error", {}).get("message")))
    line, _ = readline(extra)
    check(line is None, "and its connection closed")
    extra.close()
    for s in socks:
        s.close()
    # the daemon notices the closes; poll until a client is accepted again
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        r = call(path, "version", rid="again")
        if r and "result" in r:
            break
        time.sleep(0.05)
    check(r is not None and "result" in r, "accepting again after they left")
    return failures


def scenario_idle(path, limit="10"):
    s = connect(path, timeout=float(limit))
    t0 = time.time()
    line, _ = readline(s)
    dt = time.time() - t0
    check(line is None and dt < float(limit),
          "a silent client is dropped after %.1f s" % dt)
    s.close()
    # neither part of a line nor blank lines are activity: a byte every
    # 0.2 s does not keep a client (idle_timeout 1 s, request_timeout more)
    for what, byte in (("part of a line", b" "), ("blank lines", b"\n")):
        s = connect(path, timeout=float(limit))
        t0, gone = time.time(), False
        while not gone and time.time() - t0 < float(limit):
            try:
                s.sendall(byte)
                s.settimeout(0.2)
                gone = s.recv(65536) == b""
            except socket.timeout:
                pass
            except OSError:
                gone = True
        dt = time.time() - t0
        check(gone, "a client sending only %s every 0.2 s is dropped as "
              "idle after %.1f s" % (what, dt))
        s.close()
    return failures


def scenario_trickle(path, n, want_open, reason, ready, deadline,
                     hold="0"):
    """Open n connections, each trickling one byte every 0.2 s and never
    ending its line: want_open of them are accepted, the others refused at
    once with -32002 naming reason (data.reason); touch ready, then expect
    every accepted one to be closed with -32600 within deadline (+4.5: the
    property is the cut, not its latency on a loaded box) s of
    its first byte, trickling or not.  hold > 0: keep them for hold s
    instead and check only that they are still open."""
    n, want_open = int(n), int(want_open)
    deadline, hold = float(deadline), float(hold)
    socks, refused, first = [], [], {}
    for i in range(n):
        s = connect(path)
        try:
            s.sendall(b"{")
        except (BrokenPipeError, ConnectionResetError):
            pass
        first[s] = time.time()
        socks.append(s)
    time.sleep(0.5)
    live = []
    for s in socks:
        s.settimeout(0)
        try:
            data = s.recv(65536)
        except BlockingIOError:
            live.append(s)
            continue
        except ConnectionResetError:
            data = b""
        s.settimeout(TIMEOUT)
        line = data.split(b"\n", 1)[0]
        refused.append(json.loads(line) if line else {})
    check(len(live) == want_open,
          "%d of %d slow connections accepted (want %d)" %
          (len(live), n, want_open))
    msgs = set(r.get("error", {}).get("message", "(silent close)")
               for r in refused)
    check(len(refused) == n - want_open and all(
        r.get("error", {}).get("code") == -32002 and
        r["error"].get("data", {}).get("reason") == reason
        for r in refused),
        "%d refused with -32002, reason %s: %s" %
        (len(refused), reason, "; ".join(sorted(msgs))))
    open(ready, "w").close()
    closed, t_end = {}, time.time() + (hold if hold > 0 else deadline + 5)
    while time.time() < t_end and len(closed) < len(live):
        for s in live:
            if s in closed:
                continue
            try:
                s.send(b" ")
            except OSError:
                pass
            s.settimeout(0)
            try:
                data = s.recv(65536)
                closed[s] = (time.time() - first[s], data)
            except BlockingIOError:
                pass
            except OSError:
                closed[s] = (time.time() - first[s], b"")
        time.sleep(0.2)
    if hold > 0:
        check(not closed, "all %d still open after %.0f s" %
              (len(live), hold))
    else:
        late = [t for t, _ in closed.values()]
        lines = [json.loads(d.split(b"\n", 1)[0]) if d else {}
                 for _, d in closed.values()]
        check(len(closed) == len(live) and
              all(deadline - 0.5 <= t <= deadline + 4.5 for t in late),
              "every trickler closed %.1f..%.1f s after its first byte "
              "(request_timeout %.0f)" % (min(late or [0]),
                                          max(late or [0]), deadline))
        check(all(r.get("error", {}).get("code") == -32600 and
                  "not completed within" in r["error"]["message"]
                  for r in lines),
              "each got -32600 first: %s" %
              (lines[0].get("error", {}).get("message") if lines else "-"))
    for s in socks:
        s.close()
    return failures


def scenario_stop_while_starting(path, name):
    """start (netns backend) and stop of the same name in one write: the
    stop is read while the start runs, and gets -32002 (docs/protocol.md,
    stop) with a message saying what to wait for; the start succeeds."""
    s = connect(path, timeout=TIMEOUT * 3)
    s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": "start",
                           "params": {"topology": "monolithic",
                                      "backend": "netns", "name": name}}) +
               "\n" +
               json.dumps({"jsonrpc": "2.0", "id": 2, "method": "stop",
                           "params": {"name": name}}) + "\n").encode())
    got, buf = {}, b""
    while len(got) < 2:
        line, buf = readline(s, buf)
        if line is None:
            break
        m = json.loads(line)
        if "id" in m:
            got[m["id"]] = m
    s.close()
    stop = got.get(2, {}).get("error", {})
    check(stop.get("code") == -32002 and "starting" in stop.get("message", ""),
          "stop during a start -> -32002: %s" % stop.get("message"))
    check("result" in got.get(1, {}), "and the start went on: %s" %
          json.dumps(got.get(1, {}))[:200])
    return failures


def scenario_mute(path, seconds):
    """A fake vrouterd that accepts and never answers, for seconds."""
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    srv.settimeout(0.2)
    conns, end = [], time.time() + float(seconds)
    while time.time() < end:
        try:
            c, _ = srv.accept()
            conns.append(c)
        except socket.timeout:
            pass
    return 0


def scenario_call(path, method, params="null", expect="ok"):
    """Print the answer; check it is a result or the expected error code."""
    p = json.loads(params)
    r = call(path, method, p)
    print(json.dumps(r))
    if expect == "ok":
        check(r is not None and "result" in r, "%s answered" % method)
    else:
        check(r is not None and r.get("error", {}).get("code") == int(expect),
              "%s -> %s" % (method, expect))
    return failures


def scenario_notify_listen(path, out, timeout="20"):
    """Receive sd_notify datagrams at path; write them to out."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(float(timeout))
    with open(out, "ab") as f:
        try:
            while True:
                msg = s.recv(4096)
                f.write(msg + b"\n--\n")
                f.flush()
        except socket.timeout:
            pass
    return 0


def scenario_bench_params(path, cases_file, name=None):
    """Every case of tests/bench_params.json as another client sends it:
    refused with -32602 naming the param, or accepted (then the daemon
    goes on to look for the topology: -32004, as none runs).  With the
    NAME of a running topology, only the cases to refuse (the others
    would run vrgen)."""
    with open(cases_file) as f:
        cases = json.load(f)["cases"]
    for c in cases:
        if name is not None and "param" not in c:
            continue
        params = dict(c["params"], name=name or "nosuch")
        r = call(path, "bench", params)
        err = (r or {}).get("error") or {}
        what = json.dumps(c["params"])[:90]
        if "param" in c:
            check(err.get("code") == -32602 and
                  (err.get("data") or {}).get("param") == c["param"],
                  "bench %s: -32602 naming %s (got %s)" %
                  (what, c["param"], json.dumps(err)[:160]))
        else:
            check(err.get("code") == -32004,
                  "bench %s: params accepted (got %s)" %
                  (what, json.dumps(err)[:160]))
    return failures


def scenario_watchflood(path, n):
    """Pipeline n watch requests on one connection, reading the answers:
    the first watches (its "hello" event), every other one is refused at
    once with -32002, data.reason "watch" (one per connection) or
    "pending"; then the connection still answers a status."""
    n = int(n)
    s = connect(path)
    s.setblocking(False)
    req = b'{"jsonrpc":"2.0","id":1,"method":"watch"}\n'
    data, off, buf = req * n, 0, b""
    hello, reasons, other = 0, {}, 0
    deadline = time.time() + TIMEOUT * 6

    def take(data):
        nonlocal buf, hello, other
        buf += data
        *lines, buf = buf.split(b"\n")
        for line in lines:
            m = json.loads(line)
            if m.get("method") == "event":
                hello += 1
            elif m.get("error", {}).get("code") == -32002:
                r = (m["error"].get("data") or {}).get("reason")
                reasons[r] = reasons.get(r, 0) + 1
            else:
                other += 1
    while time.time() < deadline and (
            off < len(data) or hello + sum(reasons.values()) + other < n):
        if off < len(data):
            try:
                off += s.send(data[off:off + (1 << 16)])
            except BlockingIOError:
                pass
        try:
            while True:
                d = s.recv(1 << 20)
                if not d:
                    deadline = 0
                    break
                take(d)
        except BlockingIOError:
            time.sleep(0.001)
    check(hello == 1, "one of %d pipelined watches watches (%d events)" %
          (n, hello))
    check(sum(reasons.values()) == n - 1 and set(reasons) <= {"watch",
                                                              "pending"},
          "the other %d are refused with -32002: %s (other answers: %d)" %
          (n - 1, reasons, other))
    s.setblocking(True)
    s.sendall(b'{"jsonrpc":"2.0","id":"st","method":"status"}\n')
    line, buf = readline(s, buf)
    while line is not None and b'"id":"st"' not in line.replace(b" ", b""):
        line, buf = readline(s, buf)
    check(line is not None, "and the connection still answers a status")
    s.close()
    return failures


def scenario_silent(path, deadline, watch_ok="1"):
    """Connections that never complete a request are closed request
    timeout (deadline) s after connecting, with -32600: silent ones, ones
    sending blank lines or garbage every 0.2 s, and one that got an answer
    and fell silent (deadline from the answer).  A watch (a request
    pending) outlives the deadline."""
    deadline = float(deadline)
    kinds = ["silent"] * 4 + ["blank"] * 2 + ["garbage"] * 2 + ["answered"]
    socks, t0 = [], {}
    for k in kinds:
        s = connect(path)
        t0[s] = time.time()
        if k == "answered":
            time.sleep(1)
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"version"}\n')
            line, _ = readline(s)
            t0[s] = time.time()
        s.setblocking(False)
        socks.append((k, s))
    w = None
    if watch_ok == "1":
        w = connect(path)
        w.sendall(b'{"jsonrpc":"2.0","id":1,"method":"watch"}\n')
    closed, got, end = {}, {}, time.time() + deadline + 3
    while time.time() < end and len(closed) < len(socks):
        for k, s in socks:
            if s in closed:
                continue
            try:
                if k == "blank":
                    s.send(b"\n")
                elif k == "garbage":
                    s.send(b"x\n")
            except OSError:
                pass
            # what came before a reset (the daemon closed with a line
            # of ours unread) is kept
            try:
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    got[s] = got.get(s, b"") + d
                closed[s] = (k, time.time() - t0[s], got.get(s, b""))
            except BlockingIOError:
                pass
            except OSError:
                closed[s] = (k, time.time() - t0[s], got.get(s, b""))
        time.sleep(0.2)
    late = [t for _, t, _ in closed.values()]
    check(len(closed) == len(socks) and
          all(deadline - 0.5 <= t <= deadline + 4.5 for t in late),
          "%d of %d connections without a request closed %.1f..%.1f s "
          "after connecting or their last answer (request_timeout %.0f)" %
          (len(closed), len(socks), min(late or [0]), max(late or [0]),
           deadline))
    last = [d.strip().split(b"\n")[-1] for _, _, d in closed.values()]
    check(last and all(b"-32600" in x and b"not completed within" in x
                       for x in last),
          "each got -32600 last: %s" % (last[0][:160] if last else "-"))
    if w is not None:
        w.setblocking(False)
        gone = False
        try:
            while not gone:
                gone = w.recv(65536) == b""
        except BlockingIOError:
            pass
        except OSError:
            gone = True
        check(not gone, "a watch outlives request_timeout")
        w.close()
    for _, s in socks:
        s.close()
    return failures


def scenario_pending(path, prefix, n="9"):
    """n starts (netns backend, names PREFIX1..) in one write: the first 8
    are pending together, the next ones get -32002 (data.reason
    "pending") at once, before any start has finished; the 8 then get
    their own answers."""
    n = int(n)
    s = connect(path, timeout=TIMEOUT * 6)
    s.sendall(b"".join(
        (json.dumps({"jsonrpc": "2.0", "id": i, "method": "start",
                     "params": {"topology": "monolithic",
                                "backend": "netns",
                                "name": "%s%d" % (prefix, i)}}) +
         "\n").encode() for i in range(1, n + 1)))
    got, order, buf = {}, [], b""
    while len(got) < n:
        line, buf = readline(s, buf)
        if line is None:
            break
        m = json.loads(line)
        if "id" in m and m["id"] is not None:
            got[m["id"]] = m
            order.append(m["id"])
    s.close()
    refused = [i for i in order
               if (got[i].get("error", {}).get("data") or {}).get(
                   "reason") == "pending"]
    check(refused == list(range(9, n + 1)),
          "starts 9..%d refused with -32002 pending: %s (%s)" %
          (n, refused, json.dumps(got.get(n, {}))[:200]))
    check(order[:len(refused)] == refused,
          "at once, before any start answered (order %s)" % order)
    check(all(i in got and "result" in got[i] for i in range(1, 9)),
          "the first 8 started: %s" %
          [got.get(i, {}).get("error", {}).get("message", "ok")[:80]
           for i in range(1, 9)])
    return failures


def scenario_watchers(path, n, want):
    """n connections each call watch: want of them watch (a "hello"
    event), the others get -32002 with data.reason "watchers"."""
    n, want = int(n), int(want)
    socks, hello, refused = [], 0, []
    for _ in range(n):
        s = connect(path)
        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"watch"}\n')
        line, _ = readline(s)
        m = json.loads(line) if line else {}
        if m.get("method") == "event":
            hello += 1
        else:
            refused.append(m.get("error", {}))
        socks.append(s)
    check(hello == want, "%d of %d watches accepted (want %d)" %
          (hello, n, want))
    check(len(refused) == n - want and all(
        e.get("code") == -32002 and
        (e.get("data") or {}).get("reason") == "watchers" for e in refused),
        "the others refused with -32002, reason watchers: %s" %
        (refused[0].get("message") if refused else "-"))
    for s in socks:
        s.close()
    return failures


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    path, name = sys.argv[1], sys.argv[2]
    fn = globals().get("scenario_" + name.replace("-", "_"))
    if fn is None:
        print("unknown scenario " + name)
        return 2
    return 1 if fn(path, *sys.argv[3:]) else 0


if __name__ == "__main__":
    sys.exit(main())
