import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentMonitor } from '../../../src/agent/incidentMonitor';
import { SignalRecorder } from '../../../src/ui/signalRecorder';
import { addApp, ClusterSnapshot, cond, NOW, runningStatus } from '../detect/fixtures';

test('the recorder samples the signals of workloads with open incidents, at most every 5 s, and forgets the rest', () => {
  const snapshot = new ClusterSnapshot();
  // A crash loop: restarts climbing, the pods not ready.
  addApp(snapshot, 'api', {
    replicas: 2,
    deployment: { ready: 0, available: 0 },
    pod: () => ({
      conditions: [cond('Ready', 'False')],
      containerStatuses: [
        runningStatus({
          ready: false,
          restartCount: 6,
          state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: NOW.toISOString() } },
        }),
      ],
    }),
  });
  addApp(snapshot, 'web', { replicas: 2 });
  let now = NOW.getTime();
  const monitor = new IncidentMonitor({
    snapshot,
    onSnapshotChange: () => ({ dispose() {} }),
    now: () => new Date(now),
    tickMs: 3_600_000,
  });
  const recorder = new SignalRecorder(snapshot, monitor, () => now);
  try {
    assert.equal(monitor.evaluated, false);
    monitor.evaluate();
    assert.equal(monitor.evaluated, true);
    assert.ok(
      monitor.all().some((i) => i.type === 'CrashLoopBackOff'),
      monitor
        .all()
        .map((i) => i.type)
        .join(', '),
    );
    recorder.sample();
    now += 2_000;
    recorder.sample(); // too soon: skipped
    now += 4_000;
    recorder.sample();
    const api = recorder.history.samples({ kind: 'Deployment', namespace: 'shop', name: 'api' });
    assert.equal(api.length, 2);
    assert.deepEqual(
      { ready: api[0]!.ready, desired: api[0]!.desired, restarts: api[0]!.restarts },
      { ready: 0, desired: 2, restarts: 12 },
    );
    assert.equal(
      recorder.history.samples({ kind: 'Deployment', namespace: 'shop', name: 'web' }).length,
      0,
      'a healthy workload is not sampled',
    );
    assert.equal(recorder.history.size, 1);
  } finally {
    recorder.dispose();
    monitor.dispose();
  }
});
