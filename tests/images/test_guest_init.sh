#!/bin/sh
# Unit test of the guest /init's command-line parsing and validation, run
# on the host with busybox sh (the guest's shell). No root, no QEMU.
# Exit 77 (skip) when busybox is missing.
# Snippets are evaluated inside the init shell, hence single quotes:
# shellcheck disable=SC2016
set -eu

here=$(cd "$(dirname "$0")" && pwd)
init=$(cd "$here/../.." && pwd)/images/guest/init
command -v busybox >/dev/null 2>&1 || { echo "SKIP: busybox missing"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-init.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
nfail=0

# Run a snippet with init's functions loaded; fail() prints the status line
# and exits instead of idling.
run() { # CMDLINE SNIPPET
	printf '%s\n' "$1" >"$tmp/cmdline"
	VRINIT_LIB=1 busybox sh -c '
		. "$1"
		CMDLINE_FILE=$2
		STATUS_TTY=/dev/stdout
		idle() { exit 1; }
		log() { :; }
		eval "$3"' sh "$init" "$tmp/cmdline" "$2" 2>&1
}

expect() { # NAME EXPECTED CMDLINE SNIPPET
	got=$(run "$3" "$4") || :
	if [ "$got" = "$2" ]; then
		echo "ok   $1"
	else
		echo "FAIL $1: expected [$2] got [$got]"
		nfail=$((nfail + 1))
	fi
}

M0=52:54:00:00:00:01
M1=52:54:00:00:00:02
P='parse_cmdline; echo "node=$NODE role=$ROLE if=$IFACES route=$ROUTES neigh=$NEIGHS rps=$RPS wait=$WAIT_S"'

expect "contract example" \
	"node=vr0 role=router if= $M0,198.18.1.1/24 $M1,198.18.2.1/24 route= default,198.18.2.2 neigh= rps=0 wait=10" \
	"console=ttyS0,115200 panic=-1 loglevel=3 vr.node=vr0 vr.role=router vr.if=$M0,198.18.1.1/24 vr.if=$M1,198.18.2.1/24 vr.route=default,198.18.2.2" "$P"
expect "neigh, rps, wait, CIDR route, unknown vr.* ignored" \
	"node=r-1 role=lb if= $M0,10.0.0.1/8 route= 10.2.0.0/16,10.0.0.9 neigh= 10.0.0.9,$M1 rps=1 wait=3" \
	"vr.node=r-1 vr.role=lb vr.if=52:54:00:00:00:01,10.0.0.1/8 vr.route=10.2.0.0/16,10.0.0.9 vr.neigh=10.0.0.9,52:54:00:00:00:02 vr.rps=1 vr.wait=3 vr.future=x" "$P"
expect "upper-case MAC accepted, stored lower-case" "if= 52:54:00:ab:cd:ef,10.0.0.1/24" \
	"vr.if=52:54:00:AB:CD:EF,10.0.0.1/24" 'parse_cmdline; echo "if=$IFACES"'
expect "no vr.if" "VROUTERD-FAIL node=vr0 reason=no-vr.if-given" \
	"vr.node=vr0 vr.role=router" "$P"
expect "bad MAC" "VROUTERD-FAIL node=vr0 reason=bad-vr.if:52:54:00:00:01,10.0.0.1/24" \
	"vr.node=vr0 vr.if=52:54:00:00:01,10.0.0.1/24" "$P"
expect "bad prefix length" "VROUTERD-FAIL node=vr0 reason=bad-vr.if:$M0,10.0.0.1/33" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/33" "$P"
expect "bad octet" "VROUTERD-FAIL node=vr0 reason=bad-vr.route:default,10.0.0.256" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.route=default,10.0.0.256" "$P"
expect "glob in a value is not expanded" "VROUTERD-FAIL node=vr0 reason=bad-vr.route:*,10.0.0.2" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.route=*,10.0.0.2" "$P"
expect "bad node name" "VROUTERD-FAIL node=unknown reason=bad-vr.node:a/b" \
	"vr.node=a/b vr.if=$M0,10.0.0.1/24" "$P"
expect "bad rps" "VROUTERD-FAIL node=vr0 reason=bad-vr.rps:2" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.rps=2" "$P"
F='parse_cmdline; echo "fib=$FIB via=$FIB_VIA"'
expect "vr.fib: count and ECMP gateways" "fib=1000000 via=10.0.0.2 10.0.0.3" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.fib=1000000,10.0.0.2,10.0.0.3" "$F"
expect "vr.fib: over a million" "VROUTERD-FAIL node=vr0 reason=bad-vr.fib:1000001,10.0.0.2" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.fib=1000001,10.0.0.2" "$F"
expect "vr.fib: no gateway" "VROUTERD-FAIL node=vr0 reason=bad-vr.fib:5" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.fib=5" "$F"
expect "vr.fib: leading zero" "VROUTERD-FAIL node=vr0 reason=bad-vr.fib:05,10.0.0.2" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.fib=05,10.0.0.2" "$F"
expect "vr.fib: bad gateway" "VROUTERD-FAIL node=vr0 reason=bad-vr.fib:5,10.0.0.2,x" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.fib=5,10.0.0.2,x" "$F"
expect "fib_triestat: the Main table's prefixes" "7" "" '
	ts=$(mktemp)
	printf "Basic info: size of leaf\nLocal:\n\tPrefixes:       9\nMain:\n\tAver depth: 1\n\tPrefixes:       7\n" >"$ts"
	fib_prefixes "$ts"; rm -f "$ts"'
# The BIRD configuration of MSR's lb0 under --routing ospf (the command
# line test_topo checks the plan makes), against its golden file.
LB0="vr.node=lb0 vr.role=lb vr.if=$M0,198.19.101.2/24 vr.if=$M1,198.19.0.1/24 vr.routing=ospf vr.learn=default,2 vr.route=198.18.1.0/24,198.19.101.1"
expect "bird.conf of msr lb0 (tests/golden/bird-msr-lb0.conf)" "$(cat "$here/../golden/bird-msr-lb0.conf")" \
	"$LB0" 'parse_cmdline; bird_conf'
LB0B="vr.node=lb0 vr.role=lb vr.if=$M0,198.19.101.2/24 vr.if=$M1,198.19.0.1/24 vr.routing=bgp vr.as=65001 vr.peer=198.19.0.11,65002 vr.peer=198.19.0.12,65003 vr.learn=default,2 vr.route=198.18.1.0/24,198.19.101.1 vr.mphash=1"
expect "bird.conf of msr lb0, bgp (tests/golden/bird-msr-lb0-bgp.conf)" \
	"$(cat "$here/../golden/bird-msr-lb0-bgp.conf")" "$LB0B" 'parse_cmdline; bird_conf'
# bgp announces the connected networks: a vr.learn= destination can be
# only a network on the node that announces it (msr --split macvtap).
expect "bgp exports connected networks, not to the kernel" \
	"protocol direct { ipv4; interface \"eth*\"; }
export where source != RTS_DEVICE;
RTS_DEVICE ]; };
RTS_DEVICE ]; };" \
	"$LB0B" 'parse_cmdline; bird_conf | grep -o -e "protocol direct.*" -e "RTS_DEVICE.*" -e "export where source != RTS_DEVICE;"'
