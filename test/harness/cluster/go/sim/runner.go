package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/record"
)

var everything = labels.Everything()

type cstate int

const (
	stNotStarted  cstate = iota // waiting for the sandbox / init containers
	stPulling                   // ContainerCreating (pulling or creating)
	stPullErr                   // ErrImagePull
	stPullBackOff               // ImagePullBackOff
	stConfigErr                 // CreateContainerConfigError (missing ConfigMap/Secret or key)
	stRunning
	stTerminated   // exited, restart pending
	stCrashBackOff // CrashLoopBackOff
	stDone         // exited, will not restart
)

// How long the simulated runtime takes for the steps of a container start.
const (
	sandboxDelay    = 300 * time.Millisecond
	pullDuration    = 700 * time.Millisecond
	createDelay     = 200 * time.Millisecond
	oomAfter        = 1500 * time.Millisecond
	initRunTime     = 400 * time.Millisecond
	terminatedFor   = time.Second      // terminated state is visible this long before a restart/back-off
	configRetry     = 5 * time.Second  // retry of missing ConfigMaps/Secrets (env and volumes)
	remountEvery    = 20 * time.Second // re-sync of the volumes of a running pod
	imageCrashAfter = 8 * time.Second  // run time of images tagged *-crashes
)

type ctr struct {
	spec     corev1.Container
	init     bool
	sidecar  bool
	st       cstate
	nextAt   time.Time
	pulling  bool // a Pulling event was emitted for the current attempt
	pullWait time.Time
	pulls    int
	restarts int32
	crashes  int
	started  time.Time
	readyAt  time.Time
	nextProb time.Time
	endAt    time.Time
	endCode  int32
	endWhy   string
	id       string
	imageID  string
	reason   string
	message  string
	term     *corev1.ContainerStateTerminated
	last     *corev1.ContainerStateTerminated
}

type behavior struct {
	memPeak  *resource.Quantity
	exit     bool
	exitIn   time.Duration
	exitCode int32
	notReady bool
	evict    bool
	evictIn  time.Duration
	initFail bool
	initCode int32
	sideExit bool
	sideIn   time.Duration
}

type runner struct {
	s             *Sim
	ctx           context.Context
	cancel        context.CancelFunc
	pod           *corev1.Pod // spec snapshot taken when the pod was bound
	rec           record.EventRecorder
	b             behavior
	ctrs          []*ctr
	sandbox       time.Time // when the sandbox is ready
	ip            string
	hostIP        string
	start         metav1.Time
	trans         map[corev1.PodConditionType]metav1.Time
	condSt        map[corev1.PodConditionType]corev1.ConditionStatus
	written       *corev1.PodStatus
	mounted       bool // configMap/secret volumes resolved
	remountAt     time.Time
	initialized   bool // every init container completed once (a restarting sidecar does not undo it)
	logsPublished bool
	phase         corev1.PodPhase
	evicted       string // the kubelet's eviction message once the pod was evicted
	deadline      bool   // spec.activeDeadlineSeconds has passed (deadline.go)
}

func parseBehavior(s *Sim, pod *corev1.Pod) behavior {
	var b behavior
	a := pod.Annotations
	if v, ok := a[annMemoryPeak]; ok {
		if q, err := resource.ParseQuantity(v); err == nil {
			b.memPeak = &q
		}
	}
	b.exitCode = 1
	if v, ok := a[annExitCode]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			b.exitCode = int32(n)
		}
	}
	if v, ok := a[annExitAfter]; ok {
		if d, err := parseSeconds(v); err == nil {
			b.exit, b.exitIn = true, d
		}
	} else if ref := metav1.GetControllerOf(pod); ref != nil && ref.Kind == "Job" {
		// Job pods finish successfully unless told otherwise, so Jobs complete.
		b.exit, b.exitIn = true, s.cfg.jobExit
		if _, ok := a[annExitCode]; !ok {
			b.exitCode = 0
		}
	}
	b.notReady = strings.EqualFold(strings.TrimSpace(a[annNotReady]), "true")
	if v, ok := a[annInitExitCode]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n != 0 {
			b.initFail, b.initCode = true, int32(n)
		}
	}
	if v, ok := a[annSidecarExitAfter]; ok {
		if d, err := parseSeconds(v); err == nil {
			b.sideExit, b.sideIn = true, d
		}
	}
	if v, ok := a[annEvictAfter]; ok {
		if d, err := parseSeconds(v); err == nil {
			b.evict, b.evictIn = true, d
		}
	}
	return b
}

// parseSeconds accepts "30", "2.5" (seconds) or a Go duration such as "1m30s".
func parseSeconds(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}

