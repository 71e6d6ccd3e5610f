/*
 * The tables of a bench run for other tools (docs/bench.md, "The files"):
 * results.csv, one row per trial of a run, and an experiment's trials.csv,
 * the same rows for every run in one long-format table with the matrix
 * values as columns, so that pandas or R reads it without reshaping.  The
 * columns are the record's fields (issue 13's contract) plus L1 and L2 Gbps
 * derived from the rate and the frame size; an absent value is an empty
 * field.  Also the Gbps arithmetic itself, which the text tables share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vrctl.h"

/* One column: its name and how a trial gives its value. */
enum csv_kind { CSV_NUM, CSV_LAT, CSV_CPU, CSV_FN };
struct csv_col {
	const char *name;
	enum csv_kind kind;
	const char *key; /* NUM: the trial's key; LAT: latency key; CPU */
};

/* The columns of results.csv (record13.md), in order: one table. */
static const struct csv_col csv_cols[] = {
    {"phase", CSV_FN, NULL},
    {"repeat", CSV_NUM, "repeat"},
    {"offered_pps", CSV_NUM, "offered_pps"},
    {"achieved_pps", CSV_NUM, "achieved_pps"},
    {"forwarded_pps", CSV_NUM, "forwarded_pps"},
    {"loss_ratio", CSV_NUM, "loss_ratio"},
    {"sent", CSV_NUM, "sent"},
    {"received", CSV_NUM, "received"},
    {"short", CSV_FN, NULL},
    {"tx_path", CSV_FN, NULL},
    {"frame_bytes", CSV_FN, NULL},
    {"duration_s", CSV_NUM, "duration_s"},
    {"lat_p50_us", CSV_LAT, "p50"},
    {"lat_p90_us", CSV_LAT, "p90"},
    {"lat_p99_us", CSV_LAT, "p99"},
    {"lat_p999_us", CSV_LAT, "p999"},
    {"lat_max_us", CSV_LAT, "max"},
    {"offered_l1_gbps", CSV_FN, NULL},
    {"forwarded_l1_gbps", CSV_FN, NULL},
    {"forwarded_l2_gbps", CSV_FN, NULL},
    {"router_cpu_s", CSV_CPU, "router_cpu_s"},
    {"pkts_per_router_cpu_s", CSV_CPU, "pkts_per_router_cpu_s"},
    {"busiest", CSV_FN, NULL},
    {"busiest_util_pct", CSV_FN, NULL},
};

/* IMIX: 7:4:1 of 64, 594 and 1518-byte frames (with FCS). */
#define CSV_IMIX_BYTES ((7.0 * 64 + 4.0 * 594 + 1518) / 12)
/* Preamble, start delimiter and inter-frame gap: on the wire, per frame. */
#define CSV_L1_OVERHEAD 20.0

/*
 * The mean frame size of a trial with FCS: the generator's own figure,
 * else from the command's --frame (a size or imix); -1 when unknown.
 */
double
bench_frame_bytes(json_object *record, json_object *trial)
{
	const char *fr;

	if (j_num(trial, "mean_frame_bytes", 0) > 0)
		return j_num(trial, "mean_frame_bytes", 0);
	fr = j_get(trial, "frame") ? j_str(trial, "frame")
				   : j_str(j_get(record, "command"), "frame");
	if (strcmp(fr, "imix") == 0)
		return CSV_IMIX_BYTES;
	if (strcmp(fr, "-") == 0)
		return j_get(j_get(record, "command"), "frame") ? -1 : 64;
	return atof(fr) > 0 ? atof(fr) : -1;
}

/* Gbps at pps of frames of bytes: L1 counts 20 B of preamble and gap. */
double
bench_gbps(double pps, double bytes, int l1)
{
	if (pps < 0 || bytes <= 0)
		return -1;
	return pps * (bytes + (l1 ? CSV_L1_OVERHEAD : 0)) * 8 / 1e9;
}

/* A field: quoted when it holds a comma, a quote or a line break. */
static void
csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* A JSON value as a field: numbers as they came, strings, else empty. */
static void
csv_value(FILE *f, json_object *v)
{
	if (v != NULL && json_object_is_type(v, json_type_int))
		fprintf(f, "%lld", (long long)json_object_get_int64(v));
	else if (v != NULL && json_object_is_type(v, json_type_double))
		fprintf(f, "%.10g", json_object_get_double(v));
	else if (v != NULL && json_object_is_type(v, json_type_boolean))
		fputs(json_object_get_boolean(v) ? "true" : "false", f);
	else if (v != NULL && json_object_is_type(v, json_type_string))
		csv_field(f, json_object_get_string(v));
}

static void
csv_gbps(FILE *f, double gbps)
{
	if (gbps >= 0)
		fprintf(f, "%.6g", gbps);
}

