// Read-only documents under the nimbusguard: scheme — an object's live YAML and an incident's
// evidence — so they open in normal editors but can never be saved back to the cluster.
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import type { ObjectRef } from '../core/model/resources';
import { incidentMarkdown } from './incidentMarkdown';
import { IncidentHub } from './incidentHub';

export const SCHEME = 'nimbusguard';

export function yamlUri(ref: ObjectRef): vscode.Uri {
  const path = `/yaml/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.namespace || '_')}/${encodeURIComponent(ref.name)}.yaml`;
  return vscode.Uri.from({ scheme: SCHEME, path });
}

export function evidenceUri(incidentId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/evidence/${encodeURIComponent(incidentId)}.md` });
}

export class NimbusDocuments implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  private readonly subscription: vscode.Disposable;

  constructor(private readonly manager: ConnectionManager, private readonly hub: IncidentHub) {
    // An incident's document follows its agent thread: the root cause appears when diagnose ran.
    this.subscription = hub.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) {
        if (doc.uri.scheme === SCHEME && doc.uri.path.startsWith('/evidence/')) this.emitter.fire(doc.uri);
      }
    });
  }

  refresh(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const parts = uri.path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] === 'yaml' && parts.length === 4) {
      const session = this.manager.session;
      if (!session) return '# Not connected to a cluster.\n';
      const [kind, namespace, file] = parts.slice(1) as [string, string, string];
      try {
        const { readObjectYaml } = await this.manager.clusterModule();
        return await readObjectYaml(session.kc, { kind, namespace: namespace === '_' ? '' : namespace, name: file.replace(/\.yaml$/, '') });
      } catch (error) {
        return `# ${(error instanceof Error ? error.message : String(error)).replace(/\n/g, ' ')}\n`;
      }
    }
    if (parts[0] === 'evidence' && parts.length === 2) {
      const id = parts[1]!.replace(/\.md$/, '');
      const incident = this.hub.current?.get(id);
      if (!incident) return `This incident is no longer tracked (it resolved, or the context changed).\n`;
      return incidentMarkdown(incident, this.hub.current?.analysis(id), new Date(), this.hub.current?.rootCause(id));
    }
    return 'Unknown NimbusGuard document.\n';
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
