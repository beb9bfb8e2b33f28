package engine

import (
	"reflect"
	"testing"
)

func TestParsePs(t *testing.T) {
	out := `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init
root         420       1  0 10:01 ?        00:00:00 sh -c sleep 1000
root         421     420  0 10:01 ?        00:00:00 sleep 1000
`
	titles, procs, err := ParsePs(out, []int{420, 421})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"root", "420", "1", "0", "10:01", "?", "00:00:00", "sh -c sleep 1000"},
		{"root", "421", "420", "0", "10:01", "?", "00:00:00", "sleep 1000"},
	}
	if len(titles) != 8 || !reflect.DeepEqual(procs, want) {
		t.Errorf("got %v %v", titles, procs)
	}
	if _, _, err := ParsePs("USER COMMAND\nroot x\n", []int{1}); err == nil {
		t.Error("no PID column: no error")
	}
}
