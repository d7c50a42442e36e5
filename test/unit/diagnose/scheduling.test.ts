import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unschedulableDetector } from '../../../src/core/detect/unschedulable';
import { quotaExceededDetector } from '../../../src/core/detect/quotaExceeded';
import type { PodTemplate } from '../../../src/core/model/resources';
import { parseSchedulerMessage } from '../../../src/core/diagnose/unschedulableRule';
import { quotaSections } from '../../../src/core/diagnose/quotaRule';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  event,
  node,
  pod,
  pvc,
  quota,
  ref,
  template,
} from '../detect/fixtures';
import { diagnoseWith, inRange } from './helpers';

function pendingApp(s: ClusterSnapshot, spec: PodTemplate, message: string) {
  return addApp(s, 'batch', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({
      phase: 'Pending',
      nodeName: undefined,
      spec,
      containerStatuses: [],
      conditions: [cond('PodScheduled', 'False', { reason: 'Unschedulable', message, lastTransitionTime: ago(300) })],
    }),
  });
}

test('Unschedulable: insufficient cpu names the request and the largest free capacity, and lowers the request to fit', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-1', { allocatable: { cpu: '2', memory: '8Gi', pods: '110' } }));
  s.upsert('Node', node('node-2', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } }));
  const busy = template({
    containers: [container({ resources: { requests: { cpu: '1500m', memory: '1Gi' }, limits: {} } })],
  });
  s.upsert('Pod', pod('other-1', { nodeName: 'node-1', spec: busy, meta: { namespace: 'infra' } }));
  s.upsert(
    'Pod',
    pod('other-2', {
      nodeName: 'node-2',
      spec: template({ containers: [container({ resources: { requests: { cpu: '1' }, limits: {} } })] }),
      meta: { namespace: 'infra' },
    }),
  );
  const spec = template({
    labels: { app: 'batch' },
    containers: [container({ name: 'worker', resources: { requests: { cpu: '3500m', memory: '1Gi' }, limits: {} } })],
  });
  pendingApp(
    s,
    spec,
    '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
  );
  const cause = diagnoseWith(unschedulableDetector, s);
  assert.equal(cause.category, 'insufficient-resources');
  assert.equal(cause.summary, 'the pod requests 3.5 cpu, but the largest free cpu on any node is 3 (node-2)');
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=worker].resources.requests.cpu']);
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=worker].resources.requests.cpu', value: '3', previous: '3500m' },
  ]);
  assert.ok(cause.evidence.some((e) => e.kind === 'scheduler'));
  assert.ok(
    cause.evidence.some(
      (e) => e.source.kind === 'Node' && e.source.name === 'node-2' && e.field === 'status.allocatable.cpu',
    ),
  );
  assert.ok(inRange(cause.confidence, 0.85, 0.95));
});

test('Unschedulable: an untolerated taint', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('gpu-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  pendingApp(
    s,
    template({ labels: { app: 'batch' } }),
    '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
  );
  const cause = diagnoseWith(unschedulableDetector, s);
  assert.equal(cause.category, 'scheduling-constraints');
  assert.equal(cause.summary, '1 node(s) carry taint dedicated: gpu that the pod does not tolerate');
  assert.deepEqual(cause.fields, ['spec.template.spec.tolerations']);
});

test('Unschedulable: a node selector no node satisfies', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-1', { meta: { labels: { disktype: 'hdd' } } }));
  pendingApp(
    s,
    template({ labels: { app: 'batch' }, nodeSelector: { disktype: 'ssd' } }),
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.",
  );
  const cause = diagnoseWith(unschedulableDetector, s);
  assert.equal(cause.summary, "no node has label disktype=ssd required by the pod's nodeSelector");
  assert.deepEqual(cause.fields, ['spec.template.spec.nodeSelector']);
});

