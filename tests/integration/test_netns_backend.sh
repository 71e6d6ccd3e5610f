#!/bin/bash
# End to end: the netns backend (docs/netns-backend.md), in a sandbox
# WITHOUT libvirtd (it needs none): monolithic --cores 2 --pin forwards
# (ping, 1000 UDP datagrams), its NAPI kernel threads are pinned as
# planned (status and /proc agree); a vrouterd killed with SIGKILL is
# replaced by one that adopts the topology from the state directory with
# the same status; a node namespace that disappears is recreated by the
# restart policy; pvr --vrs 2 and msr --backends 2 carry 32 flows with
# every node taking a share; stop leaves nothing behind.
#
#   test_netns_backend.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name netns -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/flows.sh"
trap 'finish 1' INT TERM

# The parts of a status that must survive an adoption unchanged.
status_key() { # status_key STATUS_JSON NAME
	python3 - "$1" "$2" <<'EOP'
import json, sys
j = json.load(open(sys.argv[1]))
print(json.dumps([(t["name"], t["topology"], t["state"], t["backend"],
                   t["pinned"], t["boot_ms"], t["started_at"],
                   [(n["name"], n["netns"], n["state"],
                     [(i["name"], i["guest_if"], i["mac"], i["address"])
                      for i in n["interfaces"]],
                     sorted((x["tid"], x["interface"], x["index"], x["cpus"],
                             x.get("planned")) for x in n["threads"]))
                    for n in t["nodes"]])
                  for t in j["topologies"] if t["name"] == sys.argv[2]]))
EOP
}

check "no libvirtd in this sandbox" [ ! -S /run/libvirt/libvirt-sock ]
daemon_start

# ---- monolithic, 2 cores, pinned -------------------------------------------
say "start monolithic --backend netns --cores 2 --pin"
if "$VRCTL" --json start monolithic --backend netns --cores 2 --pin \
	--name mono >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
check "running" [ "$(json "$T/start.json" 'j["state"]')" = running ]
check "backend netns, no accelerator" \
	[ "$(json "$T/start.json" 'j["backend"] + "/" + j["accel"]')" = netns/none ]
check "node vr0 is namespace vr-mono-vr0" \
	[ "$(json "$T/start.json" 'j["nodes"][0]["netns"]')" = vr-mono-vr0 ]
check "no qemu_pid for a namespace" \
	[ "$(json "$T/start.json" '"qemu_pid" in j["nodes"][0]')" = False ]
check "boot_ms is the set-up time (< 10 s)" \
	[ "$(json "$T/start.json" 'j["boot_ms"]')" -lt 10000 ]
