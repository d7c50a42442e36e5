// How `scan` prints incidents: one line for people, a stable JSON shape for scripts.
import type { Incident } from '../core/model/incident';
import type { RootCause } from '../core/model/rootCause';
import { strategicMergePatch } from '../core/diagnose/fixes';

function rootCauseJson(c: RootCause) {
  return {
    summary: c.summary,
    category: c.category,
    confidence: c.confidence,
    fields: c.fields,
    evidence: c.evidence,
    fixes: c.fixes.map((f) =>
      f.rollbackToRevision !== undefined
        ? { summary: f.summary, rollbackToRevision: f.rollbackToRevision }
        : {
            summary: f.summary,
            ...(f.edits?.length ? { patch: strategicMergePatch(f.edits, f.base), edits: f.edits } : {}),
            ...(f.target ? { target: f.target } : {}),
          },
    ),
    source: c.source,
    ...(c.hypotheses?.length ? { hypotheses: c.hypotheses } : {}),
    ...(c.note ? { note: c.note } : {}),
  };
}

export function incidentJson(i: Incident, cause?: RootCause) {
  return {
    id: i.id,
    type: i.type,
    severity: i.severity,
    namespace: i.workload.namespace,
    kind: i.workload.kind,
    name: i.workload.name,
    summary: i.summary,
    evidence: i.evidence,
    firstSeen: i.firstSeen,
    lastSeen: i.lastSeen,
    ...(cause ? { rootCause: rootCauseJson(cause) } : {}),
    ...(cause?.groupId ? { groupId: cause.groupId } : {}),
  };
}

/** Control characters from cluster text (names, messages) are shown escaped, never interpreted. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? ' ' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function formatIncidentLine(i: Incident): string {
  const where = `${i.workload.namespace ? `${i.workload.namespace}/` : ''}${i.workload.kind}/${i.workload.name}`;
  return printable(`${i.severity.toUpperCase().padEnd(8)} ${i.type.padEnd(26)} ${where}  ${i.summary}`);
}
