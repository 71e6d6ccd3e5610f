#!/bin/bash
# --deadline / --vhost-deadline (issue 14) on this machine: bad requests
# are refused before anything is made (no --pin, runtime > period, the
# netns backend); a pinned TCG guest with --deadline 200/1000 is either
# admitted (status reads policy "deadline", runtime_us 200, period_us 1000
# back for every vCPU thread, and stop undoes it) or refused with an error
# naming the cause.  Either way nothing is left: no topology, no cpuset
# directory, and every cpu_exclusive / sched_load_balance / cpus value in
# the cpuset hierarchy as it was (snapshots before and after; the
# sandbox shares the host's cgroup fs, so a trap restores it whatever
# happens).  Then the path after boot on this kernel, with the cpusets
# in a fake tree (VR_CGROUP_ROOT): sched_setattr's EPERM is reported and
# everything is rolled back.  Last, a restarted daemon undoes the
# recorded cpusets of a topology that no longer runs (fake tree).
#
#   test_deadline.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name dl \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"

# The cpuset hierarchy (v1, as on this machine; else the v2 root).  `ip
# netns exec` gave the sandbox a fresh /sys without the cgroup mounts:
# mount the host's cpuset hierarchy again in the sandbox's own mount
# namespace (the same hierarchy, so the trap below restores it).
cg_find() {
	CG=$(awk '$9 == "cgroup" && $NF ~ /(^|,)cpuset(,|$)/ {print $5; exit}' /proc/self/mountinfo)
	[ -n "$CG" ] || CG=$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)
}
cg_find
if [ -z "$CG" ] && grep -qw cpuset /proc/cgroups; then
	mount -t tmpfs -o mode=0755 tmpfs /sys/fs/cgroup &&
		mkdir -p /sys/fs/cgroup/cpuset &&
		{ mount -t cgroup -o cpuset cgroup /sys/fs/cgroup/cpuset ||
			mount -t cgroup2 cgroup2 /sys/fs/cgroup/cpuset; }
	cg_find
fi

# Every directory's flags, but libvirt's per-domain ones (any test's
# domains come and go there).
snapshot() {
	[ -n "$CG" ] || return 0
	find "$CG" -type d ! -path "$CG/machine/*" | sort | while read -r d; do
		printf '%s' "${d#"$CG"}"
		for f in cpuset.cpus cpuset.cpu_exclusive cpuset.sched_load_balance \
			cpuset.cpus.partition cgroup.subtree_control; do
			[ -r "$d/$f" ] && printf ' %s=%s' "$f" "$(tr '\n' ' ' <"$d/$f")"
		done
		echo
	done
}

# Whatever vrouterd's cpusets are left: threads to the root, directories
# gone, the root's flags as the snapshot had them.
restore_cgroups() {
	[ -n "$CG" ] || return 0
	local d t
	for d in $(find "$CG/vrouterd" "$CG/vrouterd-housekeeping" -depth -type d 2>/dev/null); do
		for t in $(cat "$d/tasks" "$d/cgroup.threads" 2>/dev/null); do
			echo "$t" >"$CG/tasks" 2>/dev/null || echo "$t" >"$CG/cgroup.threads" 2>/dev/null
		done
		rmdir "$d" 2>/dev/null && echo "trap: removed $d"
	done
	if [ -n "$ROOT_LB" ] && [ "$(cat "$CG/cpuset.sched_load_balance")" != "$ROOT_LB" ]; then
		echo "$ROOT_LB" >"$CG/cpuset.sched_load_balance"
		echo "trap: restored $CG/cpuset.sched_load_balance $ROOT_LB"
	fi
}
ROOT_LB=$(cat "$CG/cpuset.sched_load_balance" 2>/dev/null)
cleanup() { restore_cgroups; }
trap 'cleanup; finish 1' INT TERM
trap 'cleanup' EXIT

snapshot >"$T/before.txt"
echo "cpuset hierarchy: ${CG:-none}"
daemon_start

refused() { # refused LABEL PATTERN START_ARGS...
	local label=$1 pat=$2
	shift 2
	"$VRCTL" start monolithic --name dlx "$@" >"$T/x.out" 2>&1
	local rc=$?
	check "$label: refused (exit $rc)" [ $rc != 0 ]
	check "$label: says '$pat'" grep -q -- "$pat" "$T/x.out" || cat "$T/x.out"
	check "$label: nothing left" nothing_left dlx
}

say "refused before anything is made"
refused "without --pin" "need --pin" --deadline 200/1000
refused "runtime > period" "runtime 2000 us is longer than the period 1000 us" \
	--pin --deadline 2000/1000
refused "not RUNTIME/PERIOD" "is not RUNTIME/PERIOD" --pin --vhost-deadline 200
refused "netns backend" "for --backend vm" --backend netns --pin --deadline 200/1000
check "cpusets unchanged after the refusals" diff "$T/before.txt" <(snapshot)

