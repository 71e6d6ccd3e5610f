#!/bin/bash
# `vrctl list` and `vrctl status NAME` against a real vrouterd running two
# netns topologies (no libvirtd, no image): one line per topology with
# the right backend, node count, state and accelerator, in text and JSON;
# status NAME shows that topology only; an unknown NAME exits 1 naming it
# and pointing at `vrctl list`.  `topology` asks the daemon while it
# answers (its configured image, nothing on stderr) and plans locally,
# saying so, once it is gone.  `--json start` prints its progress as JSON
# lines on stderr.
#
#   test_ctl_list.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name ctllist -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
export VR_TOPOLOGY_PATH=$SRC/topologies

# An image path of this test's own, so a plan shows who made it.
IMAGE=$T/img
mkdir -p "$IMAGE"
daemon_start

say "nothing running"
"$VRCTL" list >"$T/l0.txt"
check "list: exit 0, says none run" grep -qx "no topology is running" "$T/l0.txt"
"$VRCTL" --json list >"$T/l0.json"
check "list --json: an empty array" [ "$(json "$T/l0.json" 'j["topologies"]')" = "[]" ]

say "two netns topologies"
if "$VRCTL" --json start monolithic --backend netns --name mono \
	>"$T/mono.json" 2>"$T/mono.err"; then
	ok "mono started"
else
	bad "mono: $(cat "$T/mono.err")"
	finish 1
fi
check "--json start: progress as JSON lines on stderr" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
msgs = [json.loads(l) for l in lines]
assert msgs and all(m["method"] == "progress" for m in msgs), lines
assert all(m["params"]["topology"] == "mono" for m in msgs), lines
' "$T/mono.err"
if "$VRCTL" start pvr --vrs 2 --backend netns --name pvr \
	>"$T/pvr.txt" 2>"$T/pvr.err"; then
	ok "pvr started"
else
	bad "pvr: $(cat "$T/pvr.err")"
	finish 1
fi
check "start without --json: progress as text" grep -q '^vrctl: \[' "$T/pvr.err"

"$VRCTL" list >"$T/l.txt"
cat "$T/l.txt"
check "list: a header and one line per topology" [ "$(wc -l <"$T/l.txt")" = 3 ]
check "list: mono, monolithic, netns, 1 node, running, accel none" \
	grep -Eq '^mono +monolithic +netns +1 +running +[0-9]+m[0-9]{2}s +none$' "$T/l.txt"
check "list: pvr, 2 nodes" \
	grep -Eq '^pvr +pvr +netns +2 +running +[0-9]+m[0-9]{2}s +none$' "$T/l.txt"
"$VRCTL" --json list >"$T/l.json"
check "list --json: the rows, field by field" python3 -c '
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))["topologies"]}
assert set(rows) == {"mono", "pvr"}, rows
m = rows["mono"]
assert sorted(m) == ["accel", "backend", "name", "nodes", "state",
                     "topology", "uptime_s"], m
assert (m["topology"], m["backend"], m["nodes"], m["state"], m["accel"]) == \
       ("monolithic", "netns", 1, "running", "none"), m
assert rows["pvr"]["nodes"] == 2 and isinstance(m["uptime_s"], int), rows
' "$T/l.json"

say "status NAME"
"$VRCTL" status pvr >"$T/s.txt" 2>&1
rc=$?
check "status pvr: exit 0" [ $rc = 0 ]
check "status pvr: that topology" grep -q '^topology pvr (pvr): running' "$T/s.txt"
check "status pvr: not the other, not the daemon" \
	sh -c "! grep -q 'mono\|^vrouterd ' '$T/s.txt'"
"$VRCTL" --json status mono >"$T/s.json"
check "status --json mono: the topology object" \
	[ "$(json "$T/s.json" 'j["name"] + "/" + j["backend"] + "/" + str(len(j["nodes"]))')" = mono/netns/1 ]
"$VRCTL" status nosuch >"$T/n.out" 2>"$T/n.err"
rc=$?
cat "$T/n.err"
check "status nosuch: exit 1" [ $rc = 1 ]
check "status nosuch: names it and suggests vrctl list" \
	grep -q 'no topology named "nosuch" is running (`vrctl list`' "$T/n.err"
"$VRCTL" --json status nosuch >"$T/n.json" 2>/dev/null
check "status --json nosuch: a not-found error object" \
	[ "$(json "$T/n.json" 'j["code"]')" = -32004 ]

say "topology: the daemon's plan while it answers"
"$VRCTL" topology monolithic >"$T/p.txt" 2>"$T/p.err"
rc=$?
check "topology: exit 0, nothing on stderr" \
	sh -c "[ $rc = 0 ] && [ ! -s '$T/p.err' ]"
check "topology: the daemon's configured image, no host line" \
	sh -c "grep -q 'image $IMAGE,' '$T/p.txt' && ! grep -q '^host:' '$T/p.txt'"

check "stop --all" "$VRCTL" stop --all
check "nothing left of mono" nothing_left mono
check "nothing left of pvr" nothing_left pvr
"$VRCTL" list >"$T/l2.txt"
check "list: none again" grep -qx "no topology is running" "$T/l2.txt"

say "topology once the daemon is gone"
daemon_stop
"$VRCTL" topology monolithic >"$T/q.txt" 2>"$T/q.err"
rc=$?
check "topology without the daemon: exit 0" [ $rc = 0 ]
check "stderr says it planned locally" grep -q "planned locally" "$T/q.err"
check "the plan says this machine's host" grep -q "^host: .*this machine's" "$T/q.txt"
finish 0
