#!/bin/bash
# Benchmark: pinned against unpinned and 1 against 2 cores, for the netns
# and the vm backend, all in one run: experiments/pinning-cores-backends.json
# (a monolithic VR, NDR of 64-byte frames, 4 flows, for each of the 8
# combinations) through `vrctl experiment`, then a table of the answers and
# the ratios that matter.
#
#   vrgen/pinning-backends.sh BUILD_DIR [EXPERIMENT_FILE] [OUT_DIR]
#
# Needs root, libvirt and the guest image (built on first use).  OUT_DIR
# (default: a temporary directory, removed) keeps every run's
# experiment.json, results.csv and plots.
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/..")
EXP=$(realpath "${2:-$SRC/experiments/pinning-cores-backends.json}")
OUT=${3:-}
[ -z "$OUT" ] || { mkdir -p "$OUT" && OUT=$(realpath "$OUT"); }
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name bpin -- \
		"$0" "$BUILD" "$EXP" "$OUT"
fi
. "$SRC/tests/integration/common.sh"
need_image
daemon_start
DIR=${OUT:-$T/exp}/run-$(date +%Y%m%d-%H%M%S)
"$VRCTL" experiment "$EXP" --out "$DIR" || {
	echo "the experiment failed"
	finish 1
}
echo
python3 - "$DIR" <<'EOP'
import glob, json, os, sys
runs = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "experiment.json"))):
    r = json.load(open(f))
    o = r["plan"]["options"]
    runs[(r["backend"], o["cores"], bool(o["pin"]))] = r
any_r = next(iter(runs.values()))
print("NDR (zero loss), 64-byte frames, 4 flows; host %s, %d CPUs, kernel %s"
      % (any_r["host"]["cpu_model"], any_r["host"]["cpus"],
         any_r["host"]["kernel"]))
print("%-7s %5s %-5s %12s %6s %-9s %s" % ("backend", "cores", "pin",
      "ndr_pps", "trials", "bound by", "accel / threads placed"))
for (b, c, p), r in sorted(runs.items()):
    th = [t for n in r["topology"].get("nodes", [])
          for t in n.get("threads", [])]
    where = ",".join(sorted({t.get("cpus", "?") for t in th})) or "-"
    bound = "generator" if r["result"].get("generator_limited") else "loss"
    print("%-7s %5d %-5s %12.0f %6d %-9s %s, %d threads on CPUs %s"
          % (b, c, "yes" if p else "no", r["ndr_pps"], len(r["trials"]),
             bound, r["accel"], len(th), where))
print()
def ratio(a, b):
    return "%.2f" % (runs[a]["ndr_pps"] / runs[b]["ndr_pps"]) \
        if a in runs and b in runs and runs[b]["ndr_pps"] else "-"
for b in sorted({k[0] for k in runs}):
    print("%-5s pinned/unpinned: 1 core %s, 2 cores %s;  2 cores/1 core: "
          "unpinned %s, pinned %s"
          % (b, ratio((b, 1, True), (b, 1, False)),
             ratio((b, 2, True), (b, 2, False)),
             ratio((b, 2, False), (b, 1, False)),
             ratio((b, 2, True), (b, 1, True))))
print("(bound by generator: the sender could not offer the next rate up, so")
print(" the router may forward more; the generator shares the host's CPUs)")
EOP
[ -z "$OUT" ] || echo "results in $DIR"
finish 0
