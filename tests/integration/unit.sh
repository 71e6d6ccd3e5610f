# The restrictions of systemd/vrouterd.service, read from the unit file
# itself (sourced), so that a test run "under the unit" runs under exactly
# what the unit says: its RestrictAddressFamilies= (a seccomp filter,
# afjail), CapabilityBoundingSet= and NoNewPrivileges= (setpriv) and
# LimitMEMLOCK= (prlimit).  PID 1 here is not systemd, so systemd-run is no
# option.
#
# UNIT defaults to the source tree's unit; AFJAIL is the afjail binary (tests/integration/afjail.c).

UNIT=${UNIT:-${SRC:-$(realpath "$(dirname "${BASH_SOURCE[0]}")/../..")}/systemd/vrouterd.service}

# unit_value KEY: the last KEY= of the [Service] section ("" if none).
unit_value() {
	sed -n "/^\[Service\]/,/^\[/s/^$1=//p" "$UNIT" | tail -1
}

unit_families() { unit_value RestrictAddressFamilies; }

# The bounding set as setpriv wants it: -all,+net_admin,+net_raw,...
unit_bounding_set() {
	local c out=-all
	for c in $(unit_value CapabilityBoundingSet); do
		c=${c#CAP_}
		out="$out,+$(echo "$c" | tr 'A-Z' 'a-z')"
	done
	echo "$out"
}

# LimitMEMLOCK= as prlimit wants it; without one, systemd's default (8M).
unit_memlock() {
	local v
	v=$(unit_value LimitMEMLOCK)
	case "$v" in
	"") echo $((8 << 20)) ;;
	infinity) echo unlimited ;;
	*K) echo $((${v%K} << 10)) ;;
	*M) echo $((${v%M} << 20)) ;;
	*G) echo $((${v%G} << 30)) ;;
	*) echo "$v" ;;
	esac
}

# under_unit [--memlock N] [-AF_X ...] -- COMMAND...: COMMAND as the unit
# would run it, optionally with another memlock limit and families removed.
under_unit() {
	local memlock drops=()
	memlock=$(unit_memlock)
	while [ $# -gt 0 ]; do
		case "$1" in
		--memlock) memlock=$2; shift 2 ;;
		-AF_*) drops+=("$1"); shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	# a machine (container) without CAP_SYS_RESOURCE cannot go past its
	# hard limit: the nearest it can do
	if ! prlimit --memlock="$memlock:$memlock" true 2>/dev/null; then
		memlock=$(ulimit -Hl)
		[ "$memlock" = unlimited ] || memlock=$((memlock << 10))
		echo "unit.sh: cannot raise RLIMIT_MEMLOCK; using the hard limit, $memlock" >&2
	fi
	local nnp=
	[ "$(unit_value NoNewPrivileges)" = yes ] && nnp=--no-new-privs
	${under_unit_exec:-} prlimit --memlock="$memlock:$memlock" \
		setpriv --bounding-set "$(unit_bounding_set)" --inh-caps -all \
		--ambient-caps -all $nnp \
		"$AFJAIL" "$(unit_families)" "${drops[@]}" -- "$@"
}

# Executed rather than sourced: exec COMMAND under the unit (a wrapper for
# daemon_start's VR_DAEMON_WRAPPER, so that $! is the daemon itself).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	: "${AFJAIL:?unit.sh: set AFJAIL to the afjail binary}"
	under_unit_exec=exec
	under_unit "$@"
fi
