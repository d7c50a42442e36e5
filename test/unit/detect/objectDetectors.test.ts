// Detectors for objects that refer to missing ones or block others: Ingresses, PDBs,
// StatefulSets, lost volumes, node problems and the Gateway API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressMisconfiguredDetector } from '../../../src/core/detect/ingressMisconfigured';
import { disruptionBlockedDetector } from '../../../src/core/detect/disruptionBlocked';
import { statefulSetMisconfiguredDetector } from '../../../src/core/detect/statefulSetMisconfigured';
import { volumeLostDetector } from '../../../src/core/detect/volumeLost';
import { nodeProblemDetector, isProblemCondition } from '../../../src/core/detect/nodeProblem';
import { gatewayMisconfiguredDetector } from '../../../src/core/detect/gatewayMisconfigured';
import { matchesLabelSelector, labelSelectorText } from '../../../src/core/detect/support';
import type { Gateway, GatewayClass, HTTPRoute } from '../../../src/core/model/routing';
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
  pod,
  pvc,
  run,
  secret,
  service,
  storageClass,
  template,
  workload,
} from './fixtures';

function shop(): ClusterSnapshot {
  const s = new ClusterSnapshot();
  addApp(s, 'web');
  s.upsert('IngressClass', ingressClass('nginx', true));
  s.upsert('Secret', secret('web-tls'));
  return s;
}

test('IngressMisconfigured: a healthy Ingress with class, backend and TLS Secret is fine; so is a fresh broken one', () => {
  const s = shop();
  s.upsert(
    'Ingress',
    ingress('web', { tls: [{ path: 'spec.tls[0]', secretName: 'web-tls', hosts: ['shop.example.com'] }] }),
  );
  s.upsert('Ingress', ingress('fresh', { className: 'nope', addresses: [], meta: { createdAt: ago(30) } }));
  s.upsert(
    'Ingress',
    ingress('by-annotation', {
      className: undefined,
      classAnnotation: 'nginx',
      addresses: [],
      backends: [
        { path: 'spec.rules[0].http.paths[0].backend', route: '*/', service: { name: 'web', port: { name: 'http' } } },
      ],
    }),
  );
  s.upsert('Service', service('web', { ports: [{ name: 'http', port: 80, targetPort: '8080' }] }));
  assert.deepEqual(run(ingressMisconfiguredDetector, s), []);
});

test('IngressMisconfigured: a class that does not exist, and no class with no default class', () => {
  const s = shop();
  s.upsert('Ingress', ingress('web', { className: 'nginx-internal', addresses: [] }));
  const [f, ...rest] = run(ingressMisconfiguredDetector, s);
  assert.equal(rest.length, 0);
  assert.deepEqual([f!.workload.kind, f!.workload.name, f!.key, f!.severity], ['Ingress', 'web', 'class', 'critical']);
  assert.equal(
    f!.summary,
    'Ingress web names IngressClass nginx-internal, which does not exist: no controller serves it',
  );
  assert.ok(f!.evidence.some((e) => e.field === 'spec.ingressClassName'));
  const noDefault = new ClusterSnapshot();
  noDefault.upsert('IngressClass', ingressClass('nginx', false));
  noDefault.upsert('Service', service('web'));
  noDefault.upsert('Ingress', ingress('web', { className: undefined, addresses: [] }));
  const [g] = run(ingressMisconfiguredDetector, noDefault);
  assert.match(g!.summary, /names no IngressClass and the cluster has no default class/);
  assert.match(
    g!.evidence.map((e) => e.text).join('\n'),
    /IngressClasses in the cluster: nginx \(k8s.io\/ingress-nginx\)/,
  );
});

