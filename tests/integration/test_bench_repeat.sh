#!/bin/bash
# Repetitions and confidence end to end (issue 13) on a netns monolithic
# topology in a sandbox without libvirtd, a few seconds of traffic:
# `vrctl bench --sweep 1000,2000 --repeat 3 --duration 1` runs the whole
# sweep three times interleaved (1000, 2000, 1000, 2000, ...), and the
# record has points with n=3 and Student-t CIs; an experiment with repeat 2
# over cores 1 and 2 runs round by round in its recorded (seeded) order
# and prints the comparison with Welch's test.
#
#   test_bench_repeat.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name brepeat -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
CHECK_PY="$SRC/tests/integration/check_experiment.py"

daemon_start
say "start monolithic --backend netns"
if ! "$VRCTL" start monolithic --name rp --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1; then
	bad "start: $(cat "$T/start.out")"
	finish 1
fi
ok "monolithic (netns) runs as rp"

say "bench --sweep 1000,2000 --repeat 3 --duration 1"
"$VRCTL" bench rp --sweep 1000,2000 --repeat 3 --duration 1 \
	--out "$T/sweep" >"$T/sweep.out" 2>"$T/sweep.err"
check "exits 0" [ $? = 0 ]
cat "$T/sweep.out"
check "the record: rounds interleaved, points with n=3 and a CI" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = [(x["repeat"], x["offered_pps"]) for x in r["trials"]]
assert t == [(0, 1000), (0, 2000), (1, 1000), (1, 2000), (2, 1000), (2, 2000)], t
assert r["command"]["repeat"] == 3 and r["format"] == 2, r["command"]
assert len(r["results"]) == 3, r.get("results")
p = r["points"]
assert [x["offered_pps"] for x in p] == [1000, 2000], p
for x in p:
    f = x["forwarded_pps"]
    assert x["n"] == 3 and f["n"] == 3 and len(f["values"]) == 3, x
    lo, hi = f["ci95"]
    assert lo <= f["mean"] <= hi and f["ci_method"] == "student-t", f
    assert f["min"] <= f["median"] <= f["max"] and f["stddev"] >= 0, f
    assert x["forwarded_l1_gbps"] > 0, x
print("ok", [(x["offered_pps"], x["forwarded_pps"]["median"], x["forwarded_pps"]["ci95"]) for x in p])
' "$T/sweep/experiment.json"
check "the table shows the median and the CI" grep -q "FWD_MEDIAN.*FWD_CI95" "$T/sweep.out"
check "progress names the rounds" grep -q "round 3/3" "$T/sweep.err"
check "the directory is valid" python3 "$CHECK_PY" --no-plot "$T/sweep"

say "bench --ndr --repeat 2 --max-rate 2000 (a short search, twice)"
"$VRCTL" bench rp --ndr --repeat 2 --max-rate 2000 --duration 1 \
	--trial-duration 1 --out "$T/ndr" >"$T/ndr.out" 2>"$T/ndr.err"
check "exits 0" [ $? = 0 ]
cat "$T/ndr.out"
check "the record: answers over the usable rounds, ndr_pps their median" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = r["answers"]["ndr_pps"]
assert len(r["results"]) == 2 and a["n"] + a["n_excluded"] == 2, a
use = [x["ndr_pps"] for x in r["results"]
       if x["status"] in ("ok", "at_max_rate")]
assert a["values"] == use, (a, r["results"])
# at --max-rate 2000 a round may end at_max_rate: a lower bound, named
lower = [i for i, x in enumerate(r["results"])
         if x["status"] == "at_max_rate" or x["generator_limited"]]
assert [e["round"] for e in a["lower_bound"]] == lower, a
assert all(e["why"] == "status " + r["results"][e["round"]]["status"]
           for e in a["excluded"]), a
assert r["ndr_pps"] == a["median"] and r["result"] == r["results"][0], r["ndr_pps"]
assert {t["repeat"] for t in r["trials"]} == {0, 1}
assert "points" not in r
' "$T/ndr/experiment.json"
check "the text says the answer over the usable rounds" \
	grep -qE "^NDR over [0-2] of 2 rounds(; round [01] (excluded|a lower bound): [a-z_ -]+)*(: median|: no usable round)" "$T/ndr.out"
check "the directory is valid" python3 "$CHECK_PY" --no-plot "$T/ndr"
check "stop" "$VRCTL" stop rp
check "nothing left behind" nothing_left rp

say "experiment: repeat 2 over cores 1 and 2 (netns)"
cat >"$T/rep.json" <<'EOF'
{"name": "rep", "repeat": 2, "seed": 7,
 "start": {"topology": "monolithic", "backend": "netns"},
 "matrix": {"cores": [1, 2]},
 "bench": {"mode": "sweep", "rates": "2000", "duration": 1}}
EOF
"$VRCTL" experiment "$T/rep.json" --out "$T/exp" >"$T/exp.out" 2>"$T/exp.err"
check "exits 0" [ $? = 0 ]
cat "$T/exp.out"
check "summary.json: the order, two rounds each a permutation" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
o = [(x["round"], x["run"]) for x in s["order"]]
assert s["repeat"] == 2 and s["order_seed"] == 7 and len(o) == 4, o
assert sorted(o[:2]) == [(0, 1), (0, 2)] and sorted(o[2:]) == [(1, 1), (1, 2)], o
assert s["runs_ok"] == 2 and all(r["rounds_ok"] == 2 for r in s["runs"]), s["runs"]
for r in s["runs"]:
    e = json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/" + r["dir"] + "/experiment.json"))
    assert [t["repeat"] for t in e["trials"]] == [0, 1], e["trials"]
    assert e["points"][0]["n"] == 2, e["points"]
c = s["compare"]["runs"][1]["vs_first"]
assert c["test"] == "welch-t" and c["ci_method"] == "delta-method", c
' "$T/exp/summary.json"
check "the comparison line: ratio against cores=1 and the test" \
	grep -qE '^  cores=2 [0-9.]+x cores=1 .*(Welch t-test|no spread)' "$T/exp.out"
check "the experiment directory is valid" python3 "$CHECK_PY" --experiment --no-plot "$T/exp"
check "nothing left running" \
	[ "$("$VRCTL" --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))')" = 0 ]
finish 0
