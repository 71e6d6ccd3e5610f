#!/bin/bash
# The coordinator of a topology across hosts (daemon/coord.c) against two
# other hosts, b and c, that tests/integration/fakepeer.py stands in for
# (ssh_command: it answers start_part after a delay, or refuses it, or
# fails as ssh does when the host is down).  Only this host deploys for
# real (netns backend): its part of a PVR whose vr0 is on b and vr1 on c.
# A three-host bed of real vrouterds (twohost.sh) would cost three
# libvirtds and sshds on two cores; the coordinator's side is all this
# test checks.  Checked:
#  - c's underlay is 1400 bytes (tunnel_mtu): the networks with c are at
#    1350 here, leg0 (a and b) at 1450;
#  - b and c are asked for their parts at once: each is asked before the
#    other answers; the start takes one peer's delay, not the sum (times
#    printed);
#  - c refusing while b succeeds later: start fails naming c, b's part
#    (answered after the failure was seen) is told stop, c (which rolled
#    back its own) is not, nothing is left here; b answering EXISTS (its
#    own x) is not told stop; both refusing: the error names both;
#  - stop --all with a topology across hosts and one on this host only:
#    both stopped, each peer told stop; with c down: the answer names
#    the topology, host c and the node left there, and everything else
#    still stops;
#  - stop --all stops the topologies it found, not one started while it
#    waits for a peer;
#  - a host whose connection was lost in start_part and at the
#    rollback's stop (its vrouterd may be alive, its part finished) stays
#    in coord.json; a new start of x is refused naming it; a reload
#    (SIGHUP), or `vrctl cleanup`, tells it stop and removes coord.json;
#  - a second start of x while the first still asks its peers is refused
#    busy, and no host is told stop (its rollback would stop the first's
#    parts).
#
#   test_coord_hosts.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name coordh -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'ip link del th-tu0 2>/dev/null; finish 1' INT TERM

export FAKEPEER_DIR=$T/peers
mkdir -p "$FAKEPEER_DIR"
# this host's tunnel address, on a dummy device of the sandbox
ip link add th-tu0 type veth peer name th-tu1
ip addr add 198.18.0.1/24 dev th-tu0
ip link set th-tu0 up
host() { # host NAME N [MORE]
	printf '{"name": "%s", "ssh": "root@%s", "libvirt_uri": "qemu+ssh://%s/system", "tunnel_address": "198.18.0.%s", "socket": "/run/vrouterd/vrouterd.sock"%s}' \
		"$1" "$1" "$1" "$2" "${3:-}"
}
write_config "\"host_name\": \"a\", \"tunnel_address\": \"198.18.0.1\",
  \"ssh_command\": [\"$SRC/tests/integration/fakepeer.py\"], \"peer_timeout\": 20,
  \"hosts\": [$(host b 2), $(host c 3 ', "tunnel_mtu": 1400')]"
daemon_start

cat >"$T/x.json" <<'EOF'
{"format": 1, "name": "xpvr", "description": "pvr, vr0 on b, vr1 on c",
 "ports": {"in": {"address": "198.18.1.2/24", "gateway": "198.18.1.1"},
           "out": {"address": "198.18.2.2/24", "gateway": "198.18.2.11"}},
 "networks": [{"name": "ingress", "port": "in"},
              {"name": "egress", "port": "out"},
              {"name": "leg0"}, {"name": "leg1"}],
 "splitter": {
   "interfaces": [
     {"name": "in0", "network": "ingress", "address": "198.18.1.1/24"},
     {"name": "sp0", "network": "leg0", "address": "198.19.1.1/24"},
     {"name": "sp1", "network": "leg1", "address": "198.19.2.1/24"}],
   "routes": [{"dst": "default", "via": ["vr*.eth0"]}]},
 "nodes": [
  {"name": "vr0", "role": "router", "host": "b", "interfaces": [
     {"network": "leg0", "address": "198.19.1.2/24"},
     {"network": "egress", "address": "198.18.2.11/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"}]},
  {"name": "vr1", "role": "router", "host": "c", "interfaces": [
     {"network": "leg1", "address": "198.19.2.2/24"},
     {"network": "egress", "address": "198.18.2.12/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"}]}]}
