/*
 * SCHED_DEADLINE reservations as a person writes them: "RUNTIME/PERIOD" in
 * microseconds (--deadline 200/1000: 200 us of CPU in every 1000 us, the
 * deadline equal to the period).  Pure: the syntax and the kernel's own
 * bounds, checked before anything is made; admission (the bandwidth left
 * on a CPU) is the kernel's to say, at sched_setattr.
 */
#ifndef VR_DLPARAM_H
#define VR_DLPARAM_H

#include <stddef.h>

/* The kernel's bounds (kernel/sched/deadline.c: runtime >= 1024 ns, the
 * period within sched_deadline_period_{min,max}_us' defaults). */
#define DLPARAM_RUNTIME_MIN_US 2
#define DLPARAM_PERIOD_MIN_US  100
#define DLPARAM_PERIOD_MAX_US  4194304

struct dlparam {
	unsigned runtime_us; /* 0: no reservation */
	unsigned period_us;
};

/*
 * Parse "RUNTIME/PERIOD" (decimal microseconds, RUNTIME <= PERIOD, within
 * the bounds above) into *d.  0, or -1 with err naming what is wrong.
 */
int dlparam_parse(const char *s, struct dlparam *d, char *err, size_t errlen);

/* "RUNTIME/PERIOD" again (buf of 24 bytes is enough); "" for none. */
const char *dlparam_format(const struct dlparam *d, char *buf, size_t len);

#endif
