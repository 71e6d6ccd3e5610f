#!/bin/bash
# Benchmark: zero-loss throughput of a netns monolithic VR built by
# vrouterd against the same forwarding path built by hand with `ip`
# (source veth -> bridge -> router namespace -> bridge -> sink veth), both
# measured with vrgen's NDR search in one run, alternating, ROUNDS each.
# Target: ratio >= 0.95 (the tool adds no overhead).
#
#   vrgen/netns-overhead.sh BUILD_DIR [ROUNDS] [FLOWS]
BUILD=$(realpath "$1")
ROUNDS=${2:-2}
FLOWS=${3:-8}
SRC=$(realpath "$(dirname "$0")/..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name bnso -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
VRGEN=$BUILD/vrgen/vrgen
write_config
daemon_start

hand_up() { # the path vrouterd builds, by hand: netns hi/ho/hr, bridges
	ip netns add hi
	ip netns add hr
	ip netns add ho
	for n in hi hr ho; do ip -n $n link set lo up; done
	ip link add hbi type bridge
	ip link add hbo type bridge
	ip link add hvi type veth peer name vp0 netns hi
	ip link add hvo type veth peer name vp0 netns ho
	ip link add ht0 type veth peer name eth0 netns hr
	ip link add ht1 type veth peer name eth1 netns hr
	for l in hvi ht0; do ip link set $l master hbi up; done
	for l in hvo ht1; do ip link set $l master hbo up; done
	ip link set hbi up
	ip link set hbo up
	ip -n hi addr add 198.18.1.2/24 dev vp0
	ip -n hr addr add 198.18.1.1/24 dev eth0
	ip -n hr addr add 198.18.2.1/24 dev eth1
	ip -n ho addr add 198.18.2.2/24 dev vp0
	for x in "hi vp0" "hr eth0" "hr eth1" "ho vp0"; do
		set -- $x
		ip -n $1 link set $2 up
	done
	ip -n hi route add default via 198.18.1.1
	ip -n ho route add default via 198.18.2.1
	ip -n hr route add default via 198.18.2.2
	ip netns exec hr sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

hand_down() {
	ip netns del hi
	ip netns del hr
	ip netns del ho
	ip link del hbi
	ip link del hbo
}

ndr() { # IN_NS OUT_NS
	"$VRGEN" ndr --tx-netns "$1" --tx-dev vp0 --rx-netns "$2" --rx-dev vp0 \
		--flows "$FLOWS" --cpu 0 --final-duration 3 --trial-duration 1 \
		--max-rate 2000000 --json 2>/dev/null |
		python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin if l.strip()]; print(int([x for x in r if x.get("type")=="result"][-1]["ndr_pps"]))'
}

hand=()
tool=()
for i in $(seq "$ROUNDS"); do
	hand_up
	h=$(ndr hi ho)
	hand_down
	"$VRCTL" start monolithic --backend netns --name ovh >/dev/null 2>&1
	v=$(ndr vr-ovh-in vr-ovh-out)
	"$VRCTL" stop ovh >/dev/null 2>&1
	echo "round $i: by hand $h pps, vrouterd $v pps"
	hand+=("$h")
	tool+=("$v")
done
mh=$(median "${hand[@]}")
mv=$(median "${tool[@]}")
echo "zero-loss throughput (median, $FLOWS flows, 64 B): by hand $mh pps, vrouterd netns $mv pps"
awk -v h="$mh" -v v="$mv" 'BEGIN { printf "ratio vrouterd/by hand: %.2f (target >= 0.95)\n", v / h }'
daemon_stop
rm -rf "$T"
