// NetworkPolicyBlocked fixes as a developer applies them, on the real control plane. Through the
// CLI's act loop: `fix` verifies without writing, `fix --yes` adds the named target port to the
// policy's rule and the incident resolves, `rollback` restores the policy exactly and the incident
// returns. Through the editor: the cause's field lands on the manifest line, and the quick fix (or,
// for a deny-all, the hand edit its advice asks for) resolves it.
// A policy that cuts a Deployment off from DNS goes through the same act loop: port 53 added, rollback.
// Runs beside other test files: its own scratch namespaces only, nothing cluster-scoped.
import assert from 'node:assert/strict';
import { kubeConfig } from '../harness/kubeKit';
import { actSuite } from './actScenarios';
import { scenarioSuite } from './diagnoseKit';

const kc = kubeConfig();

const frontManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: front
spec:
  replicas: 2
  selector:
    matchLabels:
      app: front
  template:
    metadata:
      labels:
        app: front
    spec:
      containers:
        - name: front
          image: registry.example/shop/front:1.0
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
---
apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  selector:
    app: front
  ports:
    - port: 80
      targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: front-in
spec:
  podSelector:
    matchLabels:
      app: front
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: edge
      ports:
        - protocol: TCP
          port: 9090
`;

actSuite('act loop for a NetworkPolicy port through the CLI', kc, [
  {
    label: 'network policy port (NetworkPolicyBlocked)',
    title: 'the named target port added to the rule (high risk) admits the traffic; the rollback restores the policy',
    prefix: 'act-netpol',
    manifest: frontManifest,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'front-in' },
    fixArgs: ['--confirm-context', 'nimbusguard-admin', '--confirm-risk', 'high'],
    check: (json) => {
      assert.equal(json['proposal']['risk'], 'high');
      assert.deepEqual(json['proposal']['fields'], ['spec.ingress']);
      const ports = (image: { value?: { ports?: { port: unknown }[] }[] }) =>
        image.value?.[0]?.ports?.map((p) => p.port);
      assert.deepEqual(ports(json['change']['before']['spec.ingress']), [9090]);
      assert.deepEqual(ports(json['change']['after']['spec.ingress']), [9090, 'http']);
    },
    waitSeconds: 120,
    timeoutMs: 120_000,
  },
]);

const apiManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: registry.example/shop/api:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: api-out
spec:
  podSelector:
    matchLabels:
      app: api
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/8
      ports:
        - protocol: TCP
          port: 443
`;

const apiDenyAll = apiManifest.slice(0, apiManifest.indexOf('  egress:'));

actSuite('act loop for a NetworkPolicy that cuts pods off from DNS, through the CLI', kc, [
  {
    label: 'network policy DNS (NetworkPolicyBlocked)',
    title:
      'port 53 over UDP and TCP added to the egress rule (high risk) restores DNS; the rollback restores the policy',
    prefix: 'act-netpol-dns',
    manifest: apiManifest,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'api-out' },
    fixArgs: ['--confirm-context', 'nimbusguard-admin', '--confirm-risk', 'high'],
    check: (json) => {
      assert.equal(json['proposal']['risk'], 'high');
      assert.deepEqual(json['proposal']['fields'], ['spec.egress']);
      const ports = (image: { value?: { ports?: { port: unknown; protocol?: unknown }[] }[] }) =>
        image.value?.[0]?.ports?.map((p) => `${String(p.port)}/${String(p.protocol)}`);
      assert.deepEqual(ports(json['change']['before']['spec.egress']), ['443/TCP']);
      assert.deepEqual(ports(json['change']['after']['spec.egress']), ['443/TCP', '53/UDP', '53/TCP']);
    },
    waitSeconds: 120,
    timeoutMs: 120_000,
  },
]);

const shopApp = `apiVersion: apps/v1
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
          image: registry.example/shop/shop:1.0
          resources:
            requests:
              cpu: 10m
              memory: 32Mi
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
    - name: http
      port: 80
      targetPort: 8080
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: shop-in
spec:
  podSelector:
    matchLabels:
      app: shop
  policyTypes:
    - Ingress
`;

scenarioSuite('NetworkPolicy causes in the manifest', kc, [
  {
    label: 'network policy: another port admitted',
    title: 'the rule admits 9090 only: the quick fix adds 8080 under its ports and the incident resolves',
    prefix: 'diag-netpol',
    manifest: `${shopApp}  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: edge
      ports:
        - protocol: TCP
          port: 9090
`,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'shop-in' },
    category: 'network-policy',
    fields: [{ path: 'spec.ingress', line: '  ingress:' }],
    fix: 'edit',
    checkCause: (cause) =>
      assert.match(cause.summary, /^NetworkPolicy shop-in .* Service shop .* port 80\/TCP \(http\) → 8080$/),
    timeoutMs: 120_000,
  },
  {
    label: 'network policy: deny-all',
    title: 'a deny-all: advice only on spec.policyTypes; the rule a developer adds by hand resolves it',
    prefix: 'diag-netpol-deny',
    manifest: shopApp,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'shop-in' },
    category: 'network-policy',
    fields: [{ path: 'spec.policyTypes', line: '  policyTypes:' }],
    fix: 'advice',
    byHand: {
      describe: 'an ingress rule admitting 8080 from the edge namespace',
      edit: (m) =>
        `${m}  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: edge
      ports:
        - port: 8080
`,
    },
    timeoutMs: 120_000,
  },
  {
    label: 'network policy: egress without DNS',
    title: 'an egress rule admits 443 only: the quick fix adds 53/UDP and 53/TCP under its ports and DNS is back',
    prefix: 'diag-netpol-dns',
    manifest: apiManifest,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'api-out' },
    category: 'network-policy',
    fields: [{ path: 'spec.egress', line: '  egress:' }],
    fix: 'edit',
    checkCause: (cause) =>
      assert.match(cause.summary, /^NetworkPolicy api-out isolates Deployment api for egress and admits no DNS/),
    timeoutMs: 120_000,
  },
  {
    label: 'network policy: default-deny egress',
    title: 'a default-deny egress: advice only on spec.policyTypes; the DNS rule a developer adds by hand resolves it',
    prefix: 'diag-netpol-dns-deny',
    manifest: apiDenyAll,
    incident: { type: 'NetworkPolicyBlocked', kind: 'NetworkPolicy', name: 'api-out' },
    category: 'network-policy',
    fields: [{ path: 'spec.policyTypes', line: '  policyTypes:' }],
    fix: 'advice',
    byHand: {
      describe: 'an egress rule admitting 53/UDP and 53/TCP to kube-dns',
      edit: (m) =>
        `${m}  egress:
    - to:
        - namespaceSelector: {}
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
`,
    },
    timeoutMs: 120_000,
  },
]);
