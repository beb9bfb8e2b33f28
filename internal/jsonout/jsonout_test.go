package jsonout

import (
	"bytes"
	"testing"
)

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, map[string]any{"id": "c1", "pids": []int{1, 2}}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"id\": \"c1\",\n  \"pids\": [\n    1,\n    2\n  ]\n}\n"
	if buf.String() != want {
		t.Errorf("Write = %q, want %q", buf.String(), want)
	}
	if err := Write(&buf, func() {}); err == nil {
		t.Error("Write(func) gave no error")
	}
}
