import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeNotReadyDetector } from '../../../src/core/detect/nodeNotReady';
import { nodePressureDetector } from '../../../src/core/detect/nodePressure';
import { evictedDetector } from '../../../src/core/detect/evicted';
import { jobFailedDetector } from '../../../src/core/detect/jobFailed';
import { cronJobSuspendedOrInvalidDetector } from '../../../src/core/detect/cronJobSuspendedOrInvalid';
import { webhookUnavailableDetector } from '../../../src/core/detect/webhookUnavailable';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  cronJob,
  endpointSlice,
  job,
  node,
  owner,
  pod,
  runningStatus,
  service,
  template,
  webhookConfig,
} from '../detect/fixtures';
import { diagnoseWith, inRange } from './helpers';

const MI = 1024 * 1024;

test('Node NotReady: the condition and the pods and workloads on the node', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Node',
    node('node-1', {
      conditions: [
        cond('Ready', 'Unknown', {
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: ago(300),
        }),
      ],
    }),
  );
  addApp(s, 'api', { replicas: 2 });
  const cause = diagnoseWith(nodeNotReadyDetector, s);
  assert.equal(cause.category, 'node-failure');
  assert.equal(
    cause.summary,
    'node node-1 stopped reporting (kubelet or network down); 2 pods of 1 workload on it are affected',
  );
  assert.ok(
    cause.evidence.some(
      (e) => e.kind === 'condition' && e.source.kind === 'Node' && e.field === 'status.conditions[type=Ready]',
    ),
  );
  assert.deepEqual(cause.fields, []);
  assert.ok(inRange(cause.confidence, 0.8, 0.9));
});

test('Node pressure: the largest memory users on the node', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Node',
    node('node-1', {
      conditions: [
        cond('Ready', 'True'),
        cond('MemoryPressure', 'True', { reason: 'KubeletHasInsufficientMemory', lastTransitionTime: ago(300) }),
      ],
    }),
  );
  const app = addApp(s, 'cache', { replicas: 1 });
  s.setUsage({
    namespace: 'shop',
    name: app.pods[0]!.meta.name,
    timestamp: ago(5),
    containers: [{ name: 'app', cpuMillicores: 100, memoryBytes: 3 * 1024 * MI }],
  });
  const cause = diagnoseWith(nodePressureDetector, s);
  assert.equal(cause.category, 'node-pressure');
  assert.equal(
    cause.summary,
    `node node-1 is running out of memory; the largest users are ${app.pods[0]!.meta.name} 3Gi`,
  );
  assert.ok(cause.evidence.some((e) => e.kind === 'metric' && e.source.kind === 'Pod'));
});

test('Evicted: the resource the node ran low on and the container over its request, with a request that covers usage', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-2'));
  addApp(s, 'report', {
    replicas: 1,
    pod: () => ({
      phase: 'Failed',
      reason: 'Evicted',
      nodeName: 'node-2',
      containerStatuses: [],
      message:
        'The node was low on resource: memory. Threshold quantity: 100Mi, available: 40Mi. Container app was using 900Mi, request is 128Mi, has larger consumption of memory.',
      conditions: [cond('Ready', 'False', { lastTransitionTime: ago(600) })],
    }),
  });
  const cause = diagnoseWith(evictedDetector, s);
  assert.equal(cause.category, 'node-pressure');
  assert.equal(
    cause.summary,
    'evicted because node node-2 ran low on memory; app used 900Mi against a request of 128Mi',
  );
  assert.deepEqual(cause.fields, ['spec.template.spec.containers[name=app].resources.requests.memory']);
  assert.deepEqual(
    cause.fixes[0]!.edits,
    [{ path: 'spec.template.spec.containers[name=app].resources.requests.memory', value: '256Mi', previous: '128Mi' }],
    'capped at the 256Mi limit',
  );
});

