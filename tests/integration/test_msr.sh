#!/bin/bash
# End to end: `msr --backends 2` under TCG through a real libvirtd: the
# load-balancer guest spreads 32 UDP flows over both back-end routers
# (ECMP with an L4 hash across the internal bridge; every back-end carries
# a share), all of them reach the sink; stop leaves nothing behind.
#
#   test_msr.sh BUILD_DIR [tap|macvtap]
BUILD=$(realpath "$1")
LINK=${2:-tap}
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name "msr-$LINK" \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=s$LINK
NAME=${NAME:0:8}

say "start msr --backends 2 --link $LINK"
if "$VRCTL" --json start msr --backends 2 --name "$NAME" --link "$LINK" \
	--timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "start result says running" \
	[ "$(json "$T/start.json" 'j["state"]')" = running ]
check "an lb and two back-ends" \
	[ "$(json "$T/start.json" '[(n["name"], n["role"]) for n in j["nodes"]]')" = "[('lb0', 'lb'), ('be0', 'backend'), ('be1', 'backend')]" ]
check "the lb guest set the L4 hash and an ECMP route" \
	sh -c "grep -q 'multipath hash policy 1' '$T/state/$NAME/lb0.console.log' && grep -q 'route default via 198.19.0.11,198.19.0.12' '$T/state/$NAME/lb0.console.log'"

"$VRCTL" status >"$T/status.txt" && ok "status (text)" || bad "status (text)"
cat "$T/status.txt"

say "ping through the lb and a back-end"
check "ping source -> sink" ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2

say "32 UDP flows"
check_flows "$NAME" 32 20 200 eth0 be0 be1

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
