#!/bin/bash
# Hostile files (issue 18, items 1, 2, 5, 7; docs/security.md), in a
# sandbox with a private libvirtd (for the console log; everything else
# uses the netns backend):
#  - a `topology` call from an unprivileged peer naming a root-only file or
#    a FIFO gets a clean -32602 and root's status still answers at once;
#    a FIFO or a /dev/zero link on the topology search path is refused;
#  - a second vrouterd on the same state directory is refused, naming the
#    first one's pid and socket, and the first one's topology is untouched;
#  - links at STATE/NAME, STATE/NAME/plan.json, state.json and the console
#    log: nothing outside the state directory is written, truncated or
#    deleted; a STATE/NAME not ours (owner, mode, a file) is refused;
#  - plan.json / state.json as a FIFO, a device, a /dev/zero link, a 100 MB
#    file, and a FIFO as the autostart file: the daemon starts, warns naming
#    each file, and answers SIGTERM.
#
#   test_hostile_files.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name files -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM

PY=/usr/bin/python3 # nobody cannot use root's pyenv shims
[ -x "$PY" ] || PY=$(command -v python3)
RPC="$PY $SRC/tests/integration/rpcclient.py"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
S=$T/state
OUT=$T/outside # where a planted link points: must stay as it is
mkdir -p "$OUT" "$T/topos"
echo VICTIM >"$OUT/victim"
victim_ok() { [ "$(cat "$OUT/victim")" = VICTIM ]; }

# status answers within a second (the event loop is not blocked)
status_quick() { timeout 2 "$VRCTL" status >/dev/null; }

write_config '"socket_mode": "0666", "autostart": "'"$T"'/autostart.json"'
export VR_TOPOLOGY_PATH=$T/topos:$SRC/topologies
daemon_start

# ---- 1. paths named by a peer ------------------------------------------------
say "topology calls naming files, from nobody"
mkdir -m 700 "$T/secret"
echo '{"root-only-key": 1}' >"$T/secret/plan.json"
mkfifo "$T/fifo.json"
chmod 755 "$T" # nobody reaches the socket
rpc() { # rpc OUT COMMAND...: one call, its answer kept in $T/OUT
	local out=$T/$1
	shift
	"$@" >"$out" 2>&1
	cat "$out"
}
rpc r1 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	"{\"topology\": \"$T/secret/plan.json\"}" -32602
check "a root-only file: -32602" grep -q '^ok ' "$T/r1"
check "the error says to send the contents" grep -q "send the file's contents" "$T/r1"
check "and reveals nothing of the file" sh -c "! grep -q 'root-only-key' '$T/r1'"
rpc r2 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	"{\"topology\": \"$T/secret/nosuch.json\"}" -32602
check "a missing file: the same answer (existence not revealed)" \
	grep -q "send the file's contents" "$T/r2"
rpc r3 env RPC_TIMEOUT=3 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	"{\"topology\": \"$T/fifo.json\"}" -32602
check "a FIFO: -32602 at once" grep -q '^ok ' "$T/r3"
check "root's status answers immediately" status_quick
rpc r4 env RPC_TIMEOUT=3 $RPC "$VROUTERD_SOCKET" call start \
	"{\"topology\": \"$T/fifo.json\", \"backend\": \"netns\"}" -32602
check "start with a path and no contents: -32602, even for root" \
	grep -q '^ok ' "$T/r4"
check "status still answers" status_quick
mkdir "$T/secret/img"
ln -s "$T/secret/img" "$T/secret/imglink"
rpc r7 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	"{\"topology\": \"monolithic\", \"image\": \"$T/secret/imglink\"}"
check "a peer's image path is not resolved for it (where a link leads)" \
	sh -c "grep -q 'secret/imglink' '$T/r7' && ! grep -q 'secret/img\"' '$T/r7'"
# vrctl reads the file itself, with the caller's rights
$NOBODY "$VRCTL" topology "$T/secret/plan.json" >/dev/null 2>"$T/v1.err"
check "vrctl as nobody cannot read a root-only file (its own error)" \
	grep -q 'Permission denied' "$T/v1.err"
