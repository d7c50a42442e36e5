import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barRows, runBench } from '../../src/cli/bench';
import { barVerdict, scoreTimeline } from '../../src/core/scaling/scores';
import { HpaPolicy } from '../../src/core/scaling/hpaPolicy';
import { PredictivePolicy } from '../../src/core/scaling/predictivePolicy';
import { capacityPerReplica, simulate } from '../../src/core/scaling/simulator';
import { loadSharedTrace, SHARED_TRACES } from '../unit/scaling/traceFiles';

const names = ['worldcup98', 'nasa95-jul', 'wikipedia-en-4w'];

for (const name of names) {
  const rps = loadSharedTrace(name);
  test(`${name}: a written timeline re-scores to identical figures`, { skip: rps ? false : 'shared traces not found' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbusguard-bench-'));
    try {
      const timeline = join(dir, 'run.csv');
      const first = await capture(() => runBench(['scaling', '--trace', join(SHARED_TRACES, `${name}.csv`), '--policy', 'predictive', '--timeline', timeline, '--json']));
      const again = await capture(() => runBench(['scaling', '--replay', timeline, '--json']));
      assert.equal(first.code, 0);
      assert.equal(again.code, 0, 'pods and ready agree with the replay');
      assert.deepEqual(JSON.parse(again.text).scores, JSON.parse(first.text).scores);
      assert.equal(readFileSync(timeline, 'utf8').split('\n')[0], 't,rps,desired,pods,ready');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The bar is printed by `bench scaling --all` for every trace; it is asserted where it is met.
  if (name === 'wikipedia-en-4w' || name === 'nasa95-jul') {
    test(`${name}: the default policy meets the bar (at most half the HPA's violations, none where it has none, at no more replica-hours)`, { skip: rps ? false : 'shared traces not found' }, () => {
      const c = capacityPerReplica(rps!);
      const hpa = scoreTimeline(simulate(rps!, new HpaPolicy(), c));
      const pred = scoreTimeline(simulate(rps!, new PredictivePolicy(), c));
      const verdict = barVerdict(pred, hpa);
      assert.ok(verdict.met, verdict.text);
    });
  }
  // On worldcup98 no policy can avoid ticks 1-3 (the rate needs a fifth pod at 15 s; none is ready before
  // 60 s), which are all the HPA's violations: the best possible is a tie, which the default reaches.
  if (name === 'worldcup98') {
    test(`${name}: the default policy violates only on the three unavoidable startup ticks, at fewer replica-hours than the HPA`, { skip: rps ? false : 'shared traces not found' }, () => {
      const c = capacityPerReplica(rps!);
      const run = simulate(rps!, new PredictivePolicy(), c);
      const violating: number[] = [];
      for (let i = 0; i < rps!.length; i++) if (rps![i]! > run.ready[i]! * c * 0.9) violating.push(i);
      assert.deepEqual(violating, [1, 2, 3]);
      const hpa = scoreTimeline(simulate(rps!, new HpaPolicy(), c));
      assert.ok(scoreTimeline(run).replicaHours < hpa.replicaHours);
    });
  }
}

test('bench scaling --all states the bar verdict for every trace', { skip: loadSharedTrace('worldcup98') ? false : 'shared traces not found' }, async () => {
  const run = await capture(() => runBench(['scaling', '--all', '--json']));
  assert.equal(run.code, 0);
  const result = JSON.parse(run.text) as { rows: { trace: string }[]; bar: ReturnType<typeof barRows> };
  const traces = [...new Set(result.rows.map((r) => r.trace))].sort();
  assert.deepEqual(result.bar.map((b) => b.trace).sort(), traces);
  for (const b of result.bar) assert.match(b.verdict.text, /^(bar met|not met: .+)$/);
});

async function capture(run: () => Promise<number>): Promise<{ code: number; text: string }> {
  const chunks: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await run();
    return { code, text: chunks.join('') };
  } finally {
    process.stdout.write = original;
  }
}
