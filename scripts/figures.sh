#!/bin/bash
# The paper's three figures in one command: experiments/figure1-*.json,
# figure2-*.json and figure3-*.json (each configuration repeated as the
# file's "repeat" says) through `vrctl experiment`, one directory each,
# with how long each took.  docs/bench.md "The paper's figures".
#
#   scripts/figures.sh BUILD_DIR OUT_DIR [FILE...]
#
# By default in a sandbox (tests/integration/sandbox.sh: private libvirtd,
# own namespaces) with a vrouterd of its own; needs root, libvirt and the
# guest image (built on first use).  VR_FIGURES_SOCKET=PATH uses that
# running vrouterd instead (an installed one, with its own image and
# configuration).  FILE...: other experiment files instead of the three
# (a copy with KVM rates, say).  OUT_DIR/NAME keeps each experiment's
# summary.json, compare.svg and every run's record; replay one elsewhere
# with `vrctl experiment --replay OUT_DIR/NAME`.
set -u
[ $# -ge 2 ] || {
	echo "usage: $0 BUILD_DIR OUT_DIR [FILE...]" >&2
	exit 2
}
BUILD=$(realpath "$1")
SRC=$(realpath "$(dirname "$0")/..")
mkdir -p "$2" && OUT=$(realpath "$2") || exit 1
shift 2
if [ $# -gt 0 ]; then
	FILES=("$@")
else
	FILES=("$SRC"/experiments/figure[123]-*.json)
fi
for i in "${!FILES[@]}"; do
	FILES[i]=$(realpath "${FILES[i]}") || exit 1
done

run_all() { # VRCTL
	local vrctl=$1 f name t0 t1 start rc=0
	start=$(date +%s)
	for f in "${FILES[@]}"; do
		name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$f")
		[ -e "$OUT/$name/summary.json" ] && {
			echo "$OUT/$name holds a result already: skipped"
			continue
		}
		echo "=== $name ($(date -u +%H:%M:%SZ))"
		t0=$(date +%s)
		"$vrctl" experiment "$f" --out "$OUT/$name" || rc=1
		t1=$(date +%s)
		echo "=== $name: $(((t1 - t0) / 60)) min $(((t1 - t0) % 60)) s;" \
			"plot $OUT/$name/compare.svg"
	done
	echo "=== all: $((($(date +%s) - start) / 60)) min; results in $OUT"
	return $rc
}

if [ -n "${VR_FIGURES_SOCKET:-}" ]; then
	VROUTERD_SOCKET=$VR_FIGURES_SOCKET run_all "$BUILD/vrctl/vrctl"
	exit $?
fi
if [ -z "${VR_SANDBOX:-}" ]; then
	exec "$SRC/tests/integration/sandbox.sh" --libvirt --name figs -- \
		"$0" "$BUILD" "$OUT" "${FILES[@]}"
fi
. "$SRC/tests/integration/common.sh"
trap 'finish 1' INT TERM
need_image
daemon_start
run_all "$VRCTL"
finish $?
