import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refKey, refOf, sameRef, workloadRef } from '../../../src/core/model/objectRef';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';
import { event, pod, workload } from '../detect/fixtures';

test('object references: built from records, keyed and compared by kind, namespace and name', () => {
  const ref = refOf('Pod', { namespace: 'shop', name: 'api-1', uid: 'u1' });
  assert.deepEqual(ref, { kind: 'Pod', namespace: 'shop', name: 'api-1', uid: 'u1' });
  assert.deepEqual(workloadRef({ kind: 'Deployment', namespace: 'shop', name: 'api', uid: 'u2' }), {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'api',
    uid: 'u2',
  });
  assert.equal(refKey(ref), 'Pod/shop/api-1');
  assert.equal(refKey({ kind: 'Node', namespace: '', name: 'n1' }), 'Node//n1');
  assert.ok(sameRef(ref, { kind: 'Pod', namespace: 'shop', name: 'api-1' }), 'the uid does not matter');
  const others = [
    { kind: 'Service', namespace: 'shop', name: 'api-1' },
    { kind: 'Pod', namespace: 'web', name: 'api-1' },
    { kind: 'Pod', namespace: 'shop', name: 'api-2' },
  ];
  for (const other of others) {
    assert.ok(!sameRef(ref, other));
    assert.notEqual(refKey(ref), refKey(other));
  }
});

test('the snapshot stores records and finds their events under the same reference key', () => {
  const s = new ClusterSnapshot();
  const d = workload('api');
  s.upsert(d.kind, d);
  s.upsert('Pod', pod('api-1'));
  s.upsert('Event', event(refOf('Pod', pod('api-1').meta), 'BackOff', 'Back-off restarting failed container'));
  assert.equal(s.getWorkload('Deployment', d.namespace, d.name), d);
  assert.equal(s.eventsFor('Pod', pod('api-1').meta.namespace, 'api-1').length, 1);
});