check "the namespace exists" ip netns exec vr-mono-vr0 true
check "forwarding on inside" \
	[ "$(ip netns exec vr-mono-vr0 cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
check "rp_filter off inside" \
	[ "$(ip netns exec vr-mono-vr0 cat /proc/sys/net/ipv4/conf/all/rp_filter)" = 0 ]
check "eth0 has the plan's MAC" \
	[ "$(ip netns exec vr-mono-vr0 cat /sys/class/net/eth0/address)" = \
	  "$(json "$T/start.json" 'j["nodes"][0]["interfaces"][0]["mac"]')" ]
check "eth0 has two rx queues (one per core)" \
	[ "$(ip netns exec vr-mono-vr0 sh -c 'ls -d /sys/class/net/eth0/queues/rx-*' | wc -l)" = 2 ]
check "threaded NAPI on eth0" \
	[ "$(ip netns exec vr-mono-vr0 cat /sys/class/net/eth0/threaded)" = 1 ]
check "the host end vr-mono-t00 is on the in bridge" \
	[ "$(basename "$(readlink /sys/class/net/vr-mono-t00/master)")" = vr-mono-bi ]

"$VRCTL" --json status >"$T/st1.json"
json "$T/st1.json" 'j["topologies"][0]["nodes"][0]["threads"]'
check "four napi threads (2 interfaces x 2 queues)" \
	[ "$(json "$T/st1.json" 'len([x for x in j["topologies"][0]["nodes"][0]["threads"] if x["kind"] == "napi"])')" = 4 ]
check "every napi thread is pinned as planned" \
	[ "$(json "$T/st1.json" 'all(x["cpus"] == x["planned"] for x in j["topologies"][0]["nodes"][0]["threads"])')" = True ]
# /proc says the same, thread by thread
procok=1
for row in $(json "$T/st1.json" '" ".join("%d,%s,%s" % (x["tid"], x["planned"], x["name"]) for x in j["topologies"][0]["nodes"][0]["threads"])'); do
	IFS=, read -r tid planned name <<<"$row"
	got=$(awk '/^Cpus_allowed_list/ {print $2}' "/proc/$tid/status")
	comm=$(cat "/proc/$tid/comm")
	echo "tid $tid $comm: Cpus_allowed_list $got, planned $planned"
	[ "$got" = "$planned" ] && [ "$comm" = "$name" ] || procok=0
done
check "Cpus_allowed_list of the napi kthreads is the plan's" [ $procok = 1 ]

check "ping through the node" \
	ip netns exec vr-mono-in ping -c 3 -i 0.2 -W 2 198.18.2.2
got=$(udp_count mono 1000 2000)
check "1000 UDP datagrams through the node (got $got)" [ "$got" = 1000 ]

# ---- adoption after SIGKILL -------------------------------------------------
say "kill -9 vrouterd, start a new one"
"$VRCTL" --json status >"$T/pre.json"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
check "plan.json in the state directory" [ -s "$T/state/mono/plan.json" ]
check "still forwarding without a daemon" \
	ip netns exec vr-mono-in ping -c 1 -W 2 198.18.2.2
daemon_start
"$VRCTL" --json status >"$T/post.json"
check "adopted" [ "$(json "$T/post.json" 'j["topologies"][0]["adopted"]')" = True ]
a=$(status_key "$T/pre.json" mono)
b=$(status_key "$T/post.json" mono)
[ "$a" = "$b" ] || { echo "before: $a"; echo "after:  $b"; }
check "status the same after adoption (nodes, interfaces, threads, pinning)" \
	[ "$a" = "$b" ]
got=$(udp_count mono 200 2000)
check "forwarding after adoption (got $got of 200)" [ "$got" = 200 ]
say "stop"
check "stop" "$VRCTL" stop mono
check "stop leaves nothing (links, namespaces)" nothing_left mono
check "stop removes plan.json" [ ! -e "$T/state/mono/plan.json" ]

# ---- restart policy: a namespace that disappears ------------------------------
say "restart on-failure: delete the node's namespace"
check "start with --restart on-failure" \
	"$VRCTL" start monolithic --backend netns --name rst --restart on-failure
ip netns del vr-rst-vr0
node_back() {
	"$VRCTL" --json status >"$T/rst.json" &&
		[ "$(json "$T/rst.json" '[n["restarts"] for t in j["topologies"] for n in t["nodes"] if t["name"] == "rst"][0]')" -ge 1 ] &&
		[ "$(json "$T/rst.json" '[t["state"] for t in j["topologies"] if t["name"] == "rst"][0]')" = running ]
}
wait_for "the node is recreated and the topology running again" 20 node_back
check "forwarding again" ip netns exec vr-rst-in ping -c 2 -i 0.2 -W 2 198.18.2.2
check "stop" "$VRCTL" stop rst
check "nothing left of rst" nothing_left rst

# ---- pvr and msr --------------------------------------------------------------
say "pvr --vrs 2 --backend netns"
if "$VRCTL" --json start pvr --vrs 2 --backend netns --name pvr \
	>"$T/pvr.json" 2>"$T/pvr.err"; then
	ok "pvr started"
	check_flows pvr 32 20 2000 eth0 vr0 vr1
	check "stop pvr" "$VRCTL" stop pvr
else
	bad "pvr start failed: $(cat "$T/pvr.err")"
fi
check "nothing left of pvr" nothing_left pvr

say "msr --backends 2 --backend netns"
if "$VRCTL" --json start msr --backends 2 --backend netns --name msr \
	>"$T/msr.json" 2>"$T/msr.err"; then
	ok "msr started"
	check "the lb hashes over L4" \
		[ "$(ip netns exec vr-msr-lb0 cat /proc/sys/net/ipv4/fib_multipath_hash_policy)" = 1 ]
	check_flows msr 32 20 2000 eth0 be0 be1
	check "stop msr" "$VRCTL" stop msr
else
	bad "msr start failed: $(cat "$T/msr.err")"
fi
check "nothing left of msr" nothing_left msr

out=$("$VRCTL" start monolithic --backend netns --link macvtap 2>&1)
rc=$?
echo "$out"
check "--link macvtap is refused clearly for netns" \
	[ $rc != 0 ] && echo "$out" | grep -q "netns backend"
finish 0
