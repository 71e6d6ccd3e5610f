# Two hosts on one machine, for the multi-host tests (sourced, after
# common.sh, inside tests/integration/sandbox.sh).  Each host is one
# process tree in its own PID, network, mount and UTS namespaces: a
# private /run (so /run/libvirt, /run/netns, /run/sshd), /var/lib/libvirt,
# /var/log/libvirt, /etc/libvirt, /etc/hosts, /var/lib/vrouterd, /dev/shm
# and /sys, with its own virtlogd, libvirtd, sshd (root, by a generated
# key only, listening only on the wire) and vrouterd.  A veth "wire" joins them:
# A is 198.18.0.1/24, B 198.18.0.2/24, and nothing else.  Where two
# libvirtds on one kernel would collide, each has its own: host UUID
# (libvirt refuses to migrate to "the same host"), migration address,
# no cgroups (a domain migrating between them has the same name and the
# same domain id on both sides, so the same cgroup path).  docs/multihost.md
# says why each piece is there.
#
#   twohost_up                  make A and B (fails the test when it cannot)
#   twohost_exec H CMD...       run CMD inside host H (A or B)
#   twohost_vrctl H ARGS...     vrctl against host H's vrouterd, inside H
#                               (host_name a or b; each names the other
#                               in its hosts, for `vrctl migrate`)
#   twohost_wire_like S D DOM   make on D the taps and bridges domain DOM of S
#                               uses (before migrating it S -> D)
#   twohost_unwire H            remove what twohost_wire_like made on H
#   twohost_down                stop everything, leave nothing behind
#
# TH_ADDR_A/TH_ADDR_B are the wire addresses, TH_KEY the client key
# (root@ either host), TH_URI_A/TH_URI_B the libvirt URIs one host uses to
# reach the other's libvirtd over SSH.  The hosts die with their init, and
# their init with this shell (even by SIGKILL): nothing outlives the test.

TH=$T/twohost
TH_ADDR_A=198.18.0.1
TH_ADDR_B=198.18.0.2
TH_KEY=$TH/id_ed25519
TH_URI_A="qemu+ssh://root@$TH_ADDR_A/system?keyfile=$TH_KEY&no_verify=1"
TH_URI_B="qemu+ssh://root@$TH_ADDR_B/system?keyfile=$TH_KEY&no_verify=1"
TH_INIT_A=
TH_INIT_B=
TH_JOB_A=
TH_JOB_B=

th_init() { # th_init H: the host's init, as this shell sees it
	if [ "$1" = A ]; then echo "$TH_INIT_A"; else echo "$TH_INIT_B"; fi
}

th_addr() {
	if [ "$1" = A ]; then echo "$TH_ADDR_A"; else echo "$TH_ADDR_B"; fi
}

twohost_exec() { # twohost_exec H CMD...
	local init
	init=$(th_init "$1")
	shift
	[ -n "$init" ] || { echo "twohost: no such host" >&2; return 1; }
	nsenter -t "$init" -p -m -n -u -- "$@"
}

twohost_vrctl() { # twohost_vrctl H ARGS...
	local h=$1
	shift
	twohost_exec "$h" env VROUTERD_SOCKET="$TH/$h/vrouterd.sock" "$VRCTL" "$@"
}

