package filter

import "testing"

func TestParse(t *testing.T) {
	a, err := Parse([]string{"name=web", "Name=db", "label=a=1", "status=running"}, "name", "label", "status")
	if err != nil {
		t.Fatal(err)
	}
	if !a.Is("name", "db") || !a.Is("name", "web") || a.Is("name", "x") {
		t.Errorf("name alternatives: %v", a)
	}
	if !a.Is("id", "anything") {
		t.Error("a key not given must match")
	}
	for _, bad := range []string{"name", "=x", "foo=bar"} {
		if _, err := Parse([]string{bad}, "name"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestLabels(t *testing.T) {
	labels := map[string]string{"app": "web", "tier": ""}
	for _, tc := range []struct {
		filters []string
		want    bool
	}{
		{nil, true},
		{[]string{"app"}, true},
		{[]string{"app=web"}, true},
		{[]string{"app=db"}, false},
		{[]string{"app=web", "tier"}, true},
		{[]string{"app=web", "other"}, false}, // every label filter must match
		{[]string{"app!=db"}, true},
		{[]string{"app!=web"}, false},
	} {
		a := Args{"label": tc.filters}
		if got := a.Labels("label", labels); got != tc.want {
			t.Errorf("%v: got %v, want %v", tc.filters, got, tc.want)
		}
	}
}

func TestWildcardAndBool(t *testing.T) {
	if !Wildcard("busy*", "busybox") || Wildcard("alp*", "busybox") {
		t.Error("wildcard")
	}
	if b, err := Bool("dangling", "true"); err != nil || !b {
		t.Error("true")
	}
	if _, err := Bool("dangling", "maybe"); err == nil {
		t.Error("maybe: no error")
	}
}
