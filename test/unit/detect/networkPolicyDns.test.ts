// NetworkPolicy egress and DNS: which pods a policy isolates for egress (written or implied policy
// types), which egress rules admit 53/UDP (no ports, endPort ranges, protocol, named ports never),
// the incident per policy naming the workloads it cuts off, and the noise it must not make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { egressAdmission } from '../../../src/core/detect/networkPolicyAdmission';
import { DNS_KEY } from '../../../src/core/detect/networkPolicyDns';
import { networkPolicyBlockedDetector } from '../../../src/core/detect/networkPolicyBlocked';
import type { NetworkPolicy } from '../../../src/core/model/networkPolicy';
import { toNetworkPolicy } from '../../../src/cluster/convertNetworkPolicy';
import { detectAll } from '../../../src/core/detect/detectors';
import { ClusterSnapshot, NOW, addApp, pod, run, template } from './fixtures';

function policy(name: string, spec: Record<string, unknown>, namespace = 'shop'): NetworkPolicy {
  return toNetworkPolicy({ metadata: { name, namespace, uid: `uid-${name}` }, spec });
}

const web = pod('web-1', { meta: { labels: { app: 'web' } }, spec: template({ labels: { app: 'web' } }) });
const dns = (policies: NetworkPolicy[]) => egressAdmission(policies, web, { port: 53, protocol: 'UDP' }).admitted;
const rule = (ports: Record<string, unknown>[]) =>
  policy('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports }] });

const dnsRun = (s: ClusterSnapshot) => run(networkPolicyBlockedDetector, s).filter((f) => f.key === DNS_KEY);

function shop(): ClusterSnapshot {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  addApp(s, 'api', { replicas: 1 });
  return s;
}

test('conversion reads egress rules with their ports and keeps `to` as written', () => {
  const to = [{ namespaceSelector: {} }];
  const p = policy('p', { podSelector: {}, egress: [{ to, ports: [{ port: 53, protocol: 'UDP' }, { port: 'dns' }] }] });
  assert.deepEqual(p.egress![0]!.ports, [{ port: 53, protocol: 'UDP' }, { port: 'dns' }]);
  assert.deepEqual(p.egress![0]!.to, to);
  assert.equal(policy('q', { podSelector: {} }).egress, undefined);
  assert.deepEqual(policy('q', { podSelector: {}, egress: [] }).egress, []);
  assert.equal(toNetworkPolicy({ metadata: { name: 'junk' }, spec: { egress: 'x' } }).egress, undefined);
});

test('egress isolation: written Egress, or implied by egress rules; Ingress-only leaves egress open', () => {
  assert.equal(dns([policy('i', { podSelector: {}, policyTypes: ['Ingress'] })]), true);
  assert.equal(dns([policy('i', { podSelector: {} })]), true, 'no policyTypes and no egress: Ingress only');
  assert.equal(dns([policy('e', { podSelector: {}, policyTypes: ['Egress'] })]), false, 'default-deny egress');
  assert.equal(dns([policy('e', { podSelector: {}, egress: [{ ports: [{ port: 443 }] }] })]), false, 'implied');
  assert.equal(dns([policy('o', { podSelector: { matchLabels: { app: 'other' } }, policyTypes: ['Egress'] })]), true);
  const denyAll = policy('e', { podSelector: {}, policyTypes: ['Egress'] });
  assert.deepEqual(
    egressAdmission([denyAll], web, { port: 53, protocol: 'UDP' }).isolatedBy.map((p) => p.meta.name),
    ['e'],
  );
});

test('egress ports: a rule without ports admits all; protocol, endPort ranges count; named ports never match', () => {
  assert.equal(dns([rule([{ port: 53, protocol: 'UDP' }])]), true);
  assert.equal(dns([rule([{ port: 53 }])]), false, 'TCP by default: UDP lookups still fail');
  assert.equal(dns([rule([{ port: 50, endPort: 60, protocol: 'UDP' }])]), true);
  assert.equal(dns([rule([{ port: 54, endPort: 60, protocol: 'UDP' }])]), false);
  assert.equal(dns([rule([{ protocol: 'UDP' }])]), true, 'no port: every UDP port');
  assert.equal(dns([rule([{ port: 'dns', protocol: 'UDP' }])]), false, 'a named port names the destination');
  assert.equal(dns([policy('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })]), true);
  assert.equal(dns([policy('p', { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })]), true);
  const both = [
    rule([{ port: 443 }]),
    policy('dns', { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }),
  ];
  assert.equal(dns(both), true, 'policies are unioned');
});

test('a default-deny egress opens one warning on the policy naming every workload it cuts off', () => {
  const s = shop();
  s.upsert('NetworkPolicy', policy('deny-egress', { podSelector: {}, policyTypes: ['Egress'] }));
  const found = dnsRun(s);
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.deepEqual(
    [f.type, f.workload.kind, f.workload.name, f.key],
    ['NetworkPolicyBlocked', 'NetworkPolicy', 'deny-egress', DNS_KEY],
  );
  assert.equal(f.severity, 'warning');
  assert.equal(
    f.summary,
    'NetworkPolicy deny-egress blocks DNS (port 53/UDP) egress for Deployment api, Deployment web: names cannot resolve',
  );
  assert.equal(f.evidence[0]!.field, 'spec.policyTypes');
  assert.deepEqual(
    run(networkPolicyBlockedDetector, s).filter((x) => x.key !== DNS_KEY),
    [],
    'an Egress-only policy blocks no Service',
  );
});

test('an allow-list without 53 is named with its ports; the primary policy is the one with port rules', () => {
  const s = shop();
  s.upsert('NetworkPolicy', policy('a-deny', { podSelector: {}, policyTypes: ['Egress'] }));
  s.upsert(
    'NetworkPolicy',
    policy('web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ ports: [{ port: 443 }] }] }),
  );
  const found = dnsRun(s);
  const byPolicy = new Map(found.map((f) => [f.workload.name, f.summary]));
  assert.deepEqual([...byPolicy.keys()].sort(), ['a-deny', 'web-out']);
  assert.match(byPolicy.get('web-out')!, /^NetworkPolicy web-out \(with a-deny\) blocks DNS .* for Deployment web:/);
  assert.match(byPolicy.get('a-deny')!, /for Deployment api:/);
});

test('no incident when 53/UDP is admitted, for hostNetwork pods, bare pods, or pods not running', () => {
  const allow = policy('allow', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }] }],
  });
  const s = shop();
  s.upsert('NetworkPolicy', allow);
  assert.deepEqual(dnsRun(s), []);

  const deny = policy('deny', { podSelector: {}, policyTypes: ['Egress'] });
  const host = new ClusterSnapshot();
  addApp(host, 'agent', {
    replicas: 2,
    pod: () => ({ spec: { ...template({ labels: { app: 'agent' } }), hostNetwork: true } }),
  });
  host.upsert('Pod', pod('bare', { meta: { labels: { app: 'bare' } } }));
  host.upsert('NetworkPolicy', deny);
  assert.deepEqual(dnsRun(host), [], 'node-network and unowned pods are not judged');

  const pending = new ClusterSnapshot();
  addApp(pending, 'web', { replicas: 1, pod: () => ({ phase: 'Pending' }) });
  pending.upsert('NetworkPolicy', deny);
  assert.deepEqual(dnsRun(pending), []);

  const other = shop();
  other.upsert('NetworkPolicy', policy('deny', { podSelector: {}, policyTypes: ['Egress'] }, 'elsewhere'));
  assert.deepEqual(dnsRun(other), [], 'a policy of another namespace');
});

test('judged per workload: one pod that can resolve keeps the workload out', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', {
    replicas: 2,
    pod: (i) => ({ meta: { labels: { app: 'web', ...(i === 0 ? { dns: 'ok' } : {}) } } }),
  });
  s.upsert('NetworkPolicy', policy('deny', { podSelector: {}, policyTypes: ['Egress'] }));
  s.upsert(
    'NetworkPolicy',
    policy('dns', {
      podSelector: { matchLabels: { dns: 'ok' } },
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    }),
  );
  assert.deepEqual(dnsRun(s), []);
});

test('the registered detectors report a Service blocked and a DNS cut-off by one policy as two incidents', () => {
  const s = shop();
  s.upsert('NetworkPolicy', policy('lockdown', { podSelector: {}, egress: [{ ports: [{ port: 443 }] }] }));
  const { findings, errors } = detectAll({ snapshot: s, now: NOW });
  assert.deepEqual(errors, []);
  const mine = findings.filter((f) => f.type === 'NetworkPolicyBlocked');
  assert.deepEqual(mine.map((f) => `${f.workload.name} ${f.key}`).sort(), [
    'lockdown egress:dns',
    'lockdown service:api',
    'lockdown service:web',
  ]);
});
