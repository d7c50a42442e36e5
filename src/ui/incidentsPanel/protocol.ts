// The Incidents panel's protocol: the list state and the detail the host sends, and the messages the
// webview may post. Every parameter that arrives from the webview is checked here before the host
// looks at it; the host then re-validates ids against the incidents it tracks now.
import type { EvidenceKind, IncidentStatus, IncidentType } from '../../core/model/incident';
import type { Severity } from '../../core/model/severity';
import type { CauseCategory } from '../../core/model/rootCause';
import { message } from '../webview/ipc';
import type { IncidentChartData } from '../../core/diagnose/incidentChartData';

export interface IncidentWorkloadRef {
  kind: string;
  namespace: string;
  name: string;
}

/** One incident as a table row. */
export interface IncidentRow {
  id: string;
  severity: Severity;
  type: IncidentType;
  status: IncidentStatus;
  workload: IncidentWorkloadRef;
  /** ISO times. */
  firstSeen: string;
  lastSeen: string;
  resolvedAt?: string;
  summary: string;
  /** The root cause in one sentence, once diagnosed. */
  cause?: string;
  /** Incidents with one cause share a correlation group. */
  groupId?: string;
}

export interface IncidentsPanelState {
  /** The kube context the incidents come from; empty when not connected. */
  context: string;
  /** Why the list is empty or limited ("Not connected", "Reading context…"), most important first. */
  notes: string[];
  /** Open and recently resolved incidents, most severe and most recent first. */
  rows: IncidentRow[];
  /** Resolved incidents stay listed this long. */
  retentionMinutes: number;
  /** True until the first detection over a fully listed context: an absent incident may still appear. */
  loading: boolean;
  /** Epoch milliseconds when the host built this state. */
  updatedAt: number;
  /** How long the host took to build it, in milliseconds (shown nowhere; read by the benchmark). */
  buildMs?: number;
}

/** One link of the evidence chain, as a timeline entry. */
export interface TimelineEntry {
  kind: EvidenceKind;
  /** "Pod shop/web-1". */
  source: string;
  field?: string;
  reason?: string;
  text: string;
  count?: number;
  firstSeen?: string;
  /** ISO time of the latest occurrence; entries without one describe the state now. */
  lastSeen?: string;
}

export interface CauseView {
  summary: string;
  explanation: string;
  /** 0..1 */
  confidence: number;
  category: CauseCategory;
  /** Spec paths the cause implicates, most specific first. */
  fields: string[];
  /** Suggested fixes in words. */
  fixes: string[];
  /** Where the words came from. */
  source: 'rules' | 'llm';
  hypotheses: string[];
  note?: string;
}

/** A proposal the act loop can verify and apply; only listed when the host supplies them. */
export interface ProposalAction {
  proposalId: string;
  planHash: string;
  /** "Raise the memory limit to 384Mi". */
  summary: string;
}

export interface IncidentDetail {
  row: IncidentRow;
  cause?: CauseView;
  /** The evidence chain, oldest first; entries without a time (the state now) last. */
  timeline: TimelineEntry[];
  /** The signal over time, when the incident type has one and there are samples. */
  chart?: IncidentChartData;
  /** What the agent graph did, when its thread has finished. */
  trail: string[];
  /** Present only when something can verify and apply this incident's fixes. */
  proposals?: ProposalAction[];
  /** One line about the last action (e.g. the LLM's note after Explain). */
  notice?: string;
}

export interface DetailPayload {
  id: string;
  /** Absent when the incident is not tracked in the current context. */
  detail?: IncidentDetail;
  /** Why it is absent. */
  missing?: string;
}

export const INCIDENT_ACTIONS = ['explain', 'revealManifest', 'openYaml'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** What the webview keeps with setState: the selection and the user's view of the list, never data. */
export interface IncidentsSavedState {
  selected?: string;
  filters?: IncidentFilters;
  sort?: IncidentSort;
  /** Correlation groups the user folded (groups are open by default). */
  collapsed?: string[];
}

export interface IncidentFilters {
  text: string;
  namespace: string;
  severity: '' | Severity;
  type: string;
}

export const SORT_COLUMNS = ['severity', 'type', 'workload', 'namespace', 'age', 'cause'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];
export interface IncidentSort {
  column: SortColumn;
  descending: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown, max = 200): value is string => typeof value === 'string' && value.length <= max;
const noParams = (value: unknown): boolean => value === undefined || value === null;

/** The shape of an incident id (see core/model/incident.ts incidentId). */
export function isIncidentId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z]{2,40}-[0-9a-f]{16}$/.test(value);
}

