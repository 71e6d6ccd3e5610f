#!/bin/sh
# The router kernel from source, end to end: build it (or take it from the
# cache keyed by its inputs), build a guest with `build-guest --kernel router`,
# boot it under QEMU (TCG, 2 vCPUs) between a source and a sink namespace and
# ping through it; then boot the Debian-kernel guest the same way, in the same
# run, and print both boot times and sizes.
#
#   vrt-kb-PID-src   vp0 198.18.1.2/24, default via 198.18.1.1
#   vrt-kb-PID-host  br0 = vh0 + tap0 (guest eth0 198.18.1.1/24)
#                    br1 = vh1 + tap1 (guest eth1 198.18.2.1/24), QEMU runs here
#   vrt-kb-PID-dst   vp0 198.18.2.2/24, default via 198.18.2.2
#
# Asserts: the guest image (vmlinuz + initrd.img) is under 4 MiB, carries no
# modules, its manifest names the kernel (source built, config router, the
# bzImage's sha256); the guest reaches READY with both vCPUs (RPS mask 3) and
# forwards (TTL 63, no loss). The Debian guest's result is reported only.
# Exit 77 (skip) when not root, or QEMU, /dev/net/tun or the kernel build
# packages are missing. Environment: VR_KERNEL_CACHE (build-kernel's cache),
# VR_BOOT_TIMEOUT (default 180) bounds each boot, VR_KERNEL_ARCH=i386 tests
# the 32-bit guest instead (kernel ARCH=i386, busybox-static:i386; skips when
# i386 packages are not available), VR_KERNEL_CONFIG=NAME another
# configuration (default router; the 4 MiB bound is for router only).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout=${VR_BOOT_TIMEOUT:-180}
arch=${VR_KERNEL_ARCH:-x86_64}
kconf=${VR_KERNEL_CONFIG:-router}
LIMIT=$((4 * 1024 * 1024))
[ "$kconf" = router ] || LIMIT=$((16 * 1024 * 1024))

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, taps)"
command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"
[ -c /dev/net/tun ] || skip "/dev/net/tun missing"
command -v ip >/dev/null 2>&1 || skip "iproute2 missing"
command -v python3 >/dev/null 2>&1 || skip "python3 missing"
why=$("$root/images/build-kernel" --check 2>&1) || skip "$why"
why=$("$root/images/build-guest" --kernel router --check 2>&1) || skip "$why"
case $arch in
x86_64) ;;
i386)
	# busybox-static:i386 comes from the cache or apt-get download.
	bbver=$(dpkg-query -W -f='${Version}' busybox-static)
	if [ ! -x "${VR_KERNEL_CACHE:-$root/build/kernel-cache}/debs/busybox-static_i386_$bbver/bin/busybox" ]; then
		dpkg --print-foreign-architectures | grep -qx i386 ||
			skip "no i386 architecture (dpkg --add-architecture i386; apt-get update)"
		apt-cache show "busybox-static:i386=$bbver" >/dev/null 2>&1 ||
			skip "busybox-static:i386=$bbver not in the package lists (apt-get update)"
	fi
	;;
*) skip "VR_KERNEL_ARCH must be x86_64 or i386" ;;
esac

pfx=vrt-kb-$$
MAC0=52:54:00:5e:01:01
MAC1=52:54:00:5e:01:02
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-kb.XXXXXX")

. "$root/tests/images/bootnet.sh"

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# --- kernel and images -------------------------------------------------------------
t0=$(now_ms)
"$root/images/build-kernel" --config "$kconf" --arch "$arch" -o "$tmp/kernel" ||
	fail "build-kernel --config $kconf --arch $arch failed"
t1=$(now_ms)
kbuild_ms=$((t1 - t0))
# --no-bird: the 4 MiB bound is the plain router's (BIRD, for --routing
# ospf, adds ~3 MB: docs/images.md)
"$root/images/build-guest" --no-bird --kernel "$kconf" --arch "$arch" -o "$tmp/img-router" >"$tmp/bg.log" ||
	{ cat "$tmp/bg.log"; fail "build-guest --kernel $kconf failed"; }
cat "$tmp/bg.log"
# The same kernel given as a path (the -o directory with its manifest.json,
# then a bare bzImage copy) gives the same vmlinuz and initrd.img.
"$root/images/build-guest" --no-bird --kernel "$tmp/kernel" -o "$tmp/img-path" >/dev/null ||
	fail "build-guest --kernel DIR failed"
