#!/bin/bash
# Generator throughput on one core: vrgen (AF_XDP and AF_PACKET send paths)
# against trafgen (netsniff-ng) and iperf3 -u, all measured in one run on the
# same path, 64-byte frames.
#
#   gen-bench.sh [--vrgen PATH] [--cpu N] [--rps CPU|none] [--rounds R]
#                [--seconds S] [--json FILE]
#
# The path: a veth pair between two namespaces of our own.  The far end is
# up and drops what it gets: vrgen's and trafgen's frames carry a foreign
# destination MAC (dropped as PACKET_OTHERHOST on arrival); iperf3 needs a
# server, so its datagrams reach one.  The receive side runs in softirq on
# the sender's CPU (veth), the same work for every generator; --rps CPU
# moves it to another CPU instead (in a VM the cross-CPU handoff usually
# costs the sender more than it saves).  Each generator is pinned to the
# same CPU (taskset) and counted on the sending veth: tx_packets over a
# steady window (the first second is skipped), R rounds interleaved, the
# median reported.
# Needs root; exits 77 when it cannot run.
set -u
VRGEN=${VRGEN:-$(dirname "$0")/../build/vrgen/vrgen}
CPU=0
RPS=none
ROUNDS=3
SECS=3
JSON=
while [ $# -gt 0 ]; do
	case "$1" in
	--vrgen) VRGEN=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--rps) RPS=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--json) JSON=$2; shift 2 ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "gen-bench: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$VRGEN" ] || { echo "gen-bench: no vrgen at $VRGEN (--vrgen PATH)" >&2; exit 2; }
have_trafgen=1; command -v trafgen >/dev/null || have_trafgen=0
have_iperf=1; command -v iperf3 >/dev/null || have_iperf=0
ncpu=$(nproc)
[ "$RPS" = none ] || [ "$RPS" -lt "$ncpu" ] 2>/dev/null ||
	{ echo "gen-bench: --rps: no CPU $RPS" >&2; exit 2; }

