// Node trouble: a node NotReady or under pressure, and the pods it evicts. The node's conditions
// and the pods on it are the evidence; an evicted container that used far more than it requested
// gets a request that covers its usage.
import type { Evidence } from '../model/incident';
import type { Node, Pod } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { formatBytes, parseBytes } from '../model/quantity';
import { clip, condition, conditionEvidence } from '../detect/support';
import { refOf } from '../model/objectRef';
import { isTerminalPod, livePods, PodIndex } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import {
  count,
  diagnosis,
  findContainer,
  memoryQuantity,
  podsOf,
  q,
  roundUpMemory,
  templateOf,
  type Diagnosis,
} from './ruleSupport';

const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

function affected(ctx: DiagnoseContext, node: string): { pods: Pod[]; workloads: string[] } {
  const index = PodIndex.of(ctx.snapshot);
  const pods = livePods(ctx.snapshot).filter((p) => p.nodeName === node && !isTerminalPod(p));
  const workloads = [...new Set(pods.map((p) => index.ownerOf(p)).map((o) => `${o.kind}/${o.name}`))];
  return { pods, workloads };
}

function nodeNotReady(ctx: DiagnoseContext, node: Node): Diagnosis {
  const ref = refOf('Node', node.meta);
  const ready = condition(node.conditions, 'Ready');
  const { pods, workloads } = affected(ctx, node.meta.name);
  const unknown = ready?.status === 'Unknown';
  const pressures = PRESSURES.map((t) => condition(node.conditions, t)).filter((c) => c?.status === 'True');
  return diagnosis({
    category: 'node-failure',
    summary: `node ${q(node.meta.name)} ${unknown ? 'stopped reporting (kubelet or network down)' : `is NotReady${ready?.reason ? ` (${q(ready.reason, 60)})` : ''}`}; ${count(pods.length, 'pod')} of ${count(workloads.length, 'workload')} on it are affected`,
    explanation: `${unknown ? 'The node controller has not heard from the kubelet: the machine is down, the kubelet stopped, or the network between them is cut.' : 'The kubelet reports the node unhealthy (container runtime, network plugin or resources).'} Pods on it are evicted after the toleration period (300s by default) and rescheduled elsewhere if there is room.${workloads.length > 0 ? ` Affected: ${q(workloads.slice(0, 5).join(', '), 200)}.` : ''}`,
    confidence: 0.85,
    fields: [],
    evidence: [
      ready ? conditionEvidence(ref, ready) : undefined,
      ...pressures.map((c) => conditionEvidence(ref, c!)),
      {
        kind: 'status',
        source: ref,
        field: 'spec.nodeName',
        text: clip(
          `${count(pods.length, 'pod')} on the node: ${pods
            .slice(0, 5)
            .map((p) => p.meta.name)
            .join(', ')}`,
        ),
        count: pods.length,
      },
      ...ctx.incident.evidence.filter((e) => e.kind === 'event'),
    ],
    fixes: [
      {
        summary: `Check the kubelet and container runtime on ${q(node.meta.name)} (journalctl -u kubelet), or replace the machine`,
      },
      { summary: `Cordon and drain ${q(node.meta.name)} so its pods move now rather than after the eviction timeout` },
    ],
  });
}

