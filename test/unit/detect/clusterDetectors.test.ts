import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceNoEndpointsDetector } from '../../../src/core/detect/serviceNoEndpoints';
import { pvcPendingDetector } from '../../../src/core/detect/pvcPending';
import { nodeNotReadyDetector } from '../../../src/core/detect/nodeNotReady';
import { nodePressureDetector } from '../../../src/core/detect/nodePressure';
import { hpaSaturatedDetector } from '../../../src/core/detect/hpaSaturated';
import { hpaMisconfiguredDetector } from '../../../src/core/detect/hpaMisconfigured';
import { jobFailedDetector } from '../../../src/core/detect/jobFailed';
import { cronJobSuspendedOrInvalidDetector } from '../../../src/core/detect/cronJobSuspendedOrInvalid';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  cronJob,
  endpointSlice,
  event,
  hpa,
  job,
  node,
  owner,
  pod,
  pvc,
  ref,
  run,
  runningStatus,
  service,
  template,
  workload,
} from './fixtures';

test('ServiceNoEndpoints: selector matching no pod and no workload', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web');
  s.upsert('Service', service('frontend', { selector: { app: 'frontnd' } }));
  s.upsert('EndpointSlice', endpointSlice('frontend', 0));
  const [f, ...rest] = run(serviceNoEndpointsDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(
    f!.summary,
    'Service frontend has no ready endpoints: no pod or workload matches its selector (app=frontnd)',
  );
  assert.ok(f!.evidence.some((e) => e.text === '0 pods match the selector, 0 ready'));
});

test('ServiceNoEndpoints: matching pods all not ready', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 2,
    pod: () => ({ conditions: [cond('Ready', 'False', { lastTransitionTime: ago(600) })] }),
  });
  const [f] = run(serviceNoEndpointsDetector, s);
  assert.equal(f!.summary, 'Service web has no ready endpoints: 2 matching pods are not ready (app=web)');
});

test('ServiceNoEndpoints: ready endpoints, a new service, ExternalName, headless without selector and scaled-to-zero backends are fine', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web');
  s.upsert('Service', service('fresh', { meta: { createdAt: ago(10) } }));
  s.upsert('EndpointSlice', endpointSlice('fresh', 0));
  s.upsert('Service', service('external', { type: 'ExternalName', selector: {} }));
  s.upsert('Service', service('manual', { selector: {} }));
  s.upsert('Deployment', workload('nightly', { desired: 0, ready: 0, updated: 0, available: 0 }));
  s.upsert('Service', service('nightly'));
  s.upsert('EndpointSlice', endpointSlice('nightly', 0));
  assert.deepEqual(run(serviceNoEndpointsDetector, s), []);
});

test('PVCPending: provisioning failure with storage class and the waiting pod', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'PersistentVolumeClaim',
    pvc('data-db-0', {
      phase: 'Pending',
      storageClassName: 'fast-ssd',
      volumeName: undefined,
      meta: { createdAt: ago(900) },
    }),
  );
  s.upsert(
    'Event',
    event(
      ref('PersistentVolumeClaim', 'data-db-0'),
      'ProvisioningFailed',
      'storageclass.storage.k8s.io "fast-ssd" not found',
      { count: 30 },
    ),
  );
  s.upsert(
    'Pod',
    pod('db-0', { phase: 'Pending', spec: template({ claimNames: ['data-db-0'] }), containerStatuses: [] }),
  );
  const [f, ...rest] = run(pvcPendingDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.equal(
    f!.summary,
    'PVC data-db-0 is Pending for 15m (storage class fast-ssd): storageclass.storage.k8s.io "fast-ssd" not found; 1 pod waiting for it',
  );
  assert.ok(f!.evidence.some((e) => e.field === 'spec.storageClassName' && e.text.includes('fast-ssd')));
});

test('PVCPending: bound claims, fresh claims and unused WaitForFirstConsumer claims are fine', () => {
  const s = new ClusterSnapshot();
  s.upsert('PersistentVolumeClaim', pvc('bound'));
  s.upsert('PersistentVolumeClaim', pvc('fresh', { phase: 'Pending', meta: { createdAt: ago(20) } }));
  s.upsert('PersistentVolumeClaim', pvc('later', { phase: 'Pending', meta: { createdAt: ago(3600) } }));
  s.upsert(
    'Event',
    event(
      ref('PersistentVolumeClaim', 'later'),
      'WaitForFirstConsumer',
      'waiting for first consumer to be created before binding',
      { type: 'Normal' },
    ),
  );
  assert.deepEqual(run(pvcPendingDetector, s), []);
});

