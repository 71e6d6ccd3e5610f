#!/usr/bin/python3
"""A fake vrouterd for testing vrctl's bench, bench compare and experiment.

usage: fakebench.py SOCKET CALLLOG [--preload NAME,...]
                    [--fail-bench N,...] [--fail-start N,...]
                    [--limited N,...]

Serves JSON-RPC 2.0 (one object per line) on the unix socket SOCKET:
version, status, start, stop, bench and topology (the plan), as docs/protocol.md and
docs/bench.md describe them.  A simulated router forwards at most
    8000 pps x cores x (1.25 if pinned) x (vrs for pvr, 0.8 for msr)
(netns backend: x 20), so curves differ by configuration the way the
paper's do.  bench sends one "progress" notification per trial (step
"trial", the vrgen trial object in "trial") and answers with the full
experiment record.  Every call is appended to CALLLOG as one JSON line
{"method": ..., "params": ...}.  --fail-bench N makes the N-th bench call
(1-based) fail after two trials; --fail-start N the N-th start;
--limited N makes the N-th search's result generator-limited (answer
99999).  --preload
NAME starts with topology NAME running (monolithic, 1 core).
"""
import argparse
import datetime
import json
import os
import socketserver
import sys
import threading

LOCK = threading.Lock()
STATE = {"running": {}, "bench_calls": 0, "start_calls": 0}
ARGS = None


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def topo_status(name, p):
    cores = p.get("cores", 1)
    backend = p.get("backend", "vm")
    threads = [{"tid": 1000 + i, "kind": "vcpu" if backend == "vm" else "napi",
                "index": i, "name": "CPU %d/TCG" % i,
                "cpus": "1" if p.get("pin") else "0-1",
                "planned": "1" if p.get("pin") else "0-1",
                "last_cpu": 1, "policy": "other", "prio": 0}
               for i in range(cores)]
    return {"name": name, "topology": p.get("topology", "monolithic"),
            "state": "running", "backend": backend,
            "accel": "tcg" if backend == "vm" else "none",
            "accel_reason": "fake: no kvm", "vhost": False,
            "vhost_reason": "fake", "started_at": now(), "uptime_s": 1,
            "boot_ms": 1234,
            "nodes": [{"name": "vr0", "domain": "vrouterd-%s-vr0" % name,
                       "state": "running", "vcpus": cores,
                       "memory_mib": 256, "threads": threads,
                       "interfaces": []}],
            "ports": {"in": {"netns": "vr-%s-in" % name, "interface": "vp0"},
                      "out": {"netns": "vr-%s-out" % name,
                              "interface": "vp0"}},
            "_params": p}


def plan_of(name, p):
    opts = {"cores": p.get("cores", 1), "memory_mib": 256,
            "pin": bool(p.get("pin", False)), "rt": 0,
            "accel": p.get("accel", "auto"), "link": p.get("link", "tap"),
            "ports": "test", "image": "/fake/image", "timeout": 120,
            "cpus": "", "txqueuelen": 0}
    for k in ("vrs", "backends", "lbs"):
        if k in p:
            opts[k] = p[k]
    if p.get("backend", "vm") != "vm":
        opts["backend"] = p["backend"]
    pin = {"enabled": True, "shared": False, "warning": "",
           "vcpu_cpus": "1", "housekeeping": "0",
           "threads": []} if p.get("pin") else {"enabled": False}
    return {"topology": p.get("topology", "monolithic"), "name": name,
            "description": "fake", "options": opts, "nodes": [],
            "ports": [], "pinning": pin}


def capacity(p):
    cap = 8000.0 * p.get("cores", 1) * (1.25 if p.get("pin") else 1.0)
    topo = p.get("topology", "monolithic")
    if topo == "pvr":
        cap *= p.get("vrs", 2)
    elif topo == "msr":
        cap *= 0.8 * p.get("backends", 2) / 2
    if p.get("backend", "vm") == "netns":
        cap *= 20
    return cap


