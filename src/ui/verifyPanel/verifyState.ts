// Builds the Verification panel's state from what the act loop reports: the proposal, the checks as
// they start and finish, the verdict and what its confirmation needs, and the change it became.
// Pure: no editor API, so the panel's content is unit-tested as data.
import type { ConfirmationNeeds } from '../../core/change/confirmation';
import {
  CHECK_NAMES,
  type ChangeRecord,
  type CheckName,
  type FieldImage,
  type CheckResult,
  type Proposal,
  type ShadowStep,
  type ShadowTimelineEntry,
  type Verdict,
  type VerifyProgress,
} from '../../core/model/proposal';
import type { CheckView, DiffLine, TimelineRow, VerifyPanelState, VerifyPhase } from './protocol';

export interface VerifySource {
  context: string;
  proposal: Proposal;
  phase: VerifyPhase;
  /** Checks reported so far, in the order they were reported. */
  checks: ReadonlyMap<CheckName, CheckView>;
  verdict?: Verdict;
  needs?: ConfirmationNeeds;
  change?: ChangeRecord;
  /** The newest change on the same fields, when it is not this one (then Rollback is not offered). */
  canRollback?: boolean;
  message?: string;
  now: number;
}

const BAD_STEPS: ReadonlySet<ShadowStep> = new Set([
  'failedCreate',
  'oomKilled',
  'restarted',
  'terminated',
  'waiting',
  'warning',
  'notReady',
]);

/** The shadow pod's timeline as rows, each with its time since the first step. */
export function timelineRows(timeline: readonly ShadowTimelineEntry[]): TimelineRow[] {
  const first = timeline.length > 0 ? Date.parse(timeline[0]!.at) : 0;
  return timeline.map((e) => {
    const seconds = Math.max(0, (Date.parse(e.at) - first) / 1000);
    return {
      at: e.at,
      offset: Number.isFinite(seconds) ? `+${seconds.toFixed(1)}s` : '',
      step: e.step,
      text: e.text,
      bad: BAD_STEPS.has(e.step),
    };
  });
}

function checkView(r: CheckResult): CheckView {
  return {
    name: r.name,
    status: r.result,
    detail: r.detail,
    evidence: [...r.evidence],
    warnings: [...r.warnings],
    durationMs: r.durationMs,
    ...(r.timeline ? { timeline: timelineRows(r.timeline) } : {}),
  };
}

/** Applies one progress event to the checks shown. */
export function withProgress(
  checks: ReadonlyMap<CheckName, CheckView>,
  event: VerifyProgress,
): Map<CheckName, CheckView> {
  const next = new Map(checks);
  if (event.phase === 'started')
    next.set(event.check, { name: event.check, status: 'running', detail: 'running…', evidence: [], warnings: [] });
  else if (event.phase === 'timeline') {
    const running = next.get(event.check);
    // A timeline after the check finished (a late event) never turns its outcome back into "running".
    next.set(event.check, {
      ...(running ?? { name: event.check, status: 'running', detail: 'running…', evidence: [], warnings: [] }),
      timeline: timelineRows(event.timeline),
    });
  } else next.set(event.check, checkView(event.result));
  return next;
}

function text(image: FieldImage | undefined, path: string): string {
  const f = image?.[path];
  if (!f) return 'unknown';
  if (!f.present) return 'absent';
  return typeof f.value === 'string' ? f.value : JSON.stringify(f.value);
}

/** The change as field lines: from the verdict's images once verified, else from the proposal itself. */
export function diffLines(proposal: Proposal, verdict?: Verdict): DiffLine[] {
  if (verdict && Object.keys(verdict.after).length > 0) {
    const paths = [...new Set([...Object.keys(verdict.before), ...Object.keys(verdict.after)])];
    return paths.map((path) => ({ path, before: text(verdict.before, path), after: text(verdict.after, path) }));
  }
  const change = proposal.change;
  switch (change.kind) {
    case 'patch':
      return change.edits.map((e) => ({
        path: e.path,
        before: e.previous === undefined ? 'unknown' : String(e.previous),
        after: String(e.value),
      }));
    case 'rollbackToRevision':
      return [
        { path: 'spec.template', before: 'current pod template', after: `pod template of revision ${change.revision}` },
      ];
    case 'restore':
      if (change.template)
        return [
          { path: 'spec.template', before: 'current pod template', after: `pod template before ${change.changeId}` },
        ];
      return Object.keys(change.image).map((path) => ({
        path,
        before: "NimbusGuard's value",
        after: text(change.image, path),
      }));
  }
}

/** Every check in its fixed order: those not reported yet are `waiting` while verifying. */
function orderedChecks(source: VerifySource): CheckView[] {
  const reported = source.verdict
    ? new Map(source.verdict.checks.map((c): [CheckName, CheckView] => [c.name, checkView(c)]))
    : source.checks;
  if (source.phase !== 'verifying') return CHECK_NAMES.filter((n) => reported.has(n)).map((n) => reported.get(n)!);
  return CHECK_NAMES.map(
    (n) => reported.get(n) ?? { name: n, status: 'waiting', detail: 'waiting', evidence: [], warnings: [] },
  );
}

export function buildVerifyState(source: VerifySource): VerifyPanelState {
  const { proposal, verdict, needs, change } = source;
  const state: VerifyPanelState = {
    context: source.context,
    proposal: {
      id: proposal.id,
      summary: proposal.summary,
      target: { kind: proposal.target.kind, namespace: proposal.target.namespace, name: proposal.target.name },
      risk: proposal.risk,
      riskReason: proposal.riskReason,
      incidentType: proposal.incidentType,
      ...(proposal.change.kind === 'restore' ? { rollbackOf: proposal.change.changeId } : {}),
    },
    phase: source.phase,
    diff: diffLines(proposal, verdict),
    checks: orderedChecks(source),
    updatedAt: source.now,
  };
  if (verdict) {
    state.verdict = {
      result: verdict.result,
      planHash: verdict.planHash,
      verifiedAt: verdict.verifiedAt,
      canApply: (needs?.canApply ?? verdict.result !== 'fail') && source.phase === 'verified',
      reasons: needs?.reasons ?? [],
      unknown: verdict.checks.filter((c) => c.result === 'inconclusive').map((c) => `${c.name}: ${c.detail}`),
      hasDiff: verdict.liveObject !== undefined && verdict.dryRunObject !== undefined,
    };
  }
  if (change) {
    state.change = {
      id: change.id,
      status: change.status,
      ...(change.outcome
        ? { outcome: { result: change.outcome.result, detail: change.outcome.detail, rollout: change.outcome.rollout } }
        : {}),
      canRollback: change.status === 'applied' && (source.canRollback ?? true),
    };
  }
  if (source.message) state.message = source.message;
  return state;
}
