// Optional LLM step after the rule engine: ask an OpenAI-compatible chat-completions endpoint for
// a clearer explanation and a few hypotheses. The result only ever rephrases; category,
// confidence, fields, evidence and fixes are copied from the rule-based RootCause untouched, and
// hypotheses are text the UI shows as such, never something the agent acts on.
//
// Any failure (unreachable, 401, timeout, garbage, schema mismatch) returns the input unchanged
// with a one-line `note`; the call is bounded by a hard deadline so nothing hangs.
//
// Network hygiene: one POST to the configured endpoint and nothing else. No streaming and no
// token-usage streaming; the model is called below the callback manager, so no LangSmith tracer is
// attached even when LANGSMITH_TRACING is set (`callbacks: []` alone does not prevent that), and
// src/agent/incidentAgent.ts's disableRemoteTracing() already deletes the LANGSMITH_/LANGCHAIN_TRACING
// variables for the process unless the user allowed tracing. The API key is always passed
// explicitly, so OPENAI_API_KEY / AZURE_OPENAI_API_KEY from the environment are never sent to
// whatever baseUrl the user configured.
import { AzureChatOpenAICompletions, ChatOpenAICompletions } from '@langchain/openai';
import { HumanMessage, SystemMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { Incident } from '../../core/model/incident';
import type { RootCause } from '../../core/model/rootCause';
import { cacheKey, type LlmCache } from './cache';
import { Masker } from './masking';
import { buildPrompt, type PromptMessages } from './prompt';
import { parseAnswerContent, type LlmAnswer } from './schema';

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_RETRIES = 1;
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
/** Sent when no key is configured (Ollama, vLLM, LM Studio ignore it); keeps env keys from leaking. */
const NO_KEY = 'not-needed';

export interface EnrichOptions {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1; for Azure the resource endpoint. */
  baseUrl: string;
  /** Model name; for Azure the deployment name. */
  model: string;
  /** From SecretStorage; never logged, never part of a note. */
  apiKey?: string;
  provider?: 'openai' | 'azure';
  azureApiVersion?: string;
  /** Replace cluster names with placeholders on the wire (the `nimbusguard.llm.mask` setting). */
  mask: boolean;
  /** Hard deadline for the whole step, retries included. */
  timeoutMs?: number;
  /** Extra attempts after a transient failure (connection reset, 5xx, 429); never after 4xx. */
  maxRetries?: number;
  cache?: LlmCache;
  /** Replaces global fetch (tests, proxies). */
  fetchImpl?: typeof fetch;
  /** Aborts the step early (e.g. the incident resolved); counts as a failure with its own note. */
  signal?: AbortSignal;
}

export type FailureReason =
  | 'unreachable'
  | '401 unauthorized'
  | '403 forbidden'
  | 'model or endpoint not found'
  | 'rate limited'
  | 'malformed answer'
  | 'schema mismatch'
  | 'cancelled'
  | 'invalid settings'
  | `timed out after ${string}s`
  | `HTTP ${number}`;

export class LlmFailure extends Error {
  constructor(readonly reason: FailureReason) {
    super(reason);
    this.name = 'LlmFailure';
  }
}

/**
 * Returns a copy of `rootCause` with the LLM's explanation and hypotheses (`source: 'llm'`), or
 * the input unchanged with `note: "LLM not used: <reason>"`. Never throws, never rejects.
 */
export async function enrichRootCause(
  rootCause: RootCause,
  incident: Incident,
  options: EnrichOptions,
): Promise<RootCause> {
  try {
    const answer = await askForAnswer(rootCause, incident, options);
    const { note: _previousNote, ...rest } = rootCause;
    return { ...rest, source: 'llm', explanation: answer.explanation, hypotheses: answer.hypotheses };
  } catch (error) {
    return { ...rootCause, note: failureNote(error, options) };
  }
}

/** The validated, unmasked answer, or an LlmFailure. */
export async function askForAnswer(
  rootCause: RootCause,
  incident: Incident,
  options: EnrichOptions,
): Promise<LlmAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!options.baseUrl || !options.model || !(timeoutMs > 0)) throw new LlmFailure('invalid settings');
  const masker = options.mask ? Masker.forRootCause(rootCause, incident) : undefined;
  const prompt = buildPrompt(rootCause, incident, masker);
  const key = cacheKey({ model: options.model, baseUrl: options.baseUrl, prompt: `${prompt.system}\n${prompt.user}` });
  const cached = options.cache?.get(key);
  const answer =
    cached ??
    (await withDeadline(timeoutMs, options.signal, (signal) => requestAnswer(prompt, options, timeoutMs, signal)));
  if (!cached) options.cache?.set(key, answer);
  return masker
    ? { explanation: masker.unmask(answer.explanation), hypotheses: answer.hypotheses.map((h) => masker.unmask(h)) }
    : answer;
}

/**
 * Runs `work` with an AbortSignal that fires at the deadline, and stops waiting at the deadline
 * even if `work` ignores the signal.
 */
