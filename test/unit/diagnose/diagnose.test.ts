import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectAll } from '../../../src/core/detect/detectors';
import { oomKilledDetector } from '../../../src/core/detect/oomKilled';
import { imagePullBackOffDetector } from '../../../src/core/detect/imagePullBackOff';
import { serviceNoEndpointsDetector } from '../../../src/core/detect/serviceNoEndpoints';
import { INCIDENT_TYPES, type Incident } from '../../../src/core/model/incident';
import type { DiagnosisRule } from '../../../src/core/diagnose/rule';
import { diagnose, diagnoseAll } from '../../../src/core/diagnose/diagnose';
import { correlate, correlationGroups } from '../../../src/core/diagnose/correlate';
import { editsPatch, fixPatch, strategicMergePatch } from '../../../src/core/diagnose/fixes';
import { tryParseFieldPath } from '../../../src/core/model/fieldPath';
import { RULES } from '../../../src/core/diagnose/rules';
import {
  ClusterSnapshot,
  NOW,
  addApp,
  ago,
  cond,
  container,
  endpointSlice,
  node,
  owner,
  replicaSet,
  runningStatus,
  service,
  template,
} from '../detect/fixtures';
import { incidentOf, toIncident } from './helpers';

const notReady = [
  cond('PodScheduled', 'True'),
  cond('Ready', 'False', { reason: 'ContainersNotReady', lastTransitionTime: ago(600) }),
];
const oomLoop = runningStatus({
  ready: false,
  restartCount: 4,
  state: { waiting: { reason: 'CrashLoopBackOff' } },
  lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(30) } },
});

function incidents(s: ClusterSnapshot): Incident[] {
  return detectAll({ snapshot: s, now: NOW }).findings.map(toIncident);
}

test('every incident type appears in some rule, and RULES lists each rule once', () => {
  const covered = new Set(RULES.flatMap((r) => r.types));
  assert.deepEqual(
    INCIDENT_TYPES.filter((t) => !covered.has(t)),
    [],
  );
  assert.equal(new Set(RULES).size, RULES.length);
});

test('diagnose falls back to the incident evidence when a rule throws, and never throws itself', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', { replicas: 1, pod: () => ({ containerStatuses: [oomLoop], conditions: notReady }) });
  const incident = incidentOf(oomKilledDetector, s);
  const boom: DiagnosisRule = {
    types: ['OOMKilled'],
    diagnose: () => {
      throw new Error('rule bug');
    },
  };
  const cause = diagnose({ snapshot: s, now: NOW, incident }, [boom]);
  assert.equal(cause.category, 'unknown');
  assert.equal(cause.source, 'rules');
  assert.equal(cause.incidentId, incident.id);
  assert.equal(cause.summary, incident.summary);
  assert.deepEqual(cause.evidence, incident.evidence);
  assert.match(cause.note ?? '', /rule bug/);
  const garbage: DiagnosisRule = {
    types: ['OOMKilled'],
    diagnose: () => ({ category: 'crash', summary: 'x\ny', confidence: Number.NaN }) as never,
  };
  const cleaned = diagnose({ snapshot: s, now: NOW, incident }, [boom, garbage]);
  assert.equal(cleaned.summary, 'x y');
  assert.equal(cleaned.confidence, 0);
  assert.deepEqual([cleaned.fields, cleaned.evidence, cleaned.fixes], [[], [], []]);
});

test('diagnose answers for every type even when the objects are gone from the snapshot', () => {
  const s = new ClusterSnapshot();
  for (const type of INCIDENT_TYPES) {
    const incident: Incident = {
      type,
      severity: 'warning',
      workload: { kind: 'Deployment', namespace: 'shop', name: 'gone' },
      summary: `${type} on gone`,
      evidence: [],
      id: `x-${type}`,
      status: 'open',
      firstSeen: ago(60),
      lastSeen: ago(1),
    };
    const cause = diagnose({ snapshot: s, now: NOW, incident });
    assert.equal(cause.incidentType, type);
    assert.ok(cause.confidence >= 0 && cause.confidence <= 1, type);
    assert.ok(cause.summary.length > 0, type);
  }
});

test('the most confident rule wins', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', { replicas: 1, pod: () => ({ containerStatuses: [oomLoop], conditions: notReady }) });
  const incident = incidentOf(oomKilledDetector, s);
  const low: DiagnosisRule = {
    types: ['OOMKilled'],
    diagnose: () => ({
      category: 'crash',
      summary: 'low',
      explanation: '',
      confidence: 0.1,
      fields: [],
      evidence: [],
      fixes: [],
    }),
  };
  assert.equal(diagnose({ snapshot: s, now: NOW, incident }, [low, ...RULES]).category, 'memory-limit');
});

