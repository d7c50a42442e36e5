// Read-only YAML documents of a verified plan for VS Code's diff editor: the live object and the
// server's dry-run result, with managedFields, status and other server noise stripped.
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { Verdict } from '../../core/model/proposal';

export const ACT_SCHEME = 'nimbusguard-plan';

const NOISY_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];

/** A copy without status and the metadata that changes on every write. */
export function stripNoise(object: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(object);
  delete copy['status'];
  const meta = copy['metadata'];
  if (meta && typeof meta === 'object') for (const key of NOISY_METADATA) delete (meta as Record<string, unknown>)[key];
  return copy;
}

export class PlanDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly verdicts = new Map<string, Verdict>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Keeps the newest verdict of a proposal for its documents. */
  remember(verdict: Verdict): void {
    this.verdicts.set(verdict.proposalId, verdict);
    for (const side of ['live', 'dry-run'] as const) this.changed.fire(uriOf(verdict, side));
  }

  has(proposalId: string): boolean {
    const v = this.verdicts.get(proposalId);
    return v?.liveObject !== undefined && v.dryRunObject !== undefined;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, proposalId, file] = uri.path.split('/');
    const verdict = proposalId ? this.verdicts.get(proposalId) : undefined;
    const object = file?.startsWith('dry-run') ? verdict?.dryRunObject : verdict?.liveObject;
    if (!object) return '# This plan is no longer known: verify the proposal again.\n';
    return stringify(stripNoise(object));
  }

  /** Opens live vs dry-run result side by side. */
  async open(proposalId: string): Promise<boolean> {
    const verdict = this.verdicts.get(proposalId);
    if (!verdict?.liveObject || !verdict.dryRunObject) return false;
    const t = verdict.plan.target;
    await vscode.commands.executeCommand(
      'vscode.diff',
      uriOf(verdict, 'live'),
      uriOf(verdict, 'dry-run'),
      `${t.kind} ${t.namespace}/${t.name}: live ↔ after the change (dry run)`,
      { preview: true },
    );
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function uriOf(verdict: Verdict, side: 'live' | 'dry-run'): vscode.Uri {
  const t = verdict.plan.target;
  return vscode.Uri.from({
    scheme: ACT_SCHEME,
    path: `/${verdict.proposalId}/${side}-${t.kind.toLowerCase()}-${t.name}.yaml`,
  });
}
