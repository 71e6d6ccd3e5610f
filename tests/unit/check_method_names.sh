#!/bin/sh
# Each method's name is written once, in lib/proto.c's proto_methods[]: the
# daemon's handlers and vrctl's calls name methods by enum proto_method_id.
# Fails when a method name appears as a string literal where a method is
# named (a call, a lookup, a handler row) anywhere else in the tree.
set -u
top=${1:?usage: check_method_names.sh SOURCE_DIR}
cd "$top" || exit 1
names=$(tr '\n' ' ' <lib/proto.c |
    grep -oE '\[METHOD_[A-Z_]+\] =[[:space:]]*\{"[^"]+"' | sed 's/.*{"//; s/"$//')
[ -n "$names" ] || { echo "no method rows found in lib/proto.c"; exit 1; }
n=$(echo "$names" | wc -l)
m=$(sed -n 's/^\tMETHOD_\([A-Z_]*\),$/\1/p' lib/proto.h | grep -vc '^COUNT$')
[ "$n" -eq "$m" ] || { echo "proto.h has $m methods, proto.c names $n"; exit 1; }
fail=0
for name in $names; do
	q=$(printf '%s' "$name" | sed 's/\./\\./g')
	hits=$( (grep -rnE \
	    "(proto_method_find|client_call(_fd)?|ctl_call|ctl_run|exp_call|replay_param_known|ctl_topo_params|proto_request_new)\([^;]*\"$q\"" \
	    lib daemon vrctl bench --include='*.c' --include='*.h'
	    grep -rnE "\{\"$q\", *[a-z_]+}" daemon --include='*.c') |
	    grep -v '^lib/proto\.c:')
	if [ -n "$hits" ]; then
		echo "method \"$name\" named by string outside lib/proto.c:"
		echo "$hits"
		fail=1
	fi
done
# every method has a row in the daemon's handler table
for e in $(sed -n 's/^\t\(METHOD_[A-Z_]*\),$/\1/p' lib/proto.h); do
	grep -q "\[$e\] = " daemon/dispatch.c ||
	    { echo "daemon/dispatch.c: no handler for $e"; fail=1; }
done
[ $fail -eq 0 ] && echo "ok: $n methods, each named once"
exit $fail