const isOpaque = (value: unknown): value is string => isText(value, 200) && value.length > 0;

function isState(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value['context'] === 'string' &&
    Array.isArray(value['rows']) &&
    Array.isArray(value['notes']) &&
    typeof value['updatedAt'] === 'number'
  );
}

function isDetail(value: unknown): boolean {
  if (!isObject(value) || !isIncidentId(value['id'])) return false;
  const detail = value['detail'];
  return detail === undefined
    ? typeof value['missing'] === 'string'
    : isObject(detail) && isObject(detail['row']) && Array.isArray(detail['timeline']);
}

/** The saved state of a restored webview, field by field; anything else is dropped. */
export function savedIncidentsState(value: unknown): IncidentsSavedState {
  if (!isObject(value)) return {};
  const out: IncidentsSavedState = {};
  if (isIncidentId(value['selected'])) out.selected = value['selected'];
  const f = value['filters'];
  if (
    isObject(f) &&
    isText(f['text']) &&
    isText(f['namespace'], 63) &&
    isText(f['type'], 40) &&
    ['', 'critical', 'warning', 'info'].includes(f['severity'] as string)
  ) {
    out.filters = {
      text: f['text'],
      namespace: f['namespace'],
      severity: f['severity'] as IncidentFilters['severity'],
      type: f['type'],
    };
  }
  const s = value['sort'];
  if (
    isObject(s) &&
    (SORT_COLUMNS as readonly unknown[]).includes(s['column']) &&
    typeof s['descending'] === 'boolean'
  ) {
    out.sort = { column: s['column'] as SortColumn, descending: s['descending'] };
  }
  const e = value['collapsed'];
  if (Array.isArray(e)) out.collapsed = e.filter((g): g is string => isOpaque(g)).slice(0, 500);
  return out;
}

/** Host → webview: the list. */
export const StateMessage = message<'incidents/state', IncidentsPanelState>('incidents/state', isState);
/** Host → webview: the selected incident's detail (or why it is missing). */
export const DetailMessage = message<'incidents/detail', DetailPayload>('incidents/detail', isDetail);
/** Host → webview: select this incident (a command asked for it). */
export const FocusMessage = message<'incidents/focus', { id: string }>(
  'incidents/focus',
  (p) => isObject(p) && isIncidentId(p['id']),
);

/** Webview → host: the script is running; send the list (and the focused incident's detail). */
export const ReadyMessage = message<'incidents/ready'>('incidents/ready', noParams);
/** Webview → host: the user selected an incident; send its detail. */
export const SelectMessage = message<'incidents/select', { id: string }>(
  'incidents/select',
  (p) => isObject(p) && isIncidentId(p['id']),
);
/** Webview → host: run an action on an incident. */
export const ActionMessage = message<'incidents/action', { id: string; action: IncidentAction }>(
  'incidents/action',
  (p) => isObject(p) && isIncidentId(p['id']) && (INCIDENT_ACTIONS as readonly unknown[]).includes(p['action']),
);
/** Webview → host: verify (then, after the host's confirmation, apply) one proposal of an incident. */
export const VerifyMessage = message<'incidents/verify', { id: string; proposalId: string; planHash: string }>(
  'incidents/verify',
  (p) => isObject(p) && isIncidentId(p['id']) && isOpaque(p['proposalId']) && isOpaque(p['planHash']),
);
/** Webview → host: close the panel (its incident is gone). */
export const CloseMessage = message<'incidents/close'>('incidents/close', noParams);

/** One change of the act loop's ledger in the current context, for the Applied changes tab. */
export interface ChangeRow {
  id: string;
  summary: string;
  /** "Deployment shop/api". */
  target: string;
  status: string;
  /** "resolved", "restored"… once judged. */
  outcome?: string;
  at: string;
  canRollback: boolean;
}

/** Host → webview: the Applied changes tab's list, newest first. */
export const ChangesMessage = message<'incidents/changes', { rows: ChangeRow[] }>(
  'incidents/changes',
  (p) => isObject(p) && Array.isArray(p['rows']),
);
/** Webview → host: roll back a listed change (through the Verification panel and its confirmation). */
export const RollbackChangeMessage = message<'incidents/rollback', { changeId: string }>(
  'incidents/rollback',
  (p) => isObject(p) && isOpaque(p['changeId']),
);

export const HOST_MESSAGES = [StateMessage, DetailMessage, FocusMessage, ChangesMessage] as const;
export const WEBVIEW_MESSAGES = [
  ReadyMessage,
  SelectMessage,
  ActionMessage,
  VerifyMessage,
  CloseMessage,
  RollbackChangeMessage,
] as const;