async function withDeadline<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timedOut = new LlmFailure(`timed out after ${formatSeconds(timeoutMs)}s`);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(timedOut);
      controller.abort(timedOut);
    }, timeoutMs);
    onAbort = () => {
      const cancelled = new LlmFailure('cancelled');
      reject(cancelled);
      controller.abort(cancelled);
    };
    if (outer?.aborted) onAbort();
    else outer?.addEventListener('abort', onAbort, { once: true });
  });
  const running = work(controller.signal);
  running.catch(() => undefined);
  try {
    return await Promise.race([running, stop]);
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof LlmFailure) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) outer?.removeEventListener('abort', onAbort);
  }
}

async function requestAnswer(
  prompt: PromptMessages,
  options: EnrichOptions,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<LlmAnswer> {
  const model = createChatModel(options, timeoutMs);
  const messages = [new SystemMessage(prompt.system), new HumanMessage(prompt.user)];
  // `_generate` rather than `invoke`: invoke goes through the callback manager, which attaches a
  // LangSmith tracer whenever LANGSMITH_TRACING is set, whatever `callbacks` says. The request,
  // the SDK timeout and LangChain's bounded retries are the same either way.
  const generate = (jsonMode: boolean) =>
    model._generate(messages, {
      signal,
      callbacks: [],
      ...(jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
    } as ChatOpenAICompletions['ParsedCallOptions']);
  let result: ChatResult;
  try {
    result = await generate(true);
  } catch (error) {
    // LM Studio and some older servers reject response_format json_object with 400/422; the
    // system prompt already asks for JSON only, so one plain attempt follows.
    const status = httpStatus(error);
    if (signal.aborted || (status !== 400 && status !== 422)) throw error;
    result = await generate(false);
  }
  const message = result.generations[0]?.message;
  if (!message) throw new LlmFailure('malformed answer');
  const parsed = parseAnswerContent(messageText(message));
  if (!parsed.ok) throw new LlmFailure(parsed.reason);
  return parsed.answer;
}

/**
 * The chat-completions classes (not ChatOpenAI, which routes some model names to the Responses
 * API that local servers do not have). Everything that could come from the environment is set.
 */
function createChatModel(options: EnrichOptions, timeoutMs: number): ChatOpenAICompletions {
  const common = {
    model: options.model,
    timeout: timeoutMs,
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES)),
    streaming: false,
    streamUsage: false,
    callbacks: [],
    verbose: false,
  };
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchOption = options.fetchImpl ? { fetch: options.fetchImpl } : {};
  if (options.provider === 'azure') {
    return new AzureChatOpenAICompletions({
      ...common,
      azureOpenAIApiKey: options.apiKey || NO_KEY,
      azureOpenAIBasePath: `${baseUrl.replace(/\/openai(\/deployments)?$/, '')}/openai/deployments`,
      azureOpenAIApiDeploymentName: options.model,
      azureOpenAIApiVersion: options.azureApiVersion || DEFAULT_AZURE_API_VERSION,
      configuration: { ...fetchOption, organization: null, project: null },
    });
  }
  return new ChatOpenAICompletions({
    ...common,
    apiKey: options.apiKey || NO_KEY,
    configuration: { baseURL: baseUrl, ...fetchOption, organization: null, project: null },
  });
}

function messageText(message: BaseMessage): string {
  const content = message.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'string' ? part : part.type === 'text' && typeof part.text === 'string' ? part.text : '',
      )
      .join('');
  }
  return '';
}

function httpStatus(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { status?: unknown; response?: { status?: unknown } };
  if (typeof e.status === 'number') return e.status;
  if (typeof e.response?.status === 'number') return e.response.status;
  return undefined;
}

/** Maps any error to a reason; server-provided text never reaches the note. */
export function failureReason(error: unknown, timeoutMs: number): FailureReason {
  if (error instanceof LlmFailure) return error.reason;
  const status = httpStatus(error);
  if (status === 401) return '401 unauthorized';
  if (status === 403) return '403 forbidden';
  if (status === 404) return 'model or endpoint not found';
  if (status === 429) return 'rate limited';
  if (status !== undefined) return `HTTP ${status}`;
  const name = error instanceof Error ? error.name : '';
  const ctor = error && typeof error === 'object' ? (error.constructor?.name ?? '') : '';
  if (name === 'TimeoutError' || ctor === 'APIConnectionTimeoutError')
    return `timed out after ${formatSeconds(timeoutMs)}s`;
  if (name === 'AbortError' || ctor === 'APIUserAbortError') return 'cancelled';
  if (error instanceof SyntaxError || name === 'OutputParserException') return 'malformed answer';
  return 'unreachable';
}

export function failureNote(error: unknown, options: Pick<EnrichOptions, 'apiKey' | 'timeoutMs'>): string {
  const note = `LLM not used: ${failureReason(error, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)}`;
  return options.apiKey ? note.split(options.apiKey).join('***') : note;
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1).replace(/\.0$/, '');
}
