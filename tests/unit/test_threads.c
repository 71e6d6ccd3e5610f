/* Unit tests for thread discovery (daemon/threads.c), on this process's
 * own threads: the ones QEMU would call emulator threads (anything but
 * "CPU n/...", "vhost-PID", "IO iothreadN") are numbered 0, 1, 2, ... by
 * age, not all 0; "CPU n/TCG" keeps its n. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"
#include "threads.h"

static pthread_barrier_t started, done;

static void *
idle(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);
	pthread_barrier_wait(&done);
	return NULL;
}

int
main(void)
{
	pthread_t th[4];
	struct vthread *v = NULL;
	int n, i, emu = 0, seen = 0, vcpu3 = 0;

	pthread_barrier_init(&started, NULL, 5);
	pthread_barrier_init(&done, NULL, 5);
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, idle, NULL);
	pthread_setname_np(th[1], "worker");
	pthread_setname_np(th[3], "CPU 3/TCG");
	pthread_barrier_wait(&started);
	n = threads_list(getpid(), &v);
	CHECK_INT(n, 5);
	for (i = 0; i < n; i++) {
		if (v[i].kind == PIN_EMULATOR) {
			CHECK(v[i].index >= 0 && v[i].index < 4);
			if (v[i].index >= 0 && v[i].index < 4)
				seen |= 1 << v[i].index;
			emu++;
		} else if (v[i].kind == PIN_VCPU && v[i].index == 3)
			vcpu3++;
	}
	CHECK_INT(emu, 4);
	CHECK_INT(seen, 0xf); /* 0, 1, 2, 3: each once */
	CHECK_INT(vcpu3, 1);
	/* numbered by age: the main thread (lowest tid) is 0 */
	for (i = 0; i < n; i++)
		if (v[i].tid == getpid())
			CHECK_INT(v[i].index, 0);
	free(v);
	pthread_barrier_wait(&done);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	return t_done("test_threads");
}
