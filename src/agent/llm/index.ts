// The optional LLM step's public surface for the UI and the agent graph.
export { enrichRootCause, failureNote, DEFAULT_TIMEOUT_MS, DEFAULT_MAX_RETRIES, DEFAULT_AZURE_API_VERSION, type EnrichOptions, type FailureReason } from './enrich';
export { LlmCache, cacheKey, DEFAULT_CACHE_ENTRIES, type LlmCacheJSON } from './cache';
export { Masker } from './masking';
export type { LlmAnswer } from './schema';
