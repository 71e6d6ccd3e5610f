/*
 * "RUNTIME/PERIOD" reservations (dlparam.h): parse and format, nothing
 * else.  Used by the start params' reader (lib/topo.c) for "deadline" and
 * "vhost_deadline"; the daemon applies them (daemon/deadline.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "dlparam.h"

static int
dlparam_num(const char *s, const char **end, unsigned long *v)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &e, 10);
	if (errno == ERANGE || *v > 0xffffffffUL)
		return -1;
	*end = e;
	return 0;
}

int
dlparam_parse(const char *s, struct dlparam *d, char *err, size_t errlen)
{
	unsigned long rt, period;
	const char *p;

	if (dlparam_num(s, &p, &rt) == -1 || *p != '/' ||
	    dlparam_num(p + 1, &p, &period) == -1 || *p != '\0') {
		snprintf(err, errlen,
			 "'%.32s' is not RUNTIME/PERIOD in microseconds "
			 "(e.g. 200/1000)",
			 s);
		return -1;
	}
	if (period < DLPARAM_PERIOD_MIN_US || period > DLPARAM_PERIOD_MAX_US) {
		snprintf(err, errlen,
			 "period %lu us is out of range (%d-%d us)", period,
			 DLPARAM_PERIOD_MIN_US, DLPARAM_PERIOD_MAX_US);
		return -1;
	}
	if (rt < DLPARAM_RUNTIME_MIN_US) {
		snprintf(err, errlen, "runtime %lu us is below %d us", rt,
			 DLPARAM_RUNTIME_MIN_US);
		return -1;
	}
	if (rt > period) {
		snprintf(err, errlen,
			 "runtime %lu us is longer than the period %lu us", rt,
			 period);
		return -1;
	}
	d->runtime_us = rt;
	d->period_us = period;
	return 0;
}

const char *
dlparam_format(const struct dlparam *d, char *buf, size_t len)
{
	if (d->runtime_us == 0)
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%u/%u", d->runtime_us, d->period_us);
	return buf;
}
