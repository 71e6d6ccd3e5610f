#!/bin/bash
# End to end (issue 18, item 8): a topology file with overlapping subnets
# starts (netns backend, in a sandbox without libvirtd) and its plan's
# warning is in start's result, in status, and survives an adoption; a
# file that cannot forward (a port gateway no interface owns) is refused
# before anything is created.
#
#   test_topo_warnings.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name topowarn -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

daemon_start
W="networks 'a' and 'b' have overlapping subnets"

# in: 198.18.0.0/16 on network a; out: 198.18.2.0/24 on network b
cat >"$T/overlap.json" <<'EOF'
{"format": 1, "name": "overlap", "description": "overlapping subnets",
 "ports": {"in": {"address": "198.18.1.2/16", "gateway": "198.18.1.1"}},
 "networks": [{"name": "a", "port": "in"}, {"name": "b", "port": "out"}],
 "nodes": [{"name": "vr0", "interfaces": [
   {"network": "a", "address": "198.18.1.1/16"},
   {"network": "b", "address": "198.18.2.1/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"}]}]}
EOF

say "start -f overlap.json --backend netns"
"$VRCTL" start -f "$T/overlap.json" --backend netns --name ovl >"$T/start.txt" 2>&1
rc=$?
cat "$T/start.txt"
check "start succeeds" [ $rc = 0 ]
check "start's result shows the warning" grep -q "warning: $W" "$T/start.txt"
"$VRCTL" --json status >"$T/st.json"
check "status carries the warning" \
	[ "$(json "$T/st.json" "any(\"$W\" in w for t in j['topologies'] for w in t['warnings'])")" = True ]

say "a new vrouterd adopts it with the warning"
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
daemon_start
"$VRCTL" --json status >"$T/st2.json"
check "the adopted topology still carries the warning" \
	[ "$(json "$T/st2.json" "any(\"$W\" in w for t in j['topologies'] for w in t['warnings'])")" = True ]
check "stop" "$VRCTL" stop ovl
check "nothing left behind" nothing_left ovl

say "a file that cannot forward is refused before anything is created"
sed 's/"gateway": "198.18.1.1"/"gateway": "198.18.1.9"/' "$T/overlap.json" \
	>"$T/nogw.json"
"$VRCTL" start -f "$T/nogw.json" --backend netns --name nogw >"$T/nogw.txt" 2>&1
rc=$?
cat "$T/nogw.txt"
check "start fails (exit 1)" [ $rc = 1 ]
check "the error names file, field and reason" grep -q \
	"nogw.json: \$.ports.in.gateway: 198.18.1.9 is no interface's address" \
	"$T/nogw.txt"
check "nothing was created" nothing_left nogw
finish 0
