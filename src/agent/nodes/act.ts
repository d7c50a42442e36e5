// act: carries out the confirmed decision. A rejection is recorded and ends the thread; an approval
// re-reads the object and writes the verified plan (re-verifying when the spec moved).
import { LEDGER_VERSION } from '../../core/model/proposal';
import type { ActContext } from '../actContext';
import { applyConfirmed } from '../actApplier';
import type { State, Update } from '../state';

export function makeActNode(act: () => ActContext) {
  return async (state: State): Promise<Update> => {
    const ctx = act();
    const decision = state.decision!;
    const proposal = state.proposal!;
    if (decision.decision === 'reject') {
      ctx.ledger.append({
        v: LEDGER_VERSION,
        type: 'rejected',
        changeId: `r-${proposal.id}-${Date.now()}`,
        at: ctx.now().toISOString(),
        proposalId: proposal.id,
        who: decision.who ?? ctx.who(),
      });
      return {
        acted: { status: 'rejected', message: 'rejected; nothing was written', reverified: 0 },
        trail: ['act: rejected'],
      };
    }
    const request = state.request!;
    const result = await applyConfirmed(ctx, proposal, state.verdict!, {
      shadow: request.shadow,
      ...(request.shadowSkipReason ? { shadowSkipReason: request.shadowSkipReason } : {}),
      ...(request.restoreTemplate ? { restoreTemplate: request.restoreTemplate } : {}),
      ...(request.rollbackOf
        ? { rollbackOf: request.rollbackOf, informational: ['shadow', 'fit', 'quota', 'disruption'] }
        : {}),
    });
    return {
      verdict: result.verdict,
      acted: {
        status: result.status,
        message: result.message,
        reverified: result.reverified,
        ...(result.changeId ? { changeId: result.changeId } : {}),
        ...(result.generation !== undefined
          ? { generation: result.generation, acceptedAt: ctx.now().toISOString() }
          : {}),
      },
      trail: [`act: ${result.status}: ${result.message}`],
    };
  };
}

export function afterAct(state: State): 'evaluate' | '__end__' {
  return state.acted?.status === 'applied' && (state.decision?.waitSeconds ?? 0) > 0 ? 'evaluate' : '__end__';
}
