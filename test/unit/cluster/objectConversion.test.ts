// Conversions of the routing, storage and Secret kinds: field paths kept, Gateway API defaults
// applied, and a Secret reduced to its identity before anything keeps it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identityOnly, toSecretMeta } from '../../../src/cluster/metadataOnly';
import { toHTTPRoute, toIngress, toIngressClass } from '../../../src/cluster/convertRouting';
import { toPersistentVolume, toStorageClass } from '../../../src/cluster/convertStorage';
import { toPdb, toWorkload } from '../../../src/cluster/convert';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';

const applied = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'db',
    namespace: 'shop',
    uid: 'u1',
    resourceVersion: '42',
    creationTimestamp: '2026-03-01T10:00:00Z',
    labels: { app: 'db' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"stringData":{"password":"hunter2-plain"}}' },
    managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:stringData': { 'f:password': {} } } }],
  },
  data: { password: 'aHVudGVyMi1wbGFpbg==' },
  stringData: { password: 'hunter2-plain' },
};

test('a Secret keeps its identity and nothing else: no data, no annotations, no managedFields', () => {
  const reduced = identityOnly(applied);
  assert.deepEqual(reduced, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      namespace: 'shop',
      uid: 'u1',
      resourceVersion: '42',
      creationTimestamp: '2026-03-01T10:00:00Z',
      labels: { app: 'db' },
    },
  });
  const record = toSecretMeta(applied);
  assert.equal(record.meta.name, 'db');
  assert.deepEqual(record.meta.annotations, {});
  assert.doesNotMatch(JSON.stringify(record), /hunter2|aHVudGVy|last-applied/);
  assert.deepEqual(identityOnly('not an object'), { metadata: {} });
});

test('Ingress backends and TLS keep the path of their field', () => {
  const ing = toIngress({
    metadata: { name: 'web', namespace: 'shop', annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    spec: {
      defaultBackend: { service: { name: 'fallback', port: { name: 'http' } } },
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } },
              { path: '/x', backend: { resource: { kind: 'Bucket', name: 'b' } } },
            ],
          },
        },
      ],
      tls: [{ hosts: ['shop.example.com'], secretName: 'web-tls' }],
    },
    status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
  });
  assert.equal(ing.classAnnotation, 'nginx');
  assert.equal(ing.className, undefined);
  assert.deepEqual(ing.backends, [
    { path: 'spec.defaultBackend', route: '(default backend)', service: { name: 'fallback', port: { name: 'http' } } },
    {
      path: 'spec.rules[0].http.paths[0].backend',
      route: 'shop.example.com/',
      service: { name: 'web', port: { number: 80 } },
    },
    { path: 'spec.rules[0].http.paths[1].backend', route: 'shop.example.com/x' },
  ]);
  assert.deepEqual(ing.tls, [{ path: 'spec.tls[0]', secretName: 'web-tls', hosts: ['shop.example.com'] }]);
  assert.deepEqual(ing.addresses, ['lb.example.com']);
  assert.equal(
    toIngressClass({
      metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    }).isDefault,
    true,
  );
});

test('HTTPRoute references get the Gateway API defaults (Gateway parent, core Service backend, own namespace)', () => {
  const route = toHTTPRoute({
    metadata: { name: 'r', namespace: 'shop' },
    spec: {
      parentRefs: [{ name: 'gw' }, { name: 'edge', namespace: 'infra', sectionName: 'https' }],
      rules: [
        { backendRefs: [{ name: 'web', port: 80 }] },
        { backendRefs: [{ name: 'b', kind: 'Bucket', group: 'x.io' }] },
      ],
    },
    status: {
      parents: [
        {
          parentRef: { name: 'gw' },
          conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }],
        },
      ],
    },
  });
  assert.deepEqual(route.parents[0], {
    path: 'spec.parentRefs[0]',
    group: 'gateway.networking.k8s.io',
    kind: 'Gateway',
    namespace: 'shop',
    name: 'gw',
  });
  assert.equal(route.parents[1]!.sectionName, 'https');
  assert.deepEqual(route.backends[0], {
    path: 'spec.rules[0].backendRefs[0]',
    group: '',
    kind: 'Service',
    namespace: 'shop',
    name: 'web',
    port: 80,
  });
  assert.equal(route.backends[1]!.kind, 'Bucket');
  assert.equal(route.parentStatuses[0]!.conditions[0]!.reason, 'NotAllowedByListeners');
});