// newRunner is called with s.mu held; it must not take the lock itself.
func newRunner(parent context.Context, s *Sim, pod *corev1.Pod, rec record.EventRecorder) *runner {
	ctx, cancel := context.WithCancel(parent)
	r := &runner{s: s, ctx: ctx, cancel: cancel, pod: pod.DeepCopy(), rec: rec,
		trans: map[corev1.PodConditionType]metav1.Time{}, condSt: map[corev1.PodConditionType]corev1.ConditionStatus{}}
	r.b = parseBehavior(s, pod)
	for _, c := range pod.Spec.InitContainers {
		side := c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		r.ctrs = append(r.ctrs, &ctr{spec: c, init: true, sidecar: side})
	}
	waiting := "ContainerCreating"
	if len(pod.Spec.InitContainers) > 0 {
		waiting = "PodInitializing"
	}
	for _, c := range pod.Spec.Containers {
		r.ctrs = append(r.ctrs, &ctr{spec: c, reason: waiting})
	}
	now := time.Now()
	r.start = metav1.NewTime(now)
	r.sandbox = now.Add(sandboxDelay)
	if pod.Status.StartTime != nil {
		r.start = *pod.Status.StartTime
		r.adopt(pod, now)
	}
	return r
}

// adopt resumes a pod that already has status (the simulator was restarted).
func (r *runner) adopt(pod *corev1.Pod, now time.Time) {
	r.sandbox = now
	byName := map[string]corev1.ContainerStatus{}
	for _, st := range append(append([]corev1.ContainerStatus{}, pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		byName[st.Name] = st
	}
	for _, c := range r.ctrs {
		st, ok := byName[c.spec.Name]
		if !ok {
			continue
		}
		c.restarts = st.RestartCount
		c.crashes = int(st.RestartCount)
		c.last = st.LastTerminationState.Terminated
		c.id, c.imageID = st.ContainerID, st.ImageID
		switch {
		case st.State.Running != nil:
			r.startContainer(c, st.State.Running.StartedAt.Time, false)
		case st.State.Terminated != nil && (c.init && !c.sidecar || r.pod.Spec.RestartPolicy == corev1.RestartPolicyNever):
			c.st, c.term = stDone, st.State.Terminated
		}
	}
}

func (r *runner) run() {
	node, ok := r.s.managedNode(r.pod.Spec.NodeName)
	if !ok {
		return
	}
	r.hostIP = "127.0.0.1"
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			r.hostIP = a.Address
		}
	}
	r.ip = r.s.allocateIP(node, r.pod)
	r.publishLogs()
	for {
		now := time.Now()
		r.step(now)
		st := r.status(now)
		if r.written == nil || !equality.Semantic.DeepEqual(*r.written, st) {
			if !r.write(st) {
				return
			}
		}
		if st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed {
			return
		}
		wait := time.Until(r.nextWake(now))
		if wait < 50*time.Millisecond {
			wait = 50 * time.Millisecond
		}
		select {
		case <-r.ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (r *runner) nextWake(now time.Time) time.Time {
	next := now.Add(10 * time.Second)
	consider := func(t time.Time) {
		if !t.IsZero() && t.Before(next) {
			next = t
		}
	}
	if r.b.evict && r.evicted == "" {
		consider(r.start.Add(r.b.evictIn))
	}
	consider(r.deadlineAt())
	if now.Before(r.sandbox) {
		consider(r.sandbox)
	}
	if r.mounted {
		consider(r.remountAt)
	}
	for _, c := range r.ctrs {
		switch c.st {
		case stPulling, stPullErr, stPullBackOff, stConfigErr, stTerminated, stCrashBackOff:
			consider(c.nextAt)
		case stRunning:
			consider(c.endAt)
			if now.Before(c.readyAt) {
				consider(c.readyAt)
			}
			consider(c.nextProb)
		}
	}
	return next
}

// step advances every container whose next transition is due, then starts
// whatever may start next (init containers in order, then app containers).
func (r *runner) step(now time.Time) {
	if r.evicted != "" || r.checkDeadline(now) {
		return
	}
	if r.b.evict && !now.Before(r.start.Add(r.b.evictIn)) {
		// Node-pressure eviction as the kubelet does it: the pod fails with reason Evicted and
		// its containers are stopped; its controller creates a replacement.
		r.evicted = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 64Mi."
		r.event(nil, corev1.EventTypeWarning, "Evicted", "%s", r.evicted)
		for _, c := range r.ctrs {
			if c.st == stRunning {
				r.event(c, corev1.EventTypeNormal, "Killing", "Stopping container %s", c.spec.Name)
			}
		}
		return
	}
	if now.Before(r.sandbox) {
		return
	}
	if !r.mounted {
		if reason, msg := r.setupError(); msg != "" {
			r.event(nil, corev1.EventTypeWarning, reason, "%s", msg)
			r.sandbox = now.Add(configRetry)
			return
		}
		r.mounted = true
		r.remountAt = now.Add(remountEvery)
	} else if !now.Before(r.remountAt) {
		// The kubelet re-syncs ConfigMap/Secret volumes of running pods and reports sources that went missing.
		if msg := r.volumeError(); msg != "" {
			r.event(nil, corev1.EventTypeWarning, "FailedMount", "%s", msg)
		}
		// …and looks up the pod's pull secrets on every sync, not only when it pulls.
		if missing := r.missingPullSecrets(); len(missing) > 0 {
			r.event(nil, corev1.EventTypeWarning, "FailedToRetrieveImagePullSecret",
				"Unable to retrieve some image pull secrets (%s); attempting to pull the image may not succeed.", strings.Join(missing, ", "))
		}
		r.remountAt = now.Add(remountEvery)
	}
	for _, c := range r.ctrs {
		r.advance(c, now)
	}
	for _, c := range r.ctrs {
		if !c.init {
			continue
		}
		if c.st == stNotStarted {
			r.beginPull(c, now)
			return
		}
		if c.sidecar && c.st == stRunning || !c.sidecar && c.st == stDone && c.term != nil && c.term.ExitCode == 0 {
			continue
		}
		if r.initialized && c.sidecar {
			continue // a restarting sidecar does not hold back containers that are yet to start
		}
		return
	}
	for _, c := range r.ctrs {
		if !c.init && c.st == stNotStarted {
			r.beginPull(c, now)
		}
	}
}

func (r *runner) advance(c *ctr, now time.Time) {
	due := !c.nextAt.IsZero() && !now.Before(c.nextAt)
	switch c.st {
	case stPulling:
		if !due {
			return
		}
		if msg, bad := r.pullFailure(c.spec.Image); bad {
			r.event(c, corev1.EventTypeWarning, "Failed", "Failed to pull image %q: %s", c.spec.Image, msg)
			r.event(c, corev1.EventTypeWarning, "Failed", "Error: ErrImagePull")
			c.st, c.reason, c.message, c.nextAt = stPullErr, "ErrImagePull", msg, now.Add(terminatedFor)
			c.pulling = false
			return
		}
		if c.pulling {
			took := now.Sub(c.pullWait)
			r.event(c, corev1.EventTypeNormal, "Pulled",
				"Successfully pulled image %q in %s (%s including waiting). Image size: %d bytes.",
				c.spec.Image, took.Round(time.Millisecond), took.Round(time.Millisecond), imageSize(c.spec.Image))
			r.s.markImage(r.pod.Spec.NodeName, c.spec.Image)
			c.pulling = false
		}
		r.createContainer(c, now)
	case stConfigErr:
		if due {
			r.createContainer(c, now)
		}
	case stPullErr:
		if !due {
			return
		}
		r.event(c, corev1.EventTypeNormal, "BackOff", "Back-off pulling image %q", c.spec.Image)
		r.event(c, corev1.EventTypeWarning, "Failed", "Error: ImagePullBackOff")
		c.st, c.reason = stPullBackOff, "ImagePullBackOff"
		c.message = fmt.Sprintf("Back-off pulling image %q: ErrImagePull: %s", c.spec.Image, c.message)
		c.nextAt = now.Add(backoff(r.s.cfg.pullBase, r.s.cfg.pullMax, c.pulls))
	case stPullBackOff:
		if due {
			r.beginPull(c, now)
		}
	case stRunning:
		if !c.endAt.IsZero() && !now.Before(c.endAt) {
			r.exitContainer(c, now)
			return
		}
		if !c.nextProb.IsZero() && !now.Before(c.nextProb) {
			r.event(c, corev1.EventTypeWarning, "Unhealthy", "Readiness probe failed: %s", probeFailure(c.spec.ReadinessProbe, r.ip))
			c.nextProb = now.Add(probePeriod(c.spec.ReadinessProbe))
		}
	case stTerminated:
		if !due {
			return
		}
		if c.crashes <= 1 {
			r.restart(c, now)
			return
		}
		d := backoff(r.s.cfg.crashBase, r.s.cfg.crashMax, c.crashes-1)
		c.st, c.reason = stCrashBackOff, "CrashLoopBackOff"
		c.message = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)",
			d, c.spec.Name, r.pod.Name, r.pod.Namespace, r.pod.UID)
		c.nextAt = c.term.FinishedAt.Add(d)
		r.event(c, corev1.EventTypeWarning, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
			c.spec.Name, r.pod.Name, r.pod.Namespace, r.pod.UID)
	case stCrashBackOff:
		if due {
			r.restart(c, now)
		}
	}
}

