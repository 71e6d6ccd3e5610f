#!/bin/bash
# `status` round trips and latency (vrgen/ctlbench) with 1 and 64 clients,
# for one or more builds side by side in one sandbox with a private
# libvirtd: each round, each build serves status
#   off        libvirt unreachable (libvirt_uri names a missing socket),
#   on         libvirtd connected,
#   off+netns  as off, with a netns pvr (4 VRs) running,
#   on+netns   as on, with the same,
#   on+vm      as on+netns, with a VM monolithic running too (VM=1, needs
#              the guest image in the first build: images/build-guest -o
#              BUILD/images/guest).
# Prints every measurement and, per build and case, the median over
# ROUNDS rounds with min..max of 1-client round trips/s and 64-client p99,
# and each "on" case's ratio to its "off" case of the same round (on+vm:
# to off+netns).  The first build's ctlbench measures them all.
#
#   [ROUNDS=3] [CALLS=2000] [VM=1] vrgen/run-ctlbench.sh [BUILD_DIR...]
#
# Needs root (tests/integration/sandbox.sh).  Figures only; no verdict.
ROUNDS=${ROUNDS:-3}
CALLS=${CALLS:-2000}
VM=${VM:-0}
SRC=$(realpath "$(dirname "$0")/..")
[ $# -gt 0 ] || set -- "$SRC/build"
for b in "$@"; do
	for f in "$b/daemon/vrouterd" "$b/vrgen/ctlbench" "$b/vrctl/vrctl"; do
		[ -x "$f" ] || { echo "run-ctlbench: build first: $f missing" >&2; exit 1; }
	done
done
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name ctlb -- "$0" "$@"
fi
BUILDS=()
for b in "$@"; do BUILDS+=("$(realpath "$b")"); done
export VR_TEST_IMAGE=${VR_TEST_IMAGE:-${BUILDS[0]}/images/guest}
BUILD=${BUILDS[0]}
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
CASES="off on off+netns on+netns"
if [ "$VM" = 1 ]; then
	need_image
	CASES="$CASES on+vm"
fi
R=$T/results
: >"$R"

measure() { # measure ROUND BUILD_INDEX CASE
	local r=$1 bi=$2 c=$3 out=$T/ctlbench.out
	"${BUILDS[0]}/vrgen/ctlbench" -s "$VROUTERD_SOCKET" -p "$DAEMON_PID" \
		-n "$CALLS" -c 1,64 >"$out" || { bad "ctlbench build$bi $c"; return; }
	sed "s/^/build$bi $c: /" "$out"
	# "  clients pace calls rt/s p50 p99 max"
	awk -v r="$r" -v b="build$bi" -v c="$c" \
		'$1=="1" && $2=="max" {rt=$4} $1=="64" && $2=="max" {p99=$6}
		 END {print r, b, c, rt, p99}' "$out" >>"$R"
}

for r in $(seq "$ROUNDS"); do
	for bi in "${!BUILDS[@]}"; do
		VROUTERD=${BUILDS[$bi]}/daemon/vrouterd
		VRCTL=${BUILDS[$bi]}/vrctl/vrctl
		for c in $CASES; do
			if [ "${c%%+*}" = off ]; then
				write_config '"libvirt_uri": "qemu+unix:///system?socket=/nonexistent/libvirt-sock"'
			else
				write_config
			fi
			daemon_start
			if [ "${c#*+}" != "$c" ]; then
				"$VRCTL" start pvr --backend netns --vrs 4 --name n >/dev/null 2>&1 ||
					bad "start the netns pvr"
			fi
			if [ "$c" = on+vm ]; then
				"$VRCTL" start monolithic --name v --timeout 300 >/dev/null 2>&1 ||
					bad "start the VM monolithic"
			fi
			measure "$r" "$bi" "$c"
			"$VRCTL" stop --all >/dev/null 2>&1 || bad "stop"
			daemon_stop
			rm -f "$T/vrouterd.conf"
		done
	done
done

echo "== $ROUNDS rounds, $CALLS calls per client: median (min..max)"
python3 - "$R" "${BUILDS[@]}" <<'EOP'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 5]
builds = sys.argv[2:]
def fmt(v, f="%.0f"):
    if not v:
        return "-"
    return (f + " (" + f + ".." + f + ")") % (statistics.median(v), min(v), max(v))
for bi, b in enumerate(builds):
    key = "build%d" % bi
    print("%s = %s" % (key, b))
    order = ["off", "on", "off+netns", "on+netns", "on+vm"]
    cases = sorted({r[2] for r in rows if r[1] == key}, key=order.index)
    for c in cases:
        rt = [float(r[3]) for r in rows if r[1] == key and r[2] == c]
        p99 = [float(r[4]) for r in rows if r[1] == key and r[2] == c]
        line = "  %-9s 1 client %s rt/s, 64 clients p99 %s ms" % (c, fmt(rt), fmt(p99, "%.3f"))
        if c.startswith("on"):
            base = {"on": "off", "on+netns": "off+netns", "on+vm": "off+netns"}[c]
            off = {r[0]: r for r in rows if r[1] == key and r[2] == base}
            rr = [float(r[3]) / float(off[r[0]][3]) for r in rows
                  if r[1] == key and r[2] == c and r[0] in off]
            pr = [float(r[4]) / float(off[r[0]][4]) for r in rows
                  if r[1] == key and r[2] == c and r[0] in off]
            line += "; vs off: rt/s x%s, p99 x%s" % (fmt(rr, "%.2f"), fmt(pr, "%.2f"))
        print(line)
EOP
finish 0
