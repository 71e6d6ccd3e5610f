/*
 * The configuration keys of other hosts (daemon/config_hosts.c): hosts,
 * host_name, ssh_command and peer_timeout.  One table of files and the
 * message each must get (its key named down to the entry), then what a
 * good file and the defaults put into struct config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "names.h"
#include "proto.h"
#include "t.h"

static char path[] = "/tmp/vrconfhosts.XXXXXX";

/* A host entry: name, ssh destination, tunnel address, more keys. */
#define HOST(n, dest, addr, extra)                                             \
	"{\"name\": \"" n "\", \"ssh\": \"" dest "\", \"libvirt_uri\": "       \
	"\"qemu+ssh://root@198.18.0.2/system\", \"tunnel_address\": \"" addr   \
	"\"" extra "}"
#define H(extra) HOST("b", "root@198.18.0.2", "198.18.0.2", extra)

/* A file (hosts/host_name/ssh_command keys) and the error it gets after
 * "PATH: " (NULL: accepted). */
static const struct {
	const char *text;
	const char *err;
} cases[] = {
    {"{\"hosts\": []}", NULL},
    {"{\"hosts\": [" H("") "]}", NULL},
    {"{\"hosts\": [" HOST("b", "b", "2001:db8::2", "") "]}", NULL},
    {"{\"hosts\": [" H(", \"socket\": \"/run/vr/b.sock\"") "]}", NULL},
    {"{\"host_name\": \"a\", \"hosts\": [" H("") "]}", NULL},
    {"{\"ssh_command\": [\"ssh\", \"-p\", \"2222\"]}", NULL},
    {"{\"peer_timeout\": 30}", NULL},
    {"{\"tunnel_mtu\": 9000, \"hosts\": [" H(", \"tunnel_mtu\": 1280") "]}",
     NULL},
    {"{\"tunnel_mtu\": 1279}", "tunnel_mtu: must be an integer in 1280..65535"},
    {"{\"tunnel_mtu\": \"9000\"}", "tunnel_mtu: must be an integer"},
    {"{\"hosts\": [" H(", \"tunnel_mtu\": 65536") "]}",
     "hosts[0].tunnel_mtu: must be an integer in 1280..65535 (the MTU of "
     "its tunnel_address's link)"},
    {"{\"hosts\": [" H(", \"tunnel_mtu\": 1500.5") "]}",
     "hosts[0].tunnel_mtu: must be an integer in 1280..65535 (the MTU of "
     "its tunnel_address's link)"},
    /* hosts: the array */
    {"{\"hosts\": {}}", "hosts: must be an array of at most 32 host objects"},
    {"{\"hosts\": [1]}",
     "hosts[0]: must be an object {\"name\", \"ssh\", \"libvirt_uri\", "
     "\"tunnel_address\"[, \"socket\", \"tunnel_mtu\"]}"},
    /* each entry: keys */
    {"{\"hosts\": [" H(", \"port\": 22") "]}", "hosts[0].port: unknown key"},
    {"{\"hosts\": [{\"name\": \"b\"}]}", "hosts[0].ssh: missing"},
    {"{\"hosts\": [{\"name\": \"b\", \"ssh\": \"b\", \"libvirt_uri\": "
     "\"x\"}]}",
     "hosts[0].tunnel_address: missing"},
    {"{\"hosts\": ["
     "{\"name\": \"b\", \"ssh\": 5, \"libvirt_uri\": \"x\", "
     "\"tunnel_address\": \"198.18.0.2\"}"
     "]}",
     "hosts[0].ssh: must be a string"},
    {"{\"hosts\": [{\"name\": \"b\", \"ssh\": \"b\", \"libvirt_uri\": "
     "\"\", \"tunnel_address\": \"198.18.0.2\"}]}",
     "hosts[0].libvirt_uri: must be a non-empty string shorter than 256 "
     "bytes"},
    /* names: lib/names.c's NAME_HOST */
    {"{\"hosts\": [" HOST("B", "b", "198.18.0.2", "") "]}",
     "hosts[0].name: name 'B': use 1-32 characters a-z, 0-9 and '-', "
     "starting with a letter or digit"},
    {"{\"hosts\": [" HOST("b.lab", "b", "198.18.0.2", "") "]}",
     "hosts[0].name: name 'b.lab': use 1-32 characters a-z, 0-9 and '-', "
     "starting with a letter or digit"},
    {"{\"hosts\": [" H("") ", " HOST("b", "c", "198.18.0.3", "") "]}",
     "hosts[1].name: 'b' is hosts[0] already"},
    {"{\"host_name\": \"b\", \"hosts\": [" H("") "]}",
     "hosts[0].name: 'b' is this host's own name (host_name); list the "
     "other hosts only"},
    /* the same, host_name after hosts in the file */
    {"{\"hosts\": [" H("") "], \"host_name\": \"b\"}",
     "hosts[0].name: 'b' is this host's own name (host_name); list the "
     "other hosts only"},
    {"{\"host_name\": \"A_1\"}",
     "host_name: name 'A_1': use 1-32 characters a-z, 0-9 and '-', "
     "starting with a letter or digit"},
    {"{\"host_name\": 1}", "host_name: must be a string"},
    /* what goes to ssh and to the remote shell */
    {"{\"hosts\": [" HOST("b", "-oProxyCommand=x", "198.18.0.2", "") "]}",
     "hosts[0].ssh: '-oProxyCommand=x' starts with '-' (ssh would read it "
     "as an option); give [USER@]HOST"},
    {"{\"hosts\": [" H(", \"socket\": \"/run/a b.sock\"") "]}",
     "hosts[0].socket: must be an absolute path of letters, digits and "
     "/._-+,:@%= (the remote shell reads it)"},
    {"{\"hosts\": [" H(", \"socket\": \"/x;reboot\"") "]}",
     "hosts[0].socket: must be an absolute path of letters, digits and "
     "/._-+,:@%= (the remote shell reads it)"},
    {"{\"hosts\": [" H(", \"socket\": \"run/b.sock\"") "]}",
     "hosts[0].socket: must be an absolute path of letters, digits and "
     "/._-+,:@%= (the remote shell reads it)"},
    {"{\"hosts\": [" HOST("b", "b", "b.lab", "") "]}",
     "hosts[0].tunnel_address: 'b.lab' is not an IPv4 or IPv6 address"},
    {"{\"hosts\": [" HOST("b", "b", "198.18.0.256", "") "]}",
     "hosts[0].tunnel_address: '198.18.0.256' is not an IPv4 or IPv6 "
     "address"},
    /* ssh_command */
    {"{\"ssh_command\": []}",
     "ssh_command: must be an array of 1..16 strings (the command and its "
     "options; the destination and \"vrctl proxy\" follow)"},
    {"{\"ssh_command\": \"ssh\"}",
     "ssh_command: must be an array of 1..16 strings (the command and its "
     "options; the destination and \"vrctl proxy\" follow)"},
    {"{\"ssh_command\": [\"ssh\", 2]}", "ssh_command[1]: must be a string"},
    {"{\"ssh_command\": [\"ssh\", \"\"]}",
     "ssh_command[1]: must be a non-empty string shorter than 256 bytes"},
    {"{\"peer_timeout\": 0}", "peer_timeout: must be an integer in 1..3600"},
};

