/* SHA-256 (FIPS 180-4), for recording what an experiment ran on. */
#ifndef VR_SHA256_H
#define VR_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[32]);
/* The hex digest of a regular file into hex[65]; 0, or -1 with errno
 * (EINVAL: not a regular file). */
int sha256_file(const char *path, char hex[65]);

#endif
