#!/bin/bash
# A topology across two hosts (issue 15; tests/integration/twohost.sh):
# a PVR with two VRs, vr0 on A and vr1 on B ("host": "b" in the file),
# the ports and the splitter on A, started by A's vrouterd (the
# coordinator), which asks B's for its part (start_part over SSH).  leg1
# and egress span both hosts, each a unicast VXLAN (planned VNI and MTU,
# remote = the other host's tunnel address) in its bridge.  32 UDP flows
# from the source namespace on A all reach the sink on A, each VR
# carrying a share (vr1's through both VXLANs); status on A lists vr0 on
# a and vr1 on b, B's lists vr1 on b; stop leaves nothing on either host.
# Then B's vrouterd killed while it deploys its part: start fails naming
# b, nothing is left on A; B, its vrouterd restarted, keeps nothing once
# `vrctl cleanup` ran there (its part was never recorded).
#
#   test_multihost_topo.sh BUILD_DIR [vm|netns]
BUILD=$(realpath "$1")
BACKEND=${2:-vm}
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name "mht-$BACKEND" -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/twohost.sh"
twohost_test_init

NAME=xh
[ "$BACKEND" = vm ] && need_image

say "two hosts"
twohost_up || { bad "the two hosts did not come up"; end 1; }
ok "hosts A and B up"

# The far end runs `vrctl proxy`: this build's, by PATH, through a shim
# for ssh (the remote command is a shell line).
mkdir -p "$T/bin"
cat >"$T/bin/ssh-build" <<EOS
#!/bin/sh
dest=\$1
shift
exec ssh "\$dest" PATH=$BUILD/vrctl:/usr/sbin:/usr/bin:/sbin:/bin "\$@"
EOS
chmod 755 "$T/bin/ssh-build"

# conf H NAME OTHER OTHER_ADDR: H's configuration, the other host listed
conf() {
	cat >"$TH/$1/vrouterd.conf" <<EOC
{ "state_dir": "/var/lib/vrouterd", "image_dir": "$IMAGE",
  "host_name": "$2", "tunnel_address": "$(th_addr "$1")",
  "ssh_command": ["$T/bin/ssh-build"], "peer_timeout": 30,
  "hosts": [{"name": "$3", "ssh": "root@$4",
             "libvirt_uri": "qemu+ssh://root@$4/system",
             "tunnel_address": "$4",
             "socket": "$TH/$([ "$3" = a ] && echo A || echo B)/vrouterd.sock"}] }
EOC
}
# reload H: SIGHUP, and wait for the log to say so
reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")
	twohost_exec "$1" sh -c 'kill -HUP "$(cat /run/vrouterd/vrouterd.pid)"'
	for _ in $(seq 50); do
		[ "$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
conf A a b "$TH_ADDR_B"
conf B b a "$TH_ADDR_A"
check "A reloads its configuration" reload A
check "B reloads its configuration" reload B
twohost_vrctl A --json hosts >"$T/hosts.json" 2>&1
check "A reaches B's vrouterd" \
	[ "$(json "$T/hosts.json" "[h['reachable'] for h in j['hosts'] if h['name'] == 'b'][0]")" = True ]

# pvr --vrs 2 written out, vr1 on host b
cat >"$T/xh.json" <<'EOF'
{"format": 1, "name": "xhpvr", "description": "pvr, vr1 on host b",
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
  {"name": "vr0", "role": "router", "interfaces": [
     {"network": "leg0", "address": "198.19.1.2/24"},
     {"network": "egress", "address": "198.18.2.11/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"},
              {"dst": "198.18.1.0/24", "via": "198.19.1.1"}]},
  {"name": "vr1", "role": "router", "host": "b", "interfaces": [
     {"network": "leg1", "address": "198.19.2.2/24"},
     {"network": "egress", "address": "198.18.2.12/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"},
              {"dst": "198.18.1.0/24", "via": "198.19.2.1"}]}]}
EOF
chmod 644 "$T/xh.json"

# left H: what of topology NAME is on host H (links, namespaces, domains)
left() {
	twohost_exec "$1" sh -c "
		ip -o link show | awk -F': ' '{print \$2}' | sed 's/@.*//' | grep '^vr-$NAME-'
		ip netns list | grep '^vr-$NAME-'
		virsh -c qemu:///system list --all --name 2>/dev/null | grep '^vrouterd-$NAME-'
		true"
}
nothing_on() { # nothing_on H
	local l
	l=$(left "$1")
	[ -z "$l" ] || { echo "left on $1: $l"; return 1; }
}

