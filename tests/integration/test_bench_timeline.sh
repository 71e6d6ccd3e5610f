#!/bin/bash
# `vrctl bench NAME --mode timeline` (docs/bench.md "Timelines") against a
# netns monolithic topology in a sandbox without libvirtd, with an event
# this test causes: 1.5 s into a 4 s stream at 5000 pps the router's
# egress link goes down for 300 ms (its ARP retransmit time set to 10 ms:
# test_timeline.sh says why).  The record has the trial's timeline
# (a gap of 250..700 ms mid-stream, lost = rate x gap) and the marks
# (bench start before the stream, bench stop after it); the text says
# lost, the gap and the rates either side; timeline.gp draws the marks.
# Bad timeline params are usage errors.
#
#   test_bench_timeline.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name btl -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

say "usage errors, before anything runs"
"$VRCTL" bench x --mode timeline --duration 4 >/dev/null 2>"$T/u1.err"
check "--mode timeline without --rate: exit 2" [ $? = 2 ]
check "  naming rate" grep -q 'rate' "$T/u1.err"
"$VRCTL" bench x --mode timeline --rate 1000 --sweep 1000 >/dev/null 2>&1
check "--mode timeline with --sweep: exit 2" [ $? = 2 ]
"$VRCTL" bench x --ndr --bin-ms 10 >/dev/null 2>&1
check "--bin-ms with --ndr: exit 2" [ $? = 2 ]
"$VRCTL" bench x --mode timeline --rate 1000 --duration 400 --bin-ms 1 \
	>/dev/null 2>&1
check "400 s of 1 ms bins (over 360000): exit 2" [ $? = 2 ]

daemon_start
say "start monolithic --backend netns"
if ! "$VRCTL" start monolithic --name tlb --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1; then
	bad "start: $(cat "$T/start.out")"
	finish 1
fi
ok "monolithic (netns) runs as tlb"
# the router's egress: its interface on the out port's subnet
EGRESS=$(ip -n vr-tlb-vr0 -o -4 addr show | awk '/ 198\.18\.2\./ {print $2; exit}')
check "the router's egress interface found ($EGRESS)" [ -n "$EGRESS" ] &&
	ip netns exec vr-tlb-vr0 sysctl -qw net.ipv4.neigh."$EGRESS".retrans_time_ms=10

say "timeline 5000 pps, 4 s; egress down 300 ms at about 1.5 s"
"$VRCTL" bench tlb --mode timeline --rate 5000 --duration 4 --cpu 0 \
	--tx packet --out "$T/tl" >"$T/tl.out" 2>"$T/tl.err" &
BENCH=$!
# the stream starts once vrgen has set up: wait for its warm-up to pass
sleep 2
ip -n vr-tlb-vr0 link set "$EGRESS" down
sleep 0.3
ip -n vr-tlb-vr0 link set "$EGRESS" up
wait $BENCH
check "bench --mode timeline exits 0 ($(tail -1 "$T/tl.err"))" [ $? = 0 ]
cat "$T/tl.out"
check "the text says lost, the gap and the rates" \
	grep -qE '^round 0: lost [0-9]+ of [0-9]+ .*longest gap [0-9.]+ ms at t=[0-9.]+ s .*rate before [0-9]+ pps, after [0-9]+ pps' "$T/tl.out"
check "the text lists the marks" grep -q '^  mark t=.*bench stop' "$T/tl.out"
check "the record: timeline, gap, lost, marks" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trials"][0]
tl = t["timeline"]
g = tl["gap"]
m = {x["label"]: x["t"] for x in r["marks"]}
print("gap %.1f ms at %.3f s, lost %d, skipped %d, marks %s" %
      (g["ms"], g["at_s"], t["lost"], g["skipped"], m))
want = 5000 * g["ms"] / 1000
ok = (r["command"]["mode"] == "timeline" and r["command"]["rate"] == 5000 and
      r["command"]["bin_ms"] == 10 and tl["clock"] == "sink" and
      250 <= g["ms"] <= 700 and 0.5 <= g["at_s"] <= 3.5 and
      abs(t["lost"] - want) <= 0.1 * want + 50 and
      tl["lost_seq"] == t["lost"] and
      all(b == 0 for b in tl["bins"][int(g["at_s"] * 100) + 1:
                                     int((g["at_s"] + g["ms"] / 1000) * 100)]) and
      m["bench start"] < 0 < 4 < m["bench stop"] < 30 and
      [x["repeat"] for x in r["marks"]] == [0, 0])
sys.exit(not ok)' "$T/tl/experiment.json"
CHECK_EXP="python3 $SRC/tests/integration/check_experiment.py"
[ -x "$(command -v gnuplot)" ] || CHECK_EXP="$CHECK_EXP --no-plot"
check "the record and its files pass check_experiment.py" $CHECK_EXP "$T/tl"
if command -v gnuplot >/dev/null; then
	check "timeline.svg drawn" test -s "$T/tl/timeline.svg"
	check "timeline.gp draws the marks as vertical lines" \
		grep -q "^set arrow 2 from .* nohead" "$T/tl/timeline.gp"
	check "no plot.svg (one rate: nothing against load)" \
		test ! -e "$T/tl/plot.svg"
else
	echo "SKIP: no gnuplot, no figure checks"
fi

say "two rounds of a 1 s timeline: marks per round"
"$VRCTL" bench tlb --mode timeline --rate 2000 --duration 1 --repeat 2 \
	--bin-ms 5 --cpu 0 --out "$T/tl2" >"$T/tl2.out" 2>"$T/tl2.err"
check "bench --mode timeline --repeat 2 exits 0" [ $? = 0 ]
check "two rounds, each its own timeline and its own start and stop" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
tr = r["trials"]
ms = r["marks"]
print([(m["repeat"], m["label"], m["t"]) for m in ms])
ok = ([t["repeat"] for t in tr] == [0, 1] and
      all(t["phase"] == "timeline" and t["timeline"]["bin_ms"] == 5 and
          len(t["timeline"]["bins"]) >= 200 and t["timeline"]["gap"]["ms"] < 1000
          for t in tr) and
      [(m["repeat"], m["label"]) for m in ms] ==
      [(0, "bench start"), (0, "bench stop"), (1, "bench start"), (1, "bench stop")] and
      all(m["t"] < 0 if m["label"] == "bench start" else 1 < m["t"] < 20 for m in ms) and
      tr[1]["timeline"]["origin_unix_s"] > tr[0]["timeline"]["origin_unix_s"] + 1)
sys.exit(not ok)' "$T/tl2/experiment.json"
check "  the text has both rounds" [ "$(grep -c '^round [01]: lost' "$T/tl2.out")" = 2 ]

check "stop" "$VRCTL" stop tlb
check "nothing left behind" nothing_left tlb
finish 0
