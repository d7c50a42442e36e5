// Root causes and their fixes on the real control plane: each scenario is a manifest a developer
// would have in their repository. Once the incident opens, its root cause must name the category,
// the spec path that causes it and where that path is in the manifest text; the suggested fix is
// then applied to the manifest (as the editor's quick fix does), the edited manifest to the
// cluster (or the Deployment rolled back), and the incident must resolve.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { editField, applyEdit } from '../../src/core/manifest/manifestEdit';
import { kubeConfig, waitFor } from '../harness/kubeKit';
import { applyManifest, type Scenario, scenarioSuite } from './diagnoseKit';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);

// ---- the manifests ------------------------------------------------------------------------------

const oomManifest = `# The shop's API: its memory limit is below what it needs at peak.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api
spec:
  replicas: 1
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
      annotations:
        sim.nimbusguard.dev/memory-peak: 200Mi
    spec:
      containers:
        - name: api
          image: registry.example/shop/api:1.0
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 10m
              memory: 64Mi
            limits:
              memory: 128Mi
`;

const webV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: registry.example/shop/web:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
            limits:
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`;
const webV2 = webV1.replace('image: registry.example/shop/web:1.0', 'image: unreachable.invalid/shop/web:2.0');

const cartManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  replicas: 1
  selector:
    matchLabels:
      app: cart
  template:
    metadata:
      labels:
        app: cart
    spec:
      containers:
        - name: cart
          image: registry.example/shop/cart:missing
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const quotaManifest = `# Four workers in a namespace that allows two pods.
apiVersion: v1
kind: ResourceQuota
metadata:
  name: pod-budget
spec:
  hard:
    pods: "2"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 4
  selector:
    matchLabels:
      app: worker
  template:
    metadata:
      labels:
        app: worker
    spec:
      containers:
        - name: worker
          image: registry.example/shop/worker:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const checkoutManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: checkout
  template:
    metadata:
      labels:
        app.kubernetes.io/name: checkout
        tier: web
    spec:
      containers:
        - name: checkout
          image: registry.example/shop/checkout:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
---
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  selector:
    app.kubernetes.io/name: chekout   # the most common label key: dots and a slash
    tier: web
  ports:
    - port: 80
      targetPort: 8080
`;

const searchManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: search
spec:
  replicas: 1
  selector:
    matchLabels:
      app: search
  template:
    metadata:
      labels:
        app: search
      annotations:
        sim.nimbusguard.dev/not-ready: "true"
    spec:
      containers:
        - name: search
          image: registry.example/shop/search:1.0
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
            periodSeconds: 2
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const ordersManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  replicas: 1
  selector:
    matchLabels:
      app: orders
  template:
    metadata:
      labels:
        app: orders
    spec:
      containers:
        - name: orders
          image: registry.example/shop/orders:1.0
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: db-credentials
                  key: password
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const catalogManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: catalog
spec:
  replicas: 1
  selector:
    matchLabels:
      app: catalog
  template:
    metadata:
      labels:
        app: catalog
    spec:
      containers:
        - name: catalog
          image: registry.example/shop/catalog:1.0
          resources:
            requests:
              memory: 64Mi
            limits:
              memory: 256Mi
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: catalog
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: catalog
  minReplicas: 1
  maxReplicas: 3
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 50
`;

const migrateManifest = `apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  backoffLimit: 0
  template:
    metadata:
      annotations:
        sim.nimbusguard.dev/exit-after: "1"
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: registry.example/shop/migrate:1.0
          command: ["/app/migrate", "--up"]
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const nightlyManifest = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "30 2 * * *"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.example/shop/report:1.0
`;

// ---- the scenarios ------------------------------------------------------------------------------

