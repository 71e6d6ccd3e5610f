/*
 * The undo record of a start: each object a step creates is pushed on it,
 * so that a failed start (deploy.c's rollback) removes exactly what it
 * made, newest first; the failing step writes its error beside it.
 */
#include <stdarg.h>
#include <stdio.h>

#include "deploy.h"
#include "deploy_int.h"
#include "log.h"
#include "util.h"

int
deploy_fail(struct deploy *d, int code, const char *step, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(d->err) - 64];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->code = code;
	vr_strlcpy(d->step, step, sizeof(d->step));
	snprintf(d->err, sizeof(d->err), "%s: %s", step, msg);
	return -1;
}

void
deploy_undo_push(struct deploy *d, enum undo_kind kind, const char *name)
{
	if (d->nundo == DEPLOY_MAX_UNDO)
		fatalx("%s: undo log full",
		       __func__); /* plan limits prevent it */
	d->undo[d->nundo].kind = kind;
	vr_strlcpy(d->undo[d->nundo].name, name, sizeof(d->undo[0].name));
	d->nundo++;
}

void
deploy_alias(const struct topo_plan *p, const char *role, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s:%s", TOPO_ALIAS_PREFIX, p->opts.name, role);
}

void
deploy_alias_prefix(const struct topo_plan *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s:", TOPO_ALIAS_PREFIX, p->opts.name);
}
