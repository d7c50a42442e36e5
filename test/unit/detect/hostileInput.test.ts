import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectAll } from '../../../src/core/detect/detectors';
import { IncidentTracker } from '../../../src/core/detect/incidentTracker';
import { MAX_TEXT } from '../../../src/core/detect/support';
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
  pvc,
  ref,
  runningStatus,
  service,
  template,
} from './fixtures';

const HOSTILE = [
  'quote"\'`name',
  'line\nbreak\r\nand\ttab',
  '**bold** [link](https://evil.example) <script>alert(1)</script>',
  '$(alert) $(sync~spin) ${env:HOME}',
  '.*+?^${}()|[]\\ (a+)+$',
  '\u202eevil\u0000nul\u2028sep',
  'x'.repeat(10_000),
];

test('hostile names and messages do not break detection, and text stays bounded and on one line', () => {
  const s = new ClusterSnapshot();
  s.upsert('Node', node('node-1'));
  HOSTILE.forEach((text, i) => {
    const ns = `ns${i}`;
    const name = `app-${i}-${text}`;
    const app = addApp(s, name, {
      namespace: ns,
      replicas: 2,
      rs: { desired: 3 },
      deployment: {
        ready: 0,
        available: 0,
        conditions: [
          cond('Available', 'False', { reason: text, message: text, lastTransitionTime: ago(600) }),
          cond('Progressing', 'False', { reason: 'ProgressDeadlineExceeded', message: text }),
        ],
      },
      pod: () => ({
        conditions: [cond('Ready', 'False', { lastTransitionTime: ago(600) })],
        spec: template({
          labels: { app: name },
          containers: [container({ name: text, image: text, resources: { requests: {}, limits: { memory: text } } })],
        }),
        containerStatuses: [
          runningStatus({
            name: text,
            ready: false,
            restartCount: 9,
            image: text,
            state: { waiting: { reason: 'CrashLoopBackOff', message: text } },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, message: text, finishedAt: ago(30) } },
          }),
        ],
      }),
    });
    s.upsert(
      'Event',
      event({ kind: 'Pod', namespace: ns, name: app.pods[0]!.meta.name }, 'BackOff', text, { count: 3 }),
    );
    s.upsert(
      'Event',
      event(
        { kind: 'ReplicaSet', namespace: ns, name: app.rs.meta.name },
        'FailedCreate',
        `exceeded quota: ${text}, failed calling webhook "${text}"`,
      ),
    );
    s.upsert('Service', service(`svc-${text}`, { meta: { namespace: ns }, selector: { app: text } }));
    s.upsert('EndpointSlice', endpointSlice(`svc-${text}`, 0, 0, ns));
    s.upsert(
      'PersistentVolumeClaim',
      pvc(`pvc-${i}`, { phase: 'Pending', storageClassName: text, meta: { namespace: ns, createdAt: ago(900) } }),
    );
    s.upsert('Event', event(ref('PersistentVolumeClaim', `pvc-${i}`, ns), 'ProvisioningFailed', text));
    s.upsert(
      'Node',
      node(`node-${text}`, {
        conditions: [
          cond('Ready', 'False', { reason: text, message: text, lastTransitionTime: ago(600) }),
          cond('MemoryPressure', 'True', { message: text }),
        ],
      }),
    );
    s.upsert(
      'HorizontalPodAutoscaler',
      hpa(`hpa-${i}`, {
        meta: { namespace: ns },
        target: { kind: 'Deployment', name: text, apiVersion: 'apps/v1' },
        currentReplicas: 10,
        metrics: [{ type: 'Pods', name: text, targetValue: text, currentValue: text }],
        conditions: [cond('ScalingActive', 'False', { reason: text, message: text, lastTransitionTime: ago(900) })],
      }),
    );
    s.upsert(
      'Job',
      job(`job-${i}`, {
        meta: { namespace: ns },
        conditions: [cond('Failed', 'True', { reason: text, message: text })],
      }),
    );
    s.upsert(
      'CronJob',
      cronJob(`cron-${i}`, { meta: { namespace: ns }, schedule: text, timeZone: text, suspend: true }),
    );
  });
  const result = detectAll(ctx(s));
  assert.deepEqual(result.errors, []);
  assert.ok(result.findings.length > HOSTILE.length * 8, `found ${result.findings.length}`);
  const types = new Set(result.findings.map((f) => f.type));
  for (const t of [
    'CrashLoopBackOff',
    'OOMKilled',
    'RolloutStuck',
    'ServiceNoEndpoints',
    'PVCPending',
    'NodeNotReady',
    'HPAMisconfigured',
    'JobFailed',
    'CronJobSuspendedOrInvalid',
    'QuotaExceeded',
    'WebhookUnavailable',
  ]) {
    assert.ok(types.has(t as never), `missing ${t}`);
  }
  for (const f of result.findings) {
    assert.ok(f.summary.length <= 400, `${f.type} summary has ${f.summary.length} chars`);
    assert.doesNotMatch(f.summary, /[\n\r\u2028\u0000]/, `${f.type} summary spans lines`);
    for (const e of f.evidence) {
      assert.ok(e.text.length <= MAX_TEXT, `${f.type} evidence has ${e.text.length} chars`);
      assert.ok((e.field ?? '').length <= 300, `${f.type} field path has ${(e.field ?? '').length} chars`);
    }
  }
  const tracker = new IncidentTracker();
  const { opened } = tracker.reconcile(result.findings, new Date());
  assert.equal(new Set(opened.map((i) => i.id)).size, opened.length);
  assert.equal(IncidentTracker.fromJSON(JSON.parse(JSON.stringify(tracker))).all().length, opened.length);
});

test('quota and webhook names with odd characters are not trusted as names', () => {
  const s = new ClusterSnapshot();
  const app = addApp(s, 'batch', { replicas: 1, rs: { desired: 3 } });
  s.upsert(
    'Event',
    event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', 'forbidden: exceeded quota: (a+)+$, requested: pods=1'),
  );
  const result = detectAll(ctx(s));
  const quotaFinding = result.findings.find((f) => f.type === 'QuotaExceeded');
  assert.ok(quotaFinding);
  assert.equal(quotaFinding.key, undefined);
});
