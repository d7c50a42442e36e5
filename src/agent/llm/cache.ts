// Answers cached by model and the exact (masked) prompt, so the same evidence never costs a second
// request. Masked prompts carry placeholders, not names, so an entry holds no cluster names when
// masking is on; it is unmasked per call with that call's masker.
import { createHash } from 'node:crypto';
import { validateAnswer, type LlmAnswer } from './schema';

export const DEFAULT_CACHE_ENTRIES = 200;

export interface LlmCacheJSON {
  version: 1;
  entries: [string, LlmAnswer][];
}

export function cacheKey(parts: { model: string; baseUrl: string; prompt: string }): string {
  return createHash('sha256').update(`${parts.model}\u0000${parts.baseUrl}\u0000${parts.prompt}`).digest('hex');
}

/** In-memory LRU; `toJSON`/`fromJSON` let the caller persist it (e.g. in globalState). */
export class LlmCache {
  private readonly entries = new Map<string, LlmAnswer>();

  constructor(readonly maxEntries = DEFAULT_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): LlmAnswer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return { explanation: hit.explanation, hypotheses: [...hit.hypotheses] };
  }

  set(key: string, answer: LlmAnswer): void {
    this.entries.delete(key);
    this.entries.set(key, { explanation: answer.explanation, hypotheses: [...answer.hypotheses] });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }

  toJSON(): LlmCacheJSON {
    return { version: 1, entries: [...this.entries.entries()] };
  }

  /** Restores what toJSON wrote; entries that are not valid answers are dropped, not trusted. */
  static fromJSON(json: unknown, maxEntries = DEFAULT_CACHE_ENTRIES): LlmCache {
    const cache = new LlmCache(maxEntries);
    const data = json as Partial<LlmCacheJSON> | null | undefined;
    if (!data || data.version !== 1 || !Array.isArray(data.entries)) return cache;
    for (const entry of data.entries) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !/^[0-9a-f]{64}$/.test(entry[0])) continue;
      const checked = validateAnswer(entry[1]);
      if (checked.ok) cache.set(entry[0], checked.answer);
    }
    return cache;
  }
}
