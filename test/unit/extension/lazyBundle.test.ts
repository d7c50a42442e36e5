// A lazily loaded bundle is required only after the turn that asked for it (so a load started in
// activate() does not count towards activation), once, and a missing bundle rejects with its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazyBundle } from '../../../src/lazyBundle';

test('the bundle is required after the calling turn, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-bundle-'));
  writeFileSync(join(dir, 'agent.js'), 'globalThis.__ngLoads = (globalThis.__ngLoads ?? 0) + 1; exports.answer = 42;');
  const g = globalThis as { __ngLoads?: number };
  const load = lazyBundle<{ answer: number }>(dir, 'agent.js');
  const first = load();
  assert.equal(g.__ngLoads, undefined, 'nothing is required while the caller still runs');
  assert.equal((await first).answer, 42);
  assert.equal(g.__ngLoads, 1);
  assert.equal(await load(), await first);
  assert.equal(g.__ngLoads, 1, 'required once');
});

test('a missing bundle rejects and names the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-bundle-'));
  await assert.rejects(lazyBundle(dir, 'cluster.js')(), (e: Error) => e.message.includes(join(dir, 'cluster.js')));
});
