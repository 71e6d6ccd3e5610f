#!/bin/sh
# Every long option of a program's getopt tables (the {"name", ...} entries
# of its struct option arrays) appears as --name in its man page.
#
# usage: check_man_options.sh SRCDIR
set -u
SRC=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
fail=0
cd "$SRC" || exit 1 # the globs below are the source tree's

# options FILE...: the long option names of the struct option entries
options() {
	sed -n 's/^[[:space:]]*{"\([a-z0-9][a-z0-9-]*\)",[[:space:]]*\(no\|required\|optional\)_argument.*/\1/p' "$@" |
		sort -u
}

check() { # check MANPAGE SOURCES...
	man=$1
	shift
	# groff: \- is a hyphen; \f. font changes may sit inside a word
	text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$man")
	n=0
	for o in $(options "$@"); do
		n=$((n + 1))
		if ! printf '%s\n' "$text" | grep -q -- "--$o\([^a-z0-9-]\|\$\)"; then
			echo "FAIL $man: --$o ($(grep -l "{\"$o\"," "$@" |
				tr '\n' ' ')) is not documented"
			fail=$((fail + 1))
		fi
	done
	if [ "$n" = 0 ]; then
		echo "FAIL $man: no options found in $* (the pattern is stale?)"
		fail=$((fail + 1))
	else
		echo "ok   $man: $n long options checked"
	fi
}

check docs/vrctl.1 vrctl/*.c vrctl/*.h
check docs/vrouterd.8 daemon/main.c
check docs/vrgen.1 vrgen/vrgen_opts.c
[ "$fail" = 0 ]
