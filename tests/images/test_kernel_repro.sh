#!/bin/sh
# Reproducibility of images/build-kernel: two real builds (fresh object
# trees, everything compiled again) of the same inputs give a
# byte-identical bzImage and .config, and so does the cached build of the same
# key when there is one (the first build fills the cache when it is empty).
# Minutes of compiling.
# Needs no root. Exit 77 (skip) when the packages build-kernel uses are missing.
# Environment: VR_KERNEL_CONFIG (default router), VR_KERNEL_CACHE.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bk=$root/images/build-kernel
config=${VR_KERNEL_CONFIG:-router}

if ! why=$("$bk" --check 2>&1); then
	echo "SKIP: $why"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vrt-krepro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	exit 1
}

now() { date +%s; }

# The second build runs under another umask, TMPDIR and user-visible
# environment; none of it may reach the kernel.
# The first build stores its result in the cache when the cache has none
# (a cache miss compiles in a fresh object tree, as --no-cache does), so the
# tests that boot this kernel afterwards (ctest DEPENDS) take it from there
# instead of compiling it a third time.
cached=$("$bk" --config "$config" --print-dir)
first=--no-cache
[ -f "$cached/bzImage" ] || first=
t0=$(now)
"$bk" --config "$config" $first -o "$tmp/a" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "first build failed"; }
grep -q '^build-kernel: cache hit' "$tmp/log" && fail "first build was a cache hit"
grep -v '^build-kernel: \[' "$tmp/log"
t1=$(now)
mkdir "$tmp/t"
(umask 077 && TMPDIR=$tmp/t KCFLAGS=-DVRT_SHOULD_NOT_MATTER \
	"$bk" --config "$config" --no-cache -o "$tmp/b") >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; fail "second build failed"; }
grep -v '^build-kernel: \[' "$tmp/log"
t2=$(now)
echo "build times: $((t1 - t0)) s, $((t2 - t1)) s"

for f in bzImage config; do
	[ -s "$tmp/a/$f" ] || fail "$f missing"
	cmp "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between two builds"
done
echo "reproducible: bzImage ($(stat -c %s "$tmp/a/bzImage") bytes," \
	"sha256 $(sha256sum "$tmp/a/bzImage" | cut -c1-16)...) and config identical"

# The manifests differ only in build time and duration.
strip() { grep -v -e '"build_seconds"' -e '"built_at"' "$1"; }
strip "$tmp/a/manifest.json" >"$tmp/ma"
strip "$tmp/b/manifest.json" >"$tmp/mb"
diff "$tmp/ma" "$tmp/mb" || fail "manifests differ beyond build time"

if [ -n "$first" ]; then
	cmp "$tmp/a/bzImage" "$cached/bzImage" ||
		fail "bzImage differs from the cached build $cached"
	echo "identical to the cached build too ($cached)"
fi
echo "PASS: two builds of $config give the same bzImage"
