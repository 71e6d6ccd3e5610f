/*
 * Blocking work (netlink, libvirt, waiting for a guest) runs on a worker
 * thread so the control socket never stalls.  A job posts progress lines
 * and finishes; both are delivered to the libevent loop's thread through a
 * pipe, where progress() and done() are called.
 */
#ifndef VR_JOB_H
#define VR_JOB_H

#include <event2/event.h>

struct job;

typedef void (*job_fn)(struct job *j, void *arg);
typedef void (*job_progress_fn)(void *arg, const char *step, const char *msg);
typedef void (*job_done_fn)(void *arg);

/* Start fn(job, arg) on a new thread.  0 or -1 (errno). */
int job_start(struct event_base *base, job_fn fn, job_progress_fn progress,
	      job_done_fn done, void *arg);

/* From the worker: a progress line for the caller (copied). */
void job_progress(struct job *j, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* From the worker: has the daemon asked every job to stop? */
int job_cancelled(const struct job *j);
/* From the loop: ask every running job to give up soon. */
void job_cancel_all(void);
int job_count(void);

#endif
