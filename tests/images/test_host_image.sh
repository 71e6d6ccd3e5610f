#!/bin/sh
# The bootable host image (images/build-host):
#  1. build it (vrouterd built from this tree in a private build directory,
#     the guest image built once and shared by both builds);
#  2. check the manifest against the image: every file of the ISO and every
#     member of the initramfs is listed with the right size and sha256, and
#     nothing is listed that is not there;
#  3. boot it under qemu-system-x86_64 -accel tcg from its own boot loader
#     (-cdrom: SeaBIOS -> isolinux -> kernel), serial console to a file, no
#     network device, and poll the console (bounded) for
#       VROUTERD-HOST-READY                 vrouterd listens
#       VROUTERD-HOST-TOPOLOGY-RUNNING      the autostarted topology runs
#     (STARTING at the deadline passes too: the nested guest is still
#     booting), then kill QEMU; print the times from power-on;
#     then boot it again under UEFI (OVMF, if installed) until vrouterd is
#     ready;
#  4. build it again in other directories: byte-identical ISO and manifest.
# Environment: VR_HOST_TIMEOUT (s, default 900) bounds the wait for the
# topology, VR_HOST_QEMU_CPU (e.g. "qemu64,-svm" to keep KVM out of the
# booted host so the VR runs under nested TCG), VR_HOST_MEM (MiB, 2048),
# VR_HOST_SKIP_REPRO=1 skips step 4, VR_HOST_KEEP_ISO=DIR keeps the ISO and
# its manifest in DIR for the tests that boot it again (test_host_topo.sh).
# Exit 77 (skip) when not root or a tool is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
timeout_s=${VR_HOST_TIMEOUT:-900}
ready_timeout_s=300
mem=${VR_HOST_MEM:-2048}

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (as the other image tests)"
for c in qemu-system-x86_64 xorriso cpio xz sha256sum; do
	command -v "$c" >/dev/null 2>&1 || skip "$c missing"
done
"$root/images/build-host" --check >/dev/null 2>&1 ||
	skip "build prerequisites missing: $("$root/images/build-host" --check 2>&1 || :)"

# no stale image for the tests that boot it again
[ -z "${VR_HOST_KEEP_ISO:-}" ] || rm -f "$VR_HOST_KEEP_ISO/vrouterd-host.iso"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-host.XXXXXX")
qpid=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null || :
		n=0
		while kill -0 "$qpid" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$qpid" 2>/dev/null || :
	fi
	if [ "$rc" -ne 0 ] && [ -f "$tmp/console.log" ]; then
		echo "--- console.log (tail)"
		tail -n 40 "$tmp/console.log" | tr -d '\r'
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*"
	exit 1
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# --- 1. build -----------------------------------------------------------------------
"$root/images/build-guest" -o "$tmp/guest" >"$tmp/guest.log" 2>&1 ||
	{ cat "$tmp/guest.log"; fail "images/build-guest failed"; }
t0=$(now_ms)
TMPDIR=$tmp "$root/images/build-host" -o "$tmp/a" --guest "$tmp/guest" \
	--build-dir "$tmp/build-a" >"$tmp/build-a.log" 2>&1 ||
	{ cat "$tmp/build-a.log"; fail "images/build-host failed"; }
echo "build: $(($(now_ms) - t0)) ms"
sed -n '/ component /,$p' "$tmp/build-a.log"
iso=$tmp/a/vrouterd-host.iso
man=$tmp/a/manifest.json
size=$(stat -c %s "$iso")
[ "$size" -le $((64 * 1024 * 1024)) ] || fail "image is $size bytes, over 64 MiB"
if [ -n "${VR_HOST_KEEP_ISO:-}" ]; then
	mkdir -p "$VR_HOST_KEEP_ISO"
	cp "$iso" "$man" "$VR_HOST_KEEP_ISO/"
fi

# --- 2. manifest against the image ---------------------------------------------------
# "PATH SIZE SHA256" for each file entry of one list of the manifest
man_files() { # KEY
	sed -n "/^  \"$1\": \[/,/^  \]/p" "$man" |
		sed -n 's/.*"path": "\([^"]*\)", "sha256": "\([0-9a-f]*\)", "size": \([0-9]*\)}.*/\1 \3 \2/p' |
		LC_ALL=C sort
}
# the same for the files under DIR
dir_files() { # DIR
	(cd "$1" && find . -type f | sed 's|^\.||' | LC_ALL=C sort | while read -r f; do
		echo "$f $(stat -c %s ".$f") $(sha256sum ".$f" | cut -d' ' -f1)"
	done)
}
mkdir -p "$tmp/isox" "$tmp/initrd"
xorriso -osirrox on -indev "$iso" -extract / "$tmp/isox" >/dev/null 2>&1 ||
	fail "cannot extract the ISO"
