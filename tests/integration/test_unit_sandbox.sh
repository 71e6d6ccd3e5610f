#!/bin/bash
# vrouterd and vrgen under the restrictions of their own systemd unit
# (issue 16), applied from the unit file itself (unit.sh): its address
# families as a seccomp filter, its capability bounding set, no_new_privs
# and its memlock limit.  A netns topology and `vrctl bench` under the unit
# send with AF_XDP; with AF_XDP taken out of the families, `--tx auto`
# falls back to AF_PACKET and the record and the progress say why, and
# `--tx xdp` fails naming the sandbox; a 64 KiB memlock limit without
# CAP_IPC_LOCK fails with a hint naming RLIMIT_MEMLOCK and LimitMEMLOCK=.
#
#   test_unit_sandbox.sh BUILD_DIR AFJAIL
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
export AFJAIL=$(realpath "$2")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name unit -- "$0" "$@"
fi
for t in setpriv prlimit python3; do
	command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/unit.sh"
trap 'finish 1' INT TERM
VRGEN=$BUILD/vrgen/vrgen

say "the unit, as read by the test: $(unit_families) / $(unit_bounding_set) / memlock $(unit_memlock)"
check "the unit lets vrgen open AF_XDP (RestrictAddressFamilies=)" \
	grep -qw AF_XDP <<<"$(unit_families)"
check "the unit keeps CAP_NET_RAW (AF_XDP and AF_PACKET need it)" \
	grep -qw CAP_NET_RAW <<<"$(unit_value CapabilityBoundingSet)"
umem_fits() {
	[ "$(unit_memlock)" = unlimited ] ||
		grep -qw CAP_IPC_LOCK <<<"$(unit_value CapabilityBoundingSet)"
}
check "the unit lets vrgen lock its 8 MiB UMEM (LimitMEMLOCK=infinity or CAP_IPC_LOCK)" \
	umem_fits

# the jail itself works: a socket of a family not listed is refused
check "afjail refuses a family outside the list with EAFNOSUPPORT" \
	"$AFJAIL" "AF_UNIX" -- python3 -c '
import errno, socket, sys
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
except OSError as e:
    sys.exit(0 if e.errno == errno.EAFNOSUPPORT else 1)
sys.exit(1)'

export VR_DAEMON_WRAPPER="$SRC/tests/integration/unit.sh"
daemon_start
say "the daemon runs under the unit: $(grep -E '^(Seccomp|CapBnd|NoNewPrivs):' /proc/$DAEMON_PID/status | tr '\n\t' '  ')"
check "the daemon runs with the unit's seccomp filter" \
	grep -q '^Seccomp:[[:space:]]*2' /proc/$DAEMON_PID/status
"$VRCTL" start monolithic --name us --backend netns --cores 1 >"$T/start.out" 2>&1 ||
	{ bad "start: $(cat "$T/start.out")"; finish 1; }

bench_sweep() { # OUTDIR
	"$VRCTL" bench us --sweep 20000:20000:1 --duration 1 --out "$1" \
		>"$1.out" 2>"$1.err"
}
check "bench under the unit" bench_sweep "$T/xdp"
check "bench under the unit sends with AF_XDP, no fallback" \
	[ "$(json "$T/xdp/experiment.json" 'all(t["tx_path"].startswith("af_xdp") and t["tx_fallback"] is None for t in j["trials"]) and j["generator"]["tx_fallback"] is None')" = True ]
PAIR=$(python3 - "$T/xdp/experiment.json" <<'EOP'
import json, sys
a = json.load(open(sys.argv[1]))["generator"]["argv"]
print(" ".join(" ".join(a[i:i + 2]) for i in range(len(a))
               if a[i] in ("--tx-netns", "--tx-dev", "--rx-netns", "--rx-dev")))
EOP
)
say "vrgen's ports: $PAIR"
daemon_stop

# The same daemon with AF_XDP taken out of the families: the unit as it was.
export VR_DAEMON_WRAPPER="$SRC/tests/integration/unit.sh -AF_XDP --"
daemon_start
check "bench without AF_XDP" bench_sweep "$T/pkt"
check "without AF_XDP: AF_PACKET, and the record says why (each trial and generator)" \
	[ "$(json "$T/pkt/experiment.json" 'all(t["tx_path"] == "af_packet" and "RestrictAddressFamilies" in t["tx_fallback"] for t in j["trials"]) and "RestrictAddressFamilies" in j["generator"]["tx_fallback"]')" = True ]
check "without AF_XDP: vrctl bench shows the fallback while it runs" \
	grep -q 'tx_fallback.*AF_PACKET' "$T/pkt.err"
check "without AF_XDP: the daemon's log says so" \
	grep -q 'AF_XDP is not available' "$T/vrouterd.log"

# vrgen alone, under the unit, on the topology's ports
trial() { # OUTFILE under_unit-ARGS... -- VRGEN-ARGS...
	local out=$1
	shift
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	# shellcheck disable=SC2086
	under_unit "${pre[@]}" -- "$VRGEN" trial $PAIR --rate 10000 --duration 1 \
		--json "$@" >"$out.json" 2>"$out.err"
}
check "vrgen --tx xdp under the unit" trial "$T/v1" -- --tx xdp
check "vrgen --tx xdp under the unit: af_xdp, tx_fallback null" \
	[ "$(json "$T/v1.json" 'j["tx_path"].startswith("af_xdp") and j["tx_fallback"] is None')" = True ]
trial "$T/v2" -AF_XDP -- --tx auto
check "vrgen --tx auto without AF_XDP: af_packet, tx_fallback names the sandbox" \
	[ "$(json "$T/v2.json" 'j["tx_path"] == "af_packet" and "RestrictAddressFamilies" in j["tx_fallback"]')" = True ]
check "vrgen --tx xdp without AF_XDP fails" \
	[ "$(trial "$T/v3" -AF_XDP -- --tx xdp; echo $?)" != 0 ]
cat "$T/v3.err"
check "... with a hint naming the sandbox, not a missing kernel option" \
	grep -q 'RestrictAddressFamilies=' "$T/v3.err"
check "vrgen --tx xdp with 64 KiB of memlock and no CAP_IPC_LOCK fails" \
	[ "$(trial "$T/v4" --memlock 65536 -- --tx xdp; echo $?)" != 0 ]
cat "$T/v4.err"
check "... with a hint naming RLIMIT_MEMLOCK's value and LimitMEMLOCK=" \
	grep -q 'RLIMIT_MEMLOCK is 64 KiB.*LimitMEMLOCK=' "$T/v4.err"

check "stop" "$VRCTL" stop us
check "nothing left behind" nothing_left us
finish 0
