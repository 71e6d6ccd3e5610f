/*
 * The method table and the daemon's handler table, both indexed by enum
 * proto_method_id: every method has exactly one name (unique, found again by
 * proto_method_find) and exactly one handler (daemon/dispatch.c), and the
 * tables end where the enum does.
 */
#include <string.h>

#include "dispatch.h"
#include "proto.h"
#include "t.h"

int
main(void)
{
	for (int i = 0; i < METHOD_COUNT; i++) {
		const char *name = proto_methods[i].name;

		CHECK(name != NULL);
		if (name == NULL)
			continue;
		CHECK_STR(proto_method_name((enum proto_method_id)i), name);
		CHECK(proto_method_find(name) == &proto_methods[i]);
		CHECK_INT(proto_method_id(proto_method_find(name)), i);
		CHECK(dispatch_handler((enum proto_method_id)i) != NULL);
		for (int j = 0; j < i; j++) {
			CHECK(proto_methods[j].name == NULL ||
			      strcmp(proto_methods[j].name, name) != 0);
			/* one handler per method: none serves two */
			CHECK(dispatch_handler((enum proto_method_id)j) !=
			      dispatch_handler((enum proto_method_id)i));
		}
	}
	CHECK(proto_methods[METHOD_COUNT].name == NULL);
	CHECK(proto_method_name(METHOD_COUNT) == NULL);
	CHECK(dispatch_handler(METHOD_COUNT) == NULL);
	CHECK(proto_method_find("nosuch") == NULL);
	return t_done("test_dispatch");
}
