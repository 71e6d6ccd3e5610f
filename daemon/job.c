#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "log.h"
#include "util.h"

struct job_msg {
	struct job_msg *next;
	char step[32];
	char *text; /* any length: bench passes whole trial records */
};

struct job {
	pthread_t thread;
	int pipe[2];
	struct event *ev;
	pthread_mutex_t mu;
	struct job_msg *head, **tail;
	int finished; /* worker returned (under mu) */
	job_fn fn;
	job_progress_fn progress;
	job_done_fn done;
	void *arg;
};

static atomic_int job_cancel_flag;
static int job_running; /* loop thread only */

static void
job_wake(struct job *j)
{
	char c = 1;

	/* A full pipe already means "wake up": EAGAIN is fine. */
	while (write(j->pipe[1], &c, 1) == -1 && errno == EINTR)
		;
}

void
job_progress(struct job *j, const char *step, const char *fmt, ...)
{
	struct job_msg *m = xcalloc(1, sizeof(*m));
	va_list ap;

	vr_strlcpy(m->step, step, sizeof(m->step));
	va_start(ap, fmt);
	if (vasprintf(&m->text, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	log_debug("job: %s: %s", m->step, m->text);
	pthread_mutex_lock(&j->mu);
	*j->tail = m;
	j->tail = &m->next;
	pthread_mutex_unlock(&j->mu);
	job_wake(j);
}

int
job_cancelled(const struct job *j)
{
	(void)j;
	return atomic_load(&job_cancel_flag);
}

void
job_cancel_all(void)
{
	atomic_store(&job_cancel_flag, 1);
}

int
job_count(void)
{
	return job_running;
}

static void *
job_main(void *p)
{
	struct job *j = p;

	j->fn(j, j->arg);
	pthread_mutex_lock(&j->mu);
	j->finished = 1;
	pthread_mutex_unlock(&j->mu);
	job_wake(j);
	return NULL;
}

static void
job_free(struct job *j)
{
	struct job_msg *m;

	while ((m = j->head) != NULL) {
		j->head = m->next;
		free(m->text);
		free(m);
	}
	if (j->ev)
		event_free(j->ev);
	close(j->pipe[0]);
	close(j->pipe[1]);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

/* Loop side: deliver progress, and the end. */
static void
job_dispatch(evutil_socket_t fd, short ev, void *p)
{
	struct job *j = p;
	struct job_msg *m;
	char buf[256];
	int finished;

	(void)ev;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&j->mu);
		m = j->head;
		if (m) {
			j->head = m->next;
			if (j->head == NULL)
				j->tail = &j->head;
		}
		finished = j->finished;
		pthread_mutex_unlock(&j->mu);
		if (m == NULL)
			break;
		if (j->progress)
			j->progress(j->arg, m->step, m->text);
		free(m->text);
		free(m);
	}
	if (!finished)
		return;
	pthread_join(j->thread, NULL);
	job_running--;
	j->done(j->arg);
	job_free(j);
}

int
job_start(struct event_base *base, job_fn fn, job_progress_fn progress,
	  job_done_fn done, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	int e;

	j->fn = fn;
	j->progress = progress;
	j->done = done;
	j->arg = arg;
	j->tail = &j->head;
	pthread_mutex_init(&j->mu, NULL);
	if (pipe2(j->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		e = errno;
		pthread_mutex_destroy(&j->mu);
		free(j);
		errno = e;
		return -1;
	}
	j->ev =
	    event_new(base, j->pipe[0], EV_READ | EV_PERSIST, job_dispatch, j);
	if (j->ev == NULL || event_add(j->ev, NULL) == -1) {
		job_free(j);
		errno = ENOMEM;
		return -1;
	}
	if (job_running == 0)
		atomic_store(&job_cancel_flag, 0);
	if ((e = pthread_create(&j->thread, NULL, job_main, j)) != 0) {
		job_free(j);
		errno = e;
		return -1;
	}
	job_running++;
	return 0;
}
