#!/bin/bash
# vrgen end to end, without libvirt: the wiring of a netns monolithic VR,
# built by hand with ip (source namespace -> router namespace with
# forwarding -> sink namespace, veth pairs, the test-port addresses of
# docs/contracts.md), then a trial, a sweep of three rates and an NDR
# search through it (also with --latency-at).  Offered and received counts must agree with the
# interface counters.  Run it inside sandbox.sh:
#
#   tests/integration/sandbox.sh --name vrgen -- test_vrgen.sh PATH/TO/vrgen
set -u
VRGEN=${1:?usage: test_vrgen.sh PATH/TO/vrgen}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ "${VR_SANDBOX:-0}" != 1 ]; then
	echo "SKIP: run me inside tests/integration/sandbox.sh"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

P=vr-vg
T=$(mktemp -d /tmp/vrgen-test.XXXXXX)
FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
cleanup() {
	for n in in rt out; do ip netns del $P-$n 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# py FILE EXPR: true when EXPR holds for every JSON line of FILE whose
# "type" is TYPE (set in $TYPE; "" = the last line), printing why not.
jcheck() {
	python3 - "$@" <<'EOP'
import json, sys
path, typ, expr = sys.argv[1], sys.argv[2], sys.argv[3]
lines = [json.loads(l) for l in open(path) if l.strip()]
sel = [j for j in lines if j.get("type") == typ] if typ else lines[-1:]
if not sel:
    print("  no %s line in %s" % (typ or "last", path)); sys.exit(1)
for j in sel:
    try:
        good = eval(expr, {"abs": abs, "all": all, "len": len}, {"j": j})
    except Exception as e:
        good = False
        print("  error:", e)
    if not good:
        print("  not true:", expr)
        print("  for:", json.dumps({k: v for k, v in j.items() if k != "per_flow"})[:1500])
        sys.exit(1)
EOP
}

# --- the wiring of a netns monolithic VR, by hand --------------------------
set -e
ip netns add $P-in
ip netns add $P-rt
ip netns add $P-out
ip link add vp0 netns $P-in type veth peer name eth0 netns $P-rt
ip link add vp0 netns $P-out type veth peer name eth1 netns $P-rt
ip -n $P-in addr add 198.18.1.2/24 dev vp0
ip -n $P-rt addr add 198.18.1.1/24 dev eth0
ip -n $P-rt addr add 198.18.2.1/24 dev eth1
ip -n $P-out addr add 198.18.2.2/24 dev vp0
for n in in rt out; do
	ip -n $P-$n link set lo up
done
ip -n $P-in link set vp0 up
ip -n $P-rt link set eth0 up
ip -n $P-rt link set eth1 up
ip -n $P-out link set vp0 up
ip -n $P-in route add default via 198.18.1.1
ip -n $P-out route add default via 198.18.2.1
ip netns exec $P-rt sysctl -qw net.ipv4.ip_forward=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
set +e
# bounded wait for both links to come up (carrier)
for _ in $(seq 50); do
	ip -n $P-rt link show eth1 | grep -q 'state UP' &&
		ip -n $P-rt link show eth0 | grep -q 'state UP' && break
	sleep 0.1
done

PAIR="--tx-netns $P-in --tx-dev vp0 --rx-netns $P-out --rx-dev vp0"

# --- one trial: exact counts, counters, flows, latency ---------------------
echo "--- trial 20 kpps, 8 flows, 1 s"
"$VRGEN" trial $PAIR --rate 20000 --duration 1 --flows 8 --json \
	>"$T/trial.json" 2>"$T/trial.err"
check "trial exits 0" test $? = 0
cat "$T/trial.err"
check "trial: 20000 frames sent" jcheck "$T/trial.json" trial 'j["sent"] == 20000'
check "trial: all received, none lost, reordered or duplicated" \
	jcheck "$T/trial.json" trial 'j["received"] == 20000 and j["lost"] == 0 and j["reordered"] == 0 and j["duplicates"] == 0'
check "trial: the source's tx counter agrees (+5 for ARP/ND)" \
	jcheck "$T/trial.json" trial '0 <= j["tx_if"]["tx_packets"] - j["sent"] <= 5'
check "trial: the sink's rx counter agrees (+5 for ARP/ND)" \
	jcheck "$T/trial.json" trial '0 <= j["rx_if"]["rx_packets"] - j["received"] - j.get("sink_ring_drops", 0) <= 5'
check "trial: 8 flows of 2500 each" \
	jcheck "$T/trial.json" trial 'len(j["per_flow"]) == 8 and all(f["sent"] == 2500 and f["received"] == 2500 for f in j["per_flow"])'
check "trial: achieved rate within 1 % of offered" \
	jcheck "$T/trial.json" trial 'abs(j["achieved_pps"] - 20000) <= 200'
check "trial: latency measured, 0 < p50 <= p99 <= max < 1 s" \
	jcheck "$T/trial.json" trial 'j["latency_us"]["samples"] == 20000 and 0 < j["latency_us"]["p50"] <= j["latency_us"]["p99"] <= j["latency_us"]["max"] < 1e6'
check "trial: no sink ring drops" jcheck "$T/trial.json" trial 'j["sink_ring_drops"] == 0'
check "trial: auto chose AF_XDP" \
	jcheck "$T/trial.json" trial 'j["tx_path"].startswith("af_xdp")'

echo "--- trial 1 pps, 1 s: rates over the schedule, not over one frame"
"$VRGEN" trial $PAIR --rate 1 --duration 1 --json >"$T/slow.json" 2>"$T/slow.err"
check "1 pps trial exits 0" test $? = 0
check "1 pps: one frame, forwarded_pps 1 over a 1 s schedule (was 7637)" \
	jcheck "$T/slow.json" trial 'j["sent"] == 1 and j["received"] == 1 and j["forwarded_pps"] == 1 and j["achieved_pps"] == 1 and j["rate_interval_s"] == 1 and j["rate_basis"] == "schedule"'

# --- the other send path: the same exact counts ------------------------------
echo "--- trial 20 kpps over AF_PACKET, imix"
"$VRGEN" trial $PAIR --rate 20000 --duration 1 --flows 3 --frame imix \
	--tx packet --json >"$T/trialp.json" 2>"$T/trialp.err"
check "AF_PACKET trial exits 0" test $? = 0
cat "$T/trialp.err"
check "AF_PACKET trial: the path is named" \
	jcheck "$T/trialp.json" trial 'j["tx_path"] == "af_packet"'
check "AF_PACKET trial: 20000 sent, all received, counters agree" \
	jcheck "$T/trialp.json" trial 'j["sent"] == 20000 and j["received"] == 20000 and j["lost"] == 0 and 0 <= j["tx_if"]["tx_packets"] - j["sent"] <= 5'
check "AF_PACKET trial: bytes agree with the counter (imix)" \
	jcheck "$T/trialp.json" trial '0 <= j["tx_if"]["tx_bytes"] - j["tx_bytes"] <= 5 * 100'
"$VRGEN" trial $PAIR --rate 20000 --duration 1 --frame imix --tx xdp \
	--json >"$T/trialx.json" 2>"$T/trialx.err"
check "AF_XDP trial (imix): all received, bytes agree with the counter" \
	jcheck "$T/trialx.json" trial 'j["tx_path"].startswith("af_xdp") and j["sent"] == 20000 and j["received"] == 20000 and 0 <= j["tx_if"]["tx_bytes"] - j["tx_bytes"] <= 5 * 100'

# --- a sweep of three rates --------------------------------------------------
echo "--- sweep 10k, 40k, 80k pps"
"$VRGEN" sweep $PAIR --rates 10000,40000,80000 --duration 1 --flows 4 \
	--cpu 0 --json >"$T/sweep.json" 2>"$T/sweep.err"
check "sweep exits 0" test $? = 0
cat "$T/sweep.err"
check "sweep: three trials" python3 -c "
import json,sys
l=[json.loads(x) for x in open('$T/sweep.json')]
t=[j for j in l if j['type']=='trial']
sys.exit(not (len(t)==3 and [j['offered_pps'] for j in t]==[10000,40000,80000] and l[-1]['type']=='result' and l[-1]['complete']))"
check "sweep: sent = rate x duration" \
	jcheck "$T/sweep.json" trial 'j["sent"] == j["offered_pps"]'
check "sweep: sent agrees with the source's tx counter" \
	jcheck "$T/sweep.json" trial '0 <= j["tx_if"]["tx_packets"] + j["tx_if"]["tx_dropped"] - j["sent"] <= 5'
# what the interface counted reached the sink, or its ring had no room
# (a loaded machine, ASan): sink_ring_drops says how many, never silently
check "sweep: received agrees with the sink's rx counter (less ring drops)" \
	jcheck "$T/sweep.json" trial '0 <= j["rx_if"]["rx_packets"] - j["received"] - j.get("sink_ring_drops", 0) <= 5'
check "sweep: received + lost = sent" \
	jcheck "$T/sweep.json" trial 'j["received"] + j["lost"] == j["sent"]'
check "sweep: no loss at 10 kpps" python3 -c "
import json,sys
t=[json.loads(x) for x in open('$T/sweep.json')][0]
sys.exit(not (t['lost'] == 0))"

# --- NDR search --------------------------------------------------------------
echo "--- NDR search up to 400 kpps"
"$VRGEN" ndr $PAIR --max-rate 400000 --min-rate 5000 --precision 0.05 \
	--trial-duration 0.3 --final-duration 1 --cpu 0 --no-per-flow \
	--json >"$T/ndr.json" 2>"$T/ndr.err"
check "ndr exits 0" test $? = 0
cat "$T/ndr.err"
tail -1 "$T/ndr.json"
check "ndr: a confirmed, plausible answer (10 k .. 400 kpps)" \
	jcheck "$T/ndr.json" "" 'j["type"] == "result" and j["status"] in ("ok", "at_max_rate") and j["confirmed"] and 10000 <= j["ndr_pps"] <= 400000'
check "ndr: the bracket holds the answer" \
	jcheck "$T/ndr.json" "" 'j["lower_pps"] == j["ndr_pps"] and (j["status"] == "at_max_rate" or j["upper_pps"] > j["ndr_pps"])'
check "ndr: the final trial at the answer lost nothing" \
	jcheck "$T/ndr.json" "" 'j["final_trial"]["sent"] > 0 and j["final_trial"]["received"] == j["final_trial"]["sent"]'
check "ndr: one progress line per trial" python3 -c "
import json,sys
l=[json.loads(x) for x in open('$T/ndr.json')]
sys.exit(not (len([j for j in l if j['type']=='trial']) == l[-1]['trials']))"
check "ndr: every passing trial lost nothing" \
	jcheck "$T/ndr.json" trial 'not j["pass"] or j["lost"] == 0'

# --- latency at percents of the answer ---------------------------------------
echo "--- NDR search with --latency-at 0,100"
"$VRGEN" ndr $PAIR --max-rate 2000 --trial-duration 0.3 --final-duration 0.5 \
	--latency-at 0,100 --cpu 0 --no-per-flow --json >"$T/lat.json" 2>"$T/lat.err"
check "ndr --latency-at exits 0" test $? = 0
check "latency-at: two lines at 1 % and 100 % of the answer, before the result" python3 -c "
import json,sys
l=[json.loads(x) for x in open('$T/lat.json')]
a=l[-1]['ndr_pps']
r=[j for j in l if j['type']=='latency_at']
ok = (l[-1]['type'] == 'result' and [j['percent'] for j in r] == [0, 100] and
      [j['offered_pps'] for j in r] == [max(1, round(a / 100)), a] and
      all(j['trial']['latency_us']['samples'] == j['trial']['received'] > 0
          and 'pass' not in j['trial'] for j in r))
sys.exit(not ok)"
"$VRGEN" ndr $PAIR --max-rate 2000 --trial-duration 0.3 --final-duration 0.5 \
	--latency-at 50 --cpu 0 >"$T/lat.txt" 2>&1
check "latency-at: the text output ends with the table" sh -c "
	tail -2 '$T/lat.txt' | head -1 | grep -q '^PERCENT  *OFFERED_PPS  *SAMPLES  *P50_US  *P90_US  *P99_US  *P99.9_US  *MAX_US' &&
	tail -1 '$T/lat.txt' | grep -qE '^ +50 +[0-9]+ +[0-9]+ '"
"$VRGEN" ndr $PAIR --latency-at 0,101 2>"$T/e6"
rc=$?
check "--latency-at 101: exit 1, names the range" \
	sh -c "[ $rc = 1 ] && grep -q '0..100' '$T/e6'"

# --- errors a person can act on ----------------------------------------------
"$VRGEN" send --dev nosuch0 --netns $P-in --rate 10 --count 1 2>"$T/e1"
rc=$?
check "unknown interface: exit 1, says so" \
	sh -c "[ $rc = 1 ] && grep -q 'no interface nosuch0.*in namespace $P-in' '$T/e1'"
"$VRGEN" sink --dev vp0 --netns vr-nonexistent --duration 1 2>"$T/e2"
rc=$?
check "unknown namespace: exit 1, says so" \
	sh -c "[ $rc = 1 ] && grep -q 'cannot open network namespace vr-nonexistent' '$T/e2'"
"$VRGEN" send --dev vp0 --netns $P-in --rate 1000 --count 100 --no-bypass \
	--json >"$T/nb.json" 2>"$T/nb.err"
check "--no-bypass: auto sends through the qdisc with AF_PACKET" \
	jcheck "$T/nb.json" send 'j["tx_path"] == "af_packet+qdisc" and j["sent"] == 100'
"$VRGEN" send --dev vp0 --netns $P-in --rate 10 --count 1 --tx xdp \
	--no-bypass 2>"$T/e5"
rc=$?
check "--no-bypass with --tx xdp: exit 1, says what to use" \
	sh -c "[ $rc = 1 ] && grep -q 'use --tx packet' '$T/e5'"
"$VRGEN" send --dev vp0 --netns $P-in --rate 10 --count 1 --tx dpdk 2>"$T/e4"
rc=$?
check "unknown --tx: exit 1, names the choices" \
	sh -c "[ $rc = 1 ] && grep -q 'auto, packet or xdp' '$T/e4'"
"$VRGEN" trial $PAIR --rate 10 2>"$T/e3"
rc=$?
check "missing --duration: exit 1, says so" \
	sh -c "[ $rc = 1 ] && grep -q 'duration' '$T/e3'"
if [ $FAILS -gt 0 ]; then
	for f in trial sweep ndr; do
		echo "=== $f.json"
		cut -c1-600 "$T/$f.json"
	done
fi
echo "$((CHECKS - FAILS)) passed, $FAILS failed"
[ $FAILS = 0 ]