test('IngressMisconfigured: missing backend Service, missing port (by number and by name), missing TLS Secret', () => {
  const s = shop();
  s.upsert(
    'Ingress',
    ingress('web', {
      backends: [
        {
          path: 'spec.rules[0].http.paths[0].backend',
          route: 'shop.example.com/',
          service: { name: 'web', port: { number: 8080 } },
        },
        {
          path: 'spec.rules[0].http.paths[1].backend',
          route: 'shop.example.com/api',
          service: { name: 'api', port: { number: 80 } },
        },
        {
          path: 'spec.rules[0].http.paths[2].backend',
          route: 'shop.example.com/v2',
          service: { name: 'web', port: { name: 'grpc' } },
        },
        { path: 'spec.rules[0].http.paths[3].backend', route: 'shop.example.com/static' },
      ],
      tls: [{ path: 'spec.tls[0]', secretName: 'shop-tls', hosts: ['shop.example.com'] }],
    }),
  );
  const found = run(ingressMisconfiguredDetector, s);
  const byKey = new Map(found.map((f) => [f.key, f]));
  assert.deepEqual([...byKey.keys()].sort(), ['port:web:"grpc"', 'port:web:8080', 'service:api', 'tls:shop-tls']);
  assert.equal(
    byKey.get('service:api')!.summary,
    'Ingress web routes shop.example.com/api to Service api, which does not exist',
  );
  assert.equal(
    byKey.get('port:web:8080')!.summary,
    'Ingress web routes shop.example.com/ to port 8080 of Service web, which has no such port (ports: 80)',
  );
  assert.ok(
    byKey
      .get('port:web:8080')!
      .evidence.some((e) => e.field === 'spec.rules[0].http.paths[0].backend.service.port.number'),
  );
  assert.ok(
    byKey
      .get('port:web:"grpc"')!
      .evidence.some((e) => e.field === 'spec.rules[0].http.paths[2].backend.service.port.name'),
  );
  assert.equal(byKey.get('service:api')!.severity, 'critical', 'every Service backend of the Ingress is broken');
  assert.equal(byKey.get('tls:shop-tls')!.severity, 'warning');
  assert.equal(
    byKey.get('tls:shop-tls')!.summary,
    'Ingress web serves TLS for shop.example.com with Secret shop-tls, which does not exist',
  );
});

test('IngressMisconfigured: nothing is concluded from kinds the snapshot does not hold completely', () => {
  const s = new ClusterSnapshot();
  s.setObserved('Ingress', undefined, true);
  s.upsert(
    'Ingress',
    ingress('web', { className: 'nope', addresses: [], tls: [{ path: 'spec.tls[0]', secretName: 'x', hosts: [] }] }),
  );
  assert.deepEqual(
    run(ingressMisconfiguredDetector, s),
    [],
    'IngressClass, Service and Secret lists were not complete',
  );
  s.setObserved('Secret', 'shop', true);
  assert.deepEqual(
    run(ingressMisconfiguredDetector, s).map((f) => f.key),
    ['tls:x'],
  );
  s.setObserved('Secret', 'shop', false);
  assert.deepEqual(run(ingressMisconfiguredDetector, s), []);
});

test('DisruptionBlocked: minAvailable equal to the only replica blocks every eviction', () => {
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
  const [f, ...rest] = run(disruptionBlockedDetector, s);
  assert.equal(rest.length, 0);
  assert.deepEqual([f!.workload.kind, f!.workload.name, f!.severity], ['PodDisruptionBudget', 'db', 'warning']);
  assert.equal(
    f!.summary,
    'PDB db allows no disruption: minAvailable 1 with 1 pod, so no pod may ever be evicted (selector app=db); node drains and upgrades stall on it',
  );
  const text = f!.evidence.map((e) => e.text).join('\n');
  assert.match(text, /DisruptionAllowed=False \(InsufficientPods\)/);
  assert.match(text, /1 pod: db-7d4b9c-0x0 \(healthy\)/);
});

