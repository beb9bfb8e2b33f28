/* attack: one step an attacker takes after breaking into a container,
 * for ward learn's tests. Built with gcc -static by the test, so that it
 * starts with the same few system calls under every workload's profile.
 *
 * Each step is the one system call the matching command makes (unshare
 * -U, mount, chmod u+s, ...), so that what is judged is that call and
 * not a shell's or a busybox applet's own start-up. Exit status:
 *   0  the kernel let the step through
 *   1  the kernel refused it: EPERM (seccomp, a missing capability),
 *      EACCES (permissions, a noexec mount) or EROFS (a read-only mount)
 *   2  bad usage
 *   3  it failed for another reason (e.g. nothing listening): the step
 *      proved nothing, and the test says so rather than count a block */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void say(const char *a, const char *b, const char *c) {
	write(1, a, strlen(a));
	write(1, b, strlen(b));
	write(1, c, strlen(c));
	write(1, "\n", 1);
}

static int result(const char *step, long r) {
	if (r >= 0) {
		say(step, ": ", "allowed");
		return 0;
	}
	int e = errno;
	say(step, ": refused: ", strerror(e));
	return (e == EPERM || e == EACCES || e == EROFS) ? 1 : 3;
}

/* exectmp copies this program (argv0) to dir/attack-copy and runs the
 * copy's "none" step: refused when the write or the exec is. */
static int exectmp(const char *self, const char *dir) {
	char dst[4096];
	strcpy(dst, dir);
	strcat(dst, "/attack-copy");
	int in = open(self, O_RDONLY);
	if (in < 0)
		return result("exec from tmp (read self)", -1), 3;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0)
		return result("exec from tmp (write)", -1);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, n) != n)
			return result("exec from tmp (write)", -1);
	close(in);
	close(out);
	char *argv[] = {dst, "none", NULL};
	char *envp[] = {NULL};
	execve(dst, argv, envp);
	return result("exec from tmp (exec)", -1);
}

int main(int argc, char **argv) {
	if (argc < 2)
		return 2;
	const char *s = argv[1];
	if (!strcmp(s, "none"))
		return result(s, 0);
	if (!strcmp(s, "unshare"))
		return result("unshare -U", unshare(CLONE_NEWUSER));
	if (!strcmp(s, "mount") && argc == 3)
		return result(s, mount("none", argv[2], "tmpfs", 0, NULL));
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
	if (!strcmp(s, "chmod") && argc == 3)
		return result("chmod u+s", chmod(argv[2], 04755));
	if (!strcmp(s, "write") && argc == 3)
		return result(s, open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644));
	if (!strcmp(s, "connect") && argc == 4) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			return result("connect (socket)", fd);
		struct sockaddr_in sa;
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons(atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
			return 2;
		return result(s, connect(fd, (struct sockaddr *)&sa, sizeof sa));
	}
	if (!strcmp(s, "listen") && argc == 4) {
		/* The target of the connection step, run by the test (not
		 * judged): accepts and closes connections until killed. */
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in sa;
		memset(&sa, 0, sizeof sa);
		sa.sin_family = AF_INET;
		sa.sin_port = htons(atoi(argv[3]));
		if (fd < 0 || inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0)
			return result("listen", -1), 3;
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c >= 0)
				close(c);
		}
	}
	if (!strcmp(s, "exectmp") && argc == 3)
		return exectmp(argv[0], argv[2]);
	return 2;
}
