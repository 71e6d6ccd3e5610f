/*
 * Supervision verbs: watch, cleanup, autostart.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "vrctl.h"

static struct vrctl *watch_v;
static long watch_left = -1; /* events still to print; -1: no limit */

static void
watch_event(json_object *msg)
{
	json_object *p = j_get(msg, "params");

	if (strcmp(j_str(msg, "method"), "event") != 0)
		return;
	watch_v->out->event(p);
	fflush(stdout);
	if (watch_left > 0 && --watch_left == 0)
		exit(VRCTL_OK);
}

int
ctl_watch(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"count", required_argument, NULL, 'c'},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("watch");
	char *end;
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:hc:", opts, NULL)) != -1) {
		if (ch == 'c') {
			watch_left = strtol(optarg, &end, 10);
			if (*end || watch_left <= 0)
				goto usage;
		} else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (optind != argc)
		goto usage;
	watch_v = v;
	client_notify_hook = watch_event;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The answer comes only when the daemon shuts down. */
	return ctl_run(v, METHOD_WATCH, NULL, v->out->cleaned);
usage:
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}

int
ctl_cleanup(struct vrctl *v, int argc, char **argv)
{
	static const struct option opts[] = {
	    CTL_COMMON_LONGOPTS,
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0},
	};
	const struct ctl_command *cmd = ctl_command_find("cleanup");
	json_object *params = json_object_new_object();
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:hn", opts, NULL)) != -1) {
		if (ch == 'n')
			json_object_object_add(params, "dry_run",
					       json_object_new_boolean(1));
		else if (!ctl_common_opt(v, cmd, ch))
			goto usage;
	}
	if (optind != argc)
		goto usage;
	return ctl_run(v, METHOD_CLEANUP, params, v->out->cleaned);
usage:
	json_object_put(params);
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}

int
ctl_autostart(struct vrctl *v, int argc, char **argv)
{
	const struct ctl_command *cmd = ctl_command_find("autostart");
	json_object *params;
	const char *sub = argc > 1 ? argv[1] : "";

	if (strcmp(sub, "list") == 0) {
		if (ctl_noargs(v, cmd, argc - 1, argv + 1) == -1)
			return VRCTL_EUSAGE;
		return ctl_run(v, METHOD_AUTOSTART_LIST, NULL,
			       v->out->autostart);
	}
	if (strcmp(sub, "add") == 0) {
		if ((params = ctl_topo_params(v, cmd, METHOD_AUTOSTART_ADD,
					      argc - 1, argv + 1)) == NULL)
			return VRCTL_EUSAGE;
		if (!json_object_object_get_ex(params, "topology", NULL)) {
			json_object_put(params);
			ctl_usage(cmd, 1);
			return VRCTL_EUSAGE;
		}
		return ctl_run(v, METHOD_AUTOSTART_ADD, params,
			       v->out->autostart);
	}
	if (strcmp(sub, "remove") == 0 && argc == 3) {
		params = json_object_new_object();
		json_object_object_add(params, "name",
				       json_object_new_string(argv[2]));
		return ctl_run(v, METHOD_AUTOSTART_REMOVE, params,
			       v->out->autostart);
	}
	if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
		ctl_usage(cmd, 0);
		return VRCTL_OK;
	}
	ctl_usage(cmd, 1);
	return VRCTL_EUSAGE;
}
