#!/bin/bash
# The timeline measurement a blackout bench uses (vrgen timeline,
# docs/bench.md "Timelines"), on an event this test causes itself: a
# constant-rate stream through a netns router built by hand (as
# test_vrgen.sh), with the router's ingress link taken down for 300 ms
# mid-stream.  The router's ARP retransmit time is 10 ms: a link going
# down flushes its neighbour entry for the sink, frames forwarded while it
# is down leave an unresolved entry, and with the default 1 s its next
# probe after the link is back waits up to a second (measured: gaps of
# 1.3-1.4 s for a 300 ms outage in 3 of 5 rounds, the frames queued
# meanwhile arriving reordered).  A migration meets that too; here the
# test measures the measurement.  (Not the ingress: with its peer down the
# generator's veth pushes back, the sender waits and nothing is lost.)  The sink must see a gap of about that length, as many
# frames lost as the rate times the gap, empty bins inside it, and with
# no outage no gap over 50 ms; `vrgen sink --bin-ms` apart from `vrgen
# send` (as on two hosts) keeps the same timeline on its own clock.  ROUNDS (default 1) outage runs; the last
# lines print each round's gap and the spread.  Run it inside sandbox.sh:
#
#   tests/integration/sandbox.sh --name timeline -- test_timeline.sh PATH/TO/vrgen [ROUNDS]
set -u
VRGEN=${1:?usage: test_timeline.sh PATH/TO/vrgen [ROUNDS]}
ROUNDS=${2:-1}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ "${VR_SANDBOX:-0}" != 1 ]; then
	echo "SKIP: run me inside tests/integration/sandbox.sh"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

