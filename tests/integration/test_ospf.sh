#!/bin/bash
# End to end (issue 17): `vrctl start msr --routing ospf|bgp` under TCG.
# The load balancer learns its default route (ECMP over both back-ends)
# and the back-ends their route back to the source by OSPF or eBGP (BIRD 2
# in the guests); readiness waits for them.  Traffic flows; then one
# back-end is withdrawn (its domain destroyed) while 32 flows run, and the
# flows it carried move to the other one once the protocol notices (OSPF
# dead interval 4 s, BGP hold time 6 s): the test measures that gap.
# Then msr --lbs 2 --split macvtap: ready (bgp learns routes that are
# only connected networks), one router id per node, traffic flows.
# Stop leaves nothing behind.
#
#   test_ospf.sh BUILD_DIR [ospf|bgp]
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name "${2:-ospf}" \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
ROUTING=${2:-ospf}
NAME=$ROUTING

say "start msr --routing $ROUTING --backends 2"
if "$VRCTL" --json start msr --name "$NAME" --routing "$ROUTING" --backends 2 \
	--timeout 900 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	for n in lb0 be0 be1; do
		tail -n 15 "$T/state/$NAME/$n.console.log" 2>/dev/null
	done
	finish 1
fi
cat "$T/start.err"
echo "boot_ms: $(json "$T/start.json" 'j["boot_ms"]')"
for n in lb0 be0 be1; do
	check "$n learned its routes by $ROUTING before READY" \
		grep -aq "vrouterd-init: .* learned" "$T/state/$NAME/$n.console.log"
done
check "lb0's default route is not on its command line" \
	grep -q "vr.learn=default" <(virsh dumpxml "vrouterd-$NAME-lb0")

say "traffic through the $ROUTING-routed MSR"
got=$(udp_count "$NAME" 300 100)
check "300 of 300 datagrams arrived (got $got)" [ "$got" = 300 ]

say "withdraw be1 under 32 flows; measure the gap"
SECS=30
ip netns exec "vr-$NAME-out" python3 - "$SECS" >"$T/w-sink.out" 2>&1 <<'EOP' &
import socket, sys, time
secs = float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 9002))
print("ready", flush=True)
s.settimeout(0.5)
end = time.monotonic() + secs + 5
last, gap, n, t0 = {}, {}, {}, time.monotonic()
tail_start = t0 + secs - 3
tail = set()
while time.monotonic() < end:
    try:
        b, a = s.recvfrom(2048)
    except socket.timeout:
        continue
    now = time.monotonic()
    f = a[1]
    if f in last:
        gap[f] = max(gap.get(f, 0), now - last[f])
    last[f] = now
    n[f] = n.get(f, 0) + 1
    if now >= tail_start:
        tail.add(f)
moved = [g for g in gap.values() if g > 1.0]
print("flows %d received %d moved %d max_gap_s %.2f tail_flows %d" % (
    len(n), sum(n.values()), len(moved), max(moved) if moved else 0,
    len(tail)), flush=True)
EOP
sink=$!
for _ in $(seq 50); do grep -q ready "$T/w-sink.out" 2>/dev/null && break; sleep 0.1; done
ip netns exec "vr-$NAME-in" python3 - "$SECS" <<'EOP' &
import socket, sys, time
secs, rate, flows = float(sys.argv[1]), 160.0, 32
socks = []
for i in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.1.2", 20000 + i))
    socks.append(s)
t0 = time.monotonic()
i = 0
while time.monotonic() < t0 + secs:
    while time.monotonic() < t0 + i / rate:
        time.sleep(0.0005)
    socks[i % flows].sendto(b"x" * 64, ("198.18.2.2", 9002))
    i += 1
EOP
src=$!
sleep 8
t_kill=$(date +%s.%N)
virsh destroy "vrouterd-$NAME-be1" >/dev/null && ok "be1 destroyed (withdrawn)" || bad "virsh destroy be1"
wait $src
wait $sink
res=$(tail -1 "$T/w-sink.out")
echo "withdrawal: $res"
moved=$(echo "$res" | awk '{print $6}')
gap=$(echo "$res" | awk '{print $8}')
tailf=$(echo "$res" | awk '{print $10}')
check "be1 carried some flows, which stopped and came back ($moved moved, gap ${gap} s)" \
	[ "$moved" -gt 0 ]
check "after the withdrawal every one of the 32 flows arrives ($tailf)" [ "$tailf" = 32 ]

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"

# --split macvtap: every LB's first interface has the one shared address
# (so the router id comes from vr.rid=), and a back-end's route back to
# the source is only a connected network on the LBs (bgp announces it
# by its direct protocol).
N2=${ROUTING}s
say "start msr --lbs 2 --split macvtap --routing $ROUTING"
if "$VRCTL" --json start msr --name "$N2" --routing "$ROUTING" --lbs 2 \
	--backends 2 --split macvtap --timeout 900 >"$T/s.json" 2>"$T/s.err"; then
	ok "start answered: every node learned its routes"
	ids=$(for n in lb0 lb1 be0 be1; do
		virsh dumpxml "vrouterd-$N2-$n" | grep -o 'vr\.rid=[0-9.]*'
	done | sort -u | wc -l)
	check "four nodes, four router ids ($ids)" [ "$ids" = 4 ]
	got=$(udp_count "$N2" 300 100)
	check "300 of 300 datagrams arrived (got $got)" [ "$got" = 300 ]
	check "stop $N2" "$VRCTL" stop "$N2"
else # a failed start removed what it made
	bad "start failed: $(cat "$T/s.err")"
	for n in lb0 lb1 be0 be1; do
		tail -n 5 "$T/state/$N2/$n.console.log" 2>/dev/null
	done
fi
check "nothing of $N2 left behind" nothing_left "$N2"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
