package main

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// spec.activeDeadlineSeconds as the kubelet enforces it: once the pod has been active that long it
// fails with reason DeadlineExceeded and its containers are stopped (NimbusGuard's shadow pods
// rely on it as the last line of clean-up).

const deadlineMessage = "Pod was active on the node longer than the specified deadline"

// deadlineAt is when the pod's active deadline passes; zero when it has none.
func (r *runner) deadlineAt() time.Time {
	d := r.pod.Spec.ActiveDeadlineSeconds
	if d == nil || *d <= 0 {
		return time.Time{}
	}
	return r.start.Add(time.Duration(*d) * time.Second)
}

// checkDeadline marks the pod as past its deadline (once, with the kubelet's event); true when it is.
func (r *runner) checkDeadline(now time.Time) bool {
	if r.deadline {
		return true
	}
	at := r.deadlineAt()
	if at.IsZero() || now.Before(at) {
		return false
	}
	r.deadline = true
	r.event(nil, corev1.EventTypeNormal, "DeadlineExceeded", "%s", deadlineMessage)
	for _, c := range r.ctrs {
		if c.st == stRunning {
			r.event(c, corev1.EventTypeNormal, "Killing", "Stopping container %s", c.spec.Name)
		}
	}
	return true
}

// applyDeadline turns the status into the kubelet's for a pod past its deadline.
func (r *runner) applyDeadline(ps *corev1.PodStatus, now time.Time) {
	if !r.deadline {
		return
	}
	ps.Phase, ps.Reason, ps.Message = corev1.PodFailed, "DeadlineExceeded", deadlineMessage
	for i := range ps.ContainerStatuses {
		cs := &ps.ContainerStatuses[i]
		if cs.State.Terminated == nil {
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: "Error", FinishedAt: metav1.NewTime(now)}}
		}
		cs.Ready, cs.Started = false, ptrFalse()
	}
}
