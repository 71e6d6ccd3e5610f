/* `vrctl status` text (vrctl/show_status.c, compiled in) for a canned TCG
 * status against tests/golden/status-tcg.txt: the accelerator's reason is
 * printed once, each emulator thread shows its own index; the placement
 * axes get a line only when not the defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "golden.h"
#include "t.h"
#include "vrctl.h"

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

int
main(void)
{
	json_object *j = json_object_from_file(GOLDEN_DIR "/status-tcg.json");
	char *buf = NULL;
	size_t len = 0;
	FILE *saved = stdout, *m = open_memstream(&buf, &len);

	CHECK(j != NULL);
	stdout = m;
	show_status(j);
	fflush(m);
	stdout = saved;
	fclose(m);
	CHECK_INT(count(buf, "/dev/kvm cannot run a guest"), 1);
	CHECK(strstr(buf, "emulator  1 ") != NULL);
	golden_check("status-tcg.txt", buf);
	CHECK(strstr(buf, "placement:") == NULL);
	free(buf);
	json_object_put(j);

	/* --vhost-cpu dedicated --vhost-rt 10 */
	j = json_object_from_file(GOLDEN_DIR "/status-tcg.json");
	{
		json_object *t = json_object_array_get_idx(
		    json_object_object_get(j, "topologies"), 0);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "vhost_cpu",
				       json_object_new_string("dedicated"));
		json_object_object_add(o, "vhost_rt", json_object_new_int(10));
		json_object_object_add(o, "hugepages",
				       json_object_new_boolean(0));
		json_object_object_add(t, "options", o);
	}
	m = open_memstream(&buf, &len);
	stdout = m;
	show_status(j);
	fflush(m);
	stdout = saved;
	fclose(m);
	CHECK(strstr(buf, "\n  placement: vhost threads on dedicated CPUs, "
			  "vhost rt 10, hugepages off\n") != NULL);
	free(buf);
	json_object_put(j);

	/* a SCHED_DEADLINE thread shows its reservation (issue 14) */
	j = json_tokener_parse(
	    "{\"topologies\":[{\"name\":\"dl\",\"state\":\"running\","
	    "\"nodes\":[{\"name\":\"vr0\",\"threads\":[{\"tid\":7,"
	    "\"kind\":\"vcpu\",\"index\":0,\"cpus\":\"1\",\"last_cpu\":1,"
	    "\"policy\":\"deadline\",\"priority\":0,\"runtime_us\":200,"
	    "\"period_us\":1000}]}]}]}");
	CHECK(j != NULL);
	buf = NULL;
	m = open_memstream(&buf, &len);
	stdout = m;
	show_status(j);
	fflush(m);
	stdout = saved;
	fclose(m);
	CHECK(strstr(buf, " deadline 200/1000 us") != NULL);
	if (strstr(buf, " deadline 200/1000 us") == NULL)
		fputs(buf, stderr);
	free(buf);
	json_object_put(j);
	return t_done("test_show_status");
}
