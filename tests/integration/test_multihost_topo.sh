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
# The wire's MTU is 1400 and both configurations say so (tunnel_mtu):
# every member of a network across hosts is at 1350, and a configuration
# claiming 9000 for b is refused by b.  stop --all on A with B's vrouterd
# down stops A's part and names b and the node left there.
#
# --pin: each host pins its share on its own CPUs (A 2, B 1 CPU), status on
# A shows vr1's threads as B reports them; more vCPUs than B has CPUs is
# refused naming b.  Autostart on A starts both hosts' parts, retrying
# while B's vrouterd is down.
# Then B's vrouterd killed while it deploys its part: start fails naming
# b and saying what happens now, nothing is left on A; B, its vrouterd
# restarted, removes its part by itself (its part.json), no `vrctl
# cleanup`.  And A's vrouterd killed while it deploys its own part, after
# B's is ready: A, restarted, removes its part and has B stop its
# (coord.json); nothing is left on either host, records included.  The
# same when A's is killed while B deploys: A asks until B can stop it.
# Benchmarks across hosts: the sink on B (the out port there), and the
# sender on B (the in port there, the out port on A): A passes the bench
# on to B's vrouterd, which sends and asks A for the sink; the record says
# sender b, sink a, latency not measured; one bench at a time on both; the
# caller killed, B's vrouterd killed or down, B's configuration without
# host a: each a clear error, no vrgen left on either host.  Both ports on
# B: the whole bench runs there, latency measured on B's clock.
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
# an underlay of 1400 bytes: the VXLANs carry 1350 (1400 - 50, IPv4)
WIRE_MTU=1400
VX_MTU=1350
twohost_exec A ip link set th-wire-a mtu $WIRE_MTU
twohost_exec B ip link set th-wire-b mtu $WIRE_MTU

