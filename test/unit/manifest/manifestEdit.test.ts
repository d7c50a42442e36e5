import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdit, editField } from '../../../src/core/manifest/manifestEdit';

const file = `# checkout
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  template:
    spec:
      containers:
        - name: api
          image: registry.example/checkout:2.1   # pinned
          resources:
            requests:
              cpu: 100m
            limits:
              memory: 128Mi # too low
        - name: sidecar
          image: envoy:1.30
---
kind: Service
metadata: {name: checkout}
`;

test('replaces a scalar in place, keeping comments and the other documents', () => {
  const edit = editField(file, 0, 'spec.template.spec.containers[name=api].resources.limits.memory', '256Mi')!;
  const out = applyEdit(file, edit);
  assert.equal(out, file.replace('memory: 128Mi # too low', 'memory: 256Mi # too low'));
});

test('inserts missing keys under the deepest existing mapping with its indentation', () => {
  const edit = editField(file, 0, 'spec.template.spec.containers[name=sidecar].resources.limits.memory', '64Mi')!;
  const out = applyEdit(file, edit);
  assert.match(
    out,
    /          image: envoy:1\.30\n          resources:\n            limits:\n              memory: 64Mi\n---/,
  );
  const cpu = applyEdit(
    file,
    editField(file, 0, 'spec.template.spec.containers[name=api].resources.limits.cpu', '500m')!,
  );
  assert.match(cpu, /              memory: 128Mi # too low\n              cpu: 500m\n/);
});

test('quotes values that YAML would otherwise read as another type', () => {
  const out = applyEdit(
    file,
    editField(file, 0, 'spec.template.spec.containers[name=api].image', 'registry.example/checkout:2.0')!,
  );
  assert.match(out, /image: registry\.example\/checkout:2\.0   # pinned/);
  const numeric = applyEdit(
    file,
    editField(file, 0, 'spec.template.spec.containers[name=api].resources.requests.cpu', '1')!,
  );
  assert.match(numeric, /cpu: "1"/);
});

test('appends at the end of a file without a trailing newline', () => {
  const text = 'kind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: 1';
  assert.equal(applyEdit(text, editField(text, 0, 'spec.paused', true)!), `${text}\n  paused: true\n`);
});

test('gives up rather than guess: missing list items, flow mappings, broken documents', () => {
  assert.equal(editField(file, 0, 'spec.template.spec.containers[name=ghost].image', 'x'), undefined);
  assert.equal(editField(file, 1, 'metadata.labels.app', 'x'), undefined);
  assert.equal(editField('a: [1,\n', 0, 'a', 1), undefined);
  assert.equal(editField(file, 5, 'spec', 1), undefined);
});

test('list indexes and quoted keys reach the right value; a malformed path edits nothing', () => {
  const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: catalog
  annotations:
    example.com/owner: team-a
spec:
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 50 # too low
`;
  const out = applyEdit(hpa, editField(hpa, 0, 'spec.metrics[0].resource.target.averageUtilization', 70)!);
  assert.equal(out, hpa.replace('averageUtilization: 50 #', 'averageUtilization: 70 #'));
  const owner = applyEdit(hpa, editField(hpa, 0, "metadata.annotations['example.com/owner']", 'team-b')!);
  assert.equal(owner, hpa.replace('example.com/owner: team-a', 'example.com/owner: team-b'));
  assert.equal(editField(hpa, 0, 'spec.metrics[2].resource.target.averageUtilization', 70), undefined);
  assert.equal(editField(hpa, 0, "metadata.annotations['example.com/owner", 'x'), undefined);
  assert.equal(editField(hpa, 0, 'spec..metrics', 'x'), undefined);
});

test('an index just past a block list adds an item at the dash column; flow and empty lists are left alone', () => {
  const policy = `kind: NetworkPolicy
metadata:
  name: web-in
spec:
  ingress:
    - from:
        - namespaceSelector: {}
      ports:
        - protocol: TCP
          port: 9090
  policyTypes: [Ingress]
`;
  let text = applyEdit(policy, editField(policy, 0, 'spec.ingress[0].ports[1].port', 8080)!);
  text = applyEdit(text, editField(text, 0, 'spec.ingress[0].ports[1].protocol', 'TCP')!);
  assert.equal(
    text,
    policy.replace('          port: 9090\n', '          port: 9090\n        - port: 8080\n          protocol: TCP\n'),
  );
  assert.equal(editField(policy, 0, 'spec.ingress[0].ports[2].port', 1), undefined, 'not past the end');
  assert.equal(editField(policy, 0, 'spec.policyTypes[1].x', 'y'), undefined, 'a flow list');
  assert.equal(editField('spec:\n  ports: []\n', 0, 'spec.ports[0].port', 1), undefined, 'an empty list');
});