test('Job failed: the exit code, backoffLimit and the fields', () => {
  const s = new ClusterSnapshot();
  const j = job('migrate', {
    succeeded: 0,
    failed: 4,
    backoffLimit: 3,
    conditions: [
      cond('Failed', 'True', {
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      }),
    ],
  });
  s.upsert('Job', j);
  s.upsert(
    'Pod',
    pod('migrate-x1', {
      phase: 'Failed',
      meta: { owners: [owner('Job', 'migrate', j.meta.uid)] },
      containerStatuses: [
        runningStatus({
          ready: false,
          state: { terminated: { reason: 'Error', exitCode: 2, message: 'unknown flag --dry', finishedAt: ago(60) } },
        }),
      ],
    }),
  );
  const cause = diagnoseWith(jobFailedDetector, s);
  assert.equal(cause.category, 'job-failure');
  assert.equal(
    cause.summary,
    'container app exited with a usage error (bad arguments or shell syntax) (exit 2): unknown flag --dry, 4 times, reaching backoffLimit 3',
  );
  assert.deepEqual(cause.fields, [
    'spec.template.spec.containers[name=app].command',
    'spec.template.spec.containers[name=app].args',
    'spec.backoffLimit',
  ]);
  assert.ok(
    cause.evidence.some(
      (e) => e.source.kind === 'Pod' && e.field === 'status.containerStatuses[name=app].state.terminated',
    ),
  );
});

test('Job failed under a CronJob: OOM proposes a larger limit at the jobTemplate path', () => {
  const s = new ClusterSnapshot();
  const cj = cronJob('nightly');
  s.upsert('CronJob', cj);
  const j = job('nightly-1', {
    succeeded: 0,
    failed: 2,
    conditions: [cond('Failed', 'True', { reason: 'BackoffLimitExceeded' })],
    meta: { owners: [owner('CronJob', 'nightly', cj.meta.uid)] },
    template: template({
      restartPolicy: 'Never',
      containers: [container({ resources: { requests: {}, limits: { memory: '512Mi' } } })],
    }),
  });
  s.upsert('Job', j);
  s.upsert(
    'Pod',
    pod('nightly-1-a', {
      phase: 'Failed',
      meta: { owners: [owner('Job', 'nightly-1', j.meta.uid)] },
      containerStatuses: [
        runningStatus({
          ready: false,
          state: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(60) } },
        }),
      ],
    }),
  );
  const cause = diagnoseWith(jobFailedDetector, s);
  assert.equal(cause.category, 'memory-limit');
  assert.deepEqual(cause.fixes[0]!.edits, [
    {
      path: 'spec.jobTemplate.spec.template.spec.containers[name=app].resources.limits.memory',
      value: '1Gi',
      previous: '512Mi',
    },
  ]);
});

test('CronJob suspended: spec.suspend with a resume edit', () => {
  const s = new ClusterSnapshot();
  s.upsert('CronJob', cronJob('report', { suspend: true }));
  const cause = diagnoseWith(cronJobSuspendedOrInvalidDetector, s);
  assert.equal(cause.category, 'cronjob-config');
  assert.deepEqual(cause.fields, ['spec.suspend']);
  assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.suspend', value: false, previous: true }]);
});

test('CronJob with an invalid schedule: spec.schedule and the parser error', () => {
  const s = new ClusterSnapshot();
  s.upsert('CronJob', cronJob('report', { schedule: '*/5 * * *' }));
  const cause = diagnoseWith(cronJobSuspendedOrInvalidDetector, s);
  assert.deepEqual(cause.fields, ['spec.schedule']);
  assert.match(cause.summary, /^schedule "\*\/5 \* \* \*" is invalid: .+, so CronJob report never runs$/);
  assert.ok(inRange(cause.confidence, 0.85, 0.95));
});

test('Webhook unavailable: the webhook, its Service without endpoints and failurePolicy', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('policy', { meta: { namespace: 'gatekeeper' } }));
  s.upsert('EndpointSlice', endpointSlice('policy', 0, 1, 'gatekeeper'));
  s.upsert(
    'ValidatingWebhookConfiguration',
    webhookConfig('gatekeeper', [
      {
        name: 'check.gatekeeper.sh',
        failurePolicy: 'Fail',
        service: { namespace: 'gatekeeper', name: 'policy', port: 443 },
      },
    ]),
  );
  const cause = diagnoseWith(webhookUnavailableDetector, s);
  assert.equal(cause.category, 'webhook');
  assert.equal(
    cause.summary,
    'admission webhook check.gatekeeper.sh (failurePolicy Fail) cannot answer: its Service gatekeeper/policy has no ready endpoints',
  );
  assert.ok(cause.fields.includes('webhooks[name=check.gatekeeper.sh].failurePolicy'));
  assert.deepEqual(cause.fixes[1]!.edits, [
    { path: 'webhooks[name=check.gatekeeper.sh].failurePolicy', value: 'Ignore', previous: 'Fail' },
  ]);
  assert.ok(cause.evidence.some((e) => e.source.kind === 'Service' && e.source.name === 'policy'));
  assert.ok(inRange(cause.confidence, 0.85, 0.95));
});
