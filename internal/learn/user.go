package learn

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/wardproject/ward/internal/engine"
	"github.com/wardproject/ward/internal/imagefiles"
	"github.com/wardproject/ward/internal/learnprofile"
	"github.com/wardproject/ward/internal/scan/source/stored"
)

// DropRoot answers "did it need root at all": when the workload ran as
// root, needs no capability and the command line pinned no --user, it
// replays as a non-root user of the image's passwd (nobody first, else
// the first user with a UID from 1000) and keeps that user when the
// replay passes. It returns the user tried ("" when none was).
func DropRoot(ctx context.Context, e *engine.Engine, req Request, p *learnprofile.Profile) (string, error) {
	if req.Create.Run.User != "" || !strings.HasPrefix(p.User, "0:") || len(p.Capabilities) > 0 {
		return "", nil
	}
	user, err := nonRootUser(e, p.Image)
	if err != nil || user == "" {
		return "", err
	}
	trial := *p
	trial.User = user
	r, err := Replay(ctx, e, req, &trial)
	if err != nil {
		return user, fmt.Errorf("replay as %s: %w", user, err)
	}
	if r.Passed() {
		p.User = user
	}
	return user, nil
}

// nonRootUser picks a non-root UID:GID from the image's /etc/passwd.
func nonRootUser(e *engine.Engine, imageID string) (string, error) {
	src, err := stored.Open(e.Images, imageID)
	if err != nil {
		return "", fmt.Errorf("image %s: %w", imageID, err)
	}
	defer src.Close()
	files, err := imagefiles.Read(src, "/etc/passwd")
	if err != nil {
		return "", fmt.Errorf("image %s: %w", imageID, err)
	}
	data, err := files.ReadFile("/etc/passwd")
	if err != nil {
		return "", nil // no passwd: no user to suggest
	}
	return pickUser(string(data)), nil
}

// pickUser chooses from passwd lines: nobody, else the first UID >= 1000.
func pickUser(passwd string) string {
	var first string
	for _, line := range strings.Split(passwd, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 4 {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 32)
		_, err2 := strconv.ParseUint(f[3], 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		if f[0] == "nobody" {
			return f[2] + ":" + f[3]
		}
		if first == "" && uid >= 1000 {
			first = f[2] + ":" + f[3]
		}
	}
	return first
}