test('DisruptionBlocked: unhealthy pods use the budget up, only once it lasts', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 3,
    pod: (i) => (i > 0 ? { conditions: [cond('Ready', 'False', { lastTransitionTime: ago(300) })] } : {}),
  });
  const blocked = { currentHealthy: 1, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 3, minAvailable: '2' };
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      ...blocked,
      conditions: [cond('DisruptionAllowed', 'False', { reason: 'InsufficientPods', lastTransitionTime: ago(60) })],
    }),
  );
  assert.deepEqual(run(disruptionBlockedDetector, s), [], 'a rollout passes through this');
  s.upsert(
    'PodDisruptionBudget',
    pdb('web', {
      ...blocked,
      conditions: [cond('DisruptionAllowed', 'False', { reason: 'InsufficientPods', lastTransitionTime: ago(100) })],
    }),
  );
  const [f] = run(disruptionBlockedDetector, s);
  assert.match(f!.summary, /1 of 3 pods healthy, 2 required, so no healthy pod may be evicted/);
  assert.match(
    f!.evidence.map((e) => e.text).join('\n'),
    /2 pods: web-7d4b9c-1x1 \(not ready\), web-7d4b9c-2x2 \(not ready\)/,
  );
});

test('DisruptionBlocked: budgets that allow disruptions, select nothing, are new or not yet observed are fine', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web');
  s.upsert('PodDisruptionBudget', pdb('web'));
  s.upsert(
    'PodDisruptionBudget',
    pdb('nothing', {
      selector: { app: 'none' },
      currentHealthy: 0,
      desiredHealthy: 1,
      disruptionsAllowed: 0,
      expectedPods: 0,
      conditions: [cond('DisruptionAllowed', 'False')],
    }),
  );
  s.upsert(
    'PodDisruptionBudget',
    pdb('fresh', {
      selector: { app: 'web' },
      disruptionsAllowed: 0,
      desiredHealthy: 3,
      conditions: [cond('DisruptionAllowed', 'False')],
      meta: { createdAt: ago(20) },
    }),
  );
  s.upsert(
    'PodDisruptionBudget',
    pdb('edited', {
      selector: { app: 'web' },
      disruptionsAllowed: 0,
      desiredHealthy: 3,
      conditions: [cond('DisruptionAllowed', 'False')],
      meta: { generation: 2 },
    }),
  );
  assert.deepEqual(run(disruptionBlockedDetector, s), []);
});

test('label selectors: matchLabels with matchExpressions, and their text', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(matchesLabelSelector(labels, { app: 'web' }, [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }]));
  assert.ok(!matchesLabelSelector(labels, {}, [{ key: 'tier', operator: 'NotIn', values: ['front'] }]));
  assert.ok(matchesLabelSelector(labels, {}, [{ key: 'canary', operator: 'DoesNotExist', values: [] }]));
  assert.ok(!matchesLabelSelector(labels, {}, [{ key: 'tier', operator: 'Bogus', values: [] }]));
  assert.equal(
    labelSelectorText({ app: 'web' }, [
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'x', operator: 'Exists', values: [] },
    ]),
    'app=web,tier in (a,b),x',
  );
});

test('StatefulSetMisconfigured: a missing governing Service and a missing volumeClaimTemplate StorageClass', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('other'));
  s.upsert('StorageClass', storageClass('standard', true));
  s.upsert(
    'StatefulSet',
    workload('db', {
      kind: 'StatefulSet',
      desired: 2,
      ready: 0,
      serviceName: 'db-headless',
      claimTemplates: [{ name: 'data', storageClassName: 'fast-ssd' }],
    }),
  );
  s.upsert(
    'StatefulSet',
    workload('cache', {
      kind: 'StatefulSet',
      serviceName: 'other',
      claimTemplates: [{ name: 'data', storageClassName: 'standard' }, { name: 'tmp' }],
    }),
  );
  s.upsert('StatefulSet', workload('fresh', { kind: 'StatefulSet', serviceName: 'nope', createdAt: ago(10) }));
  const found = run(statefulSetMisconfiguredDetector, s);
  assert.deepEqual(found.map((f) => `${f.workload.name} ${f.key} ${f.severity}`).sort(), [
    'db service:db-headless warning',
    'db storageclass:data critical',
  ]);
  const cls = found.find((f) => f.key === 'storageclass:data')!;
  assert.equal(
    cls.summary,
    'StatefulSet db claims volume data from StorageClass fast-ssd, which does not exist: new pods wait for a volume that is never provisioned (0/2 ready)',
  );
  assert.ok(cls.evidence.some((e) => e.field === 'spec.volumeClaimTemplates[0].spec.storageClassName'));
});

