#!/bin/bash
# Repeat it elsewhere (issue 13): `vrctl bench --replay DIR` and
# `vrctl experiment --replay DIR` against netns topologies in a sandbox
# without libvirtd.  A replay of a recorded sweep starts the same plan
# options and runs the same command (the new record says so), prints the
# comparison and the environment's differences (none but the send path);
# a topology file replays from the text the record carries, the file gone;
# a vm record whose image sha256 is not the local image's is refused
# before anything starts, and says which fields of a newer vrouterd it
# ignores; a record of an unknown format is refused.
#
#   test_replay.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name breplay -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
starts() { grep -c ": starting " "$T/vrouterd.log"; }
# jtrue FILE PYTHON_EXPR: the expression over the parsed JSON "j" is true
jtrue() {
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not eval(sys.argv[2]))' "$1" "$2"
}

# same FIELD_EXPR: the two records agree on it (python over r, n)
same() {
	python3 - "$T/rec/experiment.json" "$T/rep/experiment.json" "$1" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
n = json.load(open(sys.argv[2]))
a, b = eval(sys.argv[3])
print("recorded %s, replay %s" % (a, b))
sys.exit(a != b)
EOP
}

daemon_start
say "record a 1 s sweep of a netns monolithic topology"
if ! "$VRCTL" start monolithic --name a --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1; then
	bad "start: $(cat "$T/start.out")"
	finish 1
fi
# repeated rounds where this vrctl has them: the replay repeats as often
REPEAT=()
"$VRCTL" bench --help | grep -q -- '--repeat N' && REPEAT=(--repeat 2)
"$VRCTL" bench a --sweep 1000,2000 --duration 1 "${REPEAT[@]}" \
	--out "$T/rec" >"$T/rec.out" 2>&1
check "bench a --sweep exits 0" [ $? = 0 ]
check "stop a" "$VRCTL" stop a

say "bench --replay"
n0=$(starts)
"$VRCTL" bench --replay "$T/rec" --out "$T/rep" >"$T/rep.out" 2>"$T/rep.err"
rc=$?
cat "$T/rep.out"
check "bench --replay exits 0 ($(tail -1 "$T/rep.err"))" [ $rc = 0 ]
check "one start" [ "$(($(starts) - n0))" = 1 ]
check "the same plan options" \
	same '(r["plan"]["options"], n["plan"]["options"])'
check "the same topology, node count and pinning plan" \
	same '((r["plan"]["topology"], len(r["plan"]["nodes"]), r["plan"]["pinning"]),
	       (n["plan"]["topology"], len(n["plan"]["nodes"]), n["plan"]["pinning"]))'
check "the same command (but the instance name)" \
	same '({k: v for k, v in r["command"].items() if k != "name"},
	       {k: v for k, v in n["command"].items() if k != "name"})'
check "the same number of trials" same '(len(r["trials"]), len(n["trials"]))'
check "the new record names the one it replays" \
	jtrue "$T/rep/experiment.json" \
	'j["cli"]["replay"]["dir"] == "'"$T/rec"'"'
check "the comparison is printed (recorded and replay rows)" \
	grep -q '^recorded .*sweep' "$T/rep.out"
check "  and its replay row" grep -q '^replay .*sweep' "$T/rep.out"
check "the environment is printed" grep -q '^environment: ' "$T/rep.out"
check "no difference but the send path ($(json "$T/rep/replay.json" \
	'[d["what"] for d in j["environment"]]'))" \
	jtrue "$T/rep/replay.json" \
	'all(d["what"] == "tx path" for d in j["environment"])'
check "replay.json and replay-compare.svg written" \
	[ -s "$T/rep/replay.json" ] && [ -s "$T/rep/replay-compare.gp" -o -s "$T/rep/replay-compare.svg" ]
check "the new record is complete" \
	python3 "$SRC/tests/integration/check_experiment.py" --no-plot "$T/rep"
check "nothing running afterwards" \
	[ "$("$VRCTL" --json list | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("topologies", [])))')" = 0 ]

say "a topology file: its text travels in the record"
cp "$SRC/topologies/monolithic.json" "$T/mono-file.json"
"$VRCTL" start -f "$T/mono-file.json" --name f --backend netns --cores 1 \
	--timeout 60 >"$T/start.out" 2>&1 || bad "start -f: $(cat "$T/start.out")"
"$VRCTL" bench f --sweep 1000 --duration 1 --out "$T/frec" >/dev/null 2>&1
check "bench f exits 0" [ $? = 0 ]
"$VRCTL" stop f >/dev/null
check "the record carries the file's text" \
	jtrue "$T/frec/experiment.json" \
	'j["topology_text"].strip() == open("'"$T/mono-file.json"'").read().strip()'
rm "$T/mono-file.json"
"$VRCTL" bench --replay "$T/frec" --out "$T/frep" >"$T/frep.out" 2>&1
rc=$?
check "replayed with the file gone ($(tail -1 "$T/frep.out"))" [ $rc = 0 ]
check "  the same plan file and options" \
	jtrue "$T/frep/experiment.json" \
	'(j["plan"]["file"], j["plan"]["options"]) == (lambda r: (r["plan"]["file"], r["plan"]["options"]))(json.load(open("'"$T/frec/experiment.json"'")))'