const scenarios: Scenario[] = [
  {
    label: 'OOMKilled + CrashLoopBackOff',
    title: 'OOMKilled and CrashLoopBackOff: the memory limit line is the cause; raising it resolves both',
    prefix: 'diag-oom',
    manifest: oomManifest,
    metrics: true,
    incident: { type: 'OOMKilled', kind: 'Deployment', name: 'api' },
    companions: ['CrashLoopBackOff'],
    category: 'memory-limit',
    fields: [{ path: 'spec.template.spec.containers[name=api].resources.limits.memory', line: 'memory: 128Mi' }],
    fix: 'edit',
    checkCause: (cause) => {
      const edit = cause.fixes[0]!.edits!.find((e) => e.path.endsWith('.limits.memory'))!;
      assert.equal(edit.previous, '128Mi');
      assert.match(String(edit.value), /^\d+(Mi|Gi)$/);
      const mi = String(edit.value).endsWith('Gi')
        ? Number.parseInt(String(edit.value), 10) * 1024
        : Number.parseInt(String(edit.value), 10);
      assert.ok(mi > 200, `the proposed limit ${String(edit.value)} is above the 200Mi peak`);
    },
    timeoutMs: 120_000,
  },
  {
    label: 'RolloutRegression',
    title:
      'RolloutRegression: revision 2 image on an unreachable registry is the cause; rolling back to revision 1 resolves it',
    prefix: 'diag-rollout',
    manifest: webV1,
    setup: async (namespace) => {
      await applyManifest(kc, webV1, namespace);
      await waitFor(
        'revision 1 to be ready',
        async () => (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 2,
        60_000,
      );
      await applyManifest(kc, webV2, namespace);
      return webV2;
    },
    incident: { type: 'RolloutRegression', kind: 'Deployment', name: 'web' },
    category: 'bad-rollout',
    fields: [
      { path: 'spec.template.spec.containers[name=web].image', line: 'image: unreachable.invalid/shop/web:2.0' },
    ],
    fix: 'rollback',
    checkCause: (cause) => {
      assert.equal(cause.fixes[0]!.rollbackToRevision, 1);
      assert.deepEqual(
        cause.fixes[1]?.edits,
        [
          {
            path: 'spec.template.spec.containers[name=web].image',
            value: 'registry.example/shop/web:1.0',
            previous: 'unreachable.invalid/shop/web:2.0',
          },
        ],
        'the alternative restores the image of revision 1',
      );
      assert.match(
        cause.summary,
        /revision 2 fails .*image changed from registry\.example\/shop\/web:1\.0 to unreachable\.invalid\/shop\/web:2\.0.*revision 1 was healthy/,
      );
    },
    manifestAfterFix: webV1,
    timeoutMs: 200_000,
  },
  {
    label: 'ImagePullBackOff (fresh Deployment)',
    title:
      'ImagePullBackOff on a fresh Deployment: the image line with the missing tag is the cause; the fix is advice (no earlier revision), and correcting the tag by hand resolves it',
    prefix: 'diag-pull',
    manifest: cartManifest,
    incident: { type: 'ImagePullBackOff', kind: 'Deployment', name: 'cart' },
    category: 'image-pull',
    fields: [
      { path: 'spec.template.spec.containers[name=cart].image', line: 'image: registry.example/shop/cart:missing' },
    ],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(cause.summary, /tag missing does not exist in registry\.example\/shop\/cart/);
      assert.match(cause.fixes[0]!.summary, /correct the tag of cart/);
    },
    byHand: {
      describe: 'tag corrected by hand',
      edit: (m) =>
        applyEdit(
          m,
          editField(m, 0, 'spec.template.spec.containers[name=cart].image', 'registry.example/shop/cart:1.0')!,
        ),
    },
    timeoutMs: 150_000,
  },
  {
    label: 'QuotaExceeded',
    title: 'QuotaExceeded: replicas 4 against a pods quota of 2 is the cause; scaling to what fits resolves it',
    prefix: 'diag-quota',
    manifest: quotaManifest,
    incident: { type: 'QuotaExceeded', kind: 'Deployment', name: 'worker' },
    category: 'quota',
    fields: [{ path: 'spec.replicas', line: 'replicas: 4' }],
    fix: 'edit',
    checkCause: (cause) => assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.replicas', value: 2, previous: 4 }]),
    timeoutMs: 120_000,
  },
  {
    label: 'ServiceNoEndpoints',
    title:
      'ServiceNoEndpoints: the typo in the app.kubernetes.io/name selector is the cause, on its own line; the selector fix gives the Service its endpoints',
    prefix: 'diag-svc',
    manifest: checkoutManifest,
    incident: { type: 'ServiceNoEndpoints', kind: 'Service', name: 'checkout' },
    category: 'selector-mismatch',
    fields: [{ path: "spec.selector['app.kubernetes.io/name']", line: 'app.kubernetes.io/name: chekout' }],
    fix: 'edit',
    checkCause: (cause) =>
      assert.deepEqual(cause.fixes[0]!.edits, [
        { path: "spec.selector['app.kubernetes.io/name']", value: 'checkout', previous: 'chekout' },
      ]),
    timeoutMs: 150_000,
  },
  {
    label: 'ReadinessProbeFailing',
    title:
      'ReadinessProbeFailing: the readinessProbe is named; the fix is advice (the simulated not-ready is unconditional, so no spec change can resolve it)',
    prefix: 'diag-ready',
    manifest: searchManifest,
    incident: { type: 'ReadinessProbeFailing', kind: 'Deployment', name: 'search' },
    category: 'readiness-probe',
    fields: [{ path: 'spec.template.spec.containers[name=search].readinessProbe', line: 'readinessProbe:' }],
    fix: 'advice',
    unresolvable: 'sim not-ready is unconditional',
    timeoutMs: 120_000,
  },
  {
    label: 'CreateContainerConfigError',
    title:
      'CreateContainerConfigError: the env entry of the missing Secret is the cause; marking it optional resolves it',
    prefix: 'diag-config',
    manifest: ordersManifest,
    incident: { type: 'CreateContainerConfigError', kind: 'Deployment', name: 'orders' },
    category: 'config-missing',
    fields: [{ path: 'spec.template.spec.containers[name=orders].env[name=DB_PASSWORD]', line: '- name: DB_PASSWORD' }],
    fix: 'edit',
    fixIndex: 1,
    checkCause: (cause) => {
      assert.match(cause.fixes[0]!.summary, /Create Secret db-credentials/);
      assert.deepEqual(cause.fixes[1]!.edits, [
        {
          path: 'spec.template.spec.containers[name=orders].env[name=DB_PASSWORD].valueFrom.secretKeyRef.optional',
          value: true,
          previous: false,
        },
      ]);
    },
    timeoutMs: 120_000,
  },
  {
    label: 'HPAMisconfigured',
    title:
      'HPAMisconfigured: the cpu utilization target without a cpu request is the cause; the request added on the target Deployment resolves it',
    prefix: 'diag-hpa',
    manifest: catalogManifest,
    metrics: true,
    incident: { type: 'HPAMisconfigured', kind: 'HorizontalPodAutoscaler', name: 'catalog' },
    category: 'hpa-config',
    fields: [{ path: 'spec.metrics[0].resource.target.averageUtilization', line: 'averageUtilization: 50' }],
    fix: 'edit',
    checkCause: (cause) => {
      const fix = cause.fixes[0]!;
      assert.equal(fix.target?.kind, 'Deployment');
      assert.equal(fix.target?.name, 'catalog');
      assert.deepEqual(
        fix.edits?.map((e) => e.path),
        ['spec.template.spec.containers[name=catalog].resources.requests.cpu'],
      );
      assert.match(String(fix.edits![0]!.value), /^\d+m?$/);
    },
    timeoutMs: 240_000,
  },
  {
    label: 'JobFailed',
    title: "JobFailed: the command and backoffLimit are named; the fix is advice (a Job's pod template is immutable)",
    prefix: 'diag-job',
    manifest: migrateManifest,
    incident: { type: 'JobFailed', kind: 'Job', name: 'migrate' },
    category: 'job-failure',
    fields: [
      { path: 'spec.template.spec.containers[name=migrate].command', line: 'command: ["/app/migrate", "--up"]' },
      { path: 'spec.backoffLimit', line: 'backoffLimit: 0' },
    ],
    fix: 'advice',
    checkCause: (cause) =>
      assert.match(
        cause.summary,
        /container migrate exited with a generic application error \(exit 1\)(: [^,]*connection refused[^,]*)?, 1 time, reaching backoffLimit 0/,
      ),
    unresolvable: 'Job template is immutable',
    timeoutMs: 90_000,
  },
  {
    label: 'CronJobSuspendedOrInvalid',
    title: 'CronJobSuspendedOrInvalid: suspend: true is the cause; resuming resolves it',
    prefix: 'diag-cron',
    manifest: nightlyManifest,
    incident: { type: 'CronJobSuspendedOrInvalid', kind: 'CronJob', name: 'nightly' },
    category: 'cronjob-config',
    fields: [{ path: 'spec.suspend', line: 'suspend: true' }],
    fix: 'edit',
    checkCause: (cause) =>
      assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.suspend', value: false, previous: true }]),
    timeoutMs: 60_000,
  },
];

scenarioSuite('root causes and fixes', kc, scenarios);
