// verify: runs the checks on the chosen proposal and records the verdict. Nothing is written.
import type { ActContext } from '../actContext';
import { verifyProposal } from '../actVerifier';
import type { State, Update } from '../state';

export function makeVerifyNode(act: () => ActContext) {
  return async (state: State): Promise<Update> => {
    const proposal = state.proposal!;
    const request = state.request!;
    const ctx = act();
    const { verdict } = await verifyProposal(ctx, proposal, {
      ...(ctx.signal ? { signal: ctx.signal() } : {}),
      shadow: request.shadow,
      ...(request.shadowSkipReason ? { shadowSkipReason: request.shadowSkipReason } : {}),
      ...(request.restoreTemplate ? { restoreTemplate: request.restoreTemplate } : {}),
      ...(request.rollbackOf ? { informational: ['shadow', 'fit', 'quota', 'disruption'] } : {}),
    });
    return {
      verdict,
      trail: [`verify: ${verdict.result} (${verdict.checks.map((c) => `${c.name} ${c.result}`).join(', ')})`],
    };
  };
}

/** A failed verdict offers no Apply: the thread ends with it. */
export function afterVerify(state: State): 'approve' | '__end__' {
  return state.verdict && state.verdict.result !== 'fail' ? 'approve' : '__end__';
}
