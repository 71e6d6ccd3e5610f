#!/bin/sh
# Boot the router guest under QEMU (TCG) between a source and a sink network
# namespace, ping through it, then check that an impossible configuration
# gives a VROUTERD-FAIL line.
#
#   vrt-img-PID-src   vp0 198.18.1.2/24, default via 198.18.1.1
#   vrt-img-PID-host  br0 = vh0 + tap0 (guest eth0 198.18.1.1/24)
#                     br1 = vh1 + tap1 (guest eth1 198.18.2.1/24), QEMU runs here
#   vrt-img-PID-dst   vp0 198.18.2.2/24, default via 198.18.2.1
#
# Everything lives in those three namespaces; the trap removes them.
# Exit 77 (skip) when not root or when QEMU or /dev/net/tun is missing.
# Environment: VR_GUEST_IMAGE=DIR boots an existing image instead of
# building one; VR_BOOT_TIMEOUT (default 120) bounds each boot.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout=${VR_BOOT_TIMEOUT:-120}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, taps)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v ip >/dev/null 2>&1 || skip "iproute2 missing"

pfx=vrt-img-$$
MAC0=52:54:00:5e:00:01
MAC1=52:54:00:5e:00:02
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-img.XXXXXX")

. "$root/tests/images/bootnet.sh"

# --- image ---------------------------------------------------------------------
if [ -n "${VR_GUEST_IMAGE:-}" ]; then
	image=$VR_GUEST_IMAGE
else
	"$root/images/build-guest" --check 2>/dev/null ||
		skip "guest build prerequisites missing ($("$root/images/build-guest" --check 2>&1 || :))"
	image=$tmp/image
	"$root/images/build-guest" -o "$image" >/dev/null
fi

# --- namespaces (tests/images/bootnet.sh) ------------------------------------
bootnet_up

# --- boot 1: a working router --------------------------------------------------------
taps=tap0=$MAC0,tap1=$MAC1
echo "booting $image (TCG) ..."
set +e
out=$(ip netns exec "$H" "$root/images/qemu-boot" -w "$timeout" -p "$tmp/qemu.pid" \
	"$image" "$taps" "$tmp/console.log" \
	vr.node=vr0 vr.role=router \
	vr.if=$MAC0,198.18.1.1/24 vr.if=$MAC1,198.18.2.1/24 \
	vr.route=default,198.18.2.2 "vr.neigh=198.18.2.2,$sink_mac" vr.rps=1)
rc=$?
set -e
echo "$out"
[ "$rc" -eq 0 ] || fail "guest not ready (qemu-boot exit $rc)"
echo "$out" | grep -qxE 'VROUTERD-READY node=vr0 uptime_ms=[0-9]+ routes=[0-9]+' ||
	fail "malformed READY line"
[ "$(grep -c '^VROUTERD-' "$tmp/console.log")" -eq 1 ] ||
	fail "expected exactly one VROUTERD- line"
boot_ms=$(echo "$out" | sed -n 's/^boot_ms=//p')
echo "boot time (qemu start -> READY): ${boot_ms} ms"

ping_out=$(ip netns exec "$S" busybox ping -c 3 -i 0.2 -W 5 -w 30 198.18.2.2) ||
	fail "ping 198.18.2.2 from the source through the guest failed: $ping_out"
echo "$ping_out" | tail -n 2
echo "$ping_out" | grep -q " 0% packet loss" || fail "packets lost right after READY"
# One hop: the reply's TTL was decremented once, by the guest.
echo "$ping_out" | grep -q 'ttl=63' || fail "reply did not come through one router hop"
# The sink talked to the guest's eth1 (its MAC), not to anything else.
ip -n "$D" neigh show 198.18.2.1 | grep -q "$MAC1" ||
	fail "sink has no neighbour entry for the guest's eth1"

# --- boot 2: a MAC that matches no NIC -------------------------------------------------
stop_qemu
: >"$tmp/console.log"
set +e
out=$(ip netns exec "$H" "$root/images/qemu-boot" -w "$timeout" -p "$tmp/qemu.pid" \
	"$image" "$taps" "$tmp/console.log" \
	vr.node=vr9 vr.role=router \
	vr.if=$MAC0,198.18.1.1/24 vr.if=52:54:00:de:ad:99,198.18.2.1/24)
rc=$?
set -e
echo "$out"
[ "$rc" -eq 1 ] || fail "expected VROUTERD-FAIL (qemu-boot exit 1), got exit $rc"
echo "$out" | grep -qE '^VROUTERD-FAIL node=vr9 reason=no-nic-with-mac:52:54:00:de:ad:99' ||
	fail "FAIL line does not name the missing MAC"
grep -q '^VROUTERD-READY' "$tmp/console.log" && fail "READY printed despite FAIL"
stop_qemu

echo "PASS: guest boots, forwards, and reports failure"
