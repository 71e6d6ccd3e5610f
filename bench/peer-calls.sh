#!/bin/bash
# What a call to another host costs, with and without connection reuse
# (ssh_reuse, daemon/peer.c): two hosts on this machine
# (tests/integration/twohost.sh: A and B, each with its own netns, mount
# ns, sshd and vrouterd, joined by a veth wire), a topology across them
# started by A (a PVR, vr1 on B, nodes as namespaces), then ROUNDS rounds,
# each timing `vrctl status NAME` and `vrctl hosts` on A once with reuse
# and once without (A's ssh_reuse switched by a reload; the order of the
# two alternates from round to round; one untimed call after each switch,
# so that with reuse the master is up and without it none is).  Each call
# is timed from outside (wall: nsenter's and vrctl's start included, the
# same in both modes; `vrctl version`, which calls no peer, is timed too as
# that floor), by A's vrouterd (its log's "METHOD from uid 0: ok (T ms)":
# the request's time in the daemon, peer calls included) and by B's (the
# same line for the request A made: B's own share).  Prints a line per round, then per command and mode the
# median, the quartiles and the range (ms), and the ratio of the medians.
#
#   bench/peer-calls.sh BUILD_DIR [ROUNDS]     (ROUNDS: 12)
BUILD=$(realpath "$1")
ROUNDS=${2:-12}
SRC=$(realpath "$(dirname "$0")/..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name pcb -- "$0" "$BUILD" "$ROUNDS"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/twohost.sh"
NAME=pc
# the bed down, then the scratch directory
trap 'twohost_down; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
twohost_up >"$T/up.log" 2>&1 || { cat "$T/up.log"; echo "the two hosts did not come up"; exit 1; }

# conf H NAME OTHER OTHER_ADDR REUSE: H's configuration (plain ssh, the
# bed's /etc/ssh/ssh_config; vrctl on the host's PATH)
conf() {
	cat >"$TH/$1/vrouterd.conf" <<EOC
{ "state_dir": "/var/lib/vrouterd", "host_name": "$2",
  "tunnel_address": "$(th_addr "$1")", "ssh_reuse": $5,
  "hosts": [{"name": "$3", "ssh": "root@$4",
             "libvirt_uri": "qemu+ssh://root@$4/system",
             "tunnel_address": "$4",
             "socket": "$TH/$([ "$3" = a ] && echo A || echo B)/vrouterd.sock"}] }
EOC
}
reload() { # reload H
	local n
	n=$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")
	twohost_exec "$1" sh -c 'kill -HUP "$(cat /run/vrouterd/vrouterd.pid)"'
	for _ in $(seq 100); do
		[ "$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	echo "$1 did not reload"
	return 1
}
MUX=$TH/A/vrouterd.sock.ssh/b
reuse() { # reuse true|false: A's ssh_reuse, and one call to settle
	conf A a b "$TH_ADDR_B" "$1"
	reload A || exit 1
	twohost_vrctl A status "$NAME" >/dev/null 2>&1
	if [ "$1" = true ]; then
		for _ in $(seq 100); do [ -S "$MUX" ] && return 0; sleep 0.1; done
		echo "no ssh master came up ($MUX)"
		exit 1
	fi
	[ ! -e "$MUX" ] || { echo "a master without reuse"; exit 1; }
}
# took H METHOD: the time of H's vrouterd's last METHOD request (ms; 0)
took() {
	grep -o "$2 from uid 0: ok ([0-9.]* ms)" "$TH/$1/vrouterd.log" |
		tail -1 | grep -o '[0-9.]* ms' | cut -d' ' -f1 | grep . || echo 0
}
# timed METHOD ARGS...: `vrctl METHOD ARGS` on A; "WALL A B" in ms (B: the
# same method's last request there, the one A made; 0 for version)
timed() {
	local t0 t1 b=0
	t0=$(date +%s%N)
	twohost_vrctl A "$@" >"$T/out" 2>&1 || { cat "$T/out"; echo "failed: $*"; exit 1; }
	t1=$(date +%s%N)
	[ "$1" = version ] || b=$(took B "$1")
	awk "BEGIN {printf \"%.1f %s %s\", ($t1 - $t0) / 1e6, \"$(took A "$1")\", \"$b\"}"
}

conf B b a "$TH_ADDR_A" true
reload B || exit 1
conf A a b "$TH_ADDR_B" true
reload A || exit 1
# the example of docs/multihost.md: a PVR, vr1 on host b
cp "$SRC/docs/examples/pvr-2hosts.json" "$T/pc.json"
chmod 644 "$T/pc.json"
twohost_vrctl A start -f "$T/pc.json" --name "$NAME" --backend netns \
	--timeout 600 >"$T/start.log" 2>&1 || { cat "$T/start.log"; exit 1; }
twohost_vrctl A status "$NAME" >"$T/status.txt" 2>&1
grep -q "^  node vr1 on host b: running" "$T/status.txt" ||
	{ cat "$T/status.txt"; echo "status on A does not show vr1 on b running"; exit 1; }

: >"$T/times"
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="true false"; else order="false true"; fi
	line="round $r:"
	for mode in $order; do
		reuse "$mode"
		for cmd in version status hosts; do
			if [ $cmd = status ]; then t=$(timed status "$NAME"); else t=$(timed $cmd); fi
			echo "$cmd $mode $t" >>"$T/times"
			line="$line $cmd $(tr ' ' / <<<"$t")"
		done
		line="$line (reuse $mode);"
	done
	echo "${line%;}"
done
echo "(per round, each call: wall / A's vrouterd / B's vrouterd, ms)"
python3 - "$T/times" <<'EOF'
import statistics, sys
t = {}
for l in open(sys.argv[1]):
    cmd, mode, wall, a, b = l.split()
    t.setdefault((cmd, mode, "wall"), []).append(float(wall))
    t.setdefault((cmd, mode, "A"), []).append(float(a))
    t.setdefault((cmd, mode, "B"), []).append(float(b))
def row(k):
    v = sorted(t[k])
    q = statistics.quantiles(v, n=4)
    print(f"{k[0]:7} {k[2]:6} reuse {k[1]:5}: median {statistics.median(v):7.1f} ms, "
          f"quartiles {q[0]:.1f}-{q[2]:.1f}, range {v[0]:.1f}-{v[-1]:.1f} ({len(v)})")
    return statistics.median(v)
for cmd in ("version", "status", "hosts"):
    for what in ("wall", "A") if cmd == "version" else ("wall", "A", "B"):
        on, off = row((cmd, "true", what)), row((cmd, "false", what))
        if cmd != "version" and what != "B":
            print(f"{cmd:7} {what:6} without/with reuse: {off / on:.1f}x")
EOF
twohost_vrctl A stop "$NAME" >/dev/null
