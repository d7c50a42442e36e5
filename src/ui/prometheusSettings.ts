// Prometheus as a demand source: the URL, query and policy-URL switch from settings (VS Code drops
// a workspace's values of these in an untrusted folder), the auth header from SecretStorage (set by
// a command; never in settings, never logged, sent only to the URL of the user's own setting).
import * as vscode from 'vscode';
import type { PrometheusSettingsValue } from './scalingPanel/demandSource';
import { endpointProblem, headerOf } from '../cluster/prometheusClient';
import { COMMANDS } from './commandIds';

const SECRET = 'nimbusguard.prometheus.authHeader';

export class PrometheusSettings implements vscode.Disposable {
  private authHeader: string | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === SECRET) void this.load();
    });
    void this.load();
  }

  private async load(): Promise<void> {
    this.authHeader = (await this.secrets.get(SECRET)) || undefined;
  }

  /** The settings in force; undefined when neither a URL is set nor policy URLs are allowed. */
  value(): PrometheusSettingsValue | undefined {
    const config = vscode.workspace.getConfiguration('nimbusguard.prometheus');
    const url = config.get<string>('url', '').trim();
    const allowPolicyUrls = config.get<boolean>('allowPolicyUrls', false);
    if (!url && !allowPolicyUrls) return undefined;
    return {
      url,
      query: config.get<string>('query', '').trim(),
      allowPolicyUrls,
      ...(this.authHeader ? { authHeader: this.authHeader } : {}),
    };
  }

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(COMMANDS.setPrometheusAuthHeader, async () => {
        const url = vscode.workspace.getConfiguration('nimbusguard.prometheus').get<string>('url', '').trim();
        const header = await vscode.window.showInputBox({
          title: 'NimbusGuard: Prometheus auth header',
          prompt: `Sent only to ${url && !endpointProblem(url) ? url : 'the server in nimbusguard.prometheus.url'}, never to a URL named by a cluster object. "Name: value" (e.g. "Authorization: Bearer …"), or a bare value for Authorization. Leave empty to remove it.`,
          password: true,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() === '' || headerOf(v) ? undefined : 'One header on one line: "Name: value".'),
        });
        if (header === undefined) return;
        if (header.trim() === '') await this.secrets.delete(SECRET);
        else await this.secrets.store(SECRET, header.trim());
        void vscode.window.showInformationMessage(
          header.trim() === ''
            ? 'NimbusGuard: Prometheus auth header removed.'
            : 'NimbusGuard: Prometheus auth header stored.',
        );
      }),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
