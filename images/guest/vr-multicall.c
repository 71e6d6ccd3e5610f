/*
 * The guest's one static helper binary: /bin/vr-route (ECMP routes,
 * vr-route.c) and /bin/vr-lb (the per-packet MSR balancer, vr-lb.c) are
 * the same file, told apart by the name they are called by, so that the
 * guest image carries one copy of the static C library, not two (about
 * 0.3 MB of the gzipped initramfs).  images/build-guest compiles each
 * helper with its main renamed (-Dmain=vr_route_main, -Dmain=vr_lb_main)
 * and links them with this file.
 */
#include <string.h>

int vr_route_main(int argc, char **argv);
int vr_lb_main(int argc, char **argv);

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	name = name != NULL ? name + 1 : argv[0];
	if (strcmp(name, "vr-lb") == 0)
		return vr_lb_main(argc, argv);
	return vr_route_main(argc, argv);
}