// createContainer starts the container unless its environment refers to a
// ConfigMap/Secret (or key) that does not exist; then it reports
// CreateContainerConfigError and retries, as the kubelet does.
func (r *runner) createContainer(c *ctr, now time.Time) {
	if msg := r.envError(c); msg != "" {
		r.event(c, corev1.EventTypeWarning, "Failed", "Error: %s", msg)
		c.st, c.reason, c.message, c.nextAt = stConfigErr, "CreateContainerConfigError", msg, now.Add(configRetry)
		return
	}
	r.startContainer(c, now, true)
}

func (r *runner) envError(c *ctr) string {
	ns := r.pod.Namespace
	optional := func(o *bool) bool { return o != nil && *o }
	for _, from := range c.spec.EnvFrom {
		if ref := from.ConfigMapRef; ref != nil && !optional(ref.Optional) {
			if _, err := r.s.cms.ConfigMaps(ns).Get(ref.Name); err != nil {
				return fmt.Sprintf("configmap %q not found", ref.Name)
			}
		}
		if ref := from.SecretRef; ref != nil && !optional(ref.Optional) {
			if _, err := r.s.secs.Secrets(ns).Get(ref.Name); err != nil {
				return fmt.Sprintf("secret %q not found", ref.Name)
			}
		}
	}
	for _, e := range c.spec.Env {
		if e.ValueFrom == nil {
			continue
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil && !optional(ref.Optional) {
			cm, err := r.s.cms.ConfigMaps(ns).Get(ref.Name)
			if err != nil {
				return fmt.Sprintf("configmap %q not found", ref.Name)
			}
			if _, ok := cm.Data[ref.Key]; !ok {
				if _, ok := cm.BinaryData[ref.Key]; !ok {
					return fmt.Sprintf("couldn't find key %s in ConfigMap %s/%s", ref.Key, ns, ref.Name)
				}
			}
		}
		if ref := e.ValueFrom.SecretKeyRef; ref != nil && !optional(ref.Optional) {
			sec, err := r.s.secs.Secrets(ns).Get(ref.Name)
			if err != nil {
				return fmt.Sprintf("secret %q not found", ref.Name)
			}
			if _, ok := sec.Data[ref.Key]; !ok {
				if _, ok := sec.StringData[ref.Key]; !ok {
					return fmt.Sprintf("couldn't find key %s in Secret %s/%s", ref.Key, ns, ref.Name)
				}
			}
		}
	}
	return ""
}

// setupError is what stops the pod before its containers: a sandbox the runtime cannot create
// (sandbox-error annotation), a volume that cannot attach or mount (volume-error annotation), or a
// missing ConfigMap/Secret volume source or key. It returns the event reason and message.
func (r *runner) setupError() (string, string) {
	if msg := strings.TrimSpace(r.pod.Annotations[annSandboxError]); msg != "" {
		return "FailedCreatePodSandBox", fmt.Sprintf("Failed to create pod sandbox: rpc error: code = Unknown desc = "+
			"failed to setup network for sandbox %q: %s", digest(string(r.pod.UID))[:12], msg)
	}
	if kind := strings.TrimSpace(r.pod.Annotations[annVolumeError]); kind != "" && len(r.pod.Spec.Volumes) > 0 {
		v := r.pod.Spec.Volumes[0]
		name := v.Name
		if pvc := v.PersistentVolumeClaim; pvc != nil {
			if c, err := r.s.cs.CoreV1().PersistentVolumeClaims(r.pod.Namespace).Get(r.ctx, pvc.ClaimName, metav1.GetOptions{}); err == nil && c.Spec.VolumeName != "" {
				name = c.Spec.VolumeName
			}
		}
		switch kind {
		case "multi-attach":
			return "FailedAttachVolume", fmt.Sprintf("Multi-Attach error for volume %q Volume is already exclusively attached to one node and can't be attached to another", name)
		case "csi":
			driver := "csi.example.com"
			if v.CSI != nil {
				driver = v.CSI.Driver
			}
			return "FailedMount", fmt.Sprintf("MountVolume.MountDevice failed for volume %q : kubernetes.io/csi: attacher.MountDevice failed to create "+
				"newCsiDriverClient: driver name %s not found in the list of registered CSI drivers", name, driver)
		}
	}
	if msg := r.volumeError(); msg != "" {
		return "FailedMount", msg
	}
	return "", ""
}

// volumeError reports the first configMap/secret volume that cannot be mounted: its source is
// missing, or a key its items list is not in it.
func (r *runner) volumeError() string {
	ns := r.pod.Namespace
	for _, v := range r.pod.Spec.Volumes {
		if cm := v.ConfigMap; cm != nil && !(cm.Optional != nil && *cm.Optional) {
			m, err := r.s.cms.ConfigMaps(ns).Get(cm.Name)
			if err != nil {
				return fmt.Sprintf("MountVolume.SetUp failed for volume %q : configmap %q not found", v.Name, cm.Name)
			}
			for _, it := range cm.Items {
				_, inData := m.Data[it.Key]
				_, inBinary := m.BinaryData[it.Key]
				if !inData && !inBinary {
					return fmt.Sprintf("MountVolume.SetUp failed for volume %q : configmap references non-existent config key: %s", v.Name, it.Key)
				}
			}
		}
		if sec := v.Secret; sec != nil && !(sec.Optional != nil && *sec.Optional) {
			m, err := r.s.secs.Secrets(ns).Get(sec.SecretName)
			if err != nil {
				return fmt.Sprintf("MountVolume.SetUp failed for volume %q : secret %q not found", v.Name, sec.SecretName)
			}
			for _, it := range sec.Items {
				if _, ok := m.Data[it.Key]; !ok {
					return fmt.Sprintf("MountVolume.SetUp failed for volume %q : references non-existent secret key: %s", v.Name, it.Key)
				}
			}
		}
	}
	return ""
}

// missingPullSecrets lists the pod's imagePullSecrets that do not exist.
func (r *runner) missingPullSecrets() []string {
	var missing []string
	for _, ref := range r.pod.Spec.ImagePullSecrets {
		if _, err := r.s.secs.Secrets(r.pod.Namespace).Get(ref.Name); err != nil {
			missing = append(missing, ref.Name)
		}
	}
	return missing
}

// pullFailure is pullError plus credentials: a registry host starting with "private." refuses
// pulls unless one of the pod's imagePullSecrets exists.
func (r *runner) pullFailure(image string) (string, bool) {
	if msg, bad := pullError(image); bad {
		return msg, bad
	}
	host, repo, tag := splitImage(image)
	if strings.HasPrefix(host, "private.") && len(r.missingPullSecrets()) == len(r.pod.Spec.ImagePullSecrets) {
		full := fmt.Sprintf("%s/%s:%s", host, repo, tag)
		return fmt.Sprintf("failed to pull and unpack image %q: failed to resolve reference %q: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials", full, full), true
	}
	return "", false
}

// beginPull starts (or retries) the image step of a container start.
func (r *runner) beginPull(c *ctr, now time.Time) {
	if missing := r.missingPullSecrets(); len(missing) > 0 {
		r.event(nil, corev1.EventTypeWarning, "FailedToRetrieveImagePullSecret",
			"Unable to retrieve some image pull secrets (%s); attempting to pull the image may not succeed.", strings.Join(missing, ", "))
	}
	_, bad := r.pullFailure(c.spec.Image)
	policy := c.spec.ImagePullPolicy
	present := r.s.imagePresent(r.pod.Spec.NodeName, c.spec.Image)
	if policy == corev1.PullNever || (!bad && present && policy != corev1.PullAlways) {
		r.event(c, corev1.EventTypeNormal, "Pulled", "Container image %q already present on machine", c.spec.Image)
		c.pulling = false
		c.nextAt = now.Add(createDelay)
	} else {
		r.event(c, corev1.EventTypeNormal, "Pulling", "Pulling image %q", c.spec.Image)
		c.pulling, c.pullWait = true, now
		c.pulls++
		c.nextAt = now.Add(pullDuration)
	}
	if c.st == stNotStarted && c.restarts == 0 {
		c.reason, c.message = "ContainerCreating", ""
	}
	c.st = stPulling
}

func (r *runner) startContainer(c *ctr, at time.Time, announce bool) {
	if announce {
		r.event(c, corev1.EventTypeNormal, "Created", "Created container: %s", c.spec.Name)
		r.event(c, corev1.EventTypeNormal, "Started", "Started container %s", c.spec.Name)
		c.id = "containerd://" + digest(fmt.Sprintf("%s/%s/%d/%d", r.pod.UID, c.spec.Name, c.restarts, at.UnixNano()))
		r.logStart(c, at)
	}
	if c.imageID == "" {
		c.imageID = imageRef(c.spec.Image) + "@sha256:" + digest(c.spec.Image)
	}
	c.st, c.started, c.reason, c.message = stRunning, at, "", ""
	c.endAt, c.nextProb = time.Time{}, time.Time{}
	c.readyAt = at
	if p := c.spec.ReadinessProbe; p != nil {
		c.readyAt = at.Add(time.Duration(p.InitialDelaySeconds)*time.Second + 500*time.Millisecond)
	}
	switch {
	case c.init && !c.sidecar && r.b.initFail:
		c.endAt, c.endCode, c.endWhy = at.Add(initRunTime), r.b.initCode, "Error"
	case c.init && !c.sidecar:
		c.endAt, c.endCode, c.endWhy = at.Add(initRunTime), 0, "Completed"
	case c.init && r.b.sideExit:
		c.endAt, c.endCode, c.endWhy = at.Add(r.b.sideIn), r.b.exitCode, "Error"
	case c.init:
		// sidecars run for the pod's lifetime
	case imageCrashes(c.spec.Image):
		// Passes readiness, then exits: what a regression that only shows under traffic looks like.
		c.endAt, c.endCode, c.endWhy = at.Add(imageCrashAfter), 1, "Error"
	case r.oomKilled(c):
		c.endAt, c.endCode, c.endWhy = at.Add(oomAfter), 137, "OOMKilled"
	case r.b.exit:
		c.endAt, c.endCode = at.Add(r.b.exitIn), r.b.exitCode
		c.endWhy = "Error"
		if c.endCode == 0 {
			c.endWhy = "Completed"
		}
	}
	if !c.init && r.b.notReady && c.spec.ReadinessProbe != nil {
		c.nextProb = c.readyAt
	}
}

// oomKilled reports whether the container's simulated peak exceeds its memory limit.
func (r *runner) oomKilled(c *ctr) bool {
	if r.b.memPeak == nil {
		return false
	}
	lim, ok := c.spec.Resources.Limits[corev1.ResourceMemory]
	return ok && !lim.IsZero() && r.b.memPeak.Cmp(lim) > 0
}

func (r *runner) exitContainer(c *ctr, now time.Time) {
	c.term = &corev1.ContainerStateTerminated{
		ExitCode: c.endCode, Reason: c.endWhy,
		StartedAt: metav1.NewTime(c.started), FinishedAt: metav1.NewTime(now), ContainerID: c.id,
	}
	c.endAt, c.nextProb = time.Time{}, time.Time{}
	r.logExit(c, now, c.endCode, c.endWhy)
	restart := false
	switch {
	case c.sidecar:
		restart = true
	case c.init:
		// A failed init container is retried unless the pod never restarts.
		restart = c.endCode != 0 && r.pod.Spec.RestartPolicy != corev1.RestartPolicyNever
	case r.pod.Spec.RestartPolicy == corev1.RestartPolicyAlways || r.pod.Spec.RestartPolicy == "":
		restart = true
	case r.pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure:
		restart = c.endCode != 0
	}
	if !restart {
		c.st = stDone
		return
	}
	// Like the kubelet, forget the back-off after the container ran long enough.
	if now.Sub(c.started) > 2*r.s.cfg.crashMax {
		c.crashes = 0
	}
	c.crashes++
	c.st, c.nextAt = stTerminated, now.Add(terminatedFor)
}

func (r *runner) restart(c *ctr, now time.Time) {
	c.restarts++
	c.last, c.term = c.term, nil
	c.st = stNotStarted
	r.beginPull(c, now)
}

func (r *runner) event(c *ctr, typ, reason, format string, args ...any) {
	var ref *corev1.ObjectReference
	if c == nil {
		ref = containerRef(r.pod, "", false)
	} else {
		ref = containerRef(r.pod, c.spec.Name, c.init)
	}
	r.rec.Eventf(ref, typ, reason, format, args...)
}

func (c *ctr) ready(now time.Time, b behavior) bool {
	if c.st != stRunning || now.Before(c.readyAt) {
		return false
	}
	if c.init {
		return c.sidecar
	}
	return !b.notReady
}

func (c *ctr) status(now time.Time, b behavior) corev1.ContainerStatus {
	st := corev1.ContainerStatus{
		Name: c.spec.Name, Image: c.spec.Image, RestartCount: c.restarts, Ready: c.ready(now, b),
	}
	started := c.st == stRunning
	st.Started = &started
	if c.id != "" {
		st.ContainerID = c.id
	}
	if c.imageID != "" {
		st.ImageID = c.imageID
	}
	switch c.st {
	case stNotStarted, stPulling, stPullErr, stPullBackOff, stConfigErr, stCrashBackOff:
		st.State.Waiting = &corev1.ContainerStateWaiting{Reason: c.reason, Message: c.message}
		if c.reason == "" {
			st.State.Waiting.Reason = "ContainerCreating"
		}
	case stRunning:
		st.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(c.started)}
	case stTerminated, stDone:
		st.State.Terminated = c.term.DeepCopy()
	}
	if c.last != nil {
		st.LastTerminationState.Terminated = c.last.DeepCopy()
	}
	return st
}

