// observe: gathers focused evidence about the incident's workload from the snapshot — its pods'
// states, recent warning events on the workload, its ReplicaSets and pods, revisions and usage.
import type { Evidence } from '../../core/model/incident';
import type { ObjectRef, Pod } from '../../core/model/resources';
import type { ClusterSnapshot } from '../../core/model/snapshot';
import type { State, Update } from '../state';

const MAX_EVENTS = 12;
const MAX_PODS = 5;

function podsOf(snapshot: ClusterSnapshot, ref: ObjectRef): Pod[] {
  const uid = ref.uid ?? snapshot.get(ref.kind as 'Deployment', ref.namespace, ref.name)?.uid;
  if (!uid) return [];
  if (ref.kind === 'Deployment')
    return snapshot.ownedBy('ReplicaSet', uid).flatMap((rs) => snapshot.ownedBy('Pod', rs.meta.uid));
  if (ref.kind === 'CronJob')
    return snapshot.ownedBy('Job', uid).flatMap((job) => snapshot.ownedBy('Pod', job.meta.uid));
  return snapshot.ownedBy('Pod', uid);
}

export function focusedEvidence(snapshot: ClusterSnapshot, ref: ObjectRef): Evidence[] {
  const evidence: Evidence[] = [];
  const pods = podsOf(snapshot, ref);
  const objects: ObjectRef[] = [
    ref,
    ...pods.map((p) => ({ kind: 'Pod', namespace: p.meta.namespace, name: p.meta.name, uid: p.meta.uid })),
  ];
  if (ref.kind === 'Deployment') {
    const uid = snapshot.get('Deployment', ref.namespace, ref.name)?.uid;
    for (const rs of uid ? snapshot.ownedBy('ReplicaSet', uid) : []) {
      objects.push({ kind: 'ReplicaSet', namespace: rs.meta.namespace, name: rs.meta.name, uid: rs.meta.uid });
      if (rs.desired > 0 || rs.ready > 0) {
        const images = rs.template.containers.map((c) => `${c.name}=${c.image}`).join(', ');
        evidence.push({
          kind: 'revision',
          source: { kind: 'ReplicaSet', namespace: rs.meta.namespace, name: rs.meta.name },
          text: `revision ${rs.revision}: ${rs.ready}/${rs.desired} ready (${images})`,
        });
      }
    }
  }
  for (const pod of pods.slice(0, MAX_PODS)) {
    const states = pod.containerStatuses
      .map((c) => {
        const now =
          c.state.waiting?.reason ??
          (c.state.terminated ? `terminated ${c.state.terminated.reason}` : c.state.running ? 'running' : 'unknown');
        const last = c.lastState.terminated
          ? `, last ${c.lastState.terminated.reason} (exit ${c.lastState.terminated.exitCode})`
          : '';
        return `${c.name}: ${now}${c.ready ? ', ready' : ''}, ${c.restartCount} restarts${last}`;
      })
      .join('; ');
    const usage = snapshot.usageOf(pod.meta.namespace, pod.meta.name);
    const usageText = usage
      ? ` · usage ${usage.containers.map((c) => `${c.name} ${c.cpuMillicores}m/${Math.round(c.memoryBytes / 1048576)}Mi`).join(', ')}`
      : '';
    evidence.push({
      kind: 'status',
      source: { kind: 'Pod', namespace: pod.meta.namespace, name: pod.meta.name },
      field: 'status',
      text: `${pod.phase}${pod.nodeName ? ` on ${pod.nodeName}` : ''} — ${states || 'no container status yet'}${usageText}`,
    });
  }
  if (pods.length > MAX_PODS)
    evidence.push({ kind: 'status', source: ref, text: `…and ${pods.length - MAX_PODS} more pods` });
  const events = objects
    .flatMap((o) => snapshot.eventsFor(o.kind, o.namespace, o.name))
    .filter((e) => e.type === 'Warning')
    .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))
    .slice(0, MAX_EVENTS);
  for (const e of events) {
    evidence.push({
      kind: 'event',
      source: e.involved,
      reason: e.reason,
      text: e.message.slice(0, 500),
      count: e.count,
      firstSeen: e.firstSeen,
      lastSeen: e.lastSeen,
    });
  }
  return evidence;
}

export function makeObserveNode(snapshot: () => ClusterSnapshot) {
  return (state: State): Update => {
    const evidence = focusedEvidence(snapshot(), state.incident.workload);
    return {
      observed: evidence,
      trail: [
        `observe: ${evidence.length} pieces of evidence for ${state.incident.workload.kind}/${state.incident.workload.name}`,
      ],
    };
  };
}