cp "$tmp/kernel/bzImage" "$tmp/bzImage"
"$root/images/build-guest" --no-bird --kernel "$tmp/bzImage" --arch "$arch" -o "$tmp/img-bare" >/dev/null ||
	fail "build-guest --kernel BZIMAGE failed"
for f in vmlinuz initrd.img; do
	cmp -s "$tmp/img-router/$f" "$tmp/img-path/$f" ||
		fail "$f differs between --kernel router and --kernel DIR"
done
cmp -s "$tmp/img-router/vmlinuz" "$tmp/img-bare/vmlinuz" ||
	fail "vmlinuz differs between --kernel router and --kernel BZIMAGE"
debian=1
if "$root/images/build-guest" --check >/dev/null 2>&1; then
	"$root/images/build-guest" -o "$tmp/img-debian" >/dev/null ||
		fail "build-guest (debian kernel) failed"
else
	debian=0
	echo "note: no Debian kernel guest to compare with ($("$root/images/build-guest" --check 2>&1 || :))"
fi

python3 - "$tmp/kernel" "$tmp/img-router" "$tmp/img-bare" "$LIMIT" "$arch" "$kconf" <<'EOF'
import hashlib, json, os, sys

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

kdir, img, bare, limit, arch, conf = sys.argv[1:4] + [int(sys.argv[4])] + sys.argv[5:7]
km = json.load(open(os.path.join(kdir, "manifest.json")))
for k in ("arch", "bzimage", "compiler", "config", "fragment_sha256", "fragments",
          "kernel_release", "key", "make_command", "source", "source_date_epoch",
          "build_seconds"):
    if k not in km:
        fail("kernel manifest lacks %r" % k)
if km["bzimage"]["sha256"] != sha(os.path.join(kdir, "bzImage")):
    fail("bzImage does not match its manifest")
if km["config"] != conf or km["source"]["package"] != "linux-source-6.1" \
        or km["arch"] != arch:
    fail("kernel manifest: config %r source %r" % (km["config"], km["source"]))

m = json.load(open(os.path.join(img, "manifest.json")))
if list(m) != sorted(m):
    fail("guest manifest keys not sorted")
for k in ("format", "inputs", "kernel", "kernel_version", "modules", "outputs",
          "packages", "source_date_epoch", "total_size"):
    if k not in m:
        fail("guest manifest lacks %r" % k)
k = m["kernel"]
if list(k) != sorted(k):
    fail("kernel object keys not sorted")
want = {"source": "built", "config": conf, "version": km["kernel_release"],
        "sha256": km["bzimage"]["sha256"], "package": "linux-source-6.1",
        "package_version": km["source"]["version"], "arch": arch}
for key, val in want.items():
    if k.get(key) != val:
        fail("manifest kernel.%s is %r, expected %r" % (key, k.get(key), val))
if m["kernel_version"] != km["kernel_release"]:
    fail("kernel_version %r != %r" % (m["kernel_version"], km["kernel_release"]))
if m["modules"] != []:
    fail("a built kernel's guest has modules %r" % m["modules"])
if m["source_date_epoch"] != km["source_date_epoch"]:
    fail("guest source_date_epoch is not the kernel's")
bb = "busybox-static" if arch == "x86_64" else "busybox-static:" + arch
if "linux-source-6.1" not in m["packages"] or bb not in m["packages"]:
    fail("packages %r" % m["packages"])
if not any(i["package"] == bb and i["path"].endswith("/bin/busybox") for i in m["inputs"]):
    fail("no %s busybox among the inputs" % bb)
if m["total_size"] >= limit:
    fail("guest is %d bytes, not under %d" % (m["total_size"], limit))
# A bare bzImage (no build-kernel manifest next to it): the version still
# comes from the image's setup header; config and package are unknown.
b = json.load(open(os.path.join(bare, "manifest.json")))["kernel"]
if (b["version"], b["config"], b["package"], b["source"]) != \
        (km["kernel_release"], "unknown", None, "built"):
    fail("bare bzImage: kernel object %r" % b)
print("manifests ok: kernel %s (%s), %d modules, guest %d bytes"
      % (k["version"], k["config"], len(m["modules"]), m["total_size"]))
EOF

