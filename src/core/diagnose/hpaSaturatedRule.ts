// HPA saturated: maxReplicas against the replicas the metrics ask for, by the HPA's own formula
// ceil(current × metric ÷ target). Unready target replicas lower the confidence: missing capacity
// may be the real cause.
import type { HorizontalPodAutoscaler } from '../model/resources';
import type { SuggestedFix } from '../model/rootCause';
import type { Workload } from '../model/workload';
import { metricRatio, metricText } from '../detect/hpaSaturated';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, q, type Diagnosis } from './ruleSupport';
import { isScalableKind } from '../model/workload';

export function targetOf(ctx: DiagnoseContext, hpa: HorizontalPodAutoscaler): Workload | undefined {
  const kind = isScalableKind(hpa.target.kind) ? hpa.target.kind : undefined;
  return kind ? ctx.snapshot.getWorkload(kind, hpa.meta.namespace, hpa.target.name) : undefined;
}

function diagnoseSaturated(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const hpa = snapshot.get('HorizontalPodAutoscaler', incident.workload.namespace, incident.workload.name);
  if (!hpa) return undefined;
  const current = Math.max(hpa.currentReplicas, 1);
  const needs = hpa.metrics
    .map((m) => ({ m, ratio: metricRatio(m) }))
    .filter((x): x is { m: typeof x.m; ratio: number } => x.ratio !== undefined);
  const top = needs.sort((a, b) => b.ratio - a.ratio)[0];
  const demand = Math.max(hpa.desiredReplicas, top ? Math.ceil(current * top.ratio - 1e-9) : 0);
  const target = targetOf(ctx, hpa);
  const unready = target ? Math.max(0, target.desired - target.ready) : 0;
  const proposed = Math.max(demand, hpa.maxReplicas + 1);
  const fixes: SuggestedFix[] = [
    {
      summary: `Raise maxReplicas to ${proposed} to meet the demand${top ? ` (${q(metricText(top.m), 100)})` : ''}, if the cluster has room`,
      edits: [{ path: 'spec.maxReplicas', value: proposed, previous: hpa.maxReplicas }],
    },
    { summary: 'Or make each replica handle more (raise its requests or optimise the hot path)' },
  ];
  const readiness =
    unready > 0
      ? ` ${unready} of the target's ${target!.desired} replicas are not ready, so part of the capacity is missing; fix that first.`
      : '';
  return diagnosis({
    category: 'hpa-capacity',
    summary: top
      ? `demand needs ~${demand} replicas (${q(metricText(top.m), 100)}) but maxReplicas is ${hpa.maxReplicas}`
      : `the autoscaler wants more than maxReplicas ${hpa.maxReplicas} (ScalingLimited: TooManyReplicas)`,
    explanation: `The HPA computes replicas as ceil(current × metric ÷ target); at ${hpa.currentReplicas} replicas that gives ${demand}, capped at ${hpa.maxReplicas}, so the workload runs over its target.${readiness}`,
    confidence: (top ? 0.8 : 0.6) - (unready > 0 ? 0.2 : 0),
    fields: ['spec.maxReplicas'],
    evidence: incident.evidence,
    fixes,
  });
}

export const hpaSaturatedRule: DiagnosisRule = {
  types: ['HPASaturated'],
  diagnose: diagnoseSaturated,
};
