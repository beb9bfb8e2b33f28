package main

import "github.com/wardproject/ward/internal/cli"

// wardRoot is ward's state directory (the global --root flag, else
// $WARD_ROOT, else /var/lib/ward).
func wardRoot() string { return cli.WardRoot() }
