// NetworkPolicy port semantics and the NetworkPolicyBlocked detector: which pods a policy isolates
// (the implicit policyTypes rule included), which ports its rules admit (named ports, endPort,
// protocol, rules without ports, `ingress: [{}]` versus absent or empty), policies unioned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  effectivePolicyTypes,
  ingressAdmission,
  servicePortTarget,
} from '../../../src/core/detect/networkPolicyAdmission';
import { implicatedField, networkPolicyBlockedDetector } from '../../../src/core/detect/networkPolicyBlocked';
import type { NetworkPolicy } from '../../../src/core/model/networkPolicy';
import { toNetworkPolicy } from '../../../src/cluster/convertNetworkPolicy';
import { ClusterSnapshot, addApp, cond, container, pod, run, service, template } from './fixtures';

function policy(name: string, spec: Record<string, unknown>, namespace = 'shop'): NetworkPolicy {
  return toNetworkPolicy({ metadata: { name, namespace, uid: `uid-${name}` }, spec });
}

const webPod = pod('web-1', {
  meta: { labels: { app: 'web' } },
  spec: template({
    labels: { app: 'web' },
    containers: [
      container({
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'dns', containerPort: 5353, protocol: 'UDP' },
        ],
      }),
    ],
  }),
});
const tcp = (port: number) => ({ port, protocol: 'TCP' });
const admits = (policies: NetworkPolicy[], port = tcp(8080)) => ingressAdmission(policies, webPod, port).admitted;

test('conversion keeps absent and empty apart and reads IntOrString ports', () => {
  const p = policy('p', {
    podSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
    ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http' }, { port: 9000, endPort: 9010 }, {}] }],
  });
  assert.deepEqual(p.podSelector, { app: 'web' });
  assert.equal(p.podSelectorExpressions[0]!.operator, 'Exists');
  assert.equal(p.policyTypes, undefined);
  assert.deepEqual(p.ingress![0]!.ports, [{ port: 'http' }, { port: 9000, endPort: 9010 }, {}]);
  assert.deepEqual(p.ingress![0]!.from, [{ namespaceSelector: {} }]);
  assert.equal(policy('q', { podSelector: {} }).ingress, undefined);
  assert.deepEqual(policy('q', { podSelector: {}, ingress: [] }).ingress, []);
  const junk = toNetworkPolicy({ metadata: { name: 'junk' }, spec: { ingress: 'x', policyTypes: 3, podSelector: 7 } });
  assert.equal(junk.ingress, undefined, 'a malformed object converts without throwing');
});

test('policy types: Ingress always when absent, Egress only with egress rules; Egress-only isolates no ingress', () => {
  assert.deepEqual(effectivePolicyTypes(policy('a', { podSelector: {} })), ['Ingress']);
  assert.deepEqual(effectivePolicyTypes(policy('a', { podSelector: {}, egress: [{}] })), ['Ingress', 'Egress']);
  assert.deepEqual(effectivePolicyTypes(policy('a', { podSelector: {}, egress: [] })), ['Ingress']);
  const egressOnly = policy('e', { podSelector: {}, policyTypes: ['Egress'] });
  assert.equal(admits([egressOnly]), true, 'an Egress-only policy leaves ingress open');
  assert.deepEqual(ingressAdmission([egressOnly], webPod, tcp(8080)).isolatedBy, []);
});

test('ingress [{}] admits all; ingress [] and absent admit nothing; a rule without ports admits every port', () => {
  assert.equal(admits([policy('all', { podSelector: {}, ingress: [{}] })]), true);
  assert.equal(admits([policy('empty', { podSelector: {}, ingress: [] })]), false);
  assert.equal(admits([policy('absent', { podSelector: {}, policyTypes: ['Ingress'] })]), false);
  assert.equal(admits([policy('peers', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })]), true);
  assert.equal(admits([policy('emptyPorts', { podSelector: {}, ingress: [{ ports: [] }] })]), true);
});