test('Unschedulable: unbound claims point at the pending PVC', () => {
  const s = new ClusterSnapshot();
  s.upsert('PersistentVolumeClaim', pvc('data', { phase: 'Pending', storageClassName: 'fast' }));
  pendingApp(
    s,
    template({ labels: { app: 'batch' }, claimNames: ['data'] }),
    '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
  const cause = diagnoseWith(unschedulableDetector, s);
  assert.equal(cause.category, 'volume-binding');
  assert.equal(cause.summary, 'the pod waits for PVC data, which is not bound');
  assert.ok(cause.evidence.some((e) => e.source.kind === 'PersistentVolumeClaim' && e.field === 'status.phase'));
});

test('parseSchedulerMessage: counts and kinds', () => {
  const parsed = parseSchedulerMessage(
    "0/5 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. preemption: …",
  );
  assert.equal(parsed.total, 5);
  assert.deepEqual(
    parsed.reasons.map((r) => [r.nodes, r.kind]),
    [
      [1, 'taint'],
      [2, 'memory'],
      [2, 'selector'],
    ],
  );
  assert.equal(parsed.reasons[0]!.taint, 'node-role.kubernetes.io/control-plane: ');
});

test('Quota: the quota, used/hard, and the replicas that fit next to other pods', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'api', { replicas: 2, deployment: { desired: 4, ready: 2 }, rs: { desired: 4, ready: 2 } });
  s.upsert('ResourceQuota', quota('pods-limit', { pods: '3' }, { pods: '3' }));
  s.upsert(
    'Event',
    event(
      ref('ReplicaSet', app.rs.meta.name),
      'FailedCreate',
      'Error creating: pods "api-7d4b9c-zz" is forbidden: exceeded quota: pods-limit, requested: pods=1, used: pods=3, limited: pods=3',
      { count: 7 },
    ),
  );
  const cause = diagnoseWith(quotaExceededDetector, s);
  assert.equal(cause.category, 'quota');
  assert.equal(
    cause.summary,
    'quota pods-limit is exhausted on pods: used 3 of 3, a new pod needs 1 — 2 of the 4 wanted replicas fit',
  );
  assert.deepEqual(cause.fields, ['spec.replicas']);
  assert.deepEqual(
    cause.fixes[0]!.edits,
    [{ path: 'spec.replicas', value: 2, previous: 4 }],
    'one of the 3 used pods belongs to another workload',
  );
  assert.ok(
    cause.evidence.some(
      (e) => e.source.kind === 'ResourceQuota' && e.field === 'status.used.pods' && e.text === 'pods: used 3 of hard 3',
    ),
  );
  assert.ok(cause.evidence.some((e) => e.kind === 'event' && e.reason === 'FailedCreate'));
});

test('Quota: a memory quota proposes a smaller request first, so the wanted replicas fit', () => {
  const s = new ClusterSnapshot();
  const spec = template({
    labels: { app: 'api' },
    containers: [container({ resources: { requests: { memory: '512Mi' }, limits: { memory: '512Mi' } } })],
  });
  const app = addApp(s, 'api', {
    replicas: 3,
    deployment: { template: spec, desired: 4, ready: 3 },
    rs: { desired: 4, ready: 3 },
    pod: () => ({ spec }),
  });
  s.upsert('ResourceQuota', quota('mem', { 'requests.memory': '2Gi' }, { 'requests.memory': '1792Mi' }));
  s.upsert(
    'Event',
    event(
      ref('ReplicaSet', app.rs.meta.name),
      'FailedCreate',
      'Error creating: pods "x" is forbidden: exceeded quota: mem, requested: requests.memory=512Mi, used: requests.memory=1792Mi, limited: requests.memory=2Gi',
    ),
  );
  const cause = diagnoseWith(quotaExceededDetector, s);
  assert.match(
    cause.summary,
    /^quota mem is exhausted on requests\.memory: used 1792Mi of 2Gi, a new pod needs 512Mi — 3 of the 4 wanted replicas fit$/,
  );
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=app].resources.requests.memory', value: '448Mi', previous: '512Mi' },
  ]);
  assert.deepEqual(cause.fixes[1]!.edits, [{ path: 'spec.replicas', value: 3, previous: 4 }]);
});

test('quotaSections parses requested, used and limited', () => {
  assert.deepEqual(
    quotaSections('exceeded quota: q, requested: pods=1,requests.cpu=500m, used: pods=1, limited: pods=1'),
    {
      requested: { pods: '1', 'requests.cpu': '500m' },
      used: { pods: '1' },
      limited: { pods: '1' },
    },
  );
});
