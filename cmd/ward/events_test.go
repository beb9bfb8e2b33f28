package main

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEvents: the journal records what ward did, in order, and ward
// events replays, filters and follows it as docker events does.
func TestEvents(t *testing.T) {
	w := newWardEnv(t)
	since := strconv.FormatInt(time.Now().Unix(), 10)
	w.must(t, "run", "-d", "--name", "ev", "busybox", "sleep", "100")
	w.must(t, "kill", "ev")
	w.must(t, "wait", "ev")
	w.must(t, "rename", "ev", "ev2")
	w.must(t, "rm", "ev2")
	w.must(t, "volume", "create", "evvol")
	w.must(t, "volume", "rm", "evvol")
	until := strconv.FormatInt(time.Now().Unix()+1, 10)
	got := w.must(t, "events", "--since", since, "--until", until, "--format", "{{.Type}} {{.Action}} {{or .Actor.Attributes.name .Actor.ID}}")
	want := "container create ev\ncontainer start ev\ncontainer kill ev\ncontainer die ev\ncontainer rename ev2\ncontainer destroy ev2\nvolume create evvol\nvolume destroy evvol\n"
	if got != want {
		t.Errorf("events:\n%s\nwant\n%s", got, want)
	}
	if got := w.must(t, "events", "--since", since, "--until", until, "--filter", "event=die", "--format", "{{.Actor.Attributes.exitCode}} {{.Status}}"); got != "137 die\n" {
		t.Errorf("events --filter event=die: %q", got)
	}
	if got := w.must(t, "events", "--since", since, "--until", until, "--filter", "type=volume", "--filter", "volume=evvol"); strings.Count(got, "\n") != 2 || !strings.Contains(got, " volume create evvol (driver=local)") {
		t.Errorf("events of a volume:\n%s", got)
	}
	if _, _, code := w.run(t, nil, "events", "--filter", "colour=red", "--until", until); code != 1 {
		t.Errorf("bad filter: exit %d", code)
	}

	// Followed: a new event shows while ward events runs.
	cmd := exec.Command(w.bin, "--root", w.root, "events", "--filter", "type=volume")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	time.Sleep(300 * time.Millisecond)
	w.must(t, "volume", "create", "live")
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- l
	}()
	select {
	case l := <-line:
		if !strings.Contains(l, "volume create live") {
			t.Errorf("followed event: %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Error("ward events did not show the new event")
	}
	w.must(t, "volume", "rm", "live")
}
