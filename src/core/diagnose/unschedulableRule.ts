// Unschedulable pods: the scheduler's message says why no node fits (insufficient cpu/memory,
// taints, node selector/affinity, unbound claims). For resources, the request that does not fit is
// compared with the largest free capacity of any node (allocatable minus the requests placed on it).
import type { Evidence } from '../model/incident';
import type { Node, Pod, PodTemplate } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import type { ClusterSnapshot } from '../model/snapshot';
import { formatBytes, formatMillicores, parseBytes, parseMillicores } from '../model/quantity';
import { clip, condition } from '../detect/support';
import { refOf } from '../model/objectRef';
import { isTerminalPod, livePods } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import {
  containerPath,
  cpuQuantity,
  diagnosis,
  memoryQuantity,
  podsOf,
  q,
  roundDownMemory,
  templateOf,
  type Diagnosis,
} from './ruleSupport';

export interface SchedulerReason {
  nodes: number;
  kind: 'cpu' | 'memory' | 'taint' | 'selector' | 'volume' | 'unschedulable' | 'other';
  text: string;
  /** For a taint: "key: value" as the scheduler printed it. */
  taint?: string;
}

/** "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: …" */
export function parseSchedulerMessage(message: string): { total?: number; reasons: SchedulerReason[] } {
  const text = message.slice(0, 2000);
  const head = /^0\/(\d+) nodes are available/.exec(text);
  const colon = text.indexOf(':');
  let body = colon >= 0 ? text.slice(colon + 1) : text;
  const cut = body.indexOf('preemption:');
  if (cut >= 0) body = body.slice(0, cut);
  const reasons: SchedulerReason[] = [];
  for (const raw of body.split(/,\s+(?=\d+\s)|\.\s*$|\.\s+(?=\d)/)) {
    const part = raw.trim().replace(/\.$/, '');
    if (!part) continue;
    const m = /^(\d+)\s+(.*)$/.exec(part);
    const nodes = m ? Number(m[1]) : 0;
    const what = m ? m[2]! : part;
    const lower = what.toLowerCase();
    let kind: SchedulerReason['kind'] = 'other';
    let taint: string | undefined;
    if (lower.startsWith('insufficient cpu')) kind = 'cpu';
    else if (lower.startsWith('insufficient memory')) kind = 'memory';
    else if (lower.includes('taint')) {
      kind = 'taint';
      const open = what.indexOf('{');
      const close = what.indexOf('}', open);
      if (open >= 0 && close > open) taint = what.slice(open + 1, close).slice(0, 200);
    } else if (
      lower.includes('affinity/selector') ||
      lower.includes("didn't match pod's node affinity") ||
      lower.includes('node selector')
    )
      kind = 'selector';
    else if (lower.includes('persistentvolumeclaim') || lower.includes('volume node affinity')) kind = 'volume';
    else if (lower.includes('were unschedulable')) kind = 'unschedulable';
    reasons.push({ nodes, kind, text: what.slice(0, 200), ...(taint !== undefined ? { taint } : {}) });
  }
  return { ...(head ? { total: Number(head[1]) } : {}), reasons };
}

interface Free {
  node: Node;
  cpu: number;
  memory: number;
}

/** Allocatable minus the requests of the pods placed on each schedulable node. */
export function nodeFree(snapshot: ClusterSnapshot): Free[] {
  const used = new Map<string, { cpu: number; memory: number }>();
  for (const pod of livePods(snapshot)) {
    if (!pod.nodeName || isTerminalPod(pod)) continue;
    const r = podRequests(pod.spec);
    const u = used.get(pod.nodeName) ?? { cpu: 0, memory: 0 };
    used.set(pod.nodeName, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory });
  }
  return snapshot
    .list('Node')
    .filter((n) => !n.unschedulable && condition(n.conditions, 'Ready')?.status === 'True')
    .map((node) => {
      const u = used.get(node.meta.name) ?? { cpu: 0, memory: 0 };
      return {
        node,
        cpu: (parseMillicores(node.allocatable['cpu']) ?? 0) - u.cpu,
        memory: (parseBytes(node.allocatable['memory']) ?? 0) - u.memory,
      };
    });
}

/** Effective requests of a pod: the sum over containers, or the largest init container if more. */
export function podRequests(t: PodTemplate): { cpu: number; memory: number } {
  const sum = (key: 'cpu' | 'memory') =>
    t.containers.reduce(
      (s, c) =>
        s + ((key === 'cpu' ? parseMillicores(c.resources.requests[key]) : parseBytes(c.resources.requests[key])) ?? 0),
      0,
    );
  const init = (key: 'cpu' | 'memory') =>
    Math.max(
      0,
      ...t.initContainers.map(
        (c) =>
          (key === 'cpu' ? parseMillicores(c.resources.requests[key]) : parseBytes(c.resources.requests[key])) ?? 0,
      ),
    );
  return { cpu: Math.max(sum('cpu'), init('cpu')), memory: Math.max(sum('memory'), init('memory')) };
}

