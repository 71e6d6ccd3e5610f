/*
 * The reading of a running domain's live XML (vm_live.h): what libvirt
 * says it made of the axes vrouterd sets (NIC model, driver and queues,
 * CPU model, vCPU and emulator pinning, scheduling, huge pages, extra
 * QEMU arguments), as a JSON object for status.  Pure text scanning, no
 * libvirt call, so the unit tests read golden XML files with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm_live.h"

/* The value of attribute attr (' quoted) within the element at el, or
 * "" (into buf); el points at '<'. */
static void
xml_attr(const char *el, const char *attr, char *buf, size_t len)
{
	const char *end = strchr(el, '>'), *p;
	char key[48];
	size_t n;

	buf[0] = '\0';
	snprintf(key, sizeof(key), " %s='", attr);
	if (end == NULL || (p = strstr(el, key)) == NULL || p > end)
		return;
	p += strlen(key);
	n = strcspn(p, "'");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* An attribute value as libvirt writes it (' quoted, entities for
 * & < > " ' and character references), decoded; malloc'ed.  end: the
 * closing quote. */
static char *
xml_attr_decode(const char *p, const char **end)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {{"&amp;", '&'},
		    {"&lt;", '<'},
		    {"&gt;", '>'},
		    {"&quot;", '"'},
		    {"&apos;", '\''}};
	size_t n = strcspn(p, "'"), k = 0;
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i < n;) {
		size_t e;
		for (e = 0; e < sizeof(ents) / sizeof(ents[0]); e++)
			if (strncmp(p + i, ents[e].ent, strlen(ents[e].ent)) ==
			    0)
				break;
		if (e < sizeof(ents) / sizeof(ents[0])) {
			out[k++] = ents[e].c;
			i += strlen(ents[e].ent);
		} else if (p[i] == '&' && p[i + 1] == '#') {
			char *q;
			long c = strtol(p + i + 2, &q, 10);
			out[k++] = c > 0 && c < 128 ? (char)c : '?';
			i = *q == ';' ? (size_t)(q - p) + 1 : i + 2;
		} else
			out[k++] = p[i++];
	}
	out[k] = '\0';
	*end = p + n;
	return out;
}

/* The axes rows of issue 14 in the live XML: "nic_queues" (the first
 * virtio <driver queues=...>, 1 without) and "qemu_args" (each
 * <qemu:arg value=...>, decoded), absent when there are none. */
static void
vm_live_axes(const char *xml, json_object *o)
{
	json_object *args = json_object_new_array();
	const char *p, *end;
	char a[16];
	int queues = 1;

	for (p = xml; (p = strstr(p, "<interface ")) != NULL; p++) {
		const char *d = strstr(p, "<driver "),
			   *e = strstr(p, "</interface>");
		if (d != NULL && e != NULL && d < e) {
			xml_attr(d, "queues", a, sizeof(a));
			if (a[0] != '\0')
				queues = atoi(a);
			break;
		}
	}
	json_object_object_add(o, "nic_queues", json_object_new_int(queues));
	for (p = xml; (p = strstr(p, "<qemu:arg value='")) != NULL; p = end) {
		char *v =
		    xml_attr_decode(p + strlen("<qemu:arg value='"), &end);
		json_object_array_add(args, json_object_new_string(v));
		free(v);
	}
	if (json_object_array_length(args) > 0)
		json_object_object_add(o, "qemu_args", args);
	else
		json_object_put(args);
}

json_object *
vm_live_from_xml(const char *xml)
{
	json_object *o = json_object_new_object(), *models, *pins;
	const char *p, *ifs, *end;
	char a[64], b[256];

	models = json_object_new_array();
	for (ifs = xml; (ifs = strstr(ifs, "<interface ")) != NULL; ifs++) {
		end = strstr(ifs, "</interface>");
		if ((p = strstr(ifs, "<model type=")) != NULL && end &&
		    p < end) {
			xml_attr(p, "type", a, sizeof(a));
			json_object_array_add(models,
					      json_object_new_string(a));
		}
		if ((p = strstr(ifs, "<driver ")) != NULL && end && p < end &&
		    !json_object_object_get_ex(o, "nic_driver", NULL)) {
			xml_attr(p, "name", a, sizeof(a));
			json_object_object_add(o, "nic_driver",
					       json_object_new_string(a));
		}
	}
	json_object_object_add(o, "nic_models", models);
	if ((p = strstr(xml, "<cpu ")) != NULL) {
		xml_attr(p, "mode", a, sizeof(a));
		end = strstr(p, "</cpu>");
		if (strcmp(a, "custom") == 0 && end &&
		    (p = strstr(p, "<model")) != NULL && p < end &&
		    (p = strchr(p, '>')) != NULL) {
			size_t n = strcspn(p + 1, "<");
			if (n >= sizeof(a))
				n = sizeof(a) - 1;
			memcpy(a, p + 1, n);
			a[n] = '\0';
		}
		json_object_object_add(o, "cpu", json_object_new_string(a));
	}
	pins = json_object_new_object();
	for (p = xml; (p = strstr(p, "<vcpupin ")) != NULL; p++) {
		xml_attr(p, "vcpu", a, sizeof(a));
		xml_attr(p, "cpuset", b, sizeof(b));
		json_object_object_add(pins, a, json_object_new_string(b));
	}
	if (json_object_object_length(pins) > 0)
		json_object_object_add(o, "vcpupin", pins);
	else
		json_object_put(pins);
	if ((p = strstr(xml, "<emulatorpin ")) != NULL) {
		xml_attr(p, "cpuset", b, sizeof(b));
		json_object_object_add(o, "emulatorpin",
				       json_object_new_string(b));
	}
	if ((p = strstr(xml, "<memoryBacking>")) != NULL &&
	    (end = strstr(p, "</memoryBacking>")) != NULL &&
	    (p = strstr(p, "<hugepages")) != NULL && p < end)
		json_object_object_add(o, "hugepages",
				       json_object_new_boolean(1));
	if ((p = strstr(xml, "<vcpusched ")) != NULL) {
		char s[sizeof(a) + sizeof(b) + 2];

		xml_attr(p, "scheduler", a, sizeof(a));
		xml_attr(p, "priority", b, sizeof(b));
		snprintf(s, sizeof(s), "%s/%s", a, b);
		json_object_object_add(o, "vcpusched",
				       json_object_new_string(s));
	}
	vm_live_axes(xml, o);
	return o;
}
