#!/bin/bash
# Calls to another host through one ssh connection (ssh_reuse,
# daemon/peer.c), with the real ssh and sshd of two hosts on this machine
# (tests/integration/twohost.sh).  A's vrouterd calls B's (`vrctl hosts`):
# the first call starts A's ssh master for b (A's child, socket in
# A's SOCKET.ssh, mode 0700), and the calls after it log in to B's sshd no
# more (its log counts logins); with ssh_reuse false each call logs in.
# Twelve calls at once all get through (at most 8 through the master,
# below sshd's MaxSessions, the others on their own connections).
# B's vrouterd restarted, B's sshd restarted, the master killed: the next
# call reaches b.  The master stopped (SIGSTOP, a hung one): the call
# fails after peer_timeout, not later, and a later one reaches b through
# a new master.  A call that times out while the master is alive (B's
# vrouterd stopped) leaves the master and a session through it running; a
# reload changing ssh_command stops the old master with `ssh -O stop`,
# which lets a session through it finish.  A's vrouterd killed: its
# master goes with it (setpriv --pdeathsig); restarted with ssh_reuse
# false, a master left in its socket directory is told to exit at start-up.  A's vrouterd stopped: no master, no socket left.
#
#   test_peer_reuse.sh BUILD_DIR
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/../..")
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --name reuse -- "$0" "$@"
fi
. "$SRC/tests/integration/common.sh"
. "$SRC/tests/integration/twohost.sh"
twohost_test_init

say "two hosts"
twohost_up || { bad "the two hosts did not come up"; twohost_logs; end 1; }
ok "hosts A and B up"
MUX=$TH/A/vrouterd.sock.ssh

