/*
 * `bench`: measure a running topology with vrgen (vrgen/) between its test
 * ports — an offered-load sweep or an NDR/PDR search — and answer with the
 * experiment record (docs/bench.md): everything needed to repeat and
 * compare the run.
 */
#ifndef VR_BENCH_H
#define VR_BENCH_H

#include "rpc.h"

void bench_method(struct rpc_req *req);

/* Mark an event (a migration's phases) now on the running timeline
 * bench's current round: the record's marks place it on that round's time
 * axis (docs/bench.md "Timelines").  Any thread; nothing when no timeline
 * bench runs. */
void bench_mark(const char *label);

/* The vrgen binary vrouterd runs: beside vrouterd, in the build tree, or
 * installed.  0, or -1 when there is none. */
int bench_find_vrgen(char *path, size_t len);

/* The one bench at a time of this host: a bench forwarded to another
 * host (bench_fwd.c) counts too. */
void bench_set_running(int on);
/* A bench param's value, or dflt when it is not given (the params were
 * checked with the request: lib/proto.c, lib/benchparam.c). */
const char *bench_pstr(json_object *params, const char *key, const char *dflt);
int bench_pint(json_object *params, const char *key, int dflt);

/* bench_fwd.c: with the in port of r on another host, pass req on to that
 * host's vrouterd (the sender runs there) and answer with its answer.  1
 * when it took req over (answered or under way), 0 when the in port is
 * here. */
struct run;
int bench_forward(struct rpc_req *req, const struct run *r);
/* Was this bench passed on by a coordinator ("forwarded": true)? */
int bench_forwarded(json_object *params);

/* bench_sink (bench_sink.c): the receiving vrgen of a bench whose out port
 * is on this host and whose sender is another host's (docs/protocol.md). */
void bench_sink_method(struct rpc_req *req);

#endif
