#!/bin/bash
# Benchmark: time from `vrctl start monolithic` to the first packet
# forwarded through the VR, against booting the same guest image with a
# hand-written qemu-system-x86_64 command line (images/qemu-boot) on the
# same wiring to the same point.  Both measured in one run, alternating,
# ROUNDS times each; prints the medians and their ratio (target < 1.2).
#
#   vrgen/start-latency.sh BUILD_DIR [ROUNDS]
#
# Runs inside tests/integration/sandbox.sh (private libvirtd, own network
# namespace); needs root.
BUILD=$(realpath "$1")
ROUNDS=${2:-3}
SRC=$(realpath "$(dirname "$0")/..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name bstart -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
need_image
daemon_start

# Milliseconds until a ping from NETNS to 198.18.2.2 first succeeds.
first_packet_ms() { # T0_MS NETNS
	local t0=$1 ns=$2
	for _ in $(seq 1200); do
		if ip netns exec "$ns" ping -c 1 -W 0.1 198.18.2.2 >/dev/null 2>&1; then
			echo $(($(date +%s%3N) - t0))
			return 0
		fi
	done
	echo timeout
	return 1
}

"$VRCTL" --json topology monolithic --name ref >"$T/plan.json"
cmdline=$(json "$T/plan.json" 'j["plan"]["nodes"][0]["cmdline"]')
mac0=$(json "$T/plan.json" 'j["plan"]["nodes"][0]["interfaces"][0]["mac"]')
mac1=$(json "$T/plan.json" 'j["plan"]["nodes"][0]["interfaces"][1]["mac"]')
# qemu-boot adds the console arguments itself.
args=$(echo "$cmdline" | tr ' ' '\n' | grep '^vr\.' | tr '\n' ' ')

ref_wire() {
	ip netns add ref-in
	ip netns add ref-out
	local k ns addr gw
	for k in 0 1; do
		if [ $k = 0 ]; then ns=ref-in addr=198.18.1.2/24 gw=198.18.1.1
		else ns=ref-out addr=198.18.2.2/24 gw=198.18.2.1; fi
		ip tuntap add dev "reftap$k" mode tap
		ip link add "refbr$k" type bridge
		ip link add "refvh$k" type veth peer name vp0 netns "$ns"
		ip link set "reftap$k" master "refbr$k" up
		ip link set "refvh$k" master "refbr$k" up
		ip link set "refbr$k" up
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$addr" dev vp0
		ip -n "$ns" link set vp0 up
		ip -n "$ns" route add default via "$gw"
	done
}

ref_unwire() {
	ip netns del ref-in
	ip netns del ref-out
	for k in 0 1; do
		ip link del "reftap$k"
		ip link del "refbr$k"
	done
}

ref_round() {
	ref_wire
	local t0 ms pid
	t0=$(date +%s%3N)
	# shellcheck disable=SC2086
	"$SRC/images/qemu-boot" -p "$T/qemu.pid" "$IMAGE" \
		"reftap0=$mac0,reftap1=$mac1" "$T/ref-console.log" $args \
		>/dev/null 2>&1 &
	pid=$!
	ms=$(first_packet_ms "$t0" ref-in)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	ref_unwire
	echo "$ms"
}

vr_round() {
	local t0 ms
	t0=$(date +%s%3N)
	"$VRCTL" start monolithic --name bench >/dev/null 2>&1 || { echo fail; return; }
	ms=$(first_packet_ms "$t0" vr-bench-in)
	"$VRCTL" stop bench >/dev/null
	echo "$ms"
}

ref=()
vr=()
for i in $(seq "$ROUNDS"); do
	r=$(ref_round)
	v=$(vr_round)
	echo "round $i: hand-written qemu ${r} ms, vrctl start ${v} ms"
	ref+=("$r")
	vr+=("$v")
done
mr=$(median "${ref[@]}")
mv=$(median "${vr[@]}")
echo "median to first forwarded packet: hand-written qemu ${mr} ms, vrctl start ${mv} ms"
awk -v r="$mr" -v v="$mv" 'BEGIN { printf "ratio vrctl/qemu: %.2f (target < 1.20)\n", v / r }'
daemon_stop
rm -rf "$T"
