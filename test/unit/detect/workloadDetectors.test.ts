import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replicasUnavailableDetector } from '../../../src/core/detect/replicasUnavailable';
import { rolloutStuckDetector } from '../../../src/core/detect/rolloutStuck';
import { rolloutRegressionDetector } from '../../../src/core/detect/rolloutRegression';
import { quotaExceededDetector, quotaNameFrom } from '../../../src/core/detect/quotaExceeded';
import { webhookUnavailableDetector } from '../../../src/core/detect/webhookUnavailable';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  endpointSlice,
  event,
  owner,
  pod,
  quota,
  ref,
  replicaSet,
  run,
  runningStatus,
  service,
  template,
  webhookConfig,
  workload,
} from './fixtures';

const notReady = (since: number) => [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(since) }),
];
const crashing = runningStatus({
  ready: false,
  restartCount: 4,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1 } },
});

test('ReplicasUnavailable: Available=False for minutes, critical with no ready replica', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'orders', {
    replicas: 2,
    deployment: {
      ready: 0,
      available: 0,
      conditions: [
        cond('Available', 'False', {
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
          lastTransitionTime: ago(300),
        }),
        cond('Progressing', 'True', { reason: 'NewReplicaSetAvailable' }),
      ],
    },
    pod: () => ({ conditions: notReady(300), containerStatuses: [crashing] }),
  });
  const [f, ...rest] = run(replicasUnavailableDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.summary, 'orders has 0 of 2 replicas ready (pods CrashLoopBackOff)');
  assert.ok(f!.evidence.some((e) => e.reason === 'MinimumReplicasUnavailable'));
});

test('ReplicasUnavailable: a StatefulSet with a pod not ready for minutes is reported as a warning', () => {
  const s = new ClusterSnapshot();
  const sts = workload('db', { kind: 'StatefulSet', desired: 3, ready: 2, updated: 3, available: 2, conditions: [] });
  s.upsert('StatefulSet', sts);
  for (let i = 0; i < 3; i++)
    s.upsert(
      'Pod',
      pod(`db-${i}`, {
        meta: { owners: [owner('StatefulSet', 'db', sts.uid)] },
        ...(i === 2 ? { conditions: notReady(400), containerStatuses: [runningStatus({ ready: false })] } : {}),
      }),
    );
  const [f] = run(replicasUnavailableDetector, s);
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.summary, 'db has 2 of 3 replicas ready (pods not ready)');
});

test('ReplicasUnavailable: rollouts within their deadline, fresh pods and workloads scaled to zero are fine', () => {
  const s = new ClusterSnapshot();
  // Rolling update in progress: updated < desired, one new pod starting.
  addApp(s, 'rolling', {
    deployment: { ready: 2, updated: 1, generation: 2, observedGeneration: 2 },
    pod: (i) =>
      i === 0
        ? {
            meta: { createdAt: ago(20) },
            conditions: notReady(20),
            containerStatuses: [runningStatus({ ready: false })],
          }
        : {},
  });
  // Scale-up a moment ago: Available stays True and the new pod is fresh.
  addApp(s, 'scaling', {
    deployment: { ready: 2 },
    pod: (i) =>
      i === 0
        ? {
            meta: { createdAt: ago(10) },
            phase: 'Pending',
            conditions: notReady(10),
            containerStatuses: [runningStatus({ ready: false, state: { waiting: { reason: 'ContainerCreating' } } })],
          }
        : {},
  });
  // Available=False only for a few seconds.
  addApp(s, 'blip', {
    replicas: 1,
    deployment: {
      ready: 0,
      available: 0,
      conditions: [cond('Available', 'False', { reason: 'MinimumReplicasUnavailable', lastTransitionTime: ago(10) })],
    },
    pod: () => ({ meta: { createdAt: ago(10) }, conditions: notReady(10) }),
  });
  s.upsert('Deployment', workload('idle', { desired: 0, ready: 0, updated: 0, available: 0 }));
  assert.deepEqual(run(replicasUnavailableDetector, s), []);
});

