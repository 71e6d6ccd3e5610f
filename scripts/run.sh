#!/bin/bash
# One-command set-up for a fresh Debian 12 machine (run as root):
#
#   scripts/run.sh demo   install what is needed, build, start libvirtd and
#                         vrouterd, start a monolithic VR, forward packets
#                         through it and show its status
#   scripts/run.sh test   install what is needed, build (warnings as errors,
#                         and once more with ASan+UBSan), run every test
#
# Environment: BUILD (default build), JOBS (default nproc), VR_SKIP_APT=1 to
# skip apt-get (packages already there), FUZZ_SECONDS (default 60).
set -euo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
BUILD=${BUILD:-$SRC/build}
JOBS=${JOBS:-$(nproc)}
MODE=${1:-}

PACKAGES=(
	# build
	build-essential cmake pkg-config clang libclang-rt-14-dev
	libvirt-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libevent-dev
	libjson-c-dev
	# run
	libvirt-daemon-system libvirt-clients qemu-system-x86
	iproute2 procps
	# guest image (and its static ECMP helper)
	linux-image-amd64 busybox-static cpio gzip kmod libc6-dev
	# the guest's routing daemon (--routing ospf; images/build-guest)
	bird2
	# guest kernels from source (images/build-kernel)
	linux-source-6.1 bc bison flex libelf-dev libssl-dev xz-utils
	# the bootable host image (images/build-host) and its UEFI boot test
	xorriso isolinux syslinux-common grub-efi-amd64-bin mtools dosfstools
	binutils ovmf
	# tests, benchmarks, plots
	python3 python3-jsonschema valgrind systemd iputils-ping gnuplot-nox
	netsniff-ng iperf3
	bash-completion
	tcpdump # reads back `vrctl capture` files (tests/integration/test_capture.sh)
	openssh-server # the two-host test bed runs its own sshd (tests/integration/twohost.sh)
)

step() { printf '\n==> %s\n' "$*"; }

usage() {
	sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

install_packages() {
	[ "${VR_SKIP_APT:-0}" = 1 ] && return 0
	step "installing Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	# A mirror caught mid-sync fails one index; the lists we have may still
	# hold every package, so only the install decides.
	apt-get update -q ||
		echo "warning: apt-get update reported errors; installing with the package lists at hand" >&2
	# openssh-server is there for the test bed, which starts its own sshd:
	# on a machine that had none, the package starts none either (Debian's
	# units and init script keep off while this file exists)
	if ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q ' installed$'; then
		mkdir -p /etc/ssh
		touch /etc/ssh/sshd_not_to_be_run
	fi
	apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
}

build() { # build DIR [CMAKE_ARGS...]
	local dir=$1
	shift
	step "building in $dir"
	cmake -S "$SRC" -B "$dir" -DVR_WERROR=ON "$@" >/dev/null
	cmake --build "$dir" -j "$JOBS"
}

# A daemon whose pid file names a live process.
running() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# libvirtd and virtlogd, started by hand when no init system runs them.
start_libvirt() {
	if virsh -c qemu:///system version >/dev/null 2>&1; then
		return 0
	fi
	step "starting virtlogd and libvirtd"
	# By their pid files, not pgrep: pgrep also sees the daemons of other
	# mount namespaces (a container, a test sandbox), which are not ours.
	mkdir -p /run/libvirt
	running /run/libvirt/virtlogd.pid ||
		virtlogd -d -p /run/libvirt/virtlogd.pid
	running /run/libvirt/libvirtd.pid ||
		libvirtd -d -p /run/libvirt/libvirtd.pid
	for _ in $(seq 600); do
		virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "libvirtd did not come up" >&2
	exit 1
}

demo() {
	local img=$BUILD/images/guest sock=/run/vrouterd/vrouterd.sock
	local vrctl=$BUILD/vrctl/vrctl
	export VROUTERD_SOCKET=$sock

	step "building the guest image"
	"$SRC/images/build-guest" -o "$img"
	start_libvirt
	if ! "$vrctl" version >/dev/null 2>&1; then
		step "starting vrouterd (log: /var/log/vrouterd.log)"
		mkdir -p /etc/vrouterd
		[ -f /etc/vrouterd/vrouterd.conf ] ||
			printf '{ "image_dir": "%s" }\n' "$img" >/etc/vrouterd/vrouterd.conf
		"$BUILD/daemon/vrouterd" --foreground \
			--config /etc/vrouterd/vrouterd.conf >>/var/log/vrouterd.log 2>&1 &
		for _ in $(seq 100); do
			"$vrctl" version >/dev/null 2>&1 && break
			sleep 0.1
		done
	fi
	"$vrctl" version
	if "$vrctl" --json status | grep -q '"name":"demo"'; then
		"$vrctl" stop demo
	fi
	step "vrctl start monolithic --cores 2 --pin --name demo"
	"$vrctl" start monolithic --cores 2 --pin --name demo --image "$img"
	step "forwarding: ping from the source namespace to the sink through the VR"
	ip netns exec vr-demo-in ping -c 5 -i 0.2 198.18.2.2
	step "vrctl status"
	"$vrctl" status
	local out
	out=$BUILD/demo-bench-$(date +%Y%m%d-%H%M%S)
	step "measuring: vrctl bench demo --sweep 5000:20000:5000 --duration 2"
	"$vrctl" bench demo --sweep 5000:20000:5000 --duration 2 --flows 4 \
		--out "$out"
	cat <<EOM

The VR keeps running.  Try (vrctl is $vrctl):
  vrctl status --json
  ip netns exec vr-demo-in ping 198.18.2.2   # traffic source -> sink
  vrctl bench demo --ndr                     # zero-loss throughput
  ls $out   # experiment.json results.csv plot.svg
  vrctl stop demo                            # tear it down
EOM
}

run_tests() {
	build "$BUILD-asan" -DVR_SANITIZE=ON
	step "tests under ASan+UBSan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$BUILD-asan" --output-on-failure -j "$JOBS" \
		-LE 'fuzz|valgrind|slow|kernel|host|images|guest|variant'
	# The integration tests start a private libvirtd of their own inside
	# a sandbox (tests/integration/sandbox.sh): nothing runs on the host.
	# Every test runs once, where it checks most: the ones above under
	# the sanitizers, the rest in the release build, with the unit tests
	# and those labelled "release" (the demo's path) run there as well.
	# "slow" (the i386 kernel) runs on demand: ctest --test-dir build -L slow.
	step "the rest in the release build (kernels, images, guests, fuzzing, valgrind)"
	ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" -LE slow \
		-L 'fuzz|valgrind|kernel|host|images|guest|variant|unit|release'
}

case "$MODE" in
demo)
	[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
	install_packages
	build "$BUILD"
	demo
	;;
test)
	[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
	install_packages
	build "$BUILD"
	run_tests
	;;
*) usage ;;
esac
