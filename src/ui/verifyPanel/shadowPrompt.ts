// Whether a verification runs the shadow check: never for a rollback or a change that makes no new
// pod template (a scale, an HPA's bounds), then the nimbusguard.verify.shadow setting, and when it
// says "ask", a modal that says what a shadow shares.
import * as vscode from 'vscode';
import type { Proposal } from '../../core/model/proposal';
import { shadowOutOfScope } from '../../core/change/shadowScope';
import { shadowSetting } from '../act/actController';

export interface ShadowChoice {
  shadow: boolean;
  shadowSkipReason?: string;
}

export async function askShadow(proposal: Proposal, rollback: boolean): Promise<ShadowChoice> {
  if (rollback) return { shadow: false, shadowSkipReason: 'informational for a rollback; not run' };
  // Nothing to ask when no shadow could run.
  const outOfScope = shadowOutOfScope(proposal);
  if (outOfScope) return { shadow: false, shadowSkipReason: outOfScope };
  const setting = shadowSetting();
  if (setting === 'never') return { shadow: false, shadowSkipReason: 'disabled by nimbusguard.verify.shadow' };
  if (setting === 'always') return { shadow: true };
  const t = proposal.target;
  const choice = await vscode.window.showInformationMessage(
    `Run a shadow pod of ${t.kind} ${t.namespace}/${t.name} with the change applied?`,
    {
      modal: true,
      detail:
        'A shadow is one extra pod in the same namespace, selected by no Service and removed when the check ends. ' +
        "It shares the workload's ServiceAccount, Secrets, ConfigMaps, volumes and network egress: a copy of a queue consumer " +
        'consumes messages, a copy of a cron-like worker does its work once more. ' +
        'The panel shows its timeline while it runs.',
    },
    'Run Shadow',
    'Skip Shadow',
  );
  return choice === 'Run Shadow'
    ? { shadow: true }
    : { shadow: false, shadowSkipReason: 'the developer chose not to run a shadow' };
}