# Poll (up to SECONDS) until COMMAND succeeds.
th_until() { # th_until SECONDS COMMAND...
	local secs=$1
	shift
	for _ in $(seq $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# The host's init: bash as PID 1 of the new PID namespace, which reaps
# the daemons' orphans (a zombie QEMU would stall libvirt's destroy).
# setpriv --pdeathsig: if this shell dies, unshare dies; --kill-child: if
# unshare dies, init dies, and with it every process of the host.
th_spawn() { # th_spawn H
	local h=$1 job init
	setpriv --pdeathsig KILL unshare --pid --fork --kill-child --mount-proc \
		--net --mount --uts --propagation private \
		bash -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done' \
		</dev/null >/dev/null 2>&1 &
	job=$!
	for _ in $(seq 50); do
		init=$(awk '{print $1}' "/proc/$job/task/$job/children" 2>/dev/null)
		[ -n "$init" ] && break
		sleep 0.1
	done
	[ -n "$init" ] || { echo "twohost: host $h: no init"; return 1; }
	if [ "$h" = A ]; then
		TH_INIT_A=$init TH_JOB_A=$job
	else
		TH_INIT_B=$init TH_JOB_B=$job
	fi
}

# The host's files: private directories bind-mounted (kept under $TH so
# logs can be read after a failure), a copy of /etc/libvirt with the
# settings below, tmpfs for /run and /dev/shm, sysfs of its own netns.
th_mounts() { # th_mounts H
	local h=$1 d=$TH/$1 addr uuid
	addr=$(th_addr "$h")
	uuid=$(cat /proc/sys/kernel/random/uuid)
	mkdir -p "$d/lib-libvirt/qemu" "$d/log-libvirt/qemu" "$d/vrouterd"
	cp -a /etc/libvirt "$d/etc-libvirt"
	cat >>"$d/etc-libvirt/libvirtd.conf" <<EOC

# twohost.sh: host $h
host_uuid = "$uuid"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOC
	cat >>"$d/etc-libvirt/qemu.conf" <<EOC

# twohost.sh: host $h
cgroup_controllers = [ ]
migration_address = "$addr"
migration_host = "$addr"
EOC
	chmod 755 "$d" "$d/vrouterd"
	twohost_exec "$h" sh -ec "
		hostname th-$h
		mount -t sysfs sysfs /sys
		mount -t tmpfs -o mode=0755 tmpfs /run
		mkdir -p /run/libvirt /run/netns /run/lock /run/vrouterd
		mkdir -m 0755 /run/sshd
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm
		mount --bind '$d/lib-libvirt' /var/lib/libvirt
		mount --bind '$d/log-libvirt' /var/log/libvirt
		mkdir -p /var/lib/vrouterd
		mount --bind '$d/vrouterd' /var/lib/vrouterd
		mount --bind '$d/etc-libvirt' /etc/libvirt
		mount --bind '$TH/ssh_config' /etc/ssh/ssh_config
		mount --bind '$TH/hosts' /etc/hosts
		ip link set lo up
	"
}

# sshd: root by the generated key only, on the wire address only; the
# client side (both hosts) knows both host keys and uses the key, so no
# file under /root is read or written.
th_sshd() { # th_sshd H
	local h=$1 d=$TH/$1 addr
	addr=$(th_addr "$h")
	ssh-keygen -q -t ed25519 -N '' -C "th-$h" -f "$d/ssh_host_ed25519_key" || return 1
	echo "$addr $(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >>"$TH/known_hosts"
	cat >"$d/sshd_config" <<EOC
ListenAddress $addr
HostKey $d/ssh_host_ed25519_key
PidFile /run/sshd.pid
AuthorizedKeysFile $TH/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
AllowUsers root
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOC
	twohost_exec "$h" /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log" || return 1
	th_until 10 twohost_exec "$h" sh -c "ss -Hltn | grep -q '$addr:22 '"
}

th_libvirt() { # th_libvirt H
	local h=$1
	twohost_exec "$h" virtlogd -d -p /run/libvirt/virtlogd.pid || return 1
	twohost_exec "$h" libvirtd -d -p /run/libvirt/libvirtd.pid || return 1
	th_until 30 twohost_exec "$h" virsh -c qemu:///system version
}

# vrouterd: host_name a (or b), the other host in its hosts (its
# vrouterd through ssh + `vrctl proxy`, its libvirtd, its wire address),
# and this build's vrctl on the host's PATH for the peer's ssh.
th_vrouterd() { # th_vrouterd H
	local h=$1 d=$TH/$1 o ouri
	if [ "$h" = A ]; then o=B ouri=$TH_URI_B; else o=A ouri=$TH_URI_A; fi
	cat >"$d/vrouterd.conf" <<EOC
{ "state_dir": "/var/lib/vrouterd", "image_dir": "$IMAGE",
  "host_name": "${h,,}",
  "hosts": [ { "name": "${o,,}", "ssh": "root@$(th_addr $o)",
    "socket": "$TH/$o/vrouterd.sock", "libvirt_uri": "$ouri",
    "tunnel_address": "$(th_addr $o)" } ] }
EOC
	mkdir -p "$d/bin"
	ln -sf "$VRCTL" "$d/bin/vrctl"
	twohost_exec "$h" mount --bind "$d/bin" /usr/local/bin || return 1
	twohost_exec "$h" sh -c "exec '$VROUTERD' --foreground --debug \
		--socket '$d/vrouterd.sock' --config '$d/vrouterd.conf' \
		--pidfile /run/vrouterd/vrouterd.pid >>'$d/vrouterd.log' 2>&1" &
	th_until 30 twohost_vrctl "$h" version
}

twohost_up() {
	local h
	mkdir -p "$TH/A" "$TH/B"
	chmod 755 "$TH"
	ssh-keygen -q -t ed25519 -N '' -C twohost -f "$TH_KEY" || return 1
	cp "$TH_KEY.pub" "$TH/authorized_keys"
	: >"$TH/known_hosts"
	# the hosts' names resolve (libvirt looks its own up), to the wire
	printf '127.0.0.1\tlocalhost\n%s\tth-A\n%s\tth-B\n' \
		"$TH_ADDR_A" "$TH_ADDR_B" >"$TH/hosts"
	cat >"$TH/ssh_config" <<EOC
# twohost.sh: both hosts' client configuration
Host *
	User root
	IdentityFile $TH_KEY
	IdentitiesOnly yes
	BatchMode yes
	UserKnownHostsFile $TH/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	UpdateHostKeys no
	ConnectTimeout 10
EOC
	for h in A B; do
		th_spawn $h || return 1
		th_mounts $h || { echo "twohost: host $h: mounts failed"; return 1; }
	done
	ip link add th-wire-a type veth peer name th-wire-b || return 1
	ip link set th-wire-a netns "$TH_INIT_A" || return 1
	ip link set th-wire-b netns "$TH_INIT_B" || return 1
	twohost_exec A sh -ec "ip addr add $TH_ADDR_A/24 dev th-wire-a; ip link set th-wire-a up" || return 1
	twohost_exec B sh -ec "ip addr add $TH_ADDR_B/24 dev th-wire-b; ip link set th-wire-b up" || return 1
	for h in A B; do
		th_sshd $h || { echo "twohost: host $h: sshd did not come up"; cat "$TH/$h/sshd.log"; return 1; }
		th_libvirt $h || { echo "twohost: host $h: libvirtd did not come up"; cat "$TH/$h/log-libvirt/libvirtd.log"; return 1; }
		th_vrouterd $h || { echo "twohost: host $h: vrouterd did not come up"; cat "$TH/$h/vrouterd.log"; return 1; }
	done
}

# What a domain of host SRC needs on host DST before it can migrate there
# (libvirt opens the taps by name, managed='no'): the same taps (vnet_hdr,
# multi_queue as on SRC), on bridges of the same names, the same MTU, and
# the directories of its console logs.  Taps only (a macvtap sits on a
# parent device that would have to exist first).  What it made is listed
# in $TH/DST.wired, for twohost_unwire.
twohost_wire_like() { # twohost_wire_like SRC DST DOMAIN
	local src=$1 dst=$2 dom=$3 tap info br mtu mq f
	for tap in $(twohost_exec "$src" virsh domiflist "$dom" |
		awk '$2 == "ethernet" {print $1}'); do
		info=$(twohost_exec "$src" ip -d -o link show dev "$tap") || return 1
		case "$info" in *"tun type tap"*) ;; *)
			echo "twohost: $tap is no tap"
			return 1 ;;
		esac
		br=$(echo "$info" | sed -n 's/.* master \([^ ]*\) .*/\1/p')
		mtu=$(echo "$info" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
		mq=
		case "$info" in *multi_queue*) mq=multi_queue ;; esac
		if [ -n "$br" ] && ! twohost_exec "$dst" ip link show dev "$br" >/dev/null 2>&1; then
			twohost_exec "$dst" sh -ec "ip link add '$br' type bridge
				ip link set '$br' up" || return 1
			echo "$br" >>"$TH/$dst.wired"
		fi
		twohost_exec "$dst" ip tuntap add dev "$tap" mode tap vnet_hdr $mq || return 1
		echo "$tap" >>"$TH/$dst.wired"
		twohost_exec "$dst" sh -ec "ip link set '$tap' mtu $mtu
			${br:+ip link set '$tap' master '$br'}
			ip link set '$tap' up" || return 1
	done
	for f in $(twohost_exec "$src" virsh dumpxml "$dom" |
		sed -n "s/.*<log file='\([^']*\)'.*/\1/p" | sort -u); do
		twohost_exec "$dst" mkdir -p "$(dirname "$f")" || return 1
	done
}