man_files iso_files >"$tmp/m.iso"
dir_files "$tmp/isox" >"$tmp/x.iso"
[ -s "$tmp/m.iso" ] || fail "manifest lists no ISO files"
diff "$tmp/m.iso" "$tmp/x.iso" >"$tmp/d.iso" ||
	{ cat "$tmp/d.iso"; fail "manifest iso_files and the ISO's files differ"; }
echo "manifest: $(wc -l <"$tmp/m.iso") ISO files match"

(cd "$tmp/initrd" && xz -dc "$tmp/isox/boot/initrd.img" | cpio -idm --quiet) ||
	fail "cannot unpack the initramfs"
man_files initramfs_files >"$tmp/m.initrd"
dir_files "$tmp/initrd" >"$tmp/x.initrd"
diff "$tmp/m.initrd" "$tmp/x.initrd" >"$tmp/d.initrd" ||
	{ head -n 20 "$tmp/d.initrd"; fail "manifest initramfs_files and the initramfs differ"; }
# symlinks and directories too: every member's path
sed -n '/^  "initramfs_files": \[/,/^  \]/p' "$man" |
	sed -n 's/.*"path": "\([^"]*\)".*/\1/p' | LC_ALL=C sort >"$tmp/m.paths"
(cd "$tmp/initrd" && find . -mindepth 1 | sed 's|^\.||' | LC_ALL=C sort) >"$tmp/x.paths"
diff "$tmp/m.paths" "$tmp/x.paths" >"$tmp/d.paths" ||
	{ head -n 20 "$tmp/d.paths"; fail "manifest and initramfs members differ"; }
echo "manifest: $(wc -l <"$tmp/m.initrd") initramfs files ($(wc -l <"$tmp/m.paths") members) match"
for k in packages components; do
	grep -q "^  \"$k\": " "$man" || fail "manifest has no $k"
done
for p in busybox-static qemu-system-x86 libvirt-daemon seabios isolinux; do
	grep -q "{\"name\": \"$p\", \"version\": \"[^\"]\{1,\}\"}" "$man" ||
		fail "manifest does not list package $p with a version"
done
grep -q '"path": "/usr/sbin/vrouterd"' "$man" || fail "vrouterd is not in the image"
grep -q '"path": "/usr/share/vrouterd/images/guest/initrd.img"' "$man" ||
	fail "the guest image is not in the image"
# the autostart file in the image is the default one
grep -q '"topology": "monolithic", "name": "mono", "ports": "test"' \
	"$tmp/initrd/etc/vrouterd/autostart.json" || fail "unexpected default autostart.json"

# --- 3. boot ------------------------------------------------------------------------------
cpu_args=""
[ -z "${VR_HOST_QEMU_CPU:-}" ] || cpu_args="-cpu $VR_HOST_QEMU_CPU"
log=$tmp/console.log
seen() { grep -a -m1 "^$1" "$log" | tr -d '\r'; }

stop_qemu() {
	[ -n "$qpid" ] || return 0
	kill "$qpid" 2>/dev/null || :
	wait "$qpid" 2>/dev/null || :
	qpid=""
}

