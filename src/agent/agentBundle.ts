// The entry of dist/agent.js: everything of the agent that imports @langchain/* (the incident graph,
// its thread runner, the LLM step). The extension requires this bundle on first use, so activation
// never parses LangChain or LangGraph.
export { createIncidentAgent } from './incidentAgent';
export { enrichRootCause } from './llm/enrich';
export { LlmCache } from './llm/cache';

/** What dist/agent.js exports. */
export type AgentModule = typeof import('./agentBundle');
