#!/bin/bash
# status never waits on libvirtd (issue 16): with a private libvirtd
# connected and a topology running, libvirtd is frozen with SIGSTOP; every
# status call must still answer within a second (before, each one asked
# libvirtd for its versions and each domain's state, and hung), and once
# the keepalive gives up, status says libvirt is disconnected, still
# promptly.  After SIGCONT the daemon reconnects by itself.  With the guest
# image present, a VM topology's node state comes from libvirt's events:
# "running" while libvirtd is frozen, and a `virsh destroy` shows at once.
#
#   test_status_libvirt.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name stlv -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
LVPID=$(cat /run/libvirt/libvirtd.pid)
thaw() { kill -CONT "$LVPID" 2>/dev/null; }
trap 'thaw; finish 1' INT TERM

# status within 1 s, its JSON in $T/st.json; field EXPR over it as "j"
status_prompt() { timeout 1 "$VRCTL" --json status >"$T/st.json"; }
st() { json "$T/st.json" "$1"; }

daemon_start
wait_for "libvirt connected" 10 \
	sh -c "'$VRCTL' --json status | grep -q '\"state\":\"connected\"'"
check "start a netns pvr" "$VRCTL" start pvr --backend netns --vrs 2 --name s
vm=0
if [ -f "$IMAGE/vmlinuz" ] && [ -f "$IMAGE/initrd.img" ]; then
	vm=1
	check "start a VM monolithic" "$VRCTL" start monolithic --name v --timeout 120
else
	echo "SKIP (counted): the VM part needs the guest image in $IMAGE"
fi

say "libvirtd frozen (SIGSTOP)"
kill -STOP "$LVPID"
slow=0
for i in $(seq 20); do
	status_prompt || slow=$((slow + 1))
done
check "20 status calls each answer within 1 s with libvirtd stopped" [ $slow = 0 ]
check "the netns topology reads running" [ "$(st '[t["state"] for t in j["topologies"] if t["name"]=="s"]')" = "['running']" ]
if [ $vm = 1 ]; then
	check "the VM node reads running (from events)" \
		[ "$(st '[n["state"] for t in j["topologies"] if t["name"]=="v" for n in t["nodes"]]')" = "['running']" ]
fi
# libvirt's keepalive (5 s x 3) closes the connection; status says so
wait_for "status reports libvirt disconnected, still promptly" 40 \
	sh -c "timeout 1 '$VRCTL' --json status | grep -q '\"state\":\"disconnected\"'"
check "and answers within 1 s after that" status_prompt
thaw
wait_for "reconnects after SIGCONT" 30 \
	sh -c "timeout 1 '$VRCTL' --json status | grep -q '\"hypervisor_version\"'"

if [ $vm = 1 ]; then
	say "virsh destroy: the node's state follows libvirt's event"
	virsh destroy vrouterd-v-vr0 >/dev/null
	wait_for "status shows the node not running" 2 \
		sh -c "timeout 1 '$VRCTL' --json status | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit([n[\"state\"] for t in j[\"topologies\"] if t[\"name\"]==\"v\" for n in t[\"nodes\"]]==[\"running\"])'"
	check "stop v" "$VRCTL" stop v
fi
check "stop s" "$VRCTL" stop s
check "nothing of s left" nothing_left s
[ $vm = 1 ] && check "nothing of v left" nothing_left v
finish 0
