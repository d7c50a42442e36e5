import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentMonitor } from '../../../src/agent/incidentMonitor';
import { createIncidentAgent } from '../../../src/agent/incidentAgent';
import { addApp, ClusterSnapshot, cond, NOW, runningStatus } from '../detect/fixtures';

test('what the Incidents panel asks the monitor: all incidents with the resolved ones, first evaluation, causes known without diagnosing', async () => {
  const snapshot = new ClusterSnapshot();
  const crashing = () => ({
    conditions: [cond('Ready', 'False')],
    containerStatuses: [
      runningStatus({
        ready: false,
        restartCount: 6,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } },
        lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: NOW.toISOString() } },
      }),
    ],
  });
  addApp(snapshot, 'api', { replicas: 1, deployment: { ready: 0, available: 0 }, pod: crashing });
  let now = NOW.getTime();
  const changes: number[] = [];
  const monitor = new IncidentMonitor({
    snapshot,
    onSnapshotChange: () => ({ dispose() {} }),
    now: () => new Date(now),
    tickMs: 3_600_000,
    agent: async (context) => createIncidentAgent(context),
  });
  monitor.onDidChange(() => changes.push(now));
  try {
    monitor.evaluate();
    assert.equal(changes.length, 1, 'the first evaluation reports even without a change in incidents');
    const crash = monitor.all().find((i) => i.type === 'CrashLoopBackOff')!;
    assert.ok(crash);
    assert.equal(monitor.knownRootCause(crash.id), undefined, 'nothing diagnosed yet');
    await monitor.idle();
    const cause = monitor.rootCause(crash.id)!;
    assert.ok(cause, 'the thread diagnosed it');
    assert.equal(monitor.knownRootCause(crash.id)?.summary, cause.summary);
    now += 5_000;
    monitor.evaluate();
    await monitor.idle();
    assert.equal(
      monitor.knownRootCause(crash.id)?.summary,
      cause.summary,
      'a cause from an earlier evaluation is still known',
    );

    // The workload heals: its incidents resolve and stay listed within the retention.
    snapshot.removeWorkload('Deployment', 'shop', 'api');
    for (const p of snapshot.list('Pod')) snapshot.remove('Pod', p.meta.namespace, p.meta.name);
    for (let i = 0; i < 3; i++) {
      now += 11_000;
      monitor.evaluate();
    }
    assert.ok(!monitor.open().some((i) => i.id === crash.id));
    assert.equal(monitor.all().find((i) => i.id === crash.id)?.status, 'resolved');
    assert.equal(monitor.retentionMs, 3_600_000);
  } finally {
    monitor.dispose();
  }
});
