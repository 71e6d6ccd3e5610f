/*
 * The table of node kinds (nodekind.h): one line per kind, indexed by the
 * plan's backend.
 */
#include "log.h"
#include "nodekind.h"
#include "util.h"

static const struct node_kind_ops *const node_kinds[] = {
    [BACKEND_VM] = &kind_vm,
    [BACKEND_NETNS] = &kind_netns,
};

const struct node_kind_ops *
node_kind_get(enum topo_backend backend)
{
	if ((size_t)backend >= nitems(node_kinds) ||
	    node_kinds[backend] == NULL)
		fatalx("%s: no node kind for backend %d", __func__,
		       (int)backend);
	return node_kinds[backend];
}

const struct node_kind_ops *
node_kind_at(int i)
{
	if (i < 0 || (size_t)i >= nitems(node_kinds))
		return NULL;
	return node_kinds[i];
}
