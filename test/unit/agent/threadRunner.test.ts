// The thread runner keeps a thread paused at an interrupt() on disk, finds it again after a reload
// (new runner, new checkpointer on the same directory), resumes it with the answer, and deletes its
// checkpoints only once it reaches its end. A tiny real graph with a real approval-style interrupt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotation, END, START, StateGraph, interrupt } from '@langchain/langgraph';
import { FileCheckpointer } from '../../../src/agent/fileCheckpointer';
import { ThreadRunner, type ThreadOutcome } from '../../../src/agent/threadRunner';

const Steps = Annotation.Root({
  request: Annotation<string>,
  log: Annotation<string[]>({ reducer: (old, next) => [...old, ...next], default: () => [] }),
  answer: Annotation<string | null>({ reducer: (_old, next) => next, default: () => null }),
});
type Values = typeof Steps.State;

/** plan → approve (asks a person when the request needs it) → act. `acted` counts the act node's side effect. */
function buildGraph(checkpointer: FileCheckpointer, acted: string[] = []) {
  return new StateGraph(Steps)
    .addNode('plan', (s: Values) => ({ log: [`plan ${s.request}`] }))
    .addNode('approve', (s: Values) => {
      if (s.request === 'trivial') return { answer: 'auto', log: ['approve: auto'] };
      const answer = interrupt({ question: `apply ${s.request}?` }) as string;
      return { answer, log: [`approve: ${answer}`] };
    })
    .addNode('act', (s: Values) => {
      acted.push(s.request);
      return { log: [`act ${s.request} (${s.answer})`] };
    })
    .addEdge(START, 'plan')
    .addEdge('plan', 'approve')
    .addEdge('approve', 'act')
    .addEdge('act', END)
    .compile({ checkpointer });
}

function runnerOn(dir: string, acted: string[] = [], stopAfter?: string[]) {
  const store = new FileCheckpointer(dir);
  const runner = new ThreadRunner<Values>({
    graph: buildGraph(store, acted),
    store,
    ...(stopAfter ? { stopAfter } : {}),
  });
  const heard: ThreadOutcome<Values>[] = [];
  runner.onChange((o) => heard.push(o));
  return { runner, store, heard };
}

test('a thread paused at an interrupt survives a reload, is listed as pending, resumes, and is deleted at its end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
  const acted: string[] = [];
  const first = runnerOn(dir, acted);
  const paused = await first.runner.start('incident-1', { request: 'scale web to 3' });
  assert.equal(paused.status, 'paused');
  assert.deepEqual(paused.status === 'paused' && paused.questions, [{ question: 'apply scale web to 3?' }]);
  assert.deepEqual(paused.status === 'paused' && paused.values.log, ['plan scale web to 3']);
  assert.equal(first.runner.status('incident-1'), 'paused');
  assert.deepEqual(
    first.heard.map((o) => o.status),
    ['paused'],
  );
  assert.equal(readdirSync(dir).length, 1, 'the paused thread is on disk');
  assert.deepEqual(acted, [], 'nothing acted before the answer');
  first.runner.dispose();

  // The editor reloads: a new checkpointer reads the directory, a new runner finds the thread.
  const second = runnerOn(dir, acted);
  assert.deepEqual(second.store.threads(), ['incident-1']);
  const pending = await second.runner.pending();
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.threadId, 'incident-1');
  assert.deepEqual(pending[0]!.questions, [{ question: 'apply scale web to 3?' }]);
  assert.equal(second.runner.status('incident-1'), 'paused');

  const again = await second.runner.start('incident-1', { request: 'something else' });
  assert.equal(again.status, 'paused', 'starting a paused thread does not restart it');
  assert.deepEqual(again.status === 'paused' && again.values.log, ['plan scale web to 3']);

  const done = await second.runner.resume('incident-1', 'yes');
  assert.equal(done.status, 'done');
  assert.deepEqual(done.status === 'done' && done.values.log, [
    'plan scale web to 3',
    'approve: yes',
    'act scale web to 3 (yes)',
  ]);
  assert.deepEqual(acted, ['scale web to 3'], 'the act node ran once');
  assert.deepEqual(
    second.heard.map((o) => o.status),
    ['done'],
  );
  assert.deepEqual(readdirSync(dir), [], 'the ended thread left no checkpoint');
  assert.deepEqual(await second.runner.pending(), []);
  assert.equal(second.runner.status('incident-1'), undefined);
  await assert.rejects(second.runner.resume('incident-1', 'yes'), /not waiting for an answer/);
  assert.deepEqual(await runnerOn(dir).runner.pending(), [], 'and a later reload finds nothing');
});

