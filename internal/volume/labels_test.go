package volume

import (
	"reflect"
	"testing"
)

func TestParseLabels(t *testing.T) {
	if got := ParseLabels(nil); got != nil {
		t.Errorf("no labels: %v, want nil", got)
	}
	want := map[string]string{"a": "1", "b": "", "c": "x=y"}
	if got := ParseLabels([]string{"a=1", "b", "c=x=y"}); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
