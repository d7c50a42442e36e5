import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexManifests, locateField, sameObject } from '../../../src/core/manifest/manifestIndex';

const file = `# shop services
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  selector: { app: checkout }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout   # the API
  namespace: shop
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: sidecar
          image: envoy:1.30
        - name: api
          image: registry.example/checkout:2.1
          resources:
            limits:
              memory: 128Mi   # too low?
---
this: [is, not, a, manifest
---
kind: ConfigMap
metadata: {}
`;

test('indexes every object of a multi-document file with its kind line', () => {
  const objects = indexManifests(file);
  assert.deepEqual(
    objects.map((o) => [o.kind, o.name, o.namespace, o.document, o.kindLine]),
    [
      ['Service', 'checkout', '', 0, 2],
      ['Deployment', 'checkout', 'shop', 1, 9],
    ],
  );
});

test('an object without a namespace matches any namespace; kind and name must match', () => {
  const [service, deployment] = indexManifests(file);
  assert.ok(sameObject(service!, { kind: 'Service', name: 'checkout', namespace: 'prod' }));
  assert.ok(sameObject(deployment!, { kind: 'Deployment', name: 'checkout', namespace: 'shop' }));
  assert.ok(!sameObject(deployment!, { kind: 'Deployment', name: 'checkout', namespace: 'prod' }));
  assert.ok(!sameObject(deployment!, { kind: 'StatefulSet', name: 'checkout', namespace: 'shop' }));
});

test('list items are found by name or by index', () => {
  const byIndex = locateField(file, 1, 'spec.template.spec.containers[1].image')!;
  assert.equal(
    file.split('\n')[byIndex.line]!.slice(byIndex.startColumn, byIndex.endColumn),
    'registry.example/checkout:2.1',
  );
  assert.equal(byIndex.matchedDepth, 6);
});

test('locates the exact line and columns of a field value, comments and all', () => {
  const loc = locateField(file, 1, 'spec.template.spec.containers[name=api].resources.limits.memory');
  assert.ok(loc);
  assert.equal(loc.line, 24);
  assert.equal(file.split('\n')[24]!.slice(loc.startColumn, loc.endColumn), '128Mi');
  assert.equal(loc.matchedDepth, 8);
  const image = locateField(file, 1, 'spec.template.spec.containers[name=api].image')!;
  assert.equal(
    file.split('\n')[image.line]!.slice(image.startColumn, image.endColumn),
    'registry.example/checkout:2.1',
  );
});

test('a path that only partly exists points at its deepest existing part', () => {
  const loc = locateField(file, 1, 'spec.template.spec.containers[name=api].resources.requests.cpu')!;
  assert.equal(loc.line, 22);
  assert.equal(loc.matchedDepth, 6);
  assert.equal(locateField(file, 7, 'spec'), undefined);
});

test('a quoted key with dots and a slash is one step, located on its own line', () => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
    app.kubernetes.io/name: web-frontend
`;
  const loc = locateField(text, 0, "spec.selector['app.kubernetes.io/name']")!;
  assert.equal(loc.line, 7);
  assert.equal(loc.matchedDepth, 3);
  assert.equal(text.split('\n')[7]!.slice(loc.startColumn, loc.endColumn), 'web-frontend');
  const missing = locateField(text, 0, "spec.selector['app.kubernetes.io/part-of']")!;
  assert.equal(missing.line, 5, 'a key that is not there points at the selector, not at a look-alike');
  assert.equal(missing.matchedDepth, 2);
  assert.equal(locateField(text, 0, "spec.selector['app"), undefined);
});
