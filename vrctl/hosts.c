/*
 * The verbs of other hosts: `hosts` (this host and each configured one,
 * reachable or why not) and `proxy`, the far end of vrouterd's SSH
 * transport (daemon/peer.c): `ssh DEST vrctl proxy --socket PATH` relays
 * its stdin and stdout to that host's control socket until either side
 * closes, as libvirt's virt-ssh-helper does for libvirtd, so a peer gets
 * exactly the rights of the SSH user on that socket.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "vrctl.h"

/* The hosts table: one line per host; an unreachable one's reason on the
 * next line, indented. */
void
show_hosts(json_object *r)
{
	json_object *list = j_get(r, "hosts");
	size_t n = list && json_object_is_type(list, json_type_array)
		       ? json_object_array_length(list)
		       : 0;

	printf("%-16s %-9s %-10s %4s %4s %9s %9s  %s\n", "HOST", "REACHABLE",
	       "VERSION", "CPUS", "NUMA", "CONNECT", "RTT", "LIBVIRT");
	for (size_t i = 0; i < n; i++) {
		json_object *h = json_object_array_get_idx(list, i);
		char name[80], conn[32] = "-", rtt[32] = "-";
		char cpus[16] = "-", numa[16] = "-";
		int up = j_bool(h, "reachable");

		snprintf(name, sizeof(name), "%s%s", j_str(h, "name"),
			 j_bool(h, "self") ? " (this)" : "");
		if (j_get(h, "connect_ms"))
			snprintf(
			    conn, sizeof(conn), "%.1f ms",
			    json_object_get_double(j_get(h, "connect_ms")));
		if (j_get(h, "rtt_ms"))
			snprintf(rtt, sizeof(rtt), "%.2f ms",
				 json_object_get_double(j_get(h, "rtt_ms")));
		if (j_get(h, "cpus"))
			snprintf(cpus, sizeof(cpus), "%lld",
				 j_int(h, "cpus", 0));
		if (j_get(h, "numa_nodes"))
			snprintf(numa, sizeof(numa), "%lld",
				 j_int(h, "numa_nodes", 0));
		printf("%-16s %-9s %-10s %4s %4s %9s %9s  %s\n", name,
		       up ? "yes" : "no", up ? j_str(h, "version") : "-", cpus,
		       numa, conn, rtt, j_str(h, "libvirt_uri"));
		if (!up)
			printf("  %s\n", j_text(j_get(h, "error")));
		else if (j_get(h, "remote_name") &&
			 strcmp(j_str(h, "remote_name"), j_str(h, "name")) != 0)
			printf("  note: it calls itself \"%s\" (its "
			       "host_name)\n",
			       j_str(h, "remote_name"));
	}
}

int
ctl_hosts(struct vrctl *v, int argc, char **argv)
{
	if (ctl_noargs(v, v->cmd, argc, argv) == -1)
		return VRCTL_EUSAGE;
	return ctl_run(v, METHOD_HOSTS, NULL, v->out->hosts);
}

/* All of buf to fd; 0 or -1. */
static int
proxy_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n == -1 && errno == ENOTSOCK)
			n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * stdin -> sock and sock -> stdout.  stdin's end: the daemon is told
 * (SHUT_WR) and its last answers still relayed; the daemon's end: done.
 */
static int
proxy_relay(int sock)
{
	struct pollfd pf[2] = {{STDIN_FILENO, POLLIN, 0}, {sock, POLLIN, 0}};
	char buf[65536];

	for (;;) {
		ssize_t n;

		if (poll(pf, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			perror("vrctl proxy: poll");
			return VRCTL_ECONNECT;
		}
		if (pf[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				return n == 0 ? VRCTL_OK : VRCTL_ECONNECT;
			if (proxy_write(STDOUT_FILENO, buf, (size_t)n) == -1)
				return VRCTL_OK; /* the caller went away */
		}
		if (pf[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				(void)shutdown(sock, SHUT_WR);
				pf[0].fd = -1; /* poll skips it */
				continue;
			}
			if (proxy_write(sock, buf, (size_t)n) == -1) {
				fprintf(stderr, "vrctl proxy: vrouterd closed "
						"the connection\n");
				return VRCTL_ECONNECT;
			}
		}
	}
}

int
ctl_proxy(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, OPT_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct timeval none = {0, 0};
	int ch, fd;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:h", opts, NULL)) != -1)
		if (!ctl_common_opt(v, v->cmd, ch))
			goto usage;
	if (optind != argc)
		goto usage;
	if ((fd = client_connect_path(v->socket)) == -1) {
		fprintf(stderr, "vrctl proxy: cannot connect to %s: %s\n",
			v->socket, strerror(errno));
		return VRCTL_ECONNECT;
	}
	/* connecting was bounded; relaying is not */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof(none));
	ch = proxy_relay(fd);
	close(fd);
	return ch;
usage:
	ctl_usage(v->cmd, 1);
	return VRCTL_EUSAGE;
}

/* `migrate`: where the node went and libvirt's figures. */
void
show_migrated(json_object *r)
{
	printf("%s: %s -> %s (%s), %lld ms", j_str(r, "node"), j_str(r, "from"),
	       j_str(r, "to"), j_bool(r, "live") ? "live" : "offline",
	       j_int(r, "wall_ms", 0));
	if (j_get(r, "total_ms") != NULL)
		printf("; libvirt: total %lld ms, downtime %lld ms, memory "
		       "%.1f MiB",
		       j_int(r, "total_ms", 0), j_int(r, "downtime_ms", 0),
		       (double)j_int(r, "memory_bytes", 0) / (1 << 20));
	printf("\n");
	for (size_t i = 0; i < json_object_array_length(j_get(r, "warnings"));
	     i++)
		printf("  warning: %s\n", j_text(json_object_array_get_idx(
					      j_get(r, "warnings"), i)));
}

int
ctl_migrate(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"to", required_argument, NULL, 't'},
	    {"offline", no_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	json_object *p;
	const char *to = NULL;
	int ch, offline = 0;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:ht:", opts, NULL)) != -1) {
		if (ch == 't')
			to = optarg;
		else if (ch == 'o')
			offline = 1;
		else if (!ctl_common_opt(v, v->cmd, ch))
			goto usage;
	}
	if (argc - optind != 2 || to == NULL)
		goto usage;
	p = json_object_new_object();
	json_object_object_add(p, "name", json_object_new_string(argv[optind]));
	json_object_object_add(p, "node",
			       json_object_new_string(argv[optind + 1]));
	json_object_object_add(p, "to", json_object_new_string(to));
	if (offline)
		json_object_object_add(p, "offline",
				       json_object_new_boolean(1));
	return ctl_run(v, METHOD_MIGRATE, p, v->out->migrated);
usage:
	ctl_usage(v->cmd, 1);
	return VRCTL_EUSAGE;
}