test('NodeNotReady: condition reason, duration and pods on the node', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Node',
    node('node-2', {
      conditions: [
        cond('Ready', 'Unknown', {
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: ago(240),
        }),
      ],
    }),
  );
  s.upsert('Pod', pod('a', { nodeName: 'node-2' }));
  s.upsert('Pod', pod('b', { nodeName: 'node-2' }));
  s.upsert('Pod', pod('c', { nodeName: 'node-1' }));
  const [f, ...rest] = run(nodeNotReadyDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.summary, 'Node node-2 stopped reporting (Ready Unknown) for 4m (NodeStatusUnknown), 2 pods on it');
  assert.ok(f!.evidence.some((e) => e.reason === 'NodeStatusUnknown' && e.firstSeen === ago(240)));
});

test('NodeNotReady: Ready nodes and a heartbeat blip of a few seconds are fine', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-1'));
  s.upsert(
    'Node',
    node('node-3', { conditions: [cond('Ready', 'False', { reason: 'KubeletNotReady', lastTransitionTime: ago(5) })] }),
  );
  assert.deepEqual(run(nodeNotReadyDetector, s), []);
});

test('NodePressure: one finding per pressure condition', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Node',
    node('node-4', {
      conditions: [
        cond('Ready', 'True'),
        cond('MemoryPressure', 'True', {
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        }),
        cond('DiskPressure', 'True', { reason: 'KubeletHasDiskPressure' }),
        cond('PIDPressure', 'False'),
      ],
    }),
  );
  const findings = run(nodePressureDetector, s);
  assert.deepEqual(findings.map((f) => f.key).sort(), ['DiskPressure', 'MemoryPressure']);
  assert.ok(
    findings.some(
      (f) => f.summary === 'Node node-4 reports memory pressure: kubelet has insufficient memory available',
    ),
  );
});

test('NodePressure: nodes without pressure, or a node whose network comes up right after joining, are fine', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-1'));
  s.upsert(
    'Node',
    node('joining', {
      conditions: [
        cond('Ready', 'False', { lastTransitionTime: ago(6) }),
        cond('NetworkUnavailable', 'True', { reason: 'NoRouteCreated', lastTransitionTime: ago(6) }),
      ],
    }),
  );
  assert.deepEqual(run(nodePressureDetector, s), []);
});

test('HPASaturated: at max replicas with cpu far above target', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('api', {
      currentReplicas: 10,
      desiredReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          name: 'cpu',
          targetType: 'Utilization',
          targetAverageUtilization: 70,
          currentAverageUtilization: 145,
        },
      ],
      conditions: [
        cond('ScalingLimited', 'True', {
          reason: 'TooManyReplicas',
          message: 'the desired replica count is more than the maximum replica count',
        }),
      ],
    }),
  );
  const [f, ...rest] = run(hpaSaturatedDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(
    f!.summary,
    'Autoscaler api is at its maximum of 10 replicas for Deployment/api while cpu at 145% of requests (target 70%)',
  );
  assert.ok(f!.evidence.some((e) => e.reason === 'TooManyReplicas'));
});

test('HPASaturated: at max but under target (or within tolerance), or below max, is fine', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('calm', {
      currentReplicas: 10,
      metrics: [{ type: 'Resource', name: 'cpu', targetAverageUtilization: 70, currentAverageUtilization: 60 }],
    }),
  );
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('edge', {
      currentReplicas: 10,
      metrics: [{ type: 'Resource', name: 'cpu', targetAverageUtilization: 70, currentAverageUtilization: 74 }],
    }),
  );
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('busy', {
      currentReplicas: 6,
      metrics: [{ type: 'Resource', name: 'cpu', targetAverageUtilization: 70, currentAverageUtilization: 140 }],
    }),
  );
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('qps', {
      currentReplicas: 10,
      metrics: [{ type: 'Pods', name: 'http_requests', targetValue: '100', currentValue: '105' }],
    }),
  );
  assert.deepEqual(run(hpaSaturatedDetector, s), []);
});

test('HPAMisconfigured: failing metrics, missing target and missing requests', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', {
    deployment: {
      template: template({
        labels: { app: 'api' },
        containers: [container({ resources: { requests: { memory: '128Mi' }, limits: {} } })],
      }),
    },
  });
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('api', {
      conditions: [
        cond('AbleToScale', 'True'),
        cond('ScalingActive', 'False', {
          reason: 'FailedGetResourceMetric',
          message:
            'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app',
          lastTransitionTime: ago(900),
        }),
      ],
    }),
  );
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('ghost', { target: { kind: 'Deployment', name: 'gone', apiVersion: 'apps/v1' } }),
  );
  const findings = run(hpaMisconfiguredDetector, s).sort((a, b) => a.workload.name.localeCompare(b.workload.name));
  assert.equal(findings.length, 2);
  assert.equal(
    findings[0]!.summary,
    'Autoscaler api for Deployment/api cannot scale: FailedGetResourceMetric: the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app (+1 more)',
  );
  assert.ok(
    findings[0]!.evidence.some((e) => e.field === 'spec.template.spec.containers[name=app].resources.requests.cpu'),
  );
  assert.equal(
    findings[1]!.summary,
    'Autoscaler ghost for Deployment/gone cannot scale: target Deployment/gone does not exist',
  );
});

