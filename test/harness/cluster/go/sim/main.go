// Command nimbus-sim is the harness side of the simulated cluster:
//
//	nimbus-sim ports N                         print N free loopback TCP ports
//	nimbus-sim pki --state DIR --api-port P    certificates, keys and kubeconfigs
//	nimbus-sim bootstrap --kubeconfig K ...    nodes, namespaces, RBAC, metrics APIService
//	nimbus-sim wait --state DIR ... COND...    block until the cluster reaches COND
//	nimbus-sim run --kubeconfig K              the kubelet-level pod simulator
//	nimbus-sim crds --kubeconfig K             the Logs CRD kwok serves container logs from
//
// up.sh drives all of these; see README-section.md for the simulation contract.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "ports":
		err = cmdPorts(os.Args[2:])
	case "pki":
		err = cmdPKI(os.Args[2:])
	case "bootstrap":
		err = cmdBootstrap(os.Args[2:])
	case "wait":
		err = cmdWait(os.Args[2:])
	case "run":
		err = cmdRun(os.Args[2:])
	case "crds":
		err = cmdCRDs(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "nimbus-sim %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: nimbus-sim ports|pki|bootstrap|wait|run|crds [flags]")
	os.Exit(2)
}