test('correlation: a NotReady node and the pods evicted from it are one group, rooted at the node', () => {
  const s = new ClusterSnapshot();
  s.upsert(
    'Node',
    node('node-1', {
      conditions: [cond('Ready', 'False', { reason: 'KubeletNotReady', lastTransitionTime: ago(300) })],
    }),
  );
  s.upsert('Node', node('node-2'));
  addApp(s, 'api', {
    replicas: 2,
    service: false,
    pod: () => ({
      phase: 'Failed',
      reason: 'Evicted',
      nodeName: 'node-1',
      message: 'The node was low on resource: memory.',
      containerStatuses: [],
      conditions: [cond('Ready', 'False', { lastTransitionTime: ago(200) })],
    }),
  });
  addApp(s, 'other', {
    replicas: 1,
    service: false,
    pod: () => ({
      phase: 'Failed',
      reason: 'Evicted',
      nodeName: 'node-2',
      containerStatuses: [],
      conditions: [cond('Ready', 'False', { lastTransitionTime: ago(200) })],
    }),
  });
  const all = incidents(s);
  const nodeIncident = all.find((i) => i.type === 'NodeNotReady')!;
  const evictedApi = all.find((i) => i.type === 'Evicted' && i.workload.name === 'api')!;
  const evictedOther = all.find((i) => i.type === 'Evicted' && i.workload.name === 'other')!;
  const groups = correlate(all, s);
  assert.equal(groups.get(evictedApi.id), nodeIncident.id);
  assert.equal(groups.get(nodeIncident.id), nodeIncident.id);
  assert.equal(groups.get(evictedOther.id), evictedOther.id, 'evictions on a healthy node stay apart');
  const causes = diagnoseAll(all, s, NOW);
  assert.equal(causes.find((c) => c.incidentId === evictedApi.id)!.groupId, nodeIncident.id);
  assert.equal(causes.find((c) => c.incidentId === evictedOther.id)!.groupId, undefined);
  assert.equal(causes.find((c) => c.incidentId === evictedApi.id)!.category, 'node-failure');
});

test('correlation: a bad rollout and its crashing pods are one group, rooted at the rollout', () => {
  const s = new ClusterSnapshot();
  const next = template({ labels: { app: 'checkout' }, containers: [container({ image: 'shop/app:1.5' })] });
  const app = addApp(s, 'checkout', {
    replicas: 2,
    deployment: { template: next, ready: 2, desired: 3, updated: 2 },
    rs: { revision: 2, ready: 0, available: 0, desired: 2 },
    pod: () => ({
      spec: next,
      containerStatuses: [
        runningStatus({
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: ago(20) } },
        }),
      ],
      conditions: notReady,
    }),
  });
  s.upsert(
    'ReplicaSet',
    replicaSet('checkout-5f6a7b', {
      revision: 1,
      ready: 2,
      available: 2,
      desired: 2,
      template: template({ labels: { app: 'checkout' }, containers: [container({ image: 'shop/app:1.4' })] }),
      meta: { owners: [owner('Deployment', 'checkout', app.deployment.uid)] },
    }),
  );
  const all = incidents(s);
  const rollout = all.find((i) => i.type === 'RolloutRegression')!;
  const crash = all.find((i) => i.type === 'CrashLoopBackOff')!;
  const group = correlationGroups(all, s).find((g) => g.members.includes(crash))!;
  assert.equal(group.id, rollout.id);
  assert.equal(group.root, rollout);
  assert.equal(group.members[0], rollout);
});

test('correlation: an OOM kill and the crash loop of the same container are one group, rooted at the OOM', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', { replicas: 1, pod: () => ({ containerStatuses: [oomLoop], conditions: notReady }) });
  const all = incidents(s).filter((i) => i.type === 'OOMKilled' || i.type === 'CrashLoopBackOff');
  assert.equal(all.length, 2);
  const oom = all.find((i) => i.type === 'OOMKilled')!;
  const groups = correlate(all, s);
  assert.deepEqual([...new Set(groups.values())], [oom.id]);
});

test('correlation: a Service without endpoints joins the failing workload behind it', () => {
  const s = new ClusterSnapshot();
  addApp(s, 'api', {
    replicas: 1,
    service: false,
    deployment: { ready: 0 },
    pod: () => ({ containerStatuses: [oomLoop], conditions: notReady }),
  });
  s.upsert('Service', service('api'));
  s.upsert('EndpointSlice', endpointSlice('api', 0, 1));
  const all = incidents(s);
  const svc = all.find((i) => i.type === 'ServiceNoEndpoints')!;
  const oom = all.find((i) => i.type === 'OOMKilled')!;
  assert.equal(correlate(all, s).get(svc.id), oom.id);
});

