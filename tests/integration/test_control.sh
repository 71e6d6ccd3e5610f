#!/bin/sh
# The control plane end to end: a real vrouterd on a temporary socket,
# driven through vrctl and a raw JSON-RPC client (rpcclient.py).
#
# usage: test_control.sh [VROUTERD [VRCTL]]
#   VALGRIND=1  run the daemon under valgrind memcheck; it must exit clean
# Needs root (setpriv to nobody, socket ownership); exits 77 (skip) if not.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
VROUTERD=${1:-$TOP/build/daemon/vrouterd}
VRCTL=${2:-$TOP/build/vrctl/vrctl}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
RPC="$PY $HERE/rpcclient.py"
VALGRIND=${VALGRIND:-0}

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: test_control.sh needs root (it runs clients as nobody" \
	     "through setpriv)"
	exit 77
fi
for t in "$VROUTERD" "$VRCTL" "$PY"; do
	[ -x "$t" ] || { echo "FAIL: $t is not executable"; exit 1; }
done
if [ "$VALGRIND" = 1 ] && ! command -v valgrind >/dev/null; then
	echo "SKIP: VALGRIND=1 but valgrind is not installed"
	exit 77
fi

T=$(mktemp -d /tmp/vrouterd-ctl.XXXXXX) || exit 1
chmod 755 "$T" # nobody must reach the socket
SOCK=$T/run/vrouterd.sock
CONF=$T/vrouterd.conf
LOG=$T/vrouterd.log
DPID= NPID= XPID=
pass=0
fail=0
# valgrind is slow: scale every bounded wait
SLOW=1
[ "$VALGRIND" = 1 ] && SLOW=10
export RPC_TIMEOUT=$((10 * SLOW))

cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	for p in $NPID $XPID; do
		if kill -0 "$p" 2>/dev/null; then
			kill "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
# Run a scenario of rpcclient.py; count its ok/FAIL lines.
scenario() {
	out=$($RPC "$@" 2>&1)
	rc=$?
	echo "$out"
	if [ $rc != 0 ] && ! echo "$out" | grep -q '^FAIL '; then
		bad "rpcclient.py $2 crashed (exit $rc)"
	fi
	pass=$((pass + $(echo "$out" | grep -c '^ok ')))
	fail=$((fail + $(echo "$out" | grep -c '^FAIL ')))
}
# wait_for N COMMAND...: poll every 0.1 s, at most N tries
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
daemon_alive() { kill -0 "$DPID" 2>/dev/null; }

write_conf() { # write_conf IDLE_TIMEOUT [MORE_KEYS,]
	cat >"$CONF" <<EOF
{
  ${2:-}
  "libvirt_uri": "test:///default",
  "state_dir": "$T/state",
  "idle_timeout": $1,
  "client_outbuf_max": 262144,
  "socket_mode": "0666"
}
EOF
}

# --- configuration check (-n) ---------------------------------------------
write_conf 60
check "-n accepts a good config" \
	sh -c "'$VROUTERD' -n -c '$CONF' | grep -qx 'configuration OK'"
echo '{"idle_timeout": "x"}' >"$T/bad.conf"
check "-n names the file and key of a bad config" \
	sh -c "'$VROUTERD' -n -c '$T/bad.conf' 2>&1 |
	       grep -q 'bad.conf: idle_timeout: must be an integer'"
check "-n fails on a bad config" sh -c "! '$VROUTERD' -n -c '$T/bad.conf' 2>/dev/null"
echo '{"frobs": 1}' >"$T/bad2.conf"
check "-n rejects an unknown key" \
	sh -c "'$VROUTERD' -n -c '$T/bad2.conf' 2>&1 | grep -q 'frobs: unknown key'"
check "-n fails on a missing named config" \
	sh -c "! '$VROUTERD' -n -c '$T/missing.conf' 2>/dev/null"
check "vrouterd --help" sh -c "'$VROUTERD' --help | grep -q -- --check-config"

# --- start, with sd_notify ------------------------------------------------
$RPC "$T/notify.sock" notify-listen "$T/notify.out" $((60 * SLOW)) &
NPID=$!
wait_for 50 test -S "$T/notify.sock" || bad "notify listener did not start"

