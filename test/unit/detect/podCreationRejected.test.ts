import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podCreationRejectedDetector, rejectionFrom } from '../../../src/core/detect/podCreationRejected';
import { quotaExceededDetector } from '../../../src/core/detect/quotaExceeded';
import {
  ClusterSnapshot,
  addApp,
  ago,
  cond,
  container,
  event,
  job,
  meta,
  ref,
  run,
  template,
  workload,
} from './fixtures';
import { diagnoseWith } from '../diagnose/helpers';

const PSS =
  'Error creating: pods "web-5d9f-x2x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "main" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "main" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "main" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

/** A Deployment whose ReplicaSet cannot create any pod, with FailedCreate events on the ReplicaSet. */
function rejectedApp(
  s: ClusterSnapshot,
  message: string,
  opts: { firstSeen?: number; count?: number; containers?: ReturnType<typeof container>[] } = {},
) {
  const spec = template({ labels: { app: 'web' }, containers: opts.containers ?? [container({ name: 'main' })] });
  const app = addApp(s, 'web', {
    replicas: 0,
    service: false,
    deployment: {
      template: spec,
      desired: 2,
      ready: 0,
      available: 0,
      conditions: [
        cond('ReplicaFailure', 'True', {
          reason: 'FailedCreate',
          message: message.replace(/^Error creating: /, ''),
          lastTransitionTime: ago(opts.firstSeen ?? 120),
        }),
      ],
    },
    rs: { desired: 2, ready: 0, available: 0, template: spec },
  });
  s.upsert(
    'Event',
    event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', message, {
      count: opts.count ?? 6,
      firstSeen: ago(opts.firstSeen ?? 120),
      lastSeen: ago(5),
    }),
  );
  return app;
}

test('reads Pod Security, policy, webhook, LimitRange, ServiceAccount and validation messages', () => {
  const pss = rejectionFrom(PSS);
  assert.equal(pss.by, 'pod-security');
  assert.equal(pss.by === 'pod-security' && pss.violations.length, 4);
  assert.deepEqual(
    rejectionFrom(
      `pods "x" is forbidden: ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest-binding' denied request: images must be pinned`,
    ),
    { by: 'policy', policy: 'no-latest', binding: 'no-latest-binding', message: 'images must be pinned' },
  );
  assert.deepEqual(
    rejectionFrom(
      'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: resource Pod/shop/x was blocked',
    ),
    { by: 'webhook', webhook: 'validate.kyverno.svc-fail', message: 'resource Pod/shop/x was blocked' },
  );
  assert.deepEqual(
    rejectionFrom(
      'Error creating: pods "x" is forbidden: [maximum memory usage per Container is 1Gi, but limit is 2Gi, minimum cpu usage per Container is 100m, but request is 50m]',
    ),
    {
      by: 'limit-range',
      violations: [
        { bound: 'maximum', resource: 'memory', scope: 'Container', allowed: '1Gi', what: 'limit', actual: '2Gi' },
        { bound: 'minimum', resource: 'cpu', scope: 'Container', allowed: '100m', what: 'request', actual: '50m' },
      ],
    },
  );
  assert.deepEqual(
    rejectionFrom(
      'create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: error looking up service account shop/db: serviceaccount "db" not found',
    ),
    { by: 'service-account', serviceAccount: 'db' },
  );
  assert.deepEqual(
    rejectionFrom(
      'Error creating: Pod "x" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ),
    {
      by: 'invalid',
      field: 'spec.containers[0].resources.requests',
      message:
        'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
    },
  );
});

test('Pod Security: one incident on the Deployment, the cause names the level and the securityContext fields, the fix sets them', () => {
  const s = new ClusterSnapshot();
  rejectedApp(s, PSS);
  const [f, ...rest] = run(podCreationRejectedDetector, s);
  assert.deepEqual(rest, []);
  assert.deepEqual(
    [f!.workload.kind, f!.workload.name, f!.severity, f!.key],
    ['Deployment', 'web', 'critical', 'pod-security:restricted:latest'],
  );
  assert.match(
    f!.summary,
    /web cannot create pods: Pod Security "restricted:latest" forbids allowPrivilegeEscalation != false/,
  );
  const cause = diagnoseWith(podCreationRejectedDetector, s);
  assert.equal(cause.category, 'admission');
  assert.match(
    cause.summary,
    /Pod Security level "restricted:latest" enforced in namespace shop rejects the pods: allowPrivilegeEscalation != false/,
  );
  assert.ok(
    cause.fields.includes('spec.template.spec.containers[name=main].securityContext.allowPrivilegeEscalation'),
    cause.fields.join(),
  );
  assert.ok(
    cause.fields.includes('spec.template.spec.containers[name=main].securityContext.capabilities.drop'),
    cause.fields.join(),
  );
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=main].securityContext.allowPrivilegeEscalation', value: false },
    { path: 'spec.template.spec.containers[name=main].securityContext.runAsNonRoot', value: true },
    { path: 'spec.template.spec.containers[name=main].securityContext.seccompProfile.type', value: 'RuntimeDefault' },
  ]);
  assert.match(cause.fixes[1]!.summary, /capabilities\.drop=\["ALL"\]/);
});

