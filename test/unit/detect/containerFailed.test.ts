import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFailedDetector } from '../../../src/core/detect/containerFailed';
import { crashLoopBackOffDetector } from '../../../src/core/detect/crashLoopBackOff';
import type { ContainerStatus } from '../../../src/core/model/resources';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  job,
  owner,
  pod,
  run,
  runningStatus,
  template,
} from './fixtures';
import { diagnoseWith } from '../diagnose/helpers';

const failedRun = { terminated: { reason: 'Error', exitCode: 3, finishedAt: ago(30) } };
const initBackOff: ContainerStatus = runningStatus({
  name: 'migrate',
  ready: false,
  started: false,
  restartCount: 3,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: failedRun,
});
const waitingMain: ContainerStatus = runningStatus({
  ready: false,
  started: false,
  state: { waiting: { reason: 'PodInitializing' } },
});
const initializing = [cond('PodScheduled', 'True'), cond('Initialized', 'False'), cond('Ready', 'False')];

test('init containers in back-off are ContainerFailed on the Deployment, not a crash loop', () => {
  const s = new ClusterSnapshot();
  const spec = template({
    labels: { app: 'web' },
    initContainers: [container({ name: 'migrate', command: ['./migrate'] })],
  });
  addApp(s, 'web', {
    replicas: 2,
    deployment: { template: spec, ready: 0 },
    pod: () => ({
      spec,
      phase: 'Pending',
      conditions: initializing,
      initContainerStatuses: [initBackOff],
      containerStatuses: [waitingMain],
    }),
  });
  assert.deepEqual(run(crashLoopBackOffDetector, s), []);
  const [f, ...rest] = run(containerFailedDetector, s);
  assert.deepEqual(rest, []);
  assert.deepEqual(
    [f!.workload.kind, f!.workload.name, f!.key, f!.severity],
    ['Deployment', 'web', 'migrate', 'critical'],
  );
  assert.match(
    f!.summary,
    /2 of 2 pods of web cannot initialize: init container migrate failed, Error \(exit 3\), 3 restarts/,
  );
  const cause = diagnoseWith(containerFailedDetector, s);
  assert.equal(cause.category, 'container-failed');
  assert.match(cause.summary, /init container migrate of Deployment web exited with code 3/);
  assert.deepEqual(cause.fields, [
    'spec.template.spec.initContainers[name=migrate].command',
    'spec.template.spec.initContainers[name=migrate].args',
  ]);
});

test('a sidecar that keeps failing, a bare Never pod that failed, and a Job retrying below its backoff limit', () => {
  const s = new ClusterSnapshot();
  const sidecarSpec = template({
    labels: { app: 'api' },
    initContainers: [container({ name: 'proxy', restartPolicy: 'Always' })],
  });
  addApp(s, 'api', {
    replicas: 1,
    deployment: { template: sidecarSpec },
    pod: () => ({
      spec: sidecarSpec,
      initContainerStatuses: [runningStatus({ name: 'proxy', restartCount: 4, lastState: failedRun })],
    }),
  });
  s.upsert(
    'Pod',
    pod('debug', {
      phase: 'Failed',
      spec: template({ restartPolicy: 'Never' }),
      containerStatuses: [
        runningStatus({ ready: false, state: { terminated: { reason: 'Error', exitCode: 2, finishedAt: ago(100) } } }),
      ],
    }),
  );
  const j = job('import', {
    active: 1,
    succeeded: 0,
    failed: 2,
    backoffLimit: 6,
    conditions: [],
    template: template({ restartPolicy: 'Never', containers: [container({ name: 'run' })] }),
  });
  s.upsert('Job', j);
  for (const n of ['a', 'b']) {
    s.upsert(
      'Pod',
      pod(`import-${n}`, {
        meta: { owners: [owner('Job', 'import', j.meta.uid)] },
        phase: 'Failed',
        spec: j.template,
        containerStatuses: [
          runningStatus({
            name: 'run',
            ready: false,
            state: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(60) } },
          }),
        ],
      }),
    );
  }
  const found = run(containerFailedDetector, s);
  const by = (kind: string) => found.find((f) => f.workload.kind === kind)!;
  assert.equal(found.length, 3, found.map((f) => f.summary).join('\n'));
  assert.match(by('Deployment').summary, /sidecar proxy keeps failing, Error \(exit 3\), 4 restarts/);
  assert.equal(by('Deployment').severity, 'warning', 'the app still serves');
  assert.match(by('Pod').summary, /pod debug failed \(restartPolicy Never\): container app Error \(exit 2\)/);
  assert.match(
    by('Job').summary,
    /Job import is retrying: 2 pods failed \(2 of backoffLimit 6\), container run Error \(exit 1\)/,
  );
  const retry = diagnoseWith(containerFailedDetector, s, undefined, (f) => f.workload.kind === 'Job');
  assert.ok(retry.fields.includes('spec.backoffLimit'));
  assert.match(retry.summary, /2 of backoffLimit 6 tries used/);
});

test('no incident: Evicted pods, Jobs that completed after a retry or gave up (JobFailed), old sidecar restarts, Deployment pods', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Pod',
    pod('evicted', {
      phase: 'Failed',
      reason: 'Evicted',
      containerStatuses: [runningStatus({ state: { terminated: { reason: 'Error', exitCode: 137 } } })],
    }),
  );
  const done = job('done', { failed: 1, succeeded: 1 });
  s.upsert('Job', done);
  s.upsert(
    'Pod',
    pod('done-a', {
      meta: { owners: [owner('Job', 'done', done.meta.uid)] },
      phase: 'Failed',
      containerStatuses: [runningStatus({ state: { terminated: { reason: 'Error', exitCode: 1 } } })],
    }),
  );
  const gaveUp = job('gaveup', {
    failed: 7,
    succeeded: 0,
    conditions: [cond('Failed', 'True', { reason: 'BackoffLimitExceeded' })],
  });
  s.upsert('Job', gaveUp);
  s.upsert(
    'Pod',
    pod('gaveup-a', {
      meta: { owners: [owner('Job', 'gaveup', gaveUp.meta.uid)] },
      phase: 'Failed',
      containerStatuses: [runningStatus({ state: { terminated: { reason: 'Error', exitCode: 1 } } })],
    }),
  );
  const sidecarSpec = template({ initContainers: [container({ name: 'proxy', restartPolicy: 'Always' })] });
  s.upsert(
    'Pod',
    pod('calm', {
      spec: sidecarSpec,
      initContainerStatuses: [
        runningStatus({
          name: 'proxy',
          restartCount: 1,
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(3 * 3600) } },
        }),
      ],
    }),
  );
  addApp(s, 'web', {
    replicas: 1,
    pod: () => ({
      phase: 'Failed',
      reason: 'NodeShutdown',
      containerStatuses: [runningStatus({ state: { terminated: { reason: 'Error', exitCode: 137 } } })],
    }),
  });
  const waitsForDb = template({ initContainers: [container({ name: 'wait-db' })] });
  s.upsert(
    'Pod',
    pod('starting', {
      spec: waitsForDb,
      phase: 'Pending',
      initContainerStatuses: [
        runningStatus({
          name: 'wait-db',
          ready: false,
          restartCount: 1,
          state: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(2) } },
          lastState: failedRun,
        }),
      ],
    }),
  );
  assert.deepEqual(
    run(containerFailedDetector, s).map((f) => f.summary),
    [],
  );
});
