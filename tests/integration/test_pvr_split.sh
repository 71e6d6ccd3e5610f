#!/bin/bash
# End to end: `pvr --vrs 2 --split macvtap` under TCG through a real
# libvirtd (issue 17): both VRs' ingress NICs are queues of ONE macvtap on
# the in port (same MAC, same address, the source's gateway), so the
# kernel's per-flow queue choice splits 32 UDP flows with no splitter
# namespace and no extra L3 hop; every VR carries a share (counted on its
# own egress interface: the ingress counters are the shared device's);
# all flows reach the sink; neighbours are static on both sides (from the
# plan: ARP would reach one queue only); status says split macvtap; stop
# leaves nothing behind.
#
#   test_pvr_split.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name pvr-split \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=psplit

say "start pvr --vrs 2 --split macvtap"
if "$VRCTL" --json start pvr --vrs 2 --name "$NAME" --split macvtap \
	--timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "start result says running" \
	[ "$(json "$T/start.json" 'j["state"]')" = running ]
check "no splitter namespace" sh -c "! ip netns list | grep -q '^vr-$NAME-sp'"
ip -d link show "vr-$NAME-mq" >"$T/mq.txt" 2>&1
cat "$T/mq.txt"
check "one macvtap on the in port, vr-$NAME-mq" \
	sh -c "grep -q 'macvtap' '$T/mq.txt' && grep -q '@vr-$NAME-i' '$T/mq.txt'"
check "both QEMUs opened a queue of it" \
	sh -c "[ \$(ls -l /proc/\$(pgrep -f 'guest=vrouterd-$NAME-vr0' | head -1)/fd /proc/\$(pgrep -f 'guest=vrouterd-$NAME-vr1' | head -1)/fd | grep -c '/dev/tap') -ge 2 ]"
virsh dumpxml "vrouterd-$NAME-vr1" >"$T/vr1.xml" 2>&1
check "the source has the shared address as a permanent neighbour" \
	sh -c "ip -n 'vr-$NAME-in' neigh show 198.18.1.1 | grep -q PERMANENT"
check "vr1 boots with the source as a static neighbour" \
	grep -q '<cmdline>.* vr.neigh=198.18.1.2,' "$T/vr1.xml"

"$VRCTL" status >"$T/status.txt" && ok "status (text)" || bad "status (text)"
cat "$T/status.txt"
check "status says split macvtap" grep -q '^  split macvtap' "$T/status.txt"

say "ping through a VR (the return path needs the static neighbour)"
check "ping source -> sink" ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2

say "32 UDP flows"
check_flows "$NAME" 32 20 200 eth1 vr0 vr1
cat "$T/perflow.txt" | tr '\n' ' '; echo
ip -s link show "vr-$NAME-mq" | sed -n 3,6p

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
