// The checks a Deployment dry-run cannot make, computed for the state after the rollout: will the
// new pods fit on the nodes (requests, taints, node selectors), stay inside the namespace's quotas
// (current usage minus the pods replaced, plus the new pods, plus the surge), and leave every PDB
// some disruption allowance. Also the HPA's predicted replicas after a requests change.
import { podRequests } from '../diagnose/unschedulableRule';
import { isTerminalPod } from '../detect/pods';
import { parseBytes, parseMillicores, parseQuantity } from '../model/quantity';
import type { CheckOutcome } from '../model/proposal';
import type { Node, Pod, PodTemplate } from '../model/resources';
import type { ClusterSnapshot } from '../model/snapshot';

export interface CapacityFinding {
  result: CheckOutcome;
  detail: string;
  evidence: string[];
  warnings: string[];
}

export interface CapacityInput {
  snapshot: ClusterSnapshot;
  namespace: string;
  /** The target's pods now (the rollout replaces them). */
  current: Pod[];
  /** The template new pods will have, or undefined when the change creates no pods with a new template. */
  newTemplate: PodTemplate | undefined;
  /** The template pods have now. */
  currentTemplate: PodTemplate | undefined;
  replicasBefore: number;
  replicasAfter: number;
  maxSurge: number;
  maxUnavailable: number;
}

const finding = (
  result: CheckOutcome,
  detail: string,
  evidence: string[] = [],
  warnings: string[] = [],
): CapacityFinding => ({ result, detail, evidence, warnings });

function tolerates(t: PodTemplate, node: Node): boolean {
  return node.taints
    .filter((x) => x.effect === 'NoSchedule' || x.effect === 'NoExecute')
    .every((taint) =>
      t.tolerations.some(
        (tol) =>
          (tol.operator === 'Exists' && (!tol.key || tol.key === taint.key)) ||
          (tol.key === taint.key &&
            (tol.value ?? '') === (taint.value ?? '') &&
            (!tol.effect || tol.effect === taint.effect)),
      ),
    );
}

function selects(t: PodTemplate, node: Node): boolean {
  return Object.entries(t.nodeSelector).every(([k, v]) => node.meta.labels[k] === v);
}