EOF
chmod 644 "$T/x.json"

mode() { echo "$2" >"$FAKEPEER_DIR/$1.mode"; }
# start_x OUT: start x across hosts; its wall time in ELAPSED (s)
start_x() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	"$VRCTL" --json start -f "$T/x.json" --name x --backend netns \
		>"$T/$1.json" 2>"$T/$1.err"
	rc=$?
	t1=$(date +%s.%N)
	ELAPSED=$(awk "BEGIN {printf \"%.2f\", $t1 - $t0}")
	return $rc
}
field() { # field HOST METHOD COLUMN: of the host's last such request
	awk -v m="$2" -v c="$3" '$3 == m {v = $c} END {print v}' "$FAKEPEER_DIR/$1.log"
}
lt() { awk "BEGIN {exit !($1 < $2)}"; }
# reload_reaps: SIGHUP, then wait for x's coord.json to go (intent.c)
reload_reaps() {
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 100); do
		[ -e "$T/state/x/coord.json" ] || return 0
		sleep 0.2
	done
}
runs() { "$VRCTL" --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))'; }

say "each peer's part takes 3 s: asked at once"
mode b "ok 3"
mode c "ok 3"
if start_x s1; then ok "start across a, b and c ($ELAPSED s)"; else bad "start: $(cat "$T/s1.err")"; fi
T_START=$ELAPSED
check "c asked before b answered" lt "$(field c start_part 1)" "$(field b start_part 2)"
check "b asked before c answered" lt "$(field b start_part 1)" "$(field c start_part 2)"
check "the start took less than the two delays added (${T_START} s < 6 s)" lt "$T_START" 6
echo "asked b at $(field b start_part 1), c at $(field c start_part 1); answered $(field b start_part 2), $(field c start_part 2)"
mtus() { # mtus BRIDGE: the MTUs of its members here
	ip -o link show master "$1" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
# c's underlay is 1400 (tunnel_mtu), a's and b's 1500
check "leg0 (a, b) at 1450: $(mtus vr-x-n0)" [ "$(mtus vr-x-n0)" = "1450 " ]
check "leg1 (a, c) at 1350: $(mtus vr-x-n1)" [ "$(mtus vr-x-n1)" = "1350 " ]
check "egress (a, b, c) at 1350: $(mtus vr-x-bo)" [ "$(mtus vr-x-bo)" = "1350 " ]
check "ingress (a only) keeps 1500: $(mtus vr-x-bi)" [ "$(mtus vr-x-bi)" = "1500 " ]
"$VRCTL" --json hosts >"$T/hosts.json"
check "vrctl hosts says c's tunnel_mtu" \
	[ "$(json "$T/hosts.json" '[(h["name"], h.get("tunnel_mtu")) for h in j["hosts"] if not h["self"]]')" = "[('b', 1500), ('c', 1400)]" ]
check "status: vr0 on b, vr1 on c" \
	[ "$(json "$T/s1.json" '[(n["name"], n["host"]) for n in j["remote_nodes"]]')" = "[('vr0', 'b'), ('vr1', 'c')]" ]
check "stop x" "$VRCTL" stop x
check "b and c told stop" [ "$(field b stop 4)$(field c stop 4)" = xx ]
check "nothing left here" nothing_left x

say "no peer delay, for comparison"
mode b "ok 0"
mode c "ok 0"
if start_x s0; then ok "start ($ELAPSED s)"; else bad "start: $(cat "$T/s0.err")"; fi
echo "start across hosts: peers 0 s each: $ELAPSED s; peers 3 s each: $T_START s"
check "stop x" "$VRCTL" stop x

say "c refuses after 1 s, b succeeds after 3 s: both rolled back"
mode b "ok 3"
mode c "fail 1"
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
start_x s2
rc=$?
tail -n 1 "$T/s2.err"
check "start failed" [ $rc != 0 ]
check "the error names c and its cause" grep -q "host c: its part failed: fault injected on c" "$T/s2.err"
check "and not b" sh -c "! tail -n 1 '$T/s2.err' | grep -q 'host b'"
check "b, which answered after c's failure, is told stop after it answered" \
	lt "$(field b start_part 2)" "$(field b stop 1)"
check "c, which refused (its own part rolled back by itself), is not told stop" \
	[ -z "$(field c stop 4)" ]
check "nothing left here" nothing_left x
check "nothing runs" [ "$(runs)" = 0 ]

say "b runs its own x (answers EXISTS), c starts: only c is told stop"
mode b "fail 0 code=-32005"
mode c "ok 0"
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
start_x s2b
tail -n 1 "$T/s2b.err"
check "b's own x is not told stop" [ -z "$(field b stop 4)" ]
check "c (started) is told stop" [ "$(field c stop 4)" = x ]
check "no coord.json left" [ ! -e "$T/state/x/coord.json" ]

say "both refuse: the error names both"
mode b "fail 0"
mode c "fail 0"
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
start_x s3
tail -n 1 "$T/s3.err"
check "b and c named" grep -q "host b: its part failed: .*; host c: its part failed" "$T/s3.err"
mode b "fail 0 nomsg=1"
start_x s3b
tail -n 1 "$T/s3b.err"
check "b's error without a message: said so" \
	grep -q "host b: its part failed: its vrouterd gave no message" "$T/s3b.err"
check "neither told stop" [ -z "$(field b stop 4)$(field c stop 4)" ]
mode b dead
mode c "ok 0"
start_x s4
tail -n 1 "$T/s4.err"
check "b down: named with ssh's message" grep -q "host b (root@b): .*Connection refused" "$T/s4.err"
check "c (asked, started) told stop" [ "$(field c stop 4)" = x ]
check "nothing left here" nothing_left x
check "b, unreachable (its vrouterd may be alive), kept in coord.json" \
	[ "$(json "$T/state/x/coord.json" 'j["peers"]' 2>&1)" = "['b']" ]
mode b "ok 0"
: >"$FAKEPEER_DIR/b.log"
reload_reaps
check "at reload b is told stop, coord.json goes" \
	sh -c "[ \"\$(awk '\$3 == \"stop\" {print \$4}' '$FAKEPEER_DIR/b.log')\" = x ] && [ ! -e '$T/state/x/coord.json' ]"

say "stop --all: a topology across hosts and one here only"
mode b "ok 0"
mode c "ok 0"
start_x s5 || bad "start: $(cat "$T/s5.err")"
check "one here only" "$VRCTL" start monolithic --backend netns --name one
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
"$VRCTL" --json stop --all >"$T/stop1.json" 2>"$T/stop1.err"
check "stop --all answered" [ $? = 0 ]
check "both stopped: $(cat "$T/stop1.json")" \
	[ "$(json "$T/stop1.json" 'sorted(j["stopped"])')" = "['one', 'x']" ]
check "b and c told stop" [ "$(field b stop 4)$(field c stop 4)" = xx ]
check "nothing runs" [ "$(runs)" = 0 ]
check "nothing left of x" nothing_left x
check "nothing left of one" nothing_left one

say "stop --all with c down"
start_x s6 || bad "start: $(cat "$T/s6.err")"
check "one here only" "$VRCTL" start monolithic --backend netns --name one
mode c dead
"$VRCTL" --json stop --all >"$T/stop2.json" 2>"$T/stop2.err"
rc=$?
cat "$T/stop2.err"
check "stop --all fails" [ $rc != 0 ]
check "naming x, host c and vr1 left there" \
	grep -q "stop --all: x: host c: its part was not stopped (vr1 left there): host c (root@c): .*Connection refused" "$T/stop2.err"
check "the rest still stopped: nothing runs here" [ "$(runs)" = 0 ]
check "nothing left of x here" nothing_left x
check "nothing left of one" nothing_left one

say "a second start of x while the first is still asking its peers"
mode b "ok 3"
mode c "ok 3"
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
start_x s7 &
P1=$!
sleep 1
start_x s8
rc=$?
wait $P1
rc1=$?
tail -n 1 "$T/s8.err"
check "the first start succeeds" [ $rc1 = 0 ]
check "the second is refused busy, a start of x under way" \
	sh -c "[ $rc != 0 ] && grep -q 'start of x is under way' '$T/s8.err'"
check "no host told stop" [ -z "$(field b stop 4)$(field c stop 4)" ]
check "x runs" [ "$(runs)" = 1 ]
check "stop x" "$VRCTL" stop x

say "stop --all stops what it found: a topology started meanwhile runs on"
mode b "ok 0"
mode c "ok 0 stop=8"
start_x s9 || bad "start: $(cat "$T/s9.err")"
check "one here only" "$VRCTL" start monolithic --backend netns --name one
"$VRCTL" --json stop --all >"$T/stop3.json" 2>"$T/stop3.err" &
P1=$!
sleep 1
check "two started while stop --all waits for c" \
	"$VRCTL" start monolithic --backend netns --name two
wait $P1
check "stop --all answered: $(cat "$T/stop3.json" "$T/stop3.err")" \
	[ "$(json "$T/stop3.json" 'sorted(j["stopped"])')" = "['one', 'x']" ]
check "two still runs" [ "$(runs)" = 1 ]
check "stop two" "$VRCTL" stop two

say "c lost in its start_part and unreachable at the rollback: coord.json keeps c"
mode b "ok 0"
mode c "drop 1"
: >"$FAKEPEER_DIR/b.log"
: >"$FAKEPEER_DIR/c.log"
start_x s10
rc=$?
tail -n 1 "$T/s10.err"
check "start failed" [ $rc != 0 ]
check "b told stop" [ "$(field b stop 4)" = x ]
check "coord.json kept, naming c only" \
	[ "$(json "$T/state/x/coord.json" 'j["peers"]' 2>&1)" = "['c']" ]
start_x s11
rc=$?
tail -n 1 "$T/s11.err"
check "a new start of x is refused busy, naming c" \
	sh -c "[ $rc != 0 ] && grep -q 'host c' '$T/s11.err' && [ -z \"\$(awk '\$3 == \"start_part\"' '$FAKEPEER_DIR/b.log' | sed -n 2p)\" ]"
for _ in $(seq 100); do
	grep -q "x: host c keeps its part of a start that never finished" "$T/vrouterd.log" && break
	sleep 0.1
done
check "c asked again at that start (lost again)" \
	grep -q "x: host c keeps its part of a start that never finished" "$T/vrouterd.log"
check "coord.json still names c" \
	[ "$(json "$T/state/x/coord.json" 'j["peers"]' 2>&1)" = "['c']" ]
mode c "ok 0"
"$VRCTL" cleanup --dry-run >"$T/cl0.out" 2>&1
cat "$T/cl0.out"
check "cleanup --dry-run names x's part on c, still to be told stop" \
	grep -q "would ask c to stop its part of x" "$T/cl0.out"
check "and tells nothing" [ -e "$T/state/x/coord.json" ]
"$VRCTL" cleanup >"$T/cl1.out" 2>&1
cat "$T/cl1.out"
check "cleanup asks c again" grep -q "asking c to stop its part of x" "$T/cl1.out"
for _ in $(seq 100); do
	[ -e "$T/state/x/coord.json" ] || break
	sleep 0.2
done
check "c is told stop" [ "$(field c stop 4)" = x ]
check "and coord.json goes" [ ! -e "$T/state/x/coord.json" ]
if start_x s12; then ok "start x again"; else bad "start: $(cat "$T/s12.err")"; fi
check "stop x" "$VRCTL" stop x

ip link del th-tu0
finish 0
