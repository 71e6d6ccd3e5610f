#!/bin/sh
# Start vrouterd on a temporary socket and measure `status` round trips with
# 1 and 64 clients, then the daemon's peak RSS.  Prints figures; no verdict.
# usage: bench/run-ctlbench.sh [BUILD_DIR [CALLS_PER_CLIENT]]
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$TOP/build}
CALLS=${2:-2000}
for f in "$B/daemon/vrouterd" "$B/bench/ctlbench" "$B/vrctl/vrctl"; do
	[ -x "$f" ] || { echo "run-ctlbench: build first: $f missing" >&2; exit 1; }
done
T=$(mktemp -d /tmp/ctlbench.XXXXXX) || exit 1
DPID=
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID"
		wait "$DPID"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
printf '{"state_dir": "%s/state"}\n' "$T" >"$T/vrouterd.conf"
"$B/daemon/vrouterd" --foreground --socket "$T/vrouterd.sock" \
	--config "$T/vrouterd.conf" 2>"$T/vrouterd.log" &
DPID=$!
n=100
until "$B/vrctl/vrctl" -s "$T/vrouterd.sock" version >/dev/null 2>&1; do
	n=$((n - 1))
	if [ $n = 0 ] || ! kill -0 "$DPID" 2>/dev/null; then
		echo "run-ctlbench: vrouterd did not start" >&2
		cat "$T/vrouterd.log" >&2
		exit 1
	fi
	sleep 0.1
done
echo "== back to back (saturation; latency = queueing with 64 clients)"
"$B/bench/ctlbench" -s "$T/vrouterd.sock" -n "$CALLS" -c 1,64 || exit 1
echo "== paced: every client 100 calls/s"
"$B/bench/ctlbench" -s "$T/vrouterd.sock" -p "$DPID" -n 300 -r 100 -c 1,64
