#!/bin/bash
# End to end (issue 14) under TCG: the domain is pinned by libvirt
# (<cputune>: `virsh vcpupin` and `virsh emulatorpin` agree with the plan
# and with status), and the NIC and guest axes reach the running system:
# an e1000 guest on macvtap in VEPA mode with vhost off and txqueuelen
# 20000 forwards; a virtio guest on macvtap in bridge mode forwards; --rt
# becomes libvirt's <vcpusched>; `--vhost on` on a host without vhost-net
# is refused before anything is made.  The "axes" rows: --queues and
# --qemu-arg reach the live XML, QEMU's command line (/proc/PID/cmdline)
# and status; --vhost-zerocopy without vhost_net, --irq-cpus and --pause
# off on veth ports are refused with a clear message; status reads the
# port NICs back.  The two forwarding VRs get the same
# short sweep (VR_AXES_RATES, default 2000:8000:2000), and the
# e1000/virtio ratio of forwarded packets is printed.
#
#   test_axes.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name axes \
		-- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

need_image
daemon_start
RATES=${VR_AXES_RATES:-2000:8000:2000}

say "--vhost on without vhost-net: refused before anything is made"
if [ -e /dev/vhost-net ]; then
	ok "skipped: this host has /dev/vhost-net"
else
	"$VRCTL" start monolithic --name xon --vhost on >"$T/on.out" 2>&1
	check "refused (exit $?)" [ $? != 0 ]
	check "the message says why" grep -q "vhost on: this host has no usable vhost-net" "$T/on.out"
	check "nothing left behind" nothing_left xon
fi

# --- the "axes" rows (lib/topo_axes.c, daemon/realport.c, vhostnet.c) ---
say "--vhost-zerocopy without vhost_net loaded: refused, saying so"
if [ -e /sys/module/vhost_net/parameters/experimental_zcopytx ]; then
	ok "skipped: vhost_net is loaded here"
else
	"$VRCTL" start monolithic --name xzc --vhost-zerocopy on >"$T/zc.out" 2>&1
	check "refused (exit $?)" [ $? != 0 ]
	cat "$T/zc.out"
	check "the message says the module is not loaded and how to load it" \
		grep -q "the vhost_net module is not loaded.*modprobe vhost_net experimental_zcopytx=1" "$T/zc.out"
	check "nothing left behind" nothing_left xzc
fi

say "real ports on veth: --irq-cpus and --pause off refused, port NICs read back"
ip link add vrtax0 type veth peer name vrtax1 &&
	ip link add vrtax2 type veth peer name vrtax3 &&
	ip link set vrtax0 up && ip link set vrtax2 up
"$VRCTL" start monolithic --name xirq --ports in=vrtax0,out=vrtax2 \
	--irq-cpus 0 >"$T/irq.out" 2>&1
check "--irq-cpus on a veth: refused (exit $?)" [ $? != 0 ]
cat "$T/irq.out"
check "the message says the NIC has no queue interrupts" \
	grep -q "irq_cpus: vrtax0 has no queue interrupts .*not supported by this NIC" "$T/irq.out"
check "nothing left behind" nothing_left xirq
"$VRCTL" start monolithic --name xpau --ports in=vrtax0,out=vrtax2 \
	--pause off >"$T/pau.out" 2>&1
check "--pause off on a veth: refused (exit $?)" [ $? != 0 ]
cat "$T/pau.out"
check "the message names the NIC" grep -q "pause off: vrtax0: " "$T/pau.out"
check "nothing left behind" nothing_left xpau
if "$VRCTL" start monolithic --name xpn --backend netns \
	--ports in=vrtax0,out=vrtax2 >"$T/pn.out" 2>&1; then
	"$VRCTL" --json status >"$T/pn.status"
	json "$T/pn.status" "j['topologies'][0]['port_nics']"
	check "status port_nics: driver veth, no IRQs, no pause control" \
		[ "$(json "$T/pn.status" "(lambda p: (p['in']['driver'], p['out']['driver'], p['in']['irqs'], p['in']['pause']))(j['topologies'][0]['port_nics'])")" = "('veth', 'veth', 'not supported by this NIC', 'not supported by this NIC')" ]
	check "netns on real ports: stop" "$VRCTL" stop xpn
else
	bad "netns backend on veth ports: start: $(cat "$T/pn.out")"
fi
ip link del vrtax0 2>/dev/null
ip link del vrtax2 2>/dev/null