size_of() { stat -c %s "$1"; }
ksize=$(size_of "$tmp/kernel/bzImage")
gsize=$(($(size_of "$tmp/img-router/vmlinuz") + $(size_of "$tmp/img-router/initrd.img")))
[ "$gsize" -lt "$LIMIT" ] || fail "guest is $gsize bytes, not under $LIMIT"

# --- namespaces (tests/images/bootnet.sh) ------------------------------------
bootnet_up
taps=tap0=$MAC0,tap1=$MAC1

# boot IMAGE: boot with 2 vCPUs, wait for the status line; sets $boot_ms and
# $uptime_ms; returns qemu-boot's exit status.
boot() {
	stop_qemu
	: >"$tmp/console.log"
	set +e
	out=$(ip netns exec "$H" "$root/images/qemu-boot" -c 2 -w "$timeout" \
		-p "$tmp/qemu.pid" "$1" "$taps" "$tmp/console.log" \
		vr.node=vr0 vr.role=router \
		vr.if=$MAC0,198.18.1.1/24 vr.if=$MAC1,198.18.2.1/24 \
		vr.route=default,198.18.2.2 "vr.neigh=198.18.2.2,$sink_mac" vr.rps=1)
	brc=$?
	set -e
	echo "$out"
	boot_ms=$(echo "$out" | sed -n 's/^boot_ms=//p')
	uptime_ms=$(echo "$out" | sed -n 's/^VROUTERD-READY .*uptime_ms=\([0-9]*\).*/\1/p')
	return "$brc"
}

ping_through() {
	ping_out=$(ip netns exec "$S" busybox ping -c 3 -i 0.2 -W 5 -w 30 198.18.2.2) ||
		fail "ping 198.18.2.2 through the guest failed: $ping_out"
	echo "$ping_out" | tail -n 2
	echo "$ping_out" | grep -q " 0% packet loss" || fail "packets lost right after READY"
	echo "$ping_out" | grep -q 'ttl=63' || fail "reply did not come through one router hop"
}

# --- boot 1: the router kernel ----------------------------------------------------------
echo "booting the $arch $kconf-kernel guest (TCG, 2 vCPUs) ..."
boot "$tmp/img-router" || fail "router-kernel guest not ready (qemu-boot exit $brc)"
echo "$out" | grep -qxE 'VROUTERD-READY node=vr0 uptime_ms=[0-9]+ routes=[0-9]+' ||
	fail "malformed READY line"
[ "$(grep -c '^VROUTERD-' "$tmp/console.log")" -eq 1 ] ||
	fail "expected exactly one VROUTERD- line"
# Both vCPUs came up (SMP from the MP table) and RPS spreads over them.
grep -q 'vrouterd-init: .* rps mask 3 on' "$tmp/console.log" ||
	fail "guest did not see 2 CPUs (no 'rps mask 3' in the console log)"
grep -q "starting ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kernel_release"])' "$tmp/kernel/manifest.json"))" \
	"$tmp/console.log" || fail "the guest does not run the built kernel"
ping_through
r_boot=$boot_ms r_up=$uptime_ms

# --- boot 2: the Debian kernel, same set-up, same run -------------------------------------
d_boot=- d_up=- dsize=-
if [ "$debian" -eq 1 ]; then
	dsize=$(($(size_of "$tmp/img-debian/vmlinuz") + $(size_of "$tmp/img-debian/initrd.img")))
	echo "booting the Debian-kernel guest for comparison ..."
	if boot "$tmp/img-debian"; then
		d_boot=$boot_ms d_up=$uptime_ms
	else
		echo "note: the Debian-kernel guest did not boot (exit $brc); no comparison"
	fi
fi
stop_qemu

mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
echo "--- figures (TCG, 2 vCPUs; boot = QEMU start to READY, uptime = guest clock)"
echo "$kconf kernel: build-kernel ${kbuild_ms} ms (cache hit if seconds); bzImage $ksize bytes ($(mib "$ksize"))"
printf '%-14s %12s %12s %12s\n' guest "size(bytes)" "boot_ms" "uptime_ms"
printf '%-14s %12s %12s %12s\n' "$kconf-$arch" "$gsize" "$r_boot" "$r_up"
printf '%-14s %12s %12s %12s\n' debian "$dsize" "$d_boot" "$d_up"
echo "PASS: $arch $kconf kernel guest ($(mib "$gsize")) boots and forwards"
