package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
)

// Which component's log explains a condition that never came true.
var conditionOwner = map[string]string{
	"api":        "kube-apiserver",
	"nodes":      "kwok",
	"default-sa": "kube-controller-manager",
	"metrics":    "metrics-server",
	"sim":        "nimbus-sim",
}

// cmdWait blocks until every condition holds. While waiting it checks that
// every process recorded under <state>/pids is still alive; if one died (or
// the timeout passes) it prints the tail of the relevant log and fails.
//
// Conditions: http=URL (200 OK), api, nodes=N, default-sa, metrics.
func cmdWait(args []string) error {
	fs := flag.NewFlagSet("wait", flag.ExitOnError)
	state := fs.String("state", "", "state directory")
	kc := fs.String("kubeconfig", "", "admin kubeconfig")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after")
	owner := fs.String("component", "", "component whose log to show for http= conditions")
	_ = fs.Parse(args)
	conds := fs.Args()

	var cs kubernetes.Interface
	var dyn dynamic.Interface
	if *kc != "" {
		cfg, err := restConfig(*kc)
		if err != nil {
			return err
		}
		cfg.Timeout = 5 * time.Second
		cs = kubernetes.NewForConfigOrDie(cfg)
		dyn = dynamic.NewForConfigOrDie(cfg)
	}
	httpc := &http.Client{Timeout: 3 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}

	deadline := time.Now().Add(*timeout)
	for _, cond := range conds {
		name, arg, _ := strings.Cut(cond, "=")
		var lastErr error
		for {
			if dead := deadProcesses(*state); len(dead) > 0 {
				for _, d := range dead {
					fmt.Fprintf(os.Stderr, "\n[up] %s exited unexpectedly; last lines of %s:\n", d, logPath(*state, d))
					tailLog(*state, d, 40)
				}
				return fmt.Errorf("%s died while waiting for %s", strings.Join(dead, ", "), cond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			lastErr = checkCondition(ctx, name, arg, cs, dyn, httpc)
			cancel()
			if lastErr == nil {
				break
			}
			if time.Now().After(deadline) {
				comp := conditionOwner[name]
				if name == "http" {
					comp = *owner
				}
				if comp != "" {
					fmt.Fprintf(os.Stderr, "\n[up] timed out waiting for %s (%v); last lines of %s:\n", cond, lastErr, logPath(*state, comp))
					tailLog(*state, comp, 40)
				}
				return fmt.Errorf("timed out waiting for %s: %v", cond, lastErr)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return nil
}

func checkCondition(ctx context.Context, name, arg string, cs kubernetes.Interface, dyn dynamic.Interface, httpc *http.Client) error {
	switch name {
	case "http":
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, arg, nil)
		resp, err := httpc.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: %s", arg, resp.Status)
		}
		return nil
	case "api":
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("readyz: %v %s", err, body)
		}
		return nil
	case "nodes":
		want, _ := strconv.Atoi(arg)
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		ready := 0
		for _, n := range nodes.Items {
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready < want {
			return fmt.Errorf("%d/%d nodes Ready", ready, want)
		}
		return nil
	case "default-sa":
		_, err := cs.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	case "metrics":
		gvr := schema.GroupVersionResource{Group: "apiregistration.k8s.io", Version: "v1", Resource: "apiservices"}
		u, err := dyn.Resource(gvr).Get(ctx, "v1beta1.metrics.k8s.io", metav1.GetOptions{})
		if err != nil {
			return err
		}
		conds, _, _ := unstructuredSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Available" {
				if m["status"] == "True" {
					return nil
				}
				return fmt.Errorf("APIService not available: %v", m["message"])
			}
		}
		return fmt.Errorf("APIService has no Available condition yet")
	}
	return fmt.Errorf("unknown condition %q", name)
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	var cur any = obj
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	s, ok := cur.([]any)
	return s, ok, nil
}

func logPath(state, comp string) string { return filepath.Join(state, "logs", comp+".log") }

func tailLog(state, comp string, n int) {
	f, err := os.Open(logPath(state, comp))
	if err != nil {
		fmt.Fprintf(os.Stderr, "  (no log: %v)\n", err)
		return
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	for _, l := range lines {
		fmt.Fprintln(os.Stderr, "  | "+l)
	}
}

// deadProcesses lists components whose recorded pid is gone (or a zombie).
func deadProcesses(state string) []string {
	if state == "" {
		return nil
	}
	files, _ := filepath.Glob(filepath.Join(state, "pids", "*.pid"))
	var dead []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || !alive(pid) {
			dead = append(dead, strings.TrimSuffix(filepath.Base(f), ".pid"))
		}
	}
	return dead
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// Field 3 is the state; the command in field 2 may contain spaces.
	s := string(stat)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
