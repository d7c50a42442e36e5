package main

// Container logs for the simulated kubelet. kwok serves a pod's logs (current, --previous,
// --tail) from files named in a Logs object (kwok.x-k8s.io/v1alpha1, one per pod, enabled with
// kwok --enable-crds=Logs). The simulator writes those files in the CRI log format the kubelet's
// runtime writes ("<RFC3339Nano> <stream> F <line>") and keeps the Logs object beside the pod:
//
//   - every start writes a start-up line; an exit writes what a failing process prints last: the
//     error (sim.nimbusguard.dev/log-error, or one derived from the exit reason) and an exit line;
//   - a restart moves the current file to the previous one, as the kubelet keeps one previous log.

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

const annLogError = "sim.nimbusguard.dev/log-error"

var (
	logsGVR = schema.GroupVersionResource{Group: "kwok.x-k8s.io", Version: "v1alpha1", Resource: "logs"}
	crdGVR  = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
)

// cmdCRDs installs the Logs CustomResourceDefinition kwok reads (before kwok starts).
func cmdCRDs(args []string) error {
	fs := flag.NewFlagSet("crds", flag.ExitOnError)
	kc := fs.String("kubeconfig", "", "admin kubeconfig")
	_ = fs.Parse(args)
	cfg, err := restConfig(*kc)
	if err != nil {
		return err
	}
	dyn := dynamic.NewForConfigOrDie(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": "logs.kwok.x-k8s.io"},
		"spec": map[string]any{
			"group": "kwok.x-k8s.io",
			"scope": "Namespaced",
			"names": map[string]any{"kind": "Logs", "listKind": "LogsList", "plural": "logs", "singular": "logs"},
			"versions": []any{map[string]any{
				"name": "v1alpha1", "served": true, "storage": true,
				"subresources": map[string]any{"status": map[string]any{}},
				"schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "x-kubernetes-preserve-unknown-fields": true,
				}},
			}},
		},
	}}
	if _, err := dyn.Resource(crdGVR).Create(ctx, crd, metav1.CreateOptions{FieldManager: "nimbus-sim"}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create CRD logs.kwok.x-k8s.io: %w", err)
	}
	for ctx.Err() == nil {
		if _, err := dyn.Resource(logsGVR).Namespace("default").List(ctx, metav1.ListOptions{Limit: 1}); err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the Logs resource was not served in time")
}

func (r *runner) logPath(c *ctr, previous bool) string {
	suffix := ".log"
	if previous {
		suffix = ".previous.log"
	}
	return filepath.Join(r.s.logsDir, fmt.Sprintf("%s_%s_%s", r.pod.Namespace, r.pod.Name, r.pod.UID), c.spec.Name+suffix)
}

// publishLogs creates the pod's Logs object naming each container's files (once per pod).
func (r *runner) publishLogs() {
	if r.s.logsDir == "" || r.s.dyn == nil || r.logsPublished {
		return
	}
	var entries []any
	for _, c := range r.ctrs {
		if err := os.MkdirAll(filepath.Dir(r.logPath(c, false)), 0o755); err != nil {
			return
		}
		for _, prev := range []bool{false, true} {
			if f, err := os.OpenFile(r.logPath(c, prev), os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
				_ = f.Close()
			}
		}
		entries = append(entries, map[string]any{
			"containers": []any{c.spec.Name}, "logsFile": r.logPath(c, false), "previousLogsFile": r.logPath(c, true),
		})
	}
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kwok.x-k8s.io/v1alpha1",
		"kind":       "Logs",
		"metadata": map[string]any{
			"name": r.pod.Name, "namespace": r.pod.Namespace,
			"ownerReferences": []any{map[string]any{"apiVersion": "v1", "kind": "Pod", "name": r.pod.Name, "uid": string(r.pod.UID)}},
		},
		"spec": map[string]any{"logs": entries},
	}}
	_, err := r.s.dyn.Resource(logsGVR).Namespace(r.pod.Namespace).Create(r.ctx, obj, metav1.CreateOptions{FieldManager: "nimbus-sim"})
	if apierrors.IsAlreadyExists(err) {
		// A pod of the same name from before (a StatefulSet's): point it at this pod's files.
		if old, gerr := r.s.dyn.Resource(logsGVR).Namespace(r.pod.Namespace).Get(r.ctx, r.pod.Name, metav1.GetOptions{}); gerr == nil {
			obj.SetResourceVersion(old.GetResourceVersion())
			_, err = r.s.dyn.Resource(logsGVR).Namespace(r.pod.Namespace).Update(r.ctx, obj, metav1.UpdateOptions{FieldManager: "nimbus-sim"})
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "logs %s/%s: %v\n", r.pod.Namespace, r.pod.Name, err)
		return
	}
	r.logsPublished = true
}

func (r *runner) writeLog(c *ctr, at time.Time, stream string, lines ...string) {
	if r.s.logsDir == "" {
		return
	}
	f, err := os.OpenFile(r.logPath(c, false), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	for i, line := range lines {
		ts := at.Add(time.Duration(i) * time.Millisecond).UTC().Format(time.RFC3339Nano)
		_, _ = fmt.Fprintf(f, "%s %s F %s\n", ts, stream, strings.ReplaceAll(line, "\n", " "))
	}
}

// logStart rotates the previous run's log (the kubelet keeps one) and writes start-up lines.
func (r *runner) logStart(c *ctr, at time.Time) {
	if r.s.logsDir == "" {
		return
	}
	if c.restarts > 0 {
		_ = os.Rename(r.logPath(c, false), r.logPath(c, true))
	}
	r.writeLog(c, at, "stdout",
		fmt.Sprintf("level=info msg=\"starting %s\" image=%s", c.spec.Name, c.spec.Image),
		"level=info msg=\"config loaded\"")
}

// logExit writes what a process prints when it ends: an error for a failure, then the exit line.
func (r *runner) logExit(c *ctr, at time.Time, code int32, reason string) {
	if code == 0 {
		r.writeLog(c, at, "stdout", "level=info msg=\"done\"")
		return
	}
	msg := strings.TrimSpace(r.pod.Annotations[annLogError])
	if msg == "" {
		switch reason {
		case "OOMKilled":
			msg = "fatal error: runtime: out of memory"
		default:
			msg = fmt.Sprintf("Error: %s failed: connection refused (dial tcp 10.96.0.10:5432)", c.spec.Name)
		}
	}
	if reason != "OOMKilled" {
		r.writeLog(c, at, "stderr", "level=warn msg=\"retrying in 1s\"", msg, fmt.Sprintf("exit status %d", code))
	} else {
		r.writeLog(c, at, "stderr", msg)
	}
}
