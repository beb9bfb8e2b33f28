/* attack: one step an attacker takes after breaking into a container,
 * for ward learn's tests. Exit 0 when the kernel let it through, 1 when
 * it was refused, 2 on bad usage. Built with gcc -static by the test. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int result(const char *step, long r) {
	if (r < 0) {
		printf("%s: refused: %s\n", step, strerror(errno));
		return 1;
	}
	printf("%s: allowed\n", step);
	return 0;
}

int main(int argc, char **argv) {
	if (argc != 2)
		return 2;
	const char *s = argv[1];
	if (!strcmp(s, "none"))
		return result(s, 0);
	if (!strcmp(s, "raw"))
		return result(s, socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	if (!strcmp(s, "ptrace"))
		return result(s, ptrace(PTRACE_TRACEME, 0, 0, 0));
	if (!strcmp(s, "keyctl"))
		return result(s, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1));
	if (!strcmp(s, "bpf")) {
		union bpf_attr a;
		memset(&a, 0, sizeof a);
		a.map_type = BPF_MAP_TYPE_ARRAY;
		a.key_size = 4;
		a.value_size = 4;
		a.max_entries = 1;
		return result(s, syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
	}
	return 2;
}
