// HPA misconfigured: no requests to compute utilization from (a request is proposed from usage via
// right-sizing, else a default), a scale target that does not exist, or no metrics at all.
import type { TargetedFix } from './fixes';
import { recommendResources } from '../scaling/rightSizing';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { targetOf } from './hpaSaturatedRule';
import { containerPath, cpuQuantity, diagnosis, q, type Diagnosis } from './ruleSupport';
import { appendIndex, appendKey } from '../model/fieldPath';
import { isScalableKind } from '../model/workload';

/** A cpu request when nothing is known about usage. */
export const DEFAULT_CPU_REQUEST = '100m';

function diagnoseMisconfigured(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident, usage } = ctx;
  const hpa = snapshot.get('HorizontalPodAutoscaler', incident.workload.namespace, incident.workload.name);
  if (!hpa) return undefined;
  const target = targetOf(ctx, hpa);
  const texts = incident.evidence
    .map((e) => e.text)
    .join('\n')
    .slice(0, 4000);
  if (target) {
    for (const [index, m] of hpa.metrics.entries()) {
      if (
        m.type !== 'Resource' ||
        m.targetAverageUtilization === undefined ||
        (m.name !== 'cpu' && m.name !== 'memory')
      )
        continue;
      const missing = target.template.containers.filter((c) => c.resources.requests[m.name] === undefined);
      if (missing.length === 0) continue;
      const targetRef = { kind: target.kind, namespace: target.namespace, name: target.name, uid: target.uid };
      const edits = missing.map((c) => {
        const samples = usage?.samples(target.kind, target.namespace, target.name, c.name) ?? [];
        const rec = samples.length > 0 ? recommendResources(samples) : undefined;
        const value =
          m.name === 'cpu'
            ? rec
              ? cpuQuantity(Math.max(10, Math.ceil(rec.cpuRequest * 100) * 10))
              : DEFAULT_CPU_REQUEST
            : rec
              ? `${Math.ceil(rec.memoryRequest / (1024 * 1024))}Mi`
              : '128Mi';
        return {
          container: c.name,
          path: appendKey(`${containerPath('spec.template.spec', c.name)}.resources.requests`, m.name),
          value,
          fromUsage: rec !== undefined,
        };
      });
      const fix: TargetedFix = {
        summary: `On ${target.kind} ${q(target.name)}: set a ${m.name} request (${q(edits.map((e) => `${e.container} ${e.value}`).join(', '), 120)})${edits.every((e) => e.fromUsage) ? ' from its usage' : ''}`,
        edits: edits.map(({ path, value }) => ({ path, value })),
        target: targetRef,
      };
      return diagnosis({
        category: 'hpa-config',
        summary: `${m.name} utilization target ${m.targetAverageUtilization}% cannot be computed: container${missing.length === 1 ? '' : 's'} ${q(missing.map((c) => c.name).join(', '), 120)} of ${q(target.name)} ${missing.length === 1 ? 'has' : 'have'} no ${m.name} request`,
        explanation:
          'Utilization is usage divided by the request; without a request the HPA has nothing to divide by and does not scale.',
        confidence: 0.9,
        fields: [`${appendIndex('spec.metrics', index)}.resource.target.averageUtilization`],
        evidence: incident.evidence,
        fixes: [fix],
      });
    }
  }
  const kindOk = isScalableKind(hpa.target.kind);
  if (kindOk && !target) {
    const names = snapshot
      .workloadsIn(hpa.meta.namespace)
      .filter((w) => w.kind === hpa.target.kind)
      .map((w) => w.name);
    const close = names
      .map((n) => ({ n, d: distance(n, hpa.target.name) }))
      .filter((x) => x.d <= 3)
      .sort((a, b) => a.d - b.d)[0]?.n;
    return diagnosis({
      category: 'hpa-config',
      summary: `scale target ${q(hpa.target.kind)} ${q(hpa.target.name)} does not exist${close ? ` (did you mean ${q(close)}?)` : ''}`,
      explanation: 'The autoscaler points at a workload that is not in its namespace, so it scales nothing.',
      confidence: 0.85,
      fields: ['spec.scaleTargetRef.name'],
      evidence: incident.evidence,
      fixes: [
        close
          ? {
              summary: `Point the autoscaler at ${q(close)}`,
              edits: [{ path: 'spec.scaleTargetRef.name', value: close, previous: hpa.target.name }],
            }
          : { summary: 'Point scaleTargetRef at the workload to scale, or delete the autoscaler' },
      ],
    });
  }
  const metricsDown =
    /unable to (get|fetch) metrics|no metrics returned|metrics api|failedgetresourcemetric|failedgetpodsmetric/i.test(
      texts,
    );
  return diagnosis({
    category: 'hpa-config',
    summary: metricsDown
      ? 'the autoscaler gets no metrics: the metrics API (metrics-server or an adapter) does not serve them'
      : `the autoscaler cannot scale: ${q(incident.evidence[0]?.text ?? incident.summary, 200)}`,
    explanation: metricsDown
      ? 'Resource metrics come from metrics.k8s.io, served by metrics-server; custom metrics need an adapter. Without them the HPA keeps the replica count.'
      : 'The HPA conditions say it cannot compute or apply a scale.',
    confidence: metricsDown ? 0.75 : 0.45,
    fields: ['spec.metrics'],
    evidence: incident.evidence,
    fixes: [
      {
        summary: metricsDown
          ? 'Install or repair metrics-server (kubectl top pods should work)'
          : 'Fix what the ScalingActive/AbleToScale condition names',
      },
    ],
  });
}

/** Levenshtein distance on bounded names. */
function distance(a: string, b: string): number {
  const x = a.slice(0, 64);
  const y = b.slice(0, 64);
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]!;
}

export const hpaConfigRule: DiagnosisRule = {
  types: ['HPAMisconfigured'],
  diagnose: diagnoseMisconfigured,
};
