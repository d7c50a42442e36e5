// The cause of a DNS cut-off names the policy and the workloads; an allow-list without 53 gets a
// confirmable patch that appends 53/UDP and 53/TCP to its first port-listing egress rule (its `to`
// kept), high risk; a default-deny egress gets advice only. Service incidents keep their own rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DNS_KEY } from '../../../src/core/detect/networkPolicyDns';
import { networkPolicyBlockedDetector } from '../../../src/core/detect/networkPolicyBlocked';
import type { Finding } from '../../../src/core/model/incident';
import { fixPatch } from '../../../src/core/diagnose/fixes';
import { proposalsFromCauses } from '../../../src/core/change/proposals';
import { toNetworkPolicy } from '../../../src/cluster/convertNetworkPolicy';
import type { NetworkPolicy } from '../../../src/core/model/networkPolicy';
import { ClusterSnapshot, addApp } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from './helpers';

function policy(name: string, spec: Record<string, unknown>): NetworkPolicy {
  return toNetworkPolicy({ metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec });
}

const isDns = (f: Finding) => f.key === DNS_KEY;
const TO = [{ ipBlock: { cidr: '10.0.0.0/8' } }];

test('an allow-list without 53: the fix appends 53/UDP and 53/TCP to the first rule with ports, high risk', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  const spec = {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [{ to: TO }, { to: TO, ports: [{ port: 443, protocol: 'TCP' }] }],
  };
  // egress [{to}] admits every port: DNS gets out.
  s.upsert('NetworkPolicy', policy('web-out', spec));
  assert.deepEqual(networkPolicyBlockedDetector.detect({ snapshot: s, now: new Date() }).filter(isDns), []);
  s.upsert('NetworkPolicy', policy('web-out', { ...spec, egress: [spec.egress[1]] }));
  const cause = diagnoseWith(networkPolicyBlockedDetector, s, undefined, isDns);
  assert.equal(cause.category, 'network-policy');
  assert.equal(
    cause.summary,
    'NetworkPolicy web-out isolates Deployment web for egress and admits no DNS traffic (port 53/UDP) (it admits only 443/TCP)',
  );
  assert.deepEqual(cause.fields, ['spec.egress']);
  const fix = cause.fixes[0]!;
  assert.deepEqual(fixPatch(fix), {
    spec: {
      egress: [
        {
          to: TO,
          ports: [
            { port: 443, protocol: 'TCP' },
            { port: 53, protocol: 'UDP' },
            { port: 53, protocol: 'TCP' },
          ],
        },
      ],
    },
  });
  assert.equal(cause.fixes[1]!.edits, undefined, 'the alternative is advice');

  const incident = incidentOf(networkPolicyBlockedDetector, s, isDns);
  assert.equal(incident.key, DNS_KEY);
  const [p] = proposalsFromCauses([{ incident, cause: { ...cause, incidentId: incident.id } }], (ref) =>
    ref.kind === 'NetworkPolicy' ? `uid-${ref.name}` : undefined,
  );
  assert.deepEqual([p!.target.kind, p!.target.name, p!.risk], ['NetworkPolicy', 'web-out', 'high']);
  assert.deepEqual(p!.fields, ['spec.egress']);
});

test('53/TCP already listed: only 53/UDP is added', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 1 });
  s.upsert('NetworkPolicy', policy('web-out', { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] }));
  const fix = diagnoseWith(networkPolicyBlockedDetector, s, undefined, isDns).fixes[0]!;
  assert.deepEqual(fix.edits, [
    { path: 'spec.egress[0].ports[1].port', value: 53 },
    { path: 'spec.egress[0].ports[1].protocol', value: 'UDP' },
  ]);
});

test('a default-deny egress: advice only, implicating spec.policyTypes', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  s.upsert('NetworkPolicy', policy('deny-egress', { podSelector: {}, policyTypes: ['Egress'] }));
  const cause = diagnoseWith(networkPolicyBlockedDetector, s, undefined, isDns);
  assert.match(cause.summary, /^NetworkPolicy deny-egress isolates Deployment web for egress .*denies all egress/);
  assert.deepEqual(cause.fields, ['spec.policyTypes']);
  assert.equal(cause.fixes.length, 1);
  assert.equal(cause.fixes[0]!.edits, undefined);
  assert.match(cause.fixes[0]!.summary, /admits port 53 over UDP and TCP/);
});

test('hostile policy names stay bounded and on one line', () => {
  const hostile = `evil\n\u2028${'x'.repeat(5000)}"<script>`;
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 1 });
  s.upsert(
    'NetworkPolicy',
    toNetworkPolicy({
      metadata: { name: hostile, namespace: 'shop', uid: 'uid-h' },
      spec: { podSelector: {}, egress: [{ ports: [{ port: hostile }, { port: 1, endPort: hostile }] }] },
    }),
  );
  const [f] = networkPolicyBlockedDetector.detect({ snapshot: s, now: new Date() }).filter(isDns);
  assert.ok(f && f.summary.length <= 400 && !/[\n\u2028]/.test(f.summary), f?.summary);
  for (const e of f.evidence) assert.ok(e.text.length <= 500);
  const cause = diagnoseWith(networkPolicyBlockedDetector, s, undefined, isDns);
  assert.ok(cause.summary.length <= 300 && !/[\n\u2028]/.test(cause.summary));
  for (const fix of cause.fixes) assert.ok(fix.summary.length <= 300 && !/[\n\u2028]/.test(fix.summary));
});
