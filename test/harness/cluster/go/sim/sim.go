package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	appslisters "k8s.io/client-go/listers/apps/v1"
	batchlisters "k8s.io/client-go/listers/batch/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
)

// Pod-template annotations understood by the simulator (the contract is in the README's simulated
// cluster section). Beyond the annotations, the simulated kubelet also reacts to the spec as the
// real one does: missing ConfigMap/Secret volume sources or items keys (FailedMount, re-reported
// for running pods on each 20 s sync), missing imagePullSecrets (FailedToRetrieveImagePullSecret on
// each pull and sync; pulls from a "private.*" registry then fail with an authorization error),
// images tagged "*-crashes" (ready at once, exit 1 after 8 s), and container logs (logs.go).
const (
	annMemoryPeak = "sim.nimbusguard.dev/memory-peak"
	annExitAfter  = "sim.nimbusguard.dev/exit-after"
	annExitCode   = "sim.nimbusguard.dev/exit-code"
	annNotReady   = "sim.nimbusguard.dev/not-ready"
	annEvictAfter = "sim.nimbusguard.dev/evict-after"
	// Pod setup failures: the sandbox (CNI) or the first volume (multi-attach | csi) never comes up.
	annSandboxError = "sim.nimbusguard.dev/sandbox-error"
	annVolumeError  = "sim.nimbusguard.dev/volume-error"
	// Init containers (not sidecars) exit with this code (retried unless restartPolicy Never, then the
	// pod fails); sidecars (restartPolicy Always init containers) exit after sidecar-exit-after, with
	// exit-code, and are restarted with back-off.
	annInitExitCode     = "sim.nimbusguard.dev/init-exit-code"
	annSidecarExitAfter = "sim.nimbusguard.dev/sidecar-exit-after"
	// Workload (Deployment/StatefulSet/DaemonSet/ReplicaSet/Job) metadata annotations.
	annLoadCPU    = "sim.nimbusguard.dev/load-cpu"
	annLoadMemory = "sim.nimbusguard.dev/load-memory"
	// Written by the simulator on each pod, read by kwok's ClusterResourceUsage.
	annUsageCPU    = "sim.nimbusguard.dev/usage-cpu."
	annUsageMemory = "sim.nimbusguard.dev/usage-memory."
)

type simConfig struct {
	crashBase, crashMax time.Duration // CrashLoopBackOff: base doubles per crash up to max
	pullBase, pullMax   time.Duration // ImagePullBackOff
	jobExit             time.Duration // Job pods without exit-after complete after this
	usageEvery          time.Duration
}

