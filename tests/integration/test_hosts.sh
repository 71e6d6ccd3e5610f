#!/bin/bash
# The daemon-to-daemon transport (daemon/peer.c) and `vrctl hosts`: two
# vrouterd instances, a and b, each with its own socket and state
# directory, each configured with the other as a host.
#
# ssh_command is a shim that stands in for ssh: it skips ssh's options,
# takes the destination and runs the remote command (`vrctl proxy --socket
# PATH`) right here, with this build's vrctl first on PATH.  A destination
# of the form ROLE@... picks a misbehaving "remote": hang@ never answers,
# die@ reads the request and exits as ssh does when the connection drops,
# junk@ answers with a line that is not JSON-RPC.  A real sshd between two
# network namespaces is tests/integration/twohost.sh's (another part of
# issue 15); this test checks everything on our side of ssh.  The shim
# stands in for an ssh master too (ControlMaster=yes: it sleeps, as a
# master that is up does; it makes no socket, so calls through the shim
# behave as ssh's fallback does, their own connection).
#
# Checked: both daemons see each other reachable with version, CPUs and a
# round trip, and an unprivileged caller is refused (hosts makes root run
# ssh); a stopped peer daemon, a missing ssh command, a dropped and a
# garbled connection each give an error naming the host and saying why; a
# hanging one hits peer_timeout, and calls to several hosts run in parallel
# (three hanging hosts take one timeout, not three); afterwards vrouterd
# has no more fds than before and no child but the hosts' ssh masters.
# Masters (connection reuse): one per host, not one per call, with its
# socket in SOCKET.ssh (0700); a killed one is replaced by a later call,
# one whose call timed out unanswered is killed; ssh_reuse false and a
# ssh_command with its own ControlPath get none; none is left after the
# daemon stops; one left by a killed daemon is told to exit at the next
# start, whatever ssh_reuse says; a socket path with a space gets no
# reuse (ssh would split the ControlPath) and its calls still go.  Last, the real ssh client to an address the sandbox has
# no route to: its own message.
#
#   test_hosts.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name hosts -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"

B_PID=
cleanup_b() {
	if [ -n "$B_PID" ]; then
		kill -TERM "$B_PID" 2>/dev/null
		wait "$B_PID" 2>/dev/null
		B_PID=
	fi
}
trap 'cleanup_b; finish 1' INT TERM

mkdir -p "$T/bin" "$T/a" "$T/b" "$T/fake"
ln -s "$BUILD/vrctl/vrctl" "$T/bin/vrctl"
cat >"$T/fake/ssh" <<'EOS'
#!/bin/sh
# Stands in for ssh (test_hosts.sh): options skipped, the destination
# taken, the remote command run here; a master sleeps.
echo "$*" >>"$FAKE_SSH_LOG"
case " $* " in
*" ControlMaster=yes "*) exec sleep 3171 ;;
esac
while [ $# -gt 0 ]; do
	case $1 in
	-o | -p | -l | -i) shift 2 ;;
	-*) shift ;;
	*) break ;;
	esac
done
dest=$1
shift
case $dest in
hang@*) exec sleep 1717 ;;
die@*)
	head -c 1 >/dev/null
	echo "Connection to ${dest#*@} closed by remote host." >&2
	exit 255
	;;
junk@*)
	echo "Welcome to ${dest#*@}!"
	exec sleep 1717
	;;
esac
PATH=$FAKE_SSH_BIN:$PATH exec "$@"
EOS
chmod +x "$T/fake/ssh"
export FAKE_SSH_BIN=$T/bin FAKE_SSH_LOG=$T/ssh.log

SOCK_A=$VROUTERD_SOCKET
SOCK_B=$T/b/vrouterd.sock

# conf HOST HOSTS_JSON [MORE_MEMBERS]: the configuration of a or b.
FAKE_SSH_CMD="[\"$T/fake/ssh\", \"-o\", \"BatchMode=yes\"]"
conf() {
	local ssh=${SSH_CMD:-$FAKE_SSH_CMD}
	cat >"$T/$1/vrouterd.conf" <<EOC
{ "state_dir": "$T/$1/state", "autostart": "$T/$1/autostart.json",
  "libvirt_uri": "test:///default", "socket_ro": "off",
  "host_name": "$1", "ssh_command": $ssh,
  "peer_timeout": 2, "hosts": [$2]${3:+, $3} }
EOC
}
# host NAME DEST SOCKET: one entry of hosts.
host() {
	printf '{"name": "%s", "ssh": "%s", "libvirt_uri": "qemu+ssh://%s/system", "tunnel_address": "198.18.0.%s", "socket": "%s"}' \
		"$1" "$2" "${2#*@}" "$4" "$3"
}

