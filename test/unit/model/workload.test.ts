import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Workload, workloadHealth, readyText } from '../../../src/core/model/workload';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';

function deployment(overrides: Partial<Workload> = {}): Workload {
  return {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    uid: 'u1',
    desired: 3,
    ready: 3,
    updated: 3,
    available: 3,
    generation: 2,
    observedGeneration: 2,
    labels: {},
    annotations: {},
    conditions: [],
    createdAt: '2026-01-01T00:00:00Z',
    selector: { app: 'web' },
    template: {
      labels: { app: 'web' },
      annotations: {},
      containers: [],
      initContainers: [],
      nodeSelector: {},
      tolerations: [],
      hasAffinity: false,
      imagePullSecrets: [],
      claimNames: [],
      volumes: [],
      restartPolicy: 'Always',
      serviceAccountName: 'default',
    },
    ...overrides,
  };
}

test('health reflects ready replicas, rollouts and progress deadlines', () => {
  assert.equal(workloadHealth(deployment()), 'healthy');
  assert.equal(workloadHealth(deployment({ desired: 0, ready: 0, updated: 0, available: 0 })), 'healthy');
  assert.equal(workloadHealth(deployment({ ready: 2 })), 'degraded');
  assert.equal(workloadHealth(deployment({ ready: 0 })), 'failing');
  assert.equal(workloadHealth(deployment({ ready: 2, updated: 1 })), 'progressing');
  assert.equal(workloadHealth(deployment({ generation: 3 })), 'progressing');
  const stuck = deployment({
    ready: 3,
    updated: 1,
    conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
  });
  assert.equal(workloadHealth(stuck), 'failing');
  assert.equal(readyText(deployment({ ready: 1 })), '1/3');
});

test('the snapshot indexes workloads by namespace and updates in place', () => {
  const snapshot = new ClusterSnapshot();
  snapshot.upsertWorkload(deployment({ name: 'web' }));
  snapshot.upsertWorkload(deployment({ name: 'api' }));
  snapshot.upsertWorkload(deployment({ kind: 'StatefulSet', name: 'db' }));
  snapshot.upsertWorkload(deployment({ namespace: 'batch', kind: 'DaemonSet', name: 'agent' }));
  assert.deepEqual(snapshot.namespaces(), ['batch', 'shop']);
  assert.deepEqual(
    snapshot.workloadsIn('shop').map((w) => `${w.kind}/${w.name}`),
    ['Deployment/api', 'Deployment/web', 'StatefulSet/db'],
  );
  const before = snapshot.version;
  snapshot.upsertWorkload(deployment({ name: 'web', ready: 1 }));
  assert.equal(snapshot.getWorkload('Deployment', 'shop', 'web')?.ready, 1);
  assert.ok(snapshot.version > before);
  assert.equal(snapshot.workloadCount, 4);
  snapshot.removeWorkload('DaemonSet', 'batch', 'agent');
  assert.deepEqual(snapshot.namespaces(), ['shop']);
  snapshot.clearKind('Deployment');
  assert.deepEqual(
    snapshot.workloadsIn('shop').map((w) => w.name),
    ['db'],
  );
  const unchanged = snapshot.version;
  snapshot.removeWorkload('Deployment', 'shop', 'missing');
  assert.equal(snapshot.version, unchanged);
});
