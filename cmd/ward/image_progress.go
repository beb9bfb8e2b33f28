package main

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

// progressBar draws one line of progress on a terminal; on anything else
// it draws nothing, so logs and pipes stay clean.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	last  time.Time
	drawn bool
}

// newProgressBar returns nil when w is not a terminal.
func newProgressBar(w io.Writer, label string) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w, label: label}
}

// update is a store.Progress; nil-safe.
func (p *progressBar) update(done, total int64) {
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
		fmt.Fprintf(p.w, "\r%s: %s", p.label, humanSize(done))
		return
	}
	const width = 30
	n := min(int(done*width/total), width)
	fmt.Fprintf(p.w, "\r%s: [%s%s] %s/%s", p.label, strings.Repeat("=", n), strings.Repeat(" ", width-n),
		humanSize(done), humanSize(total))
}

// progress returns the bar's update as a store.Progress (nil when off).
func (p *progressBar) progress() store.Progress {
	if p == nil {
		return nil
	}
	return p.update
}

// updates feeds go-containerregistry's push updates into the bar; nil
// when the bar is off. remote.Write closes the channel when it is done.
func (p *progressBar) updates() chan<- v1.Update {
	if p == nil {
		return nil
	}
	ch := make(chan v1.Update, 16)
	go func() {
		for u := range ch {
			p.update(u.Complete, u.Total)
		}
	}()
	return ch
}

// finish ends the line the bar drew.
func (p *progressBar) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}

// humanSize prints sizes as docker does (decimal units, 3 significant digits).
func humanSize(n int64) string {
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
