#!/bin/bash
# End to end: `pvr --vrs 2` under TCG through a real libvirtd: the host's
# splitter namespace spreads 32 UDP flows over both VRs by an L4 hash
# (every VR carries a share), all of them reach the sink; status shows the
# nodes one by one; stop leaves nothing behind (splitter included).
#
#   test_pvr.sh BUILD_DIR [tap|macvtap]
BUILD=$(realpath "$1")
LINK=${2:-tap}
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name "pvr-$LINK" \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=p$LINK
NAME=${NAME:0:8}

say "start pvr --vrs 2 --link $LINK"
if "$VRCTL" --json start pvr --vrs 2 --name "$NAME" --link "$LINK" \
	--timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "start result says running" \
	[ "$(json "$T/start.json" 'j["state"]')" = running ]
check "two VR nodes" \
	[ "$(json "$T/start.json" '[n["name"] for n in j["nodes"]]')" = "['vr0', 'vr1']" ]
check "the splitter namespace exists" ip netns exec "vr-$NAME-sp" true
check "the splitter forwards with the L4 hash" \
	[ "$(ip netns exec "vr-$NAME-sp" cat /proc/sys/net/ipv4/fib_multipath_hash_policy)" = 1 ]
ip netns exec "vr-$NAME-sp" ip route show >"$T/sp-routes"
cat "$T/sp-routes"
check "the splitter has an ECMP route over both VRs" \
	sh -c "grep -c nexthop '$T/sp-routes' | grep -qx 2"

"$VRCTL" status >"$T/status.txt" && ok "status (text)" || bad "status (text)"
cat "$T/status.txt"
check "status shows the nodes one by one" \
	sh -c "grep -q 'node vr0' '$T/status.txt' && grep -q 'node vr1' '$T/status.txt'"

say "ping through the splitter and a VR"
check "ping source -> sink" ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2

say "32 UDP flows"
check_flows "$NAME" 32 20 200 eth0 vr0 vr1

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
