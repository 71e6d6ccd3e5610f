#!/bin/bash
# Bench params against a running topology (issue 18 items 4, 12, 13; issue
# 12's one table): a netns monolithic topology in a sandbox without
# libvirtd.  Every refused case of tests/bench_params.json, sent raw by
# another client naming that topology, gets -32602 naming the param and
# never starts vrgen; a 300-rate sweep is refused by vrctl before calling
# and by vrouterd before vrgen; a CPU that is not online is refused before
# vrgen; a 1 pps, 1 s sweep records forwarded_pps 1 (not thousands) and
# says how it was computed.
#
#   test_bench_params.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name bparams -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
RPC="python3 $SRC/tests/integration/rpcclient.py"
# vrgen runs only when the daemon logs "NAME: bench (MODE) with ..."
vrgen_runs() { grep -c ": bench (" "$T/vrouterd.log"; }

daemon_start
say "start monolithic --backend netns"
if ! "$VRCTL" start monolithic --name bp --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1; then
	bad "start: $(cat "$T/start.out")"
	finish 1
fi
ok "monolithic (netns) runs as bp"

say "refused cases, raw JSON-RPC naming a running topology"
$RPC "$VROUTERD_SOCKET" bench_params "$SRC/tests/bench_params.json" bp \
	>"$T/cases.out" 2>&1
cat "$T/cases.out"
CHECKS=$((CHECKS + $(grep -c '^ok ' "$T/cases.out") + $(grep -c '^FAIL ' "$T/cases.out")))
FAILS=$((FAILS + $(grep -c '^FAIL ' "$T/cases.out")))
check "the refused cases ran (more than 40)" \
	[ "$(grep -c '^ok \|^FAIL ' "$T/cases.out")" -gt 40 ]
check "no refused case started vrgen" [ "$(vrgen_runs)" = 0 ]

say "a 300-rate sweep"
"$VRCTL" bench bp --sweep 1000:300000:1000 --out "$T/never" >/dev/null 2>"$T/err"
check "vrctl: usage error (exit 2) before calling" [ $? = 2 ]
check "  naming the limit" grep -q 'makes 300 rates; a sweep has at most 256' "$T/err"
check "  no directory" [ ! -e "$T/never" ]
$RPC "$VROUTERD_SOCKET" call bench \
	'{"name":"bp","mode":"sweep","rates":"1000:300000:1000"}' -32602 \
	>"$T/call.out" 2>&1
check "vrouterd: -32602 ($(head -1 "$T/call.out" | cut -c1-200))" \
	grep -q '^ok ' "$T/call.out"
check "  and vrgen never ran" [ "$(vrgen_runs)" = 0 ]

say "a CPU that is not online"
if ! grep -q '1023' /sys/devices/system/cpu/online; then
	$RPC "$VROUTERD_SOCKET" call bench \
		'{"name":"bp","mode":"ndr","cpu":1023}' -32602 >"$T/call.out" 2>&1
	check "cpu 1023: -32602 ($(head -1 "$T/call.out" | cut -c1-200))" \
		grep -q '^ok ' "$T/call.out"
	check "  and vrgen never ran" [ "$(vrgen_runs)" = 0 ]
fi

say "a 1 pps, 1 s sweep"
"$VRCTL" bench bp --sweep 1 --duration 1 --cpu 0 --out "$T/slow" \
	>"$T/slow.out" 2>&1
check "bench --sweep 1 --duration 1 exits 0" [ $? = 0 ]
check "the record: one frame, forwarded_pps 1 over a 1 s schedule" \
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
t = r["trials"][0]
ok = (len(r["trials"]) == 1 and r["result"]["complete"] and
      t["sent"] == 1 and t["received"] == 1 and t["forwarded_pps"] == 1 and
      t["achieved_pps"] == 1 and t["rate_interval_s"] == 1 and
      t["rate_basis"] == "schedule")
print(json.dumps({k: t.get(k) for k in ("sent", "received", "forwarded_pps",
      "achieved_pps", "tx_seconds", "rate_interval_s", "rate_basis")}))
sys.exit(not ok)' "$T/slow/experiment.json"
check "the record is complete" \
	python3 "$SRC/tests/integration/check_experiment.py" --no-plot "$T/slow"

check "stop" "$VRCTL" stop bp
check "nothing left behind" nothing_left bp
finish 0