# BIRD itself parses both configurations (the guest runs the same 2.0 series).
if command -v bird >/dev/null 2>&1; then
	for cl in "$LB0" "$LB0B"; do
		expect "bird -p accepts $(echo "$cl" | grep -o 'vr.routing=[a-z]*')" "ok" "$cl" '
			c=$(mktemp); parse_cmdline; bird_conf >"$c"
			bird -p -c "$c" && echo ok; rm -f "$c"'
	done
else
	echo "skip bird -p: no bird on this host"
fi
expect "vr.rid: the router id over the first interface's address" \
	"router id 198.19.0.1;" "$LB0 vr.rid=198.19.0.1" 'parse_cmdline; bird_conf | head -n 1'
expect "bad vr.rid" "VROUTERD-FAIL node=lb0 reason=bad-vr.rid:198.19.0" \
	"$LB0 vr.rid=198.19.0" 'parse_cmdline; bird_conf | head -n 1'
# wait_learned asks for each destination exactly, never for the whole
# table (a million vr.fib= prefixes: seconds per poll); its budget is
# time, not a count of polls.
IPSTUB='ip() {
	case "$*" in
	"-4 route show exact default") echo "default " ;;
	"-4 route show exact 198.18.1.0/24") echo "198.18.1.0/24 via 198.19.101.1 dev eth0 " ;;
	"-4 route show exact "*) ;;
	*) echo "ip $* asked for the whole table"; exit 1 ;;
	esac
}
route_nexthops() { [ "$1" = default ] && echo 2; }'
expect "wait_learned: one exact query per destination" "ok" "$LB0" "$IPSTUB"'
	parse_cmdline; wait_learned; echo ok'
expect "wait_learned: fails once the time is up" \
	"VROUTERD-FAIL node=lb0 reason=routes-not-learned-after-0s:198.18.9.0/24" \
	"$LB0 vr.learn=198.18.9.0/24 vr.wait=0" "$IPSTUB"'
	parse_cmdline; wait_learned; echo ok'
# vr.learn=DST,N: an ECMP route is learned with all N nexthops, not one
LBN="vr.node=lb0 vr.role=lb vr.if=$M0,198.19.101.2/24 vr.routing=ospf vr.learn=default,2 vr.wait=0"
expect "wait_learned: an ECMP default with 1 of 2 nexthops is not learned" \
	"VROUTERD-FAIL node=lb0 reason=routes-not-learned-after-0s:default,2" \
	"$LBN" "$IPSTUB"'
	route_nexthops() { echo 1; }
	parse_cmdline; wait_learned; echo ok'
