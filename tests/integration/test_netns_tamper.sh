#!/bin/bash
# Hostile state (issue 18, item 6): a tampered STATE/NAME/plan.json must not
# make vrouterd delete network namespaces it did not create.  Namespaces
# are tagged through their lo's alias ("vrouterd:NAME:netns-..."); stop,
# rollback and cleanup delete only namespaces carrying their topology's
# tag; a plan naming a node namespace not tagged as its topology's, or
# anything outside "vr-NAME-", is not adopted at all.  Foreign namespaces made by hand
# (untagged, or tagged for another topology, or outside the naming scheme)
# survive; the topology's own are deleted.  Runs without libvirtd.
#
#   test_netns_tamper.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name tamper -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"

FOREIGN="vr-tam-evil vr-tam-fk victim"
cleanup_foreign() {
	for ns in vr-tam-evil vr-tam-fk victim vr-lone-vr0; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'cleanup_foreign; finish 1' INT TERM

# edit_plan FILE PYTHON: run PYTHON over the plan "p", write it back.
edit_plan() {
	python3 - "$1" "$2" <<'EOP'
import copy, json, sys
p = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(p, open(sys.argv[1], "w"))
EOP
}

foreign_alive() {
	local ns
	for ns in $FOREIGN; do
		ip netns exec "$ns" true || { echo "$ns is gone"; return 1; }
	done
}

daemon_start

# ---- the tag ----------------------------------------------------------------
say "start monolithic --backend netns --name tam"
check "start" "$VRCTL" start monolithic --backend netns --name tam
for ns in vr-tam-vr0 vr-tam-in vr-tam-out; do
	a=$(ip -n "$ns" -o link show lo | sed -n 's/.*alias //p')
	case $ns in
	vr-tam-vr0) want=vrouterd:tam:netns-vr0 ;;
	vr-tam-in) want=vrouterd:tam:netns-port-in ;;
	vr-tam-out) want=vrouterd:tam:netns-port-out ;;
	esac
	check "$ns is tagged through lo's alias ($a)" [ "$a" = "$want" ]
done

# Foreign namespaces: untagged inside our naming scheme, another
# topology's tag inside it, and one outside it.
ip netns add vr-tam-evil
ip netns add vr-tam-fk
ip -n vr-tam-fk link set lo alias vrouterd:other:netns-x
ip netns add victim

# ---- a plan naming a foreign port namespace inside "vr-tam-" -----------------
say "tamper plan.json: the out port in vr-tam-fk (another topology's tag)"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
edit_plan "$T/state/tam/plan.json" 'p["ports"][1]["netns"] = "vr-tam-fk"'
daemon_start
"$VRCTL" --json status >"$T/st.json"
check "tam adopted (its node namespace is tagged as tam's)" \
	[ "$(json "$T/st.json" '[t["adopted"] for t in j["topologies"] if t["name"] == "tam"]')" = "[True]" ]
out=$("$VRCTL" stop tam 2>&1)
rc=$?
echo "$out"
check "stop refuses (exit $rc)" [ $rc != 0 ]
check "stop names vr-tam-fk and the tag it carries" \
	sh -c 'echo "$1" | grep -q "delete netns vr-tam-fk.*vrouterd:other:netns-x.*is not vrouterd.s"' _ "$out"
check "the foreign namespaces survive" foreign_alive
check "tam's own node namespace is deleted" [ ! -e /run/netns/vr-tam-vr0 ]
check "tam's own in port namespace is deleted" [ ! -e /run/netns/vr-tam-in ]
check "tam's out port namespace (no longer in the plan) remains" \
	[ -e /run/netns/vr-tam-out ]
# The operator removes the foreign one; stop completes.
ip netns del vr-tam-fk
check "stop completes once the foreign namespace is gone" "$VRCTL" stop tam
check "cleanup removes tam's out port namespace (tagged, orphaned)" \
	"$VRCTL" cleanup
check "nothing left of tam but vr-tam-evil" \
	[ "$(ip netns list | grep -o '^vr-tam-[^ ]*' | tr '\n' ' ')" = "vr-tam-evil " ]
# A namespace tagged for a topology vrouterd does not run is an orphan of
# that topology, as a tagged link is: not foreign any more from here on.
FOREIGN="vr-tam-evil victim"

# ---- a plan naming a foreign node namespace inside "vr-tam-" -----------------
say "tamper plan.json: a node 'evil' whose namespace was made by hand"
check "start" "$VRCTL" start monolithic --backend netns --name tam
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
edit_plan "$T/state/tam/plan.json" '
n = copy.deepcopy(p["nodes"][0])
n["name"] = "evil"
n["domain"] = "vrouterd-tam-evil"
for k, f in enumerate(n["interfaces"]):
    f["host_if"] = "vr-tam-tz%d" % k
p["nodes"].append(n)
'
: >"$T/vrouterd.log"
daemon_start
"$VRCTL" --json status >"$T/st.json"
check "a plan naming an untagged node namespace is not adopted" \
	[ "$(json "$T/st.json" '[t["name"] for t in j["topologies"]]')" = "[]" ]
check "the log says why" \
	grep -q "cannot adopt: node evil: namespace vr-tam-evil is not tagged as tam's" \
	"$T/vrouterd.log"
check "cleanup" "$VRCTL" cleanup
check "the foreign namespaces survive cleanup" foreign_alive
check "nothing left of tam but vr-tam-evil" \
	[ "$(ip netns list | grep -o '^vr-tam-[^ ]*' | tr '\n' ' ')" = "vr-tam-evil " ]
rm -rf "$T/state/tam"

# ---- a plan naming things outside "vr-NAME-" ----------------------------------
say "tamper plan.json: the in port in 'victim'"
check "start" "$VRCTL" start monolithic --backend netns --name tam
daemon_stop
edit_plan "$T/state/tam/plan.json" 'p["ports"][0]["netns"] = "victim"'
: >"$T/vrouterd.log"
daemon_start
"$VRCTL" --json status >"$T/st2.json"
check "a plan naming 'victim' is not adopted" \
	[ "$(json "$T/st2.json" '[t["name"] for t in j["topologies"]]')" = "[]" ]
check "the log says why" \
	grep -q "ports\[0\].netns: 'victim' is not a name vrouterd gives" \
	"$T/vrouterd.log"
"$VRCTL" --json cleanup --dry-run >"$T/dry.json"
cat "$T/dry.json"
check "cleanup would remove tam's tagged namespaces, nothing foreign" \
	[ "$(json "$T/dry.json" 'sorted(o["name"] for o in j["would_remove"] if o["kind"] == "netns")')" = "['vr-tam-in', 'vr-tam-out', 'vr-tam-vr0']" ]
check "cleanup" "$VRCTL" cleanup
check "the foreign namespaces survive cleanup" foreign_alive
check "tam's own namespaces are deleted" \
	[ -z "$(ip netns list | grep -E '^vr-tam-(vr0|in|out)( |$)')" ]
rm -rf "$T/state/tam"

# ---- an untagged namespace is no orphan ---------------------------------------
say "an untagged vr- namespace is neither listed nor cleaned"
ip netns add vr-lone-vr0
"$VRCTL" --json cleanup --dry-run >"$T/dry2.json"
check "not listed as an orphan" \
	[ "$(json "$T/dry2.json" '[o["name"] for o in j["would_remove"]]')" = "[]" ]
check "cleanup" "$VRCTL" cleanup
check "it survives" ip netns exec vr-lone-vr0 true
check "the foreign namespaces survive" foreign_alive

cleanup_foreign
finish 0
