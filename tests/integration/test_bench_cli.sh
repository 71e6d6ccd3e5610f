#!/bin/bash
# vrctl bench, bench compare and experiment against a fake vrouterd
# (fakebench.py): the files they write (checked by check_experiment.py),
# the tables, usage errors, and that an experiment starts, benchmarks and
# always stops each run in order.  No root, no libvirt.
#
#   test_bench_cli.sh BUILD_DIR
set -u
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
IT=$SRC/tests/integration
VRCTL=$BUILD/vrctl/vrctl
CHECK=$IT/check_experiment.py
T=$(mktemp -d /tmp/vrbench.XXXXXX)
export VROUTERD_SOCKET=$T/fake.sock
FAKE_PID=
FAILS=0
CHECKS=0
SKIPS=0

ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
skip() { SKIPS=$((SKIPS + 1)); echo "SKIP: $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
json() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
# calls: "method name" per line from the fake's log
calls() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l); print(j["method"], j["params"].get("name", "-"))' "$T/calls.log"; }
ncalls() { [ -f "$T/calls.log" ] && wc -l <"$T/calls.log" || echo 0; }

fake_stop() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null
		wait "$FAKE_PID" 2>/dev/null
		FAKE_PID=
	fi
}
fake_start() { # fake_start [fakebench options]
	fake_stop
	rm -f "$T/calls.log" "$VROUTERD_SOCKET"
	python3 "$IT/fakebench.py" "$VROUTERD_SOCKET" "$T/calls.log" "$@" \
		>"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 100); do
		[ -S "$VROUTERD_SOCKET" ] && return 0
		sleep 0.05
	done
	echo "fakebench did not come up:"
	cat "$T/fake.out"
	exit 1
}
finish() {
	fake_stop
	echo "$((CHECKS - FAILS)) passed, $FAILS failed, $SKIPS skipped"
	[ $FAILS -eq 0 ] && rm -rf "$T"
	[ $FAILS -eq 0 ]
	exit $?
}
trap 'finish' INT TERM

command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
NOPLOT=
if ! command -v gnuplot >/dev/null; then
	skip "gnuplot missing (apt-get install gnuplot-nox): SVGs not checked"
	NOPLOT=--no-plot
fi
mkdir -p "$T/cwd"
cd "$T/cwd" || exit 1

echo "--- bench --sweep"
fake_start --preload mono
"$VRCTL" bench mono --sweep 2000:20000:2000 --duration 2 --frame 64 \
	--flows 4 --cpu 0 --out "$T/sweep" >"$T/out" 2>"$T/err"
check "sweep exits 0" [ $? = 0 ]
check "sweep: a valid result directory" python3 "$CHECK" $NOPLOT "$T/sweep"
check "sweep: one progress line per trial on stderr (10)" \
	[ "$(grep -c 'trial .* offered .* forwarded .* loss .* p99' "$T/err")" = 10 ]
check "sweep: progress counts trials of 10 with the time left" \
	grep -q 'trial 1/10 (0:[0-9][0-9], ~[0-9:]* left) ' "$T/err" &&
	grep -q 'trial 10/10 (0:[0-9][0-9]) ' "$T/err"
check "sweep: table header on stdout" grep -q 'OFFERED_PPS     SENT_PPS FORWARDED_PPS FWD_L1_G FWD_L2_G  LOSS_RATIO' "$T/out"
check "sweep: L1/L2 Gbps beside pps (2000 pps of 64 B: 0.0013, 0.0010)" \
	grep -q '^sweep  *2000  *[0-9]*  *2000   0.0013   0.0010 ' "$T/out"
check "sweep: 10 table rows" [ "$(grep -c '^sweep ' "$T/out")" = 10 ]
check "sweep: a CPU line under each row (10)" \
	[ "$(grep -c '^ *busiest: vcpu 0 of vr0 at [0-9]* %; bounded by: ' "$T/out")" = 10 ]
check "sweep: the router's CPU-seconds and cost where it had any" \
	grep -q 'busiest: vcpu 0 of vr0 at 100 %; bounded by: vcpu 0 of vr0 at 100 %; router 2.000 CPU-s (topology threads), [0-9]* pkts per CPU-s$' "$T/out"
