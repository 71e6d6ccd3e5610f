/* Unit tests for the node-kind table (daemon/nodekind.c): every backend
 * lib/topo.c names has a kind, under the same name, and every kind fills
 * every hook (nodekind.h says a new kind must; a NULL one would crash the
 * daemon on the first start, status or adoption of that kind). */
#include <stddef.h>

#include "nodekind.h"
#include "t.h"
#include "topo.h"

int
main(void)
{
	const struct node_kind_ops *k;
	int n = 0;

	for (int i = 0; (k = node_kind_at(i)) != NULL; i++, n++) {
		CHECK(node_kind_get((enum topo_backend)i) == k);
		CHECK_STR(k->name, topo_backend_name((enum topo_backend)i));
		CHECK_INT(topo_backend_parse(k->name), i);
		CHECK(k->host_fit != NULL);
		CHECK(k->prepare != NULL);
		CHECK(k->check != NULL);
		CHECK(k->start != NULL);
		CHECK(k->restart != NULL);
		CHECK(k->destroy != NULL);
		CHECK(k->teardown != NULL);
		CHECK(k->node_state != NULL);
		CHECK(k->node_status != NULL);
		CHECK(k->node_live != NULL);
		CHECK(k->threads != NULL);
		CHECK(k->pin != NULL);
		CHECK(k->adopt_scan != NULL);
		CHECK(k->adopt_accel != NULL);
		CHECK(k->adopt_node != NULL);
		/* a kind without guests says why, for status's accel_reason */
		CHECK(k->no_guest == NULL || k->no_guest[0] != '\0');
	}
	CHECK(n >= 2);
	/* no backend without a kind: the one after the last is unnamed */
	CHECK_STR(topo_backend_name((enum topo_backend)n), "unknown");
	/* the two kinds there are, as the docs and status name them */
	CHECK_STR(node_kind_get(BACKEND_VM)->name, "vm");
	CHECK(node_kind_get(BACKEND_VM)->no_guest == NULL);
	CHECK_STR(node_kind_get(BACKEND_NETNS)->name, "netns");
	CHECK(node_kind_get(BACKEND_NETNS)->polled);
	return t_done("test_nodekind");
}