# restart_b [VAR=VALUE]: B's vrouterd again, with that in its environment
restart_b() {
	twohost_exec B sh -c '[ -s /run/vrouterd/vrouterd.pid ] || exit 0
		p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p 2>/dev/null
		for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
	cp "$TH/B/vrouterd.conf" "$T/confB"
	if [ -n "${1:-}" ]; then
		(export "$1"; th_vrouterd B) || return 1
	else
		th_vrouterd B || return 1
	fi
	cp "$T/confB" "$TH/B/vrouterd.conf"
	reload B
}
# runs H: how many topologies H's vrouterd runs
runs() {
	twohost_vrctl "$1" --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))'
}

say "start across hosts (backend $BACKEND)"
if twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	tail -n 30 "$TH/A/vrouterd.log" "$TH/B/vrouterd.log"
	end 1
fi
check "running" [ "$(json "$T/start.json" 'j["state"]')" = running ]
check "A holds vr0 (host a)" \
	[ "$(json "$T/start.json" '[(n["name"], n["host"]) for n in j["nodes"]]')" = "[('vr0', 'a')]" ]
check "and knows vr1 is on b" \
	[ "$(json "$T/start.json" '[(n["name"], n["host"]) for n in j["remote_nodes"]]')" = "[('vr1', 'b')]" ]
twohost_vrctl A --json status >"$T/statusA.json"
check "A's status has vr1's state from B: running" \
	[ "$(json "$T/statusA.json" '[(n["name"], n["host"], n["state"], n["reachable"]) for t in j["topologies"] for n in t["remote_nodes"]]')" = "[('vr1', 'b', 'running', True)]" ]
twohost_vrctl A status >"$T/statusA.txt"
check "vrctl status (text) on A: vr1 on host b, running" \
	grep -q "^  node vr1 on host b: running" "$T/statusA.txt"
twohost_vrctl B --json status >"$T/statusB.json"
check "B runs vr1 (host b)" \
	[ "$(json "$T/statusB.json" '[(n["name"], n["host"]) for t in j["topologies"] for n in t["nodes"]]')" = "[('vr1', 'b')]" ]
vx() { # vx H: "VXLAN VNI MTU REMOTE" of each of the topology's VXLANs on H
	twohost_exec "$1" ip -d -o link show type vxlan |
		sed -n "s/^[0-9]*: \(vr-$NAME-x[^:@]*\).* mtu \([0-9]*\) .*vxlan id \([0-9]*\) .*/\1 \3 \2/p" | sort
}
vx A >"$T/vxA"
vx B >"$T/vxB"
cat "$T/vxA" "$T/vxB"
check "A has two VXLANs (leg1, egress), MTU 1450" \
	[ "$(awk '$3 == 1450' "$T/vxA" | wc -l)" = 2 ]
check "B has the same two, same VNIs" \
	[ "$(cut -d' ' -f2 "$T/vxA")" = "$(cut -d' ' -f2 "$T/vxB")" ]
remotes() { # remotes H: the flood entries' destinations of H's VXLANs
	twohost_exec "$1" bridge fdb show | grep "dev vr-$NAME-x" |
		sed -n 's/^00:00:00:00:00:00 .* dst \([^ ]*\) .*/\1/p' | sort -u
}
check "A's VXLANs send to B's tunnel address" [ "$(remotes A)" = "$TH_ADDR_B" ]
check "B's VXLANs send to A's" [ "$(remotes B)" = "$TH_ADDR_A" ]
check "no leg0 bridge on B (A's only)" \
	sh -c "! nsenter -t $(th_init B) -n ip link show dev vr-$NAME-n0 >/dev/null 2>&1"

