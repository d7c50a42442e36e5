// OOM vs limit: the container needs more memory than its limit allows. The proposed limit comes
// from right-sizing over the usage history (with the kills as OOM events), else from the observed
// peak, else from the kill alone (which only shows the need is above the limit).
import type { Evidence } from '../model/incident';
import type { ContainerStatus, Pod } from '../model/resources';
import type { SpecEdit } from '../model/rootCause';
import { formatBytes, parseBytes } from '../model/quantity';
import { recommendResources, type OomEvent } from '../scaling/rightSizing';
import { refOf } from '../model/objectRef';
import { statusField } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import {
  count,
  diagnosis,
  incidentContainer,
  memoryQuantity,
  podsOf,
  q,
  roundUpMemory,
  specEvidence,
  templateOf,
  type Diagnosis,
} from './ruleSupport';

interface Kill {
  pod: Pod;
  status: ContainerStatus;
  where: 'state' | 'lastState';
  exitCode: number;
  finishedAt?: string;
}

function killsOf(pods: readonly Pod[], container: string): Kill[] {
  const out: Kill[] = [];
  for (const pod of pods) {
    for (const status of [...pod.containerStatuses, ...pod.initContainerStatuses]) {
      if (status.name !== container) continue;
      const where =
        status.state.terminated?.reason === 'OOMKilled'
          ? 'state'
          : status.lastState.terminated?.reason === 'OOMKilled'
            ? 'lastState'
            : undefined;
      const t = where ? status[where].terminated : undefined;
      if (where && t)
        out.push({ pod, status, where, exitCode: t.exitCode, ...(t.finishedAt ? { finishedAt: t.finishedAt } : {}) });
    }
  }
  return out.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''));
}

function seconds(iso: string | undefined, fallback: number): number {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(t) ? t / 1000 : fallback;
}

