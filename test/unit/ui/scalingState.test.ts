import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterSnapshot } from '../../../src/core/model/snapshot';
import { UsageHistory } from '../../../src/core/model/usageHistory';
import type { HorizontalPodAutoscaler } from '../../../src/core/model/resources';
import {
  buildScalingState,
  inDemandUnit,
  panelActProposal,
  type ScalingSource,
} from '../../../src/ui/scalingPanel/scalingState';
import { container, meta, template, workload } from '../detect/fixtures';

const ref = { kind: 'Deployment' as const, namespace: 'shop', name: 'web' };

function source(metrics: ScalingSource['metrics'] = { phase: 'serving', pods: 3 }): ScalingSource {
  const snapshot = new ClusterSnapshot();
  snapshot.upsertWorkload(
    workload('web', {
      desired: 3,
      ready: 3,
      template: template({ containers: [container({ resources: { requests: { cpu: '250m' }, limits: {} } })] }),
    }),
  );
  return { context: 'kind-dev', snapshot, usage: new UsageHistory(), metrics };
}

function feed(src: ScalingSource, polls: number, cores: (i: number) => number): void {
  for (let i = 0; i < polls; i++) {
    for (const pod of ['web-1', 'web-2', 'web-3'])
      src.usage.add('Deployment', 'shop', 'web', 'app', { t: 5000 + i * 15, cpu: cores(i) / 3, memory: 1, pod });
  }
}

test('notes say why there is no proposal: not connected, no workload, metrics waiting or not served', () => {
  assert.match(buildScalingState(undefined, ref, 1).notes[0]!, /Not connected/);
  const gone = buildScalingState(source(), { ...ref, name: 'gone' }, 1);
  assert.match(gone.notes[0]!, /not in context kind-dev/);
  assert.equal(gone.missing, true, 'a workload that is gone makes the panel offer Close');
  const listing = buildScalingState({ ...source(), synced: false }, { ...ref, name: 'gone' }, 1);
  assert.equal(listing.missing, undefined, 'not declared missing while the context is still being listed');
  assert.match(listing.notes[0]!, /Reading context kind-dev/);
  assert.equal(buildScalingState(source(), ref, 1).missing, undefined);
  assert.match(buildScalingState(source({ phase: 'waiting' }), ref, 1).notes[0]!, /No metrics yet/);
  const notServed = buildScalingState(
    source({
      phase: 'unavailable',
      message: 'Pod usage (metrics.k8s.io): the server could not find the requested resource',
    }),
    ref,
    1,
  );
  assert.match(notServed.notes[0]!, /metrics\.k8s\.io is not served/);
  assert.equal(notServed.proposal, undefined);
  assert.match(buildScalingState(source(), ref, 1).notes[0]!, /No metrics for this workload yet/);
});

test('with usage history: a proposal in CPU cores, chart data labelled CPU cores, HPA bounds', () => {
  const src = source();
  src.snapshot.upsert('HorizontalPodAutoscaler', {
    meta: meta('web'),
    target: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' },
    minReplicas: 2,
    maxReplicas: 5,
    currentReplicas: 3,
    desiredReplicas: 3,
    metrics: [],
    conditions: [],
  } satisfies HorizontalPodAutoscaler);
  feed(src, 160, (i) => 0.3 + (1.2 * i) / 159);
  const state = buildScalingState(src, ref, 42);
  assert.equal(state.updatedAt, 42);
  assert.equal(state.observations, 160);
  assert.deepEqual(state.notes, []);
  const p = state.proposal!;
  assert.equal(p.currentReplicas, 3);
  assert.ok(p.replicas > 3, `rising CPU should scale up, got ${p.replicas}`);
  assert.deepEqual(p.hpa?.current, { minReplicas: 2, maxReplicas: 5 });
  assert.ok(p.hpa!.proposed.maxReplicas >= p.replicas);
  assert.doesNotMatch(p.reason, /req\/s/);
  assert.match(p.reason, /cores/);
  assert.equal(state.chart.datasets[0]!.label, 'CPU cores');
  assert.equal(state.chart.datasets[0]!.data.length, 120, 'the chart shows the last half hour');
  assert.equal(p.objective.name, 'availability', 'the default objective is in force and shown');
  assert.match(p.objective.text, /^Objective: availability\./);
  assert.ok(p.accuracy && p.accuracy.samples > 0, 'the forecast accuracy is shown');
  assert.match(p.accuracy.text, /Forecast accuracy over \d+ past forecasts/);
  assert.doesNotThrow(() => JSON.stringify(state));
  const cost = buildScalingState(src, ref, 43, { plan: { source: 'cpu' }, objective: 'cost' });
  assert.equal(cost.proposal!.objective.name, 'cost');
  assert.ok(cost.proposal!.replicas <= p.replicas, 'the cost objective proposes no more than availability');
});

