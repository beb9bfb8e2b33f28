// Package nsenter joins existing mount and user namespaces before the Go
// runtime starts.
//
// The kernel refuses setns(2) into a mount namespace from a process that
// shares its filesystem context with other threads, and into a user
// namespace from any multithreaded process. A Go program has threads
// before main runs, so the join happens in a C constructor, which runs
// while the process is still single-threaded. The other namespace types
// are joined by the parent on a locked thread just before it forks, so
// they need nothing here.
//
// The parent asks for a join through the environment:
//
//	_WARD_NSENTER=user:/proc/42/ns/user,mnt:/proc/42/ns/mnt
//	_WARD_SYNC_FD=5   (where a failure is reported, as a JSON line)
//
// Paths are all opened first and joined in the order given (user first,
// so the joins after it are judged by the new namespace's owner).
//
// A process that joins a user namespace must also make its new
// namespaces after the join, or they belong to the host's user namespace
// and the namespace's root cannot mount proc or sysfs in them. So the
// parent can ask for them here:
//
//	_WARD_NSENTER_UNSHARE=1644167168   (clone flags, decimal)
//
// With CLONE_NEWPID the constructor forks once more, since only a child
// enters a new pid namespace: the child (pid 1 there) goes on to be the
// init, and the process the parent started writes
//
//	{"type":"pid","pid":N}
//
// on the sync descriptor and exits. The parent, a child subreaper, then
// adopts N.
package nsenter

/*
#cgo CFLAGS: -Wall
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void ward_nsenter_fail(const char *what, const char *path, int err) {
	char msg[512];
	const char *fd = getenv("_WARD_SYNC_FD");
	int n = snprintf(msg, sizeof msg, "{\"type\":\"error\",\"msg\":\"%s %s: %s\"}\n", what, path, strerror(err));
	if (fd != NULL && n > 0) {
		if (write(atoi(fd), msg, (size_t)n) < 0) {}
	} else {
		fprintf(stderr, "%s", msg);
	}
	_exit(1);
}

__attribute__((constructor)) static void ward_nsenter(void) {
	const char *spec = getenv("_WARD_NSENTER");
	if (spec == NULL || *spec == '\0')
		return;
	char *list = strdup(spec), *save = NULL, *tok;
	int fds[8];
	char *paths[8];
	int is_user[8];
	int n = 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL && n < 8; tok = strtok_r(NULL, ",", &save)) {
		char *path = strchr(tok, ':');
		is_user[n] = strncmp(tok, "user:", 5) == 0;
		path = path ? path + 1 : tok;
		fds[n] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[n] < 0)
			ward_nsenter_fail("open namespace", path, errno);
		paths[n++] = path;
	}
	int joined_user = 0;
	for (int i = 0; i < n; i++) {
		if (setns(fds[i], 0) < 0)
			ward_nsenter_fail("join namespace", paths[i], errno);
		close(fds[i]);
		if (is_user[i])
			joined_user = 1;
	}
	if (joined_user) {
		// Become the namespace's root: our host uid is not mapped in it.
		if (setresgid(0, 0, 0) < 0)
			ward_nsenter_fail("setgid 0 in user namespace", "", errno);
		if (setresuid(0, 0, 0) < 0)
			ward_nsenter_fail("setuid 0 in user namespace", "", errno);
	}
	unsetenv("_WARD_NSENTER");
	free(list);
	const char *unshare_env = getenv("_WARD_NSENTER_UNSHARE");
	if (unshare_env == NULL || *unshare_env == '\0')
		return;
	int flags = atoi(unshare_env);
	unsetenv("_WARD_NSENTER_UNSHARE");
	if (unshare(flags) < 0)
		ward_nsenter_fail("unshare namespaces", unshare_env, errno);
	if ((flags & CLONE_NEWPID) == 0)
		return;
	pid_t child = fork();
	if (child < 0)
		ward_nsenter_fail("fork into the new pid namespace", "", errno);
	if (child == 0) {
		// setresuid made us undumpable, and our memory still belongs to
		// the host's user namespace (we exec'd there), so /proc/self
		// would be the host root's and the init could not write its
		// oom_score_adj. Alone in its pid namespace until it execs, it can
		// be dumpable; the exec sets dumpability anew.
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		return;
	}
	char msg[64];
	int len = snprintf(msg, sizeof msg, "{\"type\":\"pid\",\"pid\":%d}\n", (int)child);
	const char *fd = getenv("_WARD_SYNC_FD");
	if (fd == NULL || write(atoi(fd), msg, (size_t)len) != len) {
		kill(child, SIGKILL);
		_exit(1);
	}
	_exit(0);
}
*/
import "C"

// Env is the environment variable through which a parent asks a child
// ward-runtime process to join namespaces before Go starts.
const Env = "_WARD_NSENTER"

// UnshareEnv asks the constructor to make new namespaces (clone flags)
// after its joins.
const UnshareEnv = "_WARD_NSENTER_UNSHARE"

// SyncFDEnv names the descriptor where the constructor reports a failure.
const SyncFDEnv = "_WARD_SYNC_FD"
