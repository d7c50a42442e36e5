import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rolloutRegressionDetector } from '../../../src/core/detect/rolloutRegression';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import { correlate } from '../../../src/core/diagnose/correlate';
import type { ContainerStatus } from '../../../src/core/model/resources';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  owner,
  replicaSet,
  run,
  runningStatus,
  template,
} from './fixtures';
import { diagnoseWith, toIncident } from '../diagnose/helpers';

const crashing: ContainerStatus = runningStatus({
  ready: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } },
  lastState: { terminated: { reason: 'Error', exitCode: 2, finishedAt: ago(20) } },
});
const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(20) }),
];

/** Revision 2 (image 1.5) rolled out `rolledOutAgo` seconds ago and completed; revision 1 (1.4) scaled to 0; new pods now crash. */
function completedRollout(s: ClusterSnapshot, rolledOutAgo = 300, image = 'shop/app:1.5') {
  const next = template({ labels: { app: 'checkout' }, containers: [container({ image })] });
  const app = addApp(s, 'checkout', {
    replicas: 2,
    deployment: { template: next, desired: 2, ready: 0, updated: 2, available: 0 },
    rs: { revision: 2, desired: 2, ready: 0, available: 0, meta: { createdAt: ago(rolledOutAgo) } },
    pod: () => ({
      spec: next,
      containerStatuses: [crashing],
      conditions: notReady,
      meta: { createdAt: ago(rolledOutAgo - 5) },
    }),
  });
  s.upsert(
    'ReplicaSet',
    replicaSet('checkout-5f6a7b', {
      revision: 1,
      desired: 0,
      ready: 0,
      available: 0,
      template: template({ labels: { app: 'checkout' }, containers: [container({ image: 'shop/app:1.4' })] }),
      meta: { owners: [owner('Deployment', 'checkout', app.deployment.uid)], createdAt: ago(86400) },
    }),
  );
  return app;
}

test('a completed rollout whose new pods crash afterwards is a rollout regression on the Deployment, rollback first', () => {
  const s = new ClusterSnapshot();
  completedRollout(s);
  const [f, ...rest] = run(rolloutRegressionDetector, s);
  assert.deepEqual(rest, []);
  assert.deepEqual(
    [f!.type, f!.workload.kind, f!.workload.name, f!.severity],
    ['RolloutRegression', 'Deployment', 'checkout', 'critical'],
  );
  assert.match(
    f!.summary,
    /Revision 2 of checkout crashes after its rollout 5m ago \(2 of 2 new pods\) while revision 1 served until the rollout scaled it to 0; changed app: shop\/app:1\.4 → shop\/app:1\.5/,
  );
  const cause = diagnoseWith(rolloutRegressionDetector, s);
  assert.equal(cause.category, 'bad-rollout');
  assert.match(cause.summary, /revision 1 served until the rollout scaled it to 0/);
  assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
  assert.ok(cause.confidence >= 0.8, String(cause.confidence));

  // The crash loop of the same pods is explained by the rollout and grouped under it.
  const loop = diagnoseWith(crashLoopBackOffDetector, s);
  assert.equal(loop.category, 'bad-rollout');
  assert.equal(loop.fixes[0]!.rollbackToRevision, 1);
  const incidents = [...run(rolloutRegressionDetector, s), ...run(crashLoopBackOffDetector, s)].map(toIncident);
  const groups = correlate(incidents, s);
  assert.equal(groups.get(incidents[1]!.id), incidents[0]!.id, 'the crash loop is a symptom of the regression');
});

test('no regression: an old rollout, an unchanged template, or new pods that run fine', () => {
  const old = new ClusterSnapshot();
  completedRollout(old, 3 * 3600);
  assert.deepEqual(run(rolloutRegressionDetector, old), [], 'a crash hours after the rollout is not blamed on it');

  const same = new ClusterSnapshot();
  completedRollout(same, 300, 'shop/app:1.4');
  assert.deepEqual(
    run(rolloutRegressionDetector, same),
    [],
    'a restart with an unchanged template: a rollback would change nothing',
  );

  const fine = new ClusterSnapshot();
  const app = completedRollout(fine);
  for (const p of app.pods) fine.upsert('Pod', { ...p, containerStatuses: [runningStatus({ image: 'shop/app:1.5' })] });
  assert.deepEqual(run(rolloutRegressionDetector, fine), []);
});
