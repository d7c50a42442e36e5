import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import { oomKilledDetector } from '../../../src/core/detect/oomKilled';
import { imagePullBackOffDetector } from '../../../src/core/detect/imagePullBackOff';
import { createContainerConfigErrorDetector } from '../../../src/core/detect/createContainerConfigError';
import { unschedulableDetector } from '../../../src/core/detect/unschedulable';
import { evictedDetector } from '../../../src/core/detect/evicted';
import { readinessProbeFailingDetector } from '../../../src/core/detect/readinessProbeFailing';
import {
  ClusterSnapshot,
  READY_CONDITIONS,
  addApp,
  ago,
  cond,
  container,
  event,
  pod,
  ref,
  run,
  runningStatus,
  template,
} from './fixtures';

const crashing = (restarts: number) =>
  runningStatus({
    ready: false,
    restartCount: restarts,
    state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=app' } },
    lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(40) } },
  });
const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
];

test('CrashLoopBackOff: one finding per workload and container, with exit reason, restarts and BackOff events', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'checkout', {
    pod: (i) => (i < 2 ? { containerStatuses: [crashing(i === 0 ? 5 : 3)], conditions: notReady } : {}),
  });
  s.upsert(
    'Event',
    event(ref('Pod', app.pods[0]!.meta.name), 'BackOff', 'Back-off restarting failed container app in pod', {
      count: 12,
    }),
  );
  const findings = run(crashLoopBackOffDetector, s);
  assert.equal(findings.length, 1);
  const f = findings[0]!;
  assert.equal(f.severity, 'critical');
  assert.deepEqual([f.workload.kind, f.workload.name, f.key], ['Deployment', 'checkout', 'app']);
  assert.equal(
    f.summary,
    '2 of 3 pods of checkout restart in a loop: container app was OOMKilled (exit 137), 5 restarts',
  );
  assert.ok(
    f.evidence.some(
      (e) => e.field === 'status.containerStatuses[name=app].lastState.terminated.reason' && e.reason === 'OOMKilled',
    ),
  );
  assert.ok(f.evidence.some((e) => e.kind === 'event' && e.reason === 'BackOff' && e.count === 12));
  assert.ok(f.evidence.some((e) => e.kind === 'status' && e.count === 2 && e.text.startsWith('2 pods')));
});

test('CrashLoopBackOff: a single crashing pod of a bare Pod or a one-replica workload reads naturally', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'worker', { replicas: 1, pod: () => ({ containerStatuses: [crashing(2)] }) });
  s.upsert('Pod', pod('debug', { containerStatuses: [crashing(1)] }));
  const summaries = run(crashLoopBackOffDetector, s)
    .map((f) => f.summary)
    .sort();
  assert.deepEqual(summaries, [
    'pod debug restarts in a loop: container app was OOMKilled (exit 137), 1 restart',
    'the pod of worker restarts in a loop: container app was OOMKilled (exit 137), 2 restarts',
  ]);
});

test('CrashLoopBackOff: a container restarted once and running again is not an incident', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'checkout', {
    pod: () => ({
      containerStatuses: [
        runningStatus({
          restartCount: 1,
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(3000) } },
        }),
      ],
    }),
  });
  assert.deepEqual(run(crashLoopBackOffDetector, s), []);
});

test('OOMKilled: reported with the memory limit from the container spec', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'checkout', {
    pod: (i) =>
      i === 0
        ? {
            containerStatuses: [crashing(5)],
            conditions: notReady,
            spec: template({
              labels: { app: 'checkout' },
              containers: [container({ resources: { requests: { memory: '200Mi' }, limits: { memory: '300Mi' } } })],
            }),
          }
        : {},
  });
  const [f, ...rest] = run(oomKilledDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.key, 'app');
  assert.match(f!.summary, /OOMKilled \(exit 137, memory limit 300Mi\)/);
  assert.ok(
    f!.evidence.some(
      (e) => e.field === 'spec.containers[name=app].resources.limits.memory' && e.text === 'memory limit 300Mi',
    ),
  );
});

