// Command netprobe is the network tests' program inside containers
// (busybox's nc has no UDP here): a static binary bind-mounted in.
//
//	netprobe serve tcp|udp PORT       answer each connection or datagram
//	                                   with the peer's address, forever
//	netprobe dial PROTO HOST:PORT...  one line per target:
//	                                   "PROTO HOST:PORT ok SEEN", "... blocked"
//	                                   (no answer), "... refused" or "... error MSG"
//
// HOST may be a name, resolved through the container's /etc/hosts.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// wait is how long a dial waits for an answer before calling it blocked.
const wait = 1500 * time.Millisecond

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: netprobe serve tcp|udp PORT | netprobe dial PROTO HOST:PORT...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		if len(os.Args) != 4 {
			os.Exit(2)
		}
		if err := serve(os.Args[2], ":"+os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "netprobe:", err)
			os.Exit(1)
		}
	case "dial":
		// All at once, so that dropped targets cost one wait, not one each.
		args := os.Args[2:]
		results := make([]string, len(args)/2)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = dial(args[2*i], args[2*i+1])
			}()
		}
		wg.Wait()
		for i, r := range results {
			fmt.Println(args[2*i], args[2*i+1], r)
		}
	default:
		os.Exit(2)
	}
}

func serve(proto, addr string) error {
	if proto == "udp" {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		buf := make([]byte, 1500)
		for {
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return err
			}
			pc.WriteTo([]byte(from.String()+"\n"), from)
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		fmt.Fprintln(c, c.RemoteAddr().String())
		c.Close()
	}
}

func dial(proto, addr string) string {
	c, err := net.DialTimeout(proto, addr, wait)
	if err != nil {
		return outcome(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if proto == "udp" {
		if _, err := c.Write([]byte("ping\n")); err != nil {
			return outcome(err)
		}
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return outcome(err)
	}
	return "ok " + strings.TrimSpace(line)
}

func outcome(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "blocked"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return "blocked"
	}
	return "error " + strings.ReplaceAll(err.Error(), " ", "_")
}
