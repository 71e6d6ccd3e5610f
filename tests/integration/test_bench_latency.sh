#!/bin/bash
# Latency under load and per-second reports (issue 13) against a netns
# monolithic topology in a sandbox without libvirtd: an NDR search with
# short trials and --latency-at 0,50,90 records three latency_at rows at
# 1 %, 50 % and 90 % of the answer, each with a histogram whose counts are
# the trial's received frames and ordered percentiles, and prints the
# latency-at table; a 3 s sweep trial has 3 one-second intervals whose
# rates add up to the trial's (within 2 %), and a stability summary.
#
#   test_bench_latency.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name blat -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

daemon_start
say "start monolithic --backend netns"
if ! "$VRCTL" start monolithic --name bl --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1; then
	bad "start: $(cat "$T/start.out")"
	finish 1
fi
ok "monolithic (netns) runs as bl"

say "ndr with --latency-at 0,50,90"
"$VRCTL" bench bl --ndr --trial-duration 1 --duration 1 --max-rate 2000 \
	--latency-at 0,50,90 --cpu 0 --out "$T/ndr" >"$T/ndr.out" 2>"$T/ndr.err"
check "bench --ndr --latency-at exits 0 ($(tail -1 "$T/ndr.err"))" [ $? = 0 ]
cat "$T/ndr.out"
check "the text output has the latency-at table" \
	grep -q '^PERCENT  *OFFERED_PPS  *P50_US  *P90_US  *P99_US  *P99.9_US  *MAX_US' \
	"$T/ndr.out"
check "  with three rows" \
	[ "$(grep -cE '^ +(0|50|90) +[0-9]+ ' "$T/ndr.out")" = 3 ]
check "a progress line per latency-at trial" \
	[ "$(grep -c '\[latency_at\] latency at' "$T/ndr.err")" = 3 ]
check "the record: latency_at rows with histograms" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
ans = r["ndr_pps"]
rows = r.get("latency_at", [])
bad = []
if r["command"].get("latency_at") != "0,50,90":
    bad.append("command.latency_at")
if [x["percent"] for x in rows] != [0, 50, 90]:
    bad.append("percents %s" % [x.get("percent") for x in rows])
for x in rows:
    t = x["trial"]
    want = max(1, round(ans * (x["percent"] or 1) / 100))
    lat = t["latency_us"]
    b = lat["histogram"]["buckets"]
    n = sum(c for lo, hi, c in b)
    ps = [lat[k] for k in ("min", "p50", "p90", "p99", "p999", "max")]
    print("%3d%% offered %s received %d hist %d buckets %d p50..max %s" %
          (x["percent"], x["offered_pps"], t["received"], n, len(b), ps[1:]))
    if x["offered_pps"] != want or t["offered_pps"] != want:
        bad.append("offered %s != %s" % (x["offered_pps"], want))
    if t["received"] == 0 or n != t["received"] or n != lat["samples"]:
        bad.append("histogram counts %d, received %d" % (n, t["received"]))
    if lat["histogram"]["unit"] != "us" or ps != sorted(ps):
        bad.append("unit or percentile order %s" % ps)
    if any(not (lo < hi) for lo, hi, c in b) or \
       any(b[i][1] > b[i + 1][0] for i in range(len(b) - 1)):
        bad.append("buckets not increasing")
    if not (b[0][0] <= lat["min"] and lat["max"] <= b[-1][1]):
        bad.append("min/max outside the buckets")
    if len(t["intervals"]) != 1 or "stability" not in t:
        bad.append("intervals of a 1 s trial: %d" % len(t["intervals"]))
if ans <= 0 or len(rows) != 3:
    bad.append("answer %s, %d rows" % (ans, len(rows)))
print("bad:", bad)
sys.exit(bool(bad))' "$T/ndr/experiment.json"
check "the search trials are not latency_at rows" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(any(t.get("phase") is None for t in r["trials"]))' \
	"$T/ndr/experiment.json"
check "the record is complete" \
	python3 "$SRC/tests/integration/check_experiment.py" --no-plot "$T/ndr"

say "a 3 s sweep trial"
"$VRCTL" bench bl --sweep 1000 --duration 3 --cpu 0 --out "$T/sw" \
	>"$T/sw.out" 2>&1
check "bench --sweep 1000 --duration 3 exits 0" [ $? = 0 ]
check "3 intervals whose counts are the trial's, and its stability" \
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trials"][0]
iv = t["intervals"]
st = t["stability"]
print(json.dumps(iv), json.dumps(st), t["sent"], t["received"])
# a sender that fell behind ends a little after 3 s: the last interval is
# then that much longer, its rate over its length (within 2 %)
near = lambda a, b: abs(a - b) <= 0.02 * b
ok = (len(iv) == 3 and [i["t_s"] for i in iv] == [0, 1, 2] and
      near(sum(i["sent_pps"] for i in iv), t["sent"]) and
      near(sum(i["received_pps"] for i in iv), t["received"]) and
      st["min_pps"] == min(i["received_pps"] for i in iv) and
      st["max_pps"] == max(i["received_pps"] for i in iv) and
      0 <= st["received_pps_cv"] < 0.5 and "latency_at" not in r)
sys.exit(not ok)' "$T/sw/experiment.json"

check "stop" "$VRCTL" stop bl
check "nothing left behind" nothing_left bl
finish 0
