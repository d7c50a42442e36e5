// Command etcd runs the upstream etcd server entry point. The etcd root
// module cannot be installed with `go install` (it uses replace directives),
// so this wrapper links the server package directly.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
