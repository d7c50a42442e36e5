// Root causes for objects that refer to missing ones or block others: each summary names the
// culprit object, and fixes carry edits where one field settles it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressMisconfiguredDetector } from '../../../src/core/detect/ingressMisconfigured';
import { disruptionBlockedDetector } from '../../../src/core/detect/disruptionBlocked';
import { statefulSetMisconfiguredDetector } from '../../../src/core/detect/statefulSetMisconfigured';
import { volumeLostDetector } from '../../../src/core/detect/volumeLost';
import { nodeProblemDetector } from '../../../src/core/detect/nodeProblem';
import { gatewayMisconfiguredDetector } from '../../../src/core/detect/gatewayMisconfigured';
import { fixPatch } from '../../../src/core/diagnose/fixes';
import { correlationGroups } from '../../../src/core/diagnose/correlate';
import type { Incident } from '../../../src/core/model/incident';
import { nearestName } from '../../../src/core/diagnose/ingressRule';
import {
  ClusterSnapshot,
  NOW,
  addApp,
  ago,
  cond,
  ingress,
  ingressClass,
  meta,
  node,
  pdb,
  persistentVolume,
  pvc,
  secret,
  service,
  storageClass,
  workload,
} from '../detect/fixtures';
import { diagnoseWith } from './helpers';

test('ingress: a missing class names the class and proposes the default one as a one-field patch', () => {
  const s = new ClusterSnapshot();
  s.upsert('IngressClass', ingressClass('nginx', true));
  s.upsert('IngressClass', ingressClass('traefik'));
  s.upsert('Service', service('web'));
  s.upsert('Ingress', ingress('web', { className: 'ngnix', addresses: [] }));
  const cause = diagnoseWith(ingressMisconfiguredDetector, s);
  assert.equal(cause.category, 'ingress-config');
  assert.equal(
    cause.summary,
    'IngressClass ngnix does not exist (the cluster has: nginx, traefik), so no controller serves Ingress web',
  );
  assert.deepEqual(cause.fields, ['spec.ingressClassName']);
  assert.deepEqual(fixPatch(cause.fixes[0]!), { spec: { ingressClassName: 'nginx' } });
});

test('ingress: a missing backend Service is the culprit, with the nearest existing name', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web-api');
  s.upsert('IngressClass', ingressClass('nginx', true));
  s.upsert(
    'Ingress',
    ingress('web', {
      backends: [
        {
          path: 'spec.rules[0].http.paths[0].backend',
          route: 'shop.example.com/api',
          service: { name: 'api', port: { number: 80 } },
        },
      ],
    }),
  );
  const cause = diagnoseWith(ingressMisconfiguredDetector, s);
  assert.equal(
    cause.summary,
    'Service api does not exist in namespace shop; Ingress web routes shop.example.com/api to it (did you mean web-api?)',
  );
  assert.deepEqual(cause.fields, ['spec.rules[0].http.paths[0].backend.service.name']);
  assert.match(cause.fixes.map((f) => f.summary).join('\n'), /Create Service api in namespace shop/);
});

test('ingress: a wrong port names the Service ports; a missing TLS Secret says how to create it', () => {
  const s = new ClusterSnapshot();
  s.upsert('IngressClass', ingressClass('nginx', true));
  s.upsert('Service', service('web', { ports: [{ name: 'http', port: 80, targetPort: '8080' }] }));
  s.setObserved('Secret', 'shop', true);
  s.upsert('Secret', secret('other'));
  s.upsert(
    'Ingress',
    ingress('web', {
      backends: [
        {
          path: 'spec.rules[0].http.paths[0].backend',
          route: 'shop.example.com/',
          service: { name: 'web', port: { number: 8080 } },
        },
      ],
      tls: [{ path: 'spec.tls[0]', secretName: 'web-tls', hosts: ['shop.example.com'] }],
    }),
  );
  const port = diagnoseWith(ingressMisconfiguredDetector, s, undefined, (f) => f.key?.startsWith('port:') === true);
  assert.equal(
    port.summary,
    'Service web has no port 8080 (its ports: 80/http); Ingress web routes shop.example.com/ to it',
  );
  assert.match(port.fixes[0]!.summary, /Use the Service's port 80 \(http\)/);
  const tls = diagnoseWith(ingressMisconfiguredDetector, s, undefined, (f) => f.key === 'tls:web-tls');
  assert.equal(
    tls.summary,
    'TLS Secret web-tls does not exist in namespace shop; Ingress web serves shop.example.com with it',
  );
  assert.deepEqual(tls.fields, ['spec.tls[0].secretName']);
  assert.match(tls.fixes[0]!.summary, /kubectl create secret tls web-tls/);
});

test('PDB: a single replica under minAvailable 1 gets a second replica on its Deployment', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'db', { replicas: 1 });
  s.upsert(
    'PodDisruptionBudget',
    pdb('db', {
      currentHealthy: 1,
      desiredHealthy: 1,
      disruptionsAllowed: 0,
      expectedPods: 1,
      conditions: [cond('DisruptionAllowed', 'False', { reason: 'InsufficientPods', lastTransitionTime: ago(120) })],
    }),
  );
  const cause = diagnoseWith(disruptionBlockedDetector, s);
  assert.equal(cause.category, 'disruption-budget');
  assert.equal(
    cause.summary,
    'PDB db (selector app=db) counts 1 pod (db-7d4b9c-0x0) and requires minAvailable 1: no pod may ever be evicted',
  );
  assert.deepEqual(cause.fixes[0]!.target, {
    kind: 'Deployment',
    namespace: 'shop',
    name: 'db',
    uid: s.getWorkload('Deployment', 'shop', 'db')!.uid,
  });
  assert.deepEqual(fixPatch(cause.fixes[0]!), { spec: { replicas: 2 } });
});

