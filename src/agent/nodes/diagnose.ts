// diagnose: explains the confirmed incident from evidence with the rule engine — cause, evidence
// chain, implicated spec fields, confidence and concrete fixes. No LLM is involved here.
import { diagnose } from '../../core/diagnose/diagnose';
import type { ClusterSnapshot } from '../../core/model/snapshot';
import type { UsageHistory } from '../../core/model/usageHistory';
import type { State, Update } from '../state';

export function makeDiagnoseNode(
  snapshot: () => ClusterSnapshot,
  usage: () => UsageHistory | undefined,
  now: () => Date,
) {
  return (state: State): Update => {
    const confirmed = state.confirmed;
    if (!confirmed) return { trail: ['diagnose: nothing to explain'] };
    const incident = {
      ...state.incident,
      evidence: confirmed.evidence,
      summary: confirmed.summary,
      severity: confirmed.severity,
    };
    const u = usage();
    const rootCause = diagnose({ snapshot: snapshot(), now: now(), incident, ...(u ? { usage: u } : {}) });
    return {
      rootCause,
      trail: [`diagnose: ${rootCause.category} (confidence ${rootCause.confidence.toFixed(2)}): ${rootCause.summary}`],
    };
  };
}
