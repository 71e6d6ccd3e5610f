/*
 * Private to vrgen (bench/vrgen*.c): what its options, its trial engine,
 * its output and its commands share.  Nothing outside vrgen includes it.
 */
#ifndef VR_VRGEN_H
#define VR_VRGEN_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

struct opts;
struct bench;
struct endpoint;
struct trial_out;
struct jw;
struct gen_tx;
struct ifcounters;
struct hist;
struct sink;
struct search_step;

/* Set by SIGINT/SIGTERM (vrgen.c): every loop stops at the next check. */
extern atomic_int stop_flag;

/* options (vrgen_opts.c) */
void usage(FILE *f);
void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);
void opts_parse(struct opts *o, int argc, char **argv);

/* endpoints and trials (vrgen_trial.c) */
void pin_self(int cpu, const char *what);
void bench_setup(struct bench *b, struct opts *o, int want_tx, int want_rx);
void bench_free(struct bench *b);
int read_if(struct endpoint *e, struct ifcounters *c);
int run_trial(struct bench *b, double rate, double duration_s, uint64_t count,
	      struct trial_out *out);

/* output: JSON lines and the human table (vrgen_output.c) */
void json_tx_path(struct jw *w, const struct gen_tx *tx);
void json_if(struct jw *w, const char *key, const struct endpoint *e,
	     const struct ifcounters *c);
void json_latency(struct jw *w, const struct hist *h);
void json_per_flow(struct jw *w, const struct sink *s, const uint64_t *sent);
void json_trial_obj(struct bench *b, const char *key, const struct trial_out *t,
		    const struct search_step *step, int pass);
void json_trial(struct bench *b, const struct trial_out *t,
		const struct search_step *step, int pass);
void human_header(void);
void human_trial(struct bench *b, const struct trial_out *t,
		 const struct search_step *step, int pass);

#endif
