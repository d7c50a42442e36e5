// The proposals the act loop offers for a target: the open incidents on it and those whose fix
// targets it, one cause per correlation group, turned into proposals ranked with the learned
// success rates; fixes without a concrete change stay advice.
import { proposalsFromCauses, type CauseOfIncident } from '../core/change/proposals';
import type { SuccessRates } from '../core/learning/outcomeStats';
import type { Incident, IncidentType } from '../core/model/incident';
import { sameRef } from '../core/model/objectRef';
import type { Proposal } from '../core/model/proposal';
import type { ObjectRef } from '../core/model/resources';
import type { IncidentSource } from './actContext';

export interface ProposalList {
  target: ObjectRef;
  /** The incidents considered: on the target, or whose fix targets it; one cause per correlation group. */
  incidents: Incident[];
  proposals: Proposal[];
  /** Fixes without a concrete change: printed, never proposed. */
  advice: string[];
}

/** Ranked proposals for the open incidents on `target` and those whose fix targets it. */
export function proposalsForTarget(
  src: IncidentSource,
  target: ObjectRef,
  opts: { type?: IncidentType },
  uidOf: (ref: ObjectRef) => string | undefined,
  rates: SuccessRates,
): ProposalList {
  const considered: CauseOfIncident[] = [];
  const incidents: Incident[] = [];
  const seenGroups = new Set<string>();
  const advice: string[] = [];
  for (const incident of src.open()) {
    if (opts.type && incident.type !== opts.type) continue;
    const cause = src.rootCause(incident.id);
    const fixTargets = (cause?.fixes ?? []).map((f) => f.target ?? incident.workload);
    if (!sameRef(incident.workload, target) && !fixTargets.some((t) => sameRef(t, target))) continue;
    incidents.push(incident);
    if (!cause) continue;
    const group = src.groupOf(incident.id) ?? cause.groupId ?? incident.id;
    if (seenGroups.has(group)) continue;
    seenGroups.add(group);
    considered.push({ incident, cause: { ...cause, groupId: group } });
    for (const f of cause.fixes)
      if ((f.edits?.length ?? 0) === 0 && f.rollbackToRevision === undefined) advice.push(f.summary);
  }
  const proposals = proposalsFromCauses(considered, uidOf, rates).filter(
    (p) => sameRef(p.target, target) || considered.some((c) => sameRef(c.incident.workload, target)),
  );
  // Every incident of a proposal's group is answered by it (an OOM kill and its crash loop close together).
  for (const p of proposals) {
    const members = incidents.filter((i) => (src.groupOf(i.id) ?? i.id) === p.groupId).map((i) => i.id);
    p.incidents = [...new Set([...p.incidents, ...members])];
  }
  return { target, incidents, proposals, advice: [...new Set(advice)] };
}
