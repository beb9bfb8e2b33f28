package observe

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// nrGetpriority is what the helper's other thread calls in a loop; no
// Go runtime and no busybox true makes it.
const nrGetpriority = 140

// execThreadsHelper is the test binary re-run in a cgroup: a thread
// calls getpriority(2) in a loop while the main thread execs busybox
// true, as a runtime's other threads run on while its init execs the
// workload. It never returns.
func execThreadsHelper() {
	runtime.LockOSThread() // the exec is made by this, the main, thread
	busybox, cg := os.Getenv("WARD_OBSERVE_BUSYBOX"), os.Getenv("WARD_OBSERVE_CGROUP")
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.Exit(3)
	}
	spinning := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(spinning)
		for {
			unix.Syscall(unix.SYS_GETPRIORITY, unix.PRIO_PROCESS, 0, 0)
		}
	}()
	<-spinning
	syscall.Exec(busybox, []string{"busybox", "true"}, nil)
	os.Exit(4)
}

func init() {
	if os.Getenv("WARD_OBSERVE_EXEC_THREADS") == "1" {
		execThreadsHelper()
	}
}

// The calls of the other threads of a process whose exec has begun and
// not ended are the old image's (a runtime's Go threads), not the
// workload's: they are not recorded. The exec and what the new image
// does are.
func TestExecOtherThreadsNotRecorded(t *testing.T) {
	busybox := requireObserver(t)
	for i := range 5 { // the window is short: try it several times
		cg := filepath.Join(unifiedMount(t), "ward-observe-threads-"+strconv.Itoa(os.Getpid())+"-"+strconv.Itoa(i))
		if err := os.Mkdir(cg, 0o755); err != nil {
			t.Fatal(err)
		}
		id, err := CgroupID(cg)
		if err != nil {
			os.Remove(cg)
			t.Fatal(err)
		}
		o, err := Attach(id)
		if err != nil {
			os.Remove(cg)
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "WARD_OBSERVE_EXEC_THREADS=1", "WARD_OBSERVE_BUSYBOX="+busybox, "WARD_OBSERVE_CGROUP="+cg)
		out, err := cmd.CombinedOutput()
		calls, rerr := o.Syscalls()
		o.Close()
		os.Remove(cg)
		if err != nil || rerr != nil {
			t.Fatalf("helper: %v, %v: %s", err, rerr, out)
		}
		if !slices.Contains(calls, nrExecve) || !slices.Contains(calls, 231 /* exit_group */) {
			t.Fatalf("recorded %v: want execve and exit_group", calls)
		}
		if slices.Contains(calls, nrGetpriority) {
			t.Fatalf("run %d recorded getpriority, made by another thread of the exec's process before the exec ended: %v", i, calls)
		}
	}
}
