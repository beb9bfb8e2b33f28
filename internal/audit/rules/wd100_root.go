package rules

import (
	"github.com/wardproject/ward/internal/audit"
	"github.com/wardproject/ward/internal/workload"
)

// RunsAsRoot fires when the container's process runs as uid 0, including the
// cases where nothing names a user and the image's default (root) applies.
var RunsAsRoot = audit.Rule{
	ID:        "WD100",
	Checklist: audit.NonRoot,
	Severity:  audit.High,
	Title:     "Container runs as root",
	Why:       "Root in the container is root on the host's kernel: one escape, one writable host mount or one misconfigured capability away from owning the host. A non-root user turns most container escapes into an unprivileged process.",
	Fix: map[workload.Kind]string{
		workload.KindDockerfile: "Add `USER 10001` (a non-root UID, created with useradd/adduser if files need an owner) as the last USER of the final stage.",
		workload.KindCompose:    "Set `user: \"10001:10001\"` on the service.",
		workload.KindKubernetes: "Set `securityContext.runAsNonRoot: true` and `securityContext.runAsUser: 10001` on the pod or the container.",
		workload.KindOCI:        "Set `process.user.uid` (and `gid`) to a non-zero ID.",
		workload.KindInspect:    "Run with `--user 10001:10001` (or set USER in the image).",
		workload.KindImage:      "Rebuild with `USER 10001` as the last USER of the Dockerfile's final stage, or run it with `ward run --user 10001:10001`.",
	},
	Equivalents: []string{"hadolint DL3002", "dockle CIS-DI-0001", "PSS restricted: Running as Non-root", "PSS restricted: Running as Non-root user"},
	Check:       checkRunsAsRoot,
}

func checkRunsAsRoot(w *workload.Workload, _ audit.Settings) []audit.Violation {
	if !w.User.IsRoot() {
		return nil
	}
	line := w.LineOf(workload.FieldUser)
	switch {
	case w.User.HostUID != nil && w.User.Name != "0":
		// A spec resolved the user: say which uid, whatever it was called.
		return []audit.Violation{{Message: "runs as uid " + w.User.Name + ", which the host sees as uid 0 (root)", Line: line}}
	case w.User.HostUID != nil:
		return []audit.Violation{{Message: "runs as uid 0 (root): a user name that resolves to uid 0 is root too", Line: line}}
	case w.User.Name != "":
		return []audit.Violation{{Message: "runs as user " + quote(w.User.Name) + ", which is root", Line: line}}
	case w.Kind == workload.KindDockerfile:
		return []audit.Violation{{Message: "no USER in the final stage (build stages do not count): the image runs as its base's user, root", Line: line}}
	case w.Kind == workload.KindImage:
		return []audit.Violation{{Message: "the image config names no USER: its containers run as root unless `--user` says otherwise", Line: line}}
	case w.Kind == workload.KindKubernetes:
		return []audit.Violation{{Message: "neither runAsNonRoot: true nor a non-zero runAsUser is set on the container or its pod: it runs as the image's user, root unless the image says otherwise", Line: line}}
	default:
		return []audit.Violation{{Message: "no user is set: it runs as the image's user, root unless the image says otherwise", Line: line}}
	}
}
