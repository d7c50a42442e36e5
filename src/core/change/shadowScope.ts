// Which proposals a shadow can verify: a Deployment's new pod template. Shared by the verifier, which
// skips the check, and the editor, which then asks nothing.
import type { Proposal } from '../model/proposal';

export const NO_NEW_TEMPLATE = 'the change does not alter the pod template';

/** Why no shadow can run for this proposal, known before any plan is made; undefined when one may. */
export function shadowOutOfScope(proposal: Proposal): string | undefined {
  if (proposal.target.kind !== 'Deployment')
    return `not run for a ${proposal.target.kind} (only Deployments are shadowed)`;
  if (proposal.change.kind === 'patch' && !proposal.change.edits.some((e) => e.path.startsWith('spec.template')))
    return NO_NEW_TEMPLATE;
  return undefined;
}