func (r *runner) status(now time.Time) corev1.PodStatus {
	var ps corev1.PodStatus
	ps.HostIP, ps.PodIP = r.hostIP, r.ip
	ps.HostIPs = []corev1.HostIP{{IP: r.hostIP}}
	if r.ip != "" {
		ps.PodIPs = []corev1.PodIP{{IP: r.ip}}
	}
	start := r.start
	ps.StartTime = &start

	initDone, initFailed := true, false
	var notInit, notReady []string
	running, pendingFresh, restarting, succeeded, failed := 0, 0, 0, 0, 0
	for _, c := range r.ctrs {
		cs := c.status(now, r.b)
		if c.init {
			ps.InitContainerStatuses = append(ps.InitContainerStatuses, cs)
			if !c.sidecar && c.st == stDone && c.term != nil && c.term.ExitCode != 0 {
				initFailed = true
			}
			if !r.initialized && !(c.sidecar && c.st == stRunning || !c.sidecar && c.st == stDone && c.term != nil && c.term.ExitCode == 0) {
				initDone = false
				notInit = append(notInit, c.spec.Name)
			}
			continue
		}
		ps.ContainerStatuses = append(ps.ContainerStatuses, cs)
		if !cs.Ready {
			notReady = append(notReady, c.spec.Name)
		}
		switch c.st {
		case stNotStarted, stPulling, stPullErr, stPullBackOff, stConfigErr:
			if c.restarts == 0 && c.last == nil {
				pendingFresh++
			} else {
				restarting++
			}
		case stRunning:
			running++
		case stTerminated, stCrashBackOff:
			restarting++
		case stDone:
			if c.term != nil && c.term.ExitCode == 0 {
				succeeded++
			} else {
				failed++
			}
		}
	}
	if initDone {
		r.initialized = true
	}
	switch {
	case initFailed:
		ps.Phase = corev1.PodFailed
	case !initDone || pendingFresh > 0:
		ps.Phase = corev1.PodPending
	case running > 0 || restarting > 0:
		ps.Phase = corev1.PodRunning
	case failed > 0:
		ps.Phase = corev1.PodFailed
	default:
		ps.Phase = corev1.PodSucceeded
	}
	if r.evicted != "" {
		ps.Phase, ps.Reason, ps.Message = corev1.PodFailed, "Evicted", r.evicted
		for i := range ps.ContainerStatuses {
			cs := &ps.ContainerStatuses[i]
			if cs.State.Terminated == nil {
				cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
					ExitCode: 137, Reason: "ContainerStatusUnknown", Message: "The container could not be located when the pod was terminated",
					FinishedAt: metav1.NewTime(now)}}
			}
			cs.Ready, cs.Started = false, ptrFalse()
		}
	}
	r.applyDeadline(&ps, now)
	terminal := ps.Phase == corev1.PodSucceeded || ps.Phase == corev1.PodFailed

	cond := func(t corev1.PodConditionType, ok bool, reason, msg string) {
		s := corev1.ConditionFalse
		if ok {
			s, reason, msg = corev1.ConditionTrue, "", ""
		}
		if prev, seen := r.condSt[t]; !seen || prev != s {
			r.condSt[t], r.trans[t] = s, metav1.NewTime(now)
		}
		ps.Conditions = append(ps.Conditions, corev1.PodCondition{
			Type: t, Status: s, Reason: reason, Message: msg, LastTransitionTime: r.trans[t]})
	}
	cond(corev1.PodReadyToStartContainers, !now.Before(r.sandbox) && !terminal, "", "")
	cond(corev1.PodInitialized, initDone, "ContainersNotInitialized",
		fmt.Sprintf("containers with incomplete status: [%s]", strings.Join(notInit, " ")))
	allReady := len(notReady) == 0 && !terminal
	reason, msg := "ContainersNotReady", fmt.Sprintf("containers with unready status: [%s]", strings.Join(notReady, " "))
	if terminal {
		reason, msg = "PodCompleted", ""
	}
	cond(corev1.ContainersReady, allReady, reason, msg)
	cond(corev1.PodReady, allReady, reason, msg)
	return ps
}