test('LimitRange maximum: the fix lowers exactly the offending limit to the bound', () => {
  const s = new ClusterSnapshot();
  s.upsert('LimitRange', {
    meta: meta('container-bounds'),
    limits: [{ type: 'Container', max: { memory: '1Gi' }, min: {} }],
  });
  s.upsert('LimitRange', {
    meta: meta('pvc-bounds'),
    limits: [{ type: 'PersistentVolumeClaim', max: { storage: '1Gi' }, min: {} }],
  });
  rejectedApp(
    s,
    'Error creating: pods "web-x" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi',
    {
      containers: [
        container({ name: 'main', resources: { requests: { memory: '512Mi' }, limits: { memory: '2Gi' } } }),
        container({ name: 'proxy' }),
      ],
    },
  );
  const cause = diagnoseWith(podCreationRejectedDetector, s);
  assert.match(
    cause.summary,
    /LimitRange container-bounds rejects the pods: maximum memory per Container is 1Gi but the limit is 2Gi/,
  );
  assert.deepEqual(cause.fixes[0]!.edits, [
    { path: 'spec.template.spec.containers[name=main].resources.limits.memory', value: '1Gi', previous: '2Gi' },
  ]);
});

test('a missing ServiceAccount on a StatefulSet and an invalid Job template', () => {
  const s = new ClusterSnapshot();
  const sts = workload('db', { kind: 'StatefulSet', desired: 1, ready: 0, available: 0 });
  s.upsert('StatefulSet', sts);
  s.upsert(
    'Event',
    event(
      ref('StatefulSet', 'db'),
      'FailedCreate',
      'create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: error looking up service account shop/db: serviceaccount "db" not found',
      { count: 5 },
    ),
  );
  const j = job('migrate', {
    active: 0,
    succeeded: 0,
    conditions: [],
    template: template({ restartPolicy: 'Never', containers: [container({ name: 'run' })] }),
  });
  s.upsert('Job', j);
  s.upsert(
    'Event',
    event(
      ref('Job', 'migrate'),
      'FailedCreate',
      'Error creating: Pod "migrate-x" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
      { count: 4 },
    ),
  );
  const found = run(podCreationRejectedDetector, s)
    .map((f) => `${f.workload.kind}/${f.workload.name}`)
    .sort();
  assert.deepEqual(found, ['Job/migrate', 'StatefulSet/db']);
  const sa = diagnoseWith(podCreationRejectedDetector, s, undefined, (f) => f.workload.kind === 'StatefulSet');
  assert.match(sa.summary, /ServiceAccount db does not exist in namespace shop/);
  assert.deepEqual(sa.fields, ['spec.template.spec.serviceAccountName']);
  const invalid = diagnoseWith(podCreationRejectedDetector, s, undefined, (f) => f.workload.kind === 'Job');
  assert.deepEqual(invalid.fields, ['spec.template.spec.containers[name=run].resources.requests']);
});

