#!/bin/bash
# Two hosts on one machine (tests/integration/twohost.sh) and libvirt
# peer-to-peer live migration of a vrouterd guest between them: both
# hosts up, SSH from one to the other by key only, the other's libvirtd
# over qemu+ssh; a monolithic VR (TCG, taps) started by A's vrouterd; the
# wiring it needs made on B (a migration before that fails and leaves it
# running on A, nothing on B); `virsh migrate --live --p2p` A -> B (it runs
# on B, answers there, is gone from A) and back B -> A (it forwards on A
# again); stop; nothing left on either host, nor of the hosts, nor of a
# bed whose shell is killed with SIGKILL.  Each migration prints libvirt's
# figures (virsh domjobinfo --completed on the destination);
# VR_MIGRATE_ROUNDS round trips (default 1), then medians.
#
#   test_multihost.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name mh -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/twohost.sh"
for t in sshd ssh ssh-keygen nsenter setpriv; do
	command -v $t >/dev/null || [ -x /usr/sbin/$t ] ||
		{ echo "SKIP: $t missing (apt-get install openssh-server)"; exit 77; }
done
end() {
	twohost_down
	finish "${1:-0}"
}
trap 'end 1' INT TERM
trap twohost_down EXIT

NAME=mig
DOM=vrouterd-$NAME-vr0
ROUNDS=${VR_MIGRATE_ROUNDS:-1}
need_image
root_ssh=0
[ -e /root/.ssh ] && root_ssh=1

say "two hosts"
if twohost_up; then
	ok "hosts A and B up (netns, mount ns, libvirtd, sshd, vrouterd each)"
else
	bad "the two hosts did not come up"
	end 1
fi
wire_addrs() {
	twohost_exec A ip -br addr | grep -q " $TH_ADDR_A/24" &&
		twohost_exec B ip -br addr | grep -q " $TH_ADDR_B/24"
}
check "A's wire address is on A (and B's on B)" wire_addrs
check "A reaches B over the wire" twohost_exec A ping -c 1 -W 5 "$TH_ADDR_B"
check "sshd on B listens on the wire address only" \
	[ "$(twohost_exec B ss -Hltn 'sport = :22' | awk '{print $4}')" = "$TH_ADDR_B:22" ]
check "ssh A -> B (BatchMode, by key) lands on B" \
	[ "$(twohost_exec A ssh -o BatchMode=yes "root@$TH_ADDR_B" hostname)" = th-B ]
check "ssh B -> A lands on A" \
	[ "$(twohost_exec B ssh -o BatchMode=yes "root@$TH_ADDR_A" hostname)" = th-A ]
keyless_refused() {
	! twohost_exec A ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes \
		-o IdentityFile=/dev/null -o UserKnownHostsFile="$TH/known_hosts" \
		"root@$TH_ADDR_B" true 2>/dev/null
}
check "B's sshd refuses root without the key" keyless_refused
check "virsh on A lists B's domains over qemu+ssh" \
	twohost_exec A virsh -c "$TH_URI_B" list
check "... and that libvirtd is B's (hostname th-B)" \
	[ "$(twohost_exec A virsh -c "$TH_URI_B" hostname)" = th-B ]
check "the two libvirtds have different host UUIDs" \
	[ "$(twohost_exec A virsh capabilities | grep -m1 '<uuid>')" != \
	"$(twohost_exec B virsh capabilities | grep -m1 '<uuid>')" ]
check "B's vrouterd answers on its own socket" twohost_vrctl B version
no_root_ssh() { [ "$root_ssh" = 1 ] || [ ! -e /root/.ssh ]; }
check "no ~/.ssh made (the bed's ssh keeps its keys and known hosts in $TH)" \
	no_root_ssh

say "monolithic on A (TCG, taps)"
if twohost_vrctl A --json start monolithic --name "$NAME" --cores 1 \
	--link tap --timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start on A"
else
	bad "start on A: $(cat "$T/start.err")"
	end 1
fi
check "it forwards on A" \
	twohost_exec A ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2
named_cpu() {
	twohost_exec A virsh dumpxml "$DOM" | grep -q "<model fallback='forbid'>qemu64</model>"
}
check "the guest's CPU is a named model (migratable under TCG)" named_cpu

say "migrations B cannot take fail and change nothing"
# refused WHY: a migration A -> B fails; virsh says little ("End of file
# while reading data"), A's libvirtd log says why: it must name WHY
refused() {
	local why
	if twohost_exec A virsh migrate --live --p2p "$DOM" "$TH_URI_B" >"$T/nomig.out" 2>&1; then
		bad "migrated to B without $1"
		return 1
	fi
	why=$(grep ' error : ' "$TH/A/log-libvirt/libvirtd.log" |
		grep -v virNetSocketReadWire | tail -1 | sed 's/.* error : //')
	check "refused without $1 on B: $why" grep -q "$2" <<<"$why"
	check "it still runs on A" \
		[ "$(twohost_exec A virsh domstate "$DOM" 2>&1)" = running ]
	check "no domain on B" [ -z "$(twohost_exec B virsh list --all --name | grep .)" ]
}
refused "the console log's directory" "/var/lib/vrouterd/$NAME/vr0.console.log"
twohost_exec B mkdir -p "/var/lib/vrouterd/$NAME"
refused "the taps" "managed='no' but specified dev doesn't exist"
check "it still forwards on A" \
	twohost_exec A ip netns exec "vr-$NAME-in" ping -c 1 -W 5 198.18.2.2

