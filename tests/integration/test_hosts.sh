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
# issue 15); this test checks everything on our side of ssh.
#
# Checked: both daemons see each other reachable with version, CPUs and a
# round trip, and an unprivileged caller is refused (hosts makes root run
# ssh); a stopped peer daemon, a missing ssh command, a dropped and a
# garbled connection each give an error naming the host and saying why; a
# hanging one hits peer_timeout, and calls to several hosts run in parallel
# (three hanging hosts take one timeout, not three); afterwards vrouterd
# has no more fds than before and no child at all.  Last, the real ssh
# client to an address the sandbox has no route to: its own message.
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

mkdir -p "$T/bin" "$T/a" "$T/b"
ln -s "$BUILD/vrctl/vrctl" "$T/bin/vrctl"
cat >"$T/fake-ssh" <<'EOS'
#!/bin/sh
# Stands in for ssh (test_hosts.sh): options skipped, the destination
# taken, the remote command run here.
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
chmod +x "$T/fake-ssh"
export FAKE_SSH_BIN=$T/bin

SOCK_A=$VROUTERD_SOCKET
SOCK_B=$T/b/vrouterd.sock

# conf HOST HOSTS_JSON [MORE_MEMBERS]: the configuration of a or b.
FAKE_SSH_CMD="[\"$T/fake-ssh\", \"-o\", \"BatchMode=yes\"]"
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

# The daemon's fds and children.
nfds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
children() { cat /proc/"$DAEMON_PID"/task/*/children 2>/dev/null | tr -d ' '; }
# Children are reaped as they exit (SIGTERM on close): bounded wait.
settled() { # settled BASE_FDS
	for _ in $(seq 50); do
		[ -z "$(children)" ] && [ "$(nfds)" -le "$1" ] && return 0
		sleep 0.1
	done
	echo "fds $(nfds) (before: $1), children: '$(children)'"
	ls -l "/proc/$DAEMON_PID/fd"
	return 1
}
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

finish 0