test('missing CPU requests: the proposal holds and a note says how to fix it; DaemonSets get no proposal', () => {
  const src = source();
  src.snapshot.upsertWorkload(
    workload('web', { template: template({ containers: [container({ resources: { requests: {}, limits: {} } })] }) }),
  );
  feed(src, 20, () => 0.6);
  const state = buildScalingState(src, ref, 1);
  assert.equal(state.proposal?.replicas, 3);
  assert.equal(state.proposal?.replicaCapacity, undefined);
  assert.ok(state.notes.some((n) => /requests CPU/.test(n)));

  src.snapshot.upsertWorkload(workload('agent', { kind: 'DaemonSet' }));
  for (let i = 0; i < 5; i++)
    src.usage.add('DaemonSet', 'shop', 'agent', 'app', { t: 5000 + i * 15, cpu: 0.1, memory: 1, pod: 'agent-x' });
  const ds = buildScalingState(src, { kind: 'DaemonSet', namespace: 'shop', name: 'agent' }, 1);
  assert.equal(ds.proposal, undefined);
  assert.match(ds.notes[0]!, /DaemonSet/);
  assert.equal(ds.chart.datasets[0]!.data.length, 5);
});

test('the reason speaks the demand unit', () => {
  assert.equal(
    inDemandUnit('Forecast peak 1.2 req/s, one replica serves 0.2 req/s', { label: 'CPU cores', unit: 'cores' }),
    'Forecast peak 1.2 cores, one replica serves 0.2 cores',
  );
});

test('before five minutes of history the panel says it is collecting history and proposes nothing yet', () => {
  const src = source();
  feed(src, 5, () => 0.6);
  const early = buildScalingState(src, ref, 1);
  assert.equal(early.proposal, undefined);
  assert.match(
    early.notes.join(' '),
    /Collecting history: 5 of 20 observations; the forecast and the proposal start in about 4 minutes/,
  );
  assert.equal(early.chart.datasets[0]!.data.length, 5, 'the demand is drawn meanwhile');
  assert.ok(
    early.chart.datasets.filter((d) => d.label === 'Forecast').every((d) => d.data.length <= 1),
    'no forecast yet',
  );
  feed(src, 20, () => 0.6);
  const later = buildScalingState(src, ref, 1);
  assert.ok(later.proposal, 'a proposal once there are 20 observations');
  assert.ok(!later.notes.some((n) => /Collecting history/.test(n)));
});

test('Verify & Apply acts on what the panel shows: its replicas as a patch on the workload, bound to the live uid', () => {
  const src = source();
  feed(src, 160, (i) => 0.3 + (1.2 * i) / 159);
  const state = buildScalingState(src, ref, 42);
  assert.ok(state.proposal && state.proposal.replicas > 3);
  const proposal = panelActProposal(src.snapshot, state)!;
  assert.equal(proposal.incidentType, 'Scaling');
  const uid = src.snapshot.getWorkload('Deployment', 'shop', 'web')!.uid;
  assert.deepEqual(proposal.target, { kind: 'Deployment', namespace: 'shop', name: 'web', uid });
  assert.deepEqual(proposal.change.kind === 'patch' ? proposal.change.edits : [], [
    { path: 'spec.replicas', value: state.proposal.replicas, previous: 3 },
  ]);
  // No change shown, or the workload gone: nothing to verify.
  assert.equal(panelActProposal(src.snapshot, { ...state, proposal: { ...state.proposal, replicas: 3 } }), undefined);
  assert.equal(panelActProposal(new ClusterSnapshot(), state), undefined);
});