# The daemon's fds and children; its ssh masters (the shim's), each with
# its pidfd, are expected while it runs.
nfds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
all_children() { cat /proc/"$DAEMON_PID"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .; }
is_master() { [ "$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" = "sleep 3171 " ]; }
masters() { for c in $(all_children); do is_master "$c" && echo "$c"; done; }
children() { for c in $(all_children); do is_master "$c" || echo "$c"; done; }
nmasters() { masters | wc -l; }
# Children are reaped as they exit (SIGTERM on close): bounded wait.
settled() { # settled BASE_FDS
	for _ in $(seq 50); do
		[ -z "$(children)" ] && [ "$(nfds)" -le $(($1 + $(nmasters))) ] && return 0
		sleep 0.1
	done
	echo "fds $(nfds) (before: $1, masters: $(nmasters)), children: '$(children)'"
	ls -l "/proc/$DAEMON_PID/fd"
	return 1
}
# spawns PATTERN: the shim's invocations (so far) that match.
spawns() { grep -c -- "$1" "$FAKE_SSH_LOG"; }
# hosts_json FILE: vrctl --json hosts against a, into FILE; its seconds.
hosts_json() {
	local t0 t1
	t0=$(date +%s.%N)
	"$VRCTL" -s "$SOCK_A" --json hosts >"$1" 2>"$1.err"
	local rc=$?
	t1=$(date +%s.%N)
	ELAPSED=$(awk "BEGIN {printf \"%.2f\", $t1 - $t0}")
	return $rc
}
# SIGHUP, and wait until the log says it is done (vrctl has no reload).
reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$T/vrouterd.log")
	kill -HUP "$DAEMON_PID"
	for _ in $(seq 50); do
		[ "$(grep -c 'configuration reloaded' "$T/vrouterd.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	return 1
}
# entry FILE NAME EXPR: EXPR over "h", the entry of host NAME in FILE.
entry() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
h = [h for h in j["hosts"] if h["name"] == sys.argv[2]][0]
print(eval(sys.argv[3]))' "$1" "$2" "$3"
}

# ---- the configuration -----------------------------------------------------
say "configuration errors name the key"
conf a "$(host b root@b "$SOCK_B" 2), $(host b root@c "$SOCK_B" 3)"
out=$("$VROUTERD" -n -c "$T/a/vrouterd.conf" 2>&1)
check "duplicate host: $out" grep -q "hosts\[1\].name: 'b' is hosts\[0\] already" <<<"$out"
conf a "$(host a root@b "$SOCK_B" 2)"
out=$("$VROUTERD" -n -c "$T/a/vrouterd.conf" 2>&1)
check "a host named host_name: $out" grep -q "hosts\[0\].name: 'a' is this host's own name (host_name)" <<<"$out"

# ---- two daemons, each the other's host -------------------------------------
conf a "$(host b root@b "$SOCK_B" 2)" '"socket_mode": "0666"'
conf b "$(host a root@a "$SOCK_A" 1)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
daemon_start
"$VROUTERD" --foreground --debug --socket "$SOCK_B" \
	--config "$T/b/vrouterd.conf" >>"$T/b/vrouterd.log" 2>&1 &
B_PID=$!
for _ in $(seq 100); do "$VRCTL" -s "$SOCK_B" version >/dev/null 2>&1 && break; sleep 0.1; done
check "b is up" "$VRCTL" -s "$SOCK_B" version
BASE_FDS=$(nfds)