def trial(rate, dur, cap, bp, index=None, phase=None, loss_ok=0.0):
    sent = int(rate * dur)
    fwd = min(rate, cap)
    received = min(sent, int(fwd * dur))
    lost = sent - received
    ratio = lost / sent if sent else 0.0
    load = min(rate / cap, 1.5)
    t = {"type": "trial", "run": 4242, "offered_pps": rate,
         "duration_s": dur, "frame": bp.get("frame", "64"),
         "mean_frame_bytes": 64, "flows": bp.get("flows", 1),
         "sent": sent, "received": received, "lost": lost,
         "loss_ratio": ratio, "reordered": 0, "late": 0, "duplicates": 0,
         "achieved_pps": rate, "forwarded_pps": received / dur,
         "tx_seconds": dur, "rate_interval_s": dur,
         "rate_basis": "schedule", "tx_bytes": sent * 60, "tx_retries": 0,
         "tx_late_bursts": 0, "burst": 1,
         "latency_us": {"samples": received, "min": 20.0,
                        "mean": 40.0 + 100 * load,
                        "p50": round(30.0 + 80 * load, 3),
                        "p99": round(60.0 + 900 * load, 3),
                        "max": round(200.0 + 5000 * load, 3)},
         "sink_ring_drops": 0, "stale": 0, "foreign": 0,
         "tx_if": {"name": "vp0", "netns": "vr-x-in", "tx_packets": sent},
         "rx_if": {"name": "vp0", "netns": "vr-x-out",
                   "rx_packets": received},
         "softnet": {"processed": sent, "dropped": 0, "time_squeeze": 0}}
    # what the CPUs did (vrgen/cpuacct.c's shape): the vCPU saturates
    # at the capacity; no router time at all below 3000 pps
    vcpu = round(dur * min(load, 1.0), 6) if rate >= 3000 else 0
    t["cpu"] = {
        "interval_s": dur,
        "cpus": [{"cpu": 0, "user": 30.0, "system": 10.0, "softirq": 5.0,
                  "irq": 0, "guest": 0, "steal": 0, "idle": 55.0}],
        "threads": [{"tid": 101, "node": "vr0", "kind": "vcpu", "index": 0,
                     "comm": "CPU 0/KVM", "cpu": 1, "cpu_s": vcpu,
                     "util_pct": round(100 * vcpu / dur, 1)}],
        "generator": {"cpu": 0, "cpu_s": dur / 2, "util_pct": 50.0},
        "sink": {"cpu": 2, "cpu_s": 0.01, "util_pct": 0.5},
        "router_cpu_s": vcpu, "router_cpu_basis": "topology threads",
        "threads_cpu_s": vcpu, "softirq_cpu_s": 0.1 * dur,
        "pkts_per_router_cpu_s": round(received / vcpu) if vcpu else None,
        "busiest": {"what": "vcpu 0 of vr0",
                    "util_pct": round(100 * vcpu / dur, 1)},
        "bounded_by": ("vcpu 0 of vr0 at 100 %" if lost else
                       "not bounded (no loss at this rate)")}
    if index is not None:
        t["index"] = index
        t["phase"] = phase
        t["pass"] = ratio <= loss_ok
    return t


def parse_rates(s):
    if ":" in s:
        a, b, c = (int(x) for x in s.split(":"))
        return list(range(a, b + 1, c))
    return [int(x) for x in s.split(",")]


def run_bench(send, bp, inst):
    """Trials as notifications; returns (trials, result or None)."""
    p = inst["_params"]
    cap = capacity(p)
    mode = bp["mode"]
    trials = []

    def emit(t):
        trials.append(t)
        send({"jsonrpc": "2.0", "method": "progress",
              "params": {"step": "trial",
                         "message": "offered %d pps" % t["offered_pps"],
                         "trial": t}})

    send({"jsonrpc": "2.0", "method": "progress",
          "params": {"step": "bench", "message": "learning frames"}})
    if mode == "sweep":
        for r in parse_rates(bp["rates"]):
            emit(trial(r, bp.get("duration", 10), cap, bp))
            if ARGS.fail_now:
                return trials, None
        return trials, {"type": "result", "mode": "sweep",
                        "trials": len(trials), "complete": True}
    loss_ok = float(bp.get("loss", "0")) if mode == "pdr" else 0.0
    top = bp.get("max_rate", 1000000)
    td = bp.get("trial_duration", 1)
    i = 0
    t = trial(top, td, cap, bp, i, "max", loss_ok)
    emit(t)
    lo, hi = 0.0, float(top)
    if t["pass"]:
        lo = top
    else:
        guess = t["forwarded_pps"] / (1 - loss_ok)
        while hi - lo > 0.01 * hi:
            i += 1
            r = int(guess if i == 1 else (lo + hi) / 2)
            t = trial(r, td, cap, bp, i, "external" if i == 1 else "bisect",
                      loss_ok)
            emit(t)
            if ARGS.fail_now and i >= 1:
                return trials, None
            if t["pass"]:
                lo = r
            else:
                hi = r
    i += 1
    t = trial(int(lo), bp.get("duration", 10), cap, bp, i, "confirm",
              loss_ok)
    emit(t)
    res = {"type": "result", "mode": mode, "status": "ok",
           "loss_ratio_allowed": loss_ok, "lower_pps": int(lo),
           "upper_pps": int(hi), "precision": 0.01, "min_rate_pps": 1000,
           "max_rate_pps": top, "trial_s": td,
           "final_s": bp.get("duration", 10), "trials": len(trials),
           "confirmed": True, "generator_limited": False,
           "frame": bp.get("frame", "64"), "flows": bp.get("flows", 1),
           "final_trial": {k: t[k] for k in ("offered_pps", "duration_s",
                                             "sent", "received",
                                             "loss_ratio", "achieved_pps",
                                             "latency_us")}}
    res[mode + "_pps"] = int(lo)
    if ARGS.limited_now:  # the generator's ceiling, not the router's
        res["generator_limited"] = True
        res[mode + "_pps"] = 99999
    return trials, res


