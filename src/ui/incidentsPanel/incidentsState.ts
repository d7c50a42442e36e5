// Builds the Incidents panel's list and detail from what the incident monitor and the session hold.
// No editor API here, so the whole pull is testable with plain incidents and a plain snapshot.
import { shownReason, type Evidence, type Incident } from '../../core/model/incident';
import type { RootCause } from '../../core/model/rootCause';
import type { ObjectRef } from '../../core/model/resources';
import type { SignalSample } from '../../core/diagnose/signalHistory';
import type { UsageSample } from '../../core/model/usageHistory';
import { incidentChartData, signalOf } from '../../core/diagnose/incidentChartData';
import type {
  CauseView,
  IncidentDetail,
  IncidentRow,
  IncidentsPanelState,
  ProposalAction,
  TimelineEntry,
} from './protocol';

export interface IncidentsSource {
  context: string;
  /** Every informer has listed. */
  synced: boolean;
  /** The monitor has run its detectors at least once. */
  evaluated: boolean;
  /** Open and retained resolved incidents. */
  incidents: readonly Incident[];
  /** The root cause of an open incident when already known (never diagnosed for the list). */
  causeOf(id: string): RootCause | undefined;
  groupOf(id: string): string | undefined;
  retentionMs: number;
}

export function incidentRow(
  incident: Incident,
  cause: RootCause | undefined,
  groupId: string | undefined,
): IncidentRow {
  const w = incident.workload;
  const row: IncidentRow = {
    id: incident.id,
    severity: incident.severity,
    type: incident.type,
    status: incident.status,
    workload: { kind: w.kind, namespace: w.namespace, name: w.name },
    firstSeen: incident.firstSeen,
    lastSeen: incident.lastSeen,
    summary: incident.summary,
  };
  if (incident.resolvedAt) row.resolvedAt = incident.resolvedAt;
  if (cause) row.cause = cause.summary;
  if (groupId) row.groupId = groupId;
  return row;
}

export function buildIncidentsState(source: IncidentsSource | undefined, now: number): IncidentsPanelState {
  if (!source)
    return {
      context: '',
      notes: ['Not connected to a cluster.'],
      rows: [],
      retentionMinutes: 60,
      loading: false,
      updatedAt: now,
    };
  const loading = !source.synced || !source.evaluated;
  const rows = source.incidents.map((i) =>
    incidentRow(i, i.status === 'open' ? source.causeOf(i.id) : undefined, source.groupOf(i.id)),
  );
  const notes: string[] = [];
  if (loading) notes.push(`Reading context ${source.context}…`);
  else if (rows.length === 0) notes.push(`No incidents in context ${source.context}.`);
  return {
    context: source.context,
    notes,
    rows,
    retentionMinutes: Math.round(source.retentionMs / 60_000),
    loading,
    updatedAt: now,
  };
}

const refText = (r: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>) =>
  `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

function timelineEntry(e: Evidence): TimelineEntry {
  const entry: TimelineEntry = { kind: e.kind, source: refText(e.source), text: e.text };
  if (e.field) entry.field = e.field;
  const reason = shownReason(e);
  if (reason) entry.reason = reason;
  if (e.count !== undefined) entry.count = e.count;
  if (e.firstSeen) entry.firstSeen = e.firstSeen;
  if (e.lastSeen) entry.lastSeen = e.lastSeen;
  return entry;
}

const timeOf = (e: TimelineEntry) => {
  const t = Date.parse(e.lastSeen ?? e.firstSeen ?? '');
  return Number.isFinite(t) ? t : undefined;
};

/** The evidence chain as a timeline: dated entries oldest first, then the undated ones (the state now) in their order. */
export function evidenceTimeline(evidence: readonly Evidence[]): TimelineEntry[] {
  const entries = evidence.map(timelineEntry);
  const dated = entries.filter((e) => timeOf(e) !== undefined).sort((a, b) => timeOf(a)! - timeOf(b)!);
  return [...dated, ...entries.filter((e) => timeOf(e) === undefined)];
}

/** The cause's evidence chain and what the detector saw, each link once. */
export function mergedEvidence(chain: readonly Evidence[], observed: readonly Evidence[]): Evidence[] {
  const key = (e: Evidence) =>
    [e.kind, e.source.kind, e.source.namespace, e.source.name, e.field ?? '', e.reason ?? '', e.text].join('\u0000');
  const seen = new Set(chain.map(key));
  return [...chain, ...observed.filter((e) => !seen.has(key(e)) && seen.add(key(e)))];
}

function fixText(fix: RootCause['fixes'][number]): string {
  if (fix.rollbackToRevision !== undefined) return `${fix.summary} (roll back to revision ${fix.rollbackToRevision})`;
  const edits = fix.edits?.map((e) => `${e.path} → ${String(e.value)}`).join(', ');
  return edits ? `${fix.summary} (${edits})` : fix.summary;
}

export function causeView(cause: RootCause): CauseView {
  const view: CauseView = {
    summary: cause.summary,
    explanation: cause.explanation,
    confidence: cause.confidence,
    category: cause.category,
    fields: [...cause.fields],
    fixes: cause.fixes.map(fixText),
    source: cause.source,
    hypotheses: [...(cause.hypotheses ?? [])],
  };
  if (cause.note) view.note = cause.note;
  return view;
}

export interface DetailInput {
  incident: Incident;
  cause: RootCause | undefined;
  groupId: string | undefined;
  trail: readonly string[];
  signals: readonly SignalSample[];
  /** Memory samples of the incident's container, for OOM kills. */
  memory?: readonly UsageSample[];
  memoryLimit?: number;
  proposals?: readonly ProposalAction[];
  notice?: string;
}

export function buildIncidentDetail(input: DetailInput): IncidentDetail {
  const { incident, cause } = input;
  const detail: IncidentDetail = {
    row: incidentRow(incident, cause, input.groupId),
    timeline: evidenceTimeline(mergedEvidence(cause?.evidence ?? [], incident.evidence)),
    trail: [...input.trail],
  };
  if (cause) detail.cause = causeView(cause);
  if (signalOf(incident.type)) {
    const chart = incidentChartData({
      type: incident.type,
      signals: input.signals,
      ...(input.memory ? { memory: input.memory } : {}),
      ...(input.memoryLimit !== undefined ? { memoryLimit: input.memoryLimit } : {}),
    });
    if (chart) detail.chart = chart;
  }
  if (input.proposals && input.proposals.length > 0) detail.proposals = input.proposals.map((p) => ({ ...p }));
  if (input.notice) detail.notice = input.notice;
  return detail;
}