// Sim plays the kubelet for every pod bound to a kwok-managed node: it drives
// container states, restarts with back-off, readiness, image pulls, events,
// graceful deletion, and publishes per-container usage for kwok's metrics.
type Sim struct {
	cfg     simConfig
	cs      kubernetes.Interface
	pods    corelisters.PodLister
	nodes   corelisters.NodeLister
	rss     appslisters.ReplicaSetLister
	deps    appslisters.DeploymentLister
	stss    appslisters.StatefulSetLister
	dss     appslisters.DaemonSetLister
	jobs    batchlisters.JobLister
	cms     corelisters.ConfigMapLister
	secs    corelisters.SecretLister
	bcast   record.EventBroadcaster
	dyn     dynamic.Interface
	logsDir string // where container logs are written for kwok to serve; empty: no logs

	mu        sync.Mutex
	recorders map[string]record.EventRecorder
	runners   map[types.UID]*runner
	deleting  map[types.UID]bool
	images    map[string]map[string]bool // node -> images already pulled
	ips       map[string]map[string]types.UID
	ipCursor  map[string]int
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	kc := fs.String("kubeconfig", "", "kubeconfig with rights to pods/status, pods and events")
	cfg := simConfig{}
	fs.DurationVar(&cfg.crashBase, "crashloop-base", 10*time.Second, "first CrashLoopBackOff delay")
	fs.DurationVar(&cfg.crashMax, "crashloop-max", 5*time.Minute, "maximum CrashLoopBackOff delay")
	fs.DurationVar(&cfg.pullBase, "image-pull-base", 10*time.Second, "first ImagePullBackOff delay")
	fs.DurationVar(&cfg.pullMax, "image-pull-max", 5*time.Minute, "maximum ImagePullBackOff delay")
	fs.DurationVar(&cfg.jobExit, "job-default-exit-after", 3*time.Second, "run time of Job pods without exit-after")
	fs.DurationVar(&cfg.usageEvery, "usage-interval", 2*time.Second, "how often usage annotations are refreshed")
	logsDir := fs.String("logs-dir", "", "write container logs here (CRI format) and publish kwok Logs objects for them")
	metricsAddr := fs.String("metrics-address", "", "loopback host:port serving per-pod http_requests_total on /metrics (empty: off)")
	_ = fs.Parse(args)

	rc, err := restConfig(*kc)
	if err != nil {
		return err
	}
	rc.UserAgent = "nimbus-sim"
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f := informers.NewSharedInformerFactory(cs, 30*time.Second)
	s := &Sim{
		cfg: cfg, cs: cs,
		pods: f.Core().V1().Pods().Lister(), nodes: f.Core().V1().Nodes().Lister(),
		rss: f.Apps().V1().ReplicaSets().Lister(), deps: f.Apps().V1().Deployments().Lister(),
		stss: f.Apps().V1().StatefulSets().Lister(), dss: f.Apps().V1().DaemonSets().Lister(),
		jobs: f.Batch().V1().Jobs().Lister(),
		cms:  f.Core().V1().ConfigMaps().Lister(), secs: f.Core().V1().Secrets().Lister(),
		recorders: map[string]record.EventRecorder{}, runners: map[types.UID]*runner{},
		deleting: map[types.UID]bool{}, images: map[string]map[string]bool{},
		ips: map[string]map[string]types.UID{}, ipCursor: map[string]int{},
		logsDir: *logsDir,
	}
	if *logsDir != "" {
		s.dyn = dynamic.NewForConfigOrDie(rc)
	}
	// A little more generous than the kubelet's default spam filter so long
	// crash loops keep their BackOff counts current.
	s.bcast = record.NewBroadcaster(record.WithContext(ctx),
		record.WithCorrelatorOptions(record.CorrelatorOptions{BurstSize: 60, QPS: 0.2}))
	s.bcast.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cs.CoreV1().Events("")})
	defer s.bcast.Shutdown()

	_, _ = f.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(o any) { s.observe(ctx, o.(*corev1.Pod)) },
		UpdateFunc: func(_, o any) { s.observe(ctx, o.(*corev1.Pod)) },
		DeleteFunc: func(o any) {
			if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
				o = t.Obj
			}
			if p, ok := o.(*corev1.Pod); ok {
				s.forget(p)
			}
		},
	})
	// Pods bound before their node reached the cache are picked up on node events.
	_, _ = f.Core().V1().Nodes().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(o any) { s.resyncNode(ctx, o.(*corev1.Node).Name) },
	})
	f.Start(ctx.Done())
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("cache for %v did not sync", typ)
		}
	}
	fmt.Println("nimbus-sim: caches synced, simulating pods on kwok nodes")
	go s.usageLoop(ctx)
	if err := s.startRequestMetrics(ctx, *metricsAddr); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func (s *Sim) managedNode(name string) (*corev1.Node, bool) {
	if name == "" {
		return nil, false
	}
	n, err := s.nodes.Get(name)
	if err != nil || n.Annotations[kwokNodeAnnotation] != "fake" {
		return nil, false
	}
	return n, true
}

func (s *Sim) recorder(node string) record.EventRecorder {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.recorders[node]
	if !ok {
		r = s.bcast.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: node})
		s.recorders[node] = r
	}
	return r
}

func (s *Sim) resyncNode(ctx context.Context, node string) {
	pods, _ := s.pods.List(everything)
	for _, p := range pods {
		if p.Spec.NodeName == node {
			s.observe(ctx, p)
		}
	}
}

