# Shared helpers for the integration tests (sourced).  Each test runs inside
# tests/integration/sandbox.sh, so it may create links, namespaces and
# domains freely; the sandbox checks that nothing is left afterwards.
#
# Expects BUILD (the build directory) and SRC (the source tree).

set -u
: "${BUILD:?}" "${SRC:?}"
VROUTERD=$BUILD/daemon/vrouterd
VRCTL=$BUILD/vrctl/vrctl
IMAGE=${VR_TEST_IMAGE:-$BUILD/images/guest}
T=$(mktemp -d /tmp/vrtest.XXXXXX)
# QEMU runs as libvirt-qemu: it must reach images the tests make in here.
chmod 755 "$T"
export VROUTERD_SOCKET=$T/vrouterd.sock
DAEMON_PID=
FAILS=0
CHECKS=0

say() { echo "--- $*"; }
ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}

# The guest image, built once per build tree (cached by build-guest).
need_image() {
	if [ ! -f "$IMAGE/vmlinuz" ] || [ ! -f "$IMAGE/initrd.img" ]; then
		say "building the guest image into $IMAGE"
		"$SRC/images/build-guest" -o "$IMAGE" >"$T/build-guest.log" 2>&1 || {
			cat "$T/build-guest.log"
			echo "cannot build the guest image"
			exit 1
		}
	fi
}

write_config() { # write_config [EXTRA_JSON_MEMBERS]
	cat >"$T/vrouterd.conf" <<EOC
{ "state_dir": "$T/state", "image_dir": "$IMAGE"${1:+, $1} }
EOC
}

daemon_start() {
	[ -f "$T/vrouterd.conf" ] || write_config
	${VR_DAEMON_WRAPPER:-} "$VROUTERD" --foreground --debug --socket "$VROUTERD_SOCKET" \
		--config "$T/vrouterd.conf" >>"$T/vrouterd.log" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 300); do
		if "$VRCTL" version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 $DAEMON_PID 2>/dev/null || break
		sleep 0.1
	done
	echo "vrouterd did not come up:"
	cat "$T/vrouterd.log"
	exit 1
}

daemon_stop() {
	if [ -n "$DAEMON_PID" ]; then
		kill -TERM $DAEMON_PID 2>/dev/null
		wait $DAEMON_PID
		local rc=$?
		DAEMON_PID=
		return $rc
	fi
}

# median N...: the middle value (the lower of the two middle ones).
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# json FILE PYTHON_EXPR: evaluate an expression over the parsed JSON "j".
json() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# Nothing of topology NAME remains (links, namespaces, domains).
nothing_left() {
	local name=$1 l
	l=$(ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^vr-$name-")
	[ -z "$l" ] || { echo "links left: $l"; return 1; }
	l=$(ip netns list | grep "^vr-$name-")
	[ -z "$l" ] || { echo "namespaces left: $l"; return 1; }
	l=$(virsh list --all --name 2>/dev/null | grep "^vrouterd-$name-")
	[ -z "$l" ] || { echo "domains left: $l"; return 1; }
	return 0
}

finish() {
	local rc=0
	if [ -n "$DAEMON_PID" ]; then
		"$VRCTL" stop --all >/dev/null 2>&1
		daemon_stop || true
	fi
	if [ $FAILS -gt 0 ] || [ "${1:-0}" != 0 ]; then
		echo "=== vrouterd log"
		tail -50 "$T/vrouterd.log" 2>/dev/null
		rc=1
	fi
	echo "$((CHECKS - FAILS)) passed, $FAILS failed"
	rm -rf "$T"
	exit $rc
}

# Send N UDP datagrams from the source namespace to the sink, at RATE/s,
# and print how many arrived.
udp_count() { # udp_count NAME N RATE
	local name=$1 n=$2 rate=$3
	ip netns exec "vr-$name-out" python3 - "$n" >"$T/sink.out" 2>&1 <<'EOP' &
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 9000))
print("ready", flush=True)
s.settimeout(3.0)
got = 0
try:
    while got < n:
        s.recv(2048)
        got += 1
except socket.timeout:
    pass
print(got, flush=True)
EOP
	local sink=$!
	for _ in $(seq 50); do grep -q ready "$T/sink.out" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "vr-$name-in" python3 - "$n" "$rate" <<'EOP'
import socket, sys, time
n, rate = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0 = time.monotonic()
for i in range(n):
    while time.monotonic() < t0 + i / rate:
        time.sleep(0.0005)
    s.sendto(i.to_bytes(4, "big") + b"x" * 60, ("198.18.2.2", 9000))
EOP
	wait $sink
	tail -1 "$T/sink.out"
}

# A steady UDP stream with sequence numbers from the source namespace to the
# sink, in the background: udp_stream_start NAME RATE SECONDS, then
# udp_stream_result prints "SENT RECEIVED DISTINCT" (call it directly, not
# in $(...): a subshell cannot wait for the stream).
udp_stream_start() { # NAME RATE SECONDS
	local name=$1 rate=$2 secs=$3
	ip netns exec "vr-$name-out" python3 - "$secs" >"$T/stream-sink.out" 2>&1 <<'EOP' &
import socket, sys, time
secs = float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 9001))
print("ready", flush=True)
s.settimeout(0.5)
seen, got = set(), 0
end = time.monotonic() + secs + 10
while time.monotonic() < end:
    try:
        d = s.recv(2048)
    except socket.timeout:
        if got and time.monotonic() > end - 8:
            break
        continue
    got += 1
    seen.add(int.from_bytes(d[:4], "big"))
    if d[4:8] == b"LAST":
        break
print(got, len(seen), flush=True)
EOP
	STREAM_SINK=$!
	for _ in $(seq 50); do grep -q ready "$T/stream-sink.out" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "vr-$name-in" python3 - "$rate" "$secs" >"$T/stream-src.out" 2>&1 <<'EOP' &
import socket, sys, time
rate, secs = float(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = int(rate * secs)
t0 = time.monotonic()
for i in range(n):
    while time.monotonic() < t0 + i / rate:
        time.sleep(0.001)
    s.sendto(i.to_bytes(4, "big") + (b"LAST" if i == n - 1 else b"data") + b"x" * 56, ("198.18.2.2", 9001))
print(n, flush=True)
EOP
	STREAM_SRC=$!
}

udp_stream_result() {
	wait "$STREAM_SRC"
	wait "$STREAM_SINK"
	echo "$(tail -1 "$T/stream-src.out") $(tail -1 "$T/stream-sink.out")"
}

# wait_for DESCRIPTION SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local d=$1 secs=$2 i
	shift 2
	for i in $(seq $((secs * 10))); do
		if "$@" >/dev/null 2>&1; then
			ok "$d (after $((i * 100)) ms)"
			return 0
		fi
		sleep 0.1
	done
	bad "$d (not within $secs s)"
	return 1
}

# status_field EXPR: evaluate EXPR over `vrctl --json status` as "j".
status_field() {
	"$VRCTL" --json status >"$T/sf.json" 2>/dev/null || return 1
	json "$T/sf.json" "$1"
}
