// enrichRootCause against a local server that speaks the OpenAI chat-completions protocol: good,
// malformed, mismatched, slow, hanging, 401, 5xx and unreachable servers; masking on the wire,
// the cache, Azure's URL and header form, and that nothing but the one POST leaves the process.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { enrichRootCause, type EnrichOptions } from '../../../src/agent/llm/enrich';
import { LlmCache } from '../../../src/agent/llm/cache';
import type { RootCause } from '../../../src/core/model/rootCause';
import { startFakeOpenAi, type FakeServer } from './fakeOpenAi';
import { NAMES, incident, rootCause } from './fixtures';

const KEY = 'sk-test-6f1d2c9a8b7e4d3c';
const GOOD = JSON.stringify({
  explanation:
    'Deployment <workload-1> in <ns-1> asks for <image-1>:1.4.3, a tag <host-1> does not have, so pod <pod-1> on <node-1> never starts.',
  hypotheses: ['The tag was pushed to another registry than <host-1>.', 'The CI job that pushes <image-1> failed.'],
});

let server: FakeServer;

before(async () => {
  server = await startFakeOpenAi();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

function options(extra: Partial<EnrichOptions> = {}): EnrichOptions {
  return {
    baseUrl: server.baseUrl,
    model: 'llama3.1:8b',
    apiKey: KEY,
    mask: true,
    timeoutMs: 3000,
    maxRetries: 0,
    ...extra,
  };
}

/** Everything but the words: the LLM may change explanation/hypotheses/source/note only. */
function actionable(rc: RootCause) {
  const { explanation: _e, hypotheses: _h, source: _s, note: _n, ...rest } = rc;
  return rest;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('a good answer replaces the explanation, adds hypotheses, and leaves everything actionable alone', async () => {
  server.script({ kind: 'content', content: GOOD });
  const input = rootCause();
  const before = structuredClone(input);
  const out = await enrichRootCause(input, incident(), options());
  assert.equal(out.source, 'llm');
  assert.equal(out.note, undefined);
  assert.equal(
    out.explanation,
    `Deployment ${NAMES.workload} in ${NAMES.namespace} asks for ${NAMES.image}:1.4.3, a tag ${NAMES.registry} does not have, so pod ${NAMES.pod} on ${NAMES.node} never starts.`,
  );
  assert.deepEqual(out.hypotheses, [
    `The tag was pushed to another registry than ${NAMES.registry}.`,
    `The CI job that pushes ${NAMES.image} failed.`,
  ]);
  assert.deepEqual(actionable(out), actionable(before));
  assert.deepEqual(input, before, 'the input is not mutated');
  assert.equal(server.requests.length, 1);
});

test('the wire carries placeholders, never the real names, and json mode without streaming', async () => {
  server.script({ kind: 'content', content: GOOD });
  await enrichRootCause(rootCause(), incident(), options());
  const [req] = server.requests;
  assert.ok(req);
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/v1/chat/completions');
  for (const [what, name] of Object.entries(NAMES))
    assert.ok(!req.rawBody.includes(name), `${what} "${name}" was sent`);
  for (const placeholder of [
    '<ns-1>',
    '<workload-1>',
    '<pod-1>',
    '<container-1>',
    '<image-1>',
    '<host-1>',
    '<node-1>',
    '<ip-1>',
  ]) {
    assert.ok(req.rawBody.includes(placeholder), `${placeholder} missing on the wire`);
  }
  assert.equal(req.body.model, 'llama3.1:8b');
  assert.equal(req.body.stream, false);
  assert.deepEqual(req.body.response_format, { type: 'json_object' });
  assert.equal(req.body.stream_options, undefined);
  assert.deepEqual(
    req.body.messages.map((m: { role: string }) => m.role),
    ['system', 'user'],
  );
  assert.match(req.body.messages[0].content, /JSON/);
  assert.match(req.body.messages[0].content, /not invent actions/);
  const user = JSON.parse(req.body.messages[1].content);
  assert.equal(user.rootCause.category, 'image-pull');
  assert.equal(user.rootCause.fixes[1].rollbackToRevision, 6);
  assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  assert.ok(!req.rawBody.includes(KEY), 'the key is a header, never in the body');
});

test('with masking disabled the real names go on the wire', async () => {
  server.script({
    kind: 'content',
    content: JSON.stringify({ explanation: `${NAMES.workload} cannot pull`, hypotheses: [] }),
  });
  const out = await enrichRootCause(rootCause(), incident(), options({ mask: false }));
  assert.equal(out.source, 'llm');
  assert.equal(out.explanation, `${NAMES.workload} cannot pull`);
  const body = server.requests[0]!.rawBody;
  for (const name of [NAMES.namespace, NAMES.workload, NAMES.image, NAMES.host, NAMES.node])
    assert.ok(body.includes(name), name);
  assert.ok(!body.includes('<ns-1>'));
});

test('an answer that is not JSON falls back with a note', async () => {
  server.script({ kind: 'content', content: 'The pod is failing because the image tag does not exist.' });
  const input = rootCause();
  const out = await enrichRootCause(input, incident(), options());
  assert.deepEqual(out, { ...input, note: 'LLM not used: malformed answer' });
});

test('JSON that does not match the schema falls back with a note', async () => {
  for (const content of [
    JSON.stringify({ explanation: 'fine', hypotheses: [], action: { kind: 'delete', target: '<pod-1>' } }),
    JSON.stringify({ text: 'wrong key' }),
    JSON.stringify({ explanation: 'x'.repeat(1201), hypotheses: [] }),
    JSON.stringify({ explanation: 'ok', hypotheses: ['1', '2', '3', '4', '5', '6'] }),
  ]) {
    server.script({ kind: 'content', content });
    const out = await enrichRootCause(rootCause(), incident(), options());
    assert.equal(out.source, 'rules');
    assert.equal(out.note, 'LLM not used: schema mismatch', content);
    assert.equal(out.hypotheses, undefined);
  }
});

test('a slow server falls back within the timeout, retries included', async () => {
  server.script({ kind: 'content', content: GOOD, delayMs: 5000 });
  const started = Date.now();
  const out = await enrichRootCause(rootCause(), incident(), options({ timeoutMs: 400, maxRetries: 3 }));
  const elapsed = Date.now() - started;
  assert.equal(out.note, 'LLM not used: timed out after 0.4s');
  assert.equal(out.source, 'rules');
  assert.ok(elapsed >= 350 && elapsed < 1200, `took ${elapsed} ms`);
});

test('a server that never answers cannot hang the step either', async () => {
  server.script({ kind: 'hang' });
  const started = Date.now();
  const out = await enrichRootCause(rootCause(), incident(), options({ timeoutMs: 300 }));
  assert.equal(out.note, 'LLM not used: timed out after 0.3s');
  assert.ok(Date.now() - started < 1100);
});

test('401 falls back with "unauthorized", is not retried, and the key appears nowhere in the result', async () => {
  server.script({
    kind: 'status',
    status: 401,
    body: {
      error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' },
    },
  });
  const out = await enrichRootCause(rootCause(), incident(), options({ maxRetries: 3 }));
  assert.equal(out.note, 'LLM not used: 401 unauthorized');
  assert.ok(!JSON.stringify(out).includes(KEY));
  assert.equal(server.requests.length, 1);
});

test('an unreachable endpoint falls back quickly', async () => {
  const port = await closedPort();
  const started = Date.now();
  const out = await enrichRootCause(rootCause(), incident(), options({ baseUrl: `http://127.0.0.1:${port}/v1` }));
  assert.equal(out.note, 'LLM not used: unreachable');
  assert.ok(Date.now() - started < 2000);
});

test('retries are bounded: a 5xx is tried 1 + maxRetries times, then falls back', async () => {
  server.script({ kind: 'status', status: 503 });
  const out = await enrichRootCause(rootCause(), incident(), options({ maxRetries: 1, timeoutMs: 5000 }));
  assert.equal(out.note, 'LLM not used: HTTP 503');
  assert.equal(server.requests.length, 2);
});

test('a transient 5xx followed by a good answer succeeds on the retry', async () => {
  server.script({ kind: 'status', status: 502 }, { kind: 'content', content: GOOD });
  const out = await enrichRootCause(rootCause(), incident(), options({ maxRetries: 1, timeoutMs: 5000 }));
  assert.equal(out.source, 'llm');
  assert.equal(server.requests.length, 2);
});

test('a server that rejects json mode gets one plain request (LM Studio)', async () => {
  server.script(
    { kind: 'status', status: 400, body: { error: "'response_format.type' must be 'json_schema'" } },
    { kind: 'content', content: `\`\`\`json\n${GOOD}\n\`\`\`` },
  );
  const out = await enrichRootCause(rootCause(), incident(), options());
  assert.equal(out.source, 'llm');
  assert.equal(server.requests.length, 2);
  assert.deepEqual(server.requests[0]!.body.response_format, { type: 'json_object' });
  assert.equal(server.requests[1]!.body.response_format, undefined);
});

test('the cache answers a second identical call without the server', async () => {
  server.script({ kind: 'content', content: GOOD });
  const cache = new LlmCache();
  const first = await enrichRootCause(rootCause(), incident(), options({ cache }));
  const second = await enrichRootCause(rootCause(), incident(), options({ cache }));
  assert.equal(server.requests.length, 1);
  assert.deepEqual(second, first);
  assert.equal(cache.size, 1);
  const otherModel = await enrichRootCause(rootCause(), incident(), options({ cache, model: 'qwen2.5:7b' }));
  assert.equal(otherModel.source, 'llm');
  assert.equal(server.requests.length, 2, 'another model is another entry');
});

test('cached entries hold placeholders, so the same evidence on other names is unmasked with those names', async () => {
  server.script({ kind: 'content', content: GOOD });
  const cache = new LlmCache();
  await enrichRootCause(rootCause(), incident(), options({ cache }));
  assert.ok(!JSON.stringify(cache.toJSON()).includes(NAMES.workload));
  const rename = (text: string) =>
    text.replaceAll(NAMES.workload, 'orders-web').replaceAll(NAMES.namespace, 'orders-stg');
  const renamedRc: RootCause = JSON.parse(rename(JSON.stringify(rootCause())));
  const renamedIncident = JSON.parse(rename(JSON.stringify(incident())));
  const out = await enrichRootCause(renamedRc, renamedIncident, options({ cache }));
  assert.equal(server.requests.length, 1);
  assert.match(out.explanation, /^Deployment orders-web in orders-stg asks for/);
});

test('failures are not cached', async () => {
  const cache = new LlmCache();
  server.script({ kind: 'content', content: 'garbage' }, { kind: 'content', content: GOOD });
  assert.equal((await enrichRootCause(rootCause(), incident(), options({ cache }))).source, 'rules');
  assert.equal((await enrichRootCause(rootCause(), incident(), options({ cache }))).source, 'llm');
  assert.equal(server.requests.length, 2);
});

test('Azure: deployment URL, api-version query and api-key header, no bearer token', async () => {
  server.script({ kind: 'content', content: GOOD });
  const out = await enrichRootCause(
    rootCause(),
    incident(),
    options({
      provider: 'azure',
      baseUrl: `${server.origin}/`,
      model: 'gpt-4o-mini-prod',
      azureApiVersion: '2024-10-21',
    }),
  );
  assert.equal(out.source, 'llm');
  const [req] = server.requests;
  assert.equal(req!.url, '/openai/deployments/gpt-4o-mini-prod/chat/completions?api-version=2024-10-21');
  assert.equal(req!.headers['api-key'], KEY);
  assert.equal(req!.headers.authorization, undefined);
});

test('without a key no environment key is sent, and no tracing request leaves the process', async () => {
  const saved = { ...process.env };
  try {
    process.env.OPENAI_API_KEY = 'sk-from-env-must-not-leak';
    process.env.LANGSMITH_TRACING = 'true';
    process.env.LANGCHAIN_TRACING_V2 = 'true';
    process.env.LANGSMITH_ENDPOINT = server.origin;
    process.env.LANGSMITH_API_KEY = 'ls-key';
    server.script({ kind: 'content', content: GOOD });
    const out = await enrichRootCause(rootCause(), incident(), options({ apiKey: undefined }));
    assert.equal(out.source, 'llm');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /v1/chat/completions'],
    );
    assert.ok(!JSON.stringify(server.requests[0]!.headers).includes('sk-from-env'));
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
});

test('a caller abort ends the step at once with its own note', async () => {
  server.script({ kind: 'hang' });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  const out = await enrichRootCause(rootCause(), incident(), options({ signal: controller.signal, timeoutMs: 5000 }));
  assert.equal(out.note, 'LLM not used: cancelled');
  assert.ok(Date.now() - started < 1000);
});

test('bad settings and a previous note: never a rejection, and a success clears the old note', async () => {
  const out = await enrichRootCause(rootCause(), incident(), options({ baseUrl: '' }));
  assert.equal(out.note, 'LLM not used: invalid settings');
  server.script({ kind: 'content', content: GOOD });
  const ok = await enrichRootCause({ ...rootCause(), note: 'LLM not used: unreachable' }, incident(), options());
  assert.equal(ok.note, undefined);
  assert.ok(!('note' in ok));
});

test('fetchImpl is used for the request', async () => {
  server.script({ kind: 'content', content: GOOD });
  let calls = 0;
  const fetchImpl: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const out = await enrichRootCause(rootCause(), incident(), options({ fetchImpl }));
  assert.equal(out.source, 'llm');
  assert.equal(calls, 1);
});