test('no incident for a rejection in passing, once the pods exist, or for quota (its own family)', () => {
  const young = new ClusterSnapshot();
  rejectedApp(
    young,
    'Error creating: pods "web-x" is forbidden: error looking up service account shop/default: serviceaccount "default" not found',
    { firstSeen: 5, count: 1 },
  );
  assert.deepEqual(
    run(podCreationRejectedDetector, young),
    [],
    'a brand-new namespace whose default ServiceAccount is not there yet',
  );

  const settled = new ClusterSnapshot();
  const app = addApp(settled, 'web', { replicas: 2 });
  settled.upsert(
    'Event',
    event(ref('ReplicaSet', app.rs.meta.name), 'FailedCreate', PSS, { count: 4, firstSeen: ago(200) }),
  );
  assert.deepEqual(run(podCreationRejectedDetector, settled), [], 'the ReplicaSet has all its pods now');

  const quota = new ClusterSnapshot();
  rejectedApp(
    quota,
    'Error creating: pods "web-x" is forbidden: exceeded quota: compute, requested: cpu=1, used: cpu=4, limited: cpu=4',
  );
  assert.deepEqual(run(podCreationRejectedDetector, quota), []);
  assert.equal(run(quotaExceededDetector, quota).length, 1);
});

test('a ValidatingAdmissionPolicy without a message: the field its expression reads is named', () => {
  const s = new ClusterSnapshot();
  rejectedApp(
    s,
    "Error creating: pods \"web-x\" is forbidden: ValidatingAdmissionPolicy 'no-latest' with binding 'no-latest' denied request: failed expression: object.spec.containers.all(c, !c.image.endsWith(':latest'))",
  );
  const cause = diagnoseWith(podCreationRejectedDetector, s);
  assert.match(
    cause.summary,
    /ValidatingAdmissionPolicy no-latest \(binding no-latest\) denies the pods: failed expression/,
  );
  assert.deepEqual(cause.fields, ['spec.template.spec.containers']);
  assert.equal(cause.fixes[0]!.edits, undefined);
});

test("the Deployment's ReplicaFailure condition alone (events expired) still reports the rejection", () => {
  const s = new ClusterSnapshot();
  rejectedApp(s, PSS);
  for (const e of s.list('Event')) s.remove('Event', e.meta.namespace, e.meta.name);
  const [f, ...rest] = run(podCreationRejectedDetector, s);
  assert.deepEqual(rest, []);
  assert.equal(f!.key, 'pod-security:restricted:latest');
  assert.equal(f!.evidence[0]!.field, 'status.conditions[type=ReplicaFailure]');
  const cause = diagnoseWith(podCreationRejectedDetector, s);
  assert.ok(cause.fields.includes('spec.template.spec.containers[name=main].securityContext.allowPrivilegeEscalation'));
});

test('a DaemonSet refused by a denying webhook: the cause quotes the webhook and its message', () => {
  const s = new ClusterSnapshot();
  s.upsert('DaemonSet', workload('agent', { kind: 'DaemonSet', desired: 2, ready: 0, available: 0 }));
  s.upsert(
    'Event',
    event(
      ref('DaemonSet', 'agent'),
      'FailedCreate',
      'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: policy disallow-host-path/host-path fail: HostPath volumes are forbidden',
      { count: 8 },
    ),
  );
  const [f] = run(podCreationRejectedDetector, s);
  assert.deepEqual(
    [f!.workload.kind, f!.workload.name, f!.key],
    ['DaemonSet', 'agent', 'webhook:validate.kyverno.svc-fail'],
  );
  const cause = diagnoseWith(podCreationRejectedDetector, s);
  assert.match(
    cause.summary,
    /DaemonSet agent cannot create pods: admission webhook validate\.kyverno\.svc-fail denies the pods: policy disallow-host-path\/host-path fail: HostPath volumes are forbidden/,
  );
});