function ready(node: Node): boolean {
  return !node.unschedulable && node.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function mi(bytes: number): string {
  return `${Math.round(bytes / 1048576)}Mi`;
}

/** How many pods of `template` fit on the nodes, with the pods in `gone` removed first. */
function placeable(
  snapshot: ClusterSnapshot,
  template: PodTemplate,
  gone: Set<string>,
  want: number,
): { fitted: number; evidence: string[] } {
  const need = podRequests(template);
  const used = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const pod of snapshot.list('Pod')) {
    if (!pod.nodeName || isTerminalPod(pod) || pod.meta.deletedAt || gone.has(pod.meta.uid)) continue;
    const r = podRequests(pod.spec);
    const u = used.get(pod.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
    used.set(pod.nodeName, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
  }
  let fitted = 0;
  const evidence: string[] = [];
  for (const node of snapshot.list('Node')) {
    const u = used.get(node.meta.name) ?? { cpu: 0, memory: 0, pods: 0 };
    const free = {
      cpu: (parseMillicores(node.allocatable['cpu']) ?? 0) - u.cpu,
      memory: (parseBytes(node.allocatable['memory']) ?? 0) - u.memory,
      pods: (parseQuantity(node.allocatable['pods']) ?? 110) - u.pods,
    };
    if (!ready(node) || !tolerates(template, node) || !selects(template, node)) {
      evidence.push(
        `${node.meta.name}: not eligible (${!ready(node) ? 'not ready or cordoned' : !tolerates(template, node) ? 'taint not tolerated' : 'node selector'})`,
      );
      continue;
    }
    const byCpu = need.cpu > 0 ? Math.floor(free.cpu / need.cpu) : Infinity;
    const byMem = need.memory > 0 ? Math.floor(free.memory / need.memory) : Infinity;
    const n = Math.max(0, Math.min(byCpu, byMem, free.pods));
    evidence.push(
      `${node.meta.name}: free ${free.cpu}m cpu, ${mi(free.memory)} memory → ${n === Infinity ? 'any number of' : n} pods`,
    );
    fitted += n;
    if (fitted >= want) break;
  }
  return { fitted, evidence };
}

/** Scheduling fit of the pods the change creates, after the pods it replaces are gone, and during the surge. */
export function fitCheck(input: CapacityInput): CapacityFinding {
  const { snapshot } = input;
  const createsNew = input.newTemplate !== undefined;
  const template = input.newTemplate ?? input.currentTemplate;
  const added = createsNew ? input.replicasAfter : input.replicasAfter - input.replicasBefore;
  if (!template) return finding('skipped', 'the target runs no pods');
  if (added <= 0) return finding('skipped', 'the change creates no pods');
  if (snapshot.count('Node') === 0)
    return finding('inconclusive', 'no nodes are visible to this user, so the fit cannot be computed');
  const need = podRequests(template);
  const gone = new Set(createsNew ? input.current.map((p) => p.meta.uid) : []);
  const after = placeable(snapshot, template, gone, added);
  const evidence = [`each new pod requests ${need.cpu}m cpu, ${mi(need.memory)} memory`, ...after.evidence];
  if (after.fitted < added)
    return finding('fail', `only ${after.fitted} of ${added} new pods fit on the nodes after the rollout`, evidence);
  const warnings: string[] = [];
  if (createsNew && input.maxSurge > 0) {
    const surge = placeable(snapshot, template, new Set(), Math.min(input.maxSurge, added));
    if (surge.fitted < 1)
      warnings.push(
        input.maxUnavailable > 0
          ? 'no surge pod fits while the old pods run: the rollout proceeds by removing old pods first'
          : 'no surge pod fits while the old pods run and maxUnavailable is 0: the rollout may stall',
      );
  }
  return finding('pass', `all ${added} new pods fit on the nodes`, evidence, warnings);
}

const QUOTA_KEYS: Record<string, (t: PodTemplate) => number> = {
  pods: () => 1,
  'requests.cpu': (t) => podRequests(t).cpu / 1000,
  cpu: (t) => podRequests(t).cpu / 1000,
  'requests.memory': (t) => podRequests(t).memory,
  memory: (t) => podRequests(t).memory,
  'limits.cpu': (t) => t.containers.reduce((s, c) => s + (parseMillicores(c.resources.limits['cpu']) ?? 0), 0) / 1000,
  'limits.memory': (t) => t.containers.reduce((s, c) => s + (parseBytes(c.resources.limits['memory']) ?? 0), 0),
};

function show(key: string, v: number): string {
  return key.endsWith('memory') || key === 'memory' ? mi(v) : key === 'pods' ? String(v) : `${Math.round(v * 1000)}m`;
}

/** Quota after the rollout: used − the pods replaced + the new pods; and the peak while surging. */
export function quotaCheck(input: CapacityInput): CapacityFinding {
  const quotas = input.snapshot.list('ResourceQuota', input.namespace);
  const template = input.newTemplate ?? input.currentTemplate;
  if (!template) return finding('skipped', 'the target runs no pods');
  if (!input.newTemplate && input.replicasAfter <= input.replicasBefore)
    return finding('skipped', 'the change adds no pods and no new template');
  if (quotas.length === 0) return finding('pass', `no ResourceQuota in namespace ${input.namespace}`);
  const evidence: string[] = [];
  const warnings: string[] = [];
  const live = input.current.filter((p) => !isTerminalPod(p));
  for (const q of quotas) {
    for (const [key, hardText] of Object.entries(q.hard)) {
      const per = QUOTA_KEYS[key];
      if (!per) continue;
      const hard = parseQuantity(hardText) ?? Infinity;
      const used = parseQuantity(q.used[key] ?? '0') ?? 0;
      const mine = live.reduce((s, p) => s + per(p.spec), 0);
      const after = input.newTemplate
        ? used - mine + input.replicasAfter * per(template)
        : used + (input.replicasAfter - input.replicasBefore) * per(template);
      const peak = input.newTemplate ? used + Math.max(0, input.maxSurge) * per(template) : after;
      evidence.push(
        `${q.meta.name} ${key}: used ${show(key, used)}, after ${show(key, after)}, hard ${show(key, hard)}`,
      );
      if (after > hard + 1e-9)
        return finding(
          'fail',
          `quota ${q.meta.name} would be exceeded: ${key} ${show(key, after)} > ${show(key, hard)}`,
          evidence,
        );
      if (peak > hard + 1e-9) {
        const text = `quota ${q.meta.name} ${key} has no room for the surge pod (${show(key, peak)} > ${show(key, hard)})`;
        if (input.maxUnavailable === 0)
          return finding('fail', `${text} and maxUnavailable is 0: the rollout would stall`, evidence);
        warnings.push(`${text}: the rollout replaces pods one by one instead`);
      }
    }
  }
  return finding('pass', 'the pods after the rollout stay inside the namespace quotas', evidence, warnings);
}

/** Whether the change leaves a PodDisruptionBudget with no disruption allowed. */
export function disruptionCheck(input: CapacityInput): CapacityFinding {
  const labels = (input.newTemplate ?? input.currentTemplate)?.labels ?? {};
  const pdbs = input.snapshot
    .list('PodDisruptionBudget', input.namespace)
    .filter((p) => Object.keys(p.selector).length > 0 && Object.entries(p.selector).every(([k, v]) => labels[k] === v));
  if (pdbs.length === 0) return finding('pass', 'no PodDisruptionBudget selects these pods');
  const evidence: string[] = [];
  const warnings: string[] = [];
  for (const pdb of pdbs) {
    const lost = Math.max(0, input.replicasBefore - input.replicasAfter);
    const healthyAfter = pdb.currentHealthy - lost;
    evidence.push(
      `${pdb.meta.name}: healthy ${pdb.currentHealthy}, needs ${pdb.desiredHealthy}, after ${healthyAfter}`,
    );
    if (lost > 0 && healthyAfter <= pdb.desiredHealthy)
      return finding(
        'fail',
        `PodDisruptionBudget ${pdb.meta.name} would allow no disruption (healthy ${healthyAfter}, needs ${pdb.desiredHealthy})`,
        evidence,
      );
    if (input.newTemplate && pdb.currentHealthy - input.maxUnavailable < pdb.desiredHealthy)
      warnings.push(`during the rollout PodDisruptionBudget ${pdb.meta.name} allows no evictions (node drains wait)`);
  }
  return finding('pass', 'every PodDisruptionBudget keeps disruptions allowed', evidence, warnings);
}

/** An HPA's replicas after a CPU request change: usage ÷ (new request × target utilization). */
export function predictedHpaReplicas(
  usageMillicores: number,
  newRequestMillicores: number,
  targetUtilization: number,
  min: number,
  max: number,
): number | undefined {
  if (newRequestMillicores <= 0 || targetUtilization <= 0) return undefined;
  const replicas = Math.ceil(usageMillicores / (newRequestMillicores * (targetUtilization / 100)));
  return Math.max(min, Math.min(max, replicas));
}

/** maxSurge/maxUnavailable of a rolling update as pod counts (25 % defaults, as the controller rounds). */
export function rolloutBudget(
  replicas: number,
  strategy: { maxSurge?: string | number; maxUnavailable?: string | number } | undefined,
): { maxSurge: number; maxUnavailable: number } {
  const resolve = (v: string | number | undefined, fallback: string, up: boolean) => {
    const x = v ?? fallback;
    if (typeof x === 'number') return x;
    if (x.endsWith('%')) {
      const f = (Number(x.slice(0, -1)) / 100) * replicas;
      return up ? Math.ceil(f) : Math.floor(f);
    }
    return Number(x) || 0;
  };
  let maxSurge = resolve(strategy?.maxSurge, '25%', true);
  const maxUnavailable = resolve(strategy?.maxUnavailable, '25%', false);
  if (maxSurge === 0 && maxUnavailable === 0) maxSurge = 1;
  return { maxSurge, maxUnavailable };
}
