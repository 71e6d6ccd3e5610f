#!/bin/bash
# Soak: CYCLES (default 200) start/stop cycles of a small netns topology
# (`monolithic --backend netns`), while 64 clients call status all the
# time, with the daemon under ASan (when the build is a sanitizer build)
# or valgrind memcheck (VALGRIND=1; cycles: VALGRIND_CYCLES, default 20).
# At the end: every status call answered, none failed; no fd leaked
# (/proc/PID/fd before and after, counted after a warm-up); RSS growth
# bounded (RSS_MAX_KB, default 2048, after the warm-up); a clean leak
# report at exit; nothing left on the host.  No libvirtd.
#
#   test_cycles.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name cycles -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

CYCLES=${CYCLES:-200}
WARMUP=5
RSS_MAX_KB=${RSS_MAX_KB:-2048}
mode=plain
if [ "${VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null || { echo "SKIP: valgrind missing"; exit 77; }
	mode=valgrind
	CYCLES=${VALGRIND_CYCLES:-20}
	WARMUP=2
	export VR_DAEMON_WRAPPER="valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/valgrind.log"
	RSS_MAX_KB=${RSS_MAX_KB_VALGRIND:-16384} # valgrind's own arenas grow
elif grep -q '^VR_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null; then
	mode=asan
	# a small quarantine, so that RSS says something about leaks
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=97:quarantine_size_mb=4:thread_local_quarantine_size_kb=64:log_path=$T/asan
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$T/ubsan
	RSS_MAX_KB=${RSS_MAX_KB_ASAN:-8192}
fi
say "mode $mode, $CYCLES cycles"

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status"; }
nfds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }

daemon_start
t0=$(date +%s.%N)

# 64 clients, each on its own connection, calling status until told to stop.
python3 - "$VROUTERD_SOCKET" "$T/clients.stop" >"$T/clients.out" 2>&1 <<'EOP' &
import json, os, socket, sys, threading, time
path, stop = sys.argv[1], sys.argv[2]
answered = failed = 0
errors = []
lock = threading.Lock()
def client(k):
    global answered, failed
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    f = s.makefile("rb")
    i = 0
    while not os.path.exists(stop):
        i += 1
        s.sendall(json.dumps({"jsonrpc": "2.0", "id": i, "method": "status"}).encode() + b"\n")
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("connection closed")
            m = json.loads(line)
            if m.get("id") == i:
                break
        with lock:
            if "result" in m:
                answered += 1
            else:
                failed += 1
                errors.append(m.get("error"))
        time.sleep(0.02)
ts = [threading.Thread(target=client, args=(k,)) for k in range(64)]
for t in ts:
    t.start()
print("ready", flush=True)
for t in ts:
    t.join()
print("answered %d failed %d" % (answered, failed), flush=True)
for e in errors[:5]:
    print("error", e, flush=True)
EOP
CLIENTS=$!
for _ in $(seq 100); do grep -q ready "$T/clients.out" 2>/dev/null && break; sleep 0.1; done

cycle() { # cycle K: one start and one stop, both must succeed
	"$VRCTL" start monolithic --backend netns --name cyc >"$T/c.out" 2>&1 &&
		"$VRCTL" stop cyc >>"$T/c.out" 2>&1 || {
		echo "cycle $1 failed:"
		cat "$T/c.out"
		return 1
	}
}

cfail=0
for k in $(seq "$WARMUP"); do cycle "w$k" || cfail=$((cfail + 1)); done
fd0=$(nfds)
rss0=$(rss_kb)
tc=$(date +%s.%N)
for k in $(seq "$CYCLES"); do
	cycle "$k" || cfail=$((cfail + 1))
	[ $((k % 50)) = 0 ] && echo "cycle $k: fds $(nfds), rss $(rss_kb) kB"
done
tc1=$(date +%s.%N)
fd1=$(nfds)
rss1=$(rss_kb)
touch "$T/clients.stop"
wait $CLIENTS
cat "$T/clients.out"
calls=$(awk '/^answered/ {print $2}' "$T/clients.out")
cfailed=$(awk '/^answered/ {print $4}' "$T/clients.out")

check "$CYCLES cycles, every start and stop succeeded ($cfail failed)" [ $cfail = 0 ]
echo "cycles: $CYCLES in $(echo "$tc1 - $tc" | bc) s; fds $fd0 -> $fd1; rss $rss0 -> $rss1 kB"
check "no fd leaked ($fd0 -> $fd1)" [ "$fd1" -le "$fd0" ]
check "RSS growth bounded: $((rss1 - rss0)) kB (< $RSS_MAX_KB)" \
	[ $((rss1 - rss0)) -lt "$RSS_MAX_KB" ]
check "status calls answered during the cycles: ${calls:-none}" \
	[ -n "$calls" ] && [ "$calls" -gt 0 ]
check "no status call failed (${cfailed:-?})" [ "${cfailed:-1}" = 0 ]
check "nothing left" nothing_left cyc

daemon_stop
rc=$?
check "vrouterd exited cleanly under $mode (rc $rc)" [ $rc = 0 ]
if [ $mode = valgrind ]; then
	cat "$T/valgrind.log"
	check "valgrind: no errors, no leaks" [ ! -s "$T/valgrind.log" ]
elif [ $mode = asan ]; then
	cat "$T"/asan* "$T"/ubsan* 2>/dev/null
	check "ASan/UBSan: no report" sh -c "! ls '$T'/asan* '$T'/ubsan* >/dev/null 2>&1"
fi
echo "total $(echo "$(date +%s.%N) - $t0" | bc) s"
finish 0
