#!/bin/sh
# vrctl and hostile input (issue 18, items 9 and 11), no root, no daemon:
#   - the files vrctl reads (topology -f, experiment, bench records) are
#     regular files within a bound, one complete JSON value, no duplicate
#     key, no U+0000: each refused with the file's name and why, before
#     anything is sent;
#   - an experiment's name is a safe file name component;
#   - text output never writes a control character that came from the
#     daemon: a fake vrouterd (python, on a temporary socket) answers with
#     descriptions, states and errors full of escape sequences.
#
# As root, also the daemon's side against a real vrouterd (test:///default
# libvirt, a temporary socket and state): topology_text with text after the
# value or \u0000 sent raw (past vrctl's own check) is refused, and
# `vrctl topology -f` shows the plan's warnings.
#
# usage: test_vrctl_files.sh [VRCTL [VROUTERD]]
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
VRCTL=${1:-$TOP/build/vrctl/vrctl}
VROUTERD=${2:-$TOP/build/daemon/vrouterd}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
BAD=$TOP/tests/topologies/bad
pass=0
fail=0

T=$(mktemp -d /tmp/vrctl-files.XXXXXX) || exit 1
FPID= DPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok: $1"; }
no() { fail=$((fail + 1)); echo "FAIL: $1"; }

# expect RC PATTERN -- ARGS: vrctl exits RC and stderr contains PATTERN
expect() {
	rc=$1 pat=$2
	shift 3
	out=$("$VRCTL" -s "$T/none.sock" "$@" 2>&1)
	got=$?
	if [ "$got" = "$rc" ] && printf '%s' "$out" | grep -qF -- "$pat"; then
		ok "vrctl $* -> $pat"
	else
		no "vrctl $*: exit $got (want $rc): $out (want: $pat)"
	fi
}

GOOD=$TOP/topologies/monolithic.json
mkfifo "$T/fifo"
{ cat "$GOOD"; head -c 300000 /dev/zero | tr '\0' x; } >"$T/big.json"
{ cat "$GOOD"; echo ']'; } >"$T/trailing.json"
head -c 300 "$GOOD" >"$T/trunc.json"
{ head -c 20 "$GOOD"; printf '\0'; tail -c +21 "$GOOD"; } >"$T/nul.json"
ln -s /dev/zero "$T/zero-link.json"

# item 9: the topology file
expect 2 "/dev/zero: not a regular file" -- topology -f /dev/zero
expect 2 "fifo: not a regular file" -- topology -f "$T/fifo"
expect 2 "zero-link.json: not a regular file" -- topology -f "$T/zero-link.json"
expect 2 "big.json: file too large (more than 262144 bytes)" -- \
	topology -f "$T/big.json"
expect 2 "big.json: file too large" -- start -f "$T/big.json"
expect 2 "trailing.json: line 26: not valid JSON: more text after the value" \
	-- topology -f "$T/trailing.json"
expect 2 "trunc.json: line 10: not valid JSON: unexpected end of file" -- \
	topology -f "$T/trunc.json"
expect 2 "nul.json: line 3: not valid JSON: a NUL byte" -- \
	topology -f "$T/nul.json"
# item 11: duplicate keys and U+0000, caught before anything is sent
expect 2 "\$.nodes[0].name: key given twice in one object (line 3)" -- \
	topology -f "$BAD/32-duplicate-key.json"
expect 2 "\$.nodes[0].name: a string with a NUL character" -- \
	topology -f "$BAD/33-nul-in-name.json"
# a good file is read whole; with no daemon vrctl plans it locally
expect 0 "planned locally" -- topology -f "$GOOD"

# item 9: experiment files
expect 2 "/dev/zero: not a regular file" -- experiment --dry-run /dev/zero
expect 2 "fifo: not a regular file" -- experiment -n "$T/fifo"
expect 2 "trunc.json: line 10: not valid JSON: unexpected end of file" -- \
	experiment -n "$T/trunc.json"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/huge-exp.json"
expect 2 "huge-exp.json: file too large (more than 1048576 bytes)" -- \
	experiment -n "$T/huge-exp.json"
for name in '../../tmp/x' 'a/b' '.hidden' '-x' 'UPPER' '' \
	'0123456789012345678901234567890123456789012345678901234567890123'; do
	printf '{"name": "%s", "bench": {"mode": "sweep", "rates": "1000"}}\n' \
		"$name" >"$T/exp.json"
	expect 2 '"name": use 1-63 characters a-z' -- experiment -n "$T/exp.json"
done
printf '{"name": "ok\\u0000/../x", "bench": {"mode": "sweep"}}\n' \
	>"$T/exp.json"
expect 2 '$.name: a string with a NUL character' -- experiment -n "$T/exp.json"
printf '{"name": "x", "description": "\\u001b[2J", "bench": {}}\n' \
	>"$T/exp.json"
expect 2 '$.description: a string with a control character' -- \
	experiment -n "$T/exp.json"
