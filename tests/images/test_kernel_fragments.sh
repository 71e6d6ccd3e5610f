#!/bin/sh
# Every kernel configuration in images/kernel-configs/ merges cleanly: after
# tinyconfig + arch fragment + the configuration's fragments + olddefconfig,
# each option of each fragment is in the merged .config with its value (the
# last fragment winning), "is not set" lines are off, and the options the
# guest cannot boot or forward without are there. Also checks that
# build-kernel refuses a fragment whose option Kconfig drops, naming it.
# Configures only (no compiling): seconds once the source is extracted.
# Needs no root. Exit 77 (skip) when the packages build-kernel uses are missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bk=$root/images/build-kernel
confdir=$root/images/kernel-configs

if ! why=$("$bk" --check 2>&1); then
	echo "SKIP: $why"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-kfrag.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

# The fragment files of configuration $1, base first (as build-kernel reads
# the "# vrouterd-base: NAME" line), after the arch fragment.
chain() { # NAME ARCH (recursive: positional parameters only, no globals)
	set -- "$confdir/$1.config" "$2" \
		"$(sed -n 's/^# vrouterd-base: *\([A-Za-z0-9_.-]*\) *$/\1/p' "$confdir/$1.config")"
	if [ -n "$3" ]; then
		chain "$3" "$2"
	else
		echo "$confdir/arch-$2.config"
	fi
	echo "$1"
}

# check CONFIG_FILE FRAGMENT...: each option, last fragment winning.
check_options() {
	cfg=$1
	shift
	awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { i = index($0, "="); v[substr($0, 1, i - 1)] = substr($0, i + 1); next }
		/^# CONFIG_[A-Za-z0-9_]+ is not set$/ { v[$2] = "n" }
		END { for (k in v) print k, v[k] }
	' "$@" | sort >"$tmp/want"
	[ -s "$tmp/want" ] || fail "no options in $*"
	bad=0
	while read -r opt val; do
		if [ "$val" = n ]; then
			if grep -q "^$opt=" "$cfg"; then
				echo "  $opt should be off: $(grep "^$opt=" "$cfg")"
				bad=1
			fi
		elif ! grep -qxF "$opt=$val" "$cfg"; then
			echo "  $opt=$val missing (merged: $(grep "^$opt=" "$cfg" || echo not set))"
			bad=1
		fi
	done <"$tmp/want"
	[ "$bad" -eq 0 ] || fail "options missing from $cfg"
	wc -l <"$tmp/want"
}

# Without these the guest does not boot, print READY or forward.
MUST_ROUTER="CONFIG_64BIT=y CONFIG_SMP=y CONFIG_BLK_DEV_INITRD=y CONFIG_RD_GZIP=y
CONFIG_BINFMT_ELF=y CONFIG_BINFMT_SCRIPT=y CONFIG_DEVTMPFS=y CONFIG_PROC_FS=y
CONFIG_SYSFS=y CONFIG_TTY=y CONFIG_SERIAL_8250=y CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_PCI=y CONFIG_VIRTIO_PCI=y CONFIG_VIRTIO_NET=y CONFIG_NET=y CONFIG_INET=y
CONFIG_IPV6=y CONFIG_PACKET=y CONFIG_UNIX=y CONFIG_IP_ADVANCED_ROUTER=y
CONFIG_IP_MULTIPLE_TABLES=y CONFIG_IP_ROUTE_MULTIPATH=y CONFIG_RPS=y
CONFIG_XPS=y CONFIG_KVM_GUEST=y CONFIG_FUTEX=y CONFIG_PRINTK=y"
MUST_DEBUG="CONFIG_NETFILTER=y CONFIG_IP_NF_IPTABLES=y CONFIG_NF_TABLES=y
CONFIG_FTRACE=y CONFIG_FUNCTION_TRACER=y CONFIG_DEBUG_FS=y CONFIG_KALLSYMS=y
CONFIG_PRINTK_TIME=y"

configs=$("$bk" --list)
echo "$configs" | grep -qx router || fail "no router configuration"
echo "$configs" | grep -qx router-debug || fail "no router-debug configuration"
for name in $configs; do
	out=$tmp/$name
	"$bk" --config "$name" --config-only -o "$out" >"$tmp/log" 2>&1 || {
		cat "$tmp/log"
		fail "build-kernel --config $name --config-only failed"
	}
	cfg=$out/config
	[ -s "$cfg" ] || fail "$name: no merged config"
	# shellcheck disable=SC2046 # fragment paths have no blanks
	n=$(check_options "$cfg" $(chain "$name" x86_64))
	grep -q '^CONFIG_MODULES=' "$cfg" && fail "$name: CONFIG_MODULES is on"
	case $name in router*) musts=$MUST_ROUTER ;; *) musts="" ;; esac
	[ "$name" = router-debug ] && musts="$musts $MUST_DEBUG"
	for m in $musts; do
		grep -qxF "$m" "$cfg" || fail "$name: $m missing from the merged config"
	done
	echo "ok: $name: $n fragment options present, no modules"
done

# router-debug is router plus more: nothing of router is lost.
grep -E '^CONFIG_[A-Za-z0-9_]+=' "$tmp/router/config" | cut -d= -f1 |
	while read -r opt; do
		grep -q "^$opt=" "$tmp/router-debug/config" ||
			fail "router-debug lacks $opt (router has it)"
	done
echo "ok: router-debug contains every option router has on"

# A fragment with an option Kconfig must drop (VIRTIO_NET without VIRTIO:
# here "# CONFIG_VIRTIO_PCI is not set" and a dependency-less symbol name
# that does not exist) fails, naming both options.
cat >"$tmp/broken.config" <<'EOF'
# CONFIG_VIRTIO_PCI is not set
CONFIG_VIRTIO_NET=y
CONFIG_NO_SUCH_OPTION_VRT=y
EOF
if "$bk" --config "$tmp/broken.config" --config-only -o "$tmp/broken" \
	>"$tmp/log" 2>&1; then
	fail "build-kernel accepted a fragment whose options Kconfig dropped"
fi
grep -q 'CONFIG_VIRTIO_NET=y' "$tmp/log" || {
	cat "$tmp/log"
	fail "the error does not name CONFIG_VIRTIO_NET"
}
grep -q 'CONFIG_NO_SUCH_OPTION_VRT=y.*no such Kconfig symbol' "$tmp/log" || {
	cat "$tmp/log"
	fail "the error does not name CONFIG_NO_SUCH_OPTION_VRT as unknown"
}
echo "ok: a dropped option fails the build and is named:"
sed -n 's/^/  /; /CONFIG_/p' "$tmp/log"

echo "PASS: kernel fragments merge with every option intact"
