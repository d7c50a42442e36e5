// The answer schema is exact, content parsing is strict, and the cache is a bounded LRU whose
// persisted form is validated on the way back in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_EXPLANATION_CHARS,
  MAX_HYPOTHESIS_CHARS,
  parseAnswerContent,
  validateAnswer,
} from '../../../src/agent/llm/schema';
import { LlmCache, cacheKey } from '../../../src/agent/llm/cache';

test('valid answers pass, with hypotheses optional and trimmed', () => {
  assert.deepEqual(validateAnswer({ explanation: ' why ', hypotheses: [' a '] }), {
    ok: true,
    answer: { explanation: 'why', hypotheses: ['a'] },
  });
  assert.deepEqual(validateAnswer({ explanation: 'why' }), {
    ok: true,
    answer: { explanation: 'why', hypotheses: [] },
  });
});

test('anything else is a mismatch', () => {
  const bad: unknown[] = [
    null,
    'text',
    [],
    42,
    { explanation: '' },
    { explanation: 7 },
    { explanation: 'x'.repeat(MAX_EXPLANATION_CHARS + 1) },
    { explanation: 'ok', hypotheses: 'one' },
    { explanation: 'ok', hypotheses: ['1', '2', '3', '4', '5', '6'] },
    { explanation: 'ok', hypotheses: ['x'.repeat(MAX_HYPOTHESIS_CHARS + 1)] },
    { explanation: 'ok', hypotheses: [3] },
    { explanation: 'ok', hypotheses: [], action: 'kubectl delete pod' },
  ];
  for (const value of bad) assert.equal(validateAnswer(value).ok, false, JSON.stringify(value));
});

test('content parsing separates malformed JSON from schema mismatches and accepts a json fence', () => {
  assert.deepEqual(parseAnswerContent('```json\n{"explanation":"e","hypotheses":[]}\n```'), {
    ok: true,
    answer: { explanation: 'e', hypotheses: [] },
  });
  assert.equal(
    (parseAnswerContent('Sure! Here is the JSON: {"explanation":"e"}') as { reason: string }).reason,
    'malformed answer',
  );
  assert.equal((parseAnswerContent('{"explanation":"trunc') as { reason: string }).reason, 'malformed answer');
  assert.equal((parseAnswerContent('{"answer":"e"}') as { reason: string }).reason, 'schema mismatch');
  assert.equal((parseAnswerContent('') as { reason: string }).reason, 'malformed answer');
});

test('cache keys depend on model, endpoint and prompt', () => {
  const base = { model: 'm', baseUrl: 'http://x/v1', prompt: 'p' };
  assert.match(cacheKey(base), /^[0-9a-f]{64}$/);
  assert.equal(cacheKey(base), cacheKey({ ...base }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, model: 'n' }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, prompt: 'q' }));
  assert.notEqual(cacheKey(base), cacheKey({ ...base, baseUrl: 'http://y/v1' }));
});

test('the cache evicts the least recently used entry and hands out copies', () => {
  const cache = new LlmCache(2);
  const a = cacheKey({ model: 'm', baseUrl: '', prompt: 'a' });
  const b = cacheKey({ model: 'm', baseUrl: '', prompt: 'b' });
  const c = cacheKey({ model: 'm', baseUrl: '', prompt: 'c' });
  cache.set(a, { explanation: 'A', hypotheses: ['h'] });
  cache.set(b, { explanation: 'B', hypotheses: [] });
  cache.get(a)!.hypotheses.push('mutated');
  cache.set(c, { explanation: 'C', hypotheses: [] });
  assert.equal(cache.size, 2);
  assert.equal(cache.get(b), undefined);
  assert.deepEqual(cache.get(a), { explanation: 'A', hypotheses: ['h'] });
  assert.throws(() => new LlmCache(0), RangeError);
});

test('toJSON/fromJSON round-trip and drop entries that are not answers', () => {
  const cache = new LlmCache();
  const key = cacheKey({ model: 'm', baseUrl: '', prompt: 'a' });
  cache.set(key, { explanation: 'A', hypotheses: ['h'] });
  const json = JSON.parse(JSON.stringify(cache));
  const restored = LlmCache.fromJSON(json);
  assert.deepEqual(restored.get(key), { explanation: 'A', hypotheses: ['h'] });
  json.entries.push(
    ['not-a-key', { explanation: 'x', hypotheses: [] }],
    [cacheKey({ model: 'm', baseUrl: '', prompt: 'b' }), { explanation: 5 }],
  );
  assert.equal(LlmCache.fromJSON(json).size, 1);
  for (const junk of [null, 'x', { version: 2, entries: [] }, { version: 1, entries: 'no' }])
    assert.equal(LlmCache.fromJSON(junk).size, 0);
});
