package profilewatch

import (
	"errors"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/wardproject/ward/internal/denialfile"
	"github.com/wardproject/ward/internal/exitstatus"
	"github.com/wardproject/ward/internal/monitor"
	"github.com/wardproject/ward/internal/rootdir"
	"github.com/wardproject/ward/internal/sibling"
)

// ObserverBinary is the companion binary that watches a detached
// container in log mode (cmd/ward-observe).
const ObserverBinary = "ward-observe"

// MonitorArgs are the arguments that have the monitor of the container
// whose records directory is containerDir start ward-observe beside it:
// none unless the spec the runtime will receive is in log mode. A
// container in log mode without ward-observe is refused rather than left
// unreported.
func MonitorArgs(containerDir string) ([]string, error) {
	s, err := ReadSpec(bundleDir(containerDir))
	if err != nil || !LogMode(s) {
		return nil, err
	}
	p, err := sibling.Find(ObserverBinary)
	if err != nil {
		return nil, errors.New("--profile-mode log: " + err.Error())
	}
	return []string{"--observer", p}, nil
}

// bundleDir is where the engine keeps a container's bundle (as
// engine.BundleDir spells it).
func bundleDir(containerDir string) string { return filepath.Join(containerDir, "bundle") }

// Serve is ward-observe: it watches one run of container id of the ward
// root root for its monitor, its parent. The protocol, on the pipe that
// is report (the observer's fd 3), is the monitor's own:
//
//	monitor                          ward-observe
//	  fork+exec (parent death:
//	  SIGHUP) ----------------------> prepare the cgroup, attach
//	  read "ready" or the  <--------- "ready" or "error CODE MSG", close
//	  error line; then
//	  ward container-start            poll the map every Poll into the
//	  reap until the init exits       records directory; notices on stderr
//	  SIGTERM ----------------------> poll a last time, detach, exit
//	  ward container-exited
//
// It also ends when its parent is gone (a killed monitor: the parent
// death signal, SIGHUP, then a changed parent pid; or that alone, seen
// at a poll), noting in the records directory that what follows went
// unobserved.
func Serve(root, id string, report *os.File) error {
	parent := os.Getppid()
	dir := rootdir.Layout(root).Container(id)
	rep := monitor.NewReporter(report)
	fail := func(err error) error {
		err = exitstatus.New(125, err)
		rep.Failed(err)
		return err
	}
	s, err := ReadSpec(bundleDir(dir))
	if err != nil {
		return fail(errors.New("container " + id + ": " + err.Error()))
	}
	// Signals first: a stop that comes while attaching must not be lost.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	w, err := Start(s, dir, shortID(id), os.Stderr)
	if err != nil {
		return fail(err)
	}
	rep.Started()
	t := time.NewTicker(Poll)
	defer t.Stop()
watch:
	for {
		select {
		case sig := <-sigs:
			if sig != unix.SIGHUP || parentGone(parent) {
				break watch
			}
		case <-t.C:
			w.Poll()
			if os.Getppid() != parent {
				break watch
			}
		}
	}
	var gaps []string
	// The parent death signal looks like a stop: the parent tells them apart.
	if os.Getppid() != parent {
		gaps = append(gaps, "the observer stopped before the container: its monitor exited")
	}
	if !w.Stop() {
		gaps = append(gaps, "the observer never saw the workload's exec")
	}
	for _, g := range gaps {
		os.Stderr.WriteString("ward: container " + shortID(id) + ": --profile-mode log: " + g + ": calls outside the profile are unknown\n")
	}
	return denialfile.Append(filepath.Join(dir, denialfile.Gaps), gaps...)
}

// parentGone tells whether the parent process has died, after the
// parent death signal (SIGHUP). The kernel sends that signal when the
// parent *thread* exits: a Go monitor killed has its threads die one by
// one, the observer passed from thread to thread and getppid unchanged
// until the last; and a thread that ends alone is no death at all. So
// wait a while for the reparenting.
func parentGone(parent int) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if os.Getppid() != parent {
			return true
		}
	}
	return false
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
