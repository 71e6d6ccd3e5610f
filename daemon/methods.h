/*
 * The daemon's own methods (version, status, reload) and the state they
 * report: where the socket and the configuration are, when we started.
 */
#ifndef VR_METHODS_H
#define VR_METHODS_H

#include <stddef.h>

#include "hostinfo.h"
#include "rpc.h"

/* Remember the socket and config paths (not copied: they must outlive the
 * daemon) and the start time.  missing_ok: the default config path. */
void methods_init(const char *socket_path, const char *ro_path,
		  const char *config_path, int missing_ok);

/* Re-read the configuration; on success it is in force (control and the
 * supervisor told), on error the old one stays.  0 or -1 with err set. */
int methods_reload_config(char *err, size_t errlen);

/* This host's facts, cached for a second; NULL (errno set) when /proc or
 * /sys cannot be read. */
const struct hostinfo *methods_host(void);

void methods_version(struct rpc_req *req);
void methods_status(struct rpc_req *req);
void methods_reload(struct rpc_req *req);

#endif