say "--queues 2 and --qemu-arg reach QEMU (TCG guest)"
ZARG="type=1,serial=vr'axes&<1>\"x"
if "$VRCTL" --json start monolithic --name xq --cores 2 --queues 2 \
	--qemu-arg -smbios --qemu-arg "$ZARG" --timeout 240 \
	>"$T/xq.start" 2>"$T/xq.err"; then
	ok "started"
	"$VRCTL" --json status >"$T/xq.status"
	virsh dumpxml vrouterd-xq-vr0 >"$T/xq.xml"
	grep -E "queues=|qemu:" "$T/xq.xml"
	check "live XML: two queue pairs on each NIC" \
		sh -c "grep -c \"<driver name='qemu' queues='2'/>\" '$T/xq.xml' | grep -qx 2"
	check "live XML: the arguments, escaped" \
		grep -qF "<qemu:arg value='type=1,serial=vr&apos;axes&amp;&lt;1&gt;&quot;x'/>" "$T/xq.xml"
	check "status reads queues and the arguments back from the live XML" \
		[ "$(json "$T/xq.status" "(lambda d: (d['nic_queues'], d['qemu_args']))(j['topologies'][0]['nodes'][0]['domain_live'])")" = "(2, ['-smbios', $(python3 -c 'import sys; print(repr(sys.argv[1]))' "$ZARG")])" ]
	pid=$(json "$T/xq.status" "j['topologies'][0]['nodes'][0]['qemu_pid']")
	tr '\0' '\n' <"/proc/$pid/cmdline" >"$T/xq.cmdline"
	check "QEMU (pid $pid) got -smbios and the argument verbatim, in order" \
		sh -c "grep -A1 -x -- '-smbios' '$T/xq.cmdline' | tail -1 | grep -qxF -- \"\$1\"" _ "$ZARG"
	check "QEMU's virtio-net devices are multi-queue" \
		grep -qE -- 'virtio-net-pci.*("mq":true|mq=on)' "$T/xq.cmdline"
	check "status vhost_net: not loaded, said" \
		[ "$(json "$T/xq.status" "j['topologies'][0]['vhost_net']['loaded']")" = False ]
	check "stop" "$VRCTL" stop xq
else
	bad "start: $(cat "$T/xq.err")"
fi
check "nothing left behind" nothing_left xq

# compare the CPU list of `virsh vcpupin`/`emulatorpin` with the plan's
pins_agree() { # pins_agree DOMAIN STATUS_JSON
	local dom=$1 st=$2 k planned
	virsh vcpupin "$dom" >"$T/vcpupin.txt" || return 1
	virsh emulatorpin "$dom" >"$T/emupin.txt" || return 1
	cat "$T/vcpupin.txt" "$T/emupin.txt"
	for k in 0 1; do
		planned=$(json "$st" "[t['planned'] for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind']=='vcpu' and t['index']==$k][0]")
		awk -v k="$k" -v want="$planned" '($1 == k || $1 == k":") && $2 == want {f=1} END {exit !f}' "$T/vcpupin.txt" ||
			{ echo "vCPU $k: virsh differs from plan $planned"; return 1; }
		check "vCPU $k: status current $(json "$st" "[t['cpus'] for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind']=='vcpu' and t['index']==$k][0]") == planned $planned" \
			[ "$(json "$st" "[t['cpus'] for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind']=='vcpu' and t['index']==$k][0]")" = "$planned" ]
	done
	planned=$(json "$st" "[t['planned'] for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind']=='emulator'][0]")
	awk -v want="$planned" '$1 == "*:" && $2 == want {f=1} END {exit !f}' "$T/emupin.txt" ||
		{ echo "emulator: virsh differs from plan $planned"; return 1; }
}

run() { # run NAME LABEL START_OPTIONS...
	local name=$1 label=$2
	shift 2
	say "$label: start monolithic $*"
	if ! "$VRCTL" --json start monolithic --name "$name" --cores 2 --pin \
		--link macvtap --timeout 240 "$@" >"$T/$name.start" 2>"$T/$name.err"; then
		bad "$label: start: $(cat "$T/$name.err")"
		return 1
	fi
	ok "$label: started"
	"$VRCTL" --json status >"$T/$name.status"
	dom=vrouterd-$name-vr0
	virsh dumpxml "$dom" >"$T/$name.xml"
	sed -n '/<cputune>/,/<\/cputune>/p' "$T/$name.xml"
	json "$T/$name.status" "j['topologies'][0]['nodes'][0].get('domain_live')"
	check "$label: libvirt pinned the domain (<cputune> in the live XML)" \
		grep -q "<vcpupin vcpu='1'" "$T/$name.xml"
	check "$label: virsh vcpupin/emulatorpin agree with the plan and status" \
		pins_agree "$dom" "$T/$name.status"
	[ "$label" = rt ] && return 0 # no traffic (below)
	check "$label: ping source -> sink through the VR" \
		ip netns exec "vr-$name-in" ping -c 3 -W 5 198.18.2.2
	check "$label: bench --sweep $RATES" \
		"$VRCTL" bench "$name" --sweep "$RATES" --duration 2 --out "$T/$name-sweep"
}

