// Keeps the ledger's "cluster only" marker true: after the ledger or the workspace's manifests
// change, each applied change of the context is compared with the manifest that defines its
// object; the marker clears once the manifest holds every field the change wrote (and comes back
// if the manifest stops holding it). A rolled-back change carries no marker (see ledgerFold).
import * as vscode from 'vscode';
import { fieldsNotInManifest, manifestDocument } from '../../core/change/manifestMatch';
import type { ManifestIndexService } from '../manifestIndexService';
import type { ActController } from './actController';

const DEBOUNCE_MS = 500;

async function textOf(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

export class ManifestMarker implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly act: ActController,
    private readonly manifests: ManifestIndexService,
  ) {
    this.disposables = [act.onDidChange(() => this.schedule()), manifests.onDidChange(() => this.schedule())];
  }

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), DEBOUNCE_MS);
  }

  /** Compares every applied change of the context with its manifest and records what changed. */
  async check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.compare().finally(() => (this.running = undefined));
    await this.running;
    if (this.again) {
      this.again = false;
      await this.check();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }

  private async compare(): Promise<void> {
    const service = this.act.service;
    if (!service) return;
    for (const change of this.act.changes()) {
      if (change.status !== 'applied' || !change.after || change.manifest === undefined) continue;
      const hits = await this.manifests.find(change.plan.target);
      if (hits.length === 0) continue;
      let holding: vscode.Uri | undefined;
      for (const hit of hits) {
        const text = await textOf(hit.uri);
        const object = text === undefined ? undefined : manifestDocument(text, hit.object.document);
        if (object !== undefined && fieldsNotInManifest(change, object).length === 0) {
          holding = hit.uri;
          break;
        }
      }
      try {
        service.markManifest(
          change.id,
          holding ? 'matches' : 'cluster-only',
          vscode.workspace.asRelativePath(holding ?? hits[0]!.uri),
        );
      } catch (error) {
        void vscode.window.showWarningMessage(`NimbusGuard: the ledger could not be updated: ${String(error)}`);
        return;
      }
    }
  }
}