check "sweep: no cost per packet when the router had no time (2000 pps)" \
	grep -q 'bounded by: not bounded (no loss at this rate); router 0.000 CPU-s (topology threads)$' "$T/out"
check "sweep: results.csv has 11 lines" [ "$(wc -l <"$T/sweep/results.csv")" = 11 ]
check "sweep: params sent as documented" \
	[ "$(json "$T/calls.log" 'sorted(j["params"].items())')" = \
	"[('cpu', 0), ('duration', 2), ('flows', 4), ('frame', '64'), ('mode', 'sweep'), ('name', 'mono'), ('rates', '2000:20000:2000')]" ]
check "sweep: cli has the argv and the cwd" \
	[ "$(json "$T/sweep/experiment.json" 'j["cli"]["argv"][1:3] == ["bench", "mono"] and j["cli"]["cwd"] == "'"$T/cwd"'"')" = True ]
[ -z "$NOPLOT" ] && check "sweep: plot.gp names the ideal line" grep -q "ideal: forwarded = offered" "$T/sweep/plot.gp"

echo "--- bench --ndr (default directory), --ndr --loss --json"
"$VRCTL" bench mono --ndr --max-rate 40000 --duration 2 --trial-duration 1 \
	>"$T/out" 2>"$T/err"
check "ndr exits 0" [ $? = 0 ]
d=$(ls -d "$T"/cwd/bench-mono-2* 2>/dev/null | head -1)
check "ndr: default directory ./bench-mono-YYYYmmdd-HHMMSS ($d)" \
	[ -n "$d" ] && [[ $(basename "$d") =~ ^bench-mono-[0-9]{8}-[0-9]{6}$ ]]
check "ndr: a valid result directory" python3 "$CHECK" $NOPLOT "$d"
check "ndr: prints the NDR" grep -q '^NDR 8000 pps (ok, confirmed' "$T/out"
check "ndr: trial lines say pass/FAIL" grep -q 'FAIL$' "$T/err"
"$VRCTL" --json bench mono --ndr --loss 0.01 --max-rate 40000 --duration 2 \
	--out "$T/pdr" >"$T/pdr.json" 2>"$T/err"
check "pdr --json exits 0" [ $? = 0 ]
check "pdr --json: stdout is the record with pdr_pps and cli" \
	[ "$(json "$T/pdr.json" '"pdr_pps" in j and "cli" in j and j["command"]["mode"]')" = pdr ]
check "pdr: a valid result directory" python3 "$CHECK" $NOPLOT "$T/pdr"
check "pdr: loss sent as a string" \
	[ "$(tail -1 "$T/calls.log" | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["params"]["loss"]))')" = "'0.01'" ]

echo "--- usage errors make no call"
n0=$(ncalls)
for args in "--sweep 1:2:1 --ndr" "" "--sweep 1000:2000:100 --loss 0.1" \
	"--sweep 5:1:1" "--sweep 1,x" "--ndr --frame 63" "--ndr --loss 1.5" \
	"--ndr --flows 0" "--sweep 1000 --max-rate 5" "--sweep 1:300:1" \
	"--sweep 1:257:1" "--ndr --loss 0" "--ndr --loss 0.6" \
	"--ndr --flows 16385" "--ndr --duration 3601" "--ndr --cpu 1024" \
	"--ndr --max-rate 100000001" "--sweep 1000.5" "--ndr --frame 64x"; do
	# shellcheck disable=SC2086
	"$VRCTL" bench mono $args --out "$T/never" >/dev/null 2>"$T/err"
	rc=$?
	check "bench mono $args: usage error (exit $rc)" [ $rc = 2 ]
done
check "no call reached the daemon" [ "$(ncalls)" = "$n0" ]
check "no directory made" [ ! -e "$T/never" ]
"$VRCTL" bench mono --sweep 1:300:1 --out "$T/never" >/dev/null 2>"$T/err"
check "a 300-rate sweep is refused up front, naming the limit" \
	grep -q 'rates: "1:300:1" makes 300 rates; a sweep has at most 256' "$T/err"
VRGEN=$BUILD/vrgen/vrgen
"$VRGEN" sweep --rates 1:300:1 --tx-dev none --rx-dev none --json \
	>"$T/out" 2>"$T/err"