test('PDB: minAvailable equal to several replicas, and maxUnavailable 0, get a budget that leaves room for one', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 3 });
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      minAvailable: '3',
      currentHealthy: 3,
      desiredHealthy: 3,
      disruptionsAllowed: 0,
      expectedPods: 3,
      conditions: [cond('DisruptionAllowed', 'False', { lastTransitionTime: ago(120) })],
    }),
  );
  assert.deepEqual(fixPatch(diagnoseWith(disruptionBlockedDetector, s).fixes[0]!), { spec: { minAvailable: 2 } });
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      minAvailable: undefined,
      maxUnavailable: '0',
      currentHealthy: 3,
      desiredHealthy: 3,
      disruptionsAllowed: 0,
      expectedPods: 3,
      conditions: [cond('DisruptionAllowed', 'False', { lastTransitionTime: ago(120) })],
    }),
  );
  const cause = diagnoseWith(disruptionBlockedDetector, s);
  assert.match(cause.summary, /requires maxUnavailable 0/);
  assert.deepEqual(fixPatch(cause.fixes[0]!), { spec: { maxUnavailable: 1 } });
});

test('PDB: unhealthy pods are the cause, explained by what the pods suffer from', () => {
  const s = new ClusterSnapshot();
  const crashing = {
    ready: false,
    restartCount: 6,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
  };
  addApp(s, 'web', {
    replicas: 3,
    pod: (i) =>
      i > 0
        ? {
            conditions: [cond('Ready', 'False', { lastTransitionTime: ago(600) })],
            containerStatuses: [{ name: 'app', started: false, image: 'x', ...crashing }],
          }
        : {},
  });
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      minAvailable: '2',
      currentHealthy: 1,
      desiredHealthy: 2,
      disruptionsAllowed: 0,
      expectedPods: 3,
      conditions: [cond('DisruptionAllowed', 'False', { lastTransitionTime: ago(300) })],
    }),
  );
  const cause = diagnoseWith(disruptionBlockedDetector, s);
  assert.match(
    cause.summary,
    /^PDB web \(selector app=web\) counts 3 pods of Deployment web but only 1 is healthy and 2 required: web-7d4b9c-1x1 \(CrashLoopBackOff\)/,
  );
  assert.ok(cause.fixes.every((f) => f.target?.kind === 'Deployment' && f.target.name === 'web'));
});

test('StatefulSet: the missing governing Service and StorageClass are named, with what to create', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('db'));
  s.upsert('StorageClass', storageClass('fast', true));
  s.upsert(
    'StatefulSet',
    workload('db', {
      kind: 'StatefulSet',
      serviceName: 'db-headless',
      claimTemplates: [{ name: 'data', storageClassName: 'fast-ssd' }],
    }),
  );
  const svc = diagnoseWith(statefulSetMisconfiguredDetector, s, undefined, (f) => f.key === 'service:db-headless');
  assert.equal(svc.category, 'statefulset-config');
  assert.equal(
    svc.summary,
    'Service db-headless does not exist in namespace shop; StatefulSet db names it as its governing Service (did you mean db?)',
  );
  assert.match(svc.fixes[0]!.summary, /headless Service db-headless \(clusterIP: None\) with selector app=db/);
  const cls = diagnoseWith(statefulSetMisconfiguredDetector, s, undefined, (f) => f.key === 'storageclass:data');
  assert.equal(
    cls.summary,
    'StorageClass fast-ssd does not exist; StatefulSet db claims volume data from it (the cluster has: fast)',
  );
  assert.deepEqual(cls.fields, ['spec.volumeClaimTemplates[0].spec.storageClassName']);
});

test('volumes: a Lost claim names its deleted volume; a Failed volume quotes the reclaim error', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'PersistentVolume',
    persistentVolume('pv-bad', { phase: 'Failed', message: 'no deletable volume plugin matched' }),
  );
  s.upsert('PersistentVolumeClaim', pvc('data', { phase: 'Lost', volumeName: 'pv-gone' }));
  const lost = diagnoseWith(volumeLostDetector, s, undefined, (f) => f.workload.kind === 'PersistentVolumeClaim');
  assert.equal(lost.category, 'volume-lost');
  assert.equal(lost.summary, 'PersistentVolume pv-gone was deleted while claim data was bound to it');
  const failed = diagnoseWith(volumeLostDetector, s, undefined, (f) => f.workload.kind === 'PersistentVolume');
  assert.equal(
    failed.summary,
    'reclaiming PersistentVolume pv-bad (policy Delete) failed: no deletable volume plugin matched',
  );
});

