// For symptoms of a workload as a whole (too few replicas, a stuck rollout, a Service without
// endpoints): find what its pods suffer from by running the pod-level detectors on the same
// snapshot, and explain that with the matching rule.
import type { Detector } from '../detect/detector';
import { detectAll } from '../detect/detectors';
import { crashLoopBackOffDetector } from '../detect/crashLoopBackOff';
import { oomKilledDetector } from '../detect/oomKilled';
import { imagePullBackOffDetector } from '../detect/imagePullBackOff';
import { createContainerConfigErrorDetector } from '../detect/createContainerConfigError';
import { unschedulableDetector } from '../detect/unschedulable';
import { readinessProbeFailingDetector } from '../detect/readinessProbeFailing';
import { quotaExceededDetector } from '../detect/quotaExceeded';
import { webhookUnavailableDetector } from '../detect/webhookUnavailable';
import { incidentId, type Incident, type IncidentType } from '../model/incident';
import type { ObjectRef } from '../model/resources';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { oomRule } from './oomRule';
import { rolloutRule } from './rolloutRule';
import { crashRule } from './crashRule';
import { imagePullRule } from './imagePullRule';
import { configMissingRule } from './configMissingRule';
import { unschedulableRule } from './unschedulableRule';
import { readinessRule } from './readinessRule';
import { quotaRule } from './quotaRule';
import { webhookRule } from './webhookRule';
import { sameRef } from '../model/objectRef';
import type { Diagnosis } from './ruleSupport';

/** Detectors whose findings name the cause of a workload's missing replicas, most specific first. */
function podDetectors(): Detector[] {
  return [
    oomKilledDetector,
    imagePullBackOffDetector,
    createContainerConfigErrorDetector,
    quotaExceededDetector,
    webhookUnavailableDetector,
    unschedulableDetector,
    crashLoopBackOffDetector,
    readinessProbeFailingDetector,
  ];
}

function podRules(): DiagnosisRule[] {
  return [
    oomRule,
    rolloutRule,
    crashRule,
    imagePullRule,
    configMissingRule,
    unschedulableRule,
    readinessRule,
    quotaRule,
    webhookRule,
  ];
}

export interface Delegated extends Diagnosis {
  /** The pod-level incident type that explains the workload's trouble. */
  type: IncidentType;
}

/** The best rule's diagnosis for one incident among `rules`, or undefined; rule errors count as no answer. */
export function bestOf(ctx: DiagnoseContext, rules: readonly DiagnosisRule[]): Diagnosis | undefined {
  let best: Diagnosis | undefined;
  for (const rule of rules) {
    if (!rule.types.includes(ctx.incident.type)) continue;
    let d: Diagnosis | undefined;
    try {
      d = rule.diagnose(ctx);
    } catch {
      d = undefined;
    }
    if (d && (!best || d.confidence > best.confidence)) best = d;
  }
  return best;
}

/** The most confident explanation of what the pods of `workload` suffer from, if any detector sees trouble. */
export function delegateToPods(
  ctx: DiagnoseContext,
  workload: ObjectRef = ctx.incident.workload,
): Delegated | undefined {
  const detectCtx = { snapshot: ctx.snapshot, now: ctx.now };
  const at = ctx.now.toISOString();
  let best: Delegated | undefined;
  for (const detector of podDetectors()) {
    // Through detectAll, whose findings are shared with the pass that opened the incident; a
    // detector that throws reports no finding here.
    for (const f of detectAll(detectCtx, [detector]).findings) {
      if (!sameRef(f.workload, workload)) continue;
      const incident: Incident = { ...f, id: incidentId(f), status: 'open', firstSeen: at, lastSeen: at };
      const d = bestOf({ ...ctx, incident }, podRules());
      if (d && (!best || d.confidence > best.confidence)) best = { ...d, type: f.type };
    }
  }
  return best;
}
