#!/bin/bash
# Benchmark: how long `vrctl start` and `vrctl stop` take, for a netns pvr
# with 16 VRs and (with VMS, e.g. "1 2 4") VM pvr topologies of that many
# VRs, for one or more builds side by side in one sandbox (private
# libvirtd), alternating builds within each round, ROUNDS rounds.  Prints
# one line per measurement and the median per build and case.
#
#   [ROUNDS=3] [VMS="1 2 4"] vrgen/stop-latency.sh BUILD_DIR [BUILD_DIR...]
#
# Runs inside tests/integration/sandbox.sh; needs root (and for VMS the
# guest image in the first build, images/build-guest -o BUILD/images/guest).
ROUNDS=${ROUNDS:-3}
VMS=${VMS:-}
SRC=$(realpath "$(dirname "$0")/..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name bstop -- "$0" "$@"
fi
BUILDS=()
for b in "$@"; do BUILDS+=("$(realpath "$b")"); done
export VR_TEST_IMAGE=${VR_TEST_IMAGE:-${BUILDS[0]}/images/guest}
BUILD=${BUILDS[0]}
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
[ -n "$VMS" ] && need_image
R=$T/results
: >"$R"

one() { # one BUILD_INDEX CASE START_ARGS...
	local bi=$1 c=$2 t0 t1 t2
	shift 2
	t0=$(date +%s%3N)
	"$VRCTL" start "$@" --name s >/dev/null 2>&1 || { bad "$c: start"; return; }
	t1=$(date +%s%3N)
	"$VRCTL" stop s >/dev/null 2>&1 || bad "$c: stop"
	t2=$(date +%s%3N)
	nothing_left s || bad "$c: left something behind"
	echo "build$bi $c start_ms $((t1 - t0)) stop_ms $((t2 - t1))" | tee -a "$R"
}

for r in $(seq "$ROUNDS"); do
	for bi in "${!BUILDS[@]}"; do
		VROUTERD=${BUILDS[$bi]}/daemon/vrouterd
		VRCTL=${BUILDS[$bi]}/vrctl/vrctl
		daemon_start
		one "$bi" netns-pvr16 pvr --backend netns --vrs 16
		for k in $VMS; do
			one "$bi" "vm-pvr$k" pvr --vrs "$k" --timeout 300
		done
		daemon_stop
	done
done
echo "== medians over $ROUNDS rounds (min..max)"
for bi in "${!BUILDS[@]}"; do
	echo "build$bi = ${BUILDS[$bi]}"
	for c in $(awk '{print $2}' "$R" | sort -u); do
		for f in start_ms stop_ms; do
			v=$(awk -v b="build$bi" -v c="$c" -v f="$f" \
				'$1==b && $2==c {for(i=3;i<NF;i++) if($i==f) print $(i+1)}' "$R" | sort -n)
			[ -n "$v" ] || continue
			echo "  $c $f $(median $v) ($(echo "$v" | head -1)..$(echo "$v" | tail -1))"
		done
	done
done
finish 0
