package main

import (
	"fmt"
	"net"
	"strconv"
)

// cmdPorts prints N distinct free ports on 127.0.0.1, one per line. All
// listeners are held open until every port is chosen so none repeats.
func cmdPorts(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: ports N")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > 64 {
		return fmt.Errorf("bad port count %q", args[0])
	}
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ls = append(ls, l)
		fmt.Println(l.Addr().(*net.TCPAddr).Port)
	}
	return nil
}
