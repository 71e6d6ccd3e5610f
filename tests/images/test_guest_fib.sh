#!/bin/sh
# Boot the router guest under QEMU (TCG) with vr.fib=N (--fib-routes) and
# ping through it to an address in the last of its N synthetic prefixes
# (240.0.0.0 + (N-1)*256, "deep in the table"), which the sink holds.
# The guest's default route points back at the source, so only the
# synthetic prefix takes the packets to the sink: the prefix just past the
# table (k = N) must not be reachable.  The READY line must report at
# least N main-FIB prefixes.
#
#   vrt-fib-PID-src   vp0 198.18.1.2/24, default via 198.18.1.1
#   vrt-fib-PID-host  br0/br1 with the guest's taps, QEMU runs here
#   vrt-fib-PID-dst   vp0 198.18.2.2/24 + the deep prefix's .1/32
#
# Exit 77 (skip) when not root or when QEMU or /dev/net/tun is missing.
# Environment: VR_GUEST_IMAGE=DIR boots an existing image; VR_FIB_ROUTES
# (default 100000); VR_FIB_MEMORY (MiB, default 256); VR_BOOT_TIMEOUT
# (default 600) bounds the boot, route installation included.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout=${VR_BOOT_TIMEOUT:-600}
routes=${VR_FIB_ROUTES:-100000}
mem=${VR_FIB_MEMORY:-256}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, taps)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"

pfx=vrt-fib-$$
MAC0=52:54:00:5e:01:01
MAC1=52:54:00:5e:01:02
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-fib.XXXXXX")

. "$root/tests/images/bootnet.sh"

if [ -n "${VR_GUEST_IMAGE:-}" ]; then
	image=$VR_GUEST_IMAGE
else
	"$root/images/build-guest" --check 2>/dev/null ||
		skip "guest build prerequisites missing"
	image=$tmp/image
	"$root/images/build-guest" -o "$image" >/dev/null
fi

bootnet_up
# Prefix k of 240.0.0.0/4 carved in /24s: 240.0.0.0 + k*256 ("A.B.C").
prefix() {
	echo "$((240 + ($1 >> 16))).$((($1 >> 8) & 255)).$(($1 & 255))"
}
deep=$(prefix $((routes - 1))) # the last one installed
past=$(prefix "$routes")       # the first one not installed
ip -n "$D" addr add "$deep.1/32" dev vp0
ip -n "$D" addr add "$past.1/32" dev vp0

echo "booting $image (TCG, $mem MiB) with $routes extra routes ..."
set +e
out=$(ip netns exec "$H" "$root/images/qemu-boot" -m "$mem" -w "$timeout" \
	-p "$tmp/qemu.pid" "$image" "tap0=$MAC0,tap1=$MAC1" "$tmp/console.log" \
	vr.node=vr0 vr.role=router \
	vr.if=$MAC0,198.18.1.1/24 vr.if=$MAC1,198.18.2.1/24 \
	vr.route=default,198.18.1.2 "vr.neigh=198.18.2.2,$sink_mac" \
	"vr.fib=$routes,198.18.2.2")
rc=$?
set -e
echo "$out"
grep -a "vrouterd-init: .* fib " "$tmp/console.log" || :
[ "$rc" -eq 0 ] || fail "guest not ready (qemu-boot exit $rc)"
got=$(echo "$out" | sed -n 's/^VROUTERD-READY .* routes=\([0-9]*\).*/\1/p')
[ -n "$got" ] || fail "READY line has no routes="
[ "$got" -ge "$routes" ] || fail "guest reports $got routes, expected >= $routes"

ping_out=$(ip netns exec "$S" busybox ping -c 3 -i 0.2 -W 5 -w 30 "$deep.1") ||
	fail "ping $deep.1 (prefix $routes of $routes) through the guest failed: $ping_out"
echo "$ping_out" | tail -n 2
echo "$ping_out" | grep -q 'ttl=63' || fail "reply did not come through one router hop"
if ip netns exec "$S" busybox ping -c 2 -i 0.2 -W 2 "$past.1" >/dev/null 2>&1; then
	fail "$past.1 (prefix $routes, not in the table) was reachable: the default route, not the FIB, forwarded"
fi
stop_qemu
echo "PASS: a guest with $got routes forwards to $deep.0/24"