# boot FIRMWARE [FULL]: boot the ISO from its own boot loader (-cdrom) and
# wait for READY and, with FULL, for the topology; no network device.
boot() { # bios|uefi full|ready
	fw=""
	if [ "$1" = uefi ]; then
		cp "$ovmf_vars" "$tmp/vars.fd"
		fw="-drive if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code -drive if=pflash,format=raw,unit=1,file=$tmp/vars.fd"
	fi
	: >"$log"
	echo "booting $iso ($1, TCG, ${mem} MiB, 2 vCPUs, from the CD's boot loader) ..."
	t0=$(now_ms)
	# shellcheck disable=SC2086 # $cpu_args, $fw: options without spaces inside
	qemu-system-x86_64 -accel tcg $cpu_args -m "$mem" -smp 2 $fw \
		-nodefaults -no-user-config -display none -no-reboot \
		-chardev "file,id=con0,path=$log" -serial chardev:con0 \
		-drive "file=$iso,media=cdrom,readonly=on,if=ide" -boot d \
		>"$tmp/qemu.log" 2>&1 &
	qpid=$!
	ready_ms="" start_ms="" run_ms=""
	deadline=$((t0 + timeout_s * 1000))
	ready_deadline=$((t0 + ready_timeout_s * 1000))
	while :; do
		now=$(now_ms)
		kill -0 "$qpid" 2>/dev/null || { cat "$tmp/qemu.log"; fail "QEMU exited"; }
		if [ -z "$ready_ms" ] && [ -n "$(seen VROUTERD-HOST-READY)" ]; then
			ready_ms=$((now - t0))
			echo "$(seen VROUTERD-HOST-READY)  (power-on +${ready_ms} ms)"
			[ "$2" = full ] || break
		fi
		if [ -z "$start_ms" ] && [ -n "$(seen VROUTERD-HOST-TOPOLOGY-STARTING)" ]; then
			start_ms=$((now - t0))
			echo "$(seen VROUTERD-HOST-TOPOLOGY-STARTING)  (power-on +${start_ms} ms)"
		fi
		if [ -n "$(seen VROUTERD-HOST-TOPOLOGY-RUNNING)" ]; then
			run_ms=$((now - t0))
			echo "$(seen VROUTERD-HOST-TOPOLOGY-RUNNING)  (power-on +${run_ms} ms)"
			break
		fi
		bad=$(grep -a -m1 -E '^VROUTERD-HOST-(FAIL|TOPOLOGY-FAILED|TOPOLOGY-TIMEOUT|TOPOLOGY-NONE)' "$log" |
			tr -d '\r') || bad=""
		[ -z "$bad" ] || fail "$bad"
		[ -n "$ready_ms" ] || [ "$now" -lt "$ready_deadline" ] ||
			fail "no VROUTERD-HOST-READY within ${ready_timeout_s}s of power-on ($1)"
		if [ "$now" -ge "$deadline" ]; then
			[ -n "$start_ms" ] ||
				fail "the topology was neither starting nor running within ${timeout_s}s"
			echo "topology still starting after ${timeout_s}s (its nested guest boots slowly): accepted"
			break
		fi
		sleep 0.2
	done
	grep -aq '^vrouterd: ready; control socket /run/vrouterd/vrouterd.sock' "$log" ||
		fail "the console does not show the control socket"
	[ "$(grep -ac '^VROUTERD-HOST-READY' "$log")" -eq 1 ] || fail "READY printed more than once"
}

boot bios full
if [ -n "$run_ms" ]; then
	# the reporter prints `vrctl status` after the RUNNING line
	n=0
	until grep -aq '^topology mono (monolithic): running' "$log"; do
		n=$((n + 1))
		[ $n -lt 150 ] || fail "the console does not show vrctl status"
		sleep 0.2
	done
	grep -a '^accel ' "$log" | head -n1 | tr -d '\r'
fi
echo "times from power-on (BIOS): vrouterd ready ${ready_ms} ms, topology starting ${start_ms:-?} ms, running ${run_ms:-not yet} ms"
stop_qemu

# UEFI (OVMF, when installed): GRUB from the EFI image, up to vrouterd ready
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
if grep -q '^  "uefi": true' "$man" && [ -f "$ovmf_code" ] && [ -f "$ovmf_vars" ]; then
	boot uefi ready
	echo "times from power-on (UEFI): vrouterd ready ${ready_ms} ms"
	stop_qemu
else
	echo "UEFI boot not tested (no UEFI in the image, or ovmf not installed)"
fi

# --- 4. a second build: byte-identical ------------------------------------------------------------
if [ "${VR_HOST_SKIP_REPRO:-0}" != 1 ]; then
	mkdir -p "$tmp/t2"
	TMPDIR=$tmp/t2 "$root/images/build-host" -o "$tmp/b" --guest "$tmp/guest" \
		--build-dir "$tmp/build-b" >"$tmp/build-b.log" 2>&1 ||
		{ cat "$tmp/build-b.log"; fail "second images/build-host failed"; }
	cmp "$tmp/a/manifest.json" "$tmp/b/manifest.json" ||
		{ diff "$tmp/a/manifest.json" "$tmp/b/manifest.json" | head -n 20; fail "manifests differ"; }
	cmp "$iso" "$tmp/b/vrouterd-host.iso" || fail "the two images differ"
	echo "reproducible: two builds give the same $(stat -c %s "$iso")-byte image"
fi

if [ "${VR_HOST_SKIP_REPRO:-0}" = 1 ]; then
	echo "PASS: host image builds, its manifest matches, it boots into a running topology (reproducibility not checked)"
else
	echo "PASS: host image builds reproducibly, its manifest matches, it boots into a running topology"
fi
