import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readinessProbeFailingDetector } from '../../../src/core/detect/readinessProbeFailing';
import { serviceNoEndpointsDetector } from '../../../src/core/detect/serviceNoEndpoints';
import { pvcPendingDetector } from '../../../src/core/detect/pvcPending';
import { hpaSaturatedDetector } from '../../../src/core/detect/hpaSaturated';
import { hpaMisconfiguredDetector } from '../../../src/core/detect/hpaMisconfigured';
import { UsageHistory } from '../../../src/core/model/usageHistory';
import { fixTarget, strategicMergePatch } from '../../../src/core/diagnose/fixes';
import {
  ClusterSnapshot,
  NOW,
  addApp,
  ago,
  cond,
  container,
  endpointSlice,
  event,
  hpa,
  pvc,
  ref,
  runningStatus,
  service,
  template,
} from '../detect/fixtures';
import { diagnoseWith, incidentOf, inRange } from './helpers';

const probe = {
  type: 'httpGet' as const,
  target: 'HTTP GET :8080/ready',
  initialDelaySeconds: 5,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
};
const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
];

test('Readiness: a 404 from the probe path', () => {
  const s = new ClusterSnapshot();
  const spec = template({ labels: { app: 'web' }, containers: [container({ readinessProbe: probe })] });
  const app = addApp(s, 'web', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, conditions: notReady, containerStatuses: [runningStatus({ ready: false })] }),
  });
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 404',
      { count: 40 },
    ),
  );
  const cause = diagnoseWith(readinessProbeFailingDetector, s);
  assert.equal(cause.category, 'readiness-probe');
  assert.equal(
    cause.summary,
    'readiness probe HTTP GET :8080/ready gets HTTP 404: the probed path does not exist in app',
  );
  assert.deepEqual(cause.fields, [
    'spec.template.spec.containers[name=app].readinessProbe.httpGet.path',
    'spec.template.spec.containers[name=app].readinessProbe',
  ]);
  assert.ok(cause.evidence.some((e) => e.kind === 'event' && e.reason === 'Unhealthy'));
  assert.ok(
    cause.evidence.some(
      (e) => e.kind === 'spec' && e.field === 'spec.template.spec.containers[name=app].readinessProbe',
    ),
  );
});

test('Readiness: a timeout proposes a longer probe timeout', () => {
  const s = new ClusterSnapshot();
  const spec = template({ labels: { app: 'web' }, containers: [container({ readinessProbe: probe })] });
  const app = addApp(s, 'web', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({ spec, conditions: notReady, containerStatuses: [runningStatus({ ready: false })] }),
  });
  s.upsert(
    'Event',
    event(
      ref('Pod', app.pods[0]!.meta.name),
      'Unhealthy',
      'Readiness probe failed: Get "http://10.0.0.7:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
    ),
  );
  const cause = diagnoseWith(readinessProbeFailingDetector, s);
  assert.equal(cause.summary, 'readiness probe HTTP GET :8080/ready times out after 1s');
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=app].readinessProbe.timeoutSeconds', value: 5, previous: 1 },
  ]);
});

test('Service without endpoints: selector vs the nearest pod labels, with an edit to the value the pods carry', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 2,
    service: false,
    pod: () => ({ meta: { labels: { 'app.kubernetes.io/name': 'web', tier: 'frontend' } } }),
  });
  s.upsert('Service', service('web', { selector: { 'app.kubernetes.io/name': 'web-frontend', tier: 'frontend' } }));
  s.upsert('EndpointSlice', endpointSlice('web', 0));
  const cause = diagnoseWith(serviceNoEndpointsDetector, s);
  assert.equal(cause.category, 'selector-mismatch');
  assert.equal(
    cause.summary,
    'selector app.kubernetes.io/name=web-frontend,tier=frontend matches no pod: app.kubernetes.io/name=web-frontend but the pods have app.kubernetes.io/name=web',
  );
  assert.deepEqual(cause.fields, ["spec.selector['app.kubernetes.io/name']", 'spec.selector']);
  const edits = cause.fixes[0]!.edits!;
  assert.deepEqual(edits, [
    { path: "spec.selector['app.kubernetes.io/name']", value: 'web', previous: 'web-frontend' },
  ]);
  assert.deepEqual(strategicMergePatch(edits), { spec: { selector: { 'app.kubernetes.io/name': 'web' } } });
  assert.ok(cause.evidence.some((e) => e.kind === 'spec' && e.field === 'spec.selector'));
  assert.ok(inRange(cause.confidence, 0.8, 0.9));
});