say "B gets the wiring the domain needs"
check "taps, bridges and console directory made on B" \
	twohost_wire_like A B "$DOM"
twohost_exec B ip -br link
# B answers for the in port's address, with the MAC the guest knows for it
mac=$(twohost_exec A ip netns exec "vr-$NAME-in" cat /sys/class/net/vp0/address)
check "198.18.1.2 (MAC $mac) on B's in bridge" \
	twohost_exec B sh -ec "ip link set vr-$NAME-bi address $mac
		ip addr add 198.18.1.2/24 dev vr-$NAME-bi"

# migrate FROM TO: virsh migrate --live --p2p, then where the domain runs
# and libvirt's figures on the destination
gone_from() { ! twohost_exec "$1" virsh list --all --name | grep -qx "$DOM"; }
TOTALS=() DOWNS=() WALLS=() MEMS=()
NMIG=0
migrate() {
	local from=$1 to=$2 uri t0 t1 rc
	if [ "$to" = B ]; then uri=$TH_URI_B; else uri=$TH_URI_A; fi
	NMIG=$((NMIG + 1))
	t0=$(date +%s%N)
	twohost_exec "$from" virsh migrate --live --p2p --verbose "$DOM" "$uri" \
		>"$T/migrate.out" 2>&1
	rc=$?
	t1=$(date +%s%N)
	if [ $rc = 0 ]; then
		ok "migration $NMIG $from -> $to ($(((t1 - t0) / 1000000)) ms)"
	else
		bad "migration $NMIG $from -> $to: $(cat "$T/migrate.out")"
		return 1
	fi
	check "it runs on $to" \
		[ "$(twohost_exec "$to" virsh domstate "$DOM" 2>&1)" = running ]
	check "it is gone from $from" gone_from "$from"
	twohost_exec "$to" virsh domjobinfo --completed "$DOM" >"$T/job.txt"
	local total down mem
	total=$(awk -F: '/^Time elapsed:/ {print $2+0}' "$T/job.txt")
	down=$(awk -F: '/^Total downtime:/ {print $2+0}' "$T/job.txt")
	mem=$(awk -F: '/^Memory processed:/ {print $2+0}' "$T/job.txt")
	echo "migration $NMIG $from -> $to: total $total ms, downtime $down ms," \
		"memory $mem MiB, virsh $(((t1 - t0) / 1000000)) ms"
	TOTALS+=("$total") DOWNS+=("$down") MEMS+=("$mem")
	WALLS+=("$(((t1 - t0) / 1000000))")
}

for r in $(seq "$ROUNDS"); do
	say "round $r: A -> B"
	migrate A B || end 1
	check "the guest answers on B" \
		twohost_exec B ping -c 3 -W 5 198.18.1.1
	say "round $r: B -> A"
	migrate B A || end 1
	check "it forwards on A again" \
		twohost_exec A ip netns exec "vr-$NAME-in" ping -c 3 -W 5 198.18.2.2
done
echo "medians over $NMIG migrations: total $(median "${TOTALS[@]}") ms," \
	"downtime $(median "${DOWNS[@]}") ms, memory $(median "${MEMS[@]}") MiB," \
	"virsh $(median "${WALLS[@]}") ms"
twohost_vrctl A status | sed -n '/^topology/,/^  node/p'

say "stop; nothing left"
check "B's wiring removed" twohost_unwire B
check "stop on A" twohost_vrctl A stop "$NAME"
# what a host holds besides lo and its end of the wire
debris() { # debris H
	twohost_exec "$1" sh -c "ip -o link show | awk -F': ' '{print \$2}' |
		grep -v '^lo\$' | grep -v '^th-wire-'; ip netns list;
		virsh list --all --name | grep ."
}
for h in A B; do
	l=$(debris $h | xargs)
	check "nothing left on $h (links, namespaces, domains)${l:+: $l}" [ -z "$l" ]
done
twohost_vrctl B --json status >"$T/b.json"
check "B's vrouterd ran no topology" \
	[ "$(json "$T/b.json" 'len(j["topologies"])')" = 0 ]
twohost_down
check "the bed is gone (no process, no wire)" twohost_gone

say "a bed whose shell is SIGKILLed dies with it"
(
	T=$T/killed
	mkdir -p "$T"
	. "$SRC/tests/integration/twohost.sh"
	twohost_up >"$T/up.log" 2>&1 && touch "$T/up"
	exec sleep 600 # the bed's pdeathsig parent, killed below
) &
sub=$!
th_until 60 test -e "$T/killed/up"
check "a second bed came up in a subshell" \
	pgrep -f "$T/killed/twohost/B/sshd_config"
kill -KILL $sub
wait $sub 2>/dev/null
killed_gone() { ! pgrep -f "$T/killed/" >/dev/null; }
check "after kill -9 of its shell, no process of that bed is left" \
	th_until 10 killed_gone
check "... and no wire" [ -z "$(ip -o link show | grep th-wire)" ]
trap - EXIT
end 0
