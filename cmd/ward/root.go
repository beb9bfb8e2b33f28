package main

import "os"

// wardRoot is ward's state directory: WARD_ROOT (which the global --root
// flag sets), defaulting to /var/lib/ward.
func wardRoot() string {
	if r := os.Getenv("WARD_ROOT"); r != "" {
		return r
	}
	return "/var/lib/ward"
}