test('Service without endpoints: matching pods that are not ready hand over to their workload cause, with fixes on that workload', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'api', {
    replicas: 1,
    service: false,
    deployment: { ready: 0 },
    pod: () => ({
      conditions: notReady,
      containerStatuses: [
        runningStatus({
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(20) } },
        }),
      ],
    }),
  });
  s.upsert('Service', service('api'));
  s.upsert('EndpointSlice', endpointSlice('api', 0, 1));
  const incident = incidentOf(serviceNoEndpointsDetector, s);
  const cause = diagnoseWith(serviceNoEndpointsDetector, s);
  assert.equal(cause.category, 'memory-limit');
  assert.match(
    cause.summary,
    /^the selector matches 1 pod\(s\) of Deployment api, none ready: memory limit 256Mi is below/,
  );
  assert.deepEqual(cause.fields, []);
  const fix = cause.fixes[0]!;
  assert.deepEqual(fixTarget(fix, incident), {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'api',
    uid: app.deployment.uid,
  });
  assert.equal(fix.edits![0]!.path, 'spec.template.spec.containers[name=app].resources.limits.memory');
});

test('PVC pending: a storage class that does not exist, with a class that binds other claims', () => {
  const s = new ClusterSnapshot();
  s.upsert('PersistentVolumeClaim', pvc('data', { phase: 'Pending', storageClassName: 'fast', volumeName: undefined }));
  s.upsert('PersistentVolumeClaim', pvc('logs', { phase: 'Bound', storageClassName: 'standard' }));
  s.upsert(
    'Event',
    event(ref('PersistentVolumeClaim', 'data'), 'ProvisioningFailed', 'storageclass.storage.k8s.io "fast" not found', {
      count: 12,
    }),
  );
  const cause = diagnoseWith(pvcPendingDetector, s);
  assert.equal(cause.category, 'storage-class');
  assert.equal(cause.summary, 'storage class fast does not exist, so no volume is provisioned for data');
  assert.deepEqual(cause.fields, ['spec.storageClassName']);
  assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.storageClassName', value: 'standard', previous: 'fast' }]);
  assert.ok(cause.evidence.some((e) => e.kind === 'event' && e.reason === 'ProvisioningFailed'));
});

test('HPA saturated: maxReplicas against the replicas the metric asks for', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', { replicas: 5 });
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('api', {
      maxReplicas: 5,
      currentReplicas: 5,
      desiredReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          name: 'cpu',
          targetType: 'Utilization',
          targetAverageUtilization: 70,
          currentAverageUtilization: 140,
        },
      ],
    }),
  );
  const cause = diagnoseWith(hpaSaturatedDetector, s);
  assert.equal(cause.category, 'hpa-capacity');
  assert.equal(cause.summary, 'demand needs ~10 replicas (cpu at 140% of requests (target 70%)) but maxReplicas is 5');
  assert.deepEqual(cause.fields, ['spec.maxReplicas']);
  assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.maxReplicas', value: 10, previous: 5 }]);
  assert.ok(inRange(cause.confidence, 0.75, 0.85));
});

test('HPA misconfigured: a missing cpu request is proposed from usage, on the target Deployment', () => {
  const s = new ClusterSnapshot();
  const spec = template({
    labels: { app: 'api' },
    containers: [container({ resources: { requests: { memory: '128Mi' }, limits: {} } })],
  });
  const app = addApp(s, 'api', { deployment: { template: spec } });
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('api', {
      conditions: [
        cond('ScalingActive', 'False', { reason: 'FailedGetResourceMetric', message: 'missing request for cpu' }),
      ],
    }),
  );
  const usage = new UsageHistory();
  for (let i = 0; i < 30; i++)
    usage.add('Deployment', 'shop', 'api', 'app', {
      t: NOW.getTime() / 1000 - i * 60,
      cpu: 0.2,
      memory: 100 * 1024 * 1024,
      pod: 'p',
    });
  const incident = incidentOf(hpaMisconfiguredDetector, s);
  const cause = diagnoseWith(hpaMisconfiguredDetector, s, usage);
  assert.equal(cause.category, 'hpa-config');
  assert.equal(cause.summary, 'cpu utilization target 70% cannot be computed: container app of api has no cpu request');
  const fix = cause.fixes[0]!;
  assert.deepEqual(fix.edits, [
    { path: 'spec.template.spec.containers[name=app].resources.requests.cpu', value: '230m' },
  ]);
  assert.equal(fixTarget(fix, incident).kind, 'Deployment');
  assert.equal(fixTarget(fix, incident).uid, app.deployment.uid);
  assert.match(fix.summary, /from its usage$/);
});

test('HPA misconfigured: a scale target that does not exist, with the close name proposed', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'checkout');
  s.upsert(
    'HorizontalPodAutoscaler',
    hpa('checkout', { target: { kind: 'Deployment', name: 'chekout', apiVersion: 'apps/v1' } }),
  );
  const cause = diagnoseWith(hpaMisconfiguredDetector, s);
  assert.equal(cause.summary, 'scale target Deployment chekout does not exist (did you mean checkout?)');
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.scaleTargetRef.name', value: 'checkout', previous: 'chekout' },
  ]);
});