say "vrctl hosts: both reachable"
"$VRCTL" -s "$SOCK_A" hosts >"$T/hosts.txt" 2>&1
cat "$T/hosts.txt"
check "text: a is this host, reachable" grep -q '^a (this) *yes' "$T/hosts.txt"
check "text: b reachable" grep -q '^b  *yes' "$T/hosts.txt"
check "--json hosts answers" hosts_json "$T/h1.json"
check "a's own entry first" [ "$(json "$T/h1.json" 'j["hosts"][0]["name"], j["hosts"][0]["self"]')" = "('a', True)" ]
check "b reachable" [ "$(entry "$T/h1.json" b 'h["reachable"]')" = True ]
check "b's version is the build's" [ "$(entry "$T/h1.json" b 'h["version"]')" = "$("$VRCTL" -s "$SOCK_B" --json version | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')" ]
check "b's CPUs" [ "$(entry "$T/h1.json" b 'h["cpus"]')" = "$(nproc)" ]
check "b's NUMA nodes" [ "$(entry "$T/h1.json" b 'h["numa_nodes"] >= 1')" = True ]
check "b's round trip and connect time" [ "$(entry "$T/h1.json" b 'h["rtt_ms"] > 0 and h["connect_ms"] >= h["rtt_ms"]')" = True ]
check "b calls itself b" [ "$(entry "$T/h1.json" b 'h["remote_name"]')" = b ]
check "b's libvirt URI as configured" [ "$(entry "$T/h1.json" b 'h["libvirt_uri"]')" = qemu+ssh://b/system ]
"$VRCTL" -s "$SOCK_B" --json hosts >"$T/hb.json" 2>&1
check "and b sees a" [ "$(entry "$T/hb.json" a 'h["reachable"], h["remote_name"]')" = "(True, 'a')" ]
check "no fd or child left after the calls" settled "$BASE_FDS"
# hosts makes root run ssh: not for any peer that can connect
setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$VRCTL" -s "$SOCK_A" hosts >"$T/nobody.out" 2>&1
rc=$?
check "nobody's hosts refused (exit $rc): $(cat "$T/nobody.out")" \
	grep -q 'hosts: permission denied' "$T/nobody.out"
check "and no child spawned for it" settled "$BASE_FDS"

say "connection reuse: one ssh master per host"
MUX=$SOCK_A.ssh
check "one master, for b ($(masters))" [ "$(nmasters)" = 1 ]
check "started once, by us, on $MUX/b, with keepalives" [ "$(spawns "ControlMaster=yes -o ControlPersist=no -o ServerAliveInterval=10 -o ServerAliveCountMax=3 -o ControlPath=$MUX/b -N root@b\$")" = 1 ]
check "calls name its socket" [ "$(spawns "ControlMaster=no -o ControlPath=$MUX/b root@b vrctl proxy")" -ge 2 ]
check "its directory is 0700" [ "$(stat -c %a "$MUX")" = 700 ]
for _ in 1 2 3; do "$VRCTL" -s "$SOCK_A" hosts >/dev/null 2>&1; done
check "three more calls: still one start" [ "$(spawns 'ControlMaster=yes.*root@b$')" = 1 ]
old=$(masters)
kill -KILL "$old"
sleep 2.2 # PEER_MASTER_GAP_S
hosts_json "$T/hm.json"
check "master killed: b still reachable" [ "$(entry "$T/hm.json" b 'h["reachable"]')" = True ]
check "and a new master ($(masters), was $old)" [ "$(nmasters).$(masters | grep -c "^$old\$")" = 1.0 ]
check "started twice in all" [ "$(spawns 'ControlMaster=yes.*root@b$')" = 2 ]
check "no fd or child left" settled "$BASE_FDS"

say "vrctl proxy by itself"
printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"version"}' \
	'{"jsonrpc":"2.0","id":2,"method":"hosts","params":{"local":true}}' |
	"$VRCTL" proxy --socket "$SOCK_B" >"$T/proxy.out" 2>"$T/proxy.err"
rc=$?
check "two requests in, two answers out, exit 0 at EOF (exit $rc)" \
	[ "$rc.$(grep -c '"result"' "$T/proxy.out")" = 0.2 ]
check "the second is b's own entry only" \
	grep -q '"id":2,"result":{"host_name":"b","hosts":\[{"name":"b","self":true' "$T/proxy.out"
"$VRCTL" proxy --socket "$T/nosuch.sock" </dev/null >/dev/null 2>"$T/proxy.err"
rc=$?
check "no socket: exit 3 (exit $rc)" [ "$rc" = 3 ]
check "no socket: said on stderr" \
	grep -q "^vrctl proxy: cannot connect to $T/nosuch.sock: No such file or directory" "$T/proxy.err"

