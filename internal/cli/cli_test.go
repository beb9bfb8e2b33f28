package cli

import "testing"

func TestPlainNumbers(t *testing.T) {
	for in, want := range map[string]string{
		`invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": invalid syntax`: `invalid argument "x" for "--pids-limit" flag: "x" is not a number`,
		`invalid argument "9e99" for "-c" flag: strconv.ParseInt: parsing "9e99": value out of range`: `invalid argument "9e99" for "-c" flag: "9e99" is out of range`,
		`no such container: abc`: `no such container: abc`,
	} {
		if got := plainNumbers(in); got != want {
			t.Errorf("plainNumbers(%q) = %q, want %q", in, got, want)
		}
	}
}