run e1k e1000 --nic-model e1000 --vhost off --macvtap-mode vepa \
	--guest-txqueuelen 20000
check "e1000: the live XML has model e1000 and no vhost driver" \
	sh -c "grep -q \"<model type='e1000'/>\" '$T/e1k.xml' && ! grep -q \"<driver name='vhost'\" '$T/e1k.xml'"
check "e1000: status and the bench record read the axes back" \
	[ "$(json "$T/e1k-sweep/experiment.json" "(lambda n: (n['domain_live']['nic_models'], n['domain_live'].get('nic_driver'), n['domain_live'].get('vcpusched'), n['interfaces'][0]['macvtap_mode']))(j['topology']['nodes'][0])")" = "(['e1000', 'e1000'], None, None, 'vepa')" ]
check "e1000: status says vhost off, by request" \
	[ "$(json "$T/e1k.status" "(j['topologies'][0]['vhost'], j['topologies'][0]['vhost_reason'])")" = "(False, 'off by request (--vhost off)')" ]
check "e1000: the macvtaps are in vepa mode" \
	sh -c "ip -d link show vr-e1k-t00 | grep -q 'macvtap mode vepa'"
check "e1000: the guest's NICs run the e1000 driver, txqueuelen 20000" \
	sh -c "grep -a 'vrouterd-init: .* eth[01] ' '$T/state/e1k/vr0.console.log' | grep -c 'driver=e1000 txqueuelen=20000' | grep -qx 2"
check "e1000: stop" "$VRCTL" stop e1k
check "e1000: nothing left behind" nothing_left e1k

# vhost off as in the e1000 run, so that the sweeps compare the NIC
# model (each macvtap is alone on its port: its mode does not change the
# path)
run vio virtio --vhost off
check "virtio: the live XML has model virtio" grep -q "<model type='virtio'/>" "$T/vio.xml"
check "virtio: the guest's NICs run virtio_net" \
	grep -aq "vrouterd-init: .* eth0 .* driver=virtio_net " "$T/state/vio/vr0.console.log"
check "virtio: the macvtaps are in bridge mode" \
	sh -c "ip -d link show vr-vio-t00 | grep -q 'macvtap mode bridge'"
check "virtio: stop" "$VRCTL" stop vio
check "virtio: nothing left behind" nothing_left vio

# --rt through libvirt's <vcpusched>: no traffic here, because under TCG
# QEMU's main loop does the device emulation and SCHED_FIFO vCPUs on a
# host with no CPU to spare starve it (pings then fail now and then)
run rt rt --rt 10
# libvirt keeps one <vcpusched> per vCPU in the live XML
check "rt: <vcpusched> fifo 10 for both vCPUs in the live XML" \
	sh -c "grep -c \"<vcpusched vcpus='[01]' scheduler='fifo' priority='10'/>\" '$T/rt.xml' | grep -qx 2"
check "rt: the vCPU threads run SCHED_FIFO 10" \
	[ "$(json "$T/rt.status" "sorted(set('%s/%s' % (t['policy'], t['prio']) for t in j['topologies'][0]['nodes'][0]['threads'] if t['kind']=='vcpu'))")" = "['fifo/10']" ]
check "rt: stop" "$VRCTL" stop rt
check "rt: nothing left behind" nothing_left rt

say "e1000 against virtio under TCG (forwarded pps per offered rate)"
python3 - "$T/e1k-sweep/experiment.json" "$T/vio-sweep/experiment.json" <<'PY' || true
import json, sys
e, v = (json.load(open(f))["trials"] for f in sys.argv[1:3])
for a, b in zip(e, v):
    ratio = a["forwarded_pps"] / b["forwarded_pps"] if b["forwarded_pps"] else 0
    print("offered %7.0f pps: e1000 %8.1f  virtio %8.1f  ratio %.3f  (loss %.4f / %.4f)" %
          (a["offered_pps"], a["forwarded_pps"], b["forwarded_pps"], ratio,
           a["loss_ratio"], b["loss_ratio"]))
PY
check "daemon exits 0 on SIGTERM" daemon_stop
finish 0