test('ports match by number, by named container port, by protocol and by endPort range', () => {
  const only = (ports: unknown[]) => [policy('p', { podSelector: {}, ingress: [{ ports }] })];
  assert.equal(admits(only([{ port: 8080 }])), true);
  assert.equal(admits(only([{ port: 8081 }])), false);
  assert.equal(admits(only([{ port: 'http' }])), true, 'http is 8080 on this pod');
  assert.equal(admits(only([{ port: 'metrics' }])), false, 'a name the pod does not declare admits nothing');
  assert.equal(admits(only([{ port: 8080, protocol: 'UDP' }])), false);
  assert.equal(admits(only([{ port: 'dns', protocol: 'UDP' }]), { port: 5353, protocol: 'UDP' }), true);
  assert.equal(admits(only([{ port: 'dns' }]), { port: 5353, protocol: 'UDP' }), false, 'the entry is TCP');
  assert.equal(admits(only([{ port: 8000, endPort: 8100 }])), true);
  assert.equal(admits(only([{ port: 8000, endPort: 8079 }])), false);
  assert.equal(admits(only([{ protocol: 'TCP' }])), true, 'no port: every port of the protocol');
  assert.equal(admits(only([{ protocol: 'SCTP' }])), false);
});

test('several policies are unioned; a policy that does not select the pod does not isolate it', () => {
  const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress'] });
  const other = policy('other', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ ports: [{ port: 5432 }] }],
  });
  const allow = policy('allow', {
    podSelector: { matchLabels: { app: 'web' } },
    ingress: [{ ports: [{ port: 8080 }] }],
  });
  const elsewhere = policy('elsewhere', { podSelector: {}, policyTypes: ['Ingress'] }, 'other-ns');
  assert.equal(admits([deny]), false);
  assert.equal(admits([deny, allow]), true);
  assert.equal(admits([other]), true, 'not selected: not isolated');
  assert.equal(admits([elsewhere]), true, 'a policy of another namespace selects nothing here');
  assert.deepEqual(
    ingressAdmission([deny, other], webPod, tcp(8080)).isolatedBy.map((p) => p.meta.name),
    ['deny'],
  );
});

test('a Service port resolves to a number, a named container port or its own port', () => {
  assert.deepEqual(servicePortTarget({ port: 80, targetPort: '8080' }, webPod), tcp(8080));
  assert.deepEqual(servicePortTarget({ port: 80, targetPort: 'http' }, webPod), tcp(8080));
  assert.deepEqual(servicePortTarget({ port: 53, targetPort: 'dns', protocol: 'UDP' }, webPod), {
    port: 5353,
    protocol: 'UDP',
  });
  assert.equal(servicePortTarget({ port: 80, targetPort: 'nope' }, webPod), undefined);
  assert.deepEqual(servicePortTarget({ port: 9000 }, webPod), tcp(9000));
});

function shop(): ClusterSnapshot {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  return s;
}

test('NetworkPolicyBlocked: a deny-all opens an incident on the policy naming the Service and the port', () => {
  const s = shop();
  s.upsert('NetworkPolicy', policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }));
  const [f, ...rest] = run(networkPolicyBlockedDetector, s);
  assert.equal(rest.length, 0);
  assert.deepEqual([f!.workload.kind, f!.workload.name, f!.key], ['NetworkPolicy', 'deny-all', 'service:web']);
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.summary, 'NetworkPolicy deny-all admits no traffic to Service web on port 80/TCP → 8080');
  assert.equal(f!.evidence[0]!.field, 'spec.policyTypes');
});