static void
put(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

int
main(void)
{
	struct config c;
	char err[1024], want[1200];
	int fd;

	if ((fd = mkstemp(path)) == -1)
		return 1;
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rv;

		put(cases[i].text);
		err[0] = '\0';
		rv = config_load(path, 0, &c, err, sizeof(err));
		if (cases[i].err == NULL) {
			if (rv != 0)
				fprintf(stderr, "case %zu: %s\n", i, err);
			CHECK_INT(rv, 0);
			continue;
		}
		CHECK_INT(rv, -1);
		snprintf(want, sizeof(want), "%s: %s", path, cases[i].err);
		CHECK_STR(err, want);
		/* a refused file leaves the defaults, no host */
		CHECK_INT(c.nhosts, 0);
	}

	/* a good file, read into struct config */
	put("{\"host_name\": \"a\", \"ssh_command\": [\"/bin/ssh\", \"-q\"], "
	    "\"peer_timeout\": 4, \"hosts\": [" H("") ", " HOST(
		"c", "c.lab", "2001:db8::3",
		", \"socket\": \"/srv/vr.sock\"") "]}");
	CHECK_INT(config_load(path, 0, &c, err, sizeof(err)), 0);
	CHECK_STR(c.host_name, "a");
	CHECK_INT(c.nssh_command, 2);
	CHECK_STR(c.ssh_command[0], "/bin/ssh");
	CHECK_STR(c.ssh_command[1], "-q");
	CHECK_INT(c.peer_timeout, 4);
	CHECK_INT(c.nhosts, 2);
	CHECK_STR(c.hosts[0].name, "b");
	CHECK_STR(c.hosts[0].ssh, "root@198.18.0.2");
	CHECK_STR(c.hosts[0].libvirt_uri, "qemu+ssh://root@198.18.0.2/system");
	CHECK_STR(c.hosts[0].tunnel_address, "198.18.0.2");
	CHECK_STR(c.hosts[0].socket, PROTO_DEFAULT_SOCKET); /* the default */
	CHECK_STR(c.hosts[1].socket, "/srv/vr.sock");
	CHECK_STR(c.hosts[1].tunnel_address, "2001:db8::3");
	CHECK_INT(c.hosts[0].tunnel_mtu, 1500); /* the default */
	CHECK_INT(c.tunnel_mtu, 1500);
	CHECK(config_host_find(&c, "c") == &c.hosts[1]);
	CHECK(config_host_find(&c, "a") == NULL);

	/* the defaults: ssh in batch mode, 15 s, the hostname's label */
	put("{}");
	CHECK_INT(config_load(path, 0, &c, err, sizeof(err)), 0);
	CHECK_INT(c.nssh_command, 5);
	CHECK_STR(c.ssh_command[0], "ssh");
	CHECK_STR(c.ssh_command[2], "BatchMode=yes");
	CHECK_STR(c.ssh_command[4], "ConnectTimeout=10");
	CHECK_INT(c.peer_timeout, 15);
	CHECK_INT(c.nhosts, 0);
	CHECK(name_ok(NAME_HOST, c.host_name));

	unlink(path);
	return t_done("test_config_hosts");
}