test('storage, budgets and StatefulSet references convert', () => {
  assert.equal(
    toStorageClass({
      metadata: { name: 's', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'p',
    }).isDefault,
    true,
  );
  const pv = toPersistentVolume({
    metadata: { name: 'pv' },
    spec: { claimRef: { namespace: 'shop', name: 'data' }, capacity: { storage: '1Gi' } },
    status: { phase: 'Failed', message: 'boom' },
  });
  assert.deepEqual(
    [pv.phase, pv.message, pv.claim?.name, pv.reclaimPolicy, pv.capacity],
    ['Failed', 'boom', 'data', 'Retain', '1Gi'],
  );
  const pdb = toPdb({
    metadata: { name: 'p', generation: 2 },
    spec: { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] } },
    status: { observedGeneration: 2, conditions: [{ type: 'DisruptionAllowed', status: 'False' }] },
  });
  assert.deepEqual(
    [pdb.minAvailable, pdb.selectorExpressions[0]?.values, pdb.observedGeneration, pdb.conditions[0]?.status],
    ['1', ['a'], 2, 'False'],
  );
  const sts = toWorkload('StatefulSet', {
    metadata: { name: 'db' },
    spec: {
      serviceName: 'db-hl',
      volumeClaimTemplates: [
        { metadata: { name: 'data' }, spec: { storageClassName: 'fast' } },
        { metadata: { name: 'logs' }, spec: {} },
      ],
    },
  });
  assert.deepEqual(
    [sts.serviceName, sts.claimTemplates],
    ['db-hl', [{ name: 'data', storageClassName: 'fast' }, { name: 'logs' }]],
  );
});

test('the snapshot knows which kinds it holds completely, per namespace', () => {
  const s = new ClusterSnapshot();
  assert.equal(s.observes('Secret', 'shop'), false, 'nothing listed yet');
  s.setObserved('Secret', 'shop', true);
  assert.deepEqual([s.observes('Secret', 'shop'), s.observes('Secret', 'other')], [true, false]);
  s.setObserved('Service', undefined, true);
  assert.equal(s.observes('Service', 'anything'), true);
  s.setObserved('Secret', 'shop', false);
  assert.equal(s.observes('Secret', 'shop'), false);
});

test('malformed objects convert without throwing', () => {
  for (const bad of [
    {},
    { metadata: null, spec: 'x', status: [] },
    {
      spec: { rules: 'x', tls: [null], defaultBackend: 5, parentRefs: {}, listeners: [1] },
      status: { parents: [{}], loadBalancer: 'x' },
    },
  ]) {
    for (const convert of [
      toIngress,
      toIngressClass,
      toHTTPRoute,
      toStorageClass,
      toPersistentVolume,
      toPdb,
      toSecretMeta,
    ])
      assert.doesNotThrow(() => convert(bad as never));
  }
});

test('Secrets are bound metadata-only; the Gateway API kinds are optional', async () => {
  const { KIND_BINDINGS } = await import('../../../src/cluster/resourceKinds');
  const secret = KIND_BINDINGS.find((b) => b.kind === 'Secret')!;
  assert.equal(secret.type.metadataOnly, true);
  assert.deepEqual(secret.convert(applied).meta.annotations, {});
  assert.deepEqual(
    KIND_BINDINGS.filter((b) => b.optional).map((b) => b.kind),
    ['GatewayClass', 'Gateway', 'HTTPRoute'],
  );
  assert.ok(KIND_BINDINGS.filter((b) => b.kind !== 'Secret').every((b) => !b.type.metadataOnly));
});