// observe reacts to every pod add/update: starts a runner for newly bound
// pods and handles graceful deletion.
func (s *Sim) observe(ctx context.Context, pod *corev1.Pod) {
	if _, ok := s.managedNode(pod.Spec.NodeName); !ok {
		return
	}
	if pod.DeletionTimestamp != nil {
		s.terminate(ctx, pod)
		return
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return
	}
	rec := s.recorder(pod.Spec.NodeName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.runners[pod.UID]; ok || s.deleting[pod.UID] {
		return
	}
	r := newRunner(ctx, s, pod, rec)
	s.runners[pod.UID] = r
	go r.run()
}

// terminate plays the kubelet's side of graceful deletion: stop the
// containers (Killing events), then remove the pod for good.
func (s *Sim) terminate(ctx context.Context, pod *corev1.Pod) {
	s.mu.Lock()
	if s.deleting[pod.UID] {
		s.mu.Unlock()
		return
	}
	s.deleting[pod.UID] = true
	if r, ok := s.runners[pod.UID]; ok {
		r.cancel()
		delete(s.runners, pod.UID)
	}
	s.mu.Unlock()

	rec := s.recorder(pod.Spec.NodeName)
	for _, st := range pod.Status.ContainerStatuses {
		if st.State.Running != nil {
			rec.Eventf(containerRef(pod, st.Name, false), corev1.EventTypeNormal, "Killing", "Stopping container %s", st.Name)
		}
	}
	grace := 500 * time.Millisecond
	if pod.DeletionGracePeriodSeconds != nil && time.Duration(*pod.DeletionGracePeriodSeconds)*time.Second < grace {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	}
	go func() {
		time.Sleep(grace)
		zero := int64(0)
		uid := pod.UID
		for i := 0; i < 10 && ctx.Err() == nil; i++ {
			err := s.cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &uid}})
			if err == nil || apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
				return
			}
			fmt.Fprintf(os.Stderr, "delete %s/%s: %v\n", pod.Namespace, pod.Name, err)
			time.Sleep(time.Second)
		}
	}()
}

func (s *Sim) forget(pod *corev1.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.runners[pod.UID]; ok {
		r.cancel()
		delete(s.runners, pod.UID)
	}
	delete(s.deleting, pod.UID)
	if m := s.ips[pod.Spec.NodeName]; m != nil {
		for ip, uid := range m {
			if uid == pod.UID {
				delete(m, ip)
			}
		}
	}
}

// allocateIP hands out an unused address from the node's pod CIDR.
func (s *Sim) allocateIP(node *corev1.Node, pod *corev1.Pod) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.ips[node.Name]
	if m == nil {
		m = map[string]types.UID{}
		s.ips[node.Name] = m
		// Addresses of pods that already run there (simulator restart).
		pods, _ := s.pods.List(everything)
		for _, p := range pods {
			if p.Spec.NodeName == node.Name && p.Status.PodIP != "" {
				m[p.Status.PodIP] = p.UID
			}
		}
	}
	if pod.Status.PodIP != "" {
		m[pod.Status.PodIP] = pod.UID
		return pod.Status.PodIP
	}
	_, cidr, err := net.ParseCIDR(node.Spec.PodCIDR)
	if err != nil {
		_, cidr, _ = net.ParseCIDR("10.244.0.0/24")
	}
	base := cidr.IP.To4()
	ones, bits := cidr.Mask.Size()
	size := 1 << (bits - ones)
	for i := 0; i < size; i++ {
		s.ipCursor[node.Name] = s.ipCursor[node.Name]%(size-3) + 1
		off := s.ipCursor[node.Name] + 1 // skip network and .1 (gateway)
		ip := make(net.IP, 4)
		copy(ip, base)
		v := uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
		v += uint32(off)
		ip = net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4()
		if _, used := m[ip.String()]; !used {
			m[ip.String()] = pod.UID
			return ip.String()
		}
	}
	return ""
}

func (s *Sim) imagePresent(node, image string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.images[node][image]
}

func (s *Sim) markImage(node, image string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.images[node] == nil {
		s.images[node] = map[string]bool{}
	}
	s.images[node][image] = true
}

func containerRef(pod *corev1.Pod, name string, init bool) *corev1.ObjectReference {
	ref := &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID}
	if name != "" {
		if init {
			ref.FieldPath = fmt.Sprintf("spec.initContainers{%s}", name)
		} else {
			ref.FieldPath = fmt.Sprintf("spec.containers{%s}", name)
		}
	}
	return ref
}
