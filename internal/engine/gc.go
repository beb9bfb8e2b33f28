package engine

import (
	"runtime/debug"
	"sync"
	"time"
)

// setupMemoryLimit bounds the heap while the collector is held off: near
// it the collector runs anyway (runtime/debug.SetMemoryLimit), so a
// create that allocates far more than usual still stays small.
const setupMemoryLimit = 64 << 20

// gcResumeDelay is how long a supervised container runs before the
// collector is back: a short container's whole run is over by then.
const gcResumeDelay = time.Second

// gcHold is the collector's state between holdGC and resumeGC.
var gcHold struct {
	sync.Mutex
	held        bool
	percent     int   // GOGC before the hold
	memoryLimit int64 // GOMEMLIMIT before the hold
}

// holdGC turns the garbage collector off for the burst of a container's
// create, start and, for a short container, its end; resumeGCSoon brings
// it back once the container has run a while. That burst allocates a
// few MB of short-lived objects (the image config, the spec and its
// JSON, the records) in a process that has just started: the heap
// crosses the collector's first goal (4 MB) once, and that one
// collection, with the start of its worker threads, was 5 to 8% of the
// CPU time of ward's own process in `ward run --rm IMAGE true` (perf,
// BENCHMARKS.md), for memory the process gives back when it exits a few
// milliseconds later. A process that creates without supervising (`ward
// create`, `ward run -d`) exits right after.
func holdGC() {
	gcHold.Lock()
	defer gcHold.Unlock()
	if gcHold.held {
		return
	}
	gcHold.held = true
	gcHold.memoryLimit = debug.SetMemoryLimit(setupMemoryLimit)
	gcHold.percent = debug.SetGCPercent(-1)
}

// resumeGCSoon gives the collector back its settings (GOGC, GOMEMLIMIT)
// once a supervised container has run gcResumeDelay: ward may copy its
// output for days.
func resumeGCSoon() {
	gcHold.Lock()
	held := gcHold.held
	gcHold.Unlock()
	if held {
		time.AfterFunc(gcResumeDelay, resumeGC)
	}
}

func resumeGC() {
	gcHold.Lock()
	defer gcHold.Unlock()
	if !gcHold.held {
		return
	}
	gcHold.held = false
	debug.SetGCPercent(gcHold.percent)
	debug.SetMemoryLimit(gcHold.memoryLimit)
}
