// What a confirmation must include for a verdict on a context: `fail` offers no Apply,
// `inconclusive` needs an explicit second confirmation, a protected context (glob on the context
// name or server URL) or a high-risk change needs the context name typed, high risk also its own flag.
import type { ApprovalDecision, Proposal, Verdict } from '../model/proposal';

export const DEFAULT_PROTECTED_CONTEXTS = ['*prod*'];

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

export function isProtectedContext(context: string, server: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (p) => typeof p === 'string' && p.length > 0 && (globToRegExp(p).test(context) || globToRegExp(p).test(server)),
  );
}

export interface ConfirmationNeeds {
  canApply: boolean;
  /** An inconclusive verdict: what is unknown must be acknowledged a second time. */
  secondConfirmation: boolean;
  /** The context name must be typed (protected context or high risk). */
  typeContext: boolean;
  /** High risk: the CLI needs --confirm-risk high. */
  confirmRisk: boolean;
  reasons: string[];
}

export function confirmationNeeds(
  proposal: Proposal,
  verdict: Verdict,
  context: string,
  server: string,
  patterns: readonly string[],
): ConfirmationNeeds {
  const reasons: string[] = [];
  const protectedContext = isProtectedContext(context, server, patterns);
  if (verdict.result === 'fail') reasons.push('the verdict is fail: nothing can be applied');
  if (verdict.result === 'inconclusive') reasons.push('the verdict is inconclusive');
  if (protectedContext) reasons.push(`context ${context} is protected`);
  if (proposal.risk === 'high') reasons.push(`the change is high risk (${proposal.riskReason})`);
  return {
    canApply: verdict.result !== 'fail',
    secondConfirmation: verdict.result === 'inconclusive',
    typeContext: protectedContext || proposal.risk === 'high',
    confirmRisk: proposal.risk === 'high',
    reasons,
  };
}

/** Why a decision does not satisfy the needs, or undefined when it does. */
export function unmetConfirmation(
  needs: ConfirmationNeeds,
  decision: Pick<ApprovalDecision, 'decision' | 'confirmContext' | 'confirmRisk'>,
  context: string,
): string | undefined {
  if (decision.decision === 'reject') return undefined;
  if (!needs.canApply) return 'the verdict is fail';
  if (needs.typeContext && decision.confirmContext !== context)
    return `type the context name "${context}" to confirm (${needs.reasons.join('; ')})`;
  if (needs.confirmRisk && decision.confirmRisk !== 'high')
    return 'a high-risk change needs an explicit high-risk confirmation';
  return undefined;
}
