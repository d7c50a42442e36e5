// evaluate: watches the outcome of an applied change for the requested time and records it in
// the ledger (the reward for ranking later proposals). A rollback is judged restored or not.
import type { ActContext } from '../actContext';
import { evaluateChange } from '../actEvaluator';
import { templateHash } from '../../core/change/templates';
import type { State, Update } from '../state';

export function makeEvaluateNode(act: () => ActContext) {
  return async (state: State): Promise<Update> => {
    const applied = state.acted!;
    const request = state.request!;
    const change =
      request.rollbackOf && request.proposal?.change.kind === 'restore' ? request.proposal.change : undefined;
    const restored = change && !change.template ? change.image : undefined;
    const restoredTemplateHash = change?.template ? templateHash(change.template) : undefined;
    const outcome = await evaluateChange(act(), {
      changeId: applied.changeId!,
      proposal: state.proposal!,
      plan: state.verdict!.plan,
      generation: applied.generation ?? 0,
      acceptedAt: Date.parse(applied.acceptedAt ?? new Date().toISOString()),
      waitSeconds: state.decision?.waitSeconds ?? 0,
      ...(restored ? { restored } : {}),
      ...(restoredTemplateHash ? { restoredTemplateHash } : {}),
    });
    return { outcome, trail: [`evaluate: ${outcome.result}: ${outcome.detail}`] };
  };
}
