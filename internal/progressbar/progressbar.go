// Package progressbar draws the one-line progress of pull, push, load and
// import on a terminal, in docker's units; on anything else it draws
// nothing, so logs and pipes stay clean.
package progressbar

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/term"

	"github.com/wardproject/ward/internal/image/store"
)

// Bar draws one line of progress on a terminal; on anything else
// it draws nothing, so logs and pipes stay clean.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

// New returns nil when w is not a terminal.
func New(w io.Writer, label string) *Bar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &Bar{w: w, label: label}
}

// Update is a store.Progress; nil-safe.
func (p *Bar) Update(done, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last = time.Now()
	p.drawn = true
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s: %s", p.label, HumanSize(done))
		return
	}
	const width = 30
	n := min(int(done*width/total), width)
	fmt.Fprintf(p.w, "\r%s: [%s%s] %s/%s", p.label, strings.Repeat("=", n), strings.Repeat(" ", width-n),
		HumanSize(done), HumanSize(total))
}

// Progress returns the bar's update as a store.Progress (nil when off).
func (p *Bar) Progress() store.Progress {
	if p == nil {
		return nil
	}
	return p.Update
}

// Updates feeds go-containerregistry's push updates into the bar; nil
// when the bar is off. remote.Write closes the channel when it is done.
func (p *Bar) Updates() chan<- v1.Update {
	if p == nil {
		return nil
	}
	ch := make(chan v1.Update, 16)
	go func() {
		for u := range ch {
			p.Update(u.Complete, u.Total)
		}
	}()
	return ch
}

// Finish ends the line the bar drew.
func (p *Bar) Finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// HumanSize prints sizes as docker does (decimal units, 3 significant digits).
func HumanSize(n int64) string {
	f := float64(n)
	for _, u := range []string{"B", "kB", "MB", "GB", "TB"} {
		if f < 1000 {
			if u == "B" {
				return fmt.Sprintf("%dB", n)
			}
			return fmt.Sprintf("%.3g%s", f, u)
		}
		f /= 1000
	}
	return fmt.Sprintf("%.3gPB", f)
}