check "vrgen refuses a 300-rate sweep (exit 1), never cuts it to 256" \
	[ $? = 1 ] && [ ! -s "$T/out" ] && grep -q 'at most 256' "$T/err"

echo "--- bench params: the table of cases vrouterd is tested against too"
# tests/bench_params.json through vrctl's check (an experiment file's bench
# params, --dry-run): accepted, or refused (exit 2) naming the param.
python3 - "$SRC/tests/bench_params.json" "$VRCTL" "$T" >"$T/cases.out" <<'PY'
import json, subprocess, sys
cases, vrctl, tmp = json.load(open(sys.argv[1]))["cases"], sys.argv[2], sys.argv[3]
for i, c in enumerate(cases):
    f = "%s/case%d.json" % (tmp, i)
    with open(f, "w") as out:
        json.dump({"name": "x", "start": {"topology": "monolithic"},
                   "bench": c["params"]}, out)
    r = subprocess.run([vrctl, "experiment", f, "--dry-run"],
                       capture_output=True, text=True)
    what = json.dumps(c["params"])[:80]
    if "param" in c and "in_file" not in c:
        good = r.returncode == 2 and c["param"] in r.stderr
        print("%s: vrctl refuses %s naming %s (exit %d: %s)" % (
            "ok" if good else "FAIL", what, c["param"], r.returncode,
            r.stderr.strip()[:120]))
    else:
        good = r.returncode == 0
        print("%s: vrctl accepts %s (exit %d %s)" % (
            "ok" if good else "FAIL", what, r.returncode, r.stderr.strip()[:120]))
PY
cat "$T/cases.out"
CHECKS=$((CHECKS + $(grep -c '^ok: ' "$T/cases.out") + $(grep -c '^FAIL: ' "$T/cases.out")))
FAILS=$((FAILS + $(grep -c '^FAIL: ' "$T/cases.out")))
check "every case was run" [ "$(wc -l <"$T/cases.out")" -gt 50 ]

echo "--- daemon errors, existing results"
"$VRCTL" bench nosuch --sweep 1000:2000:1000 --out "$T/nosuch" >/dev/null 2>"$T/err"
check "bench of a topology that does not run: exit 1" [ $? = 1 ]
check "  the daemon's message is shown" grep -q "no topology nosuch runs" "$T/err"
check "  and no directory is left" [ ! -e "$T/nosuch" ]
n0=$(ncalls)
"$VRCTL" bench mono --sweep 1000:2000:1000 --out "$T/sweep" >/dev/null 2>"$T/err"
check "an --out that holds a result is refused (exit 1)" [ $? = 1 ]
check "  before calling the daemon" [ "$(ncalls)" = "$n0" ]
env -u VROUTERD_SOCKET "$VRCTL" -s "$T/none.sock" bench mono --ndr --out "$T/nodaemon" >/dev/null 2>&1
check "no daemon: exit 3" [ $? = 3 ]
check "  and no directory is left" [ ! -e "$T/nodaemon" ]

echo "--- no gnuplot: a warning, exit 0, plot.gp kept"
VRCTL_GNUPLOT=/nonexistent/gnuplot "$VRCTL" bench mono --sweep 2000:4000:1000 \
	--duration 1 --out "$T/noplot" >"$T/out" 2>"$T/err"
check "exit 0 without gnuplot" [ $? = 0 ]
check "  a warning names gnuplot-nox" grep -q "warning: .*gnuplot-nox" "$T/err"
check "  no plot.svg, plot.gp there" [ ! -e "$T/noplot/plot.svg" ] && [ -s "$T/noplot/plot.gp" ]
check "  the directory is otherwise valid" python3 "$CHECK" --no-plot "$T/noplot"
if [ -z "$NOPLOT" ]; then
	(cd "$T/noplot" && for g in *.gp; do gnuplot "$g"; done)
	check "  and \`gnuplot FIG.gp\` there makes FIG.svg, .pdf, .png" python3 "$CHECK" "$T/noplot"
fi

