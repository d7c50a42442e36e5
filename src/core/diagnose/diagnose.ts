// The diagnose step: the most confident rule's RootCause for an incident, or a generic one built
// from the incident's own evidence. Never throws and never returns nothing.
import type { Incident } from '../model/incident';
import type { RootCause } from '../model/rootCause';
import type { ClusterSnapshot } from '../model/snapshot';
import type { UsageHistory } from '../model/usageHistory';
import { oneLine } from '../detect/support';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { RULES } from './rules';
import { correlationGroups } from './correlate';
import { diagnosis, type Diagnosis } from './ruleSupport';

/** A RootCause that only restates the incident, for when no rule explains it. */
export function fallbackCause(incident: Incident, note?: string): RootCause {
  const evidence = Array.isArray(incident.evidence) ? incident.evidence : [];
  return {
    incidentId: incident.id,
    incidentType: incident.type,
    category: 'unknown',
    summary: oneLine(incident.summary || `${incident.type} on ${incident.workload?.name ?? '?'}`, 300),
    explanation:
      'No diagnosis rule could explain this incident from the snapshot; the evidence below is what the detector saw.',
    confidence: 0.2,
    fields: [],
    evidence: evidence.slice(0, 12),
    fixes: [],
    source: 'rules',
    ...(note ? { note: oneLine(note, 300) } : {}),
  };
}

function normalised(d: Diagnosis): Diagnosis {
  return diagnosis({
    category: d.category,
    summary: String(d.summary ?? ''),
    explanation: String(d.explanation ?? ''),
    confidence: Number(d.confidence),
    fields: Array.isArray(d.fields) ? d.fields : [],
    evidence: Array.isArray(d.evidence) ? d.evidence : [],
    fixes: Array.isArray(d.fixes) ? d.fixes : [],
  });
}

/** Runs every rule for the incident's type and keeps the most confident answer (the first on a tie). */
export function diagnose(ctx: DiagnoseContext, rules: readonly DiagnosisRule[] = RULES): RootCause {
  const { incident } = ctx;
  let best: Diagnosis | undefined;
  const failures: string[] = [];
  for (const rule of rules) {
    if (!rule.types.includes(incident.type)) continue;
    try {
      const d = rule.diagnose(ctx);
      if (!d) continue;
      const n = normalised(d);
      if (!best || n.confidence > best.confidence) best = n;
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (!best)
    return fallbackCause(incident, failures.length > 0 ? `a diagnosis rule failed: ${failures[0]}` : undefined);
  return { incidentId: incident.id, incidentType: incident.type, ...best, source: 'rules' };
}

/** Diagnoses every incident and marks the ones that share a cause with their group's id (the root incident's id). */
export function diagnoseAll(
  incidents: readonly Incident[],
  snapshot: ClusterSnapshot,
  now: Date,
  usage?: UsageHistory,
): RootCause[] {
  let groups: ReturnType<typeof correlationGroups>;
  try {
    groups = correlationGroups(incidents, snapshot);
  } catch {
    groups = [];
  }
  const groupOf = new Map<string, string>();
  for (const g of groups) if (g.members.length > 1) for (const m of g.members) groupOf.set(m.id, g.id);
  return incidents.map((incident) => {
    const cause = diagnose({ snapshot, now, incident, ...(usage ? { usage } : {}) });
    const groupId = groupOf.get(incident.id);
    return groupId ? { ...cause, groupId } : cause;
  });
}
