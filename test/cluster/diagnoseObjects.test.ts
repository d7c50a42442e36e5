// Root causes and fixes for objects that refer to missing ones or block others, on the real
// control plane: broken Ingresses, PodDisruptionBudgets that allow no eviction, a StatefulSet
// whose governing Service is missing. Each scenario is a manifest as a developer keeps it; the
// incident must live on the object the developer edits, its cause name the culprit and the field,
// and applying the fix (or the hand edit the advice asks for) must resolve it.
// Runs beside other test files: its own scratch namespaces; its IngressClass is named per run and is no default.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { applyEdit, editField } from '../../src/core/manifest/manifestEdit';
import { kubeConfig } from '../harness/kubeKit';
import { type Scenario, scenarioSuite } from './diagnoseKit';

const kc = kubeConfig();
const networking = kc.makeApiClient(k8s.NetworkingV1Api);
const suffix = Math.random().toString(36).slice(2, 7);
/** The IngressClass the scenarios' Ingresses use (cluster-scoped: named per run, removed after). */
const CLASS = `ngd-nginx-${suffix}`;

before(async () => {
  await networking.createIngressClass({
    body: { metadata: { name: CLASS }, spec: { controller: 'nimbusguard.dev/test-ingress' } },
  });
});
after(async () => {
  await networking.deleteIngressClass({ name: CLASS }).catch(() => undefined);
});

const web = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
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
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

function ingress(opts: { className: string; service: string; port: number; tls?: string }): string {
  return `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: ${opts.className}
${
  opts.tls
    ? `  tls:
    - hosts:
        - shop.example.com
      secretName: ${opts.tls}
`
    : ''
}  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: ${opts.service}
                port:
                  number: ${opts.port}
`;
}

const checkoutService = `---
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`;

const tlsSecret = `---
apiVersion: v1
kind: Secret
metadata:
  name: shop-tls
type: Opaque
stringData:
  note: not a real certificate
`;