echo "--- bench compare"
"$VRCTL" bench compare "$T/sweep" "$T/pdr/" --out "$T/cmp.svg" >"$T/out" 2>"$T/err"
check "compare exits 0" [ $? = 0 ]
cat "$T/out"
check "compare: a table with two runs" [ "$(grep -cE ' (sweep|pdr) ' "$T/out")" = 2 ]
check "compare: the pdr run shows its PDR (8080)" grep -qE 'pdr +8080' "$T/out"
[ -z "$NOPLOT" ] && check "compare: a valid SVG" python3 "$CHECK" --svg "$T/cmp.svg"
"$VRCTL" --json bench compare "$T/sweep" "$T/pdr" --label one,two \
	--out "$T/cmp2.svg" >"$T/cmp.json" 2>"$T/err"
check "compare --json --label: labels used" \
	[ "$(json "$T/cmp.json" '[r["label"] for r in j["runs"]]')" = "['one', 'two']" ]
"$VRCTL" bench compare "$T/sweep" "$T/pdr" --label one >/dev/null 2>&1
check "compare: wrong number of labels is a usage error" [ $? = 2 ]
"$VRCTL" bench compare "$T/nothere" >/dev/null 2>"$T/err"
check "compare: a missing directory is an error naming it" \
	[ $? = 1 ] && grep -q "nothere/experiment.json" "$T/err"

echo "--- experiment: 2x2 matrix, the second bench fails"
cat >"$T/exp.json" <<'EOF'
{"name": "t2x2", "description": "test",
 "start": {"topology": "monolithic", "link": "tap"},
 "matrix": {"cores": [1, 2], "pin": [false, true]},
 "bench": {"mode": "sweep", "rates": "2000:40000:4000", "duration": 1}}
EOF
fake_start --fail-bench 2
"$VRCTL" experiment "$T/exp.json" --out "$T/exp" >"$T/out" 2>"$T/err"
rc=$?
check "experiment with a failed run exits 1 (got $rc)" [ $rc = 1 ]
calls >"$T/calls.txt"
check "calls are start, bench, stop per run, in order (12 calls)" \
	[ "$(awk '{print $1}' "$T/calls.txt" | tr '\n' ' ')" = \
	"start bench stop start bench stop start bench stop start bench stop " ]
check "each run uses one instance name of at most 8 characters" \
	python3 -c 'import sys
