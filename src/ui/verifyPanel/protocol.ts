// The Verification panel's protocol: the state the host sends and the messages each side may post.
// Requests from the webview carry only ids ({proposalId, planHash}, a change id); the host looks
// everything else up again and re-validates it.
import type {
  CheckName,
  CheckOutcome,
  OutcomeResult,
  RiskTier,
  RollbackOutcomeResult,
  ShadowStep,
  VerdictResult,
} from '../../core/model/proposal';
import { message } from '../webview/ipc';

/** Where the proposal is in its life, as the panel shows it. */
export type VerifyPhase =
  | 'ready'
  | 'verifying'
  | 'verified'
  | 'interrupted'
  | 'confirming'
  | 'applying'
  | 'applied'
  | 'rejected'
  | 'not-applied'
  | 'missing';

export interface CheckView {
  name: CheckName;
  /** `waiting` before it starts, `running` while it runs, then its outcome. */
  status: 'waiting' | 'running' | CheckOutcome;
  detail: string;
  evidence: string[];
  warnings: string[];
  durationMs?: number;
  /** The shadow check: the shadow pod's timeline, live while it runs, then as the verdict keeps it. */
  timeline?: TimelineRow[];
}

/** One step of the shadow pod's timeline as shown. */
export interface TimelineRow {
  at: string;
  /** Since the first step ("+0.0s", "+12.4s"). */
  offset: string;
  step: ShadowStep;
  text: string;
  /** A step that explains a failure (OOMKilled, restart, warning event, FailedCreate). */
  bad: boolean;
}

/** One touched field: its value now and after the change ("absent" when the field does not exist). */
export interface DiffLine {
  path: string;
  before: string;
  after: string;
}

export interface VerdictView {
  result: VerdictResult;
  planHash: string;
  verifiedAt: string;
  /** `fail` offers no Apply. */
  canApply: boolean;
  /** What the confirmation will ask for and why (protected context, high risk, inconclusive). */
  reasons: string[];
  /** For `inconclusive`: what is not known, one line per check that lacked data. */
  unknown: string[];
  /** The live object and the dry-run result can be compared in the diff editor. */
  hasDiff: boolean;
}

export interface ChangeView {
  id: string;
  status: string;
  /** Rollout and outcome, once judged. */
  outcome?: { result: OutcomeResult | RollbackOutcomeResult; detail: string; rollout: string };
  canRollback: boolean;
}

export interface VerifyPanelState {
  context: string;
  proposal: {
    id: string;
    summary: string;
    target: { kind: string; namespace: string; name: string };
    risk: RiskTier;
    riskReason: string;
    incidentType: string;
    /** Set when this proposal restores an earlier change. */
    rollbackOf?: string;
  };
  phase: VerifyPhase;
  diff: DiffLine[];
  checks: CheckView[];
  verdict?: VerdictView;
  change?: ChangeView;
  /** One line about the last step (an error, "cancelled", the shadow question's answer…). */
  message?: string;
  updatedAt: number;
}

/** What the webview keeps with setState, and all a restored panel starts from: ids only. */
export interface VerifySavedState {
  proposalId: string;
  /** The change a rollback proposal restores. */
  rollbackOf?: string;
  /** The change the proposal became, once applied. */
  changeId?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** Ids are short opaque tokens: letters, digits, dash, underscore, colon, dot. */
export const isId = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,128}$/.test(value);
const noParams = (p: unknown) => p === undefined || p === null || isObject(p);

/** The saved state of a restored webview, field by field; undefined when it names no proposal. */
export function savedVerifyState(value: unknown): VerifySavedState | undefined {
  if (!isObject(value) || !isId(value['proposalId'])) return undefined;
  const out: VerifySavedState = { proposalId: value['proposalId'] };
  if (isId(value['rollbackOf'])) out.rollbackOf = value['rollbackOf'];
  if (isId(value['changeId'])) out.changeId = value['changeId'];
  return out;
}

function isState(value: unknown): boolean {
  if (!isObject(value)) return false;
  const p = value['proposal'];
  return (
    isObject(p) &&
    isId(p['id']) &&
    typeof value['phase'] === 'string' &&
    Array.isArray(value['checks']) &&
    Array.isArray(value['diff']) &&
    typeof value['updatedAt'] === 'number'
  );
}

const isDecision = (p: unknown): p is { proposalId: string; planHash: string } =>
  isObject(p) && isId(p['proposalId']) && isId(p['planHash']);

/** Host → webview: the whole state. */
export const StateMessage = message<'verify/state', VerifyPanelState>('verify/state', isState);

/** Host → webview: there is nothing to show (not connected, proposal no longer offered); the panel offers Close. */
export const MissingMessage = message<'verify/missing', { message: string }>(
  'verify/missing',
  (p) => isObject(p) && typeof p['message'] === 'string',
);

/** Webview → host: the script runs; send the state. */
export const ReadyMessage = message<'verify/ready'>('verify/ready', noParams);
/** Webview → host: verify (again). */
export const ReverifyMessage = message<'verify/reverify', { proposalId: string }>(
  'verify/reverify',
  (p) => isObject(p) && isId(p['proposalId']),
);
/** Webview → host: apply the plan shown; the host re-validates and asks for the modal confirmation. */
export const ApplyMessage = message<'verify/apply', { proposalId: string; planHash: string }>(
  'verify/apply',
  isDecision,
);
/** Webview → host: reject the plan shown (ends the thread, recorded). */
export const RejectMessage = message<'verify/reject', { proposalId: string; planHash: string }>(
  'verify/reject',
  isDecision,
);
/** Webview → host: open the live object vs dry-run result in the diff editor. */
export const OpenDiffMessage = message<'verify/openDiff', { proposalId: string }>(
  'verify/openDiff',
  (p) => isObject(p) && isId(p['proposalId']),
);
/** Webview → host: roll back the applied change. */
export const RollbackMessage = message<'verify/rollback', { changeId: string }>(
  'verify/rollback',
  (p) => isObject(p) && isId(p['changeId']),
);
/** Webview → host: close the panel. */
export const CloseMessage = message<'verify/close'>('verify/close', noParams);

export const WEBVIEW_MESSAGES = [
  ReadyMessage,
  ReverifyMessage,
  ApplyMessage,
  RejectMessage,
  OpenDiffMessage,
  RollbackMessage,
  CloseMessage,
] as const;
