// The developer's decision in the editor: a modal naming context, namespace, kind and name; the
// context name typed for protected contexts and high-risk changes; a second confirmation that names
// what is unknown for an inconclusive verdict; then a 5-second Cancel notification that holds the write.
import * as vscode from 'vscode';
import type { ConfirmationNeeds } from '../../core/change/confirmation';
import type { Proposal, Verdict } from '../../core/model/proposal';

export const HOLD_SECONDS = 5;

export type Confirmation =
  { confirmed: true; confirmContext?: string; confirmRisk?: 'high' } | { confirmed: false; why: string };

/** Cluster text in a modal's detail: control characters removed, long values clipped. */
function plain(text: string, max = 300): string {
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export async function confirmWrite(opts: {
  proposal: Proposal;
  verdict: Verdict;
  needs: ConfirmationNeeds;
  context: string;
  action: 'Apply' | 'Roll Back';
}): Promise<Confirmation> {
  const { proposal, verdict, needs, context, action } = opts;
  if (!needs.canApply) return { confirmed: false, why: 'the verdict is fail: nothing can be applied' };
  const t = proposal.target;
  const detail = [
    `Context: ${context}`,
    `Namespace: ${t.namespace}`,
    `Kind: ${t.kind}`,
    `Name: ${t.name}`,
    '',
    `Change: ${plain(proposal.summary)}`,
    `Risk: ${proposal.risk} (${plain(proposal.riskReason)})`,
    `Verdict: ${verdict.result}`,
    ...(needs.reasons.length > 0 ? ['', ...needs.reasons.map((r) => `• ${plain(r)}`)] : []),
  ].join('\n');
  const choice = await vscode.window.showWarningMessage(
    `${action} this change to ${t.kind} ${t.namespace}/${t.name} in context ${context}?`,
    { modal: true, detail },
    action,
  );
  if (choice !== action) return { confirmed: false, why: 'not confirmed' };
  if (needs.secondConfirmation) {
    const unknown = verdict.checks
      .filter((c) => c.result === 'inconclusive')
      .map((c) => `• ${c.name}: ${plain(c.detail)}`);
    const again = await vscode.window.showWarningMessage(
      'The verdict is inconclusive: these checks could not tell whether the change is safe.',
      { modal: true, detail: `${unknown.join('\n')}\n\n${action} although this is not known?` },
      `${action} Anyway`,
    );
    if (again !== `${action} Anyway`)
      return { confirmed: false, why: 'the inconclusive verdict was not confirmed a second time' };
  }
  let confirmContext: string | undefined;
  if (needs.typeContext) {
    confirmContext = await vscode.window.showInputBox({
      title: `Type the context name to ${action.toLowerCase()} (${needs.reasons.filter((r) => /protected|high risk/.test(r)).join('; ')})`,
      prompt: `Type "${context}" to confirm`,
      ignoreFocusOut: true,
      validateInput: (value) => (value === context ? undefined : `type exactly ${context}`),
    });
    if (confirmContext !== context) return { confirmed: false, why: 'the context name was not typed' };
  }
  return {
    confirmed: true,
    ...(confirmContext ? { confirmContext } : {}),
    ...(needs.confirmRisk ? { confirmRisk: 'high' as const } : {}),
  };
}

/** Holds the write for HOLD_SECONDS behind a notification with Cancel; true when it may go out. */
export function holdWrite(what: string, seconds = HOLD_SECONDS): Thenable<boolean> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `NimbusGuard: ${what}`, cancellable: true },
    async (progress, token) => {
      for (let left = seconds; left > 0; left--) {
        if (token.isCancellationRequested) return false;
        progress.report({ message: `in ${left} s — Cancel to stop`, increment: 100 / seconds });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 1000);
          token.onCancellationRequested(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return !token.isCancellationRequested;
    },
  );
}
