//go:build tools

// Package tools pins the metrics-server command that build.sh compiles.
package tools

import _ "sigs.k8s.io/metrics-server/cmd/metrics-server"