l = [x.split() for x in open(sys.argv[1])]
sys.exit(not all(l[i][1] == l[i + 1][1] == l[i + 2][1] and len(l[i][1]) <= 8 for i in range(0, 12, 3)) or len({x[1] for x in l}) != 4)' "$T/calls.txt"
check "runs in a stable order: cores 1 nopin, 1 pin, 2 nopin, 2 pin" \
	[ "$(python3 -c 'import json,sys
print(" ".join("%s/%s" % (j["params"]["cores"], j["params"]["pin"]) for j in map(json.loads, open(sys.argv[1])) if j["method"] == "start"))' "$T/calls.log")" = "1/False 1/True 2/False 2/True" ]
check "nothing is left running" \
	[ "$("$VRCTL" --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))')" = 0 ]
check "a valid experiment directory" python3 "$CHECK" --experiment $NOPLOT "$T/exp"
check "summary: 3 ok, 1 bench failed" \
	[ "$(json "$T/exp/summary.json" '(j["runs_ok"], j["runs_failed"], j["runs"][1]["status"])')" = "(3, 1, 'bench failed')" ]
check "summary.json: the order as it ran (statuses), one round: not shuffled" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["order_shuffled"] is False, s["order_shuffled"]
assert [x["status"] for x in s["order"]] == ["ok", "bench failed", "ok", "ok"], s["order"]
' "$T/exp/summary.json"
check "run directories named by the matrix" \
	[ -d "$T/exp/01-cores1-nopin" ] && [ -d "$T/exp/04-cores2-pin" ] && [ ! -e "$T/exp/02-cores1-pin" ]
check "each run's cli names the experiment" \
	[ "$(json "$T/exp/03-cores2-nopin/experiment.json" 'j["cli"]["experiment"]["run"]')" = "cores=2 pin=false" ]
check "trials.csv: matrix keys as columns, a row per trial of the 3 runs" \
	[ "$(head -c 32 "$T/exp/trials.csv")" = "run,label,cores,pin,phase,repeat" ] &&
	[ "$(wc -l <"$T/exp/trials.csv")" = $((1 + 3 * 10)) ]
check "the comparison table lists 3 runs" [ "$(grep -c '^cores=' "$T/out")" = 3 ]
check "progress per run on stderr" grep -q "run 4/4 (cores=2 pin=true): ok" "$T/err"
check "progress: runs done with the time left" \
	grep -q "runs done 3/4 (0:[0-9][0-9], ~0:[0-9][0-9] left)" "$T/err"

echo "--- experiment: a start fails, stop is still sent"
fake_start --fail-start 1
"$VRCTL" experiment "$T/exp.json" --out "$T/exp2" >/dev/null 2>"$T/err"
check "exit 1" [ $? = 1 ]
calls >"$T/calls.txt"
check "run 1: start then stop (no bench); then the other 3 runs" \
	[ "$(awk '{print $1}' "$T/calls.txt" | tr '\n' ' ')" = \
	"start stop start bench stop start bench stop start bench stop " ]
check "summary: start failed" \
	[ "$(json "$T/exp2/summary.json" 'j["runs"][0]["status"]')" = "start failed" ]

echo "--- experiment --json: progress as JSON lines on stderr"
fake_start
"$VRCTL" --json experiment "$T/exp.json" --out "$T/exp3" >"$T/out" 2>"$T/err"
check "exit 0" [ $? = 0 ]
check "stdout is summary.json" \
	[ "$(json "$T/out" 'j["kind"] + " " + str(j["runs_ok"])')" = "vrouterd-experiment 4" ]
check "stderr: JSON lines, each of its run; steps in order; trials" python3 -c '
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
steps = [(m["experiment"]["run"], m["params"]["step"]) for m in msgs
         if m["method"] == "experiment"]
want = [(r, s) for r in (1, 2, 3, 4) for s in ("start", "bench", "stop", "done")]
assert steps == want, steps
assert all(m["experiment"]["runs"] == 4 for m in msgs), msgs
trials = [m for m in msgs if m["method"] == "progress" and "trial" in m["params"]]
assert trials and all(m["experiment"]["label"] for m in trials), msgs
assert msgs[-1]["params"]["params"] == "ok", msgs[-1]
' "$T/err"
fake_start --preload mono
"$VRCTL" --json bench mono --sweep 2000:4000:2000 --duration 1 \
	--out "$T/jb" >/dev/null 2>"$T/err"
check "bench --json: trial progress as JSON lines, no context" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
msgs = [json.loads(l) for l in lines if l.startswith("{")]
assert all(m["method"] == "progress" for m in msgs), lines
assert len([m for m in msgs if "trial" in m["params"]]) == 2, lines
assert not any("experiment" in m for m in msgs), msgs
' "$T/err"

echo "--- experiment: repeat 2, rounds interleaved in a seeded order"
cat >"$T/rep.json" <<'EOF'
{"name": "rep", "repeat": 2, "seed": 42,
 "start": {"topology": "monolithic", "link": "tap"},
 "matrix": {"cores": [1, 2, 3]},
 "bench": {"mode": "sweep", "rates": "2000,4000", "duration": 1}}
EOF
"$VRCTL" --json experiment "$T/rep.json" --dry-run >"$T/dry.json" 2>"$T/err"
check "dry run: the order of 2 rounds of 3, each round a permutation" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
o = [(x["round"], x["run"]) for x in j["order"]]
assert j["repeat"] == 2 and j["order_seed"] == 42 and len(o) == 6, o
assert sorted(r for k, r in o if k == 0) == [1, 2, 3], o
assert sorted(r for k, r in o if k == 1) == [1, 2, 3], o
assert [k for k, r in o] == [0, 0, 0, 1, 1, 1], o
' "$T/dry.json"
fake_start
"$VRCTL" experiment "$T/rep.json" --out "$T/rep" >"$T/out" 2>"$T/err"
check "repeat 2: exit 0" [ $? = 0 ]
cat "$T/out"
check "the calls follow summary.json's order (start, bench, stop each)" python3 -c '
import json, sys
s = json.load(open(sys.argv[1] + "/summary.json"))
calls = [json.loads(l) for l in open(sys.argv[2])]
starts = [c["params"]["cores"] for c in calls if c["method"] == "start"]
want = [s["runs"][x["run"] - 1]["matrix"]["cores"] for x in s["order"]]
assert starts == want and len(starts) == 6, (starts, want)
assert [c["method"] for c in calls] == ["start", "bench", "stop"] * 6
assert s["order_seed"] == 42 and s["repeat"] == 2
assert all(r.get("rounds_ok") == 2 for r in s["runs"]), s["runs"]
' "$T/rep" "$T/calls.log"
check "the same order as the dry run (seed 42)" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["order"]; b = json.load(open(sys.argv[2]))["order"]
assert [(x["round"], x["run"]) for x in a] == [(x["round"], x["run"]) for x in b]
' "$T/dry.json" "$T/rep/summary.json"
check "repeat 2: shuffled, every entry of the order ran" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["order_shuffled"] is True
assert [x["status"] for x in s["order"]] == ["ok"] * 6, s["order"]
' "$T/rep/summary.json"
sed 's/ "seed": 42,//' "$T/rep.json" >"$T/rep-noseed.json"
"$VRCTL" experiment "$T/rep-noseed.json" --out "$T/rns" >/dev/null 2>"$T/err"
check "no seed in the spec: one drawn and recorded" \
	[ "$(json "$T/rns/summary.json" '"seed" not in j["spec"] and j["order_seed"] >= 0')" = True ]
"$VRCTL" experiment --replay "$T/rns" --out "$T/rnsr" --force \
	>"$T/rout" 2>"$T/err"
rc=$?
check "experiment --replay exits 0 ($(tail -1 "$T/err"))" [ $rc = 0 ]
check "the replay runs in the recorded order (its order_seed)" python3 -c '
import json, sys
a = json.load(open(sys.argv[1] + "/summary.json"))
b = json.load(open(sys.argv[2] + "/summary.json"))
r = json.load(open(sys.argv[2] + "/replay.json"))
assert b["order_seed"] == a["order_seed"], (a["order_seed"], b["order_seed"])
assert [(x["round"], x["run"]) for x in a["order"]] == \
       [(x["round"], x["run"]) for x in b["order"]]
assert r["order_seed"] == a["order_seed"] and r["order_seed_recorded"] is True
' "$T/rns" "$T/rnsr"
check "the replay says it used the recorded seed" \
	grep -q "run order: the recorded order_seed" "$T/rout"
cat >"$T/lim.json" <<'EOF'
{"name": "lim", "repeat": 3,
 "start": {"topology": "monolithic", "link": "tap"},
 "matrix": {"cores": [1]},
 "bench": {"mode": "ndr", "max_rate": 40000, "duration": 1}}
EOF
fake_start --limited 2
"$VRCTL" experiment "$T/lim.json" --out "$T/lim" >/dev/null 2>"$T/err"
check "search rounds: a generator-limited round counts, named a lower bound" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = r["answers"]["ndr_pps"]
assert a["n"] == 3 and a["n_excluded"] == 0, a
assert a["lower_bound"] == [{"round": 1, "why": "generator-limited"}], a
assert r["ndr_pps"] == a["median"] and len(r["results"]) == 3, r["ndr_pps"]
' "$T/lim/01/experiment.json"
check "a valid experiment directory (excluded rounds)" python3 "$CHECK" --experiment $NOPLOT "$T/lim"
fake_start --fail-bench 1
"$VRCTL" experiment "$T/rep.json" --out "$T/repf" >/dev/null 2>"$T/err"
check "repeat 2, the first bench fails: its later round is marked skipped" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
o = s["order"]
first = o[0]["run"]
st = [(x["round"], x["run"], x["status"]) for x in o]
assert st[0] == (0, first, "bench failed"), st
assert [x[2] for x in st if x[1] == first][1:] == ["skipped"], st
assert all(x[2] == "ok" for x in st if x[1] != first), st
' "$T/repf/summary.json"
fake_start
check "a configuration's directory holds both rounds: points with n=2" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert sorted(t["repeat"] for t in r["trials"]) == [0, 0, 1, 1], r["trials"]
assert len(r["rounds"]) == 2 and r["command"]["repeat"] == 2
p = r["points"]
assert [x["offered_pps"] for x in p] == [2000, 4000], p
assert all(x["n"] == 2 and x["forwarded_pps"]["ci95"] is not None and
           x["forwarded_pps"]["ci_method"] == "student-t" for x in p), p
' "$T/rep/02-cores2/experiment.json"
check "a valid experiment directory" python3 "$CHECK" --experiment $NOPLOT "$T/rep"
check "progress names the round" grep -q "round 2/2 run [123]/3" "$T/err"
check "the comparison says how much, against the first" \
	grep -qE '^  cores=2 [0-9.]+x cores=1 ' "$T/out"
check "summary.json: vs_first with the test's name" \
	[ "$(json "$T/rep/summary.json" 'j["compare"]["runs"][1]["vs_first"]["test"]')" = welch-t ]

echo "--- bench compare: rounds that differ, significance"
python3 - "$T/pdr/experiment.json" "$T" <<'PY'
import json, os, sys
rec = json.load(open(sys.argv[1]))
for name, vals in (("ra", [8000, 8100, 7900]), ("rb", [10000, 10150, 9900]),
                   ("rc", [8100, 7900, 8000])):
    r = dict(rec)
    r["answers"] = {"pdr_pps": {"n": 3, "values": vals}}
    r["pdr_pps"] = sorted(vals)[1]
    os.makedirs(os.path.join(sys.argv[2], name))
    json.dump(r, open(os.path.join(sys.argv[2], name, "experiment.json"), "w"))
PY
"$VRCTL" bench compare "$T/ra" "$T/rb" "$T/rc" --label base,fast,same \
	--out "$T/cmp3.svg" >"$T/out" 2>"$T/err"
check "compare of rounds exits 0" [ $? = 0 ]
cat "$T/out"
check "  fast is 1.25x base, significant, with a CI" \
	grep -qE '^  fast 1\.25x base \[1\.[12][0-9], 1\.[23][0-9]\] \(significant: Welch t-test p[<=]0\.0' "$T/out"
check "  same is not significant" \
	grep -qE '^  same 1\.00x base \[.*\] \(not significant: Welch t-test p=' "$T/out"
"$VRCTL" bench compare "$T/sweep" "$T/noplot" --out "$T/cmp4.svg" >"$T/out" 2>&1
check "  one round each: no confidence interval" \
	grep -q "one trial each: no confidence interval" "$T/out"

echo "--- experiment files"
n0=$(ncalls)
for f in "$SRC"/experiments/*.json; do
	"$VRCTL" experiment "$f" --dry-run >"$T/out" 2>"$T/err"
	check "$(basename "$f"): --dry-run expands it ($(head -1 "$T/out"))" [ $? = 0 ]
done
check "figure1: 6 runs (1/2/4 cores x pinned or not)" \
	grep -q ': 6 runs' <("$VRCTL" experiment "$SRC/experiments/figure1-cores-pinning.json" --dry-run)
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"start":{"topology":"monolithic","cores":0}}' >"$T/bad1.json"
printf '%s\n' '{"name":"x","bench":{"mode":"ndr","rates":"1000"},"start":{"topology":"monolithic"}}' >"$T/bad2.json"
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"matrix":{"pin":[]},"start":{"topology":"monolithic"}}' >"$T/bad3.json"
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"start":{"topology":"monolithic"},"extra":1}' >"$T/bad4.json"
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"start":{"topology":"monolithic"},"repeat":0}' >"$T/bad5.json"
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"start":{"topology":"monolithic"},"repeat":101}' >"$T/bad6.json"
printf '%s\n' '{"name":"x","bench":{"mode":"sweep","rates":"1000"},"start":{"topology":"monolithic"},"repeat":2,"seed":-1}' >"$T/bad7.json"
for b in 1 2 3 4 5 6 7; do
	"$VRCTL" experiment "$T/bad$b.json" --out "$T/badout" >/dev/null 2>"$T/err"
	rc=$?
	check "bad experiment file $b: exit 2 ($(cat "$T/err"))" [ $rc = 2 ]
done
check "no call for any of them, no directory" [ "$(ncalls)" = "$n0" ] && [ ! -e "$T/badout" ]
for r in 0 101 x; do
	"$VRCTL" bench mono --sweep 1000 --repeat $r --out "$T/badrep" >/dev/null 2>"$T/err"
	rc=$?
	check "bench --repeat $r: exit 2 ($(head -1 "$T/err"))" [ $rc = 2 ]
done
check "no call for them" [ "$(ncalls)" = "$n0" ] && [ ! -e "$T/badrep" ]

finish