# ---- failures ----------------------------------------------------------------
say "b stopped"
cleanup_b
hosts_json "$T/h2.json"
err=$(entry "$T/h2.json" b 'h["error"]')
check "b unreachable: $err" [ "$(entry "$T/h2.json" b 'h["reachable"]')" = False ]
check "the error names the host and the cause" grep -q "^host b (root@b): vrctl proxy: cannot connect to $SOCK_B: No such file or directory" <<<"$err"
check "at once, not after the timeout (${ELAPSED} s)" awk "BEGIN {exit !($ELAPSED < 1.5)}"
"$VRCTL" -s "$SOCK_A" hosts >"$T/hosts2.txt" 2>&1
check "text: b unreachable with the reason" grep -q "^  host b (root@b): vrctl proxy: cannot connect" "$T/hosts2.txt"
check "no fd or child left" settled "$BASE_FDS"

say "hanging, dropped and garbled connections, in parallel"
conf a "$(host c hang@c /run/c.sock 3), $(host d hang@d /run/d.sock 4), $(host e hang@e /run/e.sock 5), $(host f die@f /run/f.sock 6), $(host g junk@g /run/g.sock 7)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
hosts_json "$T/h3.json"
for h in c d e; do
	err=$(entry "$T/h3.json" $h 'h["error"]')
	check "$h: $err" [ "$err" = "host $h (hang@$h): timed out after 2 s" ]
done
check "three hanging hosts take one timeout (${ELAPSED} s)" awk "BEGIN {exit !($ELAPSED >= 1.9 && $ELAPSED < 3.5)}"
err=$(entry "$T/h3.json" f 'h["error"]')
check "a dropped connection: $err" [ "$err" = "host f (die@f): Connection to f closed by remote host." ]
err=$(entry "$T/h3.json" g 'h["error"]')
check "a garbled answer: $err" [ "$err" = 'host g (junk@g): not a vrouterd answer: "Welcome to g!"' ]
check "no fd or child left (hanging ones killed and reaped)" settled "$BASE_FDS"
check "no sleep of the shims left" [ -z "$(pgrep -f 'sleep 1717')" ]
check "b's master went with b's entry; c, d and e's (timed out) killed; f and g's up ($(nmasters))" \
	[ "$(nmasters)" = 2 ]
check "logged: a call timed out unanswered" grep -q "host c: ssh master [0-9]* stopped: a call through it timed out unanswered" "$T/vrouterd.log"

say "ssh_reuse false: no master, calls on their own"
conf a "$(host b root@b "$SOCK_B" 2)" '"ssh_reuse": false'
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
: >"$FAKE_SSH_LOG"
hosts_json "$T/hr.json"
check "b (stopped) named as before" grep -q "cannot connect to $SOCK_B" "$T/hr.json"
check "the calls name no ControlPath: $(cat "$FAKE_SSH_LOG")" [ "$(spawns "Control.*vrctl proxy")" = 0 ]
check "the old masters told to stop (ssh -O stop; the shim's do not answer it)" \
	[ "$(spawns "ControlPath=$MUX/[fg] -O stop")" = 2 ]
check "the masters stopped" settled "$BASE_FDS"
check "and killed, as they did not answer" grep -q "host f: ssh master [0-9]* stopped: it did not answer ssh -O stop" "$T/vrouterd.log"
check "none left ($(masters))" [ "$(nmasters)" = 0 ]

say "an ssh_command with its own ControlPath: ours stays out"
SSH_CMD="[\"$T/fake/ssh\", \"-o\", \"ControlPath=$T/mine-%C\"]" conf a "$(host b root@b "$SOCK_B" 2)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
: >"$FAKE_SSH_LOG"
hosts_json "$T/hp.json"
check "only the user's: $(cat "$FAKE_SSH_LOG")" [ "$(spawns Control).$(spawns "ControlPath=$T/mine-%C root@b vrctl")" = 1.1 ]
check "no master" [ "$(nmasters)" = 0 ]

say "an ssh_command that wraps ssh (not named ssh): its arguments untouched"
ln -s "$T/fake/ssh" "$T/wrap-ssh"
SSH_CMD="[\"$T/wrap-ssh\"]" conf a "$(host b root@b "$SOCK_B" 2)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
: >"$FAKE_SSH_LOG"
hosts_json "$T/hw.json"
check "DEST first: $(cat "$FAKE_SSH_LOG")" [ "$(cat "$FAKE_SSH_LOG")" = "root@b vrctl proxy --socket $SOCK_B" ]
check "no master" [ "$(nmasters)" = 0 ]

