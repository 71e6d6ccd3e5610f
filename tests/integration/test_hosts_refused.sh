#!/bin/bash
# Topologies across hosts (issue 15) on a vrouterd that knows no other
# host: a file placing a node or a port on another host ("host": "b")
# plans (the placement is in `vrctl topology --json`), but vrouterd
# refuses to start it with a message naming the node (or port) and the
# host it does not know, and creates nothing; "host": "local" is this host
# and starts as before.  (Starting across configured hosts:
# test_multihost_topo.sh.)
#
#   test_hosts_refused.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name hostsref -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

daemon_start

# vr0 here, vr1 on host b (with the out port): "mid" spans both hosts
topo() { # topo VR1HOST OUTHOST
	cat <<EOF
{"format": 1, "name": "twohost", "description": "two routers, two hosts",
 "ports": {"out": {"address": "198.18.2.2/24", "gateway": "198.18.2.1"$2}},
 "networks": [{"name": "a", "port": "in"}, {"name": "mid"},
              {"name": "b", "port": "out"}],
 "nodes": [
  {"name": "vr0", "interfaces": [
     {"network": "a", "address": "198.18.1.1/24"},
     {"network": "mid", "address": "198.19.0.1/24"}],
   "routes": [{"dst": "default", "via": "198.19.0.2"}]},
  {"name": "vr1"$1, "interfaces": [
     {"network": "mid", "address": "198.19.0.2/24"},
     {"network": "b", "address": "198.18.2.1/24"}],
   "routes": [{"dst": "198.18.1.0/24", "via": "198.19.0.1"}]}]}
EOF
}
topo ', "host": "b"' ', "host": "b"' >"$T/placed.json"
topo '' ', "host": "b"' >"$T/port.json"
topo ', "host": "local"' '' >"$T/local.json"

say "the plan shows the placement"
"$VRCTL" --json topology -f "$T/placed.json" --backend netns >"$T/plan.json"
check "topology succeeds" [ $? = 0 ]
check "vr1 is on host b" \
	[ "$(json "$T/plan.json" "[n['host'] for n in j['plan']['nodes'] if n['name'] == 'vr1'][0]")" = b ]
check "mid spans local and b with a VNI" \
	[ "$(json "$T/plan.json" "[(n['hosts'], 'vni' in n) for n in j['plan']['placement']['networks'] if n['name'] == 'mid'][0]")" = "(['local', 'b'], True)" ]
check "mid's planned MTU is 1500 - 50" \
	[ "$(json "$T/plan.json" "[n['mtu'] for n in j['plan']['placement']['networks'] if n['name'] == 'mid'][0]")" = 1450 ]

"$VRCTL" topology -f "$T/placed.json" --backend netns >"$T/plan.txt"
check "the text shows who holds what" grep -q \
	"host b: nodes vr1; ports out; networks mid, port:out" "$T/plan.txt"
check "and the VXLAN" grep -q "mid *vxlan vni [0-9]*, mtu 1450, across local, b" \
	"$T/plan.txt"

say "start refuses a node on another host"
"$VRCTL" start -f "$T/placed.json" --backend netns --name thost >"$T/start.txt" 2>&1
rc=$?
cat "$T/start.txt"
check "start fails (exit 1)" [ $rc = 1 ]
check "the error names the node, the host and why" grep -q \
	"places node vr1 on host 'b', which this vrouterd (host .*) does not know" \
	"$T/start.txt"
check "nothing was created" nothing_left thost
"$VRCTL" --json status >"$T/st.json"
check "status lists no topology" [ "$(json "$T/st.json" "len(j['topologies'])")" = 0 ]

say "start refuses a port on another host"
"$VRCTL" start -f "$T/port.json" --backend netns --name thost >"$T/start2.txt" 2>&1
rc=$?
cat "$T/start2.txt"
check "start fails (exit 1)" [ $rc = 1 ]
check "the error names the port" grep -q "places port out on host 'b'" \
	"$T/start2.txt"
check "nothing was created" nothing_left thost

say "\"host\": \"local\" is this host"
check "start succeeds" "$VRCTL" start -f "$T/local.json" --backend netns --name thost
check "stop" "$VRCTL" stop thost
check "nothing left behind" nothing_left thost
finish 0
