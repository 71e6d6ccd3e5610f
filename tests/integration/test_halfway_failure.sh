#!/bin/bash
# A topology that fails half-way: a user file (sent with `vrctl start -f`)
# whose third node names a per-node image directory that does not exist.
# Ports, networks, the splitter and the first two domains are created,
# then the third node fails: the start reports the image step and
# everything is removed again, newest first.  A bad file is refused before
# anything is created.
#
#   test_halfway_failure.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name halfway \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start

# pvr with three VRs, the third booting a missing image
python3 - "$SRC/topologies/pvr.json" "$T/half.json" <<'EOP'
import json, sys
t = json.load(open(sys.argv[1]))
t["name"] = "half"
t["params"]["vrs"] = {"default": 2, "min": 1, "max": 4}
vr = t["nodes"][0]
t["nodes"] = [dict(vr, name="vr{i}", count="vrs")]
third = json.loads(json.dumps(vr))
del third["count"]
third["name"] = "vr2"
third["image"] = "/nonexistent/guest-image"
third["interfaces"][0]["network"] = "leg2"
third["interfaces"][0]["address"] = "198.19.3.2/24"
third["interfaces"][1]["address"] = "198.18.2.13/24"
third["routes"][1]["via"] = "198.19.3.1"
t["nodes"].append(third)
t["networks"].append({"name": "leg2"})
t["splitter"]["interfaces"].append(
    {"name": "sp2", "network": "leg2", "address": "198.19.3.1/24"})
json.dump(t, open(sys.argv[2], "w"), indent=1)
EOP

say "the plan shows three nodes, the third with its own image"
"$VRCTL" topology -f "$T/half.json" >"$T/plan.txt" 2>&1
check "topology -f shows the plan" grep -q "image /nonexistent/guest-image" "$T/plan.txt"

say "start fails at the third node and rolls back"
"$VRCTL" start -f "$T/half.json" --name half --timeout 300 >"$T/out" 2>&1
rc=$?
cat "$T/out"
check "start failed (exit 1)" [ $rc = 1 ]
check "the error names the step and the node" \
	grep -q "failed at image: vr2: image /nonexistent/guest-image" "$T/out"
check "progress shows the first two domains were started" \
	sh -c "grep -q 'starting vrouterd-half-vr1' '$T/out'"
check "progress shows the rollback" grep -q "rollback" "$T/out"
check "nothing left behind" nothing_left half
check "daemon still answers" "$VRCTL" version

say "a bad file is refused before anything is created"
printf '{"format": 1, "name": "bad", "description": "d", "nodes": [], "networks": [], "bogus": 1}\n' >"$T/bad.json"
"$VRCTL" start -f "$T/bad.json" --name bad >"$T/out" 2>&1
rc=$?
cat "$T/out"
check "refused (exit 1)" [ $rc = 1 ]
check "the error names the file, the JSON path and the reason" \
	grep -q "$T/bad.json: \$.bogus: unknown key" "$T/out"
check "nothing created" nothing_left bad

check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