test('VolumeLost: a Lost claim whose volume is gone, and a Failed volume', () => {
  const s = new ClusterSnapshot();
  s.upsert('PersistentVolume', persistentVolume('pv-ok'));
  s.upsert(
    'PersistentVolume',
    persistentVolume('pv-bad', {
      phase: 'Failed',
      message: 'error getting deleter volume plugin for volume "pv-bad": no deletable volume plugin matched',
      claim: { namespace: 'shop', name: 'old' },
    }),
  );
  s.upsert('PersistentVolumeClaim', pvc('data', { phase: 'Lost', volumeName: 'pv-gone' }));
  s.upsert('PersistentVolumeClaim', pvc('fine'));
  s.upsert('Pod', pod('db-0', { phase: 'Pending', spec: template({ claimNames: ['data'] }), containerStatuses: [] }));
  const found = run(volumeLostDetector, s);
  assert.deepEqual(found.map((f) => `${f.workload.kind}/${f.workload.name} ${f.severity}`).sort(), [
    'PersistentVolume/pv-bad warning',
    'PersistentVolumeClaim/data critical',
  ]);
  assert.equal(
    found.find((f) => f.workload.name === 'data')!.summary,
    'PVC data is Lost: its volume pv-gone is gone; PersistentVolume pv-gone no longer exists; 1 pod uses it',
  );
  assert.equal(found.find((f) => f.workload.name === 'pv-bad')!.workload.namespace, '');
  assert.match(
    found.find((f) => f.workload.name === 'pv-bad')!.summary,
    /is Failed: error getting deleter volume plugin/,
  );
});

test('NodeProblem: node-problem-detector conditions when True, Unknown pressure on a Ready node', () => {
  const s = new ClusterSnapshot();
  const base = node('n1').conditions;
  s.upsert(
    'Node',
    node('n1', {
      conditions: [
        ...base,
        cond('KernelDeadlock', 'True', {
          reason: 'DockerHung',
          message: 'task docker:7 blocked for more than 120 seconds.',
          lastTransitionTime: ago(60),
        }),
        cond('ReadonlyFilesystem', 'False'),
      ],
    }),
  );
  s.upsert(
    'Node',
    node('n2', {
      conditions: [
        ...base.filter((c) => c.type !== 'DiskPressure'),
        cond('DiskPressure', 'Unknown', { reason: 'NodeStatusUnknown', lastTransitionTime: ago(60) }),
      ],
    }),
  );
  s.upsert('Node', node('n3', { conditions: [cond('Ready', 'Unknown'), cond('MemoryPressure', 'Unknown')] }));
  s.upsert(
    'Node',
    node('n4', {
      conditions: [
        ...base,
        cond('FrequentKubeletRestart', 'True', { lastTransitionTime: ago(5) }),
        cond('CiliumAgentReady', 'True'),
      ],
    }),
  );
  const found = run(nodeProblemDetector, s);
  assert.deepEqual(found.map((f) => `${f.workload.name} ${f.key} ${f.severity}`).sort(), [
    'n1 KernelDeadlock critical',
    'n2 DiskPressure warning',
  ]);
  assert.equal(
    found.find((f) => f.key === 'KernelDeadlock')!.summary,
    'Node n1 reports KernelDeadlock=True (DockerHung): task docker:7 blocked for more than 120 seconds.',
  );
  assert.ok(isProblemCondition('CiliumAgentReady', 'False'));
  assert.ok(!isProblemCondition('MemoryPressure', 'True'), 'NodePressure covers the standard ones');
});

function gatewayClass(name: string, accepted?: string): GatewayClass {
  return {
    meta: meta(name, { namespace: '' }),
    controllerName: 'example.com/gateway',
    conditions: accepted
      ? [cond('Accepted', accepted, { reason: accepted === 'True' ? 'Accepted' : 'InvalidParameters' })]
      : [],
  };
}

