#!/bin/sh
# KVM, vhost-net and CPU placement for real (issue 14), inside the bootable
# host image: boot the image (the ISO images_host_image built, VR_HOST_ISO)
# under qemu-system-x86_64 -accel tcg with a CPU that has SVM (the image's
# Debian kernel loads kvm_amd and vhost_net) and a virtual topology of two
# NUMA nodes with SMT, attach a USB stick (a raw tar archive) holding
# tests/images/host_topo_check.sh (and vrgen, which the image lacks, for
# `vrctl bench`), type one command on the serial console's root shell, and
# poll the console (bounded) for the script's lines:
#   VRCHECK PASS|FAIL|SKIP|INFO ...   VRCHECK PHASE ...   VRCHECK DONE ...
# The image is not changed: no hook in it, the command is typed as a user
# would. Fails on any FAIL line, on no DONE line in time, or when the
# console does not show kvm_amd/vhost_net loaded; prints each phase's time.
# Environment:
#   VR_HOST_ISO    the image (default: build/host-image/vrouterd-host.iso,
#                  where images_host_image leaves it, VR_HOST_KEEP_ISO)
#   VR_VRGEN       vrgen to put on the stick (default: none; bench SKIPs)
#   VR_HOST_VROUTERD, VR_HOST_VRCTL  a vrouterd (prefix /usr) and a vrctl
#                  the image runs instead of its own
#   VR_HOST_QEMU_CPU (default qemu64: AMD, SVM), VR_HOST_MEM (MiB, 3072),
#   VR_HOST_SMP (default "8,sockets=2,cores=2,threads=2", two nodes of
#                half the CPUs each), VR_HOST_TIMEOUT (s, 1500: the whole run)
# Exit 77 (skip) when not root, a tool or the ISO is missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
iso=${VR_HOST_ISO:-}
cpu=${VR_HOST_QEMU_CPU:-qemu64}
mem=${VR_HOST_MEM:-3072}
smp=${VR_HOST_SMP:-8,sockets=2,cores=2,threads=2}
timeout_s=${VR_HOST_TIMEOUT:-1500}
ready_timeout_s=400

