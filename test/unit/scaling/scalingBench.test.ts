// `bench scaling` end to end in the unit layer: written timelines re-score identically, the bar is
// printed per trace with viol, seenViol and replica-hours beside the HPA's and the oracle's, `default`
// is the predictive policy, and on the shared traces (when present) the default meets the bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../../src/cli/bench';
import { barRow, type BarRow } from '../../../src/core/scaling/barReport';
import { PredictivePolicy } from '../../../src/core/scaling/predictivePolicy';
import { familyTrace } from '../../../src/core/scaling/syntheticTraces';
import { loadSharedTrace, SHARED_TRACES } from './traceFiles';

/** Writes `rps` (one value per 15 s tick) as a trace CSV. */
function writeTrace(path: string, rps: Float64Array): void {
  const rows = ['# synthetic test trace', 't,rps'];
  rps.forEach((value, i) => rows.push(`${i * 15},${value}`));
  writeFileSync(path, `${rows.join('\n')}\n`);
}

function withTraces(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbusguard-bench-'));
    try {
      writeTrace(join(dir, 'bursts.csv'), familyTrace('bursts', 3, 1500));
      writeTrace(join(dir, 'ramps.csv'), familyTrace('slowRamps', 4, 1500));
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a written timeline re-scores to identical figures',
  withTraces(async (dir) => {
    const timeline = join(dir, 'run.csv');
    const first = await capture(() =>
      runBench([
        'scaling',
        '--trace',
        join(dir, 'bursts.csv'),
        '--policy',
        'default',
        '--timeline',
        timeline,
        '--json',
      ]),
    );
    const again = await capture(() => runBench(['scaling', '--replay', timeline, '--json']));
    assert.equal(first.code, 0);
    assert.equal(JSON.parse(first.text).policy, 'predictive', '`default` is the predictive policy');
    assert.equal(again.code, 0, 'pods and ready agree with the replay');
    assert.deepEqual(JSON.parse(again.text).scores, JSON.parse(first.text).scores);
    assert.equal(readFileSync(timeline, 'utf8').split('\n')[0], 't,rps,desired,pods,ready');
  }),
);

test(
  'bench scaling --all prints the bar per trace beside the HPA and the oracle; --policy default is predictive',
  withTraces(async (dir) => {
    const run = await capture(() => runBench(['scaling', '--all', '--traces', dir, '--policy', 'default', '--json']));
    assert.equal(run.code, 0);
    const result = JSON.parse(run.text) as {
      rows: { trace: string; policy: string }[];
      bar: { rows: BarRow[]; summary: { met: number; runs: number } };
    };
    assert.deepEqual([...new Set(result.rows.map((r) => r.trace))], ['bursts', 'ramps']);
    assert.deepEqual(
      result.bar.rows.map((r) => r.trace),
      ['bursts', 'ramps'],
    );
    for (const row of result.bar.rows) {
      for (const side of [row.policy, row.hpa, row.oracle]) {
        assert.ok(Number.isInteger(side.viol) && Number.isInteger(side.seenViol) && side.seenViol <= side.viol);
        assert.ok(side.replicaHours > 0);
      }
      assert.match(row.verdict.text, /^(bar met|not met: .+)$/);
      const expected = barRow(
        row.trace,
        familyTrace(row.trace === 'bursts' ? 'bursts' : 'slowRamps', row.trace === 'bursts' ? 3 : 4, 1500),
        () => new PredictivePolicy(),
      );
      assert.deepEqual(row.policy, expected.policy, 'the default is the predictive policy');
    }
    const text = await capture(() => runBench(['scaling', '--all', '--traces', dir]));
    assert.match(
      text.text,
      /\| trace \| predictive viol \| seenViol \| replica-h \| hpa viol \| seenViol \| replica-h \| oracle viol \| replica-h \| viol\/hpa \| verdict \|/,
    );
    assert.match(text.text, /^bar \(predictive vs hpa\) met on \d of 2/m);
    assert.match(text.text, /^stretch: /m);
    assert.doesNotMatch(text.text, /half the HPA/);
  }),
);

test('bench scaling --synthetic judges every family on the seeds asked for', async () => {
  const run = await capture(() => runBench(['scaling', '--synthetic', '--seeds', '1', '--json']));
  assert.equal(run.code, 0);
  const rows = (JSON.parse(run.text) as { synthetic: { rows: BarRow[] } }).synthetic.rows;
  assert.deepEqual(
    rows.map((r) => r.trace),
    ['bursts:1', 'flashCrowds:1', 'diurnalNoise:1', 'steps:1', 'slowRamps:1', 'lowRateCounts:1'],
  );
  await assert.rejects(() => runBench(['scaling', '--synthetic', '--seeds', 'x']), /--seeds expects/);
});

for (const name of ['worldcup98', 'nasa95-jul', 'wikipedia-en-4w']) {
  const rps = loadSharedTrace(name);
  test(
    `${name}: the default policy meets the bar (viol, seenViol and replica-hours no more than the HPA's)`,
    { skip: rps ? false : `shared traces not found in ${SHARED_TRACES}` },
    () => {
      const row = barRow(name, rps!, () => new PredictivePolicy());
      assert.ok(
        row.verdict.met,
        `${row.verdict.text}: ${JSON.stringify(row.policy)} vs hpa ${JSON.stringify(row.hpa)}`,
      );
    },
  );
}

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
