import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rolloutRegressionDetector } from '../../../src/core/detect/rolloutRegression';
import { rolloutStuckDetector } from '../../../src/core/detect/rolloutStuck';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import { replicasUnavailableDetector } from '../../../src/core/detect/replicasUnavailable';
import type { ContainerStatus } from '../../../src/core/model/resources';
import type { Workload } from '../../../src/core/model/workload';
import { diffTemplates } from '../../../src/core/diagnose/rolloutRule';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  owner,
  replicaSet,
  runningStatus,
  template,
} from '../detect/fixtures';
import { diagnoseWith, inRange } from './helpers';

const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
];
const crashing: ContainerStatus = runningStatus({
  ready: false,
  restartCount: 4,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'Error', exitCode: 1, message: 'missing FEATURE_URL', finishedAt: ago(30) } },
});

/** checkout at revision 2 (image 1.5, env changed) crashing, revision 1 (image 1.4) was serving. */
function badRollout(s: ClusterSnapshot, deployment: Partial<Workload> = {}) {
  const next = template({
    labels: { app: 'checkout' },
    containers: [container({ image: 'shop/app:1.5', env: [{ name: 'FEATURE', value: 'on' }] })],
  });
  const app = addApp(s, 'checkout', {
    replicas: 2,
    deployment: { template: next, ready: 2, desired: 3, updated: 2, ...deployment },
    rs: { revision: 2, ready: 0, available: 0, desired: 2 },
    pod: () => ({ spec: next, containerStatuses: [crashing], conditions: notReady }),
  });
  const old = replicaSet('checkout-5f6a7b', {
    revision: 1,
    desired: 2,
    ready: 2,
    available: 2,
    template: template({ labels: { app: 'checkout' }, containers: [container({ image: 'shop/app:1.4' })] }),
    meta: { owners: [owner('Deployment', 'checkout', app.deployment.uid)] },
  });
  s.upsert('ReplicaSet', old);
  return app;
}

test('Bad rollout: the template diff names image and env, and the fix rolls back first, then restores the image', () => {
  const s = new ClusterSnapshot();
  badRollout(s);
  const cause = diagnoseWith(rolloutRegressionDetector, s);
  assert.equal(cause.category, 'bad-rollout');
  assert.equal(
    cause.summary,
    'revision 2 fails (CrashLoopBackOff) since app image changed from shop/app:1.4 to shop/app:1.5; revision 1 was healthy',
  );
  assert.deepEqual(cause.fields, [
    'spec.template.spec.containers[name=app].image',
    'spec.template.spec.containers[name=app].env',
  ]);
  assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
  assert.deepEqual(cause.fixes[1]!.edits, [
    { path: 'spec.template.spec.containers[name=app].image', value: 'shop/app:1.4', previous: 'shop/app:1.5' },
  ]);
  assert.ok(
    cause.evidence.some(
      (e) =>
        e.kind === 'revision' &&
        e.source.kind === 'ReplicaSet' &&
        e.field === 'spec.template.spec.containers[name=app].image',
    ),
  );
  assert.ok(
    cause.evidence.filter((e) => e.field === "metadata.annotations['deployment.kubernetes.io/revision']").length === 2,
  );
  assert.ok(inRange(cause.confidence, 0.8, 0.9));
});

test('Bad rollout: the crash loop of the new revision is explained by the rollout, not as a generic crash', () => {
  const s = new ClusterSnapshot();
  badRollout(s);
  const cause = diagnoseWith(crashLoopBackOffDetector, s);
  assert.equal(cause.incidentType, 'CrashLoopBackOff');
  assert.equal(cause.category, 'bad-rollout');
  assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
});

