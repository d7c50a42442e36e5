import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveObservations, podCpuRequest, type ContainerSeries } from '../../../src/core/scaling/liveObservations';
import type { UsageSample } from '../../../src/core/model/usageHistory';
import { proposeScaling } from '../../../src/core/scaling/scalingProposal';
import { container, template } from '../detect/fixtures';

const sample = (t: number, pod: string, cpu: number): UsageSample => ({ t, pod, cpu, memory: 64 * 2 ** 20 });

/** Polls every 15 s from t0; each pod's timestamp is a little off the poll time, as metrics-server's are. */
function polls(count: number, pods: string[], cpu: (i: number, pod: string) => number, t0 = 1_000_000): UsageSample[] {
  const out: UsageSample[] = [];
  for (let i = 0; i < count; i++) pods.forEach((pod, j) => out.push(sample(t0 + i * 15 - j * 2, pod, cpu(i, pod))));
  return out;
}

test('one observation per 15 s poll: demand sums the pods, ready counts them', () => {
  const series: ContainerSeries[] = [{ container: 'app', samples: polls(4, ['a', 'b', 'c'], (i) => 0.1 * (i + 1)) }];
  const live = liveObservations(series, 0.25);
  assert.equal(live.tickSeconds, 15);
  assert.equal(live.observations.length, 4);
  assert.deepEqual(
    live.observations.map((o) => o.ready),
    [3, 3, 3, 3],
  );
  assert.deepEqual(
    live.observations.map((o) => o.rps),
    [0.3, 0.6, 0.9, 1.2],
  );
  assert.deepEqual(
    live.observations.map((o) => o.t),
    [1_000_000, 1_000_015, 1_000_030, 1_000_045],
    'buckets end at the newest sample',
  );
  const last = live.observations[3]!;
  assert.ok(Math.abs(last.rho - 1.2 / (3 * 0.25)) < 1e-9);
  assert.equal(live.capacityKnown, true);
  assert.equal(live.filled, 0);
  assert.equal(live.restartedAt, undefined);
});

test('containers of a pod add up; a pod that stops reporting is no longer counted', () => {
  const app = polls(3, ['a', 'b'], () => 0.2);
  const sidecar = polls(3, ['a', 'b'], () => 0.05);
  // Pod b is gone in the newest poll.
  const drop = (list: UsageSample[]) => list.filter((s) => !(s.pod === 'b' && s.t > 1_000_020));
  const live = liveObservations(
    [
      { container: 'app', samples: drop(app) },
      { container: 'sidecar', samples: drop(sidecar) },
    ],
    0.5,
  );
  assert.deepEqual(
    live.observations.map((o) => o.ready),
    [2, 2, 1],
  );
  assert.deepEqual(
    live.observations.map((o) => o.rps),
    [0.5, 0.5, 0.25],
  );
  assert.ok(Math.abs(live.observations[2]!.rho - 0.25 / 0.5) < 1e-9);
});

test('a sample read twice (same pod and time) counts once; two in one bucket count at their mean', () => {
  const samples = [sample(100, 'a', 0.4), sample(100, 'a', 0.4), sample(110, 'b', 0.1), sample(103, 'b', 0.3)];
  const live = liveObservations([{ container: 'app', samples }], 0.5);
  assert.equal(live.observations.length, 1);
  assert.equal(live.observations[0]!.ready, 2);
  assert.ok(Math.abs(live.observations[0]!.rps - (0.4 + 0.2)) < 1e-9);
});

test('without CPU requests on every container rho is unknown, and the proposal says capacity is unknown', () => {
  assert.equal(podCpuRequest(template()), 0.1);
  assert.equal(
    podCpuRequest(
      template({
        containers: [container(), container({ name: 'side', resources: { requests: { cpu: '1.5' }, limits: {} } })],
      }),
    ),
    1.6,
  );
  assert.equal(
    podCpuRequest(
      template({ containers: [container(), container({ name: 'side', resources: { requests: {}, limits: {} } })] }),
    ),
    undefined,
  );
  assert.equal(
    podCpuRequest(template({ containers: [container({ resources: { requests: { cpu: 'lots' }, limits: {} } })] })),
    undefined,
  );
  assert.equal(podCpuRequest(template({ containers: [] })), undefined);

  const live = liveObservations(
    [{ container: 'app', samples: polls(30, ['a', 'b'], (i) => 0.2 + 0.01 * i) }],
    undefined,
  );
  assert.equal(live.capacityKnown, false);
  assert.ok(live.observations.every((o) => Number.isNaN(o.rho)));
  const p = proposeScaling({ history: live.observations, pods: 2, ready: 2 });
  assert.equal(p.replicas, 2);
  assert.equal(p.replicaCapacity, undefined);
  assert.match(p.reason, /capacity is unknown/);
});

test('short gaps are bridged with the previous observation; a long gap restarts the series', () => {
  const all = polls(12, ['a'], (i) => 0.1 * (i + 1));
  const missing = (indices: number[]) => all.filter((_, i) => !indices.includes(i));
  const short = liveObservations([{ container: 'app', samples: missing([4, 5]) }], 0.2);
  assert.equal(short.observations.length, 12, 'evenly spaced, gap filled');
  assert.equal(short.filled, 2);
  assert.deepEqual(
    short.observations.slice(3, 7).map((o) => o.rps),
    [0.4, 0.4, 0.4, 0.7],
  );
  for (let i = 1; i < short.observations.length; i++)
    assert.equal(short.observations[i]!.t - short.observations[i - 1]!.t, 15);

  const long = liveObservations([{ container: 'app', samples: missing([4, 5, 6]) }], 0.2);
  assert.equal(long.observations.length, 5, 'only the run after the gap');
  assert.equal(long.observations[0]!.rps, 0.8);
  assert.equal(long.restartedAt, long.observations[0]!.t);
  assert.equal(long.filled, 0);
});

test('empty input, bad samples and the observation cap', () => {
  assert.deepEqual(liveObservations([], 0.1).observations, []);
  assert.deepEqual(liveObservations([{ container: 'app', samples: [] }], 0.1).observations, []);
  const bad = [sample(Number.NaN, 'a', 0.1), sample(100, 'a', Number.NaN), sample(100, 'b', 0.3)];
  assert.deepEqual(
    liveObservations([{ container: 'app', samples: bad }], 0.1).observations.map((o) => [o.ready, o.rps]),
    [[1, 0.3]],
  );
  const capped = liveObservations([{ container: 'app', samples: polls(50, ['a'], () => 0.1) }], 0.1, {
    maxObservations: 20,
  });
  assert.equal(capped.observations.length, 20);
  assert.equal(capped.observations[19]!.t, 1_000_000 + 49 * 15);
});

test('live CPU observations drive the predictive policy to a sized proposal', () => {
  // Three pods requesting 0.25 cores each; demand climbs from 0.3 to ~1.5 cores over 40 minutes.
  const pods = ['a', 'b', 'c'];
  const samples = polls(160, pods, (i) => (0.3 + (1.2 * i) / 159) / 3);
  const live = liveObservations([{ container: 'app', samples }], 0.25);
  assert.equal(live.observations.length, 160);
  const p = proposeScaling({ history: live.observations, pods: 3, ready: 3 });
  assert.ok(
    p.replicaCapacity !== undefined && Math.abs(p.replicaCapacity - 0.25 * 0.9) < 1e-6,
    `capacity ${p.replicaCapacity}`,
  );
  assert.ok(p.replicas >= Math.ceil(1.5 / 0.225), `enough replicas for 1.5 cores at 0.225 each, got ${p.replicas}`);
});
