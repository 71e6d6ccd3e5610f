#!/bin/sh
# Every error code of lib/proto.h has its row in docs/protocol.md's error
# table (with what to do), and the table names no code that does not exist.
#   check_error_docs.sh SOURCE_DIR
SRC=${1:-$(dirname "$0")/../..}
H=$SRC/lib/proto.h
D=$SRC/docs/protocol.md
fail=0
codes=$(sed -n 's/^#define PROTO_E_[A-Z_]*[[:space:]]*\(-32[0-9]*\).*/\1/p' "$H")
[ -n "$codes" ] || { echo "FAIL no PROTO_E_ codes found in $H"; exit 1; }
for c in $codes; do
	row=$(grep -E "^\| $c \|" "$D")
	if [ -z "$row" ]; then
		echo "FAIL $c (lib/proto.h) has no row in docs/protocol.md"
		fail=1
	elif [ "$(echo "$row" | awk -F'|' '{print NF}')" -lt 6 ] ||
		[ -z "$(echo "$row" | awk -F'|' '{gsub(/ /, "", $5); print $5}')" ]; then
		echo "FAIL $c: its row says nothing about what to do"
		fail=1
	else
		echo "ok   $c documented"
	fi
done
for c in $(sed -n 's/^| \(-32[0-9]*\) |.*/\1/p' "$D"); do
	echo "$codes" | grep -qx -- "$c" ||
		{ echo "FAIL docs/protocol.md lists $c, which lib/proto.h does not define"; fail=1; }
done
exit $fail