P=vrgb$$
TX=$P-tx
RX=$P-rx
T=$(mktemp -d /tmp/gen-bench.XXXXXX)
cleanup() {
	ip netns pids $RX 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns pids $TX 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del $TX 2>/dev/null
	ip netns del $RX 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add $TX && ip netns add $RX || exit 1
ip link add vp0 netns $TX type veth peer name vp1 netns $RX || exit 1
ip -n $TX addr add 10.99.0.1/24 dev vp0
ip -n $RX addr add 10.99.0.2/24 dev vp1
ip -n $TX link set lo up; ip -n $RX link set lo up
ip -n $TX link set vp0 up; ip -n $RX link set vp1 up
if [ "$RPS" != none ]; then
	mask=$(printf '%x' $((1 << RPS)))
	ip netns exec $RX sh -c "echo $mask > /sys/class/net/vp1/queues/rx-0/rps_cpus"
fi
# wait until both ends are up (carrier), bounded
for _ in $(seq 50); do
	ip -n $TX link show vp0 | grep -q 'state UP' && break
	sleep 0.1
done
SMAC=$(ip netns exec $TX cat /sys/class/net/vp0/address)
DMAC=02:00:00:00:00:01

cnt() { # frames vp0 transmitted so far
	ip netns exec $TX cat /sys/class/net/vp0/statistics/tx_packets
}

# measure CMD...: run it, count frames over [1 s, 1 s + SECS], print pps
measure() {
	# own session: trafgen signals its whole process group on exit
	setsid "$@" >"$T/out" 2>&1 </dev/null &
	local pid=$! a b ta tb
	sleep 1
	a=$(cnt); ta=$(date +%s.%N)
	sleep "$SECS"
	b=$(cnt); tb=$(date +%s.%N)
	kill -INT -- -$pid 2>/dev/null # the whole group: trafgen forks
	wait $pid 2>/dev/null
	if ! kill -0 $pid 2>/dev/null && [ "$b" = "$a" ]; then
		echo "gen-bench: $1 sent nothing:" >&2
		tail -5 "$T/out" >&2
	fi
	python3 -c "print(round(($b - $a) / ($tb - $ta)))"
}

cat >"$T/trafgen.cfg" <<EOC
{
  eth(da=$DMAC, sa=$SMAC, type=0x0800),
  ipv4(saddr=10.99.0.1, daddr=10.99.0.2, ttl=64, df),
  udp(sp=10000, dp=9),
  fill(0x00, 18)
}
EOC

run_vrgen() { # $1: packet | xdp
	measure ip netns exec $TX "$VRGEN" send --dev vp0 --dst-mac $DMAC \
		--dst-ip 10.99.0.2 --rate 0 --duration $((SECS + 3)) --cpu $CPU \
		--tx "$1"
}
run_trafgen() {
	measure ip netns exec $TX taskset -c $CPU trafgen --dev vp0 \
		--conf "$T/trafgen.cfg" --cpus 1 -Q
}
run_iperf() {
	ip netns exec $RX taskset -c ${RPS/none/$CPU} iperf3 -s -1 -B 10.99.0.2 \
		>"$T/iperf-s" 2>&1 &
	local spid=$!
	for _ in $(seq 50); do
		ip netns exec $RX ss -ltn | grep -q ':5201' && break
		sleep 0.1
	done
	measure ip netns exec $TX taskset -c $CPU iperf3 -c 10.99.0.2 -u \
		-b 0 -l 18 -t $((SECS + 3)) -A $CPU
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
}

declare -A R
tools="vrgen-xdp vrgen-packet"
[ $have_trafgen = 1 ] && tools="$tools trafgen"
[ $have_iperf = 1 ] && tools="$tools iperf3"
for r in $(seq "$ROUNDS"); do
	for t in $tools; do
		case $t in
		vrgen-xdp) v=$(run_vrgen xdp) ;;
		vrgen-packet) v=$(run_vrgen packet) ;;
		trafgen) v=$(run_trafgen) ;;
		iperf3) v=$(run_iperf) ;;
		esac
		R[$t]="${R[$t]:-} $v"
		echo "round $r: $t $v pps" >&2
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
echo "generator pps on CPU $CPU, 64-byte frames into a veth (receive side: ${RPS/none/same CPU})"
echo "kernel $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf '%-13s %12s   %s\n' tool median_pps rounds
for t in $tools; do
	printf '%-13s %12s   %s\n' "$t" "$(echo ${R[$t]} | median)" "${R[$t]# }"
done
# vrgen's figure is its best send path (AF_XDP unless the kernel lacks it)
v=$(echo ${R[vrgen-xdp]} | median)
vp=$(echo ${R[vrgen-packet]} | median)
ratio=
if [ $have_trafgen = 1 ]; then
	tg=$(echo ${R[trafgen]} | median)
	ratio=$(python3 -c "print(round($v / $tg, 2) if $tg else 0)")
	echo "vrgen(xdp)/trafgen    = $ratio (target >= 1.2)"
	echo "vrgen(packet)/trafgen = $(python3 -c "print(round($vp / $tg, 2) if $tg else 0)")"
fi
if [ $have_iperf = 1 ]; then
	ip=$(echo ${R[iperf3]} | median)
	echo "vrgen(xdp)/iperf3     = $(python3 -c "print(round($v / $ip, 2) if $ip else 0)")"
fi
if [ -n "$JSON" ]; then
	python3 - "$JSON" "$CPU" "$RPS" "$ratio" ${R[vrgen-xdp]:+vrgen-xdp=${R[vrgen-xdp]// /,}} \
		${R[vrgen-packet]:+vrgen-packet=${R[vrgen-packet]// /,}} \
		${R[trafgen]:+trafgen=${R[trafgen]// /,}} ${R[iperf3]:+iperf3=${R[iperf3]// /,}} <<'EOP'
import json, statistics, sys
out = {"cpu": int(sys.argv[2]), "rps_cpu": sys.argv[3], "frame": 64, "tools": {}}
for kv in sys.argv[5:]:
    k, v = kv.split("=")
    vals = [int(x) for x in v.split(",") if x]
    out["tools"][k] = {"median_pps": statistics.median_low(vals), "rounds": vals}
if sys.argv[4]:
    out["vrgen_over_trafgen"] = float(sys.argv[4])
json.dump(out, open(sys.argv[1], "w"), indent=1)
EOP
fi
