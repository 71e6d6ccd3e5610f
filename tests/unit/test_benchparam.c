/*
 * The bench params' rules (lib/benchparam.c, lib/proto.c's bench table):
 * every case of tests/bench_params.json through the check vrctl makes
 * (proto_params_check) and the one vrouterd makes on a request line
 * (proto_request_parse_data: -32602 and data.param), which must agree;
 * the syntax checkers' values; and the numbers the docs quote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchparam.h"
#include "proto.h"
#include "t.h"

static void
test_cases(void)
{
	const struct proto_method *m = proto_method_find("bench");
	json_object *file = json_object_from_file(CASES_FILE), *cases;
	size_t n, nok = 0;

	CHECK(file != NULL);
	if (file == NULL || !json_object_object_get_ex(file, "cases", &cases))
		return;
	n = json_object_array_length(cases);
	CHECK(n > 50);
	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cases, i), *p, *v;
		json_object *req, *id = NULL, *data = NULL;
		const char *want = NULL, *got = NULL;
		struct proto_request r;
		char err[512], err2[512];
		const char *line;
		int vrctl, daemon;

		json_object_object_get_ex(c, "params", &p);
		if (json_object_object_get_ex(c, "param", &v))
			want = json_object_get_string(v);
		nok += want == NULL;
		p = json_object_get(p);
		json_object_object_add(p, "name", json_object_new_string("x"));
		/* vrctl's check (bench_params_check is this and a prefix) */
		err[0] = '\0';
		vrctl = proto_params_check(m, p, err, sizeof(err));
		/* vrouterd's: the request line as another client sends it */
		req = proto_request_new(1, "bench", json_object_get(p));
		line =
		    json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
		err2[0] = '\0';
		daemon = proto_request_parse_data(line, strlen(line), &r, &id,
						  &data, err2, sizeof(err2));
		if (daemon == 0)
			proto_request_free(&r);
		if (json_object_object_get_ex(data, "param", &v))
			got = json_object_get_string(v);
		if (want == NULL
			? vrctl != 0 || daemon != 0
			: vrctl != PROTO_E_PARAMS || daemon != PROTO_E_PARAMS ||
			      got == NULL || strcmp(got, want) != 0 ||
			      strstr(err, want) == NULL ||
			      strcmp(err, err2) != 0) {
			t_failed++;
			fprintf(stderr,
				"case %zu %s: expected %s%s; vrctl %d (%s), "
				"vrouterd %d param %s (%s)\n",
				i,
				json_object_to_json_string_ext(
				    p, JSON_C_TO_STRING_PLAIN),
				want ? "refused naming " : "accepted",
				want ? want : "", vrctl, err, daemon,
				got ? got : "-", err2);
		}
		t_checks++;
		json_object_put(id);
		json_object_put(data);
		json_object_put(req);
		json_object_put(p);
	}
	CHECK(nok >= 10 && nok < n - 40);
	json_object_put(file);
}

static void
test_rates(void)
{
	double r[BENCH_RATES_MAX];
	char err[256];

	CHECK_INT(benchparam_rates("1000:2000:500", r, err, sizeof(err)), 3);
	CHECK(r[0] == 1000 && r[1] == 1500 && r[2] == 2000);
	CHECK_INT(benchparam_rates("1000:2100:500", r, err, sizeof(err)), 3);
	CHECK(r[2] == 2000);
	CHECK_INT(benchparam_rates("7,5,9", r, err, sizeof(err)), 3);
	CHECK(r[0] == 7 && r[1] == 5 && r[2] == 9);
	CHECK_INT(benchparam_rates("1:256:1", r, err, sizeof(err)), 256);
	CHECK(r[255] == 256);
	/* one over: refused, never cut to the limit */
	CHECK_INT(benchparam_rates("1:257:1", r, err, sizeof(err)), -1);
	CHECK(strstr(err, "257 rates") != NULL);
	CHECK_INT(benchparam_rates("1:300:1", NULL, err, sizeof(err)), -1);
	CHECK_STR(err, "\"1:300:1\" makes 300 rates; a sweep has at most 256");
	/* no overflow on the count */
	CHECK_INT(benchparam_rates("1:100000000:1", NULL, err, sizeof(err)),
		  -1);
	CHECK_INT(
	    benchparam_rates("99999999999999999999", NULL, err, sizeof(err)),
	    -1);
}

static void
test_loss_frame(void)
{
	char err[256];
	double d = -1;

	CHECK_INT(benchparam_loss("0.001", &d, err, sizeof(err)), 0);
	CHECK(d == 0.001);
	CHECK_INT(benchparam_loss("5e-1", &d, err, sizeof(err)), 0);
	CHECK(d == 0.5);
	CHECK_INT(benchparam_loss("0.5000001", &d, err, sizeof(err)), -1);
	CHECK_INT(benchparam_loss("1e999", &d, err, sizeof(err)), -1);
	CHECK_INT(benchparam_loss("e-3", &d, err, sizeof(err)), -1);
	CHECK_INT(benchparam_frame("imix", err, sizeof(err)), 0);
	CHECK_INT(benchparam_frame("99999999999999999999", err, sizeof(err)),
		  -1);
	CHECK_INT(benchparam_frame("0064", err, sizeof(err)), 0);
}