# Remove what twohost_wire_like made on host H (taps first, then bridges).
twohost_unwire() { # twohost_unwire H
	local l
	[ -f "$TH/$1.wired" ] || return 0
	for l in $(tac "$TH/$1.wired"); do
		twohost_exec "$1" ip link del "$l" || return 1
	done
	rm -f "$TH/$1.wired"
}

# The processes of a host, as this shell sees them (by PID namespace).
th_pids() { # th_pids H
	local init ns p
	init=$(th_init "$1")
	[ -n "$init" ] || return 0
	ns=$(readlink "/proc/$init/ns/pid" 2>/dev/null) || return 0
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] && echo "${p#/proc/}"
	done
}

# Domains destroyed, daemons stopped (vrouterd first, so it sees its
# domains go as a stop, not a crash), then the host's init killed, which
# kills whatever is left; the wire and both namespaces go with them.
# For a test script (after common.sh): skip (77) without the bed's tools;
# the bed goes down on exit, and `end RC` ends the test (bed down, then
# common.sh's finish).
twohost_test_init() {
	local t
	for t in sshd ssh ssh-keygen nsenter setpriv; do
		command -v $t >/dev/null || [ -x /usr/sbin/$t ] ||
			{ echo "SKIP: $t missing (apt-get install openssh-server)"; exit 77; }
	done
	trap 'end 1' INT TERM
	trap twohost_down EXIT
}
end() {
	twohost_down
	finish "${1:-0}"
}