function nodePressure(ctx: DiagnoseContext, node: Node): Diagnosis {
  const ref = refOf('Node', node.meta);
  const type =
    ctx.incident.key && PRESSURES.includes(ctx.incident.key)
      ? ctx.incident.key
      : (PRESSURES.find((t) => condition(node.conditions, t)?.status === 'True') ?? 'MemoryPressure');
  const c = condition(node.conditions, type);
  const { pods } = affected(ctx, node.meta.name);
  const usage = pods
    .map((p) => ({
      p,
      bytes:
        ctx.snapshot.usageOf(p.meta.namespace, p.meta.name)?.containers.reduce((s, x) => s + x.memoryBytes, 0) ?? 0,
    }))
    .filter((x) => x.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  const top = usage.slice(0, 3);
  const word =
    type === 'MemoryPressure'
      ? 'memory'
      : type === 'DiskPressure'
        ? 'disk'
        : type === 'PIDPressure'
          ? 'process IDs'
          : 'network';
  return diagnosis({
    category: 'node-pressure',
    summary:
      type === 'NetworkUnavailable'
        ? `node ${q(node.meta.name)} has no working pod network (NetworkUnavailable)`
        : `node ${q(node.meta.name)} is running out of ${word}${top.length > 0 && type === 'MemoryPressure' ? `; the largest users are ${q(top.map((x) => `${x.p.meta.name} ${formatBytes(x.bytes)}`).join(', '), 160)}` : ''}`,
    explanation:
      type === 'NetworkUnavailable'
        ? 'The network plugin has not configured the node; pods there cannot reach each other.'
        : `The kubelet reports ${type}; it evicts pods (lowest priority and most over their requests first) until the pressure ends.`,
    confidence: 0.75,
    fields: [],
    evidence: [
      c ? conditionEvidence(ref, c) : undefined,
      ...top.map((x): Evidence => ({
        kind: 'metric',
        source: refOf('Pod', x.p.meta),
        text: `memory usage ${formatBytes(x.bytes)}`,
      })),
      ...ctx.incident.evidence.filter((e) => e.kind !== 'condition'),
    ],
    fixes: [
      {
        summary:
          type === 'MemoryPressure'
            ? 'Set memory requests that match usage on the largest users so the scheduler spreads them, or add memory'
            : type === 'DiskPressure'
              ? 'Free disk on the node (images, logs, emptyDir volumes) or enlarge it'
              : type === 'NetworkUnavailable'
                ? 'Check the CNI plugin pods on the node'
                : 'Find the process that forks without bound',
      },
    ],
  });
}

/** "The node was low on resource: memory. … Container app was using 1.2Gi, request is 128Mi, …" */
export function evictionDetails(message: string): {
  resource?: string;
  usage: { container: string; using: string; request?: string }[];
} {
  const text = message.slice(0, 2000);
  const low = /low on resource: ([a-z-]+)/.exec(text);
  const usage = [...text.matchAll(/Container (\S+) was using (\S+?), request is (\S+?)[,.]/g)].map((m) => ({
    container: m[1]!,
    using: m[2]!,
    request: m[3]!,
  }));
  return { ...(low ? { resource: low[1]! } : {}), usage };
}

function evicted(ctx: DiagnoseContext): Diagnosis {
  const { snapshot, incident } = ctx;
  const pods = podsOf(snapshot, incident.workload).filter((p) => p.phase === 'Failed' && p.reason === 'Evicted');
  const latest = pods.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''))[0];
  const message = latest?.message ?? incident.evidence.find((e) => e.field === 'status.message')?.text ?? '';
  const details = evictionDetails(message);
  const nodeName = latest?.nodeName;
  const node = nodeName ? (snapshot.get('Node', '', nodeName) ?? snapshot.get('Node', 'default', nodeName)) : undefined;
  const ready = node ? condition(node.conditions, 'Ready') : undefined;
  const nodeDown = ready !== undefined && ready.status !== 'True';
  const at = templateOf(snapshot, incident.workload);
  const edits: SpecEdit[] = [];
  if (details.resource === 'memory') {
    for (const u of details.usage) {
      const c = findContainer(at, u.container);
      const using = parseBytes(u.using);
      const request = parseBytes(c?.spec.resources.requests['memory'] ?? u.request);
      if (!c || using === undefined || (request !== undefined && request >= using)) continue;
      const value = roundUpMemory(using * 1.15);
      const limit = parseBytes(c.spec.resources.limits['memory']);
      edits.push({
        path: `${c.path}.resources.requests.memory`,
        value: memoryQuantity(limit !== undefined ? Math.min(value, limit) : value),
        ...(c.spec.resources.requests['memory'] ? { previous: c.spec.resources.requests['memory'] } : {}),
      });
    }
  }
  const over = details.usage
    .map((u) => `${q(u.container)} used ${q(u.using, 20)} against a request of ${q(u.request, 20)}`)
    .join('; ');
  const fixes: (SuggestedFix | undefined)[] = [
    edits.length > 0
      ? {
          summary:
            'Request the memory the container actually uses, so the scheduler places it where that fits and the kubelet evicts it last',
          edits,
        }
      : undefined,
    nodeDown
      ? { summary: `Repair node ${q(nodeName)}; the evicted pods are replaced on other nodes if they have room` }
      : undefined,
    {
      summary:
        'Delete the evicted pod objects once understood (kubectl delete pod --field-selector=status.phase=Failed)',
    },
  ];
  return diagnosis({
    category: nodeDown ? 'node-failure' : 'node-pressure',
    summary: nodeDown
      ? `node ${q(nodeName)} is ${ready!.status === 'Unknown' ? 'unreachable' : 'NotReady'} and its pods were evicted`
      : `evicted because node ${q(nodeName ?? '?')} ran low on ${q(details.resource ?? 'a resource', 40)}${over ? `; ${over}` : ''}`,
    explanation: `The kubelet evicts pods when its node runs short, starting with those most above their requests.${over ? ` Here ${over}.` : ''} ${q(message, 300)}`,
    confidence: details.resource || nodeDown ? 0.8 : 0.55,
    fields: edits.map((e) => e.path),
    evidence: [
      ...incident.evidence,
      node && ready ? conditionEvidence(refOf('Node', node.meta), ready) : undefined,
      ...(node
        ? PRESSURES.map((t) => condition(node.conditions, t))
            .filter((c) => c?.status === 'True')
            .map((c) => conditionEvidence(refOf('Node', node.meta), c!))
        : []),
    ],
    fixes,
  });
}

function diagnoseNode(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  if (incident.type === 'Evicted') return evicted(ctx);
  const node =
    snapshot.get('Node', incident.workload.namespace, incident.workload.name) ??
    snapshot.get('Node', '', incident.workload.name);
  if (!node) return undefined;
  return incident.type === 'NodeNotReady' ? nodeNotReady(ctx, node) : nodePressure(ctx, node);
}

export const nodeRule: DiagnosisRule = {
  types: ['NodeNotReady', 'NodePressure', 'Evicted'],
  diagnose: diagnoseNode,
};
