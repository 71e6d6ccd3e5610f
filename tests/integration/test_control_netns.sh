#!/bin/bash
# The control plane with a running topology (issue 18, items 10 and 13).
# The hint of a start refused because a name is taken:
# a running topology of that name points at `vrctl stop NAME`; what a start
# that did not finish left behind (the daemon killed mid-way, its state
# gone) points at `vrctl cleanup`, which then does remove it, and never at
# `vrctl stop`, which cannot.  A stop read while the start of its name
# runs gets -32002.  vrctl's --timeout does not cut a bench whose trial
# lasts longer (only its first line is awaited).  Starts pipelined on one
# connection: 8 pending, the 9th refused at once.  netns backend: no image,
# no libvirtd.
#
#   test_control_netns.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name hint -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

daemon_start

say "a running topology of the name"
check "start hint" "$VRCTL" start monolithic --backend netns --name hint
"$VRCTL" start monolithic --backend netns --name hint >"$T/out" 2>&1
check "a second start exits 1" test $? = 1
check "and says \`vrctl stop hint\`: $(tail -1 "$T/out")" \
	grep -q '`vrctl stop hint`' "$T/out"

say "leftovers of a start that did not finish"
# The daemon dies with the topology up and its state is lost: to the next
# daemon the objects belong to no topology, as after a crash mid-start.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
rm -rf "$T/state/hint"
daemon_start
"$VRCTL" status | grep -q '^hint' && bad "hint was adopted (the test needs it not to be)"
"$VRCTL" start monolithic --backend netns --name hint >"$T/out" 2>&1
check "a start over the leftovers exits 1" test $? = 1
check "with -32005's hint \`vrctl cleanup\`: $(tail -1 "$T/out")" \
	grep -q '`vrctl cleanup`' "$T/out"
check "and not \`vrctl stop\`, which cannot remove them" \
	sh -c "! grep -q 'vrctl stop' '$T/out'"
"$VRCTL" stop hint >"$T/stop" 2>&1
rc=$?
check "(indeed vrctl stop hint fails: $(cat "$T/stop"))" test $rc != 0
check "vrctl cleanup removes them" "$VRCTL" cleanup
check "nothing of hint is left" nothing_left hint
check "and the start then works" \
	"$VRCTL" start monolithic --backend netns --name hint
check "stop" "$VRCTL" stop hint
check "nothing left" nothing_left hint

say "stop while a start runs"
python3 "$SRC/tests/integration/rpcclient.py" "$VROUTERD_SOCKET" \
	stop_while_starting hint >"$T/sws" 2>&1
cat "$T/sws"
CHECKS=$((CHECKS + $(grep -c '^ok ' "$T/sws") + $(grep -c '^FAIL ' "$T/sws")))
FAILS=$((FAILS + $(grep -c '^FAIL ' "$T/sws")))
[ -s "$T/sws" ] || bad "rpcclient.py stop_while_starting printed nothing"
say "vrctl --timeout and a long call"
t0=$(date +%s)
"$VRCTL" --timeout 2 bench hint --sweep 1000 --duration 5 --out "$T/b" \
	>"$T/bench.out" 2>"$T/bench.err"
rc=$?
dt=$(($(date +%s) - t0))
cat "$T/bench.err"
check "a 5 s bench trial is not cut by --timeout 2 (exit $rc, $dt s)" \
	[ $rc = 0 -a $dt -ge 5 ]
check "the daemon's first progress line came at once" \
	grep -q '\[bench\] hint: sweep started' "$T/bench.err"
check "stop after the start" "$VRCTL" stop hint
check "nothing left" nothing_left hint

say "at most 8 requests pending on a connection"
python3 "$SRC/tests/integration/rpcclient.py" "$VROUTERD_SOCKET" \
	pending p 9 >"$T/pend" 2>&1
cat "$T/pend"
CHECKS=$((CHECKS + $(grep -c '^ok ' "$T/pend") + $(grep -c '^FAIL ' "$T/pend")))
FAILS=$((FAILS + $(grep -c '^FAIL ' "$T/pend")))
[ -s "$T/pend" ] || bad "rpcclient.py pending printed nothing"
# (p9 too: it runs if it was not refused)
for i in 1 2 3 4 5 6 7 8 9; do "$VRCTL" stop "p$i" >/dev/null 2>&1; done
for i in 1 2 3 4 5 6 7 8 9; do
	check "nothing of p$i left" nothing_left "p$i"
done

say "an object of the name that is not vrouterd's"
ip netns add vr-hint-vr0
"$VRCTL" start monolithic --backend netns --name hint >"$T/out" 2>&1
check "start exits 1" test $? = 1
check "the hint names cleanup and ip netns del: $(tail -1 "$T/out")" \
	sh -c "grep -q '\`vrctl cleanup\`' '$T/out' &&
	       grep -q '\`ip netns del vr-hint-vr0\`' '$T/out'"
check "the foreign namespace is untouched" ip netns exec vr-hint-vr0 true
ip netns del vr-hint-vr0
check "nothing left" nothing_left hint

finish 0
