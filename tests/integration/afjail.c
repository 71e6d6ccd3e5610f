/*
 * afjail: run a command with socket() restricted to a list of address
 * families, as systemd's RestrictAddressFamilies= does it: a seccomp-bpf
 * filter that answers EAFNOSUPPORT for any other family (socketpair() and
 * everything else untouched), installed under no_new_privs, then exec.
 * The integration tests feed it the unit file's own list
 * (tests/integration/unit.sh), so the sandbox they test is the unit's.
 *
 *   afjail "AF_UNIX AF_NETLINK ..." [-AF_XDP] -- COMMAND [ARG...]
 *
 * A "-AF_NAME" argument removes that family from the list.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_XDP
#define AF_XDP 44
#endif

#if defined(__x86_64__)
#define AFJAIL_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AFJAIL_ARCH AUDIT_ARCH_AARCH64
#else
#error "afjail: add this architecture's AUDIT_ARCH"
#endif

#define AFJAIL_MAX 32

static const struct {
	const char *name;
	int af;
} families[] = {
    {"AF_UNIX", AF_UNIX},     {"AF_INET", AF_INET},
    {"AF_INET6", AF_INET6},   {"AF_NETLINK", AF_NETLINK},
    {"AF_PACKET", AF_PACKET}, {"AF_XDP", AF_XDP},
    {"AF_VSOCK", AF_VSOCK},   {"AF_ALG", AF_ALG},
};

static int
family_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(families[i].name, name) == 0)
			return families[i].af;
	fprintf(stderr, "afjail: unknown address family %s\n", name);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sock_filter f[8 + AFJAIL_MAX];
	struct sock_fprog prog;
	int allow[AFJAIL_MAX], nallow = 0, i, j, n = 0;
	char *list, *tok, *save = NULL;

	if (argc < 4)
		goto usage;
	list = strdup(argv[1]);
	for (tok = strtok_r(list, " ,", &save); tok != NULL;
	     tok = strtok_r(NULL, " ,", &save))
		if (nallow < AFJAIL_MAX)
			allow[nallow++] = family_parse(tok);
	for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1] != '-'; i++) {
		int af = family_parse(argv[i] + 1);

		for (j = 0; j < nallow; j++)
			if (allow[j] == af)
				allow[j--] = allow[--nallow];
	}
	if (i >= argc - 1 || strcmp(argv[i], "--") != 0)
		goto usage;

	/* a foreign arch's syscall numbers mean other things: refuse */
	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      AFJAIL_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
					      SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      __NR_socket, 0, nallow + 2);
	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	for (j = 0; j < nallow; j++) /* match: jump to the ALLOW */
		f[n++] = (struct sock_filter)BPF_JUMP(
		    BPF_JMP | BPF_JEQ | BPF_K, (unsigned)allow[j],
		    (unsigned)(nallow - j), 0);
	f[n++] = (struct sock_filter)BPF_STMT(
	    BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EAFNOSUPPORT & 0xffff));
	f[n++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("afjail: seccomp");
		return 1;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "afjail: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
usage:
	fprintf(stderr, "usage: afjail \"AF_UNIX AF_INET ...\" [-AF_X] -- "
			"COMMAND [ARG...]\n");
	return 2;
}
