package main

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/wardproject/ward/internal/record"
)

// addRecord writes a container record as ward run would, without running
// anything: ward check reads records, not processes.
func addRecord(t *testing.T, name string, status record.Status, image string, edit func(*record.Container)) {
	t.Helper()
	records, err := record.OpenRecords(filepath.Join(wardRoot(), "containers"))
	if err != nil {
		t.Fatal(err)
	}
	c := &record.Container{ID: record.NewID(), Created: time.Now(), Image: image,
		State:      record.State{Status: status, Running: status == record.StatusRunning},
		Config:     record.Config{Image: "example.com/old:1", Cmd: []string{"sh"}},
		HostConfig: record.HostConfig{NetworkMode: "none"}}
	if edit != nil {
		edit(c)
	}
	if err := records.Add(c, name); err != nil {
		t.Fatal(err)
	}
}

func TestCheckContainers(t *testing.T) {
	t.Setenv("WARD_ROOT", t.TempDir())
	rec := storeImage(t, "example.com/old:1", v1.Config{}, debianLayers(t)...)
	addRecord(t, "web", record.StatusRunning, rec.ID.String(), func(c *record.Container) { c.HostConfig.Privileged = true })
	addRecord(t, "batch", record.StatusExited, rec.ID.String(), func(c *record.Container) {
		c.Config.User = "1000"
		c.HostConfig.CapAdd = []string{"SYS_ADMIN"}
	})

	got, stderr, err := checkJSON(t, "--running")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if len(got["WD120"]) != 1 || len(got["WD100"]) != 1 || len(got["WD111"]) != 0 {
		t.Errorf("--running: %v, want web only (privileged, root)", got)
	}
	got, _, err = checkJSON(t, "--container", "batch")
	if err != nil {
		t.Fatal(err)
	}
	if len(got["WD111"]) != 1 || len(got["WD120"]) != 0 || len(got["WD100"]) != 0 {
		t.Errorf("--container batch: %v, want SYS_ADMIN added, non-root", got)
	}
	if len(got["WD260"]) != 0 {
		t.Errorf("image-scan without a database: %v", got["WD260"])
	}
	// Through its image, a container is scanned when a database is loaded.
	if _, err := run(t, newDBCommand(), "import", osvFixtures); err != nil {
		t.Fatal(err)
	}
	got, _, err = checkJSON(t, "--container", "batch", "--running")
	if err != nil {
		t.Fatal(err)
	}
	if !contains(got["WD260"], "critical") || len(got["WD111"]) != 1 || len(got["WD120"]) != 1 {
		t.Errorf("both containers, scanned: %v", got)
	}
	_, err = run(t, newCheckCommand(), "--container", "nothing")
	var ec interface{ ExitCode() int }
	if !errors.As(err, &ec) || ec.ExitCode() != 2 {
		t.Errorf("unknown container: %v, want exit 2", err)
	}
}
