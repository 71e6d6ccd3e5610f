#!/bin/bash
# The placement axes of issue 14 through the real daemon:
#   --hugepages is refused before anything is made when the default-size
#   pool has too few free pages (a fake /sys/kernel/mm/hugepages mounted in
#   the sandbox's own mount namespace gives it 10), with the numbers and
#   the sysctl in the message, and nothing is left; the netns backend
#   refuses it; a TCG guest started with --vhost off --vhost-cpu vcpu
#   --vhost-rt 10 shows the options in status and each thread's policy
#   and priority read back (no --rt here: a SCHED_FIFO TCG vCPU would take
#   this 2-CPU machine from everyone else; test_axes.sh reads fifo back);
#   with vhost-net on the host (not here), the vhost threads run
#   SCHED_FIFO 10 on their vCPU's CPU.
#
#   test_placement.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name place \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
HP=/sys/kernel/mm/hugepages
cleanup() {
	mountpoint -q "$HP" && umount "$HP"
	finish "$@"
}
trap 'cleanup 1' INT TERM

need_image
daemon_start

say "--hugepages with 10 free pages of 2 MiB: refused before anything is made"
if ! grep -q '^Hugepagesize: *2048 kB' /proc/meminfo; then
	ok "skipped: the default hugepage size is not 2 MiB here"
elif ! mount -t tmpfs -o size=1m vr-hugepages "$HP"; then
	bad "cannot mount a fake $HP in the sandbox"
else
	mkdir "$HP/hugepages-2048kB"
	echo 10 >"$HP/hugepages-2048kB/nr_hugepages"
	echo 10 >"$HP/hugepages-2048kB/free_hugepages"
	echo 0 >"$HP/hugepages-2048kB/resv_hugepages"
	"$VRCTL" start monolithic --name hp --hugepages >"$T/hp.out" 2>&1
	rc=$?
	cat "$T/hp.out"
	check "refused (exit $rc)" [ $rc != 0 ]
	check "the message gives needed and free pages and the sysctl" \
		grep -q "hugepages: the nodes' memory needs 128 pages of 2048 kB, the host has 10 free (of 10); reserve more with .sysctl vm.nr_hugepages=128." "$T/hp.out"
	check "a start error (-32010)" grep -q -- "-32010" "$T/hp.out"
	check "nothing left behind" nothing_left hp
	check "no state directory" [ ! -e "$T/state/hp" ]
	check "status lists no topology" \
		[ "$(status_field "len(j['topologies'])")" = 0 ]
	umount "$HP"
fi

say "the netns backend refuses --hugepages and --vhost-rt"
"$VRCTL" start monolithic --name hpn --backend netns --hugepages >"$T/hpn.out" 2>&1
check "--hugepages refused (exit $?)" grep -q "the netns backend has no guests: vhost_cpu, vhost_rt and hugepages" "$T/hpn.out"
"$VRCTL" start monolithic --name hpn --backend netns --vhost-rt 10 >"$T/hpn.out" 2>&1
check "--vhost-rt refused" grep -q "the netns backend has no guests" "$T/hpn.out"
check "nothing left behind" nothing_left hpn

say "--vhost off --vhost-cpu vcpu --vhost-rt 10: recorded, read back"
if ! "$VRCTL" --json start monolithic --name vh --cores 2 --pin --vhost off \
	--vhost-cpu vcpu --vhost-rt 10 --timeout 240 >"$T/vh.start" 2>"$T/vh.err"; then
	bad "start: $(cat "$T/vh.err")"
else
	ok "started"
	"$VRCTL" --json status vh >"$T/vh.status"
	"$VRCTL" status vh
	top="j.get('topologies', [j])[0]"
	check "status options: vhost_cpu vcpu, vhost_rt 10, hugepages false" \
		[ "$(json "$T/vh.status" "(lambda t: (t['options']['vhost_cpu'], t['options']['vhost_rt'], t['options']['hugepages']))($top)")" = "('vcpu', 10, False)" ]
	check "a warning says there is no vhost thread to place" \
		[ "$(json "$T/vh.status" "[w for w in $top['warnings'] if 'have no vhost thread to place' in w]" | grep -c 'vhost-net is not in use (off by request (--vhost off)): --vhost-cpu vcpu and --vhost-rt 10')" = 1 ]
	check "every thread has policy and prio" \
		[ "$(json "$T/vh.status" "all('policy' in t and 'prio' in t for t in $top['nodes'][0]['threads'])")" = True ]
	check "vCPU threads: other 0 (no --rt), read back" \
		[ "$(json "$T/vh.status" "sorted(set('%s/%s' % (t['policy'], t['prio']) for t in $top['nodes'][0]['threads'] if t['kind'] == 'vcpu'))")" = "['other/0']" ]
	check "QEMU's main thread: other 0" \
		[ "$(json "$T/vh.status" "[ '%s/%s' % (t['policy'], t['prio']) for t in $top['nodes'][0]['threads'] if t['kind'] == 'emulator'][0]")" = "other/0" ]
	if [ -e /dev/vhost-net ]; then
		check "vhost threads: fifo 10 on their vCPU's CPU" \
			[ "$(json "$T/vh.status" "all(t['policy'] == 'fifo' and t['prio'] == 10 and t['cpus'] == t['planned'] for t in $top['nodes'][0]['threads'] if t['kind'] == 'vhost')")" = True ]
	else
		ok "skipped: no /dev/vhost-net here, no vhost thread to read (vhost off)"
		check "no vhost thread" \
			[ "$(json "$T/vh.status" "len([t for t in $top['nodes'][0]['threads'] if t['kind'] == 'vhost'])")" = 0 ]
	fi
	"$VRCTL" stop vh >/dev/null 2>&1
	check "stopped, nothing left" nothing_left vh
fi
cleanup 0
