/*
 * vrctl: global options, then a verb from ctl_commands[] (vmctl style).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "vrctl.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: vrctl [-r] [-s socket] [--json] [--timeout SEC] "
		   "command [args]\n\n");
	fprintf(f,
		"  -s, --socket PATH  vrouterd's socket (default $%s or "
		"%s)\n",
		PROTO_SOCKET_ENV, PROTO_DEFAULT_SOCKET);
	fprintf(f, "  -r, --readonly     use the read-only socket beside it "
		   "(status, topology,\n"
		   "                     watch, version; they fall back to "
		   "it by themselves\n"
		   "                     when the socket refuses us)\n");
	fprintf(f, "      --json         print JSON (the daemon's result "
		   "unchanged);\n"
		   "                     progress as JSON lines on stderr\n");
	fprintf(f,
		"      --timeout SEC  give up when vrouterd stays silent this "
		"long\n"
		"                     (default $%s or %d; 0 = never; start, "
		"bench\n"
		"                     and watch: only until their first "
		"line)\n",
		CLIENT_TIMEOUT_ENV, CLIENT_TIMEOUT_DEFAULT);
	fprintf(f, "  -h, --help         this text; `vrctl COMMAND --help` "
		   "for one command\n\ncommands:\n");
	for (const struct ctl_command *c = ctl_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
	fprintf(f, "\nexit status: 0 success, 1 the daemon answered with an "
		   "error\n(or the topology named does not run, or a local "
		   "plan failed),\n2 usage error, 3 cannot reach vrouterd\n");
}

/* SECONDS for --timeout or $VRCTL_TIMEOUT; -1 (said) if it is not one. */
static int
timeout_parse(const char *what, const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < 0 ||
	    v > CLIENT_TIMEOUT_MAX) {
		fprintf(stderr,
			"vrctl: %s: \"%s\" is not a number of seconds in "
			"0..%d\n",
			what, s, CLIENT_TIMEOUT_MAX);
		return -1;
	}
	client_timeout = (int)v;
	return 0;
}

void
ctl_usage(const struct ctl_command *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;

	fprintf(f, "usage: vrctl [-s socket] [--json] %s%s%s\n", cmd->name,
		*cmd->usage ? " " : "", cmd->usage);
	if (!to_stderr)
		fprintf(f, "\n%s\n", cmd->help);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {"timeout", required_argument, NULL, 't'},
	    {"readonly", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	struct vrctl v = {.socket = getenv(PROTO_SOCKET_ENV),
			  .out = &text_output};
	const char *env = getenv(CLIENT_TIMEOUT_ENV);
	int ch;

	if (env != NULL && *env != '\0' &&
	    timeout_parse("$" CLIENT_TIMEOUT_ENV, env) == -1)
		return VRCTL_EUSAGE;

	while ((ch = getopt_long(argc, argv, "+s:hr", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			v.socket = optarg;
			break;
		case 'j':
			v.json = 1;
			v.out = &json_output;
			break;
		case 'h':
			usage(stdout);
			return VRCTL_OK;
		case 'r':
			client_readonly = 1;
			break;
		case 't':
			if (timeout_parse("--timeout", optarg) == -1)
				return VRCTL_EUSAGE;
			break;
		default:
			usage(stderr);
			return VRCTL_EUSAGE;
		}
	}
	if (v.socket == NULL || *v.socket == '\0')
		v.socket = PROTO_DEFAULT_SOCKET;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return VRCTL_EUSAGE;
	}
	if (strcmp(argv[0], "__complete") == 0) /* hidden: shell completion */
		return ctl_complete(&v, argc, argv, opts);
	for (const struct ctl_command *c = ctl_commands; c->name; c++)
		if (strcmp(c->name, argv[0]) == 0) {
			v.cmd = c; /* the handler's own entry, as vmctl's */
			return c->handler(&v, argc, argv);
		}
	fprintf(stderr, "vrctl: unknown command \"%s\"\n", argv[0]);
	usage(stderr);
	return VRCTL_EUSAGE;
}
