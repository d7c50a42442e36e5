//go:build tools

// Package tools pins the upstream control-plane commands that build.sh
// compiles; the blank imports keep them (and their dependencies) in go.mod.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