static void
csv_computed(FILE *f, const char *name, json_object *record, json_object *t)
{
	double bytes = bench_frame_bytes(record, t);
	json_object *busiest = j_get(j_get(t, "cpu"), "busiest");

	if (strcmp(name, "phase") == 0)
		csv_field(f, bench_trial_phase(t));
	else if (strcmp(name, "short") == 0)
		csv_value(f, j_get(t, "short"));
	else if (strcmp(name, "tx_path") == 0)
		csv_value(f, j_get(t, "tx_path"));
	else if (strcmp(name, "frame_bytes") == 0 && bytes > 0)
		fprintf(f, "%.10g", bytes);
	else if (strcmp(name, "offered_l1_gbps") == 0 &&
		 j_get(t, "offered_pps"))
		csv_gbps(f, bench_gbps(j_num(t, "offered_pps", -1), bytes, 1));
	else if (strcmp(name, "forwarded_l1_gbps") == 0 &&
		 j_get(t, "forwarded_pps"))
		csv_gbps(f,
			 bench_gbps(j_num(t, "forwarded_pps", -1), bytes, 1));
	else if (strcmp(name, "forwarded_l2_gbps") == 0 &&
		 j_get(t, "forwarded_pps"))
		csv_gbps(f,
			 bench_gbps(j_num(t, "forwarded_pps", -1), bytes, 0));
	else if (strcmp(name, "busiest") == 0)
		csv_value(f, j_get(busiest, "what"));
	else if (strcmp(name, "busiest_util_pct") == 0)
		csv_value(f, j_get(busiest, "util_pct"));
}

/* The latency object of a trial: latency_us (vrgen), or latency. */
json_object *
bench_trial_latency(json_object *t)
{
	json_object *l = j_get(t, "latency_us");

	return l != NULL ? l : j_get(t, "latency");
}

static void
csv_header(FILE *f)
{
	for (size_t c = 0; c < nitems(csv_cols); c++)
		fprintf(f, "%s%s", c ? "," : "", csv_cols[c].name);
}

static void
csv_row(FILE *f, json_object *record, json_object *t)
{
	for (size_t c = 0; c < nitems(csv_cols); c++) {
		const struct csv_col *col = &csv_cols[c];

		if (c > 0)
			fputc(',', f);
		switch (col->kind) {
		case CSV_NUM:
			csv_value(f, j_get(t, col->key));
			break;
		case CSV_LAT:
			csv_value(f, j_get(bench_trial_latency(t), col->key));
			break;
		case CSV_CPU:
			csv_value(f, j_get(j_get(t, "cpu"), col->key));
			break;
		case CSV_FN:
			csv_computed(f, col->name, record, t);
			break;
		}
	}
	fputc('\n', f);
}

static int
csv_save(const char *path, char *text, size_t len)
{
	int rv = file_write_atomic(path, text, len, 0644);

	if (rv == -1)
		fprintf(stderr, "vrctl: cannot write %s: %s\n", path,
			strerror(errno));
	free(text);
	return rv;
}

/* results.csv: one row per trial, in the order they ran. */
int
bench_write_csv(const char *path, json_object *record)
{
	json_object *a = j_get(record, "trials");
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return -1;
	csv_header(f);
	fputc('\n', f);
	for (size_t i = 0; a && i < json_object_array_length(a); i++)
		csv_row(f, record, json_object_array_get_idx(a, i));
	fclose(f);
	return csv_save(path, text, len);
}

/* The matrix of a run of an experiment (cli.experiment.matrix), or NULL. */
json_object *
bench_run_matrix(json_object *record)
{
	json_object *m =
	    j_get(j_get(j_get(record, "cli"), "experiment"), "matrix");

	return m != NULL && json_object_is_type(m, json_type_object) ? m : NULL;
}

/*
 * trials.csv of an experiment: run, label, the matrix keys (the union, in
 * order of first appearance), then the columns of results.csv; one row per
 * trial of every run.
 */
int
bench_write_trials_csv(const char *path, const struct bench_run *r, size_t n)
{
	json_object *keys = json_object_new_object();
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL) {
		json_object_put(keys);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *m = bench_run_matrix(r[i].record);
		if (m == NULL)
			continue;
		json_object_object_foreach(m, k, v)
		{
			(void)v;
			if (!json_object_object_get_ex(keys, k, NULL))
				json_object_object_add(
				    keys, k, json_object_new_boolean(1));
		}
	}
	fputs("run,label", f);
	json_object_object_foreach(keys, key, unused)
	{
		(void)unused;
		fputc(',', f);
		csv_field(f, key);
	}
	fputc(',', f);
	csv_header(f);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		json_object *rec = r[i].record, *a = j_get(rec, "trials");
		json_object *m = bench_run_matrix(rec);
		long long run = j_int(j_get(j_get(rec, "cli"), "experiment"),
				      "index", (long long)i + 1);

		for (size_t t = 0; a && t < json_object_array_length(a); t++) {
			fprintf(f, "%lld,", run);
			csv_field(f, r[i].label);
			json_object_object_foreach(keys, k, u)
			{
				(void)u;
				fputc(',', f);
				csv_value(f, j_get(m, k));
			}
			fputc(',', f);
			csv_row(f, rec, json_object_array_get_idx(a, t));
		}
	}
	fclose(f);
	json_object_put(keys);
	return csv_save(path, text, len);
}
