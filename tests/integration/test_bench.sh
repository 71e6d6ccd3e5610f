#!/bin/bash
# Measuring (issue 5), end to end: `vrctl bench` against real topologies —
# a TCG monolithic VR and a netns one — a short sweep and an NDR search each;
# the experiment record is complete (check_experiment.py), the plot is valid
# SVG, and offered and forwarded counts agree with the interface counters.
#
#   test_bench.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name bench -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
need_image
daemon_start
CHECK_EXP="python3 $SRC/tests/integration/check_experiment.py"
[ -x "$(command -v gnuplot)" ] || CHECK_EXP="$CHECK_EXP --no-plot"

# Counters in every trial agree with the interfaces' (ARP/ICMP aside).
counters_agree() { # DIR
	python3 - "$1/experiment.json" <<'EOP'
import json, sys
rec = json.load(open(sys.argv[1]))
bad = 0
for t in rec["trials"]:
    tx = t["tx_if"]["tx_packets"] - t["sent"]
    rx = t["rx_if"]["rx_packets"] - t["received"] - t.get("sink_ring_drops", 0)
    if not (0 <= tx <= 20 and -20 <= rx <= 20 + t["lost"]):
        print("trial %d: sent %d vs tx_packets %d, received %d vs rx_packets %d"
              % (t["index"], t["sent"], t["tx_if"]["tx_packets"],
                 t["received"], t["rx_if"]["rx_packets"]))
        bad = 1
sys.exit(bad)
EOP
}

for backend in vm netns; do
	name=b$backend
	say "$backend: start monolithic"
	extra=
	[ $backend = netns ] && extra="--backend netns --cores 1 --pin"
	# shellcheck disable=SC2086
	if ! "$VRCTL" start monolithic --name $name --timeout 180 $extra >"$T/start.out" 2>&1; then
		bad "$backend: start: $(cat "$T/start.out")"
		continue
	fi
	if [ $backend = vm ]; then
		"$VRCTL" --json status $name >"$T/status.json"
		boot=$(json "$T/status.json" 'j.get("boot_ms") or j["topologies"][0]["boot_ms"]' 2>/dev/null)
		echo "vm: booted in ${boot:-?} ms"
		[ "${boot:-0}" -gt 6000 ] &&
			check "vm: a boot heartbeat while the guest booted" \
				grep -q "still booting" "$T/start.out"
	fi
	if [ $backend = vm ]; then
		rates=2000:6000:2000 max=60000
	else
		rates=20000:60000:20000 max=400000
	fi
	check "$backend: bench --sweep $rates" \
		"$VRCTL" bench $name --sweep $rates --duration 2 --out "$T/$name-sweep"
	check "$backend: the sweep's record is complete" $CHECK_EXP "$T/$name-sweep"
	check "$backend: the sweep ran 3 trials" \
		[ "$(json "$T/$name-sweep/experiment.json" 'len(j["trials"])')" = 3 ]
	check "$backend: offered/forwarded agree with the interface counters" \
		counters_agree "$T/$name-sweep"
	check "$backend: bench --ndr" \
		"$VRCTL" bench $name --ndr --duration 2 --trial-duration 1 \
		--max-rate $max --out "$T/$name-ndr"
	check "$backend: the search's record is complete, with ndr_pps" \
		$CHECK_EXP "$T/$name-ndr"
	echo "$backend: ndr_pps $(json "$T/$name-ndr/experiment.json" 'j["ndr_pps"]')"
	check "$backend: stop" "$VRCTL" stop $name
	check "$backend: nothing left behind" nothing_left $name
done
check "bench compare of the four runs" \
	"$VRCTL" bench compare "$T"/bvm-sweep "$T"/bnetns-sweep --out "$T/compare.svg"
[ -x "$(command -v gnuplot)" ] &&
	check "the comparison is valid SVG" $CHECK_EXP --svg "$T/compare.svg" &&
	check "  with its PDF and PNG" [ -s "$T/compare.pdf" ] &&
	check "  (both)" [ -s "$T/compare.png" ]
finish 0
