#!/bin/sh
# Every handler daemon/dispatch.c names has a stand-in in
# tests/fuzz/fuzz_request.c: the fuzz target links dispatch.c alone, and is
# built only by the fuzz run (ctest -L fuzz), so a method added without
# its stand-in would be found there, late, as a link error.
#
#   check_fuzz_standins.sh SOURCE_DIR
SRC=$1
handlers=$(sed -n 's/^[[:space:]]*\[METHOD_[A-Z_]*\] = \([a-z_]*\),$/\1/p' \
	"$SRC/daemon/dispatch.c")
[ -n "$handlers" ] || { echo "FAIL: no handlers read from dispatch.c"; exit 1; }
fails=0
for h in $handlers; do
	if grep -qx "STANDIN($h)" "$SRC/tests/fuzz/fuzz_request.c"; then
		echo "ok: $h"
	else
		echo "FAIL: $h has no STANDIN in tests/fuzz/fuzz_request.c"
		fails=$((fails + 1))
	fi
done
exit $fails
