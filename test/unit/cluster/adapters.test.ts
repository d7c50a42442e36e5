// The cluster adapter's pure helpers: error wording, backoff, REST paths, object conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeClusterError } from '../../../src/cluster/errors';
import { backoffDelay, restPath } from '../../../src/cluster/informer';
import { toWorkload } from '../../../src/cluster/convert';

test('errors become one actionable sentence', () => {
  const refused = Object.assign(new TypeError('fetch failed'), {
    cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' },
  });
  assert.match(
    describeClusterError(refused, 'https://127.0.0.1:1').message,
    /Nothing is listening at https:\/\/127\.0\.0\.1:1 \(connection refused\)/,
  );
  const forbidden = Object.assign(new Error('HTTP-Code: 403'), {
    code: 403,
    body: JSON.stringify({ message: 'pods is forbidden: User "dev" cannot list' }),
  });
  assert.deepEqual(describeClusterError(forbidden), {
    status: 403,
    message: 'Forbidden (403): pods is forbidden: User "dev" cannot list.',
  });
  assert.match(
    describeClusterError(Object.assign(new Error('x'), { statusCode: 401 })).message,
    /rejected the credentials/,
  );
  assert.match(describeClusterError(new Error('line one\nline two')).message, /: line one$/);
});

test('reconnect delays grow, stay jittered and are capped', () => {
  const low = backoffDelay(1, () => 0);
  const high = backoffDelay(1, () => 1);
  assert.ok(low < high);
  assert.ok(backoffDelay(5, () => 0) > backoffDelay(1, () => 0));
  assert.ok(backoffDelay(100, () => 1) <= 30_000);
});

test('REST paths cover core and grouped kinds, cluster-wide and namespaced', () => {
  assert.equal(restPath({ apiVersion: 'v1', kind: 'Pod', plural: 'pods' }), '/api/v1/pods');
  assert.equal(
    restPath({ apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' }, 'shop'),
    '/apis/apps/v1/namespaces/shop/deployments',
  );
});

test('workloads convert from typed list items and from plain watch JSON alike', () => {
  const created = new Date('2026-03-01T10:00:00Z');
  const typed = toWorkload('Deployment', {
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'a',
      generation: 4,
      creationTimestamp: created,
      labels: { app: 'web' },
    },
    spec: { replicas: 3 },
    status: {
      readyReplicas: 2,
      updatedReplicas: 3,
      availableReplicas: 2,
      observedGeneration: 4,
      conditions: [
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', lastTransitionTime: created },
      ],
    },
  });
  assert.equal(typed.createdAt, '2026-03-01T10:00:00.000Z');
  assert.deepEqual([typed.desired, typed.ready, typed.updated, typed.available], [3, 2, 3, 2]);
  assert.equal(typed.conditions[0]?.lastTransitionTime, '2026-03-01T10:00:00.000Z');
  const ds = toWorkload('DaemonSet', {
    metadata: { name: 'agent', namespace: 'ops', creationTimestamp: '2026-03-01T10:00:00Z' },
    status: { desiredNumberScheduled: 2, numberReady: 1 },
  });
  assert.deepEqual([ds.desired, ds.ready, ds.createdAt], [2, 1, '2026-03-01T10:00:00Z']);
  const defaulted = toWorkload('StatefulSet', { metadata: { name: 'db', namespace: 'x' } });
  assert.equal(defaulted.desired, 1, 'a StatefulSet without spec.replicas runs one replica');
});
