#!/bin/bash
# vrctl's bash completion (vrctl/completion.bash): sourced in bash after
# bash-completion, then COMP_WORDS / COMP_CWORD set as readline would and
# _vrctl called; COMPREPLY must hold the words vrctl's tables give.  A fake
# daemon on a temporary socket answers `status` with two instances.
#
# usage: test_completion.sh VRCTL COMPLETION_SCRIPT
set -u
VRCTL=$1
SCRIPT=$2
PY=$(command -v python3) || { echo "SKIP: no python3"; exit 77; }

T=$(mktemp -d /tmp/vrctl-compl.XXXXXX) || exit 1
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# bash-completion first, as in an interactive shell (absent: said, and on)
if [ -r /usr/share/bash-completion/bash_completion ]; then
	. /usr/share/bash-completion/bash_completion
else
	echo "note: bash-completion is not installed; testing the script alone"
fi
. "$SCRIPT" || { echo "FAIL: cannot source $SCRIPT"; exit 1; }

SOCK=$T/d.sock
$PY - "$SOCK" <<'EOF' &
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept()
    req = json.loads(c.makefile().readline())
    res = {"topologies": [{"name": "lab1"}, {"name": "lab2"}]}
    c.sendall((json.dumps({"jsonrpc": "2.0", "id": req["id"],
                           "result": res}) + "\n").encode())
    c.close()
EOF
SPID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done

pass=0 fail=0
# complete LINE... EXPECT: the last word of LINE is the one completed
# ("" for a new word); EXPECT is COMPREPLY sorted, joined by spaces, or
# +WORD... for words that must be among them
complete_is() {
	local want=${*: -1} got w
	COMP_WORDS=("$VRCTL" "${@:1:$#-1}")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_vrctl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort -u | tr '\n' ' ')
	got=${got% }
	if [[ $want == +* ]]; then
		for w in ${want//+/ }; do
			if ! grep -qx -- "$w" < <(printf '%s\n' "${COMPREPLY[@]}"); then
				fail=$((fail + 1))
				echo "FAIL vrctl ${*:1:$#-1}<TAB>: no $w in \"$got\""
				return
			fi
		done
	elif [ "$got" != "$want" ]; then
		fail=$((fail + 1))
		echo "FAIL vrctl ${*:1:$#-1}<TAB>: \"$got\", want \"$want\""
		return
	fi
	pass=$((pass + 1))
	echo "ok   vrctl ${*:1:$#-1}<TAB> -> $got"
}

complete_is "" "+start +stop +status +topology +bench +autostart"
complete_is "st" "start status stop"
complete_is "--j" "--json"
complete_is "--read" "--readonly"
complete_is "start" "--ac" "--accel"
complete_is "start" "--accel" "" "auto kvm tcg"
complete_is "start" "--accel" "t" "tcg"
complete_is "start" "--link" "" "macvtap tap"
complete_is "start" "--backend" "n" "netns"
complete_is "start" "mono" "monolithic"
complete_is "start" "--cores" "2" "" "+monolithic +pvr +msr"
complete_is "topology" "m" "monolithic msr"
complete_is "start" "monolithic" "--re" "--restart --restart-limit"
complete_is "autostart" "" "add list remove"
complete_is "autostart" "add" "--restart" "" "never on-failure"
complete_is "bench" "lab1" "--tx" "" "auto packet xdp"
complete_is "bench" "lab1" "--nd" "--ndr"
complete_is "watch" "--c" "--count"
complete_is "-s" "$SOCK" "stop" "" "lab1 lab2"
complete_is "--socket" "$SOCK" "--json" "stop" "lab" "lab1 lab2"
complete_is "-s" "$SOCK" "bench" "" "compare lab1 lab2"
complete_is "-s" "$T/nonexistent.sock" "stop" "" ""
# every verb of `vrctl --help` is completed (one table, no list here)
for v in $("$VRCTL" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF {print $1}'); do
	complete_is "$v" "+$v"
done
echo "test_completion: $pass passed, $fail failed"
[ "$fail" = 0 ]