function resourceCause(
  ctx: DiagnoseContext,
  kind: 'cpu' | 'memory',
  template: PodTemplate,
  prefix: string,
  reason: SchedulerReason,
  evidence: Evidence[],
): Diagnosis {
  const { snapshot, incident } = ctx;
  const need = podRequests(template)[kind];
  const free = nodeFree(snapshot).sort((a, b) => b[kind] - a[kind]);
  const best = free[0];
  const fmt = (v: number) => (kind === 'cpu' ? formatMillicores(v) : formatBytes(v));
  const biggest = [...template.containers].sort((a, b) =>
    ((kind === 'cpu' ? parseMillicores(a.resources.requests[kind]) : parseBytes(a.resources.requests[kind])) ?? 0) <
    ((kind === 'cpu' ? parseMillicores(b.resources.requests[kind]) : parseBytes(b.resources.requests[kind])) ?? 0)
      ? 1
      : -1,
  )[0];
  const path = biggest ? `${containerPath(prefix, biggest.name)}.resources.requests.${kind}` : undefined;
  const current = biggest?.resources.requests[kind];
  const currentValue = (kind === 'cpu' ? parseMillicores(current) : parseBytes(current)) ?? 0;
  const room = best ? Math.max(0, best[kind]) : 0;
  const lowered = currentValue - (need - room);
  const fits = kind === 'cpu' ? Math.floor(lowered / 10) * 10 : roundDownMemory(lowered);
  const usable = path && best && need > room && fits > 0 && fits >= currentValue * 0.25;
  const edits: SpecEdit[] = usable
    ? [
        {
          path,
          value: kind === 'cpu' ? cpuQuantity(fits) : memoryQuantity(fits),
          ...(current ? { previous: current } : {}),
        },
      ]
    : [];
  const fixes: SuggestedFix[] = [
    edits.length > 0
      ? {
          summary: `Lower the ${kind} request of ${q(biggest!.name)} to ${edits[0]!.value} so the pod fits on ${q(best!.node.meta.name)}`,
          edits,
        }
      : undefined,
    { summary: `Add a node with at least ${fmt(need)} ${kind} free, or free capacity by scaling down other workloads` },
  ].filter((f): f is SuggestedFix => f !== undefined);
  const summary = best
    ? `the pod requests ${fmt(need)} ${kind}, but the largest free ${kind} on any node is ${fmt(room)} (${q(best.node.meta.name)})`
    : `the pod requests ${fmt(need)} ${kind} and ${reason.nodes || 'all'} node(s) lack it`;
  return diagnosis({
    category: 'insufficient-resources',
    summary,
    explanation: `The scheduler reports "${q(reason.text, 100)}" on ${reason.nodes} node(s). A pod is placed only where its requests fit next to the requests of the pods already there; ${best ? `node ${q(best.node.meta.name)} has the most room: ${fmt(room)} of ${q(best.node.allocatable[kind], 20)} allocatable.` : 'no ready, schedulable node is known.'}`,
    confidence: best ? 0.9 : 0.75,
    fields: path ? [path] : [`${prefix}.containers`],
    evidence: [
      ...evidence,
      path
        ? {
            kind: 'spec',
            source: incident.workload,
            field: path,
            text: clip(`${kind} request ${current ?? 'none'} (pod total ${fmt(need)})`),
          }
        : undefined,
      best
        ? {
            kind: 'status',
            source: refOf('Node', best.node.meta),
            field: `status.allocatable.${kind}`,
            text: clip(`allocatable ${best.node.allocatable[kind] ?? '?'}, free after placed requests ${fmt(room)}`),
          }
        : undefined,
    ].filter((e): e is Evidence => e !== undefined),
    fixes,
  });
}