VG=
if [ "$VALGRIND" = 1 ]; then
	VG="valgrind --leak-check=full --show-leak-kinds=definite,indirect
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
	    --track-fds=no --log-file=$T/valgrind.log"
fi
NOTIFY_SOCKET=$T/notify.sock $VG "$VROUTERD" --foreground --debug \
	--socket "$SOCK" --config "$CONF" 2>"$LOG" &
DPID=$!
if ! wait_for $((100 * SLOW)) "$VRCTL" -s "$SOCK" version; then
	bad "vrouterd did not become ready"
	cat "$LOG"
	exit 1
fi
ok "vrouterd listening on $SOCK"
check "READY=1 sent over NOTIFY_SOCKET" \
	wait_for $((50 * SLOW)) grep -q '^READY=1' "$T/notify.out"
check "socket mode 0666 (from the config)" \
	test "$(stat -c %a "$SOCK")" = 666
check "socket directory created 0755" \
	test "$(stat -c %a "$T/run")" = 755

# --- vrctl ------------------------------------------------------------------
"$VRCTL" -s "$SOCK" status >"$T/status.txt" 2>&1
check "vrctl status exits 0" test $? = 0
cat "$T/status.txt"
check "status text shows the accelerator" grep -q '^accel ' "$T/status.txt"
check "status text shows vhost" grep -q '^vhost ' "$T/status.txt"
check "status text shows the host" grep -q '^host .*CPUs' "$T/status.txt"
if [ -d /sys/module/kvm_pvm ] && [ ! -d /sys/module/kvm_intel ] &&
	[ ! -d /sys/module/kvm_amd ]; then
	check "auto picks tcg because of kvm_pvm" \
		grep -q '^accel .*tcg (default auto): auto: tcg, because /dev/kvm comes from kvm_pvm' \
		"$T/status.txt"
fi
if [ ! -e /dev/vhost-net ]; then
	check "vhost off: userspace virtio fallback" \
		grep -q '^vhost .*off: .*userspace virtio fallback' "$T/status.txt"
fi
"$VRCTL" -s "$SOCK" --json status >"$T/status.json"
check "vrctl --json status exits 0" test $? = 0
check "status JSON has every section and our pid" $PY -c "
import json, sys
d = json.load(open('$T/status.json'))
for k in ('daemon', 'host', 'accel', 'vhost', 'libvirt', 'topologies'):
    assert k in d, k
assert d['daemon']['pid'] == $DPID, d['daemon']
assert d['daemon']['socket'] == '$SOCK'
assert d['daemon']['protocol'] == 1
assert d['host']['cpus'] >= 1 and d['host']['online']
assert d['accel']['selected'] in ('kvm', 'tcg') and d['accel']['reason']
assert isinstance(d['vhost']['available'], bool) and d['vhost']['reason']
assert isinstance(d['topologies'], list)
"
check "vrctl --json version" sh -c \
	"'$VRCTL' -s '$SOCK' --json version | $PY -c 'import json,sys; d=json.load(sys.stdin); assert d[\"protocol\"]==1 and d[\"version\"] and d[\"build\"]'"
check "VROUTERD_SOCKET is honoured" \
	env VROUTERD_SOCKET="$SOCK" "$VRCTL" version
check "vrctl --help exits 0" sh -c "'$VRCTL' --help | grep -q status"
check "vrctl status --help exits 0" sh -c "'$VRCTL' status --help | grep -q usage"
"$VRCTL" -s "$SOCK" frobnicate 2>/dev/null
check "unknown verb exits 2" test $? = 2
"$VRCTL" -s "$SOCK" status one extra 2>/dev/null
check "extra argument exits 2" test $? = 2
"$VRCTL" -s "$SOCK" status nothere >/dev/null 2>&1
check "status of a topology that does not run exits 1" test $? = 1
"$VRCTL" -s "$SOCK" start monolithic --cores x 2>/dev/null
check "bad number exits 2" test $? = 2
"$VRCTL" -s "$SOCK" stop 2>/dev/null
check "stop without NAME or --all exits 2" test $? = 2
"$VRCTL" -s "$T/nonexistent.sock" status 2>"$T/err.txt"
check "no daemon exits 3" test $? = 3
check "and names the socket and how to start" \
	sh -c "grep -q '$T/nonexistent.sock' '$T/err.txt' && grep -q 'vrouterd' '$T/err.txt'"

