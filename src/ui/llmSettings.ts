// The optional LLM: endpoint and model from settings, the API key from SecretStorage (set by a
// command; never in settings, never logged). Produces the graph's `explain` step when configured.
import * as vscode from 'vscode';
import type { Explainer } from '../agent/nodes/explain';
import type { LlmCache } from '../agent/llm/cache';
import type { AgentModule } from '../agent/agentBundle';
import { COMMANDS } from './commandIds';

const SECRET = 'nimbusguard.llm.apiKey';
const CACHE_KEY = 'nimbusguard.llm.cache';

export class LlmSettings implements vscode.Disposable {
  private apiKey: string | undefined;
  private cache: LlmCache | undefined;
  private readonly subscription: vscode.Disposable;

  /** `memory` keeps answers between sessions (they hold placeholders, never real names when masking). */
  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly memory: vscode.Memento,
    /** The agent bundle, where the LLM client lives; loaded on the first explanation. */
    private readonly loadAgent: () => Promise<AgentModule>,
  ) {
    this.subscription = secrets.onDidChange((e) => {
      if (e.key === SECRET) void this.load();
    });
    void this.load();
  }

  private async load(): Promise<void> {
    this.apiKey = (await this.secrets.get(SECRET)) || undefined;
  }

  /** The explain step, or undefined when no endpoint is configured (the default). */
  explainer(): Explainer | undefined {
    const config = vscode.workspace.getConfiguration('nimbusguard.llm');
    const baseUrl = config.get<string>('baseUrl', '').trim();
    const model = config.get<string>('model', '').trim();
    if (!baseUrl || !model) return undefined;
    const options = {
      baseUrl,
      model,
      provider: config.get<'openai' | 'azure'>('provider', 'openai'),
      mask: config.get<boolean>('maskNames', true),
      timeoutMs: Math.max(1, config.get<number>('timeoutSeconds', 20)) * 1000,
      ...(this.apiKey ? { apiKey: this.apiKey } : {}),
    };
    return async (rootCause, incident) => {
      const { enrichRootCause, LlmCache } = await this.loadAgent();
      this.cache ??= LlmCache.fromJSON(this.memory.get(CACHE_KEY));
      const result = await enrichRootCause(rootCause, incident, { ...options, cache: this.cache });
      void this.memory.update(CACHE_KEY, this.cache.toJSON());
      return result;
    };
  }

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(COMMANDS.setLlmApiKey, async () => {
        const key = await vscode.window.showInputBox({
          title: 'NimbusGuard: LLM API key',
          prompt:
            "Stored in VS Code's secret storage for the endpoint in nimbusguard.llm.baseUrl. Leave empty to remove it.",
          password: true,
          ignoreFocusOut: true,
        });
        if (key === undefined) return;
        if (key === '') await this.secrets.delete(SECRET);
        else await this.secrets.store(SECRET, key);
        void vscode.window.showInformationMessage(
          key === '' ? 'NimbusGuard: LLM API key removed.' : 'NimbusGuard: LLM API key stored.',
        );
      }),
    ];
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