test('RolloutStuck: ProgressDeadlineExceeded with the new revision and its failing pods', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'cart', {
    deployment: {
      updated: 1,
      conditions: [
        cond('Available', 'True'),
        cond('Progressing', 'False', {
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "cart-7d4b9c" has timed out progressing.',
          lastTransitionTime: ago(60),
        }),
      ],
    },
    rs: { revision: 4, ready: 0, desired: 1, meta: { annotations: { 'deployment.kubernetes.io/revision': '4' } } },
    pod: (i) => (i === 0 ? { conditions: notReady(700), containerStatuses: [crashing] } : {}),
  });
  const [f, ...rest] = run(rolloutStuckDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.workload.name, app.deployment.name);
  assert.equal(f!.severity, 'critical');
  assert.equal(
    f!.summary,
    'Rollout of cart is stuck: revision 4 has 0 of 1 new pods ready after the 600s progress deadline (CrashLoopBackOff)',
  );
  assert.ok(f!.evidence.some((e) => e.kind === 'revision'));
});

test('RolloutStuck: a rollout progressing within its deadline is not stuck', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'cart', {
    deployment: {
      updated: 1,
      conditions: [cond('Available', 'True'), cond('Progressing', 'True', { reason: 'ReplicaSetUpdated' })],
    },
  });
  addApp(s, 'paused', {
    deployment: { paused: true, conditions: [cond('Progressing', 'Unknown', { reason: 'DeploymentPaused' })] },
  });
  assert.deepEqual(run(rolloutStuckDetector, s), []);
});

function regressionCluster(newPodsFailing: boolean): ClusterSnapshot {
  const s = new ClusterSnapshot();
  const d = workload('payments', { desired: 3, ready: 3, updated: 1 });
  s.upsert('Deployment', d);
  const oldT = template({
    labels: { app: 'payments' },
    containers: [container({ name: 'api', image: 'shop/payments:1.4' })],
  });
  const newT = template({
    labels: { app: 'payments' },
    containers: [container({ name: 'api', image: 'shop/payments:1.5' })],
  });
  const old = replicaSet('payments-old', {
    revision: 6,
    desired: 3,
    ready: 3,
    available: 3,
    template: oldT,
    meta: { owners: [owner('Deployment', 'payments', d.uid)] },
  });
  const cur = replicaSet('payments-new', {
    revision: 7,
    desired: 1,
    ready: 0,
    available: 0,
    template: newT,
    meta: { owners: [owner('Deployment', 'payments', d.uid)], createdAt: ago(300) },
  });
  s.upsert('ReplicaSet', old);
  s.upsert('ReplicaSet', cur);
  for (let i = 0; i < 3; i++)
    s.upsert('Pod', pod(`payments-old-${i}`, { meta: { owners: [owner('ReplicaSet', old.meta.name, old.meta.uid)] } }));
  s.upsert(
    'Pod',
    pod('payments-new-0', {
      meta: { owners: [owner('ReplicaSet', cur.meta.name, cur.meta.uid)], createdAt: ago(newPodsFailing ? 300 : 20) },
      conditions: notReady(newPodsFailing ? 300 : 20),
      containerStatuses: [
        newPodsFailing
          ? { ...crashing, name: 'api' }
          : runningStatus({ name: 'api', ready: false, state: { running: { startedAt: ago(15) } } }),
      ],
    }),
  );
  return s;
}

test('RolloutRegression: the new revision crashes while the previous one serves, with both images', () => {
  const [f, ...rest] = run(rolloutRegressionDetector, regressionCluster(true));
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'warning');
  assert.equal(
    f!.summary,
    'Revision 7 of payments fails (CrashLoopBackOff in 1 of 1 new pods) while revision 6 had 3 ready; changed api: shop/payments:1.4 → shop/payments:1.5',
  );
  const revisions = f!.evidence.filter((e) => e.kind === 'revision');
  assert.equal(revisions.length, 2);
  assert.ok(revisions[0]!.text.includes('shop/payments:1.5') && revisions[1]!.text.includes('shop/payments:1.4'));
});

test('RolloutRegression: a new revision whose pods are still starting is a rollout in progress', () => {
  assert.deepEqual(run(rolloutRegressionDetector, regressionCluster(false)), []);
});

const quotaMessage =
  'pods "batch-7d4b9c-x1" is forbidden: exceeded quota: compute-quota, requested: limits.memory=1Gi, used: limits.memory=4Gi, limited: limits.memory=4Gi';

