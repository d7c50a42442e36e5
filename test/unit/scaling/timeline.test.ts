import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimeline, parseTimeline, replayTimeline } from '../../../src/core/scaling/timeline';
import { simulate, capacityPerReplica } from '../../../src/core/scaling/simulator';
import { scoreTimeline } from '../../../src/core/scaling/scores';
import { PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { HpaPolicy } from '../../../src/core/scaling/hpaPolicy';
import { syntheticTrace } from '../../../src/core/scaling/syntheticTraces';

for (const [name, make] of [
  ['predictive', () => new PredictivePolicy()],
  ['hpa', () => new HpaPolicy()],
] as const) {
  test(`a ${name} timeline re-scores to identical figures from its desired column`, () => {
    const rps = syntheticTrace('flashCrowds', 3000, 3);
    const run = simulate(rps, make(), capacityPerReplica(rps));
    const text = formatTimeline(run);
    assert.ok(text.startsWith('t,rps,desired,pods,ready\n0,'));
    const replay = replayTimeline(parseTimeline(text));
    assert.equal(replay.mismatchCount, 0);
    assert.deepEqual(scoreTimeline(replay.run), scoreTimeline(run));
  });
}

test('a timeline whose pods disagree with the rules is caught', () => {
  const rps = syntheticTrace('stepSurge', 400, 3);
  const run = simulate(rps, new HpaPolicy(), capacityPerReplica(rps));
  const lines = formatTimeline(run).split('\n');
  const cells = lines[100]!.split(',');
  cells[4] = String(Number(cells[4]) + 1);
  lines[100] = cells.join(',');
  const replay = replayTimeline(parseTimeline(lines.join('\n')));
  assert.equal(replay.mismatchCount, 1);
  assert.equal(replay.mismatches[0]!.t, 99 * 15);
});

test('a malformed timeline names the line', () => {
  assert.throws(() => parseTimeline('t,rps,desired,pods,ready\n0,1,1,1,1\n15,1,x,1,1\n', 'tl.csv'), /tl\.csv:3:/);
  assert.throws(() => parseTimeline('', 'tl.csv'), /tl\.csv:1: empty/);
});