say "a vm record whose image is not the one here"
mkdir -p "$T/img"
echo '{"outputs": {}}' >"$T/img/manifest.json"
python3 - "$T/rec/experiment.json" "$T/vmrec/experiment.json" "$T/img" <<'EOP'
import json, os, sys
r = json.load(open(sys.argv[1]))
r["backend"] = "vm"
r["accel"] = "tcg"
r["plan"]["options"].pop("backend", None)
r["plan"]["options"]["image"] = sys.argv[3]
r["guest_image"] = {"dir": sys.argv[3], "manifest_sha256": "0" * 64}
r["vrouterd_version"] = "99.0"
r["future_field"] = {"x": 1}
r["command"]["future_param"] = 3
os.makedirs(os.path.dirname(sys.argv[2]))
json.dump(r, open(sys.argv[2], "w"))
EOP
n0=$(starts)
"$VRCTL" bench --replay "$T/vmrec" --out "$T/vmrep" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
check "refused: exit 1" [ $rc = 1 ]
check "  saying the image differs, with both sha256" \
	grep -q "the guest image differs from the recorded one: $T/img/manifest.json has sha256 $(sha256sum "$T/img/manifest.json" | cut -c1-64), the record 0000" "$T/err"
check "  and how to go on (--force)" grep -q -- '--force to run anyway' "$T/err"
check "  naming the fields of the newer vrouterd it ignores" \
	grep -q 'written by vrouterd 99.0 .*ignores these fields: future_field, command.future_param' "$T/err"
check "  nothing started, no directory" \
	[ "$(starts)" = "$n0" ] && [ ! -e "$T/vmrep" ]
# the recorded image directory still there, its manifest gone (a missing
# directory would send replay to the daemon's own image, whichever is built)
rm -f "$T/img/manifest.json"
"$VRCTL" bench --replay "$T/vmrec" --out "$T/vmrep" >"$T/out" 2>"$T/err"
rc=$?
cat "$T/err"
check "an image without a manifest: refused too (exit $rc)" \
	grep -q 'cannot be checked against the record.*refused (--force' "$T/err"

say "records of an unknown format"
mkdir -p "$T/bad"
for f in 99 0 '"1"' null; do
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["format"]=json.loads(sys.argv[3]); json.dump(r, open(sys.argv[2],"w"))' \
		"$T/rec/experiment.json" "$T/bad/experiment.json" "$f"
	"$VRCTL" bench --replay "$T/bad" --out "$T/badrep" >/dev/null 2>"$T/err"
	rc=$?
	check "format $f: refused, exit 2 ($(cat "$T/err"))" \
		[ $rc = 2 ] && grep -q "record format $f is not one this vrctl reads (1 to 2)" "$T/err"
done
check "  nothing started, no directory" \
	[ "$(starts)" = "$n0" ] && [ ! -e "$T/badrep" ]
echo '{"kind": "something-else", "format": 1}' >"$T/bad/experiment.json"
"$VRCTL" bench --replay "$T/bad/experiment.json" >/dev/null 2>"$T/err"
check "another kind (named by the file): refused ($(cat "$T/err"))" grep -q 'not a vrouterd-bench record' "$T/err"

say "experiment --replay"
cat >"$T/x.json" <<'EOX'
{"name": "rx", "start": {"topology": "monolithic", "backend": "netns",
 "timeout": 60}, "matrix": {"cores": [1]},
 "bench": {"mode": "sweep", "rates": "1000", "duration": 1}}
EOX
# with "repeat" where this vrctl knows it (issue 13's repeats)
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j["repeat"]=2; json.dump(j, open(sys.argv[1]+".r", "w"))' "$T/x.json"
"$VRCTL" experiment -n "$T/x.json.r" >/dev/null 2>&1 && mv "$T/x.json.r" "$T/x.json"
"$VRCTL" experiment "$T/x.json" --out "$T/xrec" >"$T/out" 2>&1
check "experiment exits 0" [ $? = 0 ]
"$VRCTL" experiment --replay "$T/xrec" --out "$T/xrep" >"$T/xrep.out" 2>"$T/err"
rc=$?
cat "$T/xrep.out"
check "experiment --replay exits 0 ($(tail -1 "$T/err"))" [ $rc = 0 ]
check "the run's comparison is printed" grep -q '^replay .*sweep' "$T/xrep.out"
check "  with its environment" grep -q '^environment: ' "$T/xrep.out"
check "the same spec (seeded with the recorded order_seed), the same order and run options" python3 - "$T/xrec" "$T/xrep" <<'EOP'
import json, sys
a = json.load(open(sys.argv[1] + "/summary.json"))
b = json.load(open(sys.argv[2] + "/summary.json"))
assert "seed" not in a["spec"] and b["spec"]["seed"] == a["order_seed"], b
assert a["spec"] == {k: v for k, v in b["spec"].items() if k != "seed"}, (a["spec"], b["spec"])
assert [(x["round"], x["run"]) for x in a["order"]] == \
       [(x["round"], x["run"]) for x in b["order"]]
ra = json.load(open(sys.argv[1] + "/01/experiment.json"))
rb = json.load(open(sys.argv[2] + "/01/experiment.json"))
assert ra["plan"]["options"] == rb["plan"]["options"]
rp = json.load(open(sys.argv[2] + "/replay.json"))
assert len(rp["runs"]) == 1 and len(rp["runs"][0]["compare"]["runs"]) == 2, rp
EOP
"$VRCTL" --json experiment --replay "$T/xrec" --out "$T/xrep2" >"$T/out" 2>"$T/err"
check "--json: exit 0, one JSON document on stdout" \
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["runs"]' "$T/out"

check "stop: nothing left" nothing_left a
check "  of f either" nothing_left f
finish 0