timeout 5 "$VRCTL" topology -f "$T/fifo.json" >/dev/null 2>"$T/v2.err"
check "vrctl refuses a FIFO without blocking" grep -q 'not a regular file' "$T/v2.err"
cp "$SRC/topologies/monolithic.json" "$T/mine.json"
chmod 644 "$T/mine.json"
check "vrctl topology -f FILE sends the contents (works for nobody)" \
	$NOBODY "$VRCTL" topology -f "$T/mine.json"
# the search path: files there are read by the daemon, regular ones only
mkfifo "$T/topos/ff.json"
ln -s /dev/zero "$T/topos/zz.json"
rpc r5 env RPC_TIMEOUT=3 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	'{"topology": "ff"}' -32006
check "a FIFO on the search path: refused, not waited on" \
	grep -q 'not a regular file' "$T/r5"
rpc r6 env RPC_TIMEOUT=3 $NOBODY $RPC "$VROUTERD_SOCKET" call topology \
	'{"topology": "zz"}' -32006
check "a link to /dev/zero on the search path: refused, not followed" \
	grep -q 'is a symbolic link (refused)' "$T/r6"
check "topology list with a FIFO on the search path" \
	timeout 5 $NOBODY "$VRCTL" topology
check "status answers" status_quick
rm -f "$T/topos/ff.json" "$T/topos/zz.json"

# ---- 2. one daemon per state directory ----------------------------------------
say "a second vrouterd on the same state directory"
check "start mono (netns)" "$VRCTL" start monolithic --backend netns --name mono
timeout 10 "$VROUTERD" --foreground --socket "$T/second.sock" \
	--config "$T/vrouterd.conf" >"$T/second.log" 2>&1
rc=$?
cat "$T/second.log"
check "it exits non-zero at once (rc $rc)" sh -c "[ $rc != 0 ] && [ $rc != 124 ]"
check "naming the holder's pid" grep -q "pid $DAEMON_PID" "$T/second.log"
check "and socket" grep -q "socket $VROUTERD_SOCKET" "$T/second.log"
check "it never listened" [ ! -S "$T/second.sock" ]
check "mono still running" \
	[ "$(status_field '[t["state"] for t in j["topologies"] if t["name"] == "mono"][0]')" = running ]
check "its namespace is there" ip netns exec vr-mono-vr0 true
check "its plan.json is there" [ -s "$S/mono/plan.json" ]
timeout 10 "$VROUTERD" --socket "$T/second.sock" --config "$T/vrouterd.conf" \
	>"$T/second2.log" 2>&1
check "daemonising, it is refused too" [ $? = 1 ]

# ---- 5. links and strangers in the state directory ---------------------------
say "STATE/NAME is a link"
ln -s "$OUT" "$S/lnk"
"$VRCTL" start monolithic --backend netns --name lnk >/dev/null 2>"$T/lnk.err"
check "start refused" [ $? != 0 ]
cat "$T/lnk.err"
check "the error says why" grep -q 'symbolic link' "$T/lnk.err"
check "nothing written through it" [ "$(ls "$OUT")" = victim ]
check "nothing of lnk left" nothing_left lnk
rm "$S/lnk"

for why in owner mode file; do
	case $why in
	owner) mkdir "$S/x$why" && chown nobody "$S/x$why" ;;
	mode) mkdir "$S/x$why" && chmod 777 "$S/x$why" ;;
	file) echo KEEP >"$S/x$why" ;;
	esac
	"$VRCTL" start monolithic --backend netns --name "x$why" >/dev/null 2>"$T/x.err"
	check "STATE/NAME with another $why: start refused" [ $? != 0 ]
	cat "$T/x.err"
	check "... saying it is refused" grep -q 'refused' "$T/x.err"
	check "... nothing of it left" nothing_left "x$why"
	check "... and it is still there" [ -e "$S/x$why" ]
	[ $why = file ] && check "... unchanged" [ "$(cat "$S/x$why")" = KEEP ]
	rm -rf "${S:?}/x$why"
done

say "plan.json and state.json are links"
mkdir "$S/plk"
ln -s "$OUT/victim" "$S/plk/plan.json"
ln -s "$OUT/victim" "$S/plk/state.json"
check "start plk" "$VRCTL" start monolithic --backend netns --name plk
check "the target is untouched" victim_ok
check "plan.json is our own file now" \
	sh -c "[ -f '$S/plk/plan.json' ] && [ ! -L '$S/plk/plan.json' ]"