test('threads run one at a time; one that needs no answer ends at once and leaves nothing on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
  const { runner, heard } = runnerOn(dir);
  const [a, b, c] = await Promise.all([
    runner.start('a', { request: 'trivial' }),
    runner.start('b', { request: 'restart api' }),
    runner.start('c', { request: 'trivial' }),
  ]);
  assert.deepEqual([a.status, b.status, c.status], ['done', 'paused', 'done']);
  assert.deepEqual(
    heard.map((o) => `${o.threadId} ${o.status}`),
    ['a done', 'b paused', 'c done'],
    'in the order started',
  );
  assert.deepEqual(
    (await runner.pending()).map((p) => p.threadId),
    ['b'],
  );
  assert.equal(readdirSync(dir).length, 1);
  await runner.discard('b');
  assert.deepEqual(readdirSync(dir), [], 'a discarded thread leaves nothing');
  assert.equal(heard.at(-1)?.status, 'discarded');
  runner.dispose();
});

test('stopAfter ends runs after a node: the thread is complete for its caller and deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
  const acted: string[] = [];
  const { runner } = runnerOn(dir, acted, ['plan']);
  const outcome = await runner.start('scan-1', { request: 'restart api' });
  assert.equal(outcome.status, 'done');
  assert.deepEqual(outcome.status === 'done' && outcome.values.log, ['plan restart api']);
  assert.deepEqual(acted, []);
  assert.deepEqual(readdirSync(dir), []);
  runner.dispose();
});

test('a run cut off by a reload is dropped, not run on; a damaged checkpoint file is dropped too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
  // A run that stopped after plan without a question: what a reload mid-run leaves behind.
  const store = new FileCheckpointer(dir);
  await buildGraph(store).invoke(
    { request: 'restart api' },
    { configurable: { thread_id: 'cut-off' }, interruptAfter: ['plan'] },
  );
  writeFileSync(join(dir, `${Buffer.from('damaged').toString('base64url')}.json`), '{ not json');
  const acted: string[] = [];
  const { runner } = runnerOn(dir, acted);
  assert.deepEqual(await runner.pending(), []);
  assert.deepEqual(readdirSync(dir), [], 'both are gone');
  assert.deepEqual(acted, []);
  runner.dispose();
});

test('a node that throws fails the run with its message and deletes the thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-threads-'));
  const store = new FileCheckpointer(dir);
  const graph = new StateGraph(Steps)
    .addNode('plan', () => ({ log: ['plan'] }))
    .addNode('act', (): Partial<Values> => {
      throw new Error('the API server said no');
    })
    .addEdge(START, 'plan')
    .addEdge('plan', 'act')
    .addEdge('act', END)
    .compile({ checkpointer: store });
  const runner = new ThreadRunner<Values>({ graph, store });
  const outcome = await runner.start('broken', { request: 'x' });
  assert.equal(outcome.status, 'failed');
  assert.match(outcome.status === 'failed' ? outcome.error : '', /the API server said no/);
  assert.deepEqual(outcome.status === 'failed' && outcome.values?.log, ['plan']);
  assert.ok(!existsSync(join(dir, `${Buffer.from('broken').toString('base64url')}.json`)));
  runner.dispose();
});