printf '{"name": "a", "name": "b", "bench": {}}\n' >"$T/exp.json"
expect 2 '$.name: key given twice' -- experiment -n "$T/exp.json"
for f in "$TOP"/experiments/*.json; do
	if "$VRCTL" -s "$T/none.sock" experiment -n "$f" >/dev/null 2>&1; then
		ok "experiment -n $(basename "$f")"
	else
		no "experiment -n $f: $("$VRCTL" experiment -n "$f" 2>&1)"
	fi
done

# item 9: bench records (bench compare)
mkdir "$T/rd"
mkfifo "$T/rd/experiment.json"
expect 1 "rd/experiment.json: not a regular file" -- \
	bench compare "$T/rd" "$T/rd"
printf '{"kind": "vrouterd-bench", "kind": "x"}' >"$T/rec.json"
expect 1 "rec.json: \$.kind: key given twice" -- \
	bench compare "$T/rec.json" "$T/rec.json"

# item 11: text output from a daemon that sends control characters
cat >"$T/fake.py" <<'EOF'
import json, os, socket, sys
ESC = "\x1b]0;owned\x07\x1b[2J\x9b31m\x00\r"
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
open(sys.argv[1] + ".ready", "w").close()
while True:
    c, _ = s.accept()
    line = c.makefile().readline()
    if not line:  # vrctl topology probes whether a daemon answers
        c.close()
        continue
    req = json.loads(line)
    m = req["method"]
    if m == "topology":
        res = {"topologies": [{"name": "evil" + ESC, "description": ESC}]}
        ans = {"jsonrpc": "2.0", "id": req["id"], "result": res}
    elif m == "status":
        res = {"topologies": [{"name": "t" + ESC, "topology": ESC,
                               "state": ESC, "warnings": [ESC],
                               "nodes": [{"name": ESC, "role": ESC}]}]}
        ans = {"jsonrpc": "2.0", "id": req["id"], "result": res}
    else:
        ans = {"jsonrpc": "2.0", "id": req["id"],
               "error": {"code": -32602, "message": "bad " + ESC,
                         "data": ESC}}
    c.sendall((json.dumps(ans) + "\n").encode())
    c.close()
EOF
"$PY" "$T/fake.py" "$T/fake.sock" &
FPID=$!
i=0
while [ ! -e "$T/fake.sock.ready" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
for verb in topology status stop; do
	"$VRCTL" -s "$T/fake.sock" $verb >"$T/out" 2>&1
	if [ "$verb" = stop ]; then
		"$VRCTL" -s "$T/fake.sock" stop x >"$T/out" 2>&1
	fi
	# no C0 control but newline, no DEL, no C1 (UTF-8 \xc2\x80-\x9f)
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$T/out" ||
		LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$T/out"; then
		no "vrctl $verb printed raw control characters: $(od -c "$T/out" | head -5)"
	elif grep -qF '\x1b]0;owned\x07\x1b[2J\u009b31m\x00\x0d' "$T/out"; then
		ok "vrctl $verb escapes control characters"
	else
		no "vrctl $verb: escaped text missing: $(cat "$T/out")"
	fi
done

# the daemon's own parser, as root with a real vrouterd
if [ "$(id -u)" = 0 ] && [ -x "$VROUTERD" ]; then
	cat >"$T/vrouterd.conf" <<EOF
{"libvirt_uri": "test:///default", "state_dir": "$T/state"}
EOF
	"$VROUTERD" --foreground --socket "$T/d.sock" \
		--config "$T/vrouterd.conf" 2>"$T/d.log" &
	DPID=$!
	i=0
	while ! "$VRCTL" -s "$T/d.sock" version >/dev/null 2>&1 &&
		[ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat >"$T/overlap.json" <<'EOF'
{"format": 1, "name": "x", "description": "d",
 "ports": {"in": {"address": "198.18.1.2/16"}},
 "networks": [{"name": "a", "port": "in"}, {"name": "b", "port": "out"}],
 "nodes": [{"name": "vr0", "interfaces": [
   {"network": "a", "address": "198.18.1.1/16"},
   {"network": "b", "address": "198.18.2.1/24"}]}]}
EOF
	if "$VRCTL" -s "$T/d.sock" topology -f "$T/overlap.json" 2>&1 |
		grep -q "^warning: networks 'a' and 'b' have overlapping"; then
		ok "vrctl topology -f shows the plan's warnings"
	else
		no "no overlap warning: $("$VRCTL" -s "$T/d.sock" topology -f "$T/overlap.json" 2>&1)"
	fi
	# raw JSON-RPC: what vrctl would have refused itself
	cat >"$T/rpc.py" <<'EOF'
import json, socket, sys
text = open(sys.argv[2]).read() + sys.argv[3]
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
req = {"jsonrpc": "2.0", "id": 1, "method": "topology",
       "params": {"topology": "/x/t.json", "topology_text": text}}
s.sendall((json.dumps(req) + "\n").encode())
print(s.makefile().readline())
EOF
	for tail in 'garbage]' '{' ' {"format": 1}'; do
		out=$("$PY" "$T/rpc.py" "$T/d.sock" "$GOOD" "$tail" 2>&1)
		if printf '%s' "$out" | grep -qF "more text after the value"; then
			ok "daemon refuses topology_text + '$tail'"
		else
			no "daemon topology_text + '$tail': $out"
		fi
	done
	sed 's/"vr0"/"vr0\\u0000x"/' "$GOOD" >"$T/nulname.json"
	out=$("$PY" "$T/rpc.py" "$T/d.sock" "$T/nulname.json" "" 2>&1)
	if printf '%s' "$out" | grep -qF 'a string with a NUL character'; then
		ok "daemon refuses a \\u0000 name in topology_text"
	else
		no "daemon topology_text with \\u0000: $out"
	fi
	kill "$DPID" && wait "$DPID" 2>/dev/null
	DPID=
else
	echo "skip: the daemon part needs root and $VROUTERD"
fi

echo "test_vrctl_files: $pass passed, $fail failed"
[ "$fail" = 0 ]