function gateway(name: string, overrides: Partial<Gateway> = {}): Gateway {
  return {
    meta: meta(name),
    className: 'eg',
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP', conditions: [] }],
    conditions: [cond('Accepted', 'True'), cond('Programmed', 'True')],
    ...overrides,
  };
}

function route(name: string, overrides: Partial<HTTPRoute> = {}): HTTPRoute {
  return {
    meta: meta(name),
    parents: [
      {
        path: 'spec.parentRefs[0]',
        group: 'gateway.networking.k8s.io',
        kind: 'Gateway',
        namespace: 'shop',
        name: 'gw',
      },
    ],
    backends: [
      { path: 'spec.rules[0].backendRefs[0]', group: '', kind: 'Service', namespace: 'shop', name: 'web', port: 80 },
    ],
    parentStatuses: [],
    ...overrides,
  };
}

test('GatewayMisconfigured: class not accepted, Gateway not programmed or without class, route parent, backend and port', () => {
  const s = new ClusterSnapshot();
  s.upsert('Service', service('web'));
  s.upsert('GatewayClass', gatewayClass('eg', 'True'));
  s.upsert('GatewayClass', gatewayClass('orphan'));
  s.upsert('Gateway', gateway('gw'));
  s.upsert(
    'Gateway',
    gateway('unprogrammed', {
      conditions: [
        cond('Accepted', 'True'),
        cond('Programmed', 'False', { reason: 'AddressNotAssigned', message: 'no address available' }),
      ],
    }),
  );
  s.upsert('Gateway', gateway('classless', { className: 'envoy' }));
  s.upsert('HTTPRoute', route('ok'));
  s.upsert(
    'HTTPRoute',
    route('lost', {
      parents: [
        {
          path: 'spec.parentRefs[0]',
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          namespace: 'shop',
          name: 'gateway',
        },
      ],
    }),
  );
  s.upsert(
    'HTTPRoute',
    route('nobackend', {
      backends: [
        { path: 'spec.rules[0].backendRefs[0]', group: '', kind: 'Service', namespace: 'shop', name: 'api', port: 80 },
      ],
    }),
  );
  s.upsert(
    'HTTPRoute',
    route('badport', {
      backends: [
        {
          path: 'spec.rules[1].backendRefs[0]',
          group: '',
          kind: 'Service',
          namespace: 'shop',
          name: 'web',
          port: 8080,
        },
      ],
    }),
  );
  const found = run(gatewayMisconfiguredDetector, s);
  assert.deepEqual(found.map((f) => `${f.workload.kind}/${f.workload.name} ${f.key}`).sort(), [
    'Gateway/classless class',
    'Gateway/unprogrammed programmed',
    'GatewayClass/orphan accepted',
    'HTTPRoute/badport port:shop/web:8080',
    'HTTPRoute/lost parent:shop/gateway',
    'HTTPRoute/nobackend backend:shop/api',
  ]);
  const text = (k: string) => found.find((f) => f.key === k)!.summary;
  assert.equal(
    text('accepted'),
    'GatewayClass orphan is not accepted: no controller has accepted it (controllerName example.com/gateway)',
  );
  assert.equal(text('programmed'), 'Gateway unprogrammed is not programmed: AddressNotAssigned: no address available');
  assert.equal(
    text('port:shop/web:8080'),
    'HTTPRoute badport sends traffic to port 8080 of Service web, which has no such port (ports: 80)',
  );
  assert.ok(
    found
      .find((f) => f.key === 'port:shop/web:8080')!
      .evidence.some((e) => e.field === 'spec.rules[1].backendRefs[0].port'),
  );
});

test('GatewayMisconfigured: nothing without the CRDs, and nothing for fresh objects', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web');
  assert.deepEqual(run(gatewayMisconfiguredDetector, s), []);
  s.upsert('GatewayClass', { ...gatewayClass('new'), meta: meta('new', { namespace: '', createdAt: ago(20) }) });
  assert.deepEqual(run(gatewayMisconfiguredDetector, s), []);
});