skip() {
	echo "SKIP: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || skip "needs root (as the other image tests)"
for c in qemu-system-x86_64 tar truncate mkfifo; do
	command -v "$c" >/dev/null 2>&1 || skip "$c missing"
done
[ -n "$iso" ] && [ -f "$iso" ] || skip "no host image (VR_HOST_ISO=$iso): run images_host_image first"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-htopo.XXXXXX")
qpid="" rpid=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	exec 3>&- 2>/dev/null || :
	for p in $qpid $rpid; do
		kill "$p" 2>/dev/null || :
		n=0
		while kill -0 "$p" 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$p" 2>/dev/null || :
	done
	if [ "$rc" -ne 0 ] && [ -f "$tmp/console.log" ]; then
		echo "--- console.log (tail)"
		tail -n 60 "$tmp/console.log" | tr -d '\r'
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
now_ms() { echo $(($(date +%s%N) / 1000000)); }
t0=$(now_ms)
phase() { echo "[+$((($(now_ms) - t0) / 1000))s] $*"; }

# --- the stick: a tar archive written raw to the disk (the kernel's sda; busybox
# tar reads it, no file system or charset module needed) ----------------------------------
mkdir -p "$tmp/stick/lib"
cp "$here/host_topo_check.sh" "$tmp/stick/vrcheck.sh"
if [ -n "${VR_VRGEN:-}" ] && [ -x "$VR_VRGEN" ]; then
	cp "$VR_VRGEN" "$tmp/stick/vrgen"
	# its libraries but the C library's (the image has those)
	ldd "$VR_VRGEN" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | while read -r l; do
		case ${l##*/} in libc.so.* | ld-linux* | libm.so.* | libpthread.so.*) continue ;; esac
		cp "$l" "$tmp/stick/lib/"
	done
fi
# a quicker loop than rebuilding the ISO: run this vrouterd (built with
# -DCMAKE_INSTALL_PREFIX=/usr) instead of the image's
[ -z "${VR_HOST_VROUTERD:-}" ] || cp "$VR_HOST_VROUTERD" "$tmp/stick/vrouterd"
[ -z "${VR_HOST_VRCTL:-}" ] || cp "$VR_HOST_VRCTL" "$tmp/stick/vrctl"
(cd "$tmp/stick" && tar -cf "$tmp/stick.img" --owner=0 --group=0 .)
truncate -s 64M "$tmp/stick.img"
phase "stick ready"

# --- boot ----------------------------------------------------------------------------
# the serial console through two FIFOs (QEMU opens both read-write): the
# reader copies its output to console.log, fd 3 types on it
log=$tmp/console.log
mkfifo "$tmp/con.in" "$tmp/con.out"
: >"$log"
cat "$tmp/con.out" >"$log" &
rpid=$!
half=$((mem / 2))
ncpu=${smp%%,*}
last=$((ncpu - 1))
mid=$((ncpu / 2))
echo "booting $iso (TCG, -cpu $cpu, -smp $smp, ${mem} MiB in NUMA nodes 0: CPUs 0-$((mid - 1)), 1: CPUs $mid-$last)"
qemu-system-x86_64 -accel tcg -cpu "$cpu" -m "$mem" -smp "$smp" \
	-object "memory-backend-ram,id=m0,size=${half}M" \
	-object "memory-backend-ram,id=m1,size=$((mem - half))M" \
	-numa "node,nodeid=0,cpus=0-$((mid - 1)),memdev=m0" \
	-numa "node,nodeid=1,cpus=$mid-$last,memdev=m1" \
	-nodefaults -no-user-config -display none -no-reboot \
	-chardev "pipe,id=con0,path=$tmp/con" -serial chardev:con0 \
	-drive "file=$iso,media=cdrom,readonly=on,if=ide" -boot d \
	-device qemu-xhci,id=xhci \
	-drive "if=none,id=stick,format=raw,file=$tmp/stick.img" \
	-device usb-storage,bus=xhci.0,drive=stick \
	>"$tmp/qemu.log" 2>&1 &
qpid=$!
exec 3<>"$tmp/con.in" # read-write: never blocks, even if QEMU did not start

deadline=$((t0 + timeout_s * 1000))
ready_deadline=$((t0 + ready_timeout_s * 1000))
alive() { kill -0 "$qpid" 2>/dev/null || { cat "$tmp/qemu.log"; fail "QEMU exited"; }; }
# wait until the console shows PATTERN (grep -E, at a line's start), by MS
wait_for() { # PATTERN DEADLINE_MS WHAT
	until tr -d '\r' <"$log" | grep -aqE "^$1"; do
		alive
		[ "$(now_ms)" -lt "$2" ] || fail "no '$3' on the console within $((($2 - t0) / 1000))s"
		sleep 1
	done
}
wait_for 'VROUTERD-HOST-READY' "$ready_deadline" "VROUTERD-HOST-READY"
phase "$(tr -d '\r' <"$log" | grep -a -m1 '^VROUTERD-HOST-READY')"
sort -u "$tmp/qemu.log" | grep -v '^$' | sed 's/^/qemu: /' || :
tr -d '\r' <"$log" | grep -a -m1 '^rcS: .*/dev/kvm' | sed 's/^/console: /' || :
# the root shell on ttyS0 (getty drops what is typed before it starts)
wait_for '.*vrouterd-host# ' "$ready_deadline" "the serial console's shell prompt"
phase "shell prompt; typing the check command"
printf '%s\r' 'mkdir -p /run/vrstick; cd /run/vrstick; for i in 1 2 3 4 5 6 7 8 9 10; do tar -xf /dev/sda && break; sleep 2; done; sh ./vrcheck.sh 2>&1; echo "VRCHECK-E""XIT $?"' >&3

# --- follow the check's lines ------------------------------------------------------------------
shown=0
show_new() {
	tr -d '\r' <"$log" | grep -aE '^VRCHECK' >"$tmp/lines" || :
	n=$(wc -l <"$tmp/lines")
	if [ "$n" -gt "$shown" ]; then
		sed -n "$((shown + 1)),${n}p" "$tmp/lines" | while IFS= read -r l; do
			case $l in
			"VRCHECK PHASE "*) phase "$l" ;;
			*) echo "$l" ;;
			esac
		done
		shown=$n
	fi
}
until tr -d '\r' <"$log" | grep -aq '^VRCHECK-EXIT '; do
	show_new
	alive
	[ "$(now_ms)" -lt "$deadline" ] || fail "the check did not finish within ${timeout_s}s"
	sleep 2
done
show_new
phase "$(tr -d '\r' <"$log" | grep -a -m1 '^VRCHECK-EXIT ')"

# --- the verdict -----------------------------------------------------------------------------
done_line=$(grep -a '^VRCHECK DONE ' "$tmp/lines" || :)
[ -n "$done_line" ] || fail "the check script stopped before its end"
grep -aq '^VRCHECK PASS kvm_amd loaded' "$tmp/lines" || fail "kvm_amd is not loaded in the image"
grep -aq '^VRCHECK PASS vhost_net loaded' "$tmp/lines" || fail "vhost_net is not loaded in the image"
nf=$(grep -ac '^VRCHECK FAIL' "$tmp/lines" || :)
[ "$nf" -eq 0 ] || fail "$nf check(s) failed in the image ($done_line)"
echo "PASS: in the host image (2 NUMA nodes, SMT, nested KVM, vhost): $done_line"