P=vr-tl
RATE=5000
T=$(mktemp -d /tmp/timeline-test.XXXXXX)
FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
cleanup() {
	[ -n "${GEN:-}" ] && kill "$GEN" 2>/dev/null
	for n in in rt out; do ip netns del $P-$n 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# tcheck FILE EXPR: EXPR holds for the trial's timeline tl (and the trial
# j), else print why not.
tcheck() {
	python3 - "$@" <<'EOP'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
j = [json.loads(l) for l in open(path) if l.strip()][-1]
tl = j.get("timeline", {})
try:
    # globals: the generator expressions in EXPR see them too
    good = eval(expr, {"abs": abs, "all": all, "len": len, "int": int,
                       "range": range, "sum": sum, "min": min, "j": j, "tl": tl})
except Exception as e:
    good = False
    print("  error:", e)
if not good:
    if "bins" in expr: print("  bins:", tl.get("bins"))
    print("  not true:", expr)
    print("  for:", json.dumps({k: v for k, v in tl.items() if k != "bins"}),
          "lost", j.get("lost"), "sent", j.get("sent"))
    sys.exit(1)
EOP
}

# --- the wiring of a netns monolithic VR, by hand --------------------------
set -e
ip netns add $P-in
ip netns add $P-rt
ip netns add $P-out
ip link add vp0 netns $P-in type veth peer name eth0 netns $P-rt
ip link add vp0 netns $P-out type veth peer name eth1 netns $P-rt
ip -n $P-in addr add 198.18.1.2/24 dev vp0
ip -n $P-rt addr add 198.18.1.1/24 dev eth0
ip -n $P-rt addr add 198.18.2.1/24 dev eth1
ip -n $P-out addr add 198.18.2.2/24 dev vp0
for n in in rt out; do
	ip -n $P-$n link set lo up
done
ip -n $P-in link set vp0 up
ip -n $P-rt link set eth0 up
ip -n $P-rt link set eth1 up
ip -n $P-out link set vp0 up
ip -n $P-in route add default via 198.18.1.1
ip -n $P-out route add default via 198.18.2.1
ip netns exec $P-rt sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
	net.ipv4.neigh.eth1.retrans_time_ms=10
set +e
wait_up() {
	for _ in $(seq 50); do
		ip -n $P-rt link show eth1 | grep -q 'state UP' &&
			ip -n $P-rt link show eth0 | grep -q 'state UP' && return 0
		sleep 0.1
	done
	return 1
}
wait_up
PAIR="--tx-netns $P-in --tx-dev vp0 --rx-netns $P-out --rx-dev vp0"

# --- no outage: the gap is the frame spacing, give or take the scheduler ----
echo "--- timeline $RATE pps, 4 s, no outage"
"$VRGEN" timeline $PAIR --rate $RATE --duration 4 --json --tx packet \
	>"$T/calm.json" 2>"$T/calm.err"
check "timeline exits 0" test $? = 0
cat "$T/calm.err"
check "calm: the sink's clock, 10 ms bins, 400 of them" \
	tcheck "$T/calm.json" 'tl["clock"] == "sink" and tl["bin_ms"] == 10 and len(tl["bins"]) >= 400'
check "calm: nothing lost, every frame in a bin" \
	tcheck "$T/calm.json" 'j["lost"] == 0 and tl["lost_seq"] == 0 and sum(tl["bins"]) == j["received"] == tl["frames"]'
# a gap the generator made itself (not scheduled on a busy host) is no
# blackout: the record has the sender's longest pause to tell them apart
check "calm: longest gap under 50 ms, or the generator's own pause" \
	tcheck "$T/calm.json" 'tl["gap"]["ms"] < 50 or (tl["sender_pause"]["ms"] >= tl["gap"]["ms"] - 10 and abs(tl["sender_pause"]["at_s"] - tl["gap"]["at_s"]) < 0.05)'
python3 -c 'import json,sys; tl=[json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]["timeline"]; print("calm: longest gap %.1f ms at t=%.3f s; the generator paused at most %.1f ms (t=%.3f s)" % (tl["gap"]["ms"], tl["gap"]["at_s"], tl["sender_pause"]["ms"], tl["sender_pause"]["at_s"]))' "$T/calm.json"
# (the rates either side of a gap this short say little: a pause near an
# end leaves a short, bursty side)
check "calm: first to last frame at the offered rate (2 %)" \
	tcheck "$T/calm.json" "abs((tl['frames'] - 1) / (tl['last_rx_s'] - tl['first_rx_s']) - $RATE) < $RATE * 0.02"

# --- sender and sink apart (as on two hosts): the sink keeps the timeline --
echo "--- vrgen sink --bin-ms 10 while vrgen send offers 2000 pps for 2 s"
"$VRGEN" sink --dev vp0 --netns $P-out --duration 4 --bin-ms 10 --json \
	>"$T/sink.json" 2>"$T/sink.err" &
SINK=$!
sleep 1
"$VRGEN" send --dev vp0 --netns $P-in --rate 2000 --duration 2 --json \
	>"$T/send.json" 2>"$T/send.err"
check "send exits 0" test $? = 0
wait $SINK
check "sink exits 0" test $? = 0
check "sink: a timeline on its own clock, t = 0 when it started" \
	tcheck "$T/sink.json" 'j["type"] == "sink" and tl["clock"] == "sink" and sum(tl["bins"]) == tl["frames"] == j["received"] == 4000 and tl["lost_seq"] == 0 and 0.5 < tl["first_rx_s"] < 2 and tl["gap"]["ms"] < 50 and "sender_pause" not in tl'

# --- the outage: eth1 of the router down for 300 ms, 1.5 s into the stream ---
GAPS=""
for r in $(seq "$ROUNDS"); do
	echo "--- timeline $RATE pps, 4 s, the router's egress down for 300 ms (round $r/$ROUNDS)"
	"$VRGEN" timeline $PAIR --rate $RATE --duration 4 --json --tx packet \
		>"$T/out.json" 2>"$T/out.err" &
	GEN=$!
	sleep 1.5
	# when the link really went down and up: between these (a busy host
	# may take long to run ip)
	d0=$(date +%s.%N)
	ip -n $P-rt link set eth1 down
	d1=$(date +%s.%N)
	sleep 0.3
	u0=$(date +%s.%N)
	ip -n $P-rt link set eth1 up
	u1=$(date +%s.%N)
	wait "$GEN"
	check "outage: timeline exits 0" test $? = 0
	GEN=
	cat "$T/out.err"
	# the outage caused lasted at least u0 - d1 and at most u1 - d0
	short=$(python3 -c "print(($u0 - $d1) * 1000)")
	long=$(python3 -c "print(($u1 - $d0) * 1000)")
	printf 'the link was down %.1f..%.1f ms\n' "$short" "$long"
	if python3 -c "import sys; sys.exit(not $long <= 450)"; then
		check "outage: gap 250..700 ms" \
			tcheck "$T/out.json" '250 <= tl["gap"]["ms"] <= 700'
	else
		echo "note: the host took ${long%.*} ms to run down, sleep 0.3, up: 250..700 ms not asked"
	fi
	# the gap began when the link went down (the last frame before it
	# arrived at most 20 ms earlier) and lasted the outage, plus up to
	# 100 ms to resolve the sink's address again
	check "outage: the gap is the outage caused (start and length)" \
		tcheck "$T/out.json" "$d0 - 0.02 <= tl['origin_unix_s'] + tl['gap']['at_s'] <= $d1 and $short - 20 <= tl['gap']['ms'] <= $long + 100"
	check "outage: it began mid-stream (1..3 s)" \
		tcheck "$T/out.json" '1 <= tl["gap"]["at_s"] <= 3'
	# lost = rate x gap: the frames due while nothing arrived, within a
	# bin's worth (10 ms) and 10 %
	check "outage: lost = rate x gap (10 % + 10 ms)" \
		tcheck "$T/out.json" "abs(j['lost'] - $RATE * tl['gap']['ms'] / 1000) <= 0.1 * $RATE * tl['gap']['ms'] / 1000 + $RATE * 0.01"
	check "outage: lost by sequence = lost by the sender's count = skipped" \
		tcheck "$T/out.json" 'tl["lost_seq"] == j["lost"] and abs(tl["gap"]["skipped"] - j["lost"]) <= 1'
	# bins whole inside the gap hold nothing; the 0.2..1 s before it
	# hold rate x 10 ms on average (single bins are uneven: the sender
	# sends bursts, and on a busy host a stall of a bin or two happens)
	check "outage: bins inside the gap are empty, bins before it full" \
		tcheck "$T/out.json" "all(tl['bins'][i] == 0 for i in range(int(tl['gap']['at_s'] * 100) + 1, int((tl['gap']['at_s'] + tl['gap']['ms'] / 1000) * 100))) and abs(sum(tl['bins'][20:100]) / 80 - $RATE / 100) < $RATE / 100 * 0.1"
	check "outage: the rate comes back (after within 10 % of before)" \
		tcheck "$T/out.json" 'abs(tl["rate_after_pps"] - tl["rate_before_pps"]) < 0.1 * tl["rate_before_pps"]'
	wait_up
	GAPS="$GAPS $(python3 -c 'import json,sys; j=[json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]; print("%.1f" % j["timeline"]["gap"]["ms"])' "$T/out.json")"
	python3 -c '
import json, sys
j = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
tl = j["timeline"]
print("round %s: gap %.1f ms at t=%.3f s for a 300 ms outage, lost %d, "
      "skipped %d, rate before %d after %d pps" %
      (sys.argv[2], tl["gap"]["ms"], tl["gap"]["at_s"], j["lost"],
       tl["gap"]["skipped"], tl["rate_before_pps"], tl["rate_after_pps"]))
' "$T/out.json" "$r"
done
echo "gaps (ms):$GAPS"
echo "$GAPS" | tr ' ' '\n' | sed '/^$/d' | sort -n |
	awk '{a[NR]=$1} END {if (NR) printf "rounds %d: min %.1f median %.1f max %.1f ms (outage 300 ms)\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'

echo "$CHECKS checks, $FAILS failed"
[ "$FAILS" = 0 ]
