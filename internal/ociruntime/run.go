package ociruntime

import "context"

// RunDetached creates and starts container id in one runtime call
// (`run --detach`), which costs one process start fewer than Create then
// Start. The init's pid is in opts.PidFile once it returns. Use
// Create and Start instead when something must happen between the two
// (a terminal's size set before the process runs).
func (r *Runtime) RunDetached(ctx context.Context, id, bundle string, opts CreateOpts) error {
	args := []string{"run", "--detach", "--bundle", bundle}
	if opts.PidFile != "" {
		args = append(args, "--pid-file", opts.PidFile)
	}
	if opts.ConsoleSocket != "" {
		args = append(args, "--console-socket", opts.ConsoleSocket)
	}
	// Reported as "create": a missing part of the bundle is not a missing
	// container (see Error.Is).
	_, err := r.run(ctx, "create", id, append(args, id), nil, &opts.Stdio)
	return err
}