function diagnoseUnschedulable(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const pods = podsOf(snapshot, incident.workload).filter((p: Pod) => p.phase === 'Pending' && !p.nodeName);
  const first = pods.find((p) => condition(p.conditions, 'PodScheduled')?.status === 'False');
  const at = templateOf(snapshot, incident.workload) ?? (first ? { template: first.spec, prefix: 'spec' } : undefined);
  const scheduled = first ? condition(first.conditions, 'PodScheduled') : undefined;
  const message = scheduled?.message ?? incident.evidence.find((e) => e.kind === 'scheduler')?.text ?? '';
  const parsed = parseSchedulerMessage(message);
  const schedulerEvidence = incident.evidence.filter((e) => e.kind === 'scheduler');
  const ranked = [...parsed.reasons].sort((a, b) => b.nodes - a.nodes);
  const main = ranked.find((r) => r.kind !== 'other') ?? ranked[0];
  const prefix = at?.prefix ?? 'spec.template.spec';
  if (main && (main.kind === 'cpu' || main.kind === 'memory') && at)
    return resourceCause(ctx, main.kind, at.template, at.prefix, main, schedulerEvidence);
  const others = ranked
    .filter((r) => r !== main)
    .map((r) => `${r.nodes} ${r.text}`)
    .slice(0, 3)
    .join('; ');
  const also = others ? ` Other nodes: ${q(others, 200)}.` : '';
  if (main?.kind === 'taint') {
    return diagnosis({
      category: 'scheduling-constraints',
      summary: `${main.nodes} node(s) carry taint ${q(main.taint ?? main.text, 100)} that the pod does not tolerate`,
      explanation: `Nodes with a taint accept only pods with a matching toleration; the pod has ${at?.template.tolerations.length ?? 0} toleration(s).${also}`,
      confidence: 0.8,
      fields: [`${prefix}.tolerations`],
      evidence: [
        ...schedulerEvidence,
        {
          kind: 'spec',
          source: incident.workload,
          field: `${prefix}.tolerations`,
          text: clip(`${at?.template.tolerations.length ?? 0} tolerations`),
        },
      ],
      fixes: [
        {
          summary: `Add a toleration for ${q(main.taint ?? 'the taint', 100)} if the pod may run on those nodes, or remove the taint`,
        },
      ],
    });
  }
  if (main?.kind === 'selector') {
    const selector = at?.template.nodeSelector ?? {};
    const nodes = snapshot.list('Node');
    const unmatched = Object.entries(selector).filter(([k, v]) => !nodes.some((n) => n.meta.labels[k] === v));
    const field = Object.keys(selector).length > 0 ? `${prefix}.nodeSelector` : `${prefix}.affinity`;
    return diagnosis({
      category: 'scheduling-constraints',
      summary:
        unmatched.length > 0
          ? `no node has label ${q(unmatched.map(([k, v]) => `${k}=${v}`).join(', '), 120)} required by the pod's nodeSelector`
          : `${main.nodes} node(s) do not match the pod's node selector or affinity`,
      explanation: `The scheduler filtered out ${main.nodes} node(s) on node selector/affinity.${also}`,
      confidence: unmatched.length > 0 ? 0.85 : 0.7,
      fields: [field],
      evidence: [
        ...schedulerEvidence,
        {
          kind: 'spec',
          source: incident.workload,
          field,
          text: clip(
            Object.keys(selector).length > 0
              ? `nodeSelector ${Object.entries(selector)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(',')}`
              : 'node affinity rules',
          ),
        },
      ],
      fixes: [
        {
          summary:
            unmatched.length > 0
              ? `Label a node with ${q(unmatched.map(([k, v]) => `${k}=${v}`).join(', '), 120)} or correct the nodeSelector`
              : 'Relax the node affinity or label nodes to match it',
        },
      ],
    });
  }
  if (main?.kind === 'volume' || message.includes('PersistentVolumeClaim')) {
    const claims = (at?.template.claimNames ?? [])
      .map((n) => snapshot.get('PersistentVolumeClaim', incident.workload.namespace, n))
      .filter((c) => c !== undefined);
    const pending = claims.filter((c) => c.phase !== 'Bound');
    return diagnosis({
      category: 'volume-binding',
      summary:
        pending.length > 0
          ? `the pod waits for PVC ${q(pending.map((c) => c.meta.name).join(', '), 120)}, which is not bound`
          : `the pod's volumes cannot be bound or reached from any node (${q(main?.text ?? message, 120)})`,
      explanation: `The pod uses claims that are unbound or bound to volumes other nodes cannot reach; the claim's own incident (PVCPending) says why.${also}`,
      confidence: pending.length > 0 ? 0.85 : 0.65,
      fields: [`${prefix}.volumes`],
      evidence: [
        ...schedulerEvidence,
        ...pending.map((c): Evidence => ({
          kind: 'status',
          source: refOf('PersistentVolumeClaim', c.meta),
          field: 'status.phase',
          text: clip(`${c.phase}, storage class ${c.storageClassName ?? 'none'}`),
        })),
      ],
      fixes: [{ summary: 'Fix the pending claim (storage class, provisioner) so it binds' }],
    });
  }
  return diagnosis({
    category: main?.kind === 'unschedulable' ? 'insufficient-resources' : 'scheduling-constraints',
    summary: `no node fits the pod: ${q(message || 'the scheduler gave no reason', 200)}`,
    explanation: `The scheduler could not place the pod.${also}`,
    confidence: message ? 0.5 : 0.35,
    fields: [],
    evidence: [...schedulerEvidence, ...incident.evidence.filter((e) => e.kind !== 'scheduler')],
    fixes: [{ summary: 'Read the scheduler message and adjust the pod spec or the nodes accordingly' }],
  });
}

export const unschedulableRule: DiagnosisRule = {
  types: ['Unschedulable'],
  diagnose: diagnoseUnschedulable,
};
