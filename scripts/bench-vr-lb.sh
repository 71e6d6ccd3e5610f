#!/bin/bash
# Two builds of the guest's per-packet MSR balancer (images/guest/vr-lb.c)
# side by side on this host, no guests: each runs in a network namespace
# wired like the LB guest, vrgen offers one UDP flow at a fixed rate, and
# the two back-ends' receive counters say what was forwarded.  Rounds
# interleave the builds (A B, B A, A B, ...) so that a change in the
# host's load hits both alike.  Prints one line per run, then per round
# the ratio B/A, and their geometric mean and spread.  A benchmark, not a
# test: it prints figures and checks only that both back-ends got a share.
#
#   scripts/bench-vr-lb.sh [-r ROUNDS] [-p PPS] [-d SEC] VRGEN A B
#
# A, B: vr-lb binaries built for the host, for instance
#   git show main:images/guest/vr-lb.c >/tmp/old.c
#   gcc -static -Os -o /tmp/vr-lb-old /tmp/old.c
#   gcc -static -Os -o /tmp/vr-lb-new images/guest/vr-lb.c
# VRGEN: build/vrgen/vrgen.  Needs root.  Defaults: 5 rounds, 1000000 pps
# offered for 5 s.  Run it under `nice` on a shared machine.
#
#   gen: g0 198.18.0.2 --- lbin 198.18.0.1  LB netns    br0 198.18.1.1
#        (vrgen send)      (vr-lb reads)   (forwarding  (vr-lb writes;
#                                            off)        ports b0, b1)
#   b0 --- s0 198.18.1.10 (sink 0)     b1 --- s1 198.18.1.11 (sink 1)
#
# The sinks drop what they get on arrival (not addressed to them); their
# veth's rx_packets is the count.  vr-lb runs on CPU 1, vrgen on CPU 0.
set -u
rounds=5 rate=1000000 dur=5
while getopts r:p:d: o; do
	case $o in
	r) rounds=$OPTARG ;;
	p) rate=$OPTARG ;;
	d) dur=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || {
	echo "usage: $0 [-r ROUNDS] [-p PPS] [-d SEC] VRGEN A B" >&2
	exit 2
}
VRGEN=$(realpath "$1") BIN_A=$(realpath "$2") BIN_B=$(realpath "$3")
P=vrlbb$$
G=$P-gen L=$P-lb S0=$P-s0 S1=$P-s1
LINMAC=02:00:00:00:00:01 BRMAC=02:00:00:00:01:00
S0MAC=02:00:00:00:02:00 S1MAC=02:00:00:00:02:01
T=$(mktemp -d "${TMPDIR:-/tmp}/bench-vr-lb.XXXXXX") || exit 1