check "state.json is our own file now" \
	sh -c "[ -f '$S/plk/state.json' ] && [ ! -L '$S/plk/state.json' ]"

say "STATE/NAME replaced by a link before stop"
mv "$S/plk" "$T/plk.real"
ln -s "$OUT" "$S/plk"
echo KEEP >"$OUT/plan.json"
echo KEEP >"$OUT/state.json"
"$VRCTL" stop plk >/dev/null 2>&1
check "stop takes the topology down" nothing_left plk
check "plan.json behind the link not deleted" [ -f "$OUT/plan.json" ]
check "state.json behind the link not deleted" [ -f "$OUT/state.json" ]
check "the link itself left alone" [ -L "$S/plk" ]
check "the log says why" grep -q 'plk.*symbolic link.*nothing in it was removed' "$T/vrouterd.log"
rm -f "$S/plk" "$OUT/plan.json" "$OUT/state.json"
rm -rf "$T/plk.real"

say "the console log is a link (a VM start, fake image: it may fail)"
mkdir -p "$T/img" "$S/con"
: >"$T/img/vmlinuz"
: >"$T/img/initrd.img"
ln -s "$OUT/victim" "$S/con/vr0.console.log"
"$VRCTL" start monolithic --name con --image "$T/img" --timeout 5 \
	>"$T/con.out" 2>&1
cat "$T/con.out"
check "the link's target is not truncated" victim_ok
check "the console log is a file of ours" \
	sh -c "[ -f '$S/con/vr0.console.log' ] && [ ! -L '$S/con/vr0.console.log' ]"
"$VRCTL" stop con >/dev/null 2>&1
check "nothing of con left" nothing_left con
rm -rf "${S:?}/con"

# ---- 7. odd state files at start-up ------------------------------------------
say "odd state files: FIFO, device, /dev/zero link, 100 MB, a FIFO autostart"
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
DAEMON_PID=
mkdir "$S/fif" "$S/dev" "$S/zer" "$S/big"
mkfifo "$S/fif/plan.json"
mknod "$S/dev/plan.json" c 1 5
ln -s /dev/zero "$S/zer/plan.json"
truncate -s 100M "$S/big/plan.json"
rm -f "$S/mono/state.json"
mkfifo "$S/mono/state.json"
mkfifo "$T/autostart.json"
: >"$T/vrouterd.log"
t0=$(date +%s%N)
daemon_start
check "the daemon came up within 5 s" [ $((($(date +%s%N) - t0) / 1000000)) -lt 5000 ]
check "status answers" status_quick
cat "$T/vrouterd.log"
check "warns: fif/plan.json not a regular file" \
	grep -q "fif/plan.json: cannot adopt: not a regular file" "$T/vrouterd.log"
check "warns: dev/plan.json not a regular file" \
	grep -q "dev/plan.json: cannot adopt: not a regular file" "$T/vrouterd.log"
check "warns: zer/plan.json is a link" \
	grep -q "zer/plan.json: cannot adopt: is a symbolic link" "$T/vrouterd.log"
check "warns: big/plan.json too large" \
	grep -q "big/plan.json: cannot adopt: file too large" "$T/vrouterd.log"
check "warns: mono/state.json" \
	grep -q "mono/state.json: not a regular file" "$T/vrouterd.log"
check "warns: the autostart file" \
	grep -q "autostart.json: not a regular file" "$T/vrouterd.log"
check "mono adopted all the same" \
	[ "$(status_field '[t["state"] for t in j["topologies"] if t["name"] == "mono"][0]')" = running ]
check "RSS below 64 MB" [ "$(awk '/VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")" -lt 65536 ]
kill -TERM "$DAEMON_PID"
for _ in $(seq 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM ends it within 5 s" sh -c "! kill -0 $DAEMON_PID 2>/dev/null"
wait "$DAEMON_PID"
DAEMON_PID=
check "a FIFO as the configuration: refused at once" \
	sh -c "mkfifo '$T/fifo.conf' && ! timeout 5 '$VROUTERD' -n -c '$T/fifo.conf' 2>'$T/c.err' && grep -q 'not a regular file' '$T/c.err'"
rm -f "$T/autostart.json"
daemon_start
finish 0
