// The entry of dist/agent.js: everything of the agent that imports @langchain/* (the incident graph,
// its thread runner, the LLM step, the act loop and the writers it drives). The extension requires
// this bundle on first use, so activation never parses LangChain or LangGraph.
export { createCheckpointer, createIncidentAgent } from './incidentAgent';
export { ActService } from './actService';
export { ApiClient } from '../cluster/actions/apiClient';
export { ShadowRunner } from '../cluster/actions/shadow';
export { clientConfigFor } from '../cluster/kubeconfigLoader';
export { enrichRootCause } from './llm/enrich';
export { LlmCache } from './llm/cache';

/** What dist/agent.js exports. */
export type AgentModule = typeof import('./agentBundle');
