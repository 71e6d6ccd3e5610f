#!/bin/bash
# End to end (issue 17): `vrctl start monolithic --fib-routes 100000`
# under TCG.  Readiness waits for the guest's 100 000 extra prefixes;
# status says how many routes the node held; a ping reaches an address
# in the last prefix (240.0.0.0 + 99999*256 = 241.134.159.0/24, "deep in
# the table"), which the sink namespace holds; a million routes with the
# default 256 MiB are refused before anything is made, naming the
# --memory to give; the routes survive vrouterd restarts, one of them
# without state.json.  Stop leaves nothing behind.
#
#   test_fib.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name fib \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=fib
ROUTES=${VR_FIB_ROUTES:-100000}

say "a million routes in 256 MiB: refused"
if "$VRCTL" start monolithic --name fib1m --fib-routes 1000000 \
	>"$T/big.out" 2>&1; then
	bad "start --fib-routes 1000000 with 256 MiB was accepted"
else
	check "the refusal names the memory to give" \
		grep -q "give --memory 373" "$T/big.out"
fi
check "nothing made for it" nothing_left fib1m

say "start monolithic --fib-routes $ROUTES"
if "$VRCTL" --json start monolithic --name "$NAME" --fib-routes "$ROUTES" \
	--timeout 1200 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
cat "$T/start.err"
echo "boot_ms: $(json "$T/start.json" 'j["boot_ms"]')"
grep -a "fib $ROUTES prefixes" "$T/state/$NAME/vr0.console.log" || :
check "the plan's options say fib_routes" \
	grep -q "vr.fib=$ROUTES,198.18.2.2" <(virsh dumpxml "vrouterd-$NAME-vr0")
got=$(json "$T/start.json" 'j["nodes"][0].get("routes", -1)')
check "status: vr0 held $got routes (>= $ROUTES)" [ "$got" -ge "$ROUTES" ]
"$VRCTL" status "$NAME" >"$T/status.txt" 2>&1
check "status (text) shows the routes" grep -q "routes $got" "$T/status.txt"

say "routes across two vrouterd restarts, the second without state.json"
restart_daemon() {
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	daemon_start
}
restart_daemon
check "adopted: vr0 still shows $got routes" \
	[ "$(status_field 'j["topologies"][0]["nodes"][0].get("routes")')" = "$got" ]
rm -f "$T/state/$NAME/state.json"
restart_daemon
check "adopted without a state file: $got routes, from the READY line" \
	[ "$(status_field 'j["topologies"][0]["nodes"][0].get("routes")')" = "$got" ]

say "ping the last prefix through the VR"
k=$((ROUTES - 1))
deep=$((240 + (k >> 16))).$(((k >> 8) & 255)).$((k & 255)).1
ip -n "vr-$NAME-out" addr add "$deep/32" dev vp0
check "ping source -> $deep through the VR" \
	ip netns exec "vr-$NAME-in" ping -c 3 -W 5 "$deep"

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
