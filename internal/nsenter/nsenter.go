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
package nsenter

/*
#cgo CFLAGS: -Wall
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
}
*/
import "C"

// Env is the environment variable through which a parent asks a child
// ward-runtime process to join namespaces before Go starts.
const Env = "_WARD_NSENTER"

// SyncFDEnv names the descriptor where the constructor reports a failure.
const SyncFDEnv = "_WARD_SYNC_FD"
