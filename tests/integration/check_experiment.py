#!/usr/bin/python3
"""Check a `vrctl bench` result directory (docs/bench.md, "The record").

usage: check_experiment.py [--no-plot] DIR...
       check_experiment.py --experiment [--no-plot] DIR   (vrctl experiment)
       check_experiment.py --svg FILE...                  (any plot)
       check_experiment.py --record FILE...               (a record alone)

For a bench directory: experiment.json has every required key with the
right type and is valid against docs/schemas/experiment.schema.json
(summary.json against summary.schema.json; python3-jsonschema), "trials"
is not empty, ndr_pps (pdr_pps) is there for an ndr
(pdr) search and matches result, results.csv has the documented header and
one row per trial agreeing with the record, plot.svg is well-formed XML
whose root is <svg>, and plot.pdf and plot.png are there (--no-plot:
plot.svg (a timeline: timeline.svg) may be missing, as when gnuplot is not installed; plot.gp must
then be there); every other figure (FIG.gp) has its FIG.svg, .pdf, .png.
For an experiment directory: summary.json, every run marked "ok" is a
valid bench directory, trials.csv has one row per trial of those runs
with the matrix keys as columns, and compare.svg when a comparison was
made.  Prints one line per problem
and exits 1 if there was any; else prints "ok DIR" and exits 0.
"""
import csv
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

CSV_HEADER = ("phase,repeat,offered_pps,achieved_pps,forwarded_pps,"
              "loss_ratio,sent,received,short,tx_path,frame_bytes,duration_s,"
              "lat_p50_us,lat_p90_us,lat_p99_us,lat_p999_us,lat_max_us,"
              "offered_l1_gbps,forwarded_l1_gbps,forwarded_l2_gbps,"
              "router_cpu_s,pkts_per_router_cpu_s,busiest,"
              "busiest_util_pct").split(",")
SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "..", "..", "docs", "schemas")
MAGIC = {"pdf": b"%PDF", "png": b"\x89PNG"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NUM = (int, float)
STR_OR_NULL = (str, type(None))

# key: expected type(s); "?" prefix: optional
RECORD = {
    "format": int, "kind": str, "vrouterd_version": str, "command": dict,
    "topology": dict, "plan": dict, "host": dict, "versions": dict,
    "accel": str, "accel_reason": STR_OR_NULL, "vhost": bool,
    "backend": str, "generator": dict, "started_at": str,
    "finished_at": str, "trials": list, "cli": dict,
}
HOST = {"cpu_model": str, "cpus": int, "online": str, "isolated": str,
        "nohz_full": str, "kernel": str}
VERSIONS = ("kernel", "qemu", "libvirt", "vrouterd", "vrgen")
TRIAL = {"type": str, "offered_pps": NUM, "sent": int, "received": int,
         "loss_ratio": NUM, "forwarded_pps": NUM, "rate_interval_s": NUM,
         "rate_basis": str}

problems = []
validators = {}


def schema_check(obj, name, where):
    """Validate obj against docs/schemas/NAME.schema.json."""
    try:
        import jsonschema
    except ImportError:
        bad(where, "cannot validate against the schema: no python3 "
            "jsonschema (apt-get install python3-jsonschema)")
        return
    if name not in validators:
        with open(os.path.join(SCHEMAS, name + ".schema.json")) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validators[name] = cls(schema)
    for e in sorted(validators[name].iter_errors(obj), key=str)[:10]:
        bad(where, "schema %s: %s: %s" % (
            name, "/".join(str(p) for p in e.absolute_path) or "(top)",
            e.message[:200]))


def bad(where, what):
    problems.append("%s: %s" % (where, what))


def need(obj, spec, where):
    if not isinstance(obj, dict):
        bad(where, "not an object")
        return False
    for k, t in spec.items():
        if k not in obj:
            bad(where, "missing \"%s\"" % k)
        elif isinstance(obj[k], bool) and t in (int, NUM, float):
            bad(where, "\"%s\" is a boolean, not a number" % k)
        elif not isinstance(obj[k], t):
            bad(where, "\"%s\" has type %s" % (k, type(obj[k]).__name__))
    return True


def close(a, b):
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        bad(path, "not well-formed XML: %s" % e)
        return
    if root.tag != "svg" and not root.tag.endswith("}svg"):
        bad(path, "root element is <%s>, not <svg>" % root.tag)
    elif len(list(root.iter())) < 5:
        bad(path, "an almost empty SVG")


def check_record(rec, where):
    if not need(rec, RECORD, where):
        return
    if rec["format"] not in (1, 2):  # 2: issue 13 (docs/bench.md)
        bad(where, "format is %r, not 1 or 2" % rec["format"])
    schema_check(rec, "experiment", where)
    if rec["kind"] != "vrouterd-bench":
        bad(where, "kind is %r" % rec["kind"])
    cmd = rec["command"]
    need(cmd, {"name": str, "mode": str}, where + ": command")
    mode = cmd.get("mode")
    if mode not in ("sweep", "ndr", "pdr", "timeline"):
        bad(where, "command.mode is %r" % mode)
    if mode == "timeline":
        if not isinstance(cmd.get("rate"), int):
            bad(where, "a timeline without command.rate")
        if not isinstance(rec.get("marks"), list):
            bad(where, "a timeline without marks")
        for i, t in enumerate(rec.get("trials") or []):
            tl = t.get("timeline") if isinstance(t, dict) else None
            if not isinstance(tl, dict) or tl.get("clock") != "sink":
                bad(where, "trials[%d]: no timeline on the sink's clock" % i)
            elif sum(tl.get("bins", [])) != tl.get("frames"):
                bad(where, "trials[%d]: the bins do not add up to frames" % i)
    if mode == "sweep" and not isinstance(cmd.get("rates"), str):
        bad(where, "a sweep without command.rates")
    if mode == "pdr" and not isinstance(cmd.get("loss"), str):
        bad(where, "a pdr search without command.loss (a string)")
    need(rec["host"], HOST, where + ": host")
    for k in VERSIONS:
        if k not in rec["versions"]:
            bad(where, "versions: missing \"%s\"" % k)
        elif not isinstance(rec["versions"][k], STR_OR_NULL):
            bad(where, "versions.%s is not a string or null" % k)
    if rec["backend"] not in ("vm", "netns"):
        bad(where, "backend is %r" % rec["backend"])
    if rec["backend"] == "vm":
        if need(rec.get("guest_image"), {"dir": str, "manifest_sha256": str,
                                         "kernel": dict},
                where + ": guest_image"):
            if not re.match(r"^[0-9a-f]{64}$",
                            rec["guest_image"].get("manifest_sha256", "")):
                bad(where, "guest_image.manifest_sha256 is not a sha256")
    need(rec["generator"], {"tool": str, "argv": list}, where + ": generator")
    if rec["generator"].get("tool") != "vrgen":
        bad(where, "generator.tool is not vrgen")
    if "cpu" in rec["generator"] and not isinstance(
            rec["generator"]["cpu"], (int, type(None))):
        bad(where, "generator.cpu is not an integer")
    for k in ("started_at", "finished_at"):
        if isinstance(rec[k], str) and not ISO.match(rec[k]):
            bad(where, "%s %r is not ISO 8601 UTC (...Z)" % (k, rec[k]))
    if (isinstance(rec["started_at"], str) and
            isinstance(rec["finished_at"], str) and
            rec["finished_at"] < rec["started_at"]):
        bad(where, "finished_at before started_at")
    need(rec["topology"], {"name": str}, where + ": topology")
    need(rec["plan"], {"topology": str, "options": dict}, where + ": plan")
    need(rec["cli"], {"argv": list, "cwd": str}, where + ": cli")
    if not rec["trials"]:
        bad(where, "no trials")
    for i, t in enumerate(rec["trials"]):
        w = "%s: trials[%d]" % (where, i)
        if need(t, TRIAL, w):
            if t.get("type") != "trial":
                bad(w, "type is %r" % t.get("type"))
            if isinstance(t.get("received"), int) and isinstance(
                    t.get("sent"), int) and t["received"] > t["sent"]:
                bad(w, "received > sent")
            # rates are over the schedule (or a late sender's own time),
            # never a near-zero first-to-last interval
            iv = t.get("rate_interval_s")
            if t.get("rate_basis") not in ("schedule", "sender"):
                bad(w, "rate_basis is %r" % t.get("rate_basis"))
            elif isinstance(iv, NUM) and iv > 0 and isinstance(
                    t.get("received"), int) and abs(
                        t["forwarded_pps"] - t["received"] / iv) > 0.5001:
                bad(w, "forwarded_pps %s is not received / "
                    "rate_interval_s" % t["forwarded_pps"])
    if mode in ("ndr", "pdr"):
        key = mode + "_pps"
        res = rec.get("result")
        if not isinstance(res, dict):
            bad(where, "an %s search without \"result\"" % mode)
        ans = rec.get("answers", {}).get(key, {})
        if rec.get(key, 0) is None:  # no usable round: the reasons listed
            if ans.get("n") != 0 or not ans.get("excluded"):
                bad(where, "%s null without answers.%s.excluded" %
                    (key, key))
        elif not isinstance(rec.get(key), NUM) or isinstance(rec.get(key),
                                                             bool):
            bad(where, "an %s search without a number \"%s\"" % (mode, key))
        elif "answers" in rec:  # repeated: the median of the rounds
            if not close(rec["answers"].get(key, {}).get("median"), rec[key]):
                bad(where, "%s %r is not answers.%s.median" % (key, rec[key],
                                                               key))
        elif isinstance(res, dict) and not close(res.get(key), rec[key]):
            bad(where, "%s %r differs from result.%s %r" %
                (key, rec[key], key, res.get(key)))
    else:
        for k in ("ndr_pps", "pdr_pps"):
            if k in rec:
                bad(where, "a sweep with \"%s\"" % k)


def check_csv(path, rec):
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        bad(path, str(e))
        return
    if not rows or rows[0] != CSV_HEADER:
        bad(path, "header is not %s" % ",".join(CSV_HEADER))
        return
    trials = rec.get("trials") or []
    if len(rows) - 1 != len(trials):
        bad(path, "%d rows for %d trials" % (len(rows) - 1, len(trials)))
        return
    for i, (row, t) in enumerate(zip(rows[1:], trials)):
        if len(row) != len(CSV_HEADER):
            bad(path, "row %d has %d fields" % (i + 1, len(row)))
            continue
        for k in ("offered_pps", "forwarded_pps", "loss_ratio", "sent",
                  "received"):
            if not close(row[CSV_HEADER.index(k)], t.get(k)):
                bad(path, "row %d: %s %s, the record says %r" %
                    (i + 1, k, row[CSV_HEADER.index(k)], t.get(k)))
        fb = t.get("mean_frame_bytes")
        l1 = row[CSV_HEADER.index("forwarded_l1_gbps")]
        if isinstance(fb, NUM) and fb > 0 and not close(
                float(l1 or "nan"),
                float("%.6g" % (t["forwarded_pps"] * (fb + 20) * 8 / 1e9))):
            bad(path, "row %d: forwarded_l1_gbps %s is not forwarded_pps x "
                "(frame + 20 B) x 8" % (i + 1, l1))
        if row[0] != t.get("phase", "sweep"):
            bad(path, "row %d: phase %s, the record says %r" %
                (i + 1, row[0], t.get("phase", "sweep")))


def check_dir(d, no_plot):
    path = os.path.join(d, "experiment.json")
    try:
        with open(path) as f:
            rec = json.load(f)
    except (OSError, ValueError) as e:
        bad(path, str(e))
        return
    check_record(rec, path)
    check_csv(os.path.join(d, "results.csv"), rec)
    # a timeline's figure is over time (timeline.*), the others' plot.*
    fig = "timeline" if rec.get("command", {}).get("mode") == "timeline" \
        else "plot"
    svg = os.path.join(d, fig + ".svg")
    if os.path.exists(svg) or not no_plot:
        check_figures(d, no_plot)
    elif not os.path.exists(os.path.join(d, fig + ".gp")):
        bad(d, "neither %s.svg nor %s.gp" % (fig, fig))
    return rec


def check_figures(d, no_plot):
    """Each FIG.gp in d has FIG.svg (valid), FIG.pdf and FIG.png."""
    figs = sorted(f[:-3] for f in os.listdir(d) if f.endswith(".gp"))
    for fig in figs:
        svg = os.path.join(d, fig + ".svg")
        if no_plot and not os.path.exists(svg):
            continue
        check_svg(svg)
        for ext, magic in MAGIC.items():
            p = os.path.join(d, "%s.%s" % (fig, ext))
            try:
                with open(p, "rb") as f:
                    if f.read(len(magic)) != magic:
                        bad(p, "not a %s file" % ext.upper())
            except OSError as e:
                bad(p, str(e))


def check_trials_csv(d, recs):
    path = os.path.join(d, "trials.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except OSError as e:
        bad(path, str(e))
        return
    keys = []
    for r in recs:
        for k in r.get("cli", {}).get("experiment", {}).get("matrix", {}):
            if k not in keys:
                keys.append(k)
    want = ["run", "label"] + keys + CSV_HEADER
    if not rows or rows[0] != want:
        bad(path, "header is not %s" % ",".join(want))
        return
    n = sum(len(r.get("trials") or []) for r in recs)
    if len(rows) - 1 != n:
        bad(path, "%d rows for %d trials" % (len(rows) - 1, n))
    for i, row in enumerate(rows[1:]):
        if len(row) != len(want):
            bad(path, "row %d has %d fields" % (i + 1, len(row)))


def check_experiment(d, no_plot):
    path = os.path.join(d, "summary.json")
    try:
        with open(path) as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        bad(path, str(e))
        return
    need(s, {"format": int, "kind": str, "name": str, "runs": list,
             "started_at": str, "finished_at": str, "runs_ok": int,
             "runs_failed": int}, path)
    if s.get("kind") != "vrouterd-experiment":
        bad(path, "kind is %r" % s.get("kind"))
    schema_check(s, "summary", path)
    ok = [r for r in s.get("runs", []) if r.get("status") == "ok"]
    if len(ok) != s.get("runs_ok"):
        bad(path, "runs_ok %r but %d runs are ok" % (s.get("runs_ok"),
                                                     len(ok)))
    recs = [check_dir(os.path.join(d, r["dir"]), no_plot) for r in ok]
    if ok:
        check_trials_csv(d, [r for r in recs if r is not None])
        if os.path.exists(os.path.join(d, "compare.svg")) or not no_plot:
            check_figures(d, no_plot)
        if not isinstance(s.get("compare"), dict):
            bad(path, "no \"compare\"")
        svg = os.path.join(d, "compare.svg")
        if os.path.exists(svg) or not no_plot:
            check_svg(svg)


def main(argv):
    no_plot = "--no-plot" in argv
    args = [a for a in argv if a != "--no-plot"]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    if args[0] == "--svg":
        for p in args[1:]:
            check_svg(p)
    elif args[0] == "--record":
        for p in args[1:]:
            try:
                with open(p) as f:
                    check_record(json.load(f), p)
            except (OSError, ValueError) as e:
                bad(p, str(e))
    elif args[0] == "--experiment":
        for d in args[1:]:
            check_experiment(d, no_plot)
    else:
        for d in args:
            check_dir(d, no_plot)
    for p in problems:
        print("FAIL " + p)
    if problems:
        return 1
    print("ok " + " ".join(a for a in args if not a.startswith("--")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
