// Read-only documents under the nimbusguard: scheme — an object's live YAML — so they open in normal
// editors but can never be saved back to the cluster. (Incidents are shown in the Incidents panel.)
import * as vscode from 'vscode';
import { ConnectionManager } from '../cluster/connection';
import type { ObjectRef } from '../core/model/resources';

export const SCHEME = 'nimbusguard';

export function yamlUri(ref: ObjectRef): vscode.Uri {
  const path = `/yaml/${encodeURIComponent(ref.kind)}/${encodeURIComponent(ref.namespace || '_')}/${encodeURIComponent(ref.name)}.yaml`;
  return vscode.Uri.from({ scheme: SCHEME, path });
}

export class NimbusDocuments implements vscode.TextDocumentContentProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly manager: ConnectionManager) {}

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
        return await readObjectYaml(session.kc, {
          kind,
          namespace: namespace === '_' ? '' : namespace,
          name: file.replace(/\.yaml$/, ''),
        });
      } catch (error) {
        return `# ${(error instanceof Error ? error.message : String(error)).replace(/\n/g, ' ')}\n`;
      }
    }
    return 'Unknown NimbusGuard document.\n';
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
