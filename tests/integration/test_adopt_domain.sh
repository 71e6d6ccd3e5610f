#!/bin/bash
# Adoption from libvirt domain metadata, with stand-in domains: QEMU with
# no disk and no kernel (SeaBIOS finds nothing to boot and idles), carrying
# vrouterd's <metadata> with a plan, so no guest image and no boot is
# needed.
#
# - issue 18, item 13: a guest adopted before it printed VROUTERD-READY on
#   its console is shown `starting` (node and topology), and `running` once
#   the line appears; down (degraded) if VROUTERD-FAIL appears instead.
# - issue 18, item 6: a tampered plan in a domain's metadata cannot make
#   stop destroy a domain of another topology (its own metadata names that
#   topology) nor delete namespaces that are not tagged as the topology's;
#   stop answers with a message naming each refusal.
#
#   test_adopt_domain.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name adom -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"

cleanup_foreign() {
	ip netns del vr-fk-in 2>/dev/null
	ip netns del vr-fk-out 2>/dev/null
	for d in vrouterd-rd-vr0 vrouterd-fl-vr0 vrouterd-fk-vr0 vrouterd-fk-b-vr0; do
		virsh destroy "$d" >/dev/null 2>&1
	done
}
trap 'cleanup_foreign; finish 1' INT TERM

# plan_of NAME: the expanded plan of monolithic --name NAME, into $T/NAME.plan
plan_of() {
	"$VRCTL" --json topology monolithic --name "$1" >"$T/$1.topo" &&
		python3 - "$T/$1.topo" "$T/$1.plan" <<'EOP'
import json, sys
j = json.load(open(sys.argv[1]))
json.dump(j.get("plan", j), open(sys.argv[2], "w"))
EOP
}

# stand_in DOMAIN TOPOLOGY PLANFILE: a running domain with our metadata.
stand_in() {
	python3 - "$1" "$2" "$3" >"$T/$1.xml" <<'EOP'
import sys
from xml.sax.saxutils import escape
name, topo, plan = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
print(f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <metadata>
    <vrouterd:vrouterd xmlns:vrouterd='urn:vrouterd:domain:1'>
      <vrouterd:topology>monolithic</vrouterd:topology>
      <vrouterd:name>{topo}</vrouterd:name>
      <vrouterd:node>vr0</vrouterd:node>
      <vrouterd:plan>{escape(plan)}</vrouterd:plan>
    </vrouterd:vrouterd>
  </metadata>
  <devices/>
</domain>""")
EOP
	virsh create "$T/$1.xml" >/dev/null
}

st() { # st TOPOLOGY [NODE]: its state (or its node's) in status
	"$VRCTL" --json status >"$T/st.json" 2>/dev/null || return 1
	if [ $# = 1 ]; then
		json "$T/st.json" "[t['state'] for t in j['topologies'] if t['name'] == '$1']"
	else
		json "$T/st.json" "[n['state'] for t in j['topologies'] if t['name'] == '$1' for n in t['nodes'] if n['name'] == '$2']"
	fi
}

daemon_start
plan_of rd && plan_of fl && plan_of fk && plan_of fk-b ||
	{ bad "topology"; finish 1; }
daemon_stop

# ---- item 13: adopted before ready ---------------------------------------------
check "stand-in domain vrouterd-rd-vr0" stand_in vrouterd-rd-vr0 rd "$T/rd.plan"
check "stand-in domain vrouterd-fl-vr0" stand_in vrouterd-fl-vr0 fl "$T/fl.plan"

# ---- item 6: a tampered plan in vrouterd-fk-vr0's metadata -----------------------
# It adds a node whose domain is fk-b's (a name inside "vrouterd-fk-"),
# and its port namespaces exist but were made by hand (untagged).
python3 - "$T/fk.plan" <<'EOP'
import copy, json, sys
p = json.load(open(sys.argv[1]))
n = copy.deepcopy(p["nodes"][0])
n["name"] = "vr1"
n["domain"] = "vrouterd-fk-b-vr0"
for k, f in enumerate(n["interfaces"]):
    f["host_if"] = "vr-fk-t1%d" % k
p["nodes"].append(n)
json.dump(p, open(sys.argv[1], "w"))
EOP
check "stand-in domain vrouterd-fk-vr0 (tampered plan)" \
	stand_in vrouterd-fk-vr0 fk "$T/fk.plan"
check "stand-in domain vrouterd-fk-b-vr0 (topology fk-b)" \
	stand_in vrouterd-fk-b-vr0 fk-b "$T/fk-b.plan"
ip netns add vr-fk-in
ip netns add vr-fk-out

daemon_start
say "adopted before ready"
check "rd adopted" [ "$(json <("$VRCTL" --json status) "[t['adopted'] for t in j['topologies'] if t['name'] == 'rd']")" = "[True]" ]
check "topology rd is starting ($(st rd))" [ "$(st rd)" = "['starting']" ]
check "node vr0 is starting ($(st rd vr0))" [ "$(st rd vr0)" = "['starting']" ]
mkdir -p "$T/state/rd"
echo "VROUTERD-READY node=vr0 addrs=x" >>"$T/state/rd/vr0.console.log"
rd_running() { [ "$(st rd)" = "['running']" ] && [ "$(st rd vr0)" = "['running']" ]; }
wait_for "rd and vr0 move to running once the ready line appears" 10 rd_running
check "topology fl is starting too ($(st fl))" [ "$(st fl)" = "['starting']" ]
mkdir -p "$T/state/fl"
echo "VROUTERD-FAIL node=vr0 no address for eth1" >>"$T/state/fl/vr0.console.log"
fl_down() {
	[ "$(st fl)" = "['degraded']" ] &&
		[ "$(json "$T/st.json" "[n.get('last_event') for t in j['topologies'] if t['name'] == 'fl' for n in t['nodes']]")" = "['guest reported failure']" ]
}
wait_for "fl's node is down once its guest reports failure" 10 fl_down
check "stop fl" "$VRCTL" stop fl

say "stop a topology whose metadata plan was tampered with"
out=$("$VRCTL" stop fk 2>&1)
rc=$?
echo "$out"
check "stop refuses (exit $rc)" [ $rc != 0 ]
check "it names the domain of another topology" \
	sh -c 'echo "$1" | grep -q "domain vrouterd-fk-b-vr0 belongs to topology .fk-b., not fk"' _ "$out"
check "it names the untagged namespaces" \
	sh -c 'echo "$1" | grep -q "delete netns vr-fk-in.*not vrouterd.s" && echo "$1" | grep -q "delete netns vr-fk-out"' _ "$out"
check "fk-b's domain still runs" [ "$(virsh domstate vrouterd-fk-b-vr0 2>&1)" = running ]
check "the hand-made namespaces survive" \
	sh -c 'ip netns exec vr-fk-in true && ip netns exec vr-fk-out true'
check "fk's own domain is gone" \
	sh -c '! virsh domstate vrouterd-fk-vr0 >/dev/null 2>&1'

ip netns del vr-fk-in
ip netns del vr-fk-out
check "stop rd" "$VRCTL" stop rd
check "stop fk-b" "$VRCTL" stop fk-b
check "stop fk completes once what it named is gone" "$VRCTL" stop fk
cleanup_foreign
finish 0