say "32 UDP flows through both VRs"
statuses() { # statuses SUFFIX
	twohost_vrctl A --json status >"$T/A$1.json"
	twohost_vrctl B --json status >"$T/B$1.json"
}
statuses 0
twohost_exec A env T="$T" bash -c ". '$SRC/tests/integration/flows.sh'; flows $NAME 32 20 200" >"$T/perflow.txt"
statuses 1
cat "$T/perflow.txt"
n=$(wc -l <"$T/perflow.txt")
total=$(awk '{s += $2} END {print s + 0}' "$T/perflow.txt")
check "32 flows reached the sink (got $n)" [ "$n" = 32 ]
check "every datagram arrived: $total of 640" [ "$total" = 640 ]
pkts() { # pkts FILE NODE: frames to the node's eth0
	json "$1" "[i['tx_packets'] + i['rx_packets'] for t in j['topologies'] for n in t['nodes'] if n['name'] == '$2' for i in n['interfaces'] if i['guest_if'] == 'eth0'][0]"
}
d0=$(($(pkts "$T/A1.json" vr0) - $(pkts "$T/A0.json" vr0)))
d1=$(($(pkts "$T/B1.json" vr1) - $(pkts "$T/B0.json" vr1)))
echo "shares: vr0 (A) $d0, vr1 (B) $d1 frames"
check "vr0 on A carried a share ($d0)" [ "$d0" -ge 20 ]
check "vr1 on B carried a share ($d1)" [ "$d1" -ge 20 ]

say "bench across hosts (both ports on A: one clock for latency)"
# ndr NAME H OUT: a short NDR search against NAME on host H; its pps
ndr() {
	twohost_vrctl "$2" --json bench "$1" --ndr --duration 2 --trial-duration 1 \
		--flows 32 --out "$T/$3" >"$T/$3.json" 2>"$T/$3.err" &&
		json "$T/$3.json" 'j["ndr_pps"]'
}
NDR_X=$(ndr "$NAME" A bench-x)
check "bench on A answers across hosts: NDR $NDR_X pps" [ -n "$NDR_X" ]
twohost_vrctl B bench "$NAME" --ndr --duration 2 >"$T/benchB.txt" 2>&1
cat "$T/benchB.txt"
check "bench on B (no port there) is refused, saying why" \
	grep -q "port in is on another host: vrgen sends and receives on one host" "$T/benchB.txt"