// write stores the status; false means the runner should stop.
func (r *runner) write(st corev1.PodStatus) bool {
	for attempt := 0; attempt < 6; attempt++ {
		if r.ctx.Err() != nil {
			return false
		}
		var pod *corev1.Pod
		var err error
		if attempt == 0 {
			pod, err = r.s.pods.Pods(r.pod.Namespace).Get(r.pod.Name)
		} else {
			pod, err = r.s.cs.CoreV1().Pods(r.pod.Namespace).Get(r.ctx, r.pod.Name, metav1.GetOptions{})
		}
		if apierrors.IsNotFound(err) {
			return false
		}
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		if pod.UID != r.pod.UID || pod.DeletionTimestamp != nil {
			return false
		}
		p := pod.DeepCopy()
		full := st.DeepCopy()
		full.QOSClass = pod.Status.QOSClass
		for _, c := range pod.Status.Conditions {
			if c.Type == corev1.PodScheduled {
				full.Conditions = append([]corev1.PodCondition{c}, full.Conditions...)
			}
		}
		p.Status = *full
		_, err = r.s.cs.CoreV1().Pods(p.Namespace).UpdateStatus(r.ctx, p, metav1.UpdateOptions{FieldManager: "nimbus-sim"})
		if err == nil {
			r.written = st.DeepCopy()
			return true
		}
		if apierrors.IsNotFound(err) {
			return false
		}
		if !apierrors.IsConflict(err) {
			fmt.Fprintf(os.Stderr, "update status %s/%s: %v\n", p.Namespace, p.Name, err)
			time.Sleep(200 * time.Millisecond)
		}
	}
	return true
}

func backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

func probePeriod(p *corev1.Probe) time.Duration {
	if p == nil || p.PeriodSeconds <= 0 {
		return 10 * time.Second
	}
	return time.Duration(p.PeriodSeconds) * time.Second
}

func probeFailure(p *corev1.Probe, ip string) string {
	switch {
	case p == nil:
		return ""
	case p.HTTPGet != nil:
		return "HTTP probe failed with statuscode: 503"
	case p.TCPSocket != nil:
		return fmt.Sprintf("dial tcp %s:%s: connect: connection refused", ip, p.TCPSocket.Port.String())
	case p.GRPC != nil:
		return fmt.Sprintf("timeout: failed to connect service %q within 1s", fmt.Sprintf("%s:%d", ip, p.GRPC.Port))
	default:
		return "command exited with non-zero status 1"
	}
}

// Image references: the registry host is the first path element when it
// looks like a host (contains '.' or ':' or is localhost).
func splitImage(image string) (host, repo, tag string) {
	name := image
	if i := strings.Index(name, "@"); i >= 0 {
		name = name[:i]
	}
	host = "docker.io"
	if i := strings.Index(name, "/"); i >= 0 {
		first := name[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" {
			host, name = first, name[i+1:]
		}
	}
	tag = "latest"
	if i := strings.LastIndex(name, ":"); i >= 0 && !strings.Contains(name[i:], "/") {
		name, tag = name[:i], name[i+1:]
	}
	if host == "docker.io" && !strings.Contains(name, "/") {
		name = "library/" + name
	}
	return host, name, tag
}