test('strategicMergePatch: containers addressed by name, several edits merged, maps with dotted keys', () => {
  assert.deepEqual(
    strategicMergePatch([{ path: 'spec.template.spec.containers[name=api].resources.limits.memory', value: '256Mi' }]),
    {
      spec: { template: { spec: { containers: [{ name: 'api', resources: { limits: { memory: '256Mi' } } }] } } },
    },
  );
  assert.deepEqual(
    strategicMergePatch([
      { path: 'spec.template.spec.containers[name=api].resources.limits.memory', value: '512Mi', previous: '256Mi' },
      { path: 'spec.template.spec.containers[name=api].resources.requests.memory', value: '512Mi' },
      { path: 'spec.template.spec.containers[name=sidecar].image', value: 'envoy:1.30' },
      { path: "spec.template.spec.nodeSelector['kubernetes.io/arch']", value: 'amd64' },
      { path: 'spec.replicas', value: 3 },
    ]),
    {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'api', resources: { limits: { memory: '512Mi' }, requests: { memory: '512Mi' } } },
              { name: 'sidecar', image: 'envoy:1.30' },
            ],
            nodeSelector: { 'kubernetes.io/arch': 'amd64' },
          },
        },
        replicas: 3,
      },
    },
  );
  assert.equal(fixPatch({ summary: 'Roll back to revision 3', rollbackToRevision: 3 }), undefined);
});

test('strategicMergePatch: malformed and hostile paths never throw or reach a prototype', () => {
  const patch = strategicMergePatch([
    { path: '__proto__.polluted', value: 'yes' },
    { path: 'spec.containers[name=__proto__].constructor.prototype.polluted', value: 'yes' },
    { path: 'spec..x', value: 1 },
    { path: 'spec.containers[name=a', value: 1 },
    { path: '', value: 1 },
    { path: 'spec.containers[name=a]', value: 1 },
  ]);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(patch), Object.prototype);
  assert.deepEqual(JSON.parse(JSON.stringify(patch)), {
    ['__proto__']: { polluted: 'yes' },
    spec: { containers: [{ name: '__proto__', constructor: { prototype: { polluted: 'yes' } } }] },
  });
  assert.equal(tryParseFieldPath('a'.repeat(5000)), undefined);
});

test('editsPatch: list indexes patch the whole list from the current object; what cannot be patched is named, not lost', () => {
  const hpa = {
    spec: {
      maxReplicas: 5,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 95 } } },
      ],
    },
  };
  const edits = [
    { path: 'spec.metrics[0].resource.target.averageUtilization', value: 70, previous: 95 },
    { path: 'spec.maxReplicas', value: 8 },
    { path: 'spec.metrics[3].resource.target.averageUtilization', value: 50 },
  ];
  const { patch, skipped } = editsPatch(edits, hpa);
  assert.deepEqual(patch, {
    spec: {
      maxReplicas: 8,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
      ],
    },
  });
  assert.deepEqual(
    skipped.map((s) => s.path),
    ['spec.metrics[3].resource.target.averageUtilization'],
  );
  assert.match(skipped[0]!.reason, /past the end of a list of 1/);
  const blind = editsPatch(edits.slice(0, 2));
  assert.deepEqual(blind.patch, { spec: { maxReplicas: 8 } }, 'a refused edit leaves nothing behind in the patch');
  assert.match(blind.skipped[0]!.reason, /needs the object's current list at spec\.metrics/);
});

test('hostile names and messages: bounded one-line summaries, no regex built from cluster text', () => {
  const s = new ClusterSnapshot();
  const name = `api.*(]\n${'x'.repeat(3000)}`;
  const image = `registry.invalid/${'(a+)+'.repeat(400)}:tag`;
  const spec = template({ labels: { app: 'evil' }, containers: [container({ name, image })] });
  addApp(s, 'evil', {
    replicas: 1,
    deployment: { template: spec, ready: 0 },
    pod: () => ({
      spec,
      phase: 'Pending',
      conditions: notReady,
      containerStatuses: [
        runningStatus({
          name,
          ready: false,
          image,
          state: { waiting: { reason: 'ImagePullBackOff', message: `${'[(?'.repeat(2000)} no such host` } },
        }),
      ],
    }),
  });
  s.upsert('Service', service('evil', { selector: { 'a.b/c': '(.*)', "k'\\]": 'v\n' } }));
  s.upsert('EndpointSlice', endpointSlice('evil', 0));
  const started = Date.now();
  const causes = diagnoseAll(incidents(s), s, NOW);
  assert.ok(Date.now() - started < 2000);
  assert.ok(causes.length >= 2);
  for (const c of causes) {
    assert.ok(c.summary.length <= 300, c.summary.slice(0, 80));
    assert.doesNotMatch(c.summary, /\n/);
    assert.ok(c.explanation.length <= 1500);
    for (const f of c.fixes) for (const e of f.edits ?? []) assert.ok(e.path.length < 400);
  }
  const pull = diagnose({ snapshot: s, now: NOW, incident: incidentOf(imagePullBackOffDetector, s) });
  assert.equal(pull.category, 'image-pull');
  assert.ok(diagnose({ snapshot: s, now: NOW, incident: incidentOf(serviceNoEndpointsDetector, s) }).confidence <= 1);
});
