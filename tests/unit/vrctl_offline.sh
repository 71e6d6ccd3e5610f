#!/bin/sh
# vrctl without a daemon, without root: `topology` plans locally (the
# planner is lib/'s) and says so on stderr; --host-cpus previews a plan
# for another machine and the plan equals the golden one rendered for that
# host (tests/golden/topology-*, the host line apart); `experiment
# --dry-run --json` prints its runs as JSON; usage errors exit 2; verbs
# that need the daemon exit 3.
#
#   vrctl_offline.sh VRCTL GOLDEN_DIR EXPERIMENTS_DIR
VRCTL=$1
GOLDEN=$2
EXPERIMENTS=$3
T=$(mktemp -d /tmp/vrctl-offline.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
SOCK=$T/no-daemon.sock # nothing listens there
FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok: $*"; }
bad() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
run() { # run ARGS...: stdout in $T/out, stderr in $T/err, status in $rc
	"$VRCTL" -s "$SOCK" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
IMG=/usr/share/vrouterd/guest # as the golden files were rendered

# docs/examples/pvr-2hosts.json (docs/multihost.md) plans, vr1 on host b.
run topology -f "$GOLDEN/../../docs/examples/pvr-2hosts.json" --host-cpus 4
check "docs/examples/pvr-2hosts.json plans: exit $rc" [ $rc = 0 ]
check "vr1 on host b" grep -q 'vr1 (router): .*, host b$' "$T/out"

# --host-cpus: the plan of the golden file (fake host 0-7), plus the host.
run topology monolithic --cores 4 --pin --image $IMG --host-cpus 8
check "--host-cpus 8: exit 0" [ $rc = 0 ]
check "--host-cpus: nothing on stderr (no daemon asked)" [ ! -s "$T/err" ]
check "the override is in the output" \
	grep -qx 'host:     8 CPUs (0-7), isolated none: given by --host-cpus, not this machine.s' "$T/out"
grep -v '^host:' "$T/out" >"$T/plan.txt"
check "monolithic --cores 4 --pin on 8 CPUs is the golden plan" \
	cmp "$T/plan.txt" "$GOLDEN/topology-monolithic-4cores-pin.txt"
run topology pvr --vrs 3 --image $IMG --host-cpus 0-7
grep -v '^host:' "$T/out" >"$T/plan.txt"
check "pvr --vrs 3, --host-cpus 0-7 (a list): the golden plan" \
	cmp "$T/plan.txt" "$GOLDEN/topology-pvr-3vrs.txt"
run topology msr --image $IMG --host-cpus 8 --dot
grep -v '^  // planned by vrctl for CPUs 0-7 (--host-cpus)$' "$T/out" >"$T/plan.dot"
check "msr --dot: the golden graph, with a comment naming the host" \
	sh -c "cmp '$T/plan.dot' '$GOLDEN/topology-msr.dot' && ! cmp -s '$T/out' '$T/plan.dot'"
run --json topology monolithic --cores 2 --pin --host-cpus 4
check "--json: host and planned_by say whose plan it is" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["planned_by"] == "vrctl", j
assert j["host"] == {"cpus": 4, "online": "0-3", "isolated": "",
                     "source": "--host-cpus"}, j["host"]
assert j["plan"]["pinning"]["vcpu_cpus"] == "2-3", j["plan"]["pinning"]
' "$T/out"

# VR_SYSFS_ROOT: a synthetic 2-socket host, 4 cores a socket, 2 threads a
# core, one NUMA node a socket (CPU c and c+8 siblings): the plan keeps the
# 4 vCPUs on distinct cores of one NUMA node, or fills cores with --smt
# share, and says so.
H=$T/host2s
c=0
while [ $c -lt 16 ]; do
	d=$H/sys/devices/system/cpu/cpu$c/topology
	mkdir -p "$d"
	k=$((c % 8))
	echo $((k / 4)) >"$d/physical_package_id"
	echo "$k,$((k + 8))" >"$d/thread_siblings_list"
	echo "$k,$((k + 8))" >"$d/core_cpus_list"
	c=$((c + 1))
done
echo 0-15 >"$H/sys/devices/system/cpu/online"
mkdir -p "$H/sys/devices/system/node/node0" "$H/sys/devices/system/node/node1"
echo 0-3,8-11 >"$H/sys/devices/system/node/node0/cpulist"
echo 4-7,12-15 >"$H/sys/devices/system/node/node1/cpulist"
VR_SYSFS_ROOT=$H run topology monolithic --cores 4 --pin --image $IMG
check "VR_SYSFS_ROOT: exit 0, no daemon asked" \
	sh -c "[ $rc = 0 ] && [ ! -s '$T/err' ]"
check "VR_SYSFS_ROOT: vCPUs on distinct cores of NUMA node 1" \
	grep -q '^pinning:  vCPUs on 4-7, housekeeping on 0-3,8-15$' "$T/out"
check "VR_SYSFS_ROOT: the NUMA node is said" \
	grep -qx '  NUMA nodes: vr0 on 1' "$T/out"
check "VR_SYSFS_ROOT: the note says --smt avoid" \
	grep -q '^  note: --smt avoid: ' "$T/out"
VR_SYSFS_ROOT=$H run --json topology monolithic --cores 4 --pin --smt share
check "--smt share: a core's threads first; host topology recorded" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
p = j["plan"]["pinning"]
assert p["vcpu_cpus"] == "4-5,12-13" and p["smt"] == "share", p
assert p["numa_nodes"] == {"vr0": 1}, p
assert j["plan"]["options"]["smt"] == "share", j["plan"]["options"]
t = j["host"]["topology"]
assert t["packages"] == 2 and t["cores"] == 8 and t["numa_nodes"] == 2, t
assert t["numa"] == {"0": "0-3,8-11", "1": "4-7,12-15"}, t
assert j["host"]["source"] == "VR_SYSFS_ROOT", j["host"]
' "$T/out"
VR_SYSFS_ROOT=$H run topology monolithic --smt sideways
check "--smt sideways: refused" sh -c "[ $rc != 0 ] && grep -q smt '$T/err'"
cat >"$T/smt.json" <<'EOF2'
{"name": "smt", "start": {"topology": "monolithic", "pin": true},
 "matrix": {"smt": ["avoid", "share"]}, "bench": {"mode": "ndr"}}
EOF2
run --json experiment --dry-run "$T/smt.json"
check "experiment: smt is a matrix key" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert [r["matrix"] for r in j["runs"]] == [{"smt": "avoid"}, {"smt": "share"}], j
assert j["runs"][1]["start"]["smt"] == "share", j["runs"][1]
' "$T/out"
cat >"$T/axes.json" <<'EOF2'
{"name": "axes", "start": {"topology": "monolithic"},
 "matrix": {"qemu_args": [[], ["-global", "a=b"]], "queues": [1, 2],
            "vhost_zerocopy": ["on", "off"]},
 "bench": {"mode": "ndr"}}
EOF2
run --json experiment --dry-run "$T/axes.json"
check "experiment: queues, vhost_zerocopy and qemu_args (an array) are matrix keys" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert len(j["runs"]) == 8, j
assert j["runs"][7]["start"]["qemu_args"] == ["-global", "a=b"], j["runs"][7]
assert j["runs"][7]["start"]["queues"] == 2, j["runs"][7]
' "$T/out"
# the axes flags in a plan; refused where they cannot apply
run --json topology monolithic --cores 2 --queues 3 --qemu-arg -global \
	--qemu-arg "a='b'" --vhost-zerocopy off
check "topology --queues --qemu-arg --vhost-zerocopy: in the plan's options" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["plan"]["options"]
assert (o["queues"], o["qemu_args"], o["vhost_zerocopy"]) == (3, ["-global", "a='"'"'b'"'"'"], "off"), o
' "$T/out"
run topology monolithic --irq-cpus 0
check "--irq-cpus on test ports: refused" sh -c "[ $rc != 0 ] && grep -q 'irq_cpus: for real NICs only' '$T/err'"
run topology monolithic --queues 0
check "--queues 0: refused" sh -c "[ $rc != 0 ] && grep -q 'queues' '$T/err'"

# The placement axes (issue 14): matrix keys, plan options, vhost entries.
cat >"$T/vh.json" <<'EOF2'
{"name": "vh", "start": {"topology": "monolithic", "pin": true},
 "matrix": {"vhost_cpu": ["vcpu", "dedicated"], "vhost_rt": [0, 10],
            "hugepages": [true]}, "bench": {"mode": "ndr"}}
EOF2
run --json experiment --dry-run "$T/vh.json"
check "experiment: vhost_cpu, vhost_rt, hugepages are matrix keys" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
m = [r["matrix"] for r in j["runs"]]
assert len(m) == 4 and {"vhost_cpu": "dedicated", "vhost_rt": 10, "hugepages": True} in m, m
assert all(r["start"]["vhost_cpu"] == r["matrix"]["vhost_cpu"] for r in j["runs"]), j
' "$T/out"
run --json topology monolithic --cores 2 --pin --vhost-cpu dedicated --vhost-rt 10 --host-cpus 8
check "--vhost-cpu dedicated: each vhost thread a CPU of its own" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["plan"]
assert p["options"]["vhost_cpu"] == "dedicated" and p["options"]["vhost_rt"] == 10, p["options"]
vh = [t["cpus"] for t in p["pinning"]["threads"] if t["kind"] == "vhost"]
assert vh == ["4", "5", "6", "7"] and p["pinning"]["vcpu_cpus"] == "2-3", p["pinning"]
' "$T/out"
run topology monolithic --vhost-cpu vcpu --host-cpus 8
check "--vhost-cpu vcpu without --pin: refused" \
	sh -c "[ $rc != 0 ] && grep -q 'vhost_cpu vcpu: needs --pin' '$T/err'"

# No daemon, no --host-cpus: this machine's CPUs, said on stderr.
run topology monolithic
check "no daemon: exit 0" [ $rc = 0 ]
check "stderr says it planned locally and why" \
	grep -q "vrouterd does not answer on $SOCK (No such file or directory): planned locally" "$T/err"
check "the host line says this machine" grep -q "^host: .*this machine's, planned by vrctl" "$T/out"
run --json topology msr
check "--json without a daemon: stderr says so too, stdout is JSON" \
	sh -c "grep -q 'planned locally' '$T/err' && python3 -m json.tool '$T/out' >/dev/null"
run topology
check "the topology list works without the daemon" \
	sh -c "[ $rc = 0 ] && grep -q '^monolithic ' '$T/out'"

# Errors.
run topology nosuch --host-cpus 4
check "an unknown topology: exit 1, named" \
	sh -c "[ $rc = 1 ] && grep -q \"unknown topology 'nosuch'\" '$T/err'"
for bad_arg in 0 x 0-3,x ""; do
	run topology monolithic --host-cpus "$bad_arg"
	check "--host-cpus '$bad_arg': usage error (2)" [ $rc = 2 ]
done
run topology --host-cpus 4
check "--host-cpus without a topology: usage error" [ $rc = 2 ]
run start monolithic --host-cpus 4
check "start --host-cpus: usage error, said" \
	sh -c "[ $rc = 2 ] && grep -q 'topology. only' '$T/err'"
run list
check "list without a daemon: exit 3" [ $rc = 3 ]
run status m1
check "status NAME without a daemon: exit 3" [ $rc = 3 ]
run status m1 m2
check "status with two names: usage error" [ $rc = 2 ]

# experiment --dry-run --json: the expanded matrix.
run --json experiment --dry-run "$EXPERIMENTS/figure1-cores-pinning.json"
check "experiment --dry-run --json: the runs as JSON" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["name"] == "figure1-cores-pinning", j["name"]
assert j["count"] == len(j["runs"]) == 6, j["count"]
r = j["runs"][1]
assert r["index"] == 2 and r["dir"] == "02-cores1-pin", r
assert r["start"]["name"] == r["bench"]["name"] == r["instance"], r
assert r["matrix"] == {"cores": 1, "pin": True}, r["matrix"]
' "$T/out"
check "experiment --dry-run --json: nothing started, stderr empty" [ ! -s "$T/err" ]

# A start.topology that is a file: vrctl reads it (the daemon opens no
# path a client names), relative to the experiment file's directory.
mkdir -p "$T/exp/sub"
cp "$GOLDEN/../../topologies/monolithic.json" "$T/exp/sub/mine.json"
cat >"$T/exp/e.json" <<'EOF2'
{"name": "t", "start": {"topology": "sub/mine.json", "backend": "netns"},
 "matrix": {"cores": [1, 2]},
 "bench": {"mode": "sweep", "rates": "1000", "duration": 1}}
EOF2
run --json experiment --dry-run "$T/exp/e.json"
check "experiment: a topology file is read by vrctl, relative to the file" \
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for r in j["runs"]:
    s = r["start"]
    assert s["topology"] == sys.argv[2], s["topology"]
    assert json.loads(s["topology_text"])["name"] == "monolithic", s
' "$T/out" "$T/exp/sub/mine.json"
sed 's#sub/mine.json#sub/none.json#' "$T/exp/e.json" >"$T/exp/f.json"
run experiment --dry-run "$T/exp/f.json"
check "experiment: a missing topology file is a usage error, named" \
	sh -c "[ $rc = 2 ] && grep -q 'sub/none.json' '$T/err'"

echo "$((CHECKS - FAILS)) passed, $FAILS failed"
[ $FAILS = 0 ]