# reload H: SIGHUP, and wait for the log to say so
reload() {
	local n
	n=$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")
	twohost_exec "$1" sh -c 'kill -HUP "$(cat /run/vrouterd/vrouterd.pid)"'
	for _ in $(seq 50); do
		[ "$(grep -c 'configuration reloaded' "$TH/$1/vrouterd.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
# set_a KEY VALUE: one key of A's configuration, reloaded
set_a() {
	python3 -c '
import json, sys
f = sys.argv[1]; c = json.load(open(f)); c[sys.argv[2]] = json.loads(sys.argv[3])
json.dump(c, open(f, "w"))' "$TH/A/vrouterd.conf" "$1" "$2" && reload A
}
# masters: A's vrouterd's ssh masters (pids in A)
masters() {
	twohost_exec A sh -c 'p=$(cat /run/vrouterd/vrouterd.pid)
		for c in $(cat /proc/$p/task/*/children); do
			tr "\0" " " </proc/$c/cmdline | grep -q "ControlMaster[=]yes" && echo $c
		done; true'
}
# any_master: every ssh master process in A, whoever's child
any_master() {
	twohost_exec A sh -c 'for p in /proc/[0-9]*; do
		tr "\0" " " <$p/cmdline 2>/dev/null | grep -q "ControlMaster[=]yes" && echo ${p#/proc/}
		done; true'
}
no_masters() { [ -z "$(masters)" ]; }
no_any_master() { [ -z "$(any_master)" ]; }
logins() { grep -c 'Accepted publickey' "$TH/B/sshd.log"; }
# session SECONDS: a session through A's master to B (as a bench's sink or
# a migration keeps one) for SECONDS, then "done"; SESS its pid
session() {
	twohost_exec A ssh -o BatchMode=yes -o ControlMaster=no \
		-o ControlPath="$MUX/b" "root@$TH_ADDR_B" "sleep $1; echo done" \
		>"$T/sess.out" 2>&1 &
	SESS=$!
}
# session_done: it ran to its end
session_done() {
	local rc
	wait "$SESS"
	rc=$?
	[ "$rc.$(cat "$T/sess.out")" = 0.done ] || { echo "exit $rc: $(cat "$T/sess.out")"; return 1; }
}
# vrouterd_b SIG: a signal to B's vrouterd
vrouterd_b() { twohost_exec B sh -c "kill -$1 \"\$(cat /run/vrouterd/vrouterd.pid)\""; }
# cont_b: B's vrouterd continued, and the nsenter it runs under (this
# script's grandchild), which stopped itself when its child stopped
cont_b() {
	local c n
	vrouterd_b CONT
	for c in $(cat /proc/$$/task/*/children); do
		for n in $(cat /proc/"$c"/task/*/children 2>/dev/null); do
			[ "$(cat /proc/"$n"/comm 2>/dev/null)" = nsenter ] &&
				[ "$(cut -d' ' -f3 /proc/"$n"/stat 2>/dev/null)" = T ] &&
				kill -CONT "$n"
		done
	done
	true
}
# reached: A's `vrctl hosts` says b is reachable
reached() {
	twohost_vrctl A --json hosts >"$T/h.json" 2>&1
	[ "$(json "$T/h.json" "[h['reachable'] for h in j['hosts'] if h['name'] == 'b'][0]")" = True ] ||
		{ cat "$T/h.json"; return 1; }
}
# master_up: a master and its socket (bounded wait)
master_up() {
	for _ in $(seq 100); do
		[ -S "$MUX/b" ] && [ -n "$(masters)" ] && return 0
		sleep 0.1
	done
	echo "masters: '$(masters)', $(ls -la "$MUX" 2>&1)"
	return 1
}

say "one ssh login for many calls"
check "A reaches b" reached
check "a master for b, A's vrouterd's child, its socket in $MUX" master_up
check "the socket directory is 0700" [ "$(stat -c %a "$MUX")" = 700 ]
n0=$(logins)
for i in 1 2 3 4 5; do reached || bad "call $i"; done
check "five more calls, no more login on B ($n0, then $(logins))" [ "$(logins)" = "$n0" ]

say "twelve calls at once (sshd's MaxSessions: 10 per connection)"
pids=()
for i in $(seq 12); do
	twohost_vrctl A --json hosts >"$T/par$i.json" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" # not the bed's daemons
n=0
for i in $(seq 12); do
	[ "$(json "$T/par$i.json" "[h['reachable'] for h in j['hosts'] if h['name'] == 'b'][0]")" = True ] &&
		n=$((n + 1))
done
check "all twelve reach b ($n)" [ "$n" = 12 ]
check "the master still up" master_up

say "without reuse: one login per call"
check "ssh_reuse false" set_a ssh_reuse false
reached
n0=$(logins)
for i in 1 2 3; do reached || bad "call $i"; done
check "three calls, three logins ($n0, then $(logins))" [ "$(logins)" = $((n0 + 3)) ]
check "no master" [ -z "$(masters)" ]
check "ssh_reuse true" set_a ssh_reuse true
check "A reaches b" reached
check "and a master again" master_up

say "B's vrouterd restarted"
twohost_exec B sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done; exit 1'
check "B's vrouterd up again" th_vrouterd B
m=$(masters)
check "A reaches b" reached
check "through the same master ($m, now $(masters))" [ "$(masters)" = "$m" ]

say "B's sshd restarted"
twohost_exec B sh -c 'p=$(cat /run/sshd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done; exit 1'
check "B's sshd up again" twohost_exec B /usr/sbin/sshd -f "$TH/B/sshd_config" -E "$TH/B/sshd.log"
th_until 10 twohost_exec B sh -c "ss -Hltn | grep -q '$TH_ADDR_B:22 '"
check "A reaches b" reached

say "the master killed"
m=$(masters)
twohost_exec A kill -KILL $m
check "A reaches b (on its own connection)" reached
sleep 2.2 # PEER_MASTER_GAP_S
check "A reaches b" reached
check "a new master ($m before, now $(masters))" master_up
check "not the old one" [ "$(masters)" != "$m" ]

say "a call times out, the master alive: the calls through it go on"
check "peer_timeout 4" set_a peer_timeout 4
m=$(masters)
n0=$(logins)
session 12
sleep 1
check "a session through the master (no login: $n0, then $(logins))" [ "$(logins)" = "$n0" ]
vrouterd_b STOP
twohost_vrctl A --json hosts >"$T/slow.json" 2>&1
cont_b
err=$(json "$T/slow.json" "[h.get('error') for h in j['hosts'] if h['name'] == 'b'][0]")
check "the call to B's stopped vrouterd times out: $err" [ "$err" = "host b (root@$TH_ADDR_B): timed out after 4 s" ]
check "logged: the master answered ssh -O check" th_until 10 grep -q "host b: ssh master answered ssh -O check" "$TH/A/vrouterd.log"
check "the master kept ($m, now $(masters))" [ "$(masters)" = "$m" ]
check "the session ran to its end" session_done
check "A reaches b" reached

say "ssh_command changed by a reload: the calls through the old master go on"
m=$(masters)
session 8
sleep 1
check "ssh_command with ServerAliveInterval=7" set_a ssh_command \
	'["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=7"]'
check "A reaches b" reached
check "logged: the old master told to stop" grep -q "host b: ssh master $m told to stop (ssh -O stop), its calls finish first: the configuration changed" "$TH/A/vrouterd.log"
check "the session ran to its end" session_done
check "then the old master exits by itself" th_until 10 no_masters
sleep 2.2 # PEER_MASTER_GAP_S
check "A reaches b" reached
check "through a new master" master_up
check "with the new ssh_command (its keepalive, not ours)" twohost_exec A sh -c \
	"tr '\0' ' ' </proc/$(masters)/cmdline | grep 'ServerAliveInterval=7' | grep -vq 'ServerAliveInterval=10'"

say "the master hung (stopped)"
m=$(masters)
twohost_exec A kill -STOP $m
t0=$(date +%s%N)
twohost_vrctl A --json hosts >"$T/hung.json" 2>&1
el=$((($(date +%s%N) - t0) / 1000000))
err=$(json "$T/hung.json" "[h.get('error') for h in j['hosts'] if h['name'] == 'b'][0]")
check "the call times out: $err" [ "$err" = "host b (root@$TH_ADDR_B): timed out after 4 s" ]
check "after peer_timeout, not later (${el} ms)" [ "$el" -lt 6000 ]
check "logged: the master, not answering ssh -O check, killed" th_until 10 grep -q "host b: ssh master [0-9]* stopped: a call through it timed out unanswered, and it did not answer ssh -O check" "$TH/A/vrouterd.log"
sleep 2.2
check "A reaches b" reached
check "through a new master" master_up
check "not the hung one ($m)" [ "$(masters)" != "$m" ]

say "A's vrouterd killed: its master goes too; one left behind is told to exit at the next start"
check "a master runs" master_up
twohost_exec A sh -c 'kill -KILL "$(cat /run/vrouterd/vrouterd.pid)"'
check "the master goes with it (setpriv --pdeathsig)" th_until 5 no_any_master
# a master left behind (without setpriv, or from an older vrouterd)
mkdir -p -m 700 "$MUX"
twohost_exec A setsid ssh -o BatchMode=yes -o ControlMaster=yes -o ControlPersist=no \
	-o ControlPath="$MUX/b" -N "root@$TH_ADDR_B" </dev/null >/dev/null 2>&1 &
check "a master left behind" th_until 10 [ -S "$MUX/b" ]
python3 -c '
import json, sys
f = sys.argv[1]; c = json.load(open(f)); c["ssh_reuse"] = False
json.dump(c, open(f, "w"))' "$TH/A/vrouterd.conf"
twohost_exec A sh -c "exec '$VROUTERD' --foreground --debug \
	--socket '$TH/A/vrouterd.sock' --config '$TH/A/vrouterd.conf' \
	--pidfile /run/vrouterd/vrouterd.pid >>'$TH/A/vrouterd.log' 2>&1" &
check "A's vrouterd up again" th_until 30 twohost_vrctl A version
check "logged: the master left behind told to exit" grep -q "$MUX/b: an ssh master left behind: told to exit" "$TH/A/vrouterd.log"
check "no ssh master in A" th_until 5 no_any_master
check "no $MUX" [ ! -e "$MUX" ]
check "A reaches b" reached

say "A's vrouterd stopped: nothing left"
twohost_exec A sh -c 'p=$(cat /run/vrouterd/vrouterd.pid); kill -TERM $p
	for _ in $(seq 100); do kill -0 $p 2>/dev/null || exit 0; sleep 0.1; done; exit 1'
check "no ssh master in A ($(any_master))" [ -z "$(any_master)" ]
check "no $MUX" [ ! -e "$MUX" ]

end 0
