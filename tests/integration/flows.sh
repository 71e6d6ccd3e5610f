# Helpers for the multi-node end-to-end tests (sourced after common.sh):
# many UDP flows from the source namespace to the sink, counted per flow,
# and per-node interface counters from `vrctl --json status`.

# flows NAME NFLOWS PER_FLOW RATE: send PER_FLOW datagrams on each of NFLOWS
# flows (source ports 10000..), RATE datagrams/s in all; print, one line
# per flow, "SPORT RECEIVED" as the sink saw them.
flows() {
	local name=$1 nflows=$2 per=$3 rate=$4
	ip netns exec "vr-$name-out" python3 - "$((nflows * per))" >"$T/flows.out" 2>&1 <<'EOP' &
import socket, sys, collections
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 9000))
print("ready", flush=True)
s.settimeout(5.0)
got = collections.Counter()
try:
    while sum(got.values()) < n:
        _, (addr, port) = s.recvfrom(2048)
        got[port] += 1
except socket.timeout:
    pass
for port in sorted(got):
    print(port, got[port], flush=True)
EOP
	local sink=$!
	for _ in $(seq 50); do grep -q ready "$T/flows.out" 2>/dev/null && break; sleep 0.1; done
	ip netns exec "vr-$name-in" python3 - "$nflows" "$per" "$rate" <<'EOP'
import socket, sys, time
nflows, per, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(nflows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("198.18.1.2", 10000 + i))
    socks.append(s)
t0 = time.monotonic()
k = 0
for r in range(per):
    for i, s in enumerate(socks):
        while time.monotonic() < t0 + k / rate:
            time.sleep(0.0005)
        s.sendto(k.to_bytes(4, "big") + b"x" * 60, ("198.18.2.2", 9000))
        k += 1
EOP
	wait $sink
	grep -v ready "$T/flows.out"
}

# node_pkts STATUS_JSON NODE IF: frames the host handed to the guest's
# interface IF (a tap counts them as tx, a macvtap as rx).
node_pkts() {
	json "$1" "[i['tx_packets'] + i['rx_packets'] for t in j['topologies'] for n in t['nodes'] if n['name'] == '$2' for i in n['interfaces'] if i['guest_if'] == '$3'][0]"
}

# check_flows NAME NFLOWS PER_FLOW RATE NODE_IF NODE...: every flow arrives
# whole, and every NODE's NODE_IF carried a share (at least one flow's
# worth); the shares are printed.
check_flows() {
	local name=$1 nflows=$2 per=$3 rate=$4 ifn=$5 total n before after
	shift 5
	local nodes=("$@")
	"$VRCTL" --json status >"$T/before.json"
	flows "$name" "$nflows" "$per" "$rate" >"$T/perflow.txt"
	"$VRCTL" --json status >"$T/after.json"
	n=$(wc -l <"$T/perflow.txt")
	total=$(awk '{s += $2} END {print s + 0}' "$T/perflow.txt")
	check "$nflows flows reached the sink (got $n)" [ "$n" = "$nflows" ]
	check "every flow arrived whole: $total of $((nflows * per)) datagrams" \
		[ "$total" = $((nflows * per)) ]
	local sum=0 shares=""
	for nd in "${nodes[@]}"; do
		before=$(node_pkts "$T/before.json" "$nd" "$ifn")
		after=$(node_pkts "$T/after.json" "$nd" "$ifn")
		eval "d_$nd=$((after - before))"
		sum=$((sum + after - before))
	done
	for nd in "${nodes[@]}"; do
		local d
		d=$(eval echo "\$d_$nd")
		shares="$shares $nd=$d($(awk -v a="$d" -v b="$sum" 'BEGIN {printf "%.0f%%", b ? 100 * a / b : 0}'))"
		check "$nd carried a share: $d frames on $ifn" [ "$d" -ge "$per" ]
	done
	echo "per-node shares ($ifn, frames to the guest):$shares"
}
