#!/bin/sh
# Run netsetup_test inside a network namespace of its own, so it never
# touches the machine's interfaces or routes, and check that it left no
# namespace behind.  VRT_WRAP="valgrind --leak-check=full ..." wraps it.
# Exit 77 (skip) without root or iproute2.
set -u
bin=${1:?usage: test_netsetup.sh PATH/TO/netsetup_test}
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (netlink, network namespaces)"
	exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
	echo "SKIP: needs iproute2's ip"
	exit 77
fi

outer=vrt-ns-$$
inner=vrt-$$-	# prefix of the namespaces the program makes

cleanup() {
	for f in /run/netns/"$inner"*; do
		[ -e "$f" ] || continue
		umount -l "$f" 2>/dev/null
		rm -f "$f"
	done
	ip netns del "$outer" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$outer" || exit 1
# shellcheck disable=SC2086 # VRT_WRAP is a command line
ip netns exec "$outer" env VRT_PREFIX="$inner" ${VRT_WRAP:-} "$bin"
rc=$?

# The program's namespaces live in the mount namespace `ip netns exec`
# gave it; any file it left under /run/netns is visible here.
left=$(ls /run/netns 2>/dev/null | grep "^$inner" || true)
if [ -n "$left" ]; then
	echo "FAIL: namespaces left behind: $left"
	[ "$rc" -eq 0 ] && rc=1
fi
ip netns del "$outer" || rc=1
if ip netns list | grep -q "^$outer\b"; then
	echo "FAIL: $outer still listed"
	rc=1
fi
exit "$rc"
