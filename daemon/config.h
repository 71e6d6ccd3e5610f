/*
 * vrouterd's configuration file (JSON, default /etc/vrouterd/vrouterd.conf;
 * documented in docs/config.md).  Unknown keys and wrong types are errors
 * naming the file and the key.
 */
#ifndef VR_CONFIG_H
#define VR_CONFIG_H

#include <limits.h>

#include "vr_build.h"
#include "topo.h"

#include <json-c/json.h>

#define CONFIG_DEFAULT_PATH VR_SYSCONFDIR "/vrouterd.conf"

#define CONFIG_MAX_HOSTS    32 /* entries of `hosts` */
#define CONFIG_MAX_SSH_ARGS 16 /* words of `ssh_command` */
#define CONFIG_ARG_LEN	    256

/* An underlay MTU (tunnel_mtu): from IPv6's minimum link MTU up to the
 * largest the kernel gives a link. */
#define CONFIG_MTU_MIN 1280
#define CONFIG_MTU_MAX 65535

/* Another host's vrouterd, reached over SSH (config_hosts.c). */
struct config_host {
	char name[64];		  /* lib/names.c's NAME_HOST */
	char ssh[CONFIG_ARG_LEN]; /* ssh destination, "root@198.18.0.2" */
	char libvirt_uri[256];	  /* its libvirtd, as seen from here */
	char tunnel_address[64];  /* IPv4/IPv6 literal for VXLAN endpoints */
	int tunnel_mtu;		  /* its underlay MTU (1500) */
	char socket[108];	  /* its vrouterd socket (sun_path) */
};

struct config {
	char libvirt_uri[256];	  /* "qemu:///system" */
	char state_dir[PATH_MAX]; /* "/var/lib/vrouterd": console logs, state */
	char image_dir[PATH_MAX]; /* default guest image directory */
	int max_clients;	  /* 256 */
	int max_clients_per_uid;  /* of one uid, root excepted (32) */
	int reserved_clients;	  /* slots for privileged peers (16) */
	int max_watchers;	  /* watches of unprivileged peers (64) */
	int idle_timeout;	  /* seconds; 0 = never (default 600) */
	int request_timeout;	  /* s from a line's first byte to its end */
	size_t client_outbuf_max; /* bytes buffered for a slow reader (4 MiB) */
	int start_timeout;	  /* default readiness timeout, seconds (120) */
	enum topo_accel accel;	  /* default accelerator (auto) */
	enum topo_link link;	  /* default link kind (tap) */
	char ports[64];		  /* default "--ports" ("test") */
	char socket_group[64];	  /* "vrouter" */
	int socket_mode;	  /* 0660 */
	char socket_ro[PATH_MAX]; /* read-only socket (0666): "auto", "off" */
	int debug;
	int stop_on_exit;	  /* stop every topology on SIGTERM (0) */
	char autostart[PATH_MAX]; /* autostart file */
	/* other hosts (config_hosts.c) */
	char host_name[64]; /* this host's name: the hostname's first label */
	char tunnel_address[64]; /* this host's VXLAN endpoint ("": none) */
	int tunnel_mtu; /* the underlay MTU there (1500; CONFIG_MTU_MIN..MAX) */
	char ssh_command[CONFIG_MAX_SSH_ARGS][CONFIG_ARG_LEN];
	int nssh_command;
	int peer_timeout; /* s a call to another host may take (15) */
	int ssh_reuse;	  /* calls share one ssh connection per host (1) */
	struct config_host hosts[CONFIG_MAX_HOSTS];
	int nhosts;
};

/* The configuration in force; always valid after config_init(). */
extern struct config *conf;

/* Point conf at the built-in defaults (conf is valid before this too). */
void config_init(void);
void config_defaults(struct config *c);
/*
 * Load path into c (defaults first).  A missing file is fine when
 * missing_ok (the default path), an error otherwise.  0, or -1 with err
 * "FILE: KEY: reason".
 */
int config_load(const char *path, int missing_ok, struct config *c, char *err,
		size_t errlen);

/* config_hosts.c: the keys hosts, host_name and ssh_command, read by
 * config_load; each 0 or -1 with err "FILE: KEY: reason". */
void config_hosts_defaults(struct config *c);
int config_hosts_set(const char *file, json_object *v, struct config *c,
		     char *err, size_t errlen);
int config_ssh_command_set(const char *file, json_object *v, struct config *c,
			   char *err, size_t errlen);
int config_host_name_set(const char *file, json_object *v, struct config *c,
			 char *err, size_t errlen);
/* Checks across keys, once the file is read: no host named host_name. */
int config_hosts_check(const char *file, const struct config *c, char *err,
		       size_t errlen);
/* The host of that name, or NULL. */
const struct config_host *config_host_find(const struct config *c,
					   const char *name);

#endif
