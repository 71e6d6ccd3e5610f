/*
 * The configuration keys that name other hosts (docs/config.md, "Other
 * hosts"): `hosts`, the vrouterds this one may call over SSH (daemon/peer.c),
 * `host_name`, this host's own name among them, and `ssh_command`, the argv
 * prefix that reaches one.  Every message names the file and the key down to
 * the entry ("FILE: hosts[1].ssh: ..."), as config.c's do.
 *
 * What goes to ssh is checked here once: a destination may not start with
 * '-' (ssh would take it for an option), and a socket path, which the remote
 * shell reads as part of a command line, holds only characters no shell
 * treats specially.
 */
#include <arpa/inet.h>
#include <sys/un.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "names.h"
#include "proto.h"
#include "topo.h"
#include "util.h"

static const char *const config_ssh_default[] = {
    "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
};

/* This host's name from the hostname: its first label, lowercased, other
 * characters as '-' ("Lab_PC.example" -> "lab-pc"), cut to a host name's
 * length (TOPO_HOST_LEN, the "host" keys of topology files); "localhost"
 * if that is still no name. */
static void
config_host_name_default(char *buf, size_t len)
{
	char h[256];
	size_t i;

	if (gethostname(h, sizeof(h)) == -1)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	if (len > TOPO_HOST_LEN + 1)
		len = TOPO_HOST_LEN + 1;
	for (i = 0; h[i] && h[i] != '.' && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)h[i])
			     ? (char)tolower((unsigned char)h[i])
			     : '-';
	buf[i] = '\0';
	if (!name_ok(NAME_HOST, buf))
		vr_strlcpy(buf, "localhost", len);
}

void
config_hosts_defaults(struct config *c)
{
	config_host_name_default(c->host_name, sizeof(c->host_name));
	c->nssh_command = (int)nitems(config_ssh_default);
	for (size_t i = 0; i < nitems(config_ssh_default); i++)
		vr_strlcpy(c->ssh_command[i], config_ssh_default[i],
			   sizeof(c->ssh_command[i]));
	c->nhosts = 0;
}

/* A string member of at most len - 1 bytes, non-empty, no NUL; 0 or -1
 * with err naming KEY. */
static int
config_str(const char *file, const char *key, json_object *v, char *buf,
	   size_t len, char *err, size_t errlen)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string)) {
		msgf(err, errlen, "%s: %s: must be a string", file, key);
		return -1;
	}
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v) ||
	    strlen(s) >= len || *s == '\0') {
		msgf(err, errlen,
		     "%s: %s: must be a non-empty string shorter than %zu "
		     "bytes",
		     file, key, len);
		return -1;
	}
	vr_strlcpy(buf, s, len);
	return 0;
}

int
config_host_name_set(const char *file, json_object *v, struct config *c,
		     char *err, size_t errlen)
{
	char buf[256], why[256];

	if (config_str(file, "host_name", v, buf, sizeof(buf), err, errlen) ==
	    -1)
		return -1;
	if (name_check(NAME_HOST, "name", buf, why, sizeof(why)) == -1) {
		msgf(err, errlen, "%s: host_name: %s", file, why);
		return -1;
	}
	vr_strlcpy(c->host_name, buf, sizeof(c->host_name));
	return 0;
}

int
config_ssh_command_set(const char *file, json_object *v, struct config *c,
		       char *err, size_t errlen)
{
	size_t n;
	char key[64];

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) < 1 || n > CONFIG_MAX_SSH_ARGS) {
		msgf(err, errlen,
		     "%s: ssh_command: must be an array of 1..%d strings (the "
		     "command and its options; the destination and \"vrctl "
		     "proxy\" follow)",
		     file, CONFIG_MAX_SSH_ARGS);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "ssh_command[%zu]", i);
		if (config_str(file, key, json_object_array_get_idx(v, i),
			       c->ssh_command[i], sizeof(c->ssh_command[i]),
			       err, errlen) == -1)
			return -1;
	}
	c->nssh_command = (int)n;
	return 0;
}

/* Only characters a remote shell reads as themselves. */
static int
config_shell_safe(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789/._-+,:@%=") == strlen(s);
}

static const char *const config_host_keys[] = {
    "name",   "ssh",	    "libvirt_uri", "tunnel_address",
    "socket", "tunnel_mtu", NULL,
};

/* hosts[i]: one object; 0 or -1 with err "FILE: hosts[i].KEY: ...". */
static int
config_host_set(const char *file, size_t i, json_object *o,
		struct config_host *h, char *err, size_t errlen)
{
	char key[64], why[256];
	unsigned char addr[sizeof(struct in6_addr)];
	json_object *v;

