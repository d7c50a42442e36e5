// Quota exhaustion: which quota, which resource, used against hard; then what fits — fewer
// replicas, or smaller requests so the wanted replicas fit.
import type { Evidence } from '../model/incident';
import type { ContainerSpec, ResourceQuota } from '../model/resources';
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { parseQuantity } from '../model/quantity';
import { clip } from '../detect/support';
import { refOf } from '../model/objectRef';
import { isScalableKind } from '../model/workload';
import { appendKey } from '../model/fieldPath';
import { exhaustedResources, quotaNameFrom } from '../detect/quotaExceeded';
import { isTerminalPod } from '../detect/pods';
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

/** "requested: pods=1,requests.cpu=500m, used: …, limited: …" → per section, resource → quantity text. */
export function quotaSections(message: string): Record<'requested' | 'used' | 'limited', Record<string, string>> {
  const text = message.slice(0, 2000);
  const out = { requested: {}, used: {}, limited: {} } as Record<
    'requested' | 'used' | 'limited',
    Record<string, string>
  >;
  for (const section of ['requested', 'used', 'limited'] as const) {
    const at = text.indexOf(`${section}: `);
    if (at < 0) continue;
    const rest = text.slice(at + section.length + 2);
    const end = rest.search(/, (requested|used|limited): |$/);
    for (const pair of rest.slice(0, end < 0 ? undefined : end).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) out[section][pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
  }
  return out;
}

/** The per-pod amount of a quota resource in a template ("requests.memory", "cpu", "limits.cpu"); 1 for pods. */
function perPod(
  containers: readonly ContainerSpec[],
  resource: string,
): { amount: number; kind: 'requests' | 'limits'; name: string } | undefined {
  if (resource === 'pods' || resource === 'count/pods') return { amount: 1, kind: 'requests', name: 'pods' };
  const [kind, name] = resource.startsWith('limits.')
    ? (['limits', resource.slice(7)] as const)
    : resource.startsWith('requests.')
      ? (['requests', resource.slice(9)] as const)
      : (['requests', resource] as const);
  if (name !== 'cpu' && name !== 'memory') return undefined;
  const amount = containers.reduce((s, c) => s + (parseQuantity(c.resources[kind][name]) ?? 0), 0);
  return { amount, kind, name };
}

function diagnoseQuota(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const events = incident.evidence.filter((e) => e.kind === 'event');
  const message = events.find((e) => e.text.includes('exceeded quota'))?.text ?? '';
  const name = incident.key ?? quotaNameFrom(message);
  const quota: ResourceQuota | undefined = name
    ? snapshot.get('ResourceQuota', incident.workload.namespace, name)
    : snapshot.list('ResourceQuota', incident.workload.namespace).find((x) => exhaustedResources(x).length > 0);
  const sections = quotaSections(message);
  const resource =
    Object.keys(sections.limited)[0] ??
    (quota
      ? Object.keys(quota.hard).find((r) => exhaustedResources({ ...quota, hard: { [r]: quota.hard[r]! } }).length > 0)
      : undefined);
  const qName = quota?.meta.name ?? name ?? 'in the namespace';
  if (!resource) {
    return diagnosis({
      category: 'quota',
      summary: `quota ${q(qName, 63)} is used up`,
      explanation: 'The controller cannot create pods because a ResourceQuota would be exceeded.',
      confidence: 0.6,
      fields: [],
      evidence: incident.evidence,
      fixes: [{ summary: `Raise quota ${q(qName, 63)} or free usage in ${q(incident.workload.namespace)}` }],
    });
  }
  const hardText = quota?.hard[resource] ?? sections.limited[resource];
  const usedText = quota?.used[resource] ?? sections.used[resource];
  const hard = parseQuantity(hardText);
  const used = parseQuantity(usedText);
  const at = templateOf(snapshot, incident.workload);
  const w = isScalableKind(incident.workload.kind)
    ? snapshot.getWorkload(incident.workload.kind, incident.workload.namespace, incident.workload.name)
    : undefined;
  const own = podsOf(snapshot, incident.workload).filter((p) => !isTerminalPod(p)).length;
  const per = at ? perPod(at.template.containers, resource) : undefined;
  const fixes: SuggestedFix[] = [];
  const fields: string[] = [];
  let fitText = '';
  if (w && per && per.amount > 0 && hard !== undefined && used !== undefined) {
    const others = Math.max(0, used - own * per.amount);
    const fitReplicas = Math.max(0, Math.floor((hard - others) / per.amount + 1e-9));
    if (fitReplicas < w.desired) {
      fitText = ` — ${fitReplicas} of the ${w.desired} wanted replicas fit`;
      if (per.name !== 'pods' && at) {
        const biggest = [...at.template.containers].sort(
          (a, b) =>
            (parseQuantity(b.resources[per.kind][per.name]) ?? 0) -
            (parseQuantity(a.resources[per.kind][per.name]) ?? 0),
        )[0];
        const cur = biggest ? parseQuantity(biggest.resources[per.kind][per.name]) : undefined;
        if (biggest && cur !== undefined) {
          const perPodTarget = (hard - others) / w.desired;
          const target = cur - (per.amount - perPodTarget);
          const value = per.name === 'cpu' ? Math.floor(target * 100) * 10 : roundDownMemory(target);
          const path = `${containerPath(at.prefix, biggest.name)}.resources.${per.kind}.${per.name}`;
          fields.push(path);
          if (value > 0 && value >= (per.name === 'cpu' ? cur * 1000 : cur) * 0.25) {
            const text = per.name === 'cpu' ? cpuQuantity(value) : memoryQuantity(value);
            fixes.push({
              summary: `Lower the ${per.name} ${per.kind === 'requests' ? 'request' : 'limit'} of ${q(biggest.name)} to ${text} so ${w.desired} replicas fit`,
              edits: [{ path, value: text, previous: biggest.resources[per.kind][per.name]! } satisfies SpecEdit],
            });
          }
        }
      }
      fields.push('spec.replicas');
      fixes.splice(per.name === 'pods' ? 0 : fixes.length, 0, {
        summary: `Scale ${q(incident.workload.name)} to ${fitReplicas} replicas, which fit the quota`,
        edits: [{ path: 'spec.replicas', value: fitReplicas, previous: w.desired }],
      });
    }
  }
  fixes.push({
    summary: `Raise ${resource} in ResourceQuota ${q(qName, 63)} (hard ${q(hardText, 20)}) if the namespace may use more`,
  });
  const quotaEvidence: Evidence | undefined = quota
    ? {
        kind: 'status',
        source: refOf('ResourceQuota', quota.meta),
        field: appendKey('status.used', resource),
        text: clip(`${resource}: used ${usedText ?? '?'} of hard ${hardText ?? '?'}`),
      }
    : undefined;
  return diagnosis({
    category: 'quota',
    summary: `quota ${q(qName, 63)} is exhausted on ${q(resource, 40)}: used ${q(usedText ?? '?', 20)} of ${q(hardText ?? '?', 20)}${sections.requested[resource] ? `, a new pod needs ${q(sections.requested[resource], 20)}` : ''}${fitText}`,
    explanation: `The controller's pod creation is rejected by ResourceQuota ${q(qName, 63)}. Pods of ${q(incident.workload.name)} count ${per ? `${per.name === 'pods' ? '1 pod' : `${per.amount} ${resource}`} each` : 'against it'}; ${own} exist now.`,
    confidence: quota ? 0.9 : 0.75,
    fields,
    evidence: [quotaEvidence, ...events],
    fixes,
  });
}

export const quotaRule: DiagnosisRule = {
  types: ['QuotaExceeded'],
  diagnose: diagnoseQuota,
};
