package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Request-rate load: a workload annotated sim.nimbusguard.dev/load-rps serves
// that many requests per second in total, shared equally by its Ready pods.
// Each pod counts what it served in http_requests_total{namespace,pod}, served
// in the Prometheus text format on /metrics, so one static scrape target gives
// Prometheus a per-pod counter as an instrumented application would.
const annLoadRPS = "sim.nimbusguard.dev/load-rps"

type podCounter struct {
	namespace, pod string
	total          float64
}

type requestCounters struct {
	mu     sync.Mutex
	pods   map[types.UID]*podCounter
	last   time.Time
	ticker time.Duration
}

// startRequestMetrics serves /metrics on addr (a loopback address) and keeps
// the counters advancing until ctx ends. An empty addr turns the feature off.
func (s *Sim) startRequestMetrics(ctx context.Context, addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--metrics-address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--metrics-address %q: only a loopback address is allowed", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	rc := &requestCounters{pods: map[types.UID]*podCounter{}, ticker: time.Second}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write([]byte(rc.exposition()))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(os.Stderr, "metrics server: %v\n", err)
		}
	}()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		t := time.NewTicker(rc.ticker)
		defer t.Stop()
		for {
			rc.advance(s, time.Now())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	fmt.Printf("nimbus-sim: request counters on http://%s/metrics\n", addr)
	return nil
}

// advance adds each Ready pod's share of its workload's load-rps for the time
// since the last call, and forgets pods that no longer exist.
func (rc *requestCounters) advance(s *Sim, now time.Time) {
	pods, err := s.pods.List(everything)
	if err != nil {
		return
	}
	type load struct {
		rps       float64
		annotated bool
		ready     []*corev1.Pod
	}
	loads := map[string]*load{}
	for _, p := range pods {
		if _, ok := s.managedNode(p.Spec.NodeName); !ok || p.DeletionTimestamp != nil || !podReady(p) {
			continue
		}
		key, ann := s.workload(p)
		if key == "" {
			continue
		}
		l, ok := loads[key]
		if !ok {
			_, annotated := ann[annLoadRPS]
			l = &load{rps: parseRPS(ann[annLoadRPS]), annotated: annotated}
			loads[key] = l
		}
		l.ready = append(l.ready, p)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	dt := 0.0
	if !rc.last.IsZero() {
		dt = now.Sub(rc.last).Seconds()
	}
	rc.last = now
	for _, l := range loads {
		if !l.annotated {
			continue
		}
		share := l.rps / float64(len(l.ready))
		for _, p := range l.ready {
			c, ok := rc.pods[p.UID]
			if !ok {
				c = &podCounter{namespace: p.Namespace, pod: p.Name}
				rc.pods[p.UID] = c
				continue // a new series starts at 0, as a freshly started process does
			}
			c.total += share * dt
		}
	}
	// A pod that left (deleted, not Ready, or its workload lost the annotation) keeps its
	// series while it still exists, as a real process does; deleted pods disappear.
	live := map[types.UID]bool{}
	for _, p := range pods {
		if p.DeletionTimestamp == nil {
			live[p.UID] = true
		}
	}
	for uid := range rc.pods {
		if !live[uid] {
			delete(rc.pods, uid)
		}
	}
}

func parseRPS(v string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f != f {
		return 0
	}
	return f
}

func (rc *requestCounters) exposition() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	lines := make([]string, 0, len(rc.pods))
	for _, c := range rc.pods {
		lines = append(lines, fmt.Sprintf("http_requests_total{namespace=%q,pod=%q} %s",
			c.namespace, c.pod, strconv.FormatFloat(c.total, 'f', -1, 64)))
	}
	sort.Strings(lines)
	var b strings.Builder
	b.WriteString("# HELP http_requests_total Requests served by the simulated pod.\n")
	b.WriteString("# TYPE http_requests_total counter\n")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