static void
test_percents(void)
{
	unsigned out[BENCH_LAT_AT_MAX] = {0};
	char err[256];

	CHECK_INT(benchparam_percents("0,10,50,90", out, err, sizeof(err)), 4);
	CHECK(out[0] == 0 && out[1] == 10 && out[2] == 50 && out[3] == 90);
	CHECK_INT(benchparam_percents("100", out, err, sizeof(err)), 1);
	CHECK_INT(out[0], 100);
	CHECK_INT(benchparam_percents("1,2,3,4,5,6,7,8", out, err, sizeof(err)),
		  BENCH_LAT_AT_MAX);
	CHECK_INT(out[7], 8);
	CHECK_INT(
	    benchparam_percents("1,2,3,4,5,6,7,8,9", out, err, sizeof(err)),
	    -1);
	CHECK(strstr(err, "at most 8") != NULL);
	CHECK_INT(benchparam_percents("101", NULL, err, sizeof(err)), -1);
	CHECK_INT(
	    benchparam_percents("99999999999999999999", NULL, err, sizeof(err)),
	    -1);
	CHECK_INT(benchparam_percents("", NULL, err, sizeof(err)), -1);
	CHECK_INT(benchparam_percents("5,", NULL, err, sizeof(err)), -1);
	CHECK_INT(benchparam_percents("+5", NULL, err, sizeof(err)), -1);
	CHECK(strstr(err, "0..100") != NULL);
}

/* The line of file that starts with start; NULL when none. */
static char *
doc_line(const char *file, const char *start, char *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", DOCS_DIR, file);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	while (fgets(buf, (int)len, f) != NULL)
		if (strncmp(buf, start, strlen(start)) == 0) {
			fclose(f);
			return buf;
		}
	fclose(f);
	return NULL;
}

static void
doc_expect(const char *file, const char *start, const char *want)
{
	char buf[1024], *l = doc_line(file, start, buf, sizeof(buf));

	t_checks++;
	if (l == NULL || strstr(l, want) == NULL) {
		t_failed++;
		fprintf(stderr, "docs/%s: the line starting %s %s \"%s\"\n",
			file, start, l ? "does not say" : "is missing; want",
			want);
	}
}

/* The numbers the docs quote are the table's. */
static void
test_docs(void)
{
	const struct proto_method *m = proto_method_find("bench");
	char start[64], want[64];

	for (const struct proto_param *p = m->params; p->name; p++) {
		if (p->type != PT_INT)
			continue;
		snprintf(start, sizeof(start), "| `%s` |", p->name);
		snprintf(want, sizeof(want), "int %ld..%ld", p->min, p->max);
		doc_expect("protocol.md", start, want);
		snprintf(want, sizeof(want), "%ld..%ld", p->min, p->max);
		doc_expect("bench.md", start, want);
	}
	snprintf(want, sizeof(want), "at most %d rates", BENCH_RATES_MAX);
	doc_expect("protocol.md", "| `rates` |", want);
	doc_expect("bench.md", "| `rates` |", want);
	doc_expect("vrgen.md", "| `--rates", want);
	snprintf(want, sizeof(want), "1..%d", BENCH_RATE_MAX);
	doc_expect("protocol.md", "| `rates` |", want);
	doc_expect("bench.md", "| `rates` |", want);
	doc_expect("vrgen.md", "| `--rates", want);
	snprintf(want, sizeof(want), "(0, %g]", BENCH_LOSS_MAX);
	doc_expect("protocol.md", "| `loss` |", want);
	doc_expect("bench.md", "| `loss` |", want);
	doc_expect("vrgen.md", "| `--loss", want);
	snprintf(want, sizeof(want), "%d..%d", BENCH_FRAME_MIN,
		 BENCH_FRAME_MAX);
	doc_expect("protocol.md", "| `frame` |", want);
	doc_expect("bench.md", "| `frame` |", want);
	doc_expect("vrgen.md", "| `--frame", want);
	snprintf(want, sizeof(want), "%d", BENCH_FLOWS_MAX);
	doc_expect("vrgen.md", "| `--flows", want);
	snprintf(want, sizeof(want), "at most %d", BENCH_LAT_AT_MAX);
	doc_expect("protocol.md", "| `latency_at` |", want);
	doc_expect("bench.md", "| `latency_at` |", want);
	doc_expect("vrgen.md", "| `--latency-at", want);
	snprintf(want, sizeof(want), "at most %d rates", BENCH_RATES_MAX);
	doc_expect("vrctl.1", "Limits", want);
	snprintf(want, sizeof(want), "flows 1..%d", BENCH_FLOWS_MAX);
	doc_expect("vrctl.1", "Limits", want);
	snprintf(want, sizeof(want), "duration 1..%d", BENCH_DURATION_MAX);
	doc_expect("vrctl.1", "Limits", want);
}

int
main(void)
{
	test_cases();
	test_rates();
	test_loss_frame();
	test_percents();
	test_docs();
	return t_done("test_benchparam");
}