need_image
say "a pinned TCG guest with --deadline 200/1000"
if "$VRCTL" --json start monolithic --name dl --cores 1 --pin \
	--deadline 200/1000 --timeout 240 >"$T/start.out" 2>"$T/start.err"; then
	ok "admitted"
	"$VRCTL" --json status dl >"$T/status.json"
	json "$T/status.json" "[(t['name'], t['cpus'], t['policy'], t.get('runtime_us'), t.get('period_us')) for t in j['topologies'][0]['nodes'][0]['threads']]"
	check "every vCPU thread reads back SCHED_DEADLINE 200/1000 us" \
		[ "$(json "$T/status.json" "all(t['policy'] == 'deadline' and t['runtime_us'] == 200 and t['period_us'] == 1000 for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind'] == 'vcpu')")" = True ]
	check "the exclusive cpuset is there" test -d "$CG/vrouterd/dl"
	"$VRCTL" stop dl >/dev/null 2>&1
	check "stop: removed" nothing_left dl
else
	cat "$T/start.err"
	check "refused with the cause named (cpuset overlap, cpuset controller, admission)" \
		grep -Eq "failed at deadline: .*(overlaps CPUs|no cpuset controller|cpuset.cpus.partition|cpu_exclusive|sched_setattr)" "$T/start.err"
	check "refused: nothing left" nothing_left dl
fi

# The path after boot on this kernel: a fake v1 tree (VR_CGROUP_ROOT) lets
# the cpusets "be made", the thread stays pinned in the real root domain,
# so the kernel's sched_setattr says EPERM: the start fails at deadline
# with that cause, is rolled back, and the fake tree is as it was.
say "after boot: the kernel refuses (cpusets in a fake tree), all undone"
"$VRCTL" stop --all >/dev/null 2>&1
daemon_stop
F=$T/fakecg
mkdir -p "$F"
printf '0-%d\n' $(($(nproc) - 1)) >"$F/cpuset.cpus"
echo 0 >"$F/cpuset.mems"
echo 1 >"$F/cpuset.sched_load_balance"
: >"$F/tasks"
fake_snap() { (cd "$F" && find . | sort && for f in cpuset.*; do echo "$f=$(cat "$f")"; done); }
fake_snap >"$T/fake.before"
VR_CGROUP_ROOT=$F daemon_start
if "$VRCTL" start monolithic --name dlf --cores 1 --pin --deadline 200/1000 \
	--timeout 240 >"$T/fstart.out" 2>"$T/fstart.err"; then
	bad "admitted with a fake cpuset tree?"
	"$VRCTL" stop dlf >/dev/null 2>&1
else
	cat "$T/fstart.err"
	check "refused at sched_setattr with EPERM, said so" \
		grep -q "sched_setattr(SCHED_DEADLINE 200/1000 us) for CPU 0/TCG tid [0-9]* on CPU [0-9]*: Operation not permitted" "$T/fstart.err"
	check "refused: nothing left" nothing_left dlf
fi
fake_snap >"$T/fake.after"
check "the fake tree as it was (directories gone, flags back)" \
	diff "$T/fake.before" "$T/fake.after"
check "the thread went back (to the root's tasks)" grep -q . "$F/tasks"

# A daemon restarted after its topology went: the record in the state
# directory names cpusets of a topology that no longer runs; once libvirt
# is connected (adoption) they are undone.
say "restart: cpusets of a topology that is gone are undone"
"$VRCTL" stop --all >/dev/null 2>&1
daemon_stop
F2=$T/fakecg2
mkdir -p "$F2/vrouterd/gone/cpu1" "$F2/vrouterd-housekeeping"
printf '0-%d\n' $(($(nproc) - 1)) >"$F2/cpuset.cpus"
echo 0 >"$F2/cpuset.sched_load_balance"
: >"$F2/tasks"
cat >"$T/state/cpuset.json" <<EOJ
{ "version": 1, "root": "$F2",
  "shared": [ { "rmdir": "vrouterd-housekeeping" }, { "rmdir": "vrouterd" },
	{ "file": "cpuset.sched_load_balance", "write": "1" } ],
  "topologies": { "gone": { "cpus": "1", "threads": [] } } }
EOJ
VR_CGROUP_ROOT=$F2 daemon_start
wait_for "the gone topology's cpusets removed" 30 test ! -e "$F2/vrouterd"
check "housekeeping cpuset removed" test ! -e "$F2/vrouterd-housekeeping"
check "the root's sched_load_balance back to 1" grep -qx 1 "$F2/cpuset.sched_load_balance"
check "the record is gone" test ! -e "$T/state/cpuset.json"
check "the log says so" grep -q "cpuset: gone is gone: undoing its cpusets" "$T/vrouterd.log"

check "no vrouterd cpuset left" test ! -e "$CG/vrouterd" -a ! -e "$CG/vrouterd-housekeeping"
check "no record left" [ ! -e "$T/state/cpuset.json" ]
snapshot >"$T/after.txt"
check "every cpuset flag as before" diff "$T/before.txt" "$T/after.txt"
finish 0