function budgeted(replicas: number, budget: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: registry.example/shop/db:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  ${budget}
  selector:
    matchLabels:
      app: db
`;
}

const unready = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: search
spec:
  replicas: 2
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
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: search
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: search
`;

const statefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: queue
spec:
  serviceName: queue-headless
  replicas: 1
  selector:
    matchLabels:
      app: queue
  template:
    metadata:
      labels:
        app: queue
    spec:
      containers:
        - name: queue
          image: registry.example/shop/queue:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
`;

const headless = `---
apiVersion: v1
kind: Service
metadata:
  name: queue-headless
spec:
  clusterIP: None
  selector:
    app: queue
  ports:
    - port: 5672
`;

const ingressOf = (m: string) => m.split('\n---\n').findIndex((d) => d.includes('kind: Ingress'));

const scenarios: Scenario[] = [
  {
    label: 'IngressMisconfigured (class)',
    title: 'Ingress class: a misspelt IngressClass is the cause; setting the existing class resolves it',
    prefix: 'diag-ing-class',
    manifest: web + ingress({ className: CLASS.replace('nginx', 'ngnix'), service: 'web', port: 80 }),
    incident: { type: 'IngressMisconfigured', kind: 'Ingress', name: 'shop' },
    category: 'ingress-config',
    fields: [{ path: 'spec.ingressClassName', line: 'ingressClassName:' }],
    fix: 'edit',
    checkCause: (cause) => {
      assert.match(cause.summary, new RegExp(`^IngressClass ${CLASS.replace('nginx', 'ngnix')} does not exist`));
      assert.deepEqual(cause.fixes[0]!.edits, [
        { path: 'spec.ingressClassName', value: CLASS, previous: CLASS.replace('nginx', 'ngnix') },
      ]);
    },
    timeoutMs: 150_000,
  },
  {
    label: 'IngressMisconfigured (backend)',
    title: 'Ingress backend: the missing Service is the cause; creating it resolves it',
    prefix: 'diag-ing-svc',
    manifest: web + ingress({ className: CLASS, service: 'checkout', port: 80 }),
    incident: { type: 'IngressMisconfigured', kind: 'Ingress', name: 'shop' },
    category: 'ingress-config',
    fields: [{ path: 'spec.rules[0].http.paths[0].backend.service.name', line: 'name: checkout' }],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /^Service checkout does not exist in namespace diag-ing-svc-\w+; Ingress shop routes shop\.example\.com\/ to it/,
      );
      assert.match(cause.fixes.map((f) => f.summary).join('\n'), /Create Service checkout/);
    },
    byHand: { describe: 'Service checkout created', edit: (m) => m + checkoutService },
    timeoutMs: 150_000,
  },
  {
    label: 'IngressMisconfigured (port)',
    title: 'Ingress port: a port the Service does not have is the cause; using its port resolves it',
    prefix: 'diag-ing-port',
    manifest: web + ingress({ className: CLASS, service: 'web', port: 8080 }),
    incident: { type: 'IngressMisconfigured', kind: 'Ingress', name: 'shop' },
    category: 'ingress-config',
    fields: [{ path: 'spec.rules[0].http.paths[0].backend.service.port.number', line: 'number: 8080' }],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(cause.summary, /^Service web has no port 8080 \(its ports: 80\/http\)/);
      assert.match(cause.fixes[0]!.summary, /Use the Service's port 80 \(http\)/);
    },
    byHand: {
      describe: 'port 80 set',
      edit: (m) =>
        applyEdit(m, editField(m, ingressOf(m), 'spec.rules[0].http.paths[0].backend.service.port.number', 80)!),
    },
    timeoutMs: 150_000,
  },
  {
    label: 'IngressMisconfigured (TLS)',
    title: 'Ingress TLS: the missing certificate Secret is the cause; creating it resolves it',
    prefix: 'diag-ing-tls',
    manifest: web + ingress({ className: CLASS, service: 'web', port: 80, tls: 'shop-tls' }),
    incident: { type: 'IngressMisconfigured', kind: 'Ingress', name: 'shop' },
    category: 'ingress-config',
    fields: [{ path: 'spec.tls[0].secretName', line: 'secretName: shop-tls' }],
    fix: 'advice',
    checkCause: (cause) =>
      assert.match(
        cause.summary,
        /^TLS Secret shop-tls does not exist in namespace diag-ing-tls-\w+; Ingress shop serves shop\.example\.com with it/,
      ),
    byHand: { describe: 'Secret shop-tls created', edit: (m) => m + tlsSecret },
    timeoutMs: 150_000,
  },
  {
    label: 'DisruptionBlocked (single replica)',
    title: 'PDB: minAvailable 1 over a single replica is the cause; a second replica resolves it',
    prefix: 'diag-pdb-one',
    manifest: budgeted(1, 'minAvailable: 1'),
    incident: { type: 'DisruptionBlocked', kind: 'PodDisruptionBudget', name: 'db' },
    category: 'disruption-budget',
    fields: [{ path: 'spec.minAvailable', line: 'minAvailable: 1' }],
    fix: 'edit',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /^PDB db \(selector app=db\) counts 1 pod \(db-[a-z0-9]+-[a-z0-9]+\) and requires minAvailable 1: no pod may ever be evicted/,
      );
      assert.equal(cause.fixes[0]!.target?.kind, 'Deployment');
      assert.deepEqual(cause.fixes[0]!.edits, [{ path: 'spec.replicas', value: 2, previous: 1 }]);
    },
    timeoutMs: 200_000,
  },
  {
    label: 'DisruptionBlocked (maxUnavailable 0)',
    title: 'PDB: maxUnavailable 0 is the cause; maxUnavailable 1 resolves it',
    prefix: 'diag-pdb-zero',
    manifest: budgeted(2, 'maxUnavailable: 0'),
    incident: { type: 'DisruptionBlocked', kind: 'PodDisruptionBudget', name: 'db' },
    category: 'disruption-budget',
    fields: [{ path: 'spec.maxUnavailable', line: 'maxUnavailable: 0' }],
    fix: 'edit',
    checkCause: (cause) => assert.match(cause.summary, /counts 2 pods \(db-.*\) and requires maxUnavailable 0/),
    timeoutMs: 200_000,
  },
  {
    label: 'DisruptionBlocked (unhealthy pods)',
    title: 'PDB: pods that never become ready use the budget up; the cause names them and why; ready pods resolve it',
    prefix: 'diag-pdb-unready',
    manifest: unready,
    incident: { type: 'DisruptionBlocked', kind: 'PodDisruptionBudget', name: 'search' },
    category: 'disruption-budget',
    fields: [{ path: 'spec.minAvailable', line: 'minAvailable: 1' }],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /^PDB search \(selector app=search\) counts 2 pods of Deployment search but only 0 are healthy and 1 required: search-[a-z0-9-]+ \(not ready\)/,
      );
      assert.ok(
        cause.fixes.every((f) => f.target?.kind === 'Deployment' && f.target.name === 'search'),
        JSON.stringify(cause.fixes),
      );
    },
    byHand: {
      describe: 'pods made ready',
      edit: (m) => m.replace('sim.nimbusguard.dev/not-ready: "true"', 'sim.nimbusguard.dev/not-ready: "false"'),
    },
    timeoutMs: 240_000,
  },
  {
    label: 'StatefulSetMisconfigured (serviceName)',
    title: 'StatefulSet: the missing governing Service is the cause; creating it resolves it',
    prefix: 'diag-sts-svc',
    manifest: statefulSet,
    incident: { type: 'StatefulSetMisconfigured', kind: 'StatefulSet', name: 'queue' },
    category: 'statefulset-config',
    fields: [{ path: 'spec.serviceName', line: 'serviceName: queue-headless' }],
    fix: 'advice',
    checkCause: (cause) => {
      assert.match(
        cause.summary,
        /^Service queue-headless does not exist in namespace diag-sts-svc-\w+; StatefulSet queue names it as its governing Service/,
      );
      assert.match(
        cause.fixes[0]!.summary,
        /headless Service queue-headless \(clusterIP: None\) with selector app=queue/,
      );
    },
    byHand: { describe: 'headless Service created', edit: (m) => m + headless },
    timeoutMs: 150_000,
  },
];

scenarioSuite('objects: root causes and fixes', kc, scenarios);
