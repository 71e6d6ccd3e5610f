#!/bin/bash
# The blackout of a live migration of a forwarding VR, measured: two hosts
# on this machine (tests/integration/twohost.sh: A and B, each with its own
# netns, mount ns, libvirtd, sshd and vrouterd, joined by a veth wire), a
# monolithic VR (TCG, taps) started by A's vrouterd, and ROUNDS round
# trips A -> B -> A, each migration under `vrctl bench NAME --migrate vr0
# --to HOST` (a constant-rate stream from A's in port to its out port,
# which crosses B over the VXLANs while the VR runs there).  Prints
#   migration N: lost P packets, gap G ms, total T ms
# per migration (lost: sequence numbers the sink never saw; gap: its
# longest gap between received packets; total: libvirt's migration time),
# then the medians and the range.  Each bench record (experiment.json,
# timeline.svg with the marks) is kept in OUT (default ./migration-blackout).
#
#   bench/migration-blackout.sh BUILD_DIR [ROUNDS]
#   env: VR_BLACKOUT_RATE (pps, 1000), VR_BLACKOUT_DURATION (s, 12),
#        VR_BLACKOUT_OUT (OUT)
BUILD=$(realpath "$1")
ROUNDS=${2:-3}
SRC=$(realpath "$(dirname "$0")/..")
OUT=$(realpath -m "${VR_BLACKOUT_OUT:-migration-blackout}")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name blk -- "$0" "$BUILD" "$ROUNDS"
fi
export VR_BLACKOUT_OUT=$OUT
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/twohost.sh"
RATE=${VR_BLACKOUT_RATE:-1000}
DURATION=${VR_BLACKOUT_DURATION:-12}
NAME=blk
# the bed down, then the scratch directory (the records are in OUT)
trap 'twohost_down; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
need_image
mkdir -p "$OUT"
twohost_up >"$T/up.log" 2>&1 || { cat "$T/up.log"; echo "the two hosts did not come up"; exit 1; }
twohost_vrctl A start monolithic --name "$NAME" --cores 1 --link tap \
	--timeout 300 >"$T/start.log" 2>&1 || { cat "$T/start.log"; exit 1; }

LOST=() GAP=() TOTAL=()
n=0
for _ in $(seq "$ROUNDS"); do
	for to in b a; do
		n=$((n + 1))
		d=$OUT/migration-$n
		rm -rf "$d"
		if ! twohost_vrctl A bench "$NAME" --migrate vr0 --to "$to" \
			--rate "$RATE" --duration "$DURATION" --out "$d" \
			>"$d.log" 2>&1; then
			cat "$d.log"
			echo "migration $n: the bench failed"
			exit 1
		fi
		read -r ok lost gap total < <(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["blackout"]
print(int(b.get("ok", False)), b.get("lost", -1),
      round(b.get("gap_ms", -1), 1), b.get("total_ms", -1))' "$d/experiment.json")
		if [ "$ok" != 1 ]; then
			grep -i migration "$d.log"
			echo "migration $n: failed"
			exit 1
		fi
		echo "migration $n: lost $lost packets, gap $gap ms, total $total ms"
		LOST+=("$lost") GAP+=("$gap") TOTAL+=("$total")
	done
done
range() { printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | xargs | tr ' ' -; }
echo "medians over $n migrations: lost $(median "${LOST[@]}") packets," \
	"gap $(median "${GAP[@]}") ms, total $(median "${TOTAL[@]}") ms"
echo "ranges: lost $(range "${LOST[@]}") packets, gap $(range "${GAP[@]}") ms," \
	"total $(range "${TOTAL[@]}") ms (rate $RATE pps, records in $OUT)"
twohost_vrctl A stop "$NAME" >/dev/null
