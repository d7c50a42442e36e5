// A stuck rollout with no earlier healthy revision to return to: explained by what its pods suffer
// from. (A rollout that a healthy revision preceded is the rollout rule's; keeping this apart means
// the pod rules the delegation asks never lead back here.)
import { condition, conditionEvidence } from '../detect/support';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { delegateToPods } from './delegate';
import { deadlineText, findBadRollout } from './rolloutRule';
import { diagnosis, type Diagnosis } from './ruleSupport';

function diagnoseStuck(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  if (incident.type !== 'RolloutStuck' || findBadRollout(ctx)) return undefined;
  const d =
    incident.workload.kind === 'Deployment'
      ? snapshot.getWorkload('Deployment', incident.workload.namespace, incident.workload.name)
      : undefined;
  const progressing = d ? condition(d.conditions, 'Progressing') : undefined;
  const inner = delegateToPods(ctx);
  if (!inner) return undefined;
  return diagnosis({
    ...inner,
    summary: `rollout stuck ${deadlineText(d)}: ${inner.summary}`,
    explanation: `The rollout has no earlier revision to return to. ${inner.explanation}`,
    confidence: inner.confidence * 0.95,
    fields: [...inner.fields, 'spec.progressDeadlineSeconds'],
    evidence: [progressing && d ? conditionEvidence(incident.workload, progressing) : undefined, ...inner.evidence],
  });
}

export const stuckRolloutRule: DiagnosisRule = {
  types: ['RolloutStuck'],
  diagnose: diagnoseStuck,
};
