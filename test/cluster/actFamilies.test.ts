// The act loop for the other fix families the diagnosis proposes (image, config reference,
// Service selector, quota, HPA requests): verify → apply → resolve → rollback exact → the incident
// returns, through the CLI. High-risk changes need --confirm-context and --confirm-risk high. The
// request that fits a node is in actScheduling.test.ts: it needs the nodes to itself.
// Runs beside other test files, started first: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { kubeConfig, waitFor } from '../harness/kubeKit';
import { applyManifest } from './diagnoseKit';
import { actSuite, type ActScenario } from './actScenarios';

const kc = kubeConfig();
const apps = kc.makeApiClient(k8s.AppsV1Api);
const HIGH = ['--confirm-context', 'nimbusguard-admin', '--confirm-risk', 'high'];

const shopV1 = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 1
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: registry.example/shop/front:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;
const shopV2 = shopV1.replace('registry.example/shop/front:1.0', 'registry.example/shop/front:missing');

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
    app.kubernetes.io/name: chekout
  ports:
    - port: 80
      targetPort: 8080
`;

const quotaManifest = `apiVersion: v1
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

const scenarios: ActScenario[] = [
  {
    label: 'image (ImagePullBackOff)',
    title: "image: the previous revision's image resolves the pull failure; the rollback puts the missing tag back",
    prefix: 'act-image',
    manifest: shopV1,
    setup: async (namespace) => {
      await applyManifest(kc, shopV1, namespace);
      await waitFor(
        'revision 1 to be ready',
        async () => (await apps.readNamespacedDeployment({ name: 'shop', namespace })).status?.readyReplicas === 1,
        60_000,
      );
      await applyManifest(kc, shopV2, namespace);
    },
    incident: { type: 'ImagePullBackOff', kind: 'Deployment', name: 'shop' },
    fixArgs: ['--type', 'ImagePullBackOff'],
    check: (json) => assert.equal(json['proposal']['fixKind'], 'image'),
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
  {
    label: 'config reference (CreateContainerConfigError)',
    title:
      'config reference: marking the missing Secret optional (high risk) lets the container start; the rollback makes it required again',
    prefix: 'act-config',
    manifest: ordersManifest,
    incident: { type: 'CreateContainerConfigError', kind: 'Deployment', name: 'orders' },
    fixArgs: HIGH,
    check: (json) => {
      assert.equal(json['proposal']['fixKind'], 'config-reference');
      assert.equal(json['proposal']['risk'], 'high');
    },
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
  {
    label: 'selector (ServiceNoEndpoints)',
    title: 'selector: the corrected Service selector (high risk) gives it endpoints; the rollback restores the typo',
    prefix: 'act-selector',
    manifest: checkoutManifest,
    incident: { type: 'ServiceNoEndpoints', kind: 'Service', name: 'checkout' },
    target: { kind: 'Service', name: 'checkout' },
    fixArgs: HIGH,
    check: (json) => {
      assert.equal(json['proposal']['fixKind'], 'selector');
      assert.equal(json['proposal']['risk'], 'high');
      assert.deepEqual(json['change']['after']["spec.selector['app.kubernetes.io/name']"], {
        present: true,
        value: 'checkout',
      });
    },
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
  {
    label: 'quota (QuotaExceeded)',
    title:
      'quota: scaling to what the quota allows (a scale-down, high risk) resolves it; the rollback asks for 4 replicas again',
    prefix: 'act-quota',
    manifest: quotaManifest,
    incident: { type: 'QuotaExceeded', kind: 'Deployment', name: 'worker' },
    fixArgs: HIGH,
    check: (json) => {
      assert.equal(json['proposal']['fixKind'], 'replicas');
      assert.deepEqual(json['change']['before']['spec.replicas'], { present: true, value: 4 });
      assert.deepEqual(json['change']['after']['spec.replicas'], { present: true, value: 2 });
    },
    waitSeconds: 150,
    timeoutMs: 150_000,
  },
  {
    label: 'HPA requests (HPAMisconfigured)',
    title:
      "HPA: a cpu request on the autoscaler's target lets it compute utilization; the rollback removes the request again",
    prefix: 'act-hpa',
    manifest: catalogManifest,
    metrics: true,
    incident: { type: 'HPAMisconfigured', kind: 'HorizontalPodAutoscaler', name: 'catalog' },
    target: { kind: 'Deployment', name: 'catalog' },
    check: (json) => {
      assert.equal(json['proposal']['fixKind'], 'requests');
      assert.deepEqual(json['change']['before']['spec.template.spec.containers[name=catalog].resources.requests.cpu'], {
        present: false,
      });
    },
    waitSeconds: 240,
    timeoutMs: 240_000,
  },
];

actSuite('act loop for every fix family through the CLI', kc, scenarios);
