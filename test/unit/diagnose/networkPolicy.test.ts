// The cause of a NetworkPolicyBlocked incident names the policy, the Service and the port; a policy
// with port-listing rules gets a confirmable patch that appends the port and keeps the rule's peers,
// a deny-all gets advice only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkPolicyBlockedDetector } from '../../../src/core/detect/networkPolicyBlocked';
import { fixPatch } from '../../../src/core/diagnose/fixes';
import { proposalsFromCauses } from '../../../src/core/change/proposals';
import { staleReplacedLists } from '../../../src/core/change/fieldImage';
import { toNetworkPolicy } from '../../../src/cluster/convertNetworkPolicy';
import type { NetworkPolicy } from '../../../src/core/model/networkPolicy';
import { ClusterSnapshot, addApp, service } from '../detect/fixtures';
import { diagnoseWith, incidentOf } from './helpers';

function policy(name: string, spec: Record<string, unknown>): NetworkPolicy {
  return toNetworkPolicy({ metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec });
}

const FROM = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } } }];

test('a rule with other ports: the cause names policy, Service and port, and the fix appends the port', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  s.upsert(
    'NetworkPolicy',
    policy('web-in', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: FROM, ports: [{ port: 9090 }] }],
    }),
  );
  const cause = diagnoseWith(networkPolicyBlockedDetector, s);
  assert.equal(cause.category, 'network-policy');
  assert.equal(
    cause.summary,
    'NetworkPolicy web-in isolates the pods of Service web and admits no traffic on port 80/TCP → 8080',
  );
  assert.deepEqual(cause.fields, ['spec.ingress']);
  const fix = cause.fixes[0]!;
  assert.deepEqual(fix.edits, [
    { path: 'spec.ingress[0].ports[1].port', value: 8080 },
    { path: 'spec.ingress[0].ports[1].protocol', value: 'TCP' },
  ]);
  assert.deepEqual(fixPatch(fix), {
    spec: { ingress: [{ from: FROM, ports: [{ port: 9090 }, { port: 8080, protocol: 'TCP' }] }] },
  });
  assert.equal(cause.fixes[1]!.edits, undefined, 'the alternative is advice');

  const incident = incidentOf(networkPolicyBlockedDetector, s);
  const [p] = proposalsFromCauses([{ incident, cause: { ...cause, incidentId: incident.id } }], (ref) =>
    ref.kind === 'NetworkPolicy' ? `uid-${ref.name}` : undefined,
  );
  assert.deepEqual([p!.target.kind, p!.target.name, p!.target.uid], ['NetworkPolicy', 'web-in', 'uid-web-in']);
  assert.equal(p!.risk, 'high');
  assert.deepEqual(p!.fields, ['spec.ingress'], 'the patch replaces the list whole, so its before-image is the list');
  assert.deepEqual(p!.change.kind === 'patch' && p!.change.patch, fixPatch(fix));
});

test('a named target port is added by name; two blocked ports are both appended', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 1 });
  s.upsert(
    'Service',
    service('web', {
      ports: [
        { port: 80, targetPort: 'http' },
        { port: 53, targetPort: '5353', protocol: 'UDP' },
      ],
    }),
  );
  const pod = s.list('Pod')[0]!;
  pod.spec.containers[0]!.ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  s.upsert('Pod', pod);
  s.upsert('NetworkPolicy', policy('web-in', { podSelector: {}, ingress: [{}, { ports: [{ port: 1 }] }] }));
  // ingress [{}] admits all: nothing is blocked.
  assert.deepEqual(networkPolicyBlockedDetector.detect({ snapshot: s, now: new Date() }), []);
  s.upsert('NetworkPolicy', policy('web-in', { podSelector: {}, ingress: [{ ports: [{ port: 1 }] }] }));
  const cause = diagnoseWith(networkPolicyBlockedDetector, s);
  assert.deepEqual(fixPatch(cause.fixes[0]!), {
    spec: {
      ingress: [
        {
          ports: [{ port: 1 }, { port: 'http', protocol: 'TCP' }, { port: 5353, protocol: 'UDP' }],
        },
      ],
    },
  });
});

test('a deny-all: advice only, implicating spec.policyTypes, no invented peers', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 2 });
  s.upsert('NetworkPolicy', policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }));
  const cause = diagnoseWith(networkPolicyBlockedDetector, s);
  assert.equal(
    cause.summary,
    'NetworkPolicy deny-all isolates the pods of Service web and admits no traffic on port 80/TCP → 8080 (it has no ingress rule)',
  );
  assert.deepEqual(cause.fields, ['spec.policyTypes']);
  assert.equal(cause.fixes.length, 1);
  assert.equal(cause.fixes[0]!.edits, undefined);
  assert.match(cause.fixes[0]!.summary, /admits port 80\/TCP → 8080 from the clients that should reach Service web/);
});

test('hostile names in policies, Services and ports stay bounded and on one line', () => {
  const hostile = `evil\n\u2028${'x'.repeat(5000)}"<script>`;
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 1 });
  s.upsert('Service', service('web', { ports: [{ port: 80, name: hostile, targetPort: '8080' }] }));
  s.upsert(
    'NetworkPolicy',
    toNetworkPolicy({
      metadata: { name: hostile, namespace: 'shop', uid: 'uid-h' },
      spec: { podSelector: {}, ingress: [{ ports: [{ port: hostile }, { port: 1, endPort: hostile }] }] },
    }),
  );
  const [f] = networkPolicyBlockedDetector.detect({ snapshot: s, now: new Date() });
  assert.ok(f && f.summary.length <= 400 && !/[\n\u2028]/.test(f.summary), f?.summary);
  for (const e of f.evidence) assert.ok(e.text.length <= 500);
  const cause = diagnoseWith(networkPolicyBlockedDetector, s);
  assert.ok(cause.summary.length <= 300 && !/[\n\u2028]/.test(cause.summary));
  for (const fix of cause.fixes) assert.ok(fix.summary.length <= 300 && !/[\n\u2028]/.test(fix.summary));
});

test('a port patch copied from an older read of the policy is refused at planning; a faithful one passes', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'web', { replicas: 1 });
  const spec = { podSelector: {}, ingress: [{ from: FROM, ports: [{ protocol: 'TCP', port: 9090 }] }] };
  s.upsert('NetworkPolicy', policy('web-in', spec));
  const fix = diagnoseWith(networkPolicyBlockedDetector, s).fixes[0]!;
  const patch = fixPatch(fix)!;
  assert.deepEqual(staleReplacedLists(fix.edits!, patch, { spec }), []);
  const changed = { spec: { ...spec, ingress: [{ from: FROM, ports: [{ protocol: 'TCP', port: 9091 }] }] } };
  assert.deepEqual(staleReplacedLists(fix.edits!, patch, changed), ['spec.ingress']);
  assert.deepEqual(staleReplacedLists(fix.edits!, patch, { spec: { podSelector: {} } }), ['spec.ingress']);
  assert.deepEqual(staleReplacedLists([{ path: 'spec.replicas', value: 3 }], { spec: { replicas: 3 } }, {}), []);
});
