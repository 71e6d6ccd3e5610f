/*
 * The configuration file: one JSON object, every key optional (docs/config.md).
 * Table-driven, so that an unknown key or a wrong type is an error naming the
 * file and the key, and the defaults live in one place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jtext.h"
#include "util.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

static const struct config config_default = {
    .libvirt_uri = "qemu:///system",
    .state_dir = "/var/lib/vrouterd",
    .image_dir = VR_IMAGE_DIR,
    .max_clients = 256,
    .max_clients_per_uid = 32,
    .reserved_clients = 16,
    .max_watchers = 64,
    .idle_timeout = 600,
    .request_timeout = 10,
    .client_outbuf_max = 4 * 1024 * 1024,
    .start_timeout = 120,
    .accel = ACCEL_AUTO,
    .link = LINK_TAP,
    .ports = "test",
    .socket_group = "vrouter",
    .socket_mode = 0660,
    .socket_ro = "auto",
    .debug = 0,
    .stop_on_exit = 0,
    .autostart = VR_SYSCONFDIR "/autostart.json",
    .peer_timeout = 15, /* above ssh_command's ConnectTimeout=10 */
    .tunnel_mtu = 1500,
    .ssh_reuse = 1,
};

static struct config config_store = config_default;
struct config *conf = &config_store;

enum config_type {
	CK_STRING,
	CK_PATH,
	CK_SOCKET_RO, /* an absolute path, "auto" or "off" */
	CK_INT,
	CK_SIZE,
	CK_ACCEL,
	CK_LINK,
	CK_PORTS,
	CK_MODE,
	CK_BOOL,
	CK_HOSTS, /* config_hosts.c's */
	CK_ARGV,
	CK_HOST_NAME
};

struct config_key {
	const char *name;
	enum config_type type;
	size_t off;
	size_t size; /* CK_STRING / CK_PATH: buffer size */
	long long min, max;
};

#define CK(n, t, lo, hi)                                                       \
	{                                                                      \
#n, t, offsetof(struct config, n),                             \
		    sizeof(((struct config *)0)->n), lo, hi                    \
	}

static const struct config_key config_keys[] = {
    CK(libvirt_uri, CK_STRING, 0, 0),
    CK(state_dir, CK_PATH, 0, 0),
    CK(image_dir, CK_PATH, 0, 0),
    CK(max_clients, CK_INT, 1, 4096),
    CK(max_clients_per_uid, CK_INT, 1, 4096),
    CK(reserved_clients, CK_INT, 0, 4096),
    CK(max_watchers, CK_INT, 0, 4096),
    CK(idle_timeout, CK_INT, 0, 7 * 86400),
    CK(request_timeout, CK_INT, 1, 3600),
    CK(client_outbuf_max, CK_SIZE, 4096, 1024LL * 1024 * 1024),
    CK(start_timeout, CK_INT, 1, 3600),
    CK(accel, CK_ACCEL, 0, 0),
    CK(link, CK_LINK, 0, 0),
    CK(ports, CK_PORTS, 0, 0),
    CK(socket_group, CK_STRING, 0, 0),
    CK(socket_mode, CK_MODE, 0, 0777),
    CK(socket_ro, CK_SOCKET_RO, 0, 0),
    CK(debug, CK_BOOL, 0, 0),
    CK(stop_on_exit, CK_BOOL, 0, 0),
    CK(autostart, CK_PATH, 0, 0),
    CK(hosts, CK_HOSTS, 0, 0),
    CK(host_name, CK_HOST_NAME, 0, 0),
    CK(tunnel_address, CK_STRING, 0, 0),
    CK(tunnel_mtu, CK_INT, CONFIG_MTU_MIN, CONFIG_MTU_MAX),
    CK(ssh_command, CK_ARGV, 0, 0),
    CK(peer_timeout, CK_INT, 1, 3600),
    CK(ssh_reuse, CK_BOOL, 0, 0),
};

void
config_defaults(struct config *c)
{
	*c = config_default;
	config_hosts_defaults(c);
}

void
config_init(void)
{
	config_defaults(conf);
}

/* "test" or "in=IF,out=IF" with interface names the kernel accepts. */
static int
config_ports_valid(const char *s)
{
	char in[TOPO_IFNAMSIZ], out[TOPO_IFNAMSIZ];
	int n = 0;

	if (strcmp(s, "test") == 0)
		return 1;
	if (sscanf(s, "in=%15[^,=/ ],out=%15[^,=/ ]%n", in, out, &n) != 2 ||
	    s[n] != '\0')
		return 0;
	return strcmp(in, out) != 0;
}

static int
config_set(const char *file, const struct config_key *k, json_object *v,
	   struct config *c, char *err, size_t errlen)
{
	char *field = (char *)c + k->off;
	const char *s;
	int64_t i;
	char *end;

