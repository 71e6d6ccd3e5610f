#!/bin/bash
# Benchmark: forwarding rate of a monolithic VR at a few offered rates
# (64-byte UDP frames from the source namespace to the sink, paced per
# millisecond), counted on the sink's interface.  A stop-gap generator until
# vrgen lands; Python tops out around 150-300 Kpps, far above what a TCG
# guest forwards.
#
#   bench/tcg-forward.sh BUILD_DIR [RATES] [SECONDS] [START_ARGS...]
#   e.g. bench/tcg-forward.sh build "2000 5000 10000 20000" 3 --cores 2 --pin
BUILD=$(realpath "$1")
RATES=${2:-2000 5000 10000 20000 40000}
SECS=${3:-3}
shift 3 2>/dev/null || shift $#
SRC=$(realpath "$(dirname "$0")/..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name bfwd -- \
		"$0" "$BUILD" "$RATES" "$SECS" "$@"
fi
. "$SRC/tests/integration/common.sh"
need_image
daemon_start
"$VRCTL" start monolithic --name fwd "$@" >/dev/null 2>&1 || {
	echo "start failed"
	finish 1
}
rx() { ip netns exec vr-fwd-out cat /sys/class/net/vp0/statistics/rx_packets; }
echo "offered_pps forwarded_pps loss_ratio   (${SECS} s per rate, 64-byte frames, start args: $*)"
for rate in $RATES; do
	before=$(rx)
	ip netns exec vr-fwd-in python3 - "$rate" "$SECS" <<'EOP'
import socket, sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 22  # 14 + 20 + 8 + 22 = 64-byte frames (without FCS)
dst = ("198.18.2.2", 9)
t0 = time.monotonic()
sent = 0
total = int(rate * secs)
while sent < total:
    due = min(total, int((time.monotonic() - t0) * rate) + 1)
    while sent < due:
        try:
            s.sendto(payload, dst)
        except BlockingIOError:
            pass
        sent += 1
    time.sleep(0.0005)
EOP
	sleep 0.5 # drain
	after=$(rx)
	fwd=$((after - before))
	total=$(awk -v r="$rate" -v s="$SECS" 'BEGIN {print int(r * s)}')
	awk -v r="$rate" -v f="$fwd" -v s="$SECS" -v t="$total" \
		'BEGIN { printf "%11d %13.0f %10.3f\n", r, f / s, 1 - f / t }'
done
"$VRCTL" stop fwd >/dev/null 2>&1
daemon_stop
rm -rf "$T"
