// propose: the ranked proposals for the request's causes (or the request's own proposal, for a
// rollback or a scaling change), and the one to verify.
import { proposalsFromCauses } from '../../core/change/proposals';
import { successRates } from '../../core/learning/outcomeStats';
import type { ActContext } from '../actContext';
import type { State, Update } from '../state';

export function makeProposeNode(act: () => ActContext) {
  return (state: State): Update => {
    const request = state.request;
    if (!request) return { trail: ['propose: nothing was asked'] };
    const ctx = act();
    const proposals = request.proposal
      ? [request.proposal]
      : proposalsFromCauses(request.causes, ctx.uidOf, successRates(ctx.ledger.changes()));
    const chosen = request.proposalId ? proposals.find((p) => p.id === request.proposalId) : proposals[0];
    if (!chosen)
      return {
        proposals,
        proposal: null,
        trail: [
          request.proposalId
            ? `propose: proposal ${request.proposalId} is no longer offered`
            : 'propose: no fix with a concrete change',
        ],
      };
    return {
      proposals,
      proposal: chosen,
      trail: [`propose: ${proposals.length} proposal(s); verifying "${chosen.summary}" (${chosen.risk} risk)`],
    };
  };
}

export function afterPropose(state: State): 'verify' | '__end__' {
  return state.proposal ? 'verify' : '__end__';
}