def record(bp, inst, trials, res, started):
    p = inst["_params"]
    topo = {k: v for k, v in inst.items() if k != "_params"}
    argv = ["vrgen", bp["mode"] if bp["mode"] != "sweep" else "sweep",
            "--tx-netns", "vr-%s-in" % bp["name"], "--tx-dev", "vp0",
            "--rx-netns", "vr-%s-out" % bp["name"], "--rx-dev", "vp0",
            "--json"]
    rec = {"format": 1, "kind": "vrouterd-bench",
           "vrouterd_version": "0.1.0-fake", "command": bp,
           "topology": topo, "plan": plan_of(bp["name"], p),
           "host": {"cpu_model": "Fake CPU", "cpus": 2, "online": "0-1",
                    "isolated": "", "nohz_full": "", "kernel": "6.1.0-fake"},
           "versions": {"kernel": "6.1.0-fake", "qemu": "7.2.0",
                        "libvirt": "9.0.0", "vrouterd": "0.1.0-fake",
                        "vrgen": "0.1.0-fake"},
           "accel": topo["accel"], "accel_reason": "fake: no kvm",
           "vhost": False, "backend": topo["backend"],
           "generator": {"tool": "vrgen", "argv": argv,
                         "cpu": bp.get("cpu", 0)},
           "started_at": started, "finished_at": now(),
           "trials": trials}
    if topo["backend"] == "vm":
        rec["guest_image"] = {"dir": "/fake/image",
                              "manifest_sha256": "0" * 64,
                              "kernel": {"version": "6.1.0-fake"}}
    if bp["mode"] != "sweep":
        rec["result"] = res
        rec[bp["mode"] + "_pps"] = res[bp["mode"] + "_pps"]
    return rec


def error(code, msg):
    return {"error": {"code": code, "message": msg}}


def handle(method, params, send):
    with LOCK:
        with open(ARGS.calllog, "a") as f:
            f.write(json.dumps({"method": method, "params": params}) + "\n")
    run = STATE["running"]
    if method == "version":
        return {"result": {"version": "0.1.0-fake", "protocol": 1,
                           "build": "fake"}}
    if method == "status":
        return {"result": {"topologies": [
            {k: v for k, v in t.items() if k != "_params"}
            for t in run.values()]}}
    if method == "start":
        STATE["start_calls"] += 1
        name = params.get("name") or params.get("topology")
        if STATE["start_calls"] in ARGS.fail_start:
            return error(-32010, "start failed: fake failure")
        if name in run:
            return error(-32005, "%s runs already" % name)
        send({"jsonrpc": "2.0", "method": "progress",
              "params": {"step": "boot", "message": "booting vr0"}})
        run[name] = topo_status(name, params)
        return {"result": {k: v for k, v in run[name].items()
                           if k != "_params"}}
    if method == "topology":  # the plan a start would make (replay)
        return {"result": {"plan": plan_of(
            params.get("name") or params.get("topology"), params)}}
    if method == "stop":
        name = params.get("name")
        if name not in run:
            return error(-32004, "no topology %s runs" % name)
        del run[name]
        return {"result": {"stopped": [name]}}
    if method == "bench":
        STATE["bench_calls"] += 1
        name = params.get("name")
        if name not in run:
            return error(-32004, "no topology %s runs" % name)
        ARGS.fail_now = STATE["bench_calls"] in ARGS.fail_bench
        ARGS.limited_now = STATE["bench_calls"] in ARGS.limited
        started = now()
        trials, res = run_bench(send, params, run[name])
        if res is None:
            return error(-32603, "bench failed: vrgen exited with status 1 "
                         "(fake failure after %d trials)" % len(trials))
        return {"result": record(params, run[name], trials, res, started)}
    return error(-32601, "method not found: %s" % method)


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        def send(obj):
            self.wfile.write((json.dumps(obj) + "\n").encode())
            self.wfile.flush()
        for line in self.rfile:
            try:
                req = json.loads(line)
            except ValueError:
                send({"jsonrpc": "2.0", "id": None,
                      "error": {"code": -32700, "message": "parse error"}})
                continue
            ans = handle(req.get("method"), req.get("params") or {}, send)
            ans.update({"jsonrpc": "2.0", "id": req.get("id")})
            send(ans)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def nums(s):
    return {int(x) for x in s.split(",") if x}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("calllog")
    ap.add_argument("--preload", default="")
    ap.add_argument("--fail-bench", type=nums, default=set())
    ap.add_argument("--fail-start", type=nums, default=set())
    ap.add_argument("--limited", type=nums, default=set())
    ARGS = ap.parse_args()
    ARGS.fail_now = False
    for n in ARGS.preload.split(","):
        if n:
            STATE["running"][n] = topo_status(n, {"topology": "monolithic",
                                                  "cores": 1})
    if os.path.exists(ARGS.socket):
        os.unlink(ARGS.socket)
    srv = Server(ARGS.socket, Handler)
    print("ready", flush=True)
    try:
        srv.serve_forever()
    finally:
        os.unlink(ARGS.socket)


if __name__ == "__main__":
    sys.exit(main())