test('HPAMisconfigured: a healthy HPA, a brand-new one without metrics yet, and one disabled by scale-to-zero are fine', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api');
  s.upsert('HorizontalPodAutoscaler', hpa('api'));
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('new', {
      target: { kind: 'Deployment', name: 'api', apiVersion: 'apps/v1' },
      meta: { createdAt: ago(30) },
      conditions: [cond('ScalingActive', 'False', { reason: 'FailedGetResourceMetric', lastTransitionTime: ago(30) })],
    }),
  );
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('off', {
      target: { kind: 'Deployment', name: 'api', apiVersion: 'apps/v1' },
      conditions: [cond('ScalingActive', 'False', { reason: 'ScalingDisabled', lastTransitionTime: ago(900) })],
    }),
  );
  assert.deepEqual(run(hpaMisconfiguredDetector, s), []);
});

test('JobFailed: backoff limit exceeded, with the last exit code', () => {
  const s = new ClusterSnapshot();
  const j = job('migrate', {
    succeeded: 0,
    failed: 7,
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
    pod('migrate-x', {
      phase: 'Failed',
      meta: { owners: [owner('Job', 'migrate', j.meta.uid)] },
      containerStatuses: [
        runningStatus({
          name: 'migrate',
          ready: false,
          state: { terminated: { reason: 'Error', exitCode: 3, finishedAt: ago(100) } },
        }),
      ],
    }),
  );
  const [f, ...rest] = run(jobFailedDetector, s);
  assert.equal(rest.length, 0);
  assert.equal(f!.severity, 'critical');
  assert.equal(
    f!.summary,
    'Job migrate failed: BackoffLimitExceeded (Job has reached the specified backoff limit), 7 failed pods, last container migrate exited Error code 3',
  );
});

test('JobFailed: a CronJob failure is reported on the CronJob only while it is the latest run', () => {
  const s = new ClusterSnapshot();
  const cj = cronJob('report');
  s.upsert('CronJob', cj);
  const failedRun = job('report-100', {
    startTime: ago(600),
    meta: { owners: [owner('CronJob', 'report', cj.meta.uid)] },
    succeeded: 0,
    failed: 1,
    conditions: [cond('Failed', 'True', { reason: 'DeadlineExceeded' })],
  });
  s.upsert('Job', failedRun);
  const [f] = run(jobFailedDetector, s);
  assert.deepEqual([f!.workload.kind, f!.workload.name], ['CronJob', 'report']);
  s.upsert(
    'Job',
    job('report-200', { startTime: ago(60), meta: { owners: [owner('CronJob', 'report', cj.meta.uid)] } }),
  );
  assert.deepEqual(run(jobFailedDetector, s), []);
});

test('JobFailed: completed and running jobs are fine', () => {
  const s = new ClusterSnapshot();
  s.upsert('Job', job('done'));
  s.upsert('Job', job('running', { active: 1, succeeded: 0, conditions: [], completionTime: undefined }));
  assert.deepEqual(run(jobFailedDetector, s), []);
});

test('CronJobSuspendedOrInvalid: suspended is info, a bad schedule or time zone a warning', () => {
  const s = new ClusterSnapshot();
  s.upsert('CronJob', cronJob('paused', { suspend: true }));
  s.upsert('CronJob', cronJob('broken', { schedule: '0 25 * * *' }));
  s.upsert('CronJob', cronJob('zoned', { timeZone: 'Mars/Olympus' }));
  const findings = run(cronJobSuspendedOrInvalidDetector, s);
  const by = (name: string) => findings.find((f) => f.workload.name === name)!;
  assert.equal(findings.length, 3);
  assert.deepEqual([by('paused').severity, by('paused').key], ['info', 'suspended']);
  assert.deepEqual([by('broken').severity, by('broken').key], ['warning', 'schedule']);
  assert.match(by('broken').summary, /invalid schedule "0 25 \* \* \*": "25" is not a valid hour/);
  assert.deepEqual([by('zoned').severity, by('zoned').key], ['warning', 'timeZone']);
});

test('CronJobSuspendedOrInvalid: valid schedules of every form are fine', () => {
  const s = new ClusterSnapshot();
  for (const [i, schedule] of [
    '@hourly',
    '0 3 * * MON-FRI',
    'CRON_TZ=Europe/Berlin 30 2 1 * *',
    '*/15 8-18 * jan,jul ?',
    '@every 1h30m',
  ].entries()) {
    s.upsert('CronJob', cronJob(`ok-${i}`, { schedule, timeZone: i === 0 ? 'America/New_York' : undefined }));
  }
  assert.deepEqual(run(cronJobSuspendedOrInvalidDetector, s), []);
});