test('OOMKilled: an old OOM kill on a container that has been healthy since is history', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'checkout', {
    pod: () => ({
      containerStatuses: [
        runningStatus({
          restartCount: 1,
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(3 * 3600) } },
        }),
      ],
    }),
  });
  assert.deepEqual(run(oomKilledDetector, s), []);
});

test('ImagePullBackOff: image, reason and the Failed event message', () => {
  const s = new ClusterSnapshot();
  const bad = 'registry.example.com/shop/app:1.1-typo';
  const app = addApp(s, 'web', {
    replicas: 2,
    pod: () => ({
      phase: 'Pending',
      conditions: notReady,
      spec: template({ labels: { app: 'web' }, containers: [container({ image: bad })] }),
      containerStatuses: [
        runningStatus({
          ready: false,
          image: bad,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${bad}"` } },
        }),
      ],
    }),
  });
  s.upsert(
    'Event',
    event(ref('Pod', app.pods[1]!.meta.name), 'Failed', `Failed to pull image "${bad}": not found`, { count: 4 }),
  );
  const findings = run(imagePullBackOffDetector, s);
  assert.equal(findings.length, 1);
  assert.equal(
    findings[0]!.summary,
    `2 of 2 pods of web cannot pull image ${bad} for container app (ImagePullBackOff)`,
  );
  assert.ok(findings[0]!.evidence.some((e) => e.kind === 'event' && e.text.includes('not found')));
  assert.ok(findings[0]!.evidence.some((e) => e.field === 'spec.containers[name=app].image'));
});

test('ImagePullBackOff: a pod still creating its container, or a first ErrImagePull within a minute, is not reported', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 2,
    pod: (i) => ({
      phase: 'Pending',
      meta: { createdAt: ago(15) },
      conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False', { lastTransitionTime: ago(15) })],
      containerStatuses: [
        runningStatus({ ready: false, state: { waiting: { reason: i === 0 ? 'ContainerCreating' : 'ErrImagePull' } } }),
      ],
    }),
  });
  assert.deepEqual(run(imagePullBackOffDetector, s), []);
});

test('CreateContainerConfigError: the missing secret message and the referenced objects', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', {
    replicas: 1,
    pod: () => ({
      phase: 'Pending',
      meta: { createdAt: ago(120) },
      conditions: notReady,
      spec: template({
        labels: { app: 'api' },
        containers: [container({ configRefs: [{ kind: 'Secret', name: 'db-credentials', optional: false }] })],
      }),
      containerStatuses: [
        runningStatus({
          ready: false,
          state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db-credentials" not found' } },
        }),
      ],
    }),
  });
  const [f] = run(createContainerConfigErrorDetector, s);
  assert.equal(f!.summary, 'the pod of api cannot start container app: secret "db-credentials" not found');
  assert.equal(f!.severity, 'critical');
  assert.ok(f!.evidence.some((e) => e.text.includes('Secret db-credentials')));
});

test('CreateContainerConfigError: not reported in the first seconds while objects are still being applied', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', {
    replicas: 1,
    pod: () => ({
      phase: 'Pending',
      meta: { createdAt: ago(5) },
      containerStatuses: [
        runningStatus({
          ready: false,
          state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "x" not found' } },
        }),
      ],
    }),
  });
  assert.deepEqual(run(createContainerConfigErrorDetector, s), []);
});

