#!/bin/sh
# Build the fuzz targets with clang in their own build dir and run one.
# usage: tests/fuzz/run.sh [SECONDS [TARGET]]   (default 60 fuzz_request)
# Fails on any crash, leak or sanitizer report.
set -eu
SECONDS_=${1:-60}
TARGET=${2:-fuzz_request}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${FUZZ_BUILD_DIR:-$TOP/build-fuzz}
CORPUS=$TOP/tests/fuzz/corpus/${TARGET#fuzz_}
WORK=$B/corpus-run/${TARGET#fuzz_}

CC=clang cmake -S "$TOP" -B "$B" -DVR_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" --target "$TARGET" -j"$(nproc)"
mkdir -p "$WORK"
cd "$B"
# -error_exitcode / leaks: libFuzzer exits non-zero on any finding.
case $TARGET in
fuzz_topofile) MAXLEN=16384 ;; # topology files are a few KiB
*) MAXLEN=4096 ;;
esac
"$B/tests/$TARGET" -max_total_time="$SECONDS_" -max_len="$MAXLEN" \
	-detect_leaks=1 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 "$WORK" "$CORPUS"
echo "$TARGET: no crash, leak or sanitizer report in $SECONDS_ s"
