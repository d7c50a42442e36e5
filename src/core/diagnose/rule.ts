// The one small interface every diagnosis rule implements: evidence in, a RootCause (or nothing
// when the rule's family does not explain this incident) out. Rules are pure and read the snapshot.
import type { Incident, IncidentType } from '../model/incident';
import type { RootCause } from '../model/rootCause';
import type { ClusterSnapshot } from '../model/snapshot';
import type { UsageHistory } from '../model/usageHistory';

export interface DiagnoseContext {
  snapshot: ClusterSnapshot;
  now: Date;
  incident: Incident;
  /** Per-container usage samples gathered from metrics.k8s.io, when the cluster serves them. */
  usage?: UsageHistory;
}

export interface DiagnosisRule {
  /** The incident types this rule can explain. */
  readonly types: readonly IncidentType[];
  diagnose(ctx: DiagnoseContext): Omit<RootCause, 'incidentId' | 'incidentType' | 'source'> | undefined;
}
