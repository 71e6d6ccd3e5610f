/* Unit tests for vrgen's JSON writer (vrgen/jw.c): numbers read back as the
 * same double, integers stay integers, strings are escaped, null is null. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jw.h"
#include "t.h"

static void
test_round_trip(void)
{
	static const double v[] = {1234567.8, 12.345678901, 0.1,
				   1.0 / 3,   2.5e-7,	    123456.789012,
				   1e300,     -0.000123,    86399.999999999};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		jw_fmt_dbl(buf, sizeof(buf), v[i]);
		if (strtod(buf, NULL) != v[i])
			fprintf(stderr, "%.17g printed as %s\n", v[i], buf);
		CHECK(strtod(buf, NULL) == v[i]);
	}
	/* the shortest form, not 17 noisy digits */
	CHECK_STR(jw_fmt_dbl(buf, sizeof(buf), 1234567.8), "1234567.8");
	CHECK_STR(jw_fmt_dbl(buf, sizeof(buf), 0.1), "0.1");
	CHECK_STR(jw_fmt_dbl(buf, sizeof(buf), 12.345678901), "12.345678901");
}

static void
test_lines(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct jw w = {.f = f};

	jw_obj(&w, NULL);
	jw_dbl(&w, "us", 1234567.8);
	jw_dbl(&w, "n", 20000);
	jw_dbl(&w, "inf", INFINITY);
	jw_str(&w, "s", "a\"b\\\n");
	jw_null(&w, "z");
	jw_arr(&w, "a");
	jw_u64(&w, NULL, 1);
	jw_bool(&w, NULL, 0);
	jw_arr_end(&w);
	jw_end(&w);
	fclose(f);
	CHECK_STR(out, "{\"us\":1234567.8,\"n\":20000,\"inf\":null,"
		       "\"s\":\"a\\\"b\\\\\\u000a\",\"z\":null,"
		       "\"a\":[1,false]}\n");
	free(out);
}

int
main(void)
{
	test_round_trip();
	test_lines();
	return t_done("test_jw");
}
