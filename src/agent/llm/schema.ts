// The only answer the LLM may give: a clearer explanation and, optionally, a few hypotheses.
// Validated by hand so the limits are exact and the error says which rule failed; zod is only a
// transitive dependency here and the shape is small.

export const MAX_EXPLANATION_CHARS = 1200;
export const MAX_HYPOTHESES = 5;
export const MAX_HYPOTHESIS_CHARS = 300;

export interface LlmAnswer {
  explanation: string;
  hypotheses: string[];
}

/** JSON Schema of LlmAnswer, quoted in the prompt (json mode does not enforce it; validateAnswer does). */
export const LLM_ANSWER_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['explanation', 'hypotheses'],
  properties: {
    explanation: { type: 'string', minLength: 1, maxLength: MAX_EXPLANATION_CHARS },
    hypotheses: {
      type: 'array',
      maxItems: MAX_HYPOTHESES,
      items: { type: 'string', minLength: 1, maxLength: MAX_HYPOTHESIS_CHARS },
    },
  },
} as const;

export type Validation = { ok: true; answer: LlmAnswer } | { ok: false; problem: string };

/**
 * Accepts exactly `{ explanation, hypotheses? }`: a missing `hypotheses` counts as none (small
 * models drop empty arrays), any other key, type or limit violation is a mismatch.
 */
export function validateAnswer(value: unknown): Validation {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'not an object' };
  const record = value as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => k !== 'explanation' && k !== 'hypotheses');
  if (extra.length > 0) return { ok: false, problem: `unexpected key ${JSON.stringify(extra[0])}` };
  const { explanation, hypotheses = [] } = record;
  if (typeof explanation !== 'string' || explanation.trim() === '')
    return { ok: false, problem: 'explanation is not a non-empty string' };
  if (explanation.length > MAX_EXPLANATION_CHARS)
    return { ok: false, problem: `explanation longer than ${MAX_EXPLANATION_CHARS} characters` };
  if (!Array.isArray(hypotheses)) return { ok: false, problem: 'hypotheses is not an array' };
  if (hypotheses.length > MAX_HYPOTHESES) return { ok: false, problem: `more than ${MAX_HYPOTHESES} hypotheses` };
  for (const h of hypotheses) {
    if (typeof h !== 'string' || h.trim() === '')
      return { ok: false, problem: 'a hypothesis is not a non-empty string' };
    if (h.length > MAX_HYPOTHESIS_CHARS)
      return { ok: false, problem: `a hypothesis longer than ${MAX_HYPOTHESIS_CHARS} characters` };
  }
  return { ok: true, answer: { explanation: explanation.trim(), hypotheses: hypotheses.map((h: string) => h.trim()) } };
}

export type ParsedContent =
  { ok: true; answer: LlmAnswer } | { ok: false; reason: 'malformed answer' | 'schema mismatch'; problem: string };

/**
 * Parses the model's message text strictly: one JSON object, optionally inside a ```json fence
 * (local models add one even in json mode). Truncated or chatty output is malformed, never
 * half-accepted.
 */
export function parseAnswerContent(content: string): ParsedContent {
  const text = content
    .trim()
    .replace(/^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i, '$1')
    .trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'malformed answer', problem: 'not JSON' };
  }
  const checked = validateAnswer(value);
  return checked.ok ? checked : { ok: false, reason: 'schema mismatch', problem: checked.problem };
}