# --- malformed input and misbehaving clients -------------------------------
scenario "$SOCK" malformed
scenario "$SOCK" bigline
scenario "$SOCK" vanish
scenario "$SOCK" slowreader $((30 * SLOW))
scenario "$SOCK" concurrent 64
scenario "$SOCK" maxclients 256
# bench params another client sends: the table of cases vrctl is tested
# against too (test_bench_cli.sh, test_benchparam); refused before vrgen
scenario "$SOCK" bench_params "$TOP/tests/bench_params.json"
check "the slow reader was logged as dropped" \
	grep -q 'does not read its replies' "$LOG"

# --- permissions ------------------------------------------------------------
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
check "nobody can read status" $NOBODY "$VRCTL" -s "$SOCK" status
$NOBODY "$VRCTL" -s "$SOCK" stop nosuch 2>"$T/perm.txt"
check "nobody's stop exits 1" test $? = 1
check "and the error names the group" \
	grep -q 'permission denied.*group "vrouter"' "$T/perm.txt"
out=$($NOBODY $RPC "$SOCK" call reload null -32001)
echo "$out"
check "nobody's reload gets -32001" sh -c "echo '$out' | grep -q '^ok '"
check "the -32001 message names the group" \
	sh -c "echo '$out' | grep -q 'group \\\\\"vrouter\\\\\"'"

# The access rule before the params: a refused peer learns nothing of them.
for req in 'start {"topology":"monolithic","cores":0}' 'stop {"bogus":1}' \
	'start {}'; do
	out=$($NOBODY $RPC "$SOCK" call ${req%% *} "${req#* }" -32001)
	echo "$out"
	check "nobody's $req gets -32001, not -32602" \
		sh -c "echo '$out' | grep -q '^ok '"
done
scenario "$SOCK" call start '{"topology":"monolithic","cores":0}' -32602

# --- hostile peers: reserved slots, per-uid limit, request deadline ---------
# nobody trickles a byte every 0.2 s on as many connections as it may;
# root still gets in, nobody's next vrctl is told why it is refused, and
# every trickler is cut request_timeout s after its first byte.
RT=$((3 * SLOW))
mkdir "$T/nb" && chown nobody "$T/nb"
write_conf 60 '"max_clients": 40, "reserved_clients": 8,
  "max_clients_per_uid": 64, "request_timeout": '$RT','
check "reload with the connection limits" $RPC "$SOCK" call reload
$NOBODY $RPC "$SOCK" trickle 40 32 reserved "$T/nb/ready1" $RT \
	>"$T/trickle1.out" 2>&1 &
XPID=$!
wait_for $((100 * SLOW)) test -e "$T/nb/ready1"
check "root gets status while nobody holds all it may" \
	"$VRCTL" -s "$SOCK" status
$NOBODY "$VRCTL" -s "$SOCK" version >/dev/null 2>"$T/full.txt"
check "nobody's vrctl is refused (exit 1)" test $? = 1
check "and prints the daemon's reason: $(cat "$T/full.txt")" \
	grep -q 'server full for unprivileged peers' "$T/full.txt"
wait $XPID
XPID=
cat "$T/trickle1.out"
pass=$((pass + $(grep -c '^ok ' "$T/trickle1.out")))
fail=$((fail + $(grep -c '^FAIL ' "$T/trickle1.out")))

write_conf 60 '"max_clients": 40, "reserved_clients": 8,
  "max_clients_per_uid": 4, "request_timeout": '$RT','
check "reload with max_clients_per_uid 4" $RPC "$SOCK" call reload
$NOBODY $RPC "$SOCK" trickle 6 4 uid "$T/nb/ready2" $RT \
	>"$T/trickle2.out" 2>&1 &