say "MTU planned, not discovered by loss"
mtus() { # mtus H BRIDGE: the MTUs of BRIDGE's members on H
	twohost_exec "$1" ip -o link show master "$2" |
		sed -n 's/.* mtu \([0-9]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
for h in A B; do
	check "every member of egress on $h at 1450: $(mtus $h vr-$NAME-bo)" \
		[ "$(mtus $h vr-$NAME-bo)" = "1450 " ]
	check "every member of leg1 on $h at 1450: $(mtus $h vr-$NAME-n1)" \
		[ "$(mtus $h vr-$NAME-n1)" = "1450 " ]
done
check "leg0 (on A only) keeps 1500" [ "$(mtus A vr-$NAME-n0)" = "1500 " ]
if [ "$BACKEND" = vm ]; then
	check "vr1's guest is told its MTU (domain XML)" \
		sh -c "nsenter -t $(th_init B) -p -m -n -u virsh -c qemu:///system dumpxml vrouterd-$NAME-vr1 | grep -c \"<mtu size='1450'/>\" | grep -qx 2"
else
	check "vr1's own end of egress at 1450" \
		twohost_exec B sh -c "ip netns exec vr-$NAME-vr1 ip link show eth1 | grep -q 'mtu 1450 '"
fi
# 1450-byte datagrams, DF: across leg1 (source -> vr1) and egress (sink -> vr1)
check "1450 bytes with DF from the source reach vr1 across leg1" \
	twohost_exec A ip netns exec "vr-$NAME-in" ping -M do -s 1422 -c 2 -W 5 198.19.2.2
check "1450 bytes with DF from the sink reach vr1 across egress" \
	twohost_exec A ip netns exec "vr-$NAME-out" ping -M do -s 1422 -c 2 -W 5 198.18.2.12
twohost_exec A ip netns exec "vr-$NAME-out" ping -M do -s 1472 -c 1 -W 3 198.18.2.12 >"$T/big.txt" 2>&1
cat "$T/big.txt"
check "1500 bytes with DF are refused where they are sent (mtu 1450), not lost" \
	grep -Eq 'mtu ?= ?1450|Frag needed and DF set \(mtu = 1450\)' "$T/big.txt"

say "A's vrouterd restarted: it adopts its part, still knows B's"
restart_a() {
	twohost_exec A sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
		for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
	cp "$TH/A/vrouterd.conf" "$T/confA"
	th_vrouterd A || return 1
	cp "$T/confA" "$TH/A/vrouterd.conf"
	reload A
}
check "A's vrouterd restarted" restart_a
twohost_vrctl A --json status >"$T/statusA2.json"
check "A adopted vr0 (host a), knows vr1 on b" \
	[ "$(json "$T/statusA2.json" '[[(n["name"], n["host"]) for n in t["nodes"]] + [(n["name"], n["host"]) for n in t["remote_nodes"]] for t in j["topologies"]]')" = "[[('vr0', 'a'), ('vr1', 'b')]]" ]
check "B still runs vr1" [ "$(json "$(twohost_vrctl B --json status >"$T/sB2.json"; echo "$T/sB2.json")" '[n["name"] for t in j["topologies"] for n in t["nodes"]]')" = "['vr1']" ]
check "the VXLANs are still there" [ "$(vx A | wc -l)$(vx B | wc -l)" = 22 ]
# restart_b, in two halves: status on A while B's vrouterd is down
twohost_exec B sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
twohost_vrctl A --json status >"$T/statusA3.json"
check "status on A answers with B's vrouterd down" [ -s "$T/statusA3.json" ]
check "vr1 shown unreachable, the error naming host b" \
	[ "$(json "$T/statusA3.json" '[(n["name"], n["state"], n["reachable"], n["error"].startswith("host b")) for t in j["topologies"] for n in t["remote_nodes"]]')" = "[('vr1', 'unknown', False, True)]" ]
check "B's vrouterd restarted" restart_b
check "B adopted vr1 (host b)" \
	[ "$(json "$(twohost_vrctl B --json status >"$T/sB3.json"; echo "$T/sB3.json")" '[(n["name"], n["host"]) for t in j["topologies"] for n in t["nodes"]]')" = "[('vr1', 'b')]" ]

if [ "$BACKEND" = vm ]; then
	say "live migration of the nodes across hosts"
	dom_on() { # dom_on H NODE: NODE's domain runs on H
		twohost_exec "$1" virsh -c qemu:///system domstate "vrouterd-$NAME-$2" 2>/dev/null | grep -qx running
	}
	all_flows() { # all_flows TAG: 32 flows, every datagram arrives
		twohost_exec A env T="$T" bash -c ". '$SRC/tests/integration/flows.sh'; flows $NAME 32 20 200" >"$T/perflow-$1.txt"
		[ "$(wc -l <"$T/perflow-$1.txt")" = 32 ] &&
			[ "$(awk '{s += $2} END {print s + 0}' "$T/perflow-$1.txt")" = 640 ]
	}
	links() { # links H: the topology's links on H, one a line, sorted
		twohost_exec "$1" sh -c "ip -o link show | awk -F': ' '{print \$2}' | sed 's/@.*//' | grep '^vr-$NAME-' | sort"
	}
	taps() { # taps H NODE: NODE's taps as H's status names them
		twohost_vrctl "$1" --json status | python3 -c "import json,sys
for t in json.load(sys.stdin)['topologies']:
    for n in t['nodes']:
        if n['name'] == '$2':
            print('\n'.join(sorted(i['name'] for i in n['interfaces'])))"
	}
	where() { # where H: "NODE HOST [HOME]" of every node H's status lists
		twohost_vrctl "$1" --json status | python3 -c "import json,sys
for t in json.load(sys.stdin)['topologies']:
    for n in t['nodes'] + t.get('remote_nodes', []):
        print(n['name'], n['host'], n.get('home', ''), n.get('state', '')) " | sort | xargs
	}
	same() { # same FILE H: H's links are FILE's
		links "$2" | diff -u "$1" - >&2
	}
	links A >"$T/linksA0"
	links B >"$T/linksB0"
	vx A >"$T/vxA0"
	vx B >"$T/vxB0"
	taps A vr0 >"$T/taps0"
	taps B vr1 >"$T/taps1"
	check "vr0's taps named ($(xargs <"$T/taps0")), vr1's ($(xargs <"$T/taps1"))" \
		[ "$(wc -l <"$T/taps0")$(wc -l <"$T/taps1")" = 22 ]

	# a failure: one of vr0's tap names taken on B, its wiring there fails
	t0=$(head -n 1 "$T/taps0")
	check "$t0 taken on B" twohost_exec B ip link add "$t0" type bridge
	if twohost_vrctl A migrate "$NAME" vr0 --to b >"$T/mig-fail.out" 2>&1; then
		bad "vr0 migrated to B with $t0 taken there"
	else
		check "refused: $(head -c 300 "$T/mig-fail.out")" grep -q "wiring there" "$T/mig-fail.out"
	fi
	twohost_exec B ip link del "$t0"
	check "vr0 still runs on A, not on B" eval "dom_on A vr0 && ! dom_on B vr0"
	check "A's links as before the failed migration" same "$T/linksA0" A
	check "B's links as before the failed migration" same "$T/linksB0" B
	check "status: vr0 on a, vr1 on b: $(where A)" \
		[ "$(where A)" = "vr0 a running vr1 b running" ]
	check "32 flows, every datagram, after the failed migration" all_flows f

	# vr0, a node of A's part, to B and back
	if twohost_vrctl A --json migrate "$NAME" vr0 --to b >"$T/mig1.json" 2>"$T/mig1.err"; then
		ok "vr0 migrated A -> B: $(json "$T/mig1.json" '"%s ms; libvirt: total %s ms, downtime %s ms" % (j["wall_ms"], j.get("total_ms"), j.get("downtime_ms"))')"
	else
		bad "vr0 A -> B: $(cat "$T/mig1.err")"
		twohost_logs
	fi
	check "vr0's domain runs on B, not on A" eval "dom_on B vr0 && ! dom_on A vr0"
	check "A's status: vr0 on b: $(where A)" [ "$(where A)" = "vr0 b running vr1 b running" ]
	check "32 flows, every datagram, vr0 on B" all_flows 1
	vx A >"$T/vxA1"
	vx B >"$T/vxB1"
	cat "$T/vxA1" "$T/vxB1"
	check "A has a VXLAN for leg0 now (three, MTU 1450)" \
		[ "$(awk '$3 == 1450' "$T/vxA1" | wc -l)" = 3 ]
	check "B has the same three, same VNIs" \
		[ "$(cut -d' ' -f1,2 "$T/vxA1")" = "$(cut -d' ' -f1,2 "$T/vxB1")" ]
	check "A's VXLANs send to B, B's to A" \
		[ "$(remotes A) $(remotes B)" = "$TH_ADDR_B $TH_ADDR_A" ]
	check "vr0's taps on B, in leg0's bridge there" \
		eval "twohost_exec B ip -o link show master vr-$NAME-n0 | grep -q ' $t0[:@]'"
	check "vr0's taps gone from A" eval "! links A | grep -qxFf '$T/taps0'"
	if twohost_vrctl A migrate "$NAME" vr0 --to a >"$T/mig2.out" 2>&1; then
		ok "vr0 migrated B -> A: $(cat "$T/mig2.out")"
	else
		bad "vr0 B -> A: $(cat "$T/mig2.out")"
	fi
	check "vr0's domain runs on A again, not on B" eval "dom_on A vr0 && ! dom_on B vr0"
	check "A's links as before" same "$T/linksA0" A
	check "B's links as before (leg0's bridge and VXLAN gone)" same "$T/linksB0" B
	check "the VXLANs as before" eval "[ \"\$(vx A)\" = \"\$(cat $T/vxA0)\" ] && [ \"\$(vx B)\" = \"\$(cat $T/vxB0)\" ]"
	check "32 flows, every datagram, vr0 home" all_flows 2

	# vr1, a node of B's part: asked on A, B's vrouterd migrates it
	if twohost_vrctl A --json migrate "$NAME" vr1 --to a >"$T/mig3.json" 2>"$T/mig3.err"; then
		ok "vr1 migrated B -> A (asked on A): $(json "$T/mig3.json" '"%s ms; libvirt: total %s ms, downtime %s ms" % (j["wall_ms"], j.get("total_ms"), j.get("downtime_ms"))')"
	else
		bad "vr1 B -> A: $(cat "$T/mig3.err")"
		twohost_logs
	fi
	check "vr1's domain runs on A, not on B" eval "dom_on A vr1 && ! dom_on B vr1"
	check "A's status: vr1 on a, its home b: $(where A)" \
		[ "$(where A)" = "vr0 a running vr1 a b running" ]
	check "B's status: vr1 on a (vr0 a remote node): $(where B)" [ "$(where B)" = "vr0 a vr1 a running" ]
	check "vr1's taps on A, in the bridges there" \
		eval "[ \"\$(twohost_exec A ip -o link show master vr-$NAME-n1 | grep -cFf '$T/taps1')\" = 1 ] &&
			[ \"\$(twohost_exec A ip -o link show master vr-$NAME-bo | grep -cFf '$T/taps1')\" = 1 ]"
	check "vr1's taps gone from B" eval "! links B | grep -qxFf '$T/taps1'"
	check "32 flows, every datagram, vr1 on A" all_flows 3
	if twohost_vrctl A migrate "$NAME" vr1 --to b >"$T/mig4.out" 2>&1; then
		ok "vr1 migrated A -> B: $(cat "$T/mig4.out")"
	else
		bad "vr1 A -> B: $(cat "$T/mig4.out")"
	fi
	check "vr1's domain runs on B again, not on A" eval "dom_on B vr1 && ! dom_on A vr1"
	check "A's links as before" same "$T/linksA0" A
	check "B's links as before" same "$T/linksB0" B
	check "B's status: vr1 on b: $(where B)" [ "$(where B)" = "vr0 a vr1 b running" ]
	check "32 flows, every datagram, vr1 home" all_flows 4
	# and away again: stop must find it on A
	check "vr1 migrated B -> A again" twohost_vrctl A migrate "$NAME" vr1 --to a
fi

say "stop everywhere"
if twohost_vrctl A stop --all >"$T/stopall.out" 2>&1; then
	check "stop --all refused while $NAME has a part on b" false
else
	check "stop --all refused, naming $NAME and host b" \
		grep -q "stop --all: $NAME has parts on other hosts (b)" "$T/stopall.out"
fi
check "B still runs its part after the refused stop --all" \
	[ "$(twohost_vrctl B --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))')" = 1 ]
check "stop on A" twohost_vrctl A stop "$NAME"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
check "B runs nothing" [ "$(twohost_vrctl B --json status | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["topologies"]))')" = 0 ]

say "B's part fails (VROUTERD_FAULT=vxlan there): every host rolls back"
check "B's vrouterd restarted with the fault" restart_b VROUTERD_FAULT=vxlan
twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start1.json" 2>"$T/start1.err"
rc=$?
tail -n 1 "$T/start1.err"
check "start failed" [ $rc != 0 ]
check "the error names host b and the cause" \
	grep -q "host b: its part failed: .*fault injected after this step" "$T/start1.err"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
check "neither host runs it" [ "$(runs A)$(runs B)" = 00 ]

say "B's vrouterd killed while it deploys its part"
check "B's vrouterd restarted to stall after its VXLANs" restart_b VROUTERD_STALL=vxlan
twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start2.json" 2>"$T/start2.err" &
job=$!
th_until 60 grep -q "stalling after vxlan" "$TH/B/vrouterd.log"
twohost_exec B sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
wait $job
rc=$?
tail -n 1 "$T/start2.err"
check "start failed" [ $rc != 0 ]
check "the error names host b" grep -q "^vrctl: start $NAME failed: host b" "$T/start2.err"
check "nothing left on A" nothing_on A
check "A runs nothing" [ "$(runs A)" = 0 ]
echo "on B after the kill:"; left B
check "B's vrouterd back" restart_b
twohost_vrctl B cleanup >"$T/cleanup.txt" 2>&1
cat "$T/cleanup.txt"
check "nothing left on B once its vrouterd is back and cleaned up" nothing_on B

say "the same topology on one host, for comparison"
sed 's/"host": "b", //' "$T/xh.json" >"$T/one.json"
chmod 644 "$T/one.json"
if twohost_vrctl A start -f "$T/one.json" --name "$NAME" --backend "$BACKEND" \
	--timeout 600 >/dev/null 2>"$T/one.err"; then
	NDR_1=$(ndr "$NAME" A bench-1)
	echo "NDR ($BACKEND, 64 B, 32 flows): across hosts $NDR_X pps, one host $NDR_1 pps"
	check "stop (one host)" twohost_vrctl A stop "$NAME"
else
	bad "start on one host failed: $(cat "$T/one.err")"
fi
check "nothing left on A" nothing_on A

end 0
