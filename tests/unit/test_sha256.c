/* SHA-256 against FIPS 180-4's examples and sha256sum on a file. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sha256.h"
#include "t.h"

static void
hex(const void *data, size_t len, char out[65])
{
	struct sha256 s;
	uint8_t d[32];

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, d);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int
main(void)
{
	char h[65], path[] = "/tmp/vrsha.XXXXXX";
	static char million[1000000];
	int fd;

	hex("", 0, h);
	CHECK_STR(
	    h,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex("abc", 3, h);
	CHECK_STR(
	    h,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
	CHECK_STR(
	    h,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	for (size_t i = 0; i < sizeof(million); i++)
		million[i] = 'a';
	hex(million, sizeof(million), h);
	CHECK_STR(
	    h,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* a file, read in chunks */
	fd = mkstemp(path);
	CHECK(fd != -1);
	CHECK(write(fd, million, sizeof(million)) == (ssize_t)sizeof(million));
	close(fd);
	CHECK(sha256_file(path, h) == 0);
	CHECK_STR(
	    h,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	unlink(path);
	CHECK(sha256_file("/nonexistent/file", h) == -1);
	return t_done("test_sha256");
}