XPID=$!
wait_for $((100 * SLOW)) test -e "$T/nb/ready2"
$NOBODY "$VRCTL" -s "$SOCK" version >/dev/null 2>"$T/uid.txt"
check "nobody's 5th connection is refused (exit 1)" test $? = 1
check "naming the uid and the limit: $(cat "$T/uid.txt")" \
	grep -q 'too many connections from uid 65534 (4 open, the limit is 4)' \
	"$T/uid.txt"
check "root is not held to the per-uid limit" \
	$RPC "$SOCK" concurrent 8
wait $XPID
XPID=
cat "$T/trickle2.out"
pass=$((pass + $(grep -c '^ok ' "$T/trickle2.out")))
fail=$((fail + $(grep -c '^FAIL ' "$T/trickle2.out")))
write_conf 60
check "reload back to the defaults" $RPC "$SOCK" call reload
# Out of descriptors, accept pauses for root too: the daemon makes room
# for max_clients (+256) when the hard limit allows.
if [ "$VALGRIND" != 1 ] && prlimit --pid "$DPID" --nofile=100: 2>/dev/null; then
	$RPC "$SOCK" call reload >/dev/null
	soft=$(awk '/^Max open files/ {print $4}' "/proc/$DPID/limits")
	check "RLIMIT_NOFILE raised from 100 for max_clients 256 ($soft)" \
		[ "$soft" -ge 512 ]
fi

# --- vrctl against a daemon that accepts and never answers ------------------
$RPC "$T/mute.sock" mute $((20 * SLOW)) &
XPID=$!
wait_for 50 test -S "$T/mute.sock"
t0=$(date +%s%N)
VRCTL_TIMEOUT=2 "$VRCTL" -s "$T/mute.sock" status 2>"$T/mute.txt"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "vrctl gives up on a mute daemon (exit 3)" test $rc = 3
check "after \$VRCTL_TIMEOUT=2 s ($ms ms)" [ "$ms" -ge 1900 -a "$ms" -lt 5000 ]
check "saying so: $(cat "$T/mute.txt")" grep -q 'sent nothing for 2 s' "$T/mute.txt"
"$VRCTL" -s "$T/mute.sock" --timeout 1 start monolithic 2>"$T/mute2.txt"
check "a start waits --timeout 1 for its first line (exit 3)" test $? = 3
"$VRCTL" -s "$T/mute.sock" --timeout x status 2>/dev/null
check "--timeout x is a usage error" test $? = 2
kill $XPID 2>/dev/null
wait $XPID 2>/dev/null
XPID=

# --- reload -----------------------------------------------------------------
scenario "$SOCK" call reload
cp "$CONF" "$T/good.conf"
echo '{"max_clients": 0}' >"$CONF"
scenario "$SOCK" call reload null -32007
kill -HUP "$DPID"
check "SIGHUP with a bad config is logged" \
	wait_for $((50 * SLOW)) grep -q 'max_clients: must be an integer' "$LOG"
check "and the daemon keeps serving" "$VRCTL" -s "$SOCK" version
write_conf 1
kill -HUP "$DPID"
check "SIGHUP reloads" wait_for $((50 * SLOW)) grep -q 'configuration reloaded' "$LOG"
scenario "$SOCK" idle $((5 * SLOW))
check "the idle client was logged" grep -q 'idle for 1 s: dropped' "$LOG"

# --- shutdown ---------------------------------------------------------------
kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
if [ "$VALGRIND" = 1 ]; then
	check "vrouterd exits 0 under valgrind (99 = memcheck errors)" test $rc = 0
	grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$T/valgrind.log"
	[ $rc = 0 ] || cat "$T/valgrind.log"
else
	check "vrouterd exits 0 on SIGTERM" test $rc = 0
fi
check "the socket is removed" test ! -e "$SOCK"
check "STOPPING=1 sent" wait_for 50 grep -q '^STOPPING=1' "$T/notify.out"
if [ $fail -gt 0 ]; then
	echo "--- daemon log (last 40 lines)"
	tail -40 "$LOG"
fi
echo "test_control: $pass passed, $fail failed"
[ $fail = 0 ]
