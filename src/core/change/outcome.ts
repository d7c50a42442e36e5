// Judging what a change did, from what was seen after the write was accepted: the rollout, the
// answered incidents and any new incident on the target, over a settle period.
import type { Outcome, OutcomeResult } from '../model/proposal';

export const SETTLE_MS = 30_000;

export interface OutcomeObservation {
  /** Milliseconds since the write was accepted. */
  elapsedMs: number;
  rollout: Outcome['rollout'];
  /** The answered incidents that are open now. */
  answeredOpen: string[];
  /** Since when (ms after the write) every answered incident has been closed; undefined while one is open. */
  closedSinceMs: number | undefined;
  /** Incidents on the target that opened after the write, with when they opened (ms after the write). */
  newIncidents: { id: string; openedAtMs: number }[];
  confounders: string[];
}

/**
 * A final result, or undefined to keep watching. At the deadline (`final`) there is always a result:
 * an unfinished rollout or a confounder is inconclusive, an answered incident still open is unresolved.
 */
export function judgeOutcome(
  o: OutcomeObservation,
  final: boolean,
  settleMs = SETTLE_MS,
): { result: OutcomeResult; detail: string } | undefined {
  const settledNew = o.newIncidents.filter((n) => o.elapsedMs - n.openedAtMs >= settleMs);
  if (settledNew.length > 0)
    return {
      result: 'regressed',
      detail: `new incident${settledNew.length > 1 ? 's' : ''} on the target stayed open past ${settleMs / 1000}s: ${settledNew.map((n) => n.id).join(', ')}`,
    };
  if (o.rollout === 'failed') return { result: 'unresolved', detail: 'the rollout failed' };
  if (o.confounders.length > 0 && final)
    return { result: 'inconclusive', detail: `confounded: ${o.confounders.join('; ')}` };
  if (o.rollout === 'complete' || o.rollout === 'none') {
    if (
      o.answeredOpen.length === 0 &&
      o.closedSinceMs !== undefined &&
      o.elapsedMs - o.closedSinceMs >= settleMs &&
      o.newIncidents.length === 0
    ) {
      if (o.confounders.length > 0)
        return { result: 'inconclusive', detail: `resolved, but confounded: ${o.confounders.join('; ')}` };
      return { result: 'resolved', detail: `the incident closed and stayed closed for ${settleMs / 1000}s` };
    }
  }
  if (!final) return undefined;
  if (o.rollout === 'unfinished') return { result: 'inconclusive', detail: 'the rollout did not finish in time' };
  if (o.answeredOpen.length > 0) return { result: 'unresolved', detail: `still open: ${o.answeredOpen.join(', ')}` };
  if (o.newIncidents.length > 0)
    return { result: 'inconclusive', detail: 'a new incident on the target has not settled yet' };
  return { result: 'inconclusive', detail: `the incident closed less than ${settleMs / 1000}s before the deadline` };
}
