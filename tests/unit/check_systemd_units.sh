#!/bin/sh
# The systemd units: systemd-analyze verify of vrouterd.service (ExecStart
# pointed at the built binary) with its socket units, the sockets they
# listen on being the daemon's defaults, and the sysusers.d entry.
#
# usage: check_systemd_units.sh SRCDIR VROUTERD
set -u
SRC=$1
VROUTERD=$2
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

sed "s|/usr/sbin/vrouterd|$VROUTERD|" "$SRC/systemd/vrouterd.service" \
	>"$d/vrouterd.service"
cp "$SRC/systemd/vrouterd.socket" "$SRC/systemd/vrouterd-ro.socket" "$d/"
for u in vrouterd.service vrouterd.socket vrouterd-ro.socket; do
	out=$(cd "$d" && systemd-analyze verify --man=no "$d/$u" 2>&1)
	if printf '%s\n' "$out" | grep -q "vrouterd"; then
		bad "systemd-analyze verify $u:"
		printf '%s\n' "$out"
	else
		ok "systemd-analyze verify $u"
	fi
done

# the sockets are where the daemon looks by default: the socket the help
# names, and the read-only one beside it (-ro before .sock)
main=$("$VROUTERD" --help | sed -n 's/.*control socket (default \$[A-Z_]* or \([^)]*\)).*/\1/p')
ro=${main%.sock}-ro.sock
listen() { sed -n 's/^ListenStream=//p' "$SRC/systemd/$1"; }
[ -n "$main" ] && [ "$(listen vrouterd.socket)" = "$main" ] &&
	ok "vrouterd.socket listens on $main" ||
	bad "vrouterd.socket listens on $(listen vrouterd.socket), the daemon's default is '$main'"
[ "$(listen vrouterd-ro.socket)" = "$ro" ] &&
	ok "vrouterd-ro.socket listens on $ro" ||
	bad "vrouterd-ro.socket listens on $(listen vrouterd-ro.socket), not $ro"
grep -qx 'SocketMode=0660' "$SRC/systemd/vrouterd.socket" &&
	grep -qx 'SocketGroup=vrouter' "$SRC/systemd/vrouterd.socket" &&
	grep -qx 'SocketMode=0666' "$SRC/systemd/vrouterd-ro.socket" &&
	ok "modes 0660 group vrouter, and 0666" || bad "socket modes or group"
grep -q '^After=.*virtqemud' "$SRC/systemd/vrouterd.service" &&
	grep -q '^After=.*virtlogd' "$SRC/systemd/vrouterd.service" &&
	ok "ordered after the modular libvirt daemons" ||
	bad "After= does not name virtqemud and virtlogd"

# the vrouter group the socket unit and socket_group name
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$d/root/etc"
	: >"$d/root/etc/group"
	: >"$d/root/etc/passwd"
	out=$(systemd-sysusers --root="$d/root" \
		"$SRC/systemd/vrouterd.sysusers" 2>&1)
	grep -q '^vrouter:' "$d/root/etc/group" &&
		ok "sysusers.d creates group vrouter" ||
		bad "sysusers.d: no group vrouter: $out"
fi
[ "$fail" = 0 ]
