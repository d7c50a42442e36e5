// Autoscalers pinned at maxReplicas while their metrics still ask for more.
import type { Detector, DetectContext } from './detector';
import type { Finding } from '../model/incident';
import type { HpaMetric } from '../model/resources';
import { parseQuantity } from '../model/quantity';
import { clip, condition, conditionEvidence, namedItem, finding, oneLine } from './support';
import { refOf } from '../model/objectRef';

/** The HPA controller ignores ratios within 10 % of the target; so do we. */
export const HPA_TOLERANCE = 0.1;

/** How far a metric is above its target, as a ratio (1.5 = 50 % over); undefined when not comparable. */
export function metricRatio(m: HpaMetric): number | undefined {
  if (
    m.currentAverageUtilization !== undefined &&
    m.targetAverageUtilization !== undefined &&
    m.targetAverageUtilization > 0
  ) {
    return m.currentAverageUtilization / m.targetAverageUtilization;
  }
  const current = parseQuantity(m.currentValue);
  const target = parseQuantity(m.targetValue);
  return current !== undefined && target !== undefined && target > 0 ? current / target : undefined;
}

export function metricText(m: HpaMetric): string {
  if (m.currentAverageUtilization !== undefined && m.targetAverageUtilization !== undefined) {
    return `${m.name} at ${m.currentAverageUtilization}% of requests (target ${m.targetAverageUtilization}%)`;
  }
  return `${m.name} at ${m.currentValue ?? '?'} (target ${m.targetValue ?? '?'})`;
}

export const hpaSaturatedDetector: Detector = {
  types: ['HPASaturated'],
  detect({ snapshot }: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const hpa of snapshot.list('HorizontalPodAutoscaler')) {
      if (hpa.maxReplicas <= 0 || hpa.currentReplicas < hpa.maxReplicas) continue;
      const over = hpa.metrics.filter((m) => (metricRatio(m) ?? 0) > 1 + HPA_TOLERANCE);
      const limited = condition(hpa.conditions, 'ScalingLimited');
      const tooMany = limited?.status === 'True' && limited.reason === 'TooManyReplicas';
      if (over.length === 0 && !tooMany) continue;
      const ref = refOf('HorizontalPodAutoscaler', hpa.meta);
      const target = `${hpa.target.kind}/${hpa.target.name}`;
      const summary = `Autoscaler ${oneLine(hpa.meta.name)} is at its maximum of ${hpa.maxReplicas} replicas for ${oneLine(target, 120)}${over.length > 0 ? ` while ${oneLine(metricText(over[0]!), 160)}` : ' and wants more'}`;
      out.push(
        finding('HPASaturated', 'warning', ref, summary, [
          {
            kind: 'status',
            source: ref,
            field: 'status.currentReplicas',
            text: `current ${hpa.currentReplicas}, desired ${hpa.desiredReplicas}, min ${hpa.minReplicas}, max ${hpa.maxReplicas}`,
            count: hpa.currentReplicas,
          },
          ...over.slice(0, 3).map((m) => ({
            kind: 'metric' as const,
            source: ref,
            field: namedItem('status.currentMetrics', m.name),
            text: clip(metricText(m)),
          })),
          limited ? conditionEvidence(ref, limited) : undefined,
        ]),
      );
    }
    return out;
  },
};