test('QuotaExceeded: FailedCreate on the ReplicaSet, resolved to the Deployment, with the named quota', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'batch', {
    replicas: 2,
    deployment: { desired: 4, ready: 2, available: 2 },
    rs: { desired: 4 },
  });
  s.upsert(
    'ResourceQuota',
    quota('compute-quota', { 'limits.memory': '4Gi', pods: '20' }, { 'limits.memory': '4Gi', pods: '2' }),
  );
  s.upsert(
    'Event',
    event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', `Error creating: ${quotaMessage}`, { count: 9 }),
  );
  const [f, ...rest] = run(quotaExceededDetector, s);
  assert.equal(rest.length, 0);
  assert.deepEqual([f!.workload.kind, f!.workload.name, f!.key], ['Deployment', 'batch', 'compute-quota']);
  assert.equal(f!.severity, 'warning');
  assert.equal(
    f!.summary,
    'batch cannot create pods: quota compute-quota exceeded (limits.memory 4Gi/4Gi), 9 failed attempts',
  );
  assert.ok(
    f!.evidence.some((e) => e.source.kind === 'ResourceQuota' && e.text.includes('used up: limits.memory 4Gi/4Gi')),
  );
  assert.equal(quotaNameFrom('exceeded quota: a.b-c, requested'), 'a.b-c');
  assert.equal(quotaNameFrom('exceeded quota: "Bad Name"'), undefined);
});

test('QuotaExceeded: an old quota event, or one the ReplicaSet has since recovered from, is not reported', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'batch', { replicas: 2, rs: { desired: 2 } });
  s.upsert('Event', event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', `Error creating: ${quotaMessage}`));
  const other = addApp(s, 'reports', { replicas: 1, rs: { desired: 2 } });
  s.upsert(
    'Event',
    event(ref('ReplicaSet', other.rs.meta.name), 'FailedCreate', `Error creating: ${quotaMessage}`, {
      lastSeen: ago(3000),
    }),
  );
  s.upsert('ResourceQuota', quota('compute-quota', { pods: '20' }, { pods: '3' }));
  assert.deepEqual(run(quotaExceededDetector, s), []);
});

test('WebhookUnavailable: FailedCreate "failed calling webhook" blocks the workload', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'web', { replicas: 0, deployment: { desired: 2, ready: 0 }, rs: { desired: 2 } });
  const msg =
    'Error creating: Internal error occurred: failed calling webhook "policy.example.com": failed to call webhook: Post "https://policy.gatekeeper.svc:443/v1/admit?timeout=3s": no endpoints available for service "policy"';
  s.upsert('Event', event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', msg, { count: 5 }));
  const [f, ...rest] = run(webhookUnavailableDetector, s);
  assert.equal(rest.length, 0);
  assert.deepEqual(
    [f!.workload.kind, f!.workload.name, f!.key, f!.severity],
    ['Deployment', 'web', 'policy.example.com', 'critical'],
  );
  assert.match(f!.summary, /^web is blocked by admission webhook policy\.example\.com: failed calling webhook/);
});

test('WebhookUnavailable: a Fail-policy webhook whose service has no ready endpoints; Ignore-policy or served webhooks are fine', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('policy', { meta: { namespace: 'gatekeeper' } }));
  s.upsert('EndpointSlice', endpointSlice('policy', 0, 2, 'gatekeeper'));
  s.upsert('Service', service('served', { meta: { namespace: 'gatekeeper' } }));
  s.upsert('EndpointSlice', endpointSlice('served', 2, 0, 'gatekeeper'));
  s.upsert(
    'ValidatingWebhookConfiguration',
    webhookConfig('gatekeeper', [
      {
        name: 'policy.example.com',
        failurePolicy: 'Fail',
        service: { namespace: 'gatekeeper', name: 'policy', port: 443 },
      },
      { name: 'soft.example.com', failurePolicy: 'Ignore', service: { namespace: 'gatekeeper', name: 'policy' } },
      { name: 'served.example.com', failurePolicy: 'Fail', service: { namespace: 'gatekeeper', name: 'served' } },
    ]),
  );
  const findings = run(webhookUnavailableDetector, s);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.key, 'policy.example.com');
  assert.equal(findings[0]!.workload.kind, 'ValidatingWebhookConfiguration');
  assert.match(findings[0]!.summary, /has no ready endpoints \(2 not ready\)/);
});
