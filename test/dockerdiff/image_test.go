package dockerdiff

import (
	"testing"

	"github.com/wardproject/ward/internal/testutil/imagearchive"
)

// busyboxLayer is the busybox layer whose /etc/passwd also names a user,
// alice, with a supplementary group, so --user NAME is exercised.
func busyboxLayer(t *testing.T) []imagearchive.Entry {
	return imagearchive.BusyboxLayer(t,
		"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"+
			"alice:x:1002:1002:alice:/home/alice:/bin/sh\n",
		"root:x:0:\nnogroup:x:65534:\nalice:x:1002:\nstaff:x:50:alice\n")
}
