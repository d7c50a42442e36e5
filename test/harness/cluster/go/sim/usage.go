package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// usageLoop keeps the per-container usage annotations that kwok's
// ClusterResourceUsage turns into kubelet resource metrics up to date.
//
// A container that is not running uses nothing. A running one uses its
// baseline (derived from requests/limits, or the memory-peak annotation),
// unless its workload carries sim.nimbusguard.dev/load-cpu / load-memory: that
// total is shared by the workload's Ready pods, so scaling out lowers the
// per-pod figures. Inside a pod the share is split by the containers' requests.
func (s *Sim) usageLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.usageEvery)
	defer t.Stop()
	for {
		s.refreshUsage(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type workloadLoad struct {
	cpu, mem *resource.Quantity
	ready    int
}

func (s *Sim) refreshUsage(ctx context.Context) {
	pods, err := s.pods.List(everything)
	if err != nil {
		return
	}
	loads := map[string]*workloadLoad{}
	keyOf := map[types.UID]string{}
	for _, p := range pods {
		if _, ok := s.managedNode(p.Spec.NodeName); !ok || p.DeletionTimestamp != nil {
			continue
		}
		key, ann := s.workload(p)
		if key == "" {
			continue
		}
		keyOf[p.UID] = key
		l, ok := loads[key]
		if !ok {
			l = &workloadLoad{cpu: quantity(ann[annLoadCPU]), mem: quantity(ann[annLoadMemory])}
			loads[key] = l
		}
		if podReady(p) {
			l.ready++
		}
	}
	for _, p := range pods {
		if _, ok := s.managedNode(p.Spec.NodeName); !ok || p.DeletionTimestamp != nil ||
			p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		var load *workloadLoad
		if k, ok := keyOf[p.UID]; ok && podReady(p) {
			load = loads[k]
		}
		want := desiredUsage(p, load)
		patch := map[string]any{}
		for k, v := range want {
			if p.Annotations[k] != v {
				patch[k] = v
			}
		}
		if len(patch) == 0 {
			continue
		}
		body, _ := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": patch}})
		if _, err := s.cs.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.MergePatchType, body,
			metav1.PatchOptions{FieldManager: "nimbus-sim"}); err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "patch usage %s/%s: %v\n", p.Namespace, p.Name, err)
		}
	}
}

// workload finds the object that owns the pod's replicas and returns a
// stable key plus the annotations that may carry a load.
func (s *Sim) workload(p *corev1.Pod) (string, map[string]string) {
	ref := metav1.GetControllerOf(p)
	if ref == nil {
		return "", nil
	}
	switch ref.Kind {
	case "ReplicaSet":
		rs, err := s.rss.ReplicaSets(p.Namespace).Get(ref.Name)
		if err != nil {
			return "rs/" + string(ref.UID), nil
		}
		if dref := metav1.GetControllerOf(rs); dref != nil && dref.Kind == "Deployment" {
			if d, err := s.deps.Deployments(p.Namespace).Get(dref.Name); err == nil {
				return "deploy/" + string(d.UID), d.Annotations
			}
			return "deploy/" + string(dref.UID), nil
		}
		return "rs/" + string(rs.UID), rs.Annotations
	case "StatefulSet":
		if o, err := s.stss.StatefulSets(p.Namespace).Get(ref.Name); err == nil {
			return "sts/" + string(o.UID), o.Annotations
		}
	case "DaemonSet":
		if o, err := s.dss.DaemonSets(p.Namespace).Get(ref.Name); err == nil {
			return "ds/" + string(o.UID), o.Annotations
		}
	case "Job":
		if o, err := s.jobs.Jobs(p.Namespace).Get(ref.Name); err == nil {
			return "job/" + string(o.UID), o.Annotations
		}
	}
	return string(ref.Kind) + "/" + string(ref.UID), nil
}

func desiredUsage(p *corev1.Pod, load *workloadLoad) map[string]string {
	running := map[string]bool{}
	for _, st := range p.Status.ContainerStatuses {
		running[st.Name] = st.State.Running != nil
	}
	peak := quantity(p.Annotations[annMemoryPeak])
	var cpuW, memW []float64
	var cpuSum, memSum float64
	for _, c := range p.Spec.Containers {
		cw := float64(c.Resources.Requests.Cpu().MilliValue())
		mw := float64(c.Resources.Requests.Memory().Value())
		cpuW, memW = append(cpuW, cw), append(memW, mw)
		cpuSum += cw
		memSum += mw
	}
	share := func(total *resource.Quantity, w []float64, sum float64, i int, milli bool) int64 {
		frac := 1 / float64(len(w))
		if sum > 0 {
			frac = w[i] / sum
		}
		v := float64(total.Value())
		if milli {
			v = float64(total.MilliValue())
		}
		return int64(v * frac / float64(load.ready))
	}
	out := map[string]string{}
	for i, c := range p.Spec.Containers {
		var cpuM, memB int64
		if running[c.Name] {
			cpuM, memB = baselineCPU(c), baselineMemory(c, peak)
			if load != nil && load.ready > 0 {
				if load.cpu != nil {
					cpuM = share(load.cpu, cpuW, cpuSum, i, true)
				}
				if load.mem != nil {
					memB = share(load.mem, memW, memSum, i, false)
				}
			}
		}
		out[annUsageCPU+c.Name] = strconv.FormatInt(cpuM, 10) + "m"
		out[annUsageMemory+c.Name] = strconv.FormatInt(memB, 10)
	}
	return out
}

// baselineCPU is half the request (or a quarter of the limit, or 10m), in millicores.
func baselineCPU(c corev1.Container) int64 {
	if q, ok := c.Resources.Requests[corev1.ResourceCPU]; ok && !q.IsZero() {
		return max(q.MilliValue()/2, 1)
	}
	if q, ok := c.Resources.Limits[corev1.ResourceCPU]; ok && !q.IsZero() {
		return max(q.MilliValue()/4, 1)
	}
	return 10
}

// baselineMemory is the memory-peak when the container survives it,
// otherwise 60% of the request (or half the limit, or 32Mi), in bytes.
func baselineMemory(c corev1.Container, peak *resource.Quantity) int64 {
	lim, hasLim := c.Resources.Limits[corev1.ResourceMemory]
	if peak != nil && (!hasLim || lim.IsZero() || peak.Cmp(lim) <= 0) {
		return peak.Value()
	}
	if q, ok := c.Resources.Requests[corev1.ResourceMemory]; ok && !q.IsZero() {
		return q.Value() * 6 / 10
	}
	if hasLim && !lim.IsZero() {
		return lim.Value() / 2
	}
	return 32 << 20
}

func quantity(v string) *resource.Quantity {
	if v == "" {
		return nil
	}
	q, err := resource.ParseQuantity(v)
	if err != nil {
		return nil
	}
	return &q
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
