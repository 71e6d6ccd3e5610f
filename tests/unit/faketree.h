/*
 * A fake /sys or /proc tree for unit tests: faketree_put writes text into
 * ROOT/REL, making the directories on the way (text NULL: REL is a
 * directory).  Exits the test on a failure to write.
 */
#ifndef VR_TEST_FAKETREE_H
#define VR_TEST_FAKETREE_H

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void
faketree_put(const char *root, const char *rel, const char *text)
{
	char path[512], dir[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (p = dir + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	if (text == NULL) { /* a directory */
		mkdir(path, 0755);
		return;
	}
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

#endif
