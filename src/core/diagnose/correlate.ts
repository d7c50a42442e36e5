// Incidents with one cause are grouped, so the user sees one root cause rather than ten symptoms:
// a node NotReady and the pods evicted from it, a bad rollout and its crashing pods, an OOM kill and
// the crash loop it causes, a Service without endpoints and the failing workload behind it.
import type { Incident, IncidentType } from '../model/incident';
import type { ClusterSnapshot } from '../model/snapshot';
import { matchesSelector } from '../detect/support';
import { refKey } from '../model/objectRef';
import { podsOf } from './ruleSupport';

/** Which incident of a group is its root: the lowest rank (causes before symptoms). */
export const ROOT_RANK: Record<IncidentType, number> = {
  NodeNotReady: 0,
  NodePressure: 1,
  WebhookUnavailable: 2,
  PVCPending: 3,
  RolloutRegression: 4,
  RolloutStuck: 5,
  QuotaExceeded: 6,
  OOMKilled: 7,
  ImagePullBackOff: 8,
  CreateContainerConfigError: 9,
  Unschedulable: 10,
  CrashLoopBackOff: 11,
  ReadinessProbeFailing: 12,
  Evicted: 13,
  JobFailed: 14,
  ReplicasUnavailable: 15,
  HPASaturated: 16,
  HPAMisconfigured: 17,
  ServiceNoEndpoints: 18,
  CronJobSuspendedOrInvalid: 19,
  NodeProblem: 1,
  VolumeLost: 3,
  StatefulSetMisconfigured: 2,
  IngressMisconfigured: 20,
  GatewayMisconfigured: 20,
  DisruptionBlocked: 21,
  PodSetupFailed: 8,
  PodCreationRejected: 6,
  PullSecretMissing: 7,
  ContainerFailed: 11,
  NetworkPolicyBlocked: 20,
};

const POD_LEVEL: readonly IncidentType[] = [
  'CrashLoopBackOff',
  'OOMKilled',
  'ImagePullBackOff',
  'CreateContainerConfigError',
  'Unschedulable',
  'ReadinessProbeFailing',
  'QuotaExceeded',
  'WebhookUnavailable',
  'PodSetupFailed',
  'PodCreationRejected',
  'ContainerFailed',
  'PullSecretMissing',
];
const ROLLOUT_SYMPTOMS: readonly IncidentType[] = [
  'CrashLoopBackOff',
  'OOMKilled',
  'ImagePullBackOff',
  'ReplicasUnavailable',
  'ReadinessProbeFailing',
  'CreateContainerConfigError',
  'RolloutStuck',
  'RolloutRegression',
  'PodSetupFailed',
  'ContainerFailed',
  'PullSecretMissing',
];
const ON_NODE: readonly IncidentType[] = [
  'Evicted',
  'ReplicasUnavailable',
  'ReadinessProbeFailing',
  'CrashLoopBackOff',
];
const TARGET_TROUBLE: readonly IncidentType[] = [
  'ReadinessProbeFailing',
  'ReplicasUnavailable',
  'CrashLoopBackOff',
  'OOMKilled',
];

export interface CorrelationGroup {
  /** The root incident's id: stable while the root stays open. */
  id: string;
  root: Incident;
  /** Every member, the root first. */
  members: Incident[];
}

function better(a: Incident, b: Incident): boolean {
  const ra = ROOT_RANK[a.type] ?? 99;
  const rb = ROOT_RANK[b.type] ?? 99;
  if (ra !== rb) return ra < rb;
  if (a.firstSeen !== b.firstSeen) return a.firstSeen < b.firstSeen;
  return a.id < b.id;
}

