/*
 * Private to `vrctl experiment` (experiment.c, experiment_file.c): the
 * runs an experiment file expands to.  Nothing else includes it.
 */
#ifndef VRCTL_EXPERIMENT_H
#define VRCTL_EXPERIMENT_H

#include <stddef.h>

#include <json-c/json.h>

#define EXP_MAX_RUNS 1000

struct xrun {
	json_object *start; /* start params, with the instance name */
	json_object *bench; /* bench params, with the same name */
	json_object *vals;  /* the matrix values of this run */
	char label[256];    /* "cores=2 pin=true" (only keys that vary) */
	char dirname[256];  /* "03-cores2-nopin" */
	char name[16];	    /* instance name */
};

/* "vrctl: FILE: WHAT" on stderr (control characters as ?); -1. */
int exp_fail(const char *file, const char *what);
/* Check the experiment file's spec and expand its matrix into *runsp (*np
 * runs, first key outermost); 0, or -1 said. */
int exp_expand(const char *file, json_object *spec, struct xrun **runsp,
	       size_t *np);
void exp_free(struct xrun *runs, size_t n);

#endif