test('node problems: the node, the condition and the workloads on it', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  s.upsert(
    'Node',
    node('node-1', {
      conditions: [
        ...node('x').conditions,
        cond('ReadonlyFilesystem', 'True', {
          reason: 'FilesystemIsReadOnly',
          message: 'Kernel remounted / read-only',
          lastTransitionTime: ago(120),
        }),
      ],
    }),
  );
  const cause = diagnoseWith(nodeProblemDetector, s);
  assert.equal(cause.category, 'node-problem');
  assert.equal(
    cause.summary,
    'node node-1: ReadonlyFilesystem=True (Kernel remounted / read-only); 2 pods of 1 workload run there',
  );
  assert.match(cause.explanation, /remounted read-only after disk errors/);
  assert.match(cause.fixes[0]!.summary, /kubectl drain node-1 --ignore-daemonsets/);
});

test('gateway: a Gateway naming a missing class gets the near class; a route backend port names the Service ports', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('web'));
  s.upsert('GatewayClass', {
    meta: meta('envoy', { namespace: '' }),
    controllerName: 'example.com/gw',
    conditions: [cond('Accepted', 'True')],
  });
  s.upsert('Gateway', { meta: meta('gw'), className: 'envoi', listeners: [], conditions: [] });
  s.upsert('HTTPRoute', {
    meta: meta('r'),
    parents: [],
    backends: [
      { path: 'spec.rules[0].backendRefs[0]', group: '', kind: 'Service', namespace: 'shop', name: 'web', port: 8080 },
    ],
    parentStatuses: [],
  });
  const cls = diagnoseWith(gatewayMisconfiguredDetector, s, undefined, (f) => f.workload.kind === 'Gateway');
  assert.equal(cls.summary, 'GatewayClass envoi does not exist (the cluster has: envoy); Gateway gw names it');
  assert.deepEqual(fixPatch(cls.fixes[0]!), { spec: { gatewayClassName: 'envoy' } });
  const port = diagnoseWith(gatewayMisconfiguredDetector, s, undefined, (f) => f.workload.kind === 'HTTPRoute');
  assert.equal(port.summary, 'Service web has no port 8080 (its ports: 80); HTTPRoute r sends traffic to it');
  assert.deepEqual(port.fields, ['spec.rules[0].backendRefs[0].port']);
});

test('nearest names: typos and prefixes, nothing for unrelated names', () => {
  assert.equal(nearestName('ngnix', ['nginx', 'traefik']), 'nginx');
  assert.equal(nearestName('api', ['web-api', 'db']), 'web-api');
  assert.equal(nearestName('payments', ['web', 'db']), undefined);
});

test('a StatefulSet missing its StorageClass is the root of its Pending claims and unschedulable pods', () => {
  const s = new ClusterSnapshot();
  const sts = workload('db', {
    kind: 'StatefulSet',
    desired: 1,
    ready: 0,
    claimTemplates: [{ name: 'data', storageClassName: 'fast-ssd' }],
  });
  s.upsert('StatefulSet', sts);
  s.upsert('StorageClass', storageClass('standard', true));
  const at = NOW.toISOString();
  const incident = (type: Incident['type'], kind: string, name: string, key?: string): Incident => ({
    type,
    severity: 'critical',
    workload: { kind, namespace: 'shop', name },
    ...(key ? { key } : {}),
    summary: type,
    evidence: [],
    id: `${type}-${name}`,
    status: 'open',
    firstSeen: at,
    lastSeen: at,
  });
  const root = incident('StatefulSetMisconfigured', 'StatefulSet', 'db', 'storageclass:data');
  const all = [
    incident('PVCPending', 'PersistentVolumeClaim', 'data-db-0'),
    incident('Unschedulable', 'StatefulSet', 'db', 'app'),
    root,
    incident('PVCPending', 'PersistentVolumeClaim', 'data-other-0'),
  ];
  const groups = correlationGroups(all, s);
  const group = groups.find((g) => g.members.length > 1)!;
  assert.equal(group.root.id, root.id);
  assert.deepEqual(group.members.map((m) => m.id).sort(), [
    'PVCPending-data-db-0',
    'StatefulSetMisconfigured-db',
    'Unschedulable-db',
  ]);
});

test('PDB: a budget the controller cannot evaluate quotes its message', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  const message = 'found no controllers for pod "web-x"';
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      minAvailable: '50%',
      currentHealthy: 0,
      desiredHealthy: 0,
      disruptionsAllowed: 0,
      expectedPods: 0,
      conditions: [cond('DisruptionAllowed', 'False', { reason: 'SyncFailed', message, lastTransitionTime: ago(300) })],
    }),
  );
  const cause = diagnoseWith(disruptionBlockedDetector, s);
  assert.equal(cause.summary, `the disruption controller cannot evaluate PDB web (selector app=web): ${message}`);
  assert.deepEqual(cause.fields, ['spec.selector', 'spec.minAvailable']);
});
