/*
 * libFuzzer target: topology files, the other parser that reads outside
 * input.  Every input either expands to a plan whose JSON reads back, or is
 * refused with a message; nothing crashes, leaks or trips a sanitizer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct topo_plan plan, back;
	struct topo_opts o;
	cpu_set_t online, isolated;
	char err[1024], *text;
	json_object *j;

	if (size > 64 * 1024)
		return 0;
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	topo_opts_init(&o);
	vr_strlcpy(o.topology, "/fuzz/topology.json", sizeof(o.topology));
	vr_strlcpy(o.file, "/fuzz/topology.json", sizeof(o.file));
	vr_strlcpy(o.name, "fuzz", sizeof(o.name));
	vr_strlcpy(o.image, "/nonexistent", sizeof(o.image));
	o.file_text = text;
	o.pin = size & 1; /* both with and without a pinning plan */
	CPU_ZERO(&online);
	CPU_ZERO(&isolated);
	for (int i = 0; i < 8; i++)
		CPU_SET(i, &online);
	memset(&plan, 0, sizeof(plan));
	if (topo_plan_build(&o, &online, &isolated, &plan, err, sizeof(err)) ==
	    0) {
		j = topo_plan_to_json(&plan);
		memset(&back, 0, sizeof(back));
		if (topo_plan_from_json(j, &back, err, sizeof(err)) != 0)
			abort(); /* a plan we built must read back */
		topo_plan_free(&back);
		json_object_put(j);
		topo_plan_free(&plan);
	}
	free(text);
	return 0;
}