export function diagnoseOom(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident, usage, now } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const pods = podsOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const name = c?.spec.name ?? incident.key;
  if (name === undefined) return undefined;
  const kills = killsOf(pods, name);
  if (incident.type === 'CrashLoopBackOff' && kills.length === 0) return undefined;
  const spec =
    c?.spec ?? pods.flatMap((p) => [...p.spec.containers, ...p.spec.initContainers]).find((x) => x.name === name);
  const limitText = spec?.resources.limits['memory'];
  const requestText = spec?.resources.requests['memory'];
  const limit = parseBytes(limitText);
  const path = c?.path;
  const killCount = Math.max(
    kills.length,
    kills.reduce((sum, k) => sum + Math.max(1, k.status.restartCount), 0),
  );
  const exit = kills[0]?.exitCode ?? 137;
  const nowSec = now.getTime() / 1000;
  const ooms: OomEvent[] =
    limit !== undefined
      ? (kills.length > 0 ? kills : [undefined]).map((k) => ({ t: seconds(k?.finishedAt, nowSec), memory: limit }))
      : [];

  const samples =
    usage?.samples(incident.workload.kind, incident.workload.namespace, incident.workload.name, name) ?? [];
  const live = pods.flatMap(
    (p) =>
      snapshot
        .usageOf(p.meta.namespace, p.meta.name)
        ?.containers.filter((x) => x.name === name)
        .map((x) => ({ pod: p, bytes: x.memoryBytes })) ?? [],
  );
  const samplePeak = samples.length > 0 ? Math.max(...samples.map((s) => s.memory)) : undefined;
  const livePeak = live.length > 0 ? live.reduce((a, b) => (b.bytes > a.bytes ? b : a)) : undefined;
  const peak = Math.max(samplePeak ?? 0, livePeak?.bytes ?? 0) || undefined;

  let proposed: number | undefined;
  let proposedRequest: number | undefined;
  let basis: string;
  let confidence: number;
  if (samples.length > 0) {
    const rec = recommendResources(samples, ooms);
    proposed = rec.memoryLimit;
    proposedRequest = Math.min(rec.memoryRequest, rec.memoryLimit);
    basis = `Right-sizing over ${count(samples.length, 'usage sample')}: ${rec.reasoning.filter((r) => r.startsWith('Memory') || r.startsWith('OOM')).join(' ')}`;
    confidence = limit !== undefined ? 0.9 : 0.6;
  } else if (peak !== undefined) {
    const rec = recommendResources([{ t: nowSec, cpu: 0, memory: peak }], ooms);
    proposed = rec.memoryLimit;
    basis = `Observed peak ~${formatBytes(peak)} plus 15 % margin${limit !== undefined ? `, and at least 20 % or 100Mi above the ${formatBytes(limit)} limit the kills hit` : ''}.`;
    confidence = limit !== undefined ? 0.85 : 0.55;
  } else if (limit !== undefined) {
    proposed = 2 * limit;
    basis = `No usage is known, and a kill only shows the need is above ${formatBytes(limit)}: doubling the limit is a first step; watch the usage afterwards.`;
    confidence = 0.75;
  } else {
    basis =
      'The container has no memory limit, so the kill came from the node running out of memory; set a request and limit from its usage.';
    confidence = 0.5;
  }
  if (proposed !== undefined) proposed = roundUpMemory(proposed);
  const request = parseBytes(requestText);
  if (proposed !== undefined && (request === undefined || request > proposed))
    proposedRequest = roundUpMemory(Math.min(proposedRequest ?? proposed, proposed));
  else proposedRequest = undefined;

  const limitPart = limit !== undefined ? `memory limit ${formatBytes(limit)}` : 'no memory limit';
  const killPart = `OOMKilled ${killCount === 1 ? 'once' : `${killCount} times`}, exit ${exit}`;
  const summary =
    limit === undefined
      ? `container ${q(name)} was OOMKilled without a memory limit (${killPart}): the node ran out of memory`
      : peak !== undefined && peak > limit
        ? `memory limit ${formatBytes(limit)} is below the container's peak of ~${formatBytes(peak)} (${killPart})`
        : `memory limit ${formatBytes(limit)} is below what the container needs (${killPart})`;

  const edits: SpecEdit[] = [];
  if (path && proposed !== undefined) {
    edits.push({
      path: `${path}.resources.limits.memory`,
      value: memoryQuantity(proposed),
      ...(limitText ? { previous: limitText } : {}),
    });
    if (proposedRequest !== undefined)
      edits.push({
        path: `${path}.resources.requests.memory`,
        value: memoryQuantity(proposedRequest),
        ...(requestText ? { previous: requestText } : {}),
      });
  }
  const kill = kills[0];
  const podRef = kill ? refOf('Pod', kill.pod.meta) : undefined;
  const evidence: (Evidence | undefined)[] = [
    kill && podRef
      ? {
          kind: 'status',
          source: podRef,
          field: statusField(name, `${kill.where}.terminated.reason`, c?.init ?? false),
          text: `OOMKilled, exit code ${kill.exitCode}`,
          reason: 'OOMKilled',
          count: killCount,
          ...(kill.finishedAt ? { lastSeen: kill.finishedAt } : {}),
        }
      : undefined,
    path
      ? specEvidence(
          incident.workload,
          `${path}.resources.limits.memory`,
          limitText ? `memory limit ${limitText}` : 'no memory limit',
        )
      : undefined,
    path && requestText
      ? specEvidence(incident.workload, `${path}.resources.requests.memory`, `memory request ${requestText}`)
      : undefined,
    samplePeak !== undefined
      ? {
          kind: 'metric',
          source: incident.workload,
          text: `peak working set ~${formatBytes(samplePeak)} over ${count(samples.length, 'sample')}`,
        }
      : undefined,
    livePeak
      ? {
          kind: 'metric',
          source: refOf('Pod', livePeak.pod.meta),
          text: `memory usage ${formatBytes(livePeak.bytes)}${limit !== undefined ? ` of ${formatBytes(limit)}` : ''}`,
        }
      : undefined,
    ...incident.evidence.filter((e) => e.kind === 'event'),
  ];
  const fixValue = edits[0] ? `${edits[0].value}` : undefined;
  return diagnosis({
    category: 'memory-limit',
    summary,
    explanation: `The kernel killed container ${q(name)} when it reached its ${limitPart} (${killPart}). ${basis}`,
    confidence,
    fields: path
      ? [
          `${path}.resources.limits.memory`,
          proposedRequest !== undefined ? `${path}.resources.requests.memory` : undefined,
        ]
      : [],
    evidence,
    fixes: [
      fixValue
        ? {
            summary: `Raise the memory limit of ${q(name)} to ${fixValue}${proposedRequest !== undefined ? ` and its request to ${memoryQuantity(proposedRequest)}` : ''}`,
            edits,
          }
        : {
            summary: `Set a memory request and limit on ${q(name)} from its usage once metrics are available, or find the leak`,
          },
    ],
  });
}

export const oomRule: DiagnosisRule = {
  types: ['OOMKilled', 'CrashLoopBackOff'],
  diagnose: diagnoseOom,
};
