// Autoscalers that cannot work: metrics unavailable, target missing, or no requests to compute
// utilization against.
import type { Detector, DetectContext } from './detector';
import type { Evidence, Finding } from '../model/incident';
import type { HorizontalPodAutoscaler } from '../model/resources';
import type { Workload } from '../model/workload';
import {
  clip,
  condition,
  conditionEvidence,
  eventEvidence,
  fieldName,
  namedItem,
  finding,
  lastedAtLeast,
  oneLine,
} from './support';
import { refOf } from '../model/objectRef';
import { SCALABLE_KINDS } from '../model/workload';
import { appendKey } from '../model/fieldPath';

/** Metrics arrive a minute or so after an HPA or its pods are created. */
export const HPA_GRACE_MS = 2 * 60 * 1000;

interface Problem {
  text: string;
  evidence: Evidence;
}

function targetOf(snapshot: DetectContext['snapshot'], hpa: HorizontalPodAutoscaler): Workload | undefined {
  const kind = SCALABLE_KINDS.find((k) => k === hpa.target.kind);
  return kind ? snapshot.getWorkload(kind, hpa.meta.namespace, hpa.target.name) : undefined;
}

function problems({ snapshot, now }: DetectContext, hpa: HorizontalPodAutoscaler): Problem[] {
  const ref = refOf('HorizontalPodAutoscaler', hpa.meta);
  const out: Problem[] = [];
  const active = condition(hpa.conditions, 'ScalingActive');
  if (
    active?.status === 'False' &&
    active.reason !== 'ScalingDisabled' &&
    lastedAtLeast(active.lastTransitionTime, now, HPA_GRACE_MS)
  ) {
    out.push({
      text: `${active.reason ?? 'ScalingActive=False'}${active.message ? `: ${active.message}` : ''}`,
      evidence: conditionEvidence(ref, active),
    });
  }
  const able = condition(hpa.conditions, 'AbleToScale');
  if (able?.status === 'False' && lastedAtLeast(able.lastTransitionTime, now, HPA_GRACE_MS)) {
    out.push({
      text: `${able.reason ?? 'AbleToScale=False'}${able.message ? `: ${able.message}` : ''}`,
      evidence: conditionEvidence(ref, able),
    });
  }
  const kind = SCALABLE_KINDS.find((k) => k === hpa.target.kind);
  const target = targetOf(snapshot, hpa);
  if (kind && !target && snapshot.count(kind) > 0) {
    out.push({
      text: `target ${kind}/${hpa.target.name} does not exist`,
      evidence: {
        kind: 'spec',
        source: ref,
        field: 'spec.scaleTargetRef',
        text: clip(`scaleTargetRef ${kind}/${hpa.target.name} not found in ${hpa.meta.namespace}`),
      },
    });
  }
  if (target) {
    for (const m of hpa.metrics) {
      if (m.type !== 'Resource' || m.targetAverageUtilization === undefined) continue;
      const missing = target.template.containers
        .filter((c) => c.resources.requests[m.name] === undefined)
        .map((c) => c.name);
      if (missing.length === 0) continue;
      out.push({
        text: `${m.name} utilization target but container${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no ${m.name} request`,
        evidence: {
          kind: 'spec',
          source: { kind: target.kind, namespace: target.namespace, name: target.name, uid: target.uid },
          field: appendKey(
            `${namedItem('spec.template.spec.containers', missing[0])}.resources.requests`,
            fieldName(m.name),
          ),
          text: clip(
            `no ${m.name} request in ${missing.join(', ')}; ${m.name} utilization target ${m.targetAverageUtilization}%`,
          ),
        },
      });
    }
  }
  return out;
}

export const hpaMisconfiguredDetector: Detector = {
  types: ['HPAMisconfigured'],
  detect(ctx: DetectContext): Finding[] {
    const out: Finding[] = [];
    for (const hpa of ctx.snapshot.list('HorizontalPodAutoscaler')) {
      if (!lastedAtLeast(hpa.meta.createdAt, ctx.now, HPA_GRACE_MS)) continue;
      const found = problems(ctx, hpa);
      if (found.length === 0) continue;
      const ref = refOf('HorizontalPodAutoscaler', hpa.meta);
      const summary = `Autoscaler ${oneLine(hpa.meta.name)} for ${oneLine(`${hpa.target.kind}/${hpa.target.name}`, 120)} cannot scale: ${oneLine(found[0]!.text, 200)}${found.length > 1 ? ` (+${found.length - 1} more)` : ''}`;
      const events = ctx.snapshot
        .eventsFor('HorizontalPodAutoscaler', hpa.meta.namespace, hpa.meta.name)
        .filter((e) => e.type === 'Warning')
        .slice(0, 2);
      out.push(
        finding('HPAMisconfigured', 'warning', ref, summary, [
          ...found.map((p) => p.evidence),
          ...events.map(eventEvidence),
        ]),
      );
    }
    return out;
  },
};