cleanup() {
	# run() is a subshell: the balancer's pid is in a file
	[ ! -s "$T/lb.pid" ] || kill "$(cat "$T/lb.pid")" 2>/dev/null
	for ns in $G $L $S0 $S1; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

set -e
for ns in $G $L $S0 $S1; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
done
ip link add g0 netns $G type veth peer name lbin netns $L address $LINMAC
ip -n $L link add br0 address $BRMAC type bridge
# The sinks' own MACs are not the back-ends' (the bridge sends those to
# them all the same): the frames are PACKET_OTHERHOST there, dropped on
# arrival, so what is measured is the balancer's path, not a sink's IP
# stack.
ip link add b0 netns $L type veth peer name s0 netns $S0 address 02:00:00:00:03:00
ip link add b1 netns $L type veth peer name s1 netns $S1 address 02:00:00:00:03:01
ip -n $G addr add 198.18.0.2/24 dev g0
ip -n $L addr add 198.18.0.1/24 dev lbin
ip -n $L addr add 198.18.1.1/24 dev br0
ip -n $S0 addr add 198.18.1.10/24 dev s0
ip -n $S1 addr add 198.18.1.11/24 dev s1
for i in 0 1; do
	ip -n $L link set b$i master br0
	ip -n $L link set b$i up
done
ip -n $L link set br0 up
ip -n $L link set dev lbin up
ip -n $G link set g0 up
ip -n $S0 link set s0 up
ip -n $S1 link set s1 up
# the back-ends' MACs on their ports for good: no flooding, no learning
bridge -n $L fdb replace $S0MAC dev b0 master static
bridge -n $L fdb replace $S1MAC dev b1 master static
# as the guest's init: the LB's kernel does not forward transit packets
ip netns exec $L sysctl -qw net.ipv4.conf.all.forwarding=0
set +e

rx() { # NS DEV
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"
}

# One run of binary $1: prints "sent_pps fwd_pps be0 be1".
run() {
	local bin=$1 a0 a1 b0 b1 out lbpid
	# to a file: the balancer's child keeps its stdout open
	ip netns exec $L taskset -c 1 "$bin" $LINMAC $BRMAC $S0MAC $S1MAC \
		>"$T/lb.out" || return 1
	out=$(cat "$T/lb.out")
	lbpid=${out#vr-lb: pid }
	lbpid=${lbpid%%,*}
	echo "$lbpid" >"$T/lb.pid"
	sleep 0.3
	a0=$(rx $S0 s0) a1=$(rx $S1 s1)
	"$VRGEN" send --netns $G --dev g0 --cpu 0 --dst-mac $LINMAC \
		--dst-ip 198.18.9.9 --rate "$rate" --duration "$dur" \
		--json >"$T/gen.json" 2>"$T/gen.err" || {
		cat "$T/gen.err" >&2
		return 1
	}
	sleep 0.5
	b0=$(rx $S0 s0) b1=$(rx $S1 s1)
	kill "$lbpid"
	: >"$T/lb.pid"
	python3 - "$T/gen.json" "$dur" $((b0 - a0)) $((b1 - a1)) <<'EOP'
import json, sys
j = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
dur, n0, n1 = float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sent = j.get("sent", j.get("tx_packets", 0))
print("%.0f %.0f %d %d %s" % (sent / dur, (n0 + n1) / dur, n0, n1,
                               j.get("tx_path", "?")))
EOP
}

printf 'offered %s pps for %s s per run, %s rounds\n' "$rate" "$dur" "$rounds"
printf 'A %s\nB %s\n' "$BIN_A" "$BIN_B"
printf '%-5s %-3s %12s %12s %10s %10s %s\n' ROUND BIN SENT_PPS FWD_PPS \
	BE0 BE1 TX
ratios=() fwd_A=0 fwd_B=0
for r in $(seq 1 "$rounds"); do
	order="A B"
	[ $((r % 2)) -eq 1 ] || order="B A"
	for w in $order; do
		bin=$BIN_A
		[ "$w" = A ] || bin=$BIN_B
		res=$(run "$bin") || exit 1
		# shellcheck disable=SC2086 # the fields, split on purpose
		set -- $res
		printf '%-5s %-3s %12s %12s %10s %10s %s\n' "$r" "$w" "$1" "$2" \
			"$3" "$4" "$5"
		if [ "$3" -eq 0 ] || [ "$4" -eq 0 ]; then
			echo "bench-vr-lb: $w forwarded to one back-end only" >&2
			exit 1
		fi
		if [ "$w" = A ]; then fwd_A=$2; else fwd_B=$2; fi
	done
	ratios+=("$(python3 -c "print($fwd_B / $fwd_A)")")
done
python3 - "${ratios[@]}" <<'EOP'
import math, sys
r = [float(x) for x in sys.argv[1:]]
g = math.exp(sum(math.log(x) for x in r) / len(r))
print("ratio B/A per round: " + " ".join("%.2f" % x for x in r))
print("geometric mean %.2f, min %.2f, max %.2f" % (g, min(r), max(r)))
EOP
