#!/bin/bash
# Run a command in a throw-away sandbox: its own network namespace (unique
# name) and its own mount namespace with private, empty /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt, /var/cache/libvirt, /run/netns and
# /var/lib/vrouterd, and optionally a private virtlogd + libvirtd started
# for it.  Nothing the command creates (links, namespaces, domains,
# processes) can reach the machine's own network, and everything is torn
# down on exit.  The machine's eth0, routes and addresses are never touched.
#
#   sandbox.sh [--libvirt] [--name NAME] -- COMMAND [ARG...]
#
# Inside, VR_SANDBOX=1 and LIBVIRT_DEFAULT_URI=qemu:///system.  Before
# returning, the sandbox checks that the command left nothing behind (no
# domain, no link but lo, no named namespace) and fails if it did.
# Exit codes: the command's, or 77 (skip) when not root / tools missing,
# or 98 when the command left something behind.
set -u

if [ "${1:-}" = "--inner" ]; then
	shift
	inner=1
else
	inner=0
fi

with_libvirt=0
name=sbx
while [ $# -gt 0 ]; do
	case "$1" in
	--libvirt) with_libvirt=1; shift ;;
	--name) name=$2; shift 2 ;;
	--) shift; break ;;
	*) break ;;
	esac
done

log() { echo "sandbox: $*" >&2; }

if [ "$inner" = 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network and mount namespaces)"
		exit 77
	fi
	for t in ip unshare mount; do
		command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
	done
	if [ $with_libvirt = 1 ] && ! command -v libvirtd >/dev/null; then
		echo "SKIP: libvirtd missing (apt-get install libvirt-daemon-system)"
		exit 77
	fi
	ns="vrt-$name-$$"
	cleanup() {
		# Whatever still runs in the namespace (a stuck qemu) dies with it.
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$ns" || { log "cannot create namespace $ns"; exit 1; }
	flags=()
	[ $with_libvirt = 1 ] && flags+=(--libvirt)
	ip netns exec "$ns" unshare -m --propagation private \
		"$0" --inner "${flags[@]}" -- "$@"
	exit $?
fi

# --- inside the sandbox ---------------------------------------------------
set -e
ip link set lo up
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt \
	/run/netns /var/lib/vrouterd /run/vrouterd; do
	mkdir -p "$d"
	mount -t tmpfs -o mode=0755 tmpfs "$d"
done
# /var/cache/libvirt stays shared: it only caches QEMU capabilities (keyed by
# the binary), and probing them afresh costs seconds per sandbox.
mkdir -p /var/lib/libvirt/qemu /var/log/libvirt/qemu
set +e
export VR_SANDBOX=1
export LIBVIRT_DEFAULT_URI=qemu:///system

lv_pid=
vl_pid=
stop_libvirt() {
	if [ -n "$lv_pid" ]; then
		for d in $(virsh list --name 2>/dev/null); do
			virsh destroy "$d" >/dev/null 2>&1
		done
		kill "$lv_pid" 2>/dev/null
		wait "$lv_pid" 2>/dev/null
		lv_pid=
	fi
	# a libvirtd the test restarted itself is not our child
	if [ -s /run/libvirt/libvirtd.pid ]; then
		kill "$(cat /run/libvirt/libvirtd.pid)" 2>/dev/null
	fi
	if [ -n "$vl_pid" ]; then
		kill "$vl_pid" 2>/dev/null
		wait "$vl_pid" 2>/dev/null
		vl_pid=
	fi
}

start_libvirt() {
	virtlogd -p /run/libvirt/virtlogd.pid >/dev/null 2>&1 &
	vl_pid=$!
	libvirtd -p /run/libvirt/libvirtd.pid >/var/log/libvirt/libvirtd.out 2>&1 &
	lv_pid=$!
	for _ in $(seq 300); do
		if virsh version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$lv_pid" 2>/dev/null || break
		sleep 0.1
	done
	log "libvirtd did not come up:"
	tail -20 /var/log/libvirt/libvirtd.out >&2
	return 1
}

# Export for tests that restart libvirtd themselves.
export -f start_libvirt stop_libvirt log 2>/dev/null

leftovers() {
	local left=0 l
	if [ -n "$lv_pid" ]; then
		l=$(virsh list --all --name 2>/dev/null | grep -v '^$')
		if [ -n "$l" ]; then
			log "left behind: domains: $l"
			left=1
		fi
	fi
	l=$(ip -o link show | awk -F': ' '{print $2}' | grep -v '^lo$')
	if [ -n "$l" ]; then
		log "left behind: links: $(echo $l)"
		left=1
	fi
	l=$(ip netns list 2>/dev/null)
	if [ -n "$l" ]; then
		log "left behind: namespaces: $(echo $l)"
		left=1
	fi
	return $left
}

if [ $with_libvirt = 1 ]; then
	start_libvirt || { stop_libvirt; exit 1; }
fi
"$@"
rc=$?
if ! leftovers; then
	[ $rc = 0 ] && rc=98
fi
stop_libvirt
# Remove whatever the command left so the namespace can die cleanly.
for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
	ip netns del "$n" 2>/dev/null
done
exit $rc
