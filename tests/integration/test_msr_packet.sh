#!/bin/bash
# End to end: `msr --backends 2 --lb-mode packet` under TCG through a real
# libvirtd (issue 17).  The LB guest's vr-lb spreads the packets of ONE
# UDP flow round robin over both back-ends (each gets about half), keeps
# control traffic on the first back-end (ICMP echo through the MSR, and an
# ARP request for a front-network address that is not the LB's), and the
# sink receives every packet (the order it saw them in is reported: per
# packet balancing reorders).  Frames are counted on the host end of each
# back-end's internal tap, by kind, with an AF_PACKET socket.
#
#   test_msr_packet.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name msr-packet \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
NAME=spkt

say "start msr --backends 2 --lb-mode packet"
if "$VRCTL" --json start msr --backends 2 --lb-mode packet --name "$NAME" \
	--timeout 300 >"$T/start.json" 2>"$T/start.err"; then
	ok "start answered"
else
	bad "start failed: $(cat "$T/start.err")"
	finish 1
fi
virsh dumpxml "vrouterd-$NAME-lb0" >"$T/lb0.xml" 2>&1
check "the LB's domain records lb_mode packet and boots with vr.lb=" \
	sh -c "grep -q 'lb_mode.*packet' '$T/lb0.xml' && grep -q '<cmdline>.* vr.lb=' '$T/lb0.xml'"
virsh dumpxml "vrouterd-$NAME-be0" >"$T/be0.xml" 2>&1
check "a back-end boots without vr.lb=" \
	sh -c "grep -q '<cmdline>' '$T/be0.xml' && ! grep -q '<cmdline>.* vr.lb=' '$T/be0.xml'"
check "lb0 runs the per-packet balancer" \
	grep -q 'per-packet balancer on eth0' "$T/state/$NAME/lb0.console.log"
"$VRCTL" --json status >"$T/status.json"

# The host end (tap) of each back-end's internal interface, and its MAC.
if_of() { # NODE KEY
	json "$T/status.json" "[i['$2'] for t in j['topologies'] for n in t['nodes'] if n['name'] == '$1' for i in n['interfaces'] if i['guest_if'] == 'eth0'][0]"
}
TAP0=$(if_of be0 name) MAC0=$(if_of be0 mac)
TAP1=$(if_of be1 name) MAC1=$(if_of be1 mac)
say "back-end taps: be0=$TAP0 ($MAC0) be1=$TAP1 ($MAC1)"

# sniff_start / sniff_stop: count, per back-end tap, the frames the host
# hands to the guest and addressed to its MAC (not a bridge's flood), by
# kind; sniff_stop prints "udp icmp arp" per back-end.
sniff_start() {
	python3 - "$TAP0" "$MAC0" "$TAP1" "$MAC1" >"$T/sniff.out" 2>&1 <<'EOP' &
import socket, sys, select, signal
socks, macs = [], []
for dev, mac in zip(sys.argv[1::2], sys.argv[2::2]):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((dev, 0))
    socks.append(s)
    macs.append(bytes.fromhex(mac.replace(":", "")))
count = [{"udp": 0, "icmp": 0, "arp": 0} for _ in socks]
stop = []
signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
print("ready", flush=True)
while not stop:
    try:
        r, _, _ = select.select(socks, [], [], 0.2)
    except InterruptedError:
        continue
    for s in r:
        f, addr = s.recvfrom(65536)
        if addr[2] != socket.PACKET_OUTGOING:  # to the guest only
            continue
        i = socks.index(s)
        if f[0:6] != macs[i]:
            continue
        c = count[i]
        et = f[12:14]
        if et == b"\x08\x06":
            c["arp"] += 1
        elif et == b"\x08\x00" and f[23] == 17:
            c["udp"] += 1
        elif et == b"\x08\x00" and f[23] == 1:
            c["icmp"] += 1
for c in count:
    print(c["udp"], c["icmp"], c["arp"], flush=True)
EOP
	SNIFF=$!
	for _ in $(seq 50); do grep -q ready "$T/sniff.out" 2>/dev/null && break; sleep 0.1; done
}
sniff_stop() { # sets C0 and C1 to "udp icmp arp"
	sleep 1
	kill -TERM "$SNIFF"
	wait "$SNIFF"
	C0=$(sed -n 2p "$T/sniff.out")
	C1=$(sed -n 3p "$T/sniff.out")
}

say "one UDP flow, 200 datagrams"
sniff_start
ip netns exec "vr-$NAME-out" python3 - 200 >"$T/sink.out" 2>&1 <<'EOP' &
import socket, sys
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.2.2", 9000))
print("ready", flush=True)
s.settimeout(5.0)
seqs = []
try:
    while len(seqs) < n:
        d, _ = s.recvfrom(2048)
        seqs.append(int.from_bytes(d[:4], "big"))
except socket.timeout:
    pass
late = sum(1 for i in range(1, len(seqs)) if seqs[i] < max(seqs[:i]))
print("received", len(seqs), "distinct", len(set(seqs)), "reordered", late)
EOP
SINK=$!
for _ in $(seq 50); do grep -q ready "$T/sink.out" 2>/dev/null && break; sleep 0.1; done
ip netns exec "vr-$NAME-in" python3 - <<'EOP'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.18.1.2", 10000))
for k in range(200):
    s.sendto(k.to_bytes(4, "big") + b"x" * 60, ("198.18.2.2", 9000))
    time.sleep(0.01)
EOP
wait $SINK
sniff_stop
read -r U0 _ _ <<<"$C0"
read -r U1 _ _ <<<"$C1"
cat "$T/sink.out"
say "udp frames to be0=$U0 be1=$U1"
check "the sink received all 200 datagrams of the flow" \
	grep -q '^received 200 distinct 200 ' "$T/sink.out"
check "one flow reached both back-ends (be0=$U0, be1=$U1; ~100 each)" \
	[ "$U0" -ge 80 -a "$U1" -ge 80 -a $((U0 + U1)) -ge 200 ]

say "ICMP through the MSR, and ARP for a front address not the LB's"
sniff_start
check "ping source -> sink" ip netns exec "vr-$NAME-in" ping -c 10 -i 0.2 -W 5 198.18.2.2
# the splitter namespace sits on lb0's front network (198.19.101.0/24)
SPIF=$(ip -n "vr-$NAME-sp" -o -4 addr show | awk '/198\.19\.101\./ {print $2}')
ip netns exec "vr-$NAME-sp" python3 - "$SPIF" <<'EOP'
import socket, sys, time
dev = sys.argv[1]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0x0806))
mac = s.getsockname()[4]
# who has 198.19.101.9 (nobody)? tell 198.19.101.1
arp = (b"\xff" * 6 + mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" +
       mac + bytes([198, 19, 101, 1]) + b"\x00" * 6 + bytes([198, 19, 101, 9]))
for _ in range(5):
    s.send(arp)
    time.sleep(0.1)
EOP
sniff_stop
read -r _ I0 A0 <<<"$C0"
read -r _ I1 A1 <<<"$C1"
say "icmp to be0=$I0 be1=$I1; arp to be0=$A0 be1=$A1"
check "ICMP went to the first back-end only (be0=$I0, be1=$I1)" \
	[ "$I0" -ge 10 -a "$I1" = 0 ]
check "ARP went to the first back-end only (be0=$A0, be1=$A1)" \
	[ "$A0" -ge 5 -a "$A1" = 0 ]

say "stop"
check "stop" "$VRCTL" stop "$NAME"
check "nothing left behind" nothing_left "$NAME"
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
