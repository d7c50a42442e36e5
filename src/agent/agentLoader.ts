// Loads the agent bundle (dist/agent.js: the incident graph, its thread runner and the LLM step,
// everything that imports @langchain/*) on first use, so activating the extension never parses it.
import { join } from 'node:path';
import type * as AgentBundle from './agentBundle';

export type AgentModule = typeof AgentBundle;

/** A loader for `<dir>/agent.js`, required once, when first called. */
export function agentLoader(dir: string): () => Promise<AgentModule> {
  let loaded: AgentModule | undefined;
  return async () => {
    // A runtime require of the sibling file: esbuild leaves it alone, so the agent stays in its own bundle.
    loaded ??= require(join(dir, 'agent.js')) as AgentModule;
    return loaded;
  };
}