# What each host's daemons said, for a failed test's output.
twohost_logs() {
	local h
	for h in A B; do
		echo "=== host $h: vrouterd log (last 40 lines)"
		tail -40 "$TH/$h/vrouterd.log" 2>/dev/null
		echo "=== host $h: libvirtd errors (last 20)"
		grep -i ' error ' "$TH/$h/log-libvirt/libvirtd.log" 2>/dev/null | tail -20
	done
}

twohost_down() {
	local h init job d
	[ "${FAILS:-0}" -gt 0 ] && twohost_logs
	for h in A B; do
		init=$(th_init $h)
		if [ -z "$init" ] || [ ! -d "/proc/$init" ]; then
			continue
		fi
		twohost_exec $h sh -c '
			[ -s /run/vrouterd/vrouterd.pid ] && kill -TERM "$(cat /run/vrouterd/vrouterd.pid)"
			for _ in $(seq 50); do
				[ -s /run/vrouterd/vrouterd.pid ] && kill -0 "$(cat /run/vrouterd/vrouterd.pid)" 2>/dev/null || break
				sleep 0.1
			done
			for d in $(virsh -c qemu:///system list --name 2>/dev/null); do
				virsh -c qemu:///system destroy "$d" >/dev/null 2>&1
			done
			for f in /run/sshd.pid /run/libvirt/libvirtd.pid /run/libvirt/virtlogd.pid; do
				[ -s $f ] && kill -TERM "$(cat $f)" 2>/dev/null
			done' >/dev/null 2>&1
	done
	for h in A B; do
		init=$(th_init $h)
		if [ $h = A ]; then job=$TH_JOB_A; else job=$TH_JOB_B; fi
		[ -n "$init" ] && kill -KILL "$init" 2>/dev/null
		[ -n "$job" ] && wait "$job" 2>/dev/null
		if [ $h = A ]; then TH_INIT_A='' TH_JOB_A=''; else TH_INIT_B='' TH_JOB_B=''; fi
	done
	# the vrouterd jobs (nsenter) end with their host
	wait 2>/dev/null
	ip link del th-wire-a 2>/dev/null
	return 0
}

# Nothing of the bed is left: no process in its namespaces, no wire.
twohost_gone() {
	local l
	l=$(ip -o link show | grep -c 'th-wire')
	[ "$l" = 0 ] || { echo "wire left"; return 1; }
	l=$(pgrep -f "$TH/" | grep -v "^$$\$")
	[ -z "$l" ] || { echo "processes left: $(ps -o pid,args -p "$(echo $l | tr ' ' ,)" | tail -n +2)"; return 1; }
	return 0
}
