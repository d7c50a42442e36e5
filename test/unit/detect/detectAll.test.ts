import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DETECTORS, detectAll } from '../../../src/core/detect/detectors';
import type { Detector } from '../../../src/core/detect/detector';
import { INCIDENT_TYPES } from '../../../src/core/model/incident';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  cronJob,
  ctx,
  endpointSlice,
  event,
  hpa,
  job,
  node,
  owner,
  pod,
  pvc,
  quota,
  ref,
  runningStatus,
  service,
  template,
  webhookConfig,
  workload,
} from './fixtures';

test('every incident type has exactly one detector, each listed once', () => {
  assert.equal(new Set(DETECTORS).size, DETECTORS.length);
  const types = DETECTORS.flatMap((d) => d.types);
  assert.deepEqual([...types].sort(), [...INCIDENT_TYPES].sort());
});

/** A busy but healthy cluster, full of states that resemble incidents without being one. */
function healthyCluster(): ClusterSnapshot {
  const s = new ClusterSnapshot();
  for (const n of ['node-1', 'node-2', 'node-3']) s.upsert('Node', node(n));
  s.upsert(
    'Node',
    node('node-new', {
      conditions: [cond('Ready', 'False', { reason: 'KubeletNotReady', lastTransitionTime: ago(8) })],
    }),
  );
  const probe = {
    type: 'httpGet' as const,
    target: 'HTTP GET :8080/ready',
    initialDelaySeconds: 5,
    periodSeconds: 5,
    timeoutSeconds: 1,
    failureThreshold: 3,
  };
  for (const name of ['web', 'api', 'cart', 'search']) {
    addApp(s, name, {
      pod: () => ({ spec: template({ labels: { app: name }, containers: [container({ readinessProbe: probe })] }) }),
    });
    s.upsert('HorizontalPodAutoscaler', hpa(name));
  }
  // At max replicas but comfortably under target.
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('web', {
      currentReplicas: 10,
      desiredReplicas: 10,
      metrics: [{ type: 'Resource', name: 'cpu', targetAverageUtilization: 70, currentAverageUtilization: 50 }],
    }),
  );
  // A rollout in progress: new pod starting, old ones serving, within the deadline.
  const d = workload('checkout', {
    desired: 3,
    ready: 3,
    updated: 1,
    generation: 5,
    observedGeneration: 5,
    conditions: [
      cond('Available', 'True'),
      cond('Progressing', 'True', { reason: 'ReplicaSetUpdated', lastTransitionTime: ago(20) }),
    ],
  });
  s.upsert('Deployment', d);
  const rs1 = {
    meta: { ...pod('checkout-a').meta, name: 'checkout-a', owners: [owner('Deployment', 'checkout', d.uid)] },
    desired: 3,
    ready: 3,
    available: 3,
    revision: 4,
    template: d.template,
    conditions: [],
  };
  const rs2 = {
    meta: {
      ...pod('checkout-b').meta,
      name: 'checkout-b',
      owners: [owner('Deployment', 'checkout', d.uid)],
      createdAt: ago(20),
    },
    desired: 1,
    ready: 0,
    available: 0,
    revision: 5,
    template: d.template,
    conditions: [],
  };
  s.upsert('ReplicaSet', rs1);
  s.upsert('ReplicaSet', rs2);
  for (let i = 0; i < 3; i++)
    s.upsert(
      'Pod',
      pod(`checkout-a-${i}`, {
        meta: { labels: { app: 'checkout' }, owners: [owner('ReplicaSet', 'checkout-a', rs1.meta.uid)] },
      }),
    );
  s.upsert(
    'Pod',
    pod('checkout-b-0', {
      phase: 'Pending',
      meta: {
        labels: { app: 'checkout' },
        createdAt: ago(15),
        owners: [owner('ReplicaSet', 'checkout-b', rs2.meta.uid)],
      },
      conditions: [
        cond('PodScheduled', 'True', { lastTransitionTime: ago(14) }),
        cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(14) }),
      ],
      containerStatuses: [
        runningStatus({ ready: false, started: false, state: { waiting: { reason: 'ContainerCreating' } } }),
      ],
    }),
  );
  s.upsert('Service', service('checkout'));
  s.upsert('EndpointSlice', endpointSlice('checkout', 3));
  // A pod pending for two seconds.
  s.upsert(
    'Pod',
    pod('adhoc', {
      phase: 'Pending',
      nodeName: undefined,
      meta: { createdAt: ago(2) },
      conditions: [cond('PodScheduled', 'False', { reason: 'Unschedulable', lastTransitionTime: ago(2) })],
      containerStatuses: [],
    }),
  );
  // Scaled to zero, with its Service.
  addApp(s, 'nightly', { replicas: 0, deployment: { desired: 0, ready: 0, updated: 0, available: 0 } });
  // A StatefulSet and a DaemonSet, healthy.
  const sts = workload('db', { kind: 'StatefulSet', conditions: [] });
  s.upsert('StatefulSet', sts);
  for (let i = 0; i < 3; i++)
    s.upsert(
      'Pod',
      pod(`db-${i}`, {
        meta: { owners: [owner('StatefulSet', 'db', sts.uid)] },
        spec: template({ claimNames: [`data-db-${i}`] }),
      }),
    );
  for (let i = 0; i < 3; i++) s.upsert('PersistentVolumeClaim', pvc(`data-db-${i}`));
  s.upsert('PersistentVolumeClaim', pvc('scratch', { phase: 'Pending', meta: { createdAt: ago(20) } }));
  const ds = workload('agent', { kind: 'DaemonSet', conditions: [], namespace: 'kube-system' });
  s.upsert('DaemonSet', ds);
  // Completed jobs, a running one, and cronjobs with healthy schedules.
  const cj = cronJob('report');
  s.upsert('CronJob', cj);
  s.upsert('Job', job('report-1', { meta: { owners: [owner('CronJob', 'report', cj.meta.uid)] } }));
  s.upsert('Job', job('migrate'));
  s.upsert('Job', job('import', { active: 1, succeeded: 0, conditions: [] }));
  s.upsert('CronJob', cronJob('hourly', { schedule: '@hourly', timeZone: 'Europe/Paris' }));
  // A quota with headroom, a webhook with endpoints, normal events.
  s.upsert(
    'ResourceQuota',
    quota('compute', { 'limits.memory': '64Gi', pods: '100' }, { 'limits.memory': '12Gi', pods: '20' }),
  );
  s.upsert('Service', service('policy', { meta: { namespace: 'gatekeeper' } }));
  s.upsert('EndpointSlice', endpointSlice('policy', 2, 0, 'gatekeeper'));
  s.upsert(
    'ValidatingWebhookConfiguration',
    webhookConfig('gatekeeper', [
      { name: 'policy.example.com', failurePolicy: 'Fail', service: { namespace: 'gatekeeper', name: 'policy' } },
    ]),
  );
  s.upsert(
    'Event',
    event(ref('Pod', 'checkout-b-0'), 'Scheduled', 'Successfully assigned shop/checkout-b-0 to node-2', {
      type: 'Normal',
    }),
  );
  s.upsert(
    'Event',
    event(ref('Pod', 'checkout-b-0'), 'Pulling', 'Pulling image "shop/checkout:2"', { type: 'Normal' }),
  );
  s.upsert(
    'Event',
    event(ref('ReplicaSet', 'checkout-b'), 'SuccessfulCreate', 'Created pod: checkout-b-0', { type: 'Normal' }),
  );
  return s;
}

test('a healthy cluster yields zero findings and no errors', () => {
  const result = detectAll(ctx(healthyCluster()));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.findings.map((f) => `${f.type} ${f.workload.kind}/${f.workload.name}: ${f.summary}`),
    [],
  );
});

test('an empty snapshot yields nothing', () => {
  assert.deepEqual(detectAll(ctx(new ClusterSnapshot())), { findings: [], errors: [] });
});

test('one broken detector does not stop the others', () => {
  const broken: Detector = {
    types: ['NodeNotReady'],
    detect: () => {
      throw new Error('boom');
    },
  };
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-9', { conditions: [cond('Ready', 'True'), cond('DiskPressure', 'True')] }));
  const result = detectAll(ctx(s), [broken, ...DETECTORS.filter((d) => !d.types.includes('NodeNotReady'))]);
  assert.deepEqual(result.errors, [{ detector: 'NodeNotReady', message: 'boom' }]);
  assert.deepEqual(
    result.findings.map((f) => f.type),
    ['NodePressure'],
  );
});