	switch (k->type) {
	case CK_STRING:
	case CK_PATH:
	case CK_SOCKET_RO:
	case CK_PORTS:
		if (!json_object_is_type(v, json_type_string))
			goto type;
		s = json_object_get_string(v);
		if (strlen(s) != (size_t)json_object_get_string_len(v) ||
		    strlen(s) >= k->size || *s == '\0')
			goto fail_value;
		if (k->type == CK_PATH && *s != '/') {
			snprintf(err, errlen,
				 "%s: %s: must be an absolute path", file,
				 k->name);
			return -1;
		}
		if (k->type == CK_SOCKET_RO && *s != '/' &&
		    strcmp(s, "auto") != 0 && strcmp(s, "off") != 0) {
			snprintf(err, errlen,
				 "%s: %s: must be an absolute path, \"auto\" "
				 "or \"off\"",
				 file, k->name);
			return -1;
		}
		if (k->type == CK_PORTS && !config_ports_valid(s)) {
			snprintf(err, errlen,
				 "%s: %s: must be \"test\" or \"in=IF,out=IF\" "
				 "(two different interfaces)",
				 file, k->name);
			return -1;
		}
		vr_strlcpy(field, s, k->size);
		return 0;
	case CK_INT:
	case CK_SIZE:
		if (!json_object_is_type(v, json_type_int))
			goto type;
		errno = 0;
		i = json_object_get_int64(v);
		if (errno == ERANGE || i < k->min || i > k->max) {
			snprintf(err, errlen,
				 "%s: %s: must be an integer in %lld..%lld",
				 file, k->name, k->min, k->max);
			return -1;
		}
		if (k->type == CK_INT)
			*(int *)(void *)field = (int)i;
		else
			*(size_t *)(void *)field = (size_t)i;
		return 0;
	case CK_ACCEL:
	case CK_LINK:
		if (!json_object_is_type(v, json_type_string))
			goto type;
		s = json_object_get_string(v);
		if (k->type == CK_ACCEL) {
			enum topo_accel a;
			if (strcmp(s, "auto") == 0)
				a = ACCEL_AUTO;
			else if (strcmp(s, "kvm") == 0)
				a = ACCEL_KVM;
			else if (strcmp(s, "tcg") == 0)
				a = ACCEL_TCG;
			else {
				snprintf(err, errlen,
					 "%s: %s: must be auto, kvm or tcg",
					 file, k->name);
				return -1;
			}
			c->accel = a;
		} else {
			if (strcmp(s, "tap") == 0)
				c->link = LINK_TAP;
			else if (strcmp(s, "macvtap") == 0)
				c->link = LINK_MACVTAP;
			else {
				snprintf(err, errlen,
					 "%s: %s: must be tap or macvtap", file,
					 k->name);
				return -1;
			}
		}
		return 0;
	case CK_MODE:
		if (!json_object_is_type(v, json_type_string))
			goto type;
		s = json_object_get_string(v);
		errno = 0;
		i = strtol(s, &end, 8);
		if (*s < '0' || *s > '7' || *end != '\0' || errno ||
		    i > k->max || (i & 0600) != 0600) {
			snprintf(err, errlen,
				 "%s: %s: must be an octal mode string such as "
				 "\"0660\", with owner read-write",
				 file, k->name);
			return -1;
		}
		*(int *)(void *)field = (int)i;
		return 0;
	case CK_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			goto type;
		*(int *)(void *)field = json_object_get_boolean(v);
		return 0;
	case CK_HOSTS:
		return config_hosts_set(file, v, c, err, errlen);
	case CK_ARGV:
		return config_ssh_command_set(file, v, c, err, errlen);
	case CK_HOST_NAME:
		return config_host_name_set(file, v, c, err, errlen);
	}
type:
	snprintf(err, errlen, "%s: %s: must be %s", file, k->name,
		 k->type == CK_INT || k->type == CK_SIZE ? "an integer"
		 : k->type == CK_BOOL			 ? "true or false"
							 : "a string");
	return -1;
fail_value:
	snprintf(err, errlen,
		 "%s: %s: must be a non-empty string shorter "
		 "than %zu bytes",
		 file, k->name, k->size);
	return -1;
}

/* The configuration: empty, or one JSON object read by jtext (no key
 * twice, no NUL, nothing after it). */
static json_object *
config_parse(const char *path, const char *text, size_t len, char *err,
	     size_t errlen)
{
	json_object *root;

	if (strspn(text, " \t\r\n") == len)
		return json_object_new_object(); /* an empty file */
	if ((root = jtext_parse(path, text, len, err, errlen)) == NULL)
		return NULL;
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen,
			 "%s: the configuration must be a JSON "
			 "object",
			 path);
		json_object_put(root);
		return NULL;
	}
	return root;
}

int
config_load(const char *path, int missing_ok, struct config *c, char *err,
	    size_t errlen)
{
	json_object *root = NULL;
	char *text = NULL;
	size_t len;
	int rv = -1;

	config_defaults(c);
	if ((text = file_readat_len(AT_FDCWD, path, CONFIG_MAX_SIZE, 0,
				    &len)) == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: larger than %d bytes", path,
				 CONFIG_MAX_SIZE);
		else
			snprintf(err, errlen, "%s: %s", path,
				 file_strerror(errno));
		goto fail;
	}
	if ((root = config_parse(path, text, len, err, errlen)) == NULL)
		goto fail;
	json_object_object_foreach(root, key, val)
	{
		const struct config_key *k = NULL;
		for (size_t i = 0; i < nitems(config_keys); i++)
			if (strcmp(config_keys[i].name, key) == 0)
				k = &config_keys[i];
		if (k == NULL) {
			snprintf(err, errlen, "%s: %.64s: unknown key", path,
				 key);
			goto fail;
		}
		if (config_set(path, k, val, c, err, errlen) == -1)
			goto fail;
	}
	if (config_hosts_check(path, c, err, errlen) == -1)
		goto fail;
	rv = 0;
fail:
	json_object_put(root);
	free(text);
	if (rv == -1)
		config_defaults(c);
	return rv;
}
