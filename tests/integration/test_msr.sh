#!/bin/bash
# End to end: `msr --backends 2 [--lbs L]` under TCG through a real
# libvirtd: the host's splitter spreads 32 UDP flows over the L
# load-balancer guests, which spread them over both back-end routers (ECMP
# with an L4 hash across the internal bridge; every LB and every back-end
# carries a share); all of them reach the sink; stop leaves nothing behind.
#
#   test_msr.sh BUILD_DIR [tap|macvtap] [LBS]
BUILD=$(realpath "$1")
LINK=${2:-tap}
LBS=${3:-1}
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name "msr-$LINK-$LBS" \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=s$LBS$LINK
NAME=${NAME:0:8}
LB_NODES=$(seq -f 'lb%g' 0 $((LBS - 1)) | tr '\n' ' ')

say "start msr --backends 2 --lbs $LBS --link $LINK"
if "$VRCTL" --json start msr --backends 2 --lbs "$LBS" --name "$NAME" \
	--link "$LINK" --timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "start result says running" \
	[ "$(json "$T/start.json" 'j["state"]')" = running ]
check "$LBS lb(s) and two back-ends" \
	[ "$(json "$T/start.json" '[(n["name"], n["role"]) for n in j["nodes"]]')" = "$(python3 -c "print([('lb%d' % i, 'lb') for i in range($LBS)] + [('be0', 'backend'), ('be1', 'backend')])")" ]
for lb in $LB_NODES; do
	check "$lb set the L4 hash and an ECMP route over the back-ends" \
		sh -c "grep -q 'multipath hash policy 1' '$T/state/$NAME/$lb.console.log' && grep -q 'route default via 198.19.0.11,198.19.0.12' '$T/state/$NAME/$lb.console.log'"
done
if [ "$LBS" -gt 1 ]; then
	check "the splitter's route spreads over every lb" \
		sh -c "ip -n vr-$NAME-sp route show default | grep -c 'nexthop via' | grep -qx $LBS"
fi

"$VRCTL" status >"$T/status.txt" && ok "status (text)" || bad "status (text)"
cat "$T/status.txt"

say "ping through the lb and a back-end"
check "ping source -> sink" ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2

say "32 UDP flows"
check_flows "$NAME" 32 20 200 eth0 $LB_NODES be0 be1

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