/** Pairs of incidents (by index) that share one cause. */
function links(incidents: readonly Incident[], snapshot: ClusterSnapshot): [number, number][] {
  const out: [number, number][] = [];
  const byWorkload = new Map<string, number[]>();
  incidents.forEach((inc, i) => {
    const k = refKey(inc.workload);
    const list = byWorkload.get(k);
    if (list) list.push(i);
    else byWorkload.set(k, [i]);
  });
  const nodesOf = new Map<number, Set<string>>();
  const nodesFor = (i: number): Set<string> => {
    let set = nodesOf.get(i);
    if (!set)
      nodesOf.set(
        i,
        (set = new Set(
          podsOf(snapshot, incidents[i]!.workload)
            .map((p) => p.nodeName)
            .filter((n): n is string => Boolean(n)),
        )),
      );
    return set;
  };
  incidents.forEach((a, i) => {
    const same = (byWorkload.get(refKey(a.workload)) ?? [])
      .filter((j) => j !== i)
      .map((j) => [j, incidents[j]!] as const);
    if (a.type === 'RolloutRegression' || a.type === 'RolloutStuck') {
      for (const [j, b] of same) if (ROLLOUT_SYMPTOMS.includes(b.type)) out.push([i, j]);
    }
    if (a.type === 'PullSecretMissing') {
      for (const [j, b] of same) if (b.type === 'ImagePullBackOff') out.push([i, j]);
    }
    if (a.type === 'OOMKilled') {
      for (const [j, b] of same) if (b.type === 'CrashLoopBackOff' && b.key === a.key) out.push([i, j]);
    }
    if (a.type === 'ReplicasUnavailable') {
      for (const [j, b] of same) if (POD_LEVEL.includes(b.type)) out.push([i, j]);
    }
    if (a.type === 'NodeNotReady' || a.type === 'NodePressure') {
      incidents.forEach((b, j) => {
        if (j === i || !(a.type === 'NodeNotReady' ? ON_NODE : ['Evicted']).includes(b.type)) return;
        if (nodesFor(j).has(a.workload.name)) out.push([i, j]);
      });
    }
    if (a.type === 'ServiceNoEndpoints') {
      const svc = snapshot.get('Service', a.workload.namespace, a.workload.name);
      if (svc) {
        for (const w of snapshot.workloadsIn(a.workload.namespace)) {
          if (!matchesSelector(svc.selector, w.template.labels)) continue;
          for (const j of byWorkload.get(refKey(w)) ?? []) out.push([i, j]);
        }
      }
    }
    if (a.type === 'HPASaturated') {
      const hpa = snapshot.get('HorizontalPodAutoscaler', a.workload.namespace, a.workload.name);
      if (hpa) {
        for (const j of byWorkload.get(
          refKey({ kind: hpa.target.kind, namespace: a.workload.namespace, name: hpa.target.name }),
        ) ?? []) {
          if (TARGET_TROUBLE.includes(incidents[j]!.type)) out.push([i, j]);
        }
      }
    }
    if (a.type === 'PVCPending') {
      for (const w of snapshot.workloadsIn(a.workload.namespace)) {
        if (!w.template.claimNames.includes(a.workload.name)) continue;
        for (const j of byWorkload.get(refKey(w)) ?? []) {
          if (incidents[j]!.type === 'Unschedulable' || incidents[j]!.type === 'ReplicasUnavailable') out.push([i, j]);
        }
      }
    }
    // A StatefulSet's missing StorageClass: its claims stay Pending, its pods unschedulable.
    if (a.type === 'StatefulSetMisconfigured' && a.key?.startsWith('storageclass:')) {
      const claimPrefix = `${a.key.slice('storageclass:'.length)}-${a.workload.name}-`;
      for (const [j, b] of same) if (b.type === 'Unschedulable' || b.type === 'ReplicasUnavailable') out.push([i, j]);
      incidents.forEach((b, j) => {
        if (
          b.type === 'PVCPending' &&
          b.workload.namespace === a.workload.namespace &&
          b.workload.name.startsWith(claimPrefix)
        )
          out.push([i, j]);
      });
    }
    // A claim that lost its volume: the pods that mount it cannot start.
    if (a.type === 'VolumeLost' && a.workload.kind === 'PersistentVolumeClaim') {
      for (const w of snapshot.workloadsIn(a.workload.namespace)) {
        if (!w.template.claimNames.includes(a.workload.name)) continue;
        for (const j of byWorkload.get(refKey(w)) ?? []) {
          if (incidents[j]!.type === 'Unschedulable' || incidents[j]!.type === 'ReplicasUnavailable') out.push([i, j]);
        }
      }
    }
    if (a.type === 'WebhookUnavailable' && a.key && a.workload.kind.endsWith('WebhookConfiguration')) {
      incidents.forEach((b, j) => {
        if (j !== i && b.type === 'WebhookUnavailable' && b.key === a.key) out.push([i, j]);
      });
    }
  });
  return out;
}

/** Groups of incidents with one cause; every incident is in exactly one group (alone if unrelated). */
export function correlationGroups(incidents: readonly Incident[], snapshot: ClusterSnapshot): CorrelationGroup[] {
  const parent = incidents.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const [a, b] of links(incidents, snapshot)) {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[rb] = ra;
  }
  const sets = new Map<number, Incident[]>();
  incidents.forEach((inc, i) => {
    const r = find(i);
    const list = sets.get(r);
    if (list) list.push(inc);
    else sets.set(r, [inc]);
  });
  return [...sets.values()].map((members) => {
    const root = members.reduce((best, m) => (better(m, best) ? m : best));
    return { id: root.id, root, members: [root, ...members.filter((m) => m !== root)] };
  });
}

/** incident id → group id (the id of the group's root incident; an unrelated incident maps to itself). */
export function correlate(incidents: readonly Incident[], snapshot: ClusterSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  for (const g of correlationGroups(incidents, snapshot)) for (const m of g.members) out.set(m.id, g.id);
  return out;
}
