#!/bin/bash
# Failure injection for `start`: a missing image, an unreachable libvirt, a
# port name already taken, a guest that never becomes ready.  Each gives a
# clear error naming the step, leaves nothing behind, and the daemon keeps
# serving.
#
#   test_start_failures.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name fail -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start

# expect_fail DESCRIPTION EXIT_CODE PATTERN -- vrctl args...
expect_fail() {
	local d=$1 want_rc=$2 pat=$3
	shift 4
	"$VRCTL" "$@" >"$T/out" 2>&1
	local rc=$?
	if [ $rc = "$want_rc" ] && grep -qE "$pat" "$T/out"; then
		ok "$d: $(head -c 300 "$T/out" | tr '\n' ' ')"
	else
		bad "$d: exit $rc, output: $(cat "$T/out")"
	fi
	[ -n "${KEEP:-}" ] || check "$d: nothing left behind" nothing_left f1
	check "$d: daemon still answers" "$VRCTL" version
}

say "missing image"
expect_fail "missing image" 1 "image|No such file" -- \
	start monolithic --name f1 --image /nonexistent/guest

say "image directory without a kernel"
mkdir -p "$T/empty-image"
expect_fail "image without kernel" 1 "vmlinuz" -- \
	start monolithic --name f1 --image "$T/empty-image"

say "port name taken"
ip link add vr-f1-i type bridge
KEEP=1 expect_fail "port interface exists" 1 "vr-f1-i exists already" -- \
	start monolithic --name f1
check "the foreign interface was not touched" ip link show vr-f1-i
ip link del vr-f1-i
check "port interface exists: nothing else left behind" nothing_left f1

say "a node interface name taken"
ip link add vr-f1-t00 type bridge
KEEP=1 expect_fail "node interface exists" 1 "vr-f1-t00 exists already" -- \
	start monolithic --name f1
ip link del vr-f1-t00
check "node interface exists: nothing else left behind" nothing_left f1

say "guest that never becomes ready"
mkdir -p "$T/mute/root/bin"
cp "$IMAGE/vmlinuz" "$T/mute/vmlinuz"
cp /bin/busybox "$T/mute/root/bin/busybox"
printf '#!/bin/busybox sh\n/bin/busybox echo guest up but mute\nexec /bin/busybox sleep 100000\n' >"$T/mute/root/init"
chmod +x "$T/mute/root/init"
(cd "$T/mute/root" && find . | cpio -o -H newc 2>/dev/null | gzip >"$T/mute/initrd.img")
expect_fail "guest never ready" 1 "did not report ready" -- \
	start monolithic --name f1 --image "$T/mute" --timeout 8

say "unreachable libvirt"
daemon_stop
write_config '"libvirt_uri": "qemu:///system?socket=/nonexistent/libvirt-sock"'
daemon_start
expect_fail "libvirt unreachable" 1 "libvirt" -- start monolithic --name f1
"$VRCTL" --json status >"$T/st.json"
check "status says libvirt is disconnected" \
	[ "$(json "$T/st.json" 'j["libvirt"]["state"]')" = disconnected ]

finish 0
