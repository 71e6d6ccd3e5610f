/*
 * `vrctl __complete WHAT ...`: the words shell completion offers, from
 * vrctl's own tables so that completion cannot drift from them
 * (completion/vrctl.bash calls it; hidden from --help).
 *
 *   verbs                      the command table
 *   options [VERB [SUB]]       the global options, or the getopt table of
 *                              VERB (SUB: its sub-verb, as `autostart add`):
 *                              the verb's handler runs until its first
 *                              getopt_long call, which prints the table and
 *                              exits (ctl_getopt_long; should it get
 *                              further, its socket leads nowhere)
 *   values VERB [SUB] OPTION   the choices of OPTION's param in the
 *                              method table of lib/proto.c
 *   topologies                 built-in names and NAME.json on the
 *                              topology search path
 *   instances                  running topologies (`status`, 2 s at most;
 *                              nothing when the daemon does not answer)
 *
 * Options are printed one a line, "--name" or "--name=" when it takes an
 * argument.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "topo.h"
#include "vrctl.h"

int ctl_complete_options;

#undef getopt_long
int
ctl_getopt_long(int argc, char *const argv[], const char *shortopts,
		const struct option *longopts, int *longindex)
{
	if (ctl_complete_options) {
		for (const struct option *o = longopts; o->name; o++)
			printf("--%s%s\n", o->name,
			       o->has_arg == required_argument ? "=" : "");
		fflush(stdout);
		exit(VRCTL_OK);
	}
	return getopt_long(argc, argv, shortopts, longopts, longindex);
}

/* The method a verb (and sub-verb) calls, for its params' choices. */
static const struct proto_method *
complete_method(const char *verb, const char *sub)
{
	char name[64];

	if (sub != NULL && *sub != '\0') {
		snprintf(name, sizeof(name), "%s.%s", verb, sub);
		if (proto_method_find(name) != NULL)
			return proto_method_find(name);
	}
	return proto_method_find(verb);
}

static int
complete_values(const char *verb, const char *sub, const char *opt)
{
	const struct proto_method *m = complete_method(verb, sub);
	char pname[64];
	size_t i;

	while (*opt == '-')
		opt++;
	for (i = 0; opt[i] && i < sizeof(pname) - 1; i++)
		pname[i] = opt[i] == '-' ? '_' : opt[i];
	pname[i] = '\0';
	if (m == NULL)
		return VRCTL_OK;
	for (const struct proto_param *p = m->params; p->name; p++)
		if (strcmp(p->name, pname) == 0 && p->choices != NULL)
			for (const char *const *c = p->choices; *c; c++)
				printf("%s\n", *c);
	return VRCTL_OK;
}

static int
complete_topologies(void)
{
	const char *dirs[16];
	struct dirent *de;
	int n;
	DIR *d;

	for (const char *const *b = topo_builtin_names; *b; b++)
		printf("%s\n", *b);
	n = topo_search_dirs(dirs, 16);
	for (int i = 0; i < n; i++) {
		if ((d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			if (len > 5 && de->d_name[0] != '.' &&
			    strcmp(de->d_name + len - 5, ".json") == 0)
				printf("%.*s\n", (int)(len - 5), de->d_name);
		}
		closedir(d);
	}
	return VRCTL_OK;
}

static int
complete_instances(struct vrctl *v)
{
	json_object *result, *error, *topos;

	client_timeout = 2;
	if (freopen("/dev/null", "w", stderr) == NULL ||
	    client_call(v->socket, METHOD_STATUS, NULL, &result, &error) == -1)
		return VRCTL_OK;
	if (result != NULL &&
	    json_object_object_get_ex(result, "topologies", &topos) &&
	    json_object_is_type(topos, json_type_array))
		for (size_t i = 0; i < json_object_array_length(topos); i++)
			printf(
			    "%s\n",
			    j_str(json_object_array_get_idx(topos, i), "name"));
	json_object_put(result);
	json_object_put(error);
	return VRCTL_OK;
}

int
ctl_complete(struct vrctl *v, int argc, char **argv,
	     const struct option *global)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (strcmp(what, "verbs") == 0) {
		for (const struct ctl_command *c = ctl_commands; c->name; c++)
			printf("%s\n", c->name);
		return VRCTL_OK;
	}
	if (strcmp(what, "options") == 0) {
		const struct ctl_command *c;
		char *args[] = {argc > 2 ? argv[2] : NULL,
				argc > 3 ? argv[3] : NULL, NULL};

		ctl_complete_options = 1;
		/* should a handler get past its getopt: no daemon, no noise */
		v->socket = "/nonexistent/vrctl-complete.sock";
		if (freopen("/dev/null", "w", stderr) == NULL)
			return VRCTL_OK;
		if (argc <= 2)
			return ctl_getopt_long(1, argv, "", global, NULL);
		if ((c = ctl_command_find(argv[2])) == NULL)
			return VRCTL_OK;
		optind = 0;
		/* prints and exits at its first getopt_long */
		(void)c->handler(v, argc > 3 ? 2 : 1, args);
		return VRCTL_OK;
	}
	if (strcmp(what, "values") == 0 && (argc == 4 || argc == 5))
		return complete_values(argv[2], argc == 5 ? argv[3] : NULL,
				       argv[argc - 1]);
	if (strcmp(what, "topologies") == 0)
		return complete_topologies();
	if (strcmp(what, "instances") == 0)
		return complete_instances(v);
	fprintf(stderr,
		"usage: vrctl __complete verbs | options [VERB [SUB]] | "
		"values VERB [SUB] OPTION | topologies | instances\n");
	return VRCTL_EUSAGE;
}
