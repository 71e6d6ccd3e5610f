/*
 * console NAME NODE [--force]: attach to a guest's serial console.  The
 * daemon's status says which libvirt URI it uses and the node's domain;
 * the attaching itself is `virsh -c URI console DOMAIN`, run as a child:
 * virsh already does what a console needs (raw terminal, the ^] escape,
 * libvirt's lock that keeps two readers from stealing each other's bytes,
 * and libvirt's own access check), which opening the pty libvirt reports
 * would have to redo, as root.  vrctl adds the names and the hints.
 */
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"
#include "vrctl.h"

/* The element of array a whose "name" is name, or NULL. */
static json_object *
console_by_name(json_object *a, const char *name)
{
	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *o = json_object_array_get_idx(a, i);

		if (strcmp(j_str(o, "name"), name) == 0)
			return o;
	}
	return NULL;
}

/* Run virsh; its exit status, 127 when it cannot be run. */
static int
console_virsh(const char *uri, const char *domain, int force)
{
	const char *argv[] = {"virsh", "-c",	  uri, "console",
			      domain,  "--force", NULL};
	struct sigaction ign, oint, oquit;
	int status;
	pid_t pid;

	if (!force)
		argv[5] = NULL;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	/* as system(3): ^C and ^\ are the console's, not ours */
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "vrctl: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		sigaction(SIGINT, &oint, NULL);
		sigaction(SIGQUIT, &oquit, NULL);
		execvp("virsh", (char *const *)argv);
		fprintf(stderr, "vrctl: cannot run virsh: %s%s\n",
			strerror(errno),
			errno == ENOENT ? " (it comes with libvirt's clients: "
					  "apt-get install libvirt-clients)"
					: "");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			status = 127 << 8;
			break;
		}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

int
ctl_console(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"force", no_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("console");
	json_object *result, *error, *t, *n;
	const char *name, *node, *uri;
	int ch, force = 0, rc, rv = VRCTL_EDAEMON;

	optind = 0; /* glibc: re-initialise after main()'s "+" scan */
	while ((ch = getopt_long(argc, argv, "s:hf", opts, NULL)) != -1) {
		if (ch == 'f')
			force = 1;
		else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	name = argv[optind];
	node = argv[optind + 1];
	if (client_call(v->socket, METHOD_STATUS, NULL, &result, &error) == -1)
		return VRCTL_ECONNECT;
	if (error != NULL) {
		v->out->error(error);
		json_object_put(error);
		return VRCTL_EDAEMON;
	}
	if ((t = console_by_name(j_get(result, "topologies"), name)) == NULL) {
		fprintf(stderr,
			"vrctl: no topology named %s is running (`vrctl "
			"status` lists them)\n",
			name);
		goto out;
	}
	if ((n = console_by_name(j_get(t, "nodes"), node)) == NULL) {
		json_object *a = j_get(t, "nodes");

		fprintf(stderr,
			"vrctl: %s has no node %s; its nodes are:", name, node);
		for (size_t i = 0; a && i < json_object_array_length(a); i++)
			fprintf(stderr, " %s",
				j_str(json_object_array_get_idx(a, i), "name"));
		fprintf(stderr, "\n");
		goto out;
	}
	if (strcmp(j_str(t, "backend"), "netns") == 0) {
		fprintf(stderr,
			"vrctl: %s of %s is a network namespace, not a guest: "
			"it has no console; `ip netns exec %s sh` runs a shell "
			"in it\n",
			node, name, j_str(n, "netns"));
		goto out;
	}
	uri = j_str(j_get(result, "libvirt"), "uri");
	rc = console_virsh(uri, j_str(n, "domain"), force);
	if (rc == 0)
		rv = VRCTL_OK;
	else if (rc != 127) {
		fprintf(stderr,
			"vrctl: `virsh -c %s console %s` failed (exit %d)\n",
			uri, j_str(n, "domain"), rc);
		if (geteuid() != 0)
			fprintf(stderr,
				"vrctl: attaching needs access to libvirt at "
				"%s: run as root, or as a member of the "
				"libvirt group\n",
				uri);
		fprintf(stderr, "vrctl: if another session holds the console, "
				"--force takes it over\n");
	}
out:
	json_object_put(result);
	return rv;
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