test('Unschedulable: scheduler message from the condition and FailedScheduling events; critical with none ready', () => {
  const s = new ClusterSnapshot();
  const msg =
    '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
  const app = addApp(s, 'search', {
    replicas: 2,
    deployment: { ready: 0, available: 0 },
    pod: () => ({
      phase: 'Pending',
      nodeName: undefined,
      conditions: [
        cond('PodScheduled', 'False', { reason: 'Unschedulable', message: msg, lastTransitionTime: ago(300) }),
      ],
      containerStatuses: [],
    }),
  });
  s.upsert('Event', event(ref('Pod', app.pods[0]!.meta.name), 'FailedScheduling', msg, { count: 7 }));
  const [f, ...rest] = run(unschedulableDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.ok(
    f!.summary.startsWith('2 of 2 pods of search cannot be scheduled and none is ready: 0/3 nodes are available'),
  );
  assert.ok(f!.evidence.some((e) => e.kind === 'scheduler' && e.reason === 'FailedScheduling' && e.count === 7));
  assert.ok(f!.evidence.some((e) => e.kind === 'scheduler' && e.field === 'status.conditions[type=PodScheduled]'));
});

test('Unschedulable: a pod pending for a few seconds is not reported', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'search', {
    replicas: 1,
    pod: () => ({
      phase: 'Pending',
      nodeName: undefined,
      meta: { createdAt: ago(5) },
      conditions: [
        cond('PodScheduled', 'False', { reason: 'Unschedulable', message: 'waiting', lastTransitionTime: ago(5) }),
      ],
      containerStatuses: [],
    }),
  });
  assert.deepEqual(run(unschedulableDetector, s), []);
});

test('Evicted: grouped per workload with the kubelet message', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'cache', {
    pod: (i) =>
      i === 0
        ? {
            phase: 'Failed',
            reason: 'Evicted',
            message: 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi.',
            conditions: [cond('Ready', 'False', { lastTransitionTime: ago(900) })],
            containerStatuses: [],
          }
        : {},
  });
  const [f, ...rest] = run(evictedDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.workload.name, 'cache');
  assert.equal(f!.severity, 'warning');
  assert.match(f!.summary, /^1 pod of cache was evicted from node node-1: The node was low on resource: memory/);
});

test('Evicted: a pod that failed for another reason, or an eviction days ago, is not an eviction incident', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'cache', {
    pod: (i) =>
      i === 0
        ? {
            phase: 'Failed',
            reason: 'Evicted',
            message: 'old',
            conditions: [cond('Ready', 'False', { lastTransitionTime: ago(3 * 86400) })],
            startTime: ago(4 * 86400),
          }
        : i === 1
          ? { phase: 'Failed', reason: 'Error' }
          : {},
  });
  assert.deepEqual(run(evictedDetector, s), []);
});

const probe = {
  type: 'httpGet' as const,
  target: 'HTTP GET :8080/ready',
  initialDelaySeconds: 10,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
};

test('ReadinessProbeFailing: running but not ready well past the probe budget, with Unhealthy events', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'api', {
    replicas: 2,
    pod: () => ({
      conditions: notReady,
      spec: template({ labels: { app: 'api' }, containers: [container({ readinessProbe: probe })] }),
      containerStatuses: [runningStatus({ ready: false, state: { running: { startedAt: ago(600) } } })],
    }),
  });
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
      { count: 60 },
    ),
  );
  const [f, ...rest] = run(readinessProbeFailingDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.key, 'app');
  assert.match(
    f!.summary,
    /^2 of 2 pods of api are not ready: readiness probe HTTP GET :8080\/ready of container app failing for 10m$/,
  );
  assert.ok(f!.evidence.some((e) => e.kind === 'event' && e.text.includes('statuscode: 503')));
});

test('ReadinessProbeFailing: a container within its initial delay and first periods is just starting', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', {
    replicas: 1,
    pod: () => ({
      meta: { createdAt: ago(40) },
      conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False', { lastTransitionTime: ago(40) })],
      spec: template({ labels: { app: 'api' }, containers: [container({ readinessProbe: probe })] }),
      containerStatuses: [runningStatus({ ready: false, state: { running: { startedAt: ago(35) } } })],
    }),
  });
  addApp(s, 'ok', {
    pod: () => ({
      conditions: READY_CONDITIONS,
      spec: template({ labels: { app: 'ok' }, containers: [container({ readinessProbe: probe })] }),
    }),
  });
  assert.deepEqual(run(readinessProbeFailingDetector, s), []);
});
