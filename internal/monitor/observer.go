package monitor

import (
	"errors"
	"os"
	"syscall"
	"time"

	"github.com/wardproject/ward/internal/exitstatus"
)

// observer is ward-observe watching one run of a container in log mode
// (internal/profilewatch has its protocol). The monitor only starts and
// stops it: the monitor of every container links and maps no BPF code,
// and ward-observe runs only beside a container that needs it.
type observer struct {
	p *os.Process
}

// startObserver starts cfg.Observer for the run about to start and waits
// until it is attached (nil, nil without one). It is the monitor's
// child, with SIGHUP as its parent death signal (SIGTERM is the stop
// below): a killed monitor takes it along, and with it its BPF
// programs, which nothing pins.
func startObserver(cfg Config) (*observer, error) {
	if cfg.Observer == "" {
		return nil, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, exitstatus.New(125, err)
	}
	defer r.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		w.Close()
		return nil, exitstatus.New(125, err)
	}
	defer null.Close()
	p, err := os.StartProcess(cfg.Observer, []string{cfg.Observer, "--root", cfg.Root, cfg.ID}, &os.ProcAttr{
		Dir: "/", Env: childEnv(), Files: []*os.File{null, os.Stderr, os.Stderr, w},
		Sys: &syscall.SysProcAttr{Pdeathsig: syscall.SIGHUP},
	})
	w.Close()
	if err != nil {
		return nil, exitstatus.New(125, errors.New("container "+cfg.ID+": start "+cfg.Observer+": "+err.Error()))
	}
	o := &observer{p: p}
	rerr, ok := ReadReport(r)
	if !ok {
		rerr = exitstatus.New(125, errors.New("container "+cfg.ID+": "+cfg.Observer+" exited before it was attached (see the monitor's log)"))
	}
	if rerr != nil {
		o.stop()
		return nil, rerr
	}
	return o, nil
}

// observerGrace is how long the observer gets for its last read of the
// map once asked to stop.
const observerGrace = 5 * time.Second

// stop asks the observer to read a last time and detach, and waits for
// it (killing it after observerGrace). The monitor may have reaped it
// already, as the subreaper reaping any child: then Wait fails at once.
func (o *observer) stop() {
	if o == nil {
		return
	}
	o.p.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		o.p.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(observerGrace):
		o.p.Kill()
		<-done
	}
}