func imageRef(image string) string {
	host, repo, _ := splitImage(image)
	return host + "/" + repo
}

// pullError decides whether pulling the image fails and with what message.
func pullError(image string) (string, bool) {
	host, repo, tag := splitImage(image)
	full := fmt.Sprintf("%s/%s:%s", host, repo, tag)
	switch {
	case host == "unreachable.invalid" || strings.HasSuffix(host, ".unreachable.invalid"):
		return fmt.Sprintf("failed to pull and unpack image %q: failed to resolve reference %q: failed to do request: "+
			"Head \"https://%s/v2/%s/manifests/%s\": dial tcp: lookup %s: no such host",
			full, full, host, repo, tag, strings.Split(host, ":")[0]), true
	case tag == "missing":
		return fmt.Sprintf("rpc error: code = NotFound desc = failed to pull and unpack image %q: "+
			"failed to resolve reference %q: %s: not found", full, full, full), true
	}
	return "", false
}

// imageCrashes: images whose tag ends in "-crashes" start, pass readiness and exit with 1 after imageCrashAfter.
func imageCrashes(image string) bool {
	_, _, tag := splitImage(image)
	return strings.HasSuffix(tag, "-crashes")
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func imageSize(image string) int64 {
	h := sha256.Sum256([]byte(image))
	return 20_000_000 + int64(h[0])<<16 + int64(h[1])<<8
}

func ptrFalse() *bool {
	f := false
	return &f
}