expect "wait_learned: with 2 of 2 it is" "ok" "$LBN" "$IPSTUB"'
	route_nexthops() { [ "$1" = default ] && echo 2; }
	parse_cmdline; wait_learned; echo ok'
expect "bad vr.learn count" "VROUTERD-FAIL node=lb0 reason=bad-vr.learn:default,x" \
	"vr.node=lb0 vr.if=$M0,10.0.0.1/24 vr.learn=default,x" "$P"
# vr-route --nexthops itself, in a network namespace of our own (a user
# namespace: no root needed), where the kernel has one.
if command -v gcc >/dev/null 2>&1 && unshare -rn true 2>/dev/null &&
	gcc -O2 -o "$tmp/vr-route" "$here/../../images/guest/vr-route.c" 2>"$tmp/cc.log"; then
	got=$(unshare -rn sh -c '
		ip link add d0 type veth peer name d1 && ip link set d0 up &&
		ip link set d1 up && ip addr add 198.18.5.1/24 dev d0 || exit 1
		r=$1
		$r --nexthops default
		$r default 198.18.5.2 198.18.5.3 198.18.5.4
		$r 198.18.9.0/24 198.18.5.2
		for d in default 0.0.0.0/0 198.18.9.0/24 198.18.9.0/25 198.18.5.0/24; do
			$r --nexthops $d
		done' sh "$tmp/vr-route" 2>&1 | tr '\n' ' ')
	if [ "$got" = "0 3 3 1 0 1 " ]; then
		echo "ok   vr-route --nexthops"
	else
		echo "FAIL vr-route --nexthops: expected [0 3 3 1 0 1 ] got [$got]"
		nfail=$((nfail + 1))
	fi
else
	echo "skip vr-route --nexthops: no gcc or no user network namespace"
fi
expect "bad vr.peer" "VROUTERD-FAIL node=vr0 reason=bad-vr.peer:10.0.0.2,x" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.peer=10.0.0.2,x" "$P"
expect "routing ospf: learn list" "ospf default,2" "$LB0" 'parse_cmdline; echo $ROUTING$LEARN'
expect "bad vr.routing" "VROUTERD-FAIL node=vr0 reason=bad-vr.routing:rip" \
	"vr.node=vr0 vr.if=$M0,10.0.0.1/24 vr.routing=rip" "$P"
expect "unknown role" "VROUTERD-FAIL node=vr0 reason=unknown-role:pvr" \
	"vr.node=vr0 vr.role=pvr vr.if=$M0,10.0.0.1/24" 'parse_cmdline; role_setup'
expect "vr.lb: MACs kept, lower-case" "lb=$M0,$M1,52:54:00:ab:cd:ef" \
	"vr.node=lb0 vr.role=lb vr.if=$M0,10.0.0.1/24 vr.lb=$M0,$M1,52:54:00:AB:CD:EF" 'parse_cmdline; echo "lb=$LB"'
expect "vr.lb: a bad MAC" "VROUTERD-FAIL node=lb0 reason=bad-vr.lb:$M0,$M1,52:54:00" \
	"vr.node=lb0 vr.role=lb vr.if=$M0,10.0.0.1/24 vr.lb=$M0,$M1,52:54:00" "$P"
expect "vr.lb: only for role lb" "VROUTERD-FAIL node=be0 reason=vr.lb-needs-vr.role=lb" \
	"vr.node=be0 vr.role=backend vr.if=$M0,10.0.0.1/24 vr.lb=$M0,$M1,$M1" 'parse_cmdline; setup_lb'
expect "reason with spaces becomes one word" "VROUTERD-FAIL node=unknown reason=a-b-c" \
	"" 'fail "a b  c"'
expect "cpu mask 1..64" "1 3 7 f ff ffffffff 1,ffffffff ffffffff,ffffffff" "" '
	for n in 1 2 3 4 8 32 33 64; do nproc() { echo $n; }; printf "%s " "$(cpu_mask)"; done | sed "s/ $//"'
expect "ipv4/cidr predicates" "y n n n y n y n" "" '
	for a in 1.2.3.4 1.2.3 1.2.3.4.5 1..3.4; do is_ipv4 $a && printf "y " || printf "n "; done
	for c in 0.0.0.0/0 1.2.3.4 1.2.3.4/32 1.2.3.4/032; do is_cidr $c && printf "y " || printf "n "; done | sed "s/ $//"'

[ "$nfail" -eq 0 ] || { echo "FAIL: $nfail case(s)"; exit 1; }
echo "PASS: guest init parsing"
