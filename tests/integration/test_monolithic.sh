#!/bin/bash
# End to end: a monolithic VR under TCG through a real libvirtd, wired with
# real netlink; ping and 1000 UDP datagrams through it; pinning checked in
# /proc; virsh sees the metadata; the serial console is a pty (`vrctl
# console` attaches) logged to the run directory; stop leaves nothing
# behind.
#
#   test_monolithic.sh BUILD_DIR [tap|macvtap]
BUILD=$(realpath "$1")
LINK=${2:-tap}
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name "mono-$LINK" \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=m$LINK
NAME=${NAME:0:8}

say "start monolithic --cores 2 --pin --link $LINK"
if "$VRCTL" --json start monolithic --name "$NAME" --cores 2 --pin \
	--link "$LINK" --timeout 180 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "start result says running" \
	[ "$(json "$T/start.json" 'j["state"]')" = running ]
check "accel is tcg here, with a reason" \
	[ -n "$(json "$T/start.json" 'j["accel_reason"]')" ]
echo "boot_ms: $(json "$T/start.json" 'j["boot_ms"]')"

"$VRCTL" status >"$T/status.txt" && ok "status (text)" || bad "status (text)"
cat "$T/status.txt"
"$VRCTL" --json status >"$T/status.json" && ok "status --json" || bad "status --json"
check "status lists the topology" \
	[ "$(json "$T/status.json" '[t["name"] for t in j["topologies"]]')" = "['$NAME']" ]

say "console: a pty with a log file"
dom=vrouterd-$NAME-vr0
check "the serial console is a pty (virsh ttyconsole)" \
	sh -c "virsh ttyconsole $dom | grep -q '^/dev/pts/'"
check "logged to the console log in the run directory" \
	sh -c "virsh dumpxml $dom | grep -q \"<log file='$T/state/$NAME/vr0.console.log'\""
check "readiness was read from that log" \
	grep -aq "^VROUTERD-READY node=vr0 " "$T/state/$NAME/vr0.console.log"
# vrctl console runs virsh console; under script(1) for a terminal, ^]
# detaches: sent once virsh says it is attached (bounded wait)
(for _ in $(seq 200); do
	grep -q "Escape character" "$T/console.out" 2>/dev/null && break
	sleep 0.1
done
sleep 0.5 # virsh switches the terminal to raw mode after that line
printf '\035') | timeout 30 script -qec "$VRCTL console $NAME vr0" \
	/dev/null >"$T/console.out" 2>&1
rc=$?
check "vrctl console attached and detached with ^] (exit $rc)" [ $rc = 0 ]
check "to the guest's domain" grep -q "Connected to domain '$dom'" "$T/console.out"
"$VRCTL" console "$NAME" vr9 >"$T/console2.out" 2>&1
check "a missing node is named, with the nodes there are" \
	grep -q "has no node vr9; its nodes are: vr0" "$T/console2.out"

say "ping through the VR"
check "ping source -> sink through the VR" \
	ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2
say "1000 UDP datagrams at 200/s"
got=$(udp_count "$NAME" 1000 200)
check "1000 of 1000 datagrams arrived (got $got)" [ "$got" = 1000 ]

say "pinning"
"$VRCTL" --json status >"$T/status.json"
threads=$(json "$T/status.json" \
	'"\n".join("%d %s %s" % (t["tid"], t["kind"], t.get("planned","-")) for n in j["topologies"][0]["nodes"] for t in n["threads"])')
nvcpu=0
while read -r tid kind planned; do
	[ "$kind" = vcpu ] || continue
	nvcpu=$((nvcpu + 1))
	actual=$(awk '/Cpus_allowed_list/ {print $2}' "/proc/$tid/status")
	check "vCPU thread $tid: Cpus_allowed_list $actual == plan $planned" \
		[ "$actual" = "$planned" ]
done <<<"$threads"
check "two vCPU threads found" [ $nvcpu = 2 ]

say "libvirt"
dom=vrouterd-$NAME-vr0
check "virsh sees $dom" virsh domstate "$dom"
check "domain carries vrouterd metadata" \
	sh -c "virsh metadata $dom urn:vrouterd:domain:1 | grep -q '<vrouterd:node>vr0</vrouterd:node>\|<node>vr0</node>'"
# A tap counts frames toward the guest as tx, a macvtap as rx.
check "counters moved on the VR's ingress interface" \
	[ "$(json "$T/status.json" '(lambda i: i["tx_packets"] + i["rx_packets"] > 1000)(j["topologies"][0]["nodes"][0]["interfaces"][0])')" = True ]

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "status is empty again" \
	sh -c "'$VRCTL' --json status | python3 -c 'import json,sys; sys.exit(len(json.load(sys.stdin)[\"topologies\"]))'"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