	if (!json_object_is_type(o, json_type_object)) {
		msgf(err, errlen,
		     "%s: hosts[%zu]: must be an object {\"name\", \"ssh\", "
		     "\"libvirt_uri\", \"tunnel_address\"[, \"socket\", "
		     "\"tunnel_mtu\"]}",
		     file, i);
		return -1;
	}
	json_object_object_foreach(o, k, val)
	{
		size_t j;

		(void)val;
		for (j = 0; config_host_keys[j]; j++)
			if (strcmp(config_host_keys[j], k) == 0)
				break;
		if (config_host_keys[j] == NULL) {
			msgf(err, errlen, "%s: hosts[%zu].%.64s: unknown key",
			     file, i, k);
			return -1;
		}
	}
	for (size_t j = 0; j < 4; j++) /* the four required ones */
		if (!json_object_object_get_ex(o, config_host_keys[j], &v)) {
			msgf(err, errlen, "%s: hosts[%zu].%s: missing", file, i,
			     config_host_keys[j]);
			return -1;
		}
#define HOST_STR(k)                                                            \
	(snprintf(key, sizeof(key), "hosts[%zu].%s", i, #k),                   \
	 json_object_object_get_ex(o, #k, &v),                                 \
	 config_str(file, key, v, h->k, sizeof(h->k), err, errlen))
	if (HOST_STR(name) == -1 || HOST_STR(ssh) == -1 ||
	    HOST_STR(libvirt_uri) == -1 || HOST_STR(tunnel_address) == -1)
		return -1;
	if (name_check(NAME_HOST, "name", h->name, why, sizeof(why)) == -1) {
		msgf(err, errlen, "%s: hosts[%zu].name: %s", file, i, why);
		return -1;
	}
	if (h->ssh[0] == '-') {
		msgf(err, errlen,
		     "%s: hosts[%zu].ssh: '%.64s' starts with '-' (ssh would "
		     "read it as an option); give [USER@]HOST",
		     file, i, h->ssh);
		return -1;
	}
	if (inet_pton(AF_INET, h->tunnel_address, addr) != 1 &&
	    inet_pton(AF_INET6, h->tunnel_address, addr) != 1) {
		msgf(err, errlen,
		     "%s: hosts[%zu].tunnel_address: '%.64s' is not an IPv4 "
		     "or IPv6 address",
		     file, i, h->tunnel_address);
		return -1;
	}
	h->tunnel_mtu = 1500;
	if (json_object_object_get_ex(o, "tunnel_mtu", &v)) {
		int64_t m = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) ||
		    m < CONFIG_MTU_MIN || m > CONFIG_MTU_MAX) {
			msgf(err, errlen,
			     "%s: hosts[%zu].tunnel_mtu: must be an integer in "
			     "%d..%d (the MTU of its tunnel_address's link)",
			     file, i, CONFIG_MTU_MIN, CONFIG_MTU_MAX);
			return -1;
		}
		h->tunnel_mtu = (int)m;
	}
	if (!json_object_object_get_ex(o, "socket", &v)) {
		vr_strlcpy(h->socket, PROTO_DEFAULT_SOCKET, sizeof(h->socket));
		return 0;
	}
	if (HOST_STR(socket) == -1)
		return -1;
#undef HOST_STR
	if (h->socket[0] != '/' || !config_shell_safe(h->socket)) {
		msgf(err, errlen,
		     "%s: hosts[%zu].socket: must be an absolute path of "
		     "letters, digits and /._-+,:@%%= (the remote shell "
		     "reads it)",
		     file, i);
		return -1;
	}
	return 0;
}

int
config_hosts_set(const char *file, json_object *v, struct config *c, char *err,
		 size_t errlen)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) > CONFIG_MAX_HOSTS) {
		msgf(err, errlen,
		     "%s: hosts: must be an array of at most %d "
		     "host objects",
		     file, CONFIG_MAX_HOSTS);
		return -1;
	}
	memset(c->hosts, 0, sizeof(c->hosts));
	for (size_t i = 0; i < n; i++) {
		if (config_host_set(file, i, json_object_array_get_idx(v, i),
				    &c->hosts[i], err, errlen) == -1)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->hosts[j].name, c->hosts[i].name) == 0) {
				msgf(err, errlen,
				     "%s: hosts[%zu].name: '%s' is hosts[%zu] "
				     "already",
				     file, i, c->hosts[i].name, j);
				return -1;
			}
	}
	c->nhosts = (int)n;
	return 0;
}

int
config_hosts_check(const char *file, const struct config *c, char *err,
		   size_t errlen)
{
	for (int i = 0; i < c->nhosts; i++)
		if (strcmp(c->hosts[i].name, c->host_name) == 0) {
			msgf(err, errlen,
			     "%s: hosts[%d].name: '%s' is this host's own name "
			     "(host_name); list the other hosts only",
			     file, i, c->host_name);
			return -1;
		}
	return 0;
}

const struct config_host *
config_host_find(const struct config *c, const char *name)
{
	for (int i = 0; i < c->nhosts; i++)
		if (strcmp(c->hosts[i].name, name) == 0)
			return &c->hosts[i];
	return NULL;
}