test('Rollout stuck: the same diff plus the progress deadline', () => {
  const s = new ClusterSnapshot();
  badRollout(s, {
    conditions: [
      cond('Available', 'True'),
      cond('Progressing', 'False', {
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "checkout-7d4b9c" has timed out progressing.',
      }),
    ],
  });
  const cause = diagnoseWith(rolloutStuckDetector, s);
  assert.equal(cause.category, 'bad-rollout');
  assert.match(
    cause.summary,
    /^revision 2 fails \(CrashLoopBackOff\) after the 600s progress deadline \(spec\.progressDeadlineSeconds\) since app image changed/,
  );
  assert.ok(cause.fields.includes('spec.progressDeadlineSeconds'));
  assert.ok(cause.evidence.some((e) => e.kind === 'condition' && e.field === 'status.conditions[type=Progressing]'));
  assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
});

test('Rollout stuck on a first revision: explained by what its pods suffer from', () => {
  const s = new ClusterSnapshot();
  const bad = 'registry.invalid/shop/app:1.0';
  const spec = template({ labels: { app: 'checkout' }, containers: [container({ image: bad })] });
  addApp(s, 'checkout', {
    replicas: 1,
    deployment: {
      template: spec,
      ready: 0,
      conditions: [cond('Progressing', 'False', { reason: 'ProgressDeadlineExceeded' })],
    },
    rs: { ready: 0, available: 0 },
    pod: () => ({
      phase: 'Pending',
      spec,
      conditions: notReady,
      containerStatuses: [
        runningStatus({
          ready: false,
          image: bad,
          state: {
            waiting: { reason: 'ImagePullBackOff', message: 'dial tcp: lookup registry.invalid: no such host' },
          },
        }),
      ],
    }),
  });
  const cause = diagnoseWith(rolloutStuckDetector, s);
  assert.equal(cause.category, 'image-pull');
  assert.match(
    cause.summary,
    /^rollout stuck after the 600s progress deadline .*: registry host registry\.invalid cannot be reached/,
  );
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=app].image', 'spec.progressDeadlineSeconds']);
});

test('Replicas unavailable: delegated to the more specific cause of its pods', () => {
  const s = new ClusterSnapshot();
  const bad = 'registry.invalid/shop/app:1.0';
  const spec = template({ labels: { app: 'web' }, containers: [container({ image: bad })] });
  addApp(s, 'web', {
    replicas: 2,
    deployment: {
      template: spec,
      ready: 0,
      available: 0,
      conditions: [cond('Available', 'False', { reason: 'MinimumReplicasUnavailable' })],
    },
    pod: () => ({
      phase: 'Pending',
      spec,
      conditions: notReady,
      containerStatuses: [
        runningStatus({
          ready: false,
          image: bad,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'no such host' } },
        }),
      ],
    }),
  });
  const cause = diagnoseWith(replicasUnavailableDetector, s);
  assert.equal(cause.incidentType, 'ReplicasUnavailable');
  assert.equal(cause.category, 'image-pull');
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=app].image']);
  assert.ok(cause.evidence.some((e) => e.field === 'status.readyReplicas'));
  assert.match(cause.explanation, /0 of 2 replicas ready because its pods show ImagePullBackOff/);
});

test('diffTemplates: resources and probes by path', () => {
  const a = replicaSet('a', {
    template: template({
      containers: [container({ resources: { requests: { cpu: '100m' }, limits: { memory: '256Mi' } } })],
    }),
  });
  const b = replicaSet('b', {
    template: template({
      containers: [
        container({
          resources: { requests: { cpu: '100m' }, limits: { memory: '128Mi' } },
          readinessProbe: {
            type: 'httpGet',
            target: 'HTTP GET :8080/ready',
            initialDelaySeconds: 0,
            periodSeconds: 10,
            timeoutSeconds: 1,
            failureThreshold: 3,
          },
        }),
      ],
    }),
  });
  assert.deepEqual(
    diffTemplates(a, b).map((c) => c.path),
    [
      'spec.template.spec.containers[name=app].resources.limits.memory',
      'spec.template.spec.containers[name=app].readinessProbe',
    ],
  );
});
