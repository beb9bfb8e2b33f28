package container

import (
	"fmt"
	"net"
	"os"
)

// dialConsole connects to the --console-socket, over which the init will
// send the master end of the container's pty.
func dialConsole(path string) (*os.File, error) {
	conn, err := net.Dial("unix", path)
	if err != nil {
		return nil, fmt.Errorf("connect to console socket %s: %w", path, err)
	}
	defer conn.Close()
	f, err := conn.(*net.UnixConn).File()
	if err != nil {
		return nil, fmt.Errorf("console socket %s: %w", path, err)
	}
	return f, nil
}
