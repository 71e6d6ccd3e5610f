#!/bin/bash
# Fault injection across every step of `start` (issue 6): vrouterd is made
# to fail right after each step in turn (VROUTERD_FAULT=STEP, a test hook in
# daemon/deploy.c), on a PVR with two VRs so that ports, internal networks,
# the splitter, links, domains, readiness and pinning are all exercised.
# Each time: a clear error naming the step, nothing left behind, and the
# daemon still serves (and a normal start works at the end).
#
#   test_faults.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name faults -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
need_image

for step in image check ports networks links domain ready pin; do
	say "fault after step: $step"
	VR_DAEMON_WRAPPER="env VROUTERD_FAULT=$step" daemon_start
	"$VRCTL" start pvr --vrs 2 --name flt --pin --timeout 180 >"$T/out" 2>&1
	rc=$?
	check "$step: start fails (exit $rc) naming the step" \
		sh -c "[ $rc = 1 ] && grep -q 'failed at $step: fault injected' '$T/out'"
	check "$step: nothing left behind" nothing_left flt
	check "$step: the daemon still answers" "$VRCTL" version
	check "$step: status lists no topology" \
		[ "$(status_field 'len(j["topologies"])')" = 0 ]
	check "$step: vrouterd exits 0" daemon_stop
done

say "and without a fault, the same start works"
daemon_start
check "start pvr --vrs 2" "$VRCTL" start pvr --vrs 2 --name flt --pin --timeout 180
check "it forwards" ip netns exec vr-flt-in ping -c 2 -W 3 198.18.2.2
check "stop" "$VRCTL" stop flt
check "nothing left behind" nothing_left flt
finish 0
