#!/bin/bash
# End to end: `vrctl capture` (issue 16) on a netns topology, in a sandbox
# without libvirtd.  A capture of N packets on vr0.eth1 written with -w
# reads back with tcpdump -r as exactly the N UDP datagrams sent through
# the VR; without -w it prints one line per packet; a bad link name is
# refused with the list of valid ones; `vrctl console` on a namespace
# node says what to do instead.
#
#   test_capture.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name capture -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM
if ! command -v tcpdump >/dev/null; then
	echo "SKIP: tcpdump missing (apt-get install tcpdump)"
	rm -rf "$T"
	exit 77
fi

# capture_bg OUT ARGS...: vrctl capture in the background (stdout to
# OUT.out, stderr to OUT.err), returned once its socket is bound.
capture_bg() {
	local out=$1
	shift
	timeout 30 "$VRCTL" capture "$@" >"$out.out" 2>"$out.err" &
	CAP_PID=$!
	for _ in $(seq 100); do
		grep -q "capturing on" "$out.err" 2>/dev/null && return 0
		kill -0 $CAP_PID 2>/dev/null || break
		sleep 0.1
	done
	cat "$out.err"
	return 1
}

# anyone may connect, so that an unprivileged caller is refused by the
# method table, not by the socket's mode
write_config '"socket_mode": "0666"'
daemon_start
say "start monolithic --backend netns"
if ! "$VRCTL" start monolithic --backend netns --name cap >"$T/start.out" 2>&1; then
	cat "$T/start.out"
	bad "start failed"
	finish 1
fi
# The capture must see only the datagrams: IPv6 off everywhere (its
# MLD reports and router solicitations go on for seconds after a link
# comes up), then the neighbours resolved.
for ns in "" vr-cap-vr0 vr-cap-in vr-cap-out; do
	${ns:+ip netns exec $ns} sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
flows cap 1 5 100 >/dev/null
# and quiet: IGMP reports of links that just came up stop within seconds
# (a bounded wait: until one second passes without a packet on each link)
quiet() { # quiet LINK...
	local l
	for l in "$@"; do
		for _ in $(seq 15); do
			timeout -s INT 1 "$VRCTL" capture cap "$l" -c 1 \
				>/dev/null 2>"$T/quiet.err"
			grep -q "^vrctl: 0 packets captured" "$T/quiet.err" && break
		done
	done
}
quiet vr0.eth1 out in
check "a capture stopped by SIGINT says how many it got" \
	grep -q "^vrctl: 0 packets captured, 0 dropped by the kernel" "$T/quiet.err"

say "capture -c 50 -w on vr0.eth1 while 50 datagrams pass"
if capture_bg "$T/cap1" cap vr0.eth1 -c 50 -w "$T/vr0.pcap"; then
	ok "capture started"
else
	bad "capture did not start"
fi
got=$(flows cap 1 50 500 | awk '{s += $2} END {print s + 0}')
check "the sink got the 50 datagrams" [ "$got" = 50 ]
wait $CAP_PID
rc=$?
check "capture stopped by itself after 50 packets (exit $rc)" [ $rc = 0 ]
check "it says 50 packets captured" grep -q "50 packets captured" "$T/cap1.err"
n=$(tcpdump -nn -r "$T/vr0.pcap" 2>"$T/tcpdump.err" | wc -l)
check "tcpdump -r reads 50 packets ($n)" [ "$n" = 50 ]
n=$(tcpdump -nn -r "$T/vr0.pcap" 'udp and src 198.18.1.2 and dst 198.18.2.2 and dst port 9000' 2>/dev/null | wc -l)
check "all 50 are the UDP datagrams, routed out of eth1 ($n)" [ "$n" = 50 ]
[ "$n" = 50 ] || tcpdump -nn -e -r "$T/vr0.pcap" 'not udp' 2>/dev/null
check "tcpdump sees Ethernet" grep -q "link-type EN10MB" "$T/tcpdump.err"
# vr0.eth1 carries what the VR routed: its source MAC is vr0's eth1
mac=$("$VRCTL" --json status | python3 -c 'import json,sys; j=json.load(sys.stdin); print([i["mac"] for t in j["topologies"] for n in t["nodes"] for i in n["interfaces"] if i["guest_if"] == "eth1"][0])')
n=$(tcpdump -nn -e -r "$T/vr0.pcap" 2>/dev/null | grep -c "^[0-9:.]* $mac >")
check "sent by vr0's eth1 ($mac): $n" [ "$n" = 50 ]

say "capture -c 3 on out, as text"
capture_bg "$T/cap2" cap out -c 3 || bad "capture did not start"
flows cap 1 3 100 >/dev/null
wait $CAP_PID
cat "$T/cap2.out"
check "three lines" [ "$(wc -l <"$T/cap2.out")" = 3 ]
check "each names the flow and UDP" \
	[ "$(grep -c ' 198\.18\.1\.2\.10000 > 198\.18\.2\.2\.9000 UDP$' "$T/cap2.out")" = 3 ]

say "capture --json -c 1 on the internal side (in)"
capture_bg "$T/cap3" --json cap in -c 1 || bad "capture did not start"
flows cap 1 1 100 >/dev/null
wait $CAP_PID
check "a JSON line with proto UDP" \
	[ "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["proto"])' "$T/cap3.out")" = UDP ]

say "bad names"
"$VRCTL" capture cap vr0.eth9 >"$T/bad.out" 2>&1
rc=$?
cat "$T/bad.out"
check "a bad link fails (exit $rc)" [ $rc = 1 ]
check "and lists the valid links" grep -q "its links are: in out vr0.eth0 vr0.eth1" "$T/bad.out"
"$VRCTL" capture nosuch in >"$T/bad2.out" 2>&1
check "an unknown topology fails" [ $? = 1 ]
check "and says so" grep -q 'no topology named "nosuch"' "$T/bad2.out"
"$VRCTL" capture cap >/dev/null 2>&1
check "a missing LINK is a usage error" [ $? = 2 ]
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$VRCTL" capture cap in -c 1 >"$T/perm.out" 2>&1
check "an unprivileged caller gets no capture (exit $?)" [ $? = 1 ]
check "and is told why" grep -q "capture: permission denied" "$T/perm.out"
"$VRCTL" console cap vr0 >"$T/con.out" 2>&1
check "console on a namespace node fails" [ $? = 1 ]
check "and says how to get a shell instead" grep -q "ip netns exec vr-cap-vr0 sh" "$T/con.out"
"$VRCTL" console cap vr7 >"$T/con2.out" 2>&1
check "console on a missing node lists the nodes" grep -q "its nodes are: vr0" "$T/con2.out"

say "stop"
check "stop" "$VRCTL" stop cap
check "nothing left" nothing_left cap
finish 0
