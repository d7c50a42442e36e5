// approve: hands the proposal and its verdict to a person and waits. It only calls interrupt() and
// validates the resume value (the proposal id and the hash of the exact plan that was shown); the
// write happens in the next node, so resuming never repeats a side effect.
import { interrupt } from '@langchain/langgraph';
import type { ApprovalDecision, Proposal, Verdict } from '../../core/model/proposal';
import type { State, Update } from '../state';

export interface ApprovalRequest {
  proposal: Proposal;
  verdict: Verdict;
}

export function validateDecision(
  value: unknown,
  proposal: Proposal,
  verdict: Verdict,
): { decision: ApprovalDecision } | { problem: string } {
  if (typeof value !== 'object' || value === null) return { problem: 'the confirmation is not an object' };
  const d = value as Partial<ApprovalDecision>;
  if (d.decision !== 'approve' && d.decision !== 'reject')
    return { problem: 'the confirmation is neither approve nor reject' };
  if (d.proposalId !== proposal.id)
    return { problem: `the confirmation names proposal ${String(d.proposalId)}, not ${proposal.id}` };
  if (d.planHash !== verdict.planHash) return { problem: 'the confirmation is for another plan than the one verified' };
  const wait = d.waitSeconds;
  if (wait !== undefined && (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0))
    return { problem: 'waitSeconds must be a number ≥ 0' };
  return {
    decision: {
      proposalId: d.proposalId,
      planHash: d.planHash,
      decision: d.decision,
      ...(typeof d.who === 'string' ? { who: d.who } : {}),
      ...(wait !== undefined ? { waitSeconds: wait } : {}),
      ...(d.confirmContext ? { confirmContext: String(d.confirmContext) } : {}),
      ...(d.confirmRisk ? { confirmRisk: d.confirmRisk } : {}),
    },
  };
}

export function approveNode(state: State): Update {
  const request: ApprovalRequest = { proposal: state.proposal!, verdict: state.verdict! };
  const resume = interrupt(request);
  const checked = validateDecision(resume, request.proposal, request.verdict);
  if ('problem' in checked)
    return {
      decision: null,
      acted: { status: 'invalid', message: checked.problem, reverified: 0 },
      trail: [`approve: refused: ${checked.problem}`],
    };
  return {
    decision: checked.decision,
    trail: [`approve: ${checked.decision.decision}${checked.decision.who ? ` by ${checked.decision.who}` : ''}`],
  };
}

export function afterApprove(state: State): 'act' | '__end__' {
  return state.decision ? 'act' : '__end__';
}