test('hostile names and messages in the object families stay on one bounded line, and causes never throw', async () => {
  const { detectAll } = await import('../../../src/core/detect/detectors');
  const { diagnoseAll } = await import('../../../src/core/diagnose/diagnose');
  const { incidentId } = await import('../../../src/core/model/incident');
  const hostile = ['line\nbreak\r\n', '\u202eevil\u0000nul\u2028', 'x'.repeat(5_000), '**md** <script>', '"quoted"'];
  const s = new ClusterSnapshot();
  s.upsert('IngressClass', ingressClass('nginx', false));
  hostile.forEach((text, i) => {
    s.upsert(
      'Ingress',
      ingress(`ing-${i}`, {
        className: text,
        addresses: [],
        backends: [{ path: 'spec.defaultBackend', route: text, service: { name: text, port: { name: text } } }],
        tls: [{ path: 'spec.tls[0]', secretName: text, hosts: [text] }],
      }),
    );
    s.upsert('Secret', secret(`s-${i}`));
    s.upsert('Service', service(`svc-${i}`));
    s.upsert(
      'PodDisruptionBudget',
      pdb(`pdb-${i}`, {
        selector: { [text.slice(0, 60)]: text },
        minAvailable: text,
        currentHealthy: 1,
        desiredHealthy: 1,
        disruptionsAllowed: 0,
        expectedPods: 1,
        conditions: [cond('DisruptionAllowed', 'False', { reason: text, message: text, lastTransitionTime: ago(300) })],
      }),
    );
    s.upsert('Pod', pod(`p-${i}`, { meta: { labels: { [text.slice(0, 60)]: text } } }));
    s.upsert(
      'Node',
      node(`n-${i}`, {
        conditions: [
          ...node('x').conditions,
          cond(`Problem${i}`, 'True', { reason: text, message: text, lastTransitionTime: ago(300) }),
        ],
      }),
    );
    s.upsert(
      'StatefulSet',
      workload(`sts-${i}`, {
        kind: 'StatefulSet',
        serviceName: text,
        claimTemplates: [{ name: text, storageClassName: text }],
      }),
    );
    s.upsert('StorageClass', storageClass(`sc-${i}`));
    s.upsert('PersistentVolume', persistentVolume(`pv-${i}`, { phase: 'Failed', message: text, reason: text }));
    s.upsert('GatewayClass', {
      meta: meta(`gc-${i}`, { namespace: '' }),
      controllerName: text,
      conditions: [cond('Accepted', 'False', { reason: text, message: text })],
    });
  });
  const { findings, errors } = detectAll({ snapshot: s, now: NOW });
  assert.deepEqual(errors, []);
  const mine = findings.filter((f) =>
    [
      'IngressMisconfigured',
      'DisruptionBlocked',
      'StatefulSetMisconfigured',
      'VolumeLost',
      'NodeProblem',
      'GatewayMisconfigured',
    ].includes(f.type),
  );
  assert.ok(mine.length >= hostile.length * 6, `every family reported (${mine.length})`);
  for (const f of mine) {
    assert.ok(f.summary.length <= 400 && !/[\n\r\u2028\u0000]/.test(f.summary), f.summary.slice(0, 80));
    for (const e of f.evidence) assert.ok(e.text.length <= 500, e.text.slice(0, 80));
  }
  const at = NOW.toISOString();
  const causes = diagnoseAll(
    mine.map((f) => ({ ...f, id: incidentId(f), status: 'open' as const, firstSeen: at, lastSeen: at })),
    s,
    NOW,
  );
  for (const c of causes) {
    assert.notEqual(c.category, 'unknown', `${c.incidentType}: ${c.note ?? c.summary.slice(0, 80)}`);
    assert.ok(c.summary.length <= 300 && !/[\n\r\u2028\u0000]/.test(c.summary));
  }
});