say "ssh_command that does not exist"
SSH_CMD='["/nonexistent/ssh"]' conf a "$(host b root@b "$SOCK_B" 2)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
hosts_json "$T/h4.json"
err=$(entry "$T/h4.json" b 'h["error"]')
check "$err" [ "$err" = "host b (root@b): cannot run /nonexistent/ssh: No such file or directory" ]
check "no fd or child left" settled "$BASE_FDS"

say "the real ssh, to an address this sandbox has no route to"
# Nothing leaves the sandbox's network namespace: no route, so connect()
# fails at once and ssh says so on its stderr, which the error carries.
if ! command -v ssh >/dev/null; then
	say "SKIP (counted as a pass): no ssh client"
elif ip route get 198.18.0.2 >/dev/null 2>&1; then
	bad "198.18.0.2 is routed in this sandbox: not sending anything there"
else
	SSH_CMD='["ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2"]' \
		conf a "$(host b root@198.18.0.2 /run/vrouterd/vrouterd.sock 2)"
	cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
	check "reload (SIGHUP)" reload
	hosts_json "$T/h5.json"
	err=$(entry "$T/h5.json" b 'h["error"]')
	check "$err" [ "$err" = "host b (root@198.18.0.2): ssh: connect to host 198.18.0.2 port 22: Network is unreachable" ]
	check "no fd or child left" settled "$BASE_FDS"
fi

say "the daemon stops: no master, no socket directory left"
conf a "$(host b root@b "$SOCK_B" 2)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
check "reload (SIGHUP)" reload
sleep 2.2 # PEER_MASTER_GAP_S after the last section's master
"$VRCTL" -s "$SOCK_A" hosts >/dev/null 2>&1
for _ in $(seq 50); do [ -n "$(masters)" ] && break; sleep 0.1; done # execs on
m=$(masters)
check "a master runs ($m)" [ -n "$m" ]
check "daemon stops" daemon_stop
check "its master is gone" [ -z "$(pgrep -f 'sleep 3171')" ]
check "$MUX is gone" [ ! -e "$MUX" ]

say "a master left by a killed daemon: told to exit at the next start"
daemon_start
"$VRCTL" -s "$SOCK_A" hosts >/dev/null 2>&1
for _ in $(seq 50); do [ "$(nmasters)" = 1 ] && break; sleep 0.1; done
check "a master runs" [ "$(nmasters)" = 1 ]
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
gone() { for _ in $(seq 50); do [ -z "$(pgrep -f 'sleep 3171')" ] && return 0; sleep 0.1; done; return 1; }
check "its master went with it (setpriv --pdeathsig)" gone
# the shim's master makes no socket: a stand-in for one left behind
mkfifo -m 600 "$MUX/b"
: >"$FAKE_SSH_LOG"
conf a "$(host b root@b "$SOCK_B" 2)" '"ssh_reuse": false'
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
daemon_start
check "at start-up, before any call, ssh_reuse false: ssh -O exit on it: $(cat "$FAKE_SSH_LOG")" \
	[ "$(spawns "ControlPath=$MUX/b -O exit stale")" = 1 ]
check "and $MUX removed" [ ! -e "$MUX" ]
"$VRCTL" -s "$SOCK_A" hosts >/dev/null 2>&1
check "no master ($(masters))" [ "$(nmasters)" = 0 ]
check "daemon stops" daemon_stop
check "nothing left" [ -z "$(pgrep -f 'sleep 3171')" ] && [ ! -e "$MUX" ]

say "a socket path ssh's ControlPath cannot take: no reuse, calls still go"
# ssh splits a ControlPath at a space and expands '%'
conf a "$(host b root@b "$SOCK_B" 2)"
cp "$T/a/vrouterd.conf" "$T/vrouterd.conf"
mkdir -p "$T/s p"
SOCK_A="$T/s p/vrouterd.sock"
VROUTERD_SOCKET=$SOCK_A
export VROUTERD_SOCKET
daemon_start
: >"$FAKE_SSH_LOG"
hosts_json "$T/hsp.json"
check "b named as before" grep -q "cannot connect to $SOCK_B" "$T/hsp.json"
check "no ControlPath: $(cat "$FAKE_SSH_LOG")" [ "$(spawns Control)" = 0 ]
check "logged why" grep -q "^.*$T/s p/vrouterd.sock.ssh: a character ssh's ControlPath does not take" "$T/vrouterd.log"
check "daemon stops" daemon_stop

finish 0