# The far end runs `vrctl proxy`: this build's, by PATH, through a shim
# for ssh (the remote command is a shell line).  It is named ssh, so
# vrouterd gives it ssh's options for its master (ControlPath...), which
# it passes on; PATH goes in front of the remote command.
mkdir -p "$T/bin"
cat >"$T/bin/ssh" <<EOS
#!/bin/bash
a=("\$@")
for ((i = 0; i < \${#a[@]}; i++)); do [ "\${a[i]}" = vrctl ] && break; done
exec $(PATH=/usr/bin:/bin command -v ssh) "\${a[@]:0:i}" \${a[i]:+PATH=$BUILD/vrctl:/usr/sbin:/usr/bin:/sbin:/bin} "\${a[@]:i}"
EOS
chmod 755 "$T/bin/ssh"

# conf H NAME OTHER OTHER_ADDR [OTHER_MTU]: H's configuration, the other
# host listed; both underlay MTUs the wire's unless OTHER_MTU
conf() {
	cat >"$TH/$1/vrouterd.conf" <<EOC
{ "state_dir": "/var/lib/vrouterd", "image_dir": "$IMAGE",
  "host_name": "$2", "tunnel_address": "$(th_addr "$1")",
  "tunnel_mtu": $WIRE_MTU,
  "autostart": "/var/lib/vrouterd/autostart.json",
  "ssh_command": ["$T/bin/ssh"], "peer_timeout": 30,
  "hosts": [{"name": "$3", "ssh": "root@$4",
             "libvirt_uri": "qemu+ssh://root@$4/system",
             "tunnel_address": "$4", "tunnel_mtu": ${5:-$WIRE_MTU},
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

# pvr --vrs 2 written out, vr1 on host b: the example of docs/multihost.md
cp "$SRC/docs/examples/pvr-2hosts.json" "$T/xh.json"
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
# no_records H: no state record of NAME on H (an unfinished start's
# part.json or coord.json, a run's state.json or plan.json)
no_records() {
	local l
	l=$(twohost_exec "$1" sh -c "ls /var/lib/vrouterd/$NAME 2>/dev/null" |
		grep -E '^(part|coord|state|plan)\.json$')
	[ -z "$l" ] || { echo "records on $1: $l"; return 1; }
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
check "A has two VXLANs (leg1, egress), MTU $VX_MTU" \
	[ "$(awk -v m=$VX_MTU '$3 == m' "$T/vxA" | wc -l)" = 2 ]
check "A's status counts them: $(cut -d' ' -f1 "$T/vxA" | tr '\n' ' ')" \
	[ "$(json "$T/statusA.json" '" ".join(sorted(i["name"] for t in j["topologies"] for i in t["host_interfaces"] if i.get("kind") == "vxlan" and "rx_packets" in i))')" = "$(cut -d' ' -f1 "$T/vxA" | tr '\n' ' ' | sed 's/ $//')" ]
check "B's status: both test ports on the coordinator's host" \
	[ "$(json "$T/statusB.json" '[t["ports"][p].get("host") for t in j["topologies"] for p in ("in", "out")]')" = "['', '']" ]
twohost_vrctl B status >"$T/statusB.txt"
check "and says so in text" \
	[ "$(grep -c "^    \(in\|out\) *on the coordinator's host$" "$T/statusB.txt")" = 2 ]
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
check "bench on B (both ports on A) is refused: run it on host a" \
	grep -q "both test ports are on the coordinator: run .vrctl bench. there" "$T/benchB.txt"

say "MTU planned, not discovered by loss"
mtus() { # mtus H BRIDGE: the MTUs of BRIDGE's members on H
	twohost_exec "$1" ip -o link show master "$2" |
		sed -n 's/.* mtu \([0-9]*\) .*/\1/p' | sort -u | tr '\n' ' '
}
for h in A B; do
	check "every member of egress on $h at $VX_MTU: $(mtus $h vr-$NAME-bo)" \
		[ "$(mtus $h vr-$NAME-bo)" = "$VX_MTU " ]
	check "every member of leg1 on $h at $VX_MTU: $(mtus $h vr-$NAME-n1)" \
		[ "$(mtus $h vr-$NAME-n1)" = "$VX_MTU " ]
done
check "leg0 (on A only) keeps 1500" [ "$(mtus A vr-$NAME-n0)" = "1500 " ]
if [ "$BACKEND" = vm ]; then
	check "vr1's guest is told its MTU (domain XML)" \
		sh -c "nsenter -t $(th_init B) -p -m -n -u virsh -c qemu:///system dumpxml vrouterd-$NAME-vr1 | grep -c \"<mtu size='$VX_MTU'/>\" | grep -qx 2"
else
	check "vr1's own end of egress at $VX_MTU" \
		twohost_exec B sh -c "ip netns exec vr-$NAME-vr1 ip link show eth1 | grep -q 'mtu $VX_MTU '"
fi
# VX_MTU-byte datagrams, DF: across leg1 (source -> vr1) and egress (sink -> vr1)
check "$VX_MTU bytes with DF from the source reach vr1 across leg1" \
	twohost_exec A ip netns exec "vr-$NAME-in" ping -M do -s $((VX_MTU - 28)) -c 2 -W 5 198.19.2.2
check "$VX_MTU bytes with DF from the sink reach vr1 across egress" \
	twohost_exec A ip netns exec "vr-$NAME-out" ping -M do -s $((VX_MTU - 28)) -c 2 -W 5 198.18.2.12
twohost_exec A ip netns exec "vr-$NAME-out" ping -M do -s $((WIRE_MTU - 28)) -c 1 -W 3 198.18.2.12 >"$T/big.txt" 2>&1
cat "$T/big.txt"
check "$WIRE_MTU bytes with DF are refused where they are sent (mtu $VX_MTU), not lost" \
	grep -Eq "mtu ?= ?$VX_MTU|Frag needed and DF set \(mtu = $VX_MTU\)" "$T/big.txt"

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

	# vr0, a node of A's part, to B and back; a stop while it migrates
	# is refused before B is told (it was half stopped: B's part gone)
	twohost_vrctl A --json migrate "$NAME" vr0 --to b >"$T/mig1.json" 2>"$T/mig1.err" &
	MIGPID=$!
	seen=
	for _ in $(seq 200); do
		where A | grep -q "vr0 a migrating" && { seen=1; break; }
		kill -0 $MIGPID 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$seen" ]; then
		echo "vr0 never seen migrating: the stop during a migration not checked"
	elif twohost_vrctl A stop "$NAME" >"$T/stopmig.out" 2>&1; then
		bad "stop while vr0 migrates succeeded"
	else
		check "stop while vr0 migrates refused: $(cat "$T/stopmig.out")" \
			grep -q "vr0 is migrating" "$T/stopmig.out"
		check "B's part not told stop: vr1 still runs there" \
			[ "$(json "$(twohost_vrctl B --json status >"$T/sBm.json"; echo "$T/sBm.json")" '[n["name"] for t in j["topologies"] for n in t["nodes"]]')" = "['vr1']" ]
	fi
	if wait $MIGPID; then
		ok "vr0 migrated A -> B: $(json "$T/mig1.json" '"%s ms; libvirt: total %s ms, downtime %s ms" % (j["wall_ms"], j.get("total_ms"), j.get("downtime_ms"))')"
	else
		bad "vr0 A -> B: $(cat "$T/mig1.err")"
		twohost_logs
	fi
	check "vr0's domain runs on B, not on A" eval "dom_on B vr0 && ! dom_on A vr0"
	check "A's status: vr0 on b: $(where A)" [ "$(where A)" = "vr0 b running vr1 b running" ]
	check "B's status: vr0 hosted there, its home a: $(where B)" \
		[ "$(where B)" = "vr0 b a running vr1 b running" ]
	twohost_vrctl B status "$NAME" >"$T/sBh.txt"
	check "B's text: vr0 on host b, its home a" \
		grep -q "^  node vr0 on host b (its home: host a): running" "$T/sBh.txt"
	check "32 flows, every datagram, vr0 on B" all_flows 1
	vx A >"$T/vxA1"
	vx B >"$T/vxB1"
	cat "$T/vxA1" "$T/vxB1"
	check "A has a VXLAN for leg0 now (three, MTU $VX_MTU)" \
		[ "$(awk -v m=$VX_MTU '$3 == m' "$T/vxA1" | wc -l)" = 3 ]
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
	# back by bench --migrate on A: the stream from A's in port, the
	# migration passed on to vr1's home, B, which moves it
	if twohost_vrctl A bench "$NAME" --migrate vr1 --to b --rate 500 \
		--duration 12 --flows 16 --out "$T/blk4" >"$T/mig4.out" 2>&1; then
		ok "vr1 migrated A -> B by bench --migrate on A: $(grep '^migration' "$T/mig4.out")"
	else
		bad "vr1 A -> B (bench --migrate): $(tail -5 "$T/mig4.out")"
	fi
	check "the record's blackout: vr1 moved, libvirt's figures from B" \
		[ "$(json "$T/blk4/experiment.json" 'j["blackout"]["ok"] and j["blackout"]["total_ms"] > 0 and j["blackout"]["gap_ms"] > 0')" = True ]
	check "vr1's domain runs on B again, not on A" eval "dom_on B vr1 && ! dom_on A vr1"
	check "A's links as before" same "$T/linksA0" A
	check "B's links as before" same "$T/linksB0" B
	check "B's status: vr1 on b: $(where B)" [ "$(where B)" = "vr0 a vr1 b running" ]
	check "32 flows, every datagram, vr1 home" all_flows 4
	# and away again: stop must find it on A
	check "vr1 migrated B -> A again" twohost_vrctl A migrate "$NAME" vr1 --to a
	check "stop with vr1 away from its home" twohost_vrctl A stop "$NAME"
	check "nothing left on A" nothing_on A
	check "nothing left on B" nothing_on B
	check "started across hosts again" twohost_vrctl A start -f "$T/xh.json" \
		--name "$NAME" --backend "$BACKEND" --timeout 600
fi

say "B's part takes in nodes only from a host of the topology, one home at a time"
# peer_rpc H METHOD PARAMS: "CODE MESSAGE" of a raw request to H's vrouterd
# ("ok" for a result)
peer_rpc() {
	twohost_exec "$1" python3 -c '
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2],
    "params": json.loads(sys.argv[3])}) + "\n").encode())
r = json.loads(s.makefile().readline())
print("%s %s" % (r["error"]["code"], r["error"]["message"]) if "error" in r else "ok")' \
		"$TH/$1/vrouterd.sock" "$2" "$3"
}
prep() { # prep [HOME]: migrate_prepare of a node vr9 of $NAME on B
	peer_rpc B migrate_prepare "{\"name\":\"$NAME\",\"node\":\"vr9\",\"links\":[],\"vxlans\":[],\"remote\":\"$TH_ADDR_A\"${1:+,\"home\":\"$1\"}}"
}
b_hosted() {
	twohost_vrctl B --json status >"$T/bh.json" &&
		json "$T/bh.json" '[(h["node"], h["coordinator"], h["state"]) for h in j["hosted"]]'
}
prep c >"$T/prepc.out"
check "from host c, which holds no part of $NAME: refused ($(cat "$T/prepc.out"))" \
	grep -q "^-32005 .*c holds no part of it" "$T/prepc.out"
prep >"$T/prep0.out"
check "from a caller that does not say its home: refused" grep -q "^-32005 " "$T/prep0.out"
check "B hosts nothing" [ "$(b_hosted)" = "[]" ]
check "from a: prepared" [ "$(prep a)" = ok ]
check "B hosts vr9 for a, incoming (before any domain came)" \
	[ "$(b_hosted)" = "[('vr9', 'a', 'incoming')]" ]
twohost_vrctl B stop "$NAME" >"$T/stopb.out" 2>&1
rc=$?
check "stop of B's part refused while it hosts a's node: $(head -c 300 "$T/stopb.out")" \
	eval "[ $rc != 0 ] && grep -q 'runs 1 node of $NAME for host a .*stop $NAME on its coordinator' '$T/stopb.out'"
check "B's part still runs" [ "$(runs B)" = 1 ]
check "migrate_abort of vr9" [ "$(peer_rpc B migrate_abort "{\"name\":\"$NAME\",\"node\":\"vr9\",\"home\":\"a\"}")" = ok ]
check "B hosts nothing again" [ "$(b_hosted)" = "[]" ]
peer_rpc A migrate "{\"name\":\"$NAME\",\"node\":\"vr1\",\"to\":\"a\",\"forwarded\":true}" >"$T/fwd.out"
check "a migrate passed on already is not passed on again: $(cat "$T/fwd.out")" \
	grep -q "^-32006 .*not passed on again" "$T/fwd.out"

say "stop --all with B's vrouterd down: A's part stops, b is named"
twohost_exec B sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
twohost_vrctl A stop --all >"$T/stopall.out" 2>&1
rc=$?
tail -n 1 "$T/stopall.out"
check "stop --all fails" [ $rc != 0 ]
check "naming $NAME, host b and vr1 left there" \
	grep -q "stop --all: $NAME: host b: its part was not stopped (vr1 left there): host b (root@$TH_ADDR_B): " "$T/stopall.out"
check "A runs nothing" [ "$(runs A)" = 0 ]
check "nothing left on A" nothing_on A
check "B's vrouterd back" restart_b
check "B adopted vr1 again" [ "$(runs B)" = 1 ]
check "stop on B (its part)" twohost_vrctl B stop "$NAME"
check "nothing left on B" nothing_on B

if [ "$BACKEND" = netns ]; then
	# The kernel names NAPI threads by their ids in the initial PID
	# namespace; A's vrouterd has one of its own (the bed's), where those
	# ids are no thread, or another process: none is taken, and the
	# error says why (daemon/threads.c).
	say "--pin of a netns node, vrouterd in a PID namespace of its own"
	twohost_vrctl A start monolithic --backend netns --name pinns --pin >"$T/pinns.out" 2>&1
	rc=$?
	cat "$T/pinns.out"
	check "refused" [ $rc != 0 ]
	check "saying why: a PID namespace of its own" \
		grep -q "runs in a PID namespace of its own" "$T/pinns.out"
	check "nothing of it left on A" eval "! twohost_exec A sh -c 'ip -o link show; ip netns list' | grep -q vr-pinns-"
fi

if [ "$BACKEND" = netns ]; then
	say "stop --all across hosts, with a topology on A only"
	check "start across hosts (--restart on-failure)" twohost_vrctl A start \
		-f "$T/xh.json" --name "$NAME" --backend netns --timeout 600 \
		--restart on-failure
	check "and one on A only" twohost_vrctl A start monolithic --backend netns --name one
	# the restart policy makes vr1 anew on B: at its planned MTU again
	twohost_exec B ip netns del "vr-$NAME-vr1"
	vr1_back() {
		twohost_vrctl B --json status >"$T/rstB.json" &&
			[ "$(json "$T/rstB.json" '[n["restarts"] for t in j["topologies"] for n in t["nodes"] if n["name"] == "vr1"][0]')" -ge 1 ] &&
			[ "$(json "$T/rstB.json" '[t["state"] for t in j["topologies"]][0]')" = running ]
	}
	check "vr1 made anew on B" th_until 30 vr1_back
	check "vr1's ends on egress and leg1 at $VX_MTU again: $(mtus B vr-$NAME-bo)$(mtus B vr-$NAME-n1)" \
		[ "$(mtus B vr-$NAME-bo)$(mtus B vr-$NAME-n1)" = "$VX_MTU $VX_MTU " ]
	check "its own ends too" twohost_exec B sh -c \
		"ip netns exec vr-$NAME-vr1 ip -o link | grep -E ' eth[01]' | grep -c 'mtu $VX_MTU ' | grep -qx 2"
	check "$VX_MTU bytes with DF from the sink reach the new vr1 across egress" \
		twohost_exec A ip netns exec "vr-$NAME-out" ping -M do -s $((VX_MTU - 28)) -c 2 -W 5 198.18.2.12
	twohost_vrctl A --json stop --all >"$T/stopall.json" 2>"$T/stopall.err"
	check "stop --all answered: $(cat "$T/stopall.json")" \
		[ "$(json "$T/stopall.json" 'sorted(j["stopped"])')" = "['one', '$NAME']" ]
	check "A runs nothing" [ "$(runs A)" = 0 ]
	check "B runs nothing" [ "$(runs B)" = 0 ]
	check "nothing left on A" nothing_on A
	check "nothing left on B" nothing_on B
fi

say "a configuration claiming more than the wire carries: b refuses"
conf A a b "$TH_ADDR_B" 9000
check "A reloads its configuration (b: tunnel_mtu 9000)" reload A
twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start9k.json" 2>"$T/start9k.err"
rc=$?
tail -n 1 "$T/start9k.err"
check "start failed" [ $rc != 0 ]
check "b says its wire carries $WIRE_MTU" \
	grep -q "host b: its part failed: .*host b: its underlay MTU is configured as 9000 (tunnel_mtu), but th-wire-b, which holds its tunnel address $TH_ADDR_B, has MTU $WIRE_MTU" "$T/start9k.err"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
conf A a b "$TH_ADDR_B"
check "A reloads its configuration" reload A

say "--pin across hosts: each host pins its own share on its own CPUs"
# B's vrouterd sees one CPU (VR_TEST_HOST_CPUS=0), A the machine's two:
# each plans its share on its own, so vr0's vCPU goes to A's CPU 1 (CPU 0
# for housekeeping) and vr1's to B's only CPU, 0.  Both hosts are this
# machine's 2 CPUs: the check is the plan and the effective affinity,
# not exclusivity.
check "B's vrouterd restarted with one CPU" restart_b VR_TEST_HOST_CPUS=0
# vcpus H FILE NODE: "planned cpus" of NODE's vCPU (or NAPI) threads in
# H's status (FILE), from nodes (own) or remote_nodes (A's view of B's)
vcpus() {
	json "$2" "sorted(set((x['planned'], x['cpus']) for t in j['topologies'] for n in t['nodes'] + t.get('remote_nodes', []) if n['name'] == '$3' for x in n.get('threads', []) if x['kind'] in ('vcpu', 'napi')))"
}
if [ "$BACKEND" = vm ]; then
	if twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
		--backend "$BACKEND" --timeout 600 --pin >"$T/startp.json" 2>"$T/startp.err"; then
		ok "start --pin across hosts answered"
	else
		bad "start --pin failed: $(cat "$T/startp.err")"
	fi
	twohost_vrctl A --json status >"$T/pinA.json"
	twohost_vrctl B --json status >"$T/pinB.json"
	check "A: pinned, vr0's vCPU planned on A's CPU 1 and running there: $(vcpus A "$T/pinA.json" vr0)" \
		[ "$(vcpus A "$T/pinA.json" vr0)" = "[('1', '1')]" ]
	check "B: pinned, vr1's vCPU planned on B's CPU 0 and running there: $(vcpus B "$T/pinB.json" vr1)" \
		[ "$(vcpus B "$T/pinB.json" vr1)" = "[('0', '0')]" ]
	check "A's status shows vr1's pinning as B reports it" \
		[ "$(vcpus A "$T/pinA.json" vr1)" = "[('0', '0')]" ]
	check "A's status: vr1 pinned (B's word)" \
		[ "$(json "$T/pinA.json" '[n["pinned"] for t in j["topologies"] for n in t["remote_nodes"]]')" = "[True]" ]
	check "B's part carries its planner's warning (1 vCPU on its 1 CPU)" \
		grep -q "no CPU left for housekeeping" "$T/pinB.json"
	tid=$(json "$T/pinB.json" "[x['tid'] for t in j['topologies'] for n in t['nodes'] for x in n['threads'] if x['kind'] == 'vcpu'][0]")
	check "taskset on B: vr1's vCPU thread $tid runs on CPU 0" \
		sh -c "nsenter -t $(th_init B) -p -m taskset -pc $tid | grep -q 'list: 0\$'"
	check "stop (pinned)" twohost_vrctl A stop "$NAME"
	check "nothing left on A" nothing_on A
	check "nothing left on B" nothing_on B
fi
# more vCPUs than B has CPUs: B refuses its part (one host would share
# them with a warning), the start fails naming b, every host rolls back
twohost_vrctl A start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 --pin --cores 2 >"$T/startq.out" 2>"$T/startq.err"
rc=$?
cat "$T/startq.err"
check "start --pin --cores 2 refused" [ $rc != 0 ]
check "the error names host b and its CPUs" \
	grep -q "host b: its part failed: host b cannot pin its share of $NAME: its 1 node (2 vCPUs) do not fit its CPUs (2 vCPUs on 1 CPU (0)" "$T/startq.err"
check "rolled back (the error's data says so)" grep -q '"rolled_back":true' "$T/startq.err"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
check "neither host runs it" [ "$(runs A)$(runs B)" = 00 ]

say "autostart across hosts: A's record starts every host's part"
check "autostart entry on A" twohost_vrctl A autostart add -f "$T/xh.json" \
	--name "$NAME" --backend "$BACKEND" --timeout 600
# B's vrouterd down while A boots: its autostart cannot reach B
twohost_exec B sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
check "A's vrouterd restarted (B's down)" restart_a
th_until 120 grep -q "autostart $NAME: .*retrying in" "$TH/A/vrouterd.log"
grep "autostart $NAME" "$TH/A/vrouterd.log"
check "A's autostart failed naming host b, and retries" \
	grep -q "autostart $NAME: start $NAME failed: .*host b.*; retrying in 5 s" "$TH/A/vrouterd.log"
check "nothing left on A meanwhile" nothing_on A
check "B's vrouterd back" restart_b
as_started() { twohost_vrctl A autostart list | grep -q " started "; }
th_until 180 as_started
twohost_vrctl A autostart list >"$T/aslist.txt" 2>&1
cat "$T/aslist.txt"
check "A's autostart list says started (a retry)" grep -q " started " "$T/aslist.txt"
check "the retry started it on both hosts" [ "$(runs A)$(runs B)" = 11 ]
twohost_vrctl A --json status >"$T/statusAS.json"
check "A's status: vr0 on a, vr1 on b running" \
	[ "$(json "$T/statusAS.json" '[[(n["name"], n["host"]) for n in t["nodes"]] + [(n["name"], n["host"], n["state"]) for n in t["remote_nodes"]] for t in j["topologies"]]')" = "[[('vr0', 'a'), ('vr1', 'b', 'running')]]" ]
check "autostart remove" twohost_vrctl A autostart remove "$NAME"
check "stop on A" twohost_vrctl A stop "$NAME"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B

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
check "the error says B removes its part when its vrouterd restarts, A asks again" \
	grep -q "host b: its part was not stopped: .*(if its vrouterd died, it removes what it made of the part when it starts again; this host asks it again when its vrouterd reloads or starts)" "$T/start2.err"
# a lost connection is not a dead vrouterd (one alive may have finished)
check "A keeps coord.json naming b" \
	[ "$(twohost_exec A cat "/var/lib/vrouterd/$NAME/coord.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"])')" = "['b']" ]
echo "on B after the kill:"; left B
check "B recorded its part before making it" \
	twohost_exec B test -f "/var/lib/vrouterd/$NAME/part.json"
check "B's vrouterd back" restart_b
check "nothing left on B once its vrouterd is back, no cleanup run" nothing_on B
check "no record left on B" no_records B
check "B's log says what it removed" \
	grep -q "$NAME: the unfinished part is gone ([1-9][0-9]* objects* removed)" "$TH/B/vrouterd.log"
check "B runs nothing" [ "$(runs B)" = 0 ]
check "A reloaded" reload A
th_until 60 no_records A
check "no record left on A: b asked again, its part not there" \
	sh -c "! twohost_exec A test -e /var/lib/vrouterd/$NAME/coord.json &&
		grep -q '$NAME: host b: its part of a start that never finished is not there' '$TH/A/vrouterd.log'"

say "A's vrouterd killed while it deploys its own part, B's ready"
# restart_a_with VAR=VALUE: A's vrouterd again, with that in its environment
restart_a_with() {
	twohost_exec A sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p 2>/dev/null
		for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done'
	cp "$TH/A/vrouterd.conf" "$T/confA"
	if [ -n "${1:-}" ]; then
		(export "$1"; th_vrouterd A) || return 1
	else
		th_vrouterd A || return 1
	fi
	cp "$T/confA" "$TH/A/vrouterd.conf"
	reload A
}
check "A's vrouterd restarted to stall after its VXLANs" restart_a_with VROUTERD_STALL=vxlan
twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start3.json" 2>"$T/start3.err" &
job=$!
th_until 600 grep -q "stalling after vxlan" "$TH/A/vrouterd.log"
check "B's part is running" [ "$(runs B)" = 1 ]
check "A recorded the start (coord.json) and its part (part.json)" \
	twohost_exec A test -f "/var/lib/vrouterd/$NAME/coord.json" -a -f "/var/lib/vrouterd/$NAME/part.json"
twohost_exec A sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
wait $job
check "start failed (its vrouterd gone)" [ $? != 0 ]
echo "on A after the kill:"; left A
check "A's vrouterd back" restart_a_with
gone_everywhere() { nothing_on A && nothing_on B && [ "$(runs B)" = 0 ] && no_records A; }
th_until 120 gone_everywhere
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
check "B runs nothing" [ "$(runs B)" = 0 ]
check "A runs nothing" [ "$(runs A)" = 0 ]
check "no record left on A" no_records A
check "no record left on B" no_records B
check "A's log: its part removed, B told to stop its part" \
	sh -c "grep -q '$NAME: the unfinished part is gone' '$TH/A/vrouterd.log' &&
		grep -q '$NAME: host b: its part of a start that never finished is stopped' '$TH/A/vrouterd.log'"

say "A's vrouterd killed while B deploys its part"
check "B's vrouterd restarted to stall after its VXLANs" restart_b VROUTERD_STALL=vxlan
n=$(grep -c "stalling after vxlan" "$TH/B/vrouterd.log")
twohost_vrctl A --json start -f "$T/xh.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/start4.json" 2>"$T/start4.err" &
job=$!
th_until 120 sh -c "[ \$(grep -c 'stalling after vxlan' '$TH/B/vrouterd.log') -gt $n ]"
twohost_exec A sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
wait $job
check "start failed (A's vrouterd gone)" [ $? != 0 ]
check "A's vrouterd back" restart_a_with
# B's start goes on (its stall ends after 60 s): A asks until B's part
# can be stopped
th_until 400 gone_everywhere
check "A asked again while B was still starting its part" \
	grep -q "$NAME: host b is busy" "$TH/A/vrouterd.log"
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B
check "B runs nothing" [ "$(runs B)" = 0 ]
check "no record left on A" no_records A
check "no record left on B" no_records B

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

say "bench with the sink on B: the out port and vr0 there, the in port on A"
cat >"$T/xo.json" <<'EOF'
{"format": 1, "name": "xo", "description": "the out port and vr0 on host b",
 "ports": {"in": {"address": "198.18.1.2/24", "gateway": "198.18.1.1"},
           "out": {"address": "198.18.2.2/24", "gateway": "198.18.2.1",
                   "host": "b"}},
 "networks": [{"name": "ingress", "port": "in"},
              {"name": "egress", "port": "out"}],
 "nodes": [{"name": "vr0", "role": "router", "host": "b", "interfaces": [
     {"network": "ingress", "address": "198.18.1.1/24"},
     {"network": "egress", "address": "198.18.2.1/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"}]}]}
EOF
chmod 644 "$T/xo.json"
vrgens() { # vrgens H: vrgen processes on host H
	twohost_exec "$1" sh -c 'pgrep -x vrgen | wc -l'
}
no_vrgen() { # no_vrgen H: none within 5 s
	for _ in $(seq 50); do
		[ "$(vrgens "$1")" = 0 ] && return 0
		sleep 0.1
	done
	twohost_exec "$1" ps -ef | grep '[v]rgen'
	return 1
}
if twohost_vrctl A --json start -f "$T/xo.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/xo-start.json" 2>"$T/xo.err"; then
	ok "started: the out port and vr0 on b"
	twohost_vrctl A --json bench "$NAME" --sweep 1000,2000 --duration 2 --flows 4 \
		--out "$T/xo-rate" >"$T/xo-rate.json" 2>"$T/xo-rate.err"
	rc=$?
	cat "$T/xo-rate.err"
	check "bench --sweep with the sink on b answers" [ $rc = 0 ]
	check "frames were received on b at each rate: $(json "$T/xo-rate.json" '[(t["sent"], t["received"]) for t in j["trials"]]')" \
		[ "$(json "$T/xo-rate.json" 'len(j["trials"]) == 2 and all(0.5 * t["sent"] < t["received"] <= t["sent"] and t["sent"] >= 1500 for t in j["trials"])')" = True ]
	check "the record says latency is not measured, and why" \
		[ "$(json "$T/xo-rate.json" '(j["latency"]["measured"], "source on host a, sink on host b: their clocks differ" in j["latency"]["reason"])')" = "(False, True)" ]
	check "no one-way latency in the trial" \
		[ "$(json "$T/xo-rate.json" 'j["trials"][0]["latency_us"]')" = None ]
	check "the generator's record names the sink's host" \
		[ "$(json "$T/xo-rate.json" 'j["generator"]["sink_host"]')" = b ]
	check "vrctl bench says so" grep -q "latency not measured: source on host a, sink on host b" "$T/xo-rate.err"
	check "the experiment's files say so too" \
		grep -q '"measured": *false' "$T/xo-rate/experiment.json"
	twohost_vrctl A bench "$NAME" --sweep 2000 --duration 1 \
		--out "$T/xo-text" >"$T/xo-text.txt" 2>/dev/null
	cat "$T/xo-text.txt"
	check "vrctl's table shows no latency ('-') and says why" \
		sh -c "grep -Eq '^sweep .* - +- +-( +short)?\$' '$T/xo-text.txt' &&
			grep -q '^latency not measured: source on host a, sink on host b' '$T/xo-text.txt'"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	twohost_vrctl A --json bench "$NAME" --ndr --duration 2 --trial-duration 1 \
		--max-rate 200000 --flows 4 --out "$T/xo-ndr" >"$T/xo-ndr.json" 2>"$T/xo-ndr.err"
	tail -n 3 "$T/xo-ndr.err"
	check "an NDR search with the sink on b answers: $(json "$T/xo-ndr.json" 'j.get("ndr_pps")') pps" \
		[ "$(json "$T/xo-ndr.json" 'j["ndr_pps"] > 0 and len(j["trials"]) > 2')" = True ]
	check "every trial of the search counted at the sink (one start and stop per trial)" \
		[ "$(json "$T/xo-ndr.json" 'all(t["received"] > 0 for t in j["trials"])')" = True ]
	check "the search's final trial has no latency (null, not zeros)" \
		[ "$(json "$T/xo-ndr/experiment.json" '"final_trial" not in j["result"] or j["result"]["final_trial"]["latency_us"] is None')" = True ]
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	# a timeline with the sink on b: bins, gap and loss on b's clock, the
	# marks moved onto it by an offset measured over the SSH connection;
	# both "hosts" share one kernel clock here, so the offset measured must
	# be 0 within its uncertainty
	twohost_vrctl A --json bench "$NAME" --mode timeline --rate 2000 --duration 3 \
		--out "$T/xo-tl" >"$T/xo-tl.json" 2>"$T/xo-tl.err"
	rc=$?
	tail -n 3 "$T/xo-tl.err"
	check "bench --mode timeline with the sink on b answers" [ $rc = 0 ]
	check "its bins hold the frames received on b: $(json "$T/xo-tl.json" '(j["trials"][0]["timeline"]["frames"], sum(j["trials"][0]["timeline"]["bins"]), j["trials"][0]["sent"])')" \
		[ "$(json "$T/xo-tl.json" '(lambda t, tl: tl["clock"] == "sink" and tl["frames"] == sum(tl["bins"]) == t["received"] > 5000 and len([b for b in tl["bins"] if b > 0]) > 250)(j["trials"][0], j["trials"][0]["timeline"])')" = True ]
	check "no loss at 2000 pps: $(json "$T/xo-tl.json" '(j["trials"][0]["lost"], j["trials"][0]["timeline"]["lost_seq"], j["trials"][0]["timeline"]["gap"]["ms"])')" \
		[ "$(json "$T/xo-tl.json" 'j["trials"][0]["lost"] == j["trials"][0]["timeline"]["lost_seq"] == 0')" = True ]
	check "the record has the clock offset, 0 within its uncertainty: $(json "$T/xo-tl.json" 'j.get("clock")')" \
		[ "$(json "$T/xo-tl.json" '(lambda c: c["measured"] and c["sink_host"] == "b" and c["samples"] == 8 and 0 < c["uncertainty_s"] < 1 and abs(c["offset_s"]) <= c["uncertainty_s"] and "t2 - (t1 + t3) / 2" in c["method"] and "needs no alignment" in c["note"])(j["clock"])')" = True ]
	check "the marks are on the sink's time axis, with that uncertainty: $(json "$T/xo-tl.json" 'j["marks"]')" \
		[ "$(json "$T/xo-tl.json" '[m["label"] for m in j["marks"]] == ["bench start", "bench stop"] and all(m["t_uncertainty_s"] == j["clock"]["uncertainty_s"] for m in j["marks"]) and -1 < j["marks"][0]["t"] < 0.5 and 2.5 < j["marks"][1]["t"] < 10')" = True ]
	check "the experiment's timeline.svg draws them" \
		grep -q "bench start" "$T/xo-tl/timeline.svg"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	# an outage caused on b's side: the out port's veth (its end on b's
	# bridge) down for 300 ms, 1.5 s into the stream; the sink's own
	# interface stays up, so its socket stays bound
	# (A's plan leaves a port on another host unnamed: B's namespace is
	# its vr-NAME-out, as A's in port's is vr-NAME-in)
	ons=vr-$NAME-out
	oif=$(json "$T/xo-tl.json" 'j["plan"]["ports"][1]["ns_if"]')
	pidx=$(twohost_exec B ip -n "$ons" -o link show "$oif" | sed -n 's/^[0-9]*: [^@]*@if\([0-9]*\):.*/\1/p')
	veth=$(twohost_exec B ip -o link show | awk -F': ' -v i="$pidx" '$1 == i {sub(/@.*/, "", $2); print $2}')
	check "the out port's veth on b: $veth (peer of $oif in $ons)" [ -n "$veth" ]
	twohost_vrctl A --json bench "$NAME" --mode timeline --rate 2000 --duration 4 \
		--out "$T/xo-gap" >"$T/xo-gap.json" 2>"$T/xo-gap.err" &
	job=$!
	th_until 60 sh -c "[ \"\$(nsenter -t $(th_init B) -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"
	sleep 1.5
	d0=$(date +%s.%N)
	twohost_exec B ip link set "$veth" down
	d1=$(date +%s.%N)
	sleep 0.3
	u0=$(date +%s.%N)
	twohost_exec B ip link set "$veth" up
	u1=$(date +%s.%N)
	wait $job
	rc=$?
	tail -n 3 "$T/xo-gap.err"
	short=$(python3 -c "print(($u0 - $d1) * 1000)")
	long=$(python3 -c "print(($u1 - $d0) * 1000)")
	printf 'the veth on b was down %.1f..%.1f ms\n' "$short" "$long"
	check "the outage bench answers" [ $rc = 0 ]
	check "the outage shows as a gap of about its length: $(json "$T/xo-gap.json" '(j["trials"][0]["timeline"]["gap"], j["trials"][0]["lost"])')" \
		[ "$(json "$T/xo-gap.json" "(lambda tl: $short - 20 <= tl['gap']['ms'] <= $long + 150 and 0.5 <= tl['gap']['at_s'] <= 3.5 and tl['lost_seq'] > 0)(j['trials'][0]['timeline'])")" = True ]
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	check "the sender's longest pause rides along, on its own clock" \
		[ "$(json "$T/xo-gap.json" 'j["trials"][0]["timeline"]["sender_pause"]["clock"] == "sender"')" = True ]
	# the sink killed mid-timeline: the error names b, no marks are
	# placed without a clock, nothing is left
	twohost_vrctl A --json bench "$NAME" --mode timeline --rate 2000 --duration 20 \
		--out "$T/xo-tlk" >"$T/xo-tlk.json" 2>"$T/xo-tlk.err" &
	job=$!
	th_until 60 sh -c "[ \"\$(nsenter -t $(th_init B) -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"
	sleep 1
	twohost_exec B sh -c 'kill -KILL $(pgrep -x vrgen)'
	wait $job
	rc=$?
	tail -n 2 "$T/xo-tlk.err"
	check "the sink killed mid-timeline: bench fails, naming host b" \
		sh -c "[ $rc != 0 ] && grep -q 'the sink on host b: vrgen ended with 137 mid-bench' '$T/xo-tlk.err'"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	# B's vrouterd killed mid-bench: the error names b, nothing is left
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 20 \
		--out "$T/xo-kill" >"$T/xo-kill.json" 2>"$T/xo-kill.err" &
	job=$!
	th_until 60 sh -c "[ \"\$(nsenter -t $(th_init B) -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"
	sleep 1
	twohost_exec B sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
	wait $job
	rc=$?
	tail -n 1 "$T/xo-kill.err"
	check "bench failed" [ $rc != 0 ]
	check "the error names host b" grep -q "the sink on host b: " "$T/xo-kill.err"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 2 \
		--out "$T/xo-down" >/dev/null 2>"$T/xo-down.err"
	rc=$?
	tail -n 1 "$T/xo-down.err"
	check "with B's vrouterd down, bench fails naming host b" \
		sh -c "[ $rc != 0 ] && grep -q 'the sink on host b: ' '$T/xo-down.err'"
	check "no vrgen left on A" no_vrgen A
	check "B's vrouterd back" restart_b
	# the sink killed mid-bench
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 20 \
		--out "$T/xo-sink" >/dev/null 2>"$T/xo-sink.err" &
	job=$!
	th_until 60 sh -c "[ \"\$(nsenter -t $(th_init B) -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"
	sleep 1
	twohost_exec B sh -c 'kill -KILL $(pgrep -x vrgen)'
	wait $job
	rc=$?
	tail -n 1 "$T/xo-sink.err"
	check "the sink killed mid-bench: bench fails, naming host b and the sink's end" \
		sh -c "[ $rc != 0 ] && grep -q 'the sink on host b: vrgen ended with 137 mid-bench' '$T/xo-sink.err'"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	# the caller goes away mid-trial
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 30 \
		--out "$T/xo-gone" >/dev/null 2>&1 &
	job=$!
	th_until 60 sh -c "[ \"\$(nsenter -t $(th_init B) -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"
	sleep 1
	twohost_exec A sh -c 'kill $(pgrep -f "vrctl .*bench $0")' "$NAME"
	wait $job
	check "the caller gone mid-trial: no vrgen left on A" no_vrgen A
	check "nor on B" no_vrgen B
	check "stop" twohost_vrctl A stop "$NAME"
else
	bad "start with the out port on b failed: $(cat "$T/xo.err")"
fi
twohost_vrctl B cleanup >/dev/null 2>&1
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B

say "bench with the sender on B: the in port and vr0 there, the out port on A"
# A, asked, passes the bench on to B's vrouterd (the in port's host), which
# runs vrgen's sender and asks A's vrouterd for the sink (bench_sink)
cat >"$T/xs.json" <<'EOF'
{"format": 1, "name": "xs", "description": "the in port and vr0 on host b",
 "ports": {"in": {"address": "198.18.1.2/24", "gateway": "198.18.1.1",
                  "host": "b"},
           "out": {"address": "198.18.2.2/24", "gateway": "198.18.2.1"}},
 "networks": [{"name": "ingress", "port": "in"},
              {"name": "egress", "port": "out"}],
 "nodes": [{"name": "vr0", "role": "router", "host": "b", "interfaces": [
     {"network": "ingress", "address": "198.18.1.1/24"},
     {"network": "egress", "address": "198.18.2.1/24"}],
   "routes": [{"dst": "default", "via": "198.18.2.2"}]}]}
EOF
chmod 644 "$T/xs.json"
# vrgen_on H: a vrgen runs on H (within 60 s)
vrgen_on() { th_until 60 sh -c "[ \"\$(nsenter -t $(th_init "$1") -p -m pgrep -x vrgen | wc -l)\" -gt 0 ]"; }
if twohost_vrctl A --json start -f "$T/xs.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/xs-start.json" 2>"$T/xs.err"; then
	ok "started: the in port and vr0 on b"
	twohost_vrctl A --json bench "$NAME" --sweep 1000,2000 --duration 2 --flows 4 \
		--out "$T/xs-rate" >"$T/xs-rate.json" 2>"$T/xs-rate.err"
	rc=$?
	cat "$T/xs-rate.err"
	check "bench --sweep on A with the sender on b answers" [ $rc = 0 ]
	check "frames sent on b were received on A at each rate: $(json "$T/xs-rate.json" '[(t["sent"], t["received"]) for t in j["trials"]]')" \
		[ "$(json "$T/xs-rate.json" 'len(j["trials"]) == 2 and all(0.5 * t["sent"] < t["received"] <= t["sent"] and t["sent"] >= 1500 for t in j["trials"])')" = True ]
	check "the record says the sender ran on b, the sink on a: $(json "$T/xs-rate.json" '(j["generator"].get("sender_host"), j["generator"].get("sink_host"))')" \
		[ "$(json "$T/xs-rate.json" '(j["generator"]["sender_host"], j["generator"]["sink_host"])')" = "('b', 'a')" ]
	check "latency is not measured, and why" \
		[ "$(json "$T/xs-rate.json" '(j["latency"]["measured"], "source on host b, sink on host a: their clocks differ" in j["latency"]["reason"], j["trials"][0]["latency_us"])')" = "(False, True, None)" ]
	check "vrctl says where the sender runs, and that latency is not measured" \
		sh -c "grep -q 'the sender runs on host b (the in port is there), the sink on host a' '$T/xs-rate.err' &&
			grep -q 'latency not measured: source on host b, sink on host a' '$T/xs-rate.err'"
	check "each trial's progress was relayed from b" \
		[ "$(grep -c 'offered .* pps, forwarded' "$T/xs-rate.err")" -ge 2 ]
	check "the experiment's record is written" \
		[ "$(json "$T/xs-rate/experiment.json" 'j["generator"]["sender_host"]')" = b ]
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	twohost_vrctl B bench "$NAME" --sweep 1000 --duration 1 >"$T/xs-onb.txt" 2>&1
	check "bench on B itself is refused: the out port is the coordinator's, ask it" \
		grep -q "the out port is on the coordinator: run .vrctl bench. there" "$T/xs-onb.txt"
	twohost_vrctl A --json bench "$NAME" --ndr --duration 2 --trial-duration 1 \
		--max-rate 200000 --flows 4 >"$T/xs-ndr.json" 2>"$T/xs-ndr.err"
	tail -n 2 "$T/xs-ndr.err"
	check "an NDR search with the sender on b answers: $(json "$T/xs-ndr.json" 'j.get("ndr_pps")') pps, every trial counted on A" \
		[ "$(json "$T/xs-ndr.json" 'j["ndr_pps"] > 0 and len(j["trials"]) > 2 and all(t["received"] > 0 for t in j["trials"]) and j["generator"]["sender_host"] == "b"')" = True ]
	# a timeline: b's sender, A's sink keeps it, b measures the offset
	twohost_vrctl A --json bench "$NAME" --mode timeline --rate 2000 --duration 3 \
		--out "$T/xs-tl" >"$T/xs-tl.json" 2>"$T/xs-tl.err"
	rc=$?
	tail -n 2 "$T/xs-tl.err"
	check "a timeline with the sender on b answers: $(json "$T/xs-tl.json" '(j["trials"][0]["timeline"]["frames"], j["clock"]["sink_host"], j["clock"]["measured"])')" \
		[ "$(json "$T/xs-tl.json" '(lambda tl: tl["frames"] == sum(tl["bins"]) > 5000 and j["clock"]["sink_host"] == "a" and j["clock"]["measured"] and len(j["marks"]) == 2)(j["trials"][0]["timeline"])')" = True ]
	twohost_vrctl A bench "$NAME" --mode timeline --rate 1000 --duration 2 \
		--migrate vr0 --to a >"$T/xs-mig.txt" 2>&1
	check "--migrate with the sender on b is refused, saying what to do" \
		grep -q -- "--migrate: the in port is on host b, so the sender runs there.*vrctl migrate. alongside" "$T/xs-mig.txt"
	# one bench at a time, on both hosts; the caller gone mid-trial
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 30 \
		--out "$T/xs-gone" >/dev/null 2>&1 &
	job=$!
	vrgen_on B
	sleep 1
	twohost_vrctl A bench "$NAME" --sweep 1000 --duration 1 >"$T/xs-busyA.txt" 2>&1
	check "a second bench on A meanwhile is refused busy" grep -q "a bench runs already" "$T/xs-busyA.txt"
	twohost_vrctl B bench "$NAME" --sweep 1000 --duration 1 >"$T/xs-busyB.txt" 2>&1
	check "and on B" grep -q "a bench runs already" "$T/xs-busyB.txt"
	t0=$(date +%s)
	twohost_exec A sh -c 'kill $(pgrep -f "vrctl .*bench $0 --sweep 2000")' "$NAME"
	wait $job
	check "the caller gone mid-trial: no vrgen left on A" no_vrgen A
	check "nor on B" no_vrgen B
	echo "vrgen gone on both $(($(date +%s) - t0)) s after the caller"
	# B's configuration without host a: B cannot reach the sink's host
	cp "$TH/B/vrouterd.conf" "$T/confB-full"
	conf B b c 198.18.0.9
	check "B reloads a configuration naming no host a" reload B
	twohost_vrctl A bench "$NAME" --sweep 1000 --duration 1 >"$T/xs-noa.txt" 2>&1
	rc=$?
	cat "$T/xs-noa.txt"
	check "the bench fails saying b's configuration lacks host a and what to add" \
		sh -c "[ $rc != 0 ] && grep -q 'the sender on host b: the sink on host a: .*configuration does not name it: add host a to .hosts.' '$T/xs-noa.txt'"
	cp "$T/confB-full" "$TH/B/vrouterd.conf"
	check "B reloads its configuration with host a" reload B
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	# B's vrouterd killed mid-bench: A answers promptly, naming b
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 30 \
		--out "$T/xs-kill" >/dev/null 2>"$T/xs-kill.err" &
	job=$!
	vrgen_on B
	sleep 1
	t0=$(date +%s.%N)
	twohost_exec B sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
	wait $job
	rc=$?
	t1=$(date +%s.%N)
	tail -n 1 "$T/xs-kill.err"
	check "B's vrouterd killed: the bench fails within 10 s ($(python3 -c "print('%.1f' % ($t1 - $t0))") s), naming host b" \
		sh -c "[ $rc != 0 ] && grep -q 'the sender on host b: ' '$T/xs-kill.err' && python3 -c 'import sys; sys.exit(not $t1 - $t0 < 10)'"
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	twohost_vrctl A bench "$NAME" --sweep 1000 --duration 1 >"$T/xs-down.txt" 2>&1
	rc=$?
	tail -n 1 "$T/xs-down.txt"
	check "with B's vrouterd down, the bench fails naming host b" \
		sh -c "[ $rc != 0 ] && grep -q 'the sender on host b: host b' '$T/xs-down.txt'"
	check "B's vrouterd back" restart_b
	check "no vrgen left on A" no_vrgen A
	check "stop" twohost_vrctl A stop "$NAME"
else
	bad "start with the in port on b failed: $(cat "$T/xs.err")"
fi
twohost_vrctl B cleanup >/dev/null 2>&1
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B

say "bench with both ports on B: A passes the whole bench there, one clock"
sed 's|"gateway": "198.18.2.1"}}|"gateway": "198.18.2.1", "host": "b"}}|' \
	"$T/xs.json" >"$T/xb.json"
chmod 644 "$T/xb.json"
if twohost_vrctl A --json start -f "$T/xb.json" --name "$NAME" \
	--backend "$BACKEND" --timeout 600 >"$T/xb-start.json" 2>"$T/xb.err"; then
	ok "started: both ports and vr0 on b"
	twohost_vrctl A --json bench "$NAME" --sweep 2000 --duration 2 --flows 4 \
		>"$T/xb-rate.json" 2>"$T/xb-rate.err"
	rc=$?
	tail -n 2 "$T/xb-rate.err"
	v=$(json "$T/xb-rate.json" '(j["generator"]["sender_host"], j["generator"]["sink_host"], j["latency"]["measured"], j["trials"][0]["received"] > 3000, j["trials"][0]["latency_us"] is not None)')
	check "bench on A with both ports on b answers: sender and sink on b, latency measured: $v" \
		[ "$rc:$v" = "0:('b', 'b', True, True, True)" ]
	check "no vrgen left on A" no_vrgen A
	check "no vrgen left on B" no_vrgen B
	check "stop" twohost_vrctl A stop "$NAME"
else
	bad "start with both ports on b failed: $(cat "$T/xb.err")"
fi
check "nothing left on A" nothing_on A
check "nothing left on B" nothing_on B

end 0