test('NetworkPolicyBlocked: a rule admitting another port still blocks; the right port, a range or [{}] resolve it', () => {
  const s = shop();
  s.upsert(
    'NetworkPolicy',
    policy('web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 9090 }] }] }),
  );
  assert.equal(run(networkPolicyBlockedDetector, s).length, 1);
  assert.equal(run(networkPolicyBlockedDetector, s)[0]!.evidence[0]!.field, 'spec.ingress');
  for (const ingress of [[{ ports: [{ port: 8080 }] }], [{ ports: [{ port: 8000, endPort: 8999 }] }], [{}]]) {
    s.upsert('NetworkPolicy', policy('web', { podSelector: { matchLabels: { app: 'web' } }, ingress }));
    assert.deepEqual(run(networkPolicyBlockedDetector, s), [], JSON.stringify(ingress));
  }
});

test('NetworkPolicyBlocked: several isolating policies are all named, the one with rules is primary', () => {
  const s = shop();
  s.upsert('NetworkPolicy', policy('a-deny', { podSelector: {}, policyTypes: ['Ingress'] }));
  s.upsert(
    'NetworkPolicy',
    policy('z-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 9090 }] }] }),
  );
  const [f] = run(networkPolicyBlockedDetector, s);
  assert.equal(f!.workload.name, 'z-web');
  assert.match(f!.summary, /NetworkPolicy z-web \(with a-deny\) admits no traffic to Service web/);
  assert.deepEqual(
    f!.evidence.filter((e) => e.source.kind === 'NetworkPolicy').map((e) => e.source.name),
    ['z-web', 'a-deny'],
  );
});

test('NetworkPolicyBlocked: no incident without ready pods, without a selector, without ports, or for unselected pods', () => {
  const notReady = new ClusterSnapshot();
  addApp(notReady, 'web', { pod: () => ({ conditions: [cond('Ready', 'False')] }) });
  notReady.upsert('NetworkPolicy', policy('deny', { podSelector: {} }));
  assert.deepEqual(run(networkPolicyBlockedDetector, notReady), [], 'no ready pods: nothing is judged');

  const s = shop();
  s.upsert('NetworkPolicy', policy('deny', { podSelector: {} }));
  s.upsert('Service', service('web', { selector: {} }));
  s.upsert('Service', service('headless', { selector: { app: 'web' }, ports: [] }));
  assert.deepEqual(run(networkPolicyBlockedDetector, s), []);

  const other = shop();
  other.upsert('NetworkPolicy', policy('db-only', { podSelector: { matchLabels: { app: 'db' } } }));
  assert.deepEqual(run(networkPolicyBlockedDetector, other), []);
});

test('NetworkPolicyBlocked: one blocked port of two is a warning; one admitting pod is enough', () => {
  const s = shop();
  s.upsert(
    'Service',
    service('web', {
      ports: [
        { port: 80, targetPort: '8080' },
        { port: 9090, name: 'metrics' },
      ],
    }),
  );
  s.upsert('NetworkPolicy', policy('web', { podSelector: {}, ingress: [{ ports: [{ port: 9090 }] }] }));
  const [f] = run(networkPolicyBlockedDetector, s);
  assert.equal(f!.severity, 'warning');
  assert.match(f!.summary, /on port 80\/TCP → 8080$/);

  const mixed = new ClusterSnapshot();
  addApp(mixed, 'web', { replicas: 2, pod: (i) => ({ meta: { labels: { app: 'web', canary: String(i === 0) } } }) });
  mixed.upsert('NetworkPolicy', policy('deny-canary', { podSelector: { matchLabels: { canary: 'true' } } }));
  assert.deepEqual(run(networkPolicyBlockedDetector, mixed), [], 'the other pod still serves the port');
});

test('the implicated field is the one written: ingress rules, policy types, an empty ingress, or the selector', () => {
  assert.equal(implicatedField(policy('a', { podSelector: {}, ingress: [{ ports: [{ port: 1 }] }] })), 'spec.ingress');
  assert.equal(implicatedField(policy('b', { podSelector: {}, policyTypes: ['Ingress'] })), 'spec.policyTypes');
  assert.equal(
    implicatedField(policy('c', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] })),
    'spec.policyTypes',
  );
  assert.equal(implicatedField(policy('d', { podSelector: {}, ingress: [] })), 'spec.ingress');
  assert.equal(implicatedField(policy('e', { podSelector: { matchLabels: { app: 'web' } } })), 'spec.podSelector');
});
