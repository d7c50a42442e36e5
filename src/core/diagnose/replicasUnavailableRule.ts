// Too few ready replicas is a symptom: the cause is what the pods suffer from (crash, OOM, pull,
// scheduling, quota, probe…), delegated to that family's rule. Without a specific cause, the pods'
// states are summed up with a low confidence.
import { isTerminalPod, podTrouble } from '../detect/pods';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { delegateToPods } from './delegate';
import { diagnosis, podsOf, q, type Diagnosis } from './ruleSupport';
import { isWorkloadKind } from '../model/workload';

function diagnoseReplicas(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const w = isWorkloadKind(incident.workload.kind)
    ? snapshot.getWorkload(incident.workload.kind, incident.workload.namespace, incident.workload.name)
    : undefined;
  const readyText = w ? `${w.ready} of ${w.desired} replicas ready` : 'replicas unavailable';
  const inner = delegateToPods(ctx);
  if (inner) {
    return diagnosis({
      ...inner,
      summary: inner.summary,
      explanation: `${q(incident.workload.name)} has ${readyText} because its pods show ${inner.type}. ${inner.explanation}`,
      confidence: inner.confidence * 0.95,
      evidence: [...incident.evidence.filter((e) => e.field === 'status.readyReplicas'), ...inner.evidence],
    });
  }
  const troubles = [
    ...new Set(
      podsOf(snapshot, incident.workload)
        .filter((p) => !isTerminalPod(p))
        .map(podTrouble)
        .filter((t): t is string => t !== undefined),
    ),
  ];
  return diagnosis({
    category: 'unknown',
    summary: `${readyText}${troubles.length > 0 ? `; pods are ${q(troubles.slice(0, 3).join(', '), 100)}` : ''}, with no specific cause found`,
    explanation:
      'No pod-level failure (crash, OOM, pull error, scheduling, quota, probe) explains the missing replicas; they may be starting slowly or being replaced.',
    confidence: 0.35,
    fields: [],
    evidence: incident.evidence,
    fixes: [{ summary: 'Describe the pods (kubectl describe pod) to see why they are not ready' }],
  });
}

export const replicasUnavailableRule: DiagnosisRule = {
  types: ['ReplicasUnavailable'],
  diagnose: diagnoseReplicas,
};
