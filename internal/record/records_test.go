package record

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func newRecord(image string, created time.Time) *Container {
	return &Container{ID: NewID(), Created: created, Image: image, State: State{Status: StatusCreated}}
}

func TestRecordsAddFindDelete(t *testing.T) {
	r, err := OpenRecords(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	a, b := newRecord("sha256:aa", now), newRecord("sha256:bb", now.Add(time.Second))
	other := "0"
	if a.ID[10] == '0' {
		other = "1"
	}
	b.ID = a.ID[:10] + strings.Repeat(other, 54) // shares exactly a 10-digit prefix with a
	if err := r.Add(a, "web"); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(b, ""); err != nil {
		t.Fatal(err)
	}
	if b.ShortName() == "" || b.Name != "/"+b.ShortName() {
		t.Errorf("generated name %q", b.Name)
	}
	if err := r.Add(newRecord("sha256:cc", now), "web"); !errors.Is(err, ErrConflict) {
		t.Errorf("second container named web: %v, want a conflict", err)
	}
	if err := r.Add(newRecord("sha256:cc", now), "bad name"); err == nil {
		t.Error("a name with a space was accepted")
	}

	for _, tc := range []struct {
		what    string
		want    string
		wantErr error
	}{
		{"web", a.ID, nil},
		{"/web", a.ID, nil},
		{a.ID, a.ID, nil},
		{b.ShortName(), b.ID, nil},
		{a.ID[:12], a.ID, nil},
		{b.ID[:12], b.ID, nil},
		{a.ID[:10], "", ErrAmbiguous},
		{"nosuch", "", ErrNotFound},
	} {
		t.Run(tc.what, func(t *testing.T) {
			c, err := r.Find(tc.what)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Find(%q) = %v, want %v", tc.what, err, tc.wantErr)
				}
				return
			}
			if err != nil || c.ID != tc.want {
				t.Fatalf("Find(%q) = %v, %v; want %s", tc.what, c, err, tc.want)
			}
		})
	}

	list, err := r.List()
	if err != nil || len(list) != 2 || list[0].ID != b.ID {
		t.Fatalf("List = %v, %v; want b then a", list, err)
	}
	users, err := r.UsingImage("sha256:aa")
	if err != nil || len(users) != 1 || users[0] != a.ID {
		t.Errorf("UsingImage = %v, %v", users, err)
	}
	if err := r.Delete(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.Dir(a.ID)); !os.IsNotExist(err) {
		t.Errorf("directory of a removed container: %v", err)
	}
	if _, err := r.Find("web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed container found: %v", err)
	}
}

// Concurrent commands creating containers of one name: exactly one wins.
func TestRecordsConcurrentNames(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := OpenRecords(dir) // each as its own command would
			if err == nil {
				err = r.Add(newRecord("sha256:aa", time.Now()), "same")
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d containers named same were created, want 1", ok)
	}
}

// Save replaces the record in one rename: no temporary file is left and
// the record read back is the one written.
func TestRecordsSaveAtomic(t *testing.T) {
	r, err := OpenRecords(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := newRecord("sha256:aa", time.Now())
	if err := r.Add(c, "x1"); err != nil {
		t.Fatal(err)
	}
	c.State = State{Status: StatusExited, ExitCode: 3}
	if err := r.Save(c); err != nil {
		t.Fatal(err)
	}
	got, err := r.Load(c.ID)
	if err != nil || got.State.ExitCode != 3 || got.State.Status != StatusExited {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	tmps, _ := filepath.Glob(filepath.Join(r.Dir(c.ID), ".container-*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

func TestMonitorLock(t *testing.T) {
	r, err := OpenRecords(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := newRecord("sha256:aa", time.Now())
	if err := r.Add(c, "m1"); err != nil {
		t.Fatal(err)
	}
	if r.Monitored(c.ID) {
		t.Fatal("monitored before any lock")
	}
	l, err := r.LockMonitor(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Monitored(c.ID) {
		t.Error("not monitored while locked")
	}
	if _, err := r.LockMonitor(c.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("second lock: %v, want a conflict", err)
	}
	l.Unlock()
	if r.Monitored(c.ID) {
		t.Error("monitored after unlock")
	}
}

func TestStatusPredicates(t *testing.T) {
	for _, tc := range []struct {
		s                 Status
		canStart, canKill bool
	}{
		{StatusCreated, true, false},
		{StatusRunning, false, true},
		{StatusExited, true, false},
	} {
		t.Run(string(tc.s), func(t *testing.T) {
			if tc.s.CanStart() != tc.canStart || tc.s.CanKill() != tc.canKill {
				t.Errorf("CanStart %v CanKill %v, want %v %v", tc.s.CanStart(), tc.s.CanKill(), tc.canStart, tc.canKill)
			}
		})
	}
}
