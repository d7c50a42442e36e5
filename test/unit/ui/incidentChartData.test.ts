import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartSummary, incidentChartData, signalOf } from '../../../src/core/diagnose/incidentChartData';
import { sampleSignals, SignalHistory } from '../../../src/core/diagnose/signalHistory';
import { addApp, ClusterSnapshot, cond, runningStatus } from '../detect/fixtures';

const MiB = 1024 * 1024;

test('each incident type is charted by the signal it is judged by', () => {
  assert.equal(signalOf('OOMKilled'), 'memory');
  assert.equal(signalOf('CrashLoopBackOff'), 'restarts');
  assert.equal(signalOf('ReplicasUnavailable'), 'ready');
  assert.equal(signalOf('Unschedulable'), 'pending');
  assert.equal(signalOf('ServiceNoEndpoints'), undefined);
  assert.equal(
    incidentChartData({ type: 'ServiceNoEndpoints', signals: [{ t: 1, ready: 0, restarts: 0, pending: 0 }] }),
    undefined,
  );
});

test('memory against the limit: the hungriest pod per tick, in MiB, with the limit as a reference line', () => {
  const memory = [
    { t: 100, cpu: 0, memory: 50 * MiB, pod: 'a' },
    { t: 100, cpu: 0, memory: 90 * MiB, pod: 'b' },
    { t: 115, cpu: 0, memory: 120 * MiB, pod: 'a' },
  ];
  const chart = incidentChartData({ type: 'OOMKilled', signals: [], memory, memoryLimit: 128 * MiB })!;
  assert.equal(chart.unit, 'MiB');
  assert.deepEqual(chart.datasets[0]!.data, [
    { x: 100, y: 90 },
    { x: 115, y: 120 },
  ]);
  assert.equal(chart.datasets[1]!.role, 'reference');
  assert.deepEqual(
    chart.datasets[1]!.data.map((p) => p.y),
    [128, 128],
  );
  assert.match(chartSummary(chart), /now 120 MiB, lowest 90 MiB, highest 120 MiB\. Memory limit: 128 MiB\./);
  assert.equal(incidentChartData({ type: 'OOMKilled', signals: [] }), undefined, 'no samples yet, no chart');
  const restarts = incidentChartData({
    type: 'OOMKilled',
    signals: [{ t: 1, ready: 0, restarts: 3, pending: 0 }],
    memory: [],
  })!;
  assert.equal(
    restarts.signal,
    'restarts',
    'no memory reading (the container dies between reads): its restarts are charted',
  );
});

test('ready against desired and pending pods come from the signal history', () => {
  const signals = [
    { t: 0, ready: 1, desired: 3, restarts: 0, pending: 2 },
    { t: 60, ready: 2, desired: 3, restarts: 0, pending: 1 },
  ];
  const ready = incidentChartData({ type: 'RolloutStuck', signals })!;
  assert.deepEqual(
    ready.datasets.map((d) => d.label),
    ['Ready replicas', 'Desired replicas'],
  );
  assert.match(chartSummary(ready), /2 samples over 1 minute: now 2, lowest 1, highest 2\. Desired replicas: 3\./);
  const pending = incidentChartData({ type: 'Unschedulable', signals })!;
  assert.deepEqual(
    pending.datasets[0]!.data.map((p) => p.y),
    [2, 1],
  );
  assert.equal(incidentChartData({ type: 'Unschedulable', signals, maxPoints: 1 })!.datasets[0]!.data.length, 1);
});

test('signals sampled from the snapshot: ready and desired, restarts summed over pods, pending pods; bounded history', () => {
  const snapshot = new ClusterSnapshot();
  addApp(snapshot, 'api', {
    replicas: 3,
    deployment: { ready: 1 },
    pod: (i) =>
      i === 2
        ? { phase: 'Pending', conditions: [cond('PodScheduled', 'False')], containerStatuses: [] }
        : {
            containerStatuses: [runningStatus({ restartCount: 4 + i })],
            ...(i === 1 ? { conditions: [cond('Ready', 'False')] } : {}),
          },
  });
  const sample = sampleSignals(snapshot, { kind: 'Deployment', namespace: 'shop', name: 'api' }, 10)!;
  assert.deepEqual(sample, { t: 10, ready: 1, desired: 3, restarts: 9, pending: 1 });
  assert.equal(sampleSignals(snapshot, { kind: 'Service', namespace: 'shop', name: 'api' }, 10), undefined);
  assert.equal(sampleSignals(snapshot, { kind: 'Deployment', namespace: 'shop', name: 'gone' }, 10), undefined);

  const history = new SignalHistory();
  const w = { kind: 'Deployment', namespace: 'shop', name: 'api' };
  for (let t = 0; t < 1200; t++) history.add(w, { ...sample, t });
  history.add(w, { ...sample, t: 5 });
  assert.equal(history.samples(w).length, 960);
  assert.equal(history.samples(w).at(-1)!.t, 1199, 'an out-of-order sample is ignored');
  history.retain([]);
  assert.equal(history.size, 0);
});
