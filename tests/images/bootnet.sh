# Shared by the image boot tests (sourced, POSIX sh): the wiring a guest
# boots into and its clean-up.  The caller sets pfx (namespace prefix, unique
# per run) and tmp (its scratch directory) first.
#
#   $pfx-host  tap0/tap1, each on a bridge with a veth to ...
#   $pfx-src   vp0 198.18.1.2/24, default via 198.18.1.1 (the guest's eth0)
#   $pfx-dst   vp0 198.18.2.2/24, default via 198.18.2.1 (the guest's eth1)
#
# bootnet_up builds it and sets sink_mac; QEMU's pid goes in $tmp/qemu.pid.

H=$pfx-host S=$pfx-src D=$pfx-dst

stop_qemu() {
	[ -s "$tmp/qemu.pid" ] || return 0
	pid=$(cat "$tmp/qemu.pid")
	rm -f "$tmp/qemu.pid"
	kill "$pid" 2>/dev/null || return 0
	n=0
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -9 "$pid" 2>/dev/null || :
}

cleanup() {
	rc=$?
	trap - EXIT INT TERM
	stop_qemu
	for ns in $H $S $D; do
		ip netns del "$ns" 2>/dev/null || :
	done
	if ip netns list | grep -q "^$pfx-"; then
		echo "FAIL: namespaces left behind: $(ip netns list | grep "^$pfx-")"
		rc=1
	fi
	if [ "$rc" -ne 0 ] && [ -f "$tmp/console.log" ]; then
		echo "--- console.log (tail)"
		tail -n 30 "$tmp/console.log"
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

# port K: tapK + vhK on bridge brK in the host namespace; vp0 in NS.
bootnet_port() { # K NS ADDR GW
	ip -n "$H" tuntap add dev "tap$1" mode tap
	ip -n "$H" link add "br$1" type bridge
	ip -n "$H" link add "vh$1" type veth peer name vp0 netns "$2"
	ip -n "$H" link set "tap$1" master "br$1" up
	ip -n "$H" link set "vh$1" master "br$1" up
	ip -n "$H" link set "br$1" up
	ip -n "$2" addr add "$3" dev vp0
	ip -n "$2" link set vp0 up
	ip -n "$2" route add default via "$4"
}

bootnet_up() {
	for ns in $H $S $D; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	bootnet_port 0 "$S" 198.18.1.2/24 198.18.1.1
	bootnet_port 1 "$D" 198.18.2.2/24 198.18.2.1
	sink_mac=$(ip netns exec "$D" cat /sys/class/net/vp0/address)
}
