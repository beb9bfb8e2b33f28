package dockerdiff

import (
	"archive/tar"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wardproject/ward/internal/testutil/imagearchive"

	"github.com/wardproject/ward/internal/testutil"
)

// busyboxLayer is Debian's static busybox with every applet it lists as a
// link, and the few files a container expects. Its /etc/passwd names a
// user, alice, with a supplementary group, so --user NAME is exercised.
func busyboxLayer(t *testing.T) []imagearchive.Entry {
	t.Helper()
	data, err := os.ReadFile(testutil.BusyboxPath)
	if err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(testutil.BusyboxPath, "--list").Output()
	if err != nil {
		t.Fatalf("busybox --list: %v", err)
	}
	entries := []imagearchive.Entry{
		{Name: "bin/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "dev/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "etc/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "proc/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "root/", Mode: 0o700, Typeflag: tar.TypeDir},
		{Name: "sys/", Mode: 0o755, Typeflag: tar.TypeDir},
		{Name: "tmp/", Mode: 0o1777, Typeflag: tar.TypeDir},
		{Name: "bin/busybox", Mode: 0o755, Typeflag: tar.TypeReg, Data: data},
		{Name: "etc/passwd", Mode: 0o644, Typeflag: tar.TypeReg, Data: []byte(
			"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n" +
				"alice:x:1002:1002:alice:/home/alice:/bin/sh\n")},
		{Name: "etc/group", Mode: 0o644, Typeflag: tar.TypeReg, Data: []byte(
			"root:x:0:\nnogroup:x:65534:\nalice:x:1002:\nstaff:x:50:alice\n")},
	}
	for _, a := range strings.Fields(string(list)) {
		// The list names busybox itself: a link there would replace the binary.
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		entries = append(entries, imagearchive.Entry{Name: "bin/" + a, Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	}
	return entries
}
